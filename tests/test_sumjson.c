/* JSON summaries read back (sumjson) and merged (summary_merge): a summary
 * written with sls_report_json and read again is the same summary, field by
 * field; two summaries merged equal the summary of everything at once. */
#include "sipsleuth/sumjson.h"

#include "sipsleuth/analyzer.h"
#include "sipsleuth/error.h"
#include "sipsleuth/input.h"
#include "sipsleuth/report.h"
#include "sls_check.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1699999980000000000LL /* 2023-11-14T22:13:00Z, a multiple of 60 s */
#define MS 1000000LL

/* ------------------------------------------------------------ builders */

static sls_txn txn(const char *method, unsigned code, int64_t start, int64_t rt_ms)
{
    sls_txn t;
    memset(&t, 0, sizeof(t));
    t.method_name = method;
    t.call_id = t.branch = t.from_tag = t.to_tag = t.request_uri = "";
    t.request_seen = 1;
    t.request_ts_ns = start;
    t.has_final = code != 0;
    t.final_code = code;
    t.final_ts_ns = code ? start + rt_ms * MS : 0;
    t.nprov = code == 0 && rt_ms > 0;
    t.timed_out = code == 0 && rt_ms > 32000;
    return t;
}

static sls_call call(enum sls_outcome o, unsigned code, int64_t start, int peer, int64_t pdd_ms)
{
    sls_call c;
    memset(&c, 0, sizeof(c));
    c.call_id = "x";
    c.outcome = o;
    c.final_code = code;
    c.start_ts_ns = start;
    c.pdd_ns = pdd_ms >= 0 ? pdd_ms * MS : -1;
    c.answer_ns = o == SLS_OUTCOME_ANSWERED ? (pdd_ms + 2000) * MS : -1;
    c.ack_ns = o == SLS_OUTCOME_ANSWERED ? 3 * MS : -1;
    c.duration_ns = o == SLS_OUTCOME_ANSWERED ? 60000 * MS : -1;
    c.ringing = pdd_ms >= 0;
    c.responder.family = c.callee.family = 4;
    c.responder.bytes[0] = c.callee.bytes[0] = 192;
    c.responder.bytes[3] = c.callee.bytes[3] = (uint8_t)peer;
    c.responder_port = c.callee_port = 5060;
    if (peer == 99) { /* an IPv6 peer */
        c.responder.family = c.callee.family = 6;
        c.responder.bytes[0] = c.callee.bytes[0] = 0x20;
        c.responder.bytes[1] = c.callee.bytes[1] = 0x01;
    }
    return c;
}

/* Feeds events [from, to) of a fixed scenario into s: requests, responses,
 * transactions and calls spread over several minutes. */
static void feed(sls_summary *s, int from, int to)
{
    static const struct ev {
        const char *method;
        unsigned code;
        int64_t at_ms, rt_ms;
        enum sls_outcome outcome;
        int peer;
        int64_t pdd_ms;
    } evs[] = {
        {"INVITE", 200, 1000, 2100, SLS_OUTCOME_ANSWERED, 1, 100},
        {"INVITE", 486, 5000, 800, SLS_OUTCOME_BUSY, 1, 90},
        {"INVITE", 503, 70000, 30, SLS_OUTCOME_UNAVAILABLE, 2, -1},
        {"INVITE", 404, 71000, 25, SLS_OUTCOME_NOT_FOUND, 2, -1},
        {"INVITE", 407, 72000, 5, SLS_OUTCOME_AUTH_FAILED, 3, -1},
        {"INVITE", 0, 73000, 33000, SLS_OUTCOME_NO_ANSWER, 4, 1200},
        {"INVITE", 200, 190000, 1500, SLS_OUTCOME_ANSWERED, 99, 300},
        {"INVITE", 603, 250000, 700, SLS_OUTCOME_REJECTED, 99, 250},
        {"REGISTER", 401, 2000, 3, SLS_OUTCOME_COUNT, 0, 0},
        {"REGISTER", 200, 2100, 4, SLS_OUTCOME_COUNT, 0, 0},
        {"OPTIONS", 0, 3000, 0, SLS_OUTCOME_COUNT, 0, 0},
        {"BYE", 200, 62000, 12, SLS_OUTCOME_COUNT, 0, 0},
        {"NOTIFY", 481, 260000, 9, SLS_OUTCOME_COUNT, 0, 0},
    };
    int n = (int)(sizeof(evs) / sizeof(evs[0]));
    for (int i = from; i < to && i < n; i++) {
        const struct ev *e = &evs[i];
        int64_t at = T0 + e->at_ms * MS;
        if (s->packets == 0 || at < s->first_ts_ns)
            s->first_ts_ns = at;
        int64_t end = at + (e->rt_ms > 0 ? e->rt_ms : 1) * MS;
        if (s->packets == 0 || end > s->last_ts_ns)
            s->last_ts_ns = end;
        s->packets += 3;
        s->bytes += 1500;
        sls_summary_request(s, e->method, strlen(e->method));
        if (e->code != 0) {
            sls_summary_response(s, 100);
            sls_summary_response(s, e->code);
        }
        sls_txn t = txn(e->method, e->code, at, e->rt_ms);
        sls_summary_txn_done(s, &t);
        if (e->outcome != SLS_OUTCOME_COUNT) {
            sls_call c = call(e->outcome, e->code, at, e->peer, e->pdd_ms);
            sls_summary_call_done(s, &c);
        }
    }
    s->counters.v[SLS_CTR_UDP_NOT_SIP] += 5;
    s->counters.v[SLS_CTR_SIP_NO_CALL_ID] += 1;
    s->counters.v[SLS_CTR_IPV4_TRUNCATED] += 2;
    s->counters.v[SLS_CTR_SIP_TRAILING_BYTES] += 1;
    s->retrans_requests += 2;
    s->retrans_responses += 1;
    s->txn_peak_open = 7;
    s->calls_peak_open = 3;
}

#define NEVENTS 13

/* ---------------------------------------------------------- comparison */

static void hist_eq(const sls_hist *a, const sls_hist *b, const char *what)
{
    ck_assert_msg(a->count == b->count, "%s count", what);
    ck_assert_msg(a->max_ms == b->max_ms, "%s max", what);
    ck_assert_msg(a->sum_ms == b->sum_ms, "%s sum", what);
    ck_assert_msg(memcmp(a->bucket, b->bucket, sizeof(a->bucket)) == 0, "%s buckets", what);
}

static const uint64_t zeros[700];

static void codes_eq(const uint64_t *a, const uint64_t *b, const char *what)
{
    ck_assert_msg(memcmp(a ? a : zeros, b ? b : zeros, sizeof(zeros)) == 0, "%s codes", what);
}

static size_t windows_used(const sls_summary *s)
{
    size_t last = 0;
    for (size_t i = 0; i < s->nwindows; i++)
        if (s->windows[i].attempts)
            last = i + 1;
    return last;
}

/* Every field of a and b; peaks only when with_peaks. Timestamps to the
 * microsecond (the document's precision). */
static void summary_eq(const sls_summary *a, const sls_summary *b, int with_peaks)
{
    ck_assert_uint_eq(a->packets, b->packets);
    ck_assert_uint_eq(a->bytes, b->bytes);
    ck_assert_int_eq(a->first_ts_ns / 1000, b->first_ts_ns / 1000);
    ck_assert_int_eq(a->last_ts_ns / 1000, b->last_ts_ns / 1000);
    ck_assert_uint_eq(a->sip_messages, b->sip_messages);
    ck_assert_uint_eq(a->requests, b->requests);
    ck_assert_uint_eq(a->responses, b->responses);
    ck_assert_uint_eq(a->retrans_requests, b->retrans_requests);
    ck_assert_uint_eq(a->retrans_responses, b->retrans_responses);
    ck_assert(memcmp(&a->counters, &b->counters, sizeof(a->counters)) == 0);
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < a->nmethods; i++) {
        const sls_method_stats *m = &a->methods[i], *o = NULL;
        if (m->requests == 0 && m->txn_total == 0)
            continue;
        na++;
        for (size_t k = 0; k < b->nmethods; k++)
            if (strcmp(b->methods[k].name, m->name) == 0)
                o = &b->methods[k];
        ck_assert_msg(o != NULL, "method %s missing", m->name);
        ck_assert_uint_eq(m->requests, o->requests);
        ck_assert_uint_eq(m->request_retrans, o->request_retrans);
        ck_assert_uint_eq(m->response_retrans, o->response_retrans);
        ck_assert_uint_eq(m->txn_total, o->txn_total);
        ck_assert(memcmp(m->txn_bucket, o->txn_bucket, sizeof(m->txn_bucket)) == 0);
        ck_assert_uint_eq(m->txn_timed_out, o->txn_timed_out);
        ck_assert_uint_eq(m->txn_challenged, o->txn_challenged);
        ck_assert_uint_eq(m->txn_errors, o->txn_errors);
        ck_assert_uint_eq(m->txn_rated, o->txn_rated);
        ck_assert_uint_eq(m->txn_without_request, o->txn_without_request);
        codes_eq(m->final_codes, o->final_codes, m->name);
        ck_assert_int_eq(m->response_time != NULL, o->response_time != NULL);
        if (m->response_time != NULL)
            hist_eq(m->response_time, o->response_time, m->name);
    }
    for (size_t k = 0; k < b->nmethods; k++)
        nb += b->methods[k].requests > 0 || b->methods[k].txn_total > 0;
    ck_assert_uint_eq(na, nb);
    codes_eq(a->response_codes, b->response_codes, "responses");
    codes_eq(a->final_codes, b->final_codes, "finals");
    ck_assert_uint_eq(a->txn_total, b->txn_total);
    ck_assert_uint_eq(a->txn_errors, b->txn_errors);
    ck_assert_uint_eq(a->txn_rated, b->txn_rated);
    ck_assert_uint_eq(a->txn_challenged, b->txn_challenged);
    ck_assert_uint_eq(a->txn_timed_out, b->txn_timed_out);
    ck_assert_uint_eq(a->txn_no_final, b->txn_no_final);
    ck_assert_uint_eq(a->txn_evicted, b->txn_evicted);
    hist_eq(&a->response_time, &b->response_time, "response");
    ck_assert_uint_eq(a->calls, b->calls);
    ck_assert(memcmp(a->outcomes, b->outcomes, sizeof(a->outcomes)) == 0);
    ck_assert_uint_eq(a->calls_challenged, b->calls_challenged);
    ck_assert_uint_eq(a->calls_failed, b->calls_failed);
    ck_assert_uint_eq(a->calls_ringing_no_answer, b->calls_ringing_no_answer);
    ck_assert_uint_eq(a->calls_evicted, b->calls_evicted);
    if (with_peaks) {
        ck_assert_uint_eq(a->txn_peak_open, b->txn_peak_open);
        ck_assert_uint_eq(a->calls_peak_open, b->calls_peak_open);
    }
    hist_eq(&a->pdd, &b->pdd, "pdd");
    hist_eq(&a->answer, &b->answer, "answer");
    hist_eq(&a->ack, &b->ack, "ack");
    hist_eq(&a->duration, &b->duration, "duration");
    ck_assert_uint_eq(a->npeers, b->npeers);
    for (size_t i = 0; i < a->npeers; i++) {
        const sls_peer_stats *p = &a->peers[i], *q = NULL;
        for (size_t k = 0; k < b->npeers; k++)
            if (b->peers[k].other == p->other && b->peers[k].port == p->port &&
                memcmp(&b->peers[k].addr, &p->addr, sizeof(p->addr)) == 0)
                q = &b->peers[k];
        ck_assert_ptr_nonnull(q);
        ck_assert_uint_eq(p->calls, q->calls);
        ck_assert_uint_eq(p->answered, q->answered);
        ck_assert_uint_eq(p->failures, q->failures);
        ck_assert(memcmp(p->outcomes, q->outcomes, sizeof(p->outcomes)) == 0);
        codes_eq(p->final_codes, q->final_codes, "peer");
    }
    ck_assert_int_eq(a->window_ns, b->window_ns);
    /* Only windows with calls are written: compare them by start time. */
    size_t ka = 0, kb = 0;
    for (;;) {
        while (ka < a->nwindows && a->windows[ka].attempts == 0)
            ka++;
        while (kb < b->nwindows && b->windows[kb].attempts == 0)
            kb++;
        if (ka == a->nwindows || kb == b->nwindows)
            break;
        ck_assert_int_eq(a->window_origin_ns + (int64_t)ka * a->window_ns,
                         b->window_origin_ns + (int64_t)kb * b->window_ns);
        ck_assert(memcmp(&a->windows[ka], &b->windows[kb], sizeof(*a->windows)) == 0);
        ka++;
        kb++;
    }
    ck_assert_uint_eq(ka, a->nwindows);
    ck_assert_uint_eq(kb, b->nwindows);
}

/* ----------------------------------------------------------- round trip */

static char *to_json(const sls_summary *s, const sls_report_files *rf, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(sls_report_json(f, s, rf), 0);
    fclose(f);
    return buf;
}

/* s -> JSON -> summary: equal; and the summary read back writes the very
 * same document. */
static void round_trip(const sls_summary *s, const sls_report_files *rf)
{
    size_t len, len2;
    char *text = to_json(s, rf, &len), err[256] = "";
    sls_summary *back = NULL;
    sls_report_files files;
    int rc = sls_sumjson_read(text, len, "mem.json", &back, &files, err, sizeof(err));
    ck_assert_msg(rc == 0, "%s", err);
    summary_eq(s, back, 1);
    ck_assert_uint_eq(files.nfiles, rf ? rf->nfiles : 0);
    for (size_t i = 0; rf != NULL && i < rf->nfiles; i++) {
        ck_assert_str_eq(files.files[i].path, rf->files[i].path);
        ck_assert_str_eq(files.files[i].linktype_name, rf->files[i].linktype_name);
        ck_assert_uint_eq(files.files[i].packets, rf->files[i].packets);
        ck_assert_int_eq(files.files[i].state, rf->files[i].state);
        ck_assert_str_eq(files.files[i].message, rf->files[i].message);
    }
    char *again = to_json(back, &files, &len2);
    ck_assert_str_eq(again, text);
    free(again);
    free(text);
    sls_summary_free(back);
    sls_sumjson_files_free(&files);
    ck_assert_ptr_null(files.files);
}

START_TEST(test_round_trip_of_a_synthetic_summary_is_exact)
{
    sls_summary *s = sls_summary_new(0);
    feed(s, 0, NEVENTS);
    s->txn_evicted = 1; /* the document carries it as the txn-evicted counter */
    s->counters.v[SLS_CTR_TXN_EVICTED] = 1;
    s->calls_evicted = 2;
    ck_assert_uint_gt(s->calls_ringing_no_answer, 0);
    sls_file_info fi[2];
    memset(fi, 0, sizeof(fi));
    fi[0].path = "a \"quoted\" path.pcap";
    fi[0].linktype_name = "EN10MB";
    fi[0].packets = 30;
    fi[1].path = "b.pcapng";
    fi[1].linktype_name = "LINUX_SLL2";
    fi[1].packets = 9;
    fi[1].state = SLS_FILE_TRUNCATED;
    snprintf(fi[1].message, sizeof(fi[1].message), "truncated dump file; tried to read 16");
    sls_report_files rf = {fi, 2};
    round_trip(s, &rf);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_round_trip_of_an_empty_summary)
{
    sls_summary *s = sls_summary_new(0);
    round_trip(s, NULL);
    sls_summary_free(s);
}
END_TEST

static const sls_summary *analyse(const char *path, sls_analyzer **an, sls_input **in,
                                  sls_report_files *rf)
{
    char err[256];
    const char *paths[1] = {path};
    if (sls_input_open(in, paths, 1, err, sizeof(err)) < 0)
        return NULL;
    *an = sls_analyzer_new(NULL);
    ck_assert_int_eq(sls_analyzer_run(*an, *in), 0);
    sls_analyzer_finish(*an);
    ck_assert_int_eq(sls_report_files_from_input(rf, *in), 0);
    return sls_analyzer_summary(*an);
}

static const char *const captures[] = {
    SLS_SOURCE_DIR "/samples/mixed.pcap",
    SLS_SOURCE_DIR "/samples/unanswered.pcap",
    SLS_SOURCE_DIR "/samples/sll2.pcap",
    SLS_SHARED_DIR "/captures/files/goff_private_test_sip.pcapng",
    SLS_SHARED_DIR "/captures/files/heplify_sip_ipv6_udp.pcap",
    SLS_SHARED_DIR "/captures/files/ipfix_sip.pcap",
};

START_TEST(test_round_trip_of_real_captures)
{
    sls_analyzer *an = NULL;
    sls_input *in = NULL;
    sls_report_files rf = {NULL, 0};
    const sls_summary *s = analyse(captures[_i], &an, &in, &rf);
    if (s == NULL) {
        fprintf(stderr, "%s absent: skipped\n", captures[_i]);
        return;
    }
    round_trip(s, &rf);
    free(rf.files);
    sls_analyzer_free(an);
    sls_input_free(in);
}
END_TEST

/* ---------------------------------------------------------------- errors */

static int read_text(const char *text, char *err, size_t len)
{
    sls_summary *s = NULL;
    int rc = sls_sumjson_read(text, strlen(text), "t.json", &s, NULL, err, len);
    ck_assert((rc == 0) == (s != NULL));
    sls_summary_free(s);
    return rc;
}

START_TEST(test_not_a_summary_is_refused)
{
    char err[256];
    ck_assert_int_eq(read_text("{\"schema_version\": 1,", err, sizeof(err)), SLS_EINVAL);
    ck_assert_msg(strncmp(err, "t.json:1: not JSON", 18) == 0, "%s", err);
    ck_assert_int_eq(read_text("[1, 2]", err, sizeof(err)), SLS_EINVAL);
    ck_assert_int_eq(read_text("{\"a\": 1}", err, sizeof(err)), SLS_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "no schema_version"));
    ck_assert_int_eq(read_text("{\"schema_version\": 2}", err, sizeof(err)), SLS_ERANGE);
    ck_assert_ptr_nonnull(strstr(err, "schema_version 2 is not supported"));
    ck_assert_int_eq(read_text("{\"schema_version\": 1}", err, sizeof(err)), SLS_EINVAL);
    ck_assert_str_eq(err, "t.json: capture: missing");
    ck_assert_int_eq(read_text("{\"schema_version\": 1, \"schema_version\": 1}", err,
                               sizeof(err)),
                     SLS_EINVAL);
}
END_TEST

/* Mutations of a valid document, each with the message it must give. */
static const struct mutation {
    const char *path; /* "a.b.c" */
    const char *json; /* new value; NULL deletes */
    const char *message;
} mutations[] = {
    {"capture.packets", NULL, "t.json: capture.packets: missing"},
    {"capture.packets", "-1", "t.json: capture.packets: expected a non-negative integer"},
    {"capture.packets", "1.5", "t.json: capture.packets: expected a non-negative integer"},
    {"capture.packets", "\"3\"", "t.json: capture.packets: expected a non-negative integer"},
    {"capture.malformed", "{\"sip-no-such-thing\": 1}",
     "t.json: capture.malformed: unknown counter 'sip-no-such-thing'"},
    {"capture.malformed", "{\"udp-not-sip\": 1}",
     "t.json: capture.malformed: unknown counter 'udp-not-sip'"},
    {"capture.first_packet", "\"2023-11-14 22:13:21\"", "t.json: capture.first_packet: expected"},
    {"capture.files", "[{\"path\": \"x\", \"link_type\": \"EN10MB\", \"packets\": 1, "
                      "\"state\": \"gone\"}]",
     "t.json: capture.files[0].state: 'gone' is not ok, truncated or read-error"},
    {"responses", "{\"1000\": 1}", "t.json: responses: '1000' is not a response code"},
    {"responses", "{\"099\": 1}", "t.json: responses: '099' is not a response code"},
    {"timings.pdd_ms.histogram", "{\"1001\": 1}",
     "t.json: timings.pdd_ms.histogram: 1001 is not a bucket edge"},
    {"timings.pdd_ms.count", "999", "t.json: timings.pdd_ms: the histogram holds"},
    {"calls.outcomes.busy", "100", "t.json: calls.outcomes add up to"},
    {"calls.outcomes", "{\"lost\": 1}", "t.json: calls.outcomes: unknown outcome 'lost'"},
    {"peers", "[{\"peer\": \"nowhere\", \"calls\": 0, \"answered\": 0, \"failures\": 0, "
              "\"outcomes\": {}, \"final_codes\": {}}]",
     "t.json: peers[0].peer: 'nowhere' is not ADDR:PORT"},
    {"peers", "[{\"peer\": \"1.2.3.4:5\", \"calls\": 1, \"answered\": 0, \"failures\": 0, "
              "\"outcomes\": {}, \"final_codes\": {\"200\": 2}}]",
     "t.json: peers[0]: more final codes than calls"},
    {"windows.width_s", "0", "t.json: windows.width_s: expected a number"},
    {"windows.items", "[{\"start\": \"2023-11-14T22:15:00.000000Z\", \"attempts\": 1, "
                      "\"answered\": 1, \"failures\": 0}, {\"start\": "
                      "\"2023-11-14T22:13:00.000000Z\", \"attempts\": 1, \"answered\": 1, "
                      "\"failures\": 0}]",
     "t.json: windows.items[1].start: windows must start whole widths apart, in order"},
    {"transactions.INVITE.errors", NULL, "t.json: transactions.INVITE.errors: missing"},
    {"error_rate", "[]", "t.json: error_rate: expected an object"},
};

static void set_path(json_t *root, const char *path, json_t *v)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *o = root;
    char *save = NULL, *tok = strtok_r(buf, ".", &save);
    for (;;) {
        char *next = strtok_r(NULL, ".", &save);
        if (next == NULL)
            break;
        o = json_object_get(o, tok);
        ck_assert_ptr_nonnull(o);
        tok = next;
    }
    if (v == NULL)
        json_object_del(o, tok);
    else
        json_object_set_new(o, tok, v);
}

START_TEST(test_every_mutation_is_reported)
{
    const struct mutation *m = &mutations[_i];
    sls_summary *s = sls_summary_new(0);
    feed(s, 0, NEVENTS);
    size_t len;
    char *text = to_json(s, NULL, &len), err[256] = "";
    sls_summary_free(s);
    json_t *root = json_loadb(text, len, 0, NULL);
    ck_assert_ptr_nonnull(root);
    free(text);
    json_t *v = m->json ? json_loads(m->json, JSON_DECODE_ANY, NULL) : NULL;
    ck_assert(m->json == NULL || v != NULL);
    set_path(root, m->path, v);
    text = json_dumps(root, 0);
    json_decref(root);
    int rc = read_text(text, err, sizeof(err));
    free(text);
    ck_assert_int_eq(rc, SLS_EINVAL);
    ck_assert_msg(strncmp(err, m->message, strlen(m->message)) == 0, "got '%s' want '%s'", err,
                  m->message);
}
END_TEST

START_TEST(test_load_names_a_missing_file)
{
    sls_summary *s = NULL;
    char err[256];
    ck_assert_int_eq(sls_sumjson_load("/nonexistent/x.json", &s, NULL, err, sizeof(err)),
                     SLS_EOPEN);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.json"));
}
END_TEST

/* ----------------------------------------------------------------- merge */

START_TEST(test_merge_of_parts_equals_the_whole)
{
    /* Split the scenario at every point: the merge of both halves equals
     * the summary fed with everything. */
    sls_summary *whole = sls_summary_new(0);
    feed(whole, 0, NEVENTS);
    for (int cut = 0; cut <= NEVENTS; cut++) {
        sls_summary *a = sls_summary_new(0), *b = sls_summary_new(0);
        feed(a, 0, cut);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        feed(b, cut, NEVENTS);
        /* feed() adds a fixed set of counters every time: once is enough */
        memset(&b->counters, 0, sizeof(b->counters));
        b->retrans_requests = b->retrans_responses = 0;
        ck_assert_int_eq(sls_summary_merge(a, b), 0);
        summary_eq(whole, a, 1);
        /* the other way round too */
        sls_summary *a2 = sls_summary_new(0);
        feed(a2, 0, cut);
        ck_assert_int_eq(sls_summary_merge(b, a2), 0);
        ck_assert_int_eq(sls_hist_percentile(&b->pdd, 95), sls_hist_percentile(&whole->pdd, 95));
        ck_assert_uint_eq(b->calls, whole->calls);
        ck_assert_int_eq(b->window_origin_ns, whole->window_origin_ns);
        sls_summary_free(a);
        sls_summary_free(a2);
        sls_summary_free(b);
    }
    sls_summary_free(whole);
}
END_TEST

START_TEST(test_merge_through_json_equals_the_whole)
{
    sls_summary *whole = sls_summary_new(0), *a = sls_summary_new(0), *b = sls_summary_new(0);
    feed(whole, 0, NEVENTS);
    feed(a, 0, 6);
    ck_assert_ptr_nonnull(b);
    feed(b, 6, NEVENTS);
    memset(&b->counters, 0, sizeof(b->counters));
    b->retrans_requests = b->retrans_responses = 0;
    char pa[] = "/tmp/sls-a-XXXXXX", pb[] = "/tmp/sls-b-XXXXXX";
    int fa = mkstemp(pa), fb = mkstemp(pb);
    ck_assert(fa >= 0 && fb >= 0);
    FILE *f = fdopen(fa, "w");
    ck_assert_int_eq(sls_report_json(f, a, NULL), 0);
    fclose(f);
    f = fdopen(fb, "w");
    ck_assert_int_eq(sls_report_json(f, b, NULL), 0);
    fclose(f);
    const char *paths[2] = {pa, pb};
    sls_summary *m = NULL;
    sls_report_files rf;
    char err[256] = "";
    ck_assert_msg(sls_sumjson_load_all(paths, 2, &m, &rf, err, sizeof(err)) == 0, "%s", err);
    summary_eq(whole, m, 1);
    ck_assert_uint_eq(rf.nfiles, 0);
    sls_summary_free(m);
    sls_sumjson_files_free(&rf);
    unlink(pa);
    unlink(pb);
    sls_summary_free(whole);
    sls_summary_free(a);
    sls_summary_free(b);
}
END_TEST

START_TEST(test_merge_refuses_other_window_widths_and_changes_nothing)
{
    sls_summary *a = sls_summary_new(0), *b = sls_summary_new(300 * 1000000000LL);
    feed(a, 0, 4);
    feed(b, 4, 8);
    uint64_t calls = a->calls;
    ck_assert_int_eq(sls_summary_merge(a, b), SLS_EINVAL);
    ck_assert_uint_eq(a->calls, calls);
    /* a window start that is not a multiple of the width */
    sls_summary *c = sls_summary_new(0);
    feed(c, 4, 8);
    c->window_origin_ns += 1000;
    ck_assert_int_eq(sls_summary_merge(a, c), SLS_EINVAL);
    ck_assert_uint_eq(a->calls, calls);
    sls_summary_free(a);
    sls_summary_free(b);
    sls_summary_free(c);
}
END_TEST

START_TEST(test_merge_windows_by_absolute_start)
{
    sls_summary *a = sls_summary_new(0), *b = sls_summary_new(0);
    sls_call c1 = call(SLS_OUTCOME_ANSWERED, 200, T0 + 10 * 60 * 1000 * MS, 1, 5);
    sls_call c2 = call(SLS_OUTCOME_BUSY, 486, T0 + 2 * 60 * 1000 * MS + 5, 1, 5);
    a->first_ts_ns = a->last_ts_ns = c1.start_ts_ns;
    a->packets = 1;
    sls_summary_call_done(a, &c1);
    b->first_ts_ns = b->last_ts_ns = c2.start_ts_ns;
    b->packets = 1;
    sls_summary_call_done(b, &c2);
    ck_assert_int_eq(sls_summary_merge(a, b), 0);
    /* one run over both would start at the window of the first packet */
    ck_assert_int_eq(a->window_origin_ns, T0 + 2 * 60 * 1000 * MS);
    ck_assert_uint_eq(windows_used(a), 9);
    ck_assert_uint_eq(a->windows[0].attempts, 1);
    ck_assert_uint_eq(a->windows[8].attempts, 1);
    ck_assert_uint_eq(a->windows[8].answered, 1);
    for (int i = 1; i < 8; i++)
        ck_assert_uint_eq(a->windows[i].attempts, 0);
    ck_assert_int_eq(a->first_ts_ns, c2.start_ts_ns);
    ck_assert_int_eq(a->last_ts_ns, c1.start_ts_ns);
    sls_summary_free(a);
    sls_summary_free(b);
}
END_TEST

START_TEST(test_merge_peers_overflow_into_other)
{
    sls_summary *a = sls_summary_new(0), *b = sls_summary_new(0);
    for (int i = 0; i < SLS_SUMMARY_MAX_PEERS; i++) {
        sls_call c = call(SLS_OUTCOME_ANSWERED, 200, T0, 0, 5);
        c.responder.bytes[2] = (uint8_t)(i >> 8);
        c.responder.bytes[3] = (uint8_t)i;
        sls_summary_call_done(a, &c);
    }
    for (int i = 0; i < 10; i++) {
        sls_call c = call(SLS_OUTCOME_FAILED, 500, T0, 0, 5);
        c.responder.bytes[1] = 7;
        c.responder.bytes[3] = (uint8_t)i;
        sls_summary_call_done(b, &c);
    }
    ck_assert_uint_eq(a->npeers, SLS_SUMMARY_MAX_PEERS);
    ck_assert_int_eq(sls_summary_merge(a, b), 0);
    ck_assert_uint_eq(a->npeers, SLS_SUMMARY_MAX_PEERS + 1);
    const sls_peer_stats *o = &a->peers[SLS_SUMMARY_MAX_PEERS];
    ck_assert_int_eq(o->other, 1);
    ck_assert_uint_eq(o->calls, 10);
    ck_assert_uint_eq(o->failures, 10);
    ck_assert_uint_eq(o->final_codes[500], 10);
    /* merging again adds to the same buckets */
    ck_assert_int_eq(sls_summary_merge(a, b), 0);
    ck_assert_uint_eq(a->npeers, SLS_SUMMARY_MAX_PEERS + 1);
    ck_assert_uint_eq(o->calls, 20);
    sls_summary_free(a);
    sls_summary_free(b);
}
END_TEST

START_TEST(test_files_lists_append_and_free)
{
    sls_file_info fi;
    memset(&fi, 0, sizeof(fi));
    fi.path = "x.pcap";
    fi.linktype_name = "EN10MB";
    fi.packets = 4;
    sls_report_files src = {&fi, 1}, dst = {NULL, 0};
    ck_assert_int_eq(sls_sumjson_files_append(&dst, &src), 0);
    ck_assert_int_eq(sls_sumjson_files_append(&dst, &src), 0);
    ck_assert_uint_eq(dst.nfiles, 2);
    ck_assert_ptr_ne(dst.files[1].path, fi.path);
    ck_assert_str_eq(dst.files[1].path, "x.pcap");
    ck_assert_str_eq(dst.files[1].linktype_name, "EN10MB");
    sls_sumjson_files_free(&dst);
    ck_assert_uint_eq(dst.nfiles, 0);
    sls_sumjson_files_free(NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sumjson");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, test_round_trip_of_a_synthetic_summary_is_exact);
    tcase_add_test(tc, test_round_trip_of_an_empty_summary);
    tcase_add_loop_test(tc, test_round_trip_of_real_captures, 0,
                        (int)(sizeof(captures) / sizeof(captures[0])));
    tcase_add_test(tc, test_not_a_summary_is_refused);
    tcase_add_loop_test(tc, test_every_mutation_is_reported, 0,
                        (int)(sizeof(mutations) / sizeof(mutations[0])));
    tcase_add_test(tc, test_load_names_a_missing_file);
    tcase_add_test(tc, test_files_lists_append_and_free);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("merge");
    tcase_add_test(tm, test_merge_of_parts_equals_the_whole);
    tcase_add_test(tm, test_merge_through_json_equals_the_whole);
    tcase_add_test(tm, test_merge_refuses_other_window_widths_and_changes_nothing);
    tcase_add_test(tm, test_merge_windows_by_absolute_start);
    tcase_add_test(tm, test_merge_peers_overflow_into_other);
    suite_add_tcase(s, tm);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
