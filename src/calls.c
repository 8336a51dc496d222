/* Call table: one entry per Call-ID that started with an initial INVITE,
 * aged by capture time and stored (slot pool, hash index) like the
 * transaction table. See calls.h. */
#include "sipsleuth/calls.h"

#include "sipsleuth/error.h"
#include "sipsleuth/explain.h"
#include "agelist.h"
#include "util.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[SLS_OUTCOME_COUNT] = {
#define SLS__OUTCOME_NAME(id, name) [SLS_OUTCOME_##id] = name,
    SLS_OUTCOME_MAP(SLS__OUTCOME_NAME)
#undef SLS__OUTCOME_NAME
};

const char *sls_outcome_name(enum sls_outcome o)
{
    return (unsigned)o < SLS_OUTCOME_COUNT ? outcome_names[o] : "?";
}

int sls_outcome_from_name(const char *name)
{
    for (int i = 0; i < SLS_OUTCOME_COUNT; i++)
        if (strcmp(outcome_names[i], name) == 0)
            return i;
    return -1;
}

int sls_outcome_is_failure(enum sls_outcome o)
{
    switch (o) {
    case SLS_OUTCOME_ANSWERED:
    case SLS_OUTCOME_BUSY:
    case SLS_OUTCOME_CANCELLED:
    case SLS_OUTCOME_REDIRECTED:
    case SLS_OUTCOME_IN_PROGRESS:
        return 0;
    default:
        return 1;
    }
}

void sls_call_config_default(sls_call_config *cfg)
{
    cfg->timer_b_ns = 32 * SLS_NS_PER_S;
    cfg->timer_c_ns = 180 * SLS_NS_PER_S;
    cfg->linger_ns = 32 * SLS_NS_PER_S;
    cfg->settle_ns = 4 * SLS_NS_PER_S;
    cfg->idle_ns = 4 * 3600 * SLS_NS_PER_S;
    cfg->max_open = 200000;
    cfg->max_bytes = (size_t)28 << 20;
}

/* Age lists, each sorted by deadline because deadlines are the table clock
 * plus a per-list constant (same scheme as txn.c). */
enum age_list { L_WAIT, L_PROCEEDING, L_SETTLED, L_SHORT, L_ANSWERED, L_COUNT };

#define MAX_TO_TAGS 8

typedef struct centry {
    sls_call c;
    sls__age_link age;
    char *ext;          /* malloc'd Call-ID when longer than the slot holds */
    uint32_t hash;      /* index hash of the Call-ID */
    uint32_t ref;       /* own slot */
    size_t call_id_len;
    /* Current initial INVITE attempt. */
    uint32_t cur_cseq;
    int64_t cur_invite_ts;
    int64_t last_prov_ts;
    int64_t answer_ts;
    uint8_t cur_has_final;
    uint8_t cur_prov;
    uint8_t answered;
    unsigned nto;
    uint32_t to_hash[MAX_TO_TAGS];
    char data[]; /* Call-ID, unless in ext */
} centry;

/* One slot per call: the fixed part and a Call-ID of up to 71 bytes
 * (longer ones go to ext). */
#define CALL_SLOT (offsetof(centry, data) + 72)

/* Bytes charged per call against max_bytes: what the first layout (one
 * malloc of the 1424-byte entry and the Call-ID) allocated, so that the
 * ceiling, and so eviction counts, do not move with the layout. */
#define CHARGE_CALL 1424

struct sls_call_table {
    sls_call_config cfg;
    sls_counters *counters;
    sls_call_done_fn done;
    void *user;
    sls__index index;
    sls__pool pool;
    size_t open, peak;
    sls__age_list lists[L_COUNT];
    sls__ages ages;
    int64_t clock;
    int detail;         /* fill codecs and explanation */
    size_t bytes;       /* charged for open calls */
    char explanation[SLS_CALL_MAX_EXPLANATION];
};

/* To tags are told apart by this hash (note_to_tag). */
static uint64_t hash_bytes(const char *p, size_t n)
{
    return sls__hash_bytes(p, n, 0);
}

sls_call_table *sls_call_table_new(const sls_call_config *cfg,
                                   sls_counters *counters,
                                   sls_call_done_fn done, void *user)
{
    sls_call_table *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    if (cfg != NULL)
        t->cfg = *cfg;
    else
        sls_call_config_default(&t->cfg);
    if (t->cfg.max_open == 0)
        t->cfg.max_open = 1;
    if (t->cfg.max_bytes == 0)
        t->cfg.max_bytes = SIZE_MAX;
    t->counters = counters;
    t->done = done;
    t->user = user;
    t->detail = 1;
    t->ages.lists = t->lists;
    t->ages.nlists = L_COUNT;
    sls__pool_init(&t->pool, CALL_SLOT);
    if (sls__index_init(&t->index, 2048) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

void sls_call_table_detail(sls_call_table *t, int on)
{
    t->detail = on;
}

static centry *entry_of(sls__age_link *l)
{
    return l == NULL ? NULL : (centry *)(void *)((char *)l - offsetof(centry, age));
}

static void list_unlink(sls_call_table *t, centry *e)
{
    sls__age_unlink(&t->ages, &e->age);
}

static void list_append(sls_call_table *t, centry *e, enum age_list which, int64_t deadline)
{
    sls__age_append(&t->ages, &e->age, which, deadline);
}

static void list_move(sls_call_table *t, centry *e, enum age_list which, int64_t deadline)
{
    sls__age_move(&t->ages, &e->age, which, deadline);
}

static centry *earliest(const sls_call_table *t)
{
    return entry_of(sls__age_earliest_of(t->lists, L_COUNT));
}

static enum sls_outcome outcome_of(const sls_call_table *t, const centry *e,
                                   int64_t at)
{
    const sls_call *c = &e->c;
    if (e->answered)
        return SLS_OUTCOME_ANSWERED;
    if (!e->cur_has_final) {
        if (c->cancel_seen)
            return SLS_OUTCOME_CANCELLED;
        bool expired = e->cur_prov ? at - e->last_prov_ts >= t->cfg.timer_c_ns
                                   : at - e->cur_invite_ts >= t->cfg.timer_b_ns;
        return expired ? SLS_OUTCOME_NO_ANSWER : SLS_OUTCOME_IN_PROGRESS;
    }
    unsigned code = c->final_code;
    /* RFC 3261 22.3: a server refuses credentials it does not accept with
     * 403 (or a new challenge). */
    if (code == 403 && c->challenged)
        return SLS_OUTCOME_AUTH_FAILED;
    switch (code) {
    case 401:
    case 407:
        return SLS_OUTCOME_AUTH_FAILED;
    case 487:
        return SLS_OUTCOME_CANCELLED;
    case 486:
    case 600:
        return SLS_OUTCOME_BUSY;
    case 403:
    case 603:
    case 607:
    case 608:
        return SLS_OUTCOME_REJECTED;
    case 404:
    case 604:
    case 410:
    case 484:
        return SLS_OUTCOME_NOT_FOUND;
    case 480:
    case 503:
        return SLS_OUTCOME_UNAVAILABLE;
    case 408:
        return SLS_OUTCOME_NO_ANSWER;
    default:
        break;
    }
    if (code >= 300 && code < 400)
        return SLS_OUTCOME_REDIRECTED;
    return SLS_OUTCOME_FAILED;
}

static void retire(sls_call_table *t, centry *e, int64_t at, bool evicted)
{
    list_unlink(t, e);
    sls__index_remove(&t->index, e->hash, e->ref);
    t->open--;
    t->bytes -= CHARGE_CALL + e->call_id_len + 1;
    if (t->done != NULL) {
        sls_call *c = &e->c;
        c->outcome = outcome_of(t, e, at);
        c->evicted = evicted;
        c->dialogs = e->nto;
        if (c->outcome == SLS_OUTCOME_NO_ANSWER && !e->cur_has_final && e->cur_prov == 0)
            c->prov_before_final = 0;
        t->explanation[0] = '\0';
        if (t->detail)
            sls_call_explain(c, t->explanation, sizeof(t->explanation));
        c->explanation = t->explanation;
        t->done(t->user, c);
    }
    free(e->ext);
    sls__pool_free(&t->pool, e->ref);
}

/* Once e's link is in cache, starts loading the rest of what retiring it
 * reads: the outcome's inputs, the times and addresses the summary counts
 * (from caller to responder_port), and the fields after the link. */
static inline void prefetch_rest(const centry *e)
{
    const char *p = (const char *)e;
    for (size_t off = offsetof(centry, c.caller) & ~(size_t)63;
         off <= offsetof(centry, c.responder_port); off += 64)
        __builtin_prefetch(p + off);
    __builtin_prefetch(p + offsetof(centry, call_id_len));
    __builtin_prefetch(p + offsetof(centry, to_hash));
}

void sls_call_table_advance(sls_call_table *t, int64_t now_ns)
{
    if (now_ns > t->clock)
        t->clock = now_ns;
    if (t->clock < t->ages.next_check)
        return;
    centry *e;
    while ((e = earliest(t)) != NULL && e->age.deadline <= t->clock) {
        /* The next calls in e's list are likely due next, and cold. Two
         * deep: the one after next is fetched (its link and the start of
         * its record), and the index cell of the next (fetched on the turn
         * before), which retiring it searches. */
        if (e->age.next != NULL) {
            const centry *next = entry_of(e->age.next);
            sls__index_prefetch(&t->index, next->hash);
            prefetch_rest(next);
            if (next->age.next != NULL) {
                const char *p = (const char *)next->age.next;
                __builtin_prefetch(p);
                __builtin_prefetch(p - offsetof(centry, age));
                __builtin_prefetch(p - offsetof(centry, age) + 64);
            }
        }
        retire(t, e, e->age.deadline, false);
    }
    sls__age_rearm(&t->ages, t->clock, t->cfg.settle_ns);
}

void sls_call_table_flush(sls_call_table *t, int64_t end_ns)
{
    if (end_ns < t->clock)
        end_ns = t->clock;
    centry *e;
    while ((e = earliest(t)) != NULL)
        retire(t, e, e->age.deadline < end_ns ? e->age.deadline : end_ns, false);
}

void sls_call_table_free(sls_call_table *t)
{
    if (t == NULL)
        return;
    /* Only Call-IDs too long for their slot need freeing one by one; the
     * slots go with the pool. */
    for (int i = 0; i < L_COUNT; i++)
        for (sls__age_link *l = t->lists[i].head; l != NULL; l = l->next)
            free(entry_of(l)->ext);
    sls__pool_cleanup(&t->pool);
    sls__index_cleanup(&t->index);
    free(t);
}

size_t sls_call_table_peak(const sls_call_table *t)
{
    return t->peak;
}

static const char *call_id_of(const centry *e)
{
    return e->ext != NULL ? e->ext : e->data;
}

static inline __attribute__((always_inline)) centry *
lookup(const sls_call_table *t, uint32_t h, sls_str id)
{
    size_t pos = h & t->index.mask;
    uint32_t ref;
    while ((ref = sls__index_next(&t->index, h, &pos)) != 0) {
        centry *e = sls__pool_ptr(&t->pool, ref);
        if (e->call_id_len == id.n && sls__mem_eq(call_id_of(e), id.p, id.n))
            return e;
    }
    return NULL;
}

/* Copies at most cap-1 bytes and a NUL. */
static void copy_text(char *dst, size_t cap, const char *p, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

/* The URI of a From/To value: inside <...> when present (name-addr), else up
 * to the first ';' (addr-spec with header parameters, RFC 3261 20.20). */
static void header_uri(const sls_sipframe *f, enum sls_header_id id, char *dst,
                       size_t cap)
{
    dst[0] = '\0';
    if (f == NULL || f->first[id] < 0)
        return;
    sls_slice v = f->headers[f->first[id]].value;
    const char *lt = memchr(v.p, '<', v.n);
    if (lt != NULL) {
        const char *gt = memchr(lt, '>', v.n - (size_t)(lt - v.p));
        size_t n = gt != NULL ? (size_t)(gt - lt - 1) : v.n - (size_t)(lt - v.p) - 1;
        copy_text(dst, cap, lt + 1, n);
        return;
    }
    const char *semi = memchr(v.p, ';', v.n);
    copy_text(dst, cap, v.p, semi != NULL ? (size_t)(semi - v.p) : v.n);
}

static const sls_slice *header(const sls_sipframe *f, enum sls_header_id id)
{
    if (f == NULL || f->first[id] < 0)
        return NULL;
    return &f->headers[f->first[id]].value;
}

/* Zeroes bytes [from, to) of e. */
#define ZERO_SPAN(e, from, to) \
    memset((char *)(e) + offsetof(centry, from), 0, offsetof(centry, to) - offsetof(centry, from))

/* What calloc did, but only where it is read: every field starts at zero,
 * except the text buffers (768 of about 1 400 bytes), which are C strings
 * never read past their NUL: each starts empty. */
/* The spans below leave out exactly the text buffers: each buffer is
 * followed by the field the next span starts with. */
#define FOLLOWS(buf, next) \
    (offsetof(sls_call, next) == offsetof(sls_call, buf) + sizeof(((sls_call *)0)->buf))
_Static_assert(FOLLOWS(from_uri, to_uri) && FOLLOWS(to_uri, caller) &&
                   FOLLOWS(final_reason, challenged) && FOLLOWS(responder_agent, has_reason) &&
                   FOLLOWS(codecs, prov_before_final),
               "zero_record() skips only the text buffers");
#undef FOLLOWS

static void zero_record(centry *e)
{
    ZERO_SPAN(e, c, c.from_uri);
    e->c.from_uri[0] = e->c.to_uri[0] = '\0';
    ZERO_SPAN(e, c.caller, c.final_reason);
    e->c.final_reason[0] = '\0';
    ZERO_SPAN(e, c.challenged, c.responder_agent);
    e->c.responder_agent[0] = '\0';
    ZERO_SPAN(e, c.has_reason, c.codecs);
    e->c.codecs[0] = '\0';
    ZERO_SPAN(e, c.prov_before_final, data);
}

static centry *create(sls_call_table *t, const sls_sipmsg *m, const sls_packet *pkt,
                      uint32_t h)
{
    size_t size = CHARGE_CALL + m->call_id.n + 1;
    centry *victim;
    while ((t->open >= t->cfg.max_open || t->bytes + size > t->cfg.max_bytes) &&
           (victim = earliest(t)) != NULL) {
        sls_count(t->counters, SLS_CTR_CALL_EVICTED);
        retire(t, victim, t->clock, true);
    }
    uint32_t ref = sls__pool_alloc(&t->pool);
    if (ref == 0)
        return NULL;
    centry *e = sls__pool_ptr(&t->pool, ref);
    zero_record(e);
    char *id = e->data;
    if (m->call_id.n >= CALL_SLOT - offsetof(centry, data) &&
        (id = e->ext = malloc(m->call_id.n + 1)) == NULL) {
        sls__pool_free(&t->pool, ref);
        return NULL;
    }
    if (sls__index_insert(&t->index, h, ref) < 0) {
        free(e->ext);
        sls__pool_free(&t->pool, ref);
        return NULL;
    }
    t->bytes += size;
    memcpy(id, m->call_id.p, m->call_id.n);
    id[m->call_id.n] = '\0';
    e->call_id_len = m->call_id.n;
    e->hash = h;
    e->ref = ref;
    sls_call *c = &e->c;
    c->call_id = id;
    c->caller = pkt->src;
    c->caller_port = pkt->sport;
    c->callee = pkt->dst;
    c->callee_port = pkt->dport;
    c->transport = pkt->transport;
    c->start_ts_ns = pkt->ts_ns;
    c->pdd_ns = c->answer_ns = c->ack_ns = c->duration_ns = -1;
    header_uri(m->frame, SLS_HDR_FROM, c->from_uri, sizeof(c->from_uri));
    header_uri(m->frame, SLS_HDR_TO, c->to_uri, sizeof(c->to_uri));
    if (t->detail && m->frame != NULL && m->frame->body.n > 0)
        sls_sdp_codecs(m->frame->body.p, m->frame->body.n, c->codecs, sizeof(c->codecs));

    if (++t->open > t->peak)
        t->peak = t->open;
    list_append(t, e, L_WAIT, sls__sat_add(sls__sat_add(t->clock, t->cfg.timer_b_ns), t->cfg.linger_ns));
    return e;
}

static void note_to_tag(centry *e, sls_str tag)
{
    if (tag.n == 0)
        return;
    uint32_t h = (uint32_t)hash_bytes(tag.p, tag.n);
    for (unsigned i = 0; i < e->nto; i++)
        if (e->to_hash[i] == h)
            return;
    if (e->nto < MAX_TO_TAGS)
        e->to_hash[e->nto++] = h;
}

/* Keeps what the final response of a failed (or answered) attempt says. */
static void take_final(centry *e, const sls_sipmsg *m, const sls_packet *pkt)
{
    sls_call *c = &e->c;
    c->final_code = m->status;
    copy_text(c->final_reason, sizeof(c->final_reason), m->reason.p, m->reason.n);
    c->responder = pkt->src;
    c->responder_port = pkt->sport;
    sls_str agent = m->server.n > 0 ? m->server : m->user_agent;
    copy_text(c->responder_agent, sizeof(c->responder_agent), agent.p, agent.n);
    const sls_slice *v;
    c->has_reason = (v = header(m->frame, SLS_HDR_REASON)) != NULL &&
                    sls_reason_parse(v->p, v->n, &c->reason) == 0;
    c->has_warning = (v = header(m->frame, SLS_HDR_WARNING)) != NULL &&
                     sls_warning_parse(v->p, v->n, &c->warning) == 0;
    c->has_retry_after = (v = header(m->frame, SLS_HDR_RETRY_AFTER)) != NULL &&
                         sls_retry_after_parse(v->p, v->n, &c->retry_after_s) == 0;
}

static void on_invite_response(sls_call_table *t, centry *e, const sls_sipmsg *m,
                               const sls_packet *pkt, int ev)
{
    sls_call *c = &e->c;
    if (m->cseq != e->cur_cseq || e->answered) {
        /* A late answer to an earlier attempt, or a forked 2xx after the
         * first: a second dialog, not a second call. */
        if (m->status >= 200 && m->status < 300)
            note_to_tag(e, m->to_tag);
        return;
    }
    if (m->status < 200) {
        if (ev != SLS_TXN_EV_PROVISIONAL)
            return;
        if (m->status > 100)
            note_to_tag(e, m->to_tag);
        if (m->status == 180 || m->status == 183) {
            if (m->status == 180)
                c->ringing = 1;
            else
                c->early_media = 1;
            /* Timed from the INVITE of this attempt: after a challenge, the
             * retry with credentials (the time a person takes to type a
             * password is not post-dial delay). */
            if (c->pdd_ns < 0)
                c->pdd_ns = pkt->ts_ns - e->cur_invite_ts;
        }
        if (!e->cur_has_final) {
            c->prov_before_final = m->status;
            e->cur_prov = 1;
            e->last_prov_ts = pkt->ts_ns;
            list_move(t, e, L_PROCEEDING, sls__sat_add(t->clock, t->cfg.timer_c_ns));
        }
        return;
    }
    if (ev != SLS_TXN_EV_FINAL && ev != SLS_TXN_EV_EXTRA_FINAL)
        return;
    if (m->status < 300) {
        note_to_tag(e, m->to_tag);
        e->answered = 1;
        e->cur_has_final = 1;
        e->answer_ts = pkt->ts_ns;
        c->answer_ns = pkt->ts_ns - e->cur_invite_ts;
        take_final(e, m, pkt);
        list_move(t, e, L_ANSWERED, sls__sat_add(t->clock, t->cfg.idle_ns));
        return;
    }
    if (e->cur_has_final)
        return;
    e->cur_has_final = 1;
    take_final(e, m, pkt);
    /* What can still follow decides how long the call is kept: after a
     * challenge a person may take a while to type a password (wait Timer C
     * for the retry); after a redirection the UAC may try the new target
     * with the same Call-ID (RFC 3261 8.1.3.4); after any other failure
     * only retransmissions and the ACK, which the call does not need. */
    if (m->status == 401 || m->status == 407)
        list_move(t, e, L_PROCEEDING, sls__sat_add(t->clock, t->cfg.timer_c_ns));
    else if (m->status < 400)
        list_move(t, e, L_SETTLED, sls__sat_add(t->clock, t->cfg.linger_ns));
    else
        list_move(t, e, L_SHORT, sls__sat_add(t->clock, t->cfg.settle_ns));
}

uint32_t sls_call_table_hash(const char *call_id, size_t n)
{
    return (uint32_t)sls__index_hash(call_id, n, 0); /* as sls_call_table_message */
}

void sls_call_table_prefetch_hash(const sls_call_table *t, uint32_t h)
{
    __builtin_prefetch(&t->index.cells[h & t->index.mask]);
}

int sls_call_table_message(sls_call_table *t, const sls_sipmsg *m,
                           const sls_packet *pkt, int ev, const sls_txn *txn)
{
    (void)txn;
    sls_call_table_advance(t, pkt->ts_ns);
    uint32_t h = sls_call_table_hash(m->call_id.p, m->call_id.n);
    centry *e = lookup(t, h, m->call_id);
    bool initial_invite = m->is_request && m->method == SLS_METHOD_INVITE && m->to_tag.n == 0;

    if (initial_invite && ev == SLS_TXN_EV_REQUEST) {
        if (e == NULL && (e = create(t, m, pkt, h)) == NULL)
            return SLS_ENOMEM;
        if (e->answered)
            return 0; /* an odd second initial INVITE after an answer */
        sls_call *c = &e->c;
        /* RFC 3261 22.2: a retry after 401/407 carries credentials in a new
         * transaction of the same call. */
        if (c->attempts > 0 && (c->final_code == 401 || c->final_code == 407))
            c->challenged = 1;
        c->attempts++;
        e->cur_cseq = m->cseq;
        e->cur_invite_ts = pkt->ts_ns;
        e->cur_has_final = 0;
        e->cur_prov = 0;
        c->end_ts_ns = pkt->ts_ns;
        if (e->age.list != L_WAIT || e->c.attempts > 1)
            list_move(t, e, L_WAIT, sls__sat_add(sls__sat_add(t->clock, t->cfg.timer_b_ns), t->cfg.linger_ns));
        return 0;
    }
    if (e == NULL)
        return 0; /* not part of a call that started in this capture */
    sls_call *c = &e->c;
    c->end_ts_ns = pkt->ts_ns;

    if (m->is_request) {
        switch (m->method) {
        case SLS_METHOD_INVITE:
            if (initial_invite && ev == SLS_TXN_EV_REQUEST_RETRANS)
                c->invite_retrans++;
            break;
        case SLS_METHOD_CANCEL:
            c->cancel_seen = 1;
            break;
        case SLS_METHOD_ACK:
            if (e->answered && c->ack_ns < 0 &&
                (ev == SLS_TXN_EV_ACK_2XX || ev == SLS_TXN_EV_ACK))
                c->ack_ns = pkt->ts_ns - e->answer_ts;
            break;
        case SLS_METHOD_BYE:
            if (ev == SLS_TXN_EV_REQUEST && !c->bye_seen) {
                c->bye_seen = 1;
                if (e->answered)
                    c->duration_ns = pkt->ts_ns - e->answer_ts;
                c->bye_by_caller = memcmp(&pkt->src, &c->caller, sizeof(sls_addr)) == 0 &&
                                   pkt->sport == c->caller_port;
                list_move(t, e, L_SETTLED, sls__sat_add(t->clock, t->cfg.linger_ns));
            }
            break;
        default:
            break;
        }
        return 0;
    }
    if (m->cseq_method == SLS_METHOD_INVITE) {
        on_invite_response(t, e, m, pkt, ev);
    } else if (m->cseq_method == SLS_METHOD_BYE && m->status >= 200 &&
               ev == SLS_TXN_EV_FINAL && c->bye_code == 0) {
        c->bye_code = m->status;
        /* The call is over: keep it only for stragglers. */
        list_move(t, e, L_SHORT, sls__sat_add(t->clock, t->cfg.settle_ns));
    }
    return 0;
}

/* Appends printf-style text to buf at *pos, never past len. */
__attribute__((format(printf, 4, 5))) static void add(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
    if (*pos + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos = (size_t)n < len - *pos ? *pos + (size_t)n : len - 1;
}

static void add_context(const sls_call *c, char *buf, size_t len, size_t *pos)
{
    if (c->has_reason) {
        if (c->reason.protocol == SLS_REASON_Q850 && c->reason.has_cause) {
            sls_q850_info q;
            sls_q850_explain(c->reason.cause, &q);
            add(buf, len, pos, "; Reason: Q.850 cause %u (%s)", c->reason.cause, q.name);
        } else if (c->reason.has_cause) {
            add(buf, len, pos, "; Reason: %s cause %u", c->reason.protocol_name,
                c->reason.cause);
        }
        if (c->reason.text[0] != '\0')
            add(buf, len, pos, " \"%s\"", c->reason.text);
    }
    if (c->has_warning) {
        sls_warn_info w;
        sls_warning_explain(c->warning.code, &w);
        add(buf, len, pos, "; Warning %u (%s)", c->warning.code, w.name);
        if (c->warning.text[0] != '\0')
            add(buf, len, pos, " \"%s\"", c->warning.text);
    }
    if (c->has_retry_after)
        add(buf, len, pos, "; retry after %u s", (unsigned)c->retry_after_s);
    if ((c->final_code == 488 || c->final_code == 606 || c->final_code == 415) &&
        c->codecs[0] != '\0')
        add(buf, len, pos, "; codecs offered: %s", c->codecs);
}

void sls_call_explain(const sls_call *c, char *buf, size_t len)
{
    size_t pos = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    char who[64], agent[SLS_CALL_MAX_TEXT + 4] = "";
    sls_addr_format(&c->responder, who, sizeof(who));
    if (c->responder_agent[0] != '\0')
        snprintf(agent, sizeof(agent), " (%s)", c->responder_agent);

    switch (c->outcome) {
    case SLS_OUTCOME_ANSWERED:
        if (c->challenged)
            add(buf, len, &pos, "Answered after a digest challenge (normal authentication, "
                                "not a failure)");
        if (c->bye_code == 481)
            add(buf, len, &pos, "%sBYE answered 481: the dialog was already gone at the far "
                                "end (timed out or torn down earlier)",
                pos ? "; " : "");
        else if (c->bye_code >= 300)
            add(buf, len, &pos, "%sBYE answered %u", pos ? "; " : "", c->bye_code);
        return;
    case SLS_OUTCOME_IN_PROGRESS:
        add(buf, len, &pos, "The capture ended before the call got a final response");
        return;
    case SLS_OUTCOME_NO_ANSWER:
        if (c->final_code == 0) {
            if (c->prov_before_final == 0 && !c->ringing && !c->early_media) {
                add(buf, len, &pos,
                    "No response at all: the INVITE was sent %u time%s and nothing came "
                    "back, so the destination %s:%u is unreachable, down, or a firewall "
                    "drops SIP",
                    c->invite_retrans + 1, c->invite_retrans ? "s" : "",
                    (sls_addr_format(&c->callee, who, sizeof(who)), who), c->callee_port);
            } else {
                add(buf, len, &pos,
                    "Provisional %u but no final response within Timer C (180 s): the "
                    "callee never answered and nobody ended the attempt",
                    c->prov_before_final);
            }
            return;
        }
        break;
    case SLS_OUTCOME_CANCELLED:
        if (c->final_code == 0) {
            add(buf, len, &pos, "The caller cancelled (CANCEL) before any final response");
            return;
        }
        break;
    default:
        break;
    }

    sls_code_info info;
    sls_explain_code(c->final_code, &info);
    add(buf, len, &pos, "%u %s from %s:%u%s", c->final_code,
        c->final_reason[0] ? c->final_reason : info.reason, who, c->responder_port, agent);
    if (c->final_code >= 500 && c->early_media)
        add(buf, len, &pos, " after 183 Session Progress (failed after early media)");
    else if (c->final_code >= 400 && c->prov_before_final >= 180)
        add(buf, len, &pos, " after %u", c->prov_before_final);
    switch (c->outcome) {
    case SLS_OUTCOME_AUTH_FAILED:
        if (c->challenged && c->final_code == 403)
            add(buf, len, &pos, ": the retry with credentials was refused, so the password "
                                "or user name is wrong or the account is not allowed here");
        else if (c->challenged)
            add(buf, len, &pos, ": the retry with credentials was challenged again, so the "
                                "credentials are wrong or the user is not provisioned for "
                                "this realm");
        else
            add(buf, len, &pos, ": the caller never retried with credentials (none "
                                "configured for this realm, or it gave up)");
        break;
    case SLS_OUTCOME_CANCELLED:
        add(buf, len, &pos, c->cancel_seen ? ": the caller hung up before an answer"
                                           : ": the request was terminated (a CANCEL not "
                                             "in the capture, or a forking proxy)");
        break;
    default: {
        /* The code's summary, minus its trailing period. */
        size_t n = strlen(info.summary);
        if (n > 0 && info.summary[n - 1] == '.')
            n--;
        add(buf, len, &pos, ": %.*s", (int)n, info.summary);
        break;
    }
    }
    if (c->final_code == 483 || c->final_code == 482)
        add(buf, len, &pos, "; look for a routing loop between proxies or a Max-Forwards "
                            "set too low");
    if (c->challenged && c->outcome != SLS_OUTCOME_AUTH_FAILED)
        add(buf, len, &pos, "; this came after a 401/407 challenge and a retry with "
                            "credentials");
    add_context(c, buf, len, &pos);
    if (c->bye_code == 481)
        add(buf, len, &pos, "; BYE answered 481 (dialog already gone)");
}
