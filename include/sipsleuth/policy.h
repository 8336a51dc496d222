/* CI policy: rules that turn a summary into pass or fail, so that recorded
 * traffic can gate a build ("fail if the call failure rate exceeds 2%, if
 * any 500 appears, if post-dial delay p95 passes 3 s, or if failures grew
 * since the last release").
 *
 * Rules come from command-line flags (sls_policy_flag) and from an INI
 * policy file (sls_policy_load_file; format in docs/policy.example.ini).
 * Evaluation (sls_policy_evaluate) measures each rule on an sls_summary and,
 * with a baseline summary, adds one regression rule per compared metric.
 *
 * Fixed-point values, so that the boundary is exact ("2%" passes at exactly
 * 2 of 100 calls, whatever binary floating point would say):
 *   rates      parts of SLS_RATE_ONE (1e8 = 100%)
 *   durations  microseconds
 *   counts     plain integers
 *
 * Nothing here prints: errors come back as a message in a caller buffer,
 * "policy.ini:12: unknown key 'mx'" for files. */
#ifndef SIPSLEUTH_POLICY_H
#define SIPSLEUTH_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/packet.h"
#include "sipsleuth/report.h"
#include "sipsleuth/summary.h"

#define SLS_RATE_ONE 100000000ull   /* 100% */
#define SLS_RATE_PP 1000000ull      /* one percentage point */

#define SLS_RULE_MAX_NAME 96
#define SLS_RULE_MAX_DESCRIPTION 256
#define SLS_POLICY_MAX_RULES 1000

/* What a rule measures. Each metric has one direction: the limit is a
 * maximum except for asr and calls, where it is a minimum. */
#define SLS_METRIC_MAP(X)                                                   \
    X(FAILURE_RATE, "failure-rate")   /* calls failed / attempts */        \
    X(CODE_COUNT, "count")            /* transactions with a final code */ \
    X(CODE_RATE, "rate")              /* the same / rated transactions */  \
    X(NO_FINAL, "no-final")           /* transactions without a final */   \
    X(ASR, "asr")                     /* answered / attempts (minimum) */  \
    X(PDD_P95, "pdd-p95")             /* post-dial delay p95 */            \
    X(RESPONSE_P95, "response-p95")   /* response time p95 */              \
    X(MALFORMED, "malformed")         /* malformed + skipped, or one */    \
    X(ERROR_RATE, "error-rate")       /* transaction error rate */         \
    X(CALLS, "calls")                 /* call attempts (minimum) */

enum sls_metric {
#define SLS__METRIC_ENUM(id, name) SLS_METRIC_##id,
    SLS_METRIC_MAP(SLS__METRIC_ENUM)
#undef SLS__METRIC_ENUM
    SLS_METRIC_COUNT
};

/* "failure-rate", ...; "?" when out of range. */
const char *sls_metric_name(enum sls_metric m);
/* Metric by name; -1 if unknown. */
int sls_metric_from_name(const char *name);
/* 1 when the metric's limit is a minimum (asr, calls). */
int sls_metric_is_min(enum sls_metric m);

enum sls_value_kind { SLS_VALUE_COUNT, SLS_VALUE_RATE, SLS_VALUE_DURATION };
enum sls_value_kind sls_metric_kind(enum sls_metric m);

enum sls_scope { SLS_SCOPE_ALL, SLS_SCOPE_METHOD, SLS_SCOPE_PEER };

typedef struct sls_rule {
    char name[SLS_RULE_MAX_NAME];
    char description[SLS_RULE_MAX_DESCRIPTION]; /* "" for the default text */
    enum sls_metric metric;
    uint64_t limit;          /* count, rate (of SLS_RATE_ONE) or us */
    unsigned code_lo, code_hi; /* count, rate: final codes in [lo, hi] */
    char code_text[8];       /* "503", "5xx" */
    int counter;             /* malformed: enum sls_counter, -1 for the sum
                                of every MALFORMED and SKIPPED counter */
    enum sls_scope scope;
    char method[SLS_SUMMARY_MAX_NAME];  /* SLS_SCOPE_METHOD */
    sls_addr peer;                      /* SLS_SCOPE_PEER */
    uint16_t peer_port;                 /* 0: any port of that address */
    char scope_text[64];                /* "INVITE", "10.0.0.1:5060" */
    unsigned line;           /* policy file line; 0 for a flag */
} sls_rule;

typedef struct sls_policy {
    sls_rule *rules;
    size_t nrules, cap;
    int allow_incomplete;          /* [policy] allow_incomplete */
    uint64_t baseline_rate_margin; /* of SLS_RATE_ONE; default 1pp */
    uint64_t baseline_time_margin; /* of SLS_RATE_ONE, relative; default 10% */
    /* Scope that --method/--peer set for the rule flags after them. */
    enum sls_scope flag_scope;
    char flag_method[SLS_SUMMARY_MAX_NAME];
    sls_addr flag_peer;
    uint16_t flag_peer_port;
    char flag_scope_text[64];
} sls_policy;

/* _init/_cleanup pair; cleanup accepts a policy that was only initialised
 * and leaves it initialised-empty. */
void sls_policy_init(sls_policy *p);
void sls_policy_cleanup(sls_policy *p);

/* What kind of command-line flag arg is: 0 not a policy flag, 1 a policy
 * flag that takes a value ("--max-count", "--method", ...). */
int sls_policy_is_flag(const char *flag);

/* Applies one policy flag and its value: a rule flag adds a rule restricted
 * to the current --method/--peer scope; --method M, --peer ADDR[:PORT] and
 * --method '*' / --peer '*' (back to the whole capture) change that scope;
 * --baseline-rate-margin and --baseline-time-margin set the margins.
 * Returns 0, SLS_EINVAL with a message in err (err may be NULL), or
 * SLS_ENOMEM. */
int sls_policy_flag(sls_policy *p, const char *flag, const char *value,
                    char *err, size_t errlen);

/* Reads an INI policy file and appends its rules. name is what messages
 * call the file. Returns 0; SLS_EOPEN when the file cannot be read;
 * SLS_EINVAL for a bad policy ("name:LINE: why" in err); SLS_ENOMEM. */
int sls_policy_load_file(sls_policy *p, const char *path, char *err,
                         size_t errlen);
/* The same from a NUL-terminated text. */
int sls_policy_load_string(sls_policy *p, const char *text, const char *name,
                           char *err, size_t errlen);

/* Value parsers, shared with the CLI and tests. Strict: no sign, no
 * exponent, no white space, bounded. Return 0 or SLS_EINVAL.
 *   rate      "2%", "0.5%", "0.02" (a fraction, at most 1) -> of SLS_RATE_ONE
 *   duration  "3s", "250ms", "1.5s", "2m" (a unit is required; at most one
 *             day) -> microseconds
 *   pp        "1pp", "0.5pp" (percentage points) -> of SLS_RATE_ONE
 *   percent   "10%" -> of SLS_RATE_ONE (at most 1000%) */
int sls_parse_rate(const char *s, uint64_t *out);
int sls_parse_duration_us(const char *s, uint64_t *out);
int sls_parse_pp(const char *s, uint64_t *out);
int sls_parse_percent(const char *s, uint64_t *out);

/* Formatting of fixed-point values for reports: "2%", "0.25%", "3s",
 * "250ms", "17". */
void sls_format_rate(char *buf, size_t len, uint64_t rate);
void sls_format_duration_us(char *buf, size_t len, uint64_t us);

enum sls_rule_status {
    SLS_RULE_PASS,
    SLS_RULE_FAIL,
    SLS_RULE_NODATA /* nothing to measure (no calls, empty histogram):
                       reported as skipped, does not fail the check */
};

/* "PASS", "FAIL", "SKIP". */
const char *sls_rule_status_name(enum sls_rule_status st);

/* One evaluated rule. Numbers are in the rule's unit (value_kind): counts,
 * rates as fractions (0.02), durations in ms. Texts are ready to print. */
typedef struct sls_rule_result {
    char name[SLS_RULE_MAX_NAME];
    char description[SLS_RULE_MAX_DESCRIPTION];
    enum sls_metric metric;
    enum sls_value_kind value_kind;
    enum sls_rule_status status;
    int is_min;                     /* the limit is a minimum */
    int has_measured;               /* 0 when NODATA */
    double measured, allowed;
    char measured_text[48];         /* "1.2%" */
    char allowed_text[48];          /* "2%" */
    char detail[160];               /* "3 of 250 call attempts" */
    int is_baseline;
    int has_baseline;               /* baseline rules with data */
    double baseline, change;        /* change: measured - baseline */
    char baseline_text[48];         /* "1%" */
    char change_text[48];           /* "+4.2pp", "+12%" */
    char margin_text[48];           /* "1pp", "10%" */
    const char *scope;              /* "method", "peer" or NULL */
    char scope_value[64];
    unsigned line;                  /* policy file line, 0 otherwise */
} sls_rule_result;

typedef struct sls_policy_results {
    sls_rule_result *items;
    size_t n;
    size_t passed, failed, skipped;
} sls_policy_results;

/* Evaluates every rule of p on s and, when baseline is not NULL, the
 * regression rules against it. *out is filled (free with
 * sls_policy_results_cleanup, which accepts a zeroed struct). Returns 0 or
 * SLS_ENOMEM. */
int sls_policy_evaluate(const sls_policy *p, const sls_summary *s,
                        const sls_summary *baseline, sls_policy_results *out);
void sls_policy_results_cleanup(sls_policy_results *r);

/* Did the analysis hit a limit that makes the summary incomplete? SKIPPED
 * counters whose names end in "-limit" or "-evicted", and evicted
 * transactions or calls. Returns the number of such items and writes a
 * short reason ("txn evicted 3, tcp-stream-limit 1") into why. */
uint64_t sls_policy_limits_hit(const sls_summary *s, char *why, size_t len);

#endif
