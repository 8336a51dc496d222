/* SIP detection and framing: where a SIP message starts and ends, and an
 * index of its header lines (contract in include/sipsleuth/sipframe.h).
 *
 * One forward pass over the start line and header section, line by line with
 * memchr; no allocation, no libosip2. Every read is bounded by the length the
 * caller gave: the tests put each input right before an unreadable page. */
#include "sipsleuth/sipframe.h"

#include "util.h"

#include <string.h>

/* Detection looks at the first line only, and only this far: a SIP start
 * line is short, and this runs on every UDP payload. */
#define DETECT_WINDOW 1024

/* RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" /
 * "+" / "`" / "'" / "~"). Methods and header names are tokens. A table: this
 * runs on every byte of every method and header name (and, in the adapter,
 * of every branch and tag). Declared in util.h. */
const uint8_t sls__tchar[256] = {
    ['!'] = 1, ['%'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,
    ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['_'] = 1, ['`'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
    ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,
    ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,
    ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['~'] = 1,
};

static int is_tchar(unsigned char c)
{
    return sls__tchar[c];
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* p[0..n) equals the lowercase literal `lower` (n bytes), ignoring ASCII
 * case. */
static int ieq_n(const char *p, const char *lower, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(p[i]) != lower[i])
            return 0;
    return 1;
}

/* The same for header names, 8 bytes at a time. Only for tokens (RFC 3261
 * 25.1 tchar) against literals of lowercase letters and '-': there,
 * setting bit 5 of a byte lowercases a letter and changes nothing else a
 * token can hold into a letter or '-' ('-' is 0x2d; 0x0d is no tchar). */
static int name_is(const char *p, const char *lower, size_t n)
{
    while (n >= 8) {
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, lower, 8);
        if ((a | 0x2020202020202020ull) != b)
            return 0;
        p += 8;
        lower += 8;
        n -= 8;
    }
    for (size_t i = 0; i < n; i++)
        if ((char)(p[i] | 0x20) != lower[i])
            return 0;
    return 1;
}

int sls_slice_ieq(sls_slice s, const char *lower)
{
    size_t n = strlen(lower);
    return s.n == n && (n == 0 || ieq_n(s.p, lower, n));
}

/* ---------------------------------------------------------------- detect */

/* "SIP/" already matched at b[0..4). RFC 3261 7.2 and 25.1:
 * SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, then SP and the status code.
 * The digits must be there so that a TCP segment starting in the middle of
 * a message with a Via value ("SIP/2.0/UDP 10.0.0.1") is not taken for a
 * status line. Any number of digits is accepted: a 10-digit code is a SIP
 * response that the framer must reject by name (RFC 4475 3.1.2.19). */
static int detect_status_line(const uint8_t *b, size_t n)
{
    size_t i = 4, d = i;
    while (i < n && is_digit(b[i]))
        i++;
    if (i == d || i >= n || b[i] != '.')
        return 0;
    d = ++i;
    while (i < n && is_digit(b[i]))
        i++;
    if (i == d || i >= n || b[i] != ' ')
        return 0;
    while (i < n && b[i] == ' ')
        i++;
    return i < n && is_digit(b[i]);
}

static int starts_with_scheme(const uint8_t *p, size_t n)
{
    static const char *const schemes[] = {"sip:", "sips:", "tel:"};
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        size_t l = strlen(schemes[k]);
        if (n >= l && ieq_n((const char *)p, schemes[k], l))
            return 1;
    }
    return 0;
}

/* Request line: token SP Request-URI SP "SIP/" DIGIT ... (RFC 3261 7.1).
 * Deliberately looser than the framer about spaces, so that messages that
 * clearly try to be SIP (RFC 4475 lwsstart, trws, lwsruri, badvers) reach
 * the framer and are counted under a SIP reason, not as "not SIP". HTTP and
 * SSDP ("NOTIFY * HTTP/1.1") fail on the version. */
static int detect_request_line(const uint8_t *b, size_t n, int window_cut)
{
    size_t i = 0;
    while (i < n && is_tchar(b[i]))
        i++;
    if (i == n || b[i] != ' ')
        return 0;
    size_t method_end = i;
    while (i < n && b[i] == ' ')
        i++;
    size_t uri = i;
    if (uri == n)
        return 0;
    const uint8_t *lf = memchr(b + uri, '\n', n - uri);
    if (lf == NULL && window_cut) {
        /* A request line longer than the window: the version is out of
         * sight. Accept it only when it looks like nothing but SIP: an
         * upper-case method and a SIP or tel URI. */
        for (size_t k = 0; k < method_end; k++)
            if (b[k] < 'A' || b[k] > 'Z')
                return 0;
        return starts_with_scheme(b + uri, n - uri);
    }
    size_t e = lf != NULL ? (size_t)(lf - b) : n;
    while (e > uri && (b[e - 1] == '\r' || is_ws((char)b[e - 1])))
        e--;
    size_t v = e;
    while (v > uri && b[v - 1] != ' ')
        v--;
    if (v <= uri) /* no SP between the URI and a version */
        return 0;
    return e - v >= 5 && memcmp(b + v, "SIP/", 4) == 0 && is_digit(b[v + 4]);
}

int sls_sip_detect(const uint8_t *buf, size_t len)
{
    if (buf == NULL || len < 5)
        return 0;
    size_t n = len < DETECT_WINDOW ? len : DETECT_WINDOW;
    if (buf[0] == 'S' && memcmp(buf, "SIP/", 4) == 0)
        return detect_status_line(buf, n);
    /* Cheap first-byte rejection: RTP (0x80...), DNS ids, TLS records,
     * keep-alive CRLFs and lowercase text never start a SIP request. */
    if (!is_tchar(buf[0]) || (buf[0] >= 'a' && buf[0] <= 'z'))
        return 0;
    return detect_request_line(buf, n, len > n);
}

/* ---------------------------------------------------------------- framing */

/* Header id of a name (RFC 3261 7.3.3 compact forms included), matched
 * case-insensitively (RFC 3261 7.3.1). A switch on the length, then on the
 * first letter: this runs for every header line of every message. The test
 * suite checks that every SLS_HEADER_MAP entry is found here. */
static uint8_t header_id(const char *p, size_t n)
{
    switch (n) {
    case 1:
        switch (ascii_lower(p[0])) {
        case 'i': return SLS_HDR_CALL_ID;
        case 'v': return SLS_HDR_VIA;
        case 'f': return SLS_HDR_FROM;
        case 't': return SLS_HDR_TO;
        case 'l': return SLS_HDR_CONTENT_LENGTH;
        case 'c': return SLS_HDR_CONTENT_TYPE;
        case 'm': return SLS_HDR_CONTACT;
        default: return SLS_HDR_OTHER;
        }
    case 2:
        return name_is(p, "to", 2) ? SLS_HDR_TO : SLS_HDR_OTHER;
    case 3:
        return name_is(p, "via", 3) ? SLS_HDR_VIA : SLS_HDR_OTHER;
    case 4:
        if (name_is(p, "cseq", 4))
            return SLS_HDR_CSEQ;
        return name_is(p, "from", 4) ? SLS_HDR_FROM : SLS_HDR_OTHER;
    case 6:
        if (name_is(p, "server", 6))
            return SLS_HDR_SERVER;
        return name_is(p, "reason", 6) ? SLS_HDR_REASON : SLS_HDR_OTHER;
    case 7:
        switch (ascii_lower(p[0])) {
        case 'c':
            if (name_is(p, "call-id", 7))
                return SLS_HDR_CALL_ID;
            return name_is(p, "contact", 7) ? SLS_HDR_CONTACT : SLS_HDR_OTHER;
        case 'w':
            return name_is(p, "warning", 7) ? SLS_HDR_WARNING : SLS_HDR_OTHER;
        default:
            return SLS_HDR_OTHER;
        }
    case 10:
        return name_is(p, "user-agent", 10) ? SLS_HDR_USER_AGENT : SLS_HDR_OTHER;
    case 11:
        return name_is(p, "retry-after", 11) ? SLS_HDR_RETRY_AFTER : SLS_HDR_OTHER;
    case 12:
        if (name_is(p, "content-type", 12))
            return SLS_HDR_CONTENT_TYPE;
        return name_is(p, "max-forwards", 12) ? SLS_HDR_MAX_FORWARDS : SLS_HDR_OTHER;
    case 13:
        return name_is(p, "authorization", 13) ? SLS_HDR_AUTHORIZATION : SLS_HDR_OTHER;
    case 14:
        return name_is(p, "content-length", 14) ? SLS_HDR_CONTENT_LENGTH : SLS_HDR_OTHER;
    case 19:
        return name_is(p, "proxy-authorization", 19) ? SLS_HDR_PROXY_AUTHORIZATION
                                                   : SLS_HDR_OTHER;
    default:
        return SLS_HDR_OTHER;
    }
}

static void add_anomaly(sls_sipframe *f, enum sls_counter c)
{
    /* Keep the list 0-terminated: at most sizeof - 1 entries. */
    if (f->nanomalies + 1u < sizeof f->anomalies)
        f->anomalies[f->nanomalies++] = (uint8_t)c;
}

static void frame_reset(sls_sipframe *f)
{
    /* Not a memset: headers[] is 10 KB and only nheaders entries are read. */
    f->is_request = 0;
    f->method = f->uri = f->reason = f->body = (sls_slice){"", 0};
    f->status = 0;
    f->nheaders = 0;
    for (size_t i = 0; i < SLS_HDR_COUNT; i++) {
        f->first[i] = -1;
        f->count[i] = 0;
    }
    f->header_len = 0;
    f->content_length = -1;
    f->msg_len = 0;
    f->nanomalies = 0;
    memset(f->anomalies, 0, sizeof f->anomalies);
}

/* RFC 3261 7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase.
 * s[0..e) is the line without its line ending; it starts with "SIP/". */
static int parse_status_line(const char *s, size_t e, sls_sipframe *f)
{
    size_t i = 0;
    while (i < e && s[i] != ' ')
        i++;
    if (i == e)
        return -SLS_CTR_SIP_BAD_START_LINE;
    if (i != 7 || memcmp(s, "SIP/2.0", 7) != 0)
        return -SLS_CTR_SIP_BAD_VERSION;
    size_t d = i + 1, j = d;
    while (j < e && j - d < 4 && is_digit((unsigned char)s[j]))
        j++;
    /* Exactly three digits (RFC 3261 7.2, 21): RFC 4475 3.1.2.19 sends
     * 4294967301, which a 32-bit parser reads as 5. */
    if (j - d != 3 || (j < e && s[j] != ' '))
        return -SLS_CTR_SIP_BAD_STATUS;
    unsigned code = (unsigned)(s[d] - '0') * 100u + (unsigned)(s[d + 1] - '0') * 10u +
                    (unsigned)(s[d + 2] - '0');
    if (code < 100 || code > 699)
        return -SLS_CTR_SIP_BAD_STATUS;
    f->is_request = 0;
    f->status = code;
    /* The SP before an empty Reason-Phrase is required, but some senders
     * drop it ("SIP/2.0 180"): the code is unambiguous, so accept. */
    f->reason = j < e ? (sls_slice){s + j + 1, e - j - 1} : (sls_slice){s + e, 0};
    return 0;
}

/* RFC 3261 7.1: Request-Line = Method SP Request-URI SP SIP-Version, single
 * SPs. Extra or trailing spaces (RFC 4475 3.1.2.8-10: lwsruri, lwsstart,
 * trws) are rejected: the RFC allows it and a space inside the URI makes the
 * line ambiguous. */
static int parse_request_line(const char *s, size_t e, sls_sipframe *f)
{
    size_t i = 0;
    while (i < e && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i == e || s[i] != ' ')
        return -SLS_CTR_SIP_BAD_START_LINE;
    size_t uri = i + 1;
    size_t v = e;
    while (v > uri && s[v - 1] != ' ')
        v--;
    if (v <= uri + 1) /* no second SP, or an empty URI */
        return -SLS_CTR_SIP_BAD_START_LINE;
    for (size_t k = uri; k < v - 1; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c <= ' ' || c == 0x7f)
            return -SLS_CTR_SIP_BAD_START_LINE;
    }
    if (e - v != 7 || memcmp(s + v, "SIP/2.0", 7) != 0) {
        /* RFC 4475 3.1.2.16 (SIP/7.0): a version, just not ours (505). */
        if (e - v >= 4 && ieq_n(s + v, "sip/", 4))
            return -SLS_CTR_SIP_BAD_VERSION;
        return -SLS_CTR_SIP_BAD_START_LINE;
    }
    f->is_request = 1;
    f->method = (sls_slice){s, i};
    f->uri = (sls_slice){s + uri, v - 1 - uri};
    return 0;
}

static int parse_start_line(const char *s, size_t e, sls_sipframe *f)
{
    if (memchr(s, '\0', e) != NULL)
        return -SLS_CTR_SIP_NUL_BYTE;
    if (e >= 4 && ieq_n(s, "sip/", 4))
        return parse_status_line(s, e, f);
    return parse_request_line(s, e, f);
}

/* A NUL is tolerated in one place only: as the escaped character of a
 * quoted-pair inside a quoted-string (RFC 3261 25.1: quoted-pair = "\"
 * (%x00-09 / ...)), which RFC 4475 3.1.1.2 (intmeth) requires parsers to
 * accept. Scans the header value from its start (quotes can span folded
 * lines) up to the NUL at nul. Rare path: only runs when a NUL is found. */
static int nul_is_quoted_pair(const char *s, size_t from, size_t nul)
{
    int in_quote = 0;
    for (size_t i = from; i < nul; i++) {
        if (in_quote) {
            if (s[i] == '\\') {
                if (i + 1 == nul)
                    return 1;
                i++;
            } else if (s[i] == '"') {
                in_quote = 0;
            }
        } else if (s[i] == '"') {
            in_quote = 1;
        }
    }
    return 0;
}

/* Checks the header line s[a..b) for NUL bytes; value_from is where the
 * current header's value starts (b when the NUL is before the colon). */
static int check_nul(const char *s, size_t a, size_t b, size_t value_from)
{
    const char *z = memchr(s + a, '\0', b - a);
    while (z != NULL) {
        size_t at = (size_t)(z - s);
        if (at < value_from || !nul_is_quoted_pair(s, value_from, at))
            return -SLS_CTR_SIP_NUL_BYTE;
        z = memchr(z + 1, '\0', b - at - 1);
    }
    return 0;
}

/* Strict decimal: 1..10 digits (RFC 3261 20.14: Content-Length = 1*DIGIT).
 * Returns the value, or -1 for anything else ("-999", "bad", "1 5", ""). */
static int64_t parse_content_length(sls_slice v)
{
    if (v.n == 0 || v.n > 10)
        return -1;
    int64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!is_digit((unsigned char)v.p[i]))
            return -1;
        x = x * 10 + (v.p[i] - '0');
    }
    return x;
}

enum cl_state { CL_ABSENT, CL_OK, CL_BAD, CL_HUGE, CL_CONFLICT };

/* All Content-Length lines (full and compact form) must agree. */
static enum cl_state content_length(const sls_sipframe *f, int64_t *out)
{
    *out = -1;
    if (f->count[SLS_HDR_CONTENT_LENGTH] == 0)
        return CL_ABSENT;
    enum cl_state st = CL_OK;
    int64_t first = -2;
    for (size_t i = (size_t)f->first[SLS_HDR_CONTENT_LENGTH]; i < f->nheaders; i++) {
        if (f->headers[i].id != SLS_HDR_CONTENT_LENGTH)
            continue;
        int64_t v = parse_content_length(f->headers[i].value);
        if (v < 0)
            return CL_BAD;
        if (first == -2)
            first = v;
        else if (v != first)
            st = CL_CONFLICT; /* keep looking: a bad value wins */
    }
    if (st == CL_CONFLICT)
        return st;
    if (first > (int64_t)SLS_SIPFRAME_MAX_BODY_BYTES)
        return CL_HUGE;
    *out = first;
    return CL_OK;
}

/* Where the value of the header being read lies: [vs, ve) once a non-blank
 * byte was seen (vset), else an empty value at vempty. */
typedef struct value_span {
    size_t vs, ve, vempty, from;
    int vset;
} value_span;

static void span_add(value_span *v, const char *s, size_t a, size_t b)
{
    while (a < b && is_ws(s[a]))
        a++;
    while (b > a && (is_ws(s[b - 1]) || s[b - 1] == '\r'))
        b--;
    if (a < b) {
        if (!v->vset) {
            v->vs = a;
            v->vset = 1;
        }
        v->ve = b;
    }
}

static void span_store(sls_sipframe *f, const char *s, const value_span *v)
{
    sls_sip_header *h = &f->headers[f->nheaders - 1];
    h->value = v->vset ? (sls_slice){s + v->vs, v->ve - v->vs} : (sls_slice){s + v->vempty, 0};
}

/* Starts a new header at line s[a..b) (line ending excluded). */
static int header_line(sls_sipframe *f, const char *s, size_t a, size_t b, value_span *v,
                       int careful)
{
    if (f->nheaders == SLS_SIPFRAME_MAX_HEADERS)
        return -SLS_CTR_SIP_TOO_MANY_HEADERS;
    /* RFC 3261 7.3.1: field-name HCOLON, the name a token; white space
     * before the colon is allowed ("TO :" in RFC 4475 3.1.1.1). One loop
     * finds the end of the name and checks it. */
    size_t ne = a;
    while (ne < b && is_tchar((unsigned char)s[ne]))
        ne++;
    size_t c = ne;
    while (c < b && is_ws(s[c]))
        c++;
    if (ne == a || c == b || s[c] != ':') {
        if (memchr(s + a, '\0', b - a) != NULL)
            return -SLS_CTR_SIP_NUL_BYTE;
        return -SLS_CTR_SIP_BAD_HEADER_LINE;
    }
    if (careful) {
        int r = check_nul(s, c + 1, b, c + 1);
        if (r != 0)
            return r;
    }
    sls_sip_header *h = &f->headers[f->nheaders];
    h->name = (sls_slice){s + a, ne - a};
    h->id = header_id(s + a, ne - a);
    if (f->count[h->id]++ == 0)
        f->first[h->id] = (int16_t)f->nheaders;
    f->nheaders++;
    *v = (value_span){.vempty = c + 1, .from = c + 1};
    span_add(v, s, c + 1, b);
    return 0;
}

/* careful: check every header line for NUL bytes. *scanned receives how
 * far the parse looked (the end of the last line it examined). */
static int frame(const char *buf, size_t len, enum sls_frame_mode mode, sls_sipframe *f,
                 int careful, size_t *scanned)
{
    const int stream = mode == SLS_FRAME_STREAM;
    frame_reset(f);
    if (buf == NULL)
        len = 0;

    /* RFC 3261 7.5: on a stream, CRLFs before the start line are ignored
     * (RFC 5626 4.4.1 keep-alives are CRLFCRLF / CRLF). They are consumed
     * with the message: msg_len counts them, and the start line begins at
     * buf + msg_len - body.n - header_len. Not in datagram mode: a UDP
     * keep-alive is not SIP, and sls_sip_detect() says so. */
    size_t skip = 0;
    if (stream) {
        while (skip < len && (buf[skip] == '\r' || buf[skip] == '\n'))
            skip++;
        if (skip > SLS_SIPFRAME_MAX_HEADER_BYTES)
            return -SLS_CTR_SIP_TOO_LARGE;
    }
    const char *s = buf + skip;
    size_t avail = len - skip;
    size_t lim = avail < SLS_SIPFRAME_MAX_HEADER_BYTES ? avail : SLS_SIPFRAME_MAX_HEADER_BYTES;
    if (avail == 0)
        return stream ? 0 : -SLS_CTR_SIP_BAD_START_LINE;

    const char *nl = memchr(s, '\n', lim);
    if (nl == NULL) {
        if (avail >= SLS_SIPFRAME_MAX_HEADER_BYTES)
            return -SLS_CTR_SIP_TOO_LARGE;
        return stream ? 0 : -SLS_CTR_SIP_NO_HEADER_END;
    }
    /* A bare LF ends a line as well as CRLF: RFC 3261 7 wants CRLF, real
     * senders (and RFC 3261 7.5's "robust" advice) do otherwise. */
    size_t le = (size_t)(nl - s);
    size_t e = (le > 0 && s[le - 1] == '\r') ? le - 1 : le;
    *scanned = skip + le;
    int r = parse_start_line(s, e, f);
    if (r != 0)
        return r;

    size_t pos = le + 1, header_end = 0;
    value_span v = {0};
    int have_header = 0;
    for (;;) {
        nl = pos < lim ? memchr(s + pos, '\n', lim - pos) : NULL;
        if (nl == NULL)
            break;
        le = (size_t)(nl - s);
        e = (le > pos && s[le - 1] == '\r') ? le - 1 : le;
        if (e == pos) { /* the empty line: end of the header section */
            header_end = le + 1;
            *scanned = skip + header_end;
            break;
        }
        if (is_ws(s[pos])) {
            /* RFC 3261 7.3.1: a line starting with white space continues
             * the previous header value (folding). */
            *scanned = skip + le;
            if (!have_header)
                return -SLS_CTR_SIP_BAD_HEADER_LINE;
            if (careful && (r = check_nul(s, pos, e, v.from)) != 0)
                return r;
            span_add(&v, s, pos, e);
        } else {
            if (have_header)
                span_store(f, s, &v);
            *scanned = skip + le;
            r = header_line(f, s, pos, e, &v, careful);
            if (r != 0)
                return r;
            have_header = 1;
        }
        pos = le + 1;
    }

    if (header_end == 0) {
        /* No empty line within reach. Datagram mode is liberal when the
         * datagram ends right after a complete header line: some senders
         * omit the final CRLF (a PcapPlusPlus sample capture does), and
         * Wireshark parses such messages, so they are framed as
         * headers-only with an empty body and nothing is counted. A
         * datagram cut inside a line is a truncated message. */
        if (!stream && pos == avail) {
            header_end = avail;
            *scanned = skip + header_end;
        } else {
            if (avail >= SLS_SIPFRAME_MAX_HEADER_BYTES)
                return -SLS_CTR_SIP_TOO_LARGE;
            return stream ? 0 : -SLS_CTR_SIP_NO_HEADER_END;
        }
    }
    if (have_header)
        span_store(f, s, &v);
    f->header_len = header_end;

    int64_t cl;
    enum cl_state st = content_length(f, &cl);
    size_t rest = avail - header_end;
    size_t body;
    if (stream) {
        /* On a stream Content-Length is the only way to find the end
         * (RFC 3261 18.3): without a usable one the caller must resync. */
        switch (st) {
        case CL_BAD:
            return -SLS_CTR_SIP_BAD_CONTENT_LENGTH;
        case CL_CONFLICT:
            return -SLS_CTR_SIP_MULTIPLE_CONTENT_LENGTH;
        case CL_HUGE:
            return -SLS_CTR_SIP_TOO_LARGE;
        case CL_ABSENT: /* RFC 3261 18.3: absent means zero on streams */
            cl = 0;
            break;
        case CL_OK:
            break;
        }
        if (rest < (uint64_t)cl)
            return 0;
        body = (size_t)cl;
        f->content_length = st == CL_OK ? cl : -1;
    } else {
        /* RFC 3261 18.3: in a datagram, the body is what Content-Length
         * says, else the rest of the datagram. A value we cannot use (RFC
         * 4475 3.1.2.3 ncl: -999) is never used as a length. */
        body = rest;
        switch (st) {
        case CL_BAD:
        case CL_HUGE:
            add_anomaly(f, SLS_CTR_SIP_BAD_CONTENT_LENGTH);
            break;
        case CL_CONFLICT: /* RFC 4475 3.3.9 mcl01 */
            add_anomaly(f, SLS_CTR_SIP_MULTIPLE_CONTENT_LENGTH);
            break;
        case CL_ABSENT:
            break;
        case CL_OK:
            f->content_length = cl;
            if ((uint64_t)cl < rest) {
                /* RFC 4475 3.1.1.8 dblreq: use the first message, ignore
                 * the octets after it. */
                body = (size_t)cl;
                add_anomaly(f, SLS_CTR_SIP_TRAILING_BYTES);
            } else if ((uint64_t)cl > rest) {
                /* RFC 4475 3.1.2.2 clerr: a proxy answers 400; an analyzer
                 * keeps the message and reports the defect. */
                add_anomaly(f, SLS_CTR_SIP_CONTENT_LENGTH_EXCEEDS);
            }
            break;
        }
        if (body > SLS_SIPFRAME_MAX_BODY_BYTES)
            return -SLS_CTR_SIP_TOO_LARGE;
    }
    f->body = (sls_slice){s + header_end, body};
    f->msg_len = skip + header_end + body;
    return (int)f->msg_len;
}

int sls_sipframe_parse(const char *buf, size_t len, enum sls_frame_mode mode,
                       sls_sipframe *f)
{
    /* NUL bytes are rare: one memchr over what the parse looked at decides
     * whether it must be done again line by line to find out whether each
     * NUL is allowed (RFC 3261 25.1: only as an escaped quoted-pair). */
    size_t scanned = 0;
    int r = frame(buf, len, mode, f, 0, &scanned);
    if (buf != NULL && scanned > 0 && memchr(buf, '\0', scanned < len ? scanned : len) != NULL)
        r = frame(buf, len, mode, f, 1, &scanned);
    return r;
}
