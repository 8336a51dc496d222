/* Transaction table: hash index on the RFC 3261 17 matching key, and three
 * age lists ordered by capture time so that retiring is O(1) per
 * transaction. See include/sipsleuth/txn.h for the rules. */
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

/* What every indexed key has: hash chain, age list, and the verdicts a
 * tombstone still needs to classify late messages. */
typedef struct node {
    struct node *hnext;      /* hash chain */
    sls__age_link age;
    uint64_t hash;
    uint32_t key_len;
    uint8_t tomb;            /* 1: reported or ACK-only; key follows */
    uint8_t has_final;
    uint8_t ack_seen;
    uint16_t final_code;
    uint32_t final_to_hash;
    uint32_t size;           /* bytes allocated for this node */
} node;

typedef struct tomb {
    node n;
    char key[];
} tomb;

typedef struct entry {
    node n;
    sls_txn t;
    int64_t last_prov_ts;
    char *to_tag;  /* malloc'd, NULL until a response has one */
    char data[];   /* key, then the strings of t */
} entry;

struct sls_txn_table {
    sls_txn_config cfg;
    sls_counters *counters;
    sls_txn_done_fn done;
    void *user;
    node **buckets;
    size_t nbuckets; /* power of two */
    size_t open, peak;
    size_t bytes;  /* allocated for entries and tombstones */
    sls__age_list lists[L_COUNT];
    sls__ages ages;
    int64_t clock; /* latest capture time seen */
    char *key;     /* scratch for building keys */
    size_t key_cap;
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

static uint64_t hash_bytes(const char *p, size_t n)
{
    return sls__hash_bytes(p, n, 0);
}

static uint32_t hash32(const char *p, size_t n)
{
    return (uint32_t)hash_bytes(p, n);
}

static const char *node_key(const node *n)
{
    return n->tomb ? ((const tomb *)n)->key : ((const entry *)n)->data;
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
    t->nbuckets = 1024;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    t->ages.lists = t->lists;
    t->ages.nlists = L_COUNT;
    t->key_cap = 4096;
    t->key = malloc(t->key_cap);
    if (t->buckets == NULL || t->key == NULL) {
        sls_txn_table_free(t);
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

static void hash_unlink(sls_txn_table *t, node *e)
{
    node **pp = &t->buckets[e->hash & (t->nbuckets - 1)];
    while (*pp != NULL && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp == e)
        *pp = e->hnext;
}

static void hash_insert(sls_txn_table *t, node *e)
{
    size_t b = e->hash & (t->nbuckets - 1);
    e->hnext = t->buckets[b];
    t->buckets[b] = e;
}

static void hash_grow(sls_txn_table *t)
{
    size_t n = t->nbuckets * 2;
    node **b = calloc(n, sizeof(*b));
    if (b == NULL)
        return; /* keep the old table: longer chains, still correct */
    for (size_t i = 0; i < t->nbuckets; i++) {
        node *e = t->buckets[i];
        while (e != NULL) {
            node *next = e->hnext;
            size_t j = e->hash & (n - 1);
            e->hnext = b[j];
            b[j] = e;
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static node *lookup(const sls_txn_table *t, uint64_t h, const char *key,
                    size_t len)
{
    for (node *e = t->buckets[h & (t->nbuckets - 1)]; e != NULL; e = e->hnext)
        if (e->hash == h && e->key_len == len && memcmp(node_key(e), key, len) == 0)
            return e;
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
    hash_unlink(t, n);
    t->open--;
    t->bytes -= n->size;
    if (!n->tomb) {
        entry *e = (entry *)n;
        report(t, e, at, evicted);
        free(e->to_tag);
    }
    free(n);
}

/* Reports a settled transaction and keeps only its key and verdicts until
 * the linger ends. Without memory for the tombstone it is simply retired:
 * a later retransmission would then open an orphan transaction. */
static void settle(sls_txn_table *t, node *n)
{
    entry *e = (entry *)n;
    size_t tsize = sizeof(tomb) + n->key_len;
    tomb *tb = malloc(tsize);
    list_unlink(t, n);
    hash_unlink(t, n);
    t->bytes -= n->size;
    report(t, e, t->clock, false);
    if (tb != NULL) {
        tb->n = *n;
        tb->n.tomb = 1;
        tb->n.size = (uint32_t)tsize;
        t->bytes += tsize;
        memcpy(tb->key, e->data, n->key_len);
        hash_insert(t, &tb->n);
        /* The settle deadline was (clock at the final) + settle_ns. */
        list_append(t, &tb->n, L_TOMB,
                    sls__sat_add(n->age.deadline - t->cfg.settle_ns, t->cfg.linger_ns));
    } else {
        t->open--;
    }
    free(e->to_tag);
    free(e);
}

/* The node that is due first, or NULL. */
static node *earliest(const sls_txn_table *t)
{
    return node_of(sls__age_earliest(&t->ages));
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
        if (e->age.list == L_SETTLE)
            settle(t, e);
        else
            retire(t, e, e->age.deadline, false);
    }
    sls__age_rearm(&t->ages, t->clock, t->cfg.settle_ns);
}

void sls_txn_table_flush(sls_txn_table *t, int64_t end_ns)
{
    if (end_ns < t->clock)
        end_ns = t->clock;
    node *e;
    while ((e = earliest(t)) != NULL)
        retire(t, e, e->age.deadline < end_ns ? e->age.deadline : end_ns, false);
}

void sls_txn_table_free(sls_txn_table *t)
{
    if (t == NULL)
        return;
    t->done = NULL;
    node *e;
    while ((e = earliest(t)) != NULL)
        retire(t, e, t->clock, false);
    free(t->buckets);
    free(t->key);
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

/* Appends len bytes and a NUL to the key scratch at *pos. */
static int key_put(sls_txn_table *t, size_t *pos, const char *p, size_t len)
{
    size_t need = *pos + len + 1;
    if (need > t->key_cap) {
        size_t cap = t->key_cap;
        while (cap < need)
            cap *= 2;
        char *k = realloc(t->key, cap);
        if (k == NULL)
            return SLS_ENOMEM;
        t->key = k;
        t->key_cap = cap;
    }
    memcpy(t->key + *pos, p, len);
    t->key[*pos + len] = '\0';
    *pos += len + 1;
    return 0;
}

static int key_put_str(sls_txn_table *t, size_t *pos, sls_str s)
{
    return key_put(t, pos, s.p, s.n);
}

/* Method as it takes part in the key: ACK is matched as INVITE. */
static sls_str key_method(const sls_sipmsg *m, bool as_ack_entry)
{
    if (m->is_request && m->method == SLS_METHOD_ACK && !as_ack_entry)
        return (sls_str){"INVITE", 6};
    return m->method_name;
}

/* Builds the matching key of m into t->key; returns its length or < 0. */
static long build_key(sls_txn_table *t, const sls_sipmsg *m, bool as_ack_entry)
{
    size_t pos = 0;
    int rc;
    /* RFC 3261 17.2.3: the magic cookie says the branch is unique. */
    if (m->branch.n > 7 && memcmp(m->branch.p, "z9hG4bK", 7) == 0) {
        if ((rc = key_put(t, &pos, "3", 1)) < 0 ||
            (rc = key_put_str(t, &pos, m->branch)) < 0 ||
            (rc = key_put_str(t, &pos, m->via_sent_by)) < 0 ||
            (rc = key_put_str(t, &pos, key_method(m, as_ack_entry))) < 0)
            return rc;
        return (long)pos;
    }
    /* RFC 3261 17.2.3 backward compatibility with RFC 2543: Call-ID, CSeq,
     * From tag and the top Via identify the transaction. */
    char num[16];
    size_t n = 0;
    uint32_t v = m->cseq;
    char rev[16];
    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        num[i] = rev[n - 1 - i];
    if ((rc = key_put(t, &pos, "2", 1)) < 0 ||
        (rc = key_put_str(t, &pos, m->call_id)) < 0 ||
        (rc = key_put(t, &pos, num, n)) < 0 ||
        (rc = key_put_str(t, &pos, key_method(m, as_ack_entry))) < 0 ||
        (rc = key_put_str(t, &pos, m->from_tag)) < 0 ||
        (rc = key_put_str(t, &pos, m->via_sent_by)) < 0 ||
        (rc = key_put_str(t, &pos, m->branch)) < 0)
        return rc;
    return (long)pos;
}

static char *put_str(char **cursor, sls_str s)
{
    char *dst = *cursor;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    *cursor += s.n + 1;
    return dst;
}

static void copy_reason(sls_txn *x, sls_str r)
{
    size_t n = r.n < SLS_TXN_MAX_REASON - 1 ? r.n : SLS_TXN_MAX_REASON - 1;
    memcpy(x->final_reason, r.p, n);
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

static void index_node(sls_txn_table *t, node *n)
{
    t->bytes += n->size;
    hash_insert(t, n);
    if (++t->open > t->peak)
        t->peak = t->open;
    if (t->open > t->nbuckets)
        hash_grow(t);
}

static entry *create(sls_txn_table *t, const sls_sipmsg *m,
                     const sls_packet *pkt, size_t key_len, uint64_t h)
{
    sls_str uri = m->is_request ? m->request_uri : (sls_str){empty, 0};
    bool own_name = m->method == SLS_METHOD_OTHER;
    size_t size = sizeof(entry) + key_len + m->call_id.n + 1 + m->branch.n + 1 +
                  m->from_tag.n + 1 + uri.n + 1 +
                  (own_name ? m->method_name.n + 1 : 0);
    make_room(t, size);
    entry *e = calloc(1, size);
    if (e == NULL)
        return NULL;
    e->n.size = (uint32_t)size;
    memcpy(e->data, t->key, key_len);
    e->n.key_len = (uint32_t)key_len;
    e->n.hash = h;
    char *cur = e->data + key_len;
    sls_txn *x = &e->t;
    x->method = m->is_request ? m->method : m->cseq_method;
    x->call_id = put_str(&cur, m->call_id);
    x->branch = put_str(&cur, m->branch);
    x->from_tag = put_str(&cur, m->from_tag);
    x->request_uri = put_str(&cur, uri);
    x->method_name = own_name ? put_str(&cur, m->method_name)
                              : sls_method_name(x->method);
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
    index_node(t, &e->n);
    list_append(t, &e->n, L_WAIT, sls__sat_add(sls__sat_add(t->clock, t->cfg.timer_b_ns), t->cfg.linger_ns));
    return e;
}

/* An ACK that belongs to no INVITE transaction: only its key is kept, to
 * recognise its repeats. */
static int create_ack(sls_txn_table *t, size_t key_len, uint64_t h)
{
    size_t size = sizeof(tomb) + key_len;
    make_room(t, size);
    tomb *tb = calloc(1, size);
    if (tb == NULL)
        return SLS_ENOMEM;
    tb->n.size = (uint32_t)size;
    memcpy(tb->key, t->key, key_len);
    tb->n.key_len = (uint32_t)key_len;
    tb->n.hash = h;
    tb->n.tomb = 1;
    index_node(t, &tb->n);
    list_append(t, &tb->n, L_ACK, sls__sat_add(t->clock, t->cfg.linger_ns));
    return 0;
}

static void set_to_tag(entry *e, sls_str tag)
{
    if (tag.n == 0 || (e->to_tag != NULL && strlen(e->to_tag) == tag.n &&
                       memcmp(e->to_tag, tag.p, tag.n) == 0))
        return;
    char *copy = malloc(tag.n + 1);
    if (copy == NULL)
        return; /* the tag is informative; the transaction stays correct */
    memcpy(copy, tag.p, tag.n);
    copy[tag.n] = '\0';
    free(e->to_tag);
    e->to_tag = copy;
    e->t.to_tag = copy;
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

int sls_txn_table_message(sls_txn_table *t, const sls_sipmsg *m,
                          const sls_packet *pkt, const sls_txn **txn_out)
{
    if (txn_out != NULL)
        *txn_out = NULL;
    sls_txn_table_advance(t, pkt->ts_ns);

    long klen = build_key(t, m, false);
    if (klen < 0)
        return (int)klen;
    uint64_t h = hash_bytes(t->key, (size_t)klen);
    node *n = lookup(t, h, t->key, (size_t)klen);
    bool is_ack = m->is_request && m->method == SLS_METHOD_ACK;

    if (is_ack && n == NULL) {
        /* Not part of an INVITE transaction: the ACK of a 2xx has a branch
         * of its own (RFC 3261 13.2.2.4). Keep it only to see repeats. */
        klen = build_key(t, m, true);
        if (klen < 0)
            return (int)klen;
        h = hash_bytes(t->key, (size_t)klen);
        if (lookup(t, h, t->key, (size_t)klen) != NULL)
            return SLS_TXN_EV_ACK_RETRANS;
        int rc = create_ack(t, (size_t)klen, h);
        return rc < 0 ? rc : SLS_TXN_EV_ACK_2XX;
    }
    if (n != NULL && n->tomb)
        return on_tomb(t, n, m);

    entry *e = (entry *)n;
    if (e == NULL) {
        if (!m->is_request && m->cseq_method == SLS_METHOD_ACK)
            return SLS_TXN_EV_EXTRA_FINAL; /* a response to ACK: never valid */
        e = create(t, m, pkt, (size_t)klen, h);
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
