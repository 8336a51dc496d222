/* IP reassembly, lwIP style (test/unit/ip4/test_ip4.c): fragments are fed
 * in every order and the counters are asserted after each one. Fragment
 * bytes are copied to the very end of a readable page first, so that any
 * read past a fragment crashes the test. */
#include "sipsleuth/counters.h"
#include "sipsleuth/defrag.h"
#include "sipsleuth/packet.h"
#include "sls_check.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define S INT64_C(1000000000)
#define T0 (INT64_C(1700000000) * S)

/* ---- fixture ---------------------------------------------------------------- */

static uint8_t *guard_map;
static size_t guard_span, guard_page;
static sls_counters ctr;
static sls_defrag *df;
static uint8_t dgram[70000]; /* the datagram being cut into fragments */

static void guard_setup(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    ck_assert_int_gt(ps, 0);
    guard_page = (size_t)ps;
    guard_span = (70000 + guard_page - 1) / guard_page * guard_page;
    void *m = mmap(NULL, guard_span + guard_page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(m, MAP_FAILED);
    guard_map = m;
    ck_assert_int_eq(mprotect(guard_map + guard_span, guard_page, PROT_NONE),
                     0);
    for (size_t i = 0; i < sizeof(dgram); i++)
        dgram[i] = (uint8_t)(i * 7u + i / 251u + 3u);
    memset(&ctr, 0, sizeof(ctr));
    df = sls_defrag_new(NULL, &ctr);
    ck_assert_ptr_nonnull(df);
}

static void guard_teardown(void)
{
    sls_defrag_free(df);
    df = NULL;
    munmap(guard_map, guard_span + guard_page);
}

/* Replaces the fixture's reassembler by one with these limits. */
static void use_config(size_t max_datagrams, size_t max_bytes,
                       size_t max_fragments)
{
    sls_defrag_config cfg;
    sls_defrag_config_default(&cfg);
    if (max_datagrams)
        cfg.max_datagrams = max_datagrams;
    if (max_bytes)
        cfg.max_bytes = max_bytes;
    if (max_fragments)
        cfg.max_fragments = max_fragments;
    sls_defrag_free(df);
    df = sls_defrag_new(&cfg, &ctr);
    ck_assert_ptr_nonnull(df);
}

static uint64_t total(void)
{
    uint64_t t = 0;
    for (int i = 0; i < SLS_CTR_COUNT; i++)
        t += ctr.v[i];
    return t;
}

/* Counters other than those named are all zero. */
static void assert_counts(uint64_t held4, uint64_t held6, uint64_t dup,
                          uint64_t overlap, uint64_t bad, uint64_t big,
                          uint64_t limit, uint64_t timeout)
{
    ck_assert_uint_eq(ctr.v[SLS_CTR_IPV4_FRAGMENT], held4);
    ck_assert_uint_eq(ctr.v[SLS_CTR_IPV6_FRAGMENT], held6);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_DUPLICATE], dup);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_OVERLAP], overlap);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_BAD], bad);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_TOO_BIG], big);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_LIMIT], limit);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_TIMEOUT], timeout);
    ck_assert_uint_eq(total(), held4 + held6 + dup + overlap + bad + big +
                                   limit + timeout +
                                   ctr.v[SLS_CTR_FRAG_INCOMPLETE]);
}

static const sls_addr SRC4 = {4, {192, 0, 2, 1}};
static const sls_addr DST4 = {4, {198, 51, 100, 2}};
static const sls_addr SRC6 = {6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 1}};
static const sls_addr DST6 = {6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 2}};

static const uint8_t *last_out;
static size_t last_len;

/* Feeds dgram[off, off + len) as a fragment of datagram id (IPv4, UDP),
 * from the end of the readable page. */
static int add_from(const sls_addr *src, const sls_addr *dst, uint8_t proto,
                    int64_t ts, uint32_t id, uint32_t off, size_t len,
                    int more, const uint8_t *bytes)
{
    ck_assert_uint_le(len, guard_span);
    uint8_t *p = guard_map + guard_span - len;
    memcpy(p, bytes, len);
    last_out = NULL;
    last_len = 0;
    int rc = sls_defrag_add(df, ts, src, dst, proto, id, off, more, p, len,
                            &last_out, &last_len);
    ck_assert(rc == 0 || rc == 1);
    if (rc == 1) {
        ck_assert_ptr_nonnull(last_out);
        ck_assert_uint_gt(last_len, 0);
    }
    return rc;
}

static int add(int64_t ts, uint32_t id, uint32_t off, size_t len, int more)
{
    return add_from(&SRC4, &DST4, 17, ts, id, off, len, more, dgram + off);
}

static void assert_whole(size_t len)
{
    ck_assert_uint_eq(last_len, len);
    ck_assert_mem_eq(last_out, dgram, len);
}

/* ---- order ------------------------------------------------------------------ */

START_TEST(test_in_order_fragments_complete_on_the_last)
{
    ck_assert_int_eq(add(T0, 1, 0, 1480, 1), 0);
    assert_counts(1, 0, 0, 0, 0, 0, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
    ck_assert_int_eq(add(T0 + 1, 1, 1480, 1480, 1), 0);
    assert_counts(2, 0, 0, 0, 0, 0, 0, 0);
    ck_assert_int_eq(add(T0 + 2, 1, 2960, 333, 0), 1);
    assert_counts(2, 0, 0, 0, 0, 0, 0, 0);
    assert_whole(2960 + 333);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
}
END_TEST

/* Every order of three fragments: only the third completes. */
static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

START_TEST(test_every_order_of_three_fragments)
{
    static const uint32_t offs[3] = {0, 1480, 2960};
    static const size_t lens[3] = {1480, 1480, 100};
    for (int k = 0; k < 3; k++) {
        int i = perms[_i][k];
        int rc = add(T0 + k, 7, offs[i], lens[i], i != 2);
        ck_assert_int_eq(rc, k == 2);
        assert_counts(k < 2 ? (uint64_t)k + 1 : 2, 0, 0, 0, 0, 0, 0, 0);
    }
    assert_whole(3060);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
}
END_TEST

START_TEST(test_single_fragment_datagram_completes_at_once)
{
    /* offset 0, M clear: the caller does not usually ask, but it is a
     * whole datagram */
    ck_assert_int_eq(add(T0, 3, 0, 500, 0), 1);
    assert_whole(500);
    assert_counts(0, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(test_interleaved_datagrams_do_not_mix)
{
    /* same addresses, two ids; then same id, other protocol; then other
     * source */
    ck_assert_int_eq(add(T0, 10, 0, 16, 1), 0);
    ck_assert_int_eq(add(T0, 11, 0, 16, 1), 0);
    ck_assert_int_eq(add_from(&SRC4, &DST4, 6, T0, 10, 16, 8, 0, dgram + 16),
                     0);
    sls_addr other = SRC4;
    other.bytes[3] = 9;
    ck_assert_int_eq(add_from(&other, &DST4, 17, T0, 10, 16, 8, 0, dgram + 16),
                     0);
    ck_assert_uint_eq(sls_defrag_pending(df), 4);
    ck_assert_int_eq(add(T0, 11, 16, 8, 0), 1);
    assert_whole(24);
    ck_assert_int_eq(add(T0, 10, 16, 8, 0), 1);
    assert_whole(24);
    ck_assert_uint_eq(sls_defrag_pending(df), 2);
    assert_counts(4, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

/* ---- duplicates and overlaps ------------------------------------------------- */

START_TEST(test_duplicate_fragment_is_ignored_and_counted)
{
    ck_assert_int_eq(add(T0, 1, 0, 800, 1), 0);
    ck_assert_int_eq(add(T0, 1, 0, 800, 1), 0);
    assert_counts(1, 0, 1, 0, 0, 0, 0, 0);
    ck_assert_int_eq(add(T0, 1, 1600, 50, 0), 0);
    ck_assert_int_eq(add(T0, 1, 1600, 50, 0), 0); /* the last one again */
    assert_counts(2, 0, 2, 0, 0, 0, 0, 0);
    ck_assert_int_eq(add(T0, 1, 800, 800, 1), 1);
    assert_whole(1650);
    assert_counts(2, 0, 2, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(test_same_place_other_bytes_is_an_overlap)
{
    ck_assert_int_eq(add(T0, 1, 0, 800, 1), 0);
    uint8_t other[800];
    memcpy(other, dgram, sizeof(other));
    other[799] ^= 1;
    ck_assert_int_eq(add_from(&SRC4, &DST4, 17, T0, 1, 0, 800, 1, other), 0);
    assert_counts(1, 0, 0, 1, 0, 0, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
}
END_TEST

/* Overlaps with the fragment before and with the one after, and one that
 * covers a held fragment entirely: each drops the datagram (RFC 5722). */
static const struct {
    uint32_t off;
    size_t len;
} overlaps[] = {{800, 400}, {1200, 408}, {720, 1000}, {0, 2400}, {1160, 48}};

START_TEST(test_overlaps_drop_the_datagram)
{
    ck_assert_int_eq(add(T0, 5, 0, 808, 1), 0);    /* [0, 808) */
    ck_assert_int_eq(add(T0, 5, 1600, 400, 1), 0); /* [1600, 2000) */
    ck_assert_int_eq(add(T0, 5, 1200, 80, 1), 0);  /* [1200, 1280) */
    assert_counts(3, 0, 0, 0, 0, 0, 0, 0);
    int rc = add(T0, 5, overlaps[_i].off, overlaps[_i].len, 1);
    ck_assert_int_eq(rc, 0);
    assert_counts(3, 0, 0, 1, 0, 0, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
    /* The id starts afresh: a later fragment is held in a new datagram. */
    ck_assert_int_eq(add(T0, 5, 808, 392, 1), 0);
    assert_counts(4, 0, 0, 1, 0, 0, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
}
END_TEST

START_TEST(test_adjacent_fragments_are_not_overlaps)
{
    ck_assert_int_eq(add(T0, 5, 8, 8, 1), 0);
    ck_assert_int_eq(add(T0, 5, 24, 8, 0), 0);
    ck_assert_int_eq(add(T0, 5, 16, 8, 1), 0);
    ck_assert_int_eq(add(T0, 5, 0, 8, 1), 1);
    assert_whole(32);
    assert_counts(3, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

/* ---- malformed fragments ------------------------------------------------------ */

START_TEST(test_bad_fragments_are_discarded_alone)
{
    ck_assert_int_eq(add(T0, 1, 0, 800, 1), 0);
    /* not a multiple of 8 with M set (RFC 8200 4.5, RFC 791 3.2) */
    ck_assert_int_eq(add(T0, 1, 800, 801, 1), 0);
    assert_counts(1, 0, 0, 0, 1, 0, 0, 0);
    /* empty */
    ck_assert_int_eq(add(T0, 1, 800, 0, 1), 0);
    assert_counts(1, 0, 0, 0, 2, 0, 0, 0);
    /* an offset that is not a multiple of 8 cannot come from the wire */
    ck_assert_int_eq(add(T0, 1, 804, 8, 1), 0);
    assert_counts(1, 0, 0, 0, 3, 0, 0, 0);
    /* families that disagree */
    ck_assert_int_eq(add_from(&SRC4, &DST6, 17, T0, 1, 800, 8, 1, dgram), 0);
    assert_counts(1, 0, 0, 0, 4, 0, 0, 0);
    /* the held datagram is intact */
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
    ck_assert_int_eq(add(T0, 1, 800, 7, 0), 1);
    assert_whole(807);
}
END_TEST

START_TEST(test_inconsistent_end_drops_the_datagram)
{
    /* a second last fragment with another end */
    ck_assert_int_eq(add(T0, 1, 800, 100, 0), 0);
    ck_assert_int_eq(add(T0, 1, 1600, 100, 0), 0);
    assert_counts(1, 0, 0, 0, 1, 0, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
    /* a fragment past the known end */
    ck_assert_int_eq(add(T0, 2, 800, 100, 0), 0);
    ck_assert_int_eq(add(T0, 2, 1600, 80, 1), 0);
    assert_counts(2, 0, 0, 0, 2, 0, 0, 0);
    /* a last fragment ending before a held one */
    ck_assert_int_eq(add(T0, 3, 1600, 80, 1), 0);
    ck_assert_int_eq(add(T0, 3, 800, 100, 0), 0);
    assert_counts(3, 0, 0, 0, 3, 0, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
}
END_TEST

/* ---- holes and time ------------------------------------------------------------ */

START_TEST(test_hole_waits_then_times_out_by_capture_time)
{
    ck_assert_int_eq(add(T0, 1, 0, 800, 1), 0);
    ck_assert_int_eq(add(T0 + S, 1, 1600, 10, 0), 0); /* [800, 1600) missing */
    assert_counts(2, 0, 0, 0, 0, 0, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
    sls_defrag_advance(df, T0 + 30 * S); /* exactly the timeout: kept */
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
    sls_defrag_advance(df, T0 + 30 * S + 1);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
    assert_counts(2, 0, 0, 0, 0, 0, 0, 1);
    /* the missing fragment, too late: held alone */
    ck_assert_int_eq(add(T0 + 31 * S, 1, 800, 800, 1), 0);
    assert_counts(3, 0, 0, 0, 0, 0, 0, 1);
}
END_TEST

START_TEST(test_timeout_runs_from_the_first_fragment)
{
    /* Fragments trickling in do not keep a datagram alive (RFC 791 3.2). */
    ck_assert_int_eq(add(T0, 1, 0, 8, 1), 0);
    for (int k = 1; k <= 29; k++)
        ck_assert_int_eq(add(T0 + k * S, 1, (uint32_t)(8 * k), 8, 1), 0);
    ck_assert_int_eq(add(T0 + 31 * S, 1, 240, 8, 0), 0);
    /* the old datagram expired: this last fragment starts a new one */
    assert_counts(31, 0, 0, 0, 0, 0, 0, 1);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
}
END_TEST

START_TEST(test_advance_drops_oldest_first_and_stops_at_the_first_young)
{
    for (uint32_t id = 0; id < 5; id++)
        ck_assert_int_eq(add(T0 + (int64_t)id * S, id, 0, 8, 1), 0);
    sls_defrag_advance(df, T0 + 32 * S + 1); /* ids 0, 1, 2 expire */
    ck_assert_uint_eq(sls_defrag_pending(df), 2);
    assert_counts(5, 0, 0, 0, 0, 0, 0, 3);
    ck_assert_int_eq(add(T0 + 33 * S, 3, 8, 8, 0), 1);
    ck_assert_int_eq(add(T0 + 33 * S, 4, 8, 8, 0), 1);
    /* capture time going backwards expires nothing */
    sls_defrag_advance(df, 0);
    sls_defrag_advance(df, INT64_MIN);
    ck_assert_int_eq(add(INT64_MAX, 9, 0, 8, 1), 0);
    sls_defrag_advance(df, INT64_MIN);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
    sls_defrag_advance(df, INT64_MAX);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
}
END_TEST

START_TEST(test_out_of_order_capture_time_expires_a_datagram_behind_the_head)
{
    /* id 1 at T0 + 10 s, then id 2 at T0 (a merged capture slightly out of
     * order): at T0 + 39 s only id 2 is expired, and it is not at the head
     * of the age list; its next fragment must not join it. */
    ck_assert_int_eq(add(T0 + 10 * S, 1, 0, 8, 1), 0);
    ck_assert_int_eq(add(T0, 2, 0, 8, 1), 0);
    ck_assert_int_eq(add(T0 + 39 * S, 2, 8, 8, 0), 0);
    assert_counts(3, 0, 0, 0, 0, 0, 0, 1);
    ck_assert_uint_eq(sls_defrag_pending(df), 2);
}
END_TEST

START_TEST(test_flush_counts_what_is_left)
{
    ck_assert_int_eq(add(T0, 1, 0, 8, 1), 0);
    ck_assert_int_eq(add(T0, 2, 8, 8, 0), 0);
    sls_defrag_flush(df);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_INCOMPLETE], 2);
    sls_defrag_flush(df);
    ck_assert_uint_eq(ctr.v[SLS_CTR_FRAG_INCOMPLETE], 2);
}
END_TEST

/* ---- limits --------------------------------------------------------------------- */

START_TEST(test_datagram_limit_evicts_the_oldest)
{
    use_config(4, 0, 0);
    for (uint32_t id = 0; id < 4; id++)
        ck_assert_int_eq(add(T0, id, 0, 8, 1), 0);
    assert_counts(4, 0, 0, 0, 0, 0, 0, 0);
    ck_assert_int_eq(add(T0, 4, 0, 8, 1), 0);
    assert_counts(5, 0, 0, 0, 0, 0, 1, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 4);
    /* id 0 was evicted: its last fragment is alone now (and evicts 1) */
    ck_assert_int_eq(add(T0, 0, 8, 8, 0), 0);
    assert_counts(6, 0, 0, 0, 0, 0, 2, 0);
    ck_assert_int_eq(add(T0, 2, 8, 8, 0), 1);
    assert_whole(16);
}
END_TEST

START_TEST(test_fragment_limit_per_datagram)
{
    use_config(0, 0, 3);
    ck_assert_int_eq(add(T0, 1, 0, 8, 1), 0);
    ck_assert_int_eq(add(T0, 1, 8, 8, 1), 0);
    ck_assert_int_eq(add(T0, 1, 16, 8, 1), 0);
    assert_counts(3, 0, 0, 0, 0, 0, 0, 0);
    ck_assert_int_eq(add(T0, 1, 24, 8, 0), 0);
    assert_counts(3, 0, 0, 0, 0, 0, 1, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
    /* exactly the limit completes */
    ck_assert_int_eq(add(T0, 2, 0, 8, 1), 0);
    ck_assert_int_eq(add(T0, 2, 8, 8, 1), 0);
    ck_assert_int_eq(add(T0, 2, 16, 8, 0), 1);
    assert_whole(24);
}
END_TEST

START_TEST(test_byte_limit_evicts_older_datagrams_then_the_growing_one)
{
    use_config(0, 3000, 0);
    ck_assert_int_eq(add(T0, 1, 0, 1480, 1), 0);
    ck_assert_int_eq(add(T0, 2, 0, 1480, 1), 0);
    assert_counts(2, 0, 0, 0, 0, 0, 0, 0);
    /* 2960 held; 1480 more evicts id 1 */
    ck_assert_int_eq(add(T0, 2, 1480, 1480, 1), 0);
    assert_counts(3, 0, 0, 0, 0, 0, 1, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
    /* id 2 alone cannot grow past the limit: it is dropped */
    ck_assert_int_eq(add(T0, 2, 2960, 100, 0), 0);
    assert_counts(3, 0, 0, 0, 0, 0, 2, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
}
END_TEST

START_TEST(test_reassembled_size_is_at_most_65535)
{
    /* the largest offset with a byte past 65535: the "ping of death" */
    ck_assert_int_eq(add(T0, 1, 65528, 8, 0), 0);
    assert_counts(0, 0, 0, 0, 0, 1, 0, 0);
    ck_assert_int_eq(add(T0, 2, 0, 1480, 1), 0);
    ck_assert_int_eq(add(T0, 2, 64000, 1600, 1), 0); /* held one dropped */
    assert_counts(1, 0, 0, 0, 0, 2, 0, 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
    ck_assert_int_eq(add(T0, 3, 0, 70000, 1), 0);
    assert_counts(1, 0, 0, 0, 0, 3, 0, 0);

    /* exactly 65535 bytes in 45 fragments, last first */
    uint32_t id = 4;
    ck_assert_int_eq(add(T0, id, 44 * 1480, 65535 - 44 * 1480, 0), 0);
    for (uint32_t k = 0; k < 44; k++)
        ck_assert_int_eq(add(T0, id, k * 1480, 1480, 1), k == 43);
    assert_whole(65535);
    assert_counts(45, 0, 0, 0, 0, 3, 0, 0);
}
END_TEST

START_TEST(test_flood_of_first_fragments_stays_bounded)
{
    /* 100 000 first fragments with distinct ids: the table keeps the
     * newest 10 000 and counts every eviction. */
    for (uint32_t id = 0; id < 100000; id++)
        ck_assert_int_eq(add(T0, id, 0, 1480, 1), 0);
    ck_assert_uint_eq(sls_defrag_pending(df), 10000);
    assert_counts(100000, 0, 0, 0, 0, 0, 90000, 0);
    /* a legitimate datagram still goes through */
    ck_assert_int_eq(add(T0, 99999, 1480, 8, 0), 1);
    assert_whole(1488);
    sls_defrag_advance(df, T0 + 31 * S);
    ck_assert_uint_eq(sls_defrag_pending(df), 0);
    assert_counts(100000, 0, 0, 0, 0, 0, 90000, 9999);
}
END_TEST

/* ---- IPv6 and nesting ------------------------------------------------------------- */

START_TEST(test_ipv6_fragments_are_keyed_and_counted_apart)
{
    ck_assert_int_eq(add_from(&SRC6, &DST6, 17, T0, 0xCAFE, 1232, 100, 0,
                              dgram + 1232),
                     0);
    assert_counts(0, 1, 0, 0, 0, 0, 0, 0);
    /* the same id over IPv4 is another datagram */
    ck_assert_int_eq(add(T0, 0xCAFE, 0, 1232, 1), 0);
    assert_counts(1, 1, 0, 0, 0, 0, 0, 0);
    ck_assert_int_eq(add_from(&SRC6, &DST6, 17, T0, 0xCAFE, 0, 1232, 1,
                              dgram),
                     1);
    assert_whole(1332);
    ck_assert_uint_eq(sls_defrag_pending(df), 1);
}
END_TEST

START_TEST(test_fragment_bytes_may_come_from_the_previous_output)
{
    /* A fragment inside a reassembled datagram (a tunnel): its bytes point
     * into the buffer the next completion overwrites. */
    ck_assert_int_eq(add(T0, 1, 0, 1000, 0), 1);
    const uint8_t *prev = last_out;
    ck_assert_int_eq(add(T0, 2, 8, 16, 0), 0);
    int rc = sls_defrag_add(df, T0, &SRC4, &DST4, 17, 2, 0, 1, prev + 100, 8,
                            &last_out, &last_len);
    ck_assert_int_eq(rc, 1);
    ck_assert_uint_eq(last_len, 24);
    /* [0, 8) came from prev + 100, which is dgram + 100 */
    ck_assert_mem_eq(last_out, dgram + 100, 8);
    ck_assert_mem_eq(last_out + 8, dgram + 8, 16);
}
END_TEST

START_TEST(test_new_rejects_bad_arguments)
{
    sls_defrag_config cfg;
    sls_defrag_config_default(&cfg);
    ck_assert(cfg.timeout_ns == 30 * S);
    ck_assert_uint_eq(cfg.max_datagrams, 10000);
    ck_assert_uint_eq(cfg.max_bytes, 16u << 20);
    ck_assert_uint_eq(cfg.max_fragments, 64);
    ck_assert_ptr_null(sls_defrag_new(&cfg, NULL));
    sls_defrag_config bad = cfg;
    bad.timeout_ns = 0;
    ck_assert_ptr_null(sls_defrag_new(&bad, &ctr));
    bad = cfg;
    bad.max_datagrams = 0;
    ck_assert_ptr_null(sls_defrag_new(&bad, &ctr));
    bad = cfg;
    bad.max_bytes = 0;
    ck_assert_ptr_null(sls_defrag_new(&bad, &ctr));
    bad = cfg;
    bad.max_fragments = 0;
    ck_assert_ptr_null(sls_defrag_new(&bad, &ctr));
    sls_defrag_free(NULL);
}
END_TEST

START_TEST(test_free_with_datagrams_pending_leaks_nothing)
{
    for (uint32_t id = 0; id < 100; id++) {
        ck_assert_int_eq(add(T0, id, 0, 8, 1), 0);
        ck_assert_int_eq(add(T0, id, 16, 8, 0), 0);
    }
    ck_assert_uint_eq(sls_defrag_pending(df), 100);
    /* the teardown frees them; valgrind and ASan check */
}
END_TEST

static Suite *defrag_suite(void)
{
    Suite *s = suite_create("defrag");
    TCase *tc;

    tc = tcase_create("order");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_in_order_fragments_complete_on_the_last);
    tcase_add_loop_test(tc, test_every_order_of_three_fragments, 0, 6);
    tcase_add_test(tc, test_single_fragment_datagram_completes_at_once);
    tcase_add_test(tc, test_interleaved_datagrams_do_not_mix);
    suite_add_tcase(s, tc);

    tc = tcase_create("overlap");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_duplicate_fragment_is_ignored_and_counted);
    tcase_add_test(tc, test_same_place_other_bytes_is_an_overlap);
    tcase_add_loop_test(tc, test_overlaps_drop_the_datagram, 0,
                        (int)(sizeof(overlaps) / sizeof(overlaps[0])));
    tcase_add_test(tc, test_adjacent_fragments_are_not_overlaps);
    tcase_add_test(tc, test_bad_fragments_are_discarded_alone);
    tcase_add_test(tc, test_inconsistent_end_drops_the_datagram);
    suite_add_tcase(s, tc);

    tc = tcase_create("time");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_hole_waits_then_times_out_by_capture_time);
    tcase_add_test(tc, test_timeout_runs_from_the_first_fragment);
    tcase_add_test(tc, test_advance_drops_oldest_first_and_stops_at_the_first_young);
    tcase_add_test(tc, test_out_of_order_capture_time_expires_a_datagram_behind_the_head);
    tcase_add_test(tc, test_flush_counts_what_is_left);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_datagram_limit_evicts_the_oldest);
    tcase_add_test(tc, test_fragment_limit_per_datagram);
    tcase_add_test(tc, test_byte_limit_evicts_older_datagrams_then_the_growing_one);
    tcase_add_test(tc, test_reassembled_size_is_at_most_65535);
    tcase_add_test(tc, test_flood_of_first_fragments_stays_bounded);
    suite_add_tcase(s, tc);

    tc = tcase_create("other");
    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_ipv6_fragments_are_keyed_and_counted_apart);
    tcase_add_test(tc, test_fragment_bytes_may_come_from_the_previous_output);
    tcase_add_test(tc, test_new_rejects_bad_arguments);
    tcase_add_test(tc, test_free_with_datagrams_pending_leaks_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sls_check_run(defrag_suite());
}
