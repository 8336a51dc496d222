/* Calls: the transactions of one Call-ID grouped into one call attempt, its
 * outcome from a fixed taxonomy, its timings, and one sentence saying why it
 * failed.
 *
 * A call starts with an INVITE without a To tag (RFC 3261 12.1: a request
 * outside a dialog). Everything with the same Call-ID belongs to it: a retry
 * with credentials after 401/407 (same Call-ID, next CSeq, RFC 3261 22.2)
 * stays the same call and marks it challenged; the early dialogs of a forked
 * INVITE (different To tags, RFC 3261 13.2.2.4) are counted in it; BYE,
 * CANCEL, ACK and re-INVITEs update it.
 *
 * Outcome rules (first match, on the final response of the last initial
 * INVITE; see README "Call outcomes"):
 *   answered     a 2xx was received (challenged calls included)
 *   auth_failed  401/407 was the last word (no retry, or the retry was
 *                challenged again), or the retry with credentials was
 *                refused with 403 (RFC 3261 22.3)
 *   cancelled    487, or a CANCEL and no final response
 *   busy         486, 600
 *   rejected     403, 603, 607, 608
 *   not_found    404, 604, 410, 484
 *   unavailable  480, 503
 *   no_answer    408, or no final response although Timer B (32 s, no
 *                provisional) or Timer C (180 s after the last provisional)
 *                passed before the end of the capture
 *   redirected   3xx
 *   failed       any other final response
 *   in_progress  no final response, and the capture ended first */
#ifndef SIPSLEUTH_CALLS_H
#define SIPSLEUTH_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/causes.h"
#include "sipsleuth/counters.h"
#include "sipsleuth/packet.h"
#include "sipsleuth/sipmsg.h"
#include "sipsleuth/txn.h"

#define SLS_OUTCOME_MAP(X)                                                  \
    X(ANSWERED, "answered") X(BUSY, "busy") X(REJECTED, "rejected")         \
    X(NOT_FOUND, "not_found") X(UNAVAILABLE, "unavailable")                 \
    X(CANCELLED, "cancelled") X(NO_ANSWER, "no_answer")                     \
    X(AUTH_FAILED, "auth_failed") X(REDIRECTED, "redirected")               \
    X(FAILED, "failed") X(IN_PROGRESS, "in_progress")

enum sls_outcome {
#define SLS__OUTCOME_ENUM(id, name) SLS_OUTCOME_##id,
    SLS_OUTCOME_MAP(SLS__OUTCOME_ENUM)
#undef SLS__OUTCOME_ENUM
    SLS_OUTCOME_COUNT
};

const char *sls_outcome_name(enum sls_outcome o);
/* Outcome by name; -1 if unknown. */
int sls_outcome_from_name(const char *name);

/* An attempt counts against the network (call failure rate) unless it was
 * answered, busy, cancelled by the caller, redirected, or still in
 * progress. */
int sls_outcome_is_failure(enum sls_outcome o);

typedef struct sls_call_config {
    int64_t timer_b_ns;   /* 32 s */
    int64_t timer_c_ns;   /* 180 s */
    int64_t linger_ns;    /* 32 s kept after a redirection (the UAC may
                             follow it with the same Call-ID) or a BYE
                             without a response yet */
    int64_t settle_ns;    /* 4 s kept after a failure or a BYE's final */
    int64_t idle_ns;      /* answered call without BYE: retired after this
                             much silence (4 h) */
    size_t max_open;      /* ceiling on open calls (200000) */
    size_t max_bytes;     /* ceiling on their memory (28 MiB) */
} sls_call_config;

void sls_call_config_default(sls_call_config *cfg);

#define SLS_CALL_MAX_TEXT 160
#define SLS_CALL_MAX_EXPLANATION 512

/* A finished call. Strings are NUL-terminated, never NULL, and valid only
 * during the callback that passes the call. Times are ns since the epoch;
 * durations are ns, -1 when not applicable. */
typedef struct sls_call {
    const char *call_id;
    char from_uri[SLS_CALL_MAX_TEXT];   /* From URI of the first INVITE */
    char to_uri[SLS_CALL_MAX_TEXT];     /* To URI of the first INVITE */
    sls_addr caller, callee;            /* first INVITE: source, destination */
    uint16_t caller_port, callee_port;
    uint8_t transport;

    enum sls_outcome outcome;
    unsigned final_code;                /* of the last initial INVITE, 0 if none */
    char final_reason[SLS_TXN_MAX_REASON];
    uint8_t challenged;                 /* 401/407 then a retry */
    uint8_t ringing;                    /* 180 seen */
    uint8_t early_media;                /* 183 seen */
    uint8_t cancel_seen;
    uint8_t evicted;
    unsigned attempts;                  /* initial INVITE transactions */
    unsigned invite_retrans;            /* INVITE retransmissions, all attempts */
    unsigned dialogs;                   /* distinct To tags in 1xx/2xx */

    int64_t start_ts_ns;                /* first INVITE */
    int64_t end_ts_ns;                  /* last message */
    int64_t pdd_ns;                     /* INVITE -> first 180/183 */
    int64_t answer_ns;                  /* INVITE -> first 2xx; both timed
                                           from the INVITE of the attempt
                                           that got them (after a challenge,
                                           the retry with credentials) */
    int64_t ack_ns;                     /* 2xx -> its ACK */
    int64_t duration_ns;                /* 2xx -> first BYE */
    uint8_t bye_by_caller;              /* 1 caller, 0 callee (if BYE seen) */
    uint8_t bye_seen;
    unsigned bye_code;                  /* final response to the BYE, 0 if none */

    /* Who gave the final answer, and what it said. */
    sls_addr responder;
    uint16_t responder_port;
    char responder_agent[SLS_CALL_MAX_TEXT]; /* Server, else User-Agent */
    uint8_t has_reason, has_warning, has_retry_after;
    sls_reason_hdr reason;
    sls_warning_hdr warning;
    uint32_t retry_after_s;
    char codecs[SLS_CALL_MAX_TEXT];     /* offered in the first INVITE SDP */
    unsigned prov_before_final;         /* last provisional code before a
                                           failure (183 -> "after early media") */
    const char *explanation;            /* "" when detail is off; valid
                                           during the done callback */
} sls_call;

typedef void (*sls_call_done_fn)(void *user, const sls_call *c);

typedef struct sls_call_table sls_call_table;

/* cfg NULL means defaults. Returns NULL when out of memory. */
sls_call_table *sls_call_table_new(const sls_call_config *cfg,
                                   sls_counters *counters,
                                   sls_call_done_fn done, void *user);
/* Frees without reporting. Accepts NULL. */
void sls_call_table_free(sls_call_table *t);

/* One valid SIP message after the transaction table placed it: ev is what it
 * was to its transaction (enum sls_txn_event), txn the transaction (NULL for
 * ACKs outside one). Returns 0 or SLS_ENOMEM. */
int sls_call_table_message(sls_call_table *t, const sls_sipmsg *m,
                           const sls_packet *pkt, int ev, const sls_txn *txn);

/* Hints, no effect on results (see sls_sipparser_call_id_hash): the index
 * hash of a Call-ID value (any thread), and fetching its index cell (the
 * table's thread). */
uint32_t sls_call_table_hash(const char *call_id, size_t n);
void sls_call_table_prefetch_hash(const sls_call_table *t, uint32_t h);

/* Retires calls whose time has come by now_ns. */
void sls_call_table_advance(sls_call_table *t, int64_t now_ns);
/* End of capture: retires every open call. */
void sls_call_table_flush(sls_call_table *t, int64_t end_ns);

size_t sls_call_table_peak(const sls_call_table *t);

/* Whether retired calls carry their details: the codecs offered and the
 * explanation (on by default). A summary reads neither, and they are the
 * costly part of a call, so the analyzer turns them off unless something
 * reads the calls themselves. */
void sls_call_table_detail(sls_call_table *t, int on);

/* Builds the one-sentence explanation of c into buf. */
void sls_call_explain(const sls_call *c, char *buf, size_t len);

#endif
