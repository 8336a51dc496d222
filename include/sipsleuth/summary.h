/* Per-capture aggregation: what the summary report prints. Fed message by
 * message (requests and responses as they appear on the wire) and
 * transaction by transaction (as the table retires them). Everything is a
 * count in fixed arrays or a small bounded table: memory does not grow with
 * the capture. */
#ifndef SIPSLEUTH_SUMMARY_H
#define SIPSLEUTH_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/calls.h"
#include "sipsleuth/counters.h"
#include "sipsleuth/hist.h"
#include "sipsleuth/sipmsg.h"
#include "sipsleuth/txn.h"

/* Distinct method names kept; further unknown tokens are counted under
 * SLS_SUMMARY_OTHER_METHODS so garbage cannot grow the table. */
#define SLS_SUMMARY_MAX_METHODS 64
#define SLS_SUMMARY_OTHER_METHODS "(other)"
#define SLS_SUMMARY_MAX_NAME 32

/* Transaction outcome buckets, in report order. */
enum sls_bucket {
    SLS_BUCKET_1XX_ONLY,
    SLS_BUCKET_2XX,
    SLS_BUCKET_3XX,
    SLS_BUCKET_4XX,
    SLS_BUCKET_5XX,
    SLS_BUCKET_6XX,
    SLS_BUCKET_NO_FINAL,
    SLS_BUCKET_COUNT
};

/* "1xx_only", "2xx", ..., "no_final". */
const char *sls_bucket_name(enum sls_bucket b);

typedef struct sls_method_stats {
    char name[SLS_SUMMARY_MAX_NAME];
    uint64_t requests;          /* request messages, retransmissions included */
    uint64_t request_retrans;
    uint64_t response_retrans;
    uint64_t txn_total;         /* ACK never has transactions */
    uint64_t txn_bucket[SLS_BUCKET_COUNT];
    uint64_t txn_timed_out;     /* subset of no_final */
    uint64_t txn_challenged;    /* final 401/407 */
    uint64_t txn_errors;        /* see sls_txn_is_error */
    uint64_t txn_rated;         /* denominator: final or timed out */
    uint64_t txn_without_request;
    sls_hist *response_time;    /* request -> final; allocated on first use */
    uint64_t *final_codes;      /* [700] transactions per final code;
                                   allocated on first use */
} sls_method_stats;

/* Calls per peer: the address that gave the final answer, or for calls with
 * no answer the address the INVITE went to. */
#define SLS_SUMMARY_MAX_PEERS 256
typedef struct sls_peer_stats {
    sls_addr addr;
    uint16_t port;
    uint8_t other;              /* 1: the bucket for peers over the limit */
    uint64_t calls, answered, failures;
    uint64_t outcomes[SLS_OUTCOME_COUNT];
    uint64_t final_codes[700];
} sls_peer_stats;

/* Calls per time window, by the call's start time. */
typedef struct sls_window_stats {
    uint64_t attempts, answered, failures;
} sls_window_stats;

#define SLS_SUMMARY_MAX_WINDOWS 1000000

typedef struct sls_summary {
    uint64_t packets;
    uint64_t bytes;               /* captured bytes */
    int64_t first_ts_ns, last_ts_ns;
    uint64_t sip_messages;        /* requests + responses */
    uint64_t requests, responses;
    uint64_t retrans_requests;    /* requests and ACKs */
    uint64_t retrans_responses;
    sls_counters counters;
    size_t nmethods;
    sls_method_stats methods[SLS_SUMMARY_MAX_METHODS + 1];
    uint64_t response_codes[700]; /* messages per status code */
    uint64_t final_codes[700];    /* transactions per final code */
    uint64_t txn_total, txn_errors, txn_rated, txn_challenged;
    uint64_t txn_timed_out, txn_no_final, txn_evicted;
    size_t txn_peak_open;
    sls_hist response_time;       /* every transaction: request -> final */

    /* Calls. */
    uint64_t calls;
    uint64_t outcomes[SLS_OUTCOME_COUNT];
    uint64_t calls_challenged;
    uint64_t calls_failed;        /* sls_outcome_is_failure */
    uint64_t calls_ringing_no_answer; /* no_answer after 180/183 (for NER) */
    uint64_t calls_evicted;
    size_t calls_peak_open;
    sls_hist pdd, answer, ack, duration;
    size_t npeers;
    sls_peer_stats *peers;        /* SLS_SUMMARY_MAX_PEERS + 1 */
    int64_t window_ns;            /* width of a time window */
    int64_t window_origin_ns;     /* start of window 0 */
    size_t nwindows;
    sls_window_stats *windows;
} sls_summary;

/* Allocates the summary (it is large: histograms). window_ns <= 0 means 60 s.
 * Returns NULL when out of memory. */
sls_summary *sls_summary_new(int64_t window_ns);
/* Accepts NULL. */
void sls_summary_free(sls_summary *s);

/* Resets *s to zero counts, keeping nothing. Only for a summary that owns
 * no memory yet (tests); sls_summary_new does it. */
void sls_summary_init(sls_summary *s);

/* Stats of a method by name, created on first use (bounded, see above). */
sls_method_stats *sls_summary_method(sls_summary *s, const char *name,
                                     size_t len);

/* Indices into s->methods in name order (idx holds
 * SLS_SUMMARY_MAX_METHODS + 1 entries); returns how many. */
size_t sls_summary_sorted_methods(const sls_summary *s, size_t *idx);

/* One valid SIP start line seen on the wire (before validation of the rest:
 * Wireshark's sip,stat counts the same way). method is the request token;
 * for responses, status. */
void sls_summary_request(sls_summary *s, const char *method, size_t len);
void sls_summary_response(sls_summary *s, unsigned status);

/* What the transaction table said about one message. */
void sls_summary_txn_event(sls_summary *s, const sls_sipmsg *m, int event);

/* A retired transaction. */
void sls_summary_txn_done(sls_summary *s, const sls_txn *t);

/* A retired call. */
void sls_summary_call_done(sls_summary *s, const sls_call *c);

/* ASR = answered / attempts; NER = (answered + busy + cancelled + rejected +
 * no answer after ringing) / attempts (ITU-T E.411: user-caused outcomes
 * count as effective). Attempts exclude calls still in progress. */
uint64_t sls_summary_call_attempts(const sls_summary *s);
double sls_summary_asr(const sls_summary *s);
double sls_summary_ner(const sls_summary *s);

/* dst += src, exactly: counts add, histograms add bucket by bucket (so
 * merged percentiles equal those of one run over both inputs), peaks and
 * last timestamps take the maximum, first timestamps the minimum, methods,
 * peers and windows are joined by name, address and absolute start time.
 * Returns 0; SLS_EINVAL if the window widths differ or a window start is
 * not aligned to its width; SLS_ENOMEM (dst is then partly merged but
 * still valid to free). */
int sls_summary_merge(sls_summary *dst, const sls_summary *src);

/* Outcome bucket of a transaction. */
enum sls_bucket sls_txn_bucket(const sls_txn *t);

/* A transaction counts as an error when its final response is 4xx, 5xx or
 * 6xx other than a 401/407 authentication challenge or a 487 after CANCEL,
 * or when it timed out.
 * It is rated (in the denominator) when it has a final response or timed
 * out; one still pending at the end of the capture is not rated. */
int sls_txn_is_error(const sls_txn *t);
int sls_txn_is_rated(const sls_txn *t);

#endif
