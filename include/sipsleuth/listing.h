/* Per-call and per-transaction listings, written one record at a time as the
 * tables retire them, so that large outputs stream: text (aligned columns),
 * NDJSON (one JSON object per line), CSV (RFC 4180: a header line, fields
 * quoted when they hold a comma, quote, CR or LF, quotes doubled). */
#ifndef SIPSLEUTH_LISTING_H
#define SIPSLEUTH_LISTING_H

#include <stdio.h>

#include "sipsleuth/calls.h"
#include "sipsleuth/txn.h"

enum sls_list_format {
    SLS_LIST_TEXT,
    SLS_LIST_NDJSON,
    SLS_LIST_CSV,
    SLS_LIST_JSON /* one JSON array: '[' at the header, ']' at the footer */
};

typedef struct sls_lister {
    FILE *out;
    enum sls_list_format format;
    unsigned long long count;
} sls_lister;

void sls_lister_init(sls_lister *l, FILE *out, enum sls_list_format format);

/* Header (text column titles, CSV header line, JSON '['). */
void sls_list_calls_header(sls_lister *l);
void sls_list_call(sls_lister *l, const sls_call *c);
void sls_list_txns_header(sls_lister *l);
void sls_list_txn(sls_lister *l, const sls_txn *t);
/* Footer (JSON ']'). */
void sls_list_footer(sls_lister *l);

/* Writes one call as a JSON object on one line (no newline). */
void sls_call_json(FILE *out, const sls_call *c);

#endif
