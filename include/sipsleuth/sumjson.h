/* Reading a JSON summary (the document of `sipsleuth --format json`,
 * schema_version 1, docs/schema/summary.schema.json) back into an
 * sls_summary: for `sipsleuth merge` and for baselines of `sipsleuth
 * check`.
 *
 * Exact for everything the document carries: counts, histograms bucket by
 * bucket, peers, windows. Timestamps come back to the microsecond (the
 * document's precision). Two fields are not in the document and are
 * derived: transactions evicted (the txn-evicted counter, which counts the
 * same events) and calls that rang but were not answered (from NER, exact
 * below a million attempts) unless calls.ringing_no_answer is present.
 *
 * Strict: unknown counters, codes outside 100..699, negative or fractional
 * counts, a histogram whose buckets do not add up to its count, and a
 * schema_version other than 1 are errors, so that a wrong file never merges
 * silently into wrong totals. */
#ifndef SIPSLEUTH_SUMJSON_H
#define SIPSLEUTH_SUMJSON_H

#include <stddef.h>

#include "sipsleuth/report.h"
#include "sipsleuth/summary.h"

/* Parses text[0..len) (name is used in messages). On success returns 0,
 * *out is a new summary (free with sls_summary_free) and, if files is not
 * NULL, *files lists the capture files of the document, strings included
 * (free with sls_sumjson_files_free). On failure returns SLS_EINVAL (not
 * JSON, or not a summary), SLS_ERANGE (a schema_version this build does
 * not know) or SLS_ENOMEM, with one line in err:
 *   "a.json:3: '[' or '{' expected near 'x'"
 *   "a.json: capture.packets: expected a non-negative integer" */
int sls_sumjson_read(const char *text, size_t len, const char *name, sls_summary **out,
                     sls_report_files *files, char *err, size_t errlen);

/* The same from a file; "-" is standard input. SLS_EOPEN when it cannot
 * be opened or read. */
int sls_sumjson_load(const char *path, sls_summary **out, sls_report_files *files,
                     char *err, size_t errlen);

/* Loads paths[0..n) and merges them (sls_summary_merge) into one summary,
 * *files listing every capture of every document in order. The documents
 * are read one at a time. Errors as sls_sumjson_load, and SLS_EINVAL when
 * two documents have different window widths (err names both files). */
int sls_sumjson_load_all(const char *const *paths, size_t n, sls_summary **out,
                         sls_report_files *files, char *err, size_t errlen);

/* Appends copies of src's entries (strings included) to dst, which must be
 * zeroed or come from sls_sumjson_* functions. Returns 0 or SLS_ENOMEM. */
int sls_sumjson_files_append(sls_report_files *dst, const sls_report_files *src);

/* Frees a list made by the functions above and zeroes it. Accepts NULL. */
void sls_sumjson_files_free(sls_report_files *rf);

#endif
