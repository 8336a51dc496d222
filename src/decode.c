/* Link, network and transport decoding: from a captured frame to transport
 * payloads, by cursor arithmetic only. The per-frame path allocates
 * nothing and copies no packet bytes; the two exceptions keep state across
 * frames and own their memory: IP reassembly (defrag.c) and the inflater of
 * compressed HEP payloads (hep.c).
 *
 * Every frame ends in one of two ways: payloads handed to the sink (one,
 * or one per SCTP DATA chunk), or one named counter. An SCTP packet whose
 * chunks end in different ways counts each way once.
 *
 * Truncation is counted at the layer whose bytes are missing, and only
 * when the capture ended there. struct frame's cut flag says where the
 * current window ends: at the end of the captured bytes (cut, so a short
 * header was truncated by the snaplen) or at the end a complete enclosing
 * layer declared (not cut, so a header or length running past it is bad,
 * never truncated). A layer that clamps the window to its own declared
 * length clears the flag: Ethernet padding, and the bytes after an inner
 * packet in a tunnel, never reach the layer above.
 *
 * Tunnels re-enter the network layer (IP in IP, GRE, VXLAN, GTP-U); their
 * depth is capped, and so is the number of reassemblies in one frame. */
#include "sipsleuth/decode.h"

#include "cursor.h"
#include "hep.h"
#include "sipsleuth/defrag.h"

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
#define ETHERTYPE_MPLS_UC 0x8847u  /* RFC 3032 5 */
#define ETHERTYPE_MPLS_MC 0x8848u
#define ETHERTYPE_PPPOE_SESSION 0x8864u /* RFC 2516 */
/* Protocol types seen only in GRE's protocol field. */
#define ETHERTYPE_TEB 0x6558u     /* transparent Ethernet bridging */
#define ETHERTYPE_ERSPAN2 0x88BEu /* ERSPAN type I and II */
#define ETHERTYPE_ERSPAN3 0x22EBu
#define ETHERTYPE_PPP 0x880Bu     /* PPP (PPTP, RFC 2637) */

#define ETHER_HDR_LEN 14u
#define VLAN_TAG_LEN 4u
#define VLAN_MAX_DEPTH 8u
#define SLL_HDR_LEN 16u  /* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html */
#define SLL2_HDR_LEN 20u /* https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html */
#define NULL_HDR_LEN 4u
#define CHDLC_HDR_LEN 4u /* address, control, EtherType */

#define IPV4_MIN_HDR_LEN 20u
#define IPV4_MF 0x2000u
#define IPV4_OFFMASK 0x1FFFu
#define IPV6_HDR_LEN 40u
#define IPV6_FRAG_HDR_LEN 8u
#define IPV6_EXT_MAX_DEPTH 16u

#define IPPROTO_NUM_HOPOPTS 0u
#define IPPROTO_NUM_IPIP 4u
#define IPPROTO_NUM_TCP 6u
#define IPPROTO_NUM_UDP 17u
#define IPPROTO_NUM_IPV6 41u
#define IPPROTO_NUM_ROUTING 43u
#define IPPROTO_NUM_FRAGMENT 44u
#define IPPROTO_NUM_GRE 47u
#define IPPROTO_NUM_AH 51u
#define IPPROTO_NUM_DSTOPTS 60u
#define IPPROTO_NUM_SCTP 132u
#define IPPROTO_NUM_MOBILITY 135u
#define IPPROTO_NUM_HIP 139u
#define IPPROTO_NUM_SHIM6 140u

#define UDP_HDR_LEN 8u
#define TCP_MIN_HDR_LEN 20u

#define SCTP_COMMON_HDR_LEN 12u /* RFC 9260 3.1 */
#define SCTP_CHUNK_HDR_LEN 4u
#define SCTP_CHUNK_DATA 0u      /* RFC 9260 3.3.1 */
#define SCTP_CHUNK_IDATA 64u    /* RFC 8260 2.1 */
#define SCTP_DATA_HDR_LEN 16u
#define SCTP_IDATA_HDR_LEN 20u
#define SCTP_FLAG_B 0x02u       /* first fragment of a user message */
#define SCTP_FLAG_E 0x01u       /* last fragment */

/* GRE flags (RFC 2784 2, RFC 2890 2, RFC 2637 4.1). */
#define GRE_C 0x8000u     /* checksum present */
#define GRE_R 0x4000u     /* RFC 1701 routing present */
#define GRE_K 0x2000u     /* key present */
#define GRE_S 0x1000u     /* sequence number present */
#define GRE_SSR 0x0800u   /* RFC 1701 strict source route */
#define GRE_RECUR 0x0700u /* RFC 1701 recursion control */
#define GRE_A 0x0080u     /* RFC 2637: acknowledgment number present */
#define GRE_VERSION 0x0007u
#define GRE_MIN_HDR_LEN 4u
#define ERSPAN2_HDR_LEN 8u
#define ERSPAN3_HDR_LEN 12u
#define ERSPAN3_SUBHDR_LEN 8u

#define PPPOE_HDR_LEN 6u
#define MPLS_LABEL_LEN 4u
#define MPLS_BOS 0x100u
#define MPLS_MAX_LABELS 8u
#define VXLAN_PORT 4789u /* RFC 7348 5 */
#define VXLAN_HDR_LEN 8u
#define VXLAN_FLAG_I 0x08u
#define GTPU_PORT 2152u  /* 3GPP TS 29.281 4.4.2.3 */
#define GTPU_HDR_LEN 8u
#define GTPU_OPT_LEN 4u
#define GTPU_GPDU 255u
#define GTPU_MAX_EXT 16u

/* Tunnels inside tunnels, and reassemblies in one frame. */
#define ENCAP_MAX_DEPTH 4u
#define REASSEMBLY_MAX 2u

/* Address families in DLT_NULL / DLT_LOOP headers: the capturing OS wrote
 * its own AF_ value, so IPv6 has several (tcpdump's af.h). */
#define BSD_AF_INET 2u
#define BSD_AF_INET6_LINUX 10u
#define BSD_AF_INET6_BSD 24u     /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD 28u /* FreeBSD, DragonFly */
#define BSD_AF_INET6_DARWIN 30u  /* macOS, iOS */

/* An SCTP user message being reassembled from DATA chunk fragments
 * (RFC 9260 6.9): the fragments of one message carry consecutive TSNs on
 * one stream, the first with B, the last with E. */
#define SCTP_PARTIALS 64
#define SCTP_MESSAGE_MAX 65536u

struct sctp_partial {
    uint8_t used;
    sls_addr src, dst;
    uint16_t sport, dport, stream;
    uint32_t next_tsn;
    int64_t ts_ns;  /* of the first fragment, for replacing the oldest */
    size_t len;
    uint8_t *buf;   /* SCTP_MESSAGE_MAX bytes, allocated on first use */
};

struct sls_decoder {
    sls_counters *counters;
    sls_packet_sink sink;
    void *user;
    sls_defrag *defrag;       /* IPv4 and IPv6 reassembly */
    sls__hep_inflater *hep;   /* created on the first compressed payload */
    struct sctp_partial sctp[SCTP_PARTIALS];
};

/* One frame being decoded: the packet is filled layer by layer on the
 * stack (a tunnel's inner headers overwrite the outer ones) and handed to
 * the sink by the innermost decoder. */
struct frame {
    sls_decoder *d;
    sls_packet pkt;
    int cut;              /* 1: the window ends where the capture ended */
    unsigned depth;       /* tunnels entered */
    unsigned reassembled; /* datagrams reassembled */
    unsigned gre_flags;   /* of the innermost GRE header (ERSPAN needs S) */
};

/* What a network layer hands to a transport decoder: the captured window,
 * already clamped to the declared length, and the declared length itself.
 * declared > cur.len means the capture holds fewer bytes than the IP header
 * announced (and then the frame's cut flag is set). */
struct ip_payload {
    sls__cur cur;
    size_t declared;
};

typedef int (*link_decoder)(struct frame *f, sls__cur c);
typedef int (*ip_proto_decoder)(struct frame *f, const struct ip_payload *pl);

static int decode_ipv4(struct frame *f, sls__cur c);
static int decode_ipv6(struct frame *f, sls__cur c);
static int decode_ip_version(struct frame *f, sls__cur c,
                             enum sls_counter empty, enum sls_counter other);
static int decode_ethertype(struct frame *f, sls__cur c, unsigned type);
static int decode_gre_protocol(struct frame *f, sls__cur c, unsigned type);
static int decode_ppp_hdlc(struct frame *f, sls__cur c);
static int link_ether(struct frame *f, sls__cur c);

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

/* A header not all inside the window: truncated when the window ends where
 * the capture ended, bad when it ends where a complete enclosing layer said
 * the data ends. */
static int short_window(struct frame *f, enum sls_counter truncated,
                        enum sls_counter bad)
{
    return drop(f, f->cut ? truncated : bad);
}

/* Clamps *c to a length a header declared. Returns 1 to go on; 0 when the
 * length runs past a window that was not cut by the capture: it lies, and
 * the caller counts it as bad. A window cut by the capture is left as it is
 * (the layers above count what is missing). */
static int clamp_declared(struct frame *f, sls__cur *c, size_t declared)
{
    if (sls__cur_clamp(c, declared) == 0) {
        f->cut = 0;
        return 1;
    }
    return f->cut;
}

static int enter_tunnel(struct frame *f)
{
    if (f->depth >= ENCAP_MAX_DEPTH)
        return 0;
    f->depth++;
    return 1;
}

static void set_addr(sls_addr *a, unsigned family, const sls__cur *c,
                     size_t off)
{
    memset(a, 0, sizeof(*a)); /* an IPv4 inner after an IPv6 outer */
    a->family = (uint8_t)family;
    (void)sls__cur_copy_at(c, off, a->bytes, family == 4 ? 4 : 16);
}

/* ---- carriers recognised inside UDP -------------------------------------- */

/* RFC 7348 5: VXLAN header (flags with I set, reserved, VNI, reserved),
 * then an Ethernet frame. The last reserved octet is zero in every
 * variant (GBP uses the first ones), which text sent to port 4789 never
 * has. */
static int vxlan_match(const sls__cur *c)
{
    return sls__cur_has(c, 0, VXLAN_HDR_LEN) &&
           (sls__cur_u8_at(c, 0) & VXLAN_FLAG_I) != 0 &&
           sls__cur_u8_at(c, 7) == 0;
}

static int decode_vxlan(struct frame *f, sls__cur c)
{
    if (!enter_tunnel(f))
        return drop(f, SLS_CTR_ENCAP_TOO_DEEP);
    (void)sls__cur_skip(&c, VXLAN_HDR_LEN);
    return link_ether(f, c);
}

/* 3GPP TS 29.281 5.1: GTP-U version 1 (top three bits 001), protocol type
 * GTP (PT set); message type 255, the G-PDU, carries a user packet. Echo,
 * error indication and end marker messages are left as UDP. */
static int gtpu_match(const sls__cur *c)
{
    return sls__cur_has(c, 0, GTPU_HDR_LEN) &&
           (sls__cur_u8_at(c, 0) & 0xF0u) == 0x30u &&
           sls__cur_u8_at(c, 1) == GTPU_GPDU;
}

static int decode_gtpu(struct frame *f, sls__cur c)
{
    if (!enter_tunnel(f))
        return drop(f, SLS_CTR_ENCAP_TOO_DEEP);
    unsigned flags = sls__cur_u8_at(&c, 0);
    size_t len = sls__cur_be16_at(&c, 2); /* after the first 8 octets */
    (void)sls__cur_skip(&c, GTPU_HDR_LEN);
    if (sls__cur_clamp(&c, len) != 0)
        return drop(f, SLS_CTR_GTP_BAD_HEADER);
    /* 5.1: sequence number, N-PDU number and next extension header type
     * are all present when any of E, S or PN is set; the type counts only
     * with E. 5.2: each extension header gives its length in 4-octet
     * units, its last octet the type of the next one (0: none). */
    if ((flags & 0x07u) != 0) {
        if (!sls__cur_has(&c, 0, GTPU_OPT_LEN))
            return drop(f, SLS_CTR_GTP_BAD_HEADER);
        unsigned next = (flags & 0x04u) ? sls__cur_u8_at(&c, 3) : 0;
        (void)sls__cur_skip(&c, GTPU_OPT_LEN);
        for (unsigned n = 0; next != 0; n++) {
            size_t elen = (size_t)sls__cur_u8_at(&c, 0) * 4u;
            if (n == GTPU_MAX_EXT || elen == 0 || !sls__cur_has(&c, 0, elen))
                return drop(f, SLS_CTR_GTP_BAD_HEADER);
            next = sls__cur_u8_at(&c, elen - 1);
            (void)sls__cur_skip(&c, elen);
        }
    }
    /* A G-PDU carries IP, or (5G) Ethernet and unstructured PDUs. */
    return decode_ip_version(f, c, SLS_CTR_GTP_BAD_HEADER, SLS_CTR_NOT_IP);
}

/* The SIP message a capture agent sent to its collector, delivered with
 * the endpoints, transport and time of the packet the agent captured. */
static int decode_hep(struct frame *f, sls__cur c)
{
    sls__hep m;
    enum sls_counter why;
    if (sls__hep_decode(&f->d->hep, sls__cur_ptr(&c), sls__cur_remaining(&c),
                        &m, &why) != 0)
        return drop(f, why);
    f->pkt.src = m.src;
    f->pkt.dst = m.dst;
    f->pkt.sport = m.sport;
    f->pkt.dport = m.dport;
    f->pkt.transport = m.transport;
    f->pkt.tcp_flags = 0;
    f->pkt.tcp_seq = 0;
    f->pkt.whole = 1;
    if (m.has_ts)
        f->pkt.ts_ns = m.ts_ns;
    f->pkt.payload = m.payload;
    f->pkt.payload_len = m.payload_len;
    return deliver(f);
}

/* UDP payloads that carry other packets. A registered port is what
 * identifies VXLAN and GTP-U (with a header check), tried first; HEP is
 * recognised by content on any port, after them. Anything else is
 * delivered as UDP. */
static const struct udp_carrier {
    uint16_t dport;
    int (*match)(const sls__cur *c);
    link_decoder decode;
} udp_carriers[] = {
    {VXLAN_PORT, vxlan_match, decode_vxlan},
    {GTPU_PORT, gtpu_match, decode_gtpu},
};

/* The payload of a complete datagram (f->pkt filled up to it): a carrier
 * takes it, or it goes to the sink. HEP is called directly, not through
 * the table: every datagram asks, so the port loop stays a compare. */
static inline int udp_payload(struct frame *f, sls__cur data)
{
    for (size_t i = 0; i < sizeof(udp_carriers) / sizeof(udp_carriers[0]);
         i++) {
        const struct udp_carrier *u = &udp_carriers[i];
        if (u->dport == f->pkt.dport && u->match(&data))
            return u->decode(f, data);
    }
    if (sls__hep_detect(sls__cur_ptr(&data), sls__cur_remaining(&data)) != 0)
        return decode_hep(f, data);
    return deliver(f);
}

/* ---- transport ---------------------------------------------------------- */

/* RFC 768. The length field covers header and data; it must fit in what IP
 * declared, and bytes after it (inside the IP datagram) are not data. */
static int decode_udp(struct frame *f, const struct ip_payload *pl)
{
    if (pl->declared < UDP_HDR_LEN)
        return drop(f, SLS_CTR_UDP_BAD_LENGTH);
    if (!sls__cur_has(&pl->cur, 0, UDP_HDR_LEN))
        return drop(f, SLS_CTR_UDP_TRUNCATED);
    /* A length of 0 is the RFC 2675 jumbogram marker: we never accept a
     * jumbo IPv6 payload, so it is a bad length like any other below 8. */
    size_t ulen = sls__cur_be16_at(&pl->cur, 4);
    if (ulen < UDP_HDR_LEN || ulen > pl->declared)
        return drop(f, SLS_CTR_UDP_BAD_LENGTH);
    if (!sls__cur_has(&pl->cur, 0, ulen))
        return drop(f, SLS_CTR_UDP_TRUNCATED);

    f->pkt.sport = sls__cur_be16_at(&pl->cur, 0);
    f->pkt.dport = sls__cur_be16_at(&pl->cur, 2);
    f->pkt.transport = SLS_TRANSPORT_UDP;
    f->pkt.payload_len = ulen - UDP_HDR_LEN;
    f->pkt.payload = f->pkt.payload_len > 0 ? pl->cur.p + UDP_HDR_LEN : NULL;

    /* The datagram is all there: what it carries is complete. */
    f->cut = 0;
    sls__cur data;
    (void)sls__cur_slice(&pl->cur, UDP_HDR_LEN, f->pkt.payload_len, &data);
    return udp_payload(f, data);
}

/* RFC 9293 3.1. A segment cut by the snaplen is not delivered: a stream
 * cannot be rebuilt from it. */
static int decode_tcp(struct frame *f, const struct ip_payload *pl)
{
    if (pl->declared < TCP_MIN_HDR_LEN)
        return drop(f, SLS_CTR_TCP_BAD_HEADER);
    if (!sls__cur_has(&pl->cur, 0, TCP_MIN_HDR_LEN))
        return drop(f, SLS_CTR_TCP_TRUNCATED);
    size_t hlen = (size_t)(sls__cur_u8_at(&pl->cur, 12) >> 4) * 4u;
    if (hlen < TCP_MIN_HDR_LEN || hlen > pl->declared)
        return drop(f, SLS_CTR_TCP_BAD_HEADER);
    if (pl->cur.len < pl->declared)
        return drop(f, SLS_CTR_TCP_TRUNCATED);

    uint8_t flags = sls__cur_u8_at(&pl->cur, 13);
    size_t data_len = pl->declared - hlen;
    if (data_len == 0 &&
        (flags & (SLS_TCP_FIN | SLS_TCP_SYN | SLS_TCP_RST)) == 0)
        return drop(f, SLS_CTR_TCP_NO_PAYLOAD);

    f->pkt.sport = sls__cur_be16_at(&pl->cur, 0);
    f->pkt.dport = sls__cur_be16_at(&pl->cur, 2);
    f->pkt.transport = SLS_TRANSPORT_TCP;
    f->pkt.tcp_seq = sls__cur_be32_at(&pl->cur, 4);
    f->pkt.tcp_flags = flags;
    f->pkt.payload_len = data_len;
    f->pkt.payload = data_len > 0 ? pl->cur.p + hlen : NULL;
    return deliver(f);
}

/* The partial message of this stream, or a slot to start one in (the
 * oldest partial is given up when all are taken, and counted). */
static struct sctp_partial *sctp_slot(struct frame *f, uint16_t stream, int create)
{
    sls_decoder *d = f->d;
    struct sctp_partial *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < SCTP_PARTIALS; i++) {
        struct sctp_partial *p = &d->sctp[i];
        if (!p->used) {
            if (free_slot == NULL)
                free_slot = p;
            continue;
        }
        if (p->stream == stream && p->sport == f->pkt.sport && p->dport == f->pkt.dport &&
            memcmp(&p->src, &f->pkt.src, sizeof(p->src)) == 0 &&
            memcmp(&p->dst, &f->pkt.dst, sizeof(p->dst)) == 0)
            return p;
        if (oldest == NULL || p->ts_ns < oldest->ts_ns)
            oldest = p;
    }
    if (!create)
        return NULL;
    if (free_slot == NULL) {
        sls_count(d->counters, SLS_CTR_SCTP_FRAGMENT);
        free_slot = oldest;
    }
    return free_slot;
}

/* One DATA chunk fragment (not B+E). Returns what deliver() returned when
 * it completed a message, else 0 (held, or counted). */
static int sctp_fragment(struct frame *f, unsigned flags, uint32_t tsn, uint16_t stream,
                         const uint8_t *data, size_t n)
{
    int first = (flags & SCTP_FLAG_B) != 0, last = (flags & SCTP_FLAG_E) != 0;
    struct sctp_partial *p = sctp_slot(f, stream, first);
    if (p == NULL) {
        /* Its first fragment was not captured. */
        sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT);
        return 0;
    }
    if (!first) {
        if (!p->used) {
            /* Its first fragment was not captured. */
            sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT);
            return 0;
        }
        if (tsn != p->next_tsn) {
            if ((int32_t)(tsn - p->next_tsn) < 0) {
                /* a retransmitted fragment already used */
                sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT_HELD);
                return 0;
            }
            sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT); /* a gap */
            p->used = 0;
            return 0;
        }
    }
    if (first) {
        if (p->used)
            sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT); /* never ended */
        if (p->buf == NULL && (p->buf = malloc(SCTP_MESSAGE_MAX)) == NULL) {
            sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT);
            return 0;
        }
        p->used = 1;
        p->src = f->pkt.src;
        p->dst = f->pkt.dst;
        p->sport = f->pkt.sport;
        p->dport = f->pkt.dport;
        p->stream = stream;
        p->ts_ns = f->pkt.ts_ns;
        p->len = 0;
    }
    if (n > SCTP_MESSAGE_MAX - p->len) {
        sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT);
        p->used = 0;
        return 0;
    }
    memcpy(p->buf + p->len, data, n);
    p->len += n;
    p->next_tsn = tsn + 1;
    if (!last) {
        sls_count(f->d->counters, SLS_CTR_SCTP_FRAGMENT_HELD);
        return 0;
    }
    p->used = 0;
    f->pkt.payload = p->buf;
    f->pkt.payload_len = p->len;
    return deliver(f);
}

/* RFC 9260 3: common header, then chunks (type, flags, length without the
 * padding to 4 octets). Every DATA chunk (3.3.1) and I-DATA chunk (RFC 8260
 * 2.1) that holds a whole user message (B and E both set) is delivered as
 * one SCTP packet; DATA fragments of a user message are reassembled (6.9)
 * per stream and delivered when the last one comes; I-DATA fragments are
 * counted; control chunks are skipped. The checksum is not verified
 * (offload writes it after the capture point, as for IPv4). */
static int decode_sctp(struct frame *f, const struct ip_payload *pl)
{
    if (pl->declared < SCTP_COMMON_HDR_LEN + SCTP_CHUNK_HDR_LEN)
        return drop(f, SLS_CTR_SCTP_BAD_CHUNK);
    if (!sls__cur_has(&pl->cur, 0, SCTP_COMMON_HDR_LEN))
        return drop(f, SLS_CTR_SCTP_TRUNCATED);
    f->pkt.sport = sls__cur_be16_at(&pl->cur, 0);
    f->pkt.dport = sls__cur_be16_at(&pl->cur, 2);
    f->pkt.transport = SLS_TRANSPORT_SCTP;

    int delivered = 0, counted = 0;
    size_t off = SCTP_COMMON_HDR_LEN;
    while (off < pl->declared) {
        /* A chunk length is checked against the declared length before the
         * captured one: running past the packet is bad, captured or not. */
        enum sls_counter why = SLS_CTR_COUNT;
        size_t clen = 0;
        if (pl->declared - off < SCTP_CHUNK_HDR_LEN)
            why = SLS_CTR_SCTP_BAD_CHUNK;
        else if (!sls__cur_has(&pl->cur, off, SCTP_CHUNK_HDR_LEN))
            why = SLS_CTR_SCTP_TRUNCATED;
        else if ((clen = sls__cur_be16_at(&pl->cur, off + 2)) <
                     SCTP_CHUNK_HDR_LEN ||
                 clen > pl->declared - off)
            why = SLS_CTR_SCTP_BAD_CHUNK;
        else if (!sls__cur_has(&pl->cur, off, clen))
            why = SLS_CTR_SCTP_TRUNCATED;
        if (why != SLS_CTR_COUNT) {
            counted++;
            drop(f, why);
            break;
        }
        unsigned type = sls__cur_u8_at(&pl->cur, off);
        unsigned flags = sls__cur_u8_at(&pl->cur, off + 1);
        size_t hdr = type == SCTP_CHUNK_DATA    ? SCTP_DATA_HDR_LEN
                     : type == SCTP_CHUNK_IDATA ? SCTP_IDATA_HDR_LEN
                                                : 0;
        if (hdr != 0 && clen <= hdr) {
            /* RFC 9260 6.2: a DATA chunk without user data is a protocol
             * violation. */
            counted++;
            drop(f, SLS_CTR_SCTP_BAD_CHUNK);
        } else if (type == SCTP_CHUNK_DATA && (flags & (SCTP_FLAG_B | SCTP_FLAG_E)) !=
                                                 (SCTP_FLAG_B | SCTP_FLAG_E)) {
            int r = sctp_fragment(f, flags, sls__cur_be32_at(&pl->cur, off + 4),
                                  sls__cur_be16_at(&pl->cur, off + 8), pl->cur.p + off + hdr,
                                  clen - hdr);
            if (r > 0)
                delivered += r;
            else
                counted++; /* held or counted: not "no data" */
        } else if (hdr != 0 && (flags & (SCTP_FLAG_B | SCTP_FLAG_E)) !=
                                   (SCTP_FLAG_B | SCTP_FLAG_E)) {
            counted++;
            drop(f, SLS_CTR_SCTP_FRAGMENT);
        } else if (hdr != 0) {
            f->pkt.payload = pl->cur.p + off + hdr;
            f->pkt.payload_len = clen - hdr;
            delivered += deliver(f);
        }
        /* Padding to a multiple of 4; the last chunk's may be missing. */
        off += (clen + 3u) & ~(size_t)3u;
    }
    if (delivered == 0 && counted == 0)
        return drop(f, SLS_CTR_SCTP_NO_DATA);
    return delivered;
}

/* ---- tunnels over IP ------------------------------------------------------ */

/* RFC 2003 (IPv4 in IP, protocol 4) and RFC 4213 3.5 / RFC 2473 (IPv6 in
 * IP, protocol 41), in IPv4 or IPv6 alike. */
static int decode_ip_in_ipv4(struct frame *f, const struct ip_payload *pl)
{
    if (!enter_tunnel(f))
        return drop(f, SLS_CTR_ENCAP_TOO_DEEP);
    return decode_ipv4(f, pl->cur);
}

static int decode_ip_in_ipv6(struct frame *f, const struct ip_payload *pl)
{
    if (!enter_tunnel(f))
        return drop(f, SLS_CTR_ENCAP_TOO_DEEP);
    return decode_ipv6(f, pl->cur);
}

/* GRE version 0 (RFC 2784 2, with RFC 2890's key and sequence number) and
 * version 1, PPTP's enhanced GRE (RFC 2637 4.1). The protocol field is an
 * EtherType. Checksums are not verified. */
static int decode_gre(struct frame *f, const struct ip_payload *pl)
{
    if (!enter_tunnel(f))
        return drop(f, SLS_CTR_ENCAP_TOO_DEEP);
    sls__cur c = pl->cur;
    if (!sls__cur_has(&c, 0, GRE_MIN_HDR_LEN))
        return short_window(f, SLS_CTR_GRE_TRUNCATED, SLS_CTR_GRE_BAD_HEADER);
    unsigned flags = sls__cur_be16_at(&c, 0);
    unsigned proto = sls__cur_be16_at(&c, 2);
    size_t hlen = GRE_MIN_HDR_LEN;
    switch (flags & GRE_VERSION) {
    case 0:
        /* RFC 2784 2.3: a packet with any of bits 1-5 set must be
         * discarded unless RFC 1701 is implemented; RFC 2890 took K and S
         * from them. The rest (routing, strict source route, recursion)
         * is RFC 1701's. */
        if ((flags & (GRE_R | GRE_SSR | 0x0400u)) != 0)
            return drop(f, SLS_CTR_GRE_UNSUPPORTED);
        hlen += ((flags & GRE_C) ? 4u : 0) + ((flags & GRE_K) ? 4u : 0) +
                ((flags & GRE_S) ? 4u : 0);
        break;
    case 1:
        /* RFC 2637 4.1: C, R, s and recursion clear, K set (payload
         * length and call id), protocol PPP. */
        if ((flags & (GRE_C | GRE_R | GRE_SSR | GRE_RECUR)) != 0 ||
            (flags & GRE_K) == 0 || proto != ETHERTYPE_PPP)
            return drop(f, SLS_CTR_GRE_BAD_HEADER);
        hlen += 4u + ((flags & GRE_S) ? 4u : 0) + ((flags & GRE_A) ? 4u : 0);
        break;
    default:
        return drop(f, SLS_CTR_GRE_UNSUPPORTED);
    }
    if (!sls__cur_has(&c, 0, hlen))
        return short_window(f, SLS_CTR_GRE_TRUNCATED, SLS_CTR_GRE_BAD_HEADER);
    f->gre_flags = flags;
    if ((flags & GRE_VERSION) == 1) {
        size_t len = sls__cur_be16_at(&c, 4);
        (void)sls__cur_skip(&c, hlen);
        if (len == 0)
            return drop(f, SLS_CTR_NOT_IP); /* an acknowledgment alone */
        if (!clamp_declared(f, &c, len))
            return drop(f, SLS_CTR_GRE_BAD_HEADER);
        return decode_ppp_hdlc(f, c);
    }
    (void)sls__cur_skip(&c, hlen);
    return decode_gre_protocol(f, c, proto);
}

/* ERSPAN (draft-foschiano-erspan-03) in GRE protocol 0x88BE: type II has an
 * 8-byte header (version 1) before the mirrored Ethernet frame and a GRE
 * sequence number; type I, without the sequence number, has no header. */
static int decode_erspan2(struct frame *f, sls__cur c)
{
    if ((f->gre_flags & GRE_S) == 0)
        return link_ether(f, c);
    if (!sls__cur_has(&c, 0, ERSPAN2_HDR_LEN))
        return short_window(f, SLS_CTR_GRE_TRUNCATED, SLS_CTR_GRE_BAD_HEADER);
    if ((sls__cur_u8_at(&c, 0) >> 4) != 1)
        return drop(f, SLS_CTR_GRE_BAD_HEADER);
    (void)sls__cur_skip(&c, ERSPAN2_HDR_LEN);
    return link_ether(f, c);
}

/* ERSPAN type III (0x22EB): a 12-byte header (version 2) whose last 16 bits
 * are P, FT (frame type, 5 bits), hardware id, D, granularity and O; O
 * announces an 8-byte platform-specific subheader. FT 0 is an Ethernet
 * frame, FT 2 an IP packet. */
static int decode_erspan3(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, ERSPAN3_HDR_LEN))
        return short_window(f, SLS_CTR_GRE_TRUNCATED, SLS_CTR_GRE_BAD_HEADER);
    if ((sls__cur_u8_at(&c, 0) >> 4) != 2)
        return drop(f, SLS_CTR_GRE_BAD_HEADER);
    unsigned w = sls__cur_be16_at(&c, 10);
    size_t hlen = ERSPAN3_HDR_LEN + ((w & 1u) ? ERSPAN3_SUBHDR_LEN : 0);
    if (!sls__cur_has(&c, 0, hlen))
        return short_window(f, SLS_CTR_GRE_TRUNCATED, SLS_CTR_GRE_BAD_HEADER);
    (void)sls__cur_skip(&c, hlen);
    switch ((w >> 10) & 0x1Fu) {
    case 0:
        return link_ether(f, c);
    case 2:
        return decode_ip_version(f, c, SLS_CTR_GRE_BAD_HEADER,
                                 SLS_CTR_GRE_BAD_HEADER);
    default:
        return drop(f, SLS_CTR_GRE_UNSUPPORTED);
    }
}

/* ---- network ------------------------------------------------------------ */

/* Indexed by IP protocol number (IANA "Assigned Internet Protocol
 * Numbers"); IPv6 extension headers are walked before this. */
static const ip_proto_decoder ip_protocols[256] = {
    [IPPROTO_NUM_IPIP] = decode_ip_in_ipv4,
    [IPPROTO_NUM_TCP] = decode_tcp,
    [IPPROTO_NUM_UDP] = decode_udp,
    [IPPROTO_NUM_IPV6] = decode_ip_in_ipv6,
    [IPPROTO_NUM_GRE] = decode_gre,
    [IPPROTO_NUM_SCTP] = decode_sctp,
};

static int decode_transport(struct frame *f, unsigned proto,
                            const struct ip_payload *pl)
{
    ip_proto_decoder fn = proto < 256 ? ip_protocols[proto] : NULL;
    if (fn == NULL)
        /* ICMP, ESP, OSPF, ...: not decoded. */
        return drop(f, SLS_CTR_IP_PROTO_OTHER);
    return fn(f, pl);
}

/* RFC 791 3.2. c is the whole datagram, header included, clamped to its
 * total length and fully captured. The reassembler counts what it holds or
 * drops; a completed datagram goes up with this frame's time. */
static int ipv4_fragment(struct frame *f, sls__cur c, size_t hlen)
{
    if (f->reassembled >= REASSEMBLY_MAX)
        return drop(f, SLS_CTR_ENCAP_TOO_DEEP);
    unsigned proto = sls__cur_u8_at(&c, 9);
    uint16_t frag = sls__cur_be16_at(&c, 6);
    sls__cur data = c;
    (void)sls__cur_skip(&data, hlen);
    const uint8_t *out;
    size_t n;
    if (sls_defrag_add(f->d->defrag, f->pkt.ts_ns, &f->pkt.src, &f->pkt.dst,
                       (uint8_t)proto, sls__cur_be16_at(&c, 4),
                       (uint32_t)(frag & IPV4_OFFMASK) * 8u,
                       (frag & IPV4_MF) != 0, sls__cur_ptr(&data),
                       sls__cur_remaining(&data), &out, &n) != 1)
        return 0;
    f->reassembled++;
    f->cut = 0;
    struct ip_payload pl;
    pl.cur = sls__cur_make(out, n);
    pl.declared = n;
    return decode_transport(f, proto, &pl);
}

/* RFC 791 3.1. */
static int decode_ipv4(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, IPV4_MIN_HDR_LEN))
        return short_window(f, SLS_CTR_IPV4_TRUNCATED, SLS_CTR_IPV4_BAD_HEADER);
    uint8_t vihl = sls__cur_u8_at(&c, 0);
    size_t hlen = (size_t)(vihl & 0x0Fu) * 4u;
    size_t total = sls__cur_be16_at(&c, 2);
    /* A total length of 0 is what TSO / BIG TCP send paths write when the
     * real length does not fit; it cannot be trusted, so it is bad. */
    if ((vihl >> 4) != 4 || hlen < IPV4_MIN_HDR_LEN || total < hlen)
        return drop(f, SLS_CTR_IPV4_BAD_HEADER);
    if (!sls__cur_has(&c, 0, hlen))
        return short_window(f, SLS_CTR_IPV4_TRUNCATED, SLS_CTR_IPV4_BAD_HEADER);
    /* Ethernet pads short frames to 60 bytes: the total length says where
     * the datagram ends. */
    int cut = sls__cur_clamp(&c, total);
    if (cut && !f->cut)
        return drop(f, SLS_CTR_IPV4_BAD_HEADER);
    if (!cut)
        f->cut = 0;

    set_addr(&f->pkt.src, 4, &c, 12);
    set_addr(&f->pkt.dst, 4, &c, 16);

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
    return decode_transport(f, sls__cur_u8_at(&c, 9), &pl);
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

static int ipv6_headers(struct frame *f, sls__cur c, size_t plen,
                        unsigned nh);

/* RFC 8200 4.5. c is the payload after the fixed header (fully captured,
 * clamped to the payload length), frag_off the offset of the Fragment
 * header in it. The headers before it (the unfragmentable part) were
 * walked already; the reassembled fragmentable part is walked from the
 * Fragment header's Next Header on. */
static int ipv6_fragment(struct frame *f, sls__cur c, size_t frag_off)
{
    if (f->reassembled >= REASSEMBLY_MAX)
        return drop(f, SLS_CTR_ENCAP_TOO_DEEP);
    unsigned nh = sls__cur_u8_at(&c, frag_off);
    uint16_t fo = sls__cur_be16_at(&c, frag_off + 2);
    sls__cur data = c;
    (void)sls__cur_skip(&data, frag_off + IPV6_FRAG_HDR_LEN);
    const uint8_t *out;
    size_t n;
    if (sls_defrag_add(f->d->defrag, f->pkt.ts_ns, &f->pkt.src, &f->pkt.dst,
                       (uint8_t)nh, sls__cur_be32_at(&c, frag_off + 4),
                       fo & 0xFFF8u, (fo & 1u) != 0, sls__cur_ptr(&data),
                       sls__cur_remaining(&data), &out, &n) != 1)
        return 0;
    f->reassembled++;
    f->cut = 0;
    return ipv6_headers(f, sls__cur_make(out, n), n, nh);
}

/* Walks the extension headers (RFC 8200 4.1) of a payload of plen declared
 * bytes whose captured part is c, starting with header nh. off <= plen
 * throughout; a header running past plen lies (bad), one running past the
 * captured bytes but inside plen was cut by the capture (truncated). */
static int ipv6_headers(struct frame *f, sls__cur c, size_t plen, unsigned nh)
{
    int cut = sls__cur_remaining(&c) < plen;
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
    return decode_transport(f, nh, &pl);
}

/* RFC 8200 3. */
static int decode_ipv6(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, IPV6_HDR_LEN))
        return short_window(f, SLS_CTR_IPV6_TRUNCATED, SLS_CTR_IPV6_BAD_HEADER);
    if ((sls__cur_u8_at(&c, 0) >> 4) != 6)
        return drop(f, SLS_CTR_IPV6_BAD_HEADER);
    size_t plen = sls__cur_be16_at(&c, 4);
    /* RFC 2675: a payload length of 0 announces a jumbogram, whose length
     * sits in a Hop-by-Hop option; no SIP capture carries one, so it is
     * treated as a bad header rather than trusted. */
    if (plen == 0)
        return drop(f, SLS_CTR_IPV6_BAD_HEADER);
    int cut = sls__cur_clamp(&c, IPV6_HDR_LEN + plen);
    if (cut && !f->cut)
        return drop(f, SLS_CTR_IPV6_BAD_HEADER);
    if (!cut)
        f->cut = 0;

    set_addr(&f->pkt.src, 6, &c, 8);
    set_addr(&f->pkt.dst, 6, &c, 24);

    unsigned nh = sls__cur_u8_at(&c, 6);
    (void)sls__cur_skip(&c, IPV6_HDR_LEN);
    return ipv6_headers(f, c, plen, nh);
}

/* Where nothing says which IP version follows (MPLS, ERSPAN III, GTP-U,
 * raw IP), the version nibble does. */
static int decode_ip_version(struct frame *f, sls__cur c,
                             enum sls_counter empty, enum sls_counter other)
{
    if (!sls__cur_has(&c, 0, 1))
        return drop(f, empty);
    switch (sls__cur_u8_at(&c, 0) >> 4) {
    case 4:
        return decode_ipv4(f, c);
    case 6:
        return decode_ipv6(f, c);
    default:
        return drop(f, other);
    }
}

/* ---- between link and network: MPLS, PPPoE, PPP --------------------------- */

/* RFC 3032 2.1: label stack entries (label, traffic class, bottom of stack,
 * TTL) until the bottom-of-stack bit. What follows has no type field; the
 * IP version nibble is the usual guess (tcpdump, Wireshark). */
static int decode_mpls(struct frame *f, sls__cur c)
{
    for (unsigned n = 0;; n++) {
        if (n == MPLS_MAX_LABELS)
            return drop(f, SLS_CTR_MPLS_TOO_DEEP);
        if (!sls__cur_has(&c, 0, MPLS_LABEL_LEN))
            return drop(f, SLS_CTR_MPLS_TRUNCATED);
        uint32_t entry = sls__cur_be32_at(&c, 0);
        (void)sls__cur_skip(&c, MPLS_LABEL_LEN);
        if ((entry & MPLS_BOS) != 0)
            break;
    }
    return decode_ip_version(f, c, SLS_CTR_MPLS_TRUNCATED, SLS_CTR_NOT_IP);
}

/* PPP protocol numbers that carry what we decode (IANA PPP DLL protocol
 * numbers). */
static const struct {
    uint16_t proto;
    link_decoder fn;
} ppp_protocols[] = {
    {0x0021u, decode_ipv4},
    {0x0057u, decode_ipv6},
    {0x0281u, decode_mpls}, /* RFC 3032 4.3, unicast */
    {0x0283u, decode_mpls}, /* multicast */
};

/* RFC 1661 2: the Protocol field, one octet when Protocol-Field-Compression
 * (6.5) left only its odd low octet. LCP, IPCP and the other control
 * protocols are not IP. */
static int decode_ppp_protocol(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, 1))
        return short_window(f, SLS_CTR_PPP_TRUNCATED, SLS_CTR_PPP_BAD_HEADER);
    unsigned proto = sls__cur_u8_at(&c, 0);
    if ((proto & 1u) != 0) {
        (void)sls__cur_skip(&c, 1);
    } else {
        if (!sls__cur_has(&c, 0, 2))
            return short_window(f, SLS_CTR_PPP_TRUNCATED,
                                SLS_CTR_PPP_BAD_HEADER);
        proto = sls__cur_be16_at(&c, 0);
        (void)sls__cur_skip(&c, 2);
    }
    for (size_t i = 0; i < sizeof(ppp_protocols) / sizeof(ppp_protocols[0]);
         i++)
        if (ppp_protocols[i].proto == proto)
            return ppp_protocols[i].fn(f, c);
    return drop(f, SLS_CTR_NOT_IP);
}

/* RFC 1662 3.1: HDLC-like framing puts address 0xFF and control 0x03 first,
 * unless Address-and-Control-Field-Compression (RFC 1661 6.6) removed
 * them. */
static int decode_ppp_hdlc(struct frame *f, sls__cur c)
{
    /* 0xFF is the all-stations address, never a compressed protocol. */
    if (sls__cur_u8_at(&c, 0) == 0xFFu) {
        if (!sls__cur_has(&c, 0, 2))
            return short_window(f, SLS_CTR_PPP_TRUNCATED,
                                SLS_CTR_PPP_BAD_HEADER);
        if (sls__cur_u8_at(&c, 1) != 0x03u)
            return drop(f, SLS_CTR_PPP_BAD_HEADER);
        (void)sls__cur_skip(&c, 2);
    }
    return decode_ppp_protocol(f, c);
}

/* RFC 2516 4 and 6: PPPoE version 1 and type 1, code 0 in the session
 * stage, the session id, then the length of the PPP frame, which starts
 * with its Protocol field (no address and control). */
static int decode_pppoe(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, PPPOE_HDR_LEN))
        return short_window(f, SLS_CTR_PPP_TRUNCATED, SLS_CTR_PPP_BAD_HEADER);
    if (sls__cur_u8_at(&c, 0) != 0x11u)
        return drop(f, SLS_CTR_PPP_BAD_HEADER);
    if (sls__cur_u8_at(&c, 1) != 0)
        return drop(f, SLS_CTR_NOT_IP); /* discovery: PADI, PADO, ... */
    size_t len = sls__cur_be16_at(&c, 4);
    (void)sls__cur_skip(&c, PPPOE_HDR_LEN);
    if (!clamp_declared(f, &c, len))
        return drop(f, SLS_CTR_PPP_BAD_HEADER);
    return decode_ppp_protocol(f, c);
}

/* ---- link --------------------------------------------------------------- */

static int is_vlan_tpid(unsigned type)
{
    return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
           type == ETHERTYPE_QINQ_OLD;
}

struct ethertype_entry {
    uint16_t type;
    link_decoder fn;
};

/* What an EtherType may announce anywhere (Ethernet, Linux cooked, Cisco
 * HDLC, GRE). */
static const struct ethertype_entry ethertypes[] = {
    {ETHERTYPE_IPV4, decode_ipv4},
    {ETHERTYPE_IPV6, decode_ipv6},
    {ETHERTYPE_MPLS_UC, decode_mpls},
    {ETHERTYPE_MPLS_MC, decode_mpls},
    {ETHERTYPE_PPPOE_SESSION, decode_pppoe},
};

/* What only GRE's protocol field announces. */
static const struct ethertype_entry gre_protocols[] = {
    {ETHERTYPE_TEB, link_ether},
    {ETHERTYPE_ERSPAN2, decode_erspan2},
    {ETHERTYPE_ERSPAN3, decode_erspan3},
    {ETHERTYPE_PPP, decode_ppp_hdlc},
};

static link_decoder ethertype_lookup(const struct ethertype_entry *t,
                                     size_t n, unsigned type)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].type == type)
            return t[i].fn;
    return NULL;
}

/* An EtherType and the bytes after it: 802.1Q/802.1ad tags (IEEE 802.1Q
 * 9.5: TCI then the next type), then the table. */
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
    link_decoder fn = ethertype_lookup(
        ethertypes, sizeof(ethertypes) / sizeof(ethertypes[0]), type);
    if (fn == NULL)
        /* ARP, LLDP, 802.3 length fields (< 0x0600, LLC follows), PPPoE
         * discovery, ... */
        return drop(f, SLS_CTR_NOT_IP);
    return fn(f, c);
}

static int decode_gre_protocol(struct frame *f, sls__cur c, unsigned type)
{
    link_decoder fn = ethertype_lookup(
        gre_protocols, sizeof(gre_protocols) / sizeof(gre_protocols[0]), type);
    if (fn == NULL)
        fn = ethertype_lookup(ethertypes,
                              sizeof(ethertypes) / sizeof(ethertypes[0]), type);
    if (fn == NULL)
        return drop(f, SLS_CTR_GRE_UNSUPPORTED);
    return fn(f, c);
}

static int link_ether(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, ETHER_HDR_LEN))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    unsigned type = sls__cur_be16_at(&c, 12);
    (void)sls__cur_skip(&c, ETHER_HDR_LEN);
    return decode_ethertype(f, c, type);
}

/* The shape nearly every frame of a SIP capture has: Ethernet II, IPv4
 * without options, unfragmented, complete, then UDP with a consistent
 * length. Its checks are those link_ether, decode_ipv4 and decode_udp make
 * on this shape, read from the same cursor with one window test for the
 * three headers and without the tables between them (callgrind: the
 * dispatches and per-layer re-checks were most of decoding). A frame
 * that fails any of them returns -1 before anything is written or
 * counted and takes the general path, which decides what it is. */
#define FAST_HDRS_LEN (ETHER_HDR_LEN + IPV4_MIN_HDR_LEN + UDP_HDR_LEN)
static inline int fast_ether_ipv4_udp(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, FAST_HDRS_LEN) ||
        sls__cur_be16_at(&c, 12) != ETHERTYPE_IPV4)
        return -1;
    (void)sls__cur_skip(&c, ETHER_HDR_LEN);
    /* Version 4, header length 5 words; protocol UDP; neither MF nor an
     * offset (RFC 791 3.1). */
    if (sls__cur_u8_at(&c, 0) != 0x45u ||
        sls__cur_u8_at(&c, 9) != IPPROTO_NUM_UDP ||
        (sls__cur_be16_at(&c, 6) & (IPV4_MF | IPV4_OFFMASK)) != 0)
        return -1;
    size_t total = sls__cur_be16_at(&c, 2);
    size_t ulen = sls__cur_be16_at(&c, IPV4_MIN_HDR_LEN + 4);
    /* The datagram is all captured (Ethernet padding after it is cut
     * off), and the UDP length fits in it (RFC 768). */
    if (total < IPV4_MIN_HDR_LEN + UDP_HDR_LEN || sls__cur_clamp(&c, total) != 0 ||
        ulen < UDP_HDR_LEN || ulen > total - IPV4_MIN_HDR_LEN)
        return -1;

    f->cut = 0;
    /* The frame is zeroed: only the four bytes and the family are set. */
    f->pkt.src.family = 4;
    f->pkt.dst.family = 4;
    (void)sls__cur_copy_at(&c, 12, f->pkt.src.bytes, 4);
    (void)sls__cur_copy_at(&c, 16, f->pkt.dst.bytes, 4);
    (void)sls__cur_skip(&c, IPV4_MIN_HDR_LEN);
    f->pkt.sport = sls__cur_be16_at(&c, 0);
    f->pkt.dport = sls__cur_be16_at(&c, 2);
    f->pkt.transport = SLS_TRANSPORT_UDP;
    f->pkt.payload_len = ulen - UDP_HDR_LEN;
    f->pkt.payload = f->pkt.payload_len > 0 ? c.p + UDP_HDR_LEN : NULL;
    sls__cur data;
    (void)sls__cur_slice(&c, UDP_HDR_LEN, f->pkt.payload_len, &data);
    return udp_payload(f, data);
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
    return decode_ip_version(f, c, SLS_CTR_LINK_TRUNCATED, SLS_CTR_NOT_IP);
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

/* Cisco HDLC (https://www.tcpdump.org/linktypes/LINKTYPE_C_HDLC.html):
 * address (0x0F unicast, 0x8F broadcast), control, EtherType. */
static int link_chdlc(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, CHDLC_HDR_LEN))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    unsigned type = sls__cur_be16_at(&c, 2);
    (void)sls__cur_skip(&c, CHDLC_HDR_LEN);
    return decode_ethertype(f, c, type);
}

/* DLT_PPP: a PPP frame, with or without the RFC 1662 address and control
 * octets. */
static int link_ppp(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, 1))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    return decode_ppp_hdlc(f, c);
}

/* DLT_PPP_SERIAL: PPP in HDLC-like framing, or Cisco HDLC on the same
 * serial link, told apart by the address octet (tcpdump print-ppp.c). */
static int link_ppp_serial(struct frame *f, sls__cur c)
{
    unsigned addr = sls__cur_u8_at(&c, 0);
    if (sls__cur_has(&c, 0, 1) && (addr == 0x0Fu || addr == 0x8Fu))
        return link_chdlc(f, c);
    return link_ppp(f, c);
}

/* DLT_PPP_ETHER: a PPPoE header without the Ethernet header. */
static int link_ppp_ether(struct frame *f, sls__cur c)
{
    if (!sls__cur_has(&c, 0, 1))
        return drop(f, SLS_CTR_LINK_TRUNCATED);
    return decode_pppoe(f, c);
}

/* Indexed by DLT (the value pcap_datalink() returns, not the LINKTYPE in
 * the file: libpcap maps LINKTYPE_RAW 101 to DLT_RAW, which is 12, or 14
 * on OpenBSD). */
#define LINK_TABLE_SIZE (DLT_LINUX_SLL2 + 1)
static const link_decoder link_table[LINK_TABLE_SIZE] = {
    [DLT_NULL] = link_null,
    [DLT_EN10MB] = link_ether,
    [DLT_PPP] = link_ppp,
    [DLT_RAW] = link_raw,
#if DLT_RAW == 12
    [14] = link_raw, /* DLT_RAW as OpenBSD numbers it */
#endif
    [DLT_PPP_SERIAL] = link_ppp_serial,
    [DLT_PPP_ETHER] = link_ppp_ether,
    [101] = link_raw, /* LINKTYPE_RAW, should a caller pass the file value */
    [DLT_C_HDLC] = link_chdlc,
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
    d->defrag = sls_defrag_new(NULL, counters);
    if (d->defrag == NULL) {
        free(d);
        return NULL;
    }
    return d;
}

void sls_decoder_free(sls_decoder *d)
{
    if (d == NULL)
        return;
    sls_defrag_free(d->defrag);
    sls__hep_inflater_free(d->hep);
    for (size_t i = 0; i < SCTP_PARTIALS; i++)
        free(d->sctp[i].buf);
    free(d);
}

void sls_decoder_finish(sls_decoder *d)
{
    sls_defrag_flush(d->defrag);
    for (size_t i = 0; i < SCTP_PARTIALS; i++)
        if (d->sctp[i].used) {
            sls_count(d->counters, SLS_CTR_SCTP_FRAGMENT); /* never completed */
            d->sctp[i].used = 0;
        }
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
    f.cut = 1; /* the window is what was captured */

    /* Capture time moves with every frame: reassemblies that waited too
     * long are dropped now (O(1) when none did). */
    sls_defrag_advance(d->defrag, ts_ns);

    sls__cur c = sls__cur_make(data, caplen);
    if (dlt == DLT_EN10MB) {
        int n = fast_ether_ipv4_udp(&f, c);
        if (n >= 0)
            return n;
    }
    link_decoder fn = link_lookup(dlt);
    if (fn == NULL)
        return drop(&f, SLS_CTR_LINK_UNSUPPORTED);
    return fn(&f, c);
}
