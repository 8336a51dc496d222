/* Link/network/transport decoding: frames are built here byte by byte and
 * decoded from the very end of a readable page, so that reading one byte
 * past the frame crashes the test (picohttpparser's test.c trick). */

/* <pcap/pcap.h> (used by the shared-captures test) needs u_int and u_char,
 * hidden by the strict _POSIX_C_SOURCE of the build. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "cursor.h"
#include "sipsleuth/counters.h"
#include "sipsleuth/decode.h"
#include "sipsleuth/error.h"
#include "sipsleuth/packet.h"
#include "sls_check.h"

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

/* ---- guard page ----------------------------------------------------------- */

/* Readable span (room for the largest snaplen, 262144) followed by one
 * PROT_NONE page. */
static uint8_t *guard_map;
static size_t guard_span, guard_page;

static void guard_setup(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    ck_assert_int_gt(ps, 0);
    guard_page = (size_t)ps;
    guard_span = (262144 + guard_page - 1) / guard_page * guard_page;
    void *m = mmap(NULL, guard_span + guard_page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(m, MAP_FAILED);
    guard_map = m;
    ck_assert_int_eq(mprotect(guard_map + guard_span, guard_page, PROT_NONE),
                     0);
}

static void guard_teardown(void)
{
    munmap(guard_map, guard_span + guard_page);
    guard_map = NULL;
}

/* Copies len bytes so that they end exactly at the unreadable page. */
static const uint8_t *guard_copy(const uint8_t *bytes, size_t len)
{
    ck_assert_uint_le(len, guard_span);
    uint8_t *p = guard_map + guard_span - len;
    if (len > 0)
        memcpy(p, bytes, len);
    return p;
}

/* ---- running the decoder -------------------------------------------------- */

#define OUTCOME_KEEP 4
struct outcome {
    int rc;
    int calls;
    sls_counters ctr;
    sls_packet pkt; /* last delivered, payload pointer cleared */
    uint8_t payload[2048]; /* its first bytes */
    unsigned sum;          /* of all its bytes: every one is read */
    /* the first OUTCOME_KEEP delivered (several SCTP chunks) */
    sls_packet all[OUTCOME_KEEP];
    uint8_t all_payload[OUTCOME_KEEP][256];
};

static void record_sink(void *user, const sls_packet *pkt)
{
    struct outcome *o = user;
    o->calls++;
    o->pkt = *pkt;
    if (pkt->payload_len > 0) {
        ck_assert_ptr_nonnull(pkt->payload);
        size_t n = pkt->payload_len < sizeof(o->payload) ? pkt->payload_len
                                                          : sizeof(o->payload);
        memcpy(o->payload, pkt->payload, n);
        /* Touch every byte: a payload running past the frame faults on
         * the guard page. */
        for (size_t i = 0; i < pkt->payload_len; i++)
            o->sum += pkt->payload[i];
    }
    o->pkt.payload = NULL;
    if (o->calls <= OUTCOME_KEEP) {
        sls_packet *k = &o->all[o->calls - 1];
        *k = o->pkt;
        size_t n = pkt->payload_len < sizeof(o->all_payload[0])
                       ? pkt->payload_len
                       : sizeof(o->all_payload[0]);
        if (n > 0)
            memcpy(o->all_payload[o->calls - 1], pkt->payload, n);
    }
}

#define TEST_TS INT64_C(1700000000123456789)
#define TEST_FRAME_NO 42u

static void decode(int dlt, const uint8_t *bytes, size_t caplen,
                   struct outcome *o)
{
    memset(o, 0, sizeof(*o));
    sls_decoder *d = sls_decoder_new(&o->ctr, record_sink, o);
    ck_assert_ptr_nonnull(d);
    o->rc = sls_decode_frame(d, dlt, TEST_TS, TEST_FRAME_NO,
                             guard_copy(bytes, caplen), caplen);
    sls_decoder_free(d);
    ck_assert_int_eq(o->rc, o->calls);
}

static uint64_t counters_total(const sls_counters *c)
{
    uint64_t t = 0;
    for (int i = 0; i < SLS_CTR_COUNT; i++)
        t += c->v[i];
    return t;
}

/* The frame produced one payload and touched no counter. */
static void assert_delivered(const struct outcome *o)
{
    ck_assert_int_eq(o->calls, 1);
    ck_assert_uint_eq(counters_total(&o->ctr), 0);
}

/* The frame produced nothing and incremented exactly this counter. */
static void assert_counted(const struct outcome *o, enum sls_counter c)
{
    ck_assert_msg(o->calls == 0 && counters_total(&o->ctr) == 1 &&
                      o->ctr.v[c] == 1,
                  "expected only %s, got %d payload(s), %s=%llu, total %llu",
                  sls_counter_name(c), o->calls, sls_counter_name(c),
                  (unsigned long long)o->ctr.v[c],
                  (unsigned long long)counters_total(&o->ctr));
}

/* ---- frame builders ------------------------------------------------------- */

struct fb {
    uint8_t b[2048];
    size_t n;
};

static void put8(struct fb *f, unsigned v)
{
    ck_assert_uint_lt(f->n, sizeof(f->b));
    f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned v)
{
    put8(f, (v >> 8) & 0xFFu);
    put8(f, v & 0xFFu);
}

static void put32(struct fb *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xFFFFu);
}

static void put32le(struct fb *f, uint32_t v)
{
    put8(f, v & 0xFFu);
    put8(f, (v >> 8) & 0xFFu);
    put8(f, (v >> 16) & 0xFFu);
    put8(f, v >> 24);
}

static void put(struct fb *f, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        put8(f, b[i]);
}

static void fill(struct fb *f, unsigned v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(f, v);
}

static const uint8_t V4_SRC[4] = {192, 0, 2, 1};
static const uint8_t V4_DST[4] = {198, 51, 100, 2};
static const uint8_t V6_SRC[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                   0,    0,    0,    0,    0, 0, 0, 1};
static const uint8_t V6_DST[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                   0,    0,    0,    0,    0, 0, 0, 2};
static const char SIP[] = "OPTIONS sip:bob@example.com SIP/2.0\r\n\r\n";
#define SIP_LEN (sizeof(SIP) - 1)

#define ET_IPV4 0x0800u
#define ET_IPV6 0x86DDu
#define ET_ARP 0x0806u
#define ET_8021Q 0x8100u
#define ET_8021AD 0x88A8u
#define ET_9100 0x9100u

static void eth(struct fb *f, unsigned type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    put(f, macs, sizeof(macs));
    put16(f, type);
}

static void vlan(struct fb *f, unsigned vid, unsigned next)
{
    put16(f, vid & 0x0FFFu);
    put16(f, next);
}

/* Linux cooked v1: packet type, ARPHRD, address length, address, protocol */
static void sll(struct fb *f, unsigned proto)
{
    put16(f, 0);
    put16(f, 1);
    put16(f, 6);
    fill(f, 0xAA, 8);
    put16(f, proto);
}

/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, packet type,
 * address length, address */
static void sll2(struct fb *f, unsigned proto)
{
    put16(f, proto);
    put16(f, 0);
    put32(f, 3);
    put16(f, 1);
    put8(f, 4);
    put8(f, 6);
    fill(f, 0xBB, 8);
}

static void bsd_family(struct fb *f, uint32_t family, int big_endian)
{
    if (big_endian)
        put32(f, family);
    else
        put32le(f, family);
}

/* IPv4 header with optwords 32-bit words of options; total length covers
 * l4len bytes after it. */
static void ipv4(struct fb *f, unsigned proto, size_t l4len,
                 unsigned optwords, unsigned frag)
{
    put8(f, 0x40u | (5u + optwords));
    put8(f, 0);
    put16(f, (unsigned)(20u + 4u * optwords + l4len));
    put16(f, 0x1234);
    put16(f, frag);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0); /* checksum: not verified (offload) */
    put(f, V4_SRC, 4);
    put(f, V4_DST, 4);
    for (unsigned i = 0; i < optwords; i++)
        put32(f, 0x01010101u); /* NOPs */
}

static void ipv6(struct fb *f, unsigned nh, size_t plen)
{
    put32(f, 0x60000000u);
    put16(f, (unsigned)plen);
    put8(f, nh);
    put8(f, 64);
    put(f, V6_SRC, 16);
    put(f, V6_DST, 16);
}

/* Hop-by-Hop / Destination / Routing style extension header of
 * (units + 1) * 8 bytes, filled with Pad1 options. */
static void ext6(struct fb *f, unsigned nh, unsigned units)
{
    put8(f, nh);
    put8(f, units);
    fill(f, 0, (units + 1u) * 8u - 2u);
}

static size_t ext6_len(unsigned units)
{
    return (units + 1u) * 8u;
}

/* Authentication Header: (units + 2) * 4 bytes. */
static void ah6(struct fb *f, unsigned nh, unsigned units)
{
    put8(f, nh);
    put8(f, units);
    fill(f, 0, (units + 2u) * 4u - 2u);
}

static void frag6(struct fb *f, unsigned nh, unsigned offset8, int more)
{
    put8(f, nh);
    put8(f, 0);
    put16(f, (offset8 << 3) | (more ? 1u : 0u));
    put32(f, 0xCAFEu);
}

static void udp(struct fb *f, unsigned sport, unsigned dport, size_t ulen)
{
    put16(f, sport);
    put16(f, dport);
    put16(f, (unsigned)ulen);
    put16(f, 0);
}

static void tcp(struct fb *f, unsigned sport, unsigned dport, uint32_t seq,
                unsigned flags, unsigned optwords)
{
    put16(f, sport);
    put16(f, dport);
    put32(f, seq);
    put32(f, 0x01020304u);
    put8(f, (5u + optwords) << 4);
    put8(f, flags);
    put16(f, 65535);
    put16(f, 0);
    put16(f, 0);
    for (unsigned i = 0; i < optwords; i++)
        put32(f, 0x01010101u);
}

#define IPP_ICMP 1u
#define IPP_TCP 6u
#define IPP_UDP 17u
#define IPP_HOP 0u
#define IPP_ROUTING 43u
#define IPP_FRAG 44u
#define IPP_ESP 50u
#define IPP_AH 51u
#define IPP_NONE 59u
#define IPP_DST 60u

/* UDP datagram carrying SIP after whatever network header was written. */
static void udp_sip(struct fb *f)
{
    udp(f, 5060, 5080, 8 + SIP_LEN);
    put(f, SIP, SIP_LEN);
}

static void assert_v4_udp_sip(const struct outcome *o)
{
    assert_delivered(o);
    ck_assert_uint_eq(o->pkt.transport, SLS_TRANSPORT_UDP);
    ck_assert_uint_eq(o->pkt.src.family, 4);
    ck_assert_uint_eq(o->pkt.dst.family, 4);
    ck_assert_mem_eq(o->pkt.src.bytes, V4_SRC, 4);
    ck_assert_mem_eq(o->pkt.dst.bytes, V4_DST, 4);
    static const uint8_t zero[12];
    ck_assert_mem_eq(o->pkt.src.bytes + 4, zero, 12);
    ck_assert_mem_eq(o->pkt.dst.bytes + 4, zero, 12);
    ck_assert_uint_eq(o->pkt.sport, 5060);
    ck_assert_uint_eq(o->pkt.dport, 5080);
    ck_assert_uint_eq(o->pkt.payload_len, SIP_LEN);
    ck_assert_mem_eq(o->payload, SIP, SIP_LEN);
    ck_assert(o->pkt.ts_ns == TEST_TS);
    ck_assert_uint_eq(o->pkt.frame_no, TEST_FRAME_NO);
}

static void assert_v6_udp_sip(const struct outcome *o)
{
    assert_delivered(o);
    ck_assert_uint_eq(o->pkt.transport, SLS_TRANSPORT_UDP);
    ck_assert_uint_eq(o->pkt.src.family, 6);
    ck_assert_uint_eq(o->pkt.dst.family, 6);
    ck_assert_mem_eq(o->pkt.src.bytes, V6_SRC, 16);
    ck_assert_mem_eq(o->pkt.dst.bytes, V6_DST, 16);
    ck_assert_uint_eq(o->pkt.sport, 5060);
    ck_assert_uint_eq(o->pkt.dport, 5080);
    ck_assert_uint_eq(o->pkt.payload_len, SIP_LEN);
    ck_assert_mem_eq(o->payload, SIP, SIP_LEN);
}

/* ---- Ethernet and VLAN ---------------------------------------------------- */

START_TEST(test_ether_ipv4_udp_delivers_payload_endpoints_and_time)
{
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_ether_ipv6_udp_delivers_payload_and_addresses)
{
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

START_TEST(test_ether_padding_is_clamped_by_ipv4_total_length)
{
    /* A 4-byte keep-alive: the frame is padded to 60 bytes with junk that
     * must not show up in the payload. */
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + 4, 0, 0);
    udp(&f, 5060, 5060, 8 + 4);
    put(&f, "\r\n\r\n", 4);
    ck_assert_uint_eq(f.n, 46);
    fill(&f, 0xEE, 60 - f.n);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.payload_len, 4);
    ck_assert_mem_eq(o.payload, "\r\n\r\n", 4);
}
END_TEST

START_TEST(test_ether_padding_is_clamped_by_ipv6_payload_length)
{
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_UDP, 8 + 2);
    udp(&f, 5060, 5060, 8 + 2);
    put(&f, "\r\n", 2);
    fill(&f, 0xEE, 24); /* trailer, e.g. an FCS left in by the NIC */
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.payload_len, 2);
}
END_TEST

START_TEST(test_udp_payload_is_clamped_to_udp_length_inside_ip)
{
    /* IP says 8 bytes more than UDP: they are not UDP data. */
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN + 8, 0, 0);
    udp_sip(&f);
    fill(&f, 0xEE, 8);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

static const unsigned vlan_tpids[] = {ET_8021Q, ET_8021AD, ET_9100};

START_TEST(test_vlan_single_tag_of_each_tpid)
{
    struct fb f = {0};
    eth(&f, vlan_tpids[_i]);
    vlan(&f, 100, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_vlan_qinq_double_tag)
{
    struct fb f = {0};
    eth(&f, ET_8021AD);
    vlan(&f, 10, ET_8021Q);
    vlan(&f, 20, ET_IPV6);
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

/* _i tags: 8 are decoded, the 9th is one too many. */
START_TEST(test_vlan_depth_limit_is_8)
{
    unsigned tags = (unsigned)_i;
    struct fb f = {0};
    eth(&f, ET_8021Q);
    for (unsigned t = 1; t <= tags; t++)
        vlan(&f, t, t == tags ? ET_IPV4 : ET_8021Q);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    if (tags <= 8)
        assert_v4_udp_sip(&o);
    else
        assert_counted(&o, SLS_CTR_VLAN_TOO_DEEP);
}
END_TEST

START_TEST(test_ether_arp_is_not_ip)
{
    struct fb f = {0};
    eth(&f, ET_ARP);
    fill(&f, 0, 28);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

START_TEST(test_ether_8023_length_field_is_not_ip)
{
    /* IEEE 802.3 frame: a length (< 0x600) where the type would be, then
     * LLC. Even 0x0800 - 0x600 would be ambiguous; 46 is a length. */
    struct fb f = {0};
    eth(&f, 46);
    put8(&f, 0x42);
    put8(&f, 0x42);
    put8(&f, 0x03);
    fill(&f, 0, 43);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

START_TEST(test_vlan_then_arp_is_not_ip)
{
    struct fb f = {0};
    eth(&f, ET_8021Q);
    vlan(&f, 5, ET_ARP);
    fill(&f, 0, 28);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

/* ---- Linux cooked, BSD loopback, raw ---------------------------------------- */

START_TEST(test_sll_ipv4_udp)
{
    struct fb f = {0};
    sll(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_LINUX_SLL, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_sll_with_vlan_tag_libpcap_reinserted)
{
    struct fb f = {0};
    sll(&f, ET_8021Q);
    vlan(&f, 7, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_LINUX_SLL, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_sll_non_ethertype_protocol_is_not_ip)
{
    struct fb f = {0};
    sll(&f, 0x0004); /* LINUX_SLL_P_802_2 */
    fill(&f, 0, 20);
    struct outcome o;
    decode(DLT_LINUX_SLL, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

START_TEST(test_sll2_ipv6_udp)
{
    struct fb f = {0};
    sll2(&f, ET_IPV6);
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_LINUX_SLL2, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

/* Two frames written by "tcpdump -i any" (4.99.3, libpcap 1.10.3) on this
 * machine, SIP OPTIONS over lo, IPv4 then IPv6. */
static const uint8_t SLL2_REAL_V4[] = {
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x04, 0x00, 0x06,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x35,
    0x0a, 0x90, 0x40, 0x00, 0x40, 0x11, 0x32, 0x26, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, 0xc8, 0x5c, 0x13, 0xc4, 0x00, 0x21, 0xfe, 0x34,
    0x4f, 0x50, 0x54, 0x49, 0x4f, 0x4e, 0x53, 0x20, 0x73, 0x69, 0x70, 0x3a,
    0x78, 0x20, 0x53, 0x49, 0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d, 0x0a, 0x0d,
    0x0a};
static const uint8_t SLL2_REAL_V6[] = {
    0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x04, 0x00, 0x06,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0xf9, 0xeb,
    0x00, 0x21, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0xc1, 0x74, 0x13, 0xc4, 0x00, 0x21, 0x00, 0x34, 0x4f, 0x50, 0x54, 0x49,
    0x4f, 0x4e, 0x53, 0x20, 0x73, 0x69, 0x70, 0x3a, 0x79, 0x20, 0x53, 0x49,
    0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a};

START_TEST(test_sll2_frames_written_by_tcpdump_any)
{
    struct outcome o;
    decode(DLT_LINUX_SLL2, SLL2_REAL_V4, sizeof(SLL2_REAL_V4), &o);
    assert_delivered(&o);
    static const uint8_t lo4[4] = {127, 0, 0, 1};
    ck_assert_mem_eq(o.pkt.src.bytes, lo4, 4);
    ck_assert_uint_eq(o.pkt.sport, 51292);
    ck_assert_uint_eq(o.pkt.dport, 5060);
    ck_assert_uint_eq(o.pkt.payload_len, 25);
    ck_assert_mem_eq(o.payload, "OPTIONS sip:x SIP/2.0\r\n\r\n", 25);

    decode(DLT_LINUX_SLL2, SLL2_REAL_V6, sizeof(SLL2_REAL_V6), &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.src.family, 6);
    ck_assert_uint_eq(o.pkt.src.bytes[15], 1);
    ck_assert_uint_eq(o.pkt.sport, 49524);
    ck_assert_uint_eq(o.pkt.payload_len, 25);
    ck_assert_mem_eq(o.payload, "OPTIONS sip:y SIP/2.0\r\n\r\n", 25);
}
END_TEST

/* DLT_NULL in both byte orders and every IPv6 family number in use. */
static const struct {
    uint32_t family;
    int v6;
} null_families[] = {{2, 0}, {10, 1}, {24, 1}, {28, 1}, {30, 1}};

START_TEST(test_null_both_byte_orders_and_ipv6_families)
{
    for (int big = 0; big <= 1; big++) {
        struct fb f = {0};
        bsd_family(&f, null_families[_i].family, big);
        if (null_families[_i].v6)
            ipv6(&f, IPP_UDP, 8 + SIP_LEN);
        else
            ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        udp_sip(&f);
        struct outcome o;
        decode(DLT_NULL, f.b, f.n, &o);
        if (null_families[_i].v6)
            assert_v6_udp_sip(&o);
        else
            assert_v4_udp_sip(&o);
    }
}
END_TEST

START_TEST(test_loop_is_network_byte_order)
{
    struct fb f = {0};
    bsd_family(&f, 24, 1);
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_LOOP, f.b, f.n, &o);
    assert_v6_udp_sip(&o);

    f.n = 0;
    bsd_family(&f, 2, 1);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    decode(DLT_LOOP, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_null_unknown_family_is_not_ip)
{
    struct fb f = {0};
    bsd_family(&f, 7, 0); /* AF_OSI */
    fill(&f, 0x45, 40);
    struct outcome o;
    decode(DLT_NULL, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
    decode(DLT_LOOP, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

/* Raw IP under every number it is written with: the version decides. */
static const int raw_dlts[] = {12, 14, 101};

START_TEST(test_raw_ip_version_nibble_decides)
{
    struct fb f = {0};
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(raw_dlts[_i], f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    f.n = 0;
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(&f);
    decode(raw_dlts[_i], f.b, f.n, &o);
    assert_v6_udp_sip(&o);

    f.b[0] = 0x50; /* version 5 */
    decode(raw_dlts[_i], f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

START_TEST(test_dlt_ipv4_and_ipv6)
{
    struct fb f = {0};
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_IPV4, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
    decode(DLT_IPV6, f.b, f.n, &o); /* an IPv4 packet where v6 is promised */
    assert_counted(&o, SLS_CTR_IPV6_BAD_HEADER);

    f.n = 0;
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(&f);
    decode(DLT_IPV6, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
    decode(DLT_IPV4, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IPV4_BAD_HEADER);
}
END_TEST

START_TEST(test_unsupported_dlt_is_counted)
{
    static const int dlts[] = {105 /* 802.11 */, 10 /* FDDI */, -1, 100000,
                               DLT_LINUX_SLL2 + 1};
    uint8_t junk[64];
    memset(junk, 0x45, sizeof(junk));
    for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
        ck_assert_int_eq(sls_decode_linktype_supported(dlts[i]), 0);
        struct outcome o;
        decode(dlts[i], junk, sizeof(junk), &o);
        assert_counted(&o, SLS_CTR_LINK_UNSUPPORTED);
    }
    static const int ok[] = {DLT_NULL,       DLT_EN10MB,    12,
                             14,             101,           DLT_LOOP,
                             DLT_LINUX_SLL,  DLT_IPV4,      DLT_IPV6,
                             DLT_LINUX_SLL2, DLT_PPP,       DLT_PPP_SERIAL,
                             DLT_PPP_ETHER,  DLT_C_HDLC};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        ck_assert_int_eq(sls_decode_linktype_supported(ok[i]), 1);
}
END_TEST

/* ---- IPv4 ----------------------------------------------------------------- */

/* Options of 0..10 words: IHL 5..15. */
START_TEST(test_ipv4_options_are_skipped)
{
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, (unsigned)_i, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_ipv4_bad_ihl_is_bad_header)
{
    for (unsigned ihl = 0; ihl < 5; ihl++) {
        struct fb f = {0};
        eth(&f, ET_IPV4);
        ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        udp_sip(&f);
        f.b[14] = (uint8_t)(0x40u | ihl);
        struct outcome o;
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_IPV4_BAD_HEADER);
    }
}
END_TEST

START_TEST(test_ipv4_total_length_below_header_is_bad_header)
{
    static const unsigned totals[] = {0, 19, 23}; /* IHL 6: 24 bytes */
    for (size_t i = 0; i < 3; i++) {
        struct fb f = {0};
        eth(&f, ET_IPV4);
        ipv4(&f, IPP_UDP, 8 + SIP_LEN, 1, 0);
        udp_sip(&f);
        f.b[16] = (uint8_t)(totals[i] >> 8);
        f.b[17] = (uint8_t)totals[i];
        struct outcome o;
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_IPV4_BAD_HEADER);
    }
}
END_TEST

START_TEST(test_ipv4_wrong_version_under_ethertype_0800_is_bad_header)
{
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IPV4_BAD_HEADER);
}
END_TEST

START_TEST(test_ipv4_lone_fragments_are_held_and_counted)
{
    /* MF set with offset 0 (first fragment), offset without MF (last),
     * both (middle): each is held by the reassembler, which counts it.
     * DF alone is not a fragment. */
    static const unsigned frags[] = {0x2000, 0x00B9, 0x20B9};
    for (size_t i = 0; i < 3; i++) {
        struct fb f = {0};
        eth(&f, ET_IPV4);
        ipv4(&f, IPP_UDP, 8 + SIP_LEN + 1, 0, frags[i]);
        udp_sip(&f);
        put8(&f, ' '); /* 48 bytes: a multiple of 8, as MF requires */
        struct outcome o;
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_IPV4_FRAGMENT);
    }
    /* a non-last fragment of 47 bytes cannot be placed */
    struct fb g = {0};
    eth(&g, ET_IPV4);
    ipv4(&g, IPP_UDP, 8 + SIP_LEN, 0, 0x2000);
    udp_sip(&g);
    struct outcome bad;
    decode(DLT_EN10MB, g.b, g.n, &bad);
    assert_counted(&bad, SLS_CTR_FRAG_BAD);
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0x4000);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_icmp_is_ip_proto_other)
{
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_ICMP, 8, 0, 0);
    put32(&f, 0x08000000u);
    put32(&f, 0x00010001u);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IP_PROTO_OTHER);
}
END_TEST

/* ---- IPv6 ----------------------------------------------------------------- */

START_TEST(test_ipv6_hop_by_hop_and_destination_options_are_skipped)
{
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_HOP, ext6_len(0) + ext6_len(2) + 8 + SIP_LEN);
    ext6(&f, IPP_DST, 0);
    ext6(&f, IPP_UDP, 2);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

START_TEST(test_ipv6_every_skippable_extension_header)
{
    /* Hop-by-Hop, Routing, Destination, Mobility, HIP, Shim6, AH, then an
     * atomic fragment (RFC 6946: processed as a whole packet), then UDP. */
    struct fb f = {0};
    eth(&f, ET_IPV6);
    size_t plen = ext6_len(0) * 6 + (1 + 2) * 4 + 8 + 8 + SIP_LEN;
    ipv6(&f, IPP_HOP, plen);
    ext6(&f, IPP_ROUTING, 0);
    ext6(&f, IPP_DST, 0);
    ext6(&f, 135, 0);
    ext6(&f, 139, 0);
    ext6(&f, 140, 0);
    ext6(&f, IPP_AH, 0);
    ah6(&f, IPP_FRAG, 1);
    frag6(&f, IPP_UDP, 0, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

/* _i extension headers: 16 are walked, the 17th is one too many. */
START_TEST(test_ipv6_extension_depth_limit_is_16)
{
    unsigned n = (unsigned)_i;
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_DST, n * ext6_len(0) + 8 + SIP_LEN);
    for (unsigned k = 1; k <= n; k++)
        ext6(&f, k == n ? IPP_UDP : IPP_DST, 0);
    udp_sip(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    if (n <= 16)
        assert_v6_udp_sip(&o);
    else
        assert_counted(&o, SLS_CTR_IPV6_EXT_TOO_DEEP);
}
END_TEST

START_TEST(test_ipv6_lone_fragments_are_held_and_counted)
{
    static const struct {
        unsigned off;
        int more;
    } cases[] = {{0, 1}, {100, 0}, {100, 1}};
    for (size_t i = 0; i < 3; i++) {
        struct fb f = {0};
        eth(&f, ET_IPV6);
        ipv6(&f, IPP_FRAG, 8 + 8 + SIP_LEN + 1);
        frag6(&f, IPP_UDP, cases[i].off, cases[i].more);
        udp_sip(&f);
        put8(&f, ' ');
        struct outcome o;
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_IPV6_FRAGMENT);
    }
}
END_TEST

START_TEST(test_ipv6_esp_and_no_next_header_are_ip_proto_other)
{
    static const unsigned nhs[] = {IPP_ESP, IPP_NONE, IPP_ICMP, 58};
    for (size_t i = 0; i < 4; i++) {
        struct fb f = {0};
        eth(&f, ET_IPV6);
        ipv6(&f, IPP_HOP, ext6_len(0) + 16);
        ext6(&f, nhs[i], 0);
        fill(&f, 0x11, 16);
        struct outcome o;
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_IP_PROTO_OTHER);
    }
}
END_TEST

START_TEST(test_ipv6_bad_headers)
{
    struct outcome o;
    /* payload length 0: a jumbogram (RFC 2675) or a lie */
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_UDP, 0);
    udp_sip(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IPV6_BAD_HEADER);

    /* an extension header longer than the payload length */
    f.n = 0;
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_HOP, 16);
    ext6(&f, IPP_UDP, 3); /* 32 bytes */
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IPV6_BAD_HEADER);

    /* payload length too short for even the 2-byte extension prefix */
    f.n = 0;
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_HOP, 1);
    fill(&f, 0, 8);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IPV6_BAD_HEADER);

    /* a fragment header that does not fit in the payload length */
    f.n = 0;
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_FRAG, 4);
    frag6(&f, IPP_UDP, 1, 0);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IPV6_BAD_HEADER);
}
END_TEST

/* ---- UDP and TCP ---------------------------------------------------------- */

START_TEST(test_udp_bad_lengths)
{
    struct outcome o;
    static const unsigned ulens[] = {0, 7, 8 + SIP_LEN + 1, 0xFFFF};
    for (size_t i = 0; i < 4; i++) {
        struct fb f = {0};
        eth(&f, ET_IPV4);
        ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        udp(&f, 5060, 5060, ulens[i]);
        put(&f, SIP, SIP_LEN);
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_UDP_BAD_LENGTH);
    }
    /* RFC 2675 jumbogram marker: UDP length 0 over IPv6 */
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_UDP, 8 + SIP_LEN);
    udp(&f, 5060, 5060, 0);
    put(&f, SIP, SIP_LEN);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_UDP_BAD_LENGTH);

    /* IP declares fewer bytes than a UDP header */
    f.n = 0;
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 6, 0, 0);
    udp(&f, 5060, 5060, 8);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_UDP_BAD_LENGTH);
}
END_TEST

START_TEST(test_udp_empty_datagram_is_delivered)
{
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_UDP, 8, 0, 0);
    udp(&f, 5060, 5060, 8);
    fill(&f, 0, 60 - f.n);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.payload_len, 0);
}
END_TEST

START_TEST(test_tcp_segment_with_data_flags_seq_and_options)
{
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_TCP, 20 + 12 + SIP_LEN, 0, 0);
    tcp(&f, 40000, 5060, 0xDEADBEEFu, SLS_TCP_PSH | SLS_TCP_ACK, 3);
    put(&f, SIP, SIP_LEN);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.transport, SLS_TRANSPORT_TCP);
    ck_assert_uint_eq(o.pkt.tcp_flags, SLS_TCP_PSH | SLS_TCP_ACK);
    ck_assert_uint_eq(o.pkt.tcp_seq, 0xDEADBEEFu);
    ck_assert_uint_eq(o.pkt.sport, 40000);
    ck_assert_uint_eq(o.pkt.dport, 5060);
    ck_assert_uint_eq(o.pkt.payload_len, SIP_LEN);
    ck_assert_mem_eq(o.payload, SIP, SIP_LEN);
    ck_assert_mem_eq(o.pkt.src.bytes, V4_SRC, 4);
}
END_TEST

START_TEST(test_tcp_ipv6_segment)
{
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_TCP, 20 + SIP_LEN);
    tcp(&f, 5060, 40000, 7, SLS_TCP_ACK, 0);
    put(&f, SIP, SIP_LEN);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.transport, SLS_TRANSPORT_TCP);
    ck_assert_uint_eq(o.pkt.src.family, 6);
    ck_assert_uint_eq(o.pkt.tcp_seq, 7);
}
END_TEST

/* Empty segments: delivered when they open, close or reset the stream;
 * a bare ACK is counted. */
static const struct {
    unsigned flags;
    int delivered;
} tcp_empty_cases[] = {
    {SLS_TCP_SYN, 1},
    {SLS_TCP_SYN | SLS_TCP_ACK, 1},
    {SLS_TCP_FIN | SLS_TCP_ACK, 1},
    {SLS_TCP_RST, 1},
    {SLS_TCP_ACK, 0},
    {SLS_TCP_ACK | SLS_TCP_PSH, 0},
};

START_TEST(test_tcp_empty_segments)
{
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_TCP, 20, 0, 0);
    tcp(&f, 40000, 5060, 1, tcp_empty_cases[_i].flags, 0);
    fill(&f, 0xEE, 6); /* Ethernet padding, not data */
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    if (tcp_empty_cases[_i].delivered) {
        assert_delivered(&o);
        ck_assert_uint_eq(o.pkt.payload_len, 0);
        ck_assert_uint_eq(o.pkt.tcp_flags, tcp_empty_cases[_i].flags);
    } else {
        assert_counted(&o, SLS_CTR_TCP_NO_PAYLOAD);
    }
}
END_TEST

START_TEST(test_tcp_bad_headers)
{
    struct outcome o;
    /* data offset below 5 */
    for (unsigned doff = 0; doff < 5; doff++) {
        struct fb f = {0};
        eth(&f, ET_IPV4);
        ipv4(&f, IPP_TCP, 20 + SIP_LEN, 0, 0);
        tcp(&f, 1, 2, 3, SLS_TCP_ACK, 0);
        put(&f, SIP, SIP_LEN);
        f.b[14 + 20 + 12] = (uint8_t)(doff << 4);
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_TCP_BAD_HEADER);
    }
    /* data offset past the segment */
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_TCP, 20 + 8, 0, 0);
    tcp(&f, 1, 2, 3, SLS_TCP_ACK, 0);
    fill(&f, 0, 8);
    f.b[14 + 20 + 12] = 15u << 4;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_TCP_BAD_HEADER);
    /* IP declares fewer bytes than a TCP header */
    f.n = 0;
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_TCP, 12, 0, 0);
    tcp(&f, 1, 2, 3, SLS_TCP_ACK, 0);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_TCP_BAD_HEADER);
}
END_TEST

/* ---- tunnels and other carriers ------------------------------------------------ */

/* Outer addresses: a tunnel delivers the inner ones (V4_SRC/V4_DST,
 * V6_SRC/V6_DST, as the plain frames). */
static const uint8_t OUT_SRC[4] = {203, 0, 113, 1};
static const uint8_t OUT_DST[4] = {203, 0, 113, 2};
static const uint8_t OUT6_SRC[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                                     0,    0, 0, 0, 0, 0, 0, 0x11};
static const uint8_t OUT6_DST[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                                     0,    0, 0, 0, 0, 0, 0, 0x22};

#define V4_UDP_SIP_LEN (20u + 8u + SIP_LEN)
#define V6_UDP_SIP_LEN (40u + 8u + SIP_LEN)
#define ETH_V4_UDP_SIP_LEN (14u + V4_UDP_SIP_LEN)

#define IPP_IPIP 4u
#define IPP_IPV6 41u
#define IPP_GRE 47u
#define IPP_SCTP 132u

static void ipv4_ex(struct fb *f, unsigned proto, size_t l4len,
                    const uint8_t *src, const uint8_t *dst, unsigned id,
                    unsigned frag)
{
    put8(f, 0x45);
    put8(f, 0);
    put16(f, (unsigned)(20u + l4len));
    put16(f, id);
    put16(f, frag);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put(f, src, 4);
    put(f, dst, 4);
}

static void ipv6_ex(struct fb *f, unsigned nh, size_t plen,
                    const uint8_t *src, const uint8_t *dst)
{
    put32(f, 0x60000000u);
    put16(f, (unsigned)plen);
    put8(f, nh);
    put8(f, 64);
    put(f, src, 16);
    put(f, dst, 16);
}

static void inner_v4(struct fb *f)
{
    ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
    udp_sip(f);
}

static void inner_v6(struct fb *f)
{
    ipv6(f, IPP_UDP, 8 + SIP_LEN);
    udp_sip(f);
}

#define GRE_C 0x8000u
#define GRE_K 0x2000u
#define GRE_S 0x1000u

static size_t gre_len(unsigned flags)
{
    return 4u + ((flags & GRE_C) ? 4u : 0) + ((flags & GRE_K) ? 4u : 0) +
           ((flags & GRE_S) ? 4u : 0);
}

static void gre(struct fb *f, unsigned flags, unsigned proto)
{
    put16(f, flags);
    put16(f, proto);
    if (flags & GRE_C)
        put32(f, 0xBEEF0000u); /* checksum, reserved1: not verified */
    if (flags & GRE_K)
        put32(f, 0x02000000u);
    if (flags & GRE_S)
        put32(f, 77);
}

/* Ethernet, outer IPv4 with protocol proto and l4len bytes after it. */
static void outer4(struct fb *f, unsigned proto, size_t l4len)
{
    eth(f, ET_IPV4);
    ipv4_ex(f, proto, l4len, OUT_SRC, OUT_DST, 0x4242, 0);
}

START_TEST(test_ip_in_ip_delivers_the_inner_packet)
{
    struct fb f = {0};
    outer4(&f, IPP_IPIP, V4_UDP_SIP_LEN);
    inner_v4(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

START_TEST(test_ipv6_in_ipv4_6in4)
{
    struct fb f = {0};
    outer4(&f, IPP_IPV6, V6_UDP_SIP_LEN);
    inner_v6(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

START_TEST(test_ipv6_and_ipv4_in_ipv6)
{
    struct fb f = {0};
    eth(&f, ET_IPV6);
    ipv6_ex(&f, IPP_IPV6, V6_UDP_SIP_LEN, OUT6_SRC, OUT6_DST);
    inner_v6(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);

    /* IPv4 inside IPv6, behind a Destination Options header: the inner
     * addresses must not keep bytes of the outer ones */
    f.n = 0;
    eth(&f, ET_IPV6);
    ipv6_ex(&f, IPP_DST, ext6_len(0) + V4_UDP_SIP_LEN, OUT6_SRC, OUT6_DST);
    ext6(&f, IPP_IPIP, 0);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

/* RFC 2784 / 2890: every combination of checksum, key and sequence. */
static const unsigned gre_flag_sets[] = {0,     GRE_K,         GRE_S,
                                         GRE_C, GRE_K | GRE_S, GRE_C | GRE_K | GRE_S};

START_TEST(test_gre_with_key_sequence_and_checksum)
{
    unsigned flags = gre_flag_sets[_i];
    struct fb f = {0};
    outer4(&f, IPP_GRE, gre_len(flags) + V4_UDP_SIP_LEN);
    gre(&f, flags, ET_IPV4);
    inner_v4(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    f.n = 0;
    outer4(&f, IPP_GRE, gre_len(flags) + V6_UDP_SIP_LEN);
    gre(&f, flags, ET_IPV6);
    inner_v6(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

START_TEST(test_gre_transparent_ethernet_bridging)
{
    /* as in heplify_erspan_sip.pcapng: K set, protocol 0x6558, then a
     * whole Ethernet frame (with a VLAN tag here) */
    struct fb f = {0};
    outer4(&f, IPP_GRE, gre_len(GRE_K) + 18 + V4_UDP_SIP_LEN);
    gre(&f, GRE_K, 0x6558);
    eth(&f, ET_8021Q);
    vlan(&f, 12, ET_IPV4);
    inner_v4(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
}
END_TEST

static void erspan2_hdr(struct fb *f)
{
    put16(f, 0x1000u | 5u); /* version 1, VLAN 5 */
    put16(f, 0x0001u);      /* COS, En, T, session 1 */
    put32(f, 0x00000007u);  /* reserved, index */
}

/* ERSPAN III header; o: an 8-byte platform subheader follows; ft: frame
 * type. */
static void erspan3_hdr(struct fb *f, int o, unsigned ft)
{
    put16(f, 0x2000u | 5u); /* version 2, VLAN 5 */
    put16(f, 0x0001u);      /* COS, BSO, T, session 1 */
    put32(f, 0x11223344u);  /* timestamp */
    put16(f, 0);            /* SGT */
    put16(f, (ft << 10) | (o ? 1u : 0));
    if (o) {
        put32(f, 0xAAAAAAAAu);
        put32(f, 0xBBBBBBBBu);
    }
}

START_TEST(test_erspan_types_one_two_and_three)
{
    struct outcome o;
    /* type I: protocol 0x88BE without a sequence number, no header */
    struct fb f = {0};
    outer4(&f, IPP_GRE, 4 + ETH_V4_UDP_SIP_LEN);
    gre(&f, 0, 0x88BE);
    eth(&f, ET_IPV4);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    /* type II: sequence number, 8-byte header */
    f.n = 0;
    outer4(&f, IPP_GRE, 8 + 8 + ETH_V4_UDP_SIP_LEN);
    gre(&f, GRE_S, 0x88BE);
    erspan2_hdr(&f);
    eth(&f, ET_IPV4);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    /* type III with the platform subheader, Ethernet frame */
    f.n = 0;
    outer4(&f, IPP_GRE, 8 + 20 + ETH_V4_UDP_SIP_LEN);
    gre(&f, GRE_S, 0x22EB);
    erspan3_hdr(&f, 1, 0);
    eth(&f, ET_IPV4);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    /* type III without it, IP frame type */
    f.n = 0;
    outer4(&f, IPP_GRE, 8 + 12 + V6_UDP_SIP_LEN);
    gre(&f, GRE_S, 0x22EB);
    erspan3_hdr(&f, 0, 2);
    inner_v6(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);
}
END_TEST

START_TEST(test_gre_unsupported_and_bad)
{
    struct outcome o;
    struct fb f = {0};
    /* version 2 */
    outer4(&f, IPP_GRE, 4 + V4_UDP_SIP_LEN);
    gre(&f, 2, ET_IPV4);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_GRE_UNSUPPORTED);
    /* RFC 1701 routing present */
    f.n = 0;
    outer4(&f, IPP_GRE, 4 + V4_UDP_SIP_LEN);
    gre(&f, 0x4000, ET_IPV4);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_GRE_UNSUPPORTED);
    /* a protocol we do not decode (ARP) */
    f.n = 0;
    outer4(&f, IPP_GRE, 4 + 28);
    gre(&f, 0, 0x0806);
    fill(&f, 0, 28);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_GRE_UNSUPPORTED);
    /* ERSPAN II header with the wrong version */
    f.n = 0;
    outer4(&f, IPP_GRE, 8 + 8 + ETH_V4_UDP_SIP_LEN);
    gre(&f, GRE_S, 0x88BE);
    erspan2_hdr(&f);
    eth(&f, ET_IPV4);
    inner_v4(&f);
    f.b[14 + 20 + 8] = 0x30;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_GRE_BAD_HEADER);
    /* GRE header longer than the IP packet says: bad, not truncated */
    f.n = 0;
    outer4(&f, IPP_GRE, 6);
    gre(&f, GRE_K, ET_IPV4);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_GRE_BAD_HEADER);
    /* inner IPv4 total length past the GRE payload: bad, not truncated */
    f.n = 0;
    outer4(&f, IPP_GRE, 4 + V4_UDP_SIP_LEN - 10);
    gre(&f, 0, ET_IPV4);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_IPV4_BAD_HEADER);
}
END_TEST

START_TEST(test_gre_version_1_pptp_carries_ppp)
{
    /* RFC 2637 4.1: K (payload length, call id), S, version 1, PPP */
    struct fb f = {0};
    size_t ppp = 4 + V4_UDP_SIP_LEN;
    outer4(&f, IPP_GRE, 12 + ppp);
    put16(&f, GRE_K | GRE_S | 1u);
    put16(&f, 0x880B);
    put16(&f, (unsigned)ppp);
    put16(&f, 0x0042);
    put32(&f, 9);
    put8(&f, 0xFF);
    put8(&f, 0x03);
    put16(&f, 0x0021);
    inner_v4(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    /* an acknowledgment alone carries nothing */
    f.n = 0;
    outer4(&f, IPP_GRE, 12);
    put16(&f, GRE_K | 0x0080u | 1u);
    put16(&f, 0x880B);
    put16(&f, 0);
    put16(&f, 0x0042);
    put32(&f, 9);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

static void vxlan_hdr(struct fb *f, unsigned flags)
{
    put8(f, flags);
    fill(f, 0, 3);
    put32(f, 4242u << 8); /* VNI */
}

START_TEST(test_vxlan_carries_ethernet)
{
    struct fb f = {0};
    outer4(&f, IPP_UDP, 8 + 8 + ETH_V4_UDP_SIP_LEN);
    udp(&f, 51000, 4789, 8 + 8 + ETH_V4_UDP_SIP_LEN);
    vxlan_hdr(&f, 0x08);
    eth(&f, ET_IPV4);
    inner_v4(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    /* I flag clear: not VXLAN, an ordinary datagram to port 4789 */
    f.b[14 + 20 + 8] = 0x00;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.dport, 4789);
    ck_assert_mem_eq(o.pkt.src.bytes, OUT_SRC, 4);
    ck_assert_uint_eq(o.pkt.payload_len, 8 + ETH_V4_UDP_SIP_LEN);

    /* a SIP message from or to port 4789 is not VXLAN either, although
     * "O" = 0x4F has the I bit */
    for (int to = 0; to <= 1; to++) {
        f.n = 0;
        outer4(&f, IPP_UDP, 8 + SIP_LEN);
        udp(&f, to ? 5060 : 4789, to ? 4789 : 5060, 8 + SIP_LEN);
        put(&f, SIP, SIP_LEN);
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_delivered(&o);
        ck_assert_uint_eq(o.pkt.payload_len, SIP_LEN);
        ck_assert_mem_eq(o.payload, SIP, SIP_LEN);
    }
}
END_TEST

static void pppoe_hdr(struct fb *f, unsigned code, size_t len)
{
    put8(f, 0x11);
    put8(f, code);
    put16(f, 0x18e5); /* session id */
    put16(f, (unsigned)len);
}

START_TEST(test_pppoe_session_ipv4_ipv6_and_control)
{
    struct outcome o;
    struct fb f = {0};
    eth(&f, 0x8864);
    pppoe_hdr(&f, 0, 2 + V4_UDP_SIP_LEN);
    put16(&f, 0x0021);
    inner_v4(&f);
    fill(&f, 0xEE, 6); /* padding after the PPP frame */
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    f.n = 0;
    eth(&f, 0x8864);
    pppoe_hdr(&f, 0, 2 + V6_UDP_SIP_LEN);
    put16(&f, 0x0057);
    inner_v6(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);

    /* LCP is PPP but not IP */
    f.n = 0;
    eth(&f, 0x8864);
    pppoe_hdr(&f, 0, 2 + 10);
    put16(&f, 0xC021);
    fill(&f, 1, 10);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);

    /* discovery (PADI) on the discovery EtherType and on the session one */
    f.n = 0;
    eth(&f, 0x8863);
    pppoe_hdr(&f, 0x09, 4);
    put32(&f, 0x01010000u);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
    f.b[12] = 0x88;
    f.b[13] = 0x64;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);

    /* version/type other than 1/1 */
    f.n = 0;
    eth(&f, 0x8864);
    pppoe_hdr(&f, 0, 2 + V4_UDP_SIP_LEN);
    put16(&f, 0x0021);
    inner_v4(&f);
    f.b[14] = 0x12;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_PPP_BAD_HEADER);
}
END_TEST

START_TEST(test_ppp_link_types)
{
    struct outcome o;
    /* DLT_PPP with address and control, and without them (ACFC) with a
     * one-octet protocol (PFC) */
    struct fb f = {0};
    put8(&f, 0xFF);
    put8(&f, 0x03);
    put16(&f, 0x0021);
    inner_v4(&f);
    decode(DLT_PPP, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
    decode(DLT_PPP_SERIAL, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    f.n = 0;
    put8(&f, 0x57);
    inner_v6(&f);
    decode(DLT_PPP, f.b, f.n, &o);
    assert_v6_udp_sip(&o);

    /* Cisco HDLC, alone and on a PPP serial link */
    f.n = 0;
    put8(&f, 0x0F);
    put8(&f, 0x00);
    put16(&f, ET_IPV4);
    inner_v4(&f);
    decode(DLT_C_HDLC, f.b, f.n, &o);
    assert_v4_udp_sip(&o);
    decode(DLT_PPP_SERIAL, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    /* PPPoE without the Ethernet header */
    f.n = 0;
    pppoe_hdr(&f, 0, 2 + V4_UDP_SIP_LEN);
    put16(&f, 0x0021);
    inner_v4(&f);
    decode(DLT_PPP_ETHER, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    /* an address octet without its control octet */
    f.n = 0;
    put8(&f, 0xFF);
    put8(&f, 0x00);
    put16(&f, 0x0021);
    inner_v4(&f);
    decode(DLT_PPP, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_PPP_BAD_HEADER);
}
END_TEST

static void mpls_label(struct fb *f, uint32_t label, int bottom)
{
    put32(f, label << 12 | (bottom ? 0x100u : 0) | 64u);
}

START_TEST(test_mpls_label_stack)
{
    struct outcome o;
    struct fb f = {0};
    eth(&f, 0x8847);
    mpls_label(&f, 100, 0);
    mpls_label(&f, 200, 1);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v4_udp_sip(&o);

    f.n = 0;
    eth(&f, 0x8848);
    mpls_label(&f, 2, 1); /* IPv6 explicit null */
    inner_v6(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_v6_udp_sip(&o);

    /* 8 labels are fine, 9 are too many */
    for (unsigned n = 8; n <= 9; n++) {
        f.n = 0;
        eth(&f, 0x8847);
        for (unsigned k = 1; k <= n; k++)
            mpls_label(&f, k, k == n);
        inner_v4(&f);
        decode(DLT_EN10MB, f.b, f.n, &o);
        if (n == 8)
            assert_v4_udp_sip(&o);
        else
            assert_counted(&o, SLS_CTR_MPLS_TOO_DEEP);
    }

    /* a pseudowire control word (first nibble 0) is not IP */
    f.n = 0;
    eth(&f, 0x8847);
    mpls_label(&f, 100, 1);
    put32(&f, 0);
    eth(&f, ET_IPV4);
    inner_v4(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_NOT_IP);
}
END_TEST

/* GTP-U G-PDU header; ext: with sequence number and one extension header
 * (PDU session container) */
static size_t gtpu_len(int ext)
{
    return ext ? 8u + 4u + 4u : 8u;
}

static void gtpu_hdr(struct fb *f, int ext, size_t inner)
{
    put8(f, ext ? 0x36u : 0x30u); /* version 1, PT, (E, S) */
    put8(f, 255);
    put16(f, (unsigned)(gtpu_len(ext) - 8u + inner));
    put32(f, 0x00C0FFEEu);
    if (ext) {
        put16(f, 1234); /* sequence number */
        put8(f, 0);     /* N-PDU number */
        put8(f, 0x85);  /* next: PDU session container */
        put8(f, 1);     /* 4 octets */
        put8(f, 0x10);
        put8(f, 0x09);  /* QFI */
        put8(f, 0);     /* no next extension header */
    }
}

START_TEST(test_gtpu_gpdu_carries_ip)
{
    struct outcome o;
    for (int ext = 0; ext <= 1; ext++) {
        struct fb f = {0};
        size_t gl = gtpu_len(ext);
        outer4(&f, IPP_UDP, 8 + gl + V4_UDP_SIP_LEN);
        udp(&f, 2152, 2152, 8 + gl + V4_UDP_SIP_LEN);
        gtpu_hdr(&f, ext, V4_UDP_SIP_LEN);
        inner_v4(&f);
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_v4_udp_sip(&o);
    }
    /* an echo request (type 1) is left as UDP */
    struct fb f = {0};
    outer4(&f, IPP_UDP, 8 + 12);
    udp(&f, 2152, 2152, 8 + 12);
    put8(&f, 0x32);
    put8(&f, 1);
    put16(&f, 4);
    put32(&f, 0);
    put32(&f, 0);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.dport, 2152);
    /* an extension header of length 0 */
    f.n = 0;
    outer4(&f, IPP_UDP, 8 + gtpu_len(1) + V4_UDP_SIP_LEN);
    udp(&f, 2152, 2152, 8 + gtpu_len(1) + V4_UDP_SIP_LEN);
    gtpu_hdr(&f, 1, V4_UDP_SIP_LEN);
    inner_v4(&f);
    f.b[14 + 20 + 8 + 12] = 0;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_GTP_BAD_HEADER);
}
END_TEST

/* ---- SCTP ---------------------------------------------------------------------- */

static const char SIP2[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
#define SIP2_LEN (sizeof(SIP2) - 1)

static size_t pad4(size_t n)
{
    return (n + 3u) & ~(size_t)3u;
}

static void sctp_common(struct fb *f)
{
    put16(f, 5060);
    put16(f, 5061);
    put32(f, 0x01020304u); /* verification tag */
    put32(f, 0);           /* CRC32c: not verified */
}

static void sctp_data_tsn(struct fb *f, unsigned flags, uint32_t tsn, const void *p, size_t n)
{
    put8(f, 0);
    put8(f, flags);
    put16(f, (unsigned)(16u + n));
    put32(f, tsn);
    put16(f, 0);    /* stream */
    put16(f, 7);    /* stream sequence */
    put32(f, 0);    /* PPID */
    put(f, p, n);
    fill(f, 0, pad4(n) - n);
}

static void sctp_data(struct fb *f, unsigned flags, const void *p, size_t n)
{
    sctp_data_tsn(f, flags, 1000, p, n);
}

static void sctp_idata(struct fb *f, unsigned flags, const void *p, size_t n)
{
    put8(f, 64);
    put8(f, flags);
    put16(f, (unsigned)(20u + n));
    put32(f, 1001);
    put16(f, 0);
    put16(f, 0);
    put32(f, 9); /* message id */
    put32(f, 0); /* PPID */
    put(f, p, n);
    fill(f, 0, pad4(n) - n);
}

static void sctp_sack(struct fb *f)
{
    put8(f, 3);
    put8(f, 0);
    put16(f, 16);
    put32(f, 999);
    put32(f, 65535);
    put16(f, 0);
    put16(f, 0);
}

#define SCTP_DATA_LEN(n) (16u + pad4(n))
#define SCTP_IDATA_LEN(n) (20u + pad4(n))

/* Ethernet, IPv4, SCTP: SACK, DATA (SIP), I-DATA (SIP2). */
static void sctp_frame(struct fb *f)
{
    eth(f, ET_IPV4);
    ipv4(f, IPP_SCTP,
         12 + 16 + SCTP_DATA_LEN(SIP_LEN) + SCTP_IDATA_LEN(SIP2_LEN), 0, 0);
    sctp_common(f);
    sctp_sack(f);
    sctp_data(f, 0x03, SIP, SIP_LEN);
    sctp_idata(f, 0x07, SIP2, SIP2_LEN); /* U, B, E */
}

START_TEST(test_sctp_delivers_each_data_chunk)
{
    struct fb f = {0};
    sctp_frame(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    ck_assert_int_eq(o.calls, 2);
    ck_assert_uint_eq(counters_total(&o.ctr), 0);
    for (int i = 0; i < 2; i++) {
        const sls_packet *p = &o.all[i];
        ck_assert_uint_eq(p->transport, SLS_TRANSPORT_SCTP);
        ck_assert_uint_eq(p->sport, 5060);
        ck_assert_uint_eq(p->dport, 5061);
        ck_assert_mem_eq(p->src.bytes, V4_SRC, 4);
        ck_assert_mem_eq(p->dst.bytes, V4_DST, 4);
        ck_assert(p->ts_ns == TEST_TS);
    }
    ck_assert_uint_eq(o.all[0].payload_len, SIP_LEN);
    ck_assert_mem_eq(o.all_payload[0], SIP, SIP_LEN);
    ck_assert_uint_eq(o.all[1].payload_len, SIP2_LEN);
    ck_assert_mem_eq(o.all_payload[1], SIP2, SIP2_LEN);
}
END_TEST

START_TEST(test_sctp_fragments_control_and_bad_chunks_are_counted)
{
    struct outcome o;
    /* RFC 9260 6.9: a user message in two DATA chunks, first (B) and
     * last (E) with consecutive TSNs, is delivered once, reassembled. */
    struct fb f = {0};
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_SCTP, 12 + SCTP_DATA_LEN(SIP_LEN) * 2, 0, 0);
    sctp_common(&f);
    sctp_data_tsn(&f, 0x02, 1000, SIP, SIP_LEN);
    sctp_data_tsn(&f, 0x01, 1001, SIP, SIP_LEN);
    decode(DLT_EN10MB, f.b, f.n, &o);
    ck_assert_int_eq(o.calls, 1);
    ck_assert_uint_eq(o.all[0].payload_len, 2 * SIP_LEN);
    ck_assert_mem_eq(o.all_payload[0], SIP, SIP_LEN);
    ck_assert_uint_eq(o.ctr.v[SLS_CTR_SCTP_FRAGMENT_HELD], 1);

    /* a last fragment whose first was never seen, and a gap in the TSNs */
    f.n = 0;
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_SCTP, 12 + SCTP_DATA_LEN(SIP_LEN) * 3, 0, 0);
    sctp_common(&f);
    sctp_data_tsn(&f, 0x01, 2000, SIP, SIP_LEN);
    sctp_data_tsn(&f, 0x02, 3000, SIP, SIP_LEN);
    sctp_data_tsn(&f, 0x01, 3002, SIP, SIP_LEN);
    decode(DLT_EN10MB, f.b, f.n, &o);
    ck_assert_int_eq(o.calls, 0);
    ck_assert_uint_eq(o.ctr.v[SLS_CTR_SCTP_FRAGMENT], 2);

    /* control chunks only */
    f.n = 0;
    eth(&f, ET_IPV6);
    ipv6(&f, IPP_SCTP, 12 + 16);
    sctp_common(&f);
    sctp_sack(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_SCTP_NO_DATA);

    /* a DATA chunk without user data, then a good one */
    f.n = 0;
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_SCTP, 12 + 16 + SCTP_DATA_LEN(SIP_LEN), 0, 0);
    sctp_common(&f);
    sctp_data(&f, 0x03, "", 0);
    sctp_data(&f, 0x03, SIP, SIP_LEN);
    decode(DLT_EN10MB, f.b, f.n, &o);
    ck_assert_int_eq(o.calls, 1);
    ck_assert_uint_eq(o.ctr.v[SLS_CTR_SCTP_BAD_CHUNK], 1);
    ck_assert_uint_eq(counters_total(&o.ctr), 1);

    /* chunk lengths below 4 and past the packet */
    static const unsigned clens[] = {0, 3, 16 + SIP_LEN + 100};
    for (size_t i = 0; i < 3; i++) {
        f.n = 0;
        eth(&f, ET_IPV4);
        ipv4(&f, IPP_SCTP, 12 + SCTP_DATA_LEN(SIP_LEN), 0, 0);
        sctp_common(&f);
        sctp_data(&f, 0x03, SIP, SIP_LEN);
        f.b[14 + 20 + 12 + 2] = (uint8_t)(clens[i] >> 8);
        f.b[14 + 20 + 12 + 3] = (uint8_t)clens[i];
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_SCTP_BAD_CHUNK);
    }
    /* no room for a chunk after the common header */
    f.n = 0;
    eth(&f, ET_IPV4);
    ipv4(&f, IPP_SCTP, 12, 0, 0);
    sctp_common(&f);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_SCTP_BAD_CHUNK);
}
END_TEST

START_TEST(test_sctp_cut_at_every_length)
{
    struct fb f = {0};
    sctp_frame(&f);
    size_t ip_end = 14 + 20, common_end = ip_end + 12;
    /* a chunk's padding is not needed to deliver it */
    size_t data_end = common_end + 16 + 16 + SIP_LEN;
    size_t idata_end = f.n - (pad4(SIP2_LEN) - SIP2_LEN);
    for (size_t caplen = 0; caplen <= f.n; caplen++) {
        struct outcome o;
        decode(DLT_EN10MB, f.b, caplen, &o);
        int calls = caplen >= idata_end ? 2 : caplen >= data_end ? 1 : 0;
        ck_assert_msg(o.calls == calls, "caplen %zu: %d calls", caplen,
                      o.calls);
        uint64_t want = caplen >= idata_end ? 0 : 1;
        ck_assert_msg(counters_total(&o.ctr) == want, "caplen %zu", caplen);
        if (caplen < 14)
            ck_assert_uint_eq(o.ctr.v[SLS_CTR_LINK_TRUNCATED], 1);
        else if (caplen < ip_end)
            ck_assert_uint_eq(o.ctr.v[SLS_CTR_IPV4_TRUNCATED], 1);
        else if (caplen < idata_end)
            ck_assert_uint_eq(o.ctr.v[SLS_CTR_SCTP_TRUNCATED], 1);
    }
}
END_TEST

/* ---- HEP --------------------------------------------------------------------------- */

static const uint8_t HEP_SRC[4] = {192, 168, 1, 1};
static const uint8_t HEP_DST[4] = {192, 168, 1, 2};
#define HEP_SEC 1481455196u
#define HEP_USEC 100u
#define HEP_TS ((int64_t)HEP_SEC * 1000000000 + (int64_t)HEP_USEC * 1000)

static void hep_chunk(struct fb *f, unsigned type, const void *v, size_t n)
{
    put16(f, 0);
    put16(f, type);
    put16(f, (unsigned)(6u + n));
    put(f, v, n);
}

static void hep_u8(struct fb *f, unsigned type, unsigned v)
{
    uint8_t b = (uint8_t)v;
    hep_chunk(f, type, &b, 1);
}

static void hep_u16(struct fb *f, unsigned type, unsigned v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    hep_chunk(f, type, b, 2);
}

static void hep_u32(struct fb *f, unsigned type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                    (uint8_t)v};
    hep_chunk(f, type, b, 4);
}

/* What a HEP3 packet holds; the test changes one thing at a time. */
struct hep3 {
    unsigned family, proto, ptype;
    int with_ts, with_ptype;
    uint32_t usec;
    unsigned payload_type; /* 15 plain, 16 compressed */
    const uint8_t *payload;
    size_t payload_len;
};

static void hep3_default(struct hep3 *h)
{
    memset(h, 0, sizeof(*h));
    h->family = 2;
    h->proto = 17;
    h->ptype = 1;
    h->with_ts = 1;
    h->with_ptype = 1;
    h->usec = HEP_USEC;
    h->payload_type = 15;
    h->payload = (const uint8_t *)SIP;
    h->payload_len = SIP_LEN;
}

static void hep3_build(struct fb *f, const struct hep3 *h)
{
    size_t start = f->n;
    put(f, "HEP3", 4);
    put16(f, 0); /* total length, set below */
    hep_u8(f, 1, h->family);
    hep_u8(f, 2, h->proto);
    if (h->family == 2) {
        hep_chunk(f, 3, HEP_SRC, 4);
        hep_chunk(f, 4, HEP_DST, 4);
    } else {
        hep_chunk(f, 5, V6_SRC, 16);
        hep_chunk(f, 6, V6_DST, 16);
    }
    hep_u16(f, 7, 5060);
    hep_u16(f, 8, 5080);
    if (h->with_ts) {
        hep_u32(f, 9, HEP_SEC);
        hep_u32(f, 10, h->usec);
    }
    if (h->with_ptype)
        hep_u8(f, 11, h->ptype);
    hep_u32(f, 12, 2001); /* capture id */
    hep_chunk(f, 14, "myHep", 5);
    put16(f, 0x0042); /* a vendor chunk: skipped */
    put16(f, 1);
    put16(f, 8);
    put16(f, 0xFFFF);
    hep_chunk(f, h->payload_type, h->payload, h->payload_len);
    size_t total = f->n - start;
    f->b[start + 4] = (uint8_t)(total >> 8);
    f->b[start + 5] = (uint8_t)total;
}

/* Ethernet, IPv4, UDP to port dport, and the HEP datagram in h. */
static void hep_frame(struct fb *f, unsigned dport, const struct fb *h)
{
    outer4(f, IPP_UDP, 8 + h->n);
    udp(f, 40000, dport, 8 + h->n);
    put(f, h->b, h->n);
}

static void assert_hep_sip(const struct outcome *o, unsigned transport,
                           int64_t ts)
{
    assert_delivered(o);
    ck_assert_uint_eq(o->pkt.transport, transport);
    ck_assert_uint_eq(o->pkt.src.family, 4);
    ck_assert_mem_eq(o->pkt.src.bytes, HEP_SRC, 4);
    ck_assert_mem_eq(o->pkt.dst.bytes, HEP_DST, 4);
    static const uint8_t zero[12];
    ck_assert_mem_eq(o->pkt.src.bytes + 4, zero, 12);
    ck_assert_uint_eq(o->pkt.sport, 5060);
    ck_assert_uint_eq(o->pkt.dport, 5080);
    ck_assert_uint_eq(o->pkt.tcp_seq, 0);
    ck_assert_uint_eq(o->pkt.payload_len, SIP_LEN);
    ck_assert_mem_eq(o->payload, SIP, SIP_LEN);
    ck_assert(o->pkt.ts_ns == ts);
    ck_assert_uint_eq(o->pkt.frame_no, TEST_FRAME_NO);
}

START_TEST(test_hep3_delivers_the_inner_message)
{
    struct hep3 h;
    hep3_default(&h);
    struct fb hb = {0}, f = {0};
    hep3_build(&hb, &h);
    hep_frame(&f, 9060, &hb);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_hep_sip(&o, SLS_TRANSPORT_UDP, HEP_TS);

    /* by content on any port */
    f.n = 0;
    hep_frame(&f, 5060, &hb);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_hep_sip(&o, SLS_TRANSPORT_UDP, HEP_TS);

    /* TCP, and without a timestamp: the capture time */
    h.proto = 6;
    h.with_ts = 0;
    hb.n = f.n = 0;
    hep3_build(&hb, &h);
    hep_frame(&f, 9060, &hb);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_hep_sip(&o, SLS_TRANSPORT_TCP, TEST_TS);

    /* IPv6 endpoints */
    hep3_default(&h);
    h.family = 10;
    hb.n = f.n = 0;
    hep3_build(&hb, &h);
    hep_frame(&f, 9060, &hb);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.src.family, 6);
    ck_assert_mem_eq(o.pkt.src.bytes, V6_SRC, 16);
    ck_assert_mem_eq(o.pkt.dst.bytes, V6_DST, 16);
}
END_TEST

START_TEST(test_hep3_compressed_payload_is_inflated)
{
    uint8_t z[512];
    uLongf zlen = sizeof(z);
    ck_assert_int_eq(compress(z, &zlen, (const Bytef *)SIP, SIP_LEN), Z_OK);
    struct hep3 h;
    hep3_default(&h);
    h.payload_type = 16;
    h.payload = z;
    h.payload_len = zlen;
    struct fb hb = {0}, f = {0};
    hep3_build(&hb, &h);
    hep_frame(&f, 9060, &hb);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_hep_sip(&o, SLS_TRANSPORT_UDP, HEP_TS);

    /* a corrupt stream */
    z[zlen / 2] ^= 0x55;
    z[zlen - 1] ^= 0x55;
    hb.n = f.n = 0;
    hep3_build(&hb, &h);
    hep_frame(&f, 9060, &hb);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_counted(&o, SLS_CTR_HEP_ZLIB_ERROR);
}
END_TEST

START_TEST(test_hep3_inflated_size_is_capped_at_64_kib)
{
    static uint8_t big[65537];
    static uint8_t z[1024];
    for (size_t n = 65536; n <= 65537; n++) {
        memset(big, 'A', n);
        memcpy(big, SIP, SIP_LEN);
        uLongf zlen = sizeof(z);
        ck_assert_int_eq(compress(z, &zlen, big, n), Z_OK);
        struct hep3 h;
        hep3_default(&h);
        h.payload_type = 16;
        h.payload = z;
        h.payload_len = zlen;
        struct fb hb = {0}, f = {0};
        hep3_build(&hb, &h);
        hep_frame(&f, 9060, &hb);
        struct outcome o;
        decode(DLT_EN10MB, f.b, f.n, &o);
        if (n == 65536) {
            assert_delivered(&o);
            ck_assert_uint_eq(o.pkt.payload_len, 65536);
        } else {
            assert_counted(&o, SLS_CTR_HEP_ZLIB_ERROR);
        }
    }
}
END_TEST

START_TEST(test_hep3_other_protocols_and_bad_packets_are_counted)
{
    struct hep3 h;
    struct fb hb, f;
    struct outcome o;
    static const struct {
        const char *what;
        unsigned family, proto, ptype;
        int with_ptype;
        uint32_t usec;
        enum sls_counter ctr;
    } cases[] = {
        {"RTCP report", 2, 17, 5, 1, 0, SLS_CTR_HEP_NOT_SIP},
        {"log", 2, 17, 100, 1, 0, SLS_CTR_HEP_NOT_SIP},
        {"no protocol type", 2, 17, 1, 0, 0, SLS_CTR_HEP_BAD},
        {"unknown family", 7, 17, 1, 1, 0, SLS_CTR_HEP_BAD},
        {"unknown transport", 2, 1, 1, 1, 0, SLS_CTR_HEP_BAD},
        {"microseconds >= 1e6", 2, 17, 1, 1, 1000000, SLS_CTR_HEP_BAD},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hep3_default(&h);
        h.family = cases[i].family;
        h.proto = cases[i].proto;
        h.ptype = cases[i].ptype;
        h.with_ptype = cases[i].with_ptype;
        if (cases[i].usec)
            h.usec = cases[i].usec;
        memset(&hb, 0, sizeof(hb));
        memset(&f, 0, sizeof(f));
        hep3_build(&hb, &h);
        hep_frame(&f, 9060, &hb);
        decode(DLT_EN10MB, f.b, f.n, &o);
        ck_assert_msg(o.calls == 0 && counters_total(&o.ctr) == 1 &&
                          o.ctr.v[cases[i].ctr] == 1,
                      "%s", cases[i].what);
    }

    /* structural damage: total length, a chunk length, a port chunk of
     * the wrong size, two payloads */
    hep3_default(&h);
    memset(&hb, 0, sizeof(hb));
    hep3_build(&hb, &h);
    for (int k = 0; k < 5; k++) {
        struct fb bad = hb;
        switch (k) {
        case 0: /* total length one short */
            bad.b[5]--;
            break;
        case 1: /* total length one long */
            put8(&bad, 0);
            break;
        case 2: /* first chunk length 5 */
            bad.b[6 + 5] = 5;
            break;
        case 3: /* first chunk runs past the end */
            bad.b[6 + 4] = 0xFF;
            break;
        case 4: /* a second payload */
            hep_chunk(&bad, 15, "x", 1);
            bad.b[4] = (uint8_t)(bad.n >> 8);
            bad.b[5] = (uint8_t)bad.n;
            break;
        }
        memset(&f, 0, sizeof(f));
        hep_frame(&f, 9060, &bad);
        decode(DLT_EN10MB, f.b, f.n, &o);
        ck_assert_msg(o.calls == 0 && o.ctr.v[SLS_CTR_HEP_BAD] == 1 &&
                          counters_total(&o.ctr) == 1,
                      "damage %d", k);
    }
}
END_TEST

/* HEP v1/v2 (Kamailio sipcapture hep.h): 8-byte header, addresses, and for
 * v2 a 12-byte time header in little-endian. */
static void hep12_build(struct fb *f, unsigned version, int v6)
{
    put8(f, version);
    put8(f, v6 ? 40 : 16);
    put8(f, v6 ? 10 : 2);
    put8(f, 17);
    put16(f, 5060);
    put16(f, 5080);
    if (v6) {
        put(f, V6_SRC, 16);
        put(f, V6_DST, 16);
    } else {
        put(f, HEP_SRC, 4);
        put(f, HEP_DST, 4);
    }
    if (version == 2) {
        put32le(f, HEP_SEC);
        put32le(f, HEP_USEC);
        put8(f, 0xD1); /* capture id, host order */
        put8(f, 0x07);
        put16(f, 0); /* struct padding */
    }
    put(f, SIP, SIP_LEN);
}

START_TEST(test_hep_v1_and_v2)
{
    struct fb hb = {0}, f = {0};
    struct outcome o;
    hep12_build(&hb, 2, 0);
    hep_frame(&f, 9060, &hb);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_hep_sip(&o, SLS_TRANSPORT_UDP, HEP_TS);

    hb.n = f.n = 0;
    hep12_build(&hb, 1, 0);
    hep_frame(&f, 9060, &hb);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_hep_sip(&o, SLS_TRANSPORT_UDP, TEST_TS);

    hb.n = f.n = 0;
    hep12_build(&hb, 2, 1);
    hep_frame(&f, 9060, &hb);
    decode(DLT_EN10MB, f.b, f.n, &o);
    assert_delivered(&o);
    ck_assert_uint_eq(o.pkt.src.family, 6);
    ck_assert_mem_eq(o.pkt.dst.bytes, V6_DST, 16);
    ck_assert(o.pkt.ts_ns == HEP_TS);

    /* strictness: a header length that does not match the family, an
     * unknown transport, a v2 time that is no time, no payload: all left
     * as the plain UDP datagrams they may well be */
    for (int k = 0; k < 4; k++) {
        hb.n = f.n = 0;
        hep12_build(&hb, 2, 0);
        if (k == 0)
            hb.b[1] = 40;
        else if (k == 1)
            hb.b[3] = 1;
        else if (k == 2)
            hb.b[16 + 4 + 2] = 0x10; /* usec >= 1 000 000 */
        else
            hb.n = 16 + 12;
        hep_frame(&f, 9060, &hb);
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_delivered(&o);
        ck_assert_uint_eq(o.pkt.dport, 9060);
        ck_assert_uint_eq(o.pkt.payload_len, hb.n);
    }
}
END_TEST

/* ---- depth, reassembly through the decoder ---------------------------------------- */

/* n IP-in-IP headers around a UDP datagram: 4 tunnels are decoded, the
 * 5th is one too many. */
START_TEST(test_tunnel_depth_is_capped)
{
    unsigned n = (unsigned)_i;
    struct fb f = {0};
    eth(&f, ET_IPV4);
    for (unsigned k = 0; k < n; k++)
        ipv4_ex(&f, IPP_IPIP, (n - k) * 20u + 8u + SIP_LEN, OUT_SRC, OUT_DST,
                k, 0);
    inner_v4(&f);
    struct outcome o;
    decode(DLT_EN10MB, f.b, f.n, &o);
    if (n <= 4)
        assert_v4_udp_sip(&o);
    else
        assert_counted(&o, SLS_CTR_ENCAP_TOO_DEEP);
}
END_TEST

/* A decoder kept across frames. */
struct session {
    sls_decoder *d;
    struct outcome o;
};

static void session_open(struct session *s)
{
    memset(s, 0, sizeof(*s));
    s->d = sls_decoder_new(&s->o.ctr, record_sink, &s->o);
    ck_assert_ptr_nonnull(s->d);
}

static int session_frame(struct session *s, int64_t ts, const struct fb *f)
{
    int before = s->o.calls;
    int rc = sls_decode_frame(s->d, DLT_EN10MB, ts, TEST_FRAME_NO,
                              guard_copy(f->b, f->n), f->n);
    ck_assert_int_eq(rc, s->o.calls - before);
    return rc;
}

/* The UDP datagram of udp_sip() (47 bytes) as two fragments: 24 bytes at
 * 0 with MF, 23 at 24. */
static void udp_sip_bytes(struct fb *u)
{
    u->n = 0;
    udp_sip(u);
}

START_TEST(test_ipv4_fragments_reassemble_through_the_decoder)
{
    struct fb u;
    udp_sip_bytes(&u);
    struct fb last = {0}, first = {0};
    eth(&last, ET_IPV4);
    ipv4_ex(&last, IPP_UDP, u.n - 24, V4_SRC, V4_DST, 0x77, 3);
    put(&last, u.b + 24, u.n - 24);
    eth(&first, ET_IPV4);
    ipv4_ex(&first, IPP_UDP, 24, V4_SRC, V4_DST, 0x77, 0x2000);
    put(&first, u.b, 24);

    struct session s;
    session_open(&s);
    ck_assert_int_eq(session_frame(&s, TEST_TS, &last), 0);
    ck_assert_uint_eq(s.o.ctr.v[SLS_CTR_IPV4_FRAGMENT], 1);
    ck_assert_int_eq(session_frame(&s, TEST_TS + 5, &first), 1);
    ck_assert_uint_eq(counters_total(&s.o.ctr), 1);
    /* delivered with the time of the fragment that completed it */
    ck_assert(s.o.pkt.ts_ns == TEST_TS + 5);
    s.o.ctr.v[SLS_CTR_IPV4_FRAGMENT] = 0;
    s.o.pkt.ts_ns = TEST_TS;
    assert_v4_udp_sip(&s.o);

    /* again, but the datagram never completes: counted at the end */
    ck_assert_int_eq(session_frame(&s, TEST_TS + 10, &first), 0);
    sls_decoder_finish(s.d);
    ck_assert_uint_eq(s.o.ctr.v[SLS_CTR_FRAG_INCOMPLETE], 1);
    sls_decoder_free(s.d);
}
END_TEST

START_TEST(test_fragments_time_out_by_capture_time_in_the_decoder)
{
    struct fb u;
    udp_sip_bytes(&u);
    struct fb first = {0}, other = {0};
    eth(&first, ET_IPV4);
    ipv4_ex(&first, IPP_UDP, 24, V4_SRC, V4_DST, 0x78, 0x2000);
    put(&first, u.b, 24);
    eth(&other, ET_IPV4);
    ipv4(&other, IPP_ICMP, 8, 0, 0);
    fill(&other, 0, 8);
    struct session s;
    session_open(&s);
    session_frame(&s, TEST_TS, &first);
    session_frame(&s, TEST_TS + INT64_C(30000000000), &other);
    ck_assert_uint_eq(s.o.ctr.v[SLS_CTR_FRAG_TIMEOUT], 0);
    session_frame(&s, TEST_TS + INT64_C(30000000001), &other);
    ck_assert_uint_eq(s.o.ctr.v[SLS_CTR_FRAG_TIMEOUT], 1);
    sls_decoder_free(s.d);
}
END_TEST

START_TEST(test_ipv6_fragments_reassemble_through_the_decoder)
{
    struct fb u;
    udp_sip_bytes(&u);
    struct fb a = {0}, b = {0};
    /* a Destination Options header before the Fragment header stays in
     * the unfragmentable part; one after it is reassembled with the
     * datagram and walked afterwards */
    eth(&a, ET_IPV6);
    ipv6(&a, IPP_DST, ext6_len(0) + 8 + 16);
    ext6(&a, IPP_FRAG, 0);
    frag6(&a, IPP_DST, 0, 1);
    ext6(&a, IPP_UDP, 0);
    put(&a, u.b, 8);
    eth(&b, ET_IPV6);
    ipv6(&b, IPP_FRAG, 8 + u.n - 8);
    frag6(&b, IPP_DST, 2, 0); /* offset 16 */
    put(&b, u.b + 8, u.n - 8);

    struct session s;
    session_open(&s);
    ck_assert_int_eq(session_frame(&s, TEST_TS, &a), 0);
    ck_assert_uint_eq(s.o.ctr.v[SLS_CTR_IPV6_FRAGMENT], 1);
    ck_assert_int_eq(session_frame(&s, TEST_TS, &b), 1);
    s.o.ctr.v[SLS_CTR_IPV6_FRAGMENT] = 0;
    assert_v6_udp_sip(&s.o);
    sls_decoder_free(s.d);
}
END_TEST

START_TEST(test_fragments_inside_a_gre_tunnel)
{
    struct fb u;
    udp_sip_bytes(&u);
    struct fb a = {0}, b = {0};
    outer4(&a, IPP_GRE, 4 + 20 + 24);
    gre(&a, 0, ET_IPV4);
    ipv4_ex(&a, IPP_UDP, 24, V4_SRC, V4_DST, 0x99, 0x2000);
    put(&a, u.b, 24);
    outer4(&b, IPP_GRE, 4 + 20 + u.n - 24);
    gre(&b, 0, ET_IPV4);
    ipv4_ex(&b, IPP_UDP, u.n - 24, V4_SRC, V4_DST, 0x99, 3);
    put(&b, u.b + 24, u.n - 24);

    struct session s;
    session_open(&s);
    ck_assert_int_eq(session_frame(&s, TEST_TS, &a), 0);
    ck_assert_int_eq(session_frame(&s, TEST_TS, &b), 1);
    s.o.ctr.v[SLS_CTR_IPV4_FRAGMENT] = 0;
    assert_v4_udp_sip(&s.o);
    sls_decoder_free(s.d);
}
END_TEST

START_TEST(test_every_carrier_cut_at_every_length_has_an_outcome)
{
    /* frames whose truncation is not covered region by region below:
     * SCTP (one outcome per chunk) and compressed HEP */
    uint8_t z[512];
    uLongf zlen = sizeof(z);
    ck_assert_int_eq(compress(z, &zlen, (const Bytef *)SIP, SIP_LEN), Z_OK);
    struct hep3 h;
    hep3_default(&h);
    h.payload_type = 16;
    h.payload = z;
    h.payload_len = zlen;
    struct fb hb = {0}, frames[2];
    memset(frames, 0, sizeof(frames));
    hep3_build(&hb, &h);
    hep_frame(&frames[0], 9060, &hb);
    sctp_frame(&frames[1]);
    for (int k = 0; k < 2; k++) {
        for (size_t caplen = 0; caplen <= frames[k].n; caplen++) {
            struct outcome o;
            decode(DLT_EN10MB, frames[k].b, caplen, &o);
            uint64_t n = (uint64_t)o.calls + counters_total(&o.ctr);
            ck_assert_msg(n >= 1 && n <= 2, "frame %d caplen %zu", k, caplen);
        }
    }
}
END_TEST

/* ---- every caplen ------------------------------------------------------------ */

/* A frame and what a capture cut at each length must count: for caplen <
 * region[k].upto (first match) the counter region[k].ctr; past the last
 * region the full frame's outcome (full_ctr, or delivered when -1). */
struct cut_case {
    const char *name;
    int dlt;
    struct fb f;
    struct {
        size_t upto;
        enum sls_counter ctr;
    } region[10];
    size_t nregion;
    int full_ctr;
};

static void region_at(struct cut_case *c, size_t upto, enum sls_counter ctr)
{
    ck_assert_uint_lt(c->nregion, sizeof(c->region) / sizeof(c->region[0]));
    c->region[c->nregion].upto = upto;
    c->region[c->nregion].ctr = ctr;
    c->nregion++;
}

static void region(struct cut_case *c, enum sls_counter ctr)
{
    region_at(c, c->f.n, ctr);
}

static void build_cut_case(int which, struct cut_case *c)
{
    memset(c, 0, sizeof(*c));
    c->full_ctr = -1;
    struct fb *f = &c->f;
    switch (which) {
    case 0:
        c->name = "ether ipv4 udp, padded";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + 4, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp(f, 5060, 5060, 8 + 4);
        put(f, "\r\n\r\n", 4);
        region(c, SLS_CTR_UDP_TRUNCATED);
        fill(f, 0, 60 - f->n); /* cut in the padding: still delivered */
        break;
    case 1:
        c->name = "ether ipv4+options tcp+options";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4(f, IPP_TCP, 28 + SIP_LEN, 3, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        tcp(f, 40000, 5060, 99, SLS_TCP_ACK | SLS_TCP_PSH, 2);
        put(f, SIP, SIP_LEN);
        region(c, SLS_CTR_TCP_TRUNCATED);
        break;
    case 2:
        c->name = "ether qinq ipv6 hbh dst udp";
        c->dlt = DLT_EN10MB;
        eth(f, ET_8021AD);
        region(c, SLS_CTR_LINK_TRUNCATED);
        vlan(f, 1, ET_8021Q);
        vlan(f, 2, ET_IPV6);
        region(c, SLS_CTR_VLAN_TRUNCATED);
        ipv6(f, IPP_HOP, ext6_len(0) + ext6_len(1) + 8 + SIP_LEN);
        ext6(f, IPP_DST, 0);
        ext6(f, IPP_UDP, 1);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 3:
        c->name = "sll ipv4 udp";
        c->dlt = DLT_LINUX_SLL;
        sll(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 4:
        c->name = "sll2 ipv6 tcp";
        c->dlt = DLT_LINUX_SLL2;
        sll2(f, ET_IPV6);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv6(f, IPP_TCP, 20 + SIP_LEN);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        tcp(f, 40000, 5060, 1, SLS_TCP_ACK, 0);
        put(f, SIP, SIP_LEN);
        region(c, SLS_CTR_TCP_TRUNCATED);
        break;
    case 5:
        c->name = "null little-endian ipv4 udp";
        c->dlt = DLT_NULL;
        bsd_family(f, 2, 0);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 6:
        c->name = "loop ipv6 udp";
        c->dlt = DLT_LOOP;
        bsd_family(f, 30, 1);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv6(f, IPP_UDP, 8 + SIP_LEN);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 7:
        c->name = "raw ipv4 udp";
        c->dlt = DLT_RAW;
        /* No link header: only an empty frame, whose version nibble
         * cannot be read, is a link-level truncation. */
        c->region[0].upto = 1;
        c->region[0].ctr = SLS_CTR_LINK_TRUNCATED;
        c->nregion = 1;
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 8:
        c->name = "DLT_IPV6 tcp syn";
        c->dlt = DLT_IPV6;
        ipv6(f, IPP_TCP, 20);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        tcp(f, 40000, 5060, 1, SLS_TCP_SYN, 0);
        region(c, SLS_CTR_TCP_TRUNCATED);
        break;
    case 9:
        c->name = "ether ipv4 fragment";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN + 1, 0, 0x2000);
        udp_sip(f);
        put8(f, ' ');
        region(c, SLS_CTR_IPV4_TRUNCATED);
        c->full_ctr = SLS_CTR_IPV4_FRAGMENT;
        break;
    case 10:
        c->name = "ether ipv6 fragment";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV6);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv6(f, IPP_FRAG, 8 + 8 + SIP_LEN + 1);
        frag6(f, IPP_UDP, 0, 1);
        udp_sip(f);
        put8(f, ' ');
        region(c, SLS_CTR_IPV6_TRUNCATED);
        c->full_ctr = SLS_CTR_IPV6_FRAGMENT;
        break;
    case 11:
        c->name = "ether vlan ipv4 icmp";
        c->dlt = DLT_EN10MB;
        eth(f, ET_8021Q);
        region(c, SLS_CTR_LINK_TRUNCATED);
        vlan(f, 3, ET_IPV4);
        region(c, SLS_CTR_VLAN_TRUNCATED);
        ipv4(f, IPP_ICMP, 8, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        fill(f, 0, 8); /* ICMP is not looked at: cut or not, it is other */
        c->full_ctr = SLS_CTR_IP_PROTO_OTHER;
        break;
    case 12:
        c->name = "ip in ip";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_IPIP, V4_UDP_SIP_LEN, OUT_SRC, OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 13:
        c->name = "gre key sequence checksum ipv6";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_GRE, gre_len(GRE_C | GRE_K | GRE_S) + V6_UDP_SIP_LEN,
                OUT_SRC, OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        gre(f, GRE_C | GRE_K | GRE_S, ET_IPV6);
        region(c, SLS_CTR_GRE_TRUNCATED);
        ipv6(f, IPP_UDP, 8 + SIP_LEN);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 14:
    case 15:
        c->name = which == 14 ? "erspan ii" : "erspan iii with subheader";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_GRE, 8 + (which == 14 ? 8 : 20) + ETH_V4_UDP_SIP_LEN,
                OUT_SRC, OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        gre(f, GRE_S, which == 14 ? 0x88BE : 0x22EB);
        region(c, SLS_CTR_GRE_TRUNCATED);
        if (which == 14)
            erspan2_hdr(f);
        else
            erspan3_hdr(f, 1, 0);
        region(c, SLS_CTR_GRE_TRUNCATED);
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 16:
        c->name = "vxlan";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_UDP, 16 + ETH_V4_UDP_SIP_LEN, OUT_SRC, OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp(f, 50000, 4789, 16 + ETH_V4_UDP_SIP_LEN);
        vxlan_hdr(f, 0x08);
        eth(f, ET_IPV4);
        inner_v4(f);
        region(c, SLS_CTR_UDP_TRUNCATED); /* inside UDP: all or nothing */
        break;
    case 17:
        c->name = "pppoe";
        c->dlt = DLT_EN10MB;
        eth(f, 0x8864);
        region(c, SLS_CTR_LINK_TRUNCATED);
        pppoe_hdr(f, 0, 2 + V4_UDP_SIP_LEN);
        put16(f, 0x0021);
        region(c, SLS_CTR_PPP_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 18:
        c->name = "mpls two labels";
        c->dlt = DLT_EN10MB;
        eth(f, 0x8847);
        region(c, SLS_CTR_LINK_TRUNCATED);
        mpls_label(f, 100, 0);
        mpls_label(f, 200, 1);
        /* the version nibble is read from the next byte */
        region_at(c, f->n + 1, SLS_CTR_MPLS_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 19:
        c->name = "gtp-u with extension header";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_UDP, 8 + gtpu_len(1) + V4_UDP_SIP_LEN, OUT_SRC,
                OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp(f, 2152, 2152, 8 + gtpu_len(1) + V4_UDP_SIP_LEN);
        gtpu_hdr(f, 1, V4_UDP_SIP_LEN);
        inner_v4(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 20: {
        c->name = "hep3";
        c->dlt = DLT_EN10MB;
        struct hep3 h;
        hep3_default(&h);
        struct fb hb = {0};
        hep3_build(&hb, &h);
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_UDP, 8 + hb.n, OUT_SRC, OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp(f, 40000, 9060, 8 + hb.n);
        put(f, hb.b, hb.n);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    }
    case 21:
        c->name = "6in4";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_IPV6, V6_UDP_SIP_LEN, OUT_SRC, OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        ipv6(f, IPP_UDP, 8 + SIP_LEN);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 22:
        c->name = "dlt ppp";
        c->dlt = DLT_PPP;
        region_at(c, 1, SLS_CTR_LINK_TRUNCATED);
        put8(f, 0xFF);
        put8(f, 0x03);
        put16(f, 0x0021);
        region(c, SLS_CTR_PPP_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 23:
        c->name = "cisco hdlc";
        c->dlt = DLT_C_HDLC;
        put8(f, 0x8F);
        put8(f, 0);
        put16(f, ET_IPV6);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv6(f, IPP_UDP, 8 + SIP_LEN);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 24:
        c->name = "ipv4 in ipv6 after destination options";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV6);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv6_ex(f, IPP_DST, ext6_len(0) + V4_UDP_SIP_LEN, OUT6_SRC, OUT6_DST);
        ext6(f, IPP_IPIP, 0);
        region(c, SLS_CTR_IPV6_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    case 25:
        c->name = "pptp gre ppp";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV4);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv4_ex(f, IPP_GRE, 12 + 4 + V4_UDP_SIP_LEN, OUT_SRC, OUT_DST, 1, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        put16(f, GRE_K | GRE_S | 1u);
        put16(f, 0x880B);
        put16(f, 4 + V4_UDP_SIP_LEN);
        put16(f, 0x0042);
        put32(f, 9);
        region(c, SLS_CTR_GRE_TRUNCATED);
        put8(f, 0xFF);
        put8(f, 0x03);
        put16(f, 0x0021);
        region(c, SLS_CTR_PPP_TRUNCATED);
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        udp_sip(f);
        region(c, SLS_CTR_UDP_TRUNCATED);
        break;
    default:
        ck_abort_msg("no cut case %d", which);
    }
}

#define N_CUT_CASES 26

START_TEST(test_every_shorter_caplen_counts_exactly_one_thing)
{
    struct cut_case c;
    build_cut_case(_i, &c);
    for (size_t caplen = 0; caplen <= c.f.n; caplen++) {
        struct outcome o;
        decode(c.dlt, c.f.b, caplen, &o);
        int expect = c.full_ctr;
        for (size_t k = 0; k < c.nregion; k++) {
            if (caplen < c.region[k].upto) {
                expect = (int)c.region[k].ctr;
                break;
            }
        }
        ck_assert_msg(o.calls + counters_total(&o.ctr) == 1,
                      "%s caplen %zu: %d payloads, %llu counts", c.name,
                      caplen, o.calls,
                      (unsigned long long)counters_total(&o.ctr));
        if (expect < 0)
            ck_assert_msg(o.calls == 1, "%s caplen %zu: not delivered",
                          c.name, caplen);
        else
            ck_assert_msg(o.ctr.v[expect] == 1, "%s caplen %zu: expected %s",
                          c.name, caplen,
                          sls_counter_name((enum sls_counter)expect));
    }
}
END_TEST

/* Mutated frames on every link type: whatever the bytes, one outcome and
 * no read outside the frame (the guard page would fault). */
START_TEST(test_mutated_frames_count_exactly_one_thing)
{
    uint64_t x = 0x9E3779B97F4A7C15u ^ (uint64_t)_i;
    for (int iter = 0; iter < 4000; iter++) {
        struct cut_case c;
        build_cut_case(iter % N_CUT_CASES, &c);
        int flips = 1 + iter % 4;
        for (int k = 0; k < flips; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.f.b[x % c.f.n] ^= (uint8_t)(1u << ((x >> 32) % 8));
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t caplen = (iter & 1) ? c.f.n : (size_t)(x % (c.f.n + 1));
        struct outcome o;
        decode(c.dlt, c.f.b, caplen, &o);
        ck_assert_uint_eq(o.calls + counters_total(&o.ctr), 1);
        if (o.calls == 1) {
            ck_assert_uint_le(o.pkt.payload_len, caplen);
            ck_assert(o.pkt.src.family == 4 || o.pkt.src.family == 6);
        }
    }
}
END_TEST

/* ---- real captures ----------------------------------------------------------- */

/* Every frame of every shared capture, each copied to the page boundary:
 * exactly one outcome per frame. Skipped when the captures are absent. */
START_TEST(test_shared_captures_one_outcome_per_frame)
{
    const char *dir = SLS_SHARED_DIR "/captures/files";
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return; /* not part of this checkout */
    struct dirent *de;
    unsigned files = 0;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        char err[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline(path, err);
        ck_assert_msg(p != NULL, "%s: %s", path, err);
        files++;
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(p, &h, &data) == 1) {
            struct outcome o;
            decode(pcap_datalink(p), data, h->caplen, &o);
            ck_assert_msg(o.calls + counters_total(&o.ctr) == 1, "%s",
                          path);
        }
        pcap_close(p);
    }
    closedir(dp);
    ck_assert_uint_gt(files, 0);
}
END_TEST

/* Counts checked against tshark 4.0 on the same files. */
struct capture_expect {
    const char *file;
    unsigned frames;
    unsigned udp, tcp, sctp;
    enum sls_counter ctr;
    unsigned ctr_count;
};

static const struct capture_expect capture_expects[] = {
    /* Ethernet, IPv6, 6 SIP datagrams */
    {"heplify_sip_ipv6_udp.pcap", 6, 6, 0, 0, SLS_CTR_COUNT, 0},
    /* Linux cooked v1, SIP over SCTP: one INVITE in two DATA chunks
     * (B, then E: not reassembled), 100, 403, ACK whole */
    {"heplify_sip_sctp.pcap", 5, 0, 0, 4, SLS_CTR_SCTP_FRAGMENT_HELD, 1},
    /* raw IPv4 (LINKTYPE_RAW 101 -> DLT_RAW) */
    {"zeek_long_paths.pcap", 2, 2, 0, 0, SLS_CTR_COUNT, 0},
    /* BSD loopback (DLT_NULL), TCP: 2 SYN, 6 with data, 2 FIN; 6 bare
     * ACKs */
    {"sv_sip_body_large.pcap", 16, 0, 10, 0, SLS_CTR_TCP_NO_PAYLOAD, 6},
    /* 23 IPv4 fragments of one 33 KB CANCEL: 22 held, 1 datagram */
    {"peafowl_ipfrag_cancel.pcap", 23, 1, 0, 0, SLS_CTR_IPV4_FRAGMENT, 22},
    /* IP in IP: 2 of the 4 TCP segments are tunnelled */
    {"sngrep_ipip.pcap", 4, 0, 4, 0, SLS_CTR_COUNT, 0},
    /* GRE (key) with transparent Ethernet bridging: 140 SIP datagrams */
    {"heplify_erspan_sip.pcapng", 140, 140, 0, 0, SLS_CTR_COUNT, 0},
    /* HEP3 on UDP 9060: 6 SIP messages, 2 other protocol types */
    {"hepws_hep.pcap", 8, 6, 0, 0, SLS_CTR_HEP_NOT_SIP, 2},
    /* PPPoE sessions (2 of the 4 frames) */
    {"ppp_sip_reqs.pcap", 4, 4, 0, 0, SLS_CTR_COUNT, 0},
};

struct tally {
    unsigned udp, tcp, sctp;
};

static void tally_sink(void *user, const sls_packet *pkt)
{
    struct tally *t = user;
    if (pkt->transport == SLS_TRANSPORT_UDP)
        t->udp++;
    else if (pkt->transport == SLS_TRANSPORT_TCP)
        t->tcp++;
    else if (pkt->transport == SLS_TRANSPORT_SCTP)
        t->sctp++;
}

START_TEST(test_shared_capture_counts)
{
    const struct capture_expect *e = &capture_expects[_i];
    char path[1024];
    snprintf(path, sizeof(path), "%s/captures/files/%s", SLS_SHARED_DIR,
             e->file);
    if (access(path, R_OK) != 0)
        return; /* captures not available */
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    ck_assert_msg(p != NULL, "%s", err);
    sls_counters ctr;
    memset(&ctr, 0, sizeof(ctr));
    struct tally t = {0, 0, 0};
    sls_decoder *d = sls_decoder_new(&ctr, tally_sink, &t);
    ck_assert_ptr_nonnull(d);
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned frames = 0;
    while (pcap_next_ex(p, &h, &data) == 1)
        sls_decode_frame(d, pcap_datalink(p), 0, ++frames, data, h->caplen);
    sls_decoder_free(d);
    pcap_close(p);
    ck_assert_uint_eq(frames, e->frames);
    ck_assert_uint_eq(t.udp, e->udp);
    ck_assert_uint_eq(t.tcp, e->tcp);
    ck_assert_uint_eq(t.sctp, e->sctp);
    if (e->ctr != SLS_CTR_COUNT)
        ck_assert_uint_eq(ctr.v[e->ctr], e->ctr_count);
    /* one outcome per frame: a held fragment is counted, the fragment
     * that completes its datagram delivers it */
    ck_assert_uint_eq(t.udp + t.tcp + t.sctp + counters_total(&ctr), frames);
}
END_TEST

/* ---- the cursor itself --------------------------------------------------------- */

START_TEST(test_cursor_window_checks_do_not_overflow)
{
    static const uint8_t b4[4] = {0x12, 0x34, 0x56, 0x78};
    const uint8_t *p = guard_copy(b4, 4);
    sls__cur c = sls__cur_make(p, 4);
    ck_assert_int_eq(sls__cur_has(&c, 0, 4), 1);
    ck_assert_int_eq(sls__cur_has(&c, 4, 0), 1);
    ck_assert_int_eq(sls__cur_has(&c, 0, 5), 0);
    ck_assert_int_eq(sls__cur_has(&c, 1, 4), 0);
    ck_assert_int_eq(sls__cur_has(&c, 5, 0), 0);
    /* off + n wraps around: must still be refused */
    ck_assert_int_eq(sls__cur_has(&c, 2, SIZE_MAX), 0);
    ck_assert_int_eq(sls__cur_has(&c, SIZE_MAX, 2), 0);
    ck_assert_uint_eq(sls__cur_be32_at(&c, 0), 0x12345678u);
    ck_assert_uint_eq(sls__cur_be16_at(&c, 2), 0x5678u);
    /* out of the window: 0, and nothing read (the guard page is next) */
    ck_assert_uint_eq(sls__cur_be16_at(&c, 3), 0);
    ck_assert_uint_eq(sls__cur_be32_at(&c, 1), 0);
    ck_assert_uint_eq(sls__cur_u8_at(&c, 4), 0);
    ck_assert_uint_eq(sls__cur_be32_at(&c, SIZE_MAX - 1), 0);
    uint8_t out[4] = {0};
    ck_assert_int_eq(sls__cur_copy_at(&c, 1, out, 4), SLS_ERANGE);
    ck_assert_int_eq(sls__cur_copy_at(&c, 1, out, 3), 0);
    ck_assert_mem_eq(out, b4 + 1, 3);
}
END_TEST

START_TEST(test_cursor_sequential_reads_slice_and_clamp)
{
    static const uint8_t b6[6] = {1, 2, 3, 4, 5, 6};
    sls__cur c = sls__cur_make(guard_copy(b6, 6), 6);
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    ck_assert_int_eq(sls__cur_read_u8(&c, &v8), 0);
    ck_assert_uint_eq(v8, 1);
    ck_assert_int_eq(sls__cur_read_be32(&c, &v32), 0);
    ck_assert_uint_eq(v32, 0x02030405u);
    ck_assert_int_eq(sls__cur_read_be16(&c, &v16), SLS_ERANGE);
    ck_assert_uint_eq(sls__cur_remaining(&c), 1); /* unchanged on failure */
    ck_assert_int_eq(sls__cur_skip(&c, 2), SLS_ERANGE);
    ck_assert_int_eq(sls__cur_skip(&c, 1), 0);
    ck_assert_uint_eq(sls__cur_remaining(&c), 0);
    ck_assert_ptr_null(sls__cur_ptr(&c));
    ck_assert_int_eq(sls__cur_read_u8(&c, &v8), SLS_ERANGE);

    c = sls__cur_make(guard_copy(b6, 6), 6);
    sls__cur sub;
    ck_assert_int_eq(sls__cur_slice(&c, 2, 4, &sub), 0);
    ck_assert_uint_eq(sls__cur_u8_at(&sub, 0), 3);
    ck_assert_uint_eq(sls__cur_remaining(&sub), 4);
    ck_assert_int_eq(sls__cur_slice(&c, 3, 4, &sub), SLS_ERANGE);
    /* declared shorter: padding cut off */
    sls__cur d = c;
    ck_assert_int_eq(sls__cur_clamp(&d, 4), 0);
    ck_assert_uint_eq(sls__cur_remaining(&d), 4);
    /* declared longer than captured: reported, window kept */
    d = c;
    ck_assert_int_eq(sls__cur_clamp(&d, 10), 1);
    ck_assert_uint_eq(sls__cur_remaining(&d), 6);
    ck_assert_uint_eq(sls__cur_remaining(&c), 6);
    sls__cur e = sls__cur_make(NULL, 5);
    ck_assert_uint_eq(sls__cur_remaining(&e), 0);
}
END_TEST

START_TEST(test_decoder_new_rejects_missing_arguments)
{
    sls_counters ctr;
    ck_assert_ptr_null(sls_decoder_new(NULL, record_sink, NULL));
    ck_assert_ptr_null(sls_decoder_new(&ctr, NULL, NULL));
    sls_decoder_free(NULL);
}
END_TEST

/* ---- the Ethernet / IPv4 / UDP fast path ---------------------------------------- */

/* Frames of the common shape and every near miss of it. Each IPv4
 * packet is decoded twice: after an Ethernet header (where sls_decode_frame
 * takes its fast path when the shape fits) and as DLT_IPV4 (the general
 * path, always); both must give the same payload, fields and counters, and
 * the counter the row names (SLS_CTR_COUNT: delivered). */
enum fast_case {
    FC_PLAIN,          /* the shape itself */
    FC_TRAILER,        /* bytes after the datagram: clamped */
    FC_SHORT_PADDED,   /* an empty datagram padded to 60 bytes */
    FC_EMPTY,          /* UDP length 8: no payload */
    FC_UDP_SHORTER,    /* UDP length below what IP declares */
    FC_UDP_LONGER,     /* UDP length past what IP declares */
    FC_UDP_BELOW_8,    /* UDP length 7 */
    FC_IP_TOTAL_27,    /* IP total below header + UDP header */
    FC_IP_TOTAL_0,     /* TSO's zero total length */
    FC_OPTIONS,        /* IHL 6 */
    FC_MF,             /* first fragment (not a multiple of 8: bad) */
    FC_OFFSET,         /* last fragment */
    FC_TCP,            /* protocol 6 */
    FC_VERSION_6,      /* version nibble 6 under EtherType IPv4 */
    FC_CUT_IN_PAYLOAD, /* snaplen inside the UDP payload */
    FC_CUT_IN_UDP,     /* snaplen inside the UDP header */
    FC_VXLAN_PORT,     /* SIP sent to 4789: not VXLAN, delivered */
    FC_GTPU_PORT,      /* SIP sent to 2152: not GTP-U, delivered */
    FC_HEP,            /* a HEP3 datagram on the shape */
    FC_COUNT
};

static const enum sls_counter fast_case_counter[FC_COUNT] = {
    [FC_PLAIN] = SLS_CTR_COUNT,
    [FC_TRAILER] = SLS_CTR_COUNT,
    [FC_SHORT_PADDED] = SLS_CTR_COUNT,
    [FC_EMPTY] = SLS_CTR_COUNT,
    [FC_UDP_SHORTER] = SLS_CTR_COUNT,
    [FC_UDP_LONGER] = SLS_CTR_UDP_BAD_LENGTH,
    [FC_UDP_BELOW_8] = SLS_CTR_UDP_BAD_LENGTH,
    [FC_IP_TOTAL_27] = SLS_CTR_UDP_BAD_LENGTH,
    [FC_IP_TOTAL_0] = SLS_CTR_IPV4_BAD_HEADER,
    [FC_OPTIONS] = SLS_CTR_COUNT,
    [FC_MF] = SLS_CTR_FRAG_BAD,
    [FC_OFFSET] = SLS_CTR_IPV4_FRAGMENT,
    [FC_TCP] = SLS_CTR_TCP_BAD_HEADER,
    [FC_VERSION_6] = SLS_CTR_IPV4_BAD_HEADER,
    [FC_CUT_IN_PAYLOAD] = SLS_CTR_UDP_TRUNCATED,
    [FC_CUT_IN_UDP] = SLS_CTR_UDP_TRUNCATED,
    [FC_VXLAN_PORT] = SLS_CTR_COUNT,
    [FC_GTPU_PORT] = SLS_CTR_COUNT,
    [FC_HEP] = SLS_CTR_COUNT,
};

/* The IPv4 packet of row c, with what the capture holds after it or
 * without what it lost; *payload_len is what the sink must see. */
static void fast_case_packet(int c, struct fb *f, size_t *payload_len)
{
    struct fb hep = {0};
    const uint8_t *data = (const uint8_t *)SIP;
    size_t n = SIP_LEN, ulen, cut = 0;
    unsigned dport = 5080, optwords = 0, frag = 0, proto = IPP_UDP;
    if (c == FC_HEP) {
        struct hep3 h;
        hep3_default(&h);
        hep3_build(&hep, &h);
        data = hep.b;
        n = hep.n;
    }
    if (c == FC_EMPTY || c == FC_SHORT_PADDED)
        n = 0;
    ulen = 8 + n;
    size_t ipdata = 8 + n; /* what IP declares after its header */
    switch (c) {
    case FC_UDP_SHORTER:
        ulen = 8 + n - 5;
        break;
    case FC_UDP_LONGER:
        ulen = 8 + n + 1;
        break;
    case FC_UDP_BELOW_8:
        ulen = 7;
        break;
    case FC_OPTIONS:
        optwords = 1;
        break;
    case FC_MF:
        frag = 0x2000u;
        break;
    case FC_OFFSET:
        frag = 0x0010u;
        break;
    case FC_TCP:
        proto = IPP_TCP;
        break;
    case FC_VXLAN_PORT:
        dport = 4789;
        break;
    case FC_GTPU_PORT:
        dport = 2152;
        break;
    case FC_CUT_IN_PAYLOAD:
        cut = 10;
        break;
    case FC_CUT_IN_UDP:
        cut = n + 3;
        break;
    default:
        break;
    }
    size_t start = f->n;
    ipv4(f, proto, ipdata, optwords, frag);
    if (c == FC_IP_TOTAL_27 || c == FC_IP_TOTAL_0) {
        unsigned total = c == FC_IP_TOTAL_0 ? 0 : 27;
        f->b[start + 2] = (uint8_t)(total >> 8);
        f->b[start + 3] = (uint8_t)total;
    }
    if (c == FC_VERSION_6)
        f->b[start] = 0x65;
    udp(f, 5060, dport, ulen);
    put(f, data, n);
    if (c == FC_TRAILER)
        fill(f, 0xEE, 10);
    if (c == FC_SHORT_PADDED)
        fill(f, 0, 60 - 14 - (f->n - start));
    f->n -= cut;
    *payload_len = c == FC_UDP_SHORTER ? n - 5 : c == FC_HEP ? SIP_LEN : n;
}

static void assert_same_outcome(const struct outcome *a, const struct outcome *b)
{
    ck_assert_int_eq(a->rc, b->rc);
    ck_assert_int_eq(a->calls, b->calls);
    ck_assert_mem_eq(&a->ctr, &b->ctr, sizeof(a->ctr));
    for (int i = 0; i < a->calls && i < OUTCOME_KEEP; i++) {
        const sls_packet *x = &a->all[i], *y = &b->all[i];
        ck_assert(x->ts_ns == y->ts_ns);
        ck_assert_uint_eq(x->frame_no, y->frame_no);
        ck_assert_mem_eq(&x->src, &y->src, sizeof(x->src));
        ck_assert_mem_eq(&x->dst, &y->dst, sizeof(x->dst));
        ck_assert_uint_eq(x->sport, y->sport);
        ck_assert_uint_eq(x->dport, y->dport);
        ck_assert_uint_eq(x->transport, y->transport);
        ck_assert_uint_eq(x->tcp_flags, y->tcp_flags);
        ck_assert_uint_eq(x->whole, y->whole);
        ck_assert_uint_eq(x->tcp_seq, y->tcp_seq);
        ck_assert_uint_eq(x->payload_len, y->payload_len);
    }
    ck_assert_uint_eq(a->sum, b->sum);
    if (a->calls > 0)
        ck_assert_mem_eq(a->payload, b->payload,
                         a->pkt.payload_len < sizeof(a->payload) ? a->pkt.payload_len
                                                                 : sizeof(a->payload));
}

START_TEST(test_ether_ipv4_udp_fast_path_decodes_as_the_general_path)
{
    struct fb eth_frame = {0}, ip = {0};
    size_t plen;
    eth(&eth_frame, ET_IPV4);
    fast_case_packet(_i, &eth_frame, &plen);
    fast_case_packet(_i, &ip, &plen);
    /* The Ethernet frame is the IP packet after 14 bytes, padding and
     * cut included. */
    ck_assert_uint_eq(eth_frame.n, 14 + ip.n);
    static struct outcome fast, general;
    decode(DLT_EN10MB, eth_frame.b, eth_frame.n, &fast);
    decode(DLT_IPV4, ip.b, ip.n, &general);
    assert_same_outcome(&fast, &general);
    enum sls_counter want = fast_case_counter[_i];
    if (want == SLS_CTR_COUNT) {
        assert_delivered(&fast);
        ck_assert_uint_eq(fast.pkt.payload_len, plen);
        if (_i != FC_HEP) {
            ck_assert_uint_eq(fast.pkt.transport, SLS_TRANSPORT_UDP);
            ck_assert_uint_eq(fast.pkt.src.family, 4);
            ck_assert_mem_eq(fast.pkt.src.bytes, V4_SRC, 4);
            ck_assert_mem_eq(fast.pkt.dst.bytes, V4_DST, 4);
            static const uint8_t zero[12];
            ck_assert_mem_eq(fast.pkt.src.bytes + 4, zero, 12);
            ck_assert_mem_eq(fast.pkt.dst.bytes + 4, zero, 12);
            ck_assert_uint_eq(fast.pkt.sport, 5060);
            ck_assert(fast.pkt.ts_ns == TEST_TS);
            ck_assert_uint_eq(fast.pkt.frame_no, TEST_FRAME_NO);
            ck_assert_mem_eq(fast.payload, SIP, plen);
        } else {
            ck_assert_mem_eq(fast.pkt.src.bytes, HEP_SRC, 4);
            ck_assert_uint_eq(fast.pkt.whole, 1);
            ck_assert(fast.pkt.ts_ns == HEP_TS);
        }
    } else {
        assert_counted(&fast, want);
    }
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *tc;

    tc = tcase_create("ethernet");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_ether_ipv4_udp_delivers_payload_endpoints_and_time);
    tcase_add_test(tc, test_ether_ipv6_udp_delivers_payload_and_addresses);
    tcase_add_test(tc, test_ether_padding_is_clamped_by_ipv4_total_length);
    tcase_add_test(tc, test_ether_padding_is_clamped_by_ipv6_payload_length);
    tcase_add_test(tc, test_udp_payload_is_clamped_to_udp_length_inside_ip);
    tcase_add_loop_test(tc, test_vlan_single_tag_of_each_tpid, 0, 3);
    tcase_add_test(tc, test_vlan_qinq_double_tag);
    tcase_add_loop_test(tc, test_vlan_depth_limit_is_8, 1, 11);
    tcase_add_test(tc, test_ether_arp_is_not_ip);
    tcase_add_test(tc, test_ether_8023_length_field_is_not_ip);
    tcase_add_test(tc, test_vlan_then_arp_is_not_ip);
    tcase_add_loop_test(tc, test_ether_ipv4_udp_fast_path_decodes_as_the_general_path, 0,
                        FC_COUNT);
    suite_add_tcase(s, tc);

    tc = tcase_create("other links");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_sll_ipv4_udp);
    tcase_add_test(tc, test_sll_with_vlan_tag_libpcap_reinserted);
    tcase_add_test(tc, test_sll_non_ethertype_protocol_is_not_ip);
    tcase_add_test(tc, test_sll2_ipv6_udp);
    tcase_add_test(tc, test_sll2_frames_written_by_tcpdump_any);
    tcase_add_loop_test(tc, test_null_both_byte_orders_and_ipv6_families, 0,
                        5);
    tcase_add_test(tc, test_loop_is_network_byte_order);
    tcase_add_test(tc, test_null_unknown_family_is_not_ip);
    tcase_add_loop_test(tc, test_raw_ip_version_nibble_decides, 0, 3);
    tcase_add_test(tc, test_dlt_ipv4_and_ipv6);
    tcase_add_test(tc, test_unsupported_dlt_is_counted);
    suite_add_tcase(s, tc);

    tc = tcase_create("ip");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_loop_test(tc, test_ipv4_options_are_skipped, 0, 11);
    tcase_add_test(tc, test_ipv4_bad_ihl_is_bad_header);
    tcase_add_test(tc, test_ipv4_total_length_below_header_is_bad_header);
    tcase_add_test(tc, test_ipv4_wrong_version_under_ethertype_0800_is_bad_header);
    tcase_add_test(tc, test_ipv4_lone_fragments_are_held_and_counted);
    tcase_add_test(tc, test_icmp_is_ip_proto_other);
    tcase_add_test(tc, test_ipv6_hop_by_hop_and_destination_options_are_skipped);
    tcase_add_test(tc, test_ipv6_every_skippable_extension_header);
    tcase_add_loop_test(tc, test_ipv6_extension_depth_limit_is_16, 1, 18);
    tcase_add_test(tc, test_ipv6_lone_fragments_are_held_and_counted);
    tcase_add_test(tc, test_ipv6_esp_and_no_next_header_are_ip_proto_other);
    tcase_add_test(tc, test_ipv6_bad_headers);
    suite_add_tcase(s, tc);

    tc = tcase_create("transport");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_udp_bad_lengths);
    tcase_add_test(tc, test_udp_empty_datagram_is_delivered);
    tcase_add_test(tc, test_tcp_segment_with_data_flags_seq_and_options);
    tcase_add_test(tc, test_tcp_ipv6_segment);
    tcase_add_loop_test(tc, test_tcp_empty_segments, 0,
                        (int)(sizeof(tcp_empty_cases) /
                              sizeof(tcp_empty_cases[0])));
    tcase_add_test(tc, test_tcp_bad_headers);
    tcase_add_test(tc, test_decoder_new_rejects_missing_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("tunnels");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_ip_in_ip_delivers_the_inner_packet);
    tcase_add_test(tc, test_ipv6_in_ipv4_6in4);
    tcase_add_test(tc, test_ipv6_and_ipv4_in_ipv6);
    tcase_add_loop_test(tc, test_gre_with_key_sequence_and_checksum, 0,
                        (int)(sizeof(gre_flag_sets) / sizeof(gre_flag_sets[0])));
    tcase_add_test(tc, test_gre_transparent_ethernet_bridging);
    tcase_add_test(tc, test_erspan_types_one_two_and_three);
    tcase_add_test(tc, test_gre_unsupported_and_bad);
    tcase_add_test(tc, test_gre_version_1_pptp_carries_ppp);
    tcase_add_test(tc, test_vxlan_carries_ethernet);
    tcase_add_test(tc, test_pppoe_session_ipv4_ipv6_and_control);
    tcase_add_test(tc, test_ppp_link_types);
    tcase_add_test(tc, test_mpls_label_stack);
    tcase_add_test(tc, test_gtpu_gpdu_carries_ip);
    tcase_add_loop_test(tc, test_tunnel_depth_is_capped, 1, 7);
    suite_add_tcase(s, tc);

    tc = tcase_create("sctp");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_sctp_delivers_each_data_chunk);
    tcase_add_test(tc, test_sctp_fragments_control_and_bad_chunks_are_counted);
    tcase_add_test(tc, test_sctp_cut_at_every_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("hep");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_hep3_delivers_the_inner_message);
    tcase_add_test(tc, test_hep3_compressed_payload_is_inflated);
    tcase_add_test(tc, test_hep3_inflated_size_is_capped_at_64_kib);
    tcase_add_test(tc, test_hep3_other_protocols_and_bad_packets_are_counted);
    tcase_add_test(tc, test_hep_v1_and_v2);
    suite_add_tcase(s, tc);

    tc = tcase_create("reassembly");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_ipv4_fragments_reassemble_through_the_decoder);
    tcase_add_test(tc, test_fragments_time_out_by_capture_time_in_the_decoder);
    tcase_add_test(tc, test_ipv6_fragments_reassemble_through_the_decoder);
    tcase_add_test(tc, test_fragments_inside_a_gre_tunnel);
    suite_add_tcase(s, tc);

    tc = tcase_create("cursor");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_cursor_window_checks_do_not_overflow);
    tcase_add_test(tc, test_cursor_sequential_reads_slice_and_clamp);
    suite_add_tcase(s, tc);

    tc = tcase_create("robustness");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_every_shorter_caplen_counts_exactly_one_thing,
                        0, N_CUT_CASES);
    tcase_add_loop_test(tc, test_mutated_frames_count_exactly_one_thing, 0, 8);
    tcase_add_test(tc, test_every_carrier_cut_at_every_length_has_an_outcome);
    tcase_add_test(tc, test_shared_captures_one_outcome_per_frame);
    tcase_add_loop_test(tc, test_shared_capture_counts, 0,
                        (int)(sizeof(capture_expects) /
                              sizeof(capture_expects[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(decode_suite());
}
