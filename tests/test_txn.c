/* Transaction matching, retransmissions and ageing (RFC 3261 17). */
#include "sipsleuth/txn.h"

#include "sls_check.h"

#include <string.h>

#define S(lit) ((sls_str){lit, sizeof(lit) - 1})
#define SEC(x) ((int64_t)(x) * SLS_NS_PER_S)
#define MS(x) ((int64_t)(x) * 1000000)

/* Retired transactions, copied out of the callback. */
typedef struct done_log {
    size_t n;
    sls_txn t[16];
    char call_id[16][64];
    char to_tag[16][64];
} done_log;

static done_log log_;
static sls_counters ctr;

static void on_done(void *user, const sls_txn *t)
{
    done_log *l = user;
    ck_assert_uint_lt(l->n, 16);
    l->t[l->n] = *t;
    snprintf(l->call_id[l->n], 64, "%s", t->call_id);
    snprintf(l->to_tag[l->n], 64, "%s", t->to_tag);
    l->n++;
}

static sls_txn_table *table(void)
{
    memset(&log_, 0, sizeof(log_));
    memset(&ctr, 0, sizeof(ctr));
    sls_txn_table *t = sls_txn_table_new(NULL, &ctr, on_done, &log_);
    ck_assert_ptr_nonnull(t);
    return t;
}

static sls_sipmsg request(enum sls_method m, const char *name, const char *branch,
                          const char *call_id, uint32_t cseq)
{
    sls_sipmsg x;
    memset(&x, 0, sizeof(x));
    x.is_request = 1;
    x.method = m;
    x.method_name = (sls_str){name, strlen(name)};
    x.cseq_method = m;
    x.request_uri = S("sip:bob@example.com");
    x.call_id = (sls_str){call_id, strlen(call_id)};
    x.cseq = cseq;
    x.branch = (sls_str){branch, strlen(branch)};
    x.via_sent_by = S("10.0.0.1:5060");
    x.via_transport = S("UDP");
    x.from_tag = S("ftag");
    x.to_tag = S("");
    x.reason = S("");
    x.user_agent = S("");
    x.server = S("");
    return x;
}

static sls_sipmsg response(const sls_sipmsg *req, unsigned status, const char *to_tag)
{
    sls_sipmsg x = *req;
    x.is_request = 0;
    x.status = status;
    x.reason = S("Reason");
    x.to_tag = (sls_str){to_tag, strlen(to_tag)};
    if (req->method == SLS_METHOD_ACK) {
        x.method = SLS_METHOD_INVITE;
        x.cseq_method = SLS_METHOD_INVITE;
    }
    return x;
}

static sls_packet at(int64_t ts, int from_client)
{
    sls_packet p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = SEC(1700000000) + ts;
    p.transport = SLS_TRANSPORT_UDP;
    p.src.family = p.dst.family = 4;
    p.src.bytes[0] = from_client ? 10 : 10;
    p.src.bytes[3] = from_client ? 1 : 2;
    p.dst.bytes[0] = 10;
    p.dst.bytes[3] = from_client ? 2 : 1;
    p.sport = from_client ? 5060 : 5070;
    p.dport = from_client ? 5070 : 5060;
    return p;
}

static int feed(sls_txn_table *t, const sls_sipmsg *m, int64_t ts, int from_client)
{
    sls_packet p = at(ts, from_client);
    return sls_txn_table_message(t, m, &p, NULL);
}

START_TEST(test_answered_invite_is_one_transaction_with_timings)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "call-1", 1);
    ck_assert_int_eq(feed(t, &inv, 0, 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg r100 = response(&inv, 100, "");
    ck_assert_int_eq(feed(t, &r100, MS(10), 0), SLS_TXN_EV_PROVISIONAL);
    sls_sipmsg r180 = response(&inv, 180, "tt");
    ck_assert_int_eq(feed(t, &r180, MS(20), 0), SLS_TXN_EV_PROVISIONAL);
    sls_sipmsg r200 = response(&inv, 200, "tt");
    ck_assert_int_eq(feed(t, &r200, MS(1500), 0), SLS_TXN_EV_FINAL);
    /* RFC 3261 13.2.2.4: the ACK of a 2xx has its own branch. */
    sls_sipmsg ack = request(SLS_METHOD_ACK, "ACK", "z9hG4bK-2", "call-1", 1);
    ck_assert_int_eq(feed(t, &ack, MS(1510), 1), SLS_TXN_EV_ACK_2XX);
    ck_assert_uint_eq(log_.n, 0);
    sls_txn_table_flush(t, SEC(1700000000) + SEC(2));
    ck_assert_uint_eq(log_.n, 1); /* the ACK is not a transaction */
    sls_txn *x = &log_.t[0];
    ck_assert_int_eq(x->method, SLS_METHOD_INVITE);
    ck_assert_str_eq(log_.call_id[0], "call-1");
    ck_assert_str_eq(log_.to_tag[0], "tt");
    ck_assert_uint_eq(x->final_code, 200);
    ck_assert_str_eq(x->final_reason, "Reason");
    ck_assert_uint_eq(x->nprov, 2);
    ck_assert_uint_eq(x->prov[0].code, 100);
    ck_assert_uint_eq(x->prov[1].code, 180);
    ck_assert_int_eq(x->first_prov_ts_ns - x->request_ts_ns, MS(10));
    ck_assert_int_eq(x->final_ts_ns - x->request_ts_ns, MS(1500));
    ck_assert_int_eq(x->request_seen, 1);
    ck_assert_int_eq(x->timed_out, 0);
    ck_assert_uint_eq(x->client.bytes[3], 1);
    ck_assert_uint_eq(x->server.bytes[3], 2);
    ck_assert_uint_eq(x->server_port, 5070);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_retransmitted_request_and_response_are_counted_not_new)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "c", 1);
    ck_assert_int_eq(feed(t, &inv, 0, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &inv, MS(500), 1), SLS_TXN_EV_REQUEST_RETRANS);
    ck_assert_int_eq(feed(t, &inv, MS(1500), 1), SLS_TXN_EV_REQUEST_RETRANS);
    sls_sipmsg busy = response(&inv, 486, "x");
    ck_assert_int_eq(feed(t, &busy, MS(1600), 0), SLS_TXN_EV_FINAL);
    ck_assert_int_eq(feed(t, &busy, MS(2100), 0), SLS_TXN_EV_RESPONSE_RETRANS);
    /* RFC 3261 17.1.1.3: the ACK of a non-2xx is part of the transaction. */
    sls_sipmsg ack = request(SLS_METHOD_ACK, "ACK", "z9hG4bK-1", "c", 1);
    ck_assert_int_eq(feed(t, &ack, MS(1610), 1), SLS_TXN_EV_ACK);
    ck_assert_int_eq(feed(t, &ack, MS(2110), 1), SLS_TXN_EV_ACK_RETRANS);
    sls_txn_table_flush(t, SEC(1700000003));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_uint_eq(log_.t[0].request_retrans, 2);
    ck_assert_uint_eq(log_.t[0].response_retrans, 1);
    ck_assert_uint_eq(log_.t[0].ack_retrans, 1);
    ck_assert_int_eq(log_.t[0].ack_seen, 1);
    ck_assert_uint_eq(log_.t[0].final_code, 486);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_cancel_is_its_own_transaction)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "c", 1);
    sls_sipmsg can = request(SLS_METHOD_CANCEL, "CANCEL", "z9hG4bK-1", "c", 1);
    ck_assert_int_eq(feed(t, &inv, 0, 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg r180 = response(&inv, 180, "tt");
    ck_assert_int_eq(feed(t, &r180, MS(5), 0), SLS_TXN_EV_PROVISIONAL);
    ck_assert_int_eq(feed(t, &can, MS(900), 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg c200 = response(&can, 200, "tt");
    ck_assert_int_eq(feed(t, &c200, MS(905), 0), SLS_TXN_EV_FINAL);
    sls_sipmsg r487 = response(&inv, 487, "tt");
    ck_assert_int_eq(feed(t, &r487, MS(906), 0), SLS_TXN_EV_FINAL);
    sls_txn_table_flush(t, SEC(1700000001));
    ck_assert_uint_eq(log_.n, 2);
    ck_assert_uint_eq(log_.t[0].final_code + log_.t[1].final_code, 687);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_rfc2543_branch_falls_back_to_call_id_and_cseq)
{
    sls_txn_table *t = table();
    /* Same non-cookie branch, different Call-IDs: two transactions. */
    sls_sipmsg a = request(SLS_METHOD_REGISTER, "REGISTER", "1", "call-a", 7);
    sls_sipmsg b = request(SLS_METHOD_REGISTER, "REGISTER", "1", "call-b", 7);
    ck_assert_int_eq(feed(t, &a, 0, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &b, MS(1), 1), SLS_TXN_EV_REQUEST);
    /* No branch at all: Call-ID + CSeq still match the response. */
    sls_sipmsg c = request(SLS_METHOD_OPTIONS, "OPTIONS", "", "call-c", 1);
    ck_assert_int_eq(feed(t, &c, MS(2), 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg rc = response(&c, 200, "t");
    ck_assert_int_eq(feed(t, &rc, MS(3), 0), SLS_TXN_EV_FINAL);
    /* A different CSeq is a new transaction. */
    sls_sipmsg c2 = request(SLS_METHOD_OPTIONS, "OPTIONS", "", "call-c", 2);
    ck_assert_int_eq(feed(t, &c2, MS(4), 1), SLS_TXN_EV_REQUEST);
    ck_assert_uint_eq(sls_txn_table_open(t), 4);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_same_cookie_branch_other_method_is_other_transaction)
{
    sls_txn_table *t = table();
    sls_sipmsg a = request(SLS_METHOD_BYE, "BYE", "z9hG4bK-9", "c", 2);
    sls_sipmsg b = request(SLS_METHOD_INFO, "INFO", "z9hG4bK-9", "c", 3);
    ck_assert_int_eq(feed(t, &a, 0, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &b, 0, 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg rb = response(&b, 200, "t");
    ck_assert_int_eq(feed(t, &rb, MS(1), 0), SLS_TXN_EV_FINAL);
    sls_txn_table_flush(t, SEC(1700000001));
    ck_assert_uint_eq(log_.n, 2);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_unanswered_request_times_out_after_timer_b)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "c", 1);
    int64_t retrans[] = {0, 500, 1500, 3500, 7500, 15500, 31500};
    ck_assert_int_eq(feed(t, &inv, 0, 1), SLS_TXN_EV_REQUEST);
    for (size_t i = 1; i < sizeof(retrans) / sizeof(retrans[0]); i++)
        ck_assert_int_eq(feed(t, &inv, MS(retrans[i]), 1), SLS_TXN_EV_REQUEST_RETRANS);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(40));
    ck_assert_uint_eq(log_.n, 0); /* kept: a late response may still come */
    sls_txn_table_advance(t, SEC(1700000000) + SEC(64));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_int_eq(log_.t[0].timed_out, 1);
    ck_assert_int_eq(log_.t[0].has_final, 0);
    ck_assert_uint_eq(log_.t[0].request_retrans, 6);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_pending_at_end_of_capture_is_not_timed_out)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bK-1", "c", 1);
    feed(t, &inv, 0, 1);
    sls_txn_table_flush(t, SEC(1700000000) + SEC(31));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_int_eq(log_.t[0].timed_out, 0);
    ck_assert_int_eq(log_.t[0].has_final, 0);
    sls_txn_table_free(t);

    t = table();
    feed(t, &inv, 0, 1);
    sls_txn_table_flush(t, SEC(1700000000) + SEC(32));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_int_eq(log_.t[0].timed_out, 1);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_ringing_invite_survives_timer_b)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "c", 1);
    feed(t, &inv, 0, 1);
    sls_sipmsg r180 = response(&inv, 180, "tt");
    feed(t, &r180, MS(100), 0);
    /* RFC 3261 17.1.1.2: in Proceeding, Timer B no longer applies. */
    sls_txn_table_advance(t, SEC(1700000000) + SEC(100));
    ck_assert_uint_eq(log_.n, 0);
    sls_sipmsg r200 = response(&inv, 200, "tt");
    ck_assert_int_eq(feed(t, &r200, SEC(101), 0), SLS_TXN_EV_FINAL);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(134));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_int_eq(log_.t[0].timed_out, 0);
    ck_assert_uint_eq(log_.t[0].final_code, 200);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_ringing_invite_times_out_after_timer_c)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "c", 1);
    feed(t, &inv, 0, 1);
    sls_sipmsg r180 = response(&inv, 180, "tt");
    feed(t, &r180, SEC(1), 0);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(180));
    ck_assert_uint_eq(log_.n, 0);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(181));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_int_eq(log_.t[0].timed_out, 1);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_response_without_request_makes_orphan_transaction)
{
    sls_txn_table *t = table();
    sls_sipmsg bye = request(SLS_METHOD_BYE, "BYE", "z9hG4bK-7", "c", 2);
    sls_sipmsg ok = response(&bye, 200, "t");
    ck_assert_int_eq(feed(t, &ok, 0, 0), SLS_TXN_EV_FINAL);
    sls_txn_table_flush(t, SEC(1700000001));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_int_eq(log_.t[0].request_seen, 0);
    ck_assert_int_eq(log_.t[0].method, SLS_METHOD_BYE);
    /* The server is the sender of the response. */
    ck_assert_uint_eq(log_.t[0].server.bytes[3], 2);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_forked_finals_counted_as_extra)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "c", 1);
    feed(t, &inv, 0, 1);
    sls_sipmsg a = response(&inv, 200, "a");
    sls_sipmsg b = response(&inv, 200, "b");
    ck_assert_int_eq(feed(t, &a, MS(1), 0), SLS_TXN_EV_FINAL);
    ck_assert_int_eq(feed(t, &b, MS(2), 0), SLS_TXN_EV_EXTRA_FINAL);
    ck_assert_int_eq(feed(t, &a, MS(3), 0), SLS_TXN_EV_RESPONSE_RETRANS);
    ck_assert_uint_eq(ctr.v[SLS_CTR_TXN_EXTRA_FINAL], 1);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_open_transactions_are_bounded_and_evictions_counted)
{
    memset(&log_, 0, sizeof(log_));
    memset(&ctr, 0, sizeof(ctr));
    sls_txn_config cfg;
    sls_txn_config_default(&cfg);
    cfg.max_open = 3;
    sls_txn_table *t = sls_txn_table_new(&cfg, &ctr, on_done, &log_);
    char ids[5][16];
    for (int i = 0; i < 5; i++) {
        snprintf(ids[i], sizeof(ids[i]), "c%d", i);
        sls_sipmsg m = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bK-x", ids[i], 1);
        m.branch = (sls_str){ids[i], strlen(ids[i])};
        feed(t, &m, MS(i), 1);
        ck_assert_uint_le(sls_txn_table_open(t), 3);
    }
    ck_assert_uint_eq(ctr.v[SLS_CTR_TXN_EVICTED], 2);
    ck_assert_uint_eq(log_.n, 2);
    ck_assert_int_eq(log_.t[0].evicted, 1);
    ck_assert_str_eq(log_.call_id[0], "c0"); /* oldest first */
    ck_assert_uint_eq(sls_txn_table_peak(t), 3);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_many_transactions_grow_table_and_all_retire)
{
    sls_txn_table *t = sls_txn_table_new(NULL, &ctr, NULL, NULL);
    char id[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof(id), "z9hG4bK-%d", i);
        sls_sipmsg m = request(SLS_METHOD_INVITE, "INVITE", id, id, 1);
        feed(t, &m, MS(i), 1);
    }
    ck_assert_uint_eq(sls_txn_table_open(t), 20000);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(1000));
    ck_assert_uint_eq(sls_txn_table_open(t), 0);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_unknown_method_keeps_its_name)
{
    sls_txn_table *t = table();
    sls_sipmsg m = request(SLS_METHOD_OTHER, "FOOBAR", "z9hG4bK-1", "c", 1);
    feed(t, &m, 0, 1);
    sls_sipmsg r = response(&m, 501, "t");
    ck_assert_int_eq(feed(t, &r, MS(1), 0), SLS_TXN_EV_FINAL);
    sls_txn_table_flush(t, SEC(1700000001));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_int_eq(log_.t[0].method, SLS_METHOD_OTHER);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_settled_transaction_is_reported_then_remembered_by_key)
{
    sls_txn_table *t = table();
    sls_sipmsg reg = request(SLS_METHOD_REGISTER, "REGISTER", "z9hG4bK-r", "c", 1);
    ck_assert_int_eq(feed(t, &reg, 0, 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg ok = response(&reg, 200, "t");
    ck_assert_int_eq(feed(t, &ok, MS(20), 0), SLS_TXN_EV_FINAL);
    ck_assert_int_eq(feed(t, &ok, MS(520), 0), SLS_TXN_EV_RESPONSE_RETRANS);
    /* Reported once the settle time (4 s) passed... */
    sls_txn_table_advance(t, SEC(1700000000) + MS(4021));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_uint_eq(log_.t[0].response_retrans, 1);
    /* ...but its key still recognises repeats until the linger (32 s). */
    ck_assert_int_eq(feed(t, &reg, SEC(10), 1), SLS_TXN_EV_REQUEST_RETRANS);
    ck_assert_int_eq(feed(t, &ok, SEC(10), 0), SLS_TXN_EV_RESPONSE_RETRANS);
    sls_sipmsg other = response(&reg, 500, "t");
    ck_assert_int_eq(feed(t, &other, SEC(11), 0), SLS_TXN_EV_EXTRA_FINAL);
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_uint_eq(sls_txn_table_open(t), 1);
    /* After the linger the same request is a new transaction. */
    ck_assert_int_eq(feed(t, &reg, SEC(33), 1), SLS_TXN_EV_REQUEST);
    sls_txn_table_flush(t, SEC(1700000040));
    ck_assert_uint_eq(log_.n, 2);
    sls_txn_table_free(t);
}
END_TEST

START_TEST(test_ack_of_settled_failure_still_joins_it)
{
    sls_txn_table *t = table();
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-1", "c", 1);
    feed(t, &inv, 0, 1);
    sls_sipmsg busy = response(&inv, 486, "x");
    feed(t, &busy, MS(10), 0);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(5));
    ck_assert_uint_eq(log_.n, 1);
    sls_sipmsg ack = request(SLS_METHOD_ACK, "ACK", "z9hG4bK-1", "c", 1);
    ck_assert_int_eq(feed(t, &ack, SEC(6), 1), SLS_TXN_EV_ACK);
    ck_assert_int_eq(feed(t, &ack, SEC(7), 1), SLS_TXN_EV_ACK_RETRANS);
    ck_assert_uint_eq(sls_txn_table_open(t), 1);
    sls_txn_table_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("txn");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_answered_invite_is_one_transaction_with_timings);
    tcase_add_test(tc, test_retransmitted_request_and_response_are_counted_not_new);
    tcase_add_test(tc, test_cancel_is_its_own_transaction);
    tcase_add_test(tc, test_rfc2543_branch_falls_back_to_call_id_and_cseq);
    tcase_add_test(tc, test_same_cookie_branch_other_method_is_other_transaction);
    tcase_add_test(tc, test_unanswered_request_times_out_after_timer_b);
    tcase_add_test(tc, test_pending_at_end_of_capture_is_not_timed_out);
    tcase_add_test(tc, test_ringing_invite_survives_timer_b);
    tcase_add_test(tc, test_ringing_invite_times_out_after_timer_c);
    tcase_add_test(tc, test_response_without_request_makes_orphan_transaction);
    tcase_add_test(tc, test_forked_finals_counted_as_extra);
    tcase_add_test(tc, test_open_transactions_are_bounded_and_evictions_counted);
    tcase_add_test(tc, test_many_transactions_grow_table_and_all_retire);
    tcase_add_test(tc, test_unknown_method_keeps_its_name);
    tcase_add_test(tc, test_settled_transaction_is_reported_then_remembered_by_key);
    tcase_add_test(tc, test_ack_of_settled_failure_still_joins_it);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
