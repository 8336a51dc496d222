/* Age lists shared by the transaction and call tables (private).
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

/* The link due first, or NULL when every list is empty. */
static inline sls__age_link *sls__age_earliest(const sls__ages *a)
{
    sls__age_link *best = NULL;
    for (int i = 0; i < a->nlists; i++) {
        sls__age_link *h = a->lists[i].head;
        if (h != NULL && (best == NULL || h->deadline < best->deadline))
            best = h;
    }
    return best;
}

/* After retiring what was due: nothing is due before the earliest deadline
 * left, or before now + slack when the lists are empty. */
static inline void sls__age_rearm(sls__ages *a, int64_t now, int64_t slack)
{
    sls__age_link *e = sls__age_earliest(a);
    a->next_check = e != NULL ? e->deadline : (now > INT64_MAX - slack ? INT64_MAX : now + slack);
}

#endif
