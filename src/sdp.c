/* The codecs an SDP body offers, as one line for reports (sls_sdp_codecs,
 * declared in causes.h).
 *
 * The body is not NUL-terminated and may be cut anywhere: lines are found by
 * length, never by searching for a terminator, and every byte is read at an
 * index checked against len. Nothing is allocated: a media section is
 * described by slices into the body, kept in a fixed array on the stack. */
#include "sipsleuth/causes.h"

#include "util.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The contract keeps at most 32 payload types per m= line; more are counted
 * and shown as "+N" so a report never hides that it dropped some. */
#define SDP_MAX_FMTS 32
/* Longest name copied for one format or media type: real ones are a few
 * bytes ("telephone-event/8000" is 20), so this only stops garbage. */
#define SDP_MAX_NAME 64

/* RFC 3551 tables 4 and 5: payload types with a static meaning. The names
 * are the rtpmap forms (encoding/clock[/channels]) so that a static type and
 * an explicit rtpmap print alike. */
static const char *const static_pt[35] = {
    [0] = "PCMU/8000",    [3] = "GSM/8000",     [4] = "G723/8000",
    [5] = "DVI4/8000",    [6] = "DVI4/16000",   [7] = "LPC/8000",
    [8] = "PCMA/8000",    [9] = "G722/8000",    [10] = "L16/44100/2",
    [11] = "L16/44100",   [12] = "QCELP/8000",  [13] = "CN/8000",
    [14] = "MPA/90000",   [15] = "G728/8000",   [16] = "DVI4/11025",
    [17] = "DVI4/22050",  [18] = "G729/8000",   [25] = "CelB/90000",
    [26] = "JPEG/90000",  [28] = "nv/90000",    [31] = "H261/90000",
    [32] = "MPV/90000",   [33] = "MP2T/90000",  [34] = "H263/90000",
};

struct slice {
    const char *p;
    size_t n;
};

struct sdp_fmt {
    struct slice fmt; /* as written in the m= line */
    int pt;           /* RTP payload type 0..127, or -1 for a non-RTP fmt */
    struct slice map; /* rtpmap encoding, n == 0 when none */
};

struct sdp_section {
    struct slice media;
    size_t nfmt;
    size_t dropped; /* fmts beyond SDP_MAX_FMTS */
    struct sdp_fmt fmt[SDP_MAX_FMTS];
};

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Next line starting at *pos (RFC 4566 5: CRLF, and LF alone is accepted).
 * Returns 0 at the end of the body. */
static int next_line(const char *b, size_t len, size_t *pos, struct slice *line)
{
    size_t s = *pos;
    if (s >= len)
        return 0;
    const char *nl = memchr(b + s, '\n', len - s);
    size_t e = nl != NULL ? (size_t)(nl - b) : len;
    *pos = e < len ? e + 1 : len;
    if (e > s && b[e - 1] == '\r')
        e--;
    line->p = b + s;
    line->n = e - s;
    return 1;
}

static int starts_with(const struct slice *l, const char *lit)
{
    size_t n = strlen(lit);
    return l->n >= n && memcmp(l->p, lit, n) == 0;
}

static int ieq(const struct slice *s, const char *lit)
{
    size_t n = strlen(lit);
    if (s->n != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = s->p[i], b = lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/* Splits off the next white-space-separated field of *rest. */
static int next_field(struct slice *rest, struct slice *field)
{
    size_t i = 0;
    while (i < rest->n && is_wsp(rest->p[i]))
        i++;
    size_t s = i;
    while (i < rest->n && !is_wsp(rest->p[i]))
        i++;
    if (i == s)
        return 0;
    field->p = rest->p + s;
    field->n = i - s;
    rest->p += i;
    rest->n -= i;
    return 1;
}

/* An RTP payload type: decimal 0..127 (RFC 3550 5.1, 7 bits). */
static int parse_pt(const struct slice *s)
{
    uint64_t v;
    if (sls__parse_u64(s->p, s->n, 127, &v) != 0)
        return -1;
    return (int)v;
}

/* Reads the section whose m= line is at *pos (RFC 4566 5.14: m=<media>
 * <port>[/<n>] <proto> <fmt> ...) up to the next m= line, and attaches each
 * a=rtpmap (RFC 4566 6) found in it to its payload type. An rtpmap applies
 * only to the section it appears in, wherever it sits after the m= line. */
static void read_section(const char *b, size_t len, size_t pos, struct sdp_section *sec)
{
    struct slice line, rest, f;
    memset(sec, 0, sizeof *sec);
    if (!next_line(b, len, &pos, &line) || !starts_with(&line, "m="))
        return;
    rest.p = line.p + 2;
    rest.n = line.n - 2;
    if (!next_field(&rest, &sec->media))
        sec->media.n = 0;
    struct slice port, proto;
    if (sec->media.n > 0 && next_field(&rest, &port) && next_field(&rest, &proto)) {
        while (next_field(&rest, &f)) {
            if (sec->nfmt == SDP_MAX_FMTS) {
                sec->dropped++;
                continue;
            }
            struct sdp_fmt *x = &sec->fmt[sec->nfmt++];
            x->fmt = f;
            x->pt = parse_pt(&f);
        }
    }
    while (next_line(b, len, &pos, &line)) {
        if (starts_with(&line, "m="))
            break;
        if (line.n < 9 || memcmp(line.p, "a=", 2) != 0)
            continue;
        struct slice name = {line.p + 2, 7};
        if (!ieq(&name, "rtpmap:"))
            continue;
        /* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<params>] */
        rest.p = line.p + 9;
        rest.n = line.n - 9;
        struct slice pt, enc;
        if (!next_field(&rest, &pt) || !next_field(&rest, &enc))
            continue;
        int v = parse_pt(&pt);
        if (v < 0)
            continue;
        for (size_t i = 0; i < sec->nfmt; i++) {
            /* The first rtpmap for a type wins; a repeat is an error in the
             * offer and must not rename a codec already described. */
            if (sec->fmt[i].pt == v && sec->fmt[i].map.n == 0)
                sec->fmt[i].map = enc;
        }
    }
}

/* Output that never overflows and is always NUL-terminated when cap > 0. */
struct out {
    char *buf;
    size_t cap;
    size_t n;
};

static void out_byte(struct out *o, char c)
{
    if (o->n + 1 < o->cap) {
        o->buf[o->n++] = c;
        o->buf[o->n] = '\0';
    }
}

static void out_str(struct out *o, const char *s)
{
    while (*s != '\0')
        out_byte(o, *s++);
}

/* Bytes from the capture: only printable ASCII goes into a report line. */
static void out_slice(struct out *o, const struct slice *s)
{
    size_t n = s->n < SDP_MAX_NAME ? s->n : SDP_MAX_NAME;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s->p[i];
        out_byte(o, (c > 0x20 && c < 0x7F) ? (char)c : '?');
    }
}

static void out_uint(struct out *o, size_t v)
{
    char d[24];
    size_t k = 0;
    do {
        d[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && k < sizeof d);
    while (k > 0)
        out_byte(o, d[--k]);
}

/* Writes one section; returns how many codecs it lists. */
static size_t emit_section(struct out *o, const struct sdp_section *sec, int prefixed)
{
    if (prefixed) {
        out_slice(o, &sec->media);
        out_byte(o, ':');
    }
    for (size_t i = 0; i < sec->nfmt; i++) {
        const struct sdp_fmt *x = &sec->fmt[i];
        if (i > 0 || prefixed)
            out_byte(o, ' ');
        if (x->map.n > 0)
            out_slice(o, &x->map);
        else if (x->pt >= 0 && (size_t)x->pt < sizeof static_pt / sizeof static_pt[0] &&
                 static_pt[x->pt] != NULL)
            out_str(o, static_pt[x->pt]);
        else if (x->pt >= 0) {
            /* A dynamic type (RFC 3551 6: 96-127) needs an rtpmap to have
             * a name; without one only the number is known. */
            out_str(o, "pt");
            out_uint(o, (size_t)x->pt);
        } else
            out_slice(o, &x->fmt); /* non-RTP format: "t38", "*", ... */
    }
    if (sec->dropped > 0) {
        out_str(o, " +");
        out_uint(o, sec->dropped);
    }
    return sec->nfmt;
}

/* Returns the number of codecs the full line lists, whether or not all of
 * it fit in out (as snprintf counts what it would have written), so a
 * caller with a short buffer still learns the count; 0 means no m= line
 * (or m= lines without formats). */
size_t sls_sdp_codecs(const char *body, size_t len, char *out, size_t outlen)
{
    struct out o = {out, out != NULL ? outlen : 0, 0};
    if (o.cap > 0)
        o.buf[0] = '\0';
    if (body == NULL)
        return 0;

    /* First pass: where the sections start, and which one leads. The first
     * audio section leads because the voice codecs are what a failed call
     * is usually about; the others follow in body order. */
    size_t pos = 0, at, first = SIZE_MAX, lead = SIZE_MAX, nsec = 0;
    struct slice line;
    for (at = pos; next_line(body, len, &pos, &line); at = pos) {
        if (!starts_with(&line, "m="))
            continue;
        nsec++;
        if (first == SIZE_MAX)
            first = at;
        struct slice rest = {line.p + 2, line.n - 2}, media;
        if (lead == SIZE_MAX && next_field(&rest, &media) && ieq(&media, "audio"))
            lead = at;
    }
    if (nsec == 0)
        return 0;
    if (lead == SIZE_MAX)
        lead = first;

    /* Second pass: the lead, then every other section. */
    struct sdp_section sec;
    size_t count = 0;
    int prefixed = nsec > 1;
    read_section(body, len, lead, &sec);
    count += emit_section(&o, &sec, prefixed);
    pos = 0;
    for (at = pos; next_line(body, len, &pos, &line); at = pos) {
        if (at == lead || !starts_with(&line, "m="))
            continue;
        out_str(&o, "; ");
        read_section(body, len, at, &sec);
        count += emit_section(&o, &sec, prefixed);
    }
    return count;
}
