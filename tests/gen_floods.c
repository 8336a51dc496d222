/* Writes flood captures for tests/floods.sh: traffic built to make an
 * analyzer's tables and buffers grow without end, so that their ceilings
 * are measured (peak RSS) rather than assumed.
 *
 *   gen_floods KIND OUT [COUNT]      OUT "-" is standard output
 *
 * KIND:
 *   invites     COUNT (default 1000000) INVITEs over UDP, each with its own
 *               Call-ID, never answered, one every 100 us of capture time
 *               (Timer B, 32 s, passes for most of them within the capture)
 *   fragments   COUNT (default 100000) first IPv4 fragments of UDP datagrams
 *               (MF set, offset 0, 1000 bytes each) that never complete:
 *               every one has its own identification
 *   tcp-endless one TCP connection carrying COUNT (default 150000) 1400-byte
 *               segments: a SIP request line, then header lines forever,
 *               never the empty line that ends the headers (200 MB)
 *   tcp-conns   COUNT (default 100000) TCP connections (SYN, then 300 bytes
 *               of an INVITE whose headers never end), from distinct ports
 *               and addresses
 * Ethernet + IPv4, nanosecond timestamps, deterministic output. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAME 1600

typedef struct gen {
    pcap_dumper_t *out;
    int64_t ts_ns;
    uint8_t frame[MAX_FRAME];
} gen;

static void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
    be16(p, v >> 16);
    be16(p + 2, v & 0xffffu);
}

static unsigned ip_checksum(const uint8_t *h, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16)
        s = (s & 0xffffu) + (s >> 16);
    return ~s & 0xffffu;
}

/* Ethernet + IPv4 header for an IP payload of len bytes; returns the offset
 * of the IP payload. */
static size_t ether_ipv4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
                         size_t len, uint16_t id, uint16_t frag)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    memcpy(f, macs, 12);
    be16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    be16(ip + 2, (unsigned)(20 + len));
    be16(ip + 4, id);
    be16(ip + 6, frag);
    ip[8] = 64;
    ip[9] = proto;
    be32(ip + 12, src);
    be32(ip + 16, dst);
    be16(ip + 10, ip_checksum(ip, 20));
    return 34;
}

static void emit(gen *g, size_t len, int64_t step_ns)
{
    struct pcap_pkthdr h;
    g->ts_ns += step_ns;
    h.ts.tv_sec = (time_t)(g->ts_ns / 1000000000);
    h.ts.tv_usec = (suseconds_t)(g->ts_ns % 1000000000); /* ns: see main */
    h.caplen = h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)g->out, &h, g->frame);
}

static void udp_packet(gen *g, uint32_t src, uint32_t dst, uint16_t sport,
                       uint16_t dport, const char *payload, size_t n, int64_t step_ns)
{
    size_t off = ether_ipv4(g->frame, src, dst, 17, 8 + n, 1, 0);
    uint8_t *u = g->frame + off;
    be16(u, sport);
    be16(u + 2, dport);
    be16(u + 4, (unsigned)(8 + n));
    be16(u + 6, 0);
    memcpy(u + 8, payload, n);
    emit(g, off + 8 + n, step_ns);
}

static void tcp_packet(gen *g, uint32_t src, uint32_t dst, uint16_t sport,
                       uint16_t dport, uint32_t seq, uint8_t flags,
                       const char *payload, size_t n, int64_t step_ns)
{
    size_t off = ether_ipv4(g->frame, src, dst, 6, 20 + n, 1, 0x4000);
    uint8_t *t = g->frame + off;
    memset(t, 0, 20);
    be16(t, sport);
    be16(t + 2, dport);
    be32(t + 4, seq);
    t[12] = 5 << 4;
    t[13] = flags;
    be16(t + 14, 65535);
    memcpy(t + 20, payload, n);
    emit(g, off + 20 + n, step_ns);
}

#define HOST(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void invites(gen *g, unsigned long count)
{
    char msg[1024];
    for (unsigned long i = 0; i < count; i++) {
        int n = snprintf(msg, sizeof(msg),
                         "INVITE sip:%lu@flood.example SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%lx\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:caller@flood.example>;tag=f%lx\r\n"
                         "To: <sip:%lu@flood.example>\r\n"
                         "Call-ID: flood-%lu@192.0.2.1\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Content-Length: 0\r\n\r\n",
                         i, i, i, i, i);
        udp_packet(g, HOST(192, 0, 2, 1), HOST(198, 51, 100, 1), 5060, 5060, msg,
                   (size_t)n, 100000);
    }
}

static void fragments(gen *g, unsigned long count)
{
    char data[1000];
    memset(data, 'F', sizeof(data));
    for (unsigned long i = 0; i < count; i++) {
        /* A UDP header then bytes: the first fragment of a datagram whose
         * other fragments never come. */
        uint32_t src = HOST(10, 1, 0, 0) + (uint32_t)(i >> 16);
        size_t off = ether_ipv4(g->frame, src, HOST(10, 2, 0, 1), 17, sizeof(data),
                                (uint16_t)i, 0x2000);
        uint8_t *u = g->frame + off;
        memcpy(u, data, sizeof(data));
        be16(u, 5060);
        be16(u + 2, 5060);
        be16(u + 4, 3000);
        be16(u + 6, 0);
        emit(g, off + sizeof(data), 10000);
    }
}

static void tcp_endless(gen *g, unsigned long count)
{
    uint32_t c = HOST(192, 0, 2, 10), s = HOST(198, 51, 100, 10);
    uint32_t seq = 1000;
    tcp_packet(g, c, s, 40000, 5060, seq - 1, 0x02, "", 0, 1000);
    char seg[1400];
    static const char start[] = "INVITE sip:endless@flood.example SIP/2.0\r\n";
    size_t pos = 0;
    for (unsigned long i = 0; i < count; i++) {
        size_t n = 0;
        if (i == 0) {
            memcpy(seg, start, sizeof(start) - 1);
            n = sizeof(start) - 1;
        }
        while (n < sizeof(seg)) {
            /* "X-Flood-<k>: aaaa...\r\n" lines of 64 bytes, forever. */
            char line[80];
            int l = snprintf(line, sizeof(line), "X-Flood-%08zx: %-44s\r\n", pos++, "a");
            size_t take = (size_t)l < sizeof(seg) - n ? (size_t)l : sizeof(seg) - n;
            memcpy(seg + n, line, take);
            n += take;
        }
        tcp_packet(g, c, s, 40000, 5060, seq, 0x18, seg, n, 10000);
        seq += (uint32_t)n;
    }
}

static void tcp_conns(gen *g, unsigned long count)
{
    char msg[300];
    for (unsigned long i = 0; i < count; i++) {
        uint32_t c = HOST(10, 3, 0, 0) + (uint32_t)(i / 50000);
        uint16_t port = (uint16_t)(1024 + i % 50000);
        int n = snprintf(msg, sizeof(msg),
                         "INVITE sip:%lu@flood.example SIP/2.0\r\n"
                         "Via: SIP/2.0/TCP 10.3.0.1:%u;branch=z9hG4bK%lx\r\n"
                         "Call-ID: tcpflood-%lu\r\n"
                         "CSeq: 1 INVITE\r\n",
                         i, port, i, i);
        memset(msg + n, 'x', sizeof(msg) - (size_t)n);
        memcpy(msg + n, "X-Pad: ", 7);
        tcp_packet(g, c, HOST(198, 51, 100, 20), port, 5060, 99, 0x02, "", 0, 10000);
        tcp_packet(g, c, HOST(198, 51, 100, 20), port, 5060, 100, 0x18, msg, sizeof(msg),
                   10000);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: gen_floods invites|fragments|tcp-endless|tcp-conns OUT [COUNT]\n");
        return 2;
    }
    const char *kind = argv[1];
    unsigned long count = 0;
    if (argc == 4) {
        char *end;
        count = strtoul(argv[3], &end, 10);
        if (*end != '\0' || count == 0 || count > 100000000ul) {
            fprintf(stderr, "gen_floods: bad COUNT '%s'\n", argv[3]);
            return 2;
        }
    }
    void (*fn)(gen *, unsigned long);
    unsigned long dflt;
    if (strcmp(kind, "invites") == 0)
        fn = invites, dflt = 1000000;
    else if (strcmp(kind, "fragments") == 0)
        fn = fragments, dflt = 100000;
    else if (strcmp(kind, "tcp-endless") == 0)
        fn = tcp_endless, dflt = 150000;
    else if (strcmp(kind, "tcp-conns") == 0)
        fn = tcp_conns, dflt = 100000;
    else {
        fprintf(stderr, "gen_floods: unknown kind '%s'\n", kind);
        return 2;
    }
    if (count == 0)
        count = dflt;
    /* Nanosecond pcap: tv_usec carries nanoseconds with this precision. */
    pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
                                                     PCAP_TSTAMP_PRECISION_NANO);
    if (p == NULL)
        return 1;
    static gen g;
    g.out = pcap_dump_open(p, argv[2]);
    if (g.out == NULL) {
        fprintf(stderr, "gen_floods: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    g.ts_ns = INT64_C(1700000000) * 1000000000;
    fn(&g, count);
    int rc = 0;
    if (pcap_dump_flush(g.out) != 0) {
        fprintf(stderr, "gen_floods: write error\n");
        rc = 1;
    }
    pcap_dump_close(g.out);
    pcap_close(p);
    return rc;
}
