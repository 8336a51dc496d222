/* Why a call failed, as the far end said it: the Reason header (RFC 3326,
 * with Q.850 cause values, ITU-T Q.850 / RFC 3398 mapping), the Warning
 * header (RFC 3261 20.43, warn-codes 300-399), Retry-After (RFC 3261 20.33),
 * and the codecs an SDP offer lists (RFC 4566, static payload types from
 * RFC 3551). Parsers are strict, bounded, never allocate, and copy what they
 * keep into fixed fields (truncating long text). */
#ifndef SIPSLEUTH_CAUSES_H
#define SIPSLEUTH_CAUSES_H

#include <stddef.h>
#include <stdint.h>

enum sls_reason_protocol {
    SLS_REASON_SIP = 1,   /* cause is a SIP status code */
    SLS_REASON_Q850 = 2,  /* cause is an ITU-T Q.850 cause value */
    SLS_REASON_OTHER = 3  /* another protocol token (kept in protocol) */
};

typedef struct sls_reason_hdr {
    enum sls_reason_protocol protocol;
    char protocol_name[16]; /* as written, e.g. "Q.850", truncated */
    int has_cause;
    unsigned cause;         /* 0..65535 */
    char text[128];         /* text="..." unquoted, unescaped, truncated */
} sls_reason_hdr;

/* Parses the first reason-value of a Reason header value (several may be
 * comma-separated: the first Q.850 one is preferred when present, else the
 * first). Returns 0, or SLS_EINVAL when nothing usable is there. */
int sls_reason_parse(const char *value, size_t len, sls_reason_hdr *out);

typedef struct sls_warning_hdr {
    unsigned code;     /* 300..399 (RFC 3261 warn-code is 3 digits) */
    char agent[64];    /* warn-agent (host[:port] or pseudonym), truncated */
    char text[128];    /* warn-text unquoted, truncated */
} sls_warning_hdr;

/* Parses the first warning-value. Returns 0 or SLS_EINVAL. */
int sls_warning_parse(const char *value, size_t len, sls_warning_hdr *out);

/* Retry-After: delta-seconds (optionally followed by a comment and
 * parameters). Returns 0 with *seconds, or SLS_EINVAL / SLS_ERANGE
 * (above 2^32-1). */
int sls_retry_after_parse(const char *value, size_t len, uint32_t *seconds);

typedef struct sls_q850_info {
    unsigned cause;        /* 0..127 */
    int known;             /* 0: unassigned value, explained by its class */
    const char *name;      /* "User busy" */
    const char *meaning;   /* plain-language meaning and what to check */
    unsigned sip_code;     /* RFC 3398 / RFC 4497 mapping to SIP, 0 if none */
} sls_q850_info;

/* Fills *info for 0..127 and returns 0; SLS_ERANGE above 127. */
int sls_q850_explain(unsigned cause, sls_q850_info *info);

typedef struct sls_warn_info {
    unsigned code;
    int known;
    const char *name;     /* "Incompatible media format" */
    const char *meaning;
} sls_warn_info;

/* Fills *info for 300..399 (known=0 for unregistered codes) and returns 0;
 * SLS_ERANGE otherwise. */
int sls_warning_explain(unsigned code, sls_warn_info *info);

/* Writes the codecs offered by an SDP body, in order of the first audio (or
 * else first) m= line's payload types, as "PCMU/8000 PCMA/8000
 * telephone-event/8000": rtpmap names where given, RFC 3551 names for static
 * payload types without rtpmap, "pt<N>" otherwise. Several m= lines are
 * joined with "; " prefixed by their media ("audio: ...; video: ...").
 * Output is NUL-terminated and truncated to outlen. Returns the number of
 * codecs written, 0 when the body has no m= line. */
size_t sls_sdp_codecs(const char *body, size_t len, char *out, size_t outlen);

#endif
