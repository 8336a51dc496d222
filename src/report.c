/* Summary reports in text and JSON. */
#include "sipsleuth/report.h"

#include "jsonw.h"
#include "sipsleuth/error.h"
#include "sipsleuth/explain.h"

#include <stdlib.h>
#include <string.h>

#ifndef SLS_VERSION
#define SLS_VERSION "0.1.0"
#endif

static const char *const error_rate_definition =
    "errors / rated transactions; an error is a final 4xx, 5xx or 6xx other "
    "than a 401/407 authentication challenge or a 487 (request cancelled), or no "
    "final response within "
    "Timer B/F (32 s); rated transactions are those with a final response or "
    "timed out (still pending at the end of the capture are not rated)";

int sls_report_files_from_input(sls_report_files *rf, const sls_input *in)
{
    size_t n = sls_input_file_count(in);
    sls_file_info *f = calloc(n ? n : 1, sizeof(*f));
    if (f == NULL)
        return SLS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        f[i] = *sls_input_file(in, i);
    rf->files = f;
    rf->nfiles = n;
    return 0;
}

int sls_report_complete(const sls_report_files *rf)
{
    for (size_t i = 0; rf != NULL && i < rf->nfiles; i++)
        if (rf->files[i].state != SLS_FILE_OK)
            return 0;
    return 1;
}

static const char *file_state_name(enum sls_file_state st)
{
    switch (st) {
    case SLS_FILE_OK: return "ok";
    case SLS_FILE_TRUNCATED: return "truncated";
    case SLS_FILE_READ_ERROR: return "read-error";
    }
    return "?";
}

typedef struct failure {
    unsigned code;
    uint64_t count;
} failure;

/* Final codes that are failures (>= 400, challenges excepted), most frequent
 * first, ties by code. */
static size_t top_failures(const sls_summary *s, failure *out, size_t max)
{
    failure all[300];
    size_t n = 0;
    for (unsigned c = 400; c < 700; c++) {
        if (s->final_codes[c] == 0 || c == 401 || c == 407)
            continue;
        failure f = {c, s->final_codes[c]};
        size_t k = n++;
        while (k > 0 && all[k - 1].count < f.count) {
            all[k] = all[k - 1];
            k--;
        }
        all[k] = f;
    }
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof(*out));
    return n;
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static void counters_json(sls__jw *j, const sls_summary *s, const char *key,
                          enum sls_counter_kind kind)
{
    sls__jw_object(j, key);
    /* Sorted by name for determinism. */
    const char *names[SLS_CTR_COUNT];
    size_t ids[SLS_CTR_COUNT], n = 0;
    for (size_t c = 0; c < SLS_CTR_COUNT; c++) {
        if (sls_counter_kind((enum sls_counter)c) != kind || s->counters.v[c] == 0)
            continue;
        const char *nm = sls_counter_name((enum sls_counter)c);
        size_t k = n++;
        while (k > 0 && strcmp(names[k - 1], nm) > 0) {
            names[k] = names[k - 1];
            ids[k] = ids[k - 1];
            k--;
        }
        names[k] = nm;
        ids[k] = c;
    }
    for (size_t i = 0; i < n; i++)
        sls__jw_u64(j, names[i], s->counters.v[ids[i]]);
    sls__jw_end_object(j);
}

static uint64_t counters_total(const sls_summary *s, enum sls_counter_kind kind)
{
    uint64_t t = 0;
    for (size_t c = 0; c < SLS_CTR_COUNT; c++)
        if (sls_counter_kind((enum sls_counter)c) == kind)
            t += s->counters.v[c];
    return t;
}

static void hist_json(sls__jw *j, const char *key, const sls_hist *h, int with_buckets)
{
    sls__jw_object(j, key);
    sls__jw_u64(j, "count", h->count);
    sls__jw_u64(j, "p50", sls_hist_percentile(h, 50));
    sls__jw_u64(j, "p95", sls_hist_percentile(h, 95));
    sls__jw_u64(j, "max", h->max_ms);
    sls__jw_num(j, "mean", h->count ? (double)h->sum_ms / (double)h->count : 0, 3);
    sls__jw_u64(j, "sum", h->sum_ms);
    if (with_buckets) {
        /* Sparse: lower bucket edge (ms) -> count; merges exactly. */
        char k[24];
        sls__jw_object(j, "histogram");
        for (size_t i = 0; i < SLS_HIST_BUCKETS; i++) {
            if (h->bucket[i] == 0)
                continue;
            snprintf(k, sizeof(k), "%llu", (unsigned long long)sls_hist_bucket_lower(i));
            sls__jw_u64(j, k, h->bucket[i]);
        }
        sls__jw_end_object(j);
    }
    sls__jw_end_object(j);
}

/* Peers by failures (desc), then calls (desc), then address. */
static size_t sorted_peers(const sls_summary *s, size_t *idx)
{
    size_t n = s->npeers;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], k = i;
        while (k > 0) {
            const sls_peer_stats *a = &s->peers[idx[k - 1]], *b = &s->peers[v];
            int before = a->failures > b->failures ||
                         (a->failures == b->failures &&
                          (a->calls > b->calls ||
                           (a->calls == b->calls &&
                            memcmp(&a->addr, &b->addr, sizeof(a->addr)) <= 0)));
            if (before)
                break;
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = v;
    }
    return n;
}

static void calls_json(sls__jw *j, const sls_summary *s)
{
    char ts[40], buf[96];
    uint64_t attempts = sls_summary_call_attempts(s);
    sls__jw_object(j, "calls");
    sls__jw_u64(j, "total", s->calls);
    sls__jw_u64(j, "attempts", attempts);
    sls__jw_object(j, "outcomes");
    for (int o = 0; o < SLS_OUTCOME_COUNT; o++)
        sls__jw_u64(j, sls_outcome_name((enum sls_outcome)o), s->outcomes[o]);
    sls__jw_end_object(j);
    sls__jw_u64(j, "challenged", s->calls_challenged);
    sls__jw_u64(j, "ringing_no_answer", s->calls_ringing_no_answer);
    sls__jw_u64(j, "failed", s->calls_failed);
    sls__jw_num(j, "failure_rate", ratio(s->calls_failed, attempts), 6);
    sls__jw_num(j, "asr", sls_summary_asr(s), 6);
    sls__jw_num(j, "ner", sls_summary_ner(s), 6);
    sls__jw_u64(j, "evicted", s->calls_evicted);
    sls__jw_u64(j, "peak_open", s->calls_peak_open);
    sls__jw_end_object(j);

    sls__jw_object(j, "timings");
    hist_json(j, "pdd_ms", &s->pdd, 1);
    hist_json(j, "answer_ms", &s->answer, 1);
    hist_json(j, "ack_ms", &s->ack, 1);
    hist_json(j, "duration_ms", &s->duration, 1);
    hist_json(j, "response_ms", &s->response_time, 1);
    sls__jw_end_object(j);

    size_t idx[SLS_SUMMARY_MAX_PEERS + 1];
    size_t n = sorted_peers(s, idx);
    sls__jw_array(j, "peers");
    for (size_t i = 0; i < n; i++) {
        const sls_peer_stats *p = &s->peers[idx[i]];
        sls__jw_object(j, NULL);
        if (p->other) {
            sls__jw_str(j, "peer", "(other)");
        } else {
            sls_addr_port_format(&p->addr, p->port, buf, sizeof(buf));
            sls__jw_str(j, "peer", buf);
        }
        sls__jw_u64(j, "calls", p->calls);
        sls__jw_u64(j, "answered", p->answered);
        sls__jw_u64(j, "failures", p->failures);
        sls__jw_num(j, "failure_rate", ratio(p->failures, p->calls), 6);
        sls__jw_object(j, "outcomes");
        for (int o = 0; o < SLS_OUTCOME_COUNT; o++)
            if (p->outcomes[o])
                sls__jw_u64(j, sls_outcome_name((enum sls_outcome)o), p->outcomes[o]);
        sls__jw_end_object(j);
        sls__jw_object(j, "final_codes");
        for (unsigned c = 100; c < 700; c++) {
            if (p->final_codes[c] == 0)
                continue;
            snprintf(buf, sizeof(buf), "%u", c);
            sls__jw_u64(j, buf, p->final_codes[c]);
        }
        sls__jw_end_object(j);
        sls__jw_end_object(j);
    }
    sls__jw_end_array(j);

    sls__jw_object(j, "windows");
    sls__jw_num(j, "width_s", (double)s->window_ns / 1e9, 3);
    /* Windows without a call are left out: a capture whose clock jumps by
     * years would otherwise list hundreds of thousands of empty ones. */
    sls__jw_array(j, "items");
    for (size_t i = 0; i < s->nwindows; i++) {
        const sls_window_stats *w = &s->windows[i];
        if (w->attempts == 0)
            continue;
        sls__jw_object(j, NULL);
        sls__format_utc(s->window_origin_ns + (int64_t)i * s->window_ns, ts, sizeof(ts));
        sls__jw_str(j, "start", ts);
        sls__jw_u64(j, "attempts", w->attempts);
        sls__jw_u64(j, "answered", w->answered);
        sls__jw_u64(j, "failures", w->failures);
        sls__jw_num(j, "failure_rate", ratio(w->failures, w->attempts), 6);
        sls__jw_end_object(j);
    }
    sls__jw_end_array(j);
    sls__jw_end_object(j);
}

int sls_report_json(FILE *out, const sls_summary *s, const sls_report_files *rf)
{
    sls__jw j;
    char ts[40];
    sls__jw_init(&j, out, 1);
    sls__jw_object(&j, NULL);
    sls__jw_u64(&j, "schema_version", SLS_JSON_SCHEMA_VERSION);
    sls__jw_object(&j, "tool");
    sls__jw_str(&j, "name", "sipsleuth");
    sls__jw_str(&j, "version", SLS_VERSION);
    sls__jw_end_object(&j);

    sls__jw_object(&j, "capture");
    sls__jw_array(&j, "files");
    for (size_t i = 0; rf != NULL && i < rf->nfiles; i++) {
        const sls_file_info *f = &rf->files[i];
        sls__jw_object(&j, NULL);
        sls__jw_str(&j, "path", f->path);
        sls__jw_str(&j, "link_type", f->linktype_name);
        sls__jw_u64(&j, "packets", f->packets);
        sls__jw_str(&j, "state", file_state_name(f->state));
        if (f->message[0] != '\0')
            sls__jw_str(&j, "message", f->message);
        sls__jw_end_object(&j);
    }
    sls__jw_end_array(&j);
    sls__jw_bool(&j, "complete", sls_report_complete(rf));
    sls__jw_u64(&j, "packets", s->packets);
    sls__jw_u64(&j, "bytes", s->bytes);
    if (s->packets > 0) {
        sls__format_utc(s->first_ts_ns, ts, sizeof(ts));
        sls__jw_str(&j, "first_packet", ts);
        sls__format_utc(s->last_ts_ns, ts, sizeof(ts));
        sls__jw_str(&j, "last_packet", ts);
        sls__jw_num(&j, "duration_s", (double)(s->last_ts_ns - s->first_ts_ns) / 1e9, 6);
    } else {
        sls__jw_null(&j, "first_packet");
        sls__jw_null(&j, "last_packet");
        sls__jw_num(&j, "duration_s", 0, 6);
    }
    sls__jw_u64(&j, "sip_messages", s->sip_messages);
    sls__jw_u64(&j, "sip_requests", s->requests);
    sls__jw_u64(&j, "sip_responses", s->responses);
    sls__jw_u64(&j, "retransmissions", s->retrans_requests + s->retrans_responses);
    sls__jw_u64(&j, "retransmitted_requests", s->retrans_requests);
    sls__jw_u64(&j, "retransmitted_responses", s->retrans_responses);
    counters_json(&j, s, "not_sip", SLS_KIND_OTHER);
    counters_json(&j, s, "skipped", SLS_KIND_SKIPPED);
    counters_json(&j, s, "malformed", SLS_KIND_MALFORMED);
    counters_json(&j, s, "anomalies", SLS_KIND_ANOMALY);
    sls__jw_u64(&j, "peak_open_transactions", s->txn_peak_open);
    sls__jw_end_object(&j);

    size_t idx[SLS_SUMMARY_MAX_METHODS + 1];
    size_t n = sls_summary_sorted_methods(s, idx);
    sls__jw_object(&j, "requests");
    for (size_t i = 0; i < n; i++)
        if (s->methods[idx[i]].requests > 0)
            sls__jw_u64(&j, s->methods[idx[i]].name, s->methods[idx[i]].requests);
    sls__jw_end_object(&j);

    char code[16];
    sls__jw_object(&j, "responses");
    for (unsigned c = 100; c < 700; c++) {
        if (s->response_codes[c] == 0)
            continue;
        snprintf(code, sizeof(code), "%u", c);
        sls__jw_u64(&j, code, s->response_codes[c]);
    }
    sls__jw_end_object(&j);

    sls__jw_object(&j, "response_codes");
    for (unsigned c = 100; c < 700; c++) {
        if (s->response_codes[c] == 0)
            continue;
        sls_code_info info;
        sls_explain_code(c, &info);
        snprintf(code, sizeof(code), "%u", c);
        sls__jw_object(&j, code);
        sls__jw_u64(&j, "messages", s->response_codes[c]);
        sls__jw_u64(&j, "transactions", s->final_codes[c]);
        sls__jw_str(&j, "reason", info.reason);
        snprintf(code, sizeof(code), "%uxx", c / 100);
        sls__jw_str(&j, "class", code);
        sls__jw_str(&j, "class_name", sls_code_class_name(info.cls));
        sls__jw_bool(&j, "final", info.is_final);
        sls__jw_end_object(&j);
    }
    sls__jw_end_object(&j);

    sls__jw_object(&j, "transactions");
    for (size_t i = 0; i < n; i++) {
        const sls_method_stats *m = &s->methods[idx[i]];
        if (m->txn_total == 0)
            continue;
        sls__jw_object(&j, m->name);
        sls__jw_u64(&j, "total", m->txn_total);
        for (int b = 0; b < SLS_BUCKET_COUNT; b++)
            sls__jw_u64(&j, sls_bucket_name((enum sls_bucket)b), m->txn_bucket[b]);
        sls__jw_u64(&j, "timed_out", m->txn_timed_out);
        sls__jw_u64(&j, "challenged", m->txn_challenged);
        sls__jw_u64(&j, "without_request", m->txn_without_request);
        sls__jw_u64(&j, "request_retransmissions", m->request_retrans);
        sls__jw_u64(&j, "response_retransmissions", m->response_retrans);
        sls__jw_u64(&j, "errors", m->txn_errors);
        sls__jw_u64(&j, "rated", m->txn_rated);
        sls__jw_num(&j, "error_rate", ratio(m->txn_errors, m->txn_rated), 6);
        sls__jw_object(&j, "final_codes");
        for (unsigned c = 100; m->final_codes != NULL && c < 700; c++) {
            if (m->final_codes[c] == 0)
                continue;
            snprintf(code, sizeof(code), "%u", c);
            sls__jw_u64(&j, code, m->final_codes[c]);
        }
        sls__jw_end_object(&j);
        if (m->response_time != NULL)
            hist_json(&j, "response_ms", m->response_time, 1);
        sls__jw_end_object(&j);
    }
    sls__jw_end_object(&j);

    sls__jw_object(&j, "error_rate");
    sls__jw_u64(&j, "errors", s->txn_errors);
    sls__jw_u64(&j, "denominator", s->txn_rated);
    sls__jw_num(&j, "rate", ratio(s->txn_errors, s->txn_rated), 6);
    sls__jw_u64(&j, "challenges", s->txn_challenged);
    sls__jw_u64(&j, "timed_out", s->txn_timed_out);
    sls__jw_u64(&j, "pending", s->txn_no_final - s->txn_timed_out);
    sls__jw_str(&j, "definition", error_rate_definition);
    sls__jw_end_object(&j);

    failure top[SLS_REPORT_TOP_FAILURES];
    size_t nf = top_failures(s, top, SLS_REPORT_TOP_FAILURES);
    sls__jw_array(&j, "top_failures");
    for (size_t i = 0; i < nf; i++) {
        sls_code_info info;
        sls_explain_code(top[i].code, &info);
        sls__jw_object(&j, NULL);
        sls__jw_u64(&j, "code", top[i].code);
        sls__jw_str(&j, "reason", info.reason);
        sls__jw_u64(&j, "transactions", top[i].count);
        sls__jw_str(&j, "explanation", info.summary);
        sls__jw_end_object(&j);
    }
    sls__jw_end_array(&j);

    calls_json(&j, s);

    sls__jw_end_object(&j);
    sls__jw_finish(&j);
    return ferror(out) ? SLS_EREAD : 0;
}

static void counters_text(FILE *out, const sls_summary *s, const char *title,
                          enum sls_counter_kind kind)
{
    uint64_t total = counters_total(s, kind);
    if (total == 0)
        return;
    fprintf(out, "  %-22s %llu (", title, (unsigned long long)total);
    int first = 1;
    for (size_t c = 0; c < SLS_CTR_COUNT; c++) {
        if (sls_counter_kind((enum sls_counter)c) != kind || s->counters.v[c] == 0)
            continue;
        fprintf(out, "%s%s %llu", first ? "" : ", ", sls_counter_name((enum sls_counter)c),
                (unsigned long long)s->counters.v[c]);
        first = 0;
    }
    fputs(")\n", out);
}

static void percent(char *buf, size_t len, uint64_t a, uint64_t b)
{
    if (b == 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f%%", 100.0 * (double)a / (double)b);
}

static void hist_text(FILE *out, const char *name, const sls_hist *h)
{
    if (h->count == 0) {
        fprintf(out, "  %-34s %7s\n", name, "-");
        return;
    }
    fprintf(out, "  %-34s %7llu %9llu %9llu %9llu\n", name, (unsigned long long)h->count,
            (unsigned long long)sls_hist_percentile(h, 50),
            (unsigned long long)sls_hist_percentile(h, 95), (unsigned long long)h->max_ms);
}

static void calls_text(FILE *out, const sls_summary *s)
{
    char a[40], b[40], buf[96];
    uint64_t attempts = sls_summary_call_attempts(s);
    fputs("\nCalls\n", out);
    percent(a, sizeof(a), s->outcomes[SLS_OUTCOME_ANSWERED], attempts);
    percent(b, sizeof(b), s->calls_failed, attempts);
    fprintf(out, "  %llu calls, %llu attempts (in progress at the end excluded)\n",
            (unsigned long long)s->calls, (unsigned long long)attempts);
    fprintf(out, "  ASR %s, NER %.1f%%, call failure rate %s (%llu of %llu)\n", a,
            100.0 * sls_summary_ner(s), b, (unsigned long long)s->calls_failed,
            (unsigned long long)attempts);
    for (int o = 0; o < SLS_OUTCOME_COUNT; o++)
        if (s->outcomes[o])
            fprintf(out, "  %-14s %8llu\n", sls_outcome_name((enum sls_outcome)o),
                    (unsigned long long)s->outcomes[o]);
    if (s->calls_challenged)
        fprintf(out, "  %llu challenged by 401/407 before going on (not failures)\n",
                (unsigned long long)s->calls_challenged);

    fprintf(out, "\nTimings (ms)%26s %7s %9s %9s %9s\n", "", "count", "p50", "p95", "max");
    hist_text(out, "post-dial delay (INVITE->180/183)", &s->pdd);
    hist_text(out, "time to answer (INVITE->2xx)", &s->answer);
    hist_text(out, "time to ACK (2xx->ACK)", &s->ack);
    hist_text(out, "call duration (2xx->BYE)", &s->duration);
    hist_text(out, "response time (all transactions)", &s->response_time);

    size_t idx[SLS_SUMMARY_MAX_PEERS + 1];
    size_t n = sorted_peers(s, idx), shown = 0;
    if (n > 0 && s->calls_failed > 0) {
        fputs("\nFailures by responding peer\n", out);
        fprintf(out, "  %-28s %7s %8s %7s  %s\n", "peer", "calls", "failures", "rate",
                "final codes");
        for (size_t i = 0; i < n && shown < 20; i++) {
            const sls_peer_stats *p = &s->peers[idx[i]];
            if (p->failures == 0)
                continue;
            if (p->other)
                snprintf(buf, sizeof(buf), "(other)");
            else
                sls_addr_port_format(&p->addr, p->port, buf, sizeof(buf));
            percent(a, sizeof(a), p->failures, p->calls);
            fprintf(out, "  %-28s %7llu %8llu %7s ", buf, (unsigned long long)p->calls,
                    (unsigned long long)p->failures, a);
            for (unsigned c = 300; c < 700; c++)
                if (p->final_codes[c])
                    fprintf(out, " %ux%llu", c, (unsigned long long)p->final_codes[c]);
            fputc('\n', out);
            shown++;
        }
    }
    size_t last = 0;
    for (size_t i = 0; i < s->nwindows; i++)
        if (s->windows[i].attempts)
            last = i + 1;
    if (last > 0) {
        fprintf(out, "\nCalls per %.0f s window (by start time, UTC)\n",
                (double)s->window_ns / 1e9);
        fprintf(out, "  %-26s %8s %8s %8s\n", "window start", "attempts", "failures", "rate");
        size_t printed = 0;
        for (size_t i = 0; i < last; i++) {
            const sls_window_stats *w = &s->windows[i];
            if (w->attempts == 0)
                continue;
            if (printed == 60) {
                fputs("  ... (all windows are in the JSON report)\n", out);
                break;
            }
            sls__format_utc(s->window_origin_ns + (int64_t)i * s->window_ns, b, sizeof(b));
            percent(a, sizeof(a), w->failures, w->attempts);
            fprintf(out, "  %-26s %8llu %8llu %8s\n", b, (unsigned long long)w->attempts,
                    (unsigned long long)w->failures, a);
            printed++;
        }
    }
}

int sls_report_text(FILE *out, const sls_summary *s, const sls_report_files *rf)
{
    char a[40], b[40];
    fprintf(out, "sipsleuth %s: capture summary\n\nCapture\n", SLS_VERSION);
    for (size_t i = 0; rf != NULL && i < rf->nfiles; i++) {
        const sls_file_info *f = &rf->files[i];
        fprintf(out, "  %-22s %s (%s, %llu packets%s%s)\n", i == 0 ? "files" : "",
                f->path, f->linktype_name, (unsigned long long)f->packets,
                f->state == SLS_FILE_OK ? "" : ", ",
                f->state == SLS_FILE_OK ? "" : file_state_name(f->state));
    }
    if (!sls_report_complete(rf))
        fputs("  WARNING                analysis incomplete: an input ended early\n", out);
    if (s->packets > 0) {
        sls__format_utc(s->first_ts_ns, a, sizeof(a));
        sls__format_utc(s->last_ts_ns, b, sizeof(b));
        fprintf(out, "  %-22s %s .. %s (%.3f s)\n", "time span (UTC)", a, b,
                (double)(s->last_ts_ns - s->first_ts_ns) / 1e9);
    }
    fprintf(out, "  %-22s %llu\n", "packets", (unsigned long long)s->packets);
    fprintf(out, "  %-22s %llu (%llu requests, %llu responses)\n", "SIP messages",
            (unsigned long long)s->sip_messages, (unsigned long long)s->requests,
            (unsigned long long)s->responses);
    fprintf(out, "  %-22s %llu (%llu requests, %llu responses)\n", "retransmissions",
            (unsigned long long)(s->retrans_requests + s->retrans_responses),
            (unsigned long long)s->retrans_requests,
            (unsigned long long)s->retrans_responses);
    counters_text(out, s, "not SIP", SLS_KIND_OTHER);
    counters_text(out, s, "skipped", SLS_KIND_SKIPPED);
    counters_text(out, s, "malformed SIP", SLS_KIND_MALFORMED);
    counters_text(out, s, "anomalies", SLS_KIND_ANOMALY);

    size_t idx[SLS_SUMMARY_MAX_METHODS + 1];
    size_t n = sls_summary_sorted_methods(s, idx);
    if (s->requests > 0) {
        fputs("\nRequests (messages, retransmissions included)\n", out);
        for (size_t i = 0; i < n; i++)
            if (s->methods[idx[i]].requests > 0)
                fprintf(out, "  %-12s %8llu\n", s->methods[idx[i]].name,
                        (unsigned long long)s->methods[idx[i]].requests);
    }
    if (s->responses > 0) {
        fputs("\nResponses (messages, retransmissions included)\n", out);
        for (unsigned c = 100; c < 700; c++) {
            if (s->response_codes[c] == 0)
                continue;
            sls_code_info info;
            sls_explain_code(c, &info);
            fprintf(out, "  %u %-34s %8llu  %s\n", c, info.reason,
                    (unsigned long long)s->response_codes[c], sls_code_class_name(info.cls));
        }
    }
    if (s->txn_total > 0) {
        fputs("\nTransactions by outcome\n", out);
        fprintf(out, "  %-12s %7s %8s %6s %6s %6s %6s %6s %8s  %s\n", "method", "total",
                "1xx-only", "2xx", "3xx", "4xx", "5xx", "6xx", "no-final", "error rate");
        for (size_t i = 0; i < n; i++) {
            const sls_method_stats *m = &s->methods[idx[i]];
            if (m->txn_total == 0)
                continue;
            percent(a, sizeof(a), m->txn_errors, m->txn_rated);
            fprintf(out, "  %-12s %7llu", m->name, (unsigned long long)m->txn_total);
            static const int width[SLS_BUCKET_COUNT] = {8, 6, 6, 6, 6, 6, 8};
            for (int bk = 0; bk < SLS_BUCKET_COUNT; bk++)
                fprintf(out, " %*llu", width[bk], (unsigned long long)m->txn_bucket[bk]);
            fprintf(out, "  %s (%llu/%llu)\n", a, (unsigned long long)m->txn_errors,
                    (unsigned long long)m->txn_rated);
        }
        percent(a, sizeof(a), s->txn_errors, s->txn_rated);
        fprintf(out, "\n  Error rate: %s (%llu errors of %llu transactions with a final "
                     "response or timed out)\n",
                a, (unsigned long long)s->txn_errors, (unsigned long long)s->txn_rated);
        fprintf(out, "  Not errors: %llu authentication challenges (401/407); "
                     "%llu transactions still pending at the end of the capture\n",
                (unsigned long long)s->txn_challenged,
                (unsigned long long)(s->txn_no_final - s->txn_timed_out));
        if (s->txn_timed_out > 0)
            fprintf(out, "  Timed out (no final response within 32 s): %llu\n",
                    (unsigned long long)s->txn_timed_out);
    }
    failure top[SLS_REPORT_TOP_FAILURES];
    size_t nf = top_failures(s, top, SLS_REPORT_TOP_FAILURES);
    if (nf > 0) {
        fputs("\nMost frequent failures (transactions)\n", out);
        for (size_t i = 0; i < nf; i++) {
            sls_code_info info;
            sls_explain_code(top[i].code, &info);
            fprintf(out, "  %5llu x %u %s\n          %s\n", (unsigned long long)top[i].count,
                    top[i].code, info.reason, info.summary);
        }
    }
    if (s->calls > 0)
        calls_text(out, s);
    return ferror(out) ? SLS_EREAD : 0;
}
