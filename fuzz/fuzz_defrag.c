/* IP fragment reassembly (defrag.h) from a sequence of fragments.
 *
 * Input layout: one byte of configuration (bit 0: tiny limits, so that every
 * ceiling and drop path runs), then fragments, each a 6-byte header and its
 * data:
 *   0     bits 0-1 datagram (4 of them), bit 2 IPv6, bit 3 more fragments,
 *         bit 4 the capture clock jumps 40 s first (timeout), bit 5 TCP
 *         instead of UDP, bit 6 the second source address
 *   1-2   offset in 8-byte units, big-endian
 *   3-4   data length, big-endian (cut to what is left of the input)
 *   5     added to the datagram's identification
 * Every fragment is copied into an exact-size heap block. A reassembled
 * datagram is read to its last byte and must fit the 65535-byte bound. */
#include "fuzz.h"

#include "sipsleuth/defrag.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sls_defrag_config cfg;
    sls_defrag_config_default(&cfg);
    if (data[0] & 1) {
        cfg.max_datagrams = 2;
        cfg.max_bytes = 4096;
        cfg.max_fragments = 4;
    }
    sls_counters counters;
    memset(&counters, 0, sizeof(counters));
    sls_defrag *d = sls_defrag_new(&cfg, &counters);
    if (d == NULL)
        return 0;

    int64_t ts = INT64_C(1700000000) * SLS_NS_PER_S;
    volatile unsigned sum = 0;
    size_t off = 1;
    while (off + 6 <= size) {
        const uint8_t *h = data + off;
        off += 6;
        size_t len = (size_t)((h[3] << 8) | h[4]);
        if (len > size - off)
            len = size - off;
        if (h[0] & 16u)
            ts += 40 * SLS_NS_PER_S;
        ts += SLS_NS_PER_S / 1000;

        sls_addr src = {0}, dst = {0};
        src.family = dst.family = (h[0] & 4u) ? 6 : 4;
        src.bytes[0] = dst.bytes[0] = 10;
        src.bytes[3] = (h[0] & 64u) ? 2 : 1;
        dst.bytes[3] = 9;
        uint8_t proto = (h[0] & 32u) ? 6 : 17;
        uint32_t id = 0x1000u + (h[0] & 3u) * 0x100u + h[5];
        uint32_t offset = (uint32_t)((h[1] << 8) | h[2]) * 8u;

        uint8_t *frag = malloc(len > 0 ? len : 1); /* exact size */
        if (frag == NULL)
            break;
        memcpy(frag, data + off, len);
        off += len;
        const uint8_t *out = NULL;
        size_t out_len = 0;
        int rc = sls_defrag_add(d, ts, &src, &dst, proto, id, offset, (h[0] & 8u) != 0,
                                frag, len, &out, &out_len);
        free(frag);
        CHECK(rc == 0 || rc == 1);
        if (rc == 1) {
            CHECK(out != NULL || out_len == 0);
            CHECK(out_len <= 65535);
            for (size_t i = 0; i < out_len; i++)
                sum += out[i];
        }
        sls_defrag_advance(d, ts);
        CHECK(sls_defrag_pending(d) <= cfg.max_datagrams);
    }
    (void)sum;
    sls_defrag_free(d);
    return 0;
}
