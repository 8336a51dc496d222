/* One call as a ladder diagram in text: a column per endpoint (address and
 * port, in order of appearance), a row per message with its time relative
 * to the first, an arrow from sender to receiver labelled with the request
 * method and CSeq or the status code and reason phrase. Retransmissions are
 * marked. Only the messages of the chosen Call-ID are kept (bounded). */
#ifndef SIPSLEUTH_LADDER_H
#define SIPSLEUTH_LADDER_H

#include <stddef.h>
#include <stdio.h>

#include "sipsleuth/calls.h"
#include "sipsleuth/packet.h"
#include "sipsleuth/sipmsg.h"

#define SLS_LADDER_MAX_MESSAGES 10000
#define SLS_LADDER_MAX_ENDPOINTS 6

typedef struct sls_ladder sls_ladder;

/* Copies call_id. Returns NULL when out of memory. */
sls_ladder *sls_ladder_new(const char *call_id);
/* Accepts NULL. */
void sls_ladder_free(sls_ladder *l);

/* Keeps m when its Call-ID is the ladder's (ev: enum sls_txn_event). */
void sls_ladder_message(sls_ladder *l, const sls_sipmsg *m, const sls_packet *pkt,
                        int ev);
/* Keeps the call's outcome when it is the ladder's call. */
void sls_ladder_call(sls_ladder *l, const sls_call *c);

/* Messages kept so far. */
size_t sls_ladder_count(const sls_ladder *l);

/* Writes the diagram. Returns 0, or SLS_EREAD on a write error. */
int sls_ladder_print(FILE *out, const sls_ladder *l);

#endif
