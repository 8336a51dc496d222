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

/* 1 when every input was read to its end. in may be NULL. */
int sls_report_complete(const sls_input *in);

/* in may be NULL (then no file list). Return 0, or SLS_EREAD when the
 * stream reports a write error. */
int sls_report_text(FILE *out, const sls_summary *s, const sls_input *in);
int sls_report_json(FILE *out, const sls_summary *s, const sls_input *in);

#endif
