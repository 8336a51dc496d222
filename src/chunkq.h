/* A bounded single-producer single-consumer queue of byte chunks, between
 * two threads (private to the library).
 *
 * The producer claims a chunk, appends records to it and publishes it; the
 * consumer takes chunks in order and releases each one by taking the next.
 * Handing over whole chunks instead of records keeps the
 * synchronisation cost at one lock per hundred records or so. At most
 * `slots` chunks exist: memory is bounded whatever flows through. */
#ifndef SIPSLEUTH_CHUNKQ_H
#define SIPSLEUTH_CHUNKQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct sls__chunk {
    uint8_t *buf;
    size_t cap;  /* bytes at buf; 0 after an allocation failure */
    size_t used; /* bytes written by the producer */
    int end;     /* the producer's last chunk ... */
    int rc;      /* ... and its result (0 or a negative SLS_E* code) */
    uint64_t done, total; /* producer's progress figures at publication */
} sls__chunk;

typedef struct sls__chunkq sls__chunkq;

/* NULL when out of memory (no thread is involved yet). */
sls__chunkq *sls__chunkq_new(unsigned slots, size_t chunk_size);
/* After both sides are done with it. Accepts NULL. */
void sls__chunkq_free(sls__chunkq *q);

/* Producer. Waits for a free slot and returns it, empty, with room for at
 * least `need` bytes (a chunk bigger than chunk_size goes back to that size
 * when it is claimed again). NULL when the consumer has stopped. cap is 0
 * when memory ran out: close the stream with it (end = 1, rc). */
sls__chunk *sls__chunkq_claim(sls__chunkq *q, size_t need);
/* Hands the chunk last claimed over. Returns 1 when the consumer has
 * stopped. */
int sls__chunkq_publish(sls__chunkq *q);
/* 1 when the consumer has nothing left to read: the producer should publish
 * what it has rather than wait to fill the chunk (a slow pipe). */
int sls__chunkq_consumer_idle(sls__chunkq *q);

/* Consumer. Releases the chunk taken before (if any) and waits for the
 * next. Do not call again after a chunk with `end` set. */
sls__chunk *sls__chunkq_take(sls__chunkq *q);
/* The consumer will take nothing more: wakes a waiting producer, whose
 * claim and publish then report it. */
void sls__chunkq_stop(sls__chunkq *q);

#endif
