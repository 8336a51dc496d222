/* Unit tests for the SDP codec summary (src/sdp.c, sls_sdp_codecs in
 * causes.h). Bodies are also read from a buffer that ends at an unreadable
 * page, whole and cut at every length. */
#include "sipsleuth/causes.h"

#include "sls_check.h"
#include "sls_guard.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char typical_offer[] =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 18 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

static const char typical_expected[] = "PCMU/8000 PCMA/8000 G729/8000 telephone-event/8000";

static const struct sdp_case {
    const char *name;
    const char *body;
    const char *expected;
    size_t count;
} sdp_cases[] = {
    {"typical offer: PCMU PCMA G729 telephone-event", typical_offer, typical_expected, 4},
    {"static payload types need no rtpmap",
     "v=0\r\nm=audio 5004 RTP/AVP 0 8 9 18 3 13\r\n",
     "PCMU/8000 PCMA/8000 G722/8000 G729/8000 GSM/8000 CN/8000", 6},
    {"dynamic payload without rtpmap is pt<N>",
     "v=0\r\nm=audio 5004 RTP/AVP 96 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
     "pt96 PCMU/8000 telephone-event/8000", 3},
    {"rtpmap renames a static type and keeps channels",
     "m=audio 5004 RTP/AVP 111 0\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 pcmu/8000\r\n",
     "opus/48000/2 pcmu/8000", 2},
    {"audio + video, audio first even when video comes first",
     "v=0\r\n"
     "m=video 51372 RTP/AVP 97 96 31\r\n"
     "a=rtpmap:97 H264/90000\r\n"
     "a=rtpmap:101 telephone-event/8000\r\n"
     "m=audio 49170 RTP/AVP 0 101 96\r\n"
     "a=rtpmap:101 telephone-event/8000\r\n",
     "audio: PCMU/8000 telephone-event/8000 pt96; video: H264/90000 pt96 H261/90000", 6},
    {"rtpmap applies only to its own m= section",
     "m=audio 1 RTP/AVP 96\r\na=rtpmap:97 VP8/90000\r\nm=video 2 RTP/AVP 97\r\n"
     "a=rtpmap:96 opus/48000/2\r\n",
     "audio: pt96; video: pt97", 2},
    {"rejected stream (port 0) is still listed",
     "m=audio 49170 RTP/AVP 8\r\nm=video 0 RTP/AVP 31\r\n",
     "audio: PCMA/8000; video: H261/90000", 2},
    {"LF-only line endings and no final newline",
     "v=0\nm=audio 49170 RTP/AVP 18 101\na=rtpmap:101 telephone-event/8000",
     "G729/8000 telephone-event/8000", 2},
    {"no m= line", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", "", 0},
    {"empty body", "", "", 0},
    {"session-level rtpmap is ignored",
     "a=rtpmap:96 AMR/8000\r\nm=audio 1 RTP/AVP 96\r\n", "pt96", 1},
    {"non-RTP formats are printed as written",
     "m=audio 49170 RTP/AVP 0\r\nm=image 49172 udptl t38\r\n",
     "audio: PCMU/8000; image: t38", 2},
    {"only video: first m= line leads",
     "m=video 1 RTP/AVP 34 26\r\nm=application 9 TCP/MSRP *\r\n",
     "video: H263/90000 JPEG/90000; application: *", 3},
    {"first rtpmap for a type wins",
     "m=audio 1 RTP/AVP 96\r\na=rtpmap:96 AMR/8000\r\na=rtpmap:96 AMR-WB/16000\r\n",
     "AMR/8000", 1},
    {"malformed rtpmap lines are skipped",
     "m=audio 1 RTP/AVP 96 97\r\na=rtpmap:96\r\na=rtpmap:x AMR/8000\r\n"
     "a=rtpmap:300 X/1\r\na=rtpmap:97 iLBC/8000\r\n",
     "pt96 iLBC/8000", 2},
    {"every RFC 3551 static type",
     "m=audio 1 RTP/AVP 0 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 25 26 28 31 32 33 34\r\n",
     "PCMU/8000 GSM/8000 G723/8000 DVI4/8000 DVI4/16000 LPC/8000 PCMA/8000 G722/8000 "
     "L16/44100/2 L16/44100 QCELP/8000 CN/8000 MPA/90000 G728/8000 DVI4/11025 DVI4/22050 "
     "G729/8000 CelB/90000 JPEG/90000 nv/90000 H261/90000 MPV/90000 MP2T/90000 H263/90000",
     24},
    {"reserved and unassigned static numbers are pt<N>",
     "m=audio 1 RTP/AVP 1 2 19 35 72 127\r\n", "pt1 pt2 pt19 pt35 pt72 pt127", 6},
    {"m= line without formats",
     "m=audio 1 RTP/AVP\r\nm=video 2 RTP/AVP 31\r\n", "audio:; video: H261/90000", 1},
    {"control characters in names are not copied",
     "m=audio 1 RTP/AVP 96\r\na=rtpmap:96 A\x01" "B/8000\r\n", "A?B/8000", 1},
};

START_TEST(test_sdp_table)
{
    const struct sdp_case *c = &sdp_cases[_i];
    struct guard gd;
    guard_open(&gd);
    size_t n = strlen(c->body);
    const char *b = guard_place(&gd, c->body, n);
    char out[512];
    memset(out, 'X', sizeof out);
    size_t count = sls_sdp_codecs(b, n, out, sizeof out);
    ck_assert_msg(strcmp(out, c->expected) == 0, "%s: got \"%s\"", c->name, out);
    ck_assert_msg(count == c->count, "%s: count %zu", c->name, count);
    guard_close(&gd);
}
END_TEST

START_TEST(test_sdp_keeps_at_most_32_payload_types_per_m_line)
{
    char body[512];
    size_t n = 0;
    memcpy(body, "m=audio 1 RTP/AVP", 17);
    n = 17;
    for (int pt = 0; pt < 40; pt++) {
        body[n++] = ' ';
        /* 96..135 would exceed 127: use 0..39 */
        if (pt >= 10)
            body[n++] = (char)('0' + pt / 10);
        body[n++] = (char)('0' + pt % 10);
    }
    body[n++] = '\r';
    body[n++] = '\n';
    char out[1024];
    size_t count = sls_sdp_codecs(body, n, out, sizeof out);
    ck_assert_uint_eq(count, 32);
    /* the dropped ones are reported, not hidden */
    size_t len = strlen(out);
    ck_assert_uint_gt(len, 3);
    ck_assert_str_eq(out + len - 3, " +8");
    ck_assert_ptr_nonnull(strstr(out, "H261/90000 +8"));
}
END_TEST

/* A short buffer gets a NUL-terminated prefix of the full line and not one
 * byte more; the count does not depend on the buffer. */
START_TEST(test_sdp_truncated_output_sizes_0_to_40)
{
    size_t outlen = (size_t)_i;
    char buf[64];
    memset(buf, 0x5A, sizeof buf);
    size_t count = sls_sdp_codecs(typical_offer, strlen(typical_offer), buf, outlen);
    ck_assert_uint_eq(count, 4);
    for (size_t k = outlen; k < sizeof buf; k++)
        ck_assert_msg((unsigned char)buf[k] == 0x5A, "outlen %zu: byte %zu written", outlen, k);
    if (outlen > 0) {
        const char *nul = memchr(buf, '\0', outlen);
        ck_assert_ptr_nonnull(nul);
        size_t len = (size_t)(nul - buf);
        ck_assert_uint_eq(len, outlen - 1 < strlen(typical_expected) ? outlen - 1
                                                                    : strlen(typical_expected));
        ck_assert_int_eq(memcmp(buf, typical_expected, len), 0);
    }
}
END_TEST

START_TEST(test_sdp_null_output_is_allowed)
{
    ck_assert_uint_eq(sls_sdp_codecs(typical_offer, strlen(typical_offer), NULL, 0), 4);
    ck_assert_uint_eq(sls_sdp_codecs(typical_offer, strlen(typical_offer), NULL, 10), 4);
    char out[8] = "junk";
    ck_assert_uint_eq(sls_sdp_codecs(NULL, 10, out, sizeof out), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

/* Every prefix of every body, ending at the guard page. */
START_TEST(test_sdp_every_prefix_is_safe)
{
    const struct sdp_case *c = &sdp_cases[_i];
    struct guard gd;
    guard_open(&gd);
    size_t len = strlen(c->body);
    for (size_t n = 0; n <= len; n++) {
        const char *b = guard_place(&gd, c->body, n);
        char out[256];
        size_t count = sls_sdp_codecs(b, n, out, sizeof out);
        ck_assert_uint_le(count, c->count);
        ck_assert_ptr_nonnull(memchr(out, '\0', sizeof out));
    }
    guard_close(&gd);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *sdp_suite(void)
{
    Suite *s = suite_create("sdp");
    TCase *tc = tcase_create("codecs");
    tcase_add_loop_test(tc, test_sdp_table, 0, N(sdp_cases));
    tcase_add_test(tc, test_sdp_keeps_at_most_32_payload_types_per_m_line);
    tcase_add_loop_test(tc, test_sdp_truncated_output_sizes_0_to_40, 0, 41);
    tcase_add_test(tc, test_sdp_null_output_is_allowed);
    tcase_add_loop_test(tc, test_sdp_every_prefix_is_safe, 0, N(sdp_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(sdp_suite());
}
