/* CI policy rules: parsing (flags and INI files) and evaluation. */
#include "sipsleuth/policy.h"

#include "sipsleuth/error.h"
#include "util.h"

#include <arpa/inet.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---------------------------------------------------------------- metrics */

static const char *const metric_names[SLS_METRIC_COUNT] = {
#define SLS__METRIC_NAME(id, name) [SLS_METRIC_##id] = name,
    SLS_METRIC_MAP(SLS__METRIC_NAME)
#undef SLS__METRIC_NAME
};

const char *sls_metric_name(enum sls_metric m)
{
    return (unsigned)m < SLS_METRIC_COUNT ? metric_names[m] : "?";
}

int sls_metric_from_name(const char *name)
{
    for (int m = 0; m < SLS_METRIC_COUNT; m++)
        if (strcmp(name, metric_names[m]) == 0)
            return m;
    return -1;
}

int sls_metric_is_min(enum sls_metric m)
{
    return m == SLS_METRIC_ASR || m == SLS_METRIC_CALLS;
}

enum sls_value_kind sls_metric_kind(enum sls_metric m)
{
    switch (m) {
    case SLS_METRIC_FAILURE_RATE:
    case SLS_METRIC_CODE_RATE:
    case SLS_METRIC_ASR:
    case SLS_METRIC_ERROR_RATE:
        return SLS_VALUE_RATE;
    case SLS_METRIC_PDD_P95:
    case SLS_METRIC_RESPONSE_P95:
        return SLS_VALUE_DURATION;
    default:
        return SLS_VALUE_COUNT;
    }
}

/* Which metrics make sense per scope. A peer carries calls only (calls,
 * failures, answered, the final code of each call), so transaction metrics
 * cannot be restricted to it; a method carries transactions only. */
static int metric_allowed(enum sls_metric m, enum sls_scope sc)
{
    switch (sc) {
    case SLS_SCOPE_PEER:
        return m == SLS_METRIC_FAILURE_RATE || m == SLS_METRIC_ASR ||
               m == SLS_METRIC_CODE_COUNT || m == SLS_METRIC_CODE_RATE || m == SLS_METRIC_CALLS;
    case SLS_SCOPE_METHOD:
        return m == SLS_METRIC_CODE_COUNT || m == SLS_METRIC_CODE_RATE || m == SLS_METRIC_NO_FINAL ||
               m == SLS_METRIC_RESPONSE_P95 || m == SLS_METRIC_ERROR_RATE;
    case SLS_SCOPE_ALL:
        return 1;
    }
    return 0;
}

static const char *const status_names[] = {"PASS", "FAIL", "SKIP"};

const char *sls_rule_status_name(enum sls_rule_status st)
{
    return (unsigned)st <= SLS_RULE_NODATA ? status_names[st] : "?";
}

/* ------------------------------------------------------------ messages */

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t len,
                                                          const char *fmt, ...)
{
    if (err == NULL || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------- numbers */

/* Decimal "123" or "12.345" scaled by 10^frac_digits into *out: at least one
 * digit before the point and one after it when there is a point, at most
 * frac_digits after it, result <= max. Strict like sls__parse_u64. */
static int parse_fixed(const char *s, size_t n, unsigned frac_digits, uint64_t max,
                       uint64_t *out)
{
    uint64_t v = 0;
    unsigned nint = 0, nfrac = 0;
    int dot = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (dot || nint == 0)
                return SLS_EINVAL;
            dot = 1;
            continue;
        }
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return SLS_EINVAL;
        if (dot && ++nfrac > frac_digits)
            return SLS_EINVAL;
        nint += !dot;
        if (v > (UINT64_MAX - d) / 10)
            return SLS_ERANGE;
        v = v * 10 + d;
    }
    if (nint == 0 || (dot && nfrac == 0))
        return SLS_EINVAL;
    for (; nfrac < frac_digits; nfrac++) {
        if (v > UINT64_MAX / 10)
            return SLS_ERANGE;
        v *= 10;
    }
    if (v > max)
        return SLS_ERANGE;
    *out = v;
    return 0;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

int sls_parse_rate(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    /* 1% is 10^6 of SLS_RATE_ONE: six decimals of a percent, eight of a
     * fraction, both exact. */
    if (has_suffix(s, "%"))
        return parse_fixed(s, n - 1, 6, SLS_RATE_ONE, out) < 0 ? SLS_EINVAL : 0;
    return parse_fixed(s, n, 8, SLS_RATE_ONE, out) < 0 ? SLS_EINVAL : 0;
}

int sls_parse_pp(const char *s, uint64_t *out)
{
    if (!has_suffix(s, "pp"))
        return SLS_EINVAL;
    return parse_fixed(s, strlen(s) - 2, 6, 100 * SLS_RATE_PP, out) < 0 ? SLS_EINVAL : 0;
}

int sls_parse_percent(const char *s, uint64_t *out)
{
    if (!has_suffix(s, "%"))
        return SLS_EINVAL;
    return parse_fixed(s, strlen(s) - 1, 6, 10 * SLS_RATE_ONE, out) < 0 ? SLS_EINVAL : 0;
}

#define US_PER_DAY (86400ull * 1000000ull)

int sls_parse_duration_us(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    uint64_t v;
    if (has_suffix(s, "ms")) {
        /* three decimals of a millisecond are microseconds */
        if (parse_fixed(s, n - 2, 3, US_PER_DAY, &v) < 0)
            return SLS_EINVAL;
    } else if (has_suffix(s, "s")) {
        if (parse_fixed(s, n - 1, 6, US_PER_DAY, &v) < 0)
            return SLS_EINVAL;
    } else if (has_suffix(s, "m")) {
        if (parse_fixed(s, n - 1, 6, US_PER_DAY / 60, &v) < 0)
            return SLS_EINVAL;
        v *= 60;
    } else {
        return SLS_EINVAL;
    }
    *out = v;
    return 0;
}

/* "12.500000" -> "12.5", "3.000" -> "3". */
static void trim_zeros(char *buf)
{
    char *dot = strchr(buf, '.');
    if (dot == NULL)
        return;
    char *e = buf + strlen(buf);
    while (e > dot + 1 && e[-1] == '0')
        e--;
    if (e == dot + 1)
        e = dot;
    *e = '\0';
}

/* Appends s to the string in buf, cut to fit. */
static void cat(char *buf, size_t len, const char *s)
{
    size_t used = strlen(buf), n = strlen(s);
    if (used + 1 >= len)
        return;
    if (n > len - used - 1)
        n = len - used - 1;
    memcpy(buf + used, s, n);
    buf[used + n] = '\0';
}

/* Fixed-point value with `digits` decimals, trailing zeros dropped. */
static void format_fixed(char *buf, size_t len, uint64_t v, unsigned digits, const char *unit)
{
    uint64_t scale = 1;
    for (unsigned i = 0; i < digits; i++)
        scale *= 10;
    char num[64];
    snprintf(num, sizeof(num), "%llu.%0*llu", (unsigned long long)(v / scale), (int)digits,
             (unsigned long long)(v % scale));
    trim_zeros(num);
    if (len == 0)
        return;
    buf[0] = '\0';
    cat(buf, len, num);
    cat(buf, len, unit);
}

void sls_format_rate(char *buf, size_t len, uint64_t rate)
{
    format_fixed(buf, len, rate, 6, "%");
}

void sls_format_duration_us(char *buf, size_t len, uint64_t us)
{
    if (us < 1000000)
        format_fixed(buf, len, us, 3, "ms");
    else
        format_fixed(buf, len, us, 6, "s");
}

static void format_pp(char *buf, size_t len, uint64_t v)
{
    format_fixed(buf, len, v, 6, "pp");
}

/* a * b compared with c * d, exactly (64x64 -> 128-bit products). */
static void mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (p00 & 0xffffffffu) | (mid << 32);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static int cmp_products(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t h1, l1, h2, l2;
    mul128(a, b, &h1, &l1);
    mul128(c, d, &h2, &l2);
    if (h1 != h2)
        return h1 < h2 ? -1 : 1;
    if (l1 != l2)
        return l1 < l2 ? -1 : 1;
    return 0;
}

/* ------------------------------------------------------------- policy */

void sls_policy_init(sls_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->baseline_rate_margin = SLS_RATE_PP;        /* 1pp */
    p->baseline_time_margin = SLS_RATE_ONE / 10;  /* 10% */
}

void sls_policy_cleanup(sls_policy *p)
{
    if (p == NULL)
        return;
    free(p->rules);
    sls_policy_init(p);
}

/* Copies at most dstlen - 1 bytes; 1 if s did not fit. */
static int copy_str(char *dst, size_t dstlen, const char *s)
{
    size_t n = strlen(s);
    int cut = n >= dstlen;
    if (cut)
        n = dstlen - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return cut;
}

/* "10.0.0.1", "10.0.0.1:5060", "[2001:db8::1]:5060", "2001:db8::1". */
static int parse_peer(const char *s, sls_addr *a, uint16_t *port)
{
    char host[64];
    const char *ps = NULL;
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(host) + 8)
        return SLS_EINVAL;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || (size_t)(close - s - 1) >= sizeof(host))
            return SLS_EINVAL;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        if (close[1] == ':')
            ps = close + 2;
        else if (close[1] != '\0')
            return SLS_EINVAL;
    } else {
        const char *colon = strchr(s, ':');
        if (colon != NULL && strchr(colon + 1, ':') == NULL) {
            if ((size_t)(colon - s) >= sizeof(host))
                return SLS_EINVAL;
            memcpy(host, s, (size_t)(colon - s));
            host[colon - s] = '\0';
            ps = colon + 1;
        } else if (copy_str(host, sizeof(host), s)) {
            return SLS_EINVAL;
        }
    }
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, host, a->bytes) == 1)
        a->family = 4;
    else if (inet_pton(AF_INET6, host, a->bytes) == 1)
        a->family = 6;
    else
        return SLS_EINVAL;
    *port = 0;
    if (ps != NULL) {
        uint64_t v;
        if (sls__parse_u64(ps, strlen(ps), 65535, &v) < 0 || v == 0)
            return SLS_EINVAL;
        *port = (uint16_t)v;
    }
    return 0;
}

/* "503" -> [503, 503]; "5xx" -> [500, 599]. Final responses are 200..699. */
static int parse_code(const char *s, unsigned *lo, unsigned *hi)
{
    uint64_t v;
    if (strlen(s) == 3 && s[0] >= '2' && s[0] <= '6' && (s[1] == 'x' || s[1] == 'X') &&
        (s[2] == 'x' || s[2] == 'X')) {
        *lo = (unsigned)(s[0] - '0') * 100;
        *hi = *lo + 99;
        return 0;
    }
    if (sls__parse_u64(s, strlen(s), 699, &v) < 0 || v < 200 || strlen(s) != 3)
        return SLS_EINVAL;
    *lo = *hi = (unsigned)v;
    return 0;
}

static int counter_from_name(const char *name)
{
    for (int c = 0; c < SLS_CTR_COUNT; c++)
        if (strcmp(sls_counter_name((enum sls_counter)c), name) == 0)
            return c;
    return -1;
}

/* RFC 3261 25.1: a method is a token. */
static int valid_method(const char *m)
{
    size_t n = strlen(m);
    if (n == 0 || n >= SLS_SUMMARY_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)m[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr("-.!%*_+`'~", c) != NULL))
            return 0;
    }
    return 1;
}

/* What a rule is made of, as text, from a flag or an INI section. */
enum field { F_NONE, F_METRIC, F_LIMIT, F_CODE, F_COUNTER, F_METHOD, F_PEER, F_NAME,
             F_DESCRIPTION, F_COUNT };

typedef struct rule_spec {
    enum sls_metric metric;
    const char *limit;
    const char *code;        /* count, rate */
    const char *counter;     /* malformed; NULL: the sum */
    const char *method;      /* NULL: no method scope */
    const char *peer;        /* NULL: no peer scope */
    const char *name;        /* NULL: the default name */
    const char *description; /* NULL: the default description */
    unsigned line;
} rule_spec;

static const char *limit_hint(enum sls_metric m)
{
    switch (sls_metric_kind(m)) {
    case SLS_VALUE_RATE: return "a rate such as 2% or 0.02 (at most 100%)";
    case SLS_VALUE_DURATION: return "a duration such as 3s or 250ms (at most 1 day)";
    case SLS_VALUE_COUNT: break;
    }
    return "a whole number";
}

static void default_name(char *buf, size_t len, const sls_rule *r)
{
    buf[0] = '\0';
    cat(buf, len, sls_metric_is_min(r->metric) ? "min-" : "max-");
    cat(buf, len, sls_metric_name(r->metric));
    if (r->metric == SLS_METRIC_CODE_COUNT || r->metric == SLS_METRIC_CODE_RATE) {
        cat(buf, len, " ");
        cat(buf, len, r->code_text);
    } else if (r->metric == SLS_METRIC_MALFORMED && r->counter >= 0) {
        cat(buf, len, " ");
        cat(buf, len, sls_counter_name((enum sls_counter)r->counter));
    }
    if (r->scope != SLS_SCOPE_ALL) {
        cat(buf, len, r->scope == SLS_SCOPE_METHOD ? " method=" : " peer=");
        cat(buf, len, r->scope_text);
    }
}

static void default_description(char *buf, size_t len, const sls_rule *r)
{
    char scope[128] = "";
    if (r->scope == SLS_SCOPE_METHOD)
        snprintf(scope, sizeof(scope), " (%s transactions only)", r->method);
    else if (r->scope == SLS_SCOPE_PEER)
        snprintf(scope, sizeof(scope), " (calls whose final answer came from %s)",
                 r->scope_text);
    const char *what = "";
    char tmp[160];
    switch (r->metric) {
    case SLS_METRIC_FAILURE_RATE:
        what = "call failure rate: failed call attempts / call attempts (a failure is any "
               "outcome but answered, busy, cancelled or redirected)";
        break;
    case SLS_METRIC_CODE_COUNT:
        snprintf(tmp, sizeof(tmp), "%s whose final response is %s",
                 r->scope == SLS_SCOPE_PEER ? "calls" : "transactions", r->code_text);
        what = tmp;
        break;
    case SLS_METRIC_CODE_RATE:
        snprintf(tmp, sizeof(tmp), "%s whose final response is %s / %s",
                 r->scope == SLS_SCOPE_PEER ? "calls" : "transactions", r->code_text,
                 r->scope == SLS_SCOPE_PEER ? "calls" : "rated transactions");
        what = tmp;
        break;
    case SLS_METRIC_NO_FINAL:
        what = "transactions without a final response (timed out, or pending at the end)";
        break;
    case SLS_METRIC_ASR:
        what = "answer-seizure ratio: answered calls / call attempts";
        break;
    case SLS_METRIC_PDD_P95:
        what = "95th percentile of post-dial delay (INVITE to first 180/183)";
        break;
    case SLS_METRIC_RESPONSE_P95:
        what = "95th percentile of response time (request to final response)";
        break;
    case SLS_METRIC_MALFORMED:
        if (r->counter >= 0) {
            snprintf(tmp, sizeof(tmp), "items counted as %s",
                     sls_counter_name((enum sls_counter)r->counter));
            what = tmp;
        } else {
            what = "malformed SIP messages and packets that could not be decoded";
        }
        break;
    case SLS_METRIC_ERROR_RATE:
        what = "transaction error rate: final 4xx-6xx other than 401/407/487, or timed out, "
               "/ rated transactions";
        break;
    case SLS_METRIC_CALLS:
        what = "call attempts (calls not in progress at the end of the capture)";
        break;
    case SLS_METRIC_COUNT:
        break;
    }
    snprintf(buf, len, "%s%s", what, scope);
}

static int rule_name_taken(const sls_policy *p, const char *name)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].name, name) == 0)
            return 1;
    return 0;
}

/* Builds a rule from its text parts and appends it. On SLS_EINVAL, err has
 * the reason (without a location) and *bad names the faulty part. */
static int add_rule(sls_policy *p, const rule_spec *sp, char *err, size_t errlen,
                    enum field *bad)
{
    sls_rule r;
    memset(&r, 0, sizeof(r));
    r.metric = sp->metric;
    r.counter = -1;
    r.line = sp->line;
    *bad = F_NONE;
    const char *mname = sls_metric_name(sp->metric);

    if (sp->method != NULL && sp->peer != NULL) {
        *bad = F_PEER;
        set_err(err, errlen, "a rule is restricted to a method or to a peer, not both");
        return SLS_EINVAL;
    }
    if (sp->method != NULL) {
        if (!valid_method(sp->method)) {
            *bad = F_METHOD;
            set_err(err, errlen, "'%s' is not a SIP method name", sp->method);
            return SLS_EINVAL;
        }
        r.scope = SLS_SCOPE_METHOD;
        copy_str(r.method, sizeof(r.method), sp->method);
        copy_str(r.scope_text, sizeof(r.scope_text), sp->method);
    } else if (sp->peer != NULL) {
        if (parse_peer(sp->peer, &r.peer, &r.peer_port) < 0) {
            *bad = F_PEER;
            set_err(err, errlen, "'%s' is not a peer address (ADDR or ADDR:PORT, IPv6 as "
                                 "[ADDR]:PORT)", sp->peer);
            return SLS_EINVAL;
        }
        r.scope = SLS_SCOPE_PEER;
        copy_str(r.scope_text, sizeof(r.scope_text), sp->peer);
    }
    if (!metric_allowed(sp->metric, r.scope)) {
        *bad = r.scope == SLS_SCOPE_PEER ? F_PEER : F_METHOD;
        set_err(err, errlen,
                "%s cannot be restricted to a %s (%s)", mname,
                r.scope == SLS_SCOPE_PEER ? "peer" : "method",
                r.scope == SLS_SCOPE_PEER
                    ? "a peer has calls: use failure-rate, asr, count, rate or calls"
                    : "a method has transactions: use count, rate, no-final, "
                      "response-p95 or error-rate");
        return SLS_EINVAL;
    }

    if (sp->metric == SLS_METRIC_CODE_COUNT || sp->metric == SLS_METRIC_CODE_RATE) {
        if (sp->code == NULL) {
            *bad = F_CODE;
            set_err(err, errlen, "%s needs a response code or class (503, 5xx)", mname);
            return SLS_EINVAL;
        }
        if (parse_code(sp->code, &r.code_lo, &r.code_hi) < 0) {
            *bad = F_CODE;
            set_err(err, errlen, "'%s' is not a final response code (200 to 699) or class "
                                 "(2xx to 6xx)", sp->code);
            return SLS_EINVAL;
        }
        copy_str(r.code_text, sizeof(r.code_text), sp->code);
        if (r.code_text[1] == 'X')
            r.code_text[1] = r.code_text[2] = 'x';
    } else if (sp->code != NULL) {
        *bad = F_CODE;
        set_err(err, errlen, "%s takes no response code", mname);
        return SLS_EINVAL;
    }
    if (sp->counter != NULL) {
        if (sp->metric != SLS_METRIC_MALFORMED) {
            *bad = F_COUNTER;
            set_err(err, errlen, "%s takes no counter name", mname);
            return SLS_EINVAL;
        }
        if ((r.counter = counter_from_name(sp->counter)) < 0) {
            *bad = F_COUNTER;
            set_err(err, errlen, "unknown counter '%s' (the names are those of the summary, "
                                 "e.g. sip-no-call-id)", sp->counter);
            return SLS_EINVAL;
        }
    }

    int rc;
    switch (sls_metric_kind(sp->metric)) {
    case SLS_VALUE_RATE:
        rc = sls_parse_rate(sp->limit, &r.limit);
        break;
    case SLS_VALUE_DURATION:
        rc = sls_parse_duration_us(sp->limit, &r.limit);
        break;
    default:
        rc = sls__parse_u64(sp->limit, strlen(sp->limit), 1000000000000000ull, &r.limit);
        break;
    }
    if (rc < 0) {
        *bad = F_LIMIT;
        uint64_t dummy;
        if (sls_metric_kind(sp->metric) == SLS_VALUE_RATE && !has_suffix(sp->limit, "%") &&
            parse_fixed(sp->limit, strlen(sp->limit), 8, UINT64_MAX / 1000, &dummy) == 0)
            set_err(err, errlen, "%s needs %s, not '%s' (a fraction is at most 1: did you "
                                 "mean %s%%?)", mname, limit_hint(sp->metric), sp->limit,
                    sp->limit);
        else
            set_err(err, errlen, "%s needs %s, not '%s'", mname, limit_hint(sp->metric),
                    sp->limit);
        return SLS_EINVAL;
    }

    if (sp->name != NULL) {
        if (copy_str(r.name, sizeof(r.name), sp->name)) {
            *bad = F_NAME;
            set_err(err, errlen, "rule name too long (at most %d bytes)",
                    SLS_RULE_MAX_NAME - 1);
            return SLS_EINVAL;
        }
    } else {
        default_name(r.name, sizeof(r.name), &r);
    }
    if (sp->description != NULL) {
        if (copy_str(r.description, sizeof(r.description), sp->description)) {
            *bad = F_DESCRIPTION;
            set_err(err, errlen, "description too long (at most %d bytes)",
                    SLS_RULE_MAX_DESCRIPTION - 1);
            return SLS_EINVAL;
        }
    } else {
        default_description(r.description, sizeof(r.description), &r);
    }
    if (rule_name_taken(p, r.name)) {
        *bad = F_NAME;
        set_err(err, errlen, "rule '%s' is defined twice", r.name);
        return SLS_EINVAL;
    }
    if (p->nrules >= SLS_POLICY_MAX_RULES) {
        *bad = F_NAME;
        set_err(err, errlen, "too many rules (at most %d)", SLS_POLICY_MAX_RULES);
        return SLS_EINVAL;
    }
    if (p->nrules == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        sls_rule *nr = realloc(p->rules, cap * sizeof(*nr));
        if (nr == NULL)
            return SLS_ENOMEM;
        p->rules = nr;
        p->cap = cap;
    }
    p->rules[p->nrules++] = r;
    return 0;
}

/* ---------------------------------------------------------------- flags */

enum flag_form { FORM_VALUE, FORM_CODE_EQ, FORM_OPT_NAME_EQ };

static const struct flag_def {
    const char *flag;
    enum sls_metric metric;
    enum flag_form form;
} flag_defs[] = {
    {"--max-failure-rate", SLS_METRIC_FAILURE_RATE, FORM_VALUE},
    {"--max-count", SLS_METRIC_CODE_COUNT, FORM_CODE_EQ},
    {"--max-rate", SLS_METRIC_CODE_RATE, FORM_CODE_EQ},
    {"--max-no-final", SLS_METRIC_NO_FINAL, FORM_VALUE},
    {"--min-asr", SLS_METRIC_ASR, FORM_VALUE},
    {"--max-pdd-p95", SLS_METRIC_PDD_P95, FORM_VALUE},
    {"--max-response-p95", SLS_METRIC_RESPONSE_P95, FORM_VALUE},
    {"--max-malformed", SLS_METRIC_MALFORMED, FORM_OPT_NAME_EQ},
    {"--max-error-rate", SLS_METRIC_ERROR_RATE, FORM_VALUE},
    {"--min-calls", SLS_METRIC_CALLS, FORM_VALUE},
};
#define NFLAGS (sizeof(flag_defs) / sizeof(flag_defs[0]))

static const char *const other_flags[] = {"--method", "--peer", "--baseline-rate-margin",
                                          "--baseline-time-margin"};

int sls_policy_is_flag(const char *flag)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (strcmp(flag, flag_defs[i].flag) == 0)
            return 1;
    for (size_t i = 0; i < sizeof(other_flags) / sizeof(other_flags[0]); i++)
        if (strcmp(flag, other_flags[i]) == 0)
            return 1;
    return 0;
}

int sls_policy_flag(sls_policy *p, const char *flag, const char *value, char *err,
                    size_t errlen)
{
    char e[256];
    if (value == NULL) {
        set_err(err, errlen, "%s needs a value", flag);
        return SLS_EINVAL;
    }
    if (strcmp(flag, "--method") == 0 || strcmp(flag, "--peer") == 0) {
        int is_method = flag[2] == 'm';
        if (strcmp(value, "*") == 0) {
            p->flag_scope = SLS_SCOPE_ALL;
            p->flag_scope_text[0] = '\0';
            return 0;
        }
        if (is_method ? !valid_method(value)
                      : parse_peer(value, &p->flag_peer, &p->flag_peer_port) < 0) {
            set_err(err, errlen, is_method ? "--method: '%s' is not a SIP method name"
                                           : "--peer: '%s' is not an address (ADDR, "
                                             "ADDR:PORT or [IPv6]:PORT)",
                    value);
            return SLS_EINVAL;
        }
        p->flag_scope = is_method ? SLS_SCOPE_METHOD : SLS_SCOPE_PEER;
        copy_str(p->flag_scope_text, sizeof(p->flag_scope_text), value);
        if (is_method)
            copy_str(p->flag_method, sizeof(p->flag_method), value);
        return 0;
    }
    if (strcmp(flag, "--baseline-rate-margin") == 0) {
        if (sls_parse_pp(value, &p->baseline_rate_margin) < 0) {
            set_err(err, errlen, "--baseline-rate-margin needs percentage points such as "
                                 "1pp or 0.5pp (at most 100pp), not '%s'", value);
            return SLS_EINVAL;
        }
        return 0;
    }
    if (strcmp(flag, "--baseline-time-margin") == 0) {
        if (sls_parse_percent(value, &p->baseline_time_margin) < 0) {
            set_err(err, errlen, "--baseline-time-margin needs a percentage such as 10%% "
                                 "(at most 1000%%), not '%s'", value);
            return SLS_EINVAL;
        }
        return 0;
    }

    const struct flag_def *d = NULL;
    for (size_t i = 0; i < NFLAGS; i++)
        if (strcmp(flag, flag_defs[i].flag) == 0)
            d = &flag_defs[i];
    if (d == NULL) {
        set_err(err, errlen, "unknown policy flag '%s'", flag);
        return SLS_EINVAL;
    }
    rule_spec sp;
    memset(&sp, 0, sizeof(sp));
    sp.metric = d->metric;
    sp.limit = value;
    if (p->flag_scope == SLS_SCOPE_METHOD)
        sp.method = p->flag_scope_text;
    else if (p->flag_scope == SLS_SCOPE_PEER)
        sp.peer = p->flag_scope_text;
    char lhs[64];
    const char *eq = strchr(value, '=');
    if (d->form == FORM_CODE_EQ || (d->form == FORM_OPT_NAME_EQ && eq != NULL)) {
        if (eq == NULL || (size_t)(eq - value) >= sizeof(lhs)) {
            set_err(err, errlen, "%s needs CODE=%s, e.g. %s 500=%s, not '%s'", flag,
                    d->metric == SLS_METRIC_CODE_RATE ? "RATE" : "N", flag,
                    d->metric == SLS_METRIC_CODE_RATE ? "1%" : "0", value);
            return SLS_EINVAL;
        }
        memcpy(lhs, value, (size_t)(eq - value));
        lhs[eq - value] = '\0';
        sp.limit = eq + 1;
        if (d->form == FORM_CODE_EQ)
            sp.code = lhs;
        else
            sp.counter = lhs;
    }
    enum field bad;
    int rc = add_rule(p, &sp, e, sizeof(e), &bad);
    if (rc == SLS_EINVAL)
        set_err(err, errlen, "%s %s: %s", flag, value, e);
    return rc;
}

/* ------------------------------------------------------------ INI files */

/* libinih parses "key = value" lines, comments and continuation lines; the
 * section headers are ours. The reader below hands inih one physical line
 * per call, so the line being handled is always the number of lines read so
 * far (inih's own handler gets no line number in the Debian build), and it
 * takes the section lines out of inih's hands: inih cuts section names at
 * 50 bytes without a word and drops sections without keys, while a rule
 * name may be longer and an empty rule section is an error to report. */

enum section_kind { SEC_NONE, SEC_POLICY, SEC_RULE, SEC_BAD };

typedef struct draft {
    char name[SLS_RULE_MAX_NAME + 1];
    unsigned line;
    char val[F_COUNT][SLS_RULE_MAX_DESCRIPTION + 1];
    unsigned vline[F_COUNT];   /* 0: key absent */
    int is_min;                /* min = given (else max =) */
    int bad;                   /* an error was reported in the section */
} draft;

typedef struct ini_ctx {
    sls_policy *p;
    const char *name;
    const char *text;
    size_t pos, len;
    unsigned line;
    enum section_kind sec;
    draft d;
    unsigned policy_seen[3];
    unsigned err_line;
    int nomem;
    char err[320];
} ini_ctx;

__attribute__((format(printf, 3, 4))) static void ini_error(ini_ctx *c, unsigned line,
                                                            const char *fmt, ...)
{
    if (c->err_line != 0 && c->err_line <= line)
        return; /* keep the first error in file order */
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->err_line = line;
    snprintf(c->err, sizeof(c->err), "%s:%u: %s", c->name, line, msg);
}

/* Creates the rule of the section that just ended. */
static void finish_rule(ini_ctx *c)
{
    if (c->sec != SEC_RULE)
        return;
    c->sec = SEC_NONE;
    draft *d = &c->d;
    if (d->bad)
        return; /* one error per rule: the first */
    if (d->vline[F_METRIC] == 0) {
        ini_error(c, d->line, "rule \"%s\" has no metric (one of failure-rate, count, rate, "
                              "no-final, asr, pdd-p95, response-p95, malformed, error-rate, "
                              "calls)", d->name);
        return;
    }
    int m = sls_metric_from_name(d->val[F_METRIC]);
    if (m < 0) {
        ini_error(c, d->vline[F_METRIC], "unknown metric '%s' (one of failure-rate, count, "
                                         "rate, no-final, asr, pdd-p95, response-p95, "
                                         "malformed, error-rate, calls)", d->val[F_METRIC]);
        return;
    }
    const char *want = sls_metric_is_min((enum sls_metric)m) ? "min" : "max";
    if (d->vline[F_LIMIT] == 0) {
        ini_error(c, d->line, "rule \"%s\" needs %s = (metric %s)", d->name, want,
                  d->val[F_METRIC]);
        return;
    }
    if (d->is_min != sls_metric_is_min((enum sls_metric)m)) {
        ini_error(c, d->vline[F_LIMIT], "metric %s takes %s =, not %s =", d->val[F_METRIC],
                  want, d->is_min ? "min" : "max");
        return;
    }
    rule_spec sp;
    memset(&sp, 0, sizeof(sp));
    sp.metric = (enum sls_metric)m;
    sp.limit = d->val[F_LIMIT];
    sp.code = d->vline[F_CODE] ? d->val[F_CODE] : NULL;
    sp.counter = d->vline[F_COUNTER] ? d->val[F_COUNTER] : NULL;
    sp.method = d->vline[F_METHOD] ? d->val[F_METHOD] : NULL;
    sp.peer = d->vline[F_PEER] ? d->val[F_PEER] : NULL;
    sp.description = d->vline[F_DESCRIPTION] ? d->val[F_DESCRIPTION] : NULL;
    sp.name = d->name;
    sp.line = d->line;
    char e[256];
    enum field bad;
    int rc = add_rule(c->p, &sp, e, sizeof(e), &bad);
    if (rc == SLS_ENOMEM) {
        c->nomem = 1;
        ini_error(c, d->line, "%s", sls_strerror(rc));
    } else if (rc < 0) {
        unsigned line = bad != F_NONE && bad < F_COUNT && d->vline[bad] ? d->vline[bad] : d->line;
        ini_error(c, line, "%s", e);
    }
}

static int valid_rule_name(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
            return 0;
    }
    return 1;
}

/* One section header line (starts with '[' after white space). */
static void section_line(ini_ctx *c, const char *s, size_t n)
{
    finish_rule(c);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    c->sec = SEC_BAD;
    if (n < 2 || s[n - 1] != ']') {
        ini_error(c, c->line, "a section header ends with ']'");
        return;
    }
    s++;
    n -= 2;
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    const char *nm = NULL;
    size_t nn = 0;
    if (n == 6 && memcmp(s, "policy", 6) == 0) {
        c->sec = SEC_POLICY;
        return;
    }
    if (n > 5 && memcmp(s, "rule.", 5) == 0) {
        nm = s + 5;
        nn = n - 5;
    } else if (n >= 4 && memcmp(s, "rule", 4) == 0 && (n == 4 || s[4] == ' ' || s[4] == '\t')) {
        size_t i = 4;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i < n && s[i] == '"' && n - i >= 2 && s[n - 1] == '"') {
            nm = s + i + 1;
            nn = n - i - 2;
        }
    }
    if (nm == NULL) {
        ini_error(c, c->line, "unknown section [%.*s] (sections are [policy], "
                              "[rule \"NAME\"] and [rule.NAME])", (int)(n > 60 ? 60 : n), s);
        return;
    }
    if (!valid_rule_name(nm, nn)) {
        ini_error(c, c->line, "a rule name is not empty and has no quote, backslash or "
                              "control character");
        return;
    }
    if (nn > SLS_RULE_MAX_NAME - 1) {
        ini_error(c, c->line, "rule name too long (at most %d bytes)", SLS_RULE_MAX_NAME - 1);
        return;
    }
    memset(&c->d, 0, sizeof(c->d));
    memcpy(c->d.name, nm, nn);
    c->d.line = c->line;
    c->sec = SEC_RULE;
}

static char *ini_read_line(char *str, int num, void *stream)
{
    ini_ctx *c = stream;
    if (c->pos >= c->len || num < 4)
        return NULL;
    const char *s = c->text + c->pos;
    const char *nl = memchr(s, '\n', c->len - c->pos);
    size_t n = nl ? (size_t)(nl - s) + 1 : c->len - c->pos;
    c->pos += n;
    c->line++;
    size_t body = n;
    while (body > 0 && (s[body - 1] == '\n' || s[body - 1] == '\r'))
        body--;
    size_t lead = 0;
    while (lead < body && (s[lead] == ' ' || s[lead] == '\t'))
        lead++;
    if (memchr(s, '\0', body) != NULL) {
        ini_error(c, c->line, "NUL byte in the file");
        memcpy(str, ";\n", 3);
        return str;
    }
    if (lead < body && s[lead] == '[') {
        section_line(c, s + lead, body - lead);
        /* A section line for inih too, so that it stops continuing the
         * previous key over it. */
        memcpy(str, "[s]\n", 5);
        return str;
    }
    if (body + 2 > (size_t)num) {
        ini_error(c, c->line, "line too long (at most %d bytes)", num - 2);
        memcpy(str, ";\n", 3);
        return str;
    }
    memcpy(str, s, body);
    str[body] = '\n';
    str[body + 1] = '\0';
    return str;
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return SLS_EINVAL;
}

static const char *const rule_keys[F_COUNT] = {
    [F_METRIC] = "metric", [F_CODE] = "code", [F_COUNTER] = "counter",
    [F_METHOD] = "method", [F_PEER] = "peer", [F_DESCRIPTION] = "description"};

static int rule_or_policy_key(ini_ctx *c, const char *key, const char *value)
{
    char v[SLS_RULE_MAX_DESCRIPTION + 1];
    size_t n = strlen(value);
    /* description = "text" keeps the text without the quotes */
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        value++;
        n -= 2;
    }
    if (n >= sizeof(v)) {
        ini_error(c, c->line, "value of '%s' too long (at most %zu bytes)", key, sizeof(v) - 1);
        return 0;
    }
    memcpy(v, value, n);
    v[n] = '\0';

    switch (c->sec) {
    case SEC_NONE:
        ini_error(c, c->line, "'%s' outside a section ([policy] or [rule \"NAME\"])", key);
        return 0;
    case SEC_BAD:
        return 1; /* the header was reported */
    case SEC_POLICY: {
        static const char *const pkeys[3] = {"allow_incomplete", "baseline_rate_margin",
                                             "baseline_time_margin"};
        int k = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(key, pkeys[i]) == 0)
                k = i;
        if (k < 0) {
            ini_error(c, c->line, "unknown key '%s' in [policy] (allow_incomplete, "
                                  "baseline_rate_margin, baseline_time_margin)", key);
            return 0;
        }
        if (c->policy_seen[k]) {
            ini_error(c, c->line, "'%s' given twice (first on line %u)", key,
                      c->policy_seen[k]);
            return 0;
        }
        c->policy_seen[k] = c->line;
        int ok = 0;
        if (k == 0)
            ok = parse_bool(v, &c->p->allow_incomplete) == 0;
        else if (k == 1)
            ok = sls_parse_pp(v, &c->p->baseline_rate_margin) == 0;
        else
            ok = sls_parse_percent(v, &c->p->baseline_time_margin) == 0;
        if (!ok) {
            ini_error(c, c->line, "%s needs %s, not '%s'", key,
                      k == 0 ? "true or false"
                      : k == 1 ? "percentage points such as 1pp (at most 100pp)"
                               : "a percentage such as 10% (at most 1000%)",
                      v);
            return 0;
        }
        return 1;
    }
    case SEC_RULE:
        break;
    }
    enum field f = F_NONE;
    int is_min = 0;
    if (strcmp(key, "max") == 0 || strcmp(key, "min") == 0) {
        f = F_LIMIT;
        is_min = key[1] == 'i';
    } else {
        for (int i = 0; i < F_COUNT; i++)
            if (rule_keys[i] != NULL && strcmp(key, rule_keys[i]) == 0)
                f = (enum field)i;
    }
    if (f == F_NONE) {
        ini_error(c, c->line, "unknown key '%s' in rule \"%s\" (metric, max, min, code, "
                              "method, peer, counter, description)", key, c->d.name);
        return 0;
    }
    if (c->d.vline[f] != 0) {
        ini_error(c, c->line, f == F_LIMIT ? "a rule has one limit (max = or min =); "
                                             "the first is on line %u"
                                           : "key given twice (first on line %u)",
                  c->d.vline[f]);
        return 0;
    }
    if (n == 0) {
        ini_error(c, c->line, "'%s' has no value", key);
        return 0;
    }
    c->d.vline[f] = c->line;
    memcpy(c->d.val[f], v, n + 1);
    if (f == F_LIMIT)
        c->d.is_min = is_min;
    return 1;
}

/* inih's handler: one "key = value" line. */
static int ini_key(void *user, const char *section, const char *key, const char *value)
{
    ini_ctx *c = user;
    (void)section; /* ours is c->sec: see ini_read_line */
    int ok = rule_or_policy_key(c, key, value);
    if (!ok && c->sec == SEC_RULE)
        c->d.bad = 1;
    return ok;
}

int sls_policy_load_string(sls_policy *p, const char *text, const char *name, char *err,
                           size_t errlen)
{
    ini_ctx *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return SLS_ENOMEM;
    c->p = p;
    c->name = name;
    c->text = text;
    c->len = strlen(text);
    size_t before = p->nrules;
    int rc = ini_parse_stream(ini_read_line, c, ini_key, c);
    finish_rule(c);
    if (rc > 0 && (c->err_line == 0 || (unsigned)rc < c->err_line)) {
        /* inih's own complaint: a line that is neither a key, a section nor
         * a comment. */
        c->err_line = 0;
        ini_error(c, (unsigned)rc, "expected 'key = value', a [section] or a comment");
    } else if (rc < 0) {
        c->nomem = 1; /* inih: -2, no memory for its line buffer */
        set_err(c->err, sizeof(c->err), "%s", sls_strerror(SLS_ENOMEM));
    }
    int ret = 0;
    if (c->err_line != 0 || rc != 0) {
        set_err(err, errlen, "%s", c->err);
        ret = c->nomem ? SLS_ENOMEM : SLS_EINVAL;
        p->nrules = before; /* all or nothing */
    }
    free(c);
    return ret;
}

int sls_policy_load_file(sls_policy *p, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        set_err(err, errlen, "%s: cannot read the policy file", path);
        return SLS_EOPEN;
    }
    /* Policies are small: a ceiling keeps a wrong path (a capture, a
     * device) from being read whole. */
    enum { MAX_POLICY = 1 << 20 };
    char *buf = malloc(MAX_POLICY + 1);
    if (buf == NULL) {
        fclose(f);
        return SLS_ENOMEM;
    }
    size_t n = fread(buf, 1, MAX_POLICY + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > MAX_POLICY) {
        set_err(err, errlen, bad ? "%s: read error" : "%s: larger than 1 MiB: not a policy file",
                path);
        free(buf);
        return bad ? SLS_EOPEN : SLS_EINVAL;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n) != NULL) {
        set_err(err, errlen, "%s: binary data: not a policy file", path);
        free(buf);
        return SLS_EINVAL;
    }
    int rc = sls_policy_load_string(p, buf, path, err, errlen);
    free(buf);
    return rc;
}

/* ----------------------------------------------------------- evaluation */

/* What a rule sees in its scope. */
typedef struct view {
    uint64_t attempts, failed, answered;  /* calls */
    uint64_t rated, errors, no_final;     /* transactions */
    const uint64_t *codes;                /* final codes [700], may be NULL */
    uint64_t peer_codes[700];             /* sum over matching peers */
    const sls_hist *response, *pdd;       /* may be NULL */
    int calls_scope;                      /* codes are those of calls */
} view;

static void make_view(const sls_rule *r, const sls_summary *s, view *v)
{
    memset(v, 0, sizeof(*v));
    switch (r->scope) {
    case SLS_SCOPE_ALL:
        v->attempts = sls_summary_call_attempts(s);
        v->failed = s->calls_failed;
        v->answered = s->outcomes[SLS_OUTCOME_ANSWERED];
        v->rated = s->txn_rated;
        v->errors = s->txn_errors;
        v->no_final = s->txn_no_final;
        v->codes = s->final_codes;
        v->response = &s->response_time;
        v->pdd = &s->pdd;
        break;
    case SLS_SCOPE_METHOD:
        for (size_t i = 0; i < s->nmethods; i++) {
            const sls_method_stats *m = &s->methods[i];
            if (strcmp(m->name, r->method) != 0)
                continue;
            v->rated = m->txn_rated;
            v->errors = m->txn_errors;
            v->no_final = m->txn_bucket[SLS_BUCKET_1XX_ONLY] + m->txn_bucket[SLS_BUCKET_NO_FINAL];
            v->codes = m->final_codes;
            v->response = m->response_time;
        }
        break;
    case SLS_SCOPE_PEER:
        v->calls_scope = 1;
        v->codes = v->peer_codes;
        for (size_t i = 0; s->peers != NULL && i < s->npeers; i++) {
            const sls_peer_stats *p = &s->peers[i];
            if (p->other || memcmp(&p->addr, &r->peer, sizeof(p->addr)) != 0 ||
                (r->peer_port != 0 && p->port != r->peer_port))
                continue;
            v->attempts += p->calls;
            v->failed += p->failures;
            v->answered += p->answered;
            for (unsigned c = 0; c < 700; c++)
                v->peer_codes[c] += p->final_codes[c];
        }
        break;
    }
}

static uint64_t code_count(const view *v, unsigned lo, unsigned hi)
{
    uint64_t n = 0;
    for (unsigned c = lo; v->codes != NULL && c <= hi && c < 700; c++)
        n += v->codes[c];
    return n;
}

static uint64_t malformed_count(const sls_summary *s, int counter)
{
    if (counter >= 0)
        return s->counters.v[counter];
    uint64_t n = 0;
    for (int c = 0; c < SLS_CTR_COUNT; c++) {
        enum sls_counter_kind k = sls_counter_kind((enum sls_counter)c);
        if (k == SLS_KIND_MALFORMED || k == SLS_KIND_SKIPPED)
            n += s->counters.v[c];
    }
    return n;
}

/* Measured rate as a percentage, with at least the decimals of the limit
 * (so that rounding cannot make a pass look like "2% <= 1.9995%") and, for
 * a failure, as many more as it takes not to look like equality ("2% >
 * 2%"). */
static void format_measured_rate(char *buf, size_t len, uint64_t num, uint64_t den,
                                 const char *limit_text, int failed)
{
    long double pct = den ? 100.0L * (long double)num / (long double)den : 0.0L;
    const char *dot = strchr(limit_text, '.');
    int d = dot != NULL ? (int)strspn(dot + 1, "0123456789") : 0;
    if (d < 2)
        d = 2;
    for (; d <= 10; d++) {
        snprintf(buf, len, "%.*Lf", d, pct);
        trim_zeros(buf);
        cat(buf, len, "%");
        if (!failed || strcmp(buf, limit_text) != 0)
            return;
    }
}

static void result_rate(sls_rule_result *res, const sls_rule *r, uint64_t num, uint64_t den,
                        const char *what)
{
    sls_format_rate(res->allowed_text, sizeof(res->allowed_text), r->limit);
    res->allowed = (double)r->limit / (double)SLS_RATE_ONE;
    if (den == 0) {
        res->status = SLS_RULE_NODATA;
        snprintf(res->detail, sizeof(res->detail), "no %s", what);
        return;
    }
    int c = cmp_products(num, SLS_RATE_ONE, r->limit, den);
    int ok = res->is_min ? c >= 0 : c <= 0;
    res->status = ok ? SLS_RULE_PASS : SLS_RULE_FAIL;
    res->has_measured = 1;
    res->measured = (double)num / (double)den;
    format_measured_rate(res->measured_text, sizeof(res->measured_text), num, den,
                         res->allowed_text, !ok);
    snprintf(res->detail, sizeof(res->detail), "%llu of %llu %s", (unsigned long long)num,
             (unsigned long long)den, what);
}

static void result_count(sls_rule_result *res, const sls_rule *r, uint64_t n, const char *what)
{
    snprintf(res->allowed_text, sizeof(res->allowed_text), "%llu", (unsigned long long)r->limit);
    snprintf(res->measured_text, sizeof(res->measured_text), "%llu", (unsigned long long)n);
    res->allowed = (double)r->limit;
    res->measured = (double)n;
    res->has_measured = 1;
    int ok = res->is_min ? n >= r->limit : n <= r->limit;
    res->status = ok ? SLS_RULE_PASS : SLS_RULE_FAIL;
    snprintf(res->detail, sizeof(res->detail), "%s", what);
}

static void result_p95(sls_rule_result *res, const sls_rule *r, const sls_hist *h,
                       const char *what)
{
    sls_format_duration_us(res->allowed_text, sizeof(res->allowed_text), r->limit);
    res->allowed = (double)r->limit / 1000.0;
    if (h == NULL || h->count == 0) {
        res->status = SLS_RULE_NODATA;
        snprintf(res->detail, sizeof(res->detail), "no %s", what);
        return;
    }
    uint64_t p95 = sls_hist_percentile(h, 95);
    sls_format_duration_us(res->measured_text, sizeof(res->measured_text), p95 * 1000);
    res->measured = (double)p95;
    res->has_measured = 1;
    res->status = p95 * 1000 <= r->limit ? SLS_RULE_PASS : SLS_RULE_FAIL;
    snprintf(res->detail, sizeof(res->detail), "p95 of %llu %s", (unsigned long long)h->count,
             what);
}

static void evaluate_rule(const sls_rule *r, const sls_summary *s, sls_rule_result *res,
                          view *v)
{
    memset(res, 0, sizeof(*res));
    copy_str(res->name, sizeof(res->name), r->name);
    copy_str(res->description, sizeof(res->description), r->description);
    res->metric = r->metric;
    res->value_kind = sls_metric_kind(r->metric);
    res->is_min = sls_metric_is_min(r->metric);
    res->line = r->line;
    if (r->scope != SLS_SCOPE_ALL) {
        res->scope = r->scope == SLS_SCOPE_METHOD ? "method" : "peer";
        copy_str(res->scope_value, sizeof(res->scope_value), r->scope_text);
    }
    make_view(r, s, v);
    const char *unit = v->calls_scope ? "calls" : "rated transactions";
    char what[96];
    switch (r->metric) {
    case SLS_METRIC_FAILURE_RATE:
        result_rate(res, r, v->failed, v->attempts, "call attempts failed");
        if (res->status != SLS_RULE_NODATA)
            snprintf(res->detail, sizeof(res->detail), "%llu of %llu call attempts failed",
                     (unsigned long long)v->failed, (unsigned long long)v->attempts);
        else
            snprintf(res->detail, sizeof(res->detail), "no call attempts");
        break;
    case SLS_METRIC_CODE_COUNT:
        snprintf(what, sizeof(what), "%s with a final %s", v->calls_scope ? "calls" : "transactions",
                 r->code_text);
        result_count(res, r, code_count(v, r->code_lo, r->code_hi), what);
        break;
    case SLS_METRIC_CODE_RATE: {
        uint64_t den = v->calls_scope ? v->attempts : v->rated;
        result_rate(res, r, code_count(v, r->code_lo, r->code_hi), den, unit);
        if (res->status != SLS_RULE_NODATA)
            snprintf(res->detail, sizeof(res->detail), "%llu of %llu %s ended %s",
                     (unsigned long long)code_count(v, r->code_lo, r->code_hi),
                     (unsigned long long)den, unit, r->code_text);
        break;
    }
    case SLS_METRIC_NO_FINAL:
        result_count(res, r, v->no_final, "transactions without a final response");
        break;
    case SLS_METRIC_ASR:
        result_rate(res, r, v->answered, v->attempts, "call attempts");
        if (res->status != SLS_RULE_NODATA)
            snprintf(res->detail, sizeof(res->detail), "%llu of %llu call attempts answered",
                     (unsigned long long)v->answered, (unsigned long long)v->attempts);
        break;
    case SLS_METRIC_PDD_P95:
        result_p95(res, r, v->pdd, "calls with a post-dial delay");
        break;
    case SLS_METRIC_RESPONSE_P95:
        result_p95(res, r, v->response, "transactions with a response time");
        break;
    case SLS_METRIC_MALFORMED:
        result_count(res, r, malformed_count(s, r->counter),
                     r->counter >= 0 ? sls_counter_name((enum sls_counter)r->counter)
                                     : "malformed SIP messages + undecodable packets");
        break;
    case SLS_METRIC_ERROR_RATE:
        result_rate(res, r, v->errors, v->rated, "rated transactions");
        if (res->status != SLS_RULE_NODATA)
            snprintf(res->detail, sizeof(res->detail), "%llu errors of %llu rated transactions",
                     (unsigned long long)v->errors, (unsigned long long)v->rated);
        break;
    case SLS_METRIC_CALLS:
        result_count(res, r, v->attempts, "call attempts");
        break;
    case SLS_METRIC_COUNT:
        break;
    }
}

/* Baseline regression rules. */
enum base_metric { B_FAILURE_RATE, B_ERROR_RATE, B_ASR, B_PDD, B_RESPONSE, B_4XX, B_5XX, B_6XX,
                   B_COUNT };

static uint64_t failure_class(const sls_summary *s, unsigned cls)
{
    uint64_t n = 0;
    for (unsigned c = cls * 100; c < cls * 100 + 100; c++)
        if (c != 401 && c != 407) /* challenges are not failures */
            n += s->final_codes[c];
    return n;
}

/* Rate numerator and denominator of a baseline metric. */
static void base_rate(const sls_summary *s, enum base_metric b, uint64_t *num, uint64_t *den)
{
    switch (b) {
    case B_FAILURE_RATE:
        *num = s->calls_failed;
        *den = sls_summary_call_attempts(s);
        break;
    case B_ASR:
        *num = s->outcomes[SLS_OUTCOME_ANSWERED];
        *den = sls_summary_call_attempts(s);
        break;
    case B_ERROR_RATE:
        *num = s->txn_errors;
        *den = s->txn_rated;
        break;
    default:
        *num = failure_class(s, 4 + (unsigned)(b - B_4XX));
        *den = s->txn_rated;
        break;
    }
}

static void signed_pp(char *buf, size_t len, long double diff_fraction)
{
    long double pp = diff_fraction * 100.0L;
    snprintf(buf, len, "%+.2Lf", pp);
    trim_zeros(buf);
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, len, "+0");
    size_t n = strlen(buf);
    snprintf(buf + n, len - n, "pp");
}

static void evaluate_baseline(const sls_policy *p, enum base_metric b, const sls_summary *s,
                              const sls_summary *base, sls_rule_result *res)
{
    static const char *const names[B_COUNT] = {
        "baseline failure-rate", "baseline error-rate", "baseline asr",
        "baseline pdd-p95", "baseline response-p95", "baseline rate 4xx",
        "baseline rate 5xx", "baseline rate 6xx"};
    static const char *const descs[B_COUNT] = {
        "call failure rate must not grow by more than the rate margin",
        "transaction error rate must not grow by more than the rate margin",
        "answer-seizure ratio must not drop by more than the rate margin",
        "post-dial delay p95 must not grow by more than the time margin",
        "response time p95 must not grow by more than the time margin",
        ("rate of final 4xx responses (401/407 challenges excluded) must not grow by more "
         "than the rate margin"),
        "rate of final 5xx responses must not grow by more than the rate margin",
        "rate of final 6xx responses must not grow by more than the rate margin"};
    static const enum sls_metric metric[B_COUNT] = {
        SLS_METRIC_FAILURE_RATE, SLS_METRIC_ERROR_RATE, SLS_METRIC_ASR, SLS_METRIC_PDD_P95,
        SLS_METRIC_RESPONSE_P95, SLS_METRIC_CODE_RATE, SLS_METRIC_CODE_RATE, SLS_METRIC_CODE_RATE};
    memset(res, 0, sizeof(*res));
    copy_str(res->name, sizeof(res->name), names[b]);
    copy_str(res->description, sizeof(res->description), descs[b]);
    res->metric = metric[b];
    res->value_kind = sls_metric_kind(metric[b]);
    res->is_min = b == B_ASR;
    res->is_baseline = 1;

    if (b == B_PDD || b == B_RESPONSE) {
        sls_format_rate(res->margin_text, sizeof(res->margin_text), p->baseline_time_margin);
        const sls_hist *hc = b == B_PDD ? &s->pdd : &s->response_time;
        const sls_hist *hb = b == B_PDD ? &base->pdd : &base->response_time;
        if (hc->count == 0 || hb->count == 0) {
            res->status = SLS_RULE_NODATA;
            snprintf(res->detail, sizeof(res->detail), "no %s in the %s",
                     b == B_PDD ? "post-dial delays" : "response times",
                     hc->count == 0 ? "capture" : "baseline");
            return;
        }
        uint64_t cur = sls_hist_percentile(hc, 95), old = sls_hist_percentile(hb, 95);
        /* Allowed: old * (1 + margin), in us, and never less than old + 1 ms:
         * the histogram resolution is 1 ms below one second. */
        long double allowed_us =
            (long double)old * 1000.0L *
            (1.0L + (long double)p->baseline_time_margin / (long double)SLS_RATE_ONE);
        if (allowed_us < (long double)(old + 1) * 1000.0L)
            allowed_us = (long double)(old + 1) * 1000.0L;
        /* rounded: 1000 ms * 1.1 must be 1100 ms, not 1099.999999 */
        uint64_t allowed = (uint64_t)(allowed_us + 0.5L);
        res->has_measured = res->has_baseline = 1;
        res->measured = (double)cur;
        res->baseline = (double)old;
        res->allowed = (double)allowed / 1000.0;
        res->change = (double)cur - (double)old;
        sls_format_duration_us(res->measured_text, sizeof(res->measured_text), cur * 1000);
        sls_format_duration_us(res->baseline_text, sizeof(res->baseline_text), old * 1000);
        sls_format_duration_us(res->allowed_text, sizeof(res->allowed_text), allowed);
        if (old > 0)
            snprintf(res->change_text, sizeof(res->change_text), "%+.1f%%",
                     100.0 * ((double)cur - (double)old) / (double)old);
        else
            snprintf(res->change_text, sizeof(res->change_text), "%+lldms",
                     (long long)cur - (long long)old);
        res->status = cur * 1000 <= allowed ? SLS_RULE_PASS : SLS_RULE_FAIL;
        snprintf(res->detail, sizeof(res->detail), "p95 %s in the baseline",
                 res->baseline_text);
        return;
    }

    format_pp(res->margin_text, sizeof(res->margin_text), p->baseline_rate_margin);
    uint64_t cn, cd, bn, bd;
    base_rate(s, b, &cn, &cd);
    base_rate(base, b, &bn, &bd);
    const char *unit = b == B_FAILURE_RATE || b == B_ASR ? "call attempts" : "rated transactions";
    if (cd == 0 || bd == 0) {
        res->status = SLS_RULE_NODATA;
        snprintf(res->detail, sizeof(res->detail), "no %s in the %s", unit,
                 cd == 0 ? "capture" : "baseline");
        return;
    }
    long double cur = (long double)cn / (long double)cd, old = (long double)bn / (long double)bd;
    long double margin = (long double)p->baseline_rate_margin / (long double)SLS_RATE_ONE;
    long double allowed = res->is_min ? old - margin : old + margin;
    if (allowed < 0)
        allowed = 0;
    if (allowed > 1)
        allowed = 1;
    /* A tolerance far below any printed digit keeps "exactly at the margin"
     * a pass whatever the rounding of the two divisions. */
    int ok = res->is_min ? cur >= allowed - 1e-12L : cur <= allowed + 1e-12L;
    res->status = ok ? SLS_RULE_PASS : SLS_RULE_FAIL;
    res->has_measured = res->has_baseline = 1;
    res->measured = (double)cur;
    res->baseline = (double)old;
    res->allowed = (double)allowed;
    res->change = (double)(cur - old);
    snprintf(res->allowed_text, sizeof(res->allowed_text), "%.2Lf", allowed * 100.0L);
    trim_zeros(res->allowed_text);
    cat(res->allowed_text, sizeof(res->allowed_text), "%");
    format_measured_rate(res->measured_text, sizeof(res->measured_text), cn, cd,
                         res->allowed_text, !ok);
    format_measured_rate(res->baseline_text, sizeof(res->baseline_text), bn, bd, "", 0);
    signed_pp(res->change_text, sizeof(res->change_text), cur - old);
    snprintf(res->detail, sizeof(res->detail), "%llu of %llu %s; baseline %llu of %llu",
             (unsigned long long)cn, (unsigned long long)cd, unit, (unsigned long long)bn,
             (unsigned long long)bd);
}

int sls_policy_evaluate(const sls_policy *p, const sls_summary *s, const sls_summary *baseline,
                        sls_policy_results *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = p->nrules + (baseline != NULL ? B_COUNT : 0);
    out->items = calloc(n ? n : 1, sizeof(*out->items));
    view *v = malloc(sizeof(*v));
    if (out->items == NULL || v == NULL) {
        free(out->items);
        free(v);
        out->items = NULL;
        return SLS_ENOMEM;
    }
    for (size_t i = 0; i < p->nrules; i++)
        evaluate_rule(&p->rules[i], s, &out->items[out->n++], v);
    for (int b = 0; baseline != NULL && b < B_COUNT; b++)
        evaluate_baseline(p, (enum base_metric)b, s, baseline, &out->items[out->n++]);
    free(v);
    for (size_t i = 0; i < out->n; i++) {
        switch (out->items[i].status) {
        case SLS_RULE_PASS: out->passed++; break;
        case SLS_RULE_FAIL: out->failed++; break;
        case SLS_RULE_NODATA: out->skipped++; break;
        }
    }
    return 0;
}

void sls_policy_results_cleanup(sls_policy_results *r)
{
    if (r == NULL)
        return;
    free(r->items);
    memset(r, 0, sizeof(*r));
}

/* Appends "name n" to a comma-separated list in buf. */
static void append_item(char *buf, size_t len, const char *name, uint64_t n)
{
    if (buf == NULL || len == 0)
        return;
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    snprintf(buf + used, len - used, "%s%s %llu", used ? ", " : "", name, (unsigned long long)n);
}

uint64_t sls_policy_limits_hit(const sls_summary *s, char *why, size_t len)
{
    uint64_t total = 0;
    if (why != NULL && len > 0)
        why[0] = '\0';
    for (int c = 0; c < SLS_CTR_COUNT; c++) {
        const char *nm = sls_counter_name((enum sls_counter)c);
        if (sls_counter_kind((enum sls_counter)c) != SLS_KIND_SKIPPED || s->counters.v[c] == 0)
            continue;
        if (!has_suffix(nm, "-limit") && !has_suffix(nm, "-evicted"))
            continue;
        total += s->counters.v[c];
        append_item(why, len, nm, s->counters.v[c]);
    }
    if (s->txn_evicted > 0) {
        total += s->txn_evicted;
        append_item(why, len, "transactions evicted", s->txn_evicted);
    }
    if (s->calls_evicted > 0) {
        total += s->calls_evicted;
        append_item(why, len, "calls evicted", s->calls_evicted);
    }
    return total;
}
