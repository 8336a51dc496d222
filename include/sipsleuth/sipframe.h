/* SIP detection and framing (RFC 3261 7, 7.3.1, 7.4.2, 18.3).
 *
 * Detection is by content, on any port: a request line
 * "METHOD SP Request-URI SP SIP/2.0" or a status line "SIP/2.0 SP 3DIGIT SP".
 *
 * The framer has the picohttpparser contract: it is given bytes and says
 * "message of N bytes", "need more" (streams only) or "invalid"; it never
 * allocates and returns slices into the caller's buffer. It also builds an
 * index of the header lines the later stages look up (SLS_HEADER_MAP), so
 * the parser adapter does not scan again.
 *
 * Every header line is checked all the same (RFC 3261 7.3.1: a token name,
 * optional white space, a colon; NUL bytes only as an escaped quoted-pair,
 * RFC 3261 25.1) and counts against SLS_SIPFRAME_MAX_HEADERS, but only the
 * lines of known headers get an entry in headers[]: the others are only
 * counted, in count[SLS_HDR_OTHER]. */
#ifndef SIPSLEUTH_SIPFRAME_H
#define SIPSLEUTH_SIPFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "sipsleuth/counters.h"

/* A run of bytes inside the framed buffer; not NUL-terminated. */
typedef struct sls_slice {
    const char *p;
    size_t n;
} sls_slice;

/* Headers the later stages look up, recognised by full and compact name
 * (RFC 3261 7.3.3), case-insensitively. Others are SLS_HDR_OTHER. */
#define SLS_HEADER_MAP(X)                                  \
    X(CALL_ID, "call-id", 'i')                             \
    X(CSEQ, "cseq", 0)                                     \
    X(VIA, "via", 'v')                                     \
    X(FROM, "from", 'f')                                   \
    X(TO, "to", 't')                                       \
    X(CONTENT_LENGTH, "content-length", 'l')               \
    X(USER_AGENT, "user-agent", 0)                         \
    X(SERVER, "server", 0)                                 \
    X(REASON, "reason", 0)                                 \
    X(WARNING, "warning", 0)                               \
    X(RETRY_AFTER, "retry-after", 0)

enum sls_header_id {
    SLS_HDR_OTHER = 0,
#define SLS__HDR_ENUM(id, name, compact) SLS_HDR_##id,
    SLS_HEADER_MAP(SLS__HDR_ENUM)
#undef SLS__HDR_ENUM
    SLS_HDR_COUNT
};

/* Limits: a message over these is invalid (counted, never trusted). */
#define SLS_SIPFRAME_MAX_HEADERS 256      /* header lines per message */
#define SLS_SIPFRAME_MAX_HEADER_BYTES 65536 /* start line + headers + CRLF */
#define SLS_SIPFRAME_MAX_BODY_BYTES (4u << 20)

/* The line of a known header (id != SLS_HDR_OTHER). */
typedef struct sls_sip_header {
    sls_slice name;   /* as written, trailing white space removed */
    sls_slice value;  /* leading/trailing white space removed; may contain
                         folded continuation lines (CRLF followed by SP/HT) */
    uint8_t id;       /* enum sls_header_id */
} sls_sip_header;

typedef struct sls_sipframe {
    uint8_t is_request;
    sls_slice method;       /* request: method token */
    sls_slice uri;          /* request: Request-URI */
    unsigned status;        /* response: 100..699 */
    sls_slice reason;       /* response: reason phrase, may be empty */
    /* For each id: the index in headers[] of its first line, -1 when absent,
     * and how many header lines carry it. Lines of unknown headers have no
     * entry: first[SLS_HDR_OTHER] is always -1, count[SLS_HDR_OTHER] says
     * how many there were. nheaders + count[SLS_HDR_OTHER] is the number of
     * header lines (continuation lines not counted). */
    int16_t first[SLS_HDR_COUNT];
    uint16_t count[SLS_HDR_COUNT];
    size_t header_len;      /* start line + headers + empty line */
    int64_t content_length; /* -1 when absent or unreadable */
    sls_slice body;
    size_t msg_len;         /* bytes this message occupies in the buffer */
    /* Anomalies found while framing (counter ids, 0-terminated list). */
    uint8_t nanomalies;
    uint8_t anomalies[4];
    /* The lines of known headers, in message order. Last, so that the
     * frame up to headers[nheaders] is all of it that is ever read
     * (SLS_SIPFRAME_USED): the analyzer hands frames between threads that
     * way. */
    size_t nheaders;
    sls_sip_header headers[SLS_SIPFRAME_MAX_HEADERS];
} sls_sipframe;

/* The bytes of *f that hold everything it says: up to the end of
 * headers[f->nheaders - 1]. */
#define SLS_SIPFRAME_USED(f) \
    (offsetof(sls_sipframe, headers) + (f)->nheaders * sizeof((f)->headers[0]))

/* 1 when buf starts with something that is a SIP start line or clearly tries
 * to be one (a request line ending in "SIP/" version, or "SIP/" status line),
 * 0 otherwise. Cheap: meant for every UDP payload. */
int sls_sip_detect(const uint8_t *buf, size_t len);

enum sls_frame_mode {
    SLS_FRAME_DATAGRAM = 0, /* UDP/SCTP chunk: the buffer is the whole unit;
                               body = Content-Length bytes, or the rest of
                               the datagram when absent */
    SLS_FRAME_STREAM = 1    /* TCP/WebSocket: Content-Length frames the body
                               (absent means 0); may return 0 (need more) */
};

/* Frames the message at the start of buf.
 * Returns:
 *   > 0  the message length (also f->msg_len); *f is filled
 *     0  need more bytes (stream mode only)
 *   < 0  invalid: -(enum sls_counter) naming the reason, e.g.
 *        -SLS_CTR_SIP_BAD_VERSION, -SLS_CTR_SIP_NO_HEADER_END.
 * In datagram mode, bytes after Content-Length are left unused
 * (msg_len < len) and SIP_TRAILING_BYTES is added to f->anomalies;
 * Content-Length larger than the datagram adds SIP_CONTENT_LENGTH_EXCEEDS
 * and the body is the rest of the datagram. */
int sls_sipframe_parse(const char *buf, size_t len, enum sls_frame_mode mode,
                       sls_sipframe *f);

/* Case-insensitive comparison of a slice with a NUL-terminated lowercase
 * literal. */
int sls_slice_ieq(sls_slice s, const char *lower);

#endif
