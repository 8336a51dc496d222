/* CI outputs: terminal lines, JUnit XML (escaping, counts, valid against
 * tests/junit.xsd when xmllint is there), Markdown, check JSON, and the
 * summary as NDJSON and CSV. */
#include "sipsleuth/ciout.h"

#include "sipsleuth/error.h"
#include "sls_check.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *capture(int (*fn)(FILE *, const sls_check_report *), const sls_check_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fn(f, r), 0);
    fclose(f);
    return buf;
}

static sls_rule_result result(const char *name, enum sls_rule_status st, int is_min,
                              const char *measured, const char *allowed, const char *detail)
{
    sls_rule_result x;
    memset(&x, 0, sizeof(x));
    snprintf(x.name, sizeof(x.name), "%s", name);
    snprintf(x.description, sizeof(x.description), "description of %s", name);
    x.metric = SLS_METRIC_FAILURE_RATE;
    x.value_kind = SLS_VALUE_RATE;
    x.status = st;
    x.is_min = is_min;
    x.has_measured = st != SLS_RULE_NODATA;
    x.measured = 0.012;
    x.allowed = 0.02;
    snprintf(x.measured_text, sizeof(x.measured_text), "%s", measured);
    snprintf(x.allowed_text, sizeof(x.allowed_text), "%s", allowed);
    snprintf(x.detail, sizeof(x.detail), "%s", detail);
    return x;
}

/* Four rules: a pass, a failure, a skip, a baseline failure; names with
 * characters every format must escape. */
typedef struct fixture {
    sls_rule_result items[4];
    sls_policy_results res;
    sls_file_info files[2];
    sls_report_files rf;
    sls_summary *s;
    sls_check_report rep;
} fixture;

static void make(fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->items[0] = result("max-failure-rate", SLS_RULE_PASS, 0, "1.2%", "2%",
                         "3 of 250 call attempts failed");
    f->items[1] = result("max-count 500", SLS_RULE_FAIL, 0, "3", "0",
                         "transactions with a final 500");
    f->items[1].value_kind = SLS_VALUE_COUNT;
    f->items[2] = result("min-asr peer=[2001:db8::1]:5060", SLS_RULE_NODATA, 1, "", "40%",
                         "no call attempts");
    f->items[2].scope = "peer";
    snprintf(f->items[2].scope_value, sizeof(f->items[2].scope_value), "[2001:db8::1]:5060");
    f->items[3] = result("baseline <rate> & \"x\" | 'y' \x01 \xff", SLS_RULE_FAIL, 0, "5.2%",
                         "2%", "13 of 250 call attempts; baseline 1 of 100");
    f->items[3].is_baseline = f->items[3].has_baseline = 1;
    snprintf(f->items[3].baseline_text, sizeof(f->items[3].baseline_text), "1%%");
    snprintf(f->items[3].change_text, sizeof(f->items[3].change_text), "+4.2pp");
    snprintf(f->items[3].margin_text, sizeof(f->items[3].margin_text), "1pp");
    f->res.items = f->items;
    f->res.n = 4;
    f->res.passed = 1;
    f->res.failed = 2;
    f->res.skipped = 1;
    f->files[0].path = "run <1>.pcap";
    f->files[0].linktype_name = "EN10MB";
    f->files[1].path = "b,\"q\".pcap";
    f->files[1].linktype_name = "EN10MB";
    f->rf.files = f->files;
    f->rf.nfiles = 2;
    f->s = sls_summary_new(0);
    f->rep.results = &f->res;
    f->rep.summary = f->s;
    f->rep.files = &f->rf;
}

static void unmake(fixture *f)
{
    sls_summary_free(f->s);
}

START_TEST(test_exit_status_and_overall_status)
{
    sls_policy_results res = {NULL, 0, 0, 0, 0};
    sls_check_report r;
    memset(&r, 0, sizeof(r));
    r.results = &res;
    ck_assert_int_eq(sls_check_exit_status(&r), 0);
    ck_assert_str_eq(sls_check_status(&r), "pass");
    res.failed = 1;
    ck_assert_int_eq(sls_check_exit_status(&r), 1);
    ck_assert_str_eq(sls_check_status(&r), "fail");
    r.incomplete = 1; /* incomplete wins over a failed rule */
    ck_assert_int_eq(sls_check_exit_status(&r), 4);
    ck_assert_str_eq(sls_check_status(&r), "incomplete");
    r.incomplete_allowed = 1;
    ck_assert_int_eq(sls_check_exit_status(&r), 1);
    res.failed = 0;
    ck_assert_int_eq(sls_check_exit_status(&r), 0);
}
END_TEST

START_TEST(test_text_one_line_per_rule)
{
    fixture f;
    make(&f);
    f.items[3] = result("baseline failure-rate", SLS_RULE_FAIL, 0, "5.2%", "2%", "d");
    f.items[3].is_baseline = f.items[3].has_baseline = 1;
    snprintf(f.items[3].baseline_text, sizeof(f.items[3].baseline_text), "1%%");
    snprintf(f.items[3].change_text, sizeof(f.items[3].change_text), "+4.2pp");
    snprintf(f.items[3].margin_text, sizeof(f.items[3].margin_text), "1pp");
    char *t = capture(sls_ciout_text, &f.rep);
    ck_assert_str_eq(t,
                     "PASS max-failure-rate: 1.2% <= 2% (3 of 250 call attempts failed)\n"
                     "FAIL max-count 500: 3 > 0 (transactions with a final 500)\n"
                     "SKIP min-asr peer=[2001:db8::1]:5060: no call attempts\n"
                     "FAIL baseline failure-rate: 5.2% > 2% (baseline 1%, change +4.2pp, "
                     "margin 1pp; d)\n"
                     "RESULT fail: 4 rules, 1 passed, 2 failed, 1 skipped\n");
    free(t);
    f.items[0].is_min = 1;
    f.items[0].status = SLS_RULE_FAIL;
    f.rep.incomplete = 1;
    f.rep.incomplete_reason = "run.pcap ended early (truncated)";
    t = capture(sls_ciout_text, &f.rep);
    ck_assert_ptr_nonnull(strstr(t, "FAIL max-failure-rate: 1.2% < 2%"));
    ck_assert_ptr_nonnull(strstr(t, "INCOMPLETE analysis: run.pcap ended early (truncated) "
                                    "(exit 4; --allow-incomplete accepts it)\n"));
    ck_assert_ptr_nonnull(strstr(t, "RESULT incomplete:"));
    free(t);
    unmake(&f);
}
END_TEST

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(test_junit_counts_escaping_and_schema)
{
    fixture f;
    make(&f);
    f.rep.baseline = "old & new.json";
    char *x = capture(sls_ciout_junit, &f.rep);
    ck_assert_ptr_nonnull(strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    /* 4 rules + analysis-complete */
    ck_assert_ptr_nonnull(strstr(x, "tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"1\""));
    ck_assert_uint_eq(count(x, "<testcase classname=\"sipsleuth.check\""), 5);
    ck_assert_uint_eq(count(x, "<failure "), 2);
    ck_assert_uint_eq(count(x, "<skipped "), 1);
    ck_assert_ptr_nonnull(strstr(x, "name=\"max-count 500\""));
    ck_assert_ptr_nonnull(strstr(x, "<failure message=\"3 &gt; 0\" type=\"threshold\">"));
    ck_assert_ptr_nonnull(strstr(x, "type=\"regression\""));
    ck_assert_ptr_nonnull(
        strstr(x, "name=\"baseline &lt;rate&gt; &amp; &quot;x&quot; | &apos;y&apos; "
                  "\xef\xbf\xbd \xef\xbf\xbd\""));
    ck_assert_ptr_nonnull(strstr(x, "<property name=\"capture\" value=\"run &lt;1&gt;.pcap\"/>"));
    ck_assert_ptr_nonnull(strstr(x, "<property name=\"baseline\" value=\"old &amp; new.json\"/>"));
    ck_assert_ptr_nonnull(strstr(x, "name=\"analysis-complete\""));
    ck_assert_ptr_null(strstr(x, "\x01"));

    /* Valid against the schema the CI reporters expect, when xmllint is
     * installed (Debian libxml2-utils; the end-to-end test requires it). */
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char path[] = "/tmp/sls-junit-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, x, strlen(x)), (ssize_t)strlen(x));
        close(fd);
        char cmd[512];
        snprintf(cmd, sizeof(cmd),
                 "xmllint --noout --schema '%s/tests/junit.xsd' '%s' 2>/dev/null",
                 SLS_SOURCE_DIR, path);
        int rc = system(cmd);
        unlink(path);
        ck_assert_msg(rc == 0, "JUnit output not valid against tests/junit.xsd:\n%s", x);
    }
    free(x);

    /* incomplete: the analysis-complete case fails */
    f.rep.incomplete = 1;
    f.rep.incomplete_reason = "limits hit: transactions evicted 3";
    x = capture(sls_ciout_junit, &f.rep);
    ck_assert_ptr_nonnull(strstr(x, "tests=\"5\" failures=\"3\""));
    ck_assert_ptr_nonnull(strstr(x, "type=\"incomplete\">limits hit: transactions evicted 3<"));
    free(x);
    f.rep.incomplete_allowed = 1;
    x = capture(sls_ciout_junit, &f.rep);
    ck_assert_ptr_nonnull(strstr(x, "tests=\"5\" failures=\"2\""));
    ck_assert_ptr_nonnull(strstr(x, "(allowed by --allow-incomplete)"));
    free(x);
    unmake(&f);
}
END_TEST

START_TEST(test_markdown_table_escapes_cells)
{
    fixture f;
    make(&f);
    char *m = capture(sls_ciout_markdown, &f.rep);
    ck_assert_ptr_nonnull(strstr(m, "## sipsleuth check: FAIL\n"));
    ck_assert_ptr_nonnull(strstr(m, "4 rules: 1 passed, 2 failed, 1 skipped (no data).\n"));
    ck_assert_ptr_nonnull(strstr(m, "| Status | Rule | Measured | Allowed | Details |\n"));
    ck_assert_ptr_nonnull(
        strstr(m, "| PASS | max-failure-rate | 1.2% | &lt;= 2% | 3 of 250 call attempts failed |\n"));
    ck_assert_ptr_nonnull(strstr(m, "| SKIP | min-asr peer=\\[2001:db8::1\\]:5060 | - | &gt;= 40% |"));
    /* a '|' in a name must not open a new cell */
    ck_assert_ptr_nonnull(strstr(m, "baseline &lt;rate&gt; &amp; \"x\" \\| 'y'"));
    ck_assert_ptr_nonnull(strstr(m, "Captures: run &lt;1&gt;.pcap, b,\"q\".pcap.\n"));
    /* every table row has the same number of cells */
    const char *p = strstr(m, "| Status |");
    for (const char *line = p; line != NULL && *line == '|';) {
        const char *nl = strchr(line, '\n');
        size_t bars = 0;
        for (const char *c = line; c < nl; c++)
            bars += *c == '|' && c[-1] != '\\';
        ck_assert_uint_eq(bars, 6);
        line = nl + 1;
    }
    free(m);
    unmake(&f);
}
END_TEST

START_TEST(test_check_json_is_json)
{
    fixture f;
    make(&f);
    char *j = capture(sls_ciout_json, &f.rep);
    json_error_t e;
    json_t *root = json_loads(j, 0, &e);
    ck_assert_msg(root != NULL, "%s: %s", e.text, j);
    ck_assert_str_eq(json_string_value(json_object_get(root, "status")), "fail");
    ck_assert_int_eq(json_integer_value(json_object_get(root, "exit_status")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "failed")), 2);
    json_t *rules = json_object_get(root, "rules");
    ck_assert_uint_eq(json_array_size(rules), 4);
    json_t *r0 = json_array_get(rules, 0);
    ck_assert_str_eq(json_string_value(json_object_get(r0, "status")), "pass");
    ck_assert(json_real_value(json_object_get(r0, "measured")) == 0.012);
    ck_assert(json_is_null(json_object_get(json_array_get(rules, 2), "measured")));
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(json_array_get(rules, 2), "scope"), "peer")),
        "[2001:db8::1]:5060");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rules, 3), "change_text")),
                     "+4.2pp");
    ck_assert_ptr_nonnull(json_object_get(root, "headline"));
    json_decref(root);
    free(j);
    unmake(&f);
}
END_TEST

/* A summary with something in every table. */
static sls_summary *rich_summary(void)
{
    sls_summary *s = sls_summary_new(0);
    s->packets = 10;
    s->first_ts_ns = 1699999980000000000LL;
    s->last_ts_ns = s->first_ts_ns + 90000000000LL;
    sls_summary_request(s, "INVITE", 6);
    sls_summary_request(s, "OPTIONS", 7);
    sls_summary_response(s, 100);
    sls_summary_response(s, 503);
    sls_txn t;
    memset(&t, 0, sizeof(t));
    t.method_name = "INVITE";
    t.call_id = t.branch = t.from_tag = t.to_tag = t.request_uri = "";
    t.request_seen = t.has_final = 1;
    t.final_code = 503;
    t.request_ts_ns = s->first_ts_ns;
    t.final_ts_ns = s->first_ts_ns + 30000000;
    sls_summary_txn_done(s, &t);
    sls_call c;
    memset(&c, 0, sizeof(c));
    c.call_id = "a";
    c.outcome = SLS_OUTCOME_UNAVAILABLE;
    c.final_code = 503;
    c.start_ts_ns = s->first_ts_ns + 70000000000LL;
    c.pdd_ns = c.answer_ns = c.ack_ns = c.duration_ns = -1;
    c.responder.family = 4;
    c.responder.bytes[0] = 10;
    c.responder_port = 5060;
    sls_summary_call_done(s, &c);
    s->counters.v[SLS_CTR_UDP_NOT_SIP] = 4;
    s->counters.v[SLS_CTR_SIP_NO_CALL_ID] = 1;
    return s;
}

static char *summary_text(int csv, const sls_summary *s, const sls_report_files *rf)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(csv ? sls_report_csv(f, s, rf) : sls_report_ndjson(f, s, rf), 0);
    fclose(f);
    return buf;
}

START_TEST(test_ndjson_one_object_per_row)
{
    sls_summary *s = rich_summary();
    sls_file_info fi;
    memset(&fi, 0, sizeof(fi));
    fi.path = "a\nb.pcap";
    fi.linktype_name = "EN10MB";
    sls_report_files rf = {&fi, 1};
    char *t = summary_text(0, s, &rf);
    static const char *const tables[] = {"capture", "file", "request", "response", "transaction",
                                         "outcome", "timing", "peer", "window", "counter"};
    size_t seen[10] = {0};
    char *save = NULL;
    for (char *line = strtok_r(t, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        ck_assert_msg(o != NULL && json_is_object(o), "not an object: %s", line);
        const char *tb = json_string_value(json_object_get(o, "table"));
        ck_assert_ptr_nonnull(tb);
        int k = -1;
        for (int i = 0; i < 10; i++)
            if (strcmp(tb, tables[i]) == 0)
                k = i;
        ck_assert_msg(k >= 0, "table %s", tb);
        seen[k]++;
        if (k == 3)
            ck_assert(json_is_integer(json_object_get(o, "code")));
        if (k == 1)
            ck_assert_str_eq(json_string_value(json_object_get(o, "path")), "a\nb.pcap");
        json_decref(o);
    }
    ck_assert_uint_eq(seen[0], 1);
    ck_assert_uint_eq(seen[1], 1);
    ck_assert_uint_eq(seen[2], 2);                 /* INVITE, OPTIONS */
    ck_assert_uint_eq(seen[3], 2);                 /* 100, 503 */
    ck_assert_uint_eq(seen[4], 1);                 /* INVITE */
    ck_assert_uint_eq(seen[5], SLS_OUTCOME_COUNT); /* every outcome */
    ck_assert_uint_eq(seen[6], 5 + 1);             /* 5 global + INVITE response */
    ck_assert_uint_eq(seen[7], 1);
    ck_assert_uint_eq(seen[8], 2);                 /* the first window is empty */
    ck_assert_uint_eq(seen[9], 2);
    free(t);
    sls_summary_free(s);
}
END_TEST

/* Splits one RFC 4180 record; returns the number of fields. */
static size_t csv_fields(const char *line, char out[][128], size_t max)
{
    size_t n = 0, k = 0;
    int quoted = 0;
    for (const char *p = line; n < max; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"') {
                out[n][k++] = '"';
                p++;
            } else if (*p == '"') {
                quoted = 0;
            } else {
                out[n][k++] = *p;
            }
            continue;
        }
        if (*p == '"') {
            quoted = 1;
        } else if (*p == ',' || *p == '\0') {
            out[n++][k] = '\0';
            k = 0;
            if (*p == '\0')
                break;
        } else {
            out[n][k++] = *p;
        }
    }
    return n;
}

START_TEST(test_csv_long_format)
{
    sls_summary *s = rich_summary();
    sls_file_info fi;
    memset(&fi, 0, sizeof(fi));
    fi.path = "x,\"y\".pcap";
    fi.linktype_name = "EN10MB";
    sls_report_files rf = {&fi, 1};
    char *t = summary_text(1, s, &rf);
    ck_assert(strncmp(t, "table,key,field,value\r\n", 23) == 0);
    ck_assert_ptr_nonnull(strstr(t, "capture,,packets,10\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "file,0,path,\"x,\"\"y\"\".pcap\"\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "request,INVITE,requests,1\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "response,503,transactions,1\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "transaction,INVITE,code_503,1\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "outcome,unavailable,calls,1\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "timing,response_ms/INVITE,p95,30\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "peer,10.0.0.0:5060,failures,1\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "window,2023-11-14T22:14:00.000000Z,attempts,1\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "counter,sip-no-call-id,kind,malformed\r\n"));
    ck_assert_ptr_nonnull(strstr(t, "capture,,first_packet,2023-11-14T22:13:00.000000Z\r\n"));
    /* every record has four fields and ends with CRLF */
    char *save = NULL;
    size_t lines = 0;
    for (char *line = strtok_r(t, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        ck_assert_msg(n > 0 && line[n - 1] == '\r', "no CRLF: %s", line);
        line[n - 1] = '\0';
        char f[6][128];
        ck_assert_uint_eq(csv_fields(line, f, 6), 4);
        lines++;
    }
    ck_assert_uint_gt(lines, 60);
    free(t);
    sls_summary_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ciout");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_exit_status_and_overall_status);
    tcase_add_test(tc, test_text_one_line_per_rule);
    tcase_add_test(tc, test_junit_counts_escaping_and_schema);
    tcase_add_test(tc, test_markdown_table_escapes_cells);
    tcase_add_test(tc, test_check_json_is_json);
    tcase_add_test(tc, test_ndjson_one_object_per_row);
    tcase_add_test(tc, test_csv_long_format);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
