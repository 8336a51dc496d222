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

/* Zeroed memory for the tables' large, randomly read arrays (slot pools,
 * index cells, the parser's memo). From SLS__BIG_MIN bytes up it is its own
 * mapping, aligned on and rounded up to SLS__HUGE_PAGE and advised for
 * transparent huge pages (madvise(MADV_HUGEPAGE)): one TLB entry then
 * covers 2 MiB instead of 4 KiB, which the tables' scattered reads of
 * megabytes need (a TLB miss per read otherwise), and one page fault maps
 * 2 MiB. Smaller sizes are calloc()'d. sls__big_free() takes the size
 * given to sls__big_alloc(). */
#define SLS__HUGE_PAGE ((size_t)2 << 20)
#define SLS__BIG_MIN ((size_t)1 << 20)
void *sls__big_alloc(size_t n);
void sls__big_free(void *p, size_t n);

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

/* Unaligned little loads, for hashes and compares of header bytes. */
static inline uint64_t sls__load64(const void *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t sls__load32(const void *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* The hash of the memo and of the tables' indexes: wyhash's construction
 * (its authors' SMHasher results), 64 x 64 -> 128-bit multiplies folded to
 * 64 bits, half the multiplies of a word-at-a-time hash. Only where values
 * sit depends on it, never what is reported. */
#define SLS__HASH_K1 0xa0761d6478bd642full
#define SLS__HASH_K2 0xe7037ed1a0b428dbull

static inline uint64_t sls__mum(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
    uint64_t h = (a ^ (b << 32 | b >> 32)) * 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31) ^ b;
#endif
}

/* Folds p[0..n) into h, 16 bytes at a time, the last words read
 * overlapping the ones before so that no byte past p[n - 1] is read and
 * every byte counts (under 8 bytes: two overlapping 4-byte words, or the
 * first, middle and last byte). Chained over the pieces of a key, each
 * piece's result seeding the next; n == 0 leaves h as it is, so the
 * caller mixes the lengths in at the end. */
static inline uint64_t sls__hash_piece(uint64_t h, const void *data, size_t n)
{
    const char *p = data;
    uint64_t a, b;
    if (n > 16) {
        const char *last = p + n - 16;
        do {
            h = sls__mum(sls__load64(p) ^ SLS__HASH_K1, sls__load64(p + 8) ^ h);
            p += 16;
        } while (p < last);
        a = sls__load64(last);
        b = sls__load64(last + 8);
    } else if (n > 8) {
        a = sls__load64(p);
        b = sls__load64(p + n - 8);
    } else if (n >= 4) {
        a = sls__load32(p);
        b = sls__load32(p + n - 4);
    } else if (n > 0) {
        a = (uint64_t)(unsigned char)p[0] << 16 | (uint64_t)(unsigned char)p[n / 2] << 8 |
            (unsigned char)p[n - 1];
        b = 0;
    } else {
        return h;
    }
    return sls__mum(a ^ SLS__HASH_K1, b ^ h);
}

/* The n (< 8) bytes at p as the word memcpy(&w, p, n) makes of them (w
 * zero before), without a variable-length memcpy: that is a call into libc
 * and was a tenth of the transaction table's instructions. back (0 or at
 * least 8 - n) readable bytes before p let one 8-byte load do. */
static inline uint64_t sls__load_tail(const unsigned char *p, size_t n, size_t back)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    if (n == 0)
        return 0;
    if (back >= 8 - n) {
        memcpy(&w, p + n - 8, 8);
        return w >> (8 * (8 - n));
    }
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return lo | (uint64_t)hi << (8 * (n - 4));
    }
    return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) |
           (uint64_t)p[n - 1] << (8 * (n - 1));
#else
    (void)back;
    uint64_t w = 0;
    memcpy(&w, p, n);
    return w;
#endif
}

/* Whether the n bytes at a and b are equal. Values up to 32 bytes (keys,
 * Call-IDs) are compared with two or four overlapping loads a side, inline:
 * a call to memcmp costs more than the comparison. */
static inline int sls__mem_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    if (n >= 8) {
        if (n > 32)
            return memcmp(a, b, n) == 0;
        uint64_t u0, w0, u1, w1;
        memcpy(&u0, x, 8);
        memcpy(&w0, y, 8);
        memcpy(&u1, x + n - 8, 8);
        memcpy(&w1, y + n - 8, 8);
        uint64_t diff = (u0 ^ w0) | (u1 ^ w1);
        if (n > 16) {
            memcpy(&u0, x + 8, 8);
            memcpy(&w0, y + 8, 8);
            memcpy(&u1, x + n - 16, 8);
            memcpy(&w1, y + n - 16, 8);
            diff |= (u0 ^ w0) | (u1 ^ w1);
        }
        return diff == 0;
    }
    if (n >= 4) {
        uint32_t u0, w0, u1, w1;
        memcpy(&u0, x, 4);
        memcpy(&w0, y, 4);
        memcpy(&u1, x + n - 4, 4);
        memcpy(&w1, y + n - 4, 4);
        return ((u0 ^ w0) | (u1 ^ w1)) == 0;
    }
    return n == 0 || (x[0] == y[0] && x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1]);
}

/* 64-bit hash of n bytes: 8 bytes at a time with a multiply-xorshift step
 * and a full avalanche at the end (fmix64 of MurmurHash3), so that keys
 * differing in one byte anywhere differ in the low bits used to index
 * tables. Keys are attacker-controlled; the tables only need to survive them
 * (bounded sizes, counted evictions), not resist them. */
static inline uint64_t sls__hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    size_t back = n >= 8 ? 8 : 0;
    uint64_t h = seed ^ 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    h ^= sls__load_tail(p, n, back);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* dst[0..n) = src[0..n) in two overlapping moves of 4, 8 or 16 bytes (16-
 * byte steps above 32), three byte stores below 4: the strings copied per
 * message (keys, tags, kept fields) are mostly 3 to 40 bytes, where a
 * memcpy call costs more than the copy itself. */
static inline void sls__copy(char *dst, const char *src, size_t n)
{
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            memcpy(dst + i, src + i, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else if (n > 0) {
        char a = src[0], b = src[n / 2], c = src[n - 1];
        dst[0] = a;
        dst[n / 2] = b;
        dst[n - 1] = c;
    }
}

#endif
