/* Bounds-checked byte cursor over captured packet bytes (private to src/).
 *
 * A cursor is a window of len readable bytes starting at p. Packet bytes are
 * read only through these functions: big-endian integers are assembled byte
 * by byte, so no struct is ever cast onto packet memory (alignment, padding
 * and byte order stay out of the picture).
 *
 * Why the window test compares sizes and never pointers: "p + n > end" is
 * undefined behaviour when p + n points past the object, so a compiler may
 * fold it to "n > end - p" or drop it altogether; tcpdump rewrote its
 * ND_TTEST_LEN on uintptr_t for that reason. Here the window is a length, and
 * "off <= len && n <= len - off" involves no pointer arithmetic before the
 * test succeeds and cannot overflow.
 *
 * Two styles of read:
 *  - fixed-offset reads (sls__cur_be16_at) for headers whose size the caller
 *    checked once with sls__cur_has(); a read outside the window returns 0
 *    instead of touching memory, so a forgotten check gives a wrong value,
 *    never an overread;
 *  - sequential reads (sls__cur_read_be16, sls__cur_skip) that advance the
 *    cursor and return SLS_ERANGE, leaving it unchanged, when too short.
 *
 * The cursor never owns the bytes; it is valid as long as they are. */
#ifndef SLS_CURSOR_H
#define SLS_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sipsleuth/error.h"

typedef struct sls__cur {
    const uint8_t *p; /* first byte of the window */
    size_t len;       /* readable bytes from p */
} sls__cur;

static inline sls__cur sls__cur_make(const uint8_t *p, size_t len)
{
    sls__cur c;
    c.p = len > 0 ? p : NULL;
    c.len = p != NULL ? len : 0;
    return c;
}

static inline size_t sls__cur_remaining(const sls__cur *c)
{
    return c->len;
}

/* Start of the window; NULL when it is empty. */
static inline const uint8_t *sls__cur_ptr(const sls__cur *c)
{
    return c->len > 0 ? c->p : NULL;
}

/* 1 when the n bytes at off are inside the window, 0 otherwise. */
static inline int sls__cur_has(const sls__cur *c, size_t off, size_t n)
{
    return off <= c->len && n <= c->len - off;
}

static inline uint8_t sls__cur_u8_at(const sls__cur *c, size_t off)
{
    if (!sls__cur_has(c, off, 1))
        return 0;
    return c->p[off];
}

static inline uint16_t sls__cur_be16_at(const sls__cur *c, size_t off)
{
    if (!sls__cur_has(c, off, 2))
        return 0;
    const uint8_t *b = c->p + off;
    return (uint16_t)((unsigned)b[0] << 8 | (unsigned)b[1]);
}

static inline uint32_t sls__cur_be32_at(const sls__cur *c, size_t off)
{
    if (!sls__cur_has(c, off, 4))
        return 0;
    const uint8_t *b = c->p + off;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
           (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Copies the n bytes at off into dst; SLS_ERANGE (dst untouched) when they
 * are not all inside the window. */
static inline int sls__cur_copy_at(const sls__cur *c, size_t off, void *dst,
                                   size_t n)
{
    if (!sls__cur_has(c, off, n))
        return SLS_ERANGE;
    if (n > 0)
        memcpy(dst, c->p + off, n);
    return 0;
}

/* Advances past n bytes; SLS_ERANGE (cursor unchanged) when fewer remain. */
static inline int sls__cur_skip(sls__cur *c, size_t n)
{
    if (!sls__cur_has(c, 0, n))
        return SLS_ERANGE;
    c->len -= n;
    c->p = c->len > 0 ? c->p + n : NULL;
    return 0;
}

static inline int sls__cur_read_u8(sls__cur *c, uint8_t *v)
{
    if (!sls__cur_has(c, 0, 1))
        return SLS_ERANGE;
    *v = sls__cur_u8_at(c, 0);
    return sls__cur_skip(c, 1);
}

static inline int sls__cur_read_be16(sls__cur *c, uint16_t *v)
{
    if (!sls__cur_has(c, 0, 2))
        return SLS_ERANGE;
    *v = sls__cur_be16_at(c, 0);
    return sls__cur_skip(c, 2);
}

static inline int sls__cur_read_be32(sls__cur *c, uint32_t *v)
{
    if (!sls__cur_has(c, 0, 4))
        return SLS_ERANGE;
    *v = sls__cur_be32_at(c, 0);
    return sls__cur_skip(c, 4);
}

/* Sub-window of exactly n bytes at off, into *out; SLS_ERANGE (*out
 * untouched) when they are not all inside the window. */
static inline int sls__cur_slice(const sls__cur *c, size_t off, size_t n,
                                 sls__cur *out)
{
    if (!sls__cur_has(c, off, n))
        return SLS_ERANGE;
    *out = sls__cur_make(n > 0 ? c->p + off : NULL, n);
    return 0;
}

/* Clamps the window to a length declared by a protocol header, so bytes
 * after it (Ethernet padding, trailers) never reach the next layer.
 * Returns 1 when fewer bytes were captured than declared (the window is then
 * left as it is: the capture was cut short, or the field lies), 0 otherwise. */
static inline int sls__cur_clamp(sls__cur *c, size_t declared)
{
    if (declared > c->len)
        return 1;
    c->len = declared;
    if (declared == 0)
        c->p = NULL;
    return 0;
}

#endif
