/* What the decoding stages hand to the SIP stages: one transport payload
 * with its endpoints and capture time. Every pointer in an sls_packet points
 * into memory owned by the caller of the sink and is valid only for the
 * duration of the sink call. */
#ifndef SIPSLEUTH_PACKET_H
#define SIPSLEUTH_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* An IPv4 address is stored in bytes[0..3], family 4; IPv6 in bytes[0..15],
 * family 6. Unused bytes are zero so that addresses compare with memcmp. */
typedef struct sls_addr {
    uint8_t family;
    uint8_t bytes[16];
} sls_addr;

enum sls_transport {
    SLS_TRANSPORT_UDP = 1,
    SLS_TRANSPORT_TCP = 2,
    SLS_TRANSPORT_SCTP = 3
};

/* TCP flag bits as on the wire (RFC 9293). */
#define SLS_TCP_FIN 0x01u
#define SLS_TCP_SYN 0x02u
#define SLS_TCP_RST 0x04u
#define SLS_TCP_PSH 0x08u
#define SLS_TCP_ACK 0x10u

typedef struct sls_packet {
    int64_t ts_ns;      /* capture time, ns since the Unix epoch (UTC) */
    uint64_t frame_no;  /* 1-based packet number in the merged input */
    sls_addr src, dst;
    uint16_t sport, dport;
    uint8_t transport;  /* enum sls_transport */
    uint8_t tcp_flags;  /* TCP only */
    uint8_t whole;      /* 1: the payload is one whole message whatever the
                           transport (HEP carries TCP messages this way), so
                           it is framed like a datagram, not reassembled */
    uint32_t tcp_seq;   /* TCP only */
    const uint8_t *payload;
    size_t payload_len;
} sls_packet;

/* Writes "1.2.3.4" or "2001:db8::1" into buf (at least 46 bytes). */
void sls_addr_format(const sls_addr *a, char *buf, size_t buflen);
/* Writes "1.2.3.4:5060" or "[2001:db8::1]:5060" into buf (at least 54 bytes). */
void sls_addr_port_format(const sls_addr *a, uint16_t port, char *buf, size_t buflen);

#endif
