/* Machine-readable outputs for CI: the results of `sipsleuth check` as a
 * terminal listing, JUnit XML, Markdown and JSON, and the summary as NDJSON
 * and CSV for databases and spreadsheets.
 *
 * Every writer writes to the stream it is given and nothing else, and
 * returns 0 or SLS_EREAD when the stream reports a write error. */
#ifndef SIPSLEUTH_CIOUT_H
#define SIPSLEUTH_CIOUT_H

#include <stdio.h>

#include "sipsleuth/policy.h"
#include "sipsleuth/report.h"
#include "sipsleuth/summary.h"

/* Everything a check report shows. */
typedef struct sls_check_report {
    const sls_policy_results *results;
    const sls_summary *summary;       /* headline numbers; may be NULL */
    const sls_report_files *files;    /* may be NULL */
    int incomplete;                   /* the analysis was incomplete */
    int incomplete_allowed;           /* ... and --allow-incomplete */
    const char *incomplete_reason;    /* "run.pcap truncated"; may be NULL */
    const char *baseline;             /* baseline file name; may be NULL */
} sls_check_report;

/* "pass", "fail" or "incomplete" (incomplete and not allowed). */
const char *sls_check_status(const sls_check_report *r);

/* Exit status of a check: 0 every rule holds, 1 a rule failed, 4 the
 * analysis was incomplete and that was not allowed (4 wins over 1: rules
 * measured on part of the traffic prove nothing either way). */
int sls_check_exit_status(const sls_check_report *r);

/* One line per rule, then one result line:
 *   PASS max-failure-rate: 1.2% <= 2% (3 of 250 call attempts failed)
 *   FAIL max-count 500: 3 > 0 (transactions with a final 500)
 *   SKIP min-asr: no call attempts
 *   FAIL baseline failure-rate: 5.2% > 2% (baseline 1%, +4.2pp, margin 1pp)
 *   RESULT fail: 4 rules, 1 passed, 2 failed, 1 skipped */
int sls_ciout_text(FILE *out, const sls_check_report *r);

/* JUnit XML (tests/junit.xsd): one <testsuite name="sipsleuth check">, one
 * <testcase classname="sipsleuth.check" name=RULE> per rule, plus
 * "analysis-complete"; a failed rule has <failure message type> with the
 * measured and allowed values, a rule without data <skipped>. */
int sls_ciout_junit(FILE *out, const sls_check_report *r);

/* Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY: the result,
 * the headline numbers and a table of rules. */
int sls_ciout_markdown(FILE *out, const sls_check_report *r);

/* JSON: {"schema_version": 1, "status": "pass"|"fail"|"incomplete",
 * "exit_status", "total", "passed", "failed", "skipped", "complete",
 * "incomplete_reason", "files", "baseline", "rules": [one object per rule:
 * name, status pass|fail|skip, metric, description, scope, unit
 * (ratio|ms|count), bound (max|min), measured, allowed, their texts,
 * detail, and for baseline rules baseline, change, margin], "headline":
 * {calls, failure_rate, asr, error_rate, pdd_p95_ms, ...}}. */
int sls_ciout_json(FILE *out, const sls_check_report *r);

/* The summary as NDJSON: one object per line, one line per table row, each
 * with a "table" field: capture, file, request, response, transaction,
 * outcome, timing, peer, window, counter. rf may be NULL. */
int sls_report_ndjson(FILE *out, const sls_summary *s, const sls_report_files *rf);

/* The summary as CSV (RFC 4180, CRLF line ends), long format: a header
 * line "table,key,field,value" then one line per value of the NDJSON rows
 * (key: the row's identity, such as the method, code, peer or window
 * start; empty for the one capture row). */
int sls_report_csv(FILE *out, const sls_summary *s, const sls_report_files *rf);

#endif
