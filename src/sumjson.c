/* JSON summary reader (jansson); the layout is that of src/report.c. */
#include "sipsleuth/sumjson.h"

#include "sipsleuth/error.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ------------------------------------------------------------ file lists */

/* The strings of one entry live in one block starting at its path. */
static void free_entry(sls_file_info *f)
{
    char *block;
    /* The struct keeps const pointers for its readers; the block is ours. */
    memcpy(&block, &f->path, sizeof(block));
    free(block);
}

void sls_sumjson_files_free(sls_report_files *rf)
{
    if (rf == NULL)
        return;
    for (size_t i = 0; rf->files != NULL && i < rf->nfiles; i++)
        free_entry(&rf->files[i]);
    free(rf->files);
    rf->files = NULL;
    rf->nfiles = 0;
}

static int add_entry(sls_report_files *rf, const sls_file_info *src)
{
    size_t lp = strlen(src->path), ll = strlen(src->linktype_name);
    char *block = malloc(lp + ll + 2);
    if (block == NULL)
        return SLS_ENOMEM;
    sls_file_info *nf = realloc(rf->files, (rf->nfiles + 1) * sizeof(*nf));
    if (nf == NULL) {
        free(block);
        return SLS_ENOMEM;
    }
    rf->files = nf;
    memcpy(block, src->path, lp + 1);
    memcpy(block + lp + 1, src->linktype_name, ll + 1);
    sls_file_info *f = &rf->files[rf->nfiles++];
    *f = *src;
    f->path = block;
    f->linktype_name = block + lp + 1;
    return 0;
}

int sls_sumjson_files_append(sls_report_files *dst, const sls_report_files *src)
{
    for (size_t i = 0; src != NULL && i < src->nfiles; i++)
        if (add_entry(dst, &src->files[i]) < 0)
            return SLS_ENOMEM;
    return 0;
}

/* ---------------------------------------------------------------- reader */

typedef struct rd {
    const char *name;
    char *err;
    size_t errlen;
    int rc;          /* first error */
} rd;

__attribute__((format(printf, 3, 4))) static int fail(rd *r, int rc, const char *fmt, ...)
{
    if (r->rc != 0)
        return r->rc;
    r->rc = rc;
    if (r->err != NULL && r->errlen > 0) {
        char msg[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(r->err, r->errlen, "%s: %s", r->name, msg);
    }
    return rc;
}

/* Member `key` of obj; NULL (and an error unless optional) if absent. */
static json_t *member(rd *r, const json_t *obj, const char *path, const char *key, int optional)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (v == NULL && !optional)
        fail(r, SLS_EINVAL, "%s%s%s: missing", path, *path ? "." : "", key);
    return v;
}

static json_t *object_at(rd *r, const json_t *obj, const char *path, const char *key,
                         int optional)
{
    json_t *v = member(r, obj, path, key, optional);
    if (v != NULL && !json_is_object(v)) {
        fail(r, SLS_EINVAL, "%s%s%s: expected an object", path, *path ? "." : "", key);
        return NULL;
    }
    return v;
}

static int as_u64(rd *r, const json_t *v, const char *path, const char *key, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return fail(r, SLS_EINVAL, "%s%s%s: expected a non-negative integer", path,
                    *path ? "." : "", key);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int get_u64(rd *r, const json_t *obj, const char *path, const char *key, uint64_t *out)
{
    json_t *v = member(r, obj, path, key, 0);
    if (v == NULL)
        return SLS_EINVAL;
    return as_u64(r, v, path, key, out);
}

static const char *get_str(rd *r, const json_t *obj, const char *path, const char *key,
                           int optional)
{
    json_t *v = member(r, obj, path, key, optional);
    if (v == NULL)
        return NULL;
    if (!json_is_string(v)) {
        fail(r, SLS_EINVAL, "%s.%s: expected a string", path, key);
        return NULL;
    }
    return json_string_value(v);
}

/* "100".."699" */
static int code_key(rd *r, const char *path, const char *key, unsigned *code)
{
    uint64_t v;
    if (strlen(key) != 3 || sls__parse_u64(key, 3, 699, &v) < 0 || v < 100)
        return fail(r, SLS_EINVAL, "%s: '%s' is not a response code (100 to 699)", path, key);
    *code = (unsigned)v;
    return 0;
}

/* {"503": n, ...} added into codes[700]. */
static int read_codes(rd *r, json_t *obj, const char *path, uint64_t *codes)
{
    const char *k;
    json_t *v;
    if (!json_is_object(obj))
        return fail(r, SLS_EINVAL, "%s: expected an object", path);
    json_object_foreach(obj, k, v) {
        unsigned c = 0;
        uint64_t n = 0;
        if (code_key(r, path, k, &c) < 0 || as_u64(r, v, path, k, &n) < 0)
            return r->rc;
        codes[c] += n;
    }
    return 0;
}

/* "2016-05-12T21:22:18.083807Z" (what sls__format_utc writes) -> ns. */
static int parse_utc(const char *s, int64_t *out)
{
    /* Fixed layout: YYYY-MM-DDTHH:MM:SS.ffffffZ */
    static const char layout[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    if (strlen(s) != sizeof(layout) - 1)
        return SLS_EINVAL;
    for (size_t i = 0; layout[i]; i++) {
        if (layout[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != layout[i])
            return SLS_EINVAL;
    }
    uint64_t y, mo, d, h, mi, se, us;
    sls__parse_u64(s, 4, 9999, &y);
    sls__parse_u64(s + 5, 2, 99, &mo);
    sls__parse_u64(s + 8, 2, 99, &d);
    sls__parse_u64(s + 11, 2, 99, &h);
    sls__parse_u64(s + 14, 2, 99, &mi);
    sls__parse_u64(s + 17, 2, 99, &se);
    sls__parse_u64(s + 20, 6, 999999, &us);
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return SLS_EINVAL;
    /* Days from civil (H. Hinnant's algorithm), proleptic Gregorian. */
    int64_t yy = (int64_t)y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = ((int64_t)mo + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    int64_t sec = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)se;
    *out = sec * 1000000000 + (int64_t)us * 1000;
    return 0;
}

static int read_hist(rd *r, const json_t *obj, const char *path, sls_hist *h)
{
    uint64_t count = 0, n = 0;
    sls_hist_init(h);
    if (get_u64(r, obj, path, "count", &count) < 0 || get_u64(r, obj, path, "max", &h->max_ms) < 0 ||
        get_u64(r, obj, path, "sum", &h->sum_ms) < 0)
        return r->rc;
    json_t *b = object_at(r, obj, path, "histogram", 0);
    if (b == NULL)
        return r->rc;
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        uint64_t lower = 0;
        if (sls__parse_u64(k, strlen(k), UINT64_MAX, &lower) < 0 ||
            as_u64(r, v, path, k, &n) < 0)
            return fail(r, SLS_EINVAL, "%s.histogram: bad bucket '%s'", path, k);
        if (n == 0)
            continue;
        if (sls_hist_add_bucket(h, lower, n) < 0)
            return fail(r, SLS_EINVAL, "%s.histogram: %s is not a bucket edge (or the count is "
                                       "too large)", path, k);
    }
    if (h->count != count)
        return fail(r, SLS_EINVAL, "%s: the histogram holds %llu values, count says %llu", path,
                    (unsigned long long)h->count, (unsigned long long)count);
    return 0;
}

static int read_counters(rd *r, const json_t *cap, const char *key, enum sls_counter_kind kind,
                         sls_summary *s)
{
    char path[48];
    snprintf(path, sizeof(path), "capture.%s", key);
    json_t *o = object_at(r, cap, "capture", key, 0);
    if (o == NULL)
        return r->rc;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int id = -1;
        for (int c = 0; c < SLS_CTR_COUNT; c++)
            if (strcmp(sls_counter_name((enum sls_counter)c), k) == 0)
                id = c;
        if (id < 0 || sls_counter_kind((enum sls_counter)id) != kind)
            return fail(r, SLS_EINVAL, "%s: unknown counter '%s' (written by a newer "
                                       "sipsleuth?)", path, k);
        if (as_u64(r, v, path, k, &s->counters.v[id]) < 0)
            return r->rc;
    }
    return 0;
}

static int read_files(rd *r, const json_t *cap, sls_report_files *rf)
{
    json_t *a = member(r, cap, "capture", "files", 0);
    if (a == NULL)
        return r->rc;
    if (!json_is_array(a))
        return fail(r, SLS_EINVAL, "capture.files: expected an array");
    size_t i;
    json_t *f;
    json_array_foreach(a, i, f) {
        char path[40];
        snprintf(path, sizeof(path), "capture.files[%zu]", i);
        if (!json_is_object(f))
            return fail(r, SLS_EINVAL, "%s: expected an object", path);
        sls_file_info fi;
        memset(&fi, 0, sizeof(fi));
        fi.path = get_str(r, f, path, "path", 0);
        fi.linktype_name = get_str(r, f, path, "link_type", 0);
        const char *st = get_str(r, f, path, "state", 0);
        const char *msg = get_str(r, f, path, "message", 1);
        if (r->rc != 0 || get_u64(r, f, path, "packets", &fi.packets) < 0)
            return r->rc;
        if (strcmp(st, "ok") == 0)
            fi.state = SLS_FILE_OK;
        else if (strcmp(st, "truncated") == 0)
            fi.state = SLS_FILE_TRUNCATED;
        else if (strcmp(st, "read-error") == 0)
            fi.state = SLS_FILE_READ_ERROR;
        else
            return fail(r, SLS_EINVAL, "%s.state: '%s' is not ok, truncated or read-error", path,
                        st);
        fi.linktype = -1; /* the document names it only */
        if (msg != NULL)
            snprintf(fi.message, sizeof(fi.message), "%s", msg);
        if (rf != NULL && add_entry(rf, &fi) < 0)
            return fail(r, SLS_ENOMEM, "%s", sls_strerror(SLS_ENOMEM));
    }
    return 0;
}

static int read_capture(rd *r, const json_t *root, sls_summary *s, sls_report_files *rf)
{
    json_t *c = object_at(r, root, "", "capture", 0);
    if (c == NULL)
        return r->rc;
    const char *p = "capture";
    uint64_t txn_peak = 0;
    if (read_files(r, c, rf) < 0 || get_u64(r, c, p, "packets", &s->packets) < 0 ||
        get_u64(r, c, p, "bytes", &s->bytes) < 0 ||
        get_u64(r, c, p, "sip_messages", &s->sip_messages) < 0 ||
        get_u64(r, c, p, "sip_requests", &s->requests) < 0 ||
        get_u64(r, c, p, "sip_responses", &s->responses) < 0 ||
        get_u64(r, c, p, "retransmitted_requests", &s->retrans_requests) < 0 ||
        get_u64(r, c, p, "retransmitted_responses", &s->retrans_responses) < 0 ||
        get_u64(r, c, p, "peak_open_transactions", &txn_peak) < 0 ||
        read_counters(r, c, "not_sip", SLS_KIND_OTHER, s) < 0 ||
        read_counters(r, c, "skipped", SLS_KIND_SKIPPED, s) < 0 ||
        read_counters(r, c, "malformed", SLS_KIND_MALFORMED, s) < 0 ||
        read_counters(r, c, "anomalies", SLS_KIND_ANOMALY, s) < 0)
        return r->rc;
    s->txn_peak_open = (size_t)txn_peak;
    static const char *const ts_keys[2] = {"first_packet", "last_packet"};
    int64_t *ts[2] = {&s->first_ts_ns, &s->last_ts_ns};
    for (int i = 0; i < 2; i++) {
        json_t *v = member(r, c, p, ts_keys[i], 0);
        if (v == NULL)
            return r->rc;
        if (json_is_null(v) && s->packets == 0)
            continue;
        if (!json_is_string(v) || parse_utc(json_string_value(v), ts[i]) < 0)
            return fail(r, SLS_EINVAL, "capture.%s: expected a UTC time "
                                       "(YYYY-MM-DDTHH:MM:SS.ffffffZ)%s", ts_keys[i],
                        s->packets ? "" : " or null");
    }
    return 0;
}

static int read_methods(rd *r, const json_t *root, sls_summary *s)
{
    json_t *req = object_at(r, root, "", "requests", 0);
    json_t *txn = object_at(r, root, "", "transactions", 0);
    if (req == NULL || txn == NULL)
        return r->rc;
    const char *k;
    json_t *v;
    json_object_foreach(req, k, v) {
        if (strlen(k) == 0 || strlen(k) >= SLS_SUMMARY_MAX_NAME)
            return fail(r, SLS_EINVAL, "requests: bad method name");
        sls_method_stats *m = sls_summary_method(s, k, strlen(k));
        uint64_t n = 0;
        if (as_u64(r, v, "requests", k, &n) < 0)
            return r->rc;
        m->requests += n;
    }
    json_object_foreach(txn, k, v) {
        char path[64];
        snprintf(path, sizeof(path), "transactions.%.40s", k);
        if (strlen(k) == 0 || strlen(k) >= SLS_SUMMARY_MAX_NAME || !json_is_object(v))
            return fail(r, SLS_EINVAL, "%s: bad method entry", path);
        sls_method_stats *m = sls_summary_method(s, k, strlen(k));
        uint64_t total, b[SLS_BUCKET_COUNT], x[9];
        static const char *const keys[9] = {
            "timed_out", "challenged", "without_request", "request_retransmissions",
            "response_retransmissions", "errors", "rated", "total", NULL};
        for (int i = 0; i < SLS_BUCKET_COUNT; i++)
            if (get_u64(r, v, path, sls_bucket_name((enum sls_bucket)i), &b[i]) < 0)
                return r->rc;
        for (int i = 0; keys[i] != NULL; i++)
            if (get_u64(r, v, path, keys[i], &x[i]) < 0)
                return r->rc;
        total = x[7];
        m->txn_total += total;
        for (int i = 0; i < SLS_BUCKET_COUNT; i++)
            m->txn_bucket[i] += b[i];
        m->txn_timed_out += x[0];
        m->txn_challenged += x[1];
        m->txn_without_request += x[2];
        m->request_retrans += x[3];
        m->response_retrans += x[4];
        m->txn_errors += x[5];
        m->txn_rated += x[6];
        s->txn_total += total;
        json_t *fc = object_at(r, v, path, "final_codes", 1);
        if (fc != NULL && json_object_size(fc) > 0) {
            if (m->final_codes == NULL &&
                (m->final_codes = calloc(700, sizeof(*m->final_codes))) == NULL)
                return fail(r, SLS_ENOMEM, "%s", sls_strerror(SLS_ENOMEM));
            char fpath[80];
            snprintf(fpath, sizeof(fpath), "%s.final_codes", path);
            if (read_codes(r, fc, fpath, m->final_codes) < 0)
                return r->rc;
        }
        json_t *rt = object_at(r, v, path, "response_ms", 1);
        if (rt != NULL) {
            sls_hist *h = calloc(1, sizeof(*h));
            if (h == NULL)
                return fail(r, SLS_ENOMEM, "%s", sls_strerror(SLS_ENOMEM));
            char hpath[80];
            snprintf(hpath, sizeof(hpath), "%s.response_ms", path);
            if (read_hist(r, rt, hpath, h) < 0) {
                free(h);
                return r->rc;
            }
            if (m->response_time == NULL) {
                m->response_time = h;
            } else {
                sls_hist_merge(m->response_time, h);
                free(h);
            }
        }
        if (r->rc != 0)
            return r->rc;
    }
    return 0;
}

static int read_codes_tables(rd *r, const json_t *root, sls_summary *s)
{
    json_t *resp = object_at(r, root, "", "responses", 0);
    json_t *rcodes = object_at(r, root, "", "response_codes", 0);
    if (resp == NULL || rcodes == NULL || read_codes(r, resp, "responses", s->response_codes) < 0)
        return r->rc;
    const char *k;
    json_t *v;
    json_object_foreach(rcodes, k, v) {
        char path[40];
        unsigned c = 0;
        snprintf(path, sizeof(path), "response_codes.%.3s", k);
        if (code_key(r, "response_codes", k, &c) < 0 ||
            get_u64(r, v, path, "transactions", &s->final_codes[c]) < 0)
            return r->rc;
    }
    json_t *er = object_at(r, root, "", "error_rate", 0);
    uint64_t pending;
    if (er == NULL || get_u64(r, er, "error_rate", "errors", &s->txn_errors) < 0 ||
        get_u64(r, er, "error_rate", "denominator", &s->txn_rated) < 0 ||
        get_u64(r, er, "error_rate", "challenges", &s->txn_challenged) < 0 ||
        get_u64(r, er, "error_rate", "timed_out", &s->txn_timed_out) < 0 ||
        get_u64(r, er, "error_rate", "pending", &pending) < 0)
        return r->rc;
    s->txn_no_final = pending + s->txn_timed_out;
    s->txn_evicted = s->counters.v[SLS_CTR_TXN_EVICTED];
    return 0;
}

/* "10.0.0.1:5060", "[2001:db8::1]:5060" or "(other)". */
static int parse_peer_key(const char *s, sls_peer_stats *p)
{
    if (strcmp(s, "(other)") == 0) {
        p->other = 1;
        return 0;
    }
    char host[64];
    const char *colon = strrchr(s, ':');
    if (colon == NULL)
        return SLS_EINVAL;
    size_t hl = (size_t)(colon - s);
    int v6 = s[0] == '[';
    if (v6) {
        if (hl < 3 || s[hl - 1] != ']')
            return SLS_EINVAL;
        hl -= 2;
        if (hl >= sizeof(host))
            return SLS_EINVAL;
        memcpy(host, s + 1, hl);
    } else {
        if (hl == 0 || hl >= sizeof(host))
            return SLS_EINVAL;
        memcpy(host, s, hl);
    }
    host[hl] = '\0';
    uint64_t port;
    if (sls__parse_u64(colon + 1, strlen(colon + 1), 65535, &port) < 0)
        return SLS_EINVAL;
    memset(&p->addr, 0, sizeof(p->addr));
    if (inet_pton(v6 ? AF_INET6 : AF_INET, host, p->addr.bytes) != 1)
        return SLS_EINVAL;
    p->addr.family = v6 ? 6 : 4;
    p->port = (uint16_t)port;
    return 0;
}

static int read_calls(rd *r, const json_t *root, sls_summary *s)
{
    json_t *c = object_at(r, root, "", "calls", 0);
    if (c == NULL)
        return r->rc;
    const char *p = "calls";
    uint64_t peak;
    if (get_u64(r, c, p, "total", &s->calls) < 0 ||
        get_u64(r, c, p, "challenged", &s->calls_challenged) < 0 ||
        get_u64(r, c, p, "failed", &s->calls_failed) < 0 ||
        get_u64(r, c, p, "evicted", &s->calls_evicted) < 0 ||
        get_u64(r, c, p, "peak_open", &peak) < 0)
        return r->rc;
    s->calls_peak_open = (size_t)peak;
    json_t *o = object_at(r, c, p, "outcomes", 0);
    if (o == NULL)
        return r->rc;
    const char *k;
    json_t *v;
    uint64_t sum = 0;
    json_object_foreach(o, k, v) {
        int id = sls_outcome_from_name(k);
        if (id < 0)
            return fail(r, SLS_EINVAL, "calls.outcomes: unknown outcome '%s'", k);
        if (as_u64(r, v, "calls.outcomes", k, &s->outcomes[id]) < 0)
            return r->rc;
        sum += s->outcomes[id];
    }
    if (sum != s->calls)
        return fail(r, SLS_EINVAL, "calls.outcomes add up to %llu, calls.total is %llu",
                    (unsigned long long)sum, (unsigned long long)s->calls);

    json_t *rna = member(r, c, p, "ringing_no_answer", 1);
    if (rna != NULL) {
        if (as_u64(r, rna, p, "ringing_no_answer", &s->calls_ringing_no_answer) < 0)
            return r->rc;
    } else {
        /* NER = (answered + busy + cancelled + rejected + ringing no
         * answer) / attempts, printed with 6 decimals: the one unknown
         * comes back exactly while attempts stay below a million. */
        json_t *ner = member(r, c, p, "ner", 0);
        if (ner == NULL)
            return r->rc;
        if (!json_is_number(ner))
            return fail(r, SLS_EINVAL, "calls.ner: expected a number");
        uint64_t attempts = sls_summary_call_attempts(s);
        double eff = round(json_number_value(ner) * (double)attempts);
        uint64_t known = s->outcomes[SLS_OUTCOME_ANSWERED] + s->outcomes[SLS_OUTCOME_BUSY] +
                         s->outcomes[SLS_OUTCOME_CANCELLED] + s->outcomes[SLS_OUTCOME_REJECTED];
        uint64_t rest = eff > (double)known ? (uint64_t)eff - known : 0;
        if (rest > s->outcomes[SLS_OUTCOME_NO_ANSWER])
            rest = s->outcomes[SLS_OUTCOME_NO_ANSWER];
        s->calls_ringing_no_answer = rest;
    }

    json_t *t = object_at(r, root, "", "timings", 0);
    if (t == NULL)
        return r->rc;
    static const char *const hk[5] = {"pdd_ms", "answer_ms", "ack_ms", "duration_ms",
                                      "response_ms"};
    sls_hist *hs[5] = {&s->pdd, &s->answer, &s->ack, &s->duration, &s->response_time};
    for (int i = 0; i < 5; i++) {
        char path[32];
        snprintf(path, sizeof(path), "timings.%s", hk[i]);
        json_t *h = object_at(r, t, "timings", hk[i], 0);
        if (h == NULL || read_hist(r, h, path, hs[i]) < 0)
            return r->rc;
    }

    json_t *peers = member(r, root, "", "peers", 0);
    if (peers == NULL)
        return r->rc;
    if (!json_is_array(peers))
        return fail(r, SLS_EINVAL, "peers: expected an array");
    if (json_array_size(peers) > SLS_SUMMARY_MAX_PEERS + 1)
        return fail(r, SLS_EINVAL, "peers: more than %d peers", SLS_SUMMARY_MAX_PEERS + 1);
    size_t i;
    json_array_foreach(peers, i, v) {
        char path[40];
        snprintf(path, sizeof(path), "peers[%zu]", i);
        const char *key = get_str(r, v, path, "peer", 0);
        if (key == NULL)
            return r->rc;
        sls_peer_stats *pe = &s->peers[s->npeers];
        memset(pe, 0, sizeof(*pe));
        if (parse_peer_key(key, pe) < 0)
            return fail(r, SLS_EINVAL, "%s.peer: '%s' is not ADDR:PORT, [ADDR]:PORT or (other)",
                        path, key);
        for (size_t j = 0; j < s->npeers; j++)
            if (s->peers[j].other == pe->other && s->peers[j].port == pe->port &&
                memcmp(&s->peers[j].addr, &pe->addr, sizeof(pe->addr)) == 0)
                return fail(r, SLS_EINVAL, "%s: peer '%s' listed twice", path, key);
        json_t *po = object_at(r, v, path, "outcomes", 0);
        json_t *pc = object_at(r, v, path, "final_codes", 0);
        if (po == NULL || pc == NULL || get_u64(r, v, path, "calls", &pe->calls) < 0 ||
            get_u64(r, v, path, "answered", &pe->answered) < 0 ||
            get_u64(r, v, path, "failures", &pe->failures) < 0)
            return r->rc;
        json_t *ov;
        json_object_foreach(po, k, ov) {
            int id = sls_outcome_from_name(k);
            if (id < 0)
                return fail(r, SLS_EINVAL, "%s.outcomes: unknown outcome '%s'", path, k);
            if (as_u64(r, ov, path, k, &pe->outcomes[id]) < 0)
                return r->rc;
        }
        char cpath[56];
        snprintf(cpath, sizeof(cpath), "%s.final_codes", path);
        if (read_codes(r, pc, cpath, pe->final_codes) < 0)
            return r->rc;
        /* Calls without a final response count under code 0 (summary.c),
         * which the document leaves out: they are the rest. */
        uint64_t coded = 0;
        for (unsigned code = 100; code < 700; code++)
            coded += pe->final_codes[code];
        if (coded > pe->calls)
            return fail(r, SLS_EINVAL, "%s: more final codes than calls", path);
        pe->final_codes[0] = pe->calls - coded;
        s->npeers++;
    }
    return 0;
}

static int read_windows(rd *r, const json_t *root, sls_summary *s)
{
    json_t *w = object_at(r, root, "", "windows", 0);
    if (w == NULL)
        return r->rc;
    json_t *width = member(r, w, "windows", "width_s", 0);
    json_t *items = member(r, w, "windows", "items", 0);
    if (width == NULL || items == NULL)
        return r->rc;
    double ws = json_is_number(width) ? json_number_value(width) : -1;
    if (!(ws >= 0.001 && ws <= 86400.0))
        return fail(r, SLS_EINVAL, "windows.width_s: expected a number from 0.001 to 86400");
    s->window_ns = (int64_t)llround(ws * 1e9);
    if (!json_is_array(items))
        return fail(r, SLS_EINVAL, "windows.items: expected an array");
    size_t n = json_array_size(items);
    if (n > SLS_SUMMARY_MAX_WINDOWS)
        return fail(r, SLS_EINVAL, "windows.items: more than %d windows",
                    SLS_SUMMARY_MAX_WINDOWS);
    if (n == 0)
        return 0;
    /* Only windows with calls are listed, in order, each starting a whole
     * number of widths after the first. The last start gives the size. */
    int64_t origin = 0, last = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        size_t i;
        json_t *v;
        int64_t prev = 0;
        json_array_foreach(items, i, v) {
            char path[48];
            snprintf(path, sizeof(path), "windows.items[%zu]", i);
            const char *start = get_str(r, v, path, "start", 0);
            if (start == NULL)
                return r->rc;
            int64_t t;
            if (parse_utc(start, &t) < 0)
                return fail(r, SLS_EINVAL, "%s.start: expected a UTC time", path);
            if (i == 0 && pass == 0)
                origin = t;
            if (t < origin || (t - origin) % s->window_ns != 0 || (i > 0 && t <= prev))
                return fail(r, SLS_EINVAL,
                            "%s.start: windows must start whole widths apart, in order", path);
            prev = t;
            uint64_t k = (uint64_t)((t - origin) / s->window_ns);
            if (k >= SLS_SUMMARY_MAX_WINDOWS)
                return fail(r, SLS_EINVAL, "%s.start: more than %d windows", path,
                            SLS_SUMMARY_MAX_WINDOWS);
            if (pass == 0) {
                last = t;
                continue;
            }
            sls_window_stats *wi = &s->windows[k];
            if (get_u64(r, v, path, "attempts", &wi->attempts) < 0 ||
                get_u64(r, v, path, "answered", &wi->answered) < 0 ||
                get_u64(r, v, path, "failures", &wi->failures) < 0)
                return r->rc;
        }
        if (pass == 0) {
            size_t count = (size_t)((last - origin) / s->window_ns) + 1;
            s->windows = calloc(count, sizeof(*s->windows));
            if (s->windows == NULL)
                return fail(r, SLS_ENOMEM, "%s", sls_strerror(SLS_ENOMEM));
            s->nwindows = count;
            s->window_origin_ns = origin;
        }
    }
    return 0;
}

int sls_sumjson_read(const char *text, size_t len, const char *name, sls_summary **out,
                     sls_report_files *files, char *err, size_t errlen)
{
    rd r = {name, err, errlen, 0};
    *out = NULL;
    if (files != NULL)
        memset(files, 0, sizeof(*files));
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s:%d: not JSON: %s", name, je.line, je.text);
        return SLS_EINVAL;
    }
    sls_summary *s = NULL;
    json_t *ver = json_is_object(root) ? json_object_get(root, "schema_version") : NULL;
    if (!json_is_object(root)) {
        fail(&r, SLS_EINVAL, "not a sipsleuth summary (the document is not an object)");
    } else if (ver == NULL || !json_is_integer(ver)) {
        fail(&r, SLS_EINVAL, "not a sipsleuth summary (no schema_version)");
    } else if (json_integer_value(ver) != 1) {
        fail(&r, SLS_ERANGE, "schema_version %lld is not supported (this sipsleuth reads "
                             "version 1)", (long long)json_integer_value(ver));
    } else if ((s = sls_summary_new(0)) == NULL) {
        fail(&r, SLS_ENOMEM, "%s", sls_strerror(SLS_ENOMEM));
    } else if (read_capture(&r, root, s, files) == 0 && read_methods(&r, root, s) == 0 &&
               read_codes_tables(&r, root, s) == 0 && read_calls(&r, root, s) == 0) {
        read_windows(&r, root, s);
    }
    json_decref(root);
    if (r.rc != 0) {
        sls_summary_free(s);
        sls_sumjson_files_free(files);
        return r.rc;
    }
    *out = s;
    return 0;
}

int sls_sumjson_load(const char *path, sls_summary **out, sls_report_files *files, char *err,
                     size_t errlen)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    *out = NULL;
    if (files != NULL)
        memset(files, 0, sizeof(*files));
    if (f == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SLS_EOPEN;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int rc = buf == NULL ? SLS_ENOMEM : 0;
    while (rc == 0) {
        if (n == cap) {
            /* A summary is at most a few hundred MB (a million windows). */
            if (cap >= ((size_t)1 << 30)) {
                rc = SLS_EINVAL;
                if (err != NULL && errlen > 0)
                    snprintf(err, errlen, "%s: larger than 1 GiB: not a summary", path);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                rc = SLS_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                rc = SLS_EOPEN;
                if (err != NULL && errlen > 0)
                    snprintf(err, errlen, "%s: read error", path);
            }
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
    if (rc == SLS_ENOMEM && err != NULL && errlen > 0)
        snprintf(err, errlen, "%s: %s", path, sls_strerror(rc));
    if (rc == 0)
        rc = sls_sumjson_read(buf, n, path, out, files, err, errlen);
    free(buf);
    return rc;
}

int sls_sumjson_load_all(const char *const *paths, size_t n, sls_summary **out,
                         sls_report_files *files, char *err, size_t errlen)
{
    sls_summary *acc = NULL;
    sls_report_files all = {NULL, 0};
    int rc = 0;
    *out = NULL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sls_summary *s;
        sls_report_files rf;
        rc = sls_sumjson_load(paths[i], &s, &rf, err, errlen);
        if (rc < 0)
            break;
        rc = sls_sumjson_files_append(&all, &rf);
        sls_sumjson_files_free(&rf);
        if (rc == 0 && acc == NULL) {
            acc = s;
            continue;
        }
        if (rc == 0 && (rc = sls_summary_merge(acc, s)) < 0 && err != NULL && errlen > 0) {
            if (rc == SLS_EINVAL)
                snprintf(err, errlen, "%s: time windows of %.3f s cannot be merged with the "
                                      "%.3f s windows of %s (analyse with the same --window)",
                         paths[i], (double)s->window_ns / 1e9, (double)acc->window_ns / 1e9,
                         paths[0]);
            else
                snprintf(err, errlen, "%s: %s", paths[i], sls_strerror(rc));
        } else if (rc < 0 && err != NULL && errlen > 0) {
            snprintf(err, errlen, "%s", sls_strerror(rc));
        }
        sls_summary_free(s);
    }
    if (rc == 0 && acc == NULL && (acc = sls_summary_new(0)) == NULL)
        rc = SLS_ENOMEM;
    if (rc < 0) {
        sls_summary_free(acc);
        sls_sumjson_files_free(&all);
        return rc;
    }
    *out = acc;
    if (files != NULL)
        *files = all;
    else
        sls_sumjson_files_free(&all);
    return 0;
}
