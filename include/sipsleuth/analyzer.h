/* The pipeline, stage by stage:
 *   raw frame -> decode (link, IP, UDP/TCP) -> SIP detection and framing
 *   -> libosip2 adapter -> transactions -> summary.
 * One analyzer holds every table and counter of one analysis; there is no
 * global state (beyond libosip2's one-time init, see sipmsg.h). */
#ifndef SIPSLEUTH_ANALYZER_H
#define SIPSLEUTH_ANALYZER_H

#include "sipsleuth/calls.h"
#include "sipsleuth/input.h"
#include "sipsleuth/packet.h"
#include "sipsleuth/summary.h"
#include "sipsleuth/txn.h"

typedef struct sls_config {
    sls_txn_config txn;
    sls_call_config calls;
    int64_t window_ns; /* width of the summary's time windows (60 s) */
} sls_config;

void sls_config_default(sls_config *cfg);

typedef struct sls_analyzer sls_analyzer;

/* cfg NULL means defaults. Returns NULL when out of memory. */
sls_analyzer *sls_analyzer_new(const sls_config *cfg);
/* Accepts NULL. */
void sls_analyzer_free(sls_analyzer *a);

/* Also call fn for every retired transaction (after the summary took it):
 * this is how transaction listings stream. */
void sls_analyzer_on_txn(sls_analyzer *a, sls_txn_done_fn fn, void *user);

/* Also call fn for every retired call (after the summary took it). */
void sls_analyzer_on_call(sls_analyzer *a, sls_call_done_fn fn, void *user);

/* Also call fn for every valid SIP message, after the transaction and call
 * tables took it (ev: enum sls_txn_event). For message-level views such as a
 * ladder diagram. */
typedef void (*sls_message_fn)(void *user, const sls_sipmsg *m,
                               const sls_packet *pkt, int ev);
void sls_analyzer_on_message(sls_analyzer *a, sls_message_fn fn, void *user);

/* One captured frame. Returns 0, or SLS_ENOMEM. */
int sls_analyzer_frame(sls_analyzer *a, const sls_rawpkt *raw);

/* One transport payload, for callers that decode themselves (tests, fuzz
 * targets, carriers). */
void sls_analyzer_payload(sls_analyzer *a, const sls_packet *pkt);

/* Reads every packet of in. Decoding, reassembly and framing run on a
 * second thread, the rest in the caller's; in and every callback stay the
 * caller's (callbacks are called from the caller's thread only). The
 * results are those of sls_analyzer_frame() on every packet. Returns 0,
 * SLS_ENOMEM, or the error sls_input_next() returned. */
int sls_analyzer_run(sls_analyzer *a, sls_input *in);

/* Also call fn, from sls_analyzer_run and in the caller's thread, as the
 * capture is read (every few thousand packets): the bytes read so far and
 * the total of the regular files (sls_input_progress). */
typedef void (*sls_progress_fn)(void *user, uint64_t done, uint64_t total);
void sls_analyzer_on_progress(sls_analyzer *a, sls_progress_fn fn, void *user);

/* End of the capture: retires every open transaction and completes the
 * summary's counters. Call once, before reading the summary. */
void sls_analyzer_finish(sls_analyzer *a);

const sls_summary *sls_analyzer_summary(const sls_analyzer *a);

#endif
