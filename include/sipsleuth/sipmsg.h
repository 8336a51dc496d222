/* The libosip2 adapter: from a framed SIP message to the fields the
 * transaction and call stages use, validated.
 *
 * libosip2 is the parser of record: Call-ID, CSeq, Via, From and To values
 * located by the framer are parsed with osip_call_id_parse, osip_cseq_parse,
 * osip_via_parse and osip_from_parse. What libosip2 does not check is checked
 * here: presence and uniqueness of Call-ID and CSeq, CSeq number range
 * (RFC 3261 8.1.1.5: below 2^31), request method equal to the CSeq method,
 * lengths of every kept field. */
#ifndef SIPSLEUTH_SIPMSG_H
#define SIPSLEUTH_SIPMSG_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/sipframe.h"

/* Methods known by name; anything else is SLS_METHOD_OTHER with its token
 * in method_name. */
#define SLS_METHOD_MAP(X)                                                  \
    X(INVITE) X(ACK) X(BYE) X(CANCEL) X(REGISTER) X(OPTIONS) X(PRACK)     \
    X(SUBSCRIBE) X(NOTIFY) X(PUBLISH) X(INFO) X(REFER) X(MESSAGE) X(UPDATE)

enum sls_method {
    SLS_METHOD_OTHER = 0,
#define SLS__METHOD_ENUM(m) SLS_METHOD_##m,
    SLS_METHOD_MAP(SLS__METHOD_ENUM)
#undef SLS__METHOD_ENUM
    SLS_METHOD_COUNT
};

/* Method id of a token (case-sensitive, RFC 3261 7.1). */
enum sls_method sls_method_from_token(const char *p, size_t n);
/* "INVITE", ...; "OTHER" for SLS_METHOD_OTHER. */
const char *sls_method_name(enum sls_method m);

/* A NUL-terminated string owned by the parser; valid until the next
 * sls_sipparser_parse() on the same parser. n excludes the NUL. Empty
 * strings are "" with n = 0 (never NULL). */
typedef struct sls_str {
    const char *p;
    size_t n;
} sls_str;

/* Longest value kept for any field; longer is SIP_FIELD_TOO_LONG. */
#define SLS_SIPMSG_MAX_FIELD 1024

typedef struct sls_sipmsg {
    uint8_t is_request;
    enum sls_method method;   /* request: start-line method;
                                 response: CSeq method */
    sls_str method_name;      /* the token itself (request line or CSeq) */
    unsigned status;          /* response only: 100..699 */
    sls_str reason;           /* response only: reason phrase as sent */
    sls_str request_uri;      /* request only */
    sls_str call_id;          /* whole Call-ID value */
    uint32_t cseq;            /* CSeq number, < 2^31 */
    enum sls_method cseq_method;
    sls_str branch;           /* top Via branch parameter, "" if none */
    sls_str via_sent_by;      /* top Via host[:port] */
    sls_str via_transport;    /* top Via transport ("UDP", "TCP", ...) */
    sls_str from_tag, to_tag; /* "" when absent */
    sls_str user_agent;       /* User-Agent value, "" when absent */
    sls_str server;           /* Server value, "" when absent */
    const sls_sipframe *frame;/* the framed message, for further lookups */
} sls_sipmsg;

typedef struct sls_sipparser sls_sipparser;

/* Creates a parser. The first call also initialises libosip2 for the process
 * (osip_trace_initialize at level 0, then parser_init), once. Returns NULL
 * when out of memory. */
sls_sipparser *sls_sipparser_new(void);
/* Accepts NULL. */
void sls_sipparser_free(sls_sipparser *p);

/* Hints, no effect on results. A parse first reads its Call-ID's memo
 * slot: a new value with every call, so likely out of the cache. A caller
 * that knows the next message while it handles this one computes that
 * slot's hash (any thread: no parser needed) and has it fetched
 * (sls_sipparser_prefetch_hash, the parser's thread) to overlap the wait. */
uint64_t sls_sipparser_call_id_hash(const char *v, size_t n);
void sls_sipparser_prefetch_hash(const sls_sipparser *p, uint64_t h);

/* Parses and validates a framed message. Returns 0 with *out filled, or
 * -(enum sls_counter) naming why the message cannot be used
 * (-SLS_CTR_SIP_NO_CALL_ID, -SLS_CTR_SIP_BAD_CSEQ, ...). The strings in *out
 * stay valid until the next call on the same parser; out->frame points at f,
 * which the caller keeps alive as long as it uses out. */
int sls_sipparser_parse(sls_sipparser *p, const sls_sipframe *f,
                        sls_sipmsg *out);

#endif
