/* Small shared helpers (private). */
#ifndef SIPSLEUTH_UTIL_H
#define SIPSLEUTH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 1 for the bytes of RFC 3261 25.1 token (tchar), else 0. */
extern const uint8_t sls__tchar[256];

/* Strict decimal: digits only, no sign, no white space, at least one digit,
 * value <= max. Returns 0 and *out, or SLS_ERANGE / SLS_EINVAL. */
int sls__parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out);

/* a + b for capture times and durations, saturating instead of overflowing
 * (a capture can carry a timestamp near the end of int64 nanoseconds). */
static inline int64_t sls__sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/* 64-bit hash of n bytes: 8 bytes at a time with a multiply-xorshift step
 * and a full avalanche at the end (fmix64 of MurmurHash3), so that keys
 * differing in one byte anywhere differ in the low bits used to index
 * tables. Keys are attacker-controlled; the tables only need to survive them
 * (bounded sizes, counted evictions), not resist them. */
static inline uint64_t sls__hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h ^= w;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

#endif
