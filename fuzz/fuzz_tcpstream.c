/* TCP stream reassembly (tcpstream.h) from a sequence of segments.
 *
 * Input layout: one byte of configuration (bit 0: tiny limits, so that every
 * ceiling and eviction path runs), then segments, each a 6-byte header and
 * its payload:
 *   0     TCP flags (FIN SYN RST PSH ACK, the low 5 bits)
 *   1     bit 0 direction, bits 1-2 connection (4 of them), bit 3 the
 *         capture clock jumps 400 s first (idle ageing), bit 4 IPv6
 *   2-3   sequence delta, signed big-endian, from the next byte expected in
 *         that direction (0: in order; <0 retransmission or overlap; >0 gap)
 *   4-5   payload length, big-endian (cut to what is left of the input)
 * Initial sequence numbers sit just below 2^32 so that wrap-around happens
 * within the first few kilobytes. Every payload is copied into an exact-size
 * heap block. Each framed message has its slices read and is handed to the
 * libosip2 adapter, as the analyzer would. */
#include "fuzz.h"

#include "sipsleuth/sipmsg.h"
#include "sipsleuth/tcpstream.h"
#include "sipsleuth/txn.h" /* SLS_NS_PER_S */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__,         \
                    __LINE__, #cond);                                         \
            abort();                                                          \
        }                                                                     \
    } while (0)

typedef struct harness {
    sls_sipparser *parser;
    unsigned long messages;
    unsigned sum;
} harness;

static unsigned touch(sls_slice s)
{
    unsigned sum = 0;
    for (size_t i = 0; i < s.n; i++)
        sum += (unsigned char)s.p[i];
    return sum;
}

static void on_message(void *user, const sls_sipframe *f, const sls_packet *pkt)
{
    harness *h = user;
    CHECK(pkt->transport == SLS_TRANSPORT_TCP);
    CHECK(f->nheaders <= SLS_SIPFRAME_MAX_HEADERS);
    CHECK(f->header_len <= f->msg_len);
    h->sum += touch(f->method) + touch(f->uri) + touch(f->reason) + touch(f->body);
    for (size_t i = 0; i < f->nheaders; i++)
        h->sum += touch(f->headers[i].name) + touch(f->headers[i].value);
    for (size_t i = 0; i < pkt->payload_len; i++)
        h->sum += pkt->payload[i];
    sls_sipmsg m;
    if (sls_sipparser_parse(h->parser, f, &m) == 0)
        h->sum += (unsigned)m.call_id.n;
    h->messages++;
}

static uint32_t isn(unsigned conn, unsigned dir)
{
    return UINT32_C(0xfffff000) + conn * 7919u + dir * 104729u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sls_tcp_config cfg;
    sls_tcp_config_default(&cfg);
    if (data[0] & 1) {
        cfg.max_stream_bytes = 2048;
        cfg.max_total_bytes = 4096;
        cfg.max_streams = 3;
        cfg.max_ooo_segments = 2;
    }
    sls_counters counters;
    memset(&counters, 0, sizeof(counters));
    harness h = {0};
    h.parser = sls_sipparser_new();
    sls_tcp_table *t = sls_tcp_table_new(&cfg, &counters, on_message, &h);
    if (h.parser == NULL || t == NULL)
        goto out;

    uint32_t next[4][2];
    for (unsigned c = 0; c < 4; c++)
        for (unsigned d = 0; d < 2; d++)
            next[c][d] = isn(c, d);
    int64_t ts = INT64_C(1700000000) * SLS_NS_PER_S;
    uint64_t frame_no = 0;
    size_t off = 1;
    while (off + 6 <= size) {
        const uint8_t *hd = data + off;
        off += 6;
        unsigned dir = hd[1] & 1u, conn = (hd[1] >> 1) & 3u;
        int16_t delta = (int16_t)(uint16_t)((hd[2] << 8) | hd[3]);
        size_t len = (size_t)((hd[4] << 8) | hd[5]);
        if (len > size - off)
            len = size - off;
        if (hd[1] & 8u)
            ts += 400 * SLS_NS_PER_S;
        ts += SLS_NS_PER_S / 1000;

        sls_packet p;
        memset(&p, 0, sizeof(p));
        p.ts_ns = ts;
        p.frame_no = ++frame_no;
        p.transport = SLS_TRANSPORT_TCP;
        p.tcp_flags = hd[0] & 0x1fu;
        p.tcp_seq = next[conn][dir] + (uint32_t)(int32_t)delta;
        sls_addr client = {0}, server = {0};
        if (hd[1] & 16u) {
            client.family = server.family = 6;
            client.bytes[0] = server.bytes[0] = 0x20;
            client.bytes[15] = (uint8_t)(1 + conn);
            server.bytes[15] = 0x99;
        } else {
            client.family = server.family = 4;
            client.bytes[0] = server.bytes[0] = 10;
            client.bytes[3] = (uint8_t)(1 + conn);
            server.bytes[3] = 0x99;
        }
        p.src = dir ? server : client;
        p.dst = dir ? client : server;
        p.sport = dir ? 5060 : (uint16_t)(40000 + conn);
        p.dport = dir ? (uint16_t)(40000 + conn) : 5060;

        uint8_t *payload = malloc(len > 0 ? len : 1); /* exact size */
        if (payload == NULL)
            break;
        memcpy(payload, data + off, len);
        off += len;
        p.payload = payload;
        p.payload_len = len;
        sls_tcp_segment(t, &p);
        free(payload);

        uint32_t end = p.tcp_seq + (uint32_t)len +
                       ((p.tcp_flags & (SLS_TCP_SYN | SLS_TCP_FIN)) ? 1u : 0u);
        if ((int32_t)(end - next[conn][dir]) > 0)
            next[conn][dir] = end;
        sls_tcp_advance(t, ts);
        /* Memory is bounded in total: at most one segment over the ceiling
         * while it is being placed. */
        CHECK(sls_tcp_buffered(t) <= cfg.max_total_bytes + 65536);
    }
    sls_tcp_flush(t);
    CHECK(sls_tcp_buffered(t) == 0);
out:
    sls_tcp_table_free(t);
    sls_sipparser_free(h.parser);
    return 0;
}
