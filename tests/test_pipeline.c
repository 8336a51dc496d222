/* The two halves of the analyzer on two threads (sls_analyzer_run) must
 * give exactly what they give one after the other in one thread
 * (sls_analyzer_frame on every packet): the same summary, byte for byte in
 * JSON, and the same messages, transactions and calls reported in the same
 * order. Checked on every sample, on captures long enough to cross many
 * chunk boundaries of the queue between the halves (UDP and TCP), on a
 * message bigger than a chunk, on a truncated capture, and without a
 * second thread. */

/* <pcap/pcap.h> needs u_int and u_char, hidden by the strict
 * _POSIX_C_SOURCE of the build. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "sipsleuth/analyzer.h"
#include "sipsleuth/input.h"
#include "sipsleuth/report.h"
#include "sls_check.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tests/CMakeLists.txt links this suite with -Wl,--wrap=pthread_create:
 * a test can make thread creation fail, as under a thread limit. */
int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg);

static int fail_thread_create;
static int threads_created;

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg)
{
    if (fail_thread_create)
        return EAGAIN;
    threads_created++;
    return __real_pthread_create(t, attr, fn, arg);
}

/* ---- what one analysis produced ---- */

typedef struct result {
    int rc;
    char *json; /* the summary report */
    uint64_t messages, txns, calls;
    uint64_t trace; /* digest of every callback, in order */
    uint64_t progress_calls, last_done, last_total;
    int progress_backwards;
} result;

static void mix(result *r, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        r->trace = (r->trace ^ b[i]) * 1099511628211ull;
}

static void on_message(void *user, const sls_sipmsg *m, const sls_packet *pkt, int ev)
{
    result *r = user;
    r->messages++;
    mix(r, &pkt->frame_no, sizeof(pkt->frame_no));
    mix(r, &pkt->ts_ns, sizeof(pkt->ts_ns));
    mix(r, &ev, sizeof(ev));
    mix(r, &m->status, sizeof(m->status));
    mix(r, m->call_id.p, m->call_id.n);
    mix(r, m->branch.p, m->branch.n);
    mix(r, m->frame->body.p, m->frame->body.n);
}

static void on_txn(void *user, const sls_txn *t)
{
    result *r = user;
    r->txns++;
    /* When it is retired, in messages seen: the tables age alike. */
    mix(r, &r->messages, sizeof(r->messages));
    mix(r, &t->final_code, sizeof(t->final_code));
    mix(r, t->call_id, strlen(t->call_id));
    mix(r, &t->first_ts_ns, sizeof(t->first_ts_ns));
}

static void on_call(void *user, const sls_call *c)
{
    result *r = user;
    r->calls++;
    mix(r, &r->messages, sizeof(r->messages));
    mix(r, c->call_id, strlen(c->call_id));
    mix(r, &c->outcome, sizeof(c->outcome));
}

static void on_progress(void *user, uint64_t done, uint64_t total)
{
    result *r = user;
    if (done < r->last_done)
        r->progress_backwards = 1;
    r->progress_calls++;
    r->last_done = done;
    r->last_total = total;
}

/* threaded: sls_analyzer_run; else sls_analyzer_frame on every packet. */
static result analyze(const char *path, int threaded)
{
    result r = {0};
    r.trace = 1469598103934665603ull;
    sls_analyzer *a = sls_analyzer_new(NULL);
    ck_assert_ptr_nonnull(a);
    sls_analyzer_on_message(a, on_message, &r);
    sls_analyzer_on_txn(a, on_txn, &r);
    sls_analyzer_on_call(a, on_call, &r);
    sls_analyzer_on_progress(a, on_progress, &r);
    sls_input *in = NULL;
    char err[256];
    const char *paths[] = {path};
    ck_assert_int_eq(sls_input_open(&in, paths, 1, err, sizeof(err)), 0);
    if (threaded) {
        r.rc = sls_analyzer_run(a, in);
    } else {
        sls_rawpkt raw;
        while ((r.rc = sls_input_next(in, &raw)) > 0)
            if ((r.rc = sls_analyzer_frame(a, &raw)) < 0)
                break;
    }
    sls_analyzer_finish(a);
    size_t len = 0;
    FILE *out = open_memstream(&r.json, &len);
    ck_assert_ptr_nonnull(out);
    sls_report_files rf;
    ck_assert_int_eq(sls_report_files_from_input(&rf, in), 0);
    ck_assert_int_eq(sls_report_json(out, sls_analyzer_summary(a), &rf), 0);
    fclose(out);
    free(rf.files);
    sls_input_free(in);
    sls_analyzer_free(a);
    return r;
}

static void assert_same(const char *path, uint64_t min_messages)
{
    result one = analyze(path, 0);
    result two = analyze(path, 1);
    ck_assert_int_eq(two.rc, one.rc);
    ck_assert_msg(strcmp(one.json, two.json) == 0, "%s: summaries differ", path);
    ck_assert_uint_eq(two.messages, one.messages);
    ck_assert_uint_eq(two.txns, one.txns);
    ck_assert_uint_eq(two.calls, one.calls);
    ck_assert_msg(two.trace == one.trace, "%s: callbacks differ", path);
    ck_assert_uint_ge(one.messages, min_messages);
    /* Progress: reported, never backwards, and the last report is the end
     * of the file. */
    ck_assert_uint_ge(two.progress_calls, 1);
    ck_assert_int_eq(two.progress_backwards, 0);
    ck_assert_uint_eq(two.last_done, two.last_total);
    free(one.json);
    free(two.json);
}

/* ---- captures ---- */

static const char *const samples[] = {
    "answered", "auth_retry", "busy", "cancel", "early_media_fail", "global_fail",
    "in_progress", "ipv6", "misc_fail", "mixed", "not_found", "options_register",
    "proxy_auth", "reasons", "redirect", "server_error", "sll2", "tcp_multi",
    "tcp_split", "udp_frag", "unanswered", "vlan", "vlan_qinq"};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static const char *sample(const char *name)
{
    static char p[512];
    snprintf(p, sizeof(p), "%s/samples/%s.pcap", SLS_SOURCE_DIR, name);
    return p;
}

/* Writes `times` copies of a capture one after the other, each an hour
 * later than the one before: many megabytes of real messages, so that the
 * queue between the halves wraps around many times. */
static void write_repeated(const char *src, const char *dst, unsigned times)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *first = pcap_open_offline(src, err);
    ck_assert_msg(first != NULL, "%s", err);
    pcap_dumper_t *w = pcap_dump_open(first, dst);
    ck_assert_ptr_nonnull(w);
    for (unsigned k = 0; k < times; k++) {
        pcap_t *p = pcap_open_offline(src, err);
        ck_assert_ptr_nonnull(p);
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(p, &h, &data) == 1) {
            struct pcap_pkthdr c = *h;
            c.ts.tv_sec += (time_t)k * 3600;
            pcap_dump((u_char *)w, &c, data);
        }
        pcap_close(p);
    }
    pcap_dump_close(w);
    pcap_close(first);
}

static void tmpname(char *buf, size_t n, const char *tag)
{
    snprintf(buf, n, "/tmp/sls-test-pipeline-%s-%ld.pcap", tag, (long)getpid());
}

/* Big records: a SIP message over TCP larger than a chunk of the queue
 * (its 300 000-byte body in five segments), then small ones. Ethernet,
 * IPv4 and TCP headers are written by hand; checksums are not checked by
 * the decoder. */
static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static void tcp_packet(pcap_dumper_t *w, long sec, uint32_t seq, uint8_t flags,
                       const char *data, size_t n)
{
    static unsigned char pkt[14 + 20 + 20 + 65000];
    ck_assert_uint_le(n, 65000);
    memset(pkt, 0, 54);
    pkt[12] = 0x08; /* IPv4 */
    unsigned char *ip = pkt + 14, *tcp = ip + 20;
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)(40 + n));
    ip[8] = 64;
    ip[9] = 6;
    put32(ip + 12, 0x0a000001);
    put32(ip + 16, 0x0a000002);
    put16(tcp, 40000);
    put16(tcp + 2, 5060);
    put32(tcp + 4, seq);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    if (n > 0)
        memcpy(tcp + 20, data, n);
    struct pcap_pkthdr h = {.ts = {.tv_sec = sec}, .caplen = (bpf_u_int32)(54 + n),
                            .len = (bpf_u_int32)(54 + n)};
    pcap_dump((u_char *)w, &h, pkt);
}

static void write_big_tcp(const char *dst)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535 + 54);
    pcap_dumper_t *w = pcap_dump_open(dead, dst);
    ck_assert_ptr_nonnull(w);
    size_t body = 300000;
    char head[512];
    int hn = snprintf(head, sizeof(head),
                      "INVITE sip:b@10.0.0.2 SIP/2.0\r\n"
                      "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-big\r\n"
                      "From: <sip:a@10.0.0.1>;tag=big\r\n"
                      "To: <sip:b@10.0.0.2>\r\n"
                      "Call-ID: big@10.0.0.1\r\n"
                      "CSeq: 1 INVITE\r\n"
                      "Content-Type: application/octet-stream\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      body);
    size_t n = (size_t)hn + body;
    char *msg = malloc(n);
    ck_assert_ptr_nonnull(msg);
    memcpy(msg, head, (size_t)hn);
    memset(msg + hn, 'x', body);
    uint32_t seq = 1000;
    tcp_packet(w, 1, seq++, 0x02, NULL, 0); /* SYN */
    for (size_t off = 0; off < n; off += 60000) {
        size_t k = n - off < 60000 ? n - off : 60000;
        tcp_packet(w, 1, seq, 0x18, msg + off, k);
        seq += (uint32_t)k;
    }
    /* Then small messages, in the same stream. */
    for (int i = 0; i < 50; i++) {
        char m[512];
        int mn = snprintf(m, sizeof(m),
                          "OPTIONS sip:b@10.0.0.2 SIP/2.0\r\n"
                          "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-o%d\r\n"
                          "From: <sip:a@10.0.0.1>;tag=o%d\r\n"
                          "To: <sip:b@10.0.0.2>\r\n"
                          "Call-ID: o%d@10.0.0.1\r\n"
                          "CSeq: 1 OPTIONS\r\n"
                          "Content-Length: 0\r\n\r\n",
                          i, i, i);
        tcp_packet(w, 2 + i, seq, 0x18, m, (size_t)mn);
        seq += (uint32_t)mn;
    }
    free(msg);
    pcap_dump_close(w);
    pcap_close(dead);
}

/* A frame that is not IP (ARP), at capture time sec: it only moves time. */
static void arp_packet(pcap_dumper_t *w, long sec)
{
    unsigned char pkt[60] = {0};
    pkt[12] = 0x08;
    pkt[13] = 0x06;
    struct pcap_pkthdr h = {.ts = {.tv_sec = sec}, .caplen = 60, .len = 60};
    pcap_dump((u_char *)w, &h, pkt);
}

/* A TCP stream left with half a message at t = 1 s, then only frames
 * that are not TCP, the last 400 s later: the stream must be closed as
 * idle (300 s) by capture time, before the end of the capture flushes
 * it. */
static void write_idle_tcp(const char *dst)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *w = pcap_dump_open(dead, dst);
    ck_assert_ptr_nonnull(w);
    static const char half[] = "OPTIONS sip:b@10.0.0.2 SIP/2.0\r\n"
                               "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-idle\r\n";
    tcp_packet(w, 1, 1000, 0x18, half, sizeof(half) - 1);
    for (long t = 2; t <= 401; t += 100)
        arp_packet(w, t);
    pcap_dump_close(w);
    pcap_close(dead);
}

static uint64_t idle_evicted(const char *path, int threaded)
{
    sls_analyzer *a = sls_analyzer_new(NULL);
    ck_assert_ptr_nonnull(a);
    sls_input *in = NULL;
    const char *paths[] = {path};
    char err[256];
    ck_assert_int_eq(sls_input_open(&in, paths, 1, err, sizeof(err)), 0);
    if (threaded) {
        ck_assert_int_eq(sls_analyzer_run(a, in), 0);
    } else {
        sls_rawpkt raw;
        while (sls_input_next(in, &raw) > 0)
            ck_assert_int_eq(sls_analyzer_frame(a, &raw), 0);
    }
    sls_analyzer_finish(a);
    uint64_t n = sls_analyzer_summary(a)->counters.v[SLS_CTR_TCP_IDLE_EVICTED];
    sls_input_free(in);
    sls_analyzer_free(a);
    return n;
}

/* ---- tests ---- */

START_TEST(test_every_sample_same_on_two_threads)
{
    for (size_t i = 0; i < NSAMPLES; i++)
        assert_same(sample(samples[i]), 1);
    ck_assert_int_ge(threads_created, (int)NSAMPLES);
}
END_TEST

START_TEST(test_long_udp_and_tcp_captures_cross_many_chunks)
{
    const char *src[] = {"mixed", "tcp_split"};
    for (size_t i = 0; i < 2; i++) {
        char path[256];
        tmpname(path, sizeof(path), src[i]);
        write_repeated(sample(src[i]), path, 400);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_gt(st.st_size, 5 << 20); /* many chunks */
        assert_same(path, 400);
        unlink(path);
    }
}
END_TEST

START_TEST(test_truncated_capture_same_on_two_threads)
{
    char full[256], cut[256];
    tmpname(full, sizeof(full), "full");
    tmpname(cut, sizeof(cut), "cut");
    write_repeated(sample("mixed"), full, 100);
    FILE *in = fopen(full, "rb"), *out = fopen(cut, "wb");
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    static unsigned char buf[1 << 16];
    size_t left = 1500000 + 77; /* in the middle of a packet */
    while (left > 0) {
        size_t n = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), in);
        ck_assert_uint_gt(n, 0);
        fwrite(buf, 1, n, out);
        left -= n;
    }
    fclose(in);
    fclose(out);
    assert_same(cut, 100);
    result r = analyze(cut, 1);
    ck_assert_msg(strstr(r.json, "truncated") != NULL, "the report names the truncation");
    free(r.json);
    unlink(full);
    unlink(cut);
}
END_TEST

START_TEST(test_message_larger_than_a_chunk)
{
    char path[256];
    tmpname(path, sizeof(path), "big");
    write_big_tcp(path);
    assert_same(path, 51);
    result r = analyze(path, 1);
    ck_assert_uint_eq(r.messages, 51);
    free(r.json);
    unlink(path);
}
END_TEST

START_TEST(test_without_a_second_thread)
{
    fail_thread_create = 1;
    int before = threads_created;
    assert_same(sample("mixed"), 1);
    assert_same(sample("tcp_split"), 1);
    ck_assert_int_eq(threads_created, before);
    fail_thread_create = 0;
}
END_TEST

START_TEST(test_tcp_stream_ages_on_frames_that_are_not_tcp)
{
    char path[256];
    tmpname(path, sizeof(path), "idle");
    write_idle_tcp(path);
    ck_assert_uint_eq(idle_evicted(path, 0), 1);
    ck_assert_uint_eq(idle_evicted(path, 1), 1);
    unlink(path);
}
END_TEST

static Suite *pipeline_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("two threads");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_every_sample_same_on_two_threads);
    tcase_add_test(tc, test_long_udp_and_tcp_captures_cross_many_chunks);
    tcase_add_test(tc, test_truncated_capture_same_on_two_threads);
    tcase_add_test(tc, test_message_larger_than_a_chunk);
    tcase_add_test(tc, test_without_a_second_thread);
    tcase_add_test(tc, test_tcp_stream_ages_on_frames_that_are_not_tcp);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(pipeline_suite());
}
