/* The whole pipeline on captures written by the test: the RFC 4475 torture
 * messages, each wrapped in a UDP packet on Ethernet, and a truncated
 * capture. Nothing may crash; every message is either used or counted
 * under a named reason. */
#include "sipsleuth/analyzer.h"
#include "sipsleuth/input.h"

#include "sls_check.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const torture[] = {
    "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq",
    "semiuri", "transports", "mpart01", "unreason", "noreason", "badinv01", "clerr", "ncl",
    "scalar02", "scalarlg", "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws", "escruri",
    "baddate", "regbadct", "badaspec", "baddn", "badvers", "mismatch01", "mismatch02",
    "bigcode", "badbranch", "insuf", "unkscm", "novelsc", "unksm2", "bext01", "invut",
    "regaut01", "multi01", "mcl01", "bcast", "zeromf", "cparam01", "cparam02", "regescrt",
    "sdp01", "inv2543"};
#define NTORTURE (sizeof(torture) / sizeof(torture[0]))

/* Ethernet + IPv4 + UDP around payload; returns the frame length. */
static size_t wrap_udp(uint8_t *frame, const uint8_t *payload, size_t n)
{
    static const uint8_t eth[14] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00};
    memcpy(frame, eth, 14);
    uint8_t *ip = frame + 14;
    size_t total = 20 + 8 + n;
    memset(ip, 0, 28);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 1;
    ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = 2;
    uint8_t *udp = ip + 20;
    udp[0] = 0x13, udp[1] = 0xc4; /* 5060 */
    udp[2] = 0x13, udp[3] = 0xc4;
    udp[4] = (uint8_t)((8 + n) >> 8);
    udp[5] = (uint8_t)(8 + n);
    memcpy(udp + 8, payload, n);
    return 14 + total;
}

static void tmpname(char *buf, size_t n, const char *tag)
{
    snprintf(buf, n, "/tmp/sls-test-%s-%ld.pcap", tag, (long)getpid());
}

/* Writes the torture messages into a pcap; returns how many were found. */
static size_t write_torture_pcap(const char *path)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    ck_assert_ptr_nonnull(d);
    static uint8_t msg[65536], frame[70000];
    size_t found = 0;
    for (size_t i = 0; i < NTORTURE; i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s/torture/%s.dat", SLS_SHARED_DIR, torture[i]);
        FILE *f = fopen(p, "rb");
        if (f == NULL)
            continue;
        size_t n = fread(msg, 1, 60000, f);
        fclose(f);
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof(h));
        h.ts.tv_sec = 1700000000 + (long)i;
        h.caplen = h.len = (bpf_u_int32)wrap_udp(frame, msg, n);
        pcap_dump((u_char *)d, &h, frame);
        found++;
    }
    pcap_dump_close(d);
    pcap_close(dead);
    return found;
}

static const sls_summary *run(sls_analyzer *a, const char *path, sls_input **in_out)
{
    char err[256];
    const char *paths[] = {path};
    ck_assert_int_eq(sls_input_open(in_out, paths, 1, err, sizeof(err)), 0);
    ck_assert_int_eq(sls_analyzer_run(a, *in_out), 0);
    sls_analyzer_finish(a);
    return sls_analyzer_summary(a);
}

START_TEST(test_torture_messages_in_udp_are_used_or_counted_by_reason)
{
    char path[128];
    tmpname(path, sizeof(path), "torture");
    size_t n = write_torture_pcap(path);
    if (n == 0) {
        unlink(path);
        return; /* ../shared/torture absent */
    }
    ck_assert_uint_eq(n, NTORTURE);
    sls_analyzer *a = sls_analyzer_new(NULL);
    sls_input *in = NULL;
    const sls_summary *s = run(a, path, &in);
    ck_assert_uint_eq(s->packets, NTORTURE);
    /* Five start lines are refused by the framer (lwsruri, lwsstart, trws:
     * bad start line; badvers: SIP/7.0; bigcode: status 4294967301). */
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_BAD_START_LINE], 3);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_BAD_VERSION], 1);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_BAD_STATUS], 1);
    ck_assert_uint_eq(s->sip_messages, NTORTURE - 5);
    /* The rest are counted as messages; these cannot be analysed. */
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_BAD_CSEQ], 2);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_CSEQ_METHOD_MISMATCH], 2);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_NO_CALL_ID], 1);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_MULTIPLE_CALL_ID], 1);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_BAD_VIA], 1);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_BAD_TO], 1);
    /* Analysed with a defect. */
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_TRAILING_BYTES], 1);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_CONTENT_LENGTH_EXCEEDS], 1);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_BAD_CONTENT_LENGTH], 1);
    ck_assert_uint_eq(s->counters.v[SLS_CTR_SIP_MULTIPLE_CONTENT_LENGTH], 1);
    /* Four are responses: scalarlg, unreason, noreason, bcast (bigcode was
     * refused); the rest are requests. */
    ck_assert_uint_eq(s->responses, 4);
    ck_assert_uint_eq(s->requests, NTORTURE - 5 - 4);
    sls_analyzer_free(a);
    sls_input_free(in);
    unlink(path);
}
END_TEST

START_TEST(test_truncated_capture_reports_what_it_held)
{
    char path[128];
    tmpname(path, sizeof(path), "trunc");
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    static const char inv[] =
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
        "From: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n";
    static uint8_t frame[2048];
    size_t len = wrap_udp(frame, (const uint8_t *)inv, sizeof(inv) - 1);
    for (int i = 0; i < 3; i++) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof(h));
        h.ts.tv_sec = 1700000000 + i;
        h.caplen = h.len = (bpf_u_int32)len;
        pcap_dump((u_char *)d, &h, frame);
    }
    pcap_dump_close(d);
    pcap_close(dead);
    /* Cut the last record in half. */
    ck_assert_int_eq(truncate(path, (off_t)(24 + 2 * (16 + len) + 16 + len / 2)), 0);

    sls_analyzer *a = sls_analyzer_new(NULL);
    sls_input *in = NULL;
    const sls_summary *s = run(a, path, &in);
    ck_assert_uint_eq(s->packets, 2);
    ck_assert_uint_eq(s->requests, 2);
    ck_assert_uint_eq(s->retrans_requests, 1);
    ck_assert_int_eq(sls_input_file(in, 0)->state, SLS_FILE_TRUNCATED);
    ck_assert_ptr_nonnull(strstr(sls_input_file(in, 0)->message, "truncated"));
    sls_analyzer_free(a);
    sls_input_free(in);
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("analyzer");
    TCase *tc = tcase_create("pipeline");
    tcase_add_test(tc, test_torture_messages_in_udp_are_used_or_counted_by_reason);
    tcase_add_test(tc, test_truncated_capture_reports_what_it_held);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(suite());
}
