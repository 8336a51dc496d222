/* TCP stream reassembly and SIP over WebSocket (tcpstream.h).
 *
 * Every test builds its segments by hand, copies each payload into an
 * exact-size heap block (so ASan sees a one-byte overread), and asserts the
 * delivered messages and every counter exactly: a counter not named in
 * expect_counters() must be zero. */
#include "sipsleuth/tcpstream.h"

#include "sls_check.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)
#define T0 (INT64_C(1700000000) * SEC)
#define MAX_RECS 64

/* ------------------------------------------------------------ harness */

typedef struct rec {
    uint8_t *bytes;
    size_t len;
    int64_t ts_ns;
    uint16_t sport;
    unsigned status;
    char method[16];
} rec;

typedef struct env {
    sls_tcp_table *t;
    sls_tcp_config cfg;
    sls_counters ctr;
    size_t delivered; /* all of them; the first MAX_RECS are kept */
    rec recs[MAX_RECS];
} env;

static void on_msg(void *user, const sls_sipframe *f, const sls_packet *pkt)
{
    env *e = user;
    ck_assert_uint_eq(pkt->transport, SLS_TRANSPORT_TCP);
    ck_assert_ptr_nonnull(pkt->payload);
    ck_assert_uint_gt(pkt->payload_len, 0);
    ck_assert_uint_le(f->msg_len, pkt->payload_len);
    if (e->delivered < MAX_RECS) {
        rec *r = &e->recs[e->delivered];
        r->bytes = malloc(pkt->payload_len);
        ck_assert_ptr_nonnull(r->bytes);
        memcpy(r->bytes, pkt->payload, pkt->payload_len);
        r->len = pkt->payload_len;
        r->ts_ns = pkt->ts_ns;
        r->sport = pkt->sport;
        r->status = f->is_request ? 0 : f->status;
        size_t m = f->method.n < sizeof r->method - 1 ? f->method.n : sizeof r->method - 1;
        memcpy(r->method, f->method.p, m);
        r->method[m] = '\0';
    }
    e->delivered++;
}

static env *env_new_cfg(const sls_tcp_config *cfg)
{
    env *e = calloc(1, sizeof(*e));
    ck_assert_ptr_nonnull(e);
    if (cfg != NULL)
        e->cfg = *cfg;
    else
        sls_tcp_config_default(&e->cfg);
    e->t = sls_tcp_table_new(&e->cfg, &e->ctr, on_msg, e);
    ck_assert_ptr_nonnull(e->t);
    return e;
}

static env *env_new(void)
{
    return env_new_cfg(NULL);
}

/* Flushes, checks that nothing stays buffered, frees. */
static void env_free(env *e)
{
    sls_tcp_flush(e->t);
    ck_assert_uint_eq(sls_tcp_buffered(e->t), 0);
    sls_tcp_table_free(e->t);
    for (size_t i = 0; i < MAX_RECS && i < e->delivered; i++)
        free(e->recs[i].bytes);
    free(e);
}

/* Asserts the counters given as (enum sls_counter, value) pairs, ended by
 * -1; every other counter must be zero. */
static void expect_counters(const env *e, ...)
{
    uint64_t want[SLS_CTR_COUNT] = {0};
    va_list ap;
    va_start(ap, e);
    for (;;) {
        int id = va_arg(ap, int);
        if (id < 0)
            break;
        ck_assert_int_lt(id, SLS_CTR_COUNT);
        want[id] = va_arg(ap, uint64_t);
    }
    va_end(ap);
    for (int i = 0; i < SLS_CTR_COUNT; i++)
        ck_assert_msg(e->ctr.v[i] == want[i], "counter %s is %llu, expected %llu",
                      sls_counter_name((enum sls_counter)i),
                      (unsigned long long)e->ctr.v[i], (unsigned long long)want[i]);
}
#define C(id, v) (int)SLS_CTR_##id, (uint64_t)(v)
#define END (-1)

static void expect_msg(const env *e, size_t i, const char *bytes, size_t len)
{
    ck_assert_uint_gt(e->delivered, i);
    ck_assert_uint_eq(e->recs[i].len, len);
    ck_assert_msg(memcmp(e->recs[i].bytes, bytes, len) == 0, "message %zu differs", i);
}

static void expect_str(const env *e, size_t i, const char *s)
{
    expect_msg(e, i, s, strlen(s));
}

/* One connection: client 10.0.0.<id>:<40000+id> to 10.0.1.1:5060. */
typedef struct conn {
    sls_addr cli, srv;
    uint16_t cport, sport;
    uint32_t next[2]; /* next sequence number each side sends */
    uint64_t frame_no;
} conn;

enum { CLI = 0, SRV = 1 };

static conn conn_make(unsigned id, uint32_t isn_cli, uint32_t isn_srv)
{
    conn c;
    memset(&c, 0, sizeof(c));
    c.cli.family = c.srv.family = 4;
    c.cli.bytes[0] = 10;
    c.cli.bytes[1] = (uint8_t)(id >> 16);
    c.cli.bytes[2] = (uint8_t)(id >> 8);
    c.cli.bytes[3] = (uint8_t)id;
    c.srv.bytes[0] = 10;
    c.srv.bytes[1] = 255;
    c.srv.bytes[3] = 1;
    c.cport = (uint16_t)(40000 + id % 20000);
    c.sport = 5060;
    c.next[CLI] = isn_cli;
    c.next[SRV] = isn_srv;
    return c;
}

/* Sends a segment with an explicit sequence number; the payload is copied
 * into an exact-size block. */
static void seg_at(env *e, conn *c, int dir, uint32_t seq, uint8_t flags,
                   const void *data, size_t len, int64_t ts)
{
    sls_packet p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = ts;
    p.frame_no = ++c->frame_no;
    p.src = dir == CLI ? c->cli : c->srv;
    p.dst = dir == CLI ? c->srv : c->cli;
    p.sport = dir == CLI ? c->cport : c->sport;
    p.dport = dir == CLI ? c->sport : c->cport;
    p.transport = SLS_TRANSPORT_TCP;
    p.tcp_flags = flags;
    p.tcp_seq = seq;
    uint8_t *copy = NULL;
    if (len > 0) {
        copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, data, len);
    }
    p.payload = copy;
    p.payload_len = len;
    sls_tcp_segment(e->t, &p);
    free(copy);
}

/* SYN from one side: its next sequence number is ISN + 1. */
static void syn(env *e, conn *c, int dir, int64_t ts)
{
    seg_at(e, c, dir, c->next[dir], SLS_TCP_SYN | (dir == SRV ? SLS_TCP_ACK : 0), NULL, 0, ts);
    c->next[dir]++;
}

static void handshake(env *e, conn *c, int64_t ts)
{
    syn(e, c, CLI, ts);
    syn(e, c, SRV, ts);
}

/* In-order data, as a sender would send it. */
static void data(env *e, conn *c, int dir, const void *p, size_t len, int64_t ts)
{
    seg_at(e, c, dir, c->next[dir], SLS_TCP_ACK | SLS_TCP_PSH, p, len, ts);
    c->next[dir] += (uint32_t)len;
}

static void str(env *e, conn *c, int dir, const char *s, int64_t ts)
{
    data(e, c, dir, s, strlen(s), ts);
}

static void fin(env *e, conn *c, int dir, int64_t ts)
{
    seg_at(e, c, dir, c->next[dir], SLS_TCP_FIN | SLS_TCP_ACK, NULL, 0, ts);
    c->next[dir]++;
}

/* A request or response with a body and its Content-Length. */
static char *sip_msg(const char *start, int cseq, const char *method, const char *body)
{
    char *m = malloc(strlen(body) + 512);
    ck_assert_ptr_nonnull(m);
    int n = snprintf(m, strlen(body) + 512,
                     "%s\r\n"
                     "Via: SIP/2.0/TCP 10.0.0.1:40001;branch=z9hG4bK%d\r\n"
                     "From: <sip:alice@example.com>;tag=a1\r\n"
                     "To: <sip:bob@example.com>\r\n"
                     "Call-ID: call-%d@10.0.0.1\r\n"
                     "CSeq: %d %s\r\n"
                     "Content-Length: %zu\r\n"
                     "\r\n"
                     "%s",
                     start, cseq, cseq, cseq, method, strlen(body), body);
    ck_assert_int_gt(n, 0);
    return m;
}

static const char SDP[] = "v=0\r\n"
                          "o=alice 1 1 IN IP4 10.0.0.1\r\n"
                          "s=-\r\n"
                          "c=IN IP4 10.0.0.1\r\n"
                          "t=0 0\r\n"
                          "m=audio 4000 RTP/AVP 0\r\n"
                          "a=rtpmap:0 PCMU/8000\r\n";

static char *invite(int cseq)
{
    return sip_msg("INVITE sip:bob@example.com SIP/2.0", cseq, "INVITE", SDP);
}

static char *options(int cseq)
{
    return sip_msg("OPTIONS sip:bob@example.com SIP/2.0", cseq, "OPTIONS", "");
}

static char *response(const char *status_line, int cseq)
{
    return sip_msg(status_line, cseq, "INVITE", "");
}

/* ------------------------------------------------------------ framing */

START_TEST(test_several_messages_in_one_segment_are_all_delivered)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *a = options(1), *b = invite(2), *d = sip_msg("BYE sip:bob@example.com SIP/2.0", 3, "BYE", "");
    char all[4096];
    int n = snprintf(all, sizeof all, "%s%s\r\n\r\n%s", a, b, d); /* a keep-alive between */
    str(e, &c, CLI, all, T0 + MS);
    (void)n;
    ck_assert_uint_eq(e->delivered, 3);
    expect_str(e, 0, a);
    expect_str(e, 1, b);
    ck_assert_str_eq(e->recs[1].method, "INVITE");
    ck_assert_str_eq(e->recs[2].method, "BYE");
    ck_assert_int_eq(e->recs[2].ts_ns, T0 + MS);
    expect_counters(e, END);
    ck_assert_uint_eq(sls_tcp_buffered(e->t), 0);
    free(a);
    free(b);
    free(d);
    env_free(e);
}
END_TEST

START_TEST(test_message_split_over_one_byte_segments_is_delivered_once_complete)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = invite(1), *m2 = options(2);
    size_t len = strlen(m);
    for (size_t i = 0; i < len; i++)
        data(e, &c, CLI, m + i, 1, T0 + (int64_t)i * MS);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    /* Timestamp of the segment that completed it. */
    ck_assert_int_eq(e->recs[0].ts_ns, T0 + (int64_t)(len - 1) * MS);
    for (size_t i = 0; i < strlen(m2); i++)
        data(e, &c, CLI, m2 + i, 1, T0 + SEC);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m2);
    expect_counters(e, END);
    free(m);
    free(m2);
    env_free(e);
}
END_TEST

/* The sngrep bug: a 486 sharing a segment with a 100 and a 180 and ending
 * in the next segment must be delivered, complete, after the other two. */
START_TEST(test_486_sharing_a_segment_with_100_and_180_is_delivered_complete)
{
    /* cut: 0 = inside the 486's start line, 1 = inside its headers,
     * 2 = inside its body */
    static const size_t cut_back[] = {180, 60, 5};
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *r100 = response("SIP/2.0 100 Trying", 1);
    char *r180 = response("SIP/2.0 180 Ringing", 1);
    char *r486 = sip_msg("SIP/2.0 486 Busy Here", 1, "INVITE", "busy body\r\n");
    char seg[4096];
    int n = snprintf(seg, sizeof seg, "%s%s%s", r100, r180, r486);
    ck_assert_int_gt(n, 0);
    size_t total = (size_t)n, cut = total - cut_back[_i];
    ck_assert_uint_gt(cut, strlen(r100) + strlen(r180));
    data(e, &c, SRV, seg, cut, T0 + MS);
    ck_assert_uint_eq(e->delivered, 2);
    data(e, &c, SRV, seg + cut, total - cut, T0 + 2 * MS);
    ck_assert_uint_eq(e->delivered, 3);
    ck_assert_uint_eq(e->recs[0].status, 100);
    ck_assert_uint_eq(e->recs[1].status, 180);
    ck_assert_uint_eq(e->recs[2].status, 486);
    expect_str(e, 2, r486);
    ck_assert_int_eq(e->recs[2].ts_ns, T0 + 2 * MS);
    ck_assert_uint_eq(e->recs[2].sport, 5060);
    expect_counters(e, END);
    free(r100);
    free(r180);
    free(r486);
    env_free(e);
}
END_TEST

START_TEST(test_keepalive_crlf_between_messages_is_not_counted)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = options(1);
    str(e, &c, CLI, "\r\n\r\n", T0);
    str(e, &c, CLI, m, T0);
    str(e, &c, CLI, "\r\n", T0);
    str(e, &c, CLI, "\r\n", T0);
    str(e, &c, CLI, m, T0);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m);
    expect_counters(e, END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_invalid_message_is_counted_by_reason_and_the_next_one_delivered)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *bad = sip_msg("INVITE sip:bob@example.com SIP/3.0", 1, "INVITE", "");
    char *good = options(2);
    str(e, &c, CLI, bad, T0);
    str(e, &c, CLI, good, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, good);
    expect_counters(e, C(SIP_BAD_VERSION, 1), END);
    free(bad);
    free(good);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ reordering */

START_TEST(test_out_of_order_segments_are_delivered_in_stream_order)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = invite(1), *m2 = options(2);
    size_t l1 = strlen(m1), l2 = strlen(m2);
    uint32_t s = c.next[CLI];
    /* m1 in three parts, m2 whole: sent 3, m2, 2, 1. */
    size_t a = 100, b = 300;
    seg_at(e, &c, CLI, s + (uint32_t)b, SLS_TCP_ACK, m1 + b, l1 - b, T0 + 1 * MS);
    seg_at(e, &c, CLI, s + (uint32_t)l1, SLS_TCP_ACK, m2, l2, T0 + 2 * MS);
    seg_at(e, &c, CLI, s + (uint32_t)a, SLS_TCP_ACK, m1 + a, b - a, T0 + 3 * MS);
    ck_assert_uint_eq(e->delivered, 0);
    ck_assert_uint_gt(sls_tcp_buffered(e->t), 0);
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m1, a, T0 + 4 * MS);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 0, m1);
    expect_str(e, 1, m2);
    ck_assert_int_eq(e->recs[1].ts_ns, T0 + 4 * MS);
    expect_counters(e, END);
    free(m1);
    free(m2);
    env_free(e);
}
END_TEST

START_TEST(test_retransmitted_segment_is_delivered_once)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2);
    uint32_t s = c.next[CLI];
    str(e, &c, CLI, m1, T0);
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m1, strlen(m1), T0 + SEC); /* again */
    /* m2 in two parts; the first part is retransmitted too. */
    uint32_t s2 = c.next[CLI];
    seg_at(e, &c, CLI, s2, SLS_TCP_ACK, m2, 50, T0 + 2 * SEC);
    seg_at(e, &c, CLI, s2, SLS_TCP_ACK, m2, 50, T0 + 3 * SEC);
    seg_at(e, &c, CLI, s2 + 50, SLS_TCP_ACK, m2 + 50, strlen(m2) - 50, T0 + 4 * SEC);
    seg_at(e, &c, CLI, s2 + 50, SLS_TCP_ACK, m2 + 50, strlen(m2) - 50, T0 + 5 * SEC);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 0, m1);
    expect_str(e, 1, m2);
    expect_counters(e, END);
    free(m1);
    free(m2);
    env_free(e);
}
END_TEST

START_TEST(test_partial_overlap_keeps_only_the_new_bytes)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = invite(1);
    size_t len = strlen(m);
    uint32_t s = c.next[CLI];
    ck_assert_uint_gt(len, 300);
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m, 100, T0);
    seg_at(e, &c, CLI, s + 70, SLS_TCP_ACK, m + 70, 100, T0 + MS);        /* 30 old */
    seg_at(e, &c, CLI, s + 250, SLS_TCP_ACK, m + 250, len - 250, T0 + MS); /* held */
    seg_at(e, &c, CLI, s + 150, SLS_TCP_ACK, m + 150, 150, T0 + MS); /* both ends overlap */
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    expect_counters(e, END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_conflicting_overlap_is_counted_and_the_first_copy_wins)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = invite(1);
    size_t len = strlen(m);
    char *alt = malloc(len);
    ck_assert_ptr_nonnull(alt);
    memcpy(alt, m, len);
    alt[45] ^= 0x20; /* inside the Via line */
    alt[125] ^= 0x20;
    uint32_t s = c.next[CLI];
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m, 10, T0);
    seg_at(e, &c, CLI, s + 30, SLS_TCP_ACK, m + 30, 30, T0);        /* held */
    seg_at(e, &c, CLI, s + 40, SLS_TCP_ACK, alt + 40, 40, T0);      /* differs at 45 */
    /* In order, overlapping held [110, 140) with a different byte at 125. */
    seg_at(e, &c, CLI, s + 110, SLS_TCP_ACK, m + 110, 30, T0);      /* held */
    seg_at(e, &c, CLI, s + 10, SLS_TCP_ACK, m + 10, 20, T0);        /* fills [10,30) */
    seg_at(e, &c, CLI, s + 80, SLS_TCP_ACK, alt + 80, 60, T0);      /* in order */
    seg_at(e, &c, CLI, s + 140, SLS_TCP_ACK, m + 140, len - 140, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    expect_counters(e, C(TCP_OVERLAP_CONFLICT, 2), END);
    free(alt);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_sequence_numbers_wrap_around_2_32_in_the_middle_of_a_message)
{
    env *e = env_new();
    conn c = conn_make(1, UINT32_C(0xffffffff) - 40, UINT32_C(0xfffffff0));
    handshake(e, &c, T0);
    char *m1 = invite(1), *m2 = options(2);
    size_t l1 = strlen(m1);
    uint32_t s = c.next[CLI]; /* 0xffffffd8: wraps 40 bytes in */
    /* Out of order across the wrap: [100, end), [20, 100), [0, 20). */
    seg_at(e, &c, CLI, s + 100, SLS_TCP_ACK, m1 + 100, l1 - 100, T0);
    seg_at(e, &c, CLI, s + 20, SLS_TCP_ACK, m1 + 20, 80, T0);
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m1, 20, T0);
    c.next[CLI] = s + (uint32_t)l1;
    str(e, &c, CLI, m2, T0);
    /* And a retransmission from before the wrap is still old. */
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m1, 60, T0);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 0, m1);
    expect_str(e, 1, m2);
    expect_counters(e, END);
    free(m1);
    free(m2);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ gaps */

/* m1 delivered; m2 loses its second half; m3 waits after the hole. */
static void lose_second_half(env *e, conn *c, char *m1, char *m2, char *m3, int64_t ts)
{
    str(e, c, CLI, m1, ts);
    size_t l2 = strlen(m2);
    data(e, c, CLI, m2, l2 / 2, ts);
    c->next[CLI] += (uint32_t)(l2 - l2 / 2); /* never captured */
    data(e, c, CLI, m3, strlen(m3), ts + 10 * MS);
    ck_assert_uint_eq(e->delivered, 1);
}

START_TEST(test_gap_skipped_after_waiting_2s_of_capture_time)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2), *m3 = options(3);
    lose_second_half(e, &c, m1, m2, m3, T0);
    sls_tcp_advance(e->t, T0 + 2 * SEC); /* waited exactly 2 s: not yet */
    ck_assert_uint_eq(e->delivered, 1);
    sls_tcp_advance(e->t, T0 + 2 * SEC + 20 * MS);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m3);
    expect_counters(e, C(TCP_GAP, 1), C(TCP_GAP_MESSAGE_CUT, 1), END);
    free(m1);
    free(m2);
    free(m3);
    env_free(e);
}
END_TEST

START_TEST(test_gap_skipped_when_a_later_segment_shows_the_wait_is_over)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2), *m3 = options(3), *m4 = options(4);
    lose_second_half(e, &c, m1, m2, m3, T0);
    str(e, &c, CLI, m4, T0 + 3 * SEC);
    ck_assert_uint_eq(e->delivered, 3);
    expect_str(e, 1, m3);
    expect_str(e, 2, m4);
    expect_counters(e, C(TCP_GAP, 1), C(TCP_GAP_MESSAGE_CUT, 1), END);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
    env_free(e);
}
END_TEST

START_TEST(test_gap_skipped_at_fin_and_the_next_message_delivered)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2), *m3 = options(3);
    lose_second_half(e, &c, m1, m2, m3, T0);
    fin(e, &c, CLI, T0 + 20 * MS);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m3);
    ck_assert_int_eq(e->recs[1].ts_ns, T0 + 20 * MS);
    expect_counters(e, C(TCP_GAP, 1), C(TCP_GAP_MESSAGE_CUT, 1), END);
    free(m1);
    free(m2);
    free(m3);
    env_free(e);
}
END_TEST

START_TEST(test_gap_skipped_when_the_out_of_order_limit_is_hit)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_ooo_segments = 2;
    env *e = env_new_cfg(&cfg);
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2), *m3 = options(3), *m4 = options(4),
         *m5 = options(5);
    lose_second_half(e, &c, m1, m2, m3, T0); /* m3 held: 1 */
    str(e, &c, CLI, m4, T0);                 /* held: 2 */
    ck_assert_uint_eq(e->delivered, 1);
    str(e, &c, CLI, m5, T0); /* a third: the hole is given up */
    ck_assert_uint_eq(e->delivered, 4);
    expect_str(e, 1, m3);
    expect_str(e, 2, m4);
    expect_str(e, 3, m5);
    expect_counters(e, C(TCP_OOO_LIMIT, 1), C(TCP_GAP, 1), C(TCP_GAP_MESSAGE_CUT, 1), END);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
    free(m5);
    env_free(e);
}
END_TEST

START_TEST(test_gap_at_a_message_boundary_cuts_no_message)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2), *m3 = options(3);
    str(e, &c, CLI, m1, T0);
    c.next[CLI] += (uint32_t)strlen(m2); /* m2 lost whole */
    str(e, &c, CLI, m3, T0);
    fin(e, &c, CLI, T0);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m3);
    expect_counters(e, C(TCP_GAP, 1), END);
    free(m1);
    free(m2);
    free(m3);
    env_free(e);
}
END_TEST

START_TEST(test_flush_skips_holes_and_delivers_held_messages)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2), *m3 = options(3);
    lose_second_half(e, &c, m1, m2, m3, T0);
    sls_tcp_flush(e->t);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m3);
    ck_assert_uint_eq(sls_tcp_buffered(e->t), 0);
    expect_counters(e, C(TCP_GAP, 1), C(TCP_GAP_MESSAGE_CUT, 1), END);
    free(m1);
    free(m2);
    free(m3);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ pickup */

START_TEST(test_midstream_pickup_in_a_body_skips_to_the_next_message)
{
    env *e = env_new();
    conn c = conn_make(1, 77777, 5000);
    char *m = invite(1), *m2 = options(2);
    char seg[4096];
    int n = snprintf(seg, sizeof seg, "%s%s", SDP + 20, m); /* body tail first */
    data(e, &c, CLI, seg, (size_t)n, T0);
    str(e, &c, CLI, m2, T0);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 0, m);
    expect_str(e, 1, m2);
    expect_counters(e, C(TCP_MIDSTREAM_SKIP, 1), END);
    free(m);
    free(m2);
    env_free(e);
}
END_TEST

START_TEST(test_midstream_pickup_in_a_header_line_skips_to_the_next_message)
{
    env *e = env_new();
    conn c = conn_make(1, 77777, 5000);
    char *m0 = invite(1), *m = options(2);
    const char *mid = strstr(m0, "tag=a1"); /* mid-line, then headers and body */
    str(e, &c, CLI, mid, T0);
    /* The next message arrives in pieces: the scan remembers its place. */
    size_t len = strlen(m);
    for (size_t i = 0; i < len; i += 7)
        data(e, &c, CLI, m + i, len - i < 7 ? len - i : 7, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    expect_counters(e, C(TCP_MIDSTREAM_SKIP, 1), END);
    free(m0);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_midstream_pickup_at_a_message_start_counts_nothing)
{
    env *e = env_new();
    conn c = conn_make(1, 77777, 5000);
    char *m = invite(1);
    str(e, &c, CLI, m, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_counters(e, END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_midstream_pickup_without_sip_gives_up_after_64k)
{
    env *e = env_new();
    conn c = conn_make(1, 77777, 5000);
    char line[100];
    memset(line, 'x', sizeof line);
    line[98] = '\r';
    line[99] = '\n';
    for (int i = 0; i < 700; i++) /* 70 000 bytes of text lines */
        data(e, &c, CLI, line, sizeof line, T0);
    char *m = options(1);
    str(e, &c, CLI, m, T0); /* too late: the direction is ignored */
    ck_assert_uint_eq(e->delivered, 0);
    ck_assert_uint_lt(sls_tcp_peak_buffered(e->t), 8192);
    expect_counters(e, C(TCP_MIDSTREAM_SKIP, 1), C(TCP_NOT_SIP, 1), END);
    free(m);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ endings */

START_TEST(test_fin_with_an_incomplete_message_counts_it_abandoned)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2);
    char seg[4096];
    int n = snprintf(seg, sizeof seg, "%s%.100s", m1, m2);
    data(e, &c, CLI, seg, (size_t)n, T0);
    fin(e, &c, CLI, T0 + MS);
    ck_assert_uint_eq(e->delivered, 1);
    expect_counters(e, C(TCP_ABANDONED, 1), END);
    ck_assert_uint_eq(sls_tcp_buffered(e->t), 4096); /* back in the pool */
    /* A retransmission after the FIN is not a new connection. */
    seg_at(e, &c, CLI, c.next[CLI] - 1 - (uint32_t)n, SLS_TCP_ACK, seg, (size_t)n, T0 + 2 * MS);
    ck_assert_uint_eq(e->delivered, 1);
    expect_counters(e, C(TCP_ABANDONED, 1), END);
    free(m1);
    free(m2);
    env_free(e);
}
END_TEST

START_TEST(test_rst_ends_both_directions_and_counts_their_unfinished_messages)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = invite(1), *r = response("SIP/2.0 200 OK", 1);
    str(e, &c, CLI, m1, T0);
    data(e, &c, CLI, m1, 70, T0);
    data(e, &c, SRV, r, 30, T0);
    seg_at(e, &c, CLI, c.next[CLI], SLS_TCP_RST, NULL, 0, T0 + MS);
    ck_assert_uint_eq(e->delivered, 1);
    expect_counters(e, C(TCP_ABANDONED, 2), END);
    /* Both directions are closed: the server's rest changes nothing. */
    data(e, &c, SRV, r + 30, strlen(r) - 30, T0 + 2 * MS);
    ck_assert_uint_eq(e->delivered, 1);
    free(m1);
    free(r);
    env_free(e);
}
END_TEST

START_TEST(test_new_syn_on_the_same_ports_starts_a_new_stream)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = options(1);
    str(e, &c, CLI, m, T0);
    data(e, &c, CLI, m, 20, T0);
    fin(e, &c, CLI, T0);
    c.next[CLI] = 900000;
    syn(e, &c, CLI, T0 + SEC);
    str(e, &c, CLI, m, T0 + SEC);
    ck_assert_uint_eq(e->delivered, 2);
    expect_counters(e, C(TCP_ABANDONED, 1), END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_idle_direction_is_dropped_by_capture_time)
{
    env *e = env_new(); /* idle_ns: 300 s */
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = options(1);
    data(e, &c, CLI, m, 40, T0);
    sls_tcp_advance(e->t, T0 + 300 * SEC); /* exactly 300 s: kept */
    expect_counters(e, END);
    sls_tcp_advance(e->t, T0 + 300 * SEC + 1);
    /* Both directions aged out; the client's had half a message. */
    expect_counters(e, C(TCP_IDLE_EVICTED, 2), C(TCP_ABANDONED, 1), END);
    /* The connection resumes: picked up again at a message start. */
    str(e, &c, CLI, m, T0 + 400 * SEC);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    expect_counters(e, C(TCP_IDLE_EVICTED, 2), C(TCP_ABANDONED, 1), END);
    free(m);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ not SIP */

START_TEST(test_http_on_port_5060_is_not_sip_counted_once_per_direction)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    str(e, &c, CLI, "GET /index.html HTTP/1.1\r\nHost: ", T0);
    str(e, &c, CLI, "example.com\r\n\r\n", T0);
    str(e, &c, CLI, "GET /favicon.ico HTTP/1.1\r\n\r\n", T0);
    str(e, &c, SRV, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", T0);
    str(e, &c, SRV, "INVITE sip:x@y SIP/2.0\r\n\r\n", T0); /* ignored now */
    ck_assert_uint_eq(e->delivered, 0);
    expect_counters(e, C(TCP_NOT_SIP, 2), END);
    fin(e, &c, CLI, T0);
    fin(e, &c, SRV, T0);
    expect_counters(e, C(TCP_NOT_SIP, 2), END);
    env_free(e);
}
END_TEST

START_TEST(test_tls_client_hello_is_counted_once_per_connection)
{
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
    static const uint8_t shello[] = {0x16, 0x03, 0x03, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};
    static const uint8_t appdata[] = {0x17, 0x03, 0x03, 0x00, 0x02, 0xab, 0xcd};
    env *e = env_new();
    for (unsigned i = 1; i <= 2; i++) {
        conn c = conn_make(i, 1000, 5000);
        handshake(e, &c, T0);
        data(e, &c, CLI, hello, sizeof hello, T0);
        data(e, &c, SRV, shello, sizeof shello, T0);
        data(e, &c, CLI, appdata, sizeof appdata, T0);
        data(e, &c, SRV, appdata, sizeof appdata, T0);
    }
    ck_assert_uint_eq(e->delivered, 0);
    ck_assert_uint_eq(sls_tcp_buffered(e->t), 0);
    expect_counters(e, C(TLS_NOT_ANALYSED, 2), END);
    env_free(e);
}
END_TEST

START_TEST(test_random_bytes_at_the_start_are_not_sip)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    uint8_t junk[3000];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (uint8_t)(x >> 16);
    }
    junk[0] = 0x80; /* not printable, not TLS */
    data(e, &c, CLI, junk, sizeof junk, T0);
    char *m = options(1);
    str(e, &c, CLI, m, T0);
    ck_assert_uint_eq(e->delivered, 0);
    expect_counters(e, C(TCP_NOT_SIP, 1), END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_junk_between_messages_is_skipped_to_the_next_start_line)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2);
    str(e, &c, CLI, m1, T0);
    uint8_t junk[2000];
    uint32_t x = 99;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (uint8_t)(x >> 16);
    }
    junk[0] = 'Q'; /* looks like text at first */
    junk[sizeof junk - 2] = '\r';
    junk[sizeof junk - 1] = '\n';
    data(e, &c, CLI, junk, sizeof junk, T0);
    str(e, &c, CLI, m2, T0);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m2);
    expect_counters(e, C(TCP_RESYNC, 1), END);
    free(m1);
    free(m2);
    env_free(e);
}
END_TEST

START_TEST(test_zero_window_probes_are_delivered_once)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = invite(1);
    uint32_t s = c.next[CLI];
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m, 1, T0);                /* probe */
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m, 1, T0 + SEC);          /* probe again */
    seg_at(e, &c, CLI, s - 1, SLS_TCP_ACK, "\0", 1, T0 + 2 * SEC); /* keep-alive */
    seg_at(e, &c, CLI, s, SLS_TCP_ACK, m, strlen(m), T0 + 3 * SEC);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    expect_counters(e, END);
    free(m);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ websocket */

static const char WS_REQ[] = "GET / HTTP/1.1\r\n"
                             "Host: proxy.example.com\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Protocol: sip\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n";
static const char WS_101[] = "HTTP/1.1 101 Switching Protocols\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                             "Sec-WebSocket-Protocol: sip\r\n"
                             "\r\n";

/* RFC 6455 5.2 frame into out; returns its length. mask NULL: unmasked. */
static size_t ws_frame(uint8_t *out, int fin_bit, unsigned op, const void *payload,
                       size_t n, const uint8_t *mask)
{
    size_t i = 0;
    out[i++] = (uint8_t)((fin_bit ? 0x80u : 0u) | op);
    uint8_t m = mask != NULL ? 0x80u : 0u;
    if (n < 126) {
        out[i++] = (uint8_t)(m | n);
    } else if (n < 65536) {
        out[i++] = (uint8_t)(m | 126u);
        out[i++] = (uint8_t)(n >> 8);
        out[i++] = (uint8_t)n;
    } else {
        out[i++] = (uint8_t)(m | 127u);
        for (int k = 7; k >= 0; k--)
            out[i++] = (uint8_t)((uint64_t)n >> (8 * k));
    }
    if (mask != NULL) {
        memcpy(out + i, mask, 4);
        i += 4;
    }
    const uint8_t *p = payload;
    for (size_t k = 0; k < n; k++)
        out[i + k] = mask != NULL ? (uint8_t)(p[k] ^ mask[k & 3]) : p[k];
    return i + n;
}

static const uint8_t MASK[4] = {0x37, 0xfa, 0x21, 0x3d};

static void ws_open(env *e, conn *c)
{
    handshake(e, c, T0);
    str(e, c, CLI, WS_REQ, T0);
    str(e, c, SRV, WS_101, T0 + MS);
}

START_TEST(test_websocket_masked_and_unmasked_text_frames_carry_invite_and_200)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    ws_open(e, &c);
    char *inv = invite(1), *ok = response("SIP/2.0 200 OK", 1);
    uint8_t f[4096];
    size_t n = ws_frame(f, 1, 1, inv, strlen(inv), MASK); /* 16-bit length */
    data(e, &c, CLI, f, n, T0 + 2 * MS);
    n = ws_frame(f, 1, 1, ok, strlen(ok), NULL);
    data(e, &c, SRV, f, n, T0 + 3 * MS);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 0, inv);
    expect_str(e, 1, ok);
    ck_assert_uint_eq(e->recs[1].status, 200);
    ck_assert_int_eq(e->recs[1].ts_ns, T0 + 3 * MS);
    expect_counters(e, END);
    free(inv);
    free(ok);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_fragmented_message_with_a_ping_between_is_reassembled)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    ws_open(e, &c);
    char *inv = invite(1);
    size_t len = strlen(inv);
    uint8_t f[8192];
    size_t n = 0;
    n += ws_frame(f + n, 0, 1, inv, 100, MASK);               /* text, not final */
    n += ws_frame(f + n, 1, 9, "hi", 2, MASK);                /* ping between */
    n += ws_frame(f + n, 0, 0, inv + 100, 200, MASK);         /* continuation */
    n += ws_frame(f + n, 1, 0, inv + 300, len - 300, MASK);   /* final */
    n += ws_frame(f + n, 1, 10, "", 0, MASK);                 /* pong */
    /* The frames cross segment boundaries: 1-byte segments. */
    for (size_t i = 0; i < n; i++)
        data(e, &c, CLI, f + i, 1, T0 + 2 * MS);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, inv);
    expect_counters(e, END);
    free(inv);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_64bit_length_frame_is_delivered)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    ws_open(e, &c);
    char *body = malloc(70001);
    ck_assert_ptr_nonnull(body);
    memset(body, 'a', 70000);
    body[70000] = '\0';
    char *m = sip_msg("MESSAGE sip:bob@example.com SIP/2.0", 1, "MESSAGE", body);
    size_t len = strlen(m);
    uint8_t *f = malloc(len + 14);
    ck_assert_ptr_nonnull(f);
    size_t n = ws_frame(f, 1, 2, m, len, MASK); /* binary */
    for (size_t i = 0; i < n; i += 1460)
        data(e, &c, CLI, f + i, n - i < 1460 ? n - i : 1460, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    expect_counters(e, END);
    free(f);
    free(m);
    free(body);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_frames_sent_before_the_101_are_framed_after_it)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *inv = invite(1);
    uint8_t f[4096];
    size_t n = ws_frame(f, 1, 1, inv, strlen(inv), MASK);
    char seg[8192];
    memcpy(seg, WS_REQ, strlen(WS_REQ));
    memcpy(seg + strlen(WS_REQ), f, n);
    data(e, &c, CLI, seg, strlen(WS_REQ) + n, T0);
    ck_assert_uint_eq(e->delivered, 0);
    str(e, &c, SRV, WS_101, T0 + MS);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, inv);
    expect_counters(e, END);
    free(inv);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_upgrade_without_protocol_header_is_accepted)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    str(e, &c, CLI, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n", T0);
    str(e, &c, SRV, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", T0);
    char *ok = options(1);
    uint8_t f[4096];
    size_t n = ws_frame(f, 1, 1, ok, strlen(ok), MASK);
    data(e, &c, CLI, f, n, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_counters(e, END);
    free(ok);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_refused_upgrade_is_not_sip_both_ways)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    str(e, &c, CLI, WS_REQ, T0);
    str(e, &c, SRV, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", T0);
    ck_assert_uint_eq(e->delivered, 0);
    expect_counters(e, C(TCP_NOT_SIP, 2), END);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_bad_compressed_and_non_sip_frames_are_counted)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    ws_open(e, &c);
    char *ok = options(1);
    uint8_t f[16384];
    size_t n = 0;
    n += ws_frame(f + n, 1, 3, "abc", 3, MASK);            /* reserved opcode */
    n += ws_frame(f + n, 1, 0, "abc", 3, MASK);            /* continuation of nothing */
    size_t at = n;
    n += ws_frame(f + n, 1, 1, ok, strlen(ok), MASK);
    f[at] |= 0x40;                                         /* RSV1: compressed */
    n += ws_frame(f + n, 1, 1, "hello there", 11, MASK);   /* text, not SIP */
    n += ws_frame(f + n, 1, 1, ok, strlen(ok), MASK);      /* fine */
    n += ws_frame(f + n, 1, 8, "\x03\xe8", 2, MASK);       /* close */
    n += ws_frame(f + n, 1, 1, ok, strlen(ok), MASK);      /* after close */
    data(e, &c, CLI, f, n, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, ok);
    expect_counters(e, C(WS_BAD_FRAME, 2), C(WS_COMPRESSED, 1), C(WS_NOT_SIP, 1), END);
    free(ok);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_frame_over_the_stream_limit_is_skipped_by_length)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_stream_bytes = 16384;
    env *e = env_new_cfg(&cfg);
    conn c = conn_make(1, 1000, 5000);
    ws_open(e, &c);
    char *body = malloc(40001);
    ck_assert_ptr_nonnull(body);
    memset(body, 'a', 40000);
    body[40000] = '\0';
    char *big = sip_msg("MESSAGE sip:bob@example.com SIP/2.0", 1, "MESSAGE", body);
    char *ok = options(2);
    size_t blen = strlen(big);
    uint8_t *f = malloc(blen + 4096);
    ck_assert_ptr_nonnull(f);
    size_t n = ws_frame(f, 1, 1, big, blen, MASK);
    n += ws_frame(f + n, 1, 1, ok, strlen(ok), MASK);
    for (size_t i = 0; i < n; i += 1000)
        data(e, &c, CLI, f + i, n - i < 1000 ? n - i : 1000, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, ok);
    ck_assert_uint_lt(sls_tcp_peak_buffered(e->t), 16384 + 4096);
    expect_counters(e, C(TCP_BUFFER_LIMIT, 1), END);
    free(f);
    free(ok);
    free(big);
    free(body);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_fin_inside_a_fragmented_message_counts_it_abandoned)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    ws_open(e, &c);
    char *inv = invite(1);
    uint8_t f[4096];
    size_t n = ws_frame(f, 0, 1, inv, 100, MASK);
    data(e, &c, CLI, f, n, T0);
    fin(e, &c, CLI, T0);
    ck_assert_uint_eq(e->delivered, 0);
    expect_counters(e, C(TCP_ABANDONED, 1), END);
    free(inv);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ ceilings */

START_TEST(test_64k_body_over_many_segments_is_delivered)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *body = malloc(65537);
    ck_assert_ptr_nonnull(body);
    for (size_t i = 0; i < 65536; i++)
        body[i] = (char)('a' + i % 26);
    body[65536] = '\0';
    char *m = sip_msg("MESSAGE sip:bob@example.com SIP/2.0", 1, "MESSAGE", body);
    char *m2 = options(2);
    size_t len = strlen(m);
    for (size_t i = 0; i < len; i += 1448)
        data(e, &c, CLI, m + i, len - i < 1448 ? len - i : 1448, T0 + (int64_t)i);
    str(e, &c, CLI, m2, T0 + SEC);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 0, m);
    expect_str(e, 1, m2);
    ck_assert_uint_le(sls_tcp_peak_buffered(e->t), 4 * len);
    expect_counters(e, END);
    free(m);
    free(m2);
    free(body);
    env_free(e);
}
END_TEST

START_TEST(test_giant_content_length_is_counted_and_resynced_without_growth)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *huge = sip_msg("INVITE sip:bob@example.com SIP/2.0", 1, "INVITE", "");
    char *cl = strstr(huge, "Content-Length: 0");
    ck_assert_ptr_nonnull(cl);
    char *big = malloc(strlen(huge) + 32);
    ck_assert_ptr_nonnull(big);
    snprintf(big, strlen(huge) + 32, "%.*sContent-Length: 4294967295\r\n\r\n",
             (int)(cl - huge), huge);
    str(e, &c, CLI, big, T0);
    char junk[1000];
    memset(junk, 'z', sizeof junk);
    for (int i = 0; i < 100; i++)
        data(e, &c, CLI, junk, sizeof junk, T0);
    char *m = options(2);
    char seg[2048];
    int n = snprintf(seg, sizeof seg, "\r\n%s", m);
    data(e, &c, CLI, seg, (size_t)n, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    ck_assert_uint_lt(sls_tcp_peak_buffered(e->t), 8192);
    expect_counters(e, C(SIP_TOO_LARGE, 1), END);
    free(huge);
    free(big);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_content_length_over_the_stream_limit_is_skipped_by_length)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_stream_bytes = 16384;
    env *e = env_new_cfg(&cfg);
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    /* The body hides a start line: skipping by length never sees it. */
    char *body = malloc(100001);
    ck_assert_ptr_nonnull(body);
    memset(body, 'b', 100000);
    memcpy(body + 50000, "\r\nINVITE sip:fake@example.com SIP/2.0\r\n\r\n", 41);
    body[100000] = '\0';
    char *m = sip_msg("MESSAGE sip:bob@example.com SIP/2.0", 1, "MESSAGE", body);
    char *m2 = options(2);
    size_t len = strlen(m);
    for (size_t i = 0; i < len; i += 1448)
        data(e, &c, CLI, m + i, len - i < 1448 ? len - i : 1448, T0);
    str(e, &c, CLI, m2, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m2);
    ck_assert_uint_le(sls_tcp_peak_buffered(e->t), 16384);
    expect_counters(e, C(TCP_BUFFER_LIMIT, 1), END);
    free(m);
    free(m2);
    free(body);
    env_free(e);
}
END_TEST

/* Header lines of 1000 bytes that never end with an empty line. */
static void endless_headers(env *e, conn *c, size_t lines)
{
    str(e, c, CLI, "INVITE sip:bob@example.com SIP/2.0\r\n", T0);
    char line[1000];
    memset(line, 'h', sizeof line);
    memcpy(line, "X-Pad: ", 7);
    line[998] = '\r';
    line[999] = '\n';
    for (size_t i = 0; i < lines; i++)
        data(e, c, CLI, line, sizeof line, T0);
}

START_TEST(test_headers_that_never_end_are_bounded_by_the_header_cap)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    endless_headers(e, &c, 200);
    char *m = options(1);
    str(e, &c, CLI, m, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m);
    ck_assert_uint_le(sls_tcp_peak_buffered(e->t), 2 * SLS_SIPFRAME_MAX_HEADER_BYTES + 4096);
    expect_counters(e, C(SIP_TOO_LARGE, 1), END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_headers_that_never_end_are_bounded_by_the_stream_limit)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_stream_bytes = 16384;
    env *e = env_new_cfg(&cfg);
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    endless_headers(e, &c, 200);
    char *m = options(1);
    str(e, &c, CLI, m, T0);
    ck_assert_uint_eq(e->delivered, 1);
    ck_assert_uint_le(sls_tcp_peak_buffered(e->t), 16384);
    expect_counters(e, C(TCP_BUFFER_LIMIT, 1), END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_100000_connections_with_max_streams_1000_stay_bounded)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_streams = 1000;
    env *e = env_new_cfg(&cfg);
    char *m = options(1);
    size_t half = strlen(m) / 2;
    for (unsigned i = 0; i < 100000; i++) {
        conn c = conn_make(i + 1, 1000 + i, 5000);
        syn(e, &c, CLI, T0 + (int64_t)i * MS);
        str(e, &c, CLI, m, T0 + (int64_t)i * MS);
        data(e, &c, CLI, m, half, T0 + (int64_t)i * MS); /* left unfinished */
    }
    ck_assert_uint_eq(e->delivered, 100000);
    /* 1000 pending halves at most, in buffers from the pool or the heap. */
    ck_assert_uint_le(sls_tcp_peak_buffered(e->t), 1001 * 4096);
    expect_counters(e, C(TCP_STREAM_LIMIT, 99000), C(TCP_ABANDONED, 99000), END);
    sls_tcp_flush(e->t);
    expect_counters(e, C(TCP_STREAM_LIMIT, 99000), C(TCP_ABANDONED, 100000), END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_total_buffer_cap_is_counted_and_held_data_dropped)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_total_bytes = 65536;
    cfg.max_stream_bytes = 32768;
    env *e = env_new_cfg(&cfg);
    /* Each stream holds 5000 bytes of an unfinished header block: a buffer
     * of 8192. Eight fit in 64 KiB; the other twelve do not. */
    char part[5000];
    memset(part, 'h', sizeof part);
    const char *start = "INVITE sip:bob@example.com SIP/2.0\r\nX-Pad: ";
    memcpy(part, start, strlen(start));
    conn cs[20];
    for (unsigned i = 0; i < 20; i++) {
        cs[i] = conn_make(i + 1, 1000, 5000);
        handshake(e, &cs[i], T0);
        data(e, &cs[i], CLI, part, sizeof part, T0);
    }
    ck_assert_uint_le(sls_tcp_buffered(e->t), 65536);
    expect_counters(e, C(TCP_TOTAL_LIMIT, 12), END);
    /* The eighth stream finishes its message. */
    data(e, &cs[7], CLI, "\r\nContent-Length: 0\r\n\r\n", 23, T0);
    ck_assert_uint_eq(e->delivered, 1);
    /* Out-of-order data has to fit too. */
    conn c = conn_make(99, 1000, 5000);
    handshake(e, &c, T0);
    data(e, &c, CLI, part, 10, T0);
    for (int i = 0; i < 5; i++)
        seg_at(e, &c, CLI, c.next[CLI] + 100 + 5000u * (uint32_t)i, SLS_TCP_ACK, part,
               sizeof part, T0);
    /* The finished stream's buffer went back to the pool and was reused:
     * nothing is left for the five held segments. */
    ck_assert_uint_le(sls_tcp_peak_buffered(e->t), 65536);
    expect_counters(e, C(TCP_TOTAL_LIMIT, 17), END);
    sls_tcp_flush(e->t); /* 7 + 1 unfinished messages */
    expect_counters(e, C(TCP_TOTAL_LIMIT, 17), C(TCP_ABANDONED, 8), END);
    env_free(e);
}
END_TEST

START_TEST(test_hot_path_buffers_come_from_the_pool)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = invite(1);
    size_t len = strlen(m);
    /* Every segment ends inside a message: the tail is kept each time. */
    for (int i = 0; i < 1000; i++) {
        data(e, &c, CLI, m, 100, T0);
        data(e, &c, CLI, m + 100, len - 100, T0);
    }
    ck_assert_uint_eq(e->delivered, 1000);
    ck_assert_uint_eq(sls_tcp_peak_buffered(e->t), 4096);
    ck_assert_uint_eq(sls_tcp_buffered(e->t), 4096); /* one pooled buffer */
    expect_counters(e, END);
    free(m);
    env_free(e);
}
END_TEST

/* ------------------------------------------------------------ more edges */

/* The hole is in bytes dropped anyway: not waited for, nothing lost. */
START_TEST(test_hole_inside_a_message_skipped_by_length_keeps_framing_aligned)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_stream_bytes = 16384;
    env *e = env_new_cfg(&cfg);
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *body = malloc(100001);
    ck_assert_ptr_nonnull(body);
    memset(body, 'b', 100000);
    body[100000] = '\0';
    char *m = sip_msg("MESSAGE sip:bob@example.com SIP/2.0", 1, "MESSAGE", body);
    char *m2 = options(2);
    size_t len = strlen(m);
    data(e, &c, CLI, m, 30000, T0);
    c.next[CLI] += 1000; /* lost inside the body */
    for (size_t i = 31000; i < len; i += 1448)
        data(e, &c, CLI, m + i, len - i < 1448 ? len - i : 1448, T0);
    str(e, &c, CLI, m2, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, m2);
    ck_assert_uint_eq(sls_tcp_buffered(e->t) <= 4096, 1);
    expect_counters(e, C(TCP_BUFFER_LIMIT, 1), END);
    free(m);
    free(m2);
    free(body);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_gap_gives_up_the_direction)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    ws_open(e, &c);
    char *inv = invite(1);
    uint8_t f[4096];
    size_t n = ws_frame(f, 1, 1, inv, strlen(inv), MASK);
    data(e, &c, CLI, f, n, T0);
    data(e, &c, CLI, f, 50, T0);
    c.next[CLI] += (uint32_t)(n - 50);
    data(e, &c, CLI, f, n, T0); /* frame boundaries unknown after the hole */
    fin(e, &c, CLI, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_counters(e, C(TCP_GAP, 1), C(TCP_GAP_MESSAGE_CUT, 1), END);
    free(inv);
    env_free(e);
}
END_TEST

START_TEST(test_rst_frames_held_data_past_the_hole)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m1 = options(1), *m2 = invite(2), *m3 = options(3);
    lose_second_half(e, &c, m1, m2, m3, T0);
    seg_at(e, &c, SRV, c.next[SRV], SLS_TCP_RST, NULL, 0, T0 + MS); /* from the peer */
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 1, m3);
    expect_counters(e, C(TCP_GAP, 1), C(TCP_GAP_MESSAGE_CUT, 1), END);
    free(m1);
    free(m2);
    free(m3);
    env_free(e);
}
END_TEST

START_TEST(test_midstream_tls_application_data_is_tls)
{
    static const uint8_t appdata[] = {0x17, 0x03, 0x03, 0x00, 0x02, 0xab, 0xcd};
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    data(e, &c, SRV, appdata, sizeof appdata, T0);
    data(e, &c, CLI, appdata, sizeof appdata, T0);
    expect_counters(e, C(TLS_NOT_ANALYSED, 1), END);
    env_free(e);
}
END_TEST

START_TEST(test_closed_directions_are_evicted_before_live_ones)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_streams = 2;
    env *e = env_new_cfg(&cfg);
    char *m = options(1);
    conn c1 = conn_make(1, 1000, 5000), c2 = conn_make(2, 1000, 5000),
         c3 = conn_make(3, 1000, 5000), c4 = conn_make(4, 1000, 5000);
    syn(e, &c1, CLI, T0);
    str(e, &c1, CLI, m, T0);
    fin(e, &c1, CLI, T0);
    syn(e, &c2, CLI, T0 + 1);
    syn(e, &c3, CLI, T0 + 2); /* takes the closed one's place: nothing lost */
    expect_counters(e, END);
    syn(e, &c4, CLI, T0 + 3); /* evicts c2, the least recently active */
    expect_counters(e, C(TCP_STREAM_LIMIT, 1), END);
    str(e, &c3, CLI, m, T0 + 4);
    str(e, &c4, CLI, m, T0 + 4);
    ck_assert_uint_eq(e->delivered, 3);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_websocket_101_without_its_request_switches_both_directions)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    str(e, &c, SRV, WS_101, T0); /* capture started after the request */
    char *inv = invite(1), *ok = response("SIP/2.0 200 OK", 1);
    uint8_t f[4096];
    size_t n = ws_frame(f, 1, 1, inv, strlen(inv), MASK);
    data(e, &c, CLI, f, n, T0);
    n = ws_frame(f, 1, 1, ok, strlen(ok), NULL);
    data(e, &c, SRV, f, n, T0);
    ck_assert_uint_eq(e->delivered, 2);
    expect_str(e, 0, inv);
    expect_str(e, 1, ok);
    expect_counters(e, END);
    free(inv);
    free(ok);
    env_free(e);
}
END_TEST

START_TEST(test_data_far_after_a_fin_is_a_new_connection)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = options(1);
    str(e, &c, CLI, m, T0);
    fin(e, &c, CLI, T0);
    c.next[CLI] += 0x40000000u; /* its SYN was not captured */
    str(e, &c, CLI, m, T0 + SEC);
    ck_assert_uint_eq(e->delivered, 2);
    expect_counters(e, END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_data_in_the_syn_is_stream_data)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    char *m = options(1);
    /* RFC 7413 (TCP Fast Open): data after the SYN's sequence number. */
    seg_at(e, &c, CLI, c.next[CLI], SLS_TCP_SYN, m, strlen(m), T0);
    c.next[CLI] += 1 + (uint32_t)strlen(m);
    str(e, &c, CLI, m, T0);
    ck_assert_uint_eq(e->delivered, 2);
    expect_counters(e, END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_one_stream_table_still_frames_every_connection)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    cfg.max_streams = 1;
    env *e = env_new_cfg(&cfg);
    char *m = options(1);
    for (unsigned i = 1; i <= 5; i++) {
        conn c = conn_make(i, 1000, 5000);
        syn(e, &c, CLI, T0);
        str(e, &c, CLI, m, T0);
        str(e, &c, SRV, m, T0); /* each direction evicts the other */
    }
    ck_assert_uint_eq(e->delivered, 10);
    expect_counters(e, C(TCP_STREAM_LIMIT, 9), END);
    free(m);
    env_free(e);
}
END_TEST

START_TEST(test_not_sip_direction_holds_no_data)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    str(e, &c, CLI, "GET / HTTP/1.1\r\n\r\n", T0);
    uint8_t big[5000];
    memset(big, 'x', sizeof big);
    seg_at(e, &c, CLI, c.next[CLI] + 10000, SLS_TCP_ACK, big, sizeof big, T0);
    data(e, &c, CLI, big, sizeof big, T0);
    ck_assert_uint_eq(sls_tcp_buffered(e->t), 0);
    expect_counters(e, C(TCP_NOT_SIP, 1), END);
    env_free(e);
}
END_TEST

START_TEST(test_short_content_length_leaves_bytes_that_are_skipped_once)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    char *m = sip_msg("MESSAGE sip:bob@example.com SIP/2.0", 1, "MESSAGE", "abc");
    char *cl = strstr(m, "Content-Length: 3");
    ck_assert_ptr_nonnull(cl);
    cl[16] = '1'; /* says 1, carries 3 */
    char *m2 = options(2);
    char seg[4096];
    int n = snprintf(seg, sizeof seg, "%s\r\nmore body\r\n%s", m, m2);
    data(e, &c, CLI, seg, (size_t)n, T0);
    ck_assert_uint_eq(e->delivered, 2);
    ck_assert_uint_eq(e->recs[0].len, strlen(m) - 2);
    expect_str(e, 1, m2);
    expect_counters(e, C(TCP_RESYNC, 1), END);
    free(m);
    free(m2);
    env_free(e);
}
END_TEST

START_TEST(test_default_config_and_free_of_null)
{
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    ck_assert_uint_eq(cfg.max_stream_bytes, 256u * 1024u + SLS_SIPFRAME_MAX_BODY_BYTES);
    ck_assert_uint_eq(cfg.max_total_bytes, (size_t)32u << 20);
    ck_assert_uint_eq(cfg.max_streams, 65536);
    ck_assert_uint_eq(cfg.max_ooo_segments, 64);
    ck_assert_int_eq(cfg.idle_ns, 300 * SEC);
    sls_counters ctr;
    memset(&ctr, 0, sizeof ctr);
    sls_tcp_table *t = sls_tcp_table_new(NULL, &ctr, NULL, NULL);
    ck_assert_ptr_nonnull(t);
    conn c = conn_make(1, 1000, 5000);
    sls_packet p;
    memset(&p, 0, sizeof p);
    p.src = c.cli;
    p.dst = c.srv;
    p.transport = SLS_TRANSPORT_UDP; /* not ours: ignored */
    p.payload = (const uint8_t *)"x";
    p.payload_len = 1;
    sls_tcp_segment(t, &p);
    ck_assert_uint_eq(sls_tcp_buffered(t), 0);
    sls_tcp_table_free(t);
    sls_tcp_table_free(NULL);
    sls_tcp_flush(NULL);
    sls_tcp_advance(NULL, 0);
    ck_assert_uint_eq(sls_tcp_buffered(NULL), 0);
}
END_TEST

/* Merged captures from two points can show the reply first. */
START_TEST(test_websocket_reply_captured_before_its_request_is_handled)
{
    env *e = env_new();
    conn c = conn_make(1, 1000, 5000);
    handshake(e, &c, T0);
    str(e, &c, SRV, WS_101, T0);
    str(e, &c, CLI, "GE", T0);
    char *inv = invite(1);
    uint8_t f[4096];
    size_t n = ws_frame(f, 1, 1, inv, strlen(inv), MASK);
    char seg[8192];
    size_t rl = strlen(WS_REQ) - 2;
    memcpy(seg, WS_REQ + 2, rl);
    memcpy(seg + rl, f, n);
    data(e, &c, CLI, seg, rl + n, T0);
    ck_assert_uint_eq(e->delivered, 1);
    expect_str(e, 0, inv);
    expect_counters(e, END);
    free(inv);
    env_free(e);
}
END_TEST

static Suite *tcpstream_suite(void)
{
    Suite *s = suite_create("tcpstream");
    TCase *tc = tcase_create("framing");
    tcase_add_test(tc, test_several_messages_in_one_segment_are_all_delivered);
    tcase_add_test(tc, test_message_split_over_one_byte_segments_is_delivered_once_complete);
    tcase_add_loop_test(tc, test_486_sharing_a_segment_with_100_and_180_is_delivered_complete, 0, 3);
    tcase_add_test(tc, test_keepalive_crlf_between_messages_is_not_counted);
    tcase_add_test(tc, test_invalid_message_is_counted_by_reason_and_the_next_one_delivered);
    suite_add_tcase(s, tc);

    tc = tcase_create("reordering");
    tcase_add_test(tc, test_out_of_order_segments_are_delivered_in_stream_order);
    tcase_add_test(tc, test_retransmitted_segment_is_delivered_once);
    tcase_add_test(tc, test_partial_overlap_keeps_only_the_new_bytes);
    tcase_add_test(tc, test_conflicting_overlap_is_counted_and_the_first_copy_wins);
    tcase_add_test(tc, test_sequence_numbers_wrap_around_2_32_in_the_middle_of_a_message);
    suite_add_tcase(s, tc);

    tc = tcase_create("gaps");
    tcase_add_test(tc, test_gap_skipped_after_waiting_2s_of_capture_time);
    tcase_add_test(tc, test_gap_skipped_when_a_later_segment_shows_the_wait_is_over);
    tcase_add_test(tc, test_gap_skipped_at_fin_and_the_next_message_delivered);
    tcase_add_test(tc, test_gap_skipped_when_the_out_of_order_limit_is_hit);
    tcase_add_test(tc, test_gap_at_a_message_boundary_cuts_no_message);
    tcase_add_test(tc, test_flush_skips_holes_and_delivers_held_messages);
    suite_add_tcase(s, tc);

    tc = tcase_create("pickup");
    tcase_add_test(tc, test_midstream_pickup_in_a_body_skips_to_the_next_message);
    tcase_add_test(tc, test_midstream_pickup_in_a_header_line_skips_to_the_next_message);
    tcase_add_test(tc, test_midstream_pickup_at_a_message_start_counts_nothing);
    tcase_add_test(tc, test_midstream_pickup_without_sip_gives_up_after_64k);
    suite_add_tcase(s, tc);

    tc = tcase_create("endings");
    tcase_add_test(tc, test_fin_with_an_incomplete_message_counts_it_abandoned);
    tcase_add_test(tc, test_rst_ends_both_directions_and_counts_their_unfinished_messages);
    tcase_add_test(tc, test_new_syn_on_the_same_ports_starts_a_new_stream);
    tcase_add_test(tc, test_idle_direction_is_dropped_by_capture_time);
    suite_add_tcase(s, tc);

    tc = tcase_create("not_sip");
    tcase_add_test(tc, test_http_on_port_5060_is_not_sip_counted_once_per_direction);
    tcase_add_test(tc, test_tls_client_hello_is_counted_once_per_connection);
    tcase_add_test(tc, test_random_bytes_at_the_start_are_not_sip);
    tcase_add_test(tc, test_junk_between_messages_is_skipped_to_the_next_start_line);
    tcase_add_test(tc, test_zero_window_probes_are_delivered_once);
    suite_add_tcase(s, tc);

    tc = tcase_create("websocket");
    tcase_add_test(tc, test_websocket_masked_and_unmasked_text_frames_carry_invite_and_200);
    tcase_add_test(tc, test_websocket_fragmented_message_with_a_ping_between_is_reassembled);
    tcase_add_test(tc, test_websocket_64bit_length_frame_is_delivered);
    tcase_add_test(tc, test_websocket_frames_sent_before_the_101_are_framed_after_it);
    tcase_add_test(tc, test_websocket_upgrade_without_protocol_header_is_accepted);
    tcase_add_test(tc, test_websocket_refused_upgrade_is_not_sip_both_ways);
    tcase_add_test(tc, test_websocket_bad_compressed_and_non_sip_frames_are_counted);
    tcase_add_test(tc, test_websocket_frame_over_the_stream_limit_is_skipped_by_length);
    tcase_add_test(tc, test_websocket_fin_inside_a_fragmented_message_counts_it_abandoned);
    tcase_add_test(tc, test_websocket_reply_captured_before_its_request_is_handled);
    suite_add_tcase(s, tc);

    tc = tcase_create("ceilings");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_64k_body_over_many_segments_is_delivered);
    tcase_add_test(tc, test_giant_content_length_is_counted_and_resynced_without_growth);
    tcase_add_test(tc, test_content_length_over_the_stream_limit_is_skipped_by_length);
    tcase_add_test(tc, test_headers_that_never_end_are_bounded_by_the_header_cap);
    tcase_add_test(tc, test_headers_that_never_end_are_bounded_by_the_stream_limit);
    tcase_add_test(tc, test_100000_connections_with_max_streams_1000_stay_bounded);
    tcase_add_test(tc, test_total_buffer_cap_is_counted_and_held_data_dropped);
    tcase_add_test(tc, test_hot_path_buffers_come_from_the_pool);
    suite_add_tcase(s, tc);
    tc = tcase_create("edges");
    tcase_add_test(tc, test_hole_inside_a_message_skipped_by_length_keeps_framing_aligned);
    tcase_add_test(tc, test_websocket_gap_gives_up_the_direction);
    tcase_add_test(tc, test_rst_frames_held_data_past_the_hole);
    tcase_add_test(tc, test_midstream_tls_application_data_is_tls);
    tcase_add_test(tc, test_closed_directions_are_evicted_before_live_ones);
    tcase_add_test(tc, test_websocket_101_without_its_request_switches_both_directions);
    tcase_add_test(tc, test_data_far_after_a_fin_is_a_new_connection);
    tcase_add_test(tc, test_data_in_the_syn_is_stream_data);
    tcase_add_test(tc, test_one_stream_table_still_frames_every_connection);
    tcase_add_test(tc, test_not_sip_direction_holds_no_data);
    tcase_add_test(tc, test_short_content_length_leaves_bytes_that_are_skipped_once);
    tcase_add_test(tc, test_default_config_and_free_of_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(tcpstream_suite());
}
