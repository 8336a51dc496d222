/* Fixed-bucket histograms of durations in milliseconds, for percentiles
 * that merge exactly: the buckets are the same in every run, so adding the
 * counts of two histograms gives the histogram of the union, and the
 * percentiles of a merged summary equal those of one run over all captures.
 *
 * Buckets keep three significant digits (relative error under 1%):
 * 0..999 ms one bucket per millisecond; 1000..9990 ms per 10 ms;
 * 10000..99900 per 100 ms; and so on up to 10^10 ms. Percentiles are
 * nearest-rank and report the lower edge of their bucket; max is exact. */
#ifndef SIPSLEUTH_HIST_H
#define SIPSLEUTH_HIST_H

#include <stddef.h>
#include <stdint.h>

#define SLS_HIST_BUCKETS (1000 + 7 * 900)

typedef struct sls_hist {
    uint64_t count;
    uint64_t max_ms;
    uint64_t sum_ms;
    uint32_t bucket[SLS_HIST_BUCKETS];
} sls_hist;

void sls_hist_init(sls_hist *h);
/* Adds one value (ns; negative counts as 0). */
void sls_hist_add_ns(sls_hist *h, int64_t ns);
/* Adds n values in the bucket whose lower edge is lower_ms (for merging
 * serialised histograms). Returns 0 or SLS_EINVAL if lower_ms is not a
 * bucket edge. */
int sls_hist_add_bucket(sls_hist *h, uint64_t lower_ms, uint64_t n);
/* dst += src. */
void sls_hist_merge(sls_hist *dst, const sls_hist *src);
/* Nearest-rank percentile (0 < p <= 100), in ms; 0 for an empty histogram. */
uint64_t sls_hist_percentile(const sls_hist *h, double p);
/* Lower edge in ms of bucket i. */
uint64_t sls_hist_bucket_lower(size_t i);
/* Bucket index of a value in ms. */
size_t sls_hist_bucket_of(uint64_t ms);

#endif
