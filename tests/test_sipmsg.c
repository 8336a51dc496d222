/* Check suite for src/sipmsg.c: the libosip2 adapter, and the RFC 4475
 * torture messages through framer and adapter.
 *
 * Inputs end right before an unreadable page, as in test_sipframe.c. Run
 * under valgrind with CK_FORK=no to see leaks inside libosip2 calls. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "sipsleuth/sipmsg.h"

#include "sls_check.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef SLS_SHARED_DIR
#define SLS_SHARED_DIR "../shared"
#endif

/* ------------------------------------------------------------ guard page */

typedef struct guarded {
    void *map;
    size_t maplen;
    const char *p;
} guarded;

static const char *guard_put(guarded *g, const void *data, size_t n)
{
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (n + ps - 1) / ps + 1;
    g->maplen = pages * ps;
    g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(g->map, MAP_FAILED);
    char *guard = (char *)g->map + (pages - 1) * ps;
    char *dst = guard - n;
    if (n > 0)
        memcpy(dst, data, n);
    ck_assert_int_eq(mprotect(guard, ps, PROT_NONE), 0);
    if (pages > 1)
        ck_assert_int_eq(mprotect(g->map, (pages - 1) * ps, PROT_READ), 0);
    g->p = dst;
    return dst;
}

static void guard_free(guarded *g)
{
    if (g->map != NULL)
        munmap(g->map, g->maplen);
    g->map = NULL;
}

/* ------------------------------------------------------------- fixture */

static sls_sipparser *parser;
static sls_sipframe frame;
static sls_sipmsg msg;
static guarded buf;

static void setup(void)
{
    parser = sls_sipparser_new();
    ck_assert_ptr_nonnull(parser);
    buf.map = NULL;
}

static void teardown(void)
{
    sls_sipparser_free(parser);
    parser = NULL;
    guard_free(&buf);
}

/* Frames text as a datagram (which must succeed) and parses it. */
static int parse_text(const char *text)
{
    guard_free(&buf);
    size_t n = strlen(text);
    guard_put(&buf, text, n);
    int r = sls_sipframe_parse(buf.p, n, SLS_FRAME_DATAGRAM, &frame);
    ck_assert_msg(r > 0, "framing failed: %d (%s)", r, sls_counter_name((enum sls_counter)-r));
    return sls_sipparser_parse(parser, &frame, &msg);
}

static int str_eq(sls_str s, const char *lit)
{
    return s.p != NULL && s.n == strlen(lit) && strcmp(s.p, lit) == 0;
}

#define ck_assert_str_field(s, lit) \
    ck_assert_msg(str_eq((s), (lit)), "field \"%s\" (n=%zu) != \"%s\"", (s).p, (s).n, (lit))

#define ck_assert_reason(r, ctr) \
    ck_assert_msg((r) == -(ctr), "got %d (%s), expected %s", (r), \
                  (r) < 0 ? sls_counter_name((enum sls_counter)-(r)) : "accepted", \
                  sls_counter_name(ctr))

/* Every sls_str of a parsed message is a proper C string. */
static void assert_strings_sane(const sls_sipmsg *m)
{
    const sls_str *all[] = {&m->method_name, &m->reason, &m->request_uri, &m->call_id,
                            &m->branch, &m->via_sent_by, &m->via_transport, &m->from_tag,
                            &m->to_tag, &m->user_agent, &m->server};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        ck_assert_ptr_nonnull(all[i]->p);
        ck_assert_uint_eq(strlen(all[i]->p), all[i]->n);
        ck_assert_uint_le(all[i]->n, SLS_SIPMSG_MAX_FIELD);
    }
}

/* A message template: %s slots are, in order, the start line and the
 * Via, From, To, Call-ID and CSeq header lines (each with its CRLF, or ""
 * to leave the header out). */
static const char *build(const char *start, const char *via, const char *from, const char *to,
                         const char *callid, const char *cseq)
{
    static char out[65536];
    snprintf(out, sizeof out, "%s\r\n%s%s%s%s%sMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
             start, via, from, to, callid, cseq);
    return out;
}

#define START "INVITE sip:bob@biloxi.example.com SIP/2.0"
#define VIA "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
#define FROM "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
#define TO "To: Bob <sip:bob@biloxi.example.com>\r\n"
#define CALLID "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
#define CSEQ "CSeq: 314159 INVITE\r\n"

/* -------------------------------------------------------------- methods */

START_TEST(test_method_table)
{
    static const char *const names[] = {
#define NAME(m) #m,
        SLS_METHOD_MAP(NAME)
#undef NAME
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum sls_method m = sls_method_from_token(names[i], strlen(names[i]));
        ck_assert_int_eq(m, (int)i + 1);
        ck_assert_str_eq(sls_method_name(m), names[i]);
    }
    /* RFC 3261 7.1: case-sensitive. */
    ck_assert_int_eq(sls_method_from_token("invite", 6), SLS_METHOD_OTHER);
    ck_assert_int_eq(sls_method_from_token("INVITEX", 7), SLS_METHOD_OTHER);
    ck_assert_int_eq(sls_method_from_token("INVIT", 5), SLS_METHOD_OTHER);
    ck_assert_int_eq(sls_method_from_token("INVITE", 5), SLS_METHOD_OTHER);
    ck_assert_int_eq(sls_method_from_token("", 0), SLS_METHOD_OTHER);
    ck_assert_int_eq(sls_method_from_token(NULL, 0), SLS_METHOD_OTHER);
    ck_assert_str_eq(sls_method_name(SLS_METHOD_OTHER), "OTHER");
    ck_assert_str_eq(sls_method_name((enum sls_method)999), "OTHER");
}
END_TEST

START_TEST(test_parser_free_null)
{
    sls_sipparser_free(NULL);
}
END_TEST

/* ----------------------------------------------------------- good input */

START_TEST(test_parse_invite_every_field)
{
    const char *m = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds\r\n"
                    "Max-Forwards: 70\r\n"
                    "To: Bob <sip:bob@biloxi.example.com>\r\n"
                    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                    "CSeq: 314159 INVITE\r\n"
                    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                    "User-Agent: Softphone Beta1.5\r\n"
                    "Content-Type: application/sdp\r\n"
                    "Content-Length: 4\r\n"
                    "\r\n"
                    "v=0\n";
    ck_assert_int_eq(parse_text(m), 0);
    ck_assert_uint_eq(msg.is_request, 1);
    ck_assert_int_eq(msg.method, SLS_METHOD_INVITE);
    ck_assert_str_field(msg.method_name, "INVITE");
    ck_assert_str_field(msg.request_uri, "sip:bob@biloxi.example.com");
    ck_assert_uint_eq(msg.status, 0);
    ck_assert_str_field(msg.reason, "");
    ck_assert_str_field(msg.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
    ck_assert_uint_eq(msg.cseq, 314159);
    ck_assert_int_eq(msg.cseq_method, SLS_METHOD_INVITE);
    ck_assert_str_field(msg.branch, "z9hG4bK776asdhds");
    ck_assert_str_field(msg.via_sent_by, "pc33.atlanta.example.com:5060");
    ck_assert_str_field(msg.via_transport, "UDP");
    ck_assert_str_field(msg.from_tag, "1928301774");
    ck_assert_str_field(msg.to_tag, "");
    ck_assert_str_field(msg.user_agent, "Softphone Beta1.5");
    ck_assert_str_field(msg.server, "");
    ck_assert_ptr_eq(msg.frame, &frame);
    assert_strings_sane(&msg);
}
END_TEST

START_TEST(test_parse_180_and_200)
{
    const char *r180 = "SIP/2.0 180 Ringing\r\n"
                       "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;"
                       "received=192.0.2.1\r\n"
                       "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
                       "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                       "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                       "Contact: <sip:bob@192.0.2.4>\r\n"
                       "CSeq: 314159 INVITE\r\n"
                       "Server: Bob's phone/2.0\r\n"
                       "Content-Length: 0\r\n"
                       "\r\n";
    ck_assert_int_eq(parse_text(r180), 0);
    ck_assert_uint_eq(msg.is_request, 0);
    ck_assert_uint_eq(msg.status, 180);
    ck_assert_str_field(msg.reason, "Ringing");
    ck_assert_int_eq(msg.method, SLS_METHOD_INVITE);
    ck_assert_str_field(msg.method_name, "INVITE");
    ck_assert_str_field(msg.request_uri, "");
    ck_assert_uint_eq(msg.cseq, 314159);
    ck_assert_int_eq(msg.cseq_method, SLS_METHOD_INVITE);
    ck_assert_str_field(msg.branch, "z9hG4bK776asdhds");
    ck_assert_str_field(msg.via_sent_by, "pc33.atlanta.example.com");
    ck_assert_str_field(msg.from_tag, "1928301774");
    ck_assert_str_field(msg.to_tag, "a6c85cf");
    ck_assert_str_field(msg.server, "Bob's phone/2.0");
    ck_assert_str_field(msg.user_agent, "");
    assert_strings_sane(&msg);

    const char *r200 = "SIP/2.0 200 OK\r\n"
                       "v: SIP/2.0/TCP client.biloxi.example.com:5061;branch=z9hG4bKnashds7\r\n"
                       "t: Bob <sip:bob@biloxi.example.com>;tag=2493k59kd\r\n"
                       "f: Bob <sip:bob@biloxi.example.com>;tag=456248\r\n"
                       "i: 843817637684230@998sdasdh09\r\n"
                       "CSeq: 1826 REGISTER\r\n"
                       "Contact: <sip:bob@192.0.2.4>\r\n"
                       "Expires: 7200\r\n"
                       "l: 0\r\n"
                       "\r\n";
    ck_assert_int_eq(parse_text(r200), 0);
    ck_assert_uint_eq(msg.status, 200);
    ck_assert_str_field(msg.reason, "OK");
    ck_assert_int_eq(msg.method, SLS_METHOD_REGISTER);
    ck_assert_str_field(msg.method_name, "REGISTER");
    ck_assert_str_field(msg.call_id, "843817637684230@998sdasdh09");
    ck_assert_uint_eq(msg.cseq, 1826);
    ck_assert_str_field(msg.via_sent_by, "client.biloxi.example.com:5061");
    ck_assert_str_field(msg.via_transport, "TCP");
    ck_assert_str_field(msg.branch, "z9hG4bKnashds7");
    ck_assert_str_field(msg.from_tag, "456248");
    ck_assert_str_field(msg.to_tag, "2493k59kd");
    assert_strings_sane(&msg);
}
END_TEST

START_TEST(test_parse_unknown_methods)
{
    /* Request with an extension method: OTHER, the token kept. */
    ck_assert_int_eq(parse_text(build("FOO sip:a@b SIP/2.0", VIA, FROM, TO, CALLID,
                                      "CSeq: 7 FOO\r\n")),
                     0);
    ck_assert_int_eq(msg.method, SLS_METHOD_OTHER);
    ck_assert_str_field(msg.method_name, "FOO");
    ck_assert_int_eq(msg.cseq_method, SLS_METHOD_OTHER);
    /* Response to one: the CSeq method names it. */
    ck_assert_int_eq(parse_text(build("SIP/2.0 501 Not Implemented", VIA, FROM, TO, CALLID,
                                      "CSeq: 7 FOO\r\n")),
                     0);
    ck_assert_int_eq(msg.method, SLS_METHOD_OTHER);
    ck_assert_str_field(msg.method_name, "FOO");
}
END_TEST

/* ------------------------------------------------------ missing headers */

START_TEST(test_parse_missing_headers)
{
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, "", CSEQ)), SLS_CTR_SIP_NO_CALL_ID);
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, CALLID, "")), SLS_CTR_SIP_NO_CSEQ);
    ck_assert_reason(parse_text(build(START, "", FROM, TO, CALLID, CSEQ)), SLS_CTR_SIP_NO_VIA);
    ck_assert_reason(parse_text(build(START, VIA, "", TO, CALLID, CSEQ)), SLS_CTR_SIP_NO_FROM);
    ck_assert_reason(parse_text(build(START, VIA, FROM, "", CALLID, CSEQ)), SLS_CTR_SIP_NO_TO);
    ck_assert_int_eq(parse_text(build(START, VIA, FROM, TO, CALLID, CSEQ)), 0);
}
END_TEST

START_TEST(test_parse_duplicate_headers)
{
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, CALLID CALLID, CSEQ)),
                     SLS_CTR_SIP_MULTIPLE_CALL_ID);
    /* Full and compact form of the same header are the same header. */
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, CALLID "i: other@h\r\n", CSEQ)),
                     SLS_CTR_SIP_MULTIPLE_CALL_ID);
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, CALLID, CSEQ "CSeq: 2 INVITE\r\n")),
                     SLS_CTR_SIP_MULTIPLE_CSEQ);
    ck_assert_reason(parse_text(build(START, VIA, FROM "f: <sip:x@y>;tag=2\r\n", TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_BAD_FROM);
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO "To: <sip:x@y>\r\n", CALLID, CSEQ)),
                     SLS_CTR_SIP_BAD_TO);
}
END_TEST

/* -------------------------------------------------------------- Call-ID */

START_TEST(test_parse_call_id)
{
    ck_assert_int_eq(parse_text(build(START, VIA, FROM, TO, "Call-ID: justaword\r\n", CSEQ)), 0);
    ck_assert_str_field(msg.call_id, "justaword");
    /* RFC 4475 3.1.1.2 intmeth: odd but legal word characters, kept whole. */
    ck_assert_int_eq(parse_text(build(START, VIA, FROM, TO,
                                      "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\r\n",
                                      CSEQ)),
                     0);
    ck_assert_str_field(msg.call_id, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, "Call-ID:\r\n", CSEQ)),
                     SLS_CTR_SIP_BAD_CALL_ID);
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, "Call-ID: a b\r\n", CSEQ)),
                     SLS_CTR_SIP_BAD_CALL_ID);
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, "Call-ID: @host\r\n", CSEQ)),
                     SLS_CTR_SIP_BAD_CALL_ID);
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, "Call-ID: a\r\n b\r\n", CSEQ)),
                     SLS_CTR_SIP_BAD_CALL_ID);
}
END_TEST

/* ----------------------------------------------------------------- CSeq */

typedef struct cseq_case {
    const char *line;
    int expect;        /* 0 or the counter */
    uint32_t number;   /* when accepted */
} cseq_case;

static const cseq_case cseq_cases[] = {
    {"CSeq: 1 INVITE\r\n", 0, 1},
    {"CSeq: 0 INVITE\r\n", 0, 0},
    {"CSeq: 0009 INVITE\r\n", 0, 9},
    {"CSeq: 2147483647 INVITE\r\n", 0, 2147483647u},
    {"cseq: 0009\r\n  INVITE\r\n", 0, 9}, /* RFC 4475 wsinv: folded */
    {"CSeq:    1   INVITE   \r\n", 0, 1},
    {"CSeq: 2147483648 INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},  /* 2^31 */
    {"CSeq: 4294967297 INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},  /* 2^32+1 */
    {"CSeq: 36893488147419103232 INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0}, /* scalar02 */
    {"CSeq: 000000000000002147483647 INVITE\r\n", 0, 2147483647u}, /* 1*DIGIT */
    {"CSeq: 000000000002147483648 INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: abc INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: -1 INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: +1 INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: 1x INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: 1\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: INVITE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq:\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: 1 INVITE x\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: 1 INV\"TE\r\n", SLS_CTR_SIP_BAD_CSEQ, 0},
    {"CSeq: 1 OPTIONS\r\n", SLS_CTR_SIP_CSEQ_METHOD_MISMATCH, 0},
    {"CSeq: 1 invite\r\n", SLS_CTR_SIP_CSEQ_METHOD_MISMATCH, 0}, /* case-sensitive */
    {"CSeq: 1 INVITEX\r\n", SLS_CTR_SIP_CSEQ_METHOD_MISMATCH, 0},
};

START_TEST(test_parse_cseq_table)
{
    const cseq_case *c = &cseq_cases[_i];
    int r = parse_text(build(START, VIA, FROM, TO, CALLID, c->line));
    if (c->expect == 0) {
        ck_assert_msg(r == 0, "%s: %d", c->line, r);
        ck_assert_uint_eq(msg.cseq, c->number);
        ck_assert_int_eq(msg.cseq_method, SLS_METHOD_INVITE);
    } else {
        ck_assert_msg(r == -c->expect, "%s: %d, expected %s", c->line, r,
                      sls_counter_name((enum sls_counter)c->expect));
    }
}
END_TEST

START_TEST(test_parse_cseq_response_range)
{
    /* The number checks hold for responses too (RFC 4475 3.1.2.5). */
    ck_assert_reason(parse_text(build("SIP/2.0 503 Service Unavailable", VIA, FROM, TO, CALLID,
                                      "CSeq: 9292394834772304023312 OPTIONS\r\n")),
                     SLS_CTR_SIP_BAD_CSEQ);
    /* and a response has no start-line method to mismatch. */
    ck_assert_int_eq(parse_text(build("SIP/2.0 200 OK", VIA, FROM, TO, CALLID,
                                      "CSeq: 5 OPTIONS\r\n")),
                     0);
    ck_assert_int_eq(msg.method, SLS_METHOD_OPTIONS);
}
END_TEST

START_TEST(test_parse_method_mismatch)
{
    /* RFC 4475 3.1.2.17-18. */
    ck_assert_reason(parse_text(build("OPTIONS sip:user@example.com SIP/2.0", VIA, FROM, TO,
                                      CALLID, "CSeq: 8 INVITE\r\n")),
                     SLS_CTR_SIP_CSEQ_METHOD_MISMATCH);
    ck_assert_reason(parse_text(build("NEWMETHOD sip:user@example.com SIP/2.0", VIA, FROM, TO,
                                      CALLID, "CSeq: 8 INVITE\r\n")),
                     SLS_CTR_SIP_CSEQ_METHOD_MISMATCH);
    /* ACK and CANCEL carry their own method in CSeq (RFC 3261 17.1.1.3,
     * 9.1). */
    ck_assert_int_eq(parse_text(build("ACK sip:a@b SIP/2.0", VIA, FROM, TO, CALLID,
                                      "CSeq: 314159 ACK\r\n")),
                     0);
    ck_assert_int_eq(msg.method, SLS_METHOD_ACK);
    ck_assert_int_eq(parse_text(build("CANCEL sip:a@b SIP/2.0", VIA, FROM, TO, CALLID,
                                      "CSeq: 314159 CANCEL\r\n")),
                     0);
    ck_assert_int_eq(msg.method, SLS_METHOD_CANCEL);
}
END_TEST

/* ------------------------------------------------------------------ Via */

typedef struct via_case {
    const char *via; /* header lines */
    int expect;
    const char *branch, *sent_by, *transport;
} via_case;

static const via_case via_cases[] = {
    /* several values in one line: the first is the top one */
    {"Via: SIP/2.0/UDP first.example.com;branch=z9hG4bK1, SIP/2.0/TCP second.example.com"
     ";branch=z9hG4bK2\r\n",
     0, "z9hG4bK1", "first.example.com", "UDP"},
    /* several lines: the first line is the top one */
    {"Via: SIP/2.0/TLS top.example.com:5061;branch=z9hG4bKtop\r\n"
     "Via: SIP/2.0/UDP next.example.com;branch=z9hG4bKnext\r\n"
     "v: SIP/2.0/UDP last.example.com;branch=z9hG4bKlast\r\n",
     0, "z9hG4bKtop", "top.example.com:5061", "TLS"},
    /* a comma inside a quoted parameter does not split */
    {"Via: SIP/2.0/UDP q.example.com;x=\"a,b\";branch=z9hG4bKq , SIP/2.0/UDP r\r\n", 0,
     "z9hG4bKq", "q.example.com", "UDP"},
    /* RFC 2543 branch without the magic cookie: kept as is */
    {"Via: SIP/2.0/UDP 192.0.2.2;branch=390skdjuw\r\n", 0, "390skdjuw", "192.0.2.2", "UDP"},
    {"Via: SIP/2.0/UDP 192.0.2.2\r\n", 0, "", "192.0.2.2", "UDP"},
    {"Via: SIP/2.0/UDP 192.0.2.2;branch\r\n", 0, "", "192.0.2.2", "UDP"},
    {"Via: SIP/2.0/UDP 192.0.2.2;rport;branch=z9hG4bKr;received=10.0.0.1\r\n", 0, "z9hG4bKr",
     "192.0.2.2", "UDP"},
    {"Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK6\r\n", 0, "z9hG4bK6",
     "[2001:db8::1]:5060", "UDP"},
    {"Via: SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK6\r\n", 0, "z9hG4bK6", "[2001:db8::1]",
     "UDP"},
    /* RFC 4475 wsinv: LWS everywhere, folded over three lines */
    {"Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n", 0, "390skdjuw",
     "192.0.2.2", "UDP"},
    {"Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf\r\n", 0, "z9hG4bKklasjdhf",
     "t2.example.com", "SCTP"},
    {"Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKws\r\n", 0, "z9hG4bKws",
     "df7jal23ls0d.invalid", "WSS"},
    /* IPv6 without the brackets RFC 3261 requires (a real phone): kept as
     * sent, the port cannot be told apart */
    {"Via: SIP/2.0/UDP fe80:0:0:0:21a:a0ff:fe07:32e0:5060;branch=z9hG4bKk\r\n", 0, "z9hG4bKk",
     "fe80:0:0:0:21a:a0ff:fe07:32e0:5060", "UDP"},
    {"Via: SIP/2.0/UDP fe80::1;branch=z9hG4bKk\r\n", 0, "z9hG4bKk", "fe80::1", "UDP"},
    {"Via: SIP/2.0/UDP fe80::g1;branch=z9hG4bKk\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: garbage\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via:\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: , SIP/2.0/UDP h\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: SIP/3.0/UDP h;branch=z9hG4bK1\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: SIP/2.0/UDP h:99999;branch=z9hG4bK1\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: SIP/2.0/UDP h:0;branch=z9hG4bK1\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: SIP/2.0/UDP h:abc;branch=z9hG4bK1\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
    {"Via: SIP/2.0/UDP h (comment);branch=z9hG4bK1\r\n", SLS_CTR_SIP_BAD_VIA, NULL, NULL, NULL},
};

START_TEST(test_parse_via_table)
{
    const via_case *c = &via_cases[_i];
    int r = parse_text(build(START, c->via, FROM, TO, CALLID, CSEQ));
    if (c->expect != 0) {
        ck_assert_msg(r == -c->expect, "%s: %d", c->via, r);
        return;
    }
    ck_assert_msg(r == 0, "%s: %d", c->via, r);
    ck_assert_str_field(msg.branch, c->branch);
    ck_assert_str_field(msg.via_sent_by, c->sent_by);
    ck_assert_str_field(msg.via_transport, c->transport);
    assert_strings_sane(&msg);
}
END_TEST

/* ------------------------------------------------------------ From / To */

START_TEST(test_parse_from_to)
{
    /* RFC 4475 wsinv: LWS around the tag, folded lines. */
    ck_assert_int_eq(parse_text(build(START, VIA,
                                      "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@"
                                      "example.com>\r\n  ;\r\n  tag = 98asjd8\r\n",
                                      "TO :\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = "
                                      "1918181833n\r\n",
                                      CALLID, CSEQ)),
                     0);
    ck_assert_str_field(msg.from_tag, "98asjd8");
    ck_assert_str_field(msg.to_tag, "1918181833n");
    /* RFC 4475 lwsdisp: no space before '<'. */
    ck_assert_int_eq(parse_text(build(START, VIA, "From: caller<sip:caller@example.com>;tag=323\r\n",
                                      TO, CALLID, CSEQ)),
                     0);
    ck_assert_str_field(msg.from_tag, "323");
    /* An empty tag is no tag. */
    ck_assert_int_eq(parse_text(build(START, VIA, "From: <sip:a@b>;tag=\r\n", TO, CALLID, CSEQ)), 0);
    ck_assert_str_field(msg.from_tag, "");
    /* Display names libosip2 rejects: the part from the last '<' is
     * parsed alone (RFC 4475 3.1.2.6 quotbal and 3.1.2.15 baddn allow a
     * liberal parser to infer the quotes). */
    ck_assert_int_eq(parse_text(build(START, VIA, FROM,
                                      "To: \"Mr. J. User <sip:j.user@example.com>\r\n", CALLID,
                                      CSEQ)),
                     0);
    ck_assert_str_field(msg.to_tag, "");
    ck_assert_int_eq(parse_text(build(START, VIA,
                                      "From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43\r\n",
                                      TO, CALLID, CSEQ)),
                     0);
    ck_assert_str_field(msg.from_tag, "43");
    ck_assert_int_eq(parse_text(build(START, VIA, "From: M\xc3\xbcller <sip:m@example.com>;tag=u8\r\n",
                                      TO, CALLID, CSEQ)),
                     0);
    ck_assert_str_field(msg.from_tag, "u8");
    ck_assert_int_eq(parse_text(build(START, VIA,
                                      "f: \\\"arik\\\" <sip:816666@voip.example.net>;tag=6433ef9\r\n",
                                      TO, CALLID, CSEQ)),
                     0);
    ck_assert_str_field(msg.from_tag, "6433ef9");
    ck_assert_int_eq(parse_text(build(START, VIA, "From: John (Sales) <sip:j@example.com>;tag=p\r\n",
                                      TO, CALLID, CSEQ)),
                     0);
    ck_assert_str_field(msg.from_tag, "p");
    /* The URI itself gets no help (RFC 4475 3.1.2.14 badaspec). */
    ck_assert_reason(parse_text(build(START, VIA, FROM,
                                      "To: \"Watson, Thomas\" < sip:t.watson@example.org >\r\n",
                                      CALLID, CSEQ)),
                     SLS_CTR_SIP_BAD_TO);
    ck_assert_reason(parse_text(build(START, VIA, "From:\r\n", TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_BAD_FROM);
    ck_assert_reason(parse_text(build(START, VIA, FROM, "To: garbage\r\n", CALLID, CSEQ)),
                     SLS_CTR_SIP_BAD_TO);
    ck_assert_reason(parse_text(build(START, VIA, FROM, "To: <garbage\r\n", CALLID, CSEQ)),
                     SLS_CTR_SIP_BAD_TO);
    /* A tag libosip2 reads past (a list, RFC 3261 19.3 tag = token). */
    ck_assert_reason(parse_text(build(START, VIA, "From: sip:a@b;tag=1, sip:c@d;tag=2\r\n", TO,
                                      CALLID, CSEQ)),
                     SLS_CTR_SIP_BAD_FROM);
    ck_assert_reason(parse_text(build(START, VIA, "From: <sip:a@b>;tag=\"q\"\r\n", TO, CALLID,
                                      CSEQ)),
                     SLS_CTR_SIP_BAD_FROM);
    /* Parameter names are case-insensitive (RFC 3261 7.3.1). */
    ck_assert_int_eq(parse_text(build(START, VIA, "From: <sip:a@b>;TAG=up\r\n", TO, CALLID, CSEQ)),
                     0);
    ck_assert_str_field(msg.from_tag, "up");
}
END_TEST

START_TEST(test_parse_compact_forms)
{
    const char *m = "BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\n"
                    "v: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\r\n"
                    "f: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
                    "t: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                    "i: a84b4c76e66710\r\n"
                    "CSeq: 231 BYE\r\n"
                    "l: 0\r\n"
                    "\r\n";
    ck_assert_int_eq(parse_text(m), 0);
    ck_assert_int_eq(msg.method, SLS_METHOD_BYE);
    ck_assert_str_field(msg.call_id, "a84b4c76e66710");
    ck_assert_str_field(msg.branch, "z9hG4bKnashds10");
    ck_assert_str_field(msg.from_tag, "a6c85cf");
    ck_assert_str_field(msg.to_tag, "1928301774");
}
END_TEST

START_TEST(test_parse_user_agent_server)
{
    const char *m = "SIP/2.0 200 OK\r\n" VIA FROM TO CALLID CSEQ
                    "User-Agent: first/1.0\r\n (folded comment)\r\n"
                    "User-Agent: second/2.0\r\n"
                    "Server:    Asterisk PBX 18.0   \r\n"
                    "\r\n";
    ck_assert_int_eq(parse_text(m), 0);
    ck_assert_str_field(msg.user_agent, "first/1.0 (folded comment)");
    ck_assert_str_field(msg.server, "Asterisk PBX 18.0");
}
END_TEST

/* ------------------------------------------------------------ long fields */

static char *repeat(char c, size_t n)
{
    static char s[6000];
    ck_assert_uint_lt(n, sizeof s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

START_TEST(test_parse_long_fields)
{
    char line[8192], start[8192];
    /* Call-ID: exactly the limit, then one more. */
    snprintf(line, sizeof line, "Call-ID: %s\r\n", repeat('c', SLS_SIPMSG_MAX_FIELD));
    ck_assert_int_eq(parse_text(build(START, VIA, FROM, TO, line, CSEQ)), 0);
    ck_assert_uint_eq(msg.call_id.n, SLS_SIPMSG_MAX_FIELD);
    snprintf(line, sizeof line, "Call-ID: %s\r\n", repeat('c', SLS_SIPMSG_MAX_FIELD + 1));
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, line, CSEQ)),
                     SLS_CTR_SIP_FIELD_TOO_LONG);
    /* Request-URI. */
    snprintf(start, sizeof start, "INVITE sip:%s@h SIP/2.0", repeat('u', SLS_SIPMSG_MAX_FIELD));
    ck_assert_reason(parse_text(build(start, VIA, FROM, TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_FIELD_TOO_LONG);
    /* Branch. */
    snprintf(line, sizeof line, "Via: SIP/2.0/UDP h;branch=z9hG4bK%s\r\n",
             repeat('b', SLS_SIPMSG_MAX_FIELD));
    ck_assert_reason(parse_text(build(START, line, FROM, TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_FIELD_TOO_LONG);
    /* Tag. */
    snprintf(line, sizeof line, "From: <sip:a@b>;tag=%s\r\n", repeat('t', SLS_SIPMSG_MAX_FIELD + 1));
    ck_assert_reason(parse_text(build(START, VIA, line, TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_FIELD_TOO_LONG);
    /* A long display name is fine (not kept)... */
    snprintf(line, sizeof line, "From: \"%s\" <sip:a@b>;tag=1\r\n", repeat('d', 3000));
    ck_assert_int_eq(parse_text(build(START, VIA, line, TO, CALLID, CSEQ)), 0);
    /* ...up to what is handed to libosip2 at all. */
    snprintf(line, sizeof line, "From: <sip:a@b>;tag=1%s\r\n", repeat(';', 5000));
    ck_assert_reason(parse_text(build(START, VIA, line, TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_FIELD_TOO_LONG);
    /* Parameter lists handed to libosip2 are capped (it walks them
     * quadratically): 64 ';' pass, 65 do not. */
    char params[400];
    for (size_t i = 0; i < 64; i++)
        memcpy(params + 2 * i, ";p", 2);
    params[2 * 63] = '\0';
    snprintf(line, sizeof line, "From: <sip:a@b>;tag=1%s\r\n", params);
    ck_assert_int_eq(parse_text(build(START, VIA, line, TO, CALLID, CSEQ)), 0);
    ck_assert_str_field(msg.from_tag, "1");
    params[2 * 63] = ';';
    params[2 * 64] = '\0';
    snprintf(line, sizeof line, "From: <sip:a@b>;tag=1%s\r\n", params);
    ck_assert_reason(parse_text(build(START, VIA, line, TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_FIELD_TOO_LONG);
    snprintf(line, sizeof line, "Via: SIP/2.0/UDP h;branch=z9hG4bK1%s\r\n", params);
    ck_assert_reason(parse_text(build(START, line, FROM, TO, CALLID, CSEQ)),
                     SLS_CTR_SIP_FIELD_TOO_LONG);
    /* User-Agent, after unfolding. */
    snprintf(line, sizeof line, "User-Agent: %s\r\n", repeat('a', SLS_SIPMSG_MAX_FIELD + 1));
    char m[20000];
    snprintf(m, sizeof m, "SIP/2.0 200 OK\r\n" VIA FROM TO CALLID CSEQ "%s\r\n", line);
    ck_assert_reason(parse_text(m), SLS_CTR_SIP_FIELD_TOO_LONG);
}
END_TEST

/* ------------------------------------------------------ RFC 4475 torture */

/* Expected outcome of every RFC 4475 message, framed as a UDP datagram and
 * parsed. rfc: the RFC's verdict (checked against expected.tsv). frame: 0
 * when framed, else the framer's reason; anomaly: the framing anomaly, if
 * any; parse: 0 when accepted, else the adapter's reason. */
typedef struct torture_case {
    const char *name;
    const char *rfc;
    enum sls_counter frame;
    enum sls_counter anomaly;
    enum sls_counter parse;
} torture_case;

#define T_OK ((enum sls_counter)0)

static const torture_case torture[] = {
    /* 3.1.1 valid: all accepted */
    {"wsinv", "valid", T_OK, T_OK, T_OK},
    /* a NUL inside a quoted display name, as a quoted-pair: legal (RFC
     * 3261 25.1); libosip2 alone rejects it, the framer lets it through */
    {"intmeth", "valid", T_OK, T_OK, T_OK},
    {"esc01", "valid", T_OK, T_OK, T_OK},
    {"escnull", "valid", T_OK, T_OK, T_OK},
    {"esc02", "valid", T_OK, T_OK, T_OK},
    {"lwsdisp", "valid", T_OK, T_OK, T_OK},
    {"longreq", "valid", T_OK, T_OK, T_OK},
    {"dblreq", "valid", T_OK, SLS_CTR_SIP_TRAILING_BYTES, T_OK},
    {"semiuri", "valid", T_OK, T_OK, T_OK},
    {"transports", "valid", T_OK, T_OK, T_OK},
    {"mpart01", "valid", T_OK, T_OK, T_OK},
    {"unreason", "valid", T_OK, T_OK, T_OK},
    {"noreason", "valid", T_OK, T_OK, T_OK},
    /* 3.1.2 invalid */
    {"badinv01", "invalid", T_OK, T_OK, SLS_CTR_SIP_BAD_VIA},
    {"clerr", "invalid", T_OK, SLS_CTR_SIP_CONTENT_LENGTH_EXCEEDS, T_OK},
    /* -999 is never used as a length: body = rest of the datagram, the
     * message is analysed and the anomaly reported */
    {"ncl", "invalid", T_OK, SLS_CTR_SIP_BAD_CONTENT_LENGTH, T_OK},
    {"scalar02", "invalid", T_OK, T_OK, SLS_CTR_SIP_BAD_CSEQ},
    {"scalarlg", "invalid", T_OK, T_OK, SLS_CTR_SIP_BAD_CSEQ},
    /* display name repaired: RFC 4475 allows inferring the quote */
    {"quotbal", "invalid", T_OK, T_OK, T_OK},
    {"ltgtruri", "invalid", T_OK, T_OK, T_OK},  /* liberal: URI not interpreted */
    {"lwsruri", "invalid", SLS_CTR_SIP_BAD_START_LINE, T_OK, T_OK},
    {"lwsstart", "invalid", SLS_CTR_SIP_BAD_START_LINE, T_OK, T_OK},
    {"trws", "invalid", SLS_CTR_SIP_BAD_START_LINE, T_OK, T_OK},
    {"escruri", "invalid", T_OK, T_OK, T_OK},   /* liberal: URI not interpreted */
    {"baddate", "invalid", T_OK, T_OK, T_OK},   /* Date does not matter here */
    {"regbadct", "invalid", T_OK, T_OK, T_OK},  /* Contact not parsed */
    {"badaspec", "invalid", T_OK, T_OK, SLS_CTR_SIP_BAD_TO},
    {"baddn", "invalid", T_OK, T_OK, T_OK}, /* same: "liberal may infer quotes" */
    {"badvers", "invalid", SLS_CTR_SIP_BAD_VERSION, T_OK, T_OK},
    {"mismatch01", "invalid", T_OK, T_OK, SLS_CTR_SIP_CSEQ_METHOD_MISMATCH},
    {"mismatch02", "invalid", T_OK, T_OK, SLS_CTR_SIP_CSEQ_METHOD_MISMATCH},
    {"bigcode", "invalid", SLS_CTR_SIP_BAD_STATUS, T_OK, T_OK},
    /* 3.2, 3.3, 3.4 valid-syntax */
    {"badbranch", "valid-syntax", T_OK, T_OK, T_OK},
    {"insuf", "valid-syntax", T_OK, T_OK, SLS_CTR_SIP_NO_CALL_ID},
    {"unkscm", "valid-syntax", T_OK, T_OK, T_OK},
    {"novelsc", "valid-syntax", T_OK, T_OK, T_OK},
    {"unksm2", "valid-syntax", T_OK, T_OK, T_OK},
    {"bext01", "valid-syntax", T_OK, T_OK, T_OK},
    {"invut", "valid-syntax", T_OK, T_OK, T_OK},
    {"regaut01", "valid-syntax", T_OK, T_OK, T_OK},
    {"multi01", "valid-syntax", T_OK, T_OK, SLS_CTR_SIP_MULTIPLE_CALL_ID},
    {"mcl01", "valid-syntax", T_OK, SLS_CTR_SIP_MULTIPLE_CONTENT_LENGTH, T_OK},
    {"bcast", "valid-syntax", T_OK, T_OK, T_OK},
    {"zeromf", "valid-syntax", T_OK, T_OK, T_OK},
    {"cparam01", "valid-syntax", T_OK, T_OK, T_OK},
    {"cparam02", "valid-syntax", T_OK, T_OK, T_OK},
    {"regescrt", "valid-syntax", T_OK, T_OK, T_OK},
    {"sdp01", "valid-syntax", T_OK, T_OK, T_OK},
    {"inv2543", "valid-syntax", T_OK, T_OK, T_OK},
};

#define NTORTURE (sizeof torture / sizeof torture[0])

static const torture_case *torture_find(const char *name)
{
    for (size_t i = 0; i < NTORTURE; i++)
        if (strcmp(torture[i].name, name) == 0)
            return &torture[i];
    return NULL;
}

static int torture_dir_present(void)
{
    DIR *d = opendir(SLS_SHARED_DIR "/torture");
    if (d == NULL)
        return 0;
    closedir(d);
    return 1;
}

static size_t read_file(const char *path, char *dst, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    size_t n = fread(dst, 1, cap, fp);
    ck_assert_msg(feof(fp), "%s larger than %zu", path, cap);
    fclose(fp);
    return n;
}

/* Frames and parses data[0..n) before a guard page; returns the framer's
 * result, and the adapter's in *parse_r when framed. */
static int torture_run(const char *data, size_t n, int *parse_r)
{
    guarded g;
    guard_put(&g, data, n);
    int r = sls_sipframe_parse(g.p, n, SLS_FRAME_DATAGRAM, &frame);
    *parse_r = 1;
    if (r > 0) {
        *parse_r = sls_sipparser_parse(parser, &frame, &msg);
        if (*parse_r == 0)
            assert_strings_sane(&msg);
    }
    guard_free(&g);
    return r;
}

START_TEST(test_torture_table_matches_rfc_verdicts)
{
    if (!torture_dir_present())
        return;
    static char tsv[16384];
    size_t n = read_file(SLS_SHARED_DIR "/torture/expected.tsv", tsv, sizeof tsv - 1);
    tsv[n] = '\0';
    size_t rows = 0;
    for (char *line = strtok(tsv, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *fields[4];
        size_t k = 0;
        for (char *t = line; k < 4; k++) {
            fields[k] = t;
            char *tab = strchr(t, '\t');
            ck_assert_ptr_nonnull(tab);
            *tab = '\0';
            t = tab + 1;
        }
        const torture_case *c = torture_find(fields[0]);
        ck_assert_msg(c != NULL, "%s missing from the table", fields[0]);
        ck_assert_msg(strcmp(c->rfc, fields[3]) == 0, "%s: table says %s, RFC %s", fields[0],
                      c->rfc, fields[3]);
        rows++;
    }
    ck_assert_uint_eq(rows, NTORTURE);
}
END_TEST

START_TEST(test_torture_set)
{
    if (!torture_dir_present())
        return;
    DIR *d = opendir(SLS_SHARED_DIR "/torture");
    ck_assert_ptr_nonnull(d);
    size_t seen = 0;
    static char data[65536];
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".dat") != 0)
            continue;
        char name[256], path[512];
        snprintf(name, sizeof name, "%.*s", (int)(nl - 4), de->d_name);
        snprintf(path, sizeof path, "%s/torture/%s", SLS_SHARED_DIR, de->d_name);
        const torture_case *c = torture_find(name);
        ck_assert_msg(c != NULL, "%s: not in the table", name);
        size_t n = read_file(path, data, sizeof data);
        int pr;
        int r = torture_run(data, n, &pr);
        if (c->frame != T_OK) {
            ck_assert_msg(r == -(int)c->frame, "%s: framed %d, expected %s", name, r,
                          sls_counter_name(c->frame));
        } else {
            ck_assert_msg(r > 0, "%s: framing failed: %s", name,
                          sls_counter_name((enum sls_counter)-r));
            ck_assert_msg(frame.nanomalies == (c->anomaly != T_OK), "%s: %u anomalies", name,
                          frame.nanomalies);
            if (c->anomaly != T_OK)
                ck_assert_msg(frame.anomalies[0] == c->anomaly, "%s: anomaly %s", name,
                              sls_counter_name((enum sls_counter)frame.anomalies[0]));
            ck_assert_msg(pr == -(int)c->parse, "%s: parsed %d (%s), expected %s", name, pr,
                          pr < 0 ? sls_counter_name((enum sls_counter)-pr) : "accepted",
                          c->parse == T_OK ? "accepted" : sls_counter_name(c->parse));
        }
        if (strcmp(name, "dblreq") == 0) {
            /* RFC 4475 3.1.1.8: the REGISTER is used, the INVITE ignored. */
            ck_assert_int_eq(msg.method, SLS_METHOD_REGISTER);
            ck_assert_uint_lt(frame.msg_len, n);
            ck_assert_str_field(msg.call_id, "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
        }
        if (strcmp(name, "wsinv") == 0) {
            ck_assert_uint_eq(msg.cseq, 9);
            ck_assert_str_field(msg.from_tag, "98asjd8");
            ck_assert_str_field(msg.to_tag, "1918181833n");
            ck_assert_str_field(msg.branch, "390skdjuw");
            ck_assert_str_field(msg.via_sent_by, "192.0.2.2");
        }
        if (strcmp(name, "intmeth") == 0) {
            ck_assert_str_field(msg.method_name, "!interesting-Method0123456789_*+`.%indeed'~");
            ck_assert_int_eq(msg.method, SLS_METHOD_OTHER);
            ck_assert_str_field(msg.from_tag, "_token~1'+`*%!-.");
        }
        seen++;
    }
    closedir(d);
    ck_assert_uint_eq(seen, NTORTURE);
}
END_TEST

START_TEST(test_torture_every_prefix)
{
    /* Every truncation of every torture message, through framer and
     * adapter: no crash, no overread, no leak. */
    if (!torture_dir_present())
        return;
    static char data[65536];
    for (size_t i = 0; i < NTORTURE; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/torture/%s.dat", SLS_SHARED_DIR, torture[i].name);
        size_t n = read_file(path, data, sizeof data);
        for (size_t k = 0; k <= n; k++) {
            int pr;
            int r = torture_run(data, k, &pr);
            ck_assert_int_le(r, (int)k);
        }
    }
}
END_TEST

START_TEST(test_torture_prints_nothing)
{
    /* libosip2 prints parse errors on stdout unless its trace is set up:
     * nothing may come out of the library for bad input. */
    if (!torture_dir_present())
        return;
    fflush(stdout);
    fflush(stderr);
    FILE *sink = tmpfile();
    ck_assert_ptr_nonnull(sink);
    int out = dup(1), err = dup(2);
    ck_assert_int_ge(out, 0);
    ck_assert_int_ge(err, 0);
    dup2(fileno(sink), 1);
    dup2(fileno(sink), 2);
    static char data[65536];
    for (size_t i = 0; i < NTORTURE; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/torture/%s.dat", SLS_SHARED_DIR, torture[i].name);
        FILE *fp = fopen(path, "rb");
        if (fp == NULL)
            continue;
        size_t n = fread(data, 1, sizeof data, fp);
        fclose(fp);
        int pr;
        (void)torture_run(data, n, &pr);
    }
    fflush(stdout);
    fflush(stderr);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    fseek(sink, 0, SEEK_END);
    long size = ftell(sink);
    fclose(sink);
    ck_assert_int_eq(size, 0);
}
END_TEST

/* The adapter memoises libosip2's verdict per header value: a value seen
 * again (same bytes) must give exactly the first answer, good or bad, and a
 * different value in the same slot must not be mistaken for it. */
START_TEST(test_memoised_values_give_the_same_verdicts)
{
    static char a[65536];
    for (int round = 0; round < 3; round++) {
        /* A good message, parsed again after other values went through. */
        ck_assert_int_eq(parse_text(build(START, VIA, FROM, TO, CALLID, CSEQ)), 0);
        ck_assert_str_field(msg.branch, "z9hG4bK776asdhds");
        ck_assert_str_field(msg.via_sent_by, "pc33.atlanta.example.com");
        ck_assert_str_field(msg.from_tag, "1928301774");
        ck_assert_str_field(msg.to_tag, "");
        ck_assert_uint_eq(msg.cseq, 314159);
        ck_assert_str_field(msg.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
        /* Bad values stay bad. */
        ck_assert_reason(parse_text(build(START, VIA, FROM, TO, CALLID, "CSeq: 2147483648 INVITE\r\n")),
                         SLS_CTR_SIP_BAD_CSEQ);
        ck_assert_reason(parse_text(build(START, "Via: SIP/2.0/UDP host:99999;branch=z9hG4bKx\r\n",
                                          FROM, TO, CALLID, CSEQ)),
                         SLS_CTR_SIP_BAD_VIA);
        /* The same CSeq value, valid for INVITE, is a mismatch for BYE:
         * the check against the request line is not memoised. */
        ck_assert_reason(parse_text(build("BYE sip:bob@biloxi.example.com SIP/2.0", VIA, FROM, TO,
                                          CALLID, CSEQ)),
                         SLS_CTR_SIP_CSEQ_METHOD_MISMATCH);
        /* Thousands of distinct values push everything out of the table. */
        for (int i = 0; i < 5000; i++) {
            char via[128], from[128];
            snprintf(via, sizeof via, "Via: SIP/2.0/UDP h%d.example.com;branch=z9hG4bK%d\r\n", i, i);
            snprintf(from, sizeof from, "From: <sip:u%d@example.com>;tag=t%d\r\n", i, i);
            snprintf(a, sizeof a, "%s", build(START, via, from, TO, CALLID, CSEQ));
            ck_assert_int_eq(parse_text(a), 0);
            char want[32];
            snprintf(want, sizeof want, "t%d", i);
            ck_assert_str_field(msg.from_tag, want);
            snprintf(want, sizeof want, "z9hG4bK%d", i);
            ck_assert_str_field(msg.branch, want);
        }
    }
}
END_TEST

/* Values that differ only by their branch or tag share a template in the
 * memo (the token is cut out): each message must still get its own token,
 * and a template is never made where ";branch=" or ";tag=" is not the
 * parameter libosip2 reads (inside a quoted-string), nor where libosip2
 * refuses the value. */
START_TEST(test_memo_templates)
{
    static char a[65536];
    char via[256], from[256], to[256], want[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3000; i++) {
            snprintf(via, sizeof via, "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-%d;rport\r\n", i);
            snprintf(from, sizeof from, "From: \"A\" <sip:a@example.com>;tag=f%d\r\n", i);
            snprintf(to, sizeof to, "To: <sip:b@example.com>;tag=%dt;x=1\r\n", i);
            snprintf(a, sizeof a, "%s", build(START, via, from, to, CALLID, CSEQ));
            ck_assert_int_eq(parse_text(a), 0);
            snprintf(want, sizeof want, "z9hG4bK-%d", i);
            ck_assert_str_field(msg.branch, want);
            ck_assert_str_field(msg.via_sent_by, "10.0.0.1:5060");
            ck_assert_str_field(msg.via_transport, "UDP");
            snprintf(want, sizeof want, "f%d", i);
            ck_assert_str_field(msg.from_tag, want);
            snprintf(want, sizeof want, "%dt", i);
            ck_assert_str_field(msg.to_tag, want);
        }
        /* ";branch=" inside a quoted parameter value comes first; libosip2
         * reads the second one. */
        const char *q[] = {"abc", "zzz"};
        for (int k = 0; k < 2; k++) {
            snprintf(via, sizeof via,
                     "Via: SIP/2.0/UDP h.example.com;x=\"1;branch=%s;2\";branch=abc\r\n", q[k]);
            snprintf(from, sizeof from, "From: <sip:a@example.com>;x=\"y>;tag=%s;\";tag=abc\r\n",
                     q[k]);
            ck_assert_int_eq(parse_text(build(START, via, from, TO, CALLID, CSEQ)), 0);
            ck_assert_str_field(msg.branch, "abc");
            ck_assert_str_field(msg.from_tag, "abc");
        }
        /* A refused value stays refused whatever its branch. */
        for (int i = 0; i < 3; i++) {
            snprintf(via, sizeof via, "Via: SIP/2.0/UDP h.example.com:99999;branch=b%d\r\n", i);
            ck_assert_reason(parse_text(build(START, via, FROM, TO, CALLID, CSEQ)),
                             SLS_CTR_SIP_BAD_VIA);
        }
        /* A tag in the addr-spec form (no '>'), and a token that is not
         * one (a quote) go by the whole value. */
        ck_assert_int_eq(parse_text(build(START, VIA, "From: sip:a@example.com;tag=n1\r\n", TO,
                                          CALLID, CSEQ)),
                         0);
        ck_assert_str_field(msg.from_tag, "n1");
        ck_assert_int_eq(parse_text(build(START, VIA, "From: sip:a@example.com;tag=n2\r\n", TO,
                                          CALLID, CSEQ)),
                         0);
        ck_assert_str_field(msg.from_tag, "n2");
    }
}
END_TEST

/* ------------------------------------------------ memo against no memo */

/* A parse as one comparable line: the result and, when accepted, every
 * field with its length. */
static void describe(char *out, size_t cap, int r, const sls_sipmsg *m)
{
    if (r != 0) {
        snprintf(out, cap, "r=%d", r);
        return;
    }
    snprintf(out, cap,
             "req=%u m=%d mn=%s/%zu st=%u rs=%s/%zu ru=%s/%zu cid=%s/%zu cseq=%u cm=%d "
             "br=%s/%zu sb=%s/%zu tr=%s/%zu ft=%s/%zu tt=%s/%zu ua=%s/%zu sv=%s/%zu",
             m->is_request, (int)m->method, m->method_name.p, m->method_name.n, m->status,
             m->reason.p, m->reason.n, m->request_uri.p, m->request_uri.n, m->call_id.p,
             m->call_id.n, m->cseq, (int)m->cseq_method, m->branch.p, m->branch.n,
             m->via_sent_by.p, m->via_sent_by.n, m->via_transport.p, m->via_transport.n,
             m->from_tag.p, m->from_tag.n, m->to_tag.p, m->to_tag.n, m->user_agent.p,
             m->user_agent.n, m->server.p, m->server.n);
}

/* Parses text with the fixture's parser, whose memo holds whatever the
 * test parsed before, and with a new parser, whose memo is empty (so
 * libosip2 reads the values themselves): the memo must never change an
 * answer. Returns the answer, or 1 when the framer refuses the text. */
static int parse_vs_fresh(const char *text)
{
    guard_free(&buf);
    size_t n = strlen(text);
    guard_put(&buf, text, n);
    if (sls_sipframe_parse(buf.p, n, SLS_FRAME_DATAGRAM, &frame) <= 0)
        return 1;
    static char d1[16384], d2[16384];
    int r1 = sls_sipparser_parse(parser, &frame, &msg);
    if (r1 == 0)
        assert_strings_sane(&msg);
    describe(d1, sizeof d1, r1, &msg);
    sls_sipparser *fresh = sls_sipparser_new();
    ck_assert_ptr_nonnull(fresh);
    sls_sipmsg m2;
    int r2 = sls_sipparser_parse(fresh, &frame, &m2);
    describe(d2, sizeof d2, r2, &m2);
    sls_sipparser_free(fresh);
    ck_assert_msg(strcmp(d1, d2) == 0, "memo:  %s\nfresh: %s\ninput: %s", d1, d2, text);
    return r1;
}

/* fmt with its one "%s" replaced by tok (formats from tables, which
 * -Wformat-nonliteral would not check). */
static void subst(char *out, size_t cap, const char *fmt, const char *tok)
{
    const char *at = strstr(fmt, "%s");
    ck_assert_ptr_nonnull(at);
    int n = snprintf(out, cap, "%.*s%s%s", (int)(at - fmt), fmt, tok, at + 2);
    ck_assert(n > 0 && (size_t)n < cap);
}

/* A request whose header `which` (0 Via, 1 From, 2 To, 3 Call-ID, 4 CSeq)
 * has the value val, the others good. */
static const char *build_with(int which, const char *val)
{
    static char h[5][4200];
    const char *names[5] = {"Via", "From", "To", "Call-ID", "CSeq"};
    const char *good[5] = {"SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-b1-i1",
                           "\"Alice\" <sip:alice@127.0.0.1:5060>;tag=uac-1",
                           "<sip:answer@127.0.0.1:5070>;tag=uas-1", "bench-1@127.0.0.1",
                           "1 INVITE"};
    for (int i = 0; i < 5; i++)
        snprintf(h[i], sizeof h[i], "%s: %s\r\n", names[i], i == which ? val : good[i]);
    return build(START, h[0], h[1], h[2], h[3], h[4]);
}

/* Every value parsed with a warm memo and with none, byte by byte: each
 * byte of each value replaced by bytes that change libosip2's or the
 * adapter's reading (separators, quotes, a byte no host may hold, a high
 * byte) or removed. The variants of a byte are parsed right after their
 * base (whose template or value the memo then holds), each twice (the
 * second from the memo). A hash or key compare that skipped a byte, or a template cut in
 * the wrong place, gives the base's verdict to a variant. */
START_TEST(test_memo_agrees_with_no_memo_byte_by_byte)
{
    static const struct {
        int which;
        const char *base;
    } bases[] = {
        {0, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-b1-i1"},
        {0, "SIP/2.0/TCP host-with-a-long-name.example.com:5061;rport;branch=z9hG4bK0123456789abcdef;"
            "received=10.0.0.1"},
        {0, "SIP/2.0/UDP h:1;branch=b"},
        {1, "\"Alice\" <sip:alice@127.0.0.1:5060>;tag=uac-1"},
        {1, "<sip:a@b.example.com>;tag=0123456789abcdefXYZ;x=1"},
        {1, "<sip:a@b>;tag=1"},
        {2, "<sip:answer@127.0.0.1:5070>;tag=uas-1;x=1"},
        {2, "Bob <sip:b@x>"},
        {3, "bench-1@127.0.0.1"},
        {3, "a84b4c76e66710@pc33.atlanta.example.com-and-some-more-bytes-here"},
        {4, "1 INVITE"},
        {4, "314159 INVITE"},
    };
    static const char repl[] = {'}', ' ', ';', '"', '(', '>', '<', '=', ',', 'x', '\x80', 0};
    static char base_msg[8192], var[4200];
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        const char *v = bases[b].base;
        size_t n = strlen(v);
        snprintf(base_msg, sizeof base_msg, "%s", build_with(bases[b].which, v));
        for (size_t j = 0; j < n; j++) {
            parse_vs_fresh(base_msg);
            for (size_t k = 0; k <= sizeof repl - 1; k++) {
                memcpy(var, v, n + 1);
                if (repl[k] == 0) /* remove byte j */
                    memmove(var + j, var + j + 1, n - j);
                else
                    var[j] = repl[k];
                for (int twice = 0; twice < 2; twice++)
                    parse_vs_fresh(build_with(bases[b].which, var));
            }
        }
    }
}
END_TEST

/* Values of every length from 1 to 80 around the 4-, 8- and 16-byte steps
 * of the hash and the key compare: a host, a Call-ID and a tag of n bytes,
 * then the same with its first, middle or last byte made one that is
 * refused (no tchar in a host, DEL in a Call-ID) or different. */
START_TEST(test_memo_values_of_every_length)
{
    static char val[256], bad[256];
    for (size_t n = 1; n <= 80; n++) {
        memset(val, 'h', n);
        val[n] = '\0';
        const size_t at[3] = {0, n / 2, n - 1};
        for (int which = 0; which < 4; which++) {
            static char full[1024], badfull[1024];
            for (int i = 0; i < 3; i++) {
                memcpy(bad, val, n + 1);
                bad[at[i]] = which == 3 ? '\x7f' : '}';
                switch (which) {
                case 0:
                    snprintf(full, sizeof full, "SIP/2.0/UDP %s:5060;branch=z9hG4bK%zu", val, n);
                    snprintf(badfull, sizeof badfull, "SIP/2.0/UDP %s:5060;branch=z9hG4bK%zu", bad, n);
                    break;
                case 1:
                    snprintf(full, sizeof full, "<sip:%s@example.com>;tag=%s", val, val);
                    snprintf(badfull, sizeof badfull, "<sip:%s@example.com>;tag=%s", val, bad);
                    break;
                case 2:
                    snprintf(full, sizeof full, "%s", val);
                    snprintf(badfull, sizeof badfull, "%s;tag=%s", val, bad);
                    break;
                default:
                    snprintf(full, sizeof full, "%s", val);
                    snprintf(badfull, sizeof badfull, "%s", bad);
                    break;
                }
                int kind = which == 2 ? 2 : which;
                ck_assert_int_eq(parse_vs_fresh(build_with(kind, full)), which == 2 ? -SLS_CTR_SIP_BAD_TO : 0);
                int r = parse_vs_fresh(build_with(kind, badfull));
                if (which == 0)
                    ck_assert_reason(r, SLS_CTR_SIP_BAD_VIA);
                else if (which == 3)
                    ck_assert_reason(r, SLS_CTR_SIP_BAD_CALL_ID);
                parse_vs_fresh(build_with(kind, full));
            }
        }
    }
}
END_TEST

/* Every byte value inside a branch or a tag, at the end of the value and
 * before another parameter, after the memo learnt the template of a plain
 * token in the same place: a byte that is no tchar (RFC 3261 25.1) must
 * send the value to libosip2 whole. */
START_TEST(test_memo_template_token_bytes)
{
    static char val[256];
    const char *shapes[4] = {"SIP/2.0/UDP h.example.com:5060;branch=z9%sx",
                             "SIP/2.0/UDP h.example.com:5060;branch=z9%sx;rport",
                             "\"A\" <sip:a@example.com>;tag=t%su",
                             "<sip:a@example.com>;tag=t%su;x=1"};
    for (int s = 0; s < 4; s++) {
        int which = s < 2 ? 0 : 1;
        for (int c = 1; c < 256; c++) {
            char tok[2] = {(char)c, '\0'};
            subst(val, sizeof val, shapes[s], "a");
            ck_assert_int_eq(parse_vs_fresh(build_with(which, val)), 0);
            subst(val, sizeof val, shapes[s], tok);
            parse_vs_fresh(build_with(which, val));
            parse_vs_fresh(build_with(which, val));
        }
    }
    /* The tchar themselves are cut out: each message gets its own. */
    const char *tchars = "abcXYZ019-.!%*_+`'~";
    for (const char *c = tchars; *c != '\0'; c++) {
        char tok[2] = {*c, '\0'};
        subst(val, sizeof val, shapes[1], tok);
        ck_assert_int_eq(parse_vs_fresh(build_with(0, val)), 0);
        char want[8];
        snprintf(want, sizeof want, "z9%sx", tok);
        ck_assert_str_field(msg.branch, want);
        subst(val, sizeof val, shapes[3], tok);
        ck_assert_int_eq(parse_vs_fresh(build_with(1, val)), 0);
        snprintf(want, sizeof want, "t%su", tok);
        ck_assert_str_field(msg.from_tag, want);
    }
}
END_TEST

/* Where the cut token is: right after the '>' or at the start of the Via's
 * parameters, at the very end of the value, before another parameter;
 * the '>' at the end of the value (no parameter), in the last 16 bytes or
 * before them (a long tag: the From/To shortcut reads only the last 16
 * bytes), values shorter than 16 bytes (read from a padded copy). Each
 * twice with different tokens, so the second comes from the template. */
START_TEST(test_memo_template_cut_positions)
{
    static const struct {
        int which;
        const char *fmt; /* %s: the token */
        const char *want_fmt;
    } cases[] = {
        {1, "<sip:a@b>;tag=%s", "%s"},                   /* 15+ bytes */
        {1, "<sip:a@bc>;tag=%s", "%s"},
        {1, "<sip:a@b>;tag=%s;x", "%s"},
        {1, "<sip:a@b>;x;tag=%s", "%s"},
        {1, "\"x\" <sip:a@b>;tag=%s", "%s"},
        {1, "<sip:a@b.example.com>;tag=%s0123456789abcdef", "%s0123456789abcdef"},
        {1, "<sip:a@b.example.com>;tag=%s;x=0123456789abcdef", "%s"},
        {1, "<sip:a@b.example.com>;x=0123456789abcdef;tag=%s", "%s"},
        {2, "<sip:a@b.example.com>;tag=%s;tag=other", "%s"},
        {0, "SIP/2.0/UDP h;branch=%s", "%s"},
        {0, "SIP/2.0/UDP h;branch=%s;rport", "%s"},
        {0, "SIP/2.0/UDP h;rport;branch=%s;x=0123456789abcdef0123456789abcdef", "%s"},
        {0, "SIP/2.0/UDP h;x=0123456789abcdef0123456789abcdef;branch=%s", "%s"},
    };
    const char *toks[] = {"1", "22", "z9hG4bK-0123456789", "k"};
    static char val[512], want[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t t = 0; t < sizeof toks / sizeof toks[0]; t++) {
            subst(val, sizeof val, cases[i].fmt, toks[t]);
            subst(want, sizeof want, cases[i].want_fmt, toks[t]);
            ck_assert_int_eq(parse_vs_fresh(build_with(cases[i].which, val)), 0);
            sls_str got = cases[i].which == 0   ? msg.branch
                          : cases[i].which == 1 ? msg.from_tag
                                                : msg.to_tag;
            ck_assert_str_field(got, want);
        }
    }
    /* No template: the '>' ends the value, an empty token, a quote or a
     * comment after the '>' or anywhere in a Via, a Via list. */
    const struct {
        int which;
        const char *val;
    } whole[] = {
        {1, "<sip:a@b.example.com;tag=x>"},     {1, "<sip:a@b.example.com>;tag="},
        {1, "<sip:a@b.example.com>;tag=;x=1"},  {1, "<sip:a@b.example.com>;x=\"1\";tag=2"},
        {1, "<sip:a@b.example.com>;x=(1);tag=2"}, {1, "<sip:a@b>"},
        {0, "SIP/2.0/UDP h;branch="},           {0, "SIP/2.0/UDP h;branch=;x"},
        {0, "SIP/2.0/UDP h (c);branch=z9"},     {0, "SIP/2.0/UDP h;branch=z9, SIP/2.0/UDP g;branch=y"},
        {0, "SIP/2.0/UDP h;x=\"a,b\";branch=z9"}, {0, "SIP/2.0/UDP h;branch=a\"b"},
    };
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
            parse_vs_fresh(build_with(whole[i].which, whole[i].val));
    /* A quoted ";tag=" after the last '>' (here inside the quotes too), in
     * the last 16 bytes that the From/To shortcut reads: libosip2 reads the
     * tag after the quotes, as the first message teaches a naive cut. */
    const char *quoted[] = {"<sip:a@example.com>;x=\">;tag=%s;\";tag=c",
                            "<sip:a@example.com>;x=(>;tag=%s;);tag=c"};
    for (size_t q = 0; q < 2; q++) {
        for (int k = 0; k < 3; k++) {
            subst(val, sizeof val, quoted[q], k == 1 ? "zz" : "c");
            int r = parse_vs_fresh(build_with(1, val));
            if (q == 0) {
                ck_assert_int_eq(r, 0);
                ck_assert_str_field(msg.from_tag, "c");
            }
        }
    }
}
END_TEST

/* The memo keys the kind of header and whether the value is a template
 * with the bytes: a whole value whose bytes are those of another header's
 * value, or of a template's key (the value with its token cut out), never
 * shares an entry with it. */
START_TEST(test_memo_kinds_apart)
{
    for (int round = 0; round < 2; round++) {
        /* The template of the first is the second's whole value. */
        ck_assert_int_eq(parse_vs_fresh(build_with(0, "SIP/2.0/UDP h.example.com;branch=abc")), 0);
        ck_assert_str_field(msg.branch, "abc");
        parse_vs_fresh(build_with(0, "SIP/2.0/UDP h.example.com;branch="));
        ck_assert_int_eq(parse_vs_fresh(build_with(1, "<sip:a@b.example.com>;tag=abc")), 0);
        ck_assert_str_field(msg.from_tag, "abc");
        parse_vs_fresh(build_with(1, "<sip:a@b.example.com>;tag="));
        /* The same bytes as a From and as a To, tags cut out or not. */
        ck_assert_int_eq(parse_vs_fresh(build_with(2, "<sip:a@b.example.com>;tag=t1")), 0);
        ck_assert_str_field(msg.to_tag, "t1");
        ck_assert_int_eq(parse_vs_fresh(build_with(1, "<sip:a@b.example.com>;tag=t2")), 0);
        ck_assert_str_field(msg.from_tag, "t2");
        ck_assert_str_field(msg.to_tag, "uas-1");
        /* One value as Call-ID (good) and as CSeq (no method). */
        ck_assert_int_eq(parse_vs_fresh(build_with(3, "12345")), 0);
        ck_assert_reason(parse_vs_fresh(build_with(4, "12345")), SLS_CTR_SIP_BAD_CSEQ);
        ck_assert_int_eq(parse_vs_fresh(build_with(3, "1 INVITE@x")), -SLS_CTR_SIP_BAD_CALL_ID);
        ck_assert_int_eq(parse_vs_fresh(build_with(4, "1 INVITE")), 0);
    }
}
END_TEST

/* The method of a memoised CSeq against the request line: equal methods by
 * id, extension methods by their bytes, both from the memo the second
 * time. */
START_TEST(test_memo_cseq_methods)
{
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(parse_vs_fresh(build("FOO sip:b@x SIP/2.0", VIA, FROM, TO, CALLID,
                                              "CSeq: 7 FOO\r\n")),
                         0);
        ck_assert_int_eq(msg.cseq_method, SLS_METHOD_OTHER);
        ck_assert_reason(parse_vs_fresh(build("FOX sip:b@x SIP/2.0", VIA, FROM, TO, CALLID,
                                              "CSeq: 7 FOO\r\n")),
                         SLS_CTR_SIP_CSEQ_METHOD_MISMATCH);
        ck_assert_reason(parse_vs_fresh(build("BYE sip:b@x SIP/2.0", VIA, FROM, TO, CALLID,
                                              "CSeq: 7 FOO\r\n")),
                         SLS_CTR_SIP_CSEQ_METHOD_MISMATCH);
        ck_assert_int_eq(parse_vs_fresh(build("BYE sip:b@x SIP/2.0", VIA, FROM, TO, CALLID,
                                              "CSeq: 7 BYE\r\n")),
                         0);
        ck_assert_int_eq(msg.cseq_method, SLS_METHOD_BYE);
        ck_assert_reason(parse_vs_fresh(build("FOO sip:b@x SIP/2.0", VIA, FROM, TO, CALLID,
                                              "CSeq: 7 BYE\r\n")),
                         SLS_CTR_SIP_CSEQ_METHOD_MISMATCH);
        ck_assert_int_eq(parse_vs_fresh(build("SIP/2.0 200 OK", VIA, FROM, TO, CALLID,
                                              "CSeq: 7 FOO\r\n")),
                         0);
        ck_assert_str_field(msg.method_name, "FOO");
    }
}
END_TEST

/* ------------------------------------------------ guesses, shared slots */

/* The quick guess of a template (the branch or tag as the value's last
 * parameter) is only looked up: it must find exactly what make_template
 * would. Values of 16 to 60 bytes (the guess reads 16-byte chunks from the
 * end, the first overlapping when the value is short), tokens of 1 to 45
 * bytes (within the last chunk, copied from it; within the 48 bytes
 * searched; beyond), tokens with tchar that are no letter or digit at
 * every position, and values where the guess's ";branch=" or ";tag=" is
 * not the one libosip2 reads. Each shape twice with different tokens, so
 * the second is a hit; each compared with a new parser. */
START_TEST(test_memo_guess_shapes)
{
    static char val[512], tok[64], want[64];
    const char *fmts[4] = {"SIP/2.0/UDP %s;branch=", "<sip:%s>;tag=", "%s <sip:a@b>;tag=",
                           "SIP/2.0/TCP %s;received=1;rport;branch="};
    for (int f = 0; f < 4; f++) {
        int which = f == 0 || f == 3 ? 0 : (f == 1 ? 1 : 2);
        for (size_t pre = 1; pre <= 24; pre += 23) {
            char prefix[64];
            memset(prefix, 'h', pre);
            prefix[pre] = '\0';
            if (f == 1)
                memcpy(prefix, "a@", pre >= 2 ? 2 : 0);
            for (size_t tn = 1; tn <= 45; tn++) {
                for (int round = 0; round < 2; round++) {
                    for (size_t i = 0; i < tn; i++)
                        tok[i] = (char)('a' + (i + (size_t)round) % 26);
                    tok[tn] = '\0';
                    subst(val, sizeof val, fmts[f], prefix);
                    strcat(val, tok);
                    if (parse_vs_fresh(build_with(which, val)) != 0)
                        continue; /* refused by both: the host or URI is no good */
                    sls_str got = which == 0 ? msg.branch : which == 1 ? msg.from_tag : msg.to_tag;
                    ck_assert_str_field(got, tok);
                }
                /* Each tchar that is no letter or digit, at each place. */
                const char *odd = "!%*_+`'~";
                for (size_t i = 0; i < tn && tn <= 17; i++) {
                    tok[i] = odd[i % 8];
                    subst(val, sizeof val, fmts[f], prefix);
                    strcat(val, tok);
                    snprintf(want, sizeof want, "%s", tok);
                    if (parse_vs_fresh(build_with(which, val)) == 0) {
                        sls_str got =
                            which == 0 ? msg.branch : which == 1 ? msg.from_tag : msg.to_tag;
                        ck_assert_str_field(got, want);
                    }
                    tok[i] = 'q';
                }
            }
        }
    }
    /* The template of the first value is learnt; the others end the same
     * way but are not of its shape: the guess's key is theirs (up to
     * their last ";branch=" or ";tag="), which no stored template has. */
    const char *pairs[][2] = {
        {"SIP/2.0/UDP h.example.com;branch=abc",
         "SIP/2.0/UDP h.example.com;x=\"a\";branch=abc"},
        {"SIP/2.0/UDP h.example.com;branch=abc", "SIP/2.0/UDP h.example.com;branch=x;branch=abc"},
        {"SIP/2.0/UDP h.example.com;branch=abc", "SIP/2.0/UDP h.example.com, SIP/2.0/UDP g;branch=abc"},
        {"<sip:a@b.example.com>;tag=abc", "<sip:a@b.example.com>;tag=x;tag=abc"},
        {"<sip:a@b.example.com>;tag=abc", "<sip:a@b.example.com>;x=\"y>\";tag=abc"},
        {"<sip:a@b.example.com>;tag=abc", "sip:a@b.example.com;tag=abc"},
        {"<sip:a@b.example.com>;tag=abc", "<sip:a@b.example.com>;tag=a;b=\";tag=abc"},
    };
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
            int which = pairs[i][0][0] == 'S' ? 0 : 1;
            parse_vs_fresh(build_with(which, pairs[i][0]));
            parse_vs_fresh(build_with(which, pairs[i][1]));
            parse_vs_fresh(build_with(which, pairs[i][0]));
        }
}
END_TEST

/* Fields point into the memo entries their values hit (Call-ID, CSeq
 * method, Via sent-by and transport, a tag kept whole). A value that
 * misses in the same parse may map to one of those slots: it must not be
 * stored there, or the fields read the new entry. And the entry of the
 * last hit of a kind, tried before hashing, may be overwritten by an
 * earlier field's store in the same parse: it is not trusted then. Here
 * every message stores a new Call-ID and a new From template, 100 000
 * times: about a dozen land in a slot of the parse's Via, CSeq or To. */
START_TEST(test_memo_slot_shared_within_a_parse)
{
    static char m[2048];
    char want[64];
    for (int i = 0; i < 100000; i++) {
        snprintf(m, sizeof m,
                 "SIP/2.0 200 OK\r\n"
                 "Via: SIP/2.0/UDP 10.9.8.7:5099;branch=z9hG4bK-%d\r\n"
                 "From: <sip:u%d@example.com>;tag=f%d\r\n"
                 "To: Bob <sip:b@x>\r\n"
                 "Call-ID: c%d@x\r\n"
                 "CSeq: 7 FOO\r\n"
                 "Content-Length: 0\r\n\r\n",
                 i, i, i, i);
        ck_assert_int_eq(parse_text(m), 0);
        ck_assert_str_field(msg.via_sent_by, "10.9.8.7:5099");
        ck_assert_str_field(msg.via_transport, "UDP");
        snprintf(want, sizeof want, "z9hG4bK-%d", i);
        ck_assert_str_field(msg.branch, want);
        snprintf(want, sizeof want, "f%d", i);
        ck_assert_str_field(msg.from_tag, want);
        ck_assert_str_field(msg.to_tag, "");
        snprintf(want, sizeof want, "c%d@x", i);
        ck_assert_str_field(msg.call_id, want);
        ck_assert_str_field(msg.method_name, "FOO");
        ck_assert_int_eq(msg.cseq_method, SLS_METHOD_OTHER);
    }
}
END_TEST

/* Control bytes, DEL and high bytes at the start, middle and end of
 * Call-IDs of 1 to 40 bytes (checked 16 bytes at a time), against a new
 * parser. */
START_TEST(test_call_id_bytes)
{
    static char val[64];
    const unsigned char bytes[] = {0x01, 0x09, 0x1f, ' ', '!', 0x7e, 0x7f, 0x80, 0xff};
    for (size_t n = 1; n <= 40; n++) {
        const size_t at[3] = {0, n / 2, n - 1};
        for (int i = 0; i < 3; i++)
            for (size_t b = 0; b < sizeof bytes; b++) {
                memset(val, 'c', n);
                val[n] = '\0';
                val[at[i]] = (char)bytes[b];
                int r = parse_vs_fresh(build_with(3, val));
                /* (White space at either end is trimmed by the framer.) */
                if (at[i] > 0 && at[i] < n - 1 && (bytes[b] <= ' ' || bytes[b] == 0x7f))
                    ck_assert_msg(r == -SLS_CTR_SIP_BAD_CALL_ID || r == 1,
                                  "byte %#x at %zu of %zu: %d", bytes[b], at[i], n, r);
                else if (bytes[b] > ' ' && bytes[b] != 0x7f)
                    ck_assert_int_eq(r, 0);
            }
    }
}
END_TEST

/* User-Agent and Server of every length from 1 to 40, on one line (kept
 * as they are, checked for line breaks 16 bytes at a time) and folded at
 * each place (unfolded). */
START_TEST(test_user_agent_lengths_and_folds)
{
    static char m[4096], ua[128], want[128];
    for (size_t n = 1; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            ua[i] = (char)('A' + i % 26);
        ua[n] = '\0';
        snprintf(m, sizeof m, "SIP/2.0 200 OK\r\n" VIA FROM TO CALLID CSEQ
                 "User-Agent: %s\r\nServer: %s\r\n\r\n", ua, ua);
        ck_assert_int_eq(parse_text(m), 0);
        ck_assert_str_field(msg.user_agent, ua);
        ck_assert_str_field(msg.server, ua);
        for (size_t k = 1; k < n; k++) {
            snprintf(m, sizeof m, "SIP/2.0 200 OK\r\n" VIA FROM TO CALLID CSEQ
                     "Server: %.*s\r\n %s\r\n\r\n", (int)k, ua, ua + k);
            snprintf(want, sizeof want, "%.*s %s", (int)k, ua, ua + k);
            ck_assert_int_eq(parse_text(m), 0);
            ck_assert_str_field(msg.server, want);
            ck_assert_str_field(msg.user_agent, "");
        }
    }
}
END_TEST

/* A refused message leaves every field empty, whatever the message
 * before it left. */
START_TEST(test_refused_message_leaves_fields_empty)
{
    ck_assert_int_eq(parse_text("SIP/2.0 200 OK\r\n" VIA FROM TO CALLID CSEQ
                                "User-Agent: x\r\n\r\n"), 0);
    ck_assert_reason(parse_text(build(START, VIA, FROM, TO, CALLID, "CSeq: 1 BYE\r\n")),
                     SLS_CTR_SIP_CSEQ_METHOD_MISMATCH);
    assert_strings_sane(&msg);
    const sls_str *all[] = {&msg.method_name, &msg.reason, &msg.request_uri, &msg.call_id,
                            &msg.branch, &msg.via_sent_by, &msg.via_transport, &msg.from_tag,
                            &msg.to_tag, &msg.user_agent, &msg.server};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ck_assert_uint_eq(all[i]->n, 0);
    ck_assert_ptr_eq(msg.frame, &frame);
    ck_assert_uint_eq(msg.is_request, 1);
}
END_TEST

/* The look-ahead hint: one hash per Call-ID value, and 0 for a value too
 * long for the memo. */
START_TEST(test_call_id_hint)
{
    ck_assert_uint_eq(sls_sipparser_call_id_hash("a@h", 3), sls_sipparser_call_id_hash("a@h", 3));
    ck_assert_uint_ne(sls_sipparser_call_id_hash("a@h", 3), sls_sipparser_call_id_hash("b@h", 3));
    static char big[4096];
    memset(big, 'x', sizeof(big));
    ck_assert_uint_eq(sls_sipparser_call_id_hash(big, sizeof(big)), 0);
}
END_TEST

static Suite *sipmsg_suite(void)
{
    Suite *s = suite_create("sipmsg");
    TCase *tc = tcase_create("adapter");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_method_table);
    tcase_add_test(tc, test_parser_free_null);
    tcase_add_test(tc, test_call_id_hint);
    tcase_add_test(tc, test_parse_invite_every_field);
    tcase_add_test(tc, test_parse_180_and_200);
    tcase_add_test(tc, test_parse_unknown_methods);
    tcase_add_test(tc, test_parse_missing_headers);
    tcase_add_test(tc, test_parse_duplicate_headers);
    tcase_add_test(tc, test_parse_call_id);
    tcase_add_loop_test(tc, test_parse_cseq_table, 0, sizeof cseq_cases / sizeof cseq_cases[0]);
    tcase_add_test(tc, test_parse_cseq_response_range);
    tcase_add_test(tc, test_parse_method_mismatch);
    tcase_add_loop_test(tc, test_parse_via_table, 0, sizeof via_cases / sizeof via_cases[0]);
    tcase_add_test(tc, test_parse_from_to);
    tcase_add_test(tc, test_parse_compact_forms);
    tcase_add_test(tc, test_parse_user_agent_server);
    tcase_add_test(tc, test_parse_long_fields);
    tcase_add_test(tc, test_memoised_values_give_the_same_verdicts);
    tcase_add_test(tc, test_memo_templates);
    suite_add_tcase(s, tc);

    /* Each parse here is compared with a new parser's: thousands of
     * parsers, slow under ASan. */
    tc = tcase_create("memo");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_memo_agrees_with_no_memo_byte_by_byte);
    tcase_add_test(tc, test_memo_values_of_every_length);
    tcase_add_test(tc, test_memo_template_token_bytes);
    tcase_add_test(tc, test_memo_template_cut_positions);
    tcase_add_test(tc, test_memo_kinds_apart);
    tcase_add_test(tc, test_memo_cseq_methods);
    tcase_add_test(tc, test_memo_guess_shapes);
    tcase_add_test(tc, test_memo_slot_shared_within_a_parse);
    tcase_add_test(tc, test_call_id_bytes);
    tcase_add_test(tc, test_user_agent_lengths_and_folds);
    tcase_add_test(tc, test_refused_message_leaves_fields_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("torture");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_torture_table_matches_rfc_verdicts);
    tcase_add_test(tc, test_torture_set);
    tcase_add_test(tc, test_torture_every_prefix);
    tcase_add_test(tc, test_torture_prints_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(sipmsg_suite());
}
