/* Streaming JSON writer; see jsonw.h. */
#include "jsonw.h"

#include <math.h>
#include <string.h>
#include <time.h>

void sls__jw_init(sls__jw *j, FILE *out, int pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
}

static void newline(sls__jw *j)
{
    if (!j->pretty)
        return;
    fputc('\n', j->out);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->out);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void sls__json_string(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", c); break;
            }
            i++;
        } else {
            size_t l = utf8_len(p + i, n - i);
            if (l == 0) {
                fputs("\\ufffd", out);
                i++;
            } else {
                fwrite(p + i, 1, l, out);
                i += l;
            }
        }
    }
    fputc('"', out);
}

static void prefix(sls__jw *j, const char *key)
{
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            fputc(',', j->out);
        j->need_comma[j->depth] = 1;
        newline(j);
    }
    if (key != NULL) {
        sls__json_string(j->out, key, strlen(key));
        fputs(j->pretty ? ": " : ":", j->out);
    }
}

static void open(sls__jw *j, const char *key, char c)
{
    prefix(j, key);
    fputc(c, j->out);
    if (j->depth + 1 < SLS__JW_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = 0;
}

static void close(sls__jw *j, char c)
{
    int had = j->need_comma[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (had)
        newline(j);
    fputc(c, j->out);
}

void sls__jw_object(sls__jw *j, const char *key) { open(j, key, '{'); }
void sls__jw_array(sls__jw *j, const char *key) { open(j, key, '['); }
void sls__jw_end_object(sls__jw *j) { close(j, '}'); }
void sls__jw_end_array(sls__jw *j) { close(j, ']'); }

void sls__jw_strn(sls__jw *j, const char *key, const char *v, size_t n)
{
    prefix(j, key);
    sls__json_string(j->out, v, n);
}

void sls__jw_str(sls__jw *j, const char *key, const char *v)
{
    sls__jw_strn(j, key, v, strlen(v));
}

void sls__jw_u64(sls__jw *j, const char *key, uint64_t v)
{
    prefix(j, key);
    fprintf(j->out, "%llu", (unsigned long long)v);
}

void sls__jw_i64(sls__jw *j, const char *key, int64_t v)
{
    prefix(j, key);
    fprintf(j->out, "%lld", (long long)v);
}

void sls__jw_num(sls__jw *j, const char *key, double v, int decimals)
{
    prefix(j, key);
    if (!isfinite(v)) {
        fputs("null", j->out);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    /* Trim trailing zeros so 0.5 prints as 0.5, 2 as 2. */
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        memcpy(buf, "0", 2);
    fputs(buf, j->out);
}

void sls__jw_bool(sls__jw *j, const char *key, int v)
{
    prefix(j, key);
    fputs(v ? "true" : "false", j->out);
}

void sls__jw_null(sls__jw *j, const char *key)
{
    prefix(j, key);
    fputs("null", j->out);
}

void sls__jw_finish(sls__jw *j)
{
    fputc('\n', j->out);
}

void sls__format_utc(int64_t ts_ns, char *buf, size_t len)
{
    int64_t sec = ts_ns / 1000000000;
    int64_t ns = ts_ns % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(buf, len, "invalid-time");
        return;
    }
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long long)(ns / 1000));
}
