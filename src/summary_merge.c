/* Merging summaries: the summary of several captures analysed one by one
 * equals the summary of one run over all of them (within the limits noted
 * in sls_summary_merge), because every distribution is kept in fixed
 * histogram buckets and every table is keyed by something absolute (method
 * name, peer address, window start since the epoch). */
#include "sipsleuth/summary.h"

#include "sipsleuth/error.h"

#include <stdlib.h>
#include <string.h>

static int64_t floor_to(int64_t t, int64_t w)
{
    return t - ((t % w) + w) % w;
}

/* Windows up to the last one with calls in it: the rest of the array is
 * capacity, not data. */
static size_t windows_used(const sls_summary *s)
{
    size_t last = 0;
    for (size_t i = 0; s->windows != NULL && i < s->nwindows; i++)
        if (s->windows[i].attempts || s->windows[i].answered || s->windows[i].failures)
            last = i + 1;
    return last;
}

static int merge_method(sls_summary *dst, const sls_method_stats *m)
{
    sls_method_stats *d = sls_summary_method(dst, m->name, strlen(m->name));
    d->requests += m->requests;
    d->request_retrans += m->request_retrans;
    d->response_retrans += m->response_retrans;
    d->txn_total += m->txn_total;
    for (int b = 0; b < SLS_BUCKET_COUNT; b++)
        d->txn_bucket[b] += m->txn_bucket[b];
    d->txn_timed_out += m->txn_timed_out;
    d->txn_challenged += m->txn_challenged;
    d->txn_errors += m->txn_errors;
    d->txn_rated += m->txn_rated;
    d->txn_without_request += m->txn_without_request;
    if (m->response_time != NULL) {
        if (d->response_time == NULL &&
            (d->response_time = calloc(1, sizeof(*d->response_time))) == NULL)
            return SLS_ENOMEM;
        sls_hist_merge(d->response_time, m->response_time);
    }
    if (m->final_codes != NULL) {
        if (d->final_codes == NULL &&
            (d->final_codes = calloc(700, sizeof(*d->final_codes))) == NULL)
            return SLS_ENOMEM;
        for (unsigned c = 0; c < 700; c++)
            d->final_codes[c] += m->final_codes[c];
    }
    return 0;
}

/* The peer of dst that p's counts go to: the same address and port, or
 * the "other" bucket once the table is full, as summary.c does. */
static sls_peer_stats *dst_peer(sls_summary *dst, const sls_peer_stats *p)
{
    for (size_t i = 0; i < dst->npeers; i++) {
        sls_peer_stats *d = &dst->peers[i];
        if (p->other ? d->other
                     : !d->other && d->port == p->port &&
                           memcmp(&d->addr, &p->addr, sizeof(d->addr)) == 0)
            return d;
    }
    if (!p->other && dst->npeers >= SLS_SUMMARY_MAX_PEERS) {
        for (size_t i = 0; i < dst->npeers; i++)
            if (dst->peers[i].other)
                return &dst->peers[i];
    }
    if (dst->npeers > SLS_SUMMARY_MAX_PEERS)
        return NULL; /* cannot happen: the other bucket exists by now */
    sls_peer_stats *d = &dst->peers[dst->npeers++];
    memset(d, 0, sizeof(*d));
    if (p->other || dst->npeers > SLS_SUMMARY_MAX_PEERS) {
        d->other = 1;
    } else {
        d->addr = p->addr;
        d->port = p->port;
    }
    return d;
}

static int merge_peers(sls_summary *dst, const sls_summary *src)
{
    if (src->npeers == 0 || src->peers == NULL)
        return 0;
    if (dst->peers == NULL &&
        (dst->peers = calloc(SLS_SUMMARY_MAX_PEERS + 1, sizeof(*dst->peers))) == NULL)
        return SLS_ENOMEM;
    for (size_t i = 0; i < src->npeers; i++) {
        const sls_peer_stats *p = &src->peers[i];
        sls_peer_stats *d = dst_peer(dst, p);
        if (d == NULL)
            return SLS_EINVAL;
        d->calls += p->calls;
        d->answered += p->answered;
        d->failures += p->failures;
        for (int o = 0; o < SLS_OUTCOME_COUNT; o++)
            d->outcomes[o] += p->outcomes[o];
        for (unsigned c = 0; c < 700; c++)
            d->final_codes[c] += p->final_codes[c];
    }
    return 0;
}

/* Windows are merged by absolute start time. The origin is where one run
 * over both inputs would have put it: the window of the first packet
 * (summary.c aligns window 0 to the width since the epoch). dst's
 * timestamps must already be merged. */
static int merge_windows(sls_summary *dst, const sls_summary *src)
{
    size_t su = windows_used(src), du = windows_used(dst);
    if (su == 0)
        return 0;
    int64_t w = dst->window_ns;
    int64_t origin = src->window_origin_ns;
    if (du > 0 && dst->window_origin_ns < origin)
        origin = dst->window_origin_ns;
    if (dst->packets > 0 && floor_to(dst->first_ts_ns, w) < origin)
        origin = floor_to(dst->first_ts_ns, w);
    int64_t end = src->window_origin_ns + (int64_t)su * w;
    if (du > 0 && dst->window_origin_ns + (int64_t)du * w > end)
        end = dst->window_origin_ns + (int64_t)du * w;
    size_t n = (size_t)((end - origin) / w);
    if (n > SLS_SUMMARY_MAX_WINDOWS)
        n = SLS_SUMMARY_MAX_WINDOWS;
    sls_window_stats *nw = calloc(n, sizeof(*nw));
    if (nw == NULL)
        return SLS_ENOMEM;
    const sls_summary *from[2] = {dst, src};
    size_t used[2] = {du, su};
    for (int k = 0; k < 2; k++) {
        size_t off = (size_t)((from[k]->window_origin_ns - origin) / w);
        for (size_t i = 0; i < used[k]; i++) {
            /* Past the ceiling everything lands in the last window, as in
             * summary.c. */
            size_t j = off + i < n ? off + i : n - 1;
            nw[j].attempts += from[k]->windows[i].attempts;
            nw[j].answered += from[k]->windows[i].answered;
            nw[j].failures += from[k]->windows[i].failures;
        }
    }
    free(dst->windows);
    dst->windows = nw;
    dst->nwindows = n;
    dst->window_origin_ns = origin;
    return 0;
}

static int windows_valid(const sls_summary *s)
{
    return windows_used(s) == 0 || floor_to(s->window_origin_ns, s->window_ns) == s->window_origin_ns;
}

int sls_summary_merge(sls_summary *dst, const sls_summary *src)
{
    /* Checked before anything changes, so that EINVAL leaves dst intact. */
    if (dst->window_ns <= 0 || dst->window_ns != src->window_ns || !windows_valid(dst) ||
        !windows_valid(src))
        return SLS_EINVAL;

    if (src->packets > 0) {
        if (dst->packets == 0 || src->first_ts_ns < dst->first_ts_ns)
            dst->first_ts_ns = src->first_ts_ns;
        if (dst->packets == 0 || src->last_ts_ns > dst->last_ts_ns)
            dst->last_ts_ns = src->last_ts_ns;
    }
    dst->packets += src->packets;
    dst->bytes += src->bytes;
    dst->sip_messages += src->sip_messages;
    dst->requests += src->requests;
    dst->responses += src->responses;
    dst->retrans_requests += src->retrans_requests;
    dst->retrans_responses += src->retrans_responses;
    for (int c = 0; c < SLS_CTR_COUNT; c++)
        dst->counters.v[c] += src->counters.v[c];
    for (unsigned c = 0; c < 700; c++) {
        dst->response_codes[c] += src->response_codes[c];
        dst->final_codes[c] += src->final_codes[c];
    }
    dst->txn_total += src->txn_total;
    dst->txn_errors += src->txn_errors;
    dst->txn_rated += src->txn_rated;
    dst->txn_challenged += src->txn_challenged;
    dst->txn_timed_out += src->txn_timed_out;
    dst->txn_no_final += src->txn_no_final;
    dst->txn_evicted += src->txn_evicted;
    /* Peaks of separate runs: the maximum is what is known (one run over
     * captures that overlap in time could have had more open at once). */
    if (src->txn_peak_open > dst->txn_peak_open)
        dst->txn_peak_open = src->txn_peak_open;
    sls_hist_merge(&dst->response_time, &src->response_time);

    dst->calls += src->calls;
    for (int o = 0; o < SLS_OUTCOME_COUNT; o++)
        dst->outcomes[o] += src->outcomes[o];
    dst->calls_challenged += src->calls_challenged;
    dst->calls_failed += src->calls_failed;
    dst->calls_ringing_no_answer += src->calls_ringing_no_answer;
    dst->calls_evicted += src->calls_evicted;
    if (src->calls_peak_open > dst->calls_peak_open)
        dst->calls_peak_open = src->calls_peak_open;
    sls_hist_merge(&dst->pdd, &src->pdd);
    sls_hist_merge(&dst->answer, &src->answer);
    sls_hist_merge(&dst->ack, &src->ack);
    sls_hist_merge(&dst->duration, &src->duration);

    int rc;
    for (size_t i = 0; i < src->nmethods; i++)
        if ((rc = merge_method(dst, &src->methods[i])) < 0)
            return rc;
    if ((rc = merge_peers(dst, src)) < 0)
        return rc;
    return merge_windows(dst, src);
}
