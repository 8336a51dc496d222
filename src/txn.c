/* Transaction table: hash index on the RFC 3261 17 matching key, and age
 * lists ordered by capture time so that retiring is O(1) per transaction.
 * Entries and tombstones live in slot pools (agelist.h): no malloc per
 * transaction in the common case. See include/sipsleuth/txn.h for the
 * rules. */
#include "sipsleuth/txn.h"

#include "sipsleuth/error.h"
#include "agelist.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Age lists. Every node in a list was appended with a deadline computed
 * as (table clock at append) + (a constant of that list), or (for
 * tombstones) as the final's time + a constant, appended in final-time
 * order; the clock never goes back, so each list stays sorted by deadline. */
enum age_list {
    L_WAIT,       /* no response yet (or non-INVITE with only 1xx) */
    L_PROCEEDING, /* INVITE with a provisional, no final */
    L_SETTLE,     /* final seen: full record kept settle_ns */
    L_TOMB,       /* reported: key kept until linger_ns after the final */
    L_ACK,        /* ACK outside any INVITE transaction: key only */
    L_COUNT
};

/* What every indexed key has: age list, index hash and slot, and the
 * verdicts a tombstone still needs to classify late messages. */
typedef struct node {
    sls__age_link age;
    char *ext;               /* malloc'd key (and, for an entry, its strings)
                                when they do not fit in the slot; else NULL */
    uint32_t hash;           /* the key's index hash */
    uint32_t ref;            /* own slot (TOMB_REF set for the tomb pool) */
    uint32_t size;           /* bytes charged against max_bytes */
    uint32_t key_len;
    uint32_t final_to_hash;
    uint16_t final_code;
    uint8_t tomb;            /* 1: reported or ACK-only; key only */
    uint8_t has_final;
    uint8_t ack_seen;
} node;

/* A tombstone's key is usually short (RFC 3261 branch, sent-by, method):
 * the slot holds it up to TOMB_KEY bytes, a longer one goes to n.ext. */
#define TOMB_KEY 88

typedef struct tomb {
    node n;
    char key[TOMB_KEY];
} tomb;

#define TO_TAG_INLINE 48

typedef struct entry {
    node n;
    sls_txn t;
    int64_t last_prov_ts;
    uint32_t to_tag_len;     /* 0 until a response has a tag; t.to_tag is
                                malloc'd when neither empty nor to_tag_buf */
    char to_tag_buf[TO_TAG_INLINE];
    char data[];             /* key, then the strings of t, unless in n.ext */
} entry;

/* One slot per entry: the fixed part and about 250 bytes of strings,
 * which holds the key and strings of typical transactions (longer ones go
 * to n.ext); more would cost memory for every transaction. */
#define ENTRY_SLOT 896
#define ENTRY_INLINE (ENTRY_SLOT - offsetof(entry, data))

/* Bytes charged against max_bytes: what the first layout (one malloc per
 * entry, strings after a 592-byte header; 72 bytes and the key per
 * tombstone) allocated, so that the ceiling, and so eviction counts, do not
 * move with the layout. The slots in use are within a few percent of it for
 * typical transactions (an 896-byte entry slot against about 850 charged, a
 * 160-byte tombstone slot against about 140). */
#define CHARGE_ENTRY 592
#define CHARGE_TOMB 72

#define TOMB_REF (UINT32_C(1) << 31)

struct sls_txn_table {
    sls_txn_config cfg;
    sls_counters *counters;
    sls_txn_done_fn done;
    void *user;
    sls__index index;
    sls__pool entries, tombs;
    size_t open, peak;
    size_t bytes;  /* charged for entries and tombstones */
    size_t nexts;  /* nodes with a malloc'd ext */
    sls__age_list lists[L_COUNT];
    sls__ages ages;
    int64_t clock; /* latest capture time seen */
};

static const char empty[] = "";

void sls_txn_config_default(sls_txn_config *cfg)
{
    cfg->timer_b_ns = 32 * SLS_NS_PER_S;
    cfg->timer_c_ns = 180 * SLS_NS_PER_S;
    cfg->linger_ns = 32 * SLS_NS_PER_S;
    cfg->settle_ns = 4 * SLS_NS_PER_S;
    cfg->max_open = 1000000;
    cfg->max_bytes = (size_t)36 << 20;
}

/* To tags are told apart by this hash (provisionals, finals). */
static uint32_t hash32(const char *p, size_t n)
{
    return (uint32_t)sls__hash_bytes(p, n, 0);
}

static const char *node_key(const node *n)
{
    if (n->ext != NULL)
        return n->ext;
    return n->tomb ? ((const tomb *)n)->key : ((const entry *)n)->data;
}

/* The To tag's malloc'd copy (a tag of TO_TAG_INLINE bytes or more), or
 * NULL: told from t.to_tag alone, without reading the end of the slot. */
static char *to_tag_ext(entry *e)
{
    const char *p = e->t.to_tag;
    return p != empty && p != e->to_tag_buf ? (char *)(uintptr_t)p : NULL;
}

static node *node_at(const sls_txn_table *t, uint32_t ref)
{
    if (ref & TOMB_REF)
        return sls__pool_ptr(&t->tombs, ref & ~TOMB_REF);
    return sls__pool_ptr(&t->entries, ref);
}

sls_txn_table *sls_txn_table_new(const sls_txn_config *cfg,
                                 sls_counters *counters,
                                 sls_txn_done_fn done, void *user)
{
    sls_txn_table *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    if (cfg != NULL)
        t->cfg = *cfg;
    else
        sls_txn_config_default(&t->cfg);
    if (t->cfg.max_open == 0)
        t->cfg.max_open = 1;
    if (t->cfg.max_bytes == 0)
        t->cfg.max_bytes = SIZE_MAX;
    if (t->cfg.settle_ns > t->cfg.linger_ns)
        t->cfg.settle_ns = t->cfg.linger_ns;
    t->counters = counters;
    t->done = done;
    t->user = user;
    t->ages.lists = t->lists;
    t->ages.nlists = L_COUNT;
    sls__pool_init(&t->entries, ENTRY_SLOT);
    sls__pool_init(&t->tombs, sizeof(tomb));
    if (sls__index_init(&t->index, 2048) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

static node *node_of(sls__age_link *l)
{
    return l == NULL ? NULL : (node *)(void *)((char *)l - offsetof(node, age));
}

static void list_append(sls_txn_table *t, node *e, enum age_list which, int64_t deadline)
{
    sls__age_append(&t->ages, &e->age, which, deadline);
}

static void list_move(sls_txn_table *t, node *e, enum age_list which, int64_t deadline)
{
    sls__age_move(&t->ages, &e->age, which, deadline);
}

static void list_unlink(sls_txn_table *t, node *e)
{
    sls__age_unlink(&t->ages, &e->age);
}

/* Gives a node's slot and its malloc'd parts back. */
static void node_release(sls_txn_table *t, node *n)
{
    if (n->ext != NULL) {
        free(n->ext);
        t->nexts--;
    }
    if (n->tomb) {
        sls__pool_free(&t->tombs, n->ref & ~TOMB_REF);
    } else {
        free(to_tag_ext((entry *)n)); /* rare: a To tag of 48 bytes or more */
        sls__pool_free(&t->entries, n->ref);
    }
}

/* ---------------------------------------------------------------- keys
 *
 * The matching key of a message is looked up as pieces of the message,
 * hashed and compared where they are, without building it. Its flat form,
 * stored once per entry, is kind ("3" or "2"), NUL, then each piece and a
 * NUL: two keys are equal when their flat forms are, byte for byte.
 *
 * The method is left out of the hash: the ACK of a non-2xx is looked up as
 * INVITE, then as ACK (RFC 3261 17.1.1.3: the ACK of a 2xx is a transaction
 * of its own) with the same hash; only a CANCEL shares its INVITE's hash
 * (same branch, RFC 3261 9.1), and the comparison tells them apart. */
#define KEY_PIECES 6

typedef struct key {
    sls_str piece[KEY_PIECES]; /* in flat order */
    char kind;                 /* '3': 3 pieces; '2': 6 */
    size_t len;                /* of the flat form */
    size_t len_but_method;
    uint32_t hash;
    char num[16];              /* CSeq number as text (RFC 2543 keys) */
} key;

/* The method is piece 2 in both kinds. */
#define METHOD_PIECE 2

static void key_set_method(key *k, sls_str method)
{
    k->piece[METHOD_PIECE] = method;
    k->len = k->len_but_method + method.n + 1;
}

/* Method as it takes part in the key: ACK is matched as INVITE. */
static sls_str key_method(const sls_sipmsg *m, bool as_ack_entry)
{
    if (m->is_request && m->method == SLS_METHOD_ACK && !as_ack_entry)
        return (sls_str){"INVITE", 6};
    return m->method_name;
}

/* The matching key of m (the ACK-entry variant via key_set_method). */
static void key_of(key *k, const sls_sipmsg *m)
{
    /* RFC 3261 17.2.3: the magic cookie says the branch is unique. */
    if (m->branch.n > 7 && memcmp(m->branch.p, "z9hG4bK", 7) == 0) {
        k->kind = '3';
        k->piece[0] = m->branch;
        k->piece[1] = m->via_sent_by;
        k->len_but_method = 2 + m->branch.n + 1 + m->via_sent_by.n + 1;
        /* The branch alone tells these transactions apart (RFC 3261
         * 17.2.3: unique across space and time, but for the sent-by and a
         * CANCEL): sent-by and method are compared, not hashed. */
        k->hash = (uint32_t)sls__index_hash(m->branch.p, m->branch.n, '3');
    } else {
        /* RFC 3261 17.2.3 backward compatibility with RFC 2543: Call-ID,
         * CSeq, From tag and the top Via identify the transaction. */
        size_t n = 0;
        uint32_t v = m->cseq;
        char rev[16];
        do {
            rev[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (size_t i = 0; i < n; i++)
            k->num[i] = rev[n - 1 - i];
        k->num[n] = '\0';
        k->kind = '2';
        k->piece[0] = m->call_id;
        k->piece[1] = (sls_str){k->num, n};
        k->piece[3] = m->from_tag;
        k->piece[4] = m->via_sent_by;
        k->piece[5] = m->branch;
        uint64_t h = '2';
        size_t len = 2;
        for (int i = 0; i < KEY_PIECES; i++) {
            if (i == METHOD_PIECE)
                continue;
            /* Each piece's hash seeds the next: moving bytes from one
             * piece to the next changes it. */
            h = sls__index_hash(k->piece[i].p, k->piece[i].n, h);
            len += k->piece[i].n + 1;
        }
        k->len_but_method = len;
        k->hash = (uint32_t)h;
    }
    key_set_method(k, key_method(m, false));
}

static inline int npieces(const key *k)
{
    return k->kind == '3' ? 3 : KEY_PIECES;
}

/* Whether the flat piece at *s is p; if so, *s moves past it. */
static inline __attribute__((always_inline)) bool piece_eq(const char **s, sls_str p)
{
    if (!sls__mem_eq(*s, p.p, p.n) || (*s)[p.n] != '\0')
        return false;
    *s += p.n + 1;
    return true;
}

/* Whether the flat key at s (len bytes) is k's. Inlined in lookup(), the
 * RFC 3261 kind (nearly every key) unrolled. */
static inline __attribute__((always_inline)) bool key_eq(const char *s, size_t len,
                                                         const key *k)
{
    if (len != k->len || s[0] != k->kind)
        return false;
    s += 2;
    if (k->kind == '3')
        return piece_eq(&s, k->piece[0]) && piece_eq(&s, k->piece[1]) &&
               piece_eq(&s, k->piece[2]);
    for (int i = 0; i < KEY_PIECES; i++)
        if (!piece_eq(&s, k->piece[i]))
            return false;
    return true;
}

/* Writes k's flat form at dst (k->len bytes); at[i], when not NULL,
 * receives where piece i (NUL-terminated) is. */
static void key_write(char *dst, const key *k, char **at)
{
    dst[0] = k->kind;
    dst[1] = '\0';
    dst += 2;
    for (int i = 0, n = npieces(k); i < n; i++) {
        if (at != NULL)
            at[i] = dst;
        sls__copy(dst, k->piece[i].p, k->piece[i].n);
        dst[k->piece[i].n] = '\0';
        dst += k->piece[i].n + 1;
    }
}

static inline __attribute__((always_inline)) node *
lookup(const sls_txn_table *t, const key *k)
{
    size_t pos = k->hash & t->index.mask;
    uint32_t ref;
    while ((ref = sls__index_next(&t->index, k->hash, &pos)) != 0) {
        node *n = node_at(t, ref);
        if (key_eq(node_key(n), n->key_len, k))
            return n;
    }
    return NULL;
}

/* Whether the transaction has timed out by `at`: RFC 3261 Timer B/F when
 * nothing final came, Timer C for an INVITE that had a provisional. */
static bool timed_out_at(const sls_txn_table *t, const entry *e, int64_t at)
{
    if (e->t.has_final)
        return false;
    if (e->t.method == SLS_METHOD_INVITE && e->t.nprov > 0)
        return at - e->last_prov_ts >= t->cfg.timer_c_ns;
    int64_t start = e->t.request_seen ? e->t.request_ts_ns : e->t.first_ts_ns;
    return at - start >= t->cfg.timer_b_ns;
}

static void report(sls_txn_table *t, entry *e, int64_t at, bool evicted)
{
    if (t->done == NULL)
        return;
    e->t.timed_out = timed_out_at(t, e, at);
    e->t.evicted = evicted;
    t->done(t->user, &e->t);
}

/* Unindexes and frees a node; a full entry is reported first. */
static void retire(sls_txn_table *t, node *n, int64_t at, bool evicted)
{
    list_unlink(t, n);
    sls__index_remove(&t->index, n->hash, n->ref);
    t->open--;
    t->bytes -= n->size;
    if (!n->tomb)
        report(t, (entry *)n, at, evicted);
    node_release(t, n);
}

/* Reports a settled transaction and keeps only its key and verdicts until
 * the linger ends. Without memory for the tombstone it is simply retired:
 * a later retransmission would then open an orphan transaction. */
static void settle(sls_txn_table *t, node *n)
{
    entry *e = (entry *)n;
    size_t tsize = CHARGE_TOMB + (size_t)n->key_len;
    uint32_t ref = sls__pool_alloc(&t->tombs);
    char *ext = NULL;
    if (ref != 0 && n->key_len > TOMB_KEY) {
        if ((ext = malloc(n->key_len)) == NULL) {
            sls__pool_free(&t->tombs, ref);
            ref = 0;
        } else {
            t->nexts++;
        }
    }
    list_unlink(t, n);
    t->bytes -= n->size;
    report(t, e, t->clock, false);
    if (ref != 0) {
        tomb *tb = sls__pool_ptr(&t->tombs, ref);
        tb->n = *n;
        tb->n.tomb = 1;
        tb->n.size = (uint32_t)tsize;
        tb->n.ref = ref | TOMB_REF;
        tb->n.ext = ext;
        t->bytes += tsize;
        memcpy(ext != NULL ? ext : tb->key, node_key(n), n->key_len);
        /* Same key, same hash: the tombstone takes the entry's cell. */
        t->index.cells[sls__index_find_ref(&t->index, n->hash, n->ref)].ref = tb->n.ref;
        /* The settle deadline was (clock at the final) + settle_ns. */
        list_append(t, &tb->n, L_TOMB,
                    sls__sat_add(n->age.deadline - t->cfg.settle_ns, t->cfg.linger_ns));
    } else {
        sls__index_remove(&t->index, n->hash, n->ref);
        t->open--;
    }
    node_release(t, n);
}

/* Starts loading what retiring n reads: its node, and (for an entry) the
 * fields of t that report() and the summary read, in the next 3 lines. */
static inline void prefetch_entry(const node *n)
{
    const char *p = (const char *)n;
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + 128);
    __builtin_prefetch(p + 192);
}

/* Once n's first lines are in (prefetch_entry), starts loading the rest
 * of what retiring it reads: an entry's later fields (report() and the
 * summary) and its key, which settle() copies into a tombstone. */
static inline void prefetch_rest(const node *n)
{
    const char *k = node_key(n);
    __builtin_prefetch(k);
    __builtin_prefetch(k + 64);
    if (!n->tomb) {
        const char *p = (const char *)n;
        for (size_t off = 256; off < offsetof(entry, data); off += 64)
            __builtin_prefetch(p + off);
    }
}

/* The node that is due first, or NULL. */
static node *earliest(const sls_txn_table *t)
{
    return node_of(sls__age_earliest_of(t->lists, L_COUNT));
}

void sls_txn_table_advance(sls_txn_table *t, int64_t now_ns)
{
    if (now_ns > t->clock)
        t->clock = now_ns;
    /* next_check is a lower bound of every deadline in the lists (kept by
     * list_append and recomputed below): nothing is due before it. */
    if (t->clock < t->ages.next_check)
        return;
    node *e;
    while ((e = earliest(t)) != NULL && e->age.deadline <= t->clock) {
        /* Entries retired together were appended together: the next ones
         * in e's list are likely due next, and cold. Two deep: the one
         * after next is fetched, and the index cell of the next (fetched
         * on the turn before), which retiring it searches. */
        node *next = node_of(e->age.next);
        if (next != NULL) {
            sls__index_prefetch(&t->index, next->hash);
            prefetch_rest(next);
            if (next->age.next != NULL)
                prefetch_entry(node_of(next->age.next));
        }
        if (e->age.list == L_SETTLE)
            settle(t, e);
        else
            retire(t, e, e->age.deadline, false);
    }
    sls__age_rearm(&t->ages, t->clock, t->cfg.settle_ns);
}

/* The transaction due first, or NULL: earliest() on the lists of full
 * entries only (same order among them). */
static entry *earliest_entry(const sls_txn_table *t)
{
    return (entry *)node_of(sls__age_earliest_of(t->lists, L_SETTLE + 1));
}

void sls_txn_table_flush(sls_txn_table *t, int64_t end_ns)
{
    if (end_ns < t->clock)
        end_ns = t->clock;
    /* Transactions are reported in the order they are due, as retire()
     * one by one would; the index is emptied at once after them. */
    entry *e;
    while ((e = earliest_entry(t)) != NULL) {
        list_unlink(t, &e->n);
        t->open--;
        t->bytes -= e->n.size;
        report(t, e, e->n.age.deadline < end_ns ? e->n.age.deadline : end_ns, false);
        node_release(t, &e->n);
    }
    /* What is left holds keys only and is never reported: it goes at once,
     * without touching each tombstone unless one has a malloc'd key. */
    for (int i = L_TOMB; i < L_COUNT; i++) {
        if (t->nexts > 0)
            for (sls__age_link *l = t->lists[i].head; l != NULL; l = l->next)
                free(node_of(l)->ext);
        t->lists[i].head = t->lists[i].tail = NULL;
    }
    t->nexts = 0;
    sls__pool_reset(&t->tombs);
    sls__index_clear(&t->index);
    t->open = 0;
    t->bytes = 0;
}

void sls_txn_table_free(sls_txn_table *t)
{
    if (t == NULL)
        return;
    /* Only the malloc'd parts need freeing one by one; the slots go with
     * their pools. */
    for (int i = 0; i < L_COUNT; i++)
        for (sls__age_link *l = t->lists[i].head; l != NULL; l = l->next) {
            node *n = node_of(l);
            free(n->ext);
            if (!n->tomb)
                free(to_tag_ext((entry *)n));
        }
    sls__pool_cleanup(&t->entries);
    sls__pool_cleanup(&t->tombs);
    sls__index_cleanup(&t->index);
    free(t);
}

size_t sls_txn_table_open(const sls_txn_table *t)
{
    return t->open;
}

size_t sls_txn_table_peak(const sls_txn_table *t)
{
    return t->peak;
}

static char *put_str(char **cursor, sls_str s)
{
    char *dst = *cursor;
    sls__copy(dst, s.p, s.n);
    dst[s.n] = '\0';
    *cursor += s.n + 1;
    return dst;
}

static void copy_reason(sls_txn *x, sls_str r)
{
    size_t n = r.n < SLS_TXN_MAX_REASON - 1 ? r.n : SLS_TXN_MAX_REASON - 1;
    sls__copy(x->final_reason, r.p, n);
    x->final_reason[n] = '\0';
}

/* Makes room for one more node of `need` bytes: above a ceiling, the nodes
 * due first are retired early and counted. */
static void make_room(sls_txn_table *t, size_t need)
{
    node *victim;
    while ((t->open >= t->cfg.max_open || t->bytes + need > t->cfg.max_bytes) &&
           (victim = earliest(t)) != NULL) {
        sls_count(t->counters, SLS_CTR_TXN_EVICTED);
        retire(t, victim, t->clock, true);
    }
}

/* Indexes a new node; SLS_ENOMEM when the index cannot take it. */
static int index_node(sls_txn_table *t, node *n)
{
    if (sls__index_insert(&t->index, n->hash, n->ref) < 0)
        return SLS_ENOMEM;
    t->bytes += n->size;
    if (++t->open > t->peak)
        t->peak = t->open;
    return 0;
}

/* create() zeroes sls_txn but for final_reason, nprov and prov: they must
 * follow one another (padding aside) between the two spans it clears. */
#define FOLLOWS(field, next)                                                    \
    (offsetof(sls_txn, next) >= offsetof(sls_txn, field) + sizeof(((sls_txn *)0)->field) && \
     offsetof(sls_txn, next) < offsetof(sls_txn, field) + sizeof(((sls_txn *)0)->field) + 8)
_Static_assert(FOLLOWS(final_reason, nprov) && FOLLOWS(nprov, prov) &&
                   FOLLOWS(prov, request_retrans),
               "sls_txn's layout as create() zeroes it");
#undef FOLLOWS

static entry *create(sls_txn_table *t, const sls_sipmsg *m,
                     const sls_packet *pkt, const key *k)
{
    sls_str uri = m->is_request ? m->request_uri : (sls_str){empty, 0};
    bool own_name = m->method == SLS_METHOD_OTHER;
    size_t strings = k->len + m->call_id.n + 1 + m->branch.n + 1 + m->from_tag.n + 1 +
                     uri.n + 1 + (own_name ? m->method_name.n + 1 : 0);
    size_t size = CHARGE_ENTRY + strings;
    make_room(t, size);
    uint32_t ref = sls__pool_alloc(&t->entries);
    if (ref == 0)
        return NULL;
    entry *e = sls__pool_ptr(&t->entries, ref);
    /* What calloc did, but only where it is read: every field starts at
     * zero, except the reason and the provisionals past nprov, which are
     * never read before they are written (about 190 of 590 bytes; the
     * strings and the To tag buffer too are written before they are read). */
    memset(&e->n, 0, sizeof(e->n));
    memset(&e->t, 0, offsetof(sls_txn, final_reason));
    e->t.final_reason[0] = '\0';
    e->t.nprov = 0;
    memset(&e->t.request_retrans, 0, sizeof(sls_txn) - offsetof(sls_txn, request_retrans));
    e->last_prov_ts = 0;
    e->to_tag_len = 0;
    char *cur = e->data;
    if (strings > ENTRY_INLINE) {
        if ((cur = e->n.ext = malloc(strings)) == NULL) {
            sls__pool_free(&t->entries, ref);
            return NULL;
        }
        t->nexts++;
    }
    e->n.ref = ref;
    e->n.size = (uint32_t)size;
    e->n.key_len = (uint32_t)k->len;
    e->n.hash = k->hash;
    char *at[KEY_PIECES];
    key_write(cur, k, at);
    cur += k->len;
    sls_txn *x = &e->t;
    x->method = m->is_request ? m->method : m->cseq_method;
    /* The key holds some of the strings already (NUL-terminated): the
     * branch and, as it is never an ACK, the method token; an RFC 2543 key
     * also the Call-ID and From tag. */
    if (k->kind == '3') {
        x->branch = at[0];
        x->call_id = put_str(&cur, m->call_id);
        x->from_tag = put_str(&cur, m->from_tag);
    } else {
        x->call_id = at[0];
        x->from_tag = at[3];
        x->branch = at[5];
    }
    x->request_uri = put_str(&cur, uri);
    x->method_name = own_name ? at[METHOD_PIECE] : sls_method_name(x->method);
    x->to_tag = empty;
    x->cseq = m->cseq;
    x->transport = pkt->transport;
    x->first_ts_ns = pkt->ts_ns;
    if (m->is_request) {
        x->client = pkt->src;
        x->client_port = pkt->sport;
        x->server = pkt->dst;
        x->server_port = pkt->dport;
    } else {
        x->client = pkt->dst;
        x->client_port = pkt->dport;
        x->server = pkt->src;
        x->server_port = pkt->sport;
    }
    if (index_node(t, &e->n) < 0) {
        node_release(t, &e->n);
        return NULL;
    }
    list_append(t, &e->n, L_WAIT, sls__sat_add(sls__sat_add(t->clock, t->cfg.timer_b_ns), t->cfg.linger_ns));
    return e;
}

/* An ACK that belongs to no INVITE transaction: only its key is kept, to
 * recognise its repeats. */
static int create_ack(sls_txn_table *t, const key *k)
{
    size_t size = CHARGE_TOMB + k->len;
    make_room(t, size);
    uint32_t ref = sls__pool_alloc(&t->tombs);
    if (ref == 0)
        return SLS_ENOMEM;
    tomb *tb = sls__pool_ptr(&t->tombs, ref);
    memset(&tb->n, 0, sizeof(tb->n));
    tb->n.tomb = 1;
    tb->n.ref = ref | TOMB_REF;
    if (k->len > TOMB_KEY) {
        if ((tb->n.ext = malloc(k->len)) == NULL) {
            node_release(t, &tb->n);
            return SLS_ENOMEM;
        }
        t->nexts++;
    }
    tb->n.size = (uint32_t)size;
    key_write(tb->n.ext != NULL ? tb->n.ext : tb->key, k, NULL);
    tb->n.key_len = (uint32_t)k->len;
    tb->n.hash = k->hash;
    if (index_node(t, &tb->n) < 0) {
        node_release(t, &tb->n);
        return SLS_ENOMEM;
    }
    list_append(t, &tb->n, L_ACK, sls__sat_add(t->clock, t->cfg.linger_ns));
    return 0;
}

/* The To tag of the final (or last provisional) response. */
static void set_to_tag(entry *e, sls_str tag)
{
    if (tag.n == 0 || (e->to_tag_len == tag.n && sls__mem_eq(e->t.to_tag, tag.p, tag.n)))
        return;
    char *dst = e->to_tag_buf;
    if (tag.n >= TO_TAG_INLINE && (dst = malloc(tag.n + 1)) == NULL)
        return; /* the tag is informative; the transaction stays correct */
    sls__copy(dst, tag.p, tag.n);
    dst[tag.n] = '\0';
    free(to_tag_ext(e));
    e->to_tag_len = (uint32_t)tag.n;
    e->t.to_tag = dst;
}

static int on_request(sls_txn_table *t, entry *e, const sls_packet *pkt)
{
    sls_txn *x = &e->t;
    if (x->request_seen) {
        x->request_retrans++;
        return SLS_TXN_EV_REQUEST_RETRANS;
    }
    /* First copy, or the request of a transaction first seen through its
     * responses (capture order). */
    x->request_seen = 1;
    x->request_ts_ns = pkt->ts_ns;
    x->request_frame = pkt->frame_no;
    if (!x->has_final && x->nprov == 0)
        list_move(t, &e->n, L_WAIT, sls__sat_add(sls__sat_add(t->clock, t->cfg.timer_b_ns), t->cfg.linger_ns));
    return SLS_TXN_EV_REQUEST;
}

static int on_ack(entry *e, const sls_packet *pkt)
{
    sls_txn *x = &e->t;
    if (x->ack_seen) {
        x->ack_retrans++;
        return SLS_TXN_EV_ACK_RETRANS;
    }
    x->ack_seen = 1;
    e->n.ack_seen = 1;
    x->ack_ts_ns = pkt->ts_ns;
    return SLS_TXN_EV_ACK;
}

static int on_response(sls_txn_table *t, entry *e, const sls_sipmsg *m,
                       const sls_packet *pkt)
{
    sls_txn *x = &e->t;
    uint32_t to_hash = m->to_tag.n ? hash32(m->to_tag.p, m->to_tag.n) : 0;
    if (m->status < 200) {
        for (unsigned i = 0; i < x->nprov; i++)
            if (x->prov[i].code == m->status && x->prov[i].to_tag_hash == to_hash) {
                x->response_retrans++;
                return SLS_TXN_EV_RESPONSE_RETRANS;
            }
        if (x->nprov < SLS_TXN_MAX_PROVISIONAL) {
            x->prov[x->nprov].code = m->status;
            x->prov[x->nprov].ts_ns = pkt->ts_ns;
            x->prov[x->nprov].to_tag_hash = to_hash;
            x->nprov++;
        }
        if (x->first_prov_ts_ns == 0)
            x->first_prov_ts_ns = pkt->ts_ns;
        e->last_prov_ts = pkt->ts_ns;
        if (!x->has_final) {
            set_to_tag(e, m->to_tag);
            /* RFC 3261 17.1.1.2: a provisional moves an INVITE client
             * transaction to Proceeding, where Timer B no longer runs. */
            if (x->method == SLS_METHOD_INVITE)
                list_move(t, &e->n, L_PROCEEDING, sls__sat_add(t->clock, t->cfg.timer_c_ns));
        }
        return SLS_TXN_EV_PROVISIONAL;
    }
    if (x->has_final) {
        if (m->status == x->final_code && to_hash == e->n.final_to_hash) {
            x->response_retrans++;
            return SLS_TXN_EV_RESPONSE_RETRANS;
        }
        x->extra_finals++;
        sls_count(t->counters, SLS_CTR_TXN_EXTRA_FINAL);
        return SLS_TXN_EV_EXTRA_FINAL;
    }
    x->has_final = 1;
    x->final_code = m->status;
    x->final_ts_ns = pkt->ts_ns;
    e->n.has_final = 1;
    e->n.final_code = (uint16_t)m->status;
    e->n.final_to_hash = to_hash;
    copy_reason(x, m->reason);
    set_to_tag(e, m->to_tag);
    list_move(t, &e->n, L_SETTLE, sls__sat_add(t->clock, t->cfg.settle_ns));
    return SLS_TXN_EV_FINAL;
}

/* A message of a transaction already reported: only its verdicts are left
 * (the summary still counts what it was). */
static int on_tomb(sls_txn_table *t, node *n, const sls_sipmsg *m)
{
    if (m->is_request) {
        if (m->method != SLS_METHOD_ACK)
            return SLS_TXN_EV_REQUEST_RETRANS;
        if (n->ack_seen)
            return SLS_TXN_EV_ACK_RETRANS;
        n->ack_seen = 1;
        return SLS_TXN_EV_ACK;
    }
    uint32_t to_hash = m->to_tag.n ? hash32(m->to_tag.p, m->to_tag.n) : 0;
    if (m->status < 200 || (m->status == n->final_code && to_hash == n->final_to_hash))
        return SLS_TXN_EV_RESPONSE_RETRANS;
    sls_count(t->counters, SLS_CTR_TXN_EXTRA_FINAL);
    return SLS_TXN_EV_EXTRA_FINAL;
}

int sls_txn_branch_hash(const char *branch, size_t n, uint32_t *h)
{
    if (n > 7 && memcmp(branch, "z9hG4bK", 7) == 0) { /* as key_of() */
        *h = (uint32_t)sls__index_hash(branch, n, '3');
        return 1;
    }
    return 0;
}

void sls_txn_table_prefetch_hash(const sls_txn_table *t, uint32_t h)
{
    __builtin_prefetch(&t->index.cells[h & t->index.mask]);
}

int sls_txn_table_message(sls_txn_table *t, const sls_sipmsg *m,
                          const sls_packet *pkt, const sls_txn **txn_out)
{
    if (txn_out != NULL)
        *txn_out = NULL;
    sls_txn_table_advance(t, pkt->ts_ns);

    key k;
    key_of(&k, m);
    node *n = lookup(t, &k);
    bool is_ack = m->is_request && m->method == SLS_METHOD_ACK;

    if (is_ack && n == NULL) {
        /* Not part of an INVITE transaction: the ACK of a 2xx has a branch
         * of its own (RFC 3261 13.2.2.4). Keep it only to see repeats. */
        key_set_method(&k, key_method(m, true));
        if (lookup(t, &k) != NULL)
            return SLS_TXN_EV_ACK_RETRANS;
        int rc = create_ack(t, &k);
        return rc < 0 ? rc : SLS_TXN_EV_ACK_2XX;
    }
    if (n != NULL && n->tomb)
        return on_tomb(t, n, m);

    entry *e = (entry *)n;
    if (e == NULL) {
        if (!m->is_request && m->cseq_method == SLS_METHOD_ACK)
            return SLS_TXN_EV_EXTRA_FINAL; /* a response to ACK: never valid */
        e = create(t, m, pkt, &k);
        if (e == NULL)
            return SLS_ENOMEM;
    }
    int ev;
    if (is_ack)
        ev = on_ack(e, pkt);
    else if (m->is_request)
        ev = on_request(t, e, pkt);
    else
        ev = on_response(t, e, m, pkt);
    if (txn_out != NULL)
        *txn_out = &e->t;
    return ev;
}
