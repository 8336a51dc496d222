/* Fixed-bucket duration histograms; see hist.h. */
#include "sipsleuth/hist.h"

#include "sipsleuth/error.h"

#include <string.h>

void sls_hist_init(sls_hist *h)
{
    memset(h, 0, sizeof(*h));
}

size_t sls_hist_bucket_of(uint64_t ms)
{
    if (ms < 1000)
        return (size_t)ms;
    uint64_t scale = 10; /* bucket width for this decade */
    size_t base = 1000;
    uint64_t lo = 1000;
    for (int d = 0; d < 7; d++) {
        if (ms < lo * 10)
            return base + (size_t)(ms / scale - 100);
        lo *= 10;
        scale *= 10;
        base += 900;
    }
    return SLS_HIST_BUCKETS - 1; /* beyond 10^10 ms: last bucket */
}

uint64_t sls_hist_bucket_lower(size_t i)
{
    if (i < 1000)
        return i;
    size_t d = (i - 1000) / 900, k = (i - 1000) % 900;
    uint64_t scale = 10;
    for (size_t j = 0; j < d; j++)
        scale *= 10;
    return (100 + k) * scale;
}

void sls_hist_add_ns(sls_hist *h, int64_t ns)
{
    uint64_t ms = ns > 0 ? (uint64_t)ns / 1000000 : 0;
    h->count++;
    h->sum_ms += ms;
    if (ms > h->max_ms)
        h->max_ms = ms;
    h->bucket[sls_hist_bucket_of(ms)]++;
}

int sls_hist_add_bucket(sls_hist *h, uint64_t lower_ms, uint64_t n)
{
    size_t i = sls_hist_bucket_of(lower_ms);
    if (sls_hist_bucket_lower(i) != lower_ms || n > UINT32_MAX - h->bucket[i])
        return SLS_EINVAL;
    h->bucket[i] += (uint32_t)n;
    h->count += n;
    return 0;
}

void sls_hist_merge(sls_hist *dst, const sls_hist *src)
{
    dst->count += src->count;
    dst->sum_ms += src->sum_ms;
    if (src->max_ms > dst->max_ms)
        dst->max_ms = src->max_ms;
    for (size_t i = 0; i < SLS_HIST_BUCKETS; i++)
        dst->bucket[i] += src->bucket[i];
}

uint64_t sls_hist_percentile(const sls_hist *h, double p)
{
    if (h->count == 0)
        return 0;
    /* Nearest rank: the smallest value with at least p% at or below it. */
    double r = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < SLS_HIST_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= rank) {
            uint64_t v = sls_hist_bucket_lower(i);
            return v > h->max_ms ? h->max_ms : v;
        }
    }
    return h->max_ms;
}
