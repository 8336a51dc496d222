/* Bounded SPSC chunk queue (contract in chunkq.h).
 *
 * The ring: `head` is the slot the consumer reads (or will read next) and
 * `ready` counts the published slots from head on, the one in the
 * consumer's hands included. The producer fills slot (head + ready) %
 * slots, only while ready < slots, so the two threads never touch the same
 * slot, and a chunk's bytes pass from one thread to the other through the
 * mutex (publish, then take). */
#include "chunkq.h"

#include "util.h"

#include <pthread.h>
#include <stdlib.h>

struct sls__chunkq {
    pthread_mutex_t lock;
    pthread_cond_t not_empty; /* a chunk was published */
    pthread_cond_t not_full;  /* a chunk was released, or stop */
    unsigned nslots;
    size_t chunk_size;
    /* Every slot's chunk of chunk_size bytes, side by side in one mapping
     * (sls__big_alloc: huge pages when it is large enough, so that both
     * threads cross the ring without a TLB miss per page); a larger chunk
     * is a malloc of its own. NULL: every chunk is malloc'd. */
    uint8_t *region;

    /* Shared, under lock. */
    size_t head, ready;
    int stop;

    size_t tail;      /* producer only: the slot it fills */
    sls__chunk *cur;  /* consumer only: the chunk it reads */
    sls__chunk slot[];
};

sls__chunkq *sls__chunkq_new(unsigned slots, size_t chunk_size)
{
    if (slots == 0 || chunk_size == 0)
        return NULL;
    sls__chunkq *q = calloc(1, sizeof(*q) + slots * sizeof(q->slot[0]));
    if (q == NULL)
        return NULL;
    q->nslots = slots;
    q->chunk_size = chunk_size;
    if (chunk_size <= SIZE_MAX / slots)
        q->region = sls__big_alloc((size_t)slots * chunk_size);
    if (pthread_mutex_init(&q->lock, NULL) != 0)
        goto no_lock;
    if (pthread_cond_init(&q->not_empty, NULL) != 0)
        goto no_empty;
    if (pthread_cond_init(&q->not_full, NULL) != 0)
        goto no_full;
    return q;

no_full:
    pthread_cond_destroy(&q->not_empty);
no_empty:
    pthread_mutex_destroy(&q->lock);
no_lock:
    sls__big_free(q->region, (size_t)slots * chunk_size);
    free(q);
    return NULL;
}

/* The chunk of slot c in the region, or NULL. */
static uint8_t *region_chunk(const sls__chunkq *q, const sls__chunk *c)
{
    return q->region != NULL ? q->region + (size_t)(c - q->slot) * q->chunk_size : NULL;
}

void sls__chunkq_free(sls__chunkq *q)
{
    if (q == NULL)
        return;
    for (unsigned i = 0; i < q->nslots; i++)
        if (q->slot[i].buf != region_chunk(q, &q->slot[i]))
            free(q->slot[i].buf);
    sls__big_free(q->region, (size_t)q->nslots * q->chunk_size);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

sls__chunk *sls__chunkq_claim(sls__chunkq *q, size_t need)
{
    pthread_mutex_lock(&q->lock);
    while (q->ready == q->nslots && !q->stop)
        pthread_cond_wait(&q->not_full, &q->lock);
    int stop = q->stop;
    pthread_mutex_unlock(&q->lock);
    if (stop)
        return NULL;

    sls__chunk *c = &q->slot[q->tail];
    size_t want = need > q->chunk_size ? need : q->chunk_size;
    if (c->cap != want) {
        uint8_t *own = region_chunk(q, c);
        if (c->buf != own)
            free(c->buf);
        c->buf = want == q->chunk_size && own != NULL ? own : malloc(want);
        c->cap = c->buf != NULL ? want : 0;
    }
    c->used = 0;
    c->end = 0;
    c->rc = 0;
    return c;
}

int sls__chunkq_publish(sls__chunkq *q)
{
    pthread_mutex_lock(&q->lock);
    q->ready++;
    pthread_cond_signal(&q->not_empty);
    int stop = q->stop;
    pthread_mutex_unlock(&q->lock);
    q->tail = (q->tail + 1) % q->nslots;
    return stop;
}

int sls__chunkq_consumer_idle(sls__chunkq *q)
{
    pthread_mutex_lock(&q->lock);
    /* ready counts the chunk in the consumer's hands: 0 means it waits, or
     * is about to. */
    int idle = q->ready == 0 && !q->stop;
    pthread_mutex_unlock(&q->lock);
    return idle;
}

sls__chunk *sls__chunkq_take(sls__chunkq *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->cur != NULL) {
        q->head = (q->head + 1) % q->nslots;
        q->ready--;
        pthread_cond_signal(&q->not_full);
    }
    while (q->ready == 0)
        pthread_cond_wait(&q->not_empty, &q->lock);
    q->cur = &q->slot[q->head];
    pthread_mutex_unlock(&q->lock);
    return q->cur;
}

void sls__chunkq_stop(sls__chunkq *q)
{
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}
