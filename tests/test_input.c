/* Capture input: files written here with libpcap's own writer (pcap) or by
 * hand (pcapng), then read back through sls_input. */

/* <pcap/pcap.h> needs u_int and u_char, hidden by the strict
 * _POSIX_C_SOURCE of the build. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "sipsleuth/error.h"
#include "sipsleuth/input.h"
#include "sls_check.h"
#include "input_priv.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- temporary directory ---------------------------------------------------- */

static char tmpdir[PATH_MAX];

static void tmp_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/sls_input_XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
    DIR *d = opendir(tmpdir);
    if (d == NULL)
        return;
    struct dirent *de;
    char p[PATH_MAX + 256];
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    rmdir(tmpdir);
}

/* Path of a file in the temporary directory; 8 rotating buffers so that a
 * test can hold several. */
static const char *tpath(const char *name)
{
    static char bufs[8][PATH_MAX + 64];
    static unsigned next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
    return b;
}

/* ---- writing captures --------------------------------------------------------- */

/* A test packet: caplen bytes, the first being tag, the rest derived from
 * it, so the reader can check it got the right bytes. */
struct tpkt {
    int64_t ts_ns;
    uint32_t caplen, wirelen;
    uint8_t tag;
};

static void tpkt_bytes(const struct tpkt *p, uint8_t *buf)
{
    for (uint32_t i = 0; i < p->caplen; i++)
        buf[i] = (uint8_t)(i == 0 ? p->tag : p->tag ^ (uint8_t)i);
}

static void assert_pkt(const sls_rawpkt *r, const struct tpkt *p,
                       unsigned file_index)
{
    ck_assert(r->ts_ns == p->ts_ns);
    ck_assert_uint_eq(r->caplen, p->caplen);
    ck_assert_uint_eq(r->wirelen, p->wirelen);
    ck_assert_uint_eq(r->file_index, file_index);
    uint8_t buf[256];
    tpkt_bytes(p, buf);
    ck_assert_mem_eq(r->data, buf, p->caplen);
}

/* Writes a pcap with libpcap's writer; nano selects the nanosecond magic. */
static void write_pcap(const char *path, int dlt, int nano,
                       const struct tpkt *pk, size_t n)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(
        dlt, 65535,
        nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    ck_assert_ptr_nonnull(dead);
    pcap_dumper_t *w = pcap_dump_open(dead, path);
    ck_assert_msg(w != NULL, "%s", pcap_geterr(dead));
    for (size_t i = 0; i < n; i++) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof(h));
        h.ts.tv_sec = (time_t)(pk[i].ts_ns / 1000000000);
        long frac = (long)(pk[i].ts_ns % 1000000000);
        h.ts.tv_usec = (suseconds_t)(nano ? frac : frac / 1000);
        h.caplen = pk[i].caplen;
        h.len = pk[i].wirelen;
        uint8_t buf[256];
        ck_assert_uint_le(pk[i].caplen, sizeof(buf));
        tpkt_bytes(&pk[i], buf);
        pcap_dump((u_char *)w, &h, buf);
    }
    pcap_dump_close(w);
    pcap_close(dead);
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    if (n > 0)
        ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static size_t file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (size_t)st.st_size;
}

/* Copies the first n bytes of src to dst. */
static void copy_prefix(const char *src, const char *dst, size_t n)
{
    static uint8_t buf[1 << 16];
    FILE *f = fopen(src, "rb");
    ck_assert_ptr_nonnull(f);
    size_t got = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    ck_assert_uint_le(n, got);
    write_bytes(dst, buf, n);
}

/* pcapng, written by hand (libpcap 1.10 cannot write it), in host byte
 * order as the format allows. */
struct ng {
    uint8_t b[4096];
    size_t n;
};

static void ng_put(struct ng *g, const void *p, size_t n)
{
    ck_assert_uint_le(g->n + n, sizeof(g->b));
    memcpy(g->b + g->n, p, n);
    g->n += n;
}

static void ng_u16(struct ng *g, uint16_t v)
{
    ng_put(g, &v, 2);
}

static void ng_u32(struct ng *g, uint32_t v)
{
    ng_put(g, &v, 4);
}

static void ng_block(struct ng *g, uint32_t type, const struct ng *body)
{
    uint32_t len = (uint32_t)(12 + (body->n + 3) / 4 * 4);
    ng_u32(g, type);
    ng_u32(g, len);
    ng_put(g, body->b, body->n);
    static const uint8_t zero[4];
    ng_put(g, zero, (4 - body->n % 4) % 4);
    ng_u32(g, len);
}

static void ng_shb(struct ng *g)
{
    struct ng body = {{0}, 0};
    ng_u32(&body, 0x1A2B3C4Du);
    ng_u16(&body, 1);
    ng_u16(&body, 0);
    ng_u32(&body, 0xFFFFFFFFu); /* section length unknown */
    ng_u32(&body, 0xFFFFFFFFu);
    ng_block(g, 0x0A0D0D0Au, &body);
}

/* Interface Description Block; tsresol < 0: default (microseconds). */
static void ng_idb(struct ng *g, uint16_t linktype, int tsresol)
{
    struct ng body = {{0}, 0};
    ng_u16(&body, linktype);
    ng_u16(&body, 0);
    ng_u32(&body, 65535);
    if (tsresol >= 0) {
        ng_u16(&body, 9); /* if_tsresol */
        ng_u16(&body, 1);
        uint8_t v[4] = {(uint8_t)tsresol, 0, 0, 0};
        ng_put(&body, v, 4);
        ng_u32(&body, 0); /* opt_endofopt */
    }
    ng_block(g, 1, &body);
}

/* Enhanced Packet Block; ts in the interface's units. */
static void ng_epb(struct ng *g, uint32_t ifid, uint64_t ts,
                   const struct tpkt *p)
{
    struct ng body = {{0}, 0};
    ng_u32(&body, ifid);
    ng_u32(&body, (uint32_t)(ts >> 32));
    ng_u32(&body, (uint32_t)ts);
    ng_u32(&body, p->caplen);
    ng_u32(&body, p->wirelen);
    uint8_t buf[256];
    tpkt_bytes(p, buf);
    ng_put(&body, buf, p->caplen);
    ng_block(g, 6, &body);
}

/* ---- reading ------------------------------------------------------------------ */

static sls_input *open_ok(const char *const *paths, size_t n)
{
    sls_input *in = NULL;
    char err[512];
    int rc = sls_input_open(&in, paths, n, err, sizeof(err));
    ck_assert_msg(rc == 0, "open: %d %s", rc, err);
    ck_assert_ptr_nonnull(in);
    return in;
}

static const struct tpkt five[] = {
    {INT64_C(1700000000000000001), 60, 60, 0x10},
    {INT64_C(1700000000500000000), 42, 1514, 0x11}, /* snaplen cut */
    {INT64_C(1700000001000000000), 100, 100, 0x12},
    {INT64_C(1700000001000000000), 1, 1, 0x13}, /* same time: keep order */
    {INT64_C(1700000002999999999), 200, 200, 0x14},
};

START_TEST(test_single_file_order_counts_and_info)
{
    const char *p = tpath("five.pcap");
    write_pcap(p, DLT_EN10MB, 1, five, 5);
    const char *paths[] = {p};
    sls_input *in = open_ok(paths, 1);
    ck_assert_uint_eq(sls_input_file_count(in), 1);
    sls_rawpkt r;
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(sls_input_next(in, &r), 1);
        assert_pkt(&r, &five[i], 0);
        ck_assert_int_eq(r.linktype, DLT_EN10MB);
    }
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    ck_assert_int_eq(sls_input_next(in, &r), 0); /* stays at the end */

    const sls_file_info *fi = sls_input_file(in, 0);
    ck_assert_ptr_nonnull(fi);
    ck_assert_str_eq(fi->path, p);
    ck_assert_int_eq(fi->linktype, DLT_EN10MB);
    ck_assert_str_eq(fi->linktype_name, "EN10MB");
    ck_assert_uint_eq(fi->packets, 5);
    ck_assert(fi->first_ts_ns == five[0].ts_ns);
    ck_assert(fi->last_ts_ns == five[4].ts_ns);
    ck_assert_int_eq(fi->state, SLS_FILE_OK);
    ck_assert_str_eq(fi->message, "");
    ck_assert_ptr_null(sls_input_file(in, 1));
    sls_input_free(in);
}
END_TEST

/* libpcap reads through a 64 KiB stdio buffer, not glibc's default of one
 * st_blksize (4 KiB: a read(2) per 4 KiB). */
START_TEST(test_files_are_read_through_a_64k_buffer)
{
    const char *p = tpath("five.pcap");
    write_pcap(p, DLT_EN10MB, 1, five, 5);
    const char *paths[] = {p};
    sls_input *in = open_ok(paths, 1);
    ck_assert_uint_eq(sls__input_buffer_size(in, 0), 64 * 1024);
    ck_assert_uint_eq(sls__input_buffer_size(in, 1), 0);
    sls_rawpkt r;
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(sls_input_next(in, &r), 1);
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    sls_input_free(in);
}
END_TEST

START_TEST(test_nanosecond_and_microsecond_timestamps)
{
    const struct tpkt ns[] = {{INT64_C(1234567890123456789), 4, 4, 1}};
    const struct tpkt us[] = {{INT64_C(1234567890123456000), 4, 4, 2}};
    write_pcap(tpath("ns.pcap"), DLT_EN10MB, 1, ns, 1);
    write_pcap(tpath("us.pcap"), DLT_EN10MB, 0, us, 1);
    const char *paths[] = {tpath("ns.pcap"), tpath("us.pcap")};
    sls_input *in = open_ok(paths, 2);
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &us[0], 1);
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &ns[0], 0);
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    sls_input_free(in);
}
END_TEST

START_TEST(test_two_files_interleaved_ties_in_file_order)
{
    const struct tpkt a[] = {{1000, 10, 10, 0xA1},
                             {3000, 10, 10, 0xA3},
                             {5000, 10, 10, 0xA5}};
    const struct tpkt b[] = {{2000, 20, 20, 0xB2},
                             {3000, 20, 20, 0xB3},
                             {4000, 20, 20, 0xB4},
                             {9000, 20, 20, 0xB9}};
    write_pcap(tpath("a.pcap"), DLT_EN10MB, 1, a, 3);
    write_pcap(tpath("b.pcap"), DLT_EN10MB, 1, b, 4);
    const char *paths[] = {tpath("a.pcap"), tpath("b.pcap")};
    sls_input *in = open_ok(paths, 2);
    const struct {
        const struct tpkt *p;
        unsigned file;
    } want[] = {{&a[0], 0}, {&b[0], 1}, {&a[1], 0}, {&b[1], 1},
                {&b[2], 1}, {&a[2], 0}, {&b[3], 1}};
    sls_rawpkt r;
    for (size_t i = 0; i < 7; i++) {
        ck_assert_int_eq(sls_input_next(in, &r), 1);
        assert_pkt(&r, want[i].p, want[i].file);
    }
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    ck_assert_uint_eq(sls_input_file(in, 0)->packets, 3);
    ck_assert_uint_eq(sls_input_file(in, 1)->packets, 4);
    ck_assert(sls_input_file(in, 1)->first_ts_ns == 2000);
    ck_assert(sls_input_file(in, 1)->last_ts_ns == 9000);
    sls_input_free(in);

    /* Same files, other order: the tie now goes to b. */
    const char *rev[] = {tpath("b.pcap"), tpath("a.pcap")};
    in = open_ok(rev, 2);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &a[1], 1);
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    ck_assert(r.ts_ns == 4000);
    sls_input_free(in);
}
END_TEST

/* Many files (more than a linear scan would take), pseudo-random times with
 * many ties, one file without packets: the output is sorted by (time, file)
 * and complete. */
START_TEST(test_many_files_merge_sorted_and_complete)
{
    enum { NFILES = 9, PER = 40 };
    const char *paths[NFILES];
    char *owned[NFILES];
    char names[NFILES][32];
    uint32_t x = 12345;
    unsigned total = 0;
    for (unsigned f = 0; f < NFILES; f++) {
        struct tpkt pk[PER];
        int64_t t = 0;
        unsigned n = f == 4 ? 0 : PER;
        for (unsigned i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            t += (x >> 16) % 3; /* steps of 0, 1, 2 ns: many ties */
            pk[i].ts_ns = t;
            pk[i].caplen = pk[i].wirelen = 8;
            pk[i].tag = (uint8_t)(f * 16 + i % 16);
        }
        snprintf(names[f], sizeof(names[f]), "m%u.pcap", f);
        owned[f] = strdup(tpath(names[f]));
        ck_assert_ptr_nonnull(owned[f]);
        paths[f] = owned[f];
        write_pcap(paths[f], DLT_RAW, 1, pk, n);
        total += n;
    }
    sls_input *in = open_ok(paths, NFILES);
    sls_rawpkt r;
    int64_t last_ts = INT64_MIN;
    unsigned last_file = 0, got = 0;
    unsigned per_file[NFILES] = {0};
    while (sls_input_next(in, &r) == 1) {
        ck_assert(r.ts_ns > last_ts ||
                  (r.ts_ns == last_ts && r.file_index >= last_file));
        ck_assert_uint_eq(r.data[0] / 16, r.file_index);
        ck_assert_uint_eq(r.data[0] % 16, per_file[r.file_index] % 16);
        per_file[r.file_index]++;
        last_ts = r.ts_ns;
        last_file = r.file_index;
        got++;
    }
    ck_assert_uint_eq(got, total);
    const sls_file_info *fi = sls_input_file(in, 4);
    ck_assert_uint_eq(fi->packets, 0);
    ck_assert(fi->first_ts_ns == 0 && fi->last_ts_ns == 0);
    ck_assert_int_eq(fi->state, SLS_FILE_OK);
    ck_assert_str_eq(sls_input_file(in, 0)->linktype_name, "RAW");
    sls_input_free(in);
    for (unsigned f = 0; f < NFILES; f++)
        free(owned[f]);
}
END_TEST

START_TEST(test_truncated_record_keeps_packets_before_the_cut)
{
    const char *good = tpath("good.pcap");
    write_pcap(good, DLT_EN10MB, 1, five, 5);
    /* Cut inside the last record's data (file header 24, record header
     * 16, data 200). */
    const char *cut = tpath("cut.pcap");
    copy_prefix(good, cut, file_size(good) - 50);
    const struct tpkt other[] = {{five[4].ts_ns + 1, 5, 5, 0x77}};
    write_pcap(tpath("other.pcap"), DLT_EN10MB, 1, other, 1);

    const char *paths[] = {cut, tpath("other.pcap")};
    sls_input *in = open_ok(paths, 2);
    sls_rawpkt r;
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(sls_input_next(in, &r), 1);
        assert_pkt(&r, &five[i], 0);
    }
    /* the other file goes on */
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &other[0], 1);
    ck_assert_int_eq(sls_input_next(in, &r), 0);

    const sls_file_info *fi = sls_input_file(in, 0);
    ck_assert_int_eq(fi->state, SLS_FILE_TRUNCATED);
    ck_assert_uint_eq(fi->packets, 4);
    ck_assert(fi->last_ts_ns == five[3].ts_ns);
    ck_assert_msg(strstr(fi->message, "truncated") != NULL, "%s",
                  fi->message);
    /* libpcap 1.10's words, measured */
    ck_assert_str_eq(fi->message, "truncated dump file; tried to read 200 "
                                  "captured bytes, only got 150");
    ck_assert_int_eq(sls_input_file(in, 1)->state, SLS_FILE_OK);
    sls_input_free(in);
}
END_TEST

START_TEST(test_truncated_record_header)
{
    const char *good = tpath("good.pcap");
    write_pcap(good, DLT_EN10MB, 1, five, 2);
    const char *cut = tpath("cut.pcap");
    /* file header, record 1 (16 + 60), 6 bytes of record 2's header */
    copy_prefix(good, cut, 24 + 16 + 60 + 6);
    const char *paths[] = {cut};
    sls_input *in = open_ok(paths, 1);
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &five[0], 0);
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    const sls_file_info *fi = sls_input_file(in, 0);
    ck_assert_int_eq(fi->state, SLS_FILE_TRUNCATED);
    ck_assert_str_eq(fi->message, "truncated dump file; tried to read 16 "
                                  "header bytes, only got 6");
    sls_input_free(in);
}
END_TEST

START_TEST(test_truncated_first_record_still_opens)
{
    const char *good = tpath("good.pcap");
    write_pcap(good, DLT_EN10MB, 1, five, 1);
    const char *cut = tpath("cut.pcap");
    copy_prefix(good, cut, 24 + 16 + 10);
    const char *paths[] = {cut};
    sls_input *in = open_ok(paths, 1);
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    ck_assert_int_eq(sls_input_file(in, 0)->state, SLS_FILE_TRUNCATED);
    ck_assert_uint_eq(sls_input_file(in, 0)->packets, 0);
    sls_input_free(in);
}
END_TEST

START_TEST(test_pcapng_nanosecond_resolution_and_truncation)
{
    struct ng g = {{0}, 0};
    ng_shb(&g);
    ng_idb(&g, 1 /* LINKTYPE_ETHERNET */, 9);
    const struct tpkt pk[] = {{INT64_C(1700000000123456789), 30, 30, 1},
                              {INT64_C(1700000000123456790), 31, 40, 2}};
    ng_epb(&g, 0, (uint64_t)pk[0].ts_ns, &pk[0]);
    size_t before_second = g.n;
    ng_epb(&g, 0, (uint64_t)pk[1].ts_ns, &pk[1]);
    write_bytes(tpath("ns.pcapng"), g.b, g.n);
    write_bytes(tpath("cut.pcapng"), g.b, before_second + 20);

    const char *paths[] = {tpath("ns.pcapng")};
    sls_input *in = open_ok(paths, 1);
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &pk[0], 0);
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &pk[1], 0);
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    ck_assert_int_eq(sls_input_file(in, 0)->state, SLS_FILE_OK);
    ck_assert_str_eq(sls_input_file(in, 0)->linktype_name, "EN10MB");
    sls_input_free(in);

    paths[0] = tpath("cut.pcapng");
    in = open_ok(paths, 1);
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &pk[0], 0);
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    const sls_file_info *fi = sls_input_file(in, 0);
    ck_assert_int_eq(fi->state, SLS_FILE_TRUNCATED);
    ck_assert_msg(strstr(fi->message, "truncated pcapng dump file") != NULL,
                  "%s", fi->message);
    sls_input_free(in);
}
END_TEST

/* libpcap 1.10 does not read a pcapng whose second interface has another
 * link type: it stops there with an error. The packets before it are
 * kept; the file is a read error, not a truncation. */
START_TEST(test_pcapng_mixed_link_types_stop_with_read_error)
{
    struct ng g = {{0}, 0};
    ng_shb(&g);
    ng_idb(&g, 1, -1);
    const struct tpkt pk[] = {{1000000000, 20, 20, 1},
                              {2000000000, 20, 20, 2},
                              {3000000000, 20, 20, 3}};
    ng_epb(&g, 0, 1000000, &pk[0]); /* microseconds */
    ng_idb(&g, 101 /* LINKTYPE_RAW */, -1);
    ng_epb(&g, 1, 2000000, &pk[1]);
    ng_epb(&g, 0, 3000000, &pk[2]);
    write_bytes(tpath("mixed.pcapng"), g.b, g.n);

    const char *paths[] = {tpath("mixed.pcapng")};
    sls_input *in = open_ok(paths, 1);
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &pk[0], 0);
    ck_assert_int_eq(r.linktype, DLT_EN10MB);
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    const sls_file_info *fi = sls_input_file(in, 0);
    ck_assert_int_eq(fi->state, SLS_FILE_READ_ERROR);
    ck_assert_str_eq(fi->message, "an interface has a type 101 different "
                                  "from the type of the first interface");
    sls_input_free(in);
}
END_TEST

/* A timestamp in seconds resolution far past 2262 saturates rather than
 * overflowing (UBSan would flag an overflow). */
START_TEST(test_timestamp_out_of_range_saturates)
{
    struct ng g = {{0}, 0};
    ng_shb(&g);
    ng_idb(&g, 1, 0); /* 10^0: seconds */
    const struct tpkt pk = {0, 4, 4, 9};
    ng_epb(&g, 0, UINT64_C(1) << 40, &pk);
    write_bytes(tpath("far.pcapng"), g.b, g.n);
    const char *paths[] = {tpath("far.pcapng")};
    sls_input *in = open_ok(paths, 1);
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    ck_assert(r.ts_ns == INT64_MAX);
    sls_input_free(in);
}
END_TEST

/* A nanosecond pcap record's fraction field can hold 10^9 or more (a
 * damaged or hand-made file): the excess carries into the seconds, and a
 * negative one borrows. Values in [0, 10^9) take the plain path, the others
 * the carrying one; both give the same arithmetic. */
START_TEST(test_nanosecond_fraction_of_a_second_or_more_carries)
{
    static const struct {
        uint32_t frac;
        int64_t ns;
    } rows[] = {
        {0, INT64_C(100000000000)},
        {999999999u, INT64_C(100999999999)},
        {1000000000u, INT64_C(101000000000)},
        {1500000000u, INT64_C(101500000000)},
        /* libpcap 1.10 hands this one out as -1: it borrows a second. */
        {4294967295u, INT64_C(99999999999)},
    };
    const size_t n = sizeof(rows) / sizeof(rows[0]);
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
                                                        PCAP_TSTAMP_PRECISION_NANO);
    ck_assert_ptr_nonnull(dead);
    pcap_dumper_t *w = pcap_dump_open(dead, tpath("frac.pcap"));
    ck_assert_ptr_nonnull(w);
    for (size_t i = 0; i < n; i++) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof(h));
        h.ts.tv_sec = 100;
        h.ts.tv_usec = (suseconds_t)rows[i].frac;
        h.caplen = h.len = 4;
        const uint8_t b[4] = {1, 2, 3, (uint8_t)i};
        pcap_dump((u_char *)w, &h, b);
    }
    pcap_dump_close(w);
    pcap_close(dead);
    const char *paths[] = {tpath("frac.pcap")};
    sls_input *in = open_ok(paths, 1);
    sls_rawpkt r;
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(sls_input_next(in, &r), 1);
        ck_assert_msg(r.ts_ns == rows[i].ns, "row %zu: %lld", i, (long long)r.ts_ns);
    }
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    sls_input_free(in);
}
END_TEST

START_TEST(test_linktype_name_and_fallback)
{
    write_pcap(tpath("sll2.pcap"), DLT_LINUX_SLL2, 1, five, 1);
    write_pcap(tpath("user0.pcap"), 147, 1, five, 1); /* no name in 1.10 */
    const char *paths[] = {tpath("sll2.pcap"), tpath("user0.pcap")};
    sls_input *in = open_ok(paths, 2);
    ck_assert_str_eq(sls_input_file(in, 0)->linktype_name, "LINUX_SLL2");
    ck_assert_int_eq(sls_input_file(in, 0)->linktype, DLT_LINUX_SLL2);
    ck_assert_str_eq(sls_input_file(in, 1)->linktype_name, "DLT_147");
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    ck_assert_int_eq(r.linktype, DLT_LINUX_SLL2);
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    ck_assert_int_eq(r.linktype, 147);
    sls_input_free(in);
}
END_TEST

/* ---- open errors ---------------------------------------------------------------- */

static int open_err(const char *const *paths, size_t n, char *err,
                    size_t errlen)
{
    static char dummy;
    sls_input *in = (sls_input *)(void *)&dummy; /* must be reset to NULL */
    int rc = sls_input_open(&in, paths, n, err, errlen);
    ck_assert_ptr_null(in);
    return rc;
}

START_TEST(test_missing_file_is_eopen_naming_the_path)
{
    write_pcap(tpath("ok.pcap"), DLT_EN10MB, 1, five, 2);
    const char *missing = tpath("missing.pcap");
    const char *paths[] = {tpath("ok.pcap"), missing};
    char err[512], want[PATH_MAX + 64];
    ck_assert_int_eq(open_err(paths, 2, err, sizeof(err)), SLS_EOPEN);
    snprintf(want, sizeof(want), "%s: No such file or directory", missing);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_text_file_is_not_a_capture)
{
    const char *p = tpath("notes.txt");
    const char text[] = "INVITE sip:bob@example.com SIP/2.0\r\n";
    write_bytes(p, text, sizeof(text) - 1);
    const char *paths[] = {p};
    char err[512], want[PATH_MAX + 64];
    ck_assert_int_eq(open_err(paths, 1, err, sizeof(err)), SLS_ENOTCAPTURE);
    snprintf(want, sizeof(want),
             "%s: not a pcap or pcapng capture (unknown file format)", p);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_empty_file_is_not_a_capture)
{
    const char *p = tpath("empty.pcap");
    write_bytes(p, "", 0);
    const char *paths[] = {p};
    char err[512], want[PATH_MAX + 64];
    ck_assert_int_eq(open_err(paths, 1, err, sizeof(err)), SLS_ENOTCAPTURE);
    snprintf(want, sizeof(want),
             "%s: not a pcap or pcapng capture (empty file)", p);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_cut_file_header_is_not_a_capture)
{
    write_pcap(tpath("ok.pcap"), DLT_EN10MB, 1, five, 1);
    copy_prefix(tpath("ok.pcap"), tpath("head.pcap"), 10);
    const char *paths[] = {tpath("head.pcap")};
    char err[512];
    ck_assert_int_eq(open_err(paths, 1, err, sizeof(err)), SLS_ENOTCAPTURE);
    ck_assert_msg(strstr(err, "head.pcap: not a pcap or pcapng capture (") !=
                      NULL,
                  "%s", err);
}
END_TEST

START_TEST(test_directory_is_eopen)
{
    const char *paths[] = {tmpdir};
    char err[512], want[PATH_MAX + 64];
    ck_assert_int_eq(open_err(paths, 1, err, sizeof(err)), SLS_EOPEN);
    snprintf(want, sizeof(want), "%s: Is a directory", tmpdir);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_stdin_twice_and_no_paths_are_einval)
{
    const char *paths[] = {"-", tpath("x.pcap"), "-"};
    char err[512];
    ck_assert_int_eq(open_err(paths, 3, err, sizeof(err)), SLS_EINVAL);
    ck_assert_str_eq(err, "-: standard input given more than once");
    ck_assert_int_eq(open_err(paths, 0, err, sizeof(err)), SLS_EINVAL);
    /* errbuf is optional */
    ck_assert_int_eq(open_err(paths, 3, NULL, 0), SLS_EINVAL);
    const char *missing[] = {tpath("nope.pcap")};
    ck_assert_int_eq(open_err(missing, 1, NULL, 0), SLS_EOPEN);
    sls_input_free(NULL);
}
END_TEST

/* "-" reads standard input, merged with a file; the process's descriptor 0
 * is still open afterwards. */
START_TEST(test_stdin_is_read_and_left_open)
{
    const struct tpkt later[] = {{five[0].ts_ns + 1, 9, 9, 0x55}};
    write_pcap(tpath("stdin.pcap"), DLT_EN10MB, 1, five, 5);
    write_pcap(tpath("later.pcap"), DLT_EN10MB, 1, later, 1);
    int fd = open(tpath("stdin.pcap"), O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);

    const char *paths[] = {"-", tpath("later.pcap")};
    sls_input *in = open_ok(paths, 2);
    sls_rawpkt r;
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &five[0], 0);
    ck_assert_int_eq(sls_input_next(in, &r), 1);
    assert_pkt(&r, &later[0], 1);
    for (size_t i = 1; i < 5; i++) {
        ck_assert_int_eq(sls_input_next(in, &r), 1);
        assert_pkt(&r, &five[i], 0);
    }
    ck_assert_int_eq(sls_input_next(in, &r), 0);
    ck_assert_str_eq(sls_input_file(in, 0)->path, "-");
    sls_input_free(in);
    ck_assert_int_ne(fcntl(STDIN_FILENO, F_GETFD), -1);
}
END_TEST

/* A pcapng from the shared captures, if present. */
START_TEST(test_shared_pcapng_capture)
{
    const char *p = SLS_SHARED_DIR "/captures/files/goff_sip_direct.pcapng";
    if (access(p, R_OK) != 0)
        return;
    const char *paths[] = {p};
    sls_input *in = open_ok(paths, 1);
    sls_rawpkt r;
    unsigned n = 0;
    int64_t last = INT64_MIN;
    while (sls_input_next(in, &r) == 1) {
        ck_assert(r.ts_ns >= last);
        last = r.ts_ns;
        n++;
    }
    const sls_file_info *fi = sls_input_file(in, 0);
    ck_assert_uint_eq(n, 7); /* MANIFEST.tsv, tshark */
    ck_assert_uint_eq(fi->packets, 7);
    ck_assert_int_eq(fi->state, SLS_FILE_OK);
    ck_assert_str_eq(fi->linktype_name, "EN10MB");
    ck_assert(fi->first_ts_ns > 0 && fi->last_ts_ns >= fi->first_ts_ns);
    sls_input_free(in);
}
END_TEST

static Suite *input_suite(void)
{
    Suite *s = suite_create("input");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_single_file_order_counts_and_info);
    tcase_add_test(tc, test_files_are_read_through_a_64k_buffer);
    tcase_add_test(tc, test_nanosecond_and_microsecond_timestamps);
    tcase_add_test(tc, test_two_files_interleaved_ties_in_file_order);
    tcase_add_test(tc, test_many_files_merge_sorted_and_complete);
    tcase_add_test(tc, test_truncated_record_keeps_packets_before_the_cut);
    tcase_add_test(tc, test_truncated_record_header);
    tcase_add_test(tc, test_truncated_first_record_still_opens);
    tcase_add_test(tc, test_pcapng_nanosecond_resolution_and_truncation);
    tcase_add_test(tc, test_pcapng_mixed_link_types_stop_with_read_error);
    tcase_add_test(tc, test_timestamp_out_of_range_saturates);
    tcase_add_test(tc, test_nanosecond_fraction_of_a_second_or_more_carries);
    tcase_add_test(tc, test_linktype_name_and_fallback);
    tcase_add_test(tc, test_stdin_is_read_and_left_open);
    tcase_add_test(tc, test_shared_pcapng_capture);
    suite_add_tcase(s, tc);

    tc = tcase_create("open errors");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_missing_file_is_eopen_naming_the_path);
    tcase_add_test(tc, test_text_file_is_not_a_capture);
    tcase_add_test(tc, test_empty_file_is_not_a_capture);
    tcase_add_test(tc, test_cut_file_header_is_not_a_capture);
    tcase_add_test(tc, test_directory_is_eopen);
    tcase_add_test(tc, test_stdin_twice_and_no_paths_are_einval);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(input_suite());
}
