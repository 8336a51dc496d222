#include "util.h"

#include "sipsleuth/error.h"

#include <stdlib.h>
#include <sys/mman.h>

int sls__parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    if (n == 0)
        return SLS_EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return SLS_EINVAL;
        if (v > (max - d) / 10)
            return SLS_ERANGE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Rounded up to whole huge pages. */
static size_t big_len(size_t n)
{
    return (n + SLS__HUGE_PAGE - 1) & ~(SLS__HUGE_PAGE - 1);
}

void *sls__big_alloc(size_t n)
{
    if (n < SLS__BIG_MIN)
        return calloc(1, n);
    size_t len = big_len(n);
    if (len < n || len + SLS__HUGE_PAGE < len)
        return NULL;
    /* Map one huge page more than needed and give back what lies before
     * and after the first aligned address: the kernel can only back a
     * range aligned on its huge page size with huge pages. */
    char *raw = mmap(NULL, len + SLS__HUGE_PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)raw + SLS__HUGE_PAGE - 1) & ~(uintptr_t)(SLS__HUGE_PAGE - 1);
    char *p = raw + (a - (uintptr_t)raw);
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    size_t tail = (size_t)((raw + len + SLS__HUGE_PAGE) - (p + len));
    if (tail > 0)
        munmap(p + len, tail);
#ifdef MADV_HUGEPAGE
    (void)madvise(p, len, MADV_HUGEPAGE); /* advice: without it, 4 KiB pages */
#endif
    return p;
}

void sls__big_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    if (n < SLS__BIG_MIN)
        free(p);
    else
        munmap(p, big_len(n));
}
