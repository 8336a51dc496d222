/* Link, network and transport decoding: from a captured frame to one
 * transport payload, by cursor arithmetic only (no allocation, no copy of
 * packet bytes on the per-frame path).
 *
 * Every frame ends in exactly one of two ways: a payload handed to the sink,
 * or one named counter. Truncation is counted at the layer whose bytes are
 * missing: a network header that was captured passes a window clamped to its
 * declared length plus that declared length down, so that a snaplen cut
 * inside a UDP datagram is "udp-truncated" while a cut inside the IPv4 header
 * is "ipv4-truncated". A length field that contradicts the layer above it is
 * "bad", never "truncated". */
#include "sipsleuth/decode.h"

#include "cursor.h"

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

/* IEEE 802 EtherTypes. Values below 0x0600 in the type position are IEEE
 * 802.3 length fields (802.3 clause 3.2.6) followed by LLC: not IP here. */
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86DDu
#define ETHERTYPE_8021Q 0x8100u  /* C-tag */
#define ETHERTYPE_8021AD 0x88A8u /* S-tag (QinQ) */
#define ETHERTYPE_QINQ_OLD 0x9100u /* pre-standard S-tag, still seen */

#define ETHER_HDR_LEN 14u
#define VLAN_TAG_LEN 4u
#define VLAN_MAX_DEPTH 8u
#define SLL_HDR_LEN 16u  /* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html */
#define SLL2_HDR_LEN 20u /* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html */
#define NULL_HDR_LEN 4u

#define IPV4_MIN_HDR_LEN 20u
#define IPV4_MF 0x2000u
#define IPV4_OFFMASK 0x1FFFu
#define IPV6_HDR_LEN 40u
#define IPV6_FRAG_HDR_LEN 8u
#define IPV6_EXT_MAX_DEPTH 16u

#define IPPROTO_NUM_HOPOPTS 0u
#define IPPROTO_NUM_TCP 6u
#define IPPROTO_NUM_UDP 17u
#define IPPROTO_NUM_ROUTING 43u
#define IPPROTO_NUM_FRAGMENT 44u
#define IPPROTO_NUM_AH 51u
#define IPPROTO_NUM_DSTOPTS 60u
#define IPPROTO_NUM_MOBILITY 135u
#define IPPROTO_NUM_HIP 139u
#define IPPROTO_NUM_SHIM6 140u

#define UDP_HDR_LEN 8u
#define TCP_MIN_HDR_LEN 20u

/* Address families in DLT_NULL / DLT_LOOP headers: the capturing OS wrote
 * its own AF_ value, so IPv6 has several (tcpdump's af.h). */
#define BSD_AF_INET 2u
#define BSD_AF_INET6_LINUX 10u
#define BSD_AF_INET6_BSD 24u     /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD 28u /* FreeBSD, DragonFly */
#define BSD_AF_INET6_DARWIN 30u  /* macOS, iOS */

struct sls_decoder {
    sls_counters *counters;
    sls_packet_sink sink;
    void *user;
    /* Per-capture reassembly state goes here when the defragmenter and the
     * TCP stream module arrive (ipv4_fragment(), ipv6_fragment() and
     * decode_tcp() are the seams); the frame path itself keeps no state. */
};

/* One frame being decoded: the packet is filled layer by layer on the
 * stack and handed to the sink by the transport decoder. */
struct frame {
    sls_decoder *d;
    sls_packet pkt;
};

/* What a network layer hands to a transport decoder: the captured window,
 * already clamped to the declared length, and the declared length itself.
 * declared > cur.len means the capture holds fewer bytes than the IP header
 * announced. */
struct ip_payload {
    sls__cur cur;
    size_t declared;
};

typedef int (*link_decoder)(struct frame *f, sls__cur c);

static int drop(struct frame *f, enum sls_counter why)
{
    sls_count(f->d->counters, why);
    return 0;
}

static int deliver(struct frame *f)
{
    f->d->sink(f->d->user, &f->pkt);
    return 1;
}

/* ---- transport ---------------------------------------------------------- */

/* RFC 768. The length field covers header and data; it must fit in what IP
 * declared, and bytes after it (inside the IP datagram) are not data. */
static int decode_udp(struct frame *f, struct ip_payload pl)
{
    if (pl.declared < UDP_HDR_LEN)
        return drop(f, SLS_CTR_UDP_BAD_LENGTH);
    if (!sls__cur_has(&pl.cur, 0, UDP_HDR_LEN))
        return drop(f, SLS_CTR_UDP_TRUNCATED);
    /* A length of 0 is the RFC 2675 jumbogram marker: we never accept a
     * jumbo IPv6 payload, so it is a bad length like any other below 8. */
    size_t ulen = sls__cur_be16_at(&pl.cur, 4);
    if (ulen < UDP_HDR_LEN || ulen > pl.declared)
        return drop(f, SLS_CTR_UDP_BAD_LENGTH);
    if (!sls__cur_has(&pl.cur, 0, ulen))
        return drop(f, SLS_CTR_UDP_TRUNCATED);

    f->pkt.sport = sls__cur_be16_at(&pl.cur, 0);
    f->pkt.dport = sls__cur_be16_at(&pl.cur, 2);
    f->pkt.transport = SLS_TRANSPORT_UDP;
    f->pkt.payload_len = ulen - UDP_HDR_LEN;
    f->pkt.payload = f->pkt.payload_len > 0 ? pl.cur.p + UDP_HDR_LEN : NULL;
    return deliver(f);
}

/* RFC 9293 3.1. Seam for the TCP stream module: today a segment is handed
 * over as it is; a segment cut by the snaplen is not, because a stream
 * cannot be rebuilt from it. */
static int decode_tcp(struct frame *f, struct ip_payload pl)
{
    if (pl.declared < TCP_MIN_HDR_LEN)
        return drop(f, SLS_CTR_TCP_BAD_HEADER);
    if (!sls__cur_has(&pl.cur, 0, TCP_MIN_HDR_LEN))
        return drop(f, SLS_CTR_TCP_TRUNCATED);
    size_t hlen = (size_t)(sls__cur_u8_at(&pl.cur, 12) >> 4) * 4u;
    if (hlen < TCP_MIN_HDR_LEN || hlen > pl.declared)
        return drop(f, SLS_CTR_TCP_BAD_HEADER);
    if (pl.cur.len < pl.declared)
        return drop(f, SLS_CTR_TCP_TRUNCATED);

    uint8_t flags = sls__cur_u8_at(&pl.cur, 13);
    size_t data_len = pl.declared - hlen;
    if (data_len == 0 &&
        (flags & (SLS_TCP_FIN | SLS_TCP_SYN | SLS_TCP_RST)) == 0)
        return drop(f, SLS_CTR_TCP_NO_PAYLOAD);

    f->pkt.sport = sls__cur_be16_at(&pl.cur, 0);
    f->pkt.dport = sls__cur_be16_at(&pl.cur, 2);
    f->pkt.transport = SLS_TRANSPORT_TCP;
    f->pkt.tcp_seq = sls__cur_be32_at(&pl.cur, 4);
    f->pkt.tcp_flags = flags;
    f->pkt.payload_len = data_len;
    f->pkt.payload = data_len > 0 ? pl.cur.p + hlen : NULL;
    return deliver(f);
}

static int decode_transport(struct frame *f, unsigned proto,
                            struct ip_payload pl)
{
    switch (proto) {
    case IPPROTO_NUM_UDP:
        return decode_udp(f, pl);
    case IPPROTO_NUM_TCP:
        return decode_tcp(f, pl);
    default:
        /* ICMP, SCTP, ESP, tunnels, ...: not decoded (yet). */
        return drop(f, SLS_CTR_IP_PROTO_OTHER);
    }
}

/* ---- network ------------------------------------------------------------ */

/* Seam for IPv4 reassembly (RFC 791 3.2; see lwIP ip4_frag.c for the shape:
 * sort by offset, reject overlaps, cap and time out). c is the whole
 * datagram, header included, clamped to its total length and fully
 * captured. Until the defragmenter exists, fragments are counted. */
static int ipv4_fragment(struct frame *f, sls__cur c, size_t hlen)
{
    (void)c;
    (void)hlen;
    return drop(f, SLS_CTR_IPV4_FRAGMENT);
}

/* RFC 791 3.1. */
static int decode_ipv4(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, IPV4_MIN_HDR_LEN))
        return drop(f, SLS_CTR_IPV4_TRUNCATED);
    uint8_t vihl = sls__cur_u8_at(&c, 0);
    size_t hlen = (size_t)(vihl & 0x0Fu) * 4u;
    size_t total = sls__cur_be16_at(&c, 2);
    /* A total length of 0 is what TSO / BIG TCP send paths write when the
     * real length does not fit; it cannot be trusted, so it is bad. */
    if ((vihl >> 4) != 4 || hlen < IPV4_MIN_HDR_LEN || total < hlen)
        return drop(f, SLS_CTR_IPV4_BAD_HEADER);
    if (!sls__cur_has(&c, 0, hlen))
        return drop(f, SLS_CTR_IPV4_TRUNCATED);
    /* Ethernet pads short frames to 60 bytes: the total length says where
     * the datagram ends. */
    int cut = sls__cur_clamp(&c, total);

    f->pkt.src.family = 4;
    f->pkt.dst.family = 4;
    (void)sls__cur_copy_at(&c, 12, f->pkt.src.bytes, 4);
    (void)sls__cur_copy_at(&c, 16, f->pkt.dst.bytes, 4);

    uint16_t frag = sls__cur_be16_at(&c, 6);
    if ((frag & (IPV4_MF | IPV4_OFFMASK)) != 0) {
        /* A fragment the capture cut short can never be reassembled. */
        if (cut)
            return drop(f, SLS_CTR_IPV4_TRUNCATED);
        return ipv4_fragment(f, c, hlen);
    }

    struct ip_payload pl;
    pl.cur = c;
    (void)sls__cur_skip(&pl.cur, hlen);
    pl.declared = total - hlen;
    return decode_transport(f, sls__cur_u8_at(&c, 9), pl);
}

/* Seam for IPv6 reassembly (RFC 8200 4.5). c is the payload after the fixed
 * header (fully captured, clamped to the payload length), frag_off the
 * offset of the Fragment header in it. Until the defragmenter exists,
 * fragments are counted. */
static int ipv6_fragment(struct frame *f, sls__cur c, size_t frag_off)
{
    (void)c;
    (void)frag_off;
    return drop(f, SLS_CTR_IPV6_FRAGMENT);
}

static int is_ipv6_ext(unsigned nh)
{
    switch (nh) {
    case IPPROTO_NUM_HOPOPTS:
    case IPPROTO_NUM_ROUTING:
    case IPPROTO_NUM_DSTOPTS:
    case IPPROTO_NUM_MOBILITY:
    case IPPROTO_NUM_HIP:
    case IPPROTO_NUM_SHIM6:
    case IPPROTO_NUM_AH:
        return 1;
    default:
        return 0;
    }
}

/* RFC 8200 3 and 4. */
static int decode_ipv6(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, IPV6_HDR_LEN))
        return drop(f, SLS_CTR_IPV6_TRUNCATED);
    if ((sls__cur_u8_at(&c, 0) >> 4) != 6)
        return drop(f, SLS_CTR_IPV6_BAD_HEADER);
    size_t plen = sls__cur_be16_at(&c, 4);
    /* RFC 2675: a payload length of 0 announces a jumbogram, whose length
     * sits in a Hop-by-Hop option; no SIP capture carries one, so it is
     * treated as a bad header rather than trusted. */
    if (plen == 0)
        return drop(f, SLS_CTR_IPV6_BAD_HEADER);
    int cut = sls__cur_clamp(&c, IPV6_HDR_LEN + plen);

    f->pkt.src.family = 6;
    f->pkt.dst.family = 6;
    (void)sls__cur_copy_at(&c, 8, f->pkt.src.bytes, 16);
    (void)sls__cur_copy_at(&c, 24, f->pkt.dst.bytes, 16);

    unsigned nh = sls__cur_u8_at(&c, 6);
    (void)sls__cur_skip(&c, IPV6_HDR_LEN);

    /* Walk the extension headers (RFC 8200 4.1). off <= plen throughout;
     * a header running past plen lies (bad), one running past the captured
     * bytes but inside plen was cut by the capture (truncated). */
    size_t off = 0;
    for (unsigned depth = 0;; depth++) {
        size_t hlen;
        if (nh == IPPROTO_NUM_FRAGMENT)
            hlen = IPV6_FRAG_HDR_LEN;
        else if (is_ipv6_ext(nh))
            hlen = 2; /* next header and length bytes, read below */
        else
            break;
        if (depth == IPV6_EXT_MAX_DEPTH)
            return drop(f, SLS_CTR_IPV6_EXT_TOO_DEEP);
        if (hlen > plen - off)
            return drop(f, SLS_CTR_IPV6_BAD_HEADER);
        if (!sls__cur_has(&c, off, hlen))
            return drop(f, SLS_CTR_IPV6_TRUNCATED);

        if (nh == IPPROTO_NUM_FRAGMENT) {
            uint16_t fo = sls__cur_be16_at(&c, off + 2);
            /* RFC 6946 4: an "atomic fragment" (offset 0, M clear) is a
             * whole packet and is processed as one. */
            if ((fo & 0xFFF9u) != 0) {
                if (cut)
                    return drop(f, SLS_CTR_IPV6_TRUNCATED);
                return ipv6_fragment(f, c, off);
            }
        } else {
            size_t units = sls__cur_u8_at(&c, off + 1);
            /* RFC 4302 2.2: AH counts 4-octet units minus 2; the others
             * count 8-octet units not including the first (RFC 8200 4.3). */
            hlen = nh == IPPROTO_NUM_AH ? (units + 2) * 4u : (units + 1) * 8u;
            if (hlen > plen - off)
                return drop(f, SLS_CTR_IPV6_BAD_HEADER);
            if (!sls__cur_has(&c, off, hlen))
                return drop(f, SLS_CTR_IPV6_TRUNCATED);
        }
        nh = sls__cur_u8_at(&c, off);
        off += hlen;
    }

    /* ESP (50) and No Next Header (59) end the walk here too: nothing
     * after them can be read. */
    struct ip_payload pl;
    pl.cur = c;
    if (sls__cur_skip(&pl.cur, off) != 0)
        pl.cur = sls__cur_make(NULL, 0); /* cut inside the payload */
    pl.declared = plen - off;
    return decode_transport(f, nh, pl);
}

/* ---- link --------------------------------------------------------------- */

static int is_vlan_tpid(unsigned type)
{
    return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
           type == ETHERTYPE_QINQ_OLD;
}

/* An EtherType and the bytes after it: 802.1Q/802.1ad tags (IEEE 802.1Q
 * 9.5: TCI then the next type), then IP. Shared by Ethernet and the Linux
 * cooked headers, whose protocol field is an EtherType too. */
static int decode_ethertype(struct frame *f, sls__cur c, unsigned type)
{
    for (unsigned depth = 0; is_vlan_tpid(type); depth++) {
        if (depth == VLAN_MAX_DEPTH)
            return drop(f, SLS_CTR_VLAN_TOO_DEEP);
        if (!sls__cur_has(&c, 0, VLAN_TAG_LEN))
            return drop(f, SLS_CTR_VLAN_TRUNCATED);
        type = sls__cur_be16_at(&c, 2);
        (void)sls__cur_skip(&c, VLAN_TAG_LEN);
    }
    switch (type) {
    case ETHERTYPE_IPV4:
        return decode_ipv4(f, c);
    case ETHERTYPE_IPV6:
        return decode_ipv6(f, c);
    default:
        /* ARP, LLDP, 802.3 length fields (< 0x0600, LLC follows), MPLS,
         * PPPoE, ... */
        return drop(f, SLS_CTR_NOT_IP);
    }
}

static int link_ether(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, ETHER_HDR_LEN))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    unsigned type = sls__cur_be16_at(&c, 12);
    (void)sls__cur_skip(&c, ETHER_HDR_LEN);
    return decode_ethertype(f, c, type);
}

/* Linux cooked v1: the protocol (an EtherType, or a small LINUX_SLL_P_*
 * value for non-Ethernet frames) is at offset 14. */
static int link_sll(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, SLL_HDR_LEN))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    unsigned type = sls__cur_be16_at(&c, 14);
    (void)sls__cur_skip(&c, SLL_HDR_LEN);
    return decode_ethertype(f, c, type);
}

/* Linux cooked v2 (what "tcpdump -i any" writes with libpcap >= 1.10): the
 * protocol is at offset 0. */
static int link_sll2(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, SLL2_HDR_LEN))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    unsigned type = sls__cur_be16_at(&c, 0);
    (void)sls__cur_skip(&c, SLL2_HDR_LEN);
    return decode_ethertype(f, c, type);
}

/* Raw IP: no link header; the IP version nibble says which. */
static int link_raw(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, 1))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    switch (sls__cur_u8_at(&c, 0) >> 4) {
    case 4:
        return decode_ipv4(f, c);
    case 6:
        return decode_ipv6(f, c);
    default:
        return drop(f, SLS_CTR_NOT_IP);
    }
}

static int link_ipv4(struct frame *f, sls__cur c)
{
    return decode_ipv4(f, c);
}

static int link_ipv6(struct frame *f, sls__cur c)
{
    return decode_ipv6(f, c);
}

static int decode_bsd_family(struct frame *f, sls__cur c, uint32_t family)
{
    switch (family) {
    case BSD_AF_INET:
        return decode_ipv4(f, c);
    case BSD_AF_INET6_LINUX:
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
        return decode_ipv6(f, c);
    default:
        return drop(f, SLS_CTR_NOT_IP);
    }
}

/* DLT_NULL: the family is in the byte order of the host that captured,
 * which need not be ours. Families are small, so a value with bits in the
 * upper half was written the other way round (tcpdump print-null.c). */
static int link_null(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, NULL_HDR_LEN))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    uint32_t family = sls__cur_be32_at(&c, 0);
    if ((family & 0xFFFF0000u) != 0)
        family = (family >> 24) | ((family >> 8) & 0xFF00u) |
                 ((family << 8) & 0xFF0000u) | (family << 24);
    (void)sls__cur_skip(&c, NULL_HDR_LEN);
    return decode_bsd_family(f, c, family);
}

/* DLT_LOOP (OpenBSD loopback): same header, always network byte order. */
static int link_loop(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, NULL_HDR_LEN))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    uint32_t family = sls__cur_be32_at(&c, 0);
    (void)sls__cur_skip(&c, NULL_HDR_LEN);
    return decode_bsd_family(f, c, family);
}

/* Indexed by DLT (the value pcap_datalink() returns, not the LINKTYPE in
 * the file: libpcap maps LINKTYPE_RAW 101 to DLT_RAW, which is 12, or 14
 * on OpenBSD). */
#define LINK_TABLE_SIZE (DLT_LINUX_SLL2 + 1)
static const link_decoder link_table[LINK_TABLE_SIZE] = {
    [DLT_NULL] = link_null,
    [DLT_EN10MB] = link_ether,
    [DLT_RAW] = link_raw,
#if DLT_RAW == 12
    [14] = link_raw, /* DLT_RAW as OpenBSD numbers it */
#endif
    [101] = link_raw, /* LINKTYPE_RAW, should a caller pass the file value */
    [DLT_LOOP] = link_loop,
    [DLT_LINUX_SLL] = link_sll,
    [DLT_IPV4] = link_ipv4,
    [DLT_IPV6] = link_ipv6,
    [DLT_LINUX_SLL2] = link_sll2,
};

static link_decoder link_lookup(int dlt)
{
    if (dlt < 0 || dlt >= LINK_TABLE_SIZE)
        return NULL;
    return link_table[dlt];
}

/* ---- public ------------------------------------------------------------- */

sls_decoder *sls_decoder_new(sls_counters *counters, sls_packet_sink sink,
                             void *user)
{
    if (counters == NULL || sink == NULL)
        return NULL;
    sls_decoder *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->counters = counters;
    d->sink = sink;
    d->user = user;
    return d;
}

void sls_decoder_free(sls_decoder *d)
{
    free(d);
}

int sls_decode_linktype_supported(int dlt)
{
    return link_lookup(dlt) != NULL;
}

int sls_decode_frame(sls_decoder *d, int dlt, int64_t ts_ns,
                     uint64_t frame_no, const uint8_t *data, size_t caplen)
{
    struct frame f;
    memset(&f, 0, sizeof(f)); /* unused address bytes must be zero */
    f.d = d;
    f.pkt.ts_ns = ts_ns;
    f.pkt.frame_no = frame_no;

    link_decoder fn = link_lookup(dlt);
    if (fn == NULL)
        return drop(&f, SLS_CTR_LINK_UNSUPPORTED);
    return fn(&f, sls__cur_make(data, caplen));
}
