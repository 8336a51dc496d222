/* `sipsleuth merge`: JSON summaries of many captures combined into one, as
 * if one run had read every capture (see sls_summary_merge for what is
 * exact and what is a bound). */
#include "sipsleuth/ciout.h"
#include "sipsleuth/error.h"
#include "sipsleuth/report.h"
#include "sipsleuth/sumjson.h"

#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void merge_usage(FILE *out)
{
    fputs("Usage: sipsleuth merge [OPTIONS] SUMMARY.json...\n"
          "\n"
          "Combines JSON summaries (sipsleuth --format json) into one: counts add up,\n"
          "timing histograms add bucket by bucket (merged percentiles equal those of\n"
          "one run over all the captures), peers and time windows are joined. The\n"
          "files list holds every capture of every input. \"-\" reads standard input.\n"
          "\n"
          "Options:\n"
          "  -f, --format FMT        json (default), text, ndjson or csv\n"
          "  -o, --output FILE       write to FILE instead of standard output\n"
          "      --allow-incomplete  exit 0 even if an input summary was incomplete\n"
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 an input could not be read or\n"
          "merged, 4 an input summary was incomplete (truncated capture).\n",
          out);
}

__attribute__((format(printf, 1, 2))) static int merge_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sipsleuth merge: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'sipsleuth merge --help'.\n", stderr);
    return SLS_EXIT_USAGE;
}

enum merge_format { MF_JSON, MF_TEXT, MF_NDJSON, MF_CSV };

static const char *opt_arg(int argc, char **argv, int *i, const char *lng, const char *shrt,
                           int *matched)
{
    const char *a = argv[*i];
    size_t l = strlen(lng);
    *matched = 0;
    if (strncmp(a, lng, l) == 0 && a[l] == '=') {
        *matched = 1;
        return a + l + 1;
    }
    if (strcmp(a, lng) == 0 || strcmp(a, shrt) == 0) {
        *matched = 1;
        return *i + 1 < argc ? argv[++*i] : NULL;
    }
    return NULL;
}

int sls__cli_merge(int argc, char **argv)
{
    const char **inputs = calloc((size_t)argc, sizeof(*inputs));
    if (inputs == NULL) {
        fprintf(stderr, "sipsleuth merge: %s\n", sls_strerror(SLS_ENOMEM));
        return SLS_EXIT_INPUT;
    }
    size_t n = 0;
    enum merge_format fmt = MF_JSON;
    const char *output = NULL;
    int allow_incomplete = 0, only_operands = 0, m, status = SLS_EXIT_OK;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (only_operands || a[0] != '-' || strcmp(a, "-") == 0) {
            inputs[n++] = a;
        } else if (strcmp(a, "--") == 0) {
            only_operands = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            merge_usage(stdout);
            free(inputs);
            return SLS_EXIT_OK;
        } else if (strcmp(a, "--allow-incomplete") == 0) {
            allow_incomplete = 1;
        } else if ((v = opt_arg(argc, argv, &i, "--format", "-f", &m)) != NULL || m) {
            if (v != NULL && strcmp(v, "json") == 0)
                fmt = MF_JSON;
            else if (v != NULL && strcmp(v, "text") == 0)
                fmt = MF_TEXT;
            else if (v != NULL && strcmp(v, "ndjson") == 0)
                fmt = MF_NDJSON;
            else if (v != NULL && strcmp(v, "csv") == 0)
                fmt = MF_CSV;
            else
                status = merge_error("unknown format '%s' (json, text, ndjson or csv)",
                                     v ? v : "");
        } else if ((v = opt_arg(argc, argv, &i, "--output", "-o", &m)) != NULL || m) {
            if ((output = v) == NULL)
                status = merge_error("--output needs a file name");
        } else {
            status = merge_error("unknown option '%s'", a);
        }
        if (status != SLS_EXIT_OK) {
            free(inputs);
            return status;
        }
    }
    if (n == 0) {
        free(inputs);
        return merge_error("no JSON summary given");
    }

    char err[512];
    sls_summary *s = NULL;
    sls_report_files rf = {NULL, 0};
    int rc = sls_sumjson_load_all(inputs, n, &s, &rf, err, sizeof(err));
    free(inputs);
    if (rc < 0) {
        fprintf(stderr, "sipsleuth merge: %s\n", err);
        return SLS_EXIT_INPUT;
    }
    for (size_t i = 0; i < rf.nfiles; i++) {
        if (rf.files[i].state == SLS_FILE_OK)
            continue;
        fprintf(stderr, "sipsleuth merge: %s was not read to its end; the merged summary is "
                        "incomplete\n", rf.files[i].path);
        if (!allow_incomplete)
            status = SLS_EXIT_INCOMPLETE;
    }
    FILE *out = stdout;
    if (output != NULL && (out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "sipsleuth merge: %s: %s\n", output, strerror(errno));
        sls_summary_free(s);
        sls_sumjson_files_free(&rf);
        return SLS_EXIT_USAGE;
    }
    switch (fmt) {
    case MF_JSON: rc = sls_report_json(out, s, &rf); break;
    case MF_TEXT: rc = sls_report_text(out, s, &rf); break;
    case MF_NDJSON: rc = sls_report_ndjson(out, s, &rf); break;
    case MF_CSV: rc = sls_report_csv(out, s, &rf); break;
    }
    if ((out != stdout ? fclose(out) != 0 : fflush(out) != 0) || rc < 0) {
        fprintf(stderr, "sipsleuth merge: cannot write the output\n");
        status = SLS_EXIT_INPUT;
    }
    sls_summary_free(s);
    sls_sumjson_files_free(&rf);
    return status;
}
