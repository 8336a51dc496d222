/* Check suite for src/sipframe.c: SIP detection and framing.
 *
 * Every input is copied so that it ends exactly at an unreadable page
 * (picohttpparser's test.c trick): a one-byte overread crashes the test. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "sipsleuth/sipframe.h"

#include "sls_check.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ------------------------------------------------------------ guard page */

typedef struct guarded {
    void *map;
    size_t maplen;
    const char *p;
    size_t n;
} guarded;

/* Copies data[0..n) so that it ends right before a PROT_NONE page; the data
 * pages are made read-only too, so a write through the const pointer would
 * crash as well. */
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
    g->n = n;
    return dst;
}

static void guard_free(guarded *g)
{
    if (g->map != NULL)
        munmap(g->map, g->maplen);
    g->map = NULL;
}

/* Frames s[0..n) placed before a guard page. The slices in *f point into
 * *g: free it after the checks. */
static int frame_guarded(guarded *g, const char *s, size_t n, enum sls_frame_mode mode,
                         sls_sipframe *f)
{
    guard_put(g, s, n);
    return sls_sipframe_parse(g->p, n, mode, f);
}

static int frame_str(guarded *g, const char *s, enum sls_frame_mode mode, sls_sipframe *f)
{
    return frame_guarded(g, s, strlen(s), mode, f);
}

static int slice_eq(sls_slice s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

#define ck_assert_slice_eq(s, lit)                                                      \
    ck_assert_msg(slice_eq((s), (lit)), "slice \"%.*s\" != \"%s\"", (int)(s).n, (s).p, \
                  (lit))

static int has_anomaly(const sls_sipframe *f, enum sls_counter c)
{
    for (unsigned i = 0; i < f->nanomalies; i++)
        if (f->anomalies[i] == c)
            return 1;
    return 0;
}

/* ------------------------------------------------------------- messages */

#define INVITE_SDP                                                           \
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"                          \
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"  \
    "Max-Forwards: 70\r\n"                                                   \
    "To: Bob <sip:bob@biloxi.example.com>\r\n"                               \
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"         \
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"                   \
    "CSeq: 314159 INVITE\r\n"                                                \
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"                      \
    "Content-Type: application/sdp\r\n"                                     \
    "Content-Length: 149\r\n"                                                \
    "\r\n"                                                                   \
    "v=0\r\n"                                                                \
    "o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n"      \
    "s=-\r\n"                                                                \
    "c=IN IP4 192.0.2.101\r\n"                                               \
    "t=0 0\r\n"                                                              \
    "m=audio 49172 RTP/AVP 0\r\n"                                            \
    "a=rtpmap:0 PCMU/8000\r\n"

#define RINGING                                                              \
    "SIP/2.0 180 Ringing\r\n"                                                \
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"  \
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"                   \
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"         \
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"                   \
    "CSeq: 314159 INVITE\r\n"                                                \
    "Content-Length: 0\r\n"                                                  \
    "\r\n"

#define BYE                                                                  \
    "BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\n"                     \
    "Via: SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKnashds10\r\n"                  \
    "From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"                 \
    "To: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"           \
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"                   \
    "CSeq: 231 BYE\r\n"                                                      \
    "l: 0\r\n"                                                               \
    "\r\n"

/* ------------------------------------------------------------ detection */

typedef struct detect_case {
    const char *what;
    const char *data;
    size_t len; /* 0: strlen(data) */
    int expect;
} detect_case;

static const char rtp[] = "\x80\x00\x12\x34\x00\x00\x10\x00\xde\xad\xbe\xef\xff\xff\xff\xff";
static const char dns[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07"
                          "example\x03"
                          "com\x00\x00\x01\x00\x01";
static const char dns_letter_id[] = "AB\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03"
                                    "sip\x03"
                                    "com\x00\x00\x01\x00\x01";
static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
static const char stun[] = "\x00\x01\x00\x00\x21\x12\xa4\x42\x01\x02\x03\x04";

static const detect_case detect_cases[] = {
    /* SIP, or clearly trying to be */
    {"INVITE", "INVITE sip:bob@example.com SIP/2.0\r\nVia: x\r\n", 0, 1},
    {"response", "SIP/2.0 200 OK\r\n", 0, 1},
    {"response no reason", "SIP/2.0 100 \r\n", 0, 1},
    {"LF only", "BYE sip:a@b SIP/2.0\nVia: x\n", 0, 1},
    {"extension method", "NEWMETHOD sip:user@example.com SIP/2.0\r\n", 0, 1},
    {"RFC 4475 intmeth", "!interesting-Method0123456789_*+`.%indeed'~ sip:x@y SIP/2.0\r\n", 0, 1},
    {"RFC 4475 badvers SIP/7.0", "OPTIONS sip:t.watson@example.org SIP/7.0\r\n", 0, 1},
    {"RFC 4475 bigcode", "SIP/2.0 4294967301 better not break the receiver\r\n", 0, 1},
    {"RFC 4475 lwsstart", "INVITE  sip:user@example.com  SIP/2.0\r\n", 0, 1},
    {"RFC 4475 trws", "OPTIONS sip:remote-target@example.com SIP/2.0  \r\n", 0, 1},
    {"RFC 4475 lwsruri", "INVITE sip:user@example.com; lr SIP/2.0\r\n", 0, 1},
    {"RFC 4475 ltgtruri", "INVITE <sip:user@example.com> SIP/2.0\r\n", 0, 1},
    {"no line end", "REGISTER sip:example.com SIP/2.0", 0, 1},
    {"tel URI", "INVITE tel:+15551234 SIP/2.0\r\n", 0, 1},
    {"response version 3.14", "SIP/3.14 200 OK\r\n", 0, 1},
    {"one-byte method and URI", "A x SIP/2.0\r\n", 0, 1},
    {"version then spaces", "INVITE sip:a@b SIP/2.0 \t \r\n", 0, 1},
    {"version then two CRs", "INVITE sip:a@b SIP/2.0\r\r\n", 0, 1},
    {"version, CR, no LF", "INVITE sip:a@b SIP/2.0\r", 0, 1},
    {"response, two SPs before the code", "SIP/2.0  200 OK\r\n", 0, 1},
    {"response, code only", "SIP/2.0 2", 0, 1},
    /* not SIP */
    {"empty", "", 0, 0},
    {"CRLF keep-alive", "\r\n", 0, 0},
    {"CRLFCRLF keep-alive", "\r\n\r\n", 0, 0},
    {"RTP", rtp, sizeof rtp - 1, 0},
    {"DNS query", dns, sizeof dns - 1, 0},
    {"DNS id of letters", dns_letter_id, sizeof dns_letter_id - 1, 0},
    {"TLS hello", tls, sizeof tls - 1, 0},
    {"STUN", stun, sizeof stun - 1, 0},
    {"SSDP NOTIFY", "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n", 0, 0},
    {"SSDP M-SEARCH", "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n", 0, 0},
    {"HTTP GET", "GET / HTTP/1.1\r\nHost: example.com\r\n", 0, 0},
    {"HTTP POST", "POST /sip HTTP/1.0\r\n", 0, 0},
    {"HTTP response", "HTTP/1.1 200 OK\r\n", 0, 0},
    {"Via value mid-stream", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n", 0, 0},
    {"lowercase method", "invite sip:bob@example.com SIP/2.0\r\n", 0, 0},
    {"version on next line", "INVITE sip:bob@example.com\r\nSIP/2.0\r\n", 0, 0},
    {"method only", "INVITE\r\n", 0, 0},
    {"no URI", "INVITE SIP/2.0\r\n", 0, 0},
    {"no URI, two spaces", "INVITE  SIP/2.0\r\n", 0, 0},
    {"version glued to URI", "INVITE sip:a@bSIP/2.0\r\n", 0, 0},
    {"version only", "SIP/2.0\r\n", 0, 0},
    {"status not digits", "SIP/2.0 OK\r\n", 0, 0},
    {"status, SPs only", "SIP/2.0   \r\n", 0, 0},
    {"status cut after SIP/2.0 SP", "SIP/2.0 ", 0, 0},
    {"request, CR glued to version", "INVITE sip:a@bSIP/2.0\r\n", 0, 0},
    {"version without digits", "SIP/ 200 OK\r\n", 0, 0},
    {"text", "hello world, this is not SIP at all\r\n", 0, 0},
    {"SDP fragment", "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n", 0, 0},
    {"body fragment", "m=audio 49170 RTP/AVP 0\r\n", 0, 0},
};

START_TEST(test_detect_table)
{
    const detect_case *c = &detect_cases[_i];
    size_t n = c->len != 0 ? c->len : strlen(c->data);
    guarded g;
    guard_put(&g, c->data, n);
    ck_assert_msg(sls_sip_detect((const uint8_t *)g.p, n) == c->expect, "%s: expected %d",
                  c->what, c->expect);
    /* Every prefix: never crashes, never reads past the end. */
    for (size_t k = 0; k <= n; k++) {
        guarded gk;
        guard_put(&gk, c->data, k);
        (void)sls_sip_detect((const uint8_t *)gk.p, k);
        guard_free(&gk);
    }
    guard_free(&g);
}
END_TEST

START_TEST(test_detect_long_request_line)
{
    /* A Request-URI longer than the detection window: the version is out
     * of sight; a SIP URI after an upper-case method is enough. */
    static char line[3000];
    memcpy(line, "INVITE sip:", 11);
    memset(line + 11, 'a', 2000);
    memcpy(line + 2011, "@example.com SIP/2.0\r\n", 22);
    guarded g;
    guard_put(&g, line, 2033);
    ck_assert_int_eq(sls_sip_detect((const uint8_t *)g.p, 2033), 1);
    guard_free(&g);

    memcpy(line, "GET /sip:", 9);
    guard_put(&g, line, 2033);
    ck_assert_int_eq(sls_sip_detect((const uint8_t *)g.p, 2033), 0);
    guard_free(&g);
}
END_TEST

START_TEST(test_detect_null)
{
    ck_assert_int_eq(sls_sip_detect(NULL, 0), 0);
    ck_assert_int_eq(sls_sip_detect(NULL, 100), 0);
}
END_TEST

/* -------------------------------------------------------------- framing */

START_TEST(test_frame_invite_with_sdp)
{
    sls_sipframe f;
    guarded g;
    size_t len = strlen(INVITE_SDP);
    int r = frame_str(&g, INVITE_SDP, SLS_FRAME_DATAGRAM, &f);
    ck_assert_int_eq(r, (int)len);
    ck_assert_uint_eq(f.msg_len, len);
    ck_assert_uint_eq(f.is_request, 1);
    ck_assert_slice_eq(f.method, "INVITE");
    ck_assert_slice_eq(f.uri, "sip:bob@biloxi.example.com");
    /* Max-Forwards, Contact and Content-Type are read by no later stage:
     * checked and counted, not indexed. */
    ck_assert_uint_eq(f.nheaders, 6);
    ck_assert_slice_eq(f.headers[0].name, "Via");
    ck_assert_slice_eq(f.headers[0].value,
                       "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
    ck_assert_uint_eq(f.headers[0].id, SLS_HDR_VIA);
    ck_assert_uint_eq(f.headers[1].id, SLS_HDR_TO);
    ck_assert_slice_eq(f.headers[1].value, "Bob <sip:bob@biloxi.example.com>");
    ck_assert_int_eq(f.first[SLS_HDR_VIA], 0);
    ck_assert_int_eq(f.first[SLS_HDR_TO], 1);
    ck_assert_int_eq(f.first[SLS_HDR_FROM], 2);
    ck_assert_int_eq(f.first[SLS_HDR_CALL_ID], 3);
    ck_assert_int_eq(f.first[SLS_HDR_CSEQ], 4);
    ck_assert_int_eq(f.first[SLS_HDR_CONTENT_LENGTH], 5);
    ck_assert_int_eq(f.first[SLS_HDR_USER_AGENT], -1);
    ck_assert_uint_eq(f.count[SLS_HDR_VIA], 1);
    ck_assert_uint_eq(f.count[SLS_HDR_USER_AGENT], 0);
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 3);
    ck_assert_int_eq(f.content_length, 149);
    ck_assert_uint_eq(f.body.n, 149);
    ck_assert_uint_eq(f.header_len + f.body.n, len);
    ck_assert(memcmp(f.body.p, "v=0\r\n", 5) == 0);
    ck_assert_uint_eq(f.nanomalies, 0);
    ck_assert_uint_eq(f.anomalies[0], 0);

    /* The same bytes on a stream: the same message. */
    sls_sipframe f2;
    ck_assert_int_eq(sls_sipframe_parse(g.p, len, SLS_FRAME_STREAM, &f2), (int)len);
    ck_assert_uint_eq(f2.header_len, f.header_len);
    ck_assert_uint_eq(f2.body.n, 149);
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_response)
{
    sls_sipframe f;
    guarded g;
    ck_assert_int_eq(frame_str(&g, RINGING, SLS_FRAME_DATAGRAM, &f), (int)strlen(RINGING));
    ck_assert_uint_eq(f.is_request, 0);
    ck_assert_uint_eq(f.status, 180);
    ck_assert_slice_eq(f.reason, "Ringing");
    ck_assert_uint_eq(f.method.n, 0);
    ck_assert_int_eq(f.content_length, 0);
    ck_assert_uint_eq(f.body.n, 0);
    guard_free(&g);

    /* RFC 4475 3.1.1.13 noreason: "SIP/2.0 100 " and an empty phrase. */
    ck_assert_int_gt(frame_str(&g, "SIP/2.0 100 \r\nl: 0\r\n\r\n", SLS_FRAME_DATAGRAM, &f), 0);
    ck_assert_uint_eq(f.status, 100);
    ck_assert_uint_eq(f.reason.n, 0);
    guard_free(&g);

    /* No SP at all after the code: accepted, empty reason. */
    ck_assert_int_gt(frame_str(&g, "SIP/2.0 180\r\nl: 0\r\n\r\n", SLS_FRAME_DATAGRAM, &f), 0);
    ck_assert_uint_eq(f.status, 180);
    ck_assert_uint_eq(f.reason.n, 0);
    guard_free(&g);

    ck_assert_int_gt(frame_str(&g, "SIP/2.0 699 x\r\n\r\n", SLS_FRAME_DATAGRAM, &f), 0);
    ck_assert_uint_eq(f.status, 699);
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_lf_only)
{
    const char *m = "OPTIONS sip:carol@chicago.example.com SIP/2.0\n"
                    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\n"
                    "To: <sip:carol@chicago.example.com>\n"
                    "Call-ID: a84b4c76e66710\n"
                    "Content-Length: 4\n"
                    "\n"
                    "body";
    sls_sipframe f;
    guarded g;
    size_t len = strlen(m);
    ck_assert_int_eq(frame_str(&g, m, SLS_FRAME_DATAGRAM, &f), (int)len);
    ck_assert_slice_eq(f.uri, "sip:carol@chicago.example.com");
    ck_assert_uint_eq(f.nheaders, 4);
    ck_assert_slice_eq(f.headers[2].value, "a84b4c76e66710");
    ck_assert_slice_eq(f.body, "body");
    ck_assert_uint_eq(f.header_len, len - 4);
    ck_assert_uint_eq(f.nanomalies, 0);
    ck_assert_int_eq(sls_sipframe_parse(g.p, len, SLS_FRAME_STREAM, &f), (int)len);
    guard_free(&g);

    /* Mixed line endings in one message. */
    m = "SIP/2.0 200 OK\nVia: SIP/2.0/UDP h\r\nl: 0\n\r\n";
    ck_assert_int_eq(frame_str(&g, m, SLS_FRAME_DATAGRAM, &f), (int)strlen(m));
    ck_assert_slice_eq(f.headers[0].value, "SIP/2.0/UDP h");
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_folded_header)
{
    /* RFC 3261 7.3.1; RFC 4475 3.1.1.1 wsinv "TO :" with the value on the
     * next line, and a value spread over three lines. */
    const char *m = "INVITE sip:vivekg@chair-dnrc.example.com SIP/2.0\r\n"
                    "TO :\r\n"
                    " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n"
                    "Via  : SIP  /   2.0\r\n"
                    " /UDP\r\n"
                    "    192.0.2.2;branch=390skdjuw   \r\n"
                    "Subject:\r\n"
                    "X-Blank:   \r\n"
                    "\t\r\n"
                    "Content-Length: 0\r\n"
                    "\r\n";
    sls_sipframe f;
    guarded g;
    ck_assert_int_eq(frame_str(&g, m, SLS_FRAME_DATAGRAM, &f), (int)strlen(m));
    /* Subject and X-Blank (and its blank continuation) are checked and
     * counted, not indexed. */
    ck_assert_uint_eq(f.nheaders, 3);
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 2);
    ck_assert_int_eq(f.first[SLS_HDR_OTHER], -1);
    ck_assert_slice_eq(f.headers[0].name, "TO");
    ck_assert_uint_eq(f.headers[0].id, SLS_HDR_TO);
    ck_assert_slice_eq(f.headers[0].value,
                       "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
    ck_assert_slice_eq(f.headers[1].name, "Via");
    ck_assert_uint_eq(f.headers[1].id, SLS_HDR_VIA);
    ck_assert_slice_eq(f.headers[1].value,
                       "SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw");
    ck_assert_slice_eq(f.headers[2].name, "Content-Length");
    ck_assert_int_eq(f.first[SLS_HDR_CONTENT_LENGTH], 2);
    ck_assert_int_eq(f.content_length, 0);
    guard_free(&g);

    /* A continuation of an unknown header belongs to it, not to the known
     * header before it; a known header after an unknown one folds as
     * usual. Short and long enough for the 16-byte name check. */
    const char *mixed[] = {"SIP/2.0 200 OK\r\n"
                           "Via: a\r\n"
                           "X-U: b\r\n"
                           " c\r\n"
                           "\t\r\n"
                           "To: t\r\n"
                           " u\r\n"
                           "X-V: w\r\n"
                           "\r\n",
                           "SIP/2.0 200 OK\r\n"
                           "Via: a\r\n"
                           "X-U: b\r\n"
                           " c\r\n"
                           "\t\r\n"
                           "To: t\r\n"
                           " u\r\n"
                           "X-V: w\r\n"
                           "\r\n"
                           "body of twenty bytes"};
    for (size_t i = 0; i < 2; i++) {
        for (int mode = 0; mode < 2; mode++) {
            size_t n = strlen(mixed[i]) - (mode == SLS_FRAME_STREAM ? 20 * i : 0);
            ck_assert_int_eq(frame_guarded(&g, mixed[i], n, (enum sls_frame_mode)mode, &f),
                             (int)n);
            ck_assert_uint_eq(f.nheaders, 2);
            ck_assert_slice_eq(f.headers[0].value, "a");
            ck_assert_slice_eq(f.headers[1].value, "t\r\n u");
            ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 2);
            guard_free(&g);
        }
    }

    /* A continuation line with no header before it. */
    ck_assert_int_eq(frame_str(&g, "SIP/2.0 200 OK\r\n folded: x\r\n\r\n", SLS_FRAME_DATAGRAM, &f),
                     -SLS_CTR_SIP_BAD_HEADER_LINE);
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_compact_headers)
{
    const char *m = "INVITE sip:bob@example.com SIP/2.0\r\n"
                    "v: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                    "f: <sip:a@b>;tag=1\r\n"
                    "t: <sip:bob@example.com>\r\n"
                    "i: abc@h\r\n"
                    "CSeq: 1 INVITE\r\n"
                    "m: <sip:a@h>\r\n"
                    "c: text/plain\r\n"
                    "L: 3\r\n"
                    "k: 100rel\r\n"
                    "\r\n"
                    "abc";
    sls_sipframe f;
    guarded g;
    ck_assert_int_eq(frame_str(&g, m, SLS_FRAME_DATAGRAM, &f), (int)strlen(m));
    ck_assert_int_eq(f.first[SLS_HDR_VIA], 0);
    ck_assert_int_eq(f.first[SLS_HDR_FROM], 1);
    ck_assert_int_eq(f.first[SLS_HDR_TO], 2);
    ck_assert_int_eq(f.first[SLS_HDR_CALL_ID], 3);
    ck_assert_int_eq(f.first[SLS_HDR_CSEQ], 4);
    ck_assert_int_eq(f.first[SLS_HDR_CONTENT_LENGTH], 5);
    /* m: Contact, c: Content-Type and k: Supported are counted, not
     * indexed. */
    ck_assert_uint_eq(f.nheaders, 6);
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 3);
    ck_assert_int_eq(f.first[SLS_HDR_OTHER], -1);
    ck_assert_int_eq(f.content_length, 3);
    ck_assert_slice_eq(f.body, "abc");
    guard_free(&g);
}
END_TEST

/* Every SLS_HEADER_MAP name, in lower, upper and mixed case, and every
 * compact form, is recognised by the framer's switch. */
static const struct {
    const char *name;
    char compact;
    uint8_t id;
} header_names[] = {
#define ROW(id, name, compact) {name, compact, SLS_HDR_##id},
    SLS_HEADER_MAP(ROW)
#undef ROW
};

/* Frames "SIP/2.0 200 OK", the header line `line` and the empty line as a
 * datagram (a Content-Length line of 20 fits both), with no body (the line is then read the general way: fewer
 * than 16 bytes follow its start) or with a 20-byte body (the line is read
 * by the 16-byte check). */
static const char *const name_bodies[] = {"", "body of twenty bytes"};

static int frame_line(guarded *g, const char *line, int body, sls_sipframe *f)
{
    char msg[256];
    int len = snprintf(msg, sizeof msg, "SIP/2.0 200 OK\r\n%s\r\n\r\n%s", line,
                       name_bodies[body]);
    ck_assert_int_lt(len, (int)sizeof msg);
    int r = frame_guarded(g, msg, (size_t)len, SLS_FRAME_DATAGRAM, f);
    ck_assert_msg(r == len, "\"%s\" body %d: %d", line, body, r);
    return r;
}

START_TEST(test_frame_header_map_names)
{
    const char *name = header_names[_i].name;
    size_t n = strlen(name);
    char line[128], upper[64], mixed[64];
    for (size_t k = 0; k <= n; k++) {
        char c = name[k];
        upper[k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        mixed[k] = (k % 2 == 0) ? upper[k] : c;
    }
    const char *forms[] = {name, upper, mixed};
    for (int body = 0; body < 2; body++) {
        for (size_t k = 0; k < 3; k++) {
            snprintf(line, sizeof line, "%s: 20", forms[k]);
            sls_sipframe f;
            guarded g;
            frame_line(&g, line, body, &f);
            ck_assert_uint_eq(f.nheaders, 1);
            ck_assert_msg(f.headers[0].id == header_names[_i].id, "%s not recognised",
                          forms[k]);
            ck_assert_int_eq(f.first[header_names[_i].id], 0);
            ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 0);
            guard_free(&g);
        }
        if (header_names[_i].compact != 0) {
            char cf[2][2] = {{header_names[_i].compact, 0},
                             {(char)(header_names[_i].compact - 32), 0}};
            for (size_t k = 0; k < 2; k++) {
                snprintf(line, sizeof line, "%s: 20", cf[k]);
                sls_sipframe f;
                guarded g;
                frame_line(&g, line, body, &f);
                ck_assert_uint_eq(f.nheaders, 1);
                ck_assert_msg(f.headers[0].id == header_names[_i].id, "%s not recognised",
                              cf[k]);
                guard_free(&g);
            }
        }
        /* Near misses are OTHER: counted, not indexed. */
        const char *others[] = {"vias", "cseq2", "x-call-id", "content-lengt", "tox", "q", "fro"};
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
            snprintf(line, sizeof line, "%s: 20", others[k]);
            sls_sipframe f;
            guarded g;
            frame_line(&g, line, body, &f);
            ck_assert_msg(f.nheaders == 0, "%s recognised", others[k]);
            ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 1);
            ck_assert_int_eq(f.first[SLS_HDR_OTHER], -1);
            guard_free(&g);
        }
    }
}
END_TEST

START_TEST(test_frame_slice_ieq)
{
    sls_slice s = {"Content-LENGTH", 14};
    ck_assert(sls_slice_ieq(s, "content-length"));
    ck_assert(!sls_slice_ieq(s, "content-lengt"));
    ck_assert(!sls_slice_ieq(s, "content-lengthx"));
    ck_assert(sls_slice_ieq((sls_slice){"", 0}, ""));
}
END_TEST

START_TEST(test_frame_stream_back_to_back)
{
    /* Three messages in one buffer, with RFC 5626 keep-alives between them
     * (RFC 3261 7.5: CRLFs before a start line are ignored on streams). */
    const char *msgs[] = {INVITE_SDP, "\r\n\r\n" RINGING, "\r\n" BYE};
    char buf[4096];
    size_t len = 0, lens[3];
    for (size_t i = 0; i < 3; i++) {
        lens[i] = strlen(msgs[i]);
        memcpy(buf + len, msgs[i], lens[i]);
        len += lens[i];
    }
    guarded g;
    guard_put(&g, buf, len);
    sls_sipframe f;
    size_t off = 0;
    for (size_t i = 0; i < 3; i++) {
        int r = sls_sipframe_parse(g.p + off, len - off, SLS_FRAME_STREAM, &f);
        ck_assert_int_eq(r, (int)lens[i]);
        ck_assert_uint_eq(f.msg_len, lens[i]);
        /* The start line begins after the skipped CRLFs. */
        const char *start = g.p + off + f.msg_len - f.body.n - f.header_len;
        ck_assert(memcmp(start, i == 1 ? "SIP/2.0 180" : (i == 0 ? "INVITE " : "BYE "), 4) == 0);
        off += (size_t)r;
    }
    ck_assert_uint_eq(off, len);
    ck_assert_int_eq(sls_sipframe_parse(g.p + off, 0, SLS_FRAME_STREAM, &f), 0);
    guard_free(&g);

    /* Only keep-alives: need more. */
    ck_assert_int_eq(frame_str(&g, "\r\n\r\n", SLS_FRAME_STREAM, &f), 0);
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_stream_every_prefix)
{
    /* Each prefix of a message, then of two messages: "need more" until the
     * message is complete, never a wrong length, never an overread. */
    const char *cases[] = {INVITE_SDP, RINGING, BYE, INVITE_SDP RINGING};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t len = strlen(cases[c]);
        size_t first = c == 3 ? strlen(INVITE_SDP) : len;
        for (size_t k = 0; k <= len; k++) {
            sls_sipframe f;
            guarded g;
            int r = frame_guarded(&g, cases[c], k, SLS_FRAME_STREAM, &f);
            if (k < first)
                ck_assert_msg(r == 0, "case %zu prefix %zu: %d", c, k, r);
            else
                ck_assert_msg(r == (int)first, "case %zu prefix %zu: %d", c, k, r);
            guard_free(&g);
        }
    }
}
END_TEST

START_TEST(test_frame_datagram_every_prefix)
{
    /* A truncated datagram never crashes and never reads out of bounds;
     * the result is whatever it is, but never more than was given. */
    const char *cases[] = {INVITE_SDP, RINGING, BYE};
    for (size_t c = 0; c < 3; c++) {
        size_t len = strlen(cases[c]);
        for (size_t k = 0; k <= len; k++) {
            sls_sipframe f;
            guarded g;
            int r = frame_guarded(&g, cases[c], k, SLS_FRAME_DATAGRAM, &f);
            ck_assert_int_le(r, (int)k);
            if (r > 0) {
                ck_assert_uint_le(f.header_len + f.body.n, k);
                ck_assert_uint_eq(f.msg_len, (size_t)r);
            }
            guard_free(&g);
        }
    }
}
END_TEST

/* Builds "OPTIONS ... \r\n" + nh lines "X-Hn: <pad>" + "\r\n". */
static size_t build_headers(char *buf, size_t cap, size_t nh, size_t pad)
{
    size_t o = (size_t)snprintf(buf, cap, "OPTIONS sip:a@b SIP/2.0\r\n");
    for (size_t i = 0; i < nh; i++) {
        o += (size_t)snprintf(buf + o, cap - o, "X-H%zu: ", i);
        ck_assert_uint_lt(o + pad + 4, cap);
        memset(buf + o, 'p', pad);
        o += pad;
        buf[o++] = '\r';
        buf[o++] = '\n';
    }
    buf[o++] = '\r';
    buf[o++] = '\n';
    return o;
}

START_TEST(test_frame_too_many_headers)
{
    static char buf[32768];
    sls_sipframe f;
    guarded g;
    size_t len = build_headers(buf, sizeof buf, SLS_SIPFRAME_MAX_HEADERS, 4);
    ck_assert_int_eq(frame_guarded(&g, buf, len, SLS_FRAME_DATAGRAM, &f), (int)len);
    /* Unknown lines count against the ceiling but get no entry. */
    ck_assert_uint_eq(f.nheaders, 0);
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], SLS_SIPFRAME_MAX_HEADERS);
    ck_assert_int_eq(f.first[SLS_HDR_OTHER], -1);
    guard_free(&g);

    len = build_headers(buf, sizeof buf, SLS_SIPFRAME_MAX_HEADERS + 1, 4);
    ck_assert_int_eq(frame_guarded(&g, buf, len, SLS_FRAME_DATAGRAM, &f),
                     -SLS_CTR_SIP_TOO_MANY_HEADERS);
    guard_free(&g);
    /* On a stream it is known before the message is complete. */
    ck_assert_int_eq(frame_guarded(&g, buf, len - 2, SLS_FRAME_STREAM, &f),
                     -SLS_CTR_SIP_TOO_MANY_HEADERS);
    guard_free(&g);

    /* Continuation lines do not count as header lines. */
    size_t o = (size_t)snprintf(buf, sizeof buf, "OPTIONS sip:a@b SIP/2.0\r\nX: a\r\n");
    for (size_t i = 0; i < 2 * SLS_SIPFRAME_MAX_HEADERS; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, " b\r\n");
    o += (size_t)snprintf(buf + o, sizeof buf - o, "\r\n");
    ck_assert_int_eq(frame_guarded(&g, buf, o, SLS_FRAME_DATAGRAM, &f), (int)o);
    ck_assert_uint_eq(f.nheaders, 0);
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 1);
    guard_free(&g);
}
END_TEST

/* The ceiling counts every header line, known or not: known and unknown
 * lines mixed in any proportion, up to a full index of known lines, and
 * the shortest lines there are ("x:" and a LF, after the shortest start
 * line), which reach the ceiling in the fewest bytes. */
START_TEST(test_frame_too_many_headers_mixed)
{
    static char buf[32768];
    static const size_t known_counts[] = {0, 1, 128, 255, 256, 257};
    for (size_t t = 0; t < sizeof known_counts / sizeof known_counts[0]; t++) {
        for (size_t total = SLS_SIPFRAME_MAX_HEADERS; total <= SLS_SIPFRAME_MAX_HEADERS + 1;
             total++) {
            for (int shortest = 0; shortest < 2; shortest++) {
                size_t known = known_counts[t] < total ? known_counts[t] : total;
                size_t o = (size_t)snprintf(buf, sizeof buf, "%s",
                                            shortest ? "A a SIP/2.0\n" : "A a SIP/2.0\r\n");
                for (size_t i = 0; i < total; i++) {
                    /* Known lines first, then unknown ones, alternating
                     * at the boundary. */
                    int is_known = i < known;
                    if (shortest)
                        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s:\n",
                                              is_known ? "v" : "x");
                    else
                        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s: %zu\r\n",
                                              is_known ? "Via" : "X-Y", i);
                }
                o += (size_t)snprintf(buf + o, sizeof buf - o, shortest ? "\n" : "\r\n");
                for (int mode = 0; mode < 2; mode++) {
                    sls_sipframe f;
                    guarded g;
                    int r = frame_guarded(&g, buf, o, (enum sls_frame_mode)mode, &f);
                    if (total > SLS_SIPFRAME_MAX_HEADERS) {
                        ck_assert_msg(r == -SLS_CTR_SIP_TOO_MANY_HEADERS,
                                      "known %zu total %zu shortest %d mode %d: %d", known,
                                      total, shortest, mode, r);
                    } else {
                        ck_assert_msg(r == (int)o, "known %zu shortest %d mode %d: %d", known,
                                      shortest, mode, r);
                        ck_assert_uint_eq(f.nheaders, known);
                        ck_assert_uint_eq(f.count[SLS_HDR_VIA], known);
                        ck_assert_int_eq(f.first[SLS_HDR_VIA], known > 0 ? 0 : -1);
                        ck_assert_uint_eq(f.count[SLS_HDR_OTHER], total - known);
                        if (known > 0 && !shortest) {
                            char want[16];
                            snprintf(want, sizeof want, "%zu", known - 1);
                            ck_assert_slice_eq(f.headers[known - 1].value, want);
                        }
                    }
                    guard_free(&g);
                }
            }
        }
    }
}
END_TEST

START_TEST(test_frame_header_section_limit)
{
    static char buf[SLS_SIPFRAME_MAX_HEADER_BYTES + 8192];
    sls_sipframe f;
    guarded g;
    /* 200 lines of ~340 bytes: about 68 KB of headers. */
    size_t len = build_headers(buf, sizeof buf, 200, 330);
    ck_assert_uint_gt(len, SLS_SIPFRAME_MAX_HEADER_BYTES);
    ck_assert_int_eq(frame_guarded(&g, buf, len, SLS_FRAME_DATAGRAM, &f), -SLS_CTR_SIP_TOO_LARGE);
    guard_free(&g);
    ck_assert_int_eq(frame_guarded(&g, buf, len, SLS_FRAME_STREAM, &f), -SLS_CTR_SIP_TOO_LARGE);
    guard_free(&g);
    /* A stream prefix below the limit: need more; at the limit: too large. */
    ck_assert_int_eq(frame_guarded(&g, buf, SLS_SIPFRAME_MAX_HEADER_BYTES - 1, SLS_FRAME_STREAM, &f),
                     0);
    guard_free(&g);
    ck_assert_int_eq(frame_guarded(&g, buf, SLS_SIPFRAME_MAX_HEADER_BYTES, SLS_FRAME_STREAM, &f),
                     -SLS_CTR_SIP_TOO_LARGE);
    guard_free(&g);

    /* A header section of exactly the limit is accepted. */
    len = build_headers(buf, sizeof buf, 1, 0);
    size_t pad = SLS_SIPFRAME_MAX_HEADER_BYTES - len;
    len = build_headers(buf, sizeof buf, 1, pad);
    ck_assert_uint_eq(len, SLS_SIPFRAME_MAX_HEADER_BYTES);
    ck_assert_int_eq(frame_guarded(&g, buf, len, SLS_FRAME_STREAM, &f), (int)len);
    guard_free(&g);
    len = build_headers(buf, sizeof buf, 1, pad + 1);
    ck_assert_int_eq(frame_guarded(&g, buf, len, SLS_FRAME_STREAM, &f), -SLS_CTR_SIP_TOO_LARGE);
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_missing_blank_line)
{
    const char *m = "ACK sip:admind@178.45.73.241 SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 213.192.59.78:5080;branch=z9hG4bKjBiNGaOX\r\n"
                    "CSeq: 11 ACK\r\n"
                    "P-hint: rr-enforced\r\n";
    size_t len = strlen(m);
    sls_sipframe f;
    guarded g;
    /* Datagram ending right after a complete header line: headers only,
     * empty body, nothing counted (as Wireshark parses it). */
    ck_assert_int_eq(frame_guarded(&g, m, len, SLS_FRAME_DATAGRAM, &f), (int)len);
    ck_assert_uint_eq(f.header_len, len);
    ck_assert_uint_eq(f.body.n, 0);
    ck_assert_uint_eq(f.nheaders, 2);
    ck_assert_slice_eq(f.headers[1].value, "11 ACK");
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 1); /* P-hint */
    ck_assert_uint_eq(f.nanomalies, 0);
    guard_free(&g);
    /* The same ending in a known header: its value is complete. */
    static const char known_last[] = "ACK sip:a@b SIP/2.0\r\nCSeq: 11 ACK\r\nUser-Agent: x y\r\n";
    ck_assert_int_eq(frame_str(&g, known_last, SLS_FRAME_DATAGRAM, &f),
                     (int)sizeof known_last - 1);
    ck_assert_uint_eq(f.nheaders, 2);
    ck_assert_slice_eq(f.headers[1].value, "x y");
    guard_free(&g);
    /* Cut inside a line: truncated. */
    ck_assert_int_eq(frame_guarded(&g, m, len - 3, SLS_FRAME_DATAGRAM, &f),
                     -SLS_CTR_SIP_NO_HEADER_END);
    guard_free(&g);
    ck_assert_int_eq(frame_guarded(&g, m, 20, SLS_FRAME_DATAGRAM, &f),
                     -SLS_CTR_SIP_NO_HEADER_END);
    guard_free(&g);
    /* Stream: need more, whatever the cut. */
    ck_assert_int_eq(frame_guarded(&g, m, len, SLS_FRAME_STREAM, &f), 0);
    guard_free(&g);
    ck_assert_int_eq(frame_guarded(&g, m, len - 3, SLS_FRAME_STREAM, &f), 0);
    guard_free(&g);
    /* With a Content-Length the datagram cannot satisfy: an anomaly. */
    ck_assert_int_gt(frame_str(&g, "SIP/2.0 200 OK\r\nl: 5\r\n", SLS_FRAME_DATAGRAM, &f), 0);
    ck_assert(has_anomaly(&f, SLS_CTR_SIP_CONTENT_LENGTH_EXCEEDS));
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_nul_byte)
{
    static const char in_value[] = "SIP/2.0 200 OK\r\nCall-ID: ab\0cd\r\n\r\n";
    static const char in_name[] = "SIP/2.0 200 OK\r\nCall\0-ID: abcd\r\n\r\n";
    static const char in_start[] = "INVITE sip:a\0b@c SIP/2.0\r\n\r\n";
    static const char in_reason[] = "SIP/2.0 200 O\0K\r\n\r\n";
    static const char in_fold[] = "SIP/2.0 200 OK\r\nTo: <sip:a@b>\r\n ;tag=\0x\r\n\r\n";
    /* RFC 3261 25.1 quoted-pair allows %x00: RFC 4475 3.1.1.2 intmeth. */
    static const char quoted[] = "SIP/2.0 200 OK\r\nTo: \"NUL:\\\0 x\" <sip:a@b>\r\n\r\n";
    static const char quoted_fold[] = "SIP/2.0 200 OK\r\nTo: \"a\r\n b\\\0\" <sip:a@b>\r\n\r\n";
    static const char unescaped_in_quotes[] = "SIP/2.0 200 OK\r\nTo: \"a\0\" <sip:a@b>\r\n\r\n";
    static const char escaped_outside[] = "SIP/2.0 200 OK\r\nTo: \\\0 <sip:a@b>\r\n\r\n";
    static const char closed_quote[] = "SIP/2.0 200 OK\r\nTo: \"a\\\"\" \\\0<sip:a@b>\r\n\r\n";
    static const char in_body[] = "SIP/2.0 200 OK\r\nl: 3\r\n\r\na\0b";
    /* The same rules for a header that gets no entry. */
    static const char other_value[] = "SIP/2.0 200 OK\r\nX-U: ab\0cd\r\n\r\n";
    static const char other_name[] = "SIP/2.0 200 OK\r\nX\0-U: abcd\r\n\r\n";
    static const char other_fold[] = "SIP/2.0 200 OK\r\nX-U: a\r\n b\0c\r\n\r\n";
    static const char other_quoted[] = "SIP/2.0 200 OK\r\nX-U: \"NUL:\\\0 x\"\r\n\r\n";
    static const char other_quoted_fold[] = "SIP/2.0 200 OK\r\nX-U: \"a\r\n b\\\0\"\r\n\r\n";
    static const char other_unescaped[] = "SIP/2.0 200 OK\r\nX-U: \"a\0\"\r\n\r\n";
    static const char other_escaped_outside[] = "SIP/2.0 200 OK\r\nX-U: \\\0\r\n\r\n";
    /* A quote opened in one header does not carry into the next one, known
     * or not: the quoted-pair is looked for from the start of the value of
     * the header the NUL is in. */
    static const char quote_from_known[] =
        "SIP/2.0 200 OK\r\nTo: \"a\r\nX-U: b\r\n \\\0\"\r\n\r\n";
    static const char quote_from_other[] =
        "SIP/2.0 200 OK\r\nX-U: \"a\r\nTo: b\r\n \\\0\"\r\n\r\n";
    const struct {
        const char *m;
        size_t n;
        int expect_ok;
    } cases[] = {
        {in_value, sizeof in_value - 1, 0},
        {in_name, sizeof in_name - 1, 0},
        {in_start, sizeof in_start - 1, 0},
        {in_reason, sizeof in_reason - 1, 0},
        {in_fold, sizeof in_fold - 1, 0},
        {quoted, sizeof quoted - 1, 1},
        {quoted_fold, sizeof quoted_fold - 1, 1},
        {unescaped_in_quotes, sizeof unescaped_in_quotes - 1, 0},
        {escaped_outside, sizeof escaped_outside - 1, 0},
        {closed_quote, sizeof closed_quote - 1, 0},
        {in_body, sizeof in_body - 1, 1},
        {other_value, sizeof other_value - 1, 0},
        {other_name, sizeof other_name - 1, 0},
        {other_fold, sizeof other_fold - 1, 0},
        {other_quoted, sizeof other_quoted - 1, 1},
        {other_quoted_fold, sizeof other_quoted_fold - 1, 1},
        {other_unescaped, sizeof other_unescaped - 1, 0},
        {other_escaped_outside, sizeof other_escaped_outside - 1, 0},
        {quote_from_known, sizeof quote_from_known - 1, 0},
        {quote_from_other, sizeof quote_from_other - 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int mode = 0; mode < 2; mode++) {
            sls_sipframe f;
            guarded g;
            int r = frame_guarded(&g, cases[i].m, cases[i].n, (enum sls_frame_mode)mode, &f);
            if (cases[i].expect_ok)
                ck_assert_msg(r == (int)cases[i].n, "case %zu mode %d: %d", i, mode, r);
            else
                ck_assert_msg(r == -SLS_CTR_SIP_NUL_BYTE, "case %zu mode %d: %d", i, mode, r);
            guard_free(&g);
        }
    }
}
END_TEST

typedef struct start_case {
    const char *line;
    int expect; /* 0: accepted, else the counter */
} start_case;

static const start_case start_cases[] = {
    {"OPTIONS sip:t.watson@example.org SIP/7.0", SLS_CTR_SIP_BAD_VERSION},
    {"OPTIONS sip:t.watson@example.org sip/2.0", SLS_CTR_SIP_BAD_VERSION},
    {"OPTIONS sip:t.watson@example.org SIP/2.00", SLS_CTR_SIP_BAD_VERSION},
    {"OPTIONS sip:t.watson@example.org HTTP/1.1", SLS_CTR_SIP_BAD_START_LINE},
    {"SIP/7.0 200 OK", SLS_CTR_SIP_BAD_VERSION},
    {"SIP/2.1 200 OK", SLS_CTR_SIP_BAD_VERSION},
    {"SIP/2.0 4294967301 better not break the receiver", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0 2000 OK", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0 20 OK", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0 099 OK", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0 700 OK", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0 20a OK", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0 200OK", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0  200 OK", SLS_CTR_SIP_BAD_STATUS},
    {"SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE  sip:user@example.com  SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"OPTIONS sip:remote-target@example.com SIP/2.0  ", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE sip:user@example.com; lr SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE  SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE", SLS_CTR_SIP_BAD_START_LINE},
    {"", SLS_CTR_SIP_BAD_START_LINE},
    {" INVITE sip:a@b SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INV(TE sip:a@b SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE sip:a\x01@b SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE\tsip:a@b SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE <sip:user@example.com> SIP/2.0", 0}, /* RFC 4475 ltgtruri: liberal */
    {"!interesting-Method0123456789_*+`.%indeed'~ sip:x SIP/2.0", 0},
    {"INVITE sip:a@b SIP/2.0x", SLS_CTR_SIP_BAD_VERSION},
    {"INVITE sip:a@b xSIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE sip:a@b  SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE sip:a@b\tSIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"INVITE sip:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x7f@b SIP/2.0", SLS_CTR_SIP_BAD_START_LINE},
    {"SIP/2.0 200", 0},
    {"SIP/2.0 100 ", 0},
    {"SIP/2.0 100 Trying", 0},
    {"SIP/2.0 603 Decline", 0},
};

START_TEST(test_frame_start_line_table)
{
    const start_case *c = &start_cases[_i];
    char msg[512];
    int len = snprintf(msg, sizeof msg, "%s\r\nContent-Length: 0\r\n\r\n", c->line);
    for (int mode = 0; mode < 2; mode++) {
        sls_sipframe f;
        guarded g;
        int r = frame_guarded(&g, msg, (size_t)len, (enum sls_frame_mode)mode, &f);
        if (c->expect == 0)
            ck_assert_msg(r == len, "\"%s\" mode %d: %d", c->line, mode, r);
        else
            ck_assert_msg(r == -c->expect, "\"%s\" mode %d: %d, expected %s", c->line, mode, r,
                          sls_counter_name((enum sls_counter)c->expect));
        guard_free(&g);
    }
}
END_TEST

START_TEST(test_frame_bad_header_lines)
{
    /* Bad header lines, first or after a known and an unknown one, each
     * with nothing after it (read the general way) and with a body (the
     * 16-byte check first). */
    const char *lines[] = {
        "no colon here", ": empty name", "   ",         "Bad Name: x", "Bad<Name>: x",
        "\r",            "Via;: x",      "X-U\x01: x", "V\x80: x",    "x@y:z",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        /* After other headers, a line of white space continues the last. */
        for (int after = 0; after < (lines[i][0] == ' ' ? 1 : 2); after++) {
            for (int body = 0; body < 2; body++) {
                char msg[256];
                int len = snprintf(msg, sizeof msg, "SIP/2.0 200 OK\r\n%s%s\r\n\r\n%s",
                                   after ? "To: t\r\nX-U: u\r\n" : "", lines[i],
                                   name_bodies[body]);
                for (int mode = 0; mode < 2; mode++) {
                    sls_sipframe f;
                    guarded g;
                    int r = frame_guarded(&g, msg, (size_t)len, (enum sls_frame_mode)mode, &f);
                    ck_assert_msg(r == -SLS_CTR_SIP_BAD_HEADER_LINE,
                                  "case %zu after %d body %d mode %d: %d", i, after, body, mode,
                                  r);
                    guard_free(&g);
                }
            }
        }
    }
}
END_TEST

/* ------------------------------------------------------- Content-Length */

typedef struct cl_case {
    const char *what;
    const char *msg;
    /* datagram */
    int dg_len;          /* expected return; -1: the whole input */
    int64_t dg_cl;       /* content_length */
    int dg_body;         /* body.n */
    enum sls_counter a1; /* expected anomalies (0: none) */
    enum sls_counter a2;
    /* stream */
    int st_ret; /* -1: the whole input, else the exact value */
} cl_case;

#define HDR "SIP/2.0 200 OK\r\nCall-ID: x\r\n"

static const cl_case cl_cases[] = {
    {"exact", HDR "Content-Length: 5\r\n\r\nhello", -1, 5, 5, 0, 0, -1},
    {"compact l", HDR "l: 5\r\n\r\nhello", -1, 5, 5, 0, 0, -1},
    {"absent", HDR "\r\nhello", -1, -1, 5, 0, 0, (int)sizeof(HDR "\r\n") - 1},
    {"zero", HDR "Content-Length: 0\r\n\r\n", -1, 0, 0, 0, 0, -1},
    {"leading zeros", HDR "Content-Length: 0005\r\n\r\nhello", -1, 5, 5, 0, 0, -1},
    {"spaces around", HDR "Content-Length:    5   \r\n\r\nhello", -1, 5, 5, 0, 0, -1},
    {"trailing bytes (dblreq)", HDR "Content-Length: 2\r\n\r\nhello",
     (int)sizeof(HDR "Content-Length: 2\r\n\r\nhe") - 1, 2, 2, SLS_CTR_SIP_TRAILING_BYTES, 0,
     (int)sizeof(HDR "Content-Length: 2\r\n\r\nhe") - 1},
    {"exceeds (clerr)", HDR "Content-Length: 9999\r\n\r\nhello", -1, 9999, 5,
     SLS_CTR_SIP_CONTENT_LENGTH_EXCEEDS, 0, 0},
    {"negative (ncl)", HDR "Content-Length: -999\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
    {"garbage", HDR "Content-Length: bad\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
    {"empty", HDR "Content-Length:\r\n\r\nhello", -1, -1, 5, SLS_CTR_SIP_BAD_CONTENT_LENGTH,
     0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
    {"two numbers", HDR "Content-Length: 1 5\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
    {"plus sign", HDR "Content-Length: +5\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
    {"11 digits", HDR "Content-Length: 00000000005\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
    {"2^32+175 (wraps in libosip2)", HDR "Content-Length: 4294967471\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_TOO_LARGE},
    {"above the body limit", HDR "Content-Length: 4194305\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_TOO_LARGE},
    {"at the body limit", HDR "Content-Length: 4194304\r\n\r\nhello", -1, 4194304, 5,
     SLS_CTR_SIP_CONTENT_LENGTH_EXCEEDS, 0, 0},
    {"multiple equal", HDR "Content-Length: 5\r\nl: 5\r\n\r\nhello", -1, 5, 5, 0, 0, -1},
    {"multiple different (mcl01)", HDR "Content-Length: 3\r\nContent-Length: 5\r\n\r\nhello", -1,
     -1, 5, SLS_CTR_SIP_MULTIPLE_CONTENT_LENGTH, 0, -SLS_CTR_SIP_MULTIPLE_CONTENT_LENGTH},
    {"multiple, one bad", HDR "Content-Length: 5\r\nl: x\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
    {"multiple different, then bad", HDR "l: 1\r\nl: 2\r\nl: x\r\n\r\nhello", -1, -1, 5,
     SLS_CTR_SIP_BAD_CONTENT_LENGTH, 0, -SLS_CTR_SIP_BAD_CONTENT_LENGTH},
};

START_TEST(test_frame_content_length_table)
{
    const cl_case *c = &cl_cases[_i];
    size_t len = strlen(c->msg);
    sls_sipframe f;
    guarded g;
    int r = frame_guarded(&g, c->msg, len, SLS_FRAME_DATAGRAM, &f);
    int want = c->dg_len < 0 ? (int)len : c->dg_len;
    ck_assert_msg(r == want, "%s: datagram %d, expected %d", c->what, r, want);
    ck_assert_msg(f.content_length == c->dg_cl, "%s: content_length %lld", c->what,
                  (long long)f.content_length);
    ck_assert_int_eq((int)f.body.n, c->dg_body);
    ck_assert_uint_eq(f.msg_len, f.header_len + f.body.n);
    unsigned na = (c->a1 != 0) + (c->a2 != 0);
    ck_assert_msg(f.nanomalies == na, "%s: %u anomalies", c->what, f.nanomalies);
    if (c->a1 != 0)
        ck_assert(has_anomaly(&f, c->a1));
    if (c->a2 != 0)
        ck_assert(has_anomaly(&f, c->a2));
    ck_assert_uint_eq(f.anomalies[f.nanomalies], 0);

    r = sls_sipframe_parse(g.p, len, SLS_FRAME_STREAM, &f);
    want = c->st_ret == -1 ? (int)len : c->st_ret;
    ck_assert_msg(r == want, "%s: stream %d, expected %d", c->what, r, want);
    if (r > 0)
        ck_assert_uint_eq(f.nanomalies, 0);
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_datagram_body_is_rest_when_no_length)
{
    /* RFC 3261 18.3: no Content-Length on UDP: the body is the rest. */
    const char *m = "MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nHello there";
    sls_sipframe f;
    guarded g;
    ck_assert_int_eq(frame_str(&g, m, SLS_FRAME_DATAGRAM, &f), (int)strlen(m));
    ck_assert_slice_eq(f.body, "Hello there");
    ck_assert_int_eq(f.content_length, -1);
    guard_free(&g);
}
END_TEST

/* ------------------------------------------------- line scan and names */

/* The framer finds line feeds 64 bytes at a time (16 with SSE2 loads) and
 * reads the last, short block as the 16 bytes that end the input. A
 * padding header of every length from 0 to 160 moves every line end across
 * every offset of those blocks; body lengths around 0, 16 and 64 put the end
 * of the header section near the end of the input (the short block), and
 * without a body the datagram may also end right after a header line. Both
 * line endings, both modes. The first header is the only one that changes,
 * so everything after it can be checked exactly. */
static const size_t body_lengths[] = {0, 1, 2, 7, 15, 16, 17, 31, 48, 63, 64, 65, 100};

START_TEST(test_frame_line_ends_at_every_offset)
{
    const int lf_only = _i & 1;
    const enum sls_frame_mode mode = (enum sls_frame_mode)((_i >> 1) & 1);
    const size_t blen = body_lengths[_i >> 2];
    const char *eol = lf_only ? "\n" : "\r\n";
    static char msg[1024], pad[200], body[128];
    memset(body, 'b', blen);
    for (size_t i = 0; i < blen; i += 10)
        body[i] = '\n'; /* a body may hold line feeds: never taken for headers */
    for (size_t k = 0; k <= 160; k++) {
        memset(pad, 'p', k);
        pad[k] = '\0';
        int len = snprintf(msg, sizeof msg,
                           "SIP/2.0 180 Ringing%s"
                           "Server: %s%s"
                           "Via: SIP/2.0/UDP h;branch=z9hG4bK1%s"
                           "to:<sip:b@h> \t%s"
                           "Subject:%s"
                           "X-Fold: a%s \tb %s"
                           "User-Agent: a%s \tb %s"
                           "X-Pad: %s%s"
                           "CALL-ID :c@h%s"
                           "Content-Length: %zu%s"
                           "%s%.*s",
                           eol, pad, eol, eol, eol, eol, eol, eol, eol, eol, pad, eol, eol,
                           blen, eol, eol, (int)blen, body);
        ck_assert_int_lt(len, (int)sizeof msg);
        sls_sipframe f;
        guarded g;
        int r = frame_guarded(&g, msg, (size_t)len, mode, &f);
        ck_assert_msg(r == len, "pad %zu body %zu: %d", k, blen, r);
        ck_assert_uint_eq(f.status, 180);
        ck_assert_slice_eq(f.reason, "Ringing");
        /* Subject, X-Fold (folded) and X-Pad are counted, not indexed. */
        ck_assert_uint_eq(f.nheaders, 6);
        ck_assert_int_eq(f.count[SLS_HDR_OTHER], 3);
        ck_assert_int_eq(f.first[SLS_HDR_OTHER], -1);
        ck_assert_slice_eq(f.headers[0].name, "Server");
        ck_assert_uint_eq(f.headers[0].value.n, k);
        ck_assert(k == 0 || f.headers[0].value.p[0] == 'p');
        ck_assert_slice_eq(f.headers[1].name, "Via");
        ck_assert_slice_eq(f.headers[1].value, "SIP/2.0/UDP h;branch=z9hG4bK1");
        ck_assert_slice_eq(f.headers[2].name, "to");
        ck_assert_slice_eq(f.headers[2].value, "<sip:b@h>");
        ck_assert_slice_eq(f.headers[3].name, "User-Agent");
        ck_assert_slice_eq(f.headers[3].value, lf_only ? "a\n \tb" : "a\r\n \tb");
        ck_assert_slice_eq(f.headers[4].name, "CALL-ID");
        ck_assert_slice_eq(f.headers[4].value, "c@h");
        ck_assert_slice_eq(f.headers[5].name, "Content-Length");
        const uint8_t ids[] = {SLS_HDR_SERVER,     SLS_HDR_VIA,     SLS_HDR_TO,
                               SLS_HDR_USER_AGENT, SLS_HDR_CALL_ID, SLS_HDR_CONTENT_LENGTH};
        for (size_t i = 0; i < 6; i++)
            ck_assert_uint_eq(f.headers[i].id, ids[i]);
        ck_assert_int_eq(f.first[SLS_HDR_CALL_ID], 4);
        ck_assert_int_eq(f.content_length, (int64_t)blen);
        ck_assert_uint_eq(f.header_len, (size_t)len - blen);
        ck_assert_uint_eq(f.body.n, blen);
        ck_assert_ptr_eq(f.body.p, g.p + len - blen);
        guard_free(&g);

        /* Without the empty line, a datagram that ends after a complete
         * header line is framed headers-only; a stream needs more. */
        if (blen == 0) {
            size_t n = (size_t)len - strlen(eol);
            r = frame_guarded(&g, msg, n, mode, &f);
            ck_assert_int_eq(r, mode == SLS_FRAME_DATAGRAM ? (int)n : 0);
            if (r > 0) {
                ck_assert_uint_eq(f.nheaders, 6);
                ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 3);
                ck_assert_uint_eq(f.header_len, n);
            }
            guard_free(&g);
        }
    }
}
END_TEST

/* A NUL byte anywhere in the start line or header section, outside a
 * quoted-pair, makes the message invalid (RFC 3261 25.1); in the body it is
 * data. The framer notes NULs during its line scan and only then checks
 * line by line: a NUL at every position, over several scan blocks, in both
 * modes. The body ends in a line feed so that a NUL replacing the last LF
 * of the header section still leaves a complete (bad) line. */
START_TEST(test_frame_nul_at_every_position)
{
    static const char base[] = "SIP/2.0 180 Ringing\r\n"
                               "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776\r\n"
                               "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
                               "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                               "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                               "CSeq: 314159 INVITE\r\n"
                               "X-Folded: one\r\n two\r\n"
                               "Content-Length: 10\r\n"
                               "\r\n"
                               "v=0\r\ns=-\r\n";
    const size_t n = sizeof base - 1, header_len = n - 10;
    static char m[sizeof base];
    for (int mode = 0; mode < 2; mode++) {
        sls_sipframe f;
        guarded g;
        ck_assert_int_eq(frame_guarded(&g, base, n, (enum sls_frame_mode)mode, &f), (int)n);
        guard_free(&g);
        for (size_t i = 0; i < n; i++) {
            memcpy(m, base, n);
            m[i] = '\0';
            int r = frame_guarded(&g, m, n, (enum sls_frame_mode)mode, &f);
            if (i < header_len) {
                ck_assert_msg(r == -SLS_CTR_SIP_NUL_BYTE, "NUL at %zu mode %d: %d", i, mode, r);
            } else {
                ck_assert_msg(r == (int)n, "NUL at %zu (body) mode %d: %d", i, mode, r);
                ck_assert_uint_eq(f.body.n, 10);
                ck_assert_int_eq(f.body.p[i - header_len], '\0');
            }
            guard_free(&g);
        }
    }
}
END_TEST

/* The one NUL that is allowed, an escaped one inside a quoted-string (RFC
 * 3261 25.1 quoted-pair, RFC 4475 3.1.1.2), at every offset of a scan
 * block; the same NUL unescaped is refused at every offset too. */
START_TEST(test_frame_quoted_nul_at_every_offset)
{
    static char msg[512], pad[128];
    /* The quoted string in a known header (indexed) and in an unknown one
     * (checked all the same), after a pad line of each kind. */
    for (size_t form = 0; form < 2; form++) {
        for (size_t k = 0; k < 80; k++) {
            memset(pad, 'p', k);
            pad[k] = '\0';
            for (int escaped = 0; escaped < 2; escaped++) {
                const char *bs = escaped ? "\\" : "";
                int len = form == 0 ? snprintf(msg, sizeof msg,
                                               "SIP/2.0 200 OK\r\nX-Pad: %s\r\n"
                                               "To: \"a%sZb\" <sip:a@b>\r\nl: 0\r\n\r\n",
                                               pad, bs)
                                    : snprintf(msg, sizeof msg,
                                               "SIP/2.0 200 OK\r\nServer: %s\r\n"
                                               "X-Q: \"a%sZb\" <sip:a@b>\r\nl: 0\r\n\r\n",
                                               pad, bs);
                char *z = strchr(msg, 'Z');
                *z = '\0';
                for (int mode = 0; mode < 2; mode++) {
                    sls_sipframe f;
                    guarded g;
                    int r = frame_guarded(&g, msg, (size_t)len, (enum sls_frame_mode)mode, &f);
                    if (escaped) {
                        ck_assert_msg(r == len, "form %zu pad %zu mode %d: %d", form, k, mode,
                                      r);
                        ck_assert_uint_eq(f.nheaders, 2);
                        ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 1);
                        if (form == 0) {
                            ck_assert_uint_eq(f.headers[0].id, SLS_HDR_TO);
                            ck_assert_uint_eq(f.headers[0].value.n, 16);
                            ck_assert_int_eq(f.headers[0].value.p[3], '\0');
                        } else {
                            ck_assert_uint_eq(f.headers[0].id, SLS_HDR_SERVER);
                            ck_assert_uint_eq(f.headers[0].value.n, k);
                        }
                    } else {
                        ck_assert_msg(r == -SLS_CTR_SIP_NUL_BYTE, "form %zu pad %zu mode %d: %d",
                                      form, k, mode, r);
                    }
                    guard_free(&g);
                }
            }
        }
    }
}
END_TEST

/* What the header id of a name must be, by the plain definition: equal,
 * ignoring ASCII case, to a full name of SLS_HEADER_MAP or its compact
 * form (RFC 3261 7.3.1, 7.3.3). */
static uint8_t reference_id(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof header_names / sizeof header_names[0]; i++) {
        const char *full = header_names[i].name;
        if (strlen(full) == n) {
            size_t k = 0;
            while (k < n && (name[k] | 0x20) == full[k] &&
                   ((full[k] >= 'a' && full[k] <= 'z') || name[k] == full[k]))
                k++;
            if (k == n)
                return header_names[i].id;
        }
        if (n == 1 && header_names[i].compact != 0 && (name[0] | 0x20) == header_names[i].compact)
            return header_names[i].id;
    }
    return SLS_HDR_OTHER;
}

/* The header line name + colons[colon_form] is framed both ways (see
 * frame_line): a known name gets an entry with its id, any other token is
 * counted as OTHER. */
static void check_name(const char *name, int colon_form)
{
    static const char *const colons[] = {": v", ":v", " : v", "\t:v", ":"};
    char line[128];
    snprintf(line, sizeof line, "%s%s", name, colons[colon_form]);
    uint8_t want = reference_id(name);
    for (int body = 0; body < 2; body++) {
        sls_sipframe f;
        guarded g;
        frame_line(&g, line, body, &f);
        if (want == SLS_HDR_OTHER) {
            ck_assert_msg(f.nheaders == 0, "\"%s\" body %d: id %u, expected none", name, body,
                          f.nheaders > 0 ? f.headers[0].id : 0);
            ck_assert_int_eq(f.count[SLS_HDR_OTHER], 1);
            ck_assert_int_eq(f.first[SLS_HDR_OTHER], -1);
        } else {
            ck_assert_msg(f.nheaders == 1, "\"%s\" body %d: not recognised", name, body);
            ck_assert_slice_eq(f.headers[0].name, name);
            ck_assert_slice_eq(f.headers[0].value, colon_form == 4 ? "" : "v");
            ck_assert_msg(f.headers[0].id == want, "\"%s\": id %u, expected %u", name,
                          f.headers[0].id, want);
            ck_assert_int_eq(f.count[want], 1);
            ck_assert_int_eq(f.first[want], 0);
            ck_assert_int_eq(f.count[SLS_HDR_OTHER], 0);
        }
        guard_free(&g);
    }
}

/* Header names are matched as whole tokens: every known name in several
 * cases, every prefix of it, it with a token character added at the end or
 * changed anywhere (a letter's neighbour, '-' <-> '_'), and other near
 * misses. The id must be what reference_id() says. */
/* An unknown header name with one byte of every value (but LF and the
 * colon) at every position: a header line exactly when the name is a token
 * (RFC 3261 25.1), or a token followed by white space. The names are
 * framed with and without 16 bytes after the line, so the 16-byte check
 * (letters, digits and '-' at once, other token bytes one by one) and the
 * general way must agree with the RFC's definition. */
static int ref_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

START_TEST(test_frame_unknown_name_every_byte)
{
    const size_t n = (size_t)_i + 2; /* 2..15 bytes: "x...x" */
    for (unsigned b = 0; b < 256; b++) {
        if (b == '\n' || b == ':')
            continue;
        for (size_t k = 0; k < n; k++) {
            char msg[128];
            char name[16];
            memset(name, 'x', n);
            name[k] = (char)b;
            for (int body = 0; body < 2; body++) {
                /* Not snprintf: the name may hold a NUL. */
                const char *body_s = name_bodies[body];
                int len = 0;
                memcpy(msg, "SIP/2.0 200 OK\r\n", 16);
                len += 16;
                memcpy(msg + len, name, n);
                len += (int)n;
                memcpy(msg + len, ": v\r\n\r\n", 7);
                len += 7;
                memcpy(msg + len, body_s, strlen(body_s));
                len += (int)strlen(body_s);
                int ok = ref_tchar((unsigned char)b) || (k == n - 1 && (b == ' ' || b == '\t'));
                sls_sipframe f;
                guarded g;
                int r = frame_guarded(&g, msg, (size_t)len, SLS_FRAME_DATAGRAM, &f);
                if (ok) {
                    ck_assert_msg(r == len, "byte 0x%02x at %zu of %zu, body %d: %d", b, k, n,
                                  body, r);
                    ck_assert_uint_eq(f.nheaders, 0);
                    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 1);
                } else {
                    ck_assert_msg(r < 0, "byte 0x%02x at %zu of %zu, body %d: %d", b, k, n,
                                  body, r);
                }
                guard_free(&g);
            }
        }
    }
}
END_TEST

START_TEST(test_frame_header_names_near_misses)
{
    const char *full = header_names[_i].name;
    size_t n = strlen(full);
    char name[64];
    for (int form = 0; form < 3; form++) {
        for (size_t k = 0; k < n; k++) {
            char c = full[k];
            int up = form == 1 || (form == 2 && k % 3 == 1);
            name[k] = (up && c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
        name[n] = '\0';
        check_name(name, form);
        for (size_t k = 1; k < n; k++) { /* every prefix */
            char c = name[k];
            name[k] = '\0';
            check_name(name, (int)(k % 5));
            name[k] = c;
        }
        static const char tails[] = "sx-_.!%*+`'~0";
        for (size_t t = 0; t < sizeof tails - 1; t++) { /* one more token byte */
            name[n] = tails[t];
            name[n + 1] = '\0';
            check_name(name, (int)(t % 5));
        }
        name[n] = '\0';
        for (size_t k = 0; k < n; k++) { /* one byte changed */
            char c = name[k];
            name[k] = c == '-' ? '_' : (c == 'z' || c == 'Z') ? (char)(c - 1) : (char)(c + 1);
            check_name(name, (int)(k % 5));
            name[k] = c;
        }
    }
    if (header_names[_i].compact != 0) {
        name[0] = header_names[_i].compact;
        name[1] = '\0';
        check_name(name, 1);
        name[0] = (char)(name[0] - 32);
        check_name(name, 2);
        name[1] = 'x';
        name[2] = '\0';
        check_name(name, 0);
    }
}
END_TEST

/* Names that differ from a known one only where a byte would compare equal
 * after a careless ASCII lowercasing: CR for '-' (0x0d | 0x20 == '-'), '@'
 * for '`', '[' for '{'. A CR or a separator ends the name, so these lines
 * are not header lines at all (RFC 3261 7.3.1: the name is a token). */
START_TEST(test_frame_header_names_case_folding_traps)
{
    const char *lines[] = {"Call\rID: x", "Content\rLength: 0", "Max\rForwards: 70",
                           "User\rAgent: x",  "Via@: x",           "C[eq: 1 INVITE",
                           "Proxy\rAuthorization: x", "Retry\rAfter: 1"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        for (int body = 0; body < 2; body++) {
            char msg[256];
            int len = snprintf(msg, sizeof msg, "SIP/2.0 200 OK\r\n%s\r\n\r\n%s", lines[i],
                               name_bodies[body]);
            for (int mode = 0; mode < 2; mode++) {
                sls_sipframe f;
                guarded g;
                int r = frame_guarded(&g, msg, (size_t)len, (enum sls_frame_mode)mode, &f);
                ck_assert_msg(r == -SLS_CTR_SIP_BAD_HEADER_LINE, "%zu body %d mode %d: %d", i,
                              body, mode, r);
                guard_free(&g);
            }
        }
    }
    /* Separators in place of the dash: "Call ID" is a name and garbage. */
    check_name("Call_ID", 0);
    check_name("Content.Length", 0);
    check_name("content-lengt", 0);
    check_name("Call-IE", 0);
    check_name("Vias", 0);
    check_name("CONTENT-LENGTH", 0);
    check_name("cOnTeNt-TyPe", 2);
}
END_TEST

/* RFC 3261 25.1: no control character, SP or DEL in a Request-URI. The
 * check runs 16 bytes at a time over the URI with an overlapping last load:
 * a bad byte at every position of URIs of 1 to 40 bytes is found, and bytes
 * above 0x7f (signed in a char) are not taken for control characters. */
START_TEST(test_frame_request_uri_every_byte)
{
    static const unsigned char bad[] = {0x01, 0x09, 0x1f, ' ', 0x7f};
    static const unsigned char good[] = {0x80, 0xa0, 0xff, '~', '!', '%'};
    char msg[256];
    for (size_t ulen = 1; ulen <= 40; ulen++) {
        for (size_t at = 0; at < ulen; at++) {
            for (size_t b = 0; b < sizeof bad + sizeof good; b++) {
                int is_bad = b < sizeof bad;
                unsigned char c = is_bad ? bad[b] : good[b - sizeof bad];
                int len = snprintf(msg, sizeof msg, "OPTIONS ");
                memset(msg + len, 'u', ulen);
                msg[len + at] = (char)c;
                len += (int)ulen;
                len += snprintf(msg + len, sizeof msg - (size_t)len,
                                " SIP/2.0\r\nl: 0\r\n\r\n");
                sls_sipframe f;
                guarded g;
                int r = frame_guarded(&g, msg, (size_t)len, SLS_FRAME_DATAGRAM, &f);
                if (is_bad) {
                    ck_assert_msg(r == -SLS_CTR_SIP_BAD_START_LINE, "uri %zu, 0x%02x at %zu: %d",
                                  ulen, c, at, r);
                } else {
                    ck_assert_msg(r == len, "uri %zu, 0x%02x at %zu: %d", ulen, c, at, r);
                    ck_assert_uint_eq(f.uri.n, ulen);
                    ck_assert_int_eq((unsigned char)f.uri.p[at], c);
                }
                guard_free(&g);
            }
        }
    }
}
END_TEST

/* Inputs under 16 bytes go through the scalar line scan (the only one on
 * targets without SSE2), as do all inputs in a build with -U__SSE2__; the
 * 16-byte one is the smallest that takes the vector path. Every prefix of
 * each is framed too. */
static const struct {
    const char *m;
    size_t n;
    int dgram, stream; /* expected results */
} short_cases[] = {
    {"A a SIP/2.0\n\n", 13, 13, 13},
    {"SIP/2.0 200\n\n", 13, 13, 13},
    {"SIP/2.0 200\r\n", 13, 13, 0},
    {"SIP/2.0 200\ni:\n", 15, 15, 0},
    {"SIP/2.0 200\ni:x\n", 16, 16, 0},
    {"SIP/2.0 200\nl:0\n", 16, 16, 0},
    {"SIP/2.0 200\n\0\n", 14, -SLS_CTR_SIP_NUL_BYTE, -SLS_CTR_SIP_NUL_BYTE},
    {"SIP/2.0 200\ni\0\n", 15, -SLS_CTR_SIP_NUL_BYTE, -SLS_CTR_SIP_NUL_BYTE},
    {"SIP/2.0 200\ni:\0\n", 16, -SLS_CTR_SIP_NUL_BYTE, -SLS_CTR_SIP_NUL_BYTE},
    {"A a SIP/2\0\n\n", 12, -SLS_CTR_SIP_NUL_BYTE, -SLS_CTR_SIP_NUL_BYTE},
    {"SIP/2.0 200\n x\n", 15, -SLS_CTR_SIP_BAD_HEADER_LINE, -SLS_CTR_SIP_BAD_HEADER_LINE},
    {"A a SIP/2.0", 11, -SLS_CTR_SIP_NO_HEADER_END, 0},
};

START_TEST(test_frame_short_inputs)
{
    for (size_t i = 0; i < sizeof short_cases / sizeof short_cases[0]; i++) {
        for (int mode = 0; mode < 2; mode++) {
            sls_sipframe f;
            guarded g;
            int want = mode == SLS_FRAME_DATAGRAM ? short_cases[i].dgram : short_cases[i].stream;
            int r = frame_guarded(&g, short_cases[i].m, short_cases[i].n,
                                  (enum sls_frame_mode)mode, &f);
            ck_assert_msg(r == want, "case %zu mode %d: %d, expected %d", i, mode, r, want);
            guard_free(&g);
            for (size_t k = 0; k < short_cases[i].n; k++) {
                (void)frame_guarded(&g, short_cases[i].m, k, (enum sls_frame_mode)mode, &f);
                guard_free(&g);
            }
        }
    }
    sls_sipframe f;
    guarded g;
    ck_assert_int_eq(frame_guarded(&g, "SIP/2.0 200\ni:x\n", 16, SLS_FRAME_DATAGRAM, &f), 16);
    ck_assert_uint_eq(f.headers[0].id, SLS_HDR_CALL_ID);
    ck_assert_slice_eq(f.headers[0].value, "x");
    guard_free(&g);
    ck_assert_int_eq(frame_guarded(&g, "SIP/2.0 200\ni:\n", 15, SLS_FRAME_DATAGRAM, &f), 15);
    ck_assert_uint_eq(f.headers[0].id, SLS_HDR_CALL_ID);
    ck_assert_uint_eq(f.headers[0].value.n, 0);
    guard_free(&g);
}
END_TEST

START_TEST(test_frame_empty_and_null)
{
    sls_sipframe f;
    ck_assert_int_eq(sls_sipframe_parse(NULL, 0, SLS_FRAME_STREAM, &f), 0);
    ck_assert_int_eq(sls_sipframe_parse(NULL, 0, SLS_FRAME_DATAGRAM, &f),
                     -SLS_CTR_SIP_BAD_START_LINE);
    guarded g;
    ck_assert_int_eq(frame_str(&g, "\r\n\r\n", SLS_FRAME_DATAGRAM, &f), -SLS_CTR_SIP_BAD_START_LINE);
    guard_free(&g);
}
END_TEST

static Suite *sipframe_suite(void)
{
    Suite *s = suite_create("sipframe");
    TCase *tc = tcase_create("detect");
    tcase_add_loop_test(tc, test_detect_table, 0, sizeof detect_cases / sizeof detect_cases[0]);
    tcase_add_test(tc, test_detect_long_request_line);
    tcase_add_test(tc, test_detect_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("frame");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_frame_invite_with_sdp);
    tcase_add_test(tc, test_frame_response);
    tcase_add_test(tc, test_frame_lf_only);
    tcase_add_test(tc, test_frame_folded_header);
    tcase_add_test(tc, test_frame_compact_headers);
    tcase_add_loop_test(tc, test_frame_header_map_names, 0,
                        sizeof header_names / sizeof header_names[0]);
    tcase_add_test(tc, test_frame_slice_ieq);
    tcase_add_test(tc, test_frame_stream_back_to_back);
    tcase_add_test(tc, test_frame_stream_every_prefix);
    tcase_add_test(tc, test_frame_datagram_every_prefix);
    tcase_add_test(tc, test_frame_too_many_headers);
    tcase_add_test(tc, test_frame_too_many_headers_mixed);
    tcase_add_test(tc, test_frame_header_section_limit);
    tcase_add_test(tc, test_frame_missing_blank_line);
    tcase_add_test(tc, test_frame_nul_byte);
    tcase_add_loop_test(tc, test_frame_start_line_table, 0,
                        sizeof start_cases / sizeof start_cases[0]);
    tcase_add_test(tc, test_frame_bad_header_lines);
    tcase_add_loop_test(tc, test_frame_content_length_table, 0,
                        sizeof cl_cases / sizeof cl_cases[0]);
    tcase_add_test(tc, test_frame_datagram_body_is_rest_when_no_length);
    tcase_add_test(tc, test_frame_empty_and_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("scan");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_frame_line_ends_at_every_offset, 0,
                        4 * (int)(sizeof body_lengths / sizeof body_lengths[0]));
    tcase_add_test(tc, test_frame_nul_at_every_position);
    tcase_add_test(tc, test_frame_quoted_nul_at_every_offset);
    tcase_add_loop_test(tc, test_frame_header_names_near_misses, 0,
                        sizeof header_names / sizeof header_names[0]);
    tcase_add_test(tc, test_frame_header_names_case_folding_traps);
    tcase_add_loop_test(tc, test_frame_unknown_name_every_byte, 0, 14);
    tcase_add_test(tc, test_frame_request_uri_every_byte);
    tcase_add_test(tc, test_frame_short_inputs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(sipframe_suite());
}
