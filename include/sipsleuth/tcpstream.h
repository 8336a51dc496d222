/* TCP stream reassembly for SIP (RFC 3261 18.3: over a stream, messages are
 * framed by Content-Length), and SIP over WebSocket (RFC 7118) carried in
 * those streams.
 *
 * Per connection and direction, segments are put in sequence-number order:
 * retransmitted and overlapping bytes are used once, out-of-order segments
 * wait (bounded), a gap that is never filled is skipped and counted, and the
 * framer resynchronises at the next SIP start line. A connection picked up
 * mid-stream starts at the first SIP start line found. Several messages in
 * one segment and one message over many segments both work. FIN and RST end
 * a direction; idle streams are aged out by capture time. Streams whose
 * bytes are not SIP (HTTP on 5060, TLS, anything else) are recognised once
 * and ignored; TLS connections are counted once each (TLS_NOT_ANALYSED).
 *
 * Memory is bounded per stream and in total; whatever is evicted or
 * abandoned is counted by reason. */
#ifndef SIPSLEUTH_TCPSTREAM_H
#define SIPSLEUTH_TCPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/counters.h"
#include "sipsleuth/packet.h"
#include "sipsleuth/sipframe.h"

typedef struct sls_tcp_config {
    size_t max_stream_bytes;  /* buffered per direction: 256 KiB + body cap */
    size_t max_total_bytes;   /* buffered over all streams: 32 MiB */
    size_t max_streams;       /* directions tracked: 65536 */
    size_t max_ooo_segments;  /* out-of-order segments held per direction: 64 */
    int64_t idle_ns;          /* a direction idle this long is dropped: 300 s */
} sls_tcp_config;

void sls_tcp_config_default(sls_tcp_config *cfg);

/* Called for every SIP message framed from a stream. f points into memory
 * valid only during the call. pkt describes the segment that completed the
 * message (addresses, ports, TCP transport, its capture time); its payload
 * and payload_len are set to the message bytes (over WebSocket: the whole
 * WebSocket message). fn must not call back into the table. */
typedef void (*sls_stream_msg_fn)(void *user, const sls_sipframe *f,
                                  const sls_packet *pkt);

typedef struct sls_tcp_table sls_tcp_table;

/* counters must outlive the table. cfg NULL means defaults. Returns NULL when
 * out of memory. */
sls_tcp_table *sls_tcp_table_new(const sls_tcp_config *cfg,
                                 sls_counters *counters,
                                 sls_stream_msg_fn fn, void *user);
/* Frees everything without delivering more messages. Accepts NULL. */
void sls_tcp_table_free(sls_tcp_table *t);

/* One TCP segment (pkt->transport == SLS_TRANSPORT_TCP, flags and sequence
 * number set; payload may be empty for SYN/FIN/RST). */
void sls_tcp_segment(sls_tcp_table *t, const sls_packet *pkt);

/* Drops directions idle since before now_ns - idle_ns (counted). */
void sls_tcp_advance(sls_tcp_table *t, int64_t now_ns);

/* End of capture: frames what can still be framed, counts the rest as
 * abandoned, frees every stream. */
void sls_tcp_flush(sls_tcp_table *t);

/* Bytes buffered now, and the high-water mark. */
size_t sls_tcp_buffered(const sls_tcp_table *t);
size_t sls_tcp_peak_buffered(const sls_tcp_table *t);

#endif
