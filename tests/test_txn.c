/* Transaction matching, retransmissions and ageing (RFC 3261 17). */
#include "sipsleuth/txn.h"

#include "agelist.h"
#include "sls_check.h"
#include "util.h"

#include <stdlib.h>
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
    size_t call_id_len[16], branch_len[16], to_tag_len[16];
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
    l->call_id_len[l->n] = strlen(t->call_id);
    l->branch_len[l->n] = strlen(t->branch);
    l->to_tag_len[l->n] = strlen(t->to_tag);
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


/* ------------------------------------------------ storage mechanisms */

/* sls__hash_bytes as it was first written, with a variable-length
 * memcpy for the tail: the To-tag hashes decide which responses are
 * repeats, so the inline version must give these values exactly. */
static uint64_t reference_hash(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h ^= w;
    h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;
    h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* The inline tail read gives the reference hash's values at every length
 * and alignment; the inline comparison agrees with memcmp; the inline copy
 * with memcpy. */
START_TEST(test_hash_mem_and_mem_eq_match_the_libc_based_versions)
{
    unsigned char buf[80], other[80];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 64; n++) {
            ck_assert_uint_eq(sls__hash_bytes(buf + off, n, 5), reference_hash(buf + off, n, 5));
            char cp[80];
            memset(cp, '#', sizeof(cp));
            sls__copy(cp + 1, (const char *)buf + off, n);
            ck_assert(memcmp(cp + 1, buf + off, n) == 0);
            ck_assert_int_eq(cp[0], '#');
            ck_assert_int_eq(cp[n + 1], '#');
            if (n < 8) {
                uint64_t w = 0;
                memcpy(&w, buf + off + 8, n);
                ck_assert_uint_eq(sls__load_tail(buf + off + 8, n, 0), w);
                ck_assert_uint_eq(sls__load_tail(buf + off + 8, n, 8), w);
            }
            memcpy(other, buf + off, n);
            ck_assert(sls__mem_eq(buf + off, other, n));
            for (size_t j = 0; j < n; j++) {
                other[j] ^= 0x40;
                ck_assert(!sls__mem_eq(buf + off, other, n));
                other[j] ^= 0x40;
            }
        }
}
END_TEST

static uint32_t probe(const sls__index *x, uint32_t hash, uint32_t want)
{
    size_t pos = hash & x->mask;
    uint32_t ref;
    while ((ref = sls__index_next(x, hash, &pos)) != 0)
        if (ref == want)
            return ref;
    return 0;
}

/* Removal shifts later cells back: whatever the order of removals, with
 * every key in one cluster that wraps past the end of the cells, what
 * remains is found and what was removed is not. */
START_TEST(test_index_removal_keeps_colliding_keys_findable)
{
    sls__index x;
    ck_assert_int_eq(sls__index_init(&x, 64), 0);
    enum { N = 30 };
    uint32_t hash[N + 1];
    for (uint32_t r = 1; r <= N; r++) {
        /* Homes 60..63: the cluster wraps to the start of the cells;
         * equal hashes among them. */
        hash[r] = 60 + r % 4;
        ck_assert_int_eq(sls__index_insert(&x, hash[r], r), 0);
    }
    ck_assert_uint_eq(x.mask, 63); /* 30 of 64: no growth yet */
    int gone[N + 1] = {0};
    for (uint32_t step = 0; step < N; step++) {
        uint32_t r = 1 + (step * 7) % N; /* a scattered order */
        sls__index_remove(&x, hash[r], r);
        gone[r] = 1;
        for (uint32_t q = 1; q <= N; q++)
            ck_assert_uint_eq(probe(&x, hash[q], q), gone[q] ? 0 : q);
    }
    ck_assert_uint_eq(x.count, 0);
    for (size_t i = 0; i <= x.mask; i++)
        ck_assert_uint_eq(x.cells[i].ref, 0);
    /* Growth past half full rehashes every key. */
    for (uint32_t r = 1; r <= 40; r++)
        ck_assert_int_eq(sls__index_insert(&x, r * 2654435761u, r), 0);
    ck_assert_uint_eq(x.mask, 127);
    for (uint32_t r = 1; r <= 40; r++)
        ck_assert_uint_eq(probe(&x, r * 2654435761u, r), r);
    sls__index_cleanup(&x);
}
END_TEST

/* Freed slots are handed out again, last freed first, and a slot is never
 * handed out twice while in use. */
START_TEST(test_pool_reuses_freed_slots_and_never_twice)
{
    sls__pool p;
    sls__pool_init(&p, 40);
    enum { N = 300 };
    uint32_t ref[N];
    for (int i = 0; i < N; i++) {
        ref[i] = sls__pool_alloc(&p);
        ck_assert_uint_ne(ref[i], 0);
        memset(sls__pool_ptr(&p, ref[i]), i & 0xff, 40);
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 40; k++)
            ck_assert_uint_eq(((unsigned char *)sls__pool_ptr(&p, ref[i]))[k], i & 0xff);
    sls__pool_free(&p, ref[10]);
    sls__pool_free(&p, ref[200]);
    ck_assert_uint_eq(sls__pool_alloc(&p), ref[200]);
    ck_assert_uint_eq(sls__pool_alloc(&p), ref[10]);
    uint32_t fresh = sls__pool_alloc(&p);
    for (int i = 0; i < N; i++)
        ck_assert_uint_ne(fresh, ref[i]);
    ck_assert_uint_eq(p.in_use, N + 1);
    sls__pool_reset(&p);
    ck_assert_uint_eq(sls__pool_alloc(&p), 1);
    sls__pool_cleanup(&p);
}
END_TEST

/* Large arrays come zeroed, writable to their last byte, and (from
 * SLS__BIG_MIN up) aligned on a huge page; small ones are plain calloc. */
START_TEST(test_big_alloc_is_zeroed_whole_and_aligned)
{
    const size_t sizes[] = {1, 100, SLS__BIG_MIN - 1, SLS__BIG_MIN,
                            SLS__HUGE_PAGE, 3 * SLS__HUGE_PAGE + 5};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        unsigned char *p = sls__big_alloc(n);
        ck_assert_ptr_nonnull(p);
        if (n >= SLS__BIG_MIN)
            ck_assert_uint_eq((uintptr_t)p % SLS__HUGE_PAGE, 0);
        for (size_t k = 0; k < n; k += 4093)
            ck_assert_uint_eq(p[k], 0);
        ck_assert_uint_eq(p[n - 1], 0);
        memset(p, 0xa5, n);
        sls__big_free(p, n);
    }
    sls__big_free(NULL, SLS__HUGE_PAGE);
}
END_TEST

/* Chunks are cut one after the other from huge-page blocks: over several
 * blocks, for a slot size that fills many chunks per block and one that
 * needs a block per chunk, every slot is its own (a pattern written to all
 * reads back), slots of 64-byte multiples start cache lines, and slots
 * next to each other in a chunk are one slot apart. */
START_TEST(test_pool_blocks_hold_disjoint_aligned_slots)
{
    const size_t slot[] = {896, 160, 40000};
    for (size_t s = 0; s < 3; s++) {
        sls__pool p;
        sls__pool_init(&p, slot[s]);
        size_t per_block = sls__pool_block_size(&p) / p.slot_size;
        uint32_t n = (uint32_t)(per_block * 3 + 70);
        if (slot[s] == 40000)
            n = 3 * 64 + 5; /* three blocks and a bit */
        for (uint32_t r = 1; r <= n; r++) {
            ck_assert_uint_eq(sls__pool_alloc(&p), r);
            unsigned char *q = sls__pool_ptr(&p, r);
            if (p.slot_size % 64 == 0)
                ck_assert_uint_eq((uintptr_t)q % 64, 0);
            if (r > 1 && (r - 1) % 64 != 0)
                ck_assert_ptr_eq(q, (unsigned char *)sls__pool_ptr(&p, r - 1) + p.slot_size);
            memset(q, (int)(r * 7u), p.slot_size);
        }
        ck_assert_uint_ge(p.nchunks, 3 * p.chunks_per_block);
        for (uint32_t r = 1; r <= n; r++) {
            unsigned char *q = sls__pool_ptr(&p, r);
            ck_assert_uint_eq(q[0], (unsigned char)(r * 7u));
            ck_assert_uint_eq(q[p.slot_size - 1], (unsigned char)(r * 7u));
        }
        sls__pool_cleanup(&p);
    }
}
END_TEST

/* Keys are compared piece by piece where they lie in the message: the
 * bytes moved from one piece to the next make another key (as the flat
 * form with its NULs did), and a CANCEL or another sent-by with the same
 * branch, which hash alike, are other transactions. */
START_TEST(test_key_pieces_are_told_apart_at_their_boundaries)
{
    sls_txn_table *t = table();
    sls_sipmsg a = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bKab", "c1", 1);
    a.via_sent_by = S("c");
    sls_sipmsg b = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bKa", "c2", 1);
    b.via_sent_by = S("bc");
    sls_sipmsg c = a;
    c.via_sent_by = S("d");
    ck_assert_int_eq(feed(t, &a, 0, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &b, 0, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &c, 0, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &a, 1, 1), SLS_TXN_EV_REQUEST_RETRANS);
    ck_assert_int_eq(feed(t, &b, 1, 1), SLS_TXN_EV_REQUEST_RETRANS);
    /* RFC 2543 keys: Call-ID "ab" CSeq 1 against Call-ID "a" CSeq 11... */
    sls_sipmsg d = request(SLS_METHOD_OPTIONS, "OPTIONS", "x", "ab", 1);
    sls_sipmsg e = request(SLS_METHOD_OPTIONS, "OPTIONS", "x", "a", 11);
    sls_sipmsg f = request(SLS_METHOD_OPTIONS, "OPTIONS", "x", "a", 1);
    ck_assert_int_eq(feed(t, &d, 2, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &e, 2, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &f, 2, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &e, 3, 1), SLS_TXN_EV_REQUEST_RETRANS);
    /* ...and an unknown method is part of the key by its token. */
    sls_sipmsg g = request(SLS_METHOD_OTHER, "FOO", "z9hG4bKab", "c1", 1);
    g.via_sent_by = S("c");
    sls_sipmsg h = request(SLS_METHOD_OTHER, "FOP", "z9hG4bKab", "c1", 1);
    h.via_sent_by = S("c");
    ck_assert_int_eq(feed(t, &g, 4, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &h, 4, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &g, 5, 1), SLS_TXN_EV_REQUEST_RETRANS);
    /* Same branch (so same hash) and the same bytes but for where a NUL
     * falls: "c\0OPTIONS\0" against "c\0OPT\0ONS\0". */
    sls_sipmsg i = request(SLS_METHOD_OTHER, "ONS", "z9hG4bKab", "c1", 1);
    i.via_sent_by = (sls_str){"c\0OPT", 5};
    ck_assert_int_eq(feed(t, &i, 6, 1), SLS_TXN_EV_REQUEST);
    ck_assert_uint_eq(sls_txn_table_open(t), 9);
    sls_txn_table_flush(t, SEC(1700000001));
    ck_assert_uint_eq(log_.n, 9);
    ck_assert_str_eq(log_.call_id[1], "c2");
    ck_assert_str_eq(log_.t[7].method_name, "FOP"); /* reported while valid */
    sls_txn_table_free(t);
}
END_TEST

/* Strings too long for an entry's slot, a To tag too long for its buffer
 * and a key too long for a tombstone's slot go to malloc'd blocks; they
 * are reported whole, and the tombstone still recognises the request. */
START_TEST(test_long_strings_and_keys_outside_the_slot)
{
    sls_txn_table *t = table();
    static char branch[300], call_id[700], tag[200];
    memset(branch, 'b', sizeof(branch) - 1);
    memcpy(branch, "z9hG4bK", 7);
    memset(call_id, 'c', sizeof(call_id) - 1);
    memset(tag, 't', sizeof(tag) - 1);
    sls_sipmsg reg = request(SLS_METHOD_REGISTER, "REGISTER", branch, call_id, 1);
    ck_assert_int_eq(feed(t, &reg, 0, 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg ok = response(&reg, 200, "short");
    ck_assert_int_eq(feed(t, &ok, MS(1), 0), SLS_TXN_EV_FINAL);
    sls_sipmsg again = response(&reg, 200, tag); /* other tag: another final */
    ck_assert_int_eq(feed(t, &again, MS(2), 0), SLS_TXN_EV_EXTRA_FINAL);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(5));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_uint_eq(log_.call_id_len[0], sizeof(call_id) - 1);
    ck_assert_uint_eq(log_.branch_len[0], sizeof(branch) - 1);
    ck_assert_str_eq(log_.to_tag[0], "short");
    ck_assert_int_eq(feed(t, &reg, SEC(6), 1), SLS_TXN_EV_REQUEST_RETRANS);
    /* A provisional with a long To tag, then the final with it. */
    sls_sipmsg inv = request(SLS_METHOD_INVITE, "INVITE", branch, call_id, 2);
    ck_assert_int_eq(feed(t, &inv, SEC(7), 1), SLS_TXN_EV_REQUEST);
    sls_sipmsg r180 = response(&inv, 180, tag);
    ck_assert_int_eq(feed(t, &r180, SEC(7), 0), SLS_TXN_EV_PROVISIONAL);
    sls_txn_table_flush(t, SEC(1700000008));
    ck_assert_uint_eq(log_.n, 2);
    ck_assert_uint_eq(log_.call_id_len[1], sizeof(call_id) - 1);
    ck_assert_uint_eq(log_.to_tag_len[1], sizeof(tag) - 1);
    ck_assert_uint_eq(sls_txn_table_open(t), 0);
    sls_txn_table_free(t);
}
END_TEST

/* What is charged against max_bytes: 592 bytes per transaction plus its
 * key and strings (the first layout's malloc), so that the ceiling evicts
 * exactly as before whatever the slots cost. */
START_TEST(test_byte_ceiling_charges_as_the_first_layout)
{
    memset(&log_, 0, sizeof(log_));
    memset(&ctr, 0, sizeof(ctr));
    sls_txn_config cfg;
    sls_txn_config_default(&cfg);
    /* Branch "z9hG4bK-0n" (10), sent-by 13, OPTIONS 7: key 2 + 11 + 14 +
     * 8 = 35; with Call-ID "c-0n" (4), branch, "ftag", the Request-URI
     * (19): 35 + 5 + 11 + 5 + 20 = 76 bytes of strings: 668 each. */
    cfg.max_bytes = 3 * 668;
    sls_txn_table *t = sls_txn_table_new(&cfg, &ctr, on_done, &log_);
    char br[8][16], id[8][16];
    for (int i = 0; i < 5; i++) {
        snprintf(br[i], sizeof(br[i]), "z9hG4bK-0%d", i);
        snprintf(id[i], sizeof(id[i]), "c-0%d", i);
        sls_sipmsg m = request(SLS_METHOD_OPTIONS, "OPTIONS", br[i], id[i], 1);
        feed(t, &m, MS(i), 1);
    }
    ck_assert_uint_eq(ctr.v[SLS_CTR_TXN_EVICTED], 2);
    ck_assert_uint_eq(sls_txn_table_open(t), 3);
    /* One byte more and a fourth fits. */
    sls_txn_table_free(t);
    memset(&ctr, 0, sizeof(ctr));
    cfg.max_bytes = 4 * 668;
    t = sls_txn_table_new(&cfg, &ctr, NULL, NULL);
    for (int i = 0; i < 5; i++) {
        sls_sipmsg m = request(SLS_METHOD_OPTIONS, "OPTIONS", br[i], id[i], 1);
        feed(t, &m, MS(i), 1);
    }
    ck_assert_uint_eq(ctr.v[SLS_CTR_TXN_EVICTED], 1);
    /* A tombstone is charged 72 bytes and its key: after the settle, the
     * 4 entries (2672) become 4 tombstones of 107 and room for more. */
    sls_txn_table_free(t);
    sls_txn_table *u = sls_txn_table_new(&cfg, &ctr, NULL, NULL);
    memset(&ctr, 0, sizeof(ctr));
    for (int i = 0; i < 4; i++) {
        sls_sipmsg m = request(SLS_METHOD_OPTIONS, "OPTIONS", br[i], id[i], 1);
        feed(u, &m, MS(i), 1);
        sls_sipmsg r = response(&m, 200, "t");
        feed(u, &r, MS(i), 0);
    }
    sls_txn_table_advance(u, SEC(1700000000) + SEC(5));
    ck_assert_uint_eq(sls_txn_table_open(u), 4);
    for (int i = 0; i < 3; i++) {
        snprintf(br[i], sizeof(br[i]), "z9hG4bK-1%d", i);
        sls_sipmsg m = request(SLS_METHOD_OPTIONS, "OPTIONS", br[i], id[i], 1);
        feed(u, &m, SEC(5), 1);
    }
    /* 4 * 107 + 3 * 668 = 2432 <= 2672: nothing evicted. */
    ck_assert_uint_eq(ctr.v[SLS_CTR_TXN_EVICTED], 0);
    ck_assert_uint_eq(sls_txn_table_open(u), 7);
    sls_txn_table_free(u);
}
END_TEST

/* Entries are reused slot by slot as transactions settle and tombstones
 * expire: across several generations each transaction keeps its own
 * strings and its own verdicts. */
START_TEST(test_slots_reused_across_generations_keep_their_own_data)
{
    sls_txn_table *t = sls_txn_table_new(NULL, &ctr, NULL, NULL);
    char br[64], id[64];
    for (int gen = 0; gen < 4; gen++) {
        int64_t t0 = SEC(gen * 100);
        for (int i = 0; i < 500; i++) {
            snprintf(br, sizeof(br), "z9hG4bK-%d-%d", gen, i);
            snprintf(id, sizeof(id), "call-%d-%d", gen, i);
            sls_sipmsg m = request(SLS_METHOD_INVITE, "INVITE", br, id, 1);
            sls_packet p = at(t0 + MS(i), 1);
            const sls_txn *x;
            ck_assert_int_eq(sls_txn_table_message(t, &m, &p, &x), SLS_TXN_EV_REQUEST);
            ck_assert_str_eq(x->call_id, id);
            ck_assert_str_eq(x->branch, br);
            if (i % 2 == 0) {
                sls_sipmsg r = response(&m, 486, "tag");
                ck_assert_int_eq(feed(t, &r, t0 + MS(i), 0), SLS_TXN_EV_FINAL);
            }
        }
        /* Every transaction of this generation still answers as itself. */
        for (int i = 0; i < 500; i++) {
            snprintf(br, sizeof(br), "z9hG4bK-%d-%d", gen, i);
            snprintf(id, sizeof(id), "call-%d-%d", gen, i);
            sls_sipmsg m = request(SLS_METHOD_INVITE, "INVITE", br, id, 1);
            sls_packet p = at(t0 + SEC(1), 1);
            const sls_txn *x;
            ck_assert_int_eq(sls_txn_table_message(t, &m, &p, &x),
                             SLS_TXN_EV_REQUEST_RETRANS);
            ck_assert_str_eq(x->call_id, id);
            ck_assert_uint_eq(x->final_code, i % 2 == 0 ? 486 : 0);
        }
        /* Settled, then gone: the next generation reuses the slots. */
        sls_txn_table_advance(t, SEC(1700000000) + t0 + SEC(99));
        ck_assert_uint_eq(sls_txn_table_open(t), 0);
    }
    sls_txn_table_free(t);
}
END_TEST

/* A new transaction starts with every field zero (or empty) although only
 * the fields read before they are written are cleared, and its slot last
 * held a transaction with provisionals, a reason, retransmissions, an ACK
 * and a malloc'd To tag. The To tag's malloc'd copy is told from t.to_tag:
 * replaced and freed once (ASan's leak check and double-free check). */
START_TEST(test_recycled_slot_starts_from_zero)
{
    sls_txn_table *t = table();
    const char *long_tag = "a-to-tag-well-over-forty-eight-bytes-long-0123456789";
    const char *long_tag2 = "another-to-tag-well-over-forty-eight-bytes-long-987654";
    sls_sipmsg a = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-old", "old", 7);
    ck_assert_int_eq(feed(t, &a, 0, 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &a, MS(10), 1), SLS_TXN_EV_REQUEST_RETRANS);
    sls_sipmsg r100 = response(&a, 100, "");
    sls_sipmsg r180 = response(&a, 180, long_tag);
    sls_sipmsg r486 = response(&a, 486, long_tag2);
    r486.reason = S("Busy Here And A Long Reason Phrase");
    ck_assert_int_eq(feed(t, &r100, MS(20), 0), SLS_TXN_EV_PROVISIONAL);
    ck_assert_int_eq(feed(t, &r180, MS(30), 0), SLS_TXN_EV_PROVISIONAL);
    ck_assert_int_eq(feed(t, &r486, MS(40), 0), SLS_TXN_EV_FINAL);
    ck_assert_int_eq(feed(t, &r486, MS(50), 0), SLS_TXN_EV_RESPONSE_RETRANS);
    sls_sipmsg ack = request(SLS_METHOD_ACK, "ACK", "z9hG4bK-old", "old", 7);
    ack.cseq_method = SLS_METHOD_ACK;
    ck_assert_int_eq(feed(t, &ack, MS(60), 1), SLS_TXN_EV_ACK);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(10));
    ck_assert_uint_eq(log_.n, 1);
    ck_assert_str_eq(log_.to_tag[0], long_tag2);
    ck_assert_uint_eq(log_.t[0].nprov, 2);
    ck_assert_str_eq(log_.t[0].final_reason, "Busy Here And A Long Reason Phrase");

    /* Same slot, first seen through a response with no tag. */
    sls_sipmsg b = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bK-new", "new", 1);
    sls_sipmsg b100 = response(&b, 100, "");
    sls_packet p = at(SEC(11), 0);
    const sls_txn *x;
    ck_assert_int_eq(sls_txn_table_message(t, &b100, &p, &x), SLS_TXN_EV_PROVISIONAL);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->nprov, 1);
    ck_assert_uint_eq(x->prov[0].code, 100);
    ck_assert_uint_eq(x->prov[0].to_tag_hash, 0);
    ck_assert_uint_eq(x->request_seen, 0);
    ck_assert_uint_eq(x->has_final, 0);
    ck_assert_uint_eq(x->ack_seen, 0);
    ck_assert_uint_eq(x->timed_out, 0);
    ck_assert_uint_eq(x->evicted, 0);
    ck_assert_int_eq(x->request_ts_ns, 0);
    ck_assert_int_eq(x->final_ts_ns, 0);
    ck_assert_int_eq(x->ack_ts_ns, 0);
    ck_assert_uint_eq(x->request_frame, 0);
    ck_assert_uint_eq(x->final_code, 0);
    ck_assert_str_eq(x->final_reason, "");
    ck_assert_str_eq(x->to_tag, "");
    ck_assert_uint_eq(x->request_retrans, 0);
    ck_assert_uint_eq(x->response_retrans, 0);
    ck_assert_uint_eq(x->ack_retrans, 0);
    ck_assert_uint_eq(x->extra_finals, 0);
    /* Nothing final: reported when Timer F runs out, still all zero. */
    sls_txn_table_advance(t, SEC(1700000000) + SEC(11) + SEC(64));
    ck_assert_uint_eq(log_.n, 2);
    ck_assert_uint_eq(log_.t[1].timed_out, 1);
    ck_assert_uint_eq(log_.t[1].nprov, 1);
    ck_assert_uint_eq(log_.t[1].final_code, 0);
    ck_assert_str_eq(log_.t[1].final_reason, "");
    ck_assert_str_eq(log_.to_tag[1], "");

    /* A long tag replaced by an inline one, then the table freed with a
     * long tag still held. */
    sls_sipmsg c = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-c", "c", 1);
    sls_sipmsg c180 = response(&c, 180, long_tag);
    sls_sipmsg c200 = response(&c, 200, "short");
    ck_assert_int_eq(feed(t, &c, SEC(80), 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &c180, SEC(80), 0), SLS_TXN_EV_PROVISIONAL);
    ck_assert_int_eq(feed(t, &c200, SEC(80), 0), SLS_TXN_EV_FINAL);
    sls_sipmsg d = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-d", "d", 1);
    sls_sipmsg d180 = response(&d, 180, long_tag2);
    ck_assert_int_eq(feed(t, &d, SEC(80), 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &d180, SEC(80), 0), SLS_TXN_EV_PROVISIONAL);
    sls_txn_table_advance(t, SEC(1700000000) + SEC(90));
    ck_assert_uint_eq(log_.n, 3);
    ck_assert_str_eq(log_.to_tag[2], "short");
    sls_txn_table_free(t);
}
END_TEST

/* Strings are copied into the slot by words, by length class (under 4, 4
 * to 7, 8 to 16, 17 to 32, longer): every length comes back whole, and
 * keys of every length still match their retransmissions. */
START_TEST(test_strings_of_every_length_are_copied_whole)
{
    sls_txn_table *t = sls_txn_table_new(NULL, &ctr, NULL, NULL);
    char br[80], id[80], ft[80], tt[80], rs[80];
    for (int n = 0; n < 45; n++) {
        memcpy(br, "z9hG4bK", 7);
        for (int i = 0; i < n + 1; i++) {
            br[7 + i] = (char)('a' + (i * 7 + n) % 26);
            id[i] = (char)('A' + (i * 5 + n) % 26);
            ft[i] = (char)('0' + (i + n) % 10);
            tt[i] = (char)('k' + (i * 3 + n) % 16);
            rs[i] = (char)('a' + (i * 11 + n) % 26);
        }
        br[8 + n] = '\0';
        id[n] = ft[n] = tt[n] = rs[n] = '\0';
        sls_sipmsg m = request(SLS_METHOD_INVITE, "INVITE", br, id, (uint32_t)n + 1);
        m.from_tag = (sls_str){ft, (size_t)n};
        m.request_uri = (sls_str){rs, (size_t)n};
        sls_packet p = at(SEC(n), 1);
        const sls_txn *x;
        ck_assert_int_eq(sls_txn_table_message(t, &m, &p, &x), SLS_TXN_EV_REQUEST);
        ck_assert_str_eq(x->branch, br);
        ck_assert_str_eq(x->call_id, id);
        ck_assert_str_eq(x->from_tag, ft);
        ck_assert_str_eq(x->request_uri, rs);
        sls_sipmsg r = response(&m, 486, tt);
        r.reason = (sls_str){rs, (size_t)n};
        ck_assert_int_eq(sls_txn_table_message(t, &r, &p, &x), SLS_TXN_EV_FINAL);
        ck_assert_str_eq(x->to_tag, tt);
        ck_assert_str_eq(x->final_reason, rs);
        ck_assert_int_eq(sls_txn_table_message(t, &m, &p, &x), SLS_TXN_EV_REQUEST_RETRANS);
        /* RFC 2543 key (no magic cookie): Call-ID, CSeq, tags, Via. */
        sls_sipmsg o = request(SLS_METHOD_OPTIONS, "OPTIONS", br + 7, id, (uint32_t)n + 1);
        o.from_tag = (sls_str){ft, (size_t)n};
        ck_assert_int_eq(sls_txn_table_message(t, &o, &p, &x), SLS_TXN_EV_REQUEST);
        ck_assert_str_eq(x->branch, br + 7);
        ck_assert_str_eq(x->call_id, id);
        ck_assert_int_eq(sls_txn_table_message(t, &o, &p, &x), SLS_TXN_EV_REQUEST_RETRANS);
    }
    sls_txn_table_free(t);
}
END_TEST

/* At the end of the capture the open transactions are reported in the
 * order they are due, whatever list they are in, tombstones and ACK
 * entries go silently, and the table is empty and usable afterwards. */
START_TEST(test_flush_reports_in_due_order_and_empties_the_table)
{
    sls_txn_table *t = table();
    sls_sipmsg a = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-a", "a", 1);
    sls_sipmsg b = request(SLS_METHOD_INVITE, "INVITE", "z9hG4bK-b", "b", 1);
    sls_sipmsg c = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bK-c", "c", 1);
    sls_sipmsg d = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bK-d", "d", 1);
    sls_sipmsg w = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bK-w", "w", 1);
    sls_sipmsg x = request(SLS_METHOD_OPTIONS, "OPTIONS", "z9hG4bK-x", "x", 1);
    sls_sipmsg ack = request(SLS_METHOD_ACK, "ACK", "z9hG4bK-e", "e", 1);
    feed(t, &a, SEC(5), 1);                /* Proceeding: due at 5 + 180 s */
    sls_sipmsg ra = response(&a, 180, "t");
    feed(t, &ra, SEC(5), 0);
    feed(t, &b, SEC(6), 1);                /* Calling: due at 6 + 64 s */
    feed(t, &w, SEC(8), 1);                /* due at 8 + 64 s... */
    feed(t, &d, SEC(40), 1);               /* reported at 44, then a tombstone */
    sls_sipmsg rd = response(&d, 200, "t");
    feed(t, &rd, SEC(40), 0);
    ck_assert_int_eq(feed(t, &ack, SEC(50), 1), SLS_TXN_EV_ACK_2XX);
    feed(t, &c, SEC(60), 1);               /* reported at 64 */
    sls_sipmsg rc = response(&c, 404, "t");
    feed(t, &rc, SEC(60), 0);
    feed(t, &x, SEC(68), 1);
    sls_sipmsg rx = response(&x, 200, "t");
    feed(t, &rx, SEC(68), 0);              /* ...as this one: 68 + 4 s */
    ck_assert_uint_eq(log_.n, 2);
    /* a, b, w, x, the tombstones of d and c, the ACK. */
    ck_assert_uint_eq(sls_txn_table_open(t), 7);
    sls_txn_table_flush(t, SEC(1700000069));
    ck_assert_uint_eq(log_.n, 6);
    ck_assert_str_eq(log_.call_id[0], "d");
    ck_assert_str_eq(log_.call_id[1], "c");
    ck_assert_str_eq(log_.call_id[2], "b");
    ck_assert_str_eq(log_.call_id[3], "w"); /* a tie: the first list first */
    ck_assert_str_eq(log_.call_id[4], "x");
    ck_assert_str_eq(log_.call_id[5], "a");
    ck_assert_int_eq(log_.t[2].timed_out, 1); /* Timer B passed at 38 s */
    ck_assert_int_eq(log_.t[5].timed_out, 0); /* Timer C had not */
    ck_assert_uint_eq(sls_txn_table_open(t), 0);
    /* Nothing of them is left to match, and the table works on. */
    ck_assert_int_eq(feed(t, &d, SEC(70), 1), SLS_TXN_EV_REQUEST);
    ck_assert_int_eq(feed(t, &ack, SEC(70), 1), SLS_TXN_EV_ACK_2XX);
    ck_assert_int_eq(feed(t, &d, SEC(70), 1), SLS_TXN_EV_REQUEST_RETRANS);
    ck_assert_int_eq(feed(t, &ack, SEC(70), 1), SLS_TXN_EV_ACK_RETRANS);
    ck_assert_uint_eq(sls_txn_table_open(t), 2);
    sls_txn_table_free(t);
}
END_TEST

/* The look-ahead hint: only a branch that makes an RFC 3261 key has a
 * hash, the same as the table's (the lookup of that branch hits the cell
 * the hint names). */
START_TEST(test_branch_hint)
{
    uint32_t h = 0, h2 = 0;
    ck_assert_int_eq(sls_txn_branch_hash("z9hG4bK", 7, &h), 0);
    ck_assert_int_eq(sls_txn_branch_hash("a9hG4bK-1", 9, &h), 0);
    ck_assert_int_eq(sls_txn_branch_hash("", 0, &h), 0);
    ck_assert_int_eq(sls_txn_branch_hash("z9hG4bK-1", 9, &h), 1);
    ck_assert_uint_eq(h, (uint32_t)sls__index_hash("z9hG4bK-1", 9, '3'));
    ck_assert_int_eq(sls_txn_branch_hash("z9hG4bK-2", 9, &h2), 1);
    ck_assert_uint_ne(h, h2);
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
    tcase_add_test(tc, test_branch_hint);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("storage");
    tcase_add_test(st, test_hash_mem_and_mem_eq_match_the_libc_based_versions);
    tcase_add_test(st, test_index_removal_keeps_colliding_keys_findable);
    tcase_add_test(st, test_pool_reuses_freed_slots_and_never_twice);
    tcase_add_test(st, test_big_alloc_is_zeroed_whole_and_aligned);
    tcase_add_test(st, test_pool_blocks_hold_disjoint_aligned_slots);
    tcase_add_test(st, test_key_pieces_are_told_apart_at_their_boundaries);
    tcase_add_test(st, test_long_strings_and_keys_outside_the_slot);
    tcase_add_test(st, test_byte_ceiling_charges_as_the_first_layout);
    tcase_add_test(st, test_slots_reused_across_generations_keep_their_own_data);
    tcase_add_test(st, test_flush_reports_in_due_order_and_empties_the_table);
    tcase_add_test(st, test_recycled_slot_starts_from_zero);
    tcase_add_test(st, test_strings_of_every_length_are_copied_whole);
    suite_add_tcase(s, st);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
