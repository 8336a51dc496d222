/* Calls: outcome rules, timings and explanations, driven through the
 * analyzer with real SIP text in UDP payloads. */
#include "sipsleuth/analyzer.h"
#include "sipsleuth/calls.h"

#include "sls_check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define T0 (INT64_C(1700000000) * SLS_NS_PER_S)
#define MS(x) ((int64_t)(x) * 1000000)

typedef struct seen {
    size_t n;
    sls_call c[8];
    char call_id[8][64];
    char explanation[8][SLS_CALL_MAX_EXPLANATION];
} seen;

static seen got;
static sls_analyzer *an;

static void on_call(void *user, const sls_call *c)
{
    seen *s = user;
    ck_assert_uint_lt(s->n, 8);
    s->c[s->n] = *c;
    snprintf(s->call_id[s->n], 64, "%s", c->call_id);
    snprintf(s->explanation[s->n], SLS_CALL_MAX_EXPLANATION, "%s", c->explanation);
    s->n++;
}

static void setup(void)
{
    memset(&got, 0, sizeof(got));
    an = sls_analyzer_new(NULL);
    ck_assert_ptr_nonnull(an);
    sls_analyzer_on_call(an, on_call, &got);
}

static void teardown(void)
{
    sls_analyzer_free(an);
}

/* Sends one SIP message at T0 + ms, from the caller (10.0.0.1:5060) to the
 * callee (10.0.0.2:5060) or back. */
__attribute__((format(printf, 3, 4))) static void sip(int64_t ms, int from_caller,
                                                      const char *fmt, ...)
{
    static char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    ck_assert_int_lt(n, (int)sizeof(buf));
    sls_packet p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = T0 + MS(ms);
    p.transport = SLS_TRANSPORT_UDP;
    p.src.family = p.dst.family = 4;
    p.src.bytes[0] = p.dst.bytes[0] = 10;
    p.src.bytes[3] = from_caller ? 1 : 2;
    p.dst.bytes[3] = from_caller ? 2 : 1;
    p.sport = p.dport = 5060;
    p.payload = (const uint8_t *)buf;
    p.payload_len = (size_t)n;
    sls_analyzer_payload(an, &p);
}

#define HDRS(branch, cid, cseq, method, totag)                                       \
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=" branch "\r\n"                        \
    "From: <sip:alice@example.com>;tag=a1\r\n"                                     \
    "To: <sip:bob@example.com>" totag "\r\n"                                       \
    "Call-ID: " cid "\r\n"                                                         \
    "CSeq: " cseq " " method "\r\n"

static void invite(int64_t ms, const char *branch, const char *cid, int cseq)
{
    sip(ms, 1,
        "INVITE sip:bob@example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\n"
        "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
        "Call-ID: %s\r\nCSeq: %d INVITE\r\nContent-Type: application/sdp\r\n"
        "Content-Length: 104\r\n\r\n"
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        "m=audio 4000 RTP/AVP 0 8 18\r\n",
        branch, cid, cseq);
}

/* A response to the INVITE (CSeq cseq) with extra header lines. */
static void answer(int64_t ms, const char *branch, const char *cid, int cseq, int code,
                   const char *reason, const char *totag, const char *extra)
{
    sip(ms, 0,
        "SIP/2.0 %d %s\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\n"
        "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>%s%s\r\n"
        "Call-ID: %s\r\nCSeq: %d INVITE\r\nServer: TestPBX 1.0\r\n%sContent-Length: 0\r\n\r\n",
        code, reason, branch, totag[0] ? ";tag=" : "", totag, cid, cseq, extra);
}

static void ack(int64_t ms, const char *branch, const char *cid, int cseq, const char *totag)
{
    sip(ms, 1,
        "ACK sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\n"
        "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=%s\r\n"
        "Call-ID: %s\r\nCSeq: %d ACK\r\nContent-Length: 0\r\n\r\n",
        branch, totag, cid, cseq);
}

static void finish(void)
{
    sls_analyzer_finish(an);
}

/* The end of the capture as a packet of another Call-ID at ms. */
static void capture_ends_at(int64_t ms)
{
    sip(ms, 1,
        "OPTIONS sip:x@example.com SIP/2.0\r\n" HDRS("z9hG4bKend", "end", "1", "OPTIONS", "")
        "Content-Length: 0\r\n\r\n");
}

static const sls_call *call(const char *cid)
{
    for (size_t i = 0; i < got.n; i++)
        if (strcmp(got.call_id[i], cid) == 0)
            return &got.c[i];
    ck_abort_msg("no call %s", cid);
    return NULL;
}

static const char *why(const char *cid)
{
    for (size_t i = 0; i < got.n; i++)
        if (strcmp(got.call_id[i], cid) == 0)
            return got.explanation[i];
    return "";
}

START_TEST(test_answered_call_has_all_timings)
{
    invite(0, "z9hG4bK1", "c1", 1);
    answer(10, "z9hG4bK1", "c1", 1, 100, "Trying", "", "");
    answer(500, "z9hG4bK1", "c1", 1, 180, "Ringing", "b1", "");
    answer(2000, "z9hG4bK1", "c1", 1, 200, "OK", "b1", "");
    ack(2010, "z9hG4bK2", "c1", 1, "b1");
    sip(10000, 0,
        "BYE sip:alice@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK3\r\n"
        "From: <sip:bob@example.com>;tag=b1\r\nTo: <sip:alice@example.com>;tag=a1\r\n"
        "Call-ID: c1\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n");
    finish();
    const sls_call *c = call("c1");
    ck_assert_int_eq(c->outcome, SLS_OUTCOME_ANSWERED);
    ck_assert_uint_eq(c->final_code, 200);
    ck_assert_int_eq(c->pdd_ns, MS(500));
    ck_assert_int_eq(c->answer_ns, MS(2000));
    ck_assert_int_eq(c->ack_ns, MS(10));
    ck_assert_int_eq(c->duration_ns, MS(8000));
    ck_assert_int_eq(c->bye_seen, 1);
    ck_assert_int_eq(c->bye_by_caller, 0);
    ck_assert_int_eq(c->challenged, 0);
    ck_assert_str_eq(c->from_uri, "sip:alice@example.com");
    ck_assert_str_eq(c->to_uri, "sip:bob@example.com");
    ck_assert_str_eq(c->codecs, "PCMU/8000 PCMA/8000 G729/8000");
    ck_assert_str_eq(why("c1"), "");
}
END_TEST

/* Final code -> outcome, for a single attempt. */
static const struct outcome_case {
    int code;
    enum sls_outcome outcome;
} outcome_cases[] = {
    {486, SLS_OUTCOME_BUSY},        {600, SLS_OUTCOME_BUSY},
    {403, SLS_OUTCOME_REJECTED},    {603, SLS_OUTCOME_REJECTED},
    {607, SLS_OUTCOME_REJECTED},    {608, SLS_OUTCOME_REJECTED},
    {404, SLS_OUTCOME_NOT_FOUND},   {604, SLS_OUTCOME_NOT_FOUND},
    {410, SLS_OUTCOME_NOT_FOUND},   {484, SLS_OUTCOME_NOT_FOUND},
    {480, SLS_OUTCOME_UNAVAILABLE}, {503, SLS_OUTCOME_UNAVAILABLE},
    {487, SLS_OUTCOME_CANCELLED},   {408, SLS_OUTCOME_NO_ANSWER},
    {302, SLS_OUTCOME_REDIRECTED},  {300, SLS_OUTCOME_REDIRECTED},
    {401, SLS_OUTCOME_AUTH_FAILED}, {407, SLS_OUTCOME_AUTH_FAILED},
    {500, SLS_OUTCOME_FAILED},      {488, SLS_OUTCOME_FAILED},
    {502, SLS_OUTCOME_FAILED},      {606, SLS_OUTCOME_FAILED},
};

START_TEST(test_final_code_decides_outcome)
{
    const struct outcome_case *k = &outcome_cases[_i];
    invite(0, "z9hG4bK1", "c", 1);
    answer(100, "z9hG4bK1", "c", 1, k->code, "X", "b", "");
    ack(110, "z9hG4bK1", "c", 1, "b");
    finish();
    ck_assert_int_eq(call("c")->outcome, k->outcome);
    ck_assert_uint_eq(call("c")->final_code, (unsigned)k->code);
    ck_assert_str_ne(why("c"), "");
}
END_TEST

START_TEST(test_challenge_then_success_is_answered_and_challenged)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(50, "z9hG4bK1", "c", 1, 401, "Unauthorized", "x", "");
    ack(60, "z9hG4bK1", "c", 1, "x");
    invite(5000, "z9hG4bK2", "c", 2);
    answer(5300, "z9hG4bK2", "c", 2, 180, "Ringing", "b", "");
    answer(6000, "z9hG4bK2", "c", 2, 200, "OK", "b", "");
    finish();
    ck_assert_uint_eq(got.n, 1);
    const sls_call *c = call("c");
    ck_assert_int_eq(c->outcome, SLS_OUTCOME_ANSWERED);
    ck_assert_int_eq(c->challenged, 1);
    ck_assert_uint_eq(c->attempts, 2);
    /* Timed from the retry, not from the first INVITE. */
    ck_assert_int_eq(c->pdd_ns, MS(300));
    ck_assert_int_eq(c->answer_ns, MS(1000));
    ck_assert_int_eq(sls_outcome_is_failure(c->outcome), 0);
}
END_TEST

START_TEST(test_challenge_answered_again_is_auth_failed)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(50, "z9hG4bK1", "c", 1, 407, "Proxy Authentication Required", "x", "");
    invite(100, "z9hG4bK2", "c", 2);
    answer(150, "z9hG4bK2", "c", 2, 407, "Proxy Authentication Required", "x", "");
    finish();
    ck_assert_int_eq(call("c")->outcome, SLS_OUTCOME_AUTH_FAILED);
    ck_assert_int_eq(call("c")->challenged, 1);
    ck_assert_ptr_nonnull(strstr(why("c"), "challenged again"));
}
END_TEST

START_TEST(test_403_after_challenge_is_auth_failed)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(50, "z9hG4bK1", "c", 1, 401, "Unauthorized", "x", "");
    invite(100, "z9hG4bK2", "c", 2);
    answer(150, "z9hG4bK2", "c", 2, 403, "Forbidden", "x", "");
    finish();
    ck_assert_int_eq(call("c")->outcome, SLS_OUTCOME_AUTH_FAILED);
    ck_assert_ptr_nonnull(strstr(why("c"), "refused"));
}
END_TEST

START_TEST(test_retry_after_a_long_password_prompt_stays_one_call)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(50, "z9hG4bK1", "c", 1, 407, "Proxy Authentication Required", "x", "");
    invite(40000, "z9hG4bK2", "c", 2); /* 40 s later: longer than the linger */
    answer(40100, "z9hG4bK2", "c", 2, 200, "OK", "b", "");
    finish();
    ck_assert_uint_eq(got.n, 1);
    ck_assert_int_eq(call("c")->outcome, SLS_OUTCOME_ANSWERED);
    ck_assert_int_eq(call("c")->challenged, 1);
}
END_TEST

START_TEST(test_cancel_without_final_is_cancelled)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(100, "z9hG4bK1", "c", 1, 180, "Ringing", "b", "");
    sip(3000, 1,
        "CANCEL sip:bob@example.com SIP/2.0\r\n" HDRS("z9hG4bK1", "c", "1", "CANCEL", "")
        "Content-Length: 0\r\n\r\n");
    finish();
    ck_assert_int_eq(call("c")->outcome, SLS_OUTCOME_CANCELLED);
    ck_assert_int_eq(call("c")->cancel_seen, 1);
    ck_assert_int_eq(call("c")->ringing, 1);
}
END_TEST

START_TEST(test_unanswered_invite_is_no_answer_after_timer_b)
{
    invite(0, "z9hG4bK1", "c", 1);
    invite(500, "z9hG4bK1", "c", 1);
    invite(1500, "z9hG4bK1", "c", 1);
    capture_ends_at(40000);
    finish();
    const sls_call *c = call("c");
    ck_assert_int_eq(c->outcome, SLS_OUTCOME_NO_ANSWER);
    ck_assert_uint_eq(c->invite_retrans, 2);
    ck_assert_ptr_nonnull(strstr(why("c"), "sent 3 times"));
    ck_assert_ptr_nonnull(strstr(why("c"), "unreachable"));
}
END_TEST

START_TEST(test_unanswered_invite_is_in_progress_when_capture_ends_first)
{
    invite(0, "z9hG4bK1", "c", 1);
    capture_ends_at(5000);
    finish();
    ck_assert_int_eq(call("c")->outcome, SLS_OUTCOME_IN_PROGRESS);
    ck_assert_int_eq(sls_outcome_is_failure(call("c")->outcome), 0);
}
END_TEST

START_TEST(test_failure_after_early_media_with_q850_reason)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(200, "z9hG4bK1", "c", 1, 183, "Session Progress", "b", "");
    answer(4000, "z9hG4bK1", "c", 1, 503, "Service Unavailable", "b",
           "Reason: Q.850;cause=34;text=\"No circuit/channel available\"\r\n"
           "Retry-After: 120\r\n");
    finish();
    const sls_call *c = call("c");
    ck_assert_int_eq(c->outcome, SLS_OUTCOME_UNAVAILABLE);
    ck_assert_int_eq(c->early_media, 1);
    ck_assert_int_eq(c->pdd_ns, MS(200));
    ck_assert_int_eq(c->has_reason, 1);
    ck_assert_uint_eq(c->reason.cause, 34);
    ck_assert_int_eq(c->has_retry_after, 1);
    ck_assert_uint_eq(c->retry_after_s, 120);
    ck_assert_str_eq(c->responder_agent, "TestPBX 1.0");
    const char *w = why("c");
    ck_assert_ptr_nonnull(strstr(w, "early media"));
    ck_assert_ptr_nonnull(strstr(w, "Q.850 cause 34"));
    ck_assert_ptr_nonnull(strstr(w, "retry after 120 s"));
    ck_assert_ptr_nonnull(strstr(w, "10.0.0.2:5060"));
}
END_TEST

/* A call's record is cleared only where it is read before written: a call
 * in the slot a failed call with a reason, warning, Retry-After, agent,
 * codecs and early media left starts with all of them zero or empty. */
START_TEST(test_recycled_call_slot_starts_from_zero)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(200, "z9hG4bK1", "c", 1, 183, "Session Progress", "b", "");
    answer(4000, "z9hG4bK1", "c", 1, 503, "Service Unavailable", "b",
           "Reason: Q.850;cause=34;text=\"No circuit/channel available\"\r\n"
           "Warning: 304 pbx.example.com \"Media type not available\"\r\n"
           "Retry-After: 120\r\n");
    /* Long after: "c" is gone when "d" comes, which takes its slot. */
    sip(60000, 1,
        "INVITE sip:bob@example.com SIP/2.0\r\n" HDRS("z9hG4bK2", "d", "1", "INVITE", "")
        "Content-Length: 0\r\n\r\n");
    ck_assert_uint_eq(got.n, 1);
    finish();
    ck_assert_uint_eq(got.n, 2);
    const sls_call *c = call("c");
    ck_assert_int_eq(c->has_reason, 1);
    ck_assert_int_eq(c->has_warning, 1);
    ck_assert_str_eq(c->responder_agent, "TestPBX 1.0");
    ck_assert_str_ne(c->codecs, "");
    const sls_call *d = call("d");
    ck_assert_int_eq(d->outcome, SLS_OUTCOME_IN_PROGRESS);
    ck_assert_uint_eq(d->final_code, 0);
    ck_assert_str_eq(d->final_reason, "");
    ck_assert_str_eq(d->responder_agent, "");
    ck_assert_str_eq(d->codecs, "");
    ck_assert_str_eq(d->from_uri, "sip:alice@example.com");
    ck_assert_int_eq(d->has_reason, 0);
    ck_assert_int_eq(d->has_warning, 0);
    ck_assert_int_eq(d->has_retry_after, 0);
    ck_assert_uint_eq(d->reason.cause, 0);
    ck_assert_str_eq(d->reason.text, "");
    ck_assert_uint_eq(d->warning.code, 0);
    ck_assert_uint_eq(d->retry_after_s, 0);
    ck_assert_int_eq(d->early_media, 0);
    ck_assert_int_eq(d->ringing, 0);
    ck_assert_int_eq(d->challenged, 0);
    ck_assert_uint_eq(d->responder_port, 0);
    ck_assert_uint_eq(d->responder.family, 0);
    ck_assert_uint_eq(d->prov_before_final, 0);
    ck_assert_uint_eq(d->dialogs, 0);
    ck_assert_uint_eq(d->attempts, 1);
    ck_assert_int_eq(d->pdd_ns, -1);
    ck_assert_int_eq(d->bye_seen, 0);
}
END_TEST

START_TEST(test_488_lists_offered_codecs_and_warning)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(100, "z9hG4bK1", "c", 1, 488, "Not Acceptable Here", "b",
           "Warning: 304 pbx.example.com \"Media type not available\"\r\n");
    finish();
    const sls_call *c = call("c");
    ck_assert_int_eq(c->outcome, SLS_OUTCOME_FAILED);
    ck_assert_int_eq(c->has_warning, 1);
    ck_assert_uint_eq(c->warning.code, 304);
    const char *w = why("c");
    ck_assert_ptr_nonnull(strstr(w, "PCMU/8000 PCMA/8000 G729/8000"));
    ck_assert_ptr_nonnull(strstr(w, "Warning 304"));
}
END_TEST

START_TEST(test_forked_early_dialogs_are_counted)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(100, "z9hG4bK1", "c", 1, 180, "Ringing", "b1", "");
    answer(120, "z9hG4bK1", "c", 1, 180, "Ringing", "b2", "");
    answer(900, "z9hG4bK1", "c", 1, 200, "OK", "b2", "");
    finish();
    ck_assert_uint_eq(got.n, 1);
    ck_assert_uint_eq(call("c")->dialogs, 2);
    ck_assert_int_eq(call("c")->outcome, SLS_OUTCOME_ANSWERED);
}
END_TEST

START_TEST(test_bye_answered_481_is_explained)
{
    invite(0, "z9hG4bK1", "c", 1);
    answer(900, "z9hG4bK1", "c", 1, 200, "OK", "b", "");
    sip(5000, 1,
        "BYE sip:bob@10.0.0.2 SIP/2.0\r\n" HDRS("z9hG4bK9", "c", "2", "BYE", ";tag=b")
        "Content-Length: 0\r\n\r\n");
    sip(5010, 0,
        "SIP/2.0 481 Call/Transaction Does Not Exist\r\n" HDRS("z9hG4bK9", "c", "2", "BYE", ";tag=b")
        "Content-Length: 0\r\n\r\n");
    finish();
    const sls_call *c = call("c");
    ck_assert_int_eq(c->outcome, SLS_OUTCOME_ANSWERED);
    ck_assert_uint_eq(c->bye_code, 481);
    ck_assert_int_eq(c->bye_by_caller, 1);
    ck_assert_int_eq(c->duration_ns, MS(4100));
    ck_assert_ptr_nonnull(strstr(why("c"), "481"));
}
END_TEST

START_TEST(test_requests_outside_a_call_make_no_call)
{
    sip(0, 1,
        "REGISTER sip:example.com SIP/2.0\r\n" HDRS("z9hG4bK1", "r", "1", "REGISTER", "")
        "Content-Length: 0\r\n\r\n");
    sip(10, 1,
        "BYE sip:bob@example.com SIP/2.0\r\n" HDRS("z9hG4bK2", "mid", "5", "BYE", ";tag=b")
        "Content-Length: 0\r\n\r\n");
    finish();
    ck_assert_uint_eq(got.n, 0);
}
END_TEST

START_TEST(test_open_calls_are_bounded_and_evictions_counted)
{
    sls_analyzer_free(an);
    sls_config cfg;
    sls_config_default(&cfg);
    cfg.calls.max_open = 2;
    an = sls_analyzer_new(&cfg);
    sls_analyzer_on_call(an, on_call, &got);
    invite(0, "z9hG4bKa", "a", 1);
    invite(1, "z9hG4bKb", "b", 1);
    invite(2, "z9hG4bKc", "c", 1);
    ck_assert_uint_eq(got.n, 1);
    ck_assert_int_eq(got.c[0].evicted, 1);
    ck_assert_str_eq(got.call_id[0], "a");
    finish();
    const sls_summary *s = sls_analyzer_summary(an);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_CALL_EVICTED], 1);
    ck_assert_uint_eq(s->calls, 3);
    ck_assert_uint_eq(s->calls_peak_open, 2);
}
END_TEST

START_TEST(test_summary_ratios)
{
    invite(0, "z9hG4bK1", "ok", 1);
    answer(100, "z9hG4bK1", "ok", 1, 200, "OK", "b", "");
    invite(0, "z9hG4bK2", "busy", 1);
    answer(100, "z9hG4bK2", "busy", 1, 486, "Busy Here", "b", "");
    invite(0, "z9hG4bK3", "nf", 1);
    answer(100, "z9hG4bK3", "nf", 1, 404, "Not Found", "b", "");
    invite(0, "z9hG4bK4", "err", 1);
    answer(100, "z9hG4bK4", "err", 1, 500, "Server Internal Error", "b", "");
    finish();
    const sls_summary *s = sls_analyzer_summary(an);
    ck_assert_uint_eq(s->calls, 4);
    ck_assert_uint_eq(sls_summary_call_attempts(s), 4);
    ck_assert_double_eq_tol(sls_summary_asr(s), 0.25, 1e-9);
    ck_assert_double_eq_tol(sls_summary_ner(s), 0.5, 1e-9);
    ck_assert_uint_eq(s->calls_failed, 2);
    ck_assert_uint_eq(s->outcomes[SLS_OUTCOME_NOT_FOUND], 1);
}
END_TEST

START_TEST(test_outcome_names_round_trip)
{
    for (int o = 0; o < SLS_OUTCOME_COUNT; o++)
        ck_assert_int_eq(sls_outcome_from_name(sls_outcome_name((enum sls_outcome)o)), o);
    ck_assert_int_eq(sls_outcome_from_name("nope"), -1);
}
END_TEST


/* ------------------------------------------ the table itself, directly */

typedef struct call_log {
    size_t n;
    size_t bad;           /* calls reported with another call's data */
    size_t id_len[4];
    enum sls_outcome outcome[4];
} call_log;

/* Call "k-<i>" is answered when i is even and busy when odd: each report
 * must say so, whatever slot it lived in. */
static void on_direct(void *user, const sls_call *c)
{
    call_log *l = user;
    const char *dash = strrchr(c->call_id, '-');
    long i = dash != NULL ? strtol(dash + 1, NULL, 10) : -1;
    enum sls_outcome want = i % 2 == 0 ? SLS_OUTCOME_ANSWERED : SLS_OUTCOME_BUSY;
    if (i < 0 || c->outcome != want || c->final_code != (i % 2 == 0 ? 200u : 486u))
        l->bad++;
    if (l->n < 4) {
        l->id_len[l->n] = strlen(c->call_id);
        l->outcome[l->n] = c->outcome;
    }
    l->n++;
}

static sls_sipmsg direct_msg(const char *cid, int is_request, unsigned status)
{
    sls_sipmsg m;
    memset(&m, 0, sizeof(m));
    const sls_str e = {"", 0};
    m.method_name = e;
    m.reason = e;
    m.request_uri = e;
    m.branch = e;
    m.via_sent_by = e;
    m.via_transport = e;
    m.from_tag = e;
    m.to_tag = e;
    m.user_agent = e;
    m.server = e;
    m.is_request = (uint8_t)is_request;
    m.method = SLS_METHOD_INVITE;
    m.cseq_method = SLS_METHOD_INVITE;
    m.call_id = (sls_str){cid, strlen(cid)};
    m.cseq = 1;
    m.status = status;
    if (!is_request)
        m.to_tag = (sls_str){"b", 1};
    return m;
}

static void direct_call(sls_call_table *t, const char *cid, int64_t ms, unsigned code)
{
    sls_packet p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = T0 + MS(ms);
    sls_sipmsg inv = direct_msg(cid, 1, 0);
    ck_assert_int_eq(sls_call_table_message(t, &inv, &p, SLS_TXN_EV_REQUEST, NULL), 0);
    sls_sipmsg fin = direct_msg(cid, 0, code);
    ck_assert_int_eq(sls_call_table_message(t, &fin, &p, SLS_TXN_EV_FINAL, NULL), 0);
}

/* Calls live in slots reused as calls end: over generations of calls
 * that overlap, each is reported once with its own Call-ID and outcome. */
START_TEST(test_call_slots_reused_keep_each_call_its_own)
{
    call_log l = {0};
    sls_counters c;
    memset(&c, 0, sizeof(c));
    sls_call_table *t = sls_call_table_new(NULL, &c, on_direct, &l);
    char id[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(id, sizeof(id), "k-%d", i);
        /* 100 calls a second: failures (4 s) and answered calls (4 h)
         * overlap and end in another order than they began. */
        direct_call(t, id, i * 10, i % 2 == 0 ? 200 : 486);
    }
    ck_assert_uint_gt(l.n, 1000); /* the busy ones ended while others began */
    sls_call_table_flush(t, T0 + MS(40000));
    ck_assert_uint_eq(l.n, 3000);
    ck_assert_uint_eq(l.bad, 0);
    /* All the answered calls, and the busy ones of the last 4 s. */
    ck_assert_uint_eq(sls_call_table_peak(t), 1500 + 200);
    sls_call_table_free(t);
}
END_TEST

/* A Call-ID longer than a slot holds is kept outside it, whole. */
START_TEST(test_long_call_id_outside_the_slot)
{
    call_log l = {0};
    sls_counters c;
    memset(&c, 0, sizeof(c));
    sls_call_table *t = sls_call_table_new(NULL, &c, on_direct, &l);
    static char id[1001];
    memset(id, 'x', sizeof(id) - 1);
    id[sizeof(id) - 3] = '-';
    id[sizeof(id) - 2] = '1';
    direct_call(t, id, 0, 486);
    direct_call(t, "k-2", 0, 200);
    sls_call_table_flush(t, T0 + MS(1000));
    ck_assert_uint_eq(l.n, 2);
    ck_assert_uint_eq(l.bad, 0);
    ck_assert_uint_eq(l.id_len[0], sizeof(id) - 1);
    sls_call_table_free(t);
}
END_TEST

/* Each call is charged 1424 bytes and its Call-ID (the first layout's
 * malloc) against max_bytes, so the ceiling evicts as it did. */
START_TEST(test_call_byte_ceiling_charges_as_the_first_layout)
{
    call_log l = {0};
    sls_counters c;
    memset(&c, 0, sizeof(c));
    sls_call_config cfg;
    sls_call_config_default(&cfg);
    char id[16];
    /* Three calls of "k-0n" (1424 + 5 bytes with its NUL) fit exactly;
     * one byte less and only two do. */
    for (size_t less = 0; less < 2; less++) {
        memset(&c, 0, sizeof(c));
        cfg.max_bytes = 3 * (1424 + 5) - less;
        sls_call_table *t = sls_call_table_new(&cfg, &c, on_direct, &l);
        for (int i = 0; i < 5; i++) {
            snprintf(id, sizeof(id), "k-0%d", i);
            direct_call(t, id, i, 200);
        }
        ck_assert_uint_eq(c.v[SLS_CTR_CALL_EVICTED], 2 + less);
        sls_call_table_free(t);
    }
}
END_TEST

/* The look-ahead hint: one hash per Call-ID value. */
START_TEST(test_call_id_hint)
{
    ck_assert_uint_eq(sls_call_table_hash("a@h", 3), sls_call_table_hash("a@h", 3));
    ck_assert_uint_ne(sls_call_table_hash("a@h", 3), sls_call_table_hash("b@h", 3));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("calls");
    TCase *tc = tcase_create("outcomes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_answered_call_has_all_timings);
    tcase_add_loop_test(tc, test_final_code_decides_outcome, 0,
                        (int)(sizeof(outcome_cases) / sizeof(outcome_cases[0])));
    tcase_add_test(tc, test_challenge_then_success_is_answered_and_challenged);
    tcase_add_test(tc, test_challenge_answered_again_is_auth_failed);
    tcase_add_test(tc, test_403_after_challenge_is_auth_failed);
    tcase_add_test(tc, test_retry_after_a_long_password_prompt_stays_one_call);
    tcase_add_test(tc, test_cancel_without_final_is_cancelled);
    tcase_add_test(tc, test_unanswered_invite_is_no_answer_after_timer_b);
    tcase_add_test(tc, test_unanswered_invite_is_in_progress_when_capture_ends_first);
    tcase_add_test(tc, test_failure_after_early_media_with_q850_reason);
    tcase_add_test(tc, test_488_lists_offered_codecs_and_warning);
    tcase_add_test(tc, test_recycled_call_slot_starts_from_zero);
    tcase_add_test(tc, test_forked_early_dialogs_are_counted);
    tcase_add_test(tc, test_bye_answered_481_is_explained);
    tcase_add_test(tc, test_requests_outside_a_call_make_no_call);
    tcase_add_test(tc, test_open_calls_are_bounded_and_evictions_counted);
    tcase_add_test(tc, test_summary_ratios);
    tcase_add_test(tc, test_outcome_names_round_trip);
    tcase_add_test(tc, test_call_id_hint);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("storage");
    tcase_add_test(st, test_call_slots_reused_keep_each_call_its_own);
    tcase_add_test(st, test_long_call_id_outside_the_slot);
    tcase_add_test(st, test_call_byte_ceiling_charges_as_the_first_layout);
    suite_add_tcase(s, st);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
