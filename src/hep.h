/* HEP, the Homer Encapsulation Protocol (private to src/): capture agents
 * (Kamailio/OpenSIPS siptrace, captagent, heplify) send every SIP message
 * they see to a collector in a UDP datagram, with the addresses, ports,
 * transport and time of the original packet.
 *
 * Versions 1 and 2 are a fixed binary header (struct hep_hdr of Kamailio's
 * sipcapture module, then the two addresses, then for v2 a time header);
 * version 3 is "HEP3", a total length and type-length-value chunks
 * (https://github.com/sipcapture/HEP, HEP3 Network Protocol Specification).
 * Recognising a datagram as HEP is by content alone, strictly enough that
 * neither SIP text nor random binary traffic passes for it. */
#ifndef SLS_HEP_H
#define SLS_HEP_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/counters.h"
#include "sipsleuth/packet.h"

/* Largest payload a compressed chunk may inflate to. */
#define SLS__HEP_MAX_INFLATED 65536u

/* The encapsulated packet. payload points into the datagram, or into the
 * inflater's buffer (valid until its next use). */
typedef struct sls__hep {
    unsigned version;   /* 1, 2 or 3 */
    sls_addr src, dst;
    uint16_t sport, dport;
    uint8_t transport;  /* enum sls_transport */
    uint8_t has_ts;
    int64_t ts_ns;      /* when has_ts */
    const uint8_t *payload;
    size_t payload_len;
} sls__hep;

/* State for compressed payloads (zlib or gzip), created on first use. */
typedef struct sls__hep_inflater sls__hep_inflater;

/* Accepts NULL. */
void sls__hep_inflater_free(sls__hep_inflater *z);

/* The HEP version p holds (1, 2 or 3), or 0 when it is not HEP. Version 3
 * is recognised by its "HEP3" magic; versions 1 and 2 by a fully valid
 * fixed header. */
unsigned sls__hep_detect(const uint8_t *p, size_t len);

/* Decodes the HEP datagram p (len bytes, the whole UDP payload). Returns 0
 * and fills *m when it carries a SIP message; otherwise a negative SLS_E*
 * code and *why: HEP_BAD (malformed, or a field SIP needs is missing),
 * HEP_NOT_SIP (another protocol type: RTCP, logs, QoS reports), or
 * HEP_ZLIB_ERROR (a compressed payload that does not inflate to at most
 * SLS__HEP_MAX_INFLATED bytes). *zp is created when a compressed payload
 * needs it; the caller frees it with sls__hep_inflater_free(). */
int sls__hep_decode(sls__hep_inflater **zp, const uint8_t *p, size_t len,
                    sls__hep *m, enum sls_counter *why);

#endif
