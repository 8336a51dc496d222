/* A one-page window whose end is followed by an unreadable page: input
 * placed with guard_place() ends exactly at the boundary, so a parser that
 * reads one byte past its length crashes the test instead of passing by
 * luck (picohttpparser's test.c does the same). */
#ifndef SLS_TESTS_GUARD_H
#define SLS_TESTS_GUARD_H

#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard {
    char *base;
    size_t page;
};

static inline void guard_open(struct guard *g)
{
    long ps = sysconf(_SC_PAGESIZE);
    ck_assert_int_gt(ps, 0);
    g->page = (size_t)ps;
    /* /dev/zero rather than MAP_ANONYMOUS, which POSIX 2008 lacks. */
    int fd = open("/dev/zero", O_RDWR);
    ck_assert_int_ge(fd, 0);
    void *m = mmap(NULL, 2 * g->page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    ck_assert_ptr_ne(m, MAP_FAILED);
    g->base = m;
    ck_assert_int_eq(mprotect(g->base + g->page, g->page, PROT_NONE), 0);
}

static inline void guard_close(struct guard *g)
{
    munmap(g->base, 2 * g->page);
}

static inline const char *guard_place(struct guard *g, const char *s, size_t n)
{
    ck_assert_uint_le(n, g->page);
    char *dst = g->base + g->page - n;
    if (n > 0)
        memcpy(dst, s, n);
    return dst;
}

#endif
