/* Summary aggregation: buckets, the error-rate rule, bounded method table. */
#include "sipsleuth/summary.h"

#include "sls_check.h"

#include <string.h>

static sls_txn txn(unsigned final_code, unsigned nprov, int timed_out)
{
    sls_txn t;
    memset(&t, 0, sizeof(t));
    t.method = SLS_METHOD_INVITE;
    t.method_name = "INVITE";
    t.call_id = t.branch = t.from_tag = t.to_tag = t.request_uri = "";
    t.request_seen = 1;
    t.has_final = final_code != 0;
    t.final_code = final_code;
    t.nprov = nprov;
    t.timed_out = (uint8_t)timed_out;
    return t;
}

static const struct bucket_case {
    unsigned final_code, nprov;
    int timed_out;
    enum sls_bucket bucket;
    int error, rated;
} bucket_cases[] = {
    {200, 2, 0, SLS_BUCKET_2XX, 0, 1},
    {302, 0, 0, SLS_BUCKET_3XX, 0, 1},
    {401, 0, 0, SLS_BUCKET_4XX, 0, 1}, /* a challenge is not an error */
    {407, 1, 0, SLS_BUCKET_4XX, 0, 1},
    {486, 1, 0, SLS_BUCKET_4XX, 1, 1},
    {487, 1, 0, SLS_BUCKET_4XX, 0, 1}, /* cancelled: not an error */
    {503, 0, 0, SLS_BUCKET_5XX, 1, 1},
    {603, 1, 0, SLS_BUCKET_6XX, 1, 1},
    {0, 2, 0, SLS_BUCKET_1XX_ONLY, 0, 0}, /* pending: not rated */
    {0, 2, 1, SLS_BUCKET_1XX_ONLY, 1, 1},
    {0, 0, 1, SLS_BUCKET_NO_FINAL, 1, 1},
    {0, 0, 0, SLS_BUCKET_NO_FINAL, 0, 0},
};

START_TEST(test_bucket_error_and_rating_rules)
{
    const struct bucket_case *c = &bucket_cases[_i];
    sls_txn t = txn(c->final_code, c->nprov, c->timed_out);
    ck_assert_int_eq(sls_txn_bucket(&t), c->bucket);
    ck_assert_int_eq(sls_txn_is_error(&t), c->error);
    ck_assert_int_eq(sls_txn_is_rated(&t), c->rated);
}
END_TEST

START_TEST(test_done_transactions_add_up_per_method_and_overall)
{
    sls_summary *s = sls_summary_new(0);
    ck_assert_ptr_nonnull(s);
    sls_txn a = txn(200, 1, 0), b = txn(486, 1, 0), c = txn(401, 0, 0), d = txn(0, 0, 1);
    sls_summary_txn_done(s, &a);
    sls_summary_txn_done(s, &b);
    sls_summary_txn_done(s, &c);
    sls_summary_txn_done(s, &d);
    sls_method_stats *m = sls_summary_method(s, "INVITE", 6);
    ck_assert_uint_eq(m->txn_total, 4);
    ck_assert_uint_eq(m->txn_bucket[SLS_BUCKET_2XX], 1);
    ck_assert_uint_eq(m->txn_bucket[SLS_BUCKET_4XX], 2);
    ck_assert_uint_eq(m->txn_bucket[SLS_BUCKET_NO_FINAL], 1);
    ck_assert_uint_eq(m->txn_errors, 2);
    ck_assert_uint_eq(m->txn_rated, 4);
    ck_assert_uint_eq(m->txn_challenged, 1);
    ck_assert_uint_eq(s->txn_errors, 2);
    ck_assert_uint_eq(s->final_codes[486], 1);
    ck_assert_uint_eq(s->final_codes[401], 1);
    ck_assert_uint_eq(s->txn_timed_out, 1);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_messages_counted_as_on_the_wire)
{
    sls_summary *s = sls_summary_new(0);
    ck_assert_ptr_nonnull(s);
    sls_summary_request(s, "INVITE", 6);
    sls_summary_request(s, "INVITE", 6);
    sls_summary_request(s, "ACK", 3);
    sls_summary_response(s, 180);
    sls_summary_response(s, 200);
    sls_summary_response(s, 200);
    ck_assert_uint_eq(s->sip_messages, 6);
    ck_assert_uint_eq(s->requests, 3);
    ck_assert_uint_eq(s->responses, 3);
    ck_assert_uint_eq(sls_summary_method(s, "INVITE", 6)->requests, 2);
    ck_assert_uint_eq(s->response_codes[200], 2);
    ck_assert_uint_eq(s->nmethods, 2);
    sls_summary_free(s);
}
END_TEST

START_TEST(test_method_table_is_bounded)
{
    sls_summary *s = sls_summary_new(0);
    ck_assert_ptr_nonnull(s);
    char name[16];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(name, sizeof(name), "M%d", i);
        sls_summary_request(s, name, (size_t)n);
    }
    ck_assert_uint_eq(s->nmethods, SLS_SUMMARY_MAX_METHODS + 1);
    sls_method_stats *other = sls_summary_method(s, SLS_SUMMARY_OTHER_METHODS,
                                                 strlen(SLS_SUMMARY_OTHER_METHODS));
    ck_assert_uint_eq(other->requests, 1000 - SLS_SUMMARY_MAX_METHODS);
    /* A token longer than a name slot also lands in (other). */
    sls_summary_request(s, "AVERYLONGMETHODNAMETHATDOESNOTFITINTHESLOT", 42);
    ck_assert_uint_eq(other->requests, 1000 - SLS_SUMMARY_MAX_METHODS + 1);
    sls_summary_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_bucket_error_and_rating_rules, 0,
                        (int)(sizeof(bucket_cases) / sizeof(bucket_cases[0])));
    tcase_add_test(tc, test_done_transactions_add_up_per_method_and_overall);
    tcase_add_test(tc, test_messages_counted_as_on_the_wire);
    tcase_add_test(tc, test_method_table_is_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
