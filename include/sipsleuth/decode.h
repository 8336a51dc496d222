/* Link, network and transport decoding: from a captured frame to transport
 * payloads (UDP datagrams, TCP segments, SCTP user messages).
 *
 * Supported link types (dispatched by table on the DLT): Ethernet with any
 * number (up to 8) of 802.1Q / 802.1ad (QinQ) tags, Linux cooked capture v1
 * (SLL) and v2 (SLL2), raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6), BSD loopback
 * (DLT_NULL, DLT_LOOP), PPP (DLT_PPP, DLT_PPP_SERIAL, DLT_PPP_ETHER) and
 * Cisco HDLC. Between link and network: MPLS label stacks and PPPoE
 * sessions. Network: IPv4 (options skipped), IPv6 (extension headers
 * skipped), both reassembled from fragments (defrag.h). Tunnels: IP in IP
 * (4 and 41, over IPv4 or IPv6), GRE (with key, sequence, checksum;
 * Ethernet bridging, ERSPAN types I, II and III, PPTP), VXLAN, GTP-U
 * G-PDUs; HEP v1/v2/v3 datagrams on any UDP port deliver the SIP message
 * they carry with its original endpoints, transport and time. Tunnels nest
 * up to 4 deep. Each layer is clamped to its declared length before the
 * next one is decoded, so Ethernet padding never reaches the payload.
 *
 * Every frame that does not produce a payload is counted under exactly one
 * named counter (counters.h): a fragment held for reassembly too. An SCTP
 * packet counts each of its DATA chunks that is not delivered. Datagrams
 * the reassembler drops later (timeout, eviction) are counted when that
 * happens. All reads go through a bounds-checked cursor. */
#ifndef SIPSLEUTH_DECODE_H
#define SIPSLEUTH_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/counters.h"
#include "sipsleuth/packet.h"

/* Called once per transport payload found in a frame. The packet and its
 * payload are valid only during the call. */
typedef void (*sls_packet_sink)(void *user, const sls_packet *pkt);

typedef struct sls_decoder sls_decoder;

/* counters must outlive the decoder. Returns NULL when out of memory. */
sls_decoder *sls_decoder_new(sls_counters *counters, sls_packet_sink sink,
                             void *user);
/* Accepts NULL. Datagrams still being reassembled are freed uncounted:
 * call sls_decoder_finish() first to count them. */
void sls_decoder_free(sls_decoder *d);

/* End of capture: IP datagrams still missing fragments are dropped and
 * counted (FRAG_INCOMPLETE). */
void sls_decoder_finish(sls_decoder *d);

/* 1 when the DLT has a decoder, 0 otherwise. */
int sls_decode_linktype_supported(int dlt);

/* Decodes one frame, calling the sink for each payload it carries (zero or
 * one; one per DATA chunk for SCTP; a fragment completing a datagram
 * delivers the datagram's payload, with this frame's time). frame_no is
 * copied to the packets. Returns the number of payloads delivered (>= 0).
 * ts_ns is capture time: it ages the reassembly state.
 * A frame on an unsupported link type counts LINK_UNSUPPORTED. */
int sls_decode_frame(sls_decoder *d, int dlt, int64_t ts_ns,
                     uint64_t frame_no, const uint8_t *data, size_t caplen);

#endif
