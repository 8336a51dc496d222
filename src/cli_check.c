/* `sipsleuth check`: the CI gate. Analyses captures (or reads JSON
 * summaries), evaluates the policy, prints one line per rule, writes JUnit
 * XML / Markdown / JSON reports, and exits 0 (every rule holds), 1 (a rule
 * failed), 2 (usage or policy error), 3 (an input could not be read) or 4
 * (the analysis was incomplete, unless --allow-incomplete). */
#include "sipsleuth/analyzer.h"
#include "sipsleuth/ciout.h"
#include "sipsleuth/decode.h"
#include "sipsleuth/error.h"
#include "sipsleuth/input.h"
#include "sipsleuth/policy.h"
#include "sipsleuth/report.h"
#include "sipsleuth/sumjson.h"

#include "cli.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_usage(FILE *out)
{
    fputs("Usage: sipsleuth check [RULES] [OPTIONS] CAPTURE...\n"
          "       sipsleuth check [RULES] [OPTIONS] SUMMARY.json...\n"
          "\n"
          "Fails a CI job on recorded SIP traffic. Analyses the captures (several are\n"
          "one capture, as for the summary) or merges JSON summaries (files ending in\n"
          ".json), and checks every rule.\n"
          "\n"
          "Rules (each repeatable flag adds a rule; --method/--peer restrict the rule\n"
          "flags that follow them, '*' lifts the restriction):\n"
          "  --max-failure-rate RATE     failed call attempts / attempts (2% or 0.02)\n"
          "  --max-count CODE=N          transactions with final CODE (503) or class (5xx)\n"
          "  --max-rate CODE=RATE        the same / rated transactions\n"
          "  --max-no-final N            transactions without a final response\n"
          "  --min-asr RATE              answered / call attempts\n"
          "  --max-pdd-p95 DURATION      post-dial delay p95 (3s, 250ms)\n"
          "  --max-response-p95 DURATION response time p95\n"
          "  --max-malformed [NAME=]N    malformed + undecodable, or one counter NAME\n"
          "  --max-error-rate RATE       transaction error rate\n"
          "  --min-calls N               call attempts (an empty capture fails)\n"
          "  --method METHOD             following rules: that method's transactions\n"
          "                              (count, rate, no-final, response-p95, error-rate)\n"
          "  --peer ADDR[:PORT]          following rules: calls answered by that peer\n"
          "                              (failure-rate, asr, count, rate, calls)\n"
          "  --policy FILE               rules from an INI file (docs/policy.example.ini)\n"
          "\n"
          "Baseline:\n"
          "  --baseline OLD.json         also fail on regressions against an earlier\n"
          "                              JSON summary (failure rate, error rate, ASR,\n"
          "                              PDD p95, response p95, 4xx/5xx/6xx rates)\n"
          "  --baseline-rate-margin PP   rates may grow by this much (default 1pp)\n"
          "  --baseline-time-margin PCT  timings may grow by this much (default 10%)\n"
          "\n"
          "Reports:\n"
          "  -f, --format text|json      results on standard output (default text)\n"
          "  -o, --output FILE           results to FILE instead\n"
          "      --junit FILE            JUnit XML, one test case per rule\n"
          "      --markdown FILE         Markdown summary (e.g. $GITHUB_STEP_SUMMARY)\n"
          "\n"
          "Analysis:\n"
          "      --allow-incomplete      do not exit 4 on a truncated input or a limit hit\n"
          "  -w, --window DURATION       summary windows (default 60s)\n"
          "      --max-transactions N    open transactions kept at most\n"
          "      --max-calls N           open calls kept at most\n"
          "\n"
          "Exit status: 0 every rule holds, 1 a rule failed, 2 usage or policy error,\n"
          "3 an input could not be read, 4 the analysis was incomplete (wins over 1).\n",
          out);
}

__attribute__((format(printf, 1, 2))) static int check_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sipsleuth check: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'sipsleuth check --help'.\n", stderr);
    return SLS_EXIT_USAGE;
}

typedef struct check_opts {
    sls_policy policy;
    const char *baseline;
    const char *junit, *markdown, *output;
    int json;
    int allow_incomplete;
    int nrule_sources;
    sls_config cfg;
    const char **inputs;
    size_t ninputs;
} check_opts;

/* "--opt VALUE" or "--opt=VALUE" (and a short form). NULL if absent. */
static const char *value_of(int argc, char **argv, int *i, const char *lng, const char *shrt,
                            int *matched)
{
    const char *a = argv[*i];
    size_t l = strlen(lng);
    *matched = 0;
    if (strncmp(a, lng, l) == 0 && a[l] == '=') {
        *matched = 1;
        return a + l + 1;
    }
    if (strcmp(a, lng) == 0 || (shrt != NULL && strcmp(a, shrt) == 0)) {
        *matched = 1;
        return *i + 1 < argc ? argv[++*i] : NULL;
    }
    return NULL;
}

/* "90s", "5m", "1h" -> ns; 0 < value <= 1 day (as the summary's -w). */
static int window_value(const char *v, int64_t *ns)
{
    uint64_t us;
    if (v == NULL || sls_parse_duration_us(v, &us) < 0 || us < 1000000 || us % 1000000 != 0)
        return SLS_EINVAL;
    *ns = (int64_t)us * 1000;
    return 0;
}

static int parse_check_args(int argc, char **argv, check_opts *o)
{
    int only_operands = 0, m;
    char err[512];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (only_operands || a[0] != '-' || strcmp(a, "-") == 0) {
            o->inputs[o->ninputs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            check_usage(stdout);
            return -1;
        }
        if (strcmp(a, "--allow-incomplete") == 0) {
            o->allow_incomplete = 1;
            continue;
        }
        /* Policy flags: "--max-count 500=0" or "--max-count=500=0". */
        char flag[64];
        const char *eq = strchr(a, '=');
        size_t fl = eq != NULL ? (size_t)(eq - a) : strlen(a);
        if (fl < sizeof(flag)) {
            memcpy(flag, a, fl);
            flag[fl] = '\0';
            if (sls_policy_is_flag(flag)) {
                v = eq != NULL ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
                int rc = sls_policy_flag(&o->policy, flag, v, err, sizeof(err));
                if (rc == SLS_ENOMEM) {
                    fprintf(stderr, "sipsleuth check: %s\n", sls_strerror(rc));
                    return SLS_EXIT_INPUT;
                }
                if (rc < 0)
                    return check_error("%s", err);
                if (strcmp(flag, "--method") != 0 && strcmp(flag, "--peer") != 0 &&
                    strncmp(flag, "--baseline-", 11) != 0)
                    o->nrule_sources++;
                continue;
            }
        }
        if ((v = value_of(argc, argv, &i, "--policy", NULL, &m)) != NULL || m) {
            if (v == NULL)
                return check_error("--policy needs a file name");
            int rc = sls_policy_load_file(&o->policy, v, err, sizeof(err));
            if (rc == SLS_ENOMEM) {
                fprintf(stderr, "sipsleuth check: %s\n", sls_strerror(rc));
                return SLS_EXIT_INPUT;
            }
            if (rc < 0) {
                fprintf(stderr, "sipsleuth check: %s\n", err);
                return SLS_EXIT_USAGE;
            }
            o->nrule_sources++;
        } else if ((v = value_of(argc, argv, &i, "--baseline", NULL, &m)) != NULL || m) {
            if (v == NULL)
                return check_error("--baseline needs a JSON summary");
            o->baseline = v;
        } else if ((v = value_of(argc, argv, &i, "--junit", NULL, &m)) != NULL || m) {
            if ((o->junit = v) == NULL)
                return check_error("--junit needs a file name");
        } else if ((v = value_of(argc, argv, &i, "--markdown", NULL, &m)) != NULL || m) {
            if ((o->markdown = v) == NULL)
                return check_error("--markdown needs a file name");
        } else if ((v = value_of(argc, argv, &i, "--output", "-o", &m)) != NULL || m) {
            if ((o->output = v) == NULL)
                return check_error("--output needs a file name");
        } else if ((v = value_of(argc, argv, &i, "--format", "-f", &m)) != NULL || m) {
            if (v != NULL && strcmp(v, "text") == 0)
                o->json = 0;
            else if (v != NULL && strcmp(v, "json") == 0)
                o->json = 1;
            else
                return check_error("check --format is text or json, not '%s'", v ? v : "");
        } else if ((v = value_of(argc, argv, &i, "--window", "-w", &m)) != NULL || m) {
            if (window_value(v, &o->cfg.window_ns) < 0)
                return check_error("--window needs whole seconds such as 60s, 5m or 1h (at "
                                   "most 1 day), not '%s'", v ? v : "");
        } else if ((v = value_of(argc, argv, &i, "--max-transactions", NULL, &m)) != NULL || m ||
                   (v = value_of(argc, argv, &i, "--max-calls", NULL, &m)) != NULL || m) {
            uint64_t n;
            int is_txn = strncmp(a, "--max-transactions", 18) == 0;
            if (v == NULL || sls__parse_u64(v, strlen(v), 100000000, &n) < 0 || n == 0)
                return check_error("%s needs a number from 1 to 100000000, not '%s'",
                                   is_txn ? "--max-transactions" : "--max-calls", v ? v : "");
            if (is_txn)
                o->cfg.txn.max_open = (size_t)n;
            else
                o->cfg.calls.max_open = (size_t)n;
        } else {
            return check_error("unknown option '%s'", a);
        }
    }
    return 0;
}

static int is_json_name(const char *p)
{
    size_t n = strlen(p);
    return n > 5 && strcmp(p + n - 5, ".json") == 0;
}

/* Warns about inputs that ended early; 1 if any did. */
static int input_warnings(const sls_report_files *rf, char *why, size_t len)
{
    int incomplete = 0;
    for (size_t i = 0; i < rf->nfiles; i++) {
        const sls_file_info *f = &rf->files[i];
        if (f->state == SLS_FILE_OK)
            continue;
        fprintf(stderr, "sipsleuth check: %s: %s; the analysis is incomplete (%llu packets "
                        "read)\n",
                f->path, f->message[0] ? f->message : f->state == SLS_FILE_TRUNCATED ? "truncated"
                                                                                     : "read error",
                (unsigned long long)f->packets);
        if (!incomplete)
            snprintf(why, len, "%s ended early (%s)", f->path,
                     f->state == SLS_FILE_TRUNCATED ? "truncated" : "read error");
        incomplete = 1;
    }
    return incomplete;
}

/* Runs the pipeline over the captures. *stopped: the analysis ended early
 * (out of memory). Returns an exit status or 0. */
static int analyse(const check_opts *o, sls_report_files *rf, sls_analyzer **an,
                   sls_input **inp, int *stopped)
{
    char err[512];
    int rc = sls_input_open(inp, o->inputs, o->ninputs, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "sipsleuth check: %s\n", err);
        return rc == SLS_EINVAL ? SLS_EXIT_USAGE : SLS_EXIT_INPUT;
    }
    *an = sls_analyzer_new(&o->cfg);
    if (*an == NULL) {
        fprintf(stderr, "sipsleuth check: %s\n", sls_strerror(SLS_ENOMEM));
        return SLS_EXIT_INPUT;
    }
    rc = sls_analyzer_run(*an, *inp);
    sls_analyzer_finish(*an);
    if (rc < 0) {
        fprintf(stderr, "sipsleuth check: analysis stopped: %s\n", sls_strerror(rc));
        *stopped = 1;
    }
    for (size_t i = 0; i < sls_input_file_count(*inp); i++) {
        const sls_file_info *f = sls_input_file(*inp, i);
        if (f->packets > 0 && !sls_decode_linktype_supported(f->linktype))
            fprintf(stderr, "sipsleuth check: %s: link type %s is not supported; its %llu "
                            "packets were skipped\n",
                    f->path, f->linktype_name, (unsigned long long)f->packets);
    }
    if (sls_report_files_from_input(rf, *inp) < 0) {
        fprintf(stderr, "sipsleuth check: %s\n", sls_strerror(SLS_ENOMEM));
        return SLS_EXIT_INPUT;
    }
    return 0;
}

static FILE *open_out(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fprintf(stderr, "sipsleuth check: %s: %s\n", path, strerror(errno));
    return f;
}

typedef int (*writer_fn)(FILE *, const sls_check_report *);

/* Writes one report to path; 0, SLS_EXIT_USAGE (cannot create) or
 * SLS_EXIT_INPUT (write error). */
static int write_report(const char *path, writer_fn fn, const sls_check_report *rep)
{
    FILE *f = open_out(path);
    if (f == NULL)
        return SLS_EXIT_USAGE;
    int rc = fn(f, rep);
    if (fclose(f) != 0 || rc < 0) {
        fprintf(stderr, "sipsleuth check: %s: write error\n", path);
        return SLS_EXIT_INPUT;
    }
    return 0;
}

int sls__cli_check(int argc, char **argv)
{
    check_opts o;
    memset(&o, 0, sizeof(o));
    sls_policy_init(&o.policy);
    sls_config_default(&o.cfg);
    o.inputs = calloc((size_t)argc, sizeof(*o.inputs));
    if (o.inputs == NULL) {
        fprintf(stderr, "sipsleuth check: %s\n", sls_strerror(SLS_ENOMEM));
        return SLS_EXIT_INPUT;
    }
    sls_summary *owned = NULL, *base = NULL;
    sls_report_files rf = {NULL, 0};
    int rf_from_json = 0;
    sls_analyzer *an = NULL;
    sls_input *in = NULL;
    sls_policy_results res;
    memset(&res, 0, sizeof(res));
    char err[512], why[512] = "";
    int status = parse_check_args(argc, argv, &o);
    if (status != 0) {
        status = status < 0 ? SLS_EXIT_OK : status;
        goto out;
    }
    if (o.nrule_sources == 0 && o.baseline == NULL) {
        status = check_error("no rule: give a rule flag (--max-failure-rate 2%%, ...), "
                             "--policy FILE or --baseline OLD.json");
        goto out;
    }
    if (o.ninputs == 0) {
        status = check_error("no capture file given");
        goto out;
    }
    size_t njson = 0;
    for (size_t i = 0; i < o.ninputs; i++)
        njson += is_json_name(o.inputs[i]);
    if (njson != 0 && njson != o.ninputs) {
        status = check_error("give captures or JSON summaries, not both");
        goto out;
    }
    if (o.baseline != NULL) {
        int rc = sls_sumjson_load(o.baseline, &base, NULL, err, sizeof(err));
        if (rc < 0) {
            fprintf(stderr, "sipsleuth check: baseline %s\n", err);
            status = SLS_EXIT_INPUT;
            goto out;
        }
    }

    int stopped = 0;
    const sls_summary *s;
    if (njson > 0) {
        int rc = sls_sumjson_load_all(o.inputs, o.ninputs, &owned, &rf, err, sizeof(err));
        if (rc < 0) {
            fprintf(stderr, "sipsleuth check: %s\n", err);
            status = SLS_EXIT_INPUT;
            goto out;
        }
        rf_from_json = 1;
        s = owned;
    } else {
        status = analyse(&o, &rf, &an, &in, &stopped);
        if (status != 0)
            goto out;
        s = sls_analyzer_summary(an);
    }

    int incomplete = input_warnings(&rf, why, sizeof(why));
    if (stopped) {
        incomplete = 1;
        snprintf(why, sizeof(why), "the analysis stopped early (out of memory)");
    }
    char lim[384];
    if (sls_policy_limits_hit(s, lim, sizeof(lim)) > 0) {
        fprintf(stderr, "sipsleuth check: analysis limits hit (%s); the analysis is "
                        "incomplete\n", lim);
        size_t used = strlen(why);
        snprintf(why + used, sizeof(why) - used, "%slimits hit: %s", used ? "; " : "", lim);
        incomplete = 1;
    }

    if (sls_policy_evaluate(&o.policy, s, base, &res) < 0) {
        fprintf(stderr, "sipsleuth check: %s\n", sls_strerror(SLS_ENOMEM));
        status = SLS_EXIT_INPUT;
        goto out;
    }
    sls_check_report rep = {
        .results = &res,
        .summary = s,
        .files = &rf,
        .incomplete = incomplete,
        .incomplete_allowed = o.allow_incomplete || o.policy.allow_incomplete,
        .incomplete_reason = incomplete ? why : NULL,
        .baseline = o.baseline,
    };

    int wst = 0;
    if (o.junit != NULL && (wst = write_report(o.junit, sls_ciout_junit, &rep)) != 0) {
        status = wst;
        goto out;
    }
    if (o.markdown != NULL && (wst = write_report(o.markdown, sls_ciout_markdown, &rep)) != 0) {
        status = wst;
        goto out;
    }
    writer_fn main_writer = o.json ? sls_ciout_json : sls_ciout_text;
    if (o.output != NULL) {
        if ((wst = write_report(o.output, main_writer, &rep)) != 0) {
            status = wst;
            goto out;
        }
    } else if (main_writer(stdout, &rep) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "sipsleuth check: cannot write the results\n");
        status = SLS_EXIT_INPUT;
        goto out;
    }
    status = sls_check_exit_status(&rep);

out:
    sls_policy_results_cleanup(&res);
    if (rf_from_json)
        sls_sumjson_files_free(&rf);
    else
        free(rf.files);
    sls_summary_free(owned);
    sls_summary_free(base);
    sls_analyzer_free(an);
    sls_input_free(in);
    sls_policy_cleanup(&o.policy);
    free(o.inputs);
    return status;
}
