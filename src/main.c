/* sipsleuth command line: the only place that prints diagnostics and maps
 * results to exit statuses. */
#include "sipsleuth/analyzer.h"
#include "sipsleuth/ciout.h"
#include "sipsleuth/decode.h"
#include "sipsleuth/error.h"
#include "sipsleuth/explain.h"
#include "sipsleuth/input.h"
#include "sipsleuth/ladder.h"
#include "sipsleuth/listing.h"
#include "sipsleuth/report.h"

#include "cli.h"
#include "jsonw.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SLS_VERSION
#define SLS_VERSION "0.1.0"
#endif

/* Exit statuses: stable, documented in README.md (cli.h). */
enum {
    EXIT_OK = SLS_EXIT_OK,
    EXIT_USAGE = SLS_EXIT_USAGE,
    EXIT_INPUT = SLS_EXIT_INPUT,
    EXIT_INCOMPLETE = SLS_EXIT_INCOMPLETE
};

enum format { FMT_TEXT, FMT_JSON, FMT_NDJSON, FMT_CSV };

enum command { CMD_SUMMARY, CMD_CALLS, CMD_TRANSACTIONS, CMD_SHOW };

typedef struct options {
    enum command cmd;
    enum format format;
    const char *output;
    const char *call_id; /* show */
    int allow_incomplete;
    int progress; /* -1 auto (stderr is a terminal), 0 never, 1 always */
    sls_config cfg;
    const char **inputs;
    size_t ninputs;
} options;

static void usage(FILE *out)
{
    fputs("Usage: sipsleuth [summary] [OPTIONS] CAPTURE...\n"
          "       sipsleuth calls [OPTIONS] CAPTURE...\n"
          "       sipsleuth transactions [OPTIONS] CAPTURE...\n"
          "       sipsleuth show [OPTIONS] CALL-ID CAPTURE...\n"
          "       sipsleuth explain [--format text|json] CODE...\n"
          "\n"
          "Reads pcap/pcapng captures (\"-\" is standard input; several files are\n"
          "merged in timestamp order and analysed as one capture) and reports SIP\n"
          "messages, transactions, calls, outcomes, timings and error rates.\n"
          "\n"
          "Commands:\n"
          "  summary        per-capture summary (the default)\n"
          "  calls          one line per call: outcome, code, timings, why it failed\n"
          "  transactions   one line per transaction\n"
          "  show CALL-ID   one call as a ladder diagram\n"
          "  explain CODE   what a SIP response code means\n"
          "\n"
          "Options:\n"
          "  -f, --format FMT          text (default), json, ndjson or csv\n"
          "  -o, --output FILE         write to FILE instead of standard output\n"
          "  -w, --window DURATION     time window of the summary breakdown (default 60s;\n"
          "                            a number with s, m or h)\n"
          "      --allow-incomplete    exit 0 even if an input was truncated\n"
          "      --max-transactions N  transaction entries kept at most (default 1000000)\n"
          "      --max-calls N         open calls kept at most (default 200000)\n"
          "      --progress            report progress on stderr even if it is not a terminal\n"
          "  -q, --quiet               no progress report\n"
          "  -h, --help                this help\n"
          "  -V, --version             version\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 an input could not be read,\n"
          "4 the analysis is incomplete (truncated input).\n",
          out);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sipsleuth: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'sipsleuth --help'.\n", stderr);
    return EXIT_USAGE;
}

/* Value of an option given as "--opt VALUE", "--opt=VALUE" or "-o VALUE". */
static const char *opt_value(int argc, char **argv, int *i, const char *arg,
                             const char *lng, const char *shrt)
{
    size_t l = strlen(lng);
    if (strncmp(arg, lng, l) == 0 && arg[l] == '=')
        return arg + l + 1;
    if (strcmp(arg, lng) == 0 || (shrt != NULL && strcmp(arg, shrt) == 0)) {
        if (*i + 1 >= argc)
            return NULL;
        return argv[++*i];
    }
    return NULL;
}

static int is_opt(const char *arg, const char *lng, const char *shrt)
{
    size_t l = strlen(lng);
    return strcmp(arg, lng) == 0 || (strncmp(arg, lng, l) == 0 && arg[l] == '=') ||
           (shrt != NULL && strcmp(arg, shrt) == 0);
}

static int parse_format(const char *v, enum format *f, int listing)
{
    if (v != NULL && strcmp(v, "text") == 0)
        *f = FMT_TEXT;
    else if (v != NULL && strcmp(v, "json") == 0)
        *f = FMT_JSON;
    else if (listing && v != NULL && strcmp(v, "ndjson") == 0)
        *f = FMT_NDJSON;
    else if (listing && v != NULL && strcmp(v, "csv") == 0)
        *f = FMT_CSV;
    else
        return usage_error("unknown format '%s' (%s)", v ? v : "",
                           listing ? "text, json, ndjson or csv" : "text or json");
    return 0;
}

/* "90", "90s", "5m", "1h" -> ns; 0 < value <= 1 day. */
static int parse_duration(const char *v, int64_t *ns)
{
    if (v == NULL)
        return SLS_EINVAL;
    size_t n = strlen(v);
    int64_t unit = SLS_NS_PER_S;
    if (n > 0 && (v[n - 1] == 's' || v[n - 1] == 'm' || v[n - 1] == 'h')) {
        unit = v[n - 1] == 'h' ? 3600 * SLS_NS_PER_S
               : v[n - 1] == 'm' ? 60 * SLS_NS_PER_S : SLS_NS_PER_S;
        n--;
    }
    uint64_t x;
    if (sls__parse_u64(v, n, 86400, &x) < 0 || x == 0 || (int64_t)x * unit > 86400 * SLS_NS_PER_S)
        return SLS_EINVAL;
    *ns = (int64_t)x * unit;
    return 0;
}

static int parse_count(const char *opt, const char *v, uint64_t max, size_t *out)
{
    uint64_t n;
    if (v == NULL || sls__parse_u64(v, strlen(v), max, &n) < 0 || n == 0)
        return usage_error("%s needs a number from 1 to %llu, not '%s'", opt,
                           (unsigned long long)max, v ? v : "");
    *out = (size_t)n;
    return 0;
}

/* Parses options and operands from argv[first..]. Returns 0 or an exit
 * status; -1 means help/version was printed. */
static int parse_args(int argc, char **argv, int first, options *o)
{
    o->inputs = calloc((size_t)argc, sizeof(*o->inputs));
    if (o->inputs == NULL)
        return EXIT_INPUT;
    int operands_only = 0, rc;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (operands_only || a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->cmd == CMD_SHOW && o->call_id == NULL)
                o->call_id = a;
            else
                o->inputs[o->ninputs++] = a;
        } else if (strcmp(a, "--") == 0) {
            operands_only = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("sipsleuth %s\n", SLS_VERSION);
            return -1;
        } else if (is_opt(a, "--format", "-f")) {
            rc = parse_format(opt_value(argc, argv, &i, a, "--format", "-f"), &o->format,
                              o->cmd != CMD_SHOW);
            if (rc != 0)
                return rc;
        } else if (is_opt(a, "--output", "-o")) {
            if ((o->output = opt_value(argc, argv, &i, a, "--output", "-o")) == NULL)
                return usage_error("%s needs a file name", a);
        } else if (is_opt(a, "--window", "-w")) {
            const char *v = opt_value(argc, argv, &i, a, "--window", "-w");
            if (parse_duration(v, &o->cfg.window_ns) < 0)
                return usage_error("--window needs a duration such as 60s, 5m or 1h "
                                   "(at most 1 day), not '%s'", v ? v : "");
        } else if (strcmp(a, "--allow-incomplete") == 0) {
            o->allow_incomplete = 1;
        } else if (strcmp(a, "--progress") == 0) {
            o->progress = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->progress = 0;
        } else if (is_opt(a, "--max-transactions", NULL)) {
            rc = parse_count("--max-transactions",
                             opt_value(argc, argv, &i, a, "--max-transactions", NULL),
                             100000000, &o->cfg.txn.max_open);
            if (rc != 0)
                return rc;
        } else if (is_opt(a, "--max-calls", NULL)) {
            rc = parse_count("--max-calls", opt_value(argc, argv, &i, a, "--max-calls", NULL),
                             100000000, &o->cfg.calls.max_open);
            if (rc != 0)
                return rc;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    return 0;
}

static void explain_text(const sls_code_info *c)
{
    printf("%u %s\n", c->code, c->reason);
    printf("  class:   %ux %s (%s)%s\n", c->code / 100, sls_code_class_name(c->cls),
           c->is_final ? "final" : "provisional",
           c->obsolete ? ", obsolete (RFC 2543, not registered)" : "");
    if (!c->known)
        printf("  note:    not a registered code; explained by its class\n");
    if (c->rfc[0] != '\0')
        printf("  defined: %s\n", c->rfc);
    printf("  meaning: %s\n", c->meaning);
    printf("  causes:  %s\n", c->causes);
}

static int cmd_explain(int argc, char **argv)
{
    enum format fmt = FMT_TEXT;
    int ncodes = 0;
    unsigned codes[64];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (is_opt(a, "--format", "-f")) {
            int rc = parse_format(opt_value(argc, argv, &i, a, "--format", "-f"), &fmt, 0);
            if (rc != 0)
                return rc;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
        uint64_t v;
        if (sls__parse_u64(a, strlen(a), 999, &v) < 0 || v < 100 || v > 699)
            return usage_error("'%s' is not a SIP response code (100 to 699)", a);
        if (ncodes == 64)
            return usage_error("too many codes (at most 64): '%s'", a);
        codes[ncodes++] = (unsigned)v;
    }
    if (ncodes == 0)
        return usage_error("%s", "explain needs a response code, e.g. 'sipsleuth explain 503'");
    sls__jw j;
    sls__jw_init(&j, stdout, 1);
    if (fmt == FMT_JSON)
        sls__jw_array(&j, NULL);
    for (int i = 0; i < ncodes; i++) {
        sls_code_info c;
        sls_explain_code(codes[i], &c);
        if (fmt == FMT_TEXT) {
            if (i > 0)
                putchar('\n');
            explain_text(&c);
            continue;
        }
        char cls[16];
        snprintf(cls, sizeof(cls), "%ux", c.code / 100);
        sls__jw_object(&j, NULL);
        sls__jw_u64(&j, "code", c.code);
        sls__jw_str(&j, "reason", c.reason);
        sls__jw_str(&j, "class", cls);
        sls__jw_str(&j, "class_name", sls_code_class_name(c.cls));
        sls__jw_bool(&j, "final", c.is_final);
        sls__jw_bool(&j, "registered", c.known && !c.obsolete);
        sls__jw_bool(&j, "obsolete", c.obsolete);
        sls__jw_str(&j, "rfc", c.rfc);
        sls__jw_str(&j, "meaning", c.meaning);
        sls__jw_str(&j, "causes", c.causes);
        sls__jw_str(&j, "summary", c.summary);
        sls__jw_end_object(&j);
    }
    if (fmt == FMT_JSON) {
        sls__jw_end_array(&j);
        sls__jw_finish(&j);
    }
    return EXIT_OK;
}

static void list_call(void *user, const sls_call *c)
{
    sls_list_call(user, c);
}

static void list_txn(void *user, const sls_txn *t)
{
    sls_list_txn(user, t);
}

static void ladder_msg(void *user, const sls_sipmsg *m, const sls_packet *pkt, int ev)
{
    sls_ladder_message(user, m, pkt, ev);
}

static void ladder_call(void *user, const sls_call *c)
{
    sls_ladder_call(user, c);
}

static enum sls_list_format list_format(enum format f)
{
    switch (f) {
    case FMT_JSON: return SLS_LIST_JSON;
    case FMT_NDJSON: return SLS_LIST_NDJSON;
    case FMT_CSV: return SLS_LIST_CSV;
    default: return SLS_LIST_TEXT;
    }
}

/* Reports inputs that ended early or could not be decoded. Returns the exit
 * status they call for. */
static int input_diagnostics(const sls_input *in, int allow_incomplete)
{
    int status = EXIT_OK;
    for (size_t i = 0; i < sls_input_file_count(in); i++) {
        const sls_file_info *f = sls_input_file(in, i);
        if (f->state != SLS_FILE_OK) {
            fprintf(stderr, "sipsleuth: %s: %s; the analysis is incomplete (%llu packets read)\n",
                    f->path, f->message[0] ? f->message : "read error",
                    (unsigned long long)f->packets);
            if (!allow_incomplete)
                status = EXIT_INCOMPLETE;
        }
        if (f->packets > 0 && !sls_decode_linktype_supported(f->linktype))
            fprintf(stderr, "sipsleuth: %s: link type %s is not supported; its %llu packets "
                            "were skipped\n",
                    f->path, f->linktype_name, (unsigned long long)f->packets);
    }
    return status;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
    const sls_analyzer *a;
    int tty;
    int printed;
    double start, last;
};

/* One progress line, about twice a second: on a terminal it rewrites
 * itself, elsewhere it appends. */
static void print_progress(void *user, uint64_t done, uint64_t total)
{
    struct progress *p = user;
    double now = mono_s();
    if (now - p->last < 0.5)
        return;
    p->last = now;
    const sls_summary *s = sls_analyzer_summary(p->a);
    char pct[16] = "";
    if (total > 0)
        snprintf(pct, sizeof(pct), "%3.0f%% of ", 100.0 * (double)done / (double)total);
    fprintf(stderr, "%ssipsleuth: %s%.0f MB read, %llu packets, %llu SIP messages, %.1f s%s",
            p->tty ? "\r" : "", pct, (double)(total > 0 ? total : done) / 1e6,
            (unsigned long long)s->packets, (unsigned long long)s->sip_messages,
            now - p->start, p->tty ? "\033[K" : "\n");
    p->printed = 1;
}

/* Reads every packet, with a progress line on stderr when asked. */
static int analyze(sls_analyzer *a, sls_input *in, int progress)
{
    if (!progress)
        return sls_analyzer_run(a, in);
    struct progress p = {.a = a, .tty = isatty(STDERR_FILENO)};
    p.start = p.last = mono_s();
    sls_analyzer_on_progress(a, print_progress, &p);
    int rc = sls_analyzer_run(a, in);
    sls_analyzer_on_progress(a, NULL, NULL);
    if (p.printed && p.tty)
        fputs("\r\033[K", stderr);
    return rc;
}

static int run(int argc, char **argv, int first, enum command cmd)
{
    options o;
    memset(&o, 0, sizeof(o));
    o.cmd = cmd;
    o.progress = -1;
    sls_config_default(&o.cfg);
    int rc = parse_args(argc, argv, first, &o);
    if (rc != 0) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    if (cmd == CMD_SHOW && o.call_id == NULL) {
        free(o.inputs);
        return usage_error("%s", "show needs a Call-ID and a capture");
    }
    if (o.ninputs == 0) {
        free(o.inputs);
        return usage_error("%s", "no capture file given");
    }

    char err[512];
    sls_input *in = NULL;
    rc = sls_input_open(&in, o.inputs, o.ninputs, err, sizeof(err));
    free(o.inputs);
    if (rc < 0) {
        fprintf(stderr, "sipsleuth: %s\n", err);
        return rc == SLS_EINVAL ? EXIT_USAGE : EXIT_INPUT;
    }
    FILE *out = stdout;
    if (o.output != NULL && (out = fopen(o.output, "w")) == NULL) {
        fprintf(stderr, "sipsleuth: %s: %s\n", o.output, strerror(errno));
        sls_input_free(in);
        return EXIT_USAGE;
    }
    sls_analyzer *a = sls_analyzer_new(&o.cfg);
    sls_ladder *ladder = cmd == CMD_SHOW ? sls_ladder_new(o.call_id) : NULL;
    if (a == NULL || (cmd == CMD_SHOW && ladder == NULL)) {
        fprintf(stderr, "sipsleuth: %s\n", sls_strerror(SLS_ENOMEM));
        sls_analyzer_free(a);
        sls_input_free(in);
        if (out != stdout)
            fclose(out);
        return EXIT_INPUT;
    }
    sls_lister lister;
    sls_lister_init(&lister, out, list_format(o.format));
    if (cmd == CMD_CALLS) {
        sls_list_calls_header(&lister);
        sls_analyzer_on_call(a, list_call, &lister);
    } else if (cmd == CMD_TRANSACTIONS) {
        sls_list_txns_header(&lister);
        sls_analyzer_on_txn(a, list_txn, &lister);
    } else if (cmd == CMD_SHOW) {
        sls_analyzer_on_message(a, ladder_msg, ladder);
        sls_analyzer_on_call(a, ladder_call, ladder);
    }

    rc = analyze(a, in, o.progress < 0 ? isatty(STDERR_FILENO) : o.progress);
    sls_analyzer_finish(a);
    int status = EXIT_OK;
    if (rc < 0) {
        fprintf(stderr, "sipsleuth: analysis stopped: %s\n", sls_strerror(rc));
        status = EXIT_INCOMPLETE;
    }
    int st = input_diagnostics(in, o.allow_incomplete);
    if (st != EXIT_OK)
        status = st;

    const sls_summary *s = sls_analyzer_summary(a);
    rc = 0;
    switch (cmd) {
    case CMD_SUMMARY: {
        sls_report_files rf;
        rc = sls_report_files_from_input(&rf, in);
        if (rc == 0) {
            switch (o.format) {
            case FMT_JSON: rc = sls_report_json(out, s, &rf); break;
            case FMT_NDJSON: rc = sls_report_ndjson(out, s, &rf); break;
            case FMT_CSV: rc = sls_report_csv(out, s, &rf); break;
            default: rc = sls_report_text(out, s, &rf); break;
            }
            free(rf.files);
        }
        break;
    }
    case CMD_CALLS:
    case CMD_TRANSACTIONS:
        sls_list_footer(&lister);
        break;
    case CMD_SHOW:
        rc = sls_ladder_print(out, ladder);
        break;
    }
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0)
        rc = SLS_EREAD;
    if (rc < 0) {
        fprintf(stderr, "sipsleuth: cannot write the output\n");
        status = EXIT_INPUT;
    }
    sls_ladder_free(ladder);
    sls_analyzer_free(a);
    sls_input_free(in);
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 2) {
        const char *c = argv[1];
        if (strcmp(c, "explain") == 0)
            return cmd_explain(argc, argv);
        if (strcmp(c, "summary") == 0)
            return run(argc, argv, 2, CMD_SUMMARY);
        if (strcmp(c, "calls") == 0)
            return run(argc, argv, 2, CMD_CALLS);
        if (strcmp(c, "transactions") == 0 || strcmp(c, "txns") == 0)
            return run(argc, argv, 2, CMD_TRANSACTIONS);
        if (strcmp(c, "show") == 0)
            return run(argc, argv, 2, CMD_SHOW);
        if (strcmp(c, "check") == 0)
            return sls__cli_check(argc, argv);
        if (strcmp(c, "merge") == 0)
            return sls__cli_merge(argc, argv);
    }
    return run(argc, argv, 1, CMD_SUMMARY);
}
