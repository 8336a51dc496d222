/* CI outputs: check results (terminal, JUnit XML, Markdown, JSON) and the
 * summary as NDJSON and CSV. */
#include "sipsleuth/ciout.h"

#include "jsonw.h"
#include "sipsleuth/error.h"
#include "sipsleuth/explain.h"

#include <string.h>

/* ---------------------------------------------------------------- status */

const char *sls_check_status(const sls_check_report *r)
{
    if (r->incomplete && !r->incomplete_allowed)
        return "incomplete";
    return r->results != NULL && r->results->failed > 0 ? "fail" : "pass";
}

int sls_check_exit_status(const sls_check_report *r)
{
    if (r->incomplete && !r->incomplete_allowed)
        return 4;
    return r->results != NULL && r->results->failed > 0 ? 1 : 0;
}

static int finish(FILE *out)
{
    return ferror(out) ? SLS_EREAD : 0;
}

/* "<=" / ">" for a maximum, ">=" / "<" for a minimum. */
static const char *op(const sls_rule_result *x)
{
    int pass = x->status == SLS_RULE_PASS;
    if (x->is_min)
        return pass ? ">=" : "<";
    return pass ? "<=" : ">";
}

static const char *bound_word(const sls_rule_result *x)
{
    return x->is_min ? "at least" : "at most";
}

/* The parenthesised part of a result line. */
static void details(char *buf, size_t len, const sls_rule_result *x)
{
    if (x->is_baseline && x->has_baseline)
        snprintf(buf, len, "baseline %s, change %s, margin %s; %s", x->baseline_text,
                 x->change_text, x->margin_text, x->detail);
    else
        snprintf(buf, len, "%s", x->detail);
}

/* ------------------------------------------------------------- terminal */

int sls_ciout_text(FILE *out, const sls_check_report *r)
{
    const sls_policy_results *res = r->results;
    char d[512];
    for (size_t i = 0; res != NULL && i < res->n; i++) {
        const sls_rule_result *x = &res->items[i];
        if (x->status == SLS_RULE_NODATA) {
            fprintf(out, "SKIP %s: %s\n", x->name, x->detail);
            continue;
        }
        details(d, sizeof(d), x);
        fprintf(out, "%s %s: %s %s %s (%s)\n", sls_rule_status_name(x->status), x->name,
                x->measured_text, op(x), x->allowed_text, d);
    }
    if (r->incomplete)
        fprintf(out, "INCOMPLETE analysis%s: %s%s\n", r->incomplete_allowed ? " (allowed)" : "",
                r->incomplete_reason != NULL ? r->incomplete_reason : "an input ended early",
                r->incomplete_allowed ? "" : " (exit 4; --allow-incomplete accepts it)");
    size_t n = res != NULL ? res->n : 0;
    fprintf(out, "RESULT %s: %zu rule%s, %zu passed, %zu failed, %zu skipped\n",
            sls_check_status(r), n, n == 1 ? "" : "s", res ? res->passed : 0,
            res ? res->failed : 0, res ? res->skipped : 0);
    return finish(out);
}

/* -------------------------------------------------------------- XML */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    uint32_t cp = len == 2 ? (uint32_t)(p[0] & 0x1f) : len == 3 ? (uint32_t)(p[0] & 0x0f)
                                                                 : (uint32_t)(p[0] & 0x07);
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (p[i] & 0x3f);
    /* overlong forms, surrogates, beyond U+10FFFF; U+FFFE/U+FFFF are not
     * XML characters */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp == 0xfffe || cp == 0xffff)
        return 0;
    return len;
}

/* XML 1.0 character data or attribute value: markup escaped, control
 * characters (not allowed in XML 1.0 at all) and invalid UTF-8 replaced by
 * U+FFFD, since names and paths come from files we do not control. */
static void xml_text(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        switch (c) {
        case '&': fputs("&amp;", out); i++; continue;
        case '<': fputs("&lt;", out); i++; continue;
        case '>': fputs("&gt;", out); i++; continue;
        case '"': fputs("&quot;", out); i++; continue;
        case '\'': fputs("&apos;", out); i++; continue;
        case '\n': fputs("&#10;", out); i++; continue;
        case '\t': fputs("&#9;", out); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            fputs("\xef\xbf\xbd", out);
            i++;
            continue;
        }
        size_t l = utf8_len(p + i, n - i);
        if (l == 0) {
            fputs("\xef\xbf\xbd", out);
            i++;
            continue;
        }
        fwrite(p + i, 1, l, out);
        i += l;
    }
}

static void xml_attr(FILE *out, const char *name, const char *v)
{
    fprintf(out, " %s=\"", name);
    xml_text(out, v);
    fputc('"', out);
}

static void result_sentence(char *buf, size_t len, const sls_rule_result *x)
{
    char d[512];
    if (x->status == SLS_RULE_NODATA) {
        snprintf(buf, len, "%s: %s", x->name, x->detail);
        return;
    }
    details(d, sizeof(d), x);
    snprintf(buf, len, "%s: measured %s, allowed %s %s (%s)", x->name, x->measured_text,
             bound_word(x), x->allowed_text, d);
}

int sls_ciout_junit(FILE *out, const sls_check_report *r)
{
    const sls_policy_results *res = r->results;
    size_t n = (res ? res->n : 0) + 1; /* + analysis-complete */
    size_t failed = (res ? res->failed : 0) + (r->incomplete && !r->incomplete_allowed);
    size_t skipped = res ? res->skipped : 0;
    char line[1024];

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"sipsleuth\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                 "skipped=\"%zu\" time=\"0\">\n", n, failed, skipped);
    fprintf(out, "  <testsuite name=\"sipsleuth check\" tests=\"%zu\" failures=\"%zu\" "
                 "errors=\"0\" skipped=\"%zu\" time=\"0\">\n", n, failed, skipped);
    size_t nfiles = r->files != NULL ? r->files->nfiles : 0;
    if (nfiles > 0 || r->baseline != NULL) {
        fputs("    <properties>\n", out);
        for (size_t i = 0; i < nfiles; i++) {
            fputs("      <property", out);
            xml_attr(out, "name", "capture");
            xml_attr(out, "value", r->files->files[i].path);
            fputs("/>\n", out);
        }
        if (r->baseline != NULL) {
            fputs("      <property", out);
            xml_attr(out, "name", "baseline");
            xml_attr(out, "value", r->baseline);
            fputs("/>\n", out);
        }
        fputs("    </properties>\n", out);
    }
    for (size_t i = 0; res != NULL && i < res->n; i++) {
        const sls_rule_result *x = &res->items[i];
        fputs("    <testcase classname=\"sipsleuth.check\"", out);
        xml_attr(out, "name", x->name);
        fputs(" time=\"0\">\n", out);
        result_sentence(line, sizeof(line), x);
        if (x->status == SLS_RULE_FAIL) {
            char msg[256];
            snprintf(msg, sizeof(msg), "%s %s %s", x->measured_text, op(x), x->allowed_text);
            fputs("      <failure", out);
            xml_attr(out, "message", msg);
            xml_attr(out, "type", x->is_baseline ? "regression" : "threshold");
            fputs(">", out);
            xml_text(out, line);
            fputs("&#10;", out);
            xml_text(out, x->description);
            fputs("</failure>\n", out);
        } else if (x->status == SLS_RULE_NODATA) {
            fputs("      <skipped", out);
            xml_attr(out, "message", x->detail);
            fputs("/>\n", out);
        }
        fputs("      <system-out>", out);
        xml_text(out, line);
        fputs("&#10;", out);
        xml_text(out, x->description);
        fputs("</system-out>\n    </testcase>\n", out);
    }
    /* Completeness is a test case of its own, so that a CI dashboard shows
     * why a run failed with nothing else failing. */
    fputs("    <testcase classname=\"sipsleuth.check\" name=\"analysis-complete\" time=\"0\">\n",
          out);
    const char *why = r->incomplete_reason ? r->incomplete_reason : "an input ended early";
    if (r->incomplete && !r->incomplete_allowed) {
        fputs("      <failure message=\"the analysis is incomplete\" type=\"incomplete\">", out);
        xml_text(out, why);
        fputs("</failure>\n", out);
    }
    fputs("      <system-out>", out);
    if (r->incomplete) {
        xml_text(out, why);
        if (r->incomplete_allowed)
            fputs(" (allowed by --allow-incomplete)", out);
    } else {
        fputs("every input was read to its end and no analysis limit was hit", out);
    }
    fputs("</system-out>\n    </testcase>\n  </testsuite>\n</testsuites>\n", out);
    return finish(out);
}

/* ------------------------------------------------------------- Markdown */

/* Text in a table cell: characters with a meaning in GitHub Markdown or
 * HTML escaped, line breaks flattened. */
static void md_text(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '|': case '\\': case '`': case '*': case '_': case '[': case ']':
            fputc('\\', out);
            fputc(*s, out);
            break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '\n': case '\r': case '\t': fputc(' ', out); break;
        default: fputc(*s, out); break;
        }
    }
}

static void pct(char *buf, size_t len, uint64_t a, uint64_t b)
{
    if (b == 0) {
        snprintf(buf, len, "-");
        return;
    }
    snprintf(buf, len, "%.2f", 100.0 * (double)a / (double)b);
    char *dot = strchr(buf, '.');
    char *e = buf + strlen(buf);
    while (dot != NULL && e > dot + 1 && e[-1] == '0')
        e--;
    if (dot != NULL && e == dot + 1)
        e = dot;
    snprintf(e, len - (size_t)(e - buf), "%%");
}

static void p95_text(char *buf, size_t len, const sls_hist *h)
{
    if (h->count == 0)
        snprintf(buf, len, "-");
    else
        sls_format_duration_us(buf, len, sls_hist_percentile(h, 95) * 1000);
}

int sls_ciout_markdown(FILE *out, const sls_check_report *r)
{
    const sls_policy_results *res = r->results;
    const char *st = sls_check_status(r);
    fprintf(out, "## sipsleuth check: %s\n\n",
            strcmp(st, "pass") == 0 ? "PASS" : strcmp(st, "fail") == 0 ? "FAIL" : "INCOMPLETE");
    size_t n = res ? res->n : 0;
    fprintf(out, "%zu rule%s: %zu passed, %zu failed, %zu skipped (no data).\n", n,
            n == 1 ? "" : "s", res ? res->passed : 0, res ? res->failed : 0,
            res ? res->skipped : 0);
    if (r->incomplete) {
        fputs("\n**The analysis is incomplete**: ", out);
        md_text(out, r->incomplete_reason ? r->incomplete_reason : "an input ended early");
        fputs(r->incomplete_allowed ? " (allowed).\n" : ".\n", out);
    }
    if (r->files != NULL && r->files->nfiles > 0) {
        fputs("\nCaptures: ", out);
        for (size_t i = 0; i < r->files->nfiles; i++) {
            if (i == 8) {
                fprintf(out, ", and %zu more", r->files->nfiles - 8);
                break;
            }
            fputs(i ? ", " : "", out);
            md_text(out, r->files->files[i].path);
        }
        fputs(".\n", out);
    }
    if (r->baseline != NULL) {
        fputs("Baseline: ", out);
        md_text(out, r->baseline);
        fputs(".\n", out);
    }
    const sls_summary *s = r->summary;
    if (s != NULL) {
        char a[32], b[32], c[32], d[32], e[32];
        uint64_t att = sls_summary_call_attempts(s);
        pct(a, sizeof(a), s->calls_failed, att);
        pct(b, sizeof(b), s->outcomes[SLS_OUTCOME_ANSWERED], att);
        pct(c, sizeof(c), s->txn_errors, s->txn_rated);
        p95_text(d, sizeof(d), &s->pdd);
        p95_text(e, sizeof(e), &s->response_time);
        fputs("\n| SIP messages | Calls | Attempts | Failure rate | ASR | Transactions | "
              "Error rate | PDD p95 | Response p95 |\n"
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", out);
        fprintf(out, "| %llu | %llu | %llu | %s | %s | %llu | %s | %s | %s |\n",
                (unsigned long long)s->sip_messages, (unsigned long long)s->calls,
                (unsigned long long)att, a, b, (unsigned long long)s->txn_total, c, d, e);
    }
    fputs("\n| Status | Rule | Measured | Allowed | Details |\n|---|---|---:|---:|---|\n", out);
    char det[512];
    for (size_t i = 0; res != NULL && i < res->n; i++) {
        const sls_rule_result *x = &res->items[i];
        fprintf(out, "| %s | ", sls_rule_status_name(x->status));
        md_text(out, x->name);
        fputs(" | ", out);
        md_text(out, x->status == SLS_RULE_NODATA ? "-" : x->measured_text);
        fprintf(out, " | %s ", x->is_min ? "&gt;=" : "&lt;=");
        md_text(out, x->allowed_text);
        fputs(" | ", out);
        details(det, sizeof(det), x);
        md_text(out, det);
        fputs(" |\n", out);
    }
    return finish(out);
}

/* ------------------------------------------------------------------ JSON */

static const char *kind_unit(enum sls_value_kind k)
{
    switch (k) {
    case SLS_VALUE_RATE: return "ratio";
    case SLS_VALUE_DURATION: return "ms";
    case SLS_VALUE_COUNT: break;
    }
    return "count";
}

int sls_ciout_json(FILE *out, const sls_check_report *r)
{
    const sls_policy_results *res = r->results;
    sls__jw j;
    sls__jw_init(&j, out, 1);
    sls__jw_object(&j, NULL);
    sls__jw_u64(&j, "schema_version", 1);
    sls__jw_str(&j, "status", sls_check_status(r));
    sls__jw_u64(&j, "exit_status", (uint64_t)sls_check_exit_status(r));
    sls__jw_u64(&j, "total", res ? res->n : 0);
    sls__jw_u64(&j, "passed", res ? res->passed : 0);
    sls__jw_u64(&j, "failed", res ? res->failed : 0);
    sls__jw_u64(&j, "skipped", res ? res->skipped : 0);
    sls__jw_bool(&j, "complete", !r->incomplete);
    if (r->incomplete)
        sls__jw_str(&j, "incomplete_reason",
                    r->incomplete_reason ? r->incomplete_reason : "an input ended early");
    else
        sls__jw_null(&j, "incomplete_reason");
    sls__jw_bool(&j, "incomplete_allowed", r->incomplete_allowed);
    sls__jw_array(&j, "files");
    for (size_t i = 0; r->files != NULL && i < r->files->nfiles; i++)
        sls__jw_str(&j, NULL, r->files->files[i].path);
    sls__jw_end_array(&j);
    if (r->baseline)
        sls__jw_str(&j, "baseline", r->baseline);
    else
        sls__jw_null(&j, "baseline");

    sls__jw_array(&j, "rules");
    for (size_t i = 0; res != NULL && i < res->n; i++) {
        const sls_rule_result *x = &res->items[i];
        sls__jw_object(&j, NULL);
        sls__jw_str(&j, "name", x->name);
        sls__jw_str(&j, "status", x->status == SLS_RULE_PASS   ? "pass"
                                  : x->status == SLS_RULE_FAIL ? "fail" : "skip");
        sls__jw_str(&j, "metric", sls_metric_name(x->metric));
        sls__jw_str(&j, "description", x->description);
        if (x->scope != NULL) {
            sls__jw_object(&j, "scope");
            sls__jw_str(&j, x->scope, x->scope_value);
            sls__jw_end_object(&j);
        } else {
            sls__jw_null(&j, "scope");
        }
        sls__jw_str(&j, "unit", kind_unit(x->value_kind));
        sls__jw_str(&j, "bound", x->is_min ? "min" : "max");
        if (x->has_measured) {
            sls__jw_num(&j, "measured", x->measured, 9);
            sls__jw_str(&j, "measured_text", x->measured_text);
        } else {
            sls__jw_null(&j, "measured");
            sls__jw_null(&j, "measured_text");
        }
        sls__jw_num(&j, "allowed", x->allowed, 9);
        sls__jw_str(&j, "allowed_text", x->allowed_text);
        sls__jw_str(&j, "detail", x->detail);
        sls__jw_bool(&j, "baseline_rule", x->is_baseline);
        if (x->has_baseline) {
            sls__jw_num(&j, "baseline", x->baseline, 9);
            sls__jw_str(&j, "baseline_text", x->baseline_text);
            sls__jw_num(&j, "change", x->change, 9);
            sls__jw_str(&j, "change_text", x->change_text);
            sls__jw_str(&j, "margin_text", x->margin_text);
        }
        if (x->line > 0)
            sls__jw_u64(&j, "policy_line", x->line);
        sls__jw_end_object(&j);
    }
    sls__jw_end_array(&j);

    const sls_summary *s = r->summary;
    if (s != NULL) {
        uint64_t att = sls_summary_call_attempts(s);
        sls__jw_object(&j, "headline");
        sls__jw_u64(&j, "sip_messages", s->sip_messages);
        sls__jw_u64(&j, "calls", s->calls);
        sls__jw_u64(&j, "call_attempts", att);
        sls__jw_u64(&j, "calls_failed", s->calls_failed);
        sls__jw_num(&j, "failure_rate", att ? (double)s->calls_failed / (double)att : 0, 6);
        sls__jw_num(&j, "asr", sls_summary_asr(s), 6);
        sls__jw_u64(&j, "transactions", s->txn_total);
        sls__jw_num(&j, "error_rate", s->txn_rated ? (double)s->txn_errors / (double)s->txn_rated : 0,
                    6);
        if (s->pdd.count)
            sls__jw_u64(&j, "pdd_p95_ms", sls_hist_percentile(&s->pdd, 95));
        else
            sls__jw_null(&j, "pdd_p95_ms");
        if (s->response_time.count)
            sls__jw_u64(&j, "response_p95_ms", sls_hist_percentile(&s->response_time, 95));
        else
            sls__jw_null(&j, "response_p95_ms");
        sls__jw_end_object(&j);
    }
    sls__jw_end_object(&j);
    sls__jw_finish(&j);
    return finish(out);
}

/* ------------------------------------------------- summary rows: NDJSON, CSV */

/* One emitter for both tabular forms, so that the NDJSON rows and the CSV
 * lines carry the same fields by construction. */
typedef struct rows {
    FILE *out;
    int csv;
    sls__jw j;
    const char *table;
    char key[160];
} rows;

/* RFC 4180: quote when needed, double the quotes. */
static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void csv_line(rows *w, const char *field, const char *value)
{
    csv_field(w->out, w->table);
    fputc(',', w->out);
    csv_field(w->out, w->key);
    fputc(',', w->out);
    csv_field(w->out, field);
    fputc(',', w->out);
    csv_field(w->out, value);
    fputs("\r\n", w->out);
}

/* keyname/key: the row's identity ("method" "INVITE"); keyname NULL for the
 * capture row. */
static void row_begin(rows *w, const char *table, const char *keyname, const char *key)
{
    w->table = table;
    snprintf(w->key, sizeof(w->key), "%s", key != NULL ? key : "");
    if (w->csv)
        return;
    sls__jw_init(&w->j, w->out, 0);
    sls__jw_object(&w->j, NULL);
    sls__jw_str(&w->j, "table", table);
    if (keyname != NULL)
        sls__jw_str(&w->j, keyname, key);
}

/* The same with a numeric identity (a response code, a file index). */
static void row_begin_num(rows *w, const char *table, const char *keyname, uint64_t key)
{
    w->table = table;
    snprintf(w->key, sizeof(w->key), "%llu", (unsigned long long)key);
    if (w->csv)
        return;
    sls__jw_init(&w->j, w->out, 0);
    sls__jw_object(&w->j, NULL);
    sls__jw_str(&w->j, "table", table);
    sls__jw_u64(&w->j, keyname, key);
}

static void row_u64(rows *w, const char *field, uint64_t v)
{
    if (!w->csv) {
        sls__jw_u64(&w->j, field, v);
        return;
    }
    char b[32];
    snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
    csv_line(w, field, b);
}

static void row_num(rows *w, const char *field, double v, int decimals)
{
    if (!w->csv) {
        sls__jw_num(&w->j, field, v, decimals);
        return;
    }
    char b[64];
    snprintf(b, sizeof(b), "%.*f", decimals, v);
    char *dot = strchr(b, '.');
    char *e = b + strlen(b);
    while (dot != NULL && e > dot + 1 && e[-1] == '0')
        e--;
    if (dot != NULL && e == dot + 1)
        e = dot;
    *e = '\0';
    csv_line(w, field, strcmp(b, "-0") == 0 ? "0" : b);
}

/* v NULL: JSON null, an empty CSV value. */
static void row_str(rows *w, const char *field, const char *v)
{
    if (!w->csv) {
        if (v == NULL)
            sls__jw_null(&w->j, field);
        else
            sls__jw_str(&w->j, field, v);
        return;
    }
    csv_line(w, field, v != NULL ? v : "");
}

static void row_bool(rows *w, const char *field, int v)
{
    if (!w->csv)
        sls__jw_bool(&w->j, field, v);
    else
        csv_line(w, field, v ? "true" : "false");
}

static void row_end(rows *w)
{
    if (w->csv)
        return;
    sls__jw_end_object(&w->j);
    sls__jw_finish(&w->j);
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0.0;
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

static const char *kind_name(enum sls_counter_kind k)
{
    switch (k) {
    case SLS_KIND_OTHER: return "not_sip";
    case SLS_KIND_SKIPPED: return "skipped";
    case SLS_KIND_MALFORMED: return "malformed";
    case SLS_KIND_ANOMALY: return "anomalies";
    }
    return "?";
}

static void hist_fields(rows *w, const sls_hist *h)
{
    row_u64(w, "count", h->count);
    row_u64(w, "p50", sls_hist_percentile(h, 50));
    row_u64(w, "p95", sls_hist_percentile(h, 95));
    row_u64(w, "max", h->max_ms);
    row_num(w, "mean", h->count ? (double)h->sum_ms / (double)h->count : 0, 3);
    row_u64(w, "sum", h->sum_ms);
}

static void addr_port(char *buf, size_t n, const sls_peer_stats *p)
{
    if (p->other) {
        snprintf(buf, n, "(other)");
        return;
    }
    sls_addr_port_format(&p->addr, p->port, buf, n);
}

static void capture_row(rows *w, const sls_summary *s, const sls_report_files *rf)
{
    char ts[40];
    uint64_t att = sls_summary_call_attempts(s);
    row_begin(w, "capture", NULL, NULL);
    row_u64(w, "schema_version", SLS_JSON_SCHEMA_VERSION);
    row_u64(w, "files", rf != NULL ? rf->nfiles : 0);
    row_bool(w, "complete", sls_report_complete(rf));
    row_u64(w, "packets", s->packets);
    row_u64(w, "bytes", s->bytes);
    if (s->packets > 0) {
        sls__format_utc(s->first_ts_ns, ts, sizeof(ts));
        row_str(w, "first_packet", ts);
        sls__format_utc(s->last_ts_ns, ts, sizeof(ts));
        row_str(w, "last_packet", ts);
        row_num(w, "duration_s", (double)(s->last_ts_ns - s->first_ts_ns) / 1e9, 6);
    } else {
        row_str(w, "first_packet", NULL);
        row_str(w, "last_packet", NULL);
        row_num(w, "duration_s", 0, 6);
    }
    row_u64(w, "sip_messages", s->sip_messages);
    row_u64(w, "sip_requests", s->requests);
    row_u64(w, "sip_responses", s->responses);
    row_u64(w, "retransmitted_requests", s->retrans_requests);
    row_u64(w, "retransmitted_responses", s->retrans_responses);
    row_u64(w, "peak_open_transactions", s->txn_peak_open);
    row_u64(w, "transactions", s->txn_total);
    row_u64(w, "transaction_errors", s->txn_errors);
    row_u64(w, "transactions_rated", s->txn_rated);
    row_num(w, "error_rate", ratio(s->txn_errors, s->txn_rated), 6);
    row_u64(w, "challenges", s->txn_challenged);
    row_u64(w, "timed_out", s->txn_timed_out);
    row_u64(w, "pending", s->txn_no_final - s->txn_timed_out);
    row_u64(w, "calls", s->calls);
    row_u64(w, "call_attempts", att);
    row_u64(w, "calls_failed", s->calls_failed);
    row_num(w, "failure_rate", ratio(s->calls_failed, att), 6);
    row_num(w, "asr", sls_summary_asr(s), 6);
    row_num(w, "ner", sls_summary_ner(s), 6);
    row_u64(w, "calls_challenged", s->calls_challenged);
    row_u64(w, "calls_evicted", s->calls_evicted);
    row_u64(w, "calls_peak_open", s->calls_peak_open);
    row_num(w, "window_s", (double)s->window_ns / 1e9, 3);
    row_end(w);
}

static int summary_rows(FILE *out, int csv, const sls_summary *s, const sls_report_files *rf)
{
    rows w;
    memset(&w, 0, sizeof(w));
    w.out = out;
    w.csv = csv;
    char key[96], f[48];
    if (csv)
        fputs("table,key,field,value\r\n", out);
    capture_row(&w, s, rf);

    for (size_t i = 0; rf != NULL && i < rf->nfiles; i++) {
        const sls_file_info *fi = &rf->files[i];
        row_begin_num(&w, "file", "index", i);
        row_str(&w, "path", fi->path);
        row_str(&w, "link_type", fi->linktype_name);
        row_u64(&w, "packets", fi->packets);
        row_str(&w, "state", file_state_name(fi->state));
        row_str(&w, "message", fi->message[0] ? fi->message : NULL);
        row_end(&w);
    }

    size_t idx[SLS_SUMMARY_MAX_METHODS + 1];
    size_t n = sls_summary_sorted_methods(s, idx);
    for (size_t i = 0; i < n; i++) {
        const sls_method_stats *m = &s->methods[idx[i]];
        if (m->requests == 0)
            continue;
        row_begin(&w, "request", "method", m->name);
        row_u64(&w, "requests", m->requests);
        row_u64(&w, "request_retransmissions", m->request_retrans);
        row_end(&w);
    }
    for (unsigned c = 100; c < 700; c++) {
        if (s->response_codes[c] == 0 && s->final_codes[c] == 0)
            continue;
        sls_code_info info;
        sls_explain_code(c, &info);
        row_begin_num(&w, "response", "code", c);
        row_u64(&w, "messages", s->response_codes[c]);
        row_u64(&w, "transactions", s->final_codes[c]);
        row_str(&w, "reason", info.reason);
        snprintf(f, sizeof(f), "%uxx", c / 100);
        row_str(&w, "class", f);
        row_bool(&w, "final", info.is_final);
        row_end(&w);
    }
    for (size_t i = 0; i < n; i++) {
        const sls_method_stats *m = &s->methods[idx[i]];
        if (m->txn_total == 0)
            continue;
        row_begin(&w, "transaction", "method", m->name);
        row_u64(&w, "total", m->txn_total);
        for (int b = 0; b < SLS_BUCKET_COUNT; b++)
            row_u64(&w, sls_bucket_name((enum sls_bucket)b), m->txn_bucket[b]);
        row_u64(&w, "timed_out", m->txn_timed_out);
        row_u64(&w, "challenged", m->txn_challenged);
        row_u64(&w, "without_request", m->txn_without_request);
        row_u64(&w, "request_retransmissions", m->request_retrans);
        row_u64(&w, "response_retransmissions", m->response_retrans);
        row_u64(&w, "errors", m->txn_errors);
        row_u64(&w, "rated", m->txn_rated);
        row_num(&w, "error_rate", ratio(m->txn_errors, m->txn_rated), 6);
        for (unsigned c = 100; m->final_codes != NULL && c < 700; c++) {
            if (m->final_codes[c] == 0)
                continue;
            snprintf(f, sizeof(f), "code_%u", c);
            row_u64(&w, f, m->final_codes[c]);
        }
        row_end(&w);
    }
    for (int o = 0; o < SLS_OUTCOME_COUNT; o++) {
        row_begin(&w, "outcome", "outcome", sls_outcome_name((enum sls_outcome)o));
        row_u64(&w, "calls", s->outcomes[o]);
        row_bool(&w, "failure", sls_outcome_is_failure((enum sls_outcome)o));
        row_end(&w);
    }
    static const char *const tnames[5] = {"pdd_ms", "answer_ms", "ack_ms", "duration_ms",
                                          "response_ms"};
    const sls_hist *th[5] = {&s->pdd, &s->answer, &s->ack, &s->duration, &s->response_time};
    for (int t = 0; t < 5; t++) {
        row_begin(&w, "timing", "metric", tnames[t]);
        row_str(&w, "method", NULL);
        hist_fields(&w, th[t]);
        row_end(&w);
    }
    for (size_t i = 0; i < n; i++) {
        const sls_method_stats *m = &s->methods[idx[i]];
        if (m->response_time == NULL || m->txn_total == 0)
            continue;
        /* CSV keys must be unique per row: the method is part of it. */
        snprintf(key, sizeof(key), "response_ms/%s", m->name);
        if (csv) {
            row_begin(&w, "timing", "metric", key);
        } else {
            row_begin(&w, "timing", "metric", "response_ms");
            row_str(&w, "method", m->name);
        }
        hist_fields(&w, m->response_time);
        row_end(&w);
    }
    for (size_t i = 0; s->peers != NULL && i < s->npeers; i++) {
        const sls_peer_stats *p = &s->peers[i];
        addr_port(key, sizeof(key), p);
        row_begin(&w, "peer", "peer", key);
        row_u64(&w, "calls", p->calls);
        row_u64(&w, "answered", p->answered);
        row_u64(&w, "failures", p->failures);
        row_num(&w, "failure_rate", ratio(p->failures, p->calls), 6);
        for (int o = 0; o < SLS_OUTCOME_COUNT; o++) {
            if (p->outcomes[o] == 0)
                continue;
            snprintf(f, sizeof(f), "outcome_%s", sls_outcome_name((enum sls_outcome)o));
            row_u64(&w, f, p->outcomes[o]);
        }
        for (unsigned c = 100; c < 700; c++) {
            if (p->final_codes[c] == 0)
                continue;
            snprintf(f, sizeof(f), "code_%u", c);
            row_u64(&w, f, p->final_codes[c]);
        }
        row_end(&w);
    }
    size_t last = 0;
    for (size_t i = 0; s->windows != NULL && i < s->nwindows; i++)
        if (s->windows[i].attempts)
            last = i + 1;
    for (size_t i = 0; i < last; i++) {
        const sls_window_stats *ws = &s->windows[i];
        sls__format_utc(s->window_origin_ns + (int64_t)i * s->window_ns, key, sizeof(key));
        row_begin(&w, "window", "start", key);
        row_num(&w, "width_s", (double)s->window_ns / 1e9, 3);
        row_u64(&w, "attempts", ws->attempts);
        row_u64(&w, "answered", ws->answered);
        row_u64(&w, "failures", ws->failures);
        row_num(&w, "failure_rate", ratio(ws->failures, ws->attempts), 6);
        row_end(&w);
    }
    for (int c = 0; c < SLS_CTR_COUNT; c++) {
        if (s->counters.v[c] == 0)
            continue;
        row_begin(&w, "counter", "name", sls_counter_name((enum sls_counter)c));
        row_str(&w, "kind", kind_name(sls_counter_kind((enum sls_counter)c)));
        row_u64(&w, "value", s->counters.v[c]);
        row_end(&w);
    }
    return finish(out);
}

int sls_report_ndjson(FILE *out, const sls_summary *s, const sls_report_files *rf)
{
    return summary_rows(out, 0, s, rf);
}

int sls_report_csv(FILE *out, const sls_summary *s, const sls_report_files *rf)
{
    return summary_rows(out, 1, s, rf);
}
