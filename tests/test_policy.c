/* CI policy: value parsing, every flag and INI form (errors with line
 * numbers), evaluation exactly at the boundary, scopes, baselines, limits. */
#include "sipsleuth/policy.h"

#include "sipsleuth/error.h"
#include "sls_check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- values */

static const struct value_case {
    int kind; /* 0 rate, 1 duration, 2 pp, 3 percent */
    const char *text;
    int ok;
    uint64_t value;
} value_cases[] = {
    {0, "2%", 1, 2 * SLS_RATE_PP},
    {0, "0.02", 1, 2 * SLS_RATE_PP},
    {0, "0.5%", 1, SLS_RATE_PP / 2},
    {0, "100%", 1, SLS_RATE_ONE},
    {0, "1", 1, SLS_RATE_ONE},
    {0, "0", 1, 0},
    {0, "0.000001%", 1, 1},
    {0, "0.00000001", 1, 1},
    {0, "2", 0, 0},          /* a fraction above 1 */
    {0, "100.1%", 0, 0},
    {0, "0.0000001%", 0, 0}, /* below the resolution */
    {0, "-1%", 0, 0},
    {0, " 2%", 0, 0},
    {0, "2 %", 0, 0},
    {0, ".5%", 0, 0},
    {0, "5.%", 0, 0},
    {0, "1e-2", 0, 0},
    {0, "%", 0, 0},
    {0, "", 0, 0},
    {0, "99999999999999999999%", 0, 0},
    {1, "3s", 1, 3000000},
    {1, "250ms", 1, 250000},
    {1, "1.5s", 1, 1500000},
    {1, "0.5ms", 1, 500},
    {1, "2m", 1, 120000000},
    {1, "86400s", 1, 86400000000ull},
    {1, "86401s", 0, 0},
    {1, "3", 0, 0},          /* a unit is required */
    {1, "3h", 0, 0},
    {1, "0.0001ms", 0, 0},
    {1, "ms", 0, 0},
    {1, "-3s", 0, 0},
    {2, "1pp", 1, SLS_RATE_PP},
    {2, "0.5pp", 1, SLS_RATE_PP / 2},
    {2, "100pp", 1, 100 * SLS_RATE_PP},
    {2, "101pp", 0, 0},
    {2, "1", 0, 0},
    {2, "1%", 0, 0},
    {3, "10%", 1, SLS_RATE_ONE / 10},
    {3, "1000%", 1, 10 * SLS_RATE_ONE},
    {3, "1001%", 0, 0},
    {3, "0.1", 0, 0},
};

START_TEST(test_values_parse_strictly_with_bounds)
{
    const struct value_case *c = &value_cases[_i];
    uint64_t v = 12345;
    int rc = c->kind == 0   ? sls_parse_rate(c->text, &v)
             : c->kind == 1 ? sls_parse_duration_us(c->text, &v)
             : c->kind == 2 ? sls_parse_pp(c->text, &v)
                            : sls_parse_percent(c->text, &v);
    ck_assert_msg((rc == 0) == c->ok, "'%s': rc %d", c->text, rc);
    if (c->ok)
        ck_assert_uint_eq(v, c->value);
}
END_TEST

START_TEST(test_values_format_without_trailing_zeros)
{
    char b[48];
    sls_format_rate(b, sizeof(b), 2 * SLS_RATE_PP);
    ck_assert_str_eq(b, "2%");
    sls_format_rate(b, sizeof(b), SLS_RATE_PP / 4);
    ck_assert_str_eq(b, "0.25%");
    sls_format_rate(b, sizeof(b), 0);
    ck_assert_str_eq(b, "0%");
    sls_format_duration_us(b, sizeof(b), 3000000);
    ck_assert_str_eq(b, "3s");
    sls_format_duration_us(b, sizeof(b), 250000);
    ck_assert_str_eq(b, "250ms");
    sls_format_duration_us(b, sizeof(b), 1500000);
    ck_assert_str_eq(b, "1.5s");
    sls_format_duration_us(b, sizeof(b), 500);
    ck_assert_str_eq(b, "0.5ms");
}
END_TEST

/* ----------------------------------------------------------------- flags */

static const struct flag_case {
    const char *flag, *value;
    const char *name;            /* NULL: must fail */
    enum sls_metric metric;
    uint64_t limit;
    unsigned lo, hi;
} flag_cases[] = {
    {"--max-failure-rate", "2%", "max-failure-rate", SLS_METRIC_FAILURE_RATE, 2000000, 0, 0},
    {"--max-failure-rate", "0.02", "max-failure-rate", SLS_METRIC_FAILURE_RATE, 2000000, 0, 0},
    {"--max-count", "500=0", "max-count 500", SLS_METRIC_CODE_COUNT, 0, 500, 500},
    {"--max-count", "5xx=3", "max-count 5xx", SLS_METRIC_CODE_COUNT, 3, 500, 599},
    {"--max-count", "6XX=1", "max-count 6xx", SLS_METRIC_CODE_COUNT, 1, 600, 699},
    {"--max-rate", "503=1%", "max-rate 503", SLS_METRIC_CODE_RATE, 1000000, 503, 503},
    {"--max-rate", "4xx=0.1", "max-rate 4xx", SLS_METRIC_CODE_RATE, 10000000, 400, 499},
    {"--max-no-final", "0", "max-no-final", SLS_METRIC_NO_FINAL, 0, 0, 0},
    {"--min-asr", "40%", "min-asr", SLS_METRIC_ASR, 40000000, 0, 0},
    {"--max-pdd-p95", "3s", "max-pdd-p95", SLS_METRIC_PDD_P95, 3000000, 0, 0},
    {"--max-response-p95", "250ms", "max-response-p95", SLS_METRIC_RESPONSE_P95, 250000, 0, 0},
    {"--max-malformed", "0", "max-malformed", SLS_METRIC_MALFORMED, 0, 0, 0},
    {"--max-malformed", "sip-no-call-id=2", "max-malformed sip-no-call-id", SLS_METRIC_MALFORMED,
     2, 0, 0},
    {"--max-error-rate", "5%", "max-error-rate", SLS_METRIC_ERROR_RATE, 5000000, 0, 0},
    {"--min-calls", "10", "min-calls", SLS_METRIC_CALLS, 10, 0, 0},
    /* errors */
    {"--max-failure-rate", "2", NULL, 0, 0, 0, 0},
    {"--max-failure-rate", "abc", NULL, 0, 0, 0, 0},
    {"--max-count", "500", NULL, 0, 0, 0, 0},
    {"--max-count", "500=-1", NULL, 0, 0, 0, 0},
    {"--max-count", "700=0", NULL, 0, 0, 0, 0},
    {"--max-count", "199=0", NULL, 0, 0, 0, 0},
    {"--max-count", "0500=0", NULL, 0, 0, 0, 0},
    {"--max-count", "7xx=0", NULL, 0, 0, 0, 0},
    {"--max-count", "=0", NULL, 0, 0, 0, 0},
    {"--max-rate", "503=2", NULL, 0, 0, 0, 0},
    {"--max-no-final", "1.5", NULL, 0, 0, 0, 0},
    {"--min-asr", "", NULL, 0, 0, 0, 0},
    {"--max-pdd-p95", "3", NULL, 0, 0, 0, 0},
    {"--max-malformed", "no-such-counter=1", NULL, 0, 0, 0, 0},
    {"--min-calls", "+1", NULL, 0, 0, 0, 0},
    {"--min-calls", "99999999999999999999", NULL, 0, 0, 0, 0},
    {"--max-whatever", "1", NULL, 0, 0, 0, 0},
};

START_TEST(test_every_flag_parses_or_fails_with_a_message)
{
    const struct flag_case *c = &flag_cases[_i];
    sls_policy p;
    char err[256] = "";
    sls_policy_init(&p);
    int rc = sls_policy_flag(&p, c->flag, c->value, err, sizeof(err));
    if (c->name == NULL) {
        ck_assert_int_eq(rc, SLS_EINVAL);
        ck_assert_uint_eq(p.nrules, 0);
        ck_assert_msg(strlen(err) > 10, "no message for %s %s", c->flag, c->value);
    } else {
        ck_assert_msg(rc == 0, "%s %s: %s", c->flag, c->value, err);
        ck_assert_uint_eq(p.nrules, 1);
        ck_assert_str_eq(p.rules[0].name, c->name);
        ck_assert_int_eq(p.rules[0].metric, c->metric);
        ck_assert_uint_eq(p.rules[0].limit, c->limit);
        ck_assert_uint_eq(p.rules[0].code_lo, c->lo);
        ck_assert_uint_eq(p.rules[0].code_hi, c->hi);
        ck_assert_int_eq(p.rules[0].scope, SLS_SCOPE_ALL);
        ck_assert_uint_eq(p.rules[0].line, 0);
        ck_assert(strlen(p.rules[0].description) > 0);
    }
    sls_policy_cleanup(&p);
}
END_TEST

START_TEST(test_is_flag_knows_the_policy_flags_only)
{
    ck_assert(sls_policy_is_flag("--max-count"));
    ck_assert(sls_policy_is_flag("--method"));
    ck_assert(sls_policy_is_flag("--peer"));
    ck_assert(sls_policy_is_flag("--baseline-rate-margin"));
    ck_assert(!sls_policy_is_flag("--policy"));
    ck_assert(!sls_policy_is_flag("--baseline"));
    ck_assert(!sls_policy_is_flag("--max-calls")); /* an analysis option */
}
END_TEST

START_TEST(test_method_and_peer_scope_the_flags_after_them)
{
    sls_policy p;
    char err[256] = "";
    sls_policy_init(&p);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-rate", "5xx=1%", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--method", "INVITE", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-rate", "5xx=2%", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-response-p95", "1s", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "[2001:db8::1]:5060", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--min-asr", "40%", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "192.0.2.1", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--min-calls", "1", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "*", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--min-asr", "40%", err, sizeof(err)), 0);
    ck_assert_uint_eq(p.nrules, 6);
    ck_assert_str_eq(p.rules[0].name, "max-rate 5xx");
    ck_assert_str_eq(p.rules[1].name, "max-rate 5xx method=INVITE");
    ck_assert_int_eq(p.rules[1].scope, SLS_SCOPE_METHOD);
    ck_assert_str_eq(p.rules[1].method, "INVITE");
    ck_assert_str_eq(p.rules[2].name, "max-response-p95 method=INVITE");
    ck_assert_str_eq(p.rules[3].name, "min-asr peer=[2001:db8::1]:5060");
    ck_assert_int_eq(p.rules[3].peer.family, 6);
    ck_assert_uint_eq(p.rules[3].peer_port, 5060);
    ck_assert_int_eq(p.rules[4].peer.family, 4);
    ck_assert_uint_eq(p.rules[4].peer_port, 0);
    ck_assert_int_eq(p.rules[5].scope, SLS_SCOPE_ALL);

    /* a metric that does not exist per peer / per method */
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "192.0.2.1:5060", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-pdd-p95", "3s", err, sizeof(err)), SLS_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "cannot be restricted to a peer"));
    ck_assert_int_eq(sls_policy_flag(&p, "--method", "OPTIONS", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--min-asr", "1%", err, sizeof(err)), SLS_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "cannot be restricted to a method"));
    /* bad scopes */
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "host.example", err, sizeof(err)), SLS_EINVAL);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "1.2.3.4:0", err, sizeof(err)), SLS_EINVAL);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "1.2.3.4:70000", err, sizeof(err)), SLS_EINVAL);
    ck_assert_int_eq(sls_policy_flag(&p, "--method", "IN VITE", err, sizeof(err)), SLS_EINVAL);
    /* the same rule twice */
    ck_assert_int_eq(sls_policy_flag(&p, "--method", "*", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-rate", "5xx=3%", err, sizeof(err)), SLS_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "defined twice"));
    ck_assert_uint_eq(p.nrules, 6);
    sls_policy_cleanup(&p);
    ck_assert_uint_eq(p.nrules, 0);
}
END_TEST

START_TEST(test_baseline_margin_flags)
{
    sls_policy p;
    char err[256];
    sls_policy_init(&p);
    ck_assert_uint_eq(p.baseline_rate_margin, SLS_RATE_PP);
    ck_assert_uint_eq(p.baseline_time_margin, SLS_RATE_ONE / 10);
    ck_assert_int_eq(sls_policy_flag(&p, "--baseline-rate-margin", "0.5pp", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--baseline-time-margin", "25%", err, sizeof(err)), 0);
    ck_assert_uint_eq(p.baseline_rate_margin, SLS_RATE_PP / 2);
    ck_assert_uint_eq(p.baseline_time_margin, SLS_RATE_ONE / 4);
    ck_assert_int_eq(sls_policy_flag(&p, "--baseline-rate-margin", "1%", err, sizeof(err)),
                     SLS_EINVAL);
    ck_assert_int_eq(sls_policy_flag(&p, "--baseline-time-margin", "0.1", err, sizeof(err)),
                     SLS_EINVAL);
    ck_assert_int_eq(sls_policy_flag(&p, "--baseline-time-margin", NULL, err, sizeof(err)),
                     SLS_EINVAL);
    sls_policy_cleanup(&p);
}
END_TEST

/* ------------------------------------------------------------ INI files */

START_TEST(test_ini_every_form_and_key)
{
    static const char text[] =
        "; a comment\n"
        "# another\n"
        "[policy]\n"
        "allow_incomplete = yes\n"
        "baseline_rate_margin = 2pp\n"
        "baseline_time_margin = 20% ; inline comment\n"
        "\n"
        "[rule \"enough calls\"]\n"
        "metric = calls\n"
        "min = 5\n"
        "[rule.server-errors]\n"
        "metric = count\n"
        "code = 5xx\n"
        "max = 0\n"
        "description = \"no 5xx at all\"\n"
        "  [ rule   \"invite 503\" ]  \n"
        "metric = rate\n"
        "code = 503\n"
        "method = INVITE\n"
        "max = 0.5%\n"
        "[rule \"carrier\"]\n"
        "peer = 192.0.2.10:5060\n"
        "metric: asr\n"
        "min = 40%\n"
        "[rule \"bad calls\"]\n"
        "metric = malformed\n"
        "counter = sip-no-call-id\n"
        "max = 0\r\n"
        "[rule \"a rule name that is much longer than inih's fifty-byte section limit\"]\n"
        "metric = pdd-p95\n"
        "max = 2.5s\n";
    sls_policy p;
    char err[256] = "";
    sls_policy_init(&p);
    int rc = sls_policy_load_string(&p, text, "t.ini", err, sizeof(err));
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_eq(p.allow_incomplete, 1);
    ck_assert_uint_eq(p.baseline_rate_margin, 2 * SLS_RATE_PP);
    ck_assert_uint_eq(p.baseline_time_margin, SLS_RATE_ONE / 5);
    ck_assert_uint_eq(p.nrules, 6);
    ck_assert_str_eq(p.rules[0].name, "enough calls");
    ck_assert_int_eq(p.rules[0].metric, SLS_METRIC_CALLS);
    ck_assert_uint_eq(p.rules[0].limit, 5);
    ck_assert_uint_eq(p.rules[0].line, 8);
    ck_assert_str_eq(p.rules[1].name, "server-errors");
    ck_assert_str_eq(p.rules[1].description, "no 5xx at all");
    ck_assert_uint_eq(p.rules[1].code_lo, 500);
    ck_assert_str_eq(p.rules[2].name, "invite 503");
    ck_assert_int_eq(p.rules[2].scope, SLS_SCOPE_METHOD);
    ck_assert_uint_eq(p.rules[2].limit, SLS_RATE_PP / 2);
    ck_assert_uint_eq(p.rules[2].line, 16);
    ck_assert_int_eq(p.rules[3].scope, SLS_SCOPE_PEER);
    ck_assert_int_eq(p.rules[3].metric, SLS_METRIC_ASR);
    ck_assert_int_eq(p.rules[4].counter, SLS_CTR_SIP_NO_CALL_ID);
    ck_assert_str_eq(p.rules[5].name,
                     "a rule name that is much longer than inih's fifty-byte section limit");
    ck_assert_uint_eq(p.rules[5].limit, 2500000);
    sls_policy_cleanup(&p);
}
END_TEST

static const struct ini_error_case {
    const char *text;
    const char *message; /* expected, prefix "t.ini:" included */
} ini_errors[] = {
    {"[policy]\nallow_incomplete = maybe\n",
     "t.ini:2: allow_incomplete needs true or false, not 'maybe'"},
    {"[policy]\nbaseline_rate_margin = 1\n", "t.ini:2: baseline_rate_margin needs"},
    {"[policy]\nbaseline_time_margin = 10\n", "t.ini:2: baseline_time_margin needs"},
    {"[policy]\nallow_incomplete = true\nallow_incomplete = false\n",
     "t.ini:3: 'allow_incomplete' given twice (first on line 2)"},
    {"[policy]\nstrict = 1\n", "t.ini:2: unknown key 'strict' in [policy]"},
    {"metric = asr\n", "t.ini:1: 'metric' outside a section"},
    {"[rules \"x\"]\nmetric = asr\n", "t.ini:1: unknown section [rules \"x\"]"},
    {"[rule \"x\"\nmetric = asr\n", "t.ini:1: a section header ends with ']'"},
    {"[rule \"\"]\nmetric = asr\n", "t.ini:1: a rule name is not empty"},
    {"[rule x]\nmetric = asr\n", "t.ini:1: unknown section [rule x]"},
    {"\n\n[rule \"x\"]\nmin = 1%\n", "t.ini:3: rule \"x\" has no metric"},
    {"[rule \"x\"]\nmetric = asr\n", "t.ini:1: rule \"x\" needs min = (metric asr)"},
    {"[rule \"x\"]\nmetric = asrr\nmin = 1\n", "t.ini:2: unknown metric 'asrr'"},
    {"[rule \"x\"]\nmetric = asr\nmax = 3%\n", "t.ini:3: metric asr takes min =, not max ="},
    {"[rule \"x\"]\nmetric = failure-rate\nmax = 3%\nmin = 1%\n",
     "t.ini:4: a rule has one limit (max = or min =); the first is on line 3"},
    {"[rule \"x\"]\nmetric = failure-rate\nmax = 3\n",
     "t.ini:3: failure-rate needs a rate such as 2% or 0.02 (at most 100%), not '3'"},
    {"[rule \"x\"]\nmetric = pdd-p95\nmax = 3\n",
     "t.ini:3: pdd-p95 needs a duration such as 3s or 250ms"},
    {"[rule \"x\"]\nmetric = count\nmax = 3\n",
     "t.ini:1: count needs a response code or class"},
    {"[rule \"x\"]\nmetric = count\ncode = 999\nmax = 3\n",
     "t.ini:3: '999' is not a final response code"},
    {"[rule \"x\"]\nmetric = asr\ncode = 500\nmin = 3%\n", "t.ini:3: asr takes no response code"},
    {"[rule \"x\"]\nmetric = asr\ncounter = x\nmin = 3%\n", "t.ini:3: asr takes no counter name"},
    {"[rule \"x\"]\nmetric = malformed\ncounter = nope\nmax = 3\n",
     "t.ini:3: unknown counter 'nope'"},
    {"[rule \"x\"]\nmetric = asr\nmin = 3%\nmx = 1\n", "t.ini:4: unknown key 'mx' in rule \"x\""},
    {"[rule \"x\"]\nmetric = asr\nmetric = asr\nmin = 3%\n",
     "t.ini:3: key given twice (first on line 2)"},
    {"[rule \"x\"]\nmetric = asr\nmin =\n", "t.ini:3: 'min' has no value"},
    {"[rule \"x\"]\nmetric = asr\nmin = 3%\npeer = 1.2.3.4\nmethod = INVITE\n",
     "t.ini:4: a rule is restricted to a method or to a peer, not both"},
    {"[rule \"x\"]\nmetric = pdd-p95\nmax = 3s\npeer = 1.2.3.4\n",
     "t.ini:4: pdd-p95 cannot be restricted to a peer"},
    {"[rule \"x\"]\nmetric = calls\nmin = 3\nmethod = INVITE\n",
     "t.ini:4: calls cannot be restricted to a method"},
    {"[rule \"x\"]\nmetric = asr\nmin = 3%\npeer = example.com\n",
     "t.ini:4: 'example.com' is not a peer address"},
    {"[rule \"x\"]\nmetric = asr\nmin = 3%\n[rule.x]\nmetric = calls\nmin = 1\n",
     "t.ini:4: rule 'x' is defined twice"},
    {"[rule \"x\"]\nmetric = calls\nmin = 1\nthis line has no equals sign\n",
     "t.ini:4: expected 'key = value', a [section] or a comment"},
    /* the first error in file order wins */
    {"[rule \"x\"]\nmetric = nope\nmin = 1\n[policy]\nfoo = 1\n",
     "t.ini:2: unknown metric 'nope'"},
    {"[policy]\nfoo = 1\n[rule \"x\"]\nmetric = nope\n", "t.ini:2: unknown key 'foo'"},
};

START_TEST(test_ini_errors_name_the_line)
{
    const struct ini_error_case *c = &ini_errors[_i];
    sls_policy p;
    char err[512] = "";
    sls_policy_init(&p);
    int rc = sls_policy_load_string(&p, c->text, "t.ini", err, sizeof(err));
    ck_assert_int_eq(rc, SLS_EINVAL);
    ck_assert_msg(strncmp(err, c->message, strlen(c->message)) == 0, "got '%s', want '%s'", err,
                  c->message);
    ck_assert_uint_eq(p.nrules, 0); /* all or nothing */
    sls_policy_cleanup(&p);
}
END_TEST

START_TEST(test_ini_long_lines_are_errors)
{
    char text[600];
    sls_policy p;
    char err[512] = "";
    sls_policy_init(&p);
    memset(text, 0, sizeof(text));
    int n = snprintf(text, sizeof(text), "[rule \"x\"]\nmetric = calls\nmin = 1\ndescription = ");
    memset(text + n, 'a', 400);
    ck_assert_int_eq(sls_policy_load_string(&p, text, "t.ini", err, sizeof(err)), SLS_EINVAL);
    ck_assert_msg(strncmp(err, "t.ini:4: line too long", 22) == 0, "%s", err);
    sls_policy_cleanup(&p);
}
END_TEST

START_TEST(test_ini_files_missing_or_binary)
{
    sls_policy p;
    char err[512] = "";
    sls_policy_init(&p);
    ck_assert_int_eq(sls_policy_load_file(&p, "/nonexistent/policy.ini", err, sizeof(err)),
                     SLS_EOPEN);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/policy.ini"));
    char path[] = "/tmp/sls-policy-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    fwrite("[policy]\n\0\1\2", 1, 13, f);
    fclose(f);
    ck_assert_int_eq(sls_policy_load_file(&p, path, err, sizeof(err)), SLS_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "binary data"));
    unlink(path);
    ck_assert_int_eq(sls_policy_load_file(&p, SLS_SOURCE_DIR "/docs/policy.example.ini", err,
                                          sizeof(err)),
                     0);
    ck_assert_uint_ge(p.nrules, 5);
    sls_policy_cleanup(&p);
}
END_TEST

/* ------------------------------------------------------------ evaluation */

/* A summary with `attempts` finished calls of which `failed` failed and
 * `answered` answered. */
static sls_summary *calls_summary(uint64_t attempts, uint64_t failed, uint64_t answered)
{
    sls_summary *s = sls_summary_new(0);
    ck_assert_ptr_nonnull(s);
    s->calls = attempts;
    s->calls_failed = failed;
    s->outcomes[SLS_OUTCOME_ANSWERED] = answered;
    s->outcomes[SLS_OUTCOME_FAILED] = failed;
    s->outcomes[SLS_OUTCOME_BUSY] = attempts - failed - answered;
    return s;
}

static enum sls_rule_status eval1(const char *flag, const char *value, const sls_summary *s,
                                  sls_rule_result *out)
{
    sls_policy p;
    sls_policy_results r;
    char err[256] = "";
    sls_policy_init(&p);
    ck_assert_msg(sls_policy_flag(&p, flag, value, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(sls_policy_evaluate(&p, s, NULL, &r), 0);
    ck_assert_uint_eq(r.n, 1);
    enum sls_rule_status st = r.items[0].status;
    if (out != NULL)
        *out = r.items[0];
    sls_policy_results_cleanup(&r);
    sls_policy_cleanup(&p);
    return st;
}

START_TEST(test_rates_are_exact_at_the_boundary)
{
    /* 2 of 100 is exactly 2%: passes; 3 of 100 fails. 1 of 3 against
     * 33.333333% fails (1/3 is above it), against 33.333334% passes. */
    sls_rule_result x;
    sls_summary *s = calls_summary(100, 2, 90);
    ck_assert_int_eq(eval1("--max-failure-rate", "2%", s, &x), SLS_RULE_PASS);
    ck_assert_str_eq(x.measured_text, "2%");
    ck_assert_str_eq(x.allowed_text, "2%");
    ck_assert_str_eq(x.detail, "2 of 100 call attempts failed");
    ck_assert_int_eq(eval1("--max-failure-rate", "0.02", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-failure-rate", "1.999999%", s, NULL), SLS_RULE_FAIL);
    sls_summary_free(s);
    s = calls_summary(100, 3, 90);
    ck_assert_int_eq(eval1("--max-failure-rate", "2%", s, &x), SLS_RULE_FAIL);
    ck_assert_str_eq(x.measured_text, "3%");
    sls_summary_free(s);
    s = calls_summary(3, 1, 2);
    ck_assert_int_eq(eval1("--max-failure-rate", "33.333333%", s, &x), SLS_RULE_FAIL);
    /* the measured text gets the digits that show why it failed */
    ck_assert_str_eq(x.measured_text, "33.3333333%");
    ck_assert_int_eq(eval1("--max-failure-rate", "33.333334%", s, NULL), SLS_RULE_PASS);
    /* ASR is a minimum: 2 of 3 */
    ck_assert_int_eq(eval1("--min-asr", "66.666666%", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--min-asr", "66.666667%", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--min-asr", "0%", s, NULL), SLS_RULE_PASS);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_counts_at_the_boundary)
{
    sls_summary *s = calls_summary(10, 0, 10);
    s->final_codes[500] = 2;
    s->final_codes[503] = 1;
    s->final_codes[486] = 4;
    s->txn_rated = 100;
    s->txn_errors = 5;
    s->txn_no_final = 3;
    s->counters.v[SLS_CTR_SIP_NO_CALL_ID] = 2;
    s->counters.v[SLS_CTR_UDP_TRUNCATED] = 1;
    s->counters.v[SLS_CTR_UDP_NOT_SIP] = 50; /* not SIP: never counted */
    ck_assert_int_eq(eval1("--max-count", "500=2", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-count", "500=1", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--max-count", "5xx=3", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-count", "5xx=2", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--max-count", "4xx=4", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-count", "6xx=0", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-rate", "5xx=3%", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-rate", "5xx=2.99%", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--max-error-rate", "5%", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-error-rate", "4.9%", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--max-no-final", "3", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-no-final", "2", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--max-malformed", "3", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-malformed", "2", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--max-malformed", "sip-no-call-id=2", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-malformed", "sip-no-call-id=1", s, NULL), SLS_RULE_FAIL);
    ck_assert_int_eq(eval1("--min-calls", "10", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--min-calls", "11", s, NULL), SLS_RULE_FAIL);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_p95_at_the_boundary)
{
    sls_summary *s = calls_summary(0, 0, 0);
    sls_rule_result x;
    /* no data: skipped, not passed, not failed */
    ck_assert_int_eq(eval1("--max-pdd-p95", "3s", s, &x), SLS_RULE_NODATA);
    ck_assert_int_eq(x.has_measured, 0);
    /* 100 values: 95 at 3000 ms, 5 at 5000 ms: p95 is 3000 ms */
    for (int i = 0; i < 95; i++)
        sls_hist_add_ns(&s->pdd, 3000 * 1000000LL);
    for (int i = 0; i < 5; i++)
        sls_hist_add_ns(&s->pdd, 5000 * 1000000LL);
    ck_assert_int_eq(eval1("--max-pdd-p95", "3s", s, &x), SLS_RULE_PASS);
    ck_assert_str_eq(x.measured_text, "3s");
    ck_assert_int_eq(eval1("--max-pdd-p95", "2999ms", s, &x), SLS_RULE_FAIL);
    ck_assert_str_eq(x.allowed_text, "2.999s");
    sls_hist_add_ns(&s->response_time, 250 * 1000000LL);
    ck_assert_int_eq(eval1("--max-response-p95", "250ms", s, NULL), SLS_RULE_PASS);
    ck_assert_int_eq(eval1("--max-response-p95", "249.999ms", s, NULL), SLS_RULE_FAIL);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_rates_without_data_are_skipped)
{
    sls_summary *s = calls_summary(0, 0, 0);
    sls_rule_result x;
    ck_assert_int_eq(eval1("--max-failure-rate", "2%", s, &x), SLS_RULE_NODATA);
    ck_assert_str_eq(x.detail, "no call attempts");
    ck_assert_int_eq(eval1("--min-asr", "50%", s, NULL), SLS_RULE_NODATA);
    ck_assert_int_eq(eval1("--max-error-rate", "1%", s, NULL), SLS_RULE_NODATA);
    ck_assert_int_eq(eval1("--max-rate", "5xx=1%", s, NULL), SLS_RULE_NODATA);
    /* ... but an empty capture fails min-calls */
    ck_assert_int_eq(eval1("--min-calls", "1", s, NULL), SLS_RULE_FAIL);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_method_scope_uses_the_method_tables)
{
    sls_summary *s = calls_summary(0, 0, 0);
    sls_method_stats *inv = sls_summary_method(s, "INVITE", 6);
    sls_method_stats *reg = sls_summary_method(s, "REGISTER", 8);
    inv->txn_rated = 10;
    inv->txn_errors = 1;
    inv->txn_bucket[SLS_BUCKET_1XX_ONLY] = 1;
    inv->txn_bucket[SLS_BUCKET_NO_FINAL] = 1;
    inv->final_codes = calloc(700, sizeof(uint64_t));
    inv->final_codes[503] = 1;
    inv->response_time = calloc(1, sizeof(sls_hist));
    sls_hist_add_ns(inv->response_time, 400 * 1000000LL);
    reg->txn_rated = 90;
    reg->final_codes = calloc(700, sizeof(uint64_t));
    reg->final_codes[503] = 9;
    s->final_codes[503] = 10;
    s->txn_rated = 100;

    sls_policy p;
    sls_policy_results r;
    char err[256];
    sls_policy_init(&p);
    const char *flags[][2] = {{"--method", "INVITE"}, {"--max-rate", "503=10%"},
                              {"--max-count", "503=0"}, {"--max-error-rate", "10%"},
                              {"--max-no-final", "2"}, {"--max-response-p95", "300ms"},
                              {"--method", "BYE"}, {"--max-count", "5xx=0"},
                              {"--max-response-p95", "1ms"}};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        ck_assert_msg(sls_policy_flag(&p, flags[i][0], flags[i][1], err, sizeof(err)) == 0, "%s",
                      err);
    ck_assert_int_eq(sls_policy_evaluate(&p, s, NULL, &r), 0);
    ck_assert_uint_eq(r.n, 7);
    ck_assert_int_eq(r.items[0].status, SLS_RULE_PASS); /* 1 of 10 */
    ck_assert_str_eq(r.items[0].detail, "1 of 10 rated transactions ended 503");
    ck_assert_int_eq(r.items[1].status, SLS_RULE_FAIL); /* 1 > 0 */
    ck_assert_int_eq(r.items[2].status, SLS_RULE_PASS);
    ck_assert_int_eq(r.items[3].status, SLS_RULE_PASS); /* 1xx-only + no final */
    ck_assert_int_eq(r.items[4].status, SLS_RULE_FAIL); /* 400 ms */
    ck_assert_str_eq(r.items[4].scope, "method");
    ck_assert_str_eq(r.items[4].scope_value, "INVITE");
    ck_assert_int_eq(r.items[5].status, SLS_RULE_PASS);   /* no BYE: 0 */
    ck_assert_int_eq(r.items[6].status, SLS_RULE_NODATA); /* no BYE times */
    ck_assert_uint_eq(r.passed, 4);
    ck_assert_uint_eq(r.failed, 2);
    ck_assert_uint_eq(r.skipped, 1);
    sls_policy_results_cleanup(&r);
    sls_policy_cleanup(&p);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_peer_scope_sums_the_ports_of_an_address)
{
    sls_summary *s = calls_summary(0, 0, 0);
    sls_peer_stats *a = &s->peers[0], *b = &s->peers[1], *c = &s->peers[2];
    s->npeers = 3;
    a->addr.family = b->addr.family = c->addr.family = 4;
    a->addr.bytes[0] = b->addr.bytes[0] = 192;
    c->addr.bytes[0] = 10;
    a->port = 5060;
    b->port = 5070;
    c->port = 5060;
    a->calls = 10;
    a->answered = 8;
    a->failures = 1;
    a->final_codes[503] = 1;
    b->calls = 10;
    b->answered = 2;
    b->failures = 8;
    b->final_codes[503] = 8;
    c->calls = 100;
    c->failures = 100;

    sls_policy p;
    sls_policy_results r;
    char err[256];
    sls_policy_init(&p);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "192.0.0.0", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-failure-rate", "45%", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--min-asr", "50%", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-count", "503=9", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--min-calls", "20", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "192.0.0.0:5060", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--max-rate", "5xx=10%", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--peer", "203.0.113.1", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_flag(&p, "--min-calls", "1", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_evaluate(&p, s, NULL, &r), 0);
    ck_assert_uint_eq(r.n, 6);
    /* 192.0.0.0 without a port: both ports, 9 failures of 20 calls, exactly
     * 45%; 10.0.0.0 is another peer */
    ck_assert_int_eq(r.items[0].status, SLS_RULE_PASS);
    ck_assert_str_eq(r.items[0].detail, "9 of 20 call attempts failed");
    ck_assert_int_eq(r.items[1].status, SLS_RULE_PASS);  /* 10 of 20 answered */
    ck_assert_int_eq(r.items[2].status, SLS_RULE_PASS);  /* 9 */
    ck_assert_int_eq(r.items[3].status, SLS_RULE_PASS);  /* 20 calls */
    ck_assert_int_eq(r.items[4].status, SLS_RULE_PASS);  /* 1 of 10 */
    ck_assert_int_eq(r.items[5].status, SLS_RULE_FAIL);  /* unknown peer: 0 calls */
    sls_policy_results_cleanup(&r);
    sls_policy_cleanup(&p);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_baseline_detects_regressions_and_not_itself)
{
    sls_summary *old = calls_summary(100, 2, 90), *cur = calls_summary(100, 2, 90);
    old->txn_rated = cur->txn_rated = 200;
    old->txn_errors = cur->txn_errors = 10;
    old->final_codes[503] = cur->final_codes[503] = 4;
    old->final_codes[401] = 50; /* challenges: not a 4xx failure */
    old->final_codes[486] = cur->final_codes[486] = 6;
    for (int i = 0; i < 100; i++) {
        sls_hist_add_ns(&old->pdd, 1000 * 1000000LL);
        sls_hist_add_ns(&cur->pdd, 1000 * 1000000LL);
        sls_hist_add_ns(&old->response_time, 100 * 1000000LL);
        sls_hist_add_ns(&cur->response_time, 100 * 1000000LL);
    }
    sls_policy p;
    sls_policy_results r;
    sls_policy_init(&p);
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_uint_eq(r.n, 8);
    ck_assert_uint_eq(r.passed, 8);
    ck_assert_str_eq(r.items[0].name, "baseline failure-rate");
    ck_assert_str_eq(r.items[0].change_text, "+0pp");
    ck_assert_int_eq(r.items[0].is_baseline, 1);
    sls_policy_results_cleanup(&r);

    /* failure rate +1pp exactly: still within the margin; +2pp is not */
    cur->calls_failed = 3;
    cur->outcomes[SLS_OUTCOME_FAILED] = 3;
    cur->outcomes[SLS_OUTCOME_BUSY]--;
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_int_eq(r.items[0].status, SLS_RULE_PASS);
    sls_policy_results_cleanup(&r);
    cur->calls_failed = 4;
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_int_eq(r.items[0].status, SLS_RULE_FAIL);
    ck_assert_str_eq(r.items[0].change_text, "+2pp");
    ck_assert_str_eq(r.items[0].baseline_text, "2%");
    ck_assert_str_eq(r.items[0].measured_text, "4%");
    ck_assert_str_eq(r.items[0].allowed_text, "3%");
    sls_policy_results_cleanup(&r);

    /* ASR drops by 5pp: a regression (a drop, not a rise, is bad) */
    cur->outcomes[SLS_OUTCOME_ANSWERED] = 85;
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_str_eq(r.items[2].name, "baseline asr");
    ck_assert_int_eq(r.items[2].status, SLS_RULE_FAIL);
    ck_assert_str_eq(r.items[2].change_text, "-5pp");
    sls_policy_results_cleanup(&r);

    /* PDD p95 +10% exactly passes, +20% fails; with a 25% margin it passes */
    sls_hist_init(&cur->pdd);
    for (int i = 0; i < 100; i++)
        sls_hist_add_ns(&cur->pdd, 1100 * 1000000LL);
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_int_eq(r.items[3].status, SLS_RULE_PASS);
    sls_policy_results_cleanup(&r);
    sls_hist_init(&cur->pdd);
    for (int i = 0; i < 100; i++)
        sls_hist_add_ns(&cur->pdd, 1200 * 1000000LL);
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_int_eq(r.items[3].status, SLS_RULE_FAIL);
    ck_assert_str_eq(r.items[3].change_text, "+20.0%");
    sls_policy_results_cleanup(&r);
    char err[128];
    ck_assert_int_eq(sls_policy_flag(&p, "--baseline-time-margin", "25%", err, sizeof(err)), 0);
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_int_eq(r.items[3].status, SLS_RULE_PASS);
    sls_policy_results_cleanup(&r);

    /* 5xx rate: 4 of 200 -> 8 of 200 is +2pp */
    cur->final_codes[503] = 8;
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, old, &r), 0);
    ck_assert_str_eq(r.items[6].name, "baseline rate 5xx");
    ck_assert_int_eq(r.items[6].status, SLS_RULE_FAIL);
    /* 4xx without challenges did not change although 401s disappeared */
    ck_assert_int_eq(r.items[5].status, SLS_RULE_PASS);
    ck_assert_str_eq(r.items[5].change_text, "+0pp");
    sls_policy_results_cleanup(&r);

    /* a baseline without calls: the call rules have no data */
    sls_summary *empty = calls_summary(0, 0, 0);
    ck_assert_int_eq(sls_policy_evaluate(&p, cur, empty, &r), 0);
    ck_assert_int_eq(r.items[0].status, SLS_RULE_NODATA);
    ck_assert_int_eq(r.items[3].status, SLS_RULE_NODATA);
    sls_policy_results_cleanup(&r);
    sls_summary_free(empty);
    sls_policy_cleanup(&p);
    sls_summary_free(old);
    sls_summary_free(cur);
}
END_TEST

START_TEST(test_limits_hit_are_named)
{
    sls_summary *s = calls_summary(0, 0, 0);
    char why[256];
    ck_assert_uint_eq(sls_policy_limits_hit(s, why, sizeof(why)), 0);
    ck_assert_str_eq(why, "");
    s->txn_evicted = 3;
    s->calls_evicted = 1;
    s->counters.v[SLS_CTR_SIP_NO_CALL_ID] = 7; /* not a limit */
    ck_assert_uint_eq(sls_policy_limits_hit(s, why, sizeof(why)), 4);
    ck_assert_str_eq(why, "transactions evicted 3, calls evicted 1");
    /* every SKIPPED counter named *-limit or *-evicted counts */
    for (int c = 0; c < SLS_CTR_COUNT; c++) {
        const char *nm = sls_counter_name((enum sls_counter)c);
        size_t n = strlen(nm);
        int lim = (n > 6 && strcmp(nm + n - 6, "-limit") == 0) ||
                  (n > 8 && strcmp(nm + n - 8, "-evicted") == 0);
        if (sls_counter_kind((enum sls_counter)c) != SLS_KIND_SKIPPED || !lim)
            continue;
        s->counters.v[c] = 1;
        ck_assert_uint_eq(sls_policy_limits_hit(s, why, sizeof(why)), 5);
        ck_assert_ptr_nonnull(strstr(why, nm));
        s->counters.v[c] = 0;
    }
    sls_summary_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_values_parse_strictly_with_bounds, 0,
                        (int)(sizeof(value_cases) / sizeof(value_cases[0])));
    tcase_add_test(tc, test_values_format_without_trailing_zeros);
    tcase_add_loop_test(tc, test_every_flag_parses_or_fails_with_a_message, 0,
                        (int)(sizeof(flag_cases) / sizeof(flag_cases[0])));
    tcase_add_test(tc, test_is_flag_knows_the_policy_flags_only);
    tcase_add_test(tc, test_method_and_peer_scope_the_flags_after_them);
    tcase_add_test(tc, test_baseline_margin_flags);
    tcase_add_test(tc, test_ini_every_form_and_key);
    tcase_add_loop_test(tc, test_ini_errors_name_the_line, 0,
                        (int)(sizeof(ini_errors) / sizeof(ini_errors[0])));
    tcase_add_test(tc, test_ini_long_lines_are_errors);
    tcase_add_test(tc, test_ini_files_missing_or_binary);
    suite_add_tcase(s, tc);
    TCase *te = tcase_create("evaluate");
    tcase_add_test(te, test_rates_are_exact_at_the_boundary);
    tcase_add_test(te, test_counts_at_the_boundary);
    tcase_add_test(te, test_p95_at_the_boundary);
    tcase_add_test(te, test_rates_without_data_are_skipped);
    tcase_add_test(te, test_method_scope_uses_the_method_tables);
    tcase_add_test(te, test_peer_scope_sums_the_ports_of_an_address);
    tcase_add_test(te, test_baseline_detects_regressions_and_not_itself);
    tcase_add_test(te, test_limits_hit_are_named);
    suite_add_tcase(s, te);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
