/* IPv4 and IPv6 fragment reassembly (RFC 791 3.2, RFC 8200 4.5).
 *
 * Fragments are kept per datagram (source, destination, protocol and
 * identification), sorted by offset. Overlapping fragments are rejected and
 * the datagram dropped (RFC 5722 for IPv6; for IPv4 an overlap is treated
 * the same way, because it is the classic evasion and never legitimate),
 * duplicates (same offset, same bytes) are ignored, holes are detected by
 * the offsets, and a datagram whose fragments have not all come within the
 * timeout (capture time) is dropped. Every drop is counted by reason.
 * Memory is bounded per datagram (65535 bytes of payload) and in total. */
#ifndef SIPSLEUTH_DEFRAG_H
#define SIPSLEUTH_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/counters.h"
#include "sipsleuth/packet.h"

typedef struct sls_defrag_config {
    int64_t timeout_ns;     /* 30 s (RFC 8200 4.5: 60 s; Linux ipfrag_time 30 s) */
    size_t max_datagrams;   /* datagrams being reassembled: 10000 */
    size_t max_bytes;       /* fragment bytes held in total: 16 MiB */
    size_t max_fragments;   /* fragments per datagram: 64 */
} sls_defrag_config;

void sls_defrag_config_default(sls_defrag_config *cfg);

typedef struct sls_defrag sls_defrag;

/* cfg NULL means defaults; a zero limit or timeout is invalid. counters must
 * outlive d. Returns NULL on invalid arguments or when out of memory. */
sls_defrag *sls_defrag_new(const sls_defrag_config *cfg, sls_counters *counters);
/* Frees every datagram in progress without counting them. Accepts NULL. */
void sls_defrag_free(sls_defrag *d);

/* One fragment of an IP datagram: the addresses (family 4 or 6), the upper
 * protocol, the identification, the offset in bytes, whether more fragments
 * follow, and the fragment's payload (after the IP header and, for IPv6, the
 * Fragment header). Returns:
 *   1  the datagram is complete: *out and *out_len give its payload (the
 *      transport header onwards), valid until the next call on d;
 *   0  held (or dropped: counted).
 * Each call returning 0 counts exactly one counter: IPV4_FRAGMENT or
 * IPV6_FRAGMENT when the fragment is held, else why it was not
 * (FRAG_DUPLICATE, FRAG_OVERLAP, FRAG_BAD, FRAG_TOO_BIG, FRAG_LIMIT). Other
 * datagrams evicted to make room count FRAG_LIMIT each, and expired ones
 * FRAG_TIMEOUT. data may point into the previous *out.
 */
int sls_defrag_add(sls_defrag *d, int64_t ts_ns, const sls_addr *src,
                   const sls_addr *dst, uint8_t proto, uint32_t id,
                   uint32_t offset, int more, const uint8_t *data, size_t len,
                   const uint8_t **out, size_t *out_len);

/* Drops datagrams older than the timeout at now_ns (counted). */
void sls_defrag_advance(sls_defrag *d, int64_t now_ns);

/* End of capture: drops every datagram still missing fragments, each counted
 * as FRAG_INCOMPLETE. */
void sls_defrag_flush(sls_defrag *d);

/* Datagrams in progress. */
size_t sls_defrag_pending(const sls_defrag *d);

#endif
