/* Summary reports: human text and JSON. Deterministic: methods and codes are
 * sorted, times are UTC. Writing a report is output, not diagnostics: these
 * write to the stream they are given and nothing else. */
#ifndef SIPSLEUTH_REPORT_H
#define SIPSLEUTH_REPORT_H

#include <stdio.h>

#include "sipsleuth/input.h"
#include "sipsleuth/summary.h"

/* Version of the JSON document layout; bumped on incompatible changes. */
#define SLS_JSON_SCHEMA_VERSION 1

/* How many failure codes the summary lists. */
#define SLS_REPORT_TOP_FAILURES 10

/* The inputs a summary was made from: the files of an sls_input, or those
 * listed in merged JSON summaries. */
typedef struct sls_report_files {
    sls_file_info *files;
    size_t nfiles;
} sls_report_files;

/* Fills *rf from an open input; the array is allocated (free rf->files with
 * free()) and its strings stay valid while in lives. Returns 0 or
 * SLS_ENOMEM. */
int sls_report_files_from_input(sls_report_files *rf, const sls_input *in);

/* 1 when every input was read to its end. */
int sls_report_complete(const sls_report_files *rf);

/* rf may be NULL (then no file list). Return 0, or SLS_EREAD when the
 * stream reports a write error. */
int sls_report_text(FILE *out, const sls_summary *s, const sls_report_files *rf);
int sls_report_json(FILE *out, const sls_summary *s, const sls_report_files *rf);

#endif
