/* IPv4 and IPv6 fragment reassembly (RFC 791 3.2, RFC 8200 4.5), shaped
 * after lwIP's ip4_frag.c: per datagram, a list of fragments sorted by
 * offset; an overlap is never merged but drops the datagram (RFC 5722);
 * completeness is "the last fragment has been seen and the bytes held add
 * up to its end", which with overlaps excluded means there is no hole.
 *
 * Datagrams are found through a hash table keyed by (source, destination,
 * protocol, identification) and kept on one age list in order of their
 * first fragment. The timeout runs from the first fragment (RFC 791 3.2: the
 * timer is set when the first fragment arrives and never restarted; Linux
 * and lwIP do the same), so the list is ordered by deadline and both aging
 * and evicting the oldest datagram are O(1) per datagram.
 *
 * Every call that does not complete a datagram counts exactly one counter:
 * held (IPV4_FRAGMENT / IPV6_FRAGMENT), or the reason the fragment or its
 * datagram was dropped. Timeouts and evictions of other datagrams count one
 * more per datagram dropped. */
#include "sipsleuth/defrag.h"

#include "sipsleuth/error.h"

#include <stdlib.h>
#include <string.h>

/* RFC 791 3.1 / RFC 8200 3: the length fields are 16 bits, so no
 * reassembled payload can be longer (the "ping of death" is a fragment
 * whose offset plus length goes past it). */
#define DEFRAG_MAX_PAYLOAD 65535u
#define DEFRAG_MAX_BUCKETS ((size_t)1 << 20)

struct frag {
    struct frag *next; /* next higher offset */
    uint32_t off, len;
    uint8_t data[];
};

struct dgram {
    struct dgram *hnext;         /* hash chain */
    struct dgram *older, *newer; /* age list */
    uint64_t hash;
    int64_t first_ts;            /* capture time of the first fragment */
    sls_addr src, dst;
    uint32_t id;
    uint8_t proto;
    uint8_t have_last;           /* a fragment with M clear was held */
    uint32_t end;                /* its end, when have_last */
    uint32_t max_end;            /* highest end of any fragment held */
    uint32_t covered;            /* bytes held (no overlaps: no double count) */
    uint32_t nfrags;
    struct frag *frags;          /* sorted by offset */
};

struct sls_defrag {
    sls_defrag_config cfg;
    sls_counters *counters;
    struct dgram **buckets;
    size_t nbuckets; /* power of two */
    struct dgram *oldest, *newest;
    size_t ndgrams;
    size_t bytes;    /* held: fragment payloads and their list nodes */
    uint64_t seed;
    uint8_t *out;    /* the last reassembled payload */
};

void sls_defrag_config_default(sls_defrag_config *cfg)
{
    cfg->timeout_ns = INT64_C(30000000000);
    cfg->max_datagrams = 10000;
    cfg->max_bytes = (size_t)16 << 20;
    cfg->max_fragments = 64;
}

/* ---- hashing ------------------------------------------------------------ */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static uint64_t load64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* Seeded, so a capture crafted to put every datagram in one chain has to
 * guess the seed first. */
static uint64_t key_hash(const sls_defrag *d, const sls_addr *src,
                         const sls_addr *dst, uint8_t proto, uint32_t id)
{
    uint64_t h = d->seed ^ ((uint64_t)src->family << 40 | (uint64_t)proto << 32 | id);
    h = mix64(h);
    h = mix64(h ^ load64(src->bytes));
    h = mix64(h ^ load64(src->bytes + 8));
    h = mix64(h ^ load64(dst->bytes));
    h = mix64(h ^ load64(dst->bytes + 8));
    return h;
}

static int key_eq(const struct dgram *g, const sls_addr *src,
                  const sls_addr *dst, uint8_t proto, uint32_t id)
{
    return g->id == id && g->proto == proto &&
           g->src.family == src->family &&
           memcmp(g->src.bytes, src->bytes, sizeof(src->bytes)) == 0 &&
           memcmp(g->dst.bytes, dst->bytes, sizeof(dst->bytes)) == 0;
}

/* ---- datagram lifetime ---------------------------------------------------- */

static void dgram_free(sls_defrag *d, struct dgram *g)
{
    /* hash chain */
    struct dgram **pp = &d->buckets[g->hash & (d->nbuckets - 1)];
    while (*pp != g)
        pp = &(*pp)->hnext;
    *pp = g->hnext;
    /* age list */
    if (g->older != NULL)
        g->older->newer = g->newer;
    else
        d->oldest = g->newer;
    if (g->newer != NULL)
        g->newer->older = g->older;
    else
        d->newest = g->older;

    struct frag *f = g->frags;
    while (f != NULL) {
        struct frag *next = f->next;
        d->bytes -= sizeof(*f) + f->len;
        free(f);
        f = next;
    }
    d->ndgrams--;
    free(g);
}

static void dgram_drop(sls_defrag *d, struct dgram *g, enum sls_counter why)
{
    sls_count(d->counters, why);
    dgram_free(d, g);
}

static struct dgram *dgram_new(sls_defrag *d, uint64_t h, int64_t ts,
                               const sls_addr *src, const sls_addr *dst,
                               uint8_t proto, uint32_t id)
{
    struct dgram *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return NULL;
    g->hash = h;
    g->first_ts = ts;
    g->src = *src;
    g->dst = *dst;
    g->proto = proto;
    g->id = id;
    size_t b = h & (d->nbuckets - 1);
    g->hnext = d->buckets[b];
    d->buckets[b] = g;
    g->older = d->newest;
    if (d->newest != NULL)
        d->newest->newer = g;
    else
        d->oldest = g;
    d->newest = g;
    d->ndgrams++;
    return g;
}

/* 1 when a datagram whose first fragment came at first has outlived the
 * timeout at now. Written on unsigned differences: capture times come from
 * files and may be anything. */
static int expired(const sls_defrag *d, int64_t first, int64_t now)
{
    return now > first &&
           (uint64_t)now - (uint64_t)first > (uint64_t)d->cfg.timeout_ns;
}

/* Evicts the oldest datagram other than keep; 0 when there is none. */
static int evict_oldest(sls_defrag *d, const struct dgram *keep)
{
    struct dgram *v = d->oldest;
    if (v == keep && v != NULL)
        v = v->newer;
    if (v == NULL)
        return 0;
    dgram_drop(d, v, SLS_CTR_FRAG_LIMIT);
    return 1;
}

/* ---- public --------------------------------------------------------------- */

sls_defrag *sls_defrag_new(const sls_defrag_config *cfg, sls_counters *counters)
{
    sls_defrag_config def;
    if (cfg == NULL) {
        sls_defrag_config_default(&def);
        cfg = &def;
    }
    if (counters == NULL || cfg->timeout_ns <= 0 || cfg->max_datagrams == 0 ||
        cfg->max_bytes == 0 || cfg->max_fragments == 0)
        return NULL;
    sls_defrag *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->cfg = *cfg;
    d->counters = counters;
    d->nbuckets = 16;
    while (d->nbuckets < cfg->max_datagrams && d->nbuckets < DEFRAG_MAX_BUCKETS)
        d->nbuckets <<= 1;
    d->buckets = calloc(d->nbuckets, sizeof(*d->buckets));
    d->out = malloc(DEFRAG_MAX_PAYLOAD);
    if (d->buckets == NULL || d->out == NULL) {
        sls_defrag_free(d);
        return NULL;
    }
    d->seed = mix64((uint64_t)(uintptr_t)d ^ UINT64_C(0x9e3779b97f4a7c15));
    return d;
}

void sls_defrag_free(sls_defrag *d)
{
    if (d == NULL)
        return;
    while (d->oldest != NULL)
        dgram_free(d, d->oldest);
    free(d->buckets);
    free(d->out);
    free(d);
}

void sls_defrag_advance(sls_defrag *d, int64_t now_ns)
{
    while (d->oldest != NULL && expired(d, d->oldest->first_ts, now_ns))
        dgram_drop(d, d->oldest, SLS_CTR_FRAG_TIMEOUT);
}

void sls_defrag_flush(sls_defrag *d)
{
    while (d->oldest != NULL)
        dgram_drop(d, d->oldest, SLS_CTR_FRAG_INCOMPLETE);
}

size_t sls_defrag_pending(const sls_defrag *d)
{
    return d->ndgrams;
}

/* The fragments of g, which are contiguous from 0 to g->end, copied into
 * d->out; g is freed. */
static size_t assemble(sls_defrag *d, struct dgram *g)
{
    size_t n = g->end;
    for (const struct frag *f = g->frags; f != NULL; f = f->next)
        memcpy(d->out + f->off, f->data, f->len);
    dgram_free(d, g);
    return n;
}

int sls_defrag_add(sls_defrag *d, int64_t ts_ns, const sls_addr *src,
                   const sls_addr *dst, uint8_t proto, uint32_t id,
                   uint32_t offset, int more, const uint8_t *data, size_t len,
                   const uint8_t **out, size_t *out_len)
{
    enum sls_counter held =
        src->family == 6 ? SLS_CTR_IPV6_FRAGMENT : SLS_CTR_IPV4_FRAGMENT;

    /* RFC 791 3.2 and RFC 8200 4.5: every fragment but the last carries a
     * multiple of 8 octets (the offset unit); one that does not, or that
     * carries nothing, cannot be placed and is discarded alone. */
    if ((src->family != 4 && src->family != 6) || dst->family != src->family ||
        data == NULL || len == 0 || (offset & 7u) != 0 ||
        (more && (len & 7u) != 0)) {
        sls_count(d->counters, SLS_CTR_FRAG_BAD);
        return 0;
    }

    sls_defrag_advance(d, ts_ns);

    uint64_t h = key_hash(d, src, dst, proto, id);
    struct dgram *g = d->buckets[h & (d->nbuckets - 1)];
    while (g != NULL && !(g->hash == h && key_eq(g, src, dst, proto, id)))
        g = g->hnext;
    /* Out of order capture times can leave an expired datagram behind the
     * head of the age list: it must not take this fragment. */
    if (g != NULL && expired(d, g->first_ts, ts_ns)) {
        dgram_drop(d, g, SLS_CTR_FRAG_TIMEOUT);
        g = NULL;
    }

    /* RFC 791 3.1: no reassembled datagram is longer than 65535 octets. */
    if (len > DEFRAG_MAX_PAYLOAD || offset > DEFRAG_MAX_PAYLOAD - len) {
        if (g != NULL)
            dgram_drop(d, g, SLS_CTR_FRAG_TOO_BIG);
        else
            sls_count(d->counters, SLS_CTR_FRAG_TOO_BIG);
        return 0;
    }
    uint32_t end = offset + (uint32_t)len;

    if (g == NULL) {
        if (d->ndgrams >= d->cfg.max_datagrams)
            (void)evict_oldest(d, NULL);
        g = dgram_new(d, h, ts_ns, src, dst, proto, id);
        if (g == NULL) {
            sls_count(d->counters, SLS_CTR_FRAG_LIMIT);
            return 0;
        }
    }

    /* Find the place by offset: prev ends before it, next starts at or
     * after it. */
    struct frag **pp = &g->frags;
    struct frag *prev = NULL;
    while (*pp != NULL && (*pp)->off < offset) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    struct frag *next = *pp;
    if (next != NULL && next->off == offset && next->len == len) {
        /* The same fragment again (a retransmission, or a capture taken on
         * both sides of a switch): ignored. Same place, other bytes: the
         * RFC 5722 case, never merged. */
        if (memcmp(next->data, data, len) == 0) {
            sls_count(d->counters, SLS_CTR_FRAG_DUPLICATE);
            return 0;
        }
        dgram_drop(d, g, SLS_CTR_FRAG_OVERLAP);
        return 0;
    }
    /* RFC 5722 (and RFC 8200 4.5): overlapping fragments drop the whole
     * datagram; for IPv4 the same, overlaps being the classic evasion. */
    if ((prev != NULL && prev->off + prev->len > offset) ||
        (next != NULL && end > next->off)) {
        dgram_drop(d, g, SLS_CTR_FRAG_OVERLAP);
        return 0;
    }
    /* The last fragment fixes the length: nothing may lie past it, and a
     * second "last" fragment must agree with the first. */
    if ((g->have_last && end > g->end) ||
        (!more && (g->have_last || g->max_end > end))) {
        dgram_drop(d, g, SLS_CTR_FRAG_BAD);
        return 0;
    }
    if (g->nfrags >= d->cfg.max_fragments) {
        dgram_drop(d, g, SLS_CTR_FRAG_LIMIT);
        return 0;
    }
    /* What a fragment costs: its bytes and its list node. */
    size_t cost = sizeof(struct frag) + len;
    while (d->bytes + cost > d->cfg.max_bytes)
        if (!evict_oldest(d, g))
            break;
    if (d->bytes + cost > d->cfg.max_bytes) {
        dgram_drop(d, g, SLS_CTR_FRAG_LIMIT);
        return 0;
    }

    struct frag *f = malloc(sizeof(*f) + len);
    if (f == NULL) {
        dgram_drop(d, g, SLS_CTR_FRAG_LIMIT);
        return 0;
    }
    f->off = offset;
    f->len = (uint32_t)len;
    memcpy(f->data, data, len);
    f->next = next;
    *pp = f;
    g->nfrags++;
    g->covered += (uint32_t)len;
    d->bytes += cost;
    if (end > g->max_end)
        g->max_end = end;
    if (!more) {
        g->have_last = 1;
        g->end = end;
    }

    /* Overlaps are excluded, so the bytes held add up to the end exactly
     * when there is no hole. The fragment was copied before assembling:
     * data may point into d->out (a fragment inside a reassembled
     * datagram, through a tunnel). */
    if (g->have_last && g->covered == g->end) {
        *out_len = assemble(d, g);
        *out = d->out;
        return 1;
    }
    sls_count(d->counters, held);
    return 0;
}
