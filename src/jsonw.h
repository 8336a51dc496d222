/* A small streaming JSON writer (private). Output is valid UTF-8 JSON
 * whatever the input bytes: control characters are escaped and invalid UTF-8
 * sequences become U+FFFD, because SIP reason phrases and header values are
 * arbitrary octets. */
#ifndef SIPSLEUTH_JSONW_H
#define SIPSLEUTH_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SLS__JW_MAX_DEPTH 32

typedef struct sls__jw {
    FILE *out;
    int pretty;               /* 1: indent by 2; 0: one line */
    int depth;
    uint8_t need_comma[SLS__JW_MAX_DEPTH];
} sls__jw;

void sls__jw_init(sls__jw *j, FILE *out, int pretty);
/* key is NULL inside arrays and at top level. */
void sls__jw_object(sls__jw *j, const char *key);
void sls__jw_array(sls__jw *j, const char *key);
void sls__jw_end_object(sls__jw *j);
void sls__jw_end_array(sls__jw *j);
void sls__jw_str(sls__jw *j, const char *key, const char *v);
void sls__jw_strn(sls__jw *j, const char *key, const char *v, size_t n);
void sls__jw_u64(sls__jw *j, const char *key, uint64_t v);
void sls__jw_i64(sls__jw *j, const char *key, int64_t v);
/* Finite numbers with up to `decimals` digits; NaN/inf become null. */
void sls__jw_num(sls__jw *j, const char *key, double v, int decimals);
void sls__jw_bool(sls__jw *j, const char *key, int v);
void sls__jw_null(sls__jw *j, const char *key);
/* Ends the document with a newline. */
void sls__jw_finish(sls__jw *j);

/* Writes s as a JSON string literal (quotes included). */
void sls__json_string(FILE *out, const char *s, size_t n);

/* "2026-11-21T06:46:52.123456Z" into buf (>= 32 bytes). */
void sls__format_utc(int64_t ts_ns, char *buf, size_t len);

#endif
