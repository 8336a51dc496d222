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
    {"version only", "SIP/2.0\r\n", 0, 0},
    {"status not digits", "SIP/2.0 OK\r\n", 0, 0},
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
    ck_assert_uint_eq(f.nheaders, 9);
    ck_assert_slice_eq(f.headers[0].name, "Via");
    ck_assert_slice_eq(f.headers[0].value,
                       "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
    ck_assert_uint_eq(f.headers[0].id, SLS_HDR_VIA);
    ck_assert_uint_eq(f.headers[1].id, SLS_HDR_MAX_FORWARDS);
    ck_assert_slice_eq(f.headers[1].value, "70");
    ck_assert_int_eq(f.first[SLS_HDR_VIA], 0);
    ck_assert_int_eq(f.first[SLS_HDR_TO], 2);
    ck_assert_int_eq(f.first[SLS_HDR_FROM], 3);
    ck_assert_int_eq(f.first[SLS_HDR_CALL_ID], 4);
    ck_assert_int_eq(f.first[SLS_HDR_CSEQ], 5);
    ck_assert_int_eq(f.first[SLS_HDR_CONTACT], 6);
    ck_assert_int_eq(f.first[SLS_HDR_CONTENT_TYPE], 7);
    ck_assert_int_eq(f.first[SLS_HDR_CONTENT_LENGTH], 8);
    ck_assert_int_eq(f.first[SLS_HDR_USER_AGENT], -1);
    ck_assert_uint_eq(f.count[SLS_HDR_VIA], 1);
    ck_assert_uint_eq(f.count[SLS_HDR_USER_AGENT], 0);
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], 0);
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
    ck_assert_uint_eq(f.nheaders, 5);
    ck_assert_slice_eq(f.headers[0].name, "TO");
    ck_assert_uint_eq(f.headers[0].id, SLS_HDR_TO);
    ck_assert_slice_eq(f.headers[0].value,
                       "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
    ck_assert_slice_eq(f.headers[1].name, "Via");
    ck_assert_uint_eq(f.headers[1].id, SLS_HDR_VIA);
    ck_assert_slice_eq(f.headers[1].value,
                       "SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw");
    ck_assert_slice_eq(f.headers[2].name, "Subject");
    ck_assert_uint_eq(f.headers[2].value.n, 0);
    ck_assert_uint_eq(f.headers[3].value.n, 0); /* blank continuation */
    ck_assert_int_eq(f.content_length, 0);
    guard_free(&g);

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
    ck_assert_int_eq(f.first[SLS_HDR_CONTACT], 5);
    ck_assert_int_eq(f.first[SLS_HDR_CONTENT_TYPE], 6);
    ck_assert_int_eq(f.first[SLS_HDR_CONTENT_LENGTH], 7);
    ck_assert_uint_eq(f.headers[8].id, SLS_HDR_OTHER); /* k: Supported */
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

START_TEST(test_frame_header_map_names)
{
    const char *name = header_names[_i].name;
    size_t n = strlen(name);
    char msg[256], upper[64], mixed[64];
    for (size_t k = 0; k <= n; k++) {
        char c = name[k];
        upper[k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        mixed[k] = (k % 2 == 0) ? upper[k] : c;
    }
    const char *forms[] = {name, upper, mixed};
    for (size_t k = 0; k < 3; k++) {
        int len = snprintf(msg, sizeof msg, "SIP/2.0 200 OK\r\n%s: 0\r\n\r\n", forms[k]);
        sls_sipframe f;
        guarded g;
        ck_assert_int_eq(frame_guarded(&g, msg, (size_t)len, SLS_FRAME_DATAGRAM, &f), len);
        ck_assert_msg(f.headers[0].id == header_names[_i].id, "%s not recognised", forms[k]);
        ck_assert_int_eq(f.first[header_names[_i].id], 0);
        guard_free(&g);
    }
    if (header_names[_i].compact != 0) {
        char cf[2][2] = {{header_names[_i].compact, 0},
                         {(char)(header_names[_i].compact - 32), 0}};
        for (size_t k = 0; k < 2; k++) {
            int len = snprintf(msg, sizeof msg, "SIP/2.0 200 OK\r\n%s: 0\r\n\r\n", cf[k]);
            sls_sipframe f;
            guarded g;
            ck_assert_int_eq(frame_guarded(&g, msg, (size_t)len, SLS_FRAME_DATAGRAM, &f), len);
            ck_assert_msg(f.headers[0].id == header_names[_i].id, "%s not recognised", cf[k]);
            guard_free(&g);
        }
    }
    /* Near misses are OTHER. */
    const char *others[] = {"vias", "cseq2", "x-call-id", "content-lengt", "tox", "q", "fro"};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        int len = snprintf(msg, sizeof msg, "SIP/2.0 200 OK\r\n%s: 0\r\n\r\n", others[k]);
        sls_sipframe f;
        guarded g;
        ck_assert_int_eq(frame_guarded(&g, msg, (size_t)len, SLS_FRAME_DATAGRAM, &f), len);
        ck_assert_msg(f.headers[0].id == SLS_HDR_OTHER, "%s recognised", others[k]);
        guard_free(&g);
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
    ck_assert_uint_eq(f.nheaders, SLS_SIPFRAME_MAX_HEADERS);
    ck_assert_uint_eq(f.count[SLS_HDR_OTHER], SLS_SIPFRAME_MAX_HEADERS);
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
    ck_assert_uint_eq(f.nheaders, 1);
    guard_free(&g);
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
    ck_assert_uint_eq(f.nheaders, 3);
    ck_assert_slice_eq(f.headers[2].value, "rr-enforced");
    ck_assert_uint_eq(f.nanomalies, 0);
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
    const char *cases[] = {
        "SIP/2.0 200 OK\r\nno colon here\r\n\r\n",
        "SIP/2.0 200 OK\r\n: empty name\r\n\r\n",
        "SIP/2.0 200 OK\r\n   \r\n\r\n",
        "SIP/2.0 200 OK\r\nBad Name: x\r\n\r\n",
        "SIP/2.0 200 OK\r\nBad<Name>: x\r\n\r\n",
        "SIP/2.0 200 OK\r\n\r\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int mode = 0; mode < 2; mode++) {
            sls_sipframe f;
            guarded g;
            int r = frame_str(&g, cases[i], (enum sls_frame_mode)mode, &f);
            ck_assert_msg(r == -SLS_CTR_SIP_BAD_HEADER_LINE, "case %zu mode %d: %d", i, mode, r);
            guard_free(&g);
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
    return s;
}

int main(void)
{
    return sls_check_run(sipframe_suite());
}
