/* Entry storage shared by the transaction and call tables (private): age
 * lists, slot pools and the hash index.
 *
 * Each table keeps a few lists of entries; every entry appended to a list
 * gets a deadline of (the table's capture clock at append) + (a constant of
 * that list). The clock never goes back, so each list stays sorted by
 * deadline and retiring what is due is O(1) per entry: look at the heads.
 * A link is embedded in each entry; the table recovers the entry from it. */
#ifndef SIPSLEUTH_AGELIST_H
#define SIPSLEUTH_AGELIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct sls__age_link {
    struct sls__age_link *prev, *next;
    int64_t deadline;
    uint8_t list; /* index of the list it is in */
} sls__age_link;

typedef struct sls__age_list {
    sls__age_link *head, *tail;
} sls__age_list;

/* A set of nlists lists and a lower bound of every deadline in them. */
typedef struct sls__ages {
    sls__age_list *lists;
    int nlists;
    int64_t next_check;
} sls__ages;

static inline void sls__age_unlink(sls__ages *a, sls__age_link *e)
{
    sls__age_list *l = &a->lists[e->list];
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static inline void sls__age_append(sls__ages *a, sls__age_link *e, int which,
                                   int64_t deadline)
{
    sls__age_list *l = &a->lists[which];
    e->list = (uint8_t)which;
    e->deadline = deadline;
    if (deadline < a->next_check)
        a->next_check = deadline;
    e->next = NULL;
    e->prev = l->tail;
    if (l->tail != NULL)
        l->tail->next = e;
    else
        l->head = e;
    l->tail = e;
}

static inline void sls__age_move(sls__ages *a, sls__age_link *e, int which, int64_t deadline)
{
    sls__age_unlink(a, e);
    sls__age_append(a, e, which, deadline);
}

/* The link due first among lists[0..n), or NULL when they are empty; on
 * equal deadlines the lowest list. Inlined with a constant n, unrolled. */
static inline __attribute__((always_inline)) sls__age_link *
sls__age_earliest_of(const sls__age_list *lists, int n)
{
    sls__age_link *best = NULL;
    for (int i = 0; i < n; i++) {
        sls__age_link *h = lists[i].head;
        if (h != NULL && (best == NULL || h->deadline < best->deadline))
            best = h;
    }
    return best;
}

/* The link due first, or NULL when every list is empty. */
static inline sls__age_link *sls__age_earliest(const sls__ages *a)
{
    return sls__age_earliest_of(a->lists, a->nlists);
}

/* After retiring what was due: nothing is due before the earliest deadline
 * left, or before now + slack when the lists are empty. */
static inline void sls__age_rearm(sls__ages *a, int64_t now, int64_t slack)
{
    sls__age_link *e = sls__age_earliest(a);
    a->next_check = e != NULL ? e->deadline : (now > INT64_MAX - slack ? INT64_MAX : now + slack);
}

/* ---------------------------------------------------------- slot pools
 *
 * A table's entries of one kind have one size, so a pool hands out
 * fixed-size slots cut from chunks and keeps freed slots on a list for the
 * next entry: no malloc/free per transaction or call (they were half of the
 * tables' instructions), and the slot just freed, still in cache, is the
 * next one used. A slot is named by a 32-bit reference (index + 1; 0 is
 * none) so that the hash index holds 8-byte cells. Memory goes back only
 * when the pool is freed: the tables' ceilings (max_open, max_bytes) bound
 * how many slots are ever in use at once. */
#define SLS__POOL_CHUNK_BITS 6 /* 64 slots per chunk */
#define SLS__POOL_MAX_SLOTS (UINT32_C(1) << 30)
#define SLS__POOL_BLOCK SLS__HUGE_PAGE /* chunks are cut from blocks of this size */

typedef struct sls__pool {
    size_t slot_size; /* multiple of 8 */
    char **chunks;
    uint32_t nchunks, chunks_cap;
    uint32_t carved;    /* slots handed out from chunks so far */
    uint32_t free_head; /* reference of the first free slot, 0 if none */
    uint32_t in_use;
    uint32_t chunks_per_block;
} sls__pool;

static inline void sls__pool_init(sls__pool *p, size_t slot_size)
{
    memset(p, 0, sizeof(*p));
    p->slot_size = (slot_size + 7) & ~(size_t)7;
    size_t csize = p->slot_size << SLS__POOL_CHUNK_BITS;
    p->chunks_per_block = csize < SLS__POOL_BLOCK ? (uint32_t)(SLS__POOL_BLOCK / csize) : 1;
}

/* Bytes of each block the pool's chunks are cut from. */
static inline size_t sls__pool_block_size(const sls__pool *p)
{
    return (size_t)p->chunks_per_block * (p->slot_size << SLS__POOL_CHUNK_BITS);
}

static inline void *sls__pool_ptr(const sls__pool *p, uint32_t ref)
{
    uint32_t i = ref - 1;
    return p->chunks[i >> SLS__POOL_CHUNK_BITS] +
           (size_t)(i & ((UINT32_C(1) << SLS__POOL_CHUNK_BITS) - 1)) * p->slot_size;
}

/* A free slot (its bytes are undefined), or 0 when out of memory. */
static inline uint32_t sls__pool_alloc(sls__pool *p)
{
    uint32_t ref = p->free_head;
    if (ref != 0) {
        memcpy(&p->free_head, sls__pool_ptr(p, ref), sizeof(uint32_t));
    } else {
        if (p->carved >= SLS__POOL_MAX_SLOTS)
            return 0;
        if ((p->carved >> SLS__POOL_CHUNK_BITS) == p->nchunks) {
            if (p->nchunks == p->chunks_cap) {
                uint32_t cap = p->chunks_cap ? p->chunks_cap * 2 : 16;
                char **c = realloc(p->chunks, cap * sizeof(*c));
                if (c == NULL)
                    return 0;
                p->chunks = c;
                p->chunks_cap = cap;
            }
            /* Chunks are cut one after the other from blocks of
             * SLS__POOL_BLOCK bytes (sls__big_alloc: huge pages), so a
             * chunk is cache-line aligned: a slot whose size is a multiple
             * of 64 then starts a line, so its first fields share one. */
            size_t csize = p->slot_size << SLS__POOL_CHUNK_BITS;
            char *chunk;
            if (p->nchunks % p->chunks_per_block == 0) {
                chunk = sls__big_alloc(sls__pool_block_size(p));
                if (chunk == NULL)
                    return 0;
            } else {
                chunk = p->chunks[p->nchunks - 1] + csize;
            }
            p->chunks[p->nchunks++] = chunk;
        }
        ref = ++p->carved;
    }
    p->in_use++;
    return ref;
}

static inline void sls__pool_free(sls__pool *p, uint32_t ref)
{
    memcpy(sls__pool_ptr(p, ref), &p->free_head, sizeof(uint32_t));
    p->free_head = ref;
    p->in_use--;
}

/* Every slot free again at once (the chunks stay). */
static inline void sls__pool_reset(sls__pool *p)
{
    p->carved = 0;
    p->free_head = 0;
    p->in_use = 0;
}

static inline void sls__pool_cleanup(sls__pool *p)
{
    for (uint32_t i = 0; i < p->nchunks; i += p->chunks_per_block)
        sls__big_free(p->chunks[i], sls__pool_block_size(p));
    free(p->chunks);
    memset(p, 0, sizeof(*p));
}

/* ---------------------------------------------------------- hash index
 *
 * Open addressing with linear probing over 8-byte cells (32 bits of the
 * key's hash, the entry's slot reference): a lookup reads one or two cache
 * lines of cells and touches an entry only when its 32 hash bits match,
 * where a chained table read one entry per link. Kept at most half full;
 * a removal shifts the cells after it back (no deleted markers), so probe
 * sequences stay as short as if the removed key had never been there. */
/* The index hash of a key (util.h's hash, its length mixed in): a dozen
 * instructions for the short values the tables key on (branches,
 * Call-IDs). Only the index sees it. */
static inline uint64_t sls__index_hash(const void *data, size_t n, uint64_t seed)
{
    return sls__mum(SLS__HASH_K2 ^ n, sls__hash_piece(seed ^ SLS__HASH_K1, data, n));
}

typedef struct sls__index_cell {
    uint32_t hash;
    uint32_t ref; /* 0: empty */
} sls__index_cell;

typedef struct sls__index {
    sls__index_cell *cells;
    size_t mask; /* cells - 1, a power of two minus one */
    size_t count;
} sls__index;

static inline int sls__index_init(sls__index *x, size_t ncells)
{
    x->cells = sls__big_alloc(ncells * sizeof(*x->cells));
    x->mask = ncells - 1;
    x->count = 0;
    return x->cells != NULL ? 0 : -1;
}

/* Empties the index at once. */
static inline void sls__index_clear(sls__index *x)
{
    memset(x->cells, 0, (x->mask + 1) * sizeof(*x->cells));
    x->count = 0;
}

static inline void sls__index_cleanup(sls__index *x)
{
    sls__big_free(x->cells, (x->mask + 1) * sizeof(*x->cells));
    x->cells = NULL;
}

/* The next candidate for hash after *pos (start with *pos = hash & mask),
 * or 0 at the end of the probe sequence. */
static inline uint32_t sls__index_next(const sls__index *x, uint32_t hash, size_t *pos)
{
    for (;;) {
        sls__index_cell c = x->cells[*pos];
        if (c.ref == 0)
            return 0;
        *pos = (*pos + 1) & x->mask;
        if (c.hash == hash)
            return c.ref;
    }
}

static inline void sls__index_place(sls__index_cell *cells, size_t mask, sls__index_cell c)
{
    size_t i = c.hash & mask;
    while (cells[i].ref != 0)
        i = (i + 1) & mask;
    cells[i] = c;
}

/* Adds a reference; 0, or -1 when the index is full and cannot grow (out
 * of memory). Growing past half full keeps probe sequences short; without
 * memory to grow the index fills further, and refuses the last cell so
 * that every probe sequence ends at an empty one. */
static inline int sls__index_insert(sls__index *x, uint32_t hash, uint32_t ref)
{
    if ((x->count + 1) * 2 > x->mask + 1) {
        size_t n = (x->mask + 1) * 2;
        sls__index_cell *cells = n <= SIZE_MAX / sizeof(*cells)
                                      ? sls__big_alloc(n * sizeof(*cells))
                                      : NULL;
        if (cells != NULL) {
            for (size_t i = 0; i <= x->mask; i++)
                if (x->cells[i].ref != 0)
                    sls__index_place(cells, n - 1, x->cells[i]);
            sls__big_free(x->cells, (x->mask + 1) * sizeof(*cells));
            x->cells = cells;
            x->mask = n - 1;
        } else if (x->count + 1 >= x->mask + 1) {
            return -1;
        }
    }
    sls__index_place(x->cells, x->mask, (sls__index_cell){hash, ref});
    x->count++;
    return 0;
}

/* Starts loading the cell where a lookup of hash begins. */
static inline void sls__index_prefetch(const sls__index *x, uint32_t hash)
{
    __builtin_prefetch(&x->cells[hash & x->mask]);
}

/* The cell holding ref (which is in the index under hash). */
static inline size_t sls__index_find_ref(const sls__index *x, uint32_t hash, uint32_t ref)
{
    size_t i = hash & x->mask;
    while (x->cells[i].ref != ref)
        i = (i + 1) & x->mask;
    return i;
}

/* Removes ref (in the index under hash), moving back the cells after it
 * that would otherwise no longer be found from their home cell. */
static inline void sls__index_remove(sls__index *x, uint32_t hash, uint32_t ref)
{
    size_t mask = x->mask;
    size_t i = sls__index_find_ref(x, hash, ref);
    for (size_t j = (i + 1) & mask; x->cells[j].ref != 0; j = (j + 1) & mask) {
        size_t home = x->cells[j].hash & mask;
        /* Cell j may fill hole i unless its home lies cyclically in (i, j]. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            x->cells[i] = x->cells[j];
            i = j;
        }
    }
    x->cells[i].ref = 0;
    x->count--;
}

#endif
