/* Histogram buckets, percentiles and exact merging. */
#include "sipsleuth/hist.h"

#include "sls_check.h"

#define MSNS(x) ((int64_t)(x) * 1000000)

START_TEST(test_bucket_edges_round_trip)
{
    for (size_t i = 0; i < SLS_HIST_BUCKETS; i++) {
        uint64_t lo = sls_hist_bucket_lower(i);
        ck_assert_uint_eq(sls_hist_bucket_of(lo), i);
        if (i + 1 < SLS_HIST_BUCKETS)
            ck_assert_uint_eq(sls_hist_bucket_of(sls_hist_bucket_lower(i + 1) - 1), i);
    }
    ck_assert_uint_eq(sls_hist_bucket_of(999), 999);
    ck_assert_uint_eq(sls_hist_bucket_lower(sls_hist_bucket_of(2345)), 2340);
    ck_assert_uint_eq(sls_hist_bucket_lower(sls_hist_bucket_of(123456)), 123000);
}
END_TEST

START_TEST(test_percentiles_are_nearest_rank_and_max_exact)
{
    static sls_hist h;
    sls_hist_init(&h);
    for (int v = 1; v <= 100; v++)
        sls_hist_add_ns(&h, MSNS(v));
    ck_assert_uint_eq(sls_hist_percentile(&h, 50), 50);
    ck_assert_uint_eq(sls_hist_percentile(&h, 95), 95);
    ck_assert_uint_eq(sls_hist_percentile(&h, 100), 100);
    sls_hist_add_ns(&h, MSNS(2345));
    ck_assert_uint_eq(h.max_ms, 2345);
    ck_assert_uint_eq(sls_hist_percentile(&h, 100), 2340);
    static sls_hist empty;
    sls_hist_init(&empty);
    ck_assert_uint_eq(sls_hist_percentile(&empty, 95), 0);
}
END_TEST

START_TEST(test_merged_percentiles_equal_one_run)
{
    static sls_hist a, b, all;
    sls_hist_init(&a);
    sls_hist_init(&b);
    sls_hist_init(&all);
    uint64_t x = 12345;
    for (int i = 0; i < 5000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int64_t ns = (int64_t)((x >> 20) % 40000000000ull);
        sls_hist_add_ns(i % 3 ? &a : &b, ns);
        sls_hist_add_ns(&all, ns);
    }
    sls_hist_merge(&a, &b);
    ck_assert_uint_eq(a.count, all.count);
    ck_assert_uint_eq(a.max_ms, all.max_ms);
    for (double p = 1; p <= 100; p += 1)
        ck_assert_uint_eq(sls_hist_percentile(&a, p), sls_hist_percentile(&all, p));
}
END_TEST

START_TEST(test_add_bucket_rejects_non_edges)
{
    static sls_hist h;
    sls_hist_init(&h);
    ck_assert_int_eq(sls_hist_add_bucket(&h, 2340, 3), 0);
    ck_assert_int_lt(sls_hist_add_bucket(&h, 2345, 1), 0);
    ck_assert_uint_eq(h.count, 3);
    ck_assert_uint_eq(sls_hist_percentile(&h, 50), 0); /* max not known: 0 */
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_bucket_edges_round_trip);
    tcase_add_test(tc, test_percentiles_are_nearest_rank_and_max_exact);
    tcase_add_test(tc, test_merged_percentiles_equal_one_run);
    tcase_add_test(tc, test_add_bucket_rejects_non_edges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
