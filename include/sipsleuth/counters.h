/* Named counters: every packet or message the pipeline cannot use is counted
 * under one of these names, and the reports print them. Nothing is dropped
 * silently.
 *
 * Three kinds:
 *   OTHER     ordinary traffic that is not SIP (ARP, RTP, DNS, ...): counted
 *             so the totals add up, not a problem in the capture.
 *   SKIPPED   packets that could not be decoded down to a transport payload
 *             (truncated, bad header, unsupported carrier).
 *   MALFORMED SIP messages (a SIP start line was found) that cannot be used
 *             for transaction analysis; the name says why.
 *   ANOMALY   SIP messages that were analysed but have a defect worth
 *             reporting (for example Content-Length larger than the
 *             datagram).
 *
 * To add a counter, add one line here; reports pick it up by name. */
#ifndef SIPSLEUTH_COUNTERS_H
#define SIPSLEUTH_COUNTERS_H

#include <stdint.h>

enum sls_counter_kind {
    SLS_KIND_OTHER,
    SLS_KIND_SKIPPED,
    SLS_KIND_MALFORMED,
    SLS_KIND_ANOMALY
};

#define SLS_COUNTER_MAP(X)                                                 \
    /* not SIP: ordinary traffic */                                        \
    X(OTHER, NOT_IP, "not-ip")                                             \
    X(OTHER, IP_PROTO_OTHER, "ip-proto-other")                             \
    X(OTHER, UDP_NOT_SIP, "udp-not-sip")                                   \
    X(OTHER, TCP_NOT_SIP, "tcp-not-sip")                                   \
    X(OTHER, TCP_NO_PAYLOAD, "tcp-no-payload")                             \
    /* skipped: could not be decoded */                                    \
    X(SKIPPED, LINK_UNSUPPORTED, "link-unsupported")                       \
    X(SKIPPED, LINK_TRUNCATED, "link-truncated")                           \
    X(SKIPPED, VLAN_TRUNCATED, "vlan-truncated")                           \
    X(SKIPPED, VLAN_TOO_DEEP, "vlan-too-deep")                             \
    X(SKIPPED, IPV4_TRUNCATED, "ipv4-truncated")                           \
    X(SKIPPED, IPV4_BAD_HEADER, "ipv4-bad-header")                         \
    X(SKIPPED, IPV6_TRUNCATED, "ipv6-truncated")                           \
    X(SKIPPED, IPV6_BAD_HEADER, "ipv6-bad-header")                         \
    X(SKIPPED, IPV6_EXT_TOO_DEEP, "ipv6-ext-too-deep")                     \
    X(SKIPPED, UDP_TRUNCATED, "udp-truncated")                             \
    X(SKIPPED, UDP_BAD_LENGTH, "udp-bad-length")                           \
    X(SKIPPED, TCP_TRUNCATED, "tcp-truncated")                             \
    X(SKIPPED, TCP_BAD_HEADER, "tcp-bad-header")                           \
    X(SKIPPED, TCP_NOT_ANALYSED, "tcp-not-analysed")                       \
    /* IP reassembly (defrag.c): a held fragment counts once, */           \
    /* and each datagram dropped counts once more, by reason */            \
    X(OTHER, IPV4_FRAGMENT, "ipv4-fragment")                               \
    X(OTHER, IPV6_FRAGMENT, "ipv6-fragment")                               \
    X(OTHER, FRAG_DUPLICATE, "ip-fragment-duplicate")                      \
    X(SKIPPED, FRAG_OVERLAP, "ip-fragment-overlap")                        \
    X(SKIPPED, FRAG_BAD, "ip-fragment-bad")                                \
    X(SKIPPED, FRAG_TOO_BIG, "ip-fragment-too-big")                        \
    X(SKIPPED, FRAG_LIMIT, "ip-fragment-limit")                            \
    X(SKIPPED, FRAG_TIMEOUT, "ip-fragment-timeout")                        \
    X(SKIPPED, FRAG_INCOMPLETE, "ip-fragment-incomplete")                  \
    /* tunnels and other carriers (decode.c, hep.c) */                     \
    X(SKIPPED, ENCAP_TOO_DEEP, "encap-too-deep")                           \
    X(SKIPPED, GRE_TRUNCATED, "gre-truncated")                             \
    X(SKIPPED, GRE_BAD_HEADER, "gre-bad-header")                           \
    X(SKIPPED, GRE_UNSUPPORTED, "gre-unsupported")                         \
    X(SKIPPED, PPP_TRUNCATED, "ppp-truncated")                             \
    X(SKIPPED, PPP_BAD_HEADER, "ppp-bad-header")                           \
    X(SKIPPED, MPLS_TRUNCATED, "mpls-truncated")                           \
    X(SKIPPED, MPLS_TOO_DEEP, "mpls-too-deep")                             \
    X(SKIPPED, GTP_BAD_HEADER, "gtp-bad-header")                           \
    X(SKIPPED, SCTP_TRUNCATED, "sctp-truncated")                           \
    X(SKIPPED, SCTP_BAD_CHUNK, "sctp-bad-chunk")                           \
    X(SKIPPED, SCTP_FRAGMENT, "sctp-fragment-not-reassembled")             \
    X(OTHER, SCTP_NO_DATA, "sctp-no-data")                                 \
    X(OTHER, SCTP_NOT_SIP, "sctp-not-sip")                                 \
    X(OTHER, SCTP_FRAGMENT_HELD, "sctp-fragment")                          \
    X(SKIPPED, HEP_BAD, "hep-bad")                                         \
    X(SKIPPED, HEP_ZLIB_ERROR, "hep-zlib-error")                           \
    X(OTHER, HEP_NOT_SIP, "hep-not-sip")                                   \
    /* malformed SIP: start line found, message unusable */                \
    X(MALFORMED, SIP_BAD_START_LINE, "sip-bad-start-line")                 \
    X(MALFORMED, SIP_BAD_VERSION, "sip-bad-version")                       \
    X(MALFORMED, SIP_BAD_STATUS, "sip-bad-status-code")                    \
    X(MALFORMED, SIP_NO_HEADER_END, "sip-no-header-end")                   \
    X(MALFORMED, SIP_BAD_HEADER_LINE, "sip-bad-header-line")               \
    X(MALFORMED, SIP_TOO_MANY_HEADERS, "sip-too-many-headers")             \
    X(MALFORMED, SIP_TOO_LARGE, "sip-too-large")                           \
    X(MALFORMED, SIP_NUL_BYTE, "sip-nul-byte")                             \
    X(MALFORMED, SIP_NO_CALL_ID, "sip-no-call-id")                         \
    X(MALFORMED, SIP_MULTIPLE_CALL_ID, "sip-multiple-call-id")             \
    X(MALFORMED, SIP_BAD_CALL_ID, "sip-bad-call-id")                       \
    X(MALFORMED, SIP_NO_CSEQ, "sip-no-cseq")                               \
    X(MALFORMED, SIP_MULTIPLE_CSEQ, "sip-multiple-cseq")                   \
    X(MALFORMED, SIP_BAD_CSEQ, "sip-bad-cseq")                             \
    X(MALFORMED, SIP_CSEQ_METHOD_MISMATCH, "sip-cseq-method-mismatch")     \
    X(MALFORMED, SIP_NO_VIA, "sip-no-via")                                 \
    X(MALFORMED, SIP_BAD_VIA, "sip-bad-via")                               \
    X(MALFORMED, SIP_NO_FROM, "sip-no-from")                               \
    X(MALFORMED, SIP_BAD_FROM, "sip-bad-from")                             \
    X(MALFORMED, SIP_NO_TO, "sip-no-to")                                   \
    X(MALFORMED, SIP_BAD_TO, "sip-bad-to")                                 \
    X(MALFORMED, SIP_FIELD_TOO_LONG, "sip-field-too-long")                 \
    /* anomalies: analysed, but defective */                               \
    X(ANOMALY, SIP_BAD_CONTENT_LENGTH, "sip-bad-content-length")           \
    X(ANOMALY, SIP_CONTENT_LENGTH_EXCEEDS, "sip-content-length-exceeds")   \
    X(ANOMALY, SIP_TRAILING_BYTES, "sip-trailing-bytes")                   \
    X(ANOMALY, SIP_MULTIPLE_CONTENT_LENGTH, "sip-multiple-content-length") \
    /* TCP streams and SIP over WebSocket: counts events, never bytes */  \
    X(SKIPPED, TCP_GAP, "tcp-gap")                                         \
    X(SKIPPED, TCP_GAP_MESSAGE_CUT, "tcp-gap-message-cut")                 \
    X(SKIPPED, TCP_RESYNC, "tcp-resync")                                   \
    X(SKIPPED, TCP_MIDSTREAM_SKIP, "tcp-midstream-skip")                   \
    X(SKIPPED, TCP_ABANDONED, "tcp-abandoned-message")                     \
    X(SKIPPED, TCP_OOO_LIMIT, "tcp-ooo-limit")                             \
    X(SKIPPED, TCP_BUFFER_LIMIT, "tcp-buffer-limit")                       \
    X(SKIPPED, TCP_TOTAL_LIMIT, "tcp-total-buffer-limit")                  \
    X(SKIPPED, TCP_STREAM_LIMIT, "tcp-stream-limit")                       \
    X(SKIPPED, TLS_NOT_ANALYSED, "tls-connection-not-analysed")            \
    X(SKIPPED, WS_BAD_FRAME, "ws-bad-frame")                               \
    X(SKIPPED, WS_COMPRESSED, "ws-compressed-message")                     \
    X(OTHER, WS_NOT_SIP, "ws-message-not-sip")                             \
    X(OTHER, TCP_IDLE_EVICTED, "tcp-idle-evicted")                         \
    X(ANOMALY, TCP_OVERLAP_CONFLICT, "tcp-overlap-conflict")               \
    /* transaction table */                                                \
    X(ANOMALY, TXN_EVICTED, "txn-evicted")                                 \
    X(ANOMALY, TXN_EXTRA_FINAL, "txn-extra-final")                         \
    /* call table */                                                       \
    X(ANOMALY, CALL_EVICTED, "call-evicted")

enum sls_counter {
#define SLS__CTR_ENUM(kind, id, name) SLS_CTR_##id,
    SLS_COUNTER_MAP(SLS__CTR_ENUM)
#undef SLS__CTR_ENUM
    SLS_CTR_COUNT
};

/* Plain array of counters indexed by enum sls_counter; zero it to start. */
typedef struct sls_counters {
    uint64_t v[SLS_CTR_COUNT];
} sls_counters;

/* Stable kebab-case name of a counter ("sip-no-call-id"). */
const char *sls_counter_name(enum sls_counter c);
enum sls_counter_kind sls_counter_kind(enum sls_counter c);

static inline void sls_count(sls_counters *c, enum sls_counter id)
{
    c->v[id]++;
}

#endif
