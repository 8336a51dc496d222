/* Link/network/transport decoding: frames are built here byte by byte and
 * decoded from the very end of a readable page, so that reading one byte
 * past the frame crashes the test (picohttpparser's test.c trick). */

/* <pcap/pcap.h> (used by the shared-captures test) needs u_int and u_char,
 * hidden by the strict _POSIX_C_SOURCE of the build. */
#define _DEFAULT_SOURCE 1

#include "sipsleuth/counters.h"
#include "sipsleuth/decode.h"
#include "sipsleuth/packet.h"
#include "sls_check.h"

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

struct outcome {
    int rc;
    int calls;
    sls_counters ctr;
    sls_packet pkt; /* last delivered, payload pointer cleared */
    uint8_t payload[2048]; /* its first bytes */
    unsigned sum;          /* of all its bytes: every one is read */
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
    static const int dlts[] = {105 /* 802.11 */, 9 /* PPP */, -1, 100000,
                               DLT_LINUX_SLL2 + 1};
    uint8_t junk[64];
    memset(junk, 0x45, sizeof(junk));
    for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
        ck_assert_int_eq(sls_decode_linktype_supported(dlts[i]), 0);
        struct outcome o;
        decode(dlts[i], junk, sizeof(junk), &o);
        assert_counted(&o, SLS_CTR_LINK_UNSUPPORTED);
    }
    static const int ok[] = {DLT_NULL, DLT_EN10MB, 12, 14, 101, DLT_LOOP,
                             DLT_LINUX_SLL, DLT_IPV4, DLT_IPV6,
                             DLT_LINUX_SLL2};
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

START_TEST(test_ipv4_fragments_are_counted)
{
    /* MF set with offset 0 (first fragment), offset without MF (last),
     * both (middle). DF alone is not a fragment. */
    static const unsigned frags[] = {0x2000, 0x00B9, 0x20B9};
    for (size_t i = 0; i < 3; i++) {
        struct fb f = {0};
        eth(&f, ET_IPV4);
        ipv4(&f, IPP_UDP, 8 + SIP_LEN, 0, frags[i]);
        udp_sip(&f);
        struct outcome o;
        decode(DLT_EN10MB, f.b, f.n, &o);
        assert_counted(&o, SLS_CTR_IPV4_FRAGMENT);
    }
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

START_TEST(test_ipv6_fragment_header_is_counted)
{
    static const struct {
        unsigned off;
        int more;
    } cases[] = {{0, 1}, {100, 0}, {100, 1}};
    for (size_t i = 0; i < 3; i++) {
        struct fb f = {0};
        eth(&f, ET_IPV6);
        ipv6(&f, IPP_FRAG, 8 + 8 + SIP_LEN);
        frag6(&f, IPP_UDP, cases[i].off, cases[i].more);
        udp_sip(&f);
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
    } region[6];
    size_t nregion;
    int full_ctr;
};

static void region(struct cut_case *c, enum sls_counter ctr)
{
    c->region[c->nregion].upto = c->f.n;
    c->region[c->nregion].ctr = ctr;
    c->nregion++;
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
        ipv4(f, IPP_UDP, 8 + SIP_LEN, 0, 0x2000);
        udp_sip(f);
        region(c, SLS_CTR_IPV4_TRUNCATED);
        c->full_ctr = SLS_CTR_IPV4_FRAGMENT;
        break;
    case 10:
        c->name = "ether ipv6 fragment";
        c->dlt = DLT_EN10MB;
        eth(f, ET_IPV6);
        region(c, SLS_CTR_LINK_TRUNCATED);
        ipv6(f, IPP_FRAG, 8 + 8 + SIP_LEN);
        frag6(f, IPP_UDP, 0, 1);
        udp_sip(f);
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
    default:
        ck_abort_msg("no cut case %d", which);
    }
}

#define N_CUT_CASES 12

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
    unsigned udp, tcp;
    enum sls_counter ctr;
    unsigned ctr_count;
};

static const struct capture_expect capture_expects[] = {
    /* Ethernet, IPv6, 6 SIP datagrams */
    {"heplify_sip_ipv6_udp.pcap", 6, 6, 0, SLS_CTR_COUNT, 0},
    /* Linux cooked v1, SIP over SCTP */
    {"heplify_sip_sctp.pcap", 5, 0, 0, SLS_CTR_IP_PROTO_OTHER, 5},
    /* raw IPv4 (LINKTYPE_RAW 101 -> DLT_RAW) */
    {"zeek_long_paths.pcap", 2, 2, 0, SLS_CTR_COUNT, 0},
    /* BSD loopback (DLT_NULL), TCP: 2 SYN, 6 with data, 2 FIN; 6 bare
     * ACKs */
    {"sv_sip_body_large.pcap", 16, 0, 10, SLS_CTR_TCP_NO_PAYLOAD, 6},
};

struct tally {
    unsigned udp, tcp;
};

static void tally_sink(void *user, const sls_packet *pkt)
{
    struct tally *t = user;
    if (pkt->transport == SLS_TRANSPORT_UDP)
        t->udp++;
    else if (pkt->transport == SLS_TRANSPORT_TCP)
        t->tcp++;
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
    struct tally t = {0, 0};
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
    if (e->ctr != SLS_CTR_COUNT)
        ck_assert_uint_eq(ctr.v[e->ctr], e->ctr_count);
    ck_assert_uint_eq(t.udp + t.tcp + counters_total(&ctr), frames);
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
    tcase_add_test(tc, test_ipv4_fragments_are_counted);
    tcase_add_test(tc, test_icmp_is_ip_proto_other);
    tcase_add_test(tc, test_ipv6_hop_by_hop_and_destination_options_are_skipped);
    tcase_add_test(tc, test_ipv6_every_skippable_extension_header);
    tcase_add_loop_test(tc, test_ipv6_extension_depth_limit_is_16, 1, 18);
    tcase_add_test(tc, test_ipv6_fragment_header_is_counted);
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

    tc = tcase_create("robustness");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_every_shorter_caplen_counts_exactly_one_thing,
                        0, N_CUT_CASES);
    tcase_add_loop_test(tc, test_mutated_frames_count_exactly_one_thing, 0, 8);
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
