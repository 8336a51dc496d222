/* Aggregation for the summary report. */
#include "sipsleuth/summary.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const bucket_names[SLS_BUCKET_COUNT] = {
    "1xx_only", "2xx", "3xx", "4xx", "5xx", "6xx", "no_final"};

const char *sls_bucket_name(enum sls_bucket b)
{
    return (unsigned)b < SLS_BUCKET_COUNT ? bucket_names[b] : "?";
}

void sls_summary_init(sls_summary *s)
{
    memset(s, 0, sizeof(*s));
    s->window_ns = 60 * SLS_NS_PER_S;
}

sls_summary *sls_summary_new(int64_t window_ns)
{
    sls_summary *s = malloc(sizeof(*s));
    if (s == NULL)
        return NULL;
    sls_summary_init(s);
    if (window_ns > 0)
        s->window_ns = window_ns;
    s->peers = calloc(SLS_SUMMARY_MAX_PEERS + 1, sizeof(*s->peers));
    if (s->peers == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void sls_summary_free(sls_summary *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nmethods; i++) {
        free(s->methods[i].response_time);
        free(s->methods[i].final_codes);
    }
    free(s->peers);
    free(s->windows);
    free(s);
}

sls_method_stats *sls_summary_method(sls_summary *s, const char *name,
                                     size_t len)
{
    /* Per message and per transaction: the length test is the NUL at
     * name[len] (within the array below SLS_SUMMARY_MAX_NAME), not a
     * strlen per entry. */
    if (len < SLS_SUMMARY_MAX_NAME)
        for (size_t i = 0; i < s->nmethods; i++) {
            const char *n = s->methods[i].name;
            if (n[len] == '\0' && sls__mem_eq(n, name, len))
                return &s->methods[i];
        }
    if (len >= SLS_SUMMARY_MAX_NAME || s->nmethods >= SLS_SUMMARY_MAX_METHODS) {
        name = SLS_SUMMARY_OTHER_METHODS;
        len = strlen(name);
        for (size_t i = 0; i < s->nmethods; i++)
            if (strcmp(s->methods[i].name, name) == 0)
                return &s->methods[i];
    }
    sls_method_stats *m = &s->methods[s->nmethods++];
    memset(m, 0, sizeof(*m));
    memcpy(m->name, name, len);
    m->name[len] = '\0';
    return m;
}

size_t sls_summary_sorted_methods(const sls_summary *s, size_t *idx)
{
    size_t n = s->nmethods;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = 1; i < n; i++) { /* insertion sort: at most 65 names */
        size_t v = idx[i], k = i;
        while (k > 0 && strcmp(s->methods[idx[k - 1]].name, s->methods[v].name) > 0) {
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = v;
    }
    return n;
}

void sls_summary_request(sls_summary *s, const char *method, size_t len)
{
    s->sip_messages++;
    s->requests++;
    sls_summary_method(s, method, len)->requests++;
}

void sls_summary_response(sls_summary *s, unsigned status)
{
    s->sip_messages++;
    s->responses++;
    if (status < 700)
        s->response_codes[status]++;
}

void sls_summary_txn_event(sls_summary *s, const sls_sipmsg *m, int event)
{
    switch (event) {
    case SLS_TXN_EV_REQUEST_RETRANS:
    case SLS_TXN_EV_ACK_RETRANS:
        s->retrans_requests++;
        sls_summary_method(s, m->method_name.p, m->method_name.n)->request_retrans++;
        break;
    case SLS_TXN_EV_RESPONSE_RETRANS:
        s->retrans_responses++;
        sls_summary_method(s, m->method_name.p, m->method_name.n)->response_retrans++;
        break;
    default:
        break;
    }
}

enum sls_bucket sls_txn_bucket(const sls_txn *t)
{
    if (t->has_final && t->final_code >= 200 && t->final_code < 700)
        return (enum sls_bucket)(SLS_BUCKET_2XX + (t->final_code / 100 - 2));
    return t->nprov > 0 ? SLS_BUCKET_1XX_ONLY : SLS_BUCKET_NO_FINAL;
}

int sls_txn_is_rated(const sls_txn *t)
{
    return t->has_final || t->timed_out;
}

int sls_txn_is_error(const sls_txn *t)
{
    if (!t->has_final)
        return t->timed_out;
    /* A challenge is how authentication works, and a 487 is the normal end
     * of a request its sender cancelled (RFC 3261 9.2): neither is an error. */
    if (t->final_code == 401 || t->final_code == 407 || t->final_code == 487)
        return 0;
    return t->final_code >= 400;
}

void sls_summary_txn_done(sls_summary *s, const sls_txn *t)
{
    sls_method_stats *m = sls_summary_method(s, t->method_name, strlen(t->method_name));
    enum sls_bucket b = sls_txn_bucket(t);
    int err = sls_txn_is_error(t), rated = sls_txn_is_rated(t);
    int challenged = t->has_final && (t->final_code == 401 || t->final_code == 407);
    m->txn_total++;
    m->txn_bucket[b]++;
    m->txn_timed_out += t->timed_out;
    m->txn_challenged += challenged;
    m->txn_errors += err;
    m->txn_rated += rated;
    m->txn_without_request += !t->request_seen;
    s->txn_total++;
    s->txn_errors += err;
    s->txn_rated += rated;
    s->txn_challenged += challenged;
    s->txn_timed_out += t->timed_out;
    s->txn_no_final += !t->has_final;
    s->txn_evicted += t->evicted;
    if (t->has_final && t->final_code < 700) {
        s->final_codes[t->final_code]++;
        if (m->final_codes == NULL)
            m->final_codes = calloc(700, sizeof(*m->final_codes));
        if (m->final_codes != NULL)
            m->final_codes[t->final_code]++;
    }
    if (t->has_final && t->request_seen) {
        int64_t rt = t->final_ts_ns - t->request_ts_ns;
        sls_hist_add_ns(&s->response_time, rt);
        if (m->response_time == NULL)
            m->response_time = calloc(1, sizeof(*m->response_time));
        if (m->response_time != NULL)
            sls_hist_add_ns(m->response_time, rt);
    }
}

static sls_peer_stats *peer(sls_summary *s, const sls_addr *a, uint16_t port)
{
    if (s->peers == NULL)
        return NULL;
    for (size_t i = 0; i < s->npeers; i++) {
        sls_peer_stats *p = &s->peers[i];
        if (!p->other && p->port == port && memcmp(&p->addr, a, sizeof(*a)) == 0)
            return p;
    }
    if (s->npeers >= SLS_SUMMARY_MAX_PEERS) {
        for (size_t i = 0; i < s->npeers; i++)
            if (s->peers[i].other)
                return &s->peers[i];
        s->peers[s->npeers].other = 1;
        return &s->peers[s->npeers++];
    }
    sls_peer_stats *p = &s->peers[s->npeers++];
    p->addr = *a;
    p->port = port;
    return p;
}

static sls_window_stats *window(sls_summary *s, int64_t ts)
{
    if (s->nwindows == 0) {
        int64_t w = s->window_ns;
        int64_t first = s->first_ts_ns < ts ? s->first_ts_ns : ts;
        s->window_origin_ns = first - ((first % w) + w) % w;
    }
    int64_t off = ts - s->window_origin_ns;
    size_t i = off > 0 ? (size_t)(off / s->window_ns) : 0;
    if (i >= SLS_SUMMARY_MAX_WINDOWS)
        i = SLS_SUMMARY_MAX_WINDOWS - 1;
    if (i >= s->nwindows) {
        size_t n = s->nwindows ? s->nwindows : 16;
        while (n <= i)
            n *= 2;
        if (n > SLS_SUMMARY_MAX_WINDOWS)
            n = SLS_SUMMARY_MAX_WINDOWS;
        sls_window_stats *w = realloc(s->windows, n * sizeof(*w));
        if (w == NULL)
            return NULL;
        memset(w + s->nwindows, 0, (n - s->nwindows) * sizeof(*w));
        s->windows = w;
        s->nwindows = n;
    }
    return &s->windows[i];
}

void sls_summary_call_done(sls_summary *s, const sls_call *c)
{
    s->calls++;
    s->outcomes[c->outcome]++;
    s->calls_challenged += c->challenged;
    s->calls_evicted += c->evicted;
    int failed = sls_outcome_is_failure(c->outcome);
    s->calls_failed += failed;
    if (c->outcome == SLS_OUTCOME_NO_ANSWER && (c->ringing || c->early_media))
        s->calls_ringing_no_answer++;
    if (c->pdd_ns >= 0)
        sls_hist_add_ns(&s->pdd, c->pdd_ns);
    if (c->answer_ns >= 0)
        sls_hist_add_ns(&s->answer, c->answer_ns);
    if (c->ack_ns >= 0)
        sls_hist_add_ns(&s->ack, c->ack_ns);
    if (c->duration_ns >= 0)
        sls_hist_add_ns(&s->duration, c->duration_ns);
    if (c->outcome == SLS_OUTCOME_IN_PROGRESS)
        return;
    sls_peer_stats *p = c->final_code ? peer(s, &c->responder, c->responder_port)
                                      : peer(s, &c->callee, c->callee_port);
    if (p != NULL) {
        p->calls++;
        p->answered += c->outcome == SLS_OUTCOME_ANSWERED;
        p->failures += failed;
        p->outcomes[c->outcome]++;
        if (c->final_code < 700)
            p->final_codes[c->final_code]++;
    }
    sls_window_stats *w = window(s, c->start_ts_ns);
    if (w != NULL) {
        w->attempts++;
        w->answered += c->outcome == SLS_OUTCOME_ANSWERED;
        w->failures += failed;
    }
}

uint64_t sls_summary_call_attempts(const sls_summary *s)
{
    return s->calls - s->outcomes[SLS_OUTCOME_IN_PROGRESS];
}

double sls_summary_asr(const sls_summary *s)
{
    uint64_t n = sls_summary_call_attempts(s);
    return n ? (double)s->outcomes[SLS_OUTCOME_ANSWERED] / (double)n : 0.0;
}

double sls_summary_ner(const sls_summary *s)
{
    uint64_t n = sls_summary_call_attempts(s);
    uint64_t eff = s->outcomes[SLS_OUTCOME_ANSWERED] + s->outcomes[SLS_OUTCOME_BUSY] +
                   s->outcomes[SLS_OUTCOME_CANCELLED] + s->outcomes[SLS_OUTCOME_REJECTED] +
                   s->calls_ringing_no_answer;
    return n ? (double)eff / (double)n : 0.0;
}
