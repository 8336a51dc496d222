/* SIP transactions (RFC 3261 17): requests matched with their provisional
 * and final responses, retransmissions recognised and counted.
 *
 * Matching (RFC 3261 17.1.3 and 17.2.3): a message belongs to the transaction
 * of its top Via branch, top Via sent-by and CSeq method, where an ACK is
 * matched as INVITE (the ACK of a non-2xx final is part of the INVITE
 * transaction) and CANCEL is its own transaction. A branch without the
 * "z9hG4bK" magic cookie (RFC 2543 peers) is not trusted to be unique: the key
 * is then Call-ID + CSeq number + CSeq method + From tag + top Via.
 *
 * An ACK that matches no INVITE transaction (the ACK of a 2xx, which has a
 * branch of its own) is kept only to recognise its retransmissions; it is not
 * a transaction and is never reported as one.
 *
 * Ageing is by capture time. A transaction is reported once through the
 * done callback:
 *   - final response seen: settle_ns (4 s) after the first final, so that
 *     the ACK and the first retransmissions are in its record; it then
 *     shrinks to a tombstone (its key and its final response only) that
 *     lives until linger_ns (32 s, RFC 3261 Timer J/K/H scale) after the
 *     final to recognise later retransmissions, which are still counted in
 *     the summary (not in the already reported record);
 *   - no response at all: Timer B/F (32 s) plus the linger; it is timed out;
 *   - INVITE with a provisional but no final: Timer C (180 s, RFC 3261
 *     16.6 step 11) after the last provisional; it is then timed out;
 *   - at sls_txn_table_flush (end of capture), whatever is still open; it is
 *     timed out if the same limits had passed by the end of the capture.
 * Memory follows the open transactions: at most max_open entries and
 * max_bytes of them are kept; above that the one closest to retirement is
 * retired early and counted (TXN_EVICTED). */
#ifndef SIPSLEUTH_TXN_H
#define SIPSLEUTH_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/counters.h"
#include "sipsleuth/packet.h"
#include "sipsleuth/sipmsg.h"

#define SLS_NS_PER_S INT64_C(1000000000)

typedef struct sls_txn_config {
    int64_t timer_b_ns; /* no response: timed out after this (32 s) */
    int64_t timer_c_ns; /* INVITE proceeding: timed out after this (180 s) */
    int64_t linger_ns;  /* key kept after the final response (32 s) */
    int64_t settle_ns;  /* full record kept after the final response (4 s) */
    size_t max_open;    /* ceiling on entries held (1000000) */
    size_t max_bytes;   /* ceiling on their memory (36 MiB) */
} sls_txn_config;

void sls_txn_config_default(sls_txn_config *cfg);

#define SLS_TXN_MAX_PROVISIONAL 8
#define SLS_TXN_MAX_REASON 128

typedef struct sls_txn_prov {
    unsigned code;
    int64_t ts_ns;
    uint32_t to_tag_hash;
} sls_txn_prov;

/* A transaction as reported. Strings are NUL-terminated, never NULL, and
 * owned by the table: valid during the callback that passes the transaction,
 * or until the next call on the table for a pointer returned by
 * sls_txn_table_message. */
typedef struct sls_txn {
    enum sls_method method;
    const char *method_name; /* "INVITE", or the token of an unknown method */
    const char *call_id;
    uint32_t cseq;
    const char *branch;
    const char *from_tag;
    const char *to_tag;      /* from the final (or last provisional) response */
    const char *request_uri; /* "" when the request was not captured */

    /* Endpoints: the client sent the request, the server answered. */
    sls_addr client, server;
    uint16_t client_port, server_port;
    uint8_t transport;

    uint8_t request_seen;    /* 0: only responses were captured */
    uint8_t has_final;
    uint8_t ack_seen;        /* ACK of a non-2xx final */
    uint8_t timed_out;
    uint8_t evicted;

    int64_t first_ts_ns;     /* first message of the transaction */
    int64_t request_ts_ns;   /* first copy of the request (if seen) */
    int64_t first_prov_ts_ns;/* 0 when no provisional */
    int64_t final_ts_ns;     /* 0 when no final */
    int64_t ack_ts_ns;       /* 0 when no ACK */
    uint64_t request_frame;  /* frame number of the request, 0 if unseen */

    unsigned final_code;     /* 0 when none */
    char final_reason[SLS_TXN_MAX_REASON]; /* reason phrase as sent */

    unsigned nprov;          /* provisional responses kept (distinct) */
    sls_txn_prov prov[SLS_TXN_MAX_PROVISIONAL];

    uint32_t request_retrans;   /* copies of the request after the first */
    uint32_t response_retrans;  /* repeated responses */
    uint32_t ack_retrans;
    uint32_t extra_finals;      /* further finals with another To tag or code */
} sls_txn;

/* What one message was to its transaction. */
enum sls_txn_event {
    SLS_TXN_EV_REQUEST,          /* first copy of a request: new transaction */
    SLS_TXN_EV_REQUEST_RETRANS,  /* a retransmitted request */
    SLS_TXN_EV_PROVISIONAL,      /* a new 1xx */
    SLS_TXN_EV_FINAL,            /* the first final response */
    SLS_TXN_EV_RESPONSE_RETRANS, /* a repeated response */
    SLS_TXN_EV_EXTRA_FINAL,      /* another final (forking, or a late one) */
    SLS_TXN_EV_ACK,              /* ACK of a non-2xx final, in its INVITE txn */
    SLS_TXN_EV_ACK_RETRANS,      /* a repeated ACK (either kind) */
    SLS_TXN_EV_ACK_2XX           /* ACK outside any INVITE transaction */
};

/* Called once per retired transaction, in retirement order. */
typedef void (*sls_txn_done_fn)(void *user, const sls_txn *t);

typedef struct sls_txn_table sls_txn_table;

/* cfg NULL means defaults. counters (TXN_* counters) must outlive the table.
 * Returns NULL when out of memory. */
sls_txn_table *sls_txn_table_new(const sls_txn_config *cfg,
                                 sls_counters *counters,
                                 sls_txn_done_fn done, void *user);

/* Retires everything still open (see flush) without reporting, and frees.
 * Accepts NULL. */
void sls_txn_table_free(sls_txn_table *t);

/* Accounts one valid SIP message seen in pkt. Retires transactions whose
 * time has come (by pkt->ts_ns) first. Returns the event, or a negative
 * SLS_E* code (SLS_ENOMEM). *txn_out, when not NULL, receives the transaction
 * (NULL for SLS_TXN_EV_ACK_2XX, ACK retransmissions outside a transaction
 * and messages of a transaction already reported); it stays valid until the
 * next call on the table. */
int sls_txn_table_message(sls_txn_table *t, const sls_sipmsg *m,
                          const sls_packet *pkt, const sls_txn **txn_out);

/* Hints, no effect on results (see sls_sipparser_call_id_hash): the index
 * hash of a message whose top Via has this branch, when the branch makes
 * an RFC 3261 key (returns 0 otherwise; any thread), and fetching its
 * index cell (the table's thread). */
int sls_txn_branch_hash(const char *branch, size_t n, uint32_t *h);
void sls_txn_table_prefetch_hash(const sls_txn_table *t, uint32_t h);

/* Retires transactions whose time has come by now_ns. */
void sls_txn_table_advance(sls_txn_table *t, int64_t now_ns);

/* End of capture at end_ns: retires every open transaction, deciding
 * timed_out against end_ns. */
void sls_txn_table_flush(sls_txn_table *t, int64_t end_ns);

/* Entries held (transactions, tombstones and ACK entries) and the
 * high-water mark. */
size_t sls_txn_table_open(const sls_txn_table *t);
size_t sls_txn_table_peak(const sls_txn_table *t);

#endif
