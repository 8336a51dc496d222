/* SIP detection and framing: where a SIP message starts and ends, and an
 * index of the lines of known headers (contract in
 * include/sipsleuth/sipframe.h).
 *
 * One forward pass over the start line and header section; the line feeds
 * are found 64 bytes at a time (SSE2 where the compiler targets it, a scalar
 * loop elsewhere and for inputs under 16 bytes). With SSE2, the usual header
 * line ("Name:" within its first 16 bytes) is named by one 16-byte load and
 * a table (fast_name); every other line, and every line without SSE2, goes
 * the general way (header_name), which decides alike. No allocation, no
 * libosip2.
 * Every read is bounded by the length the caller gave: the tests put each
 * input right before an unreadable page, the fuzz targets use exact-size
 * heap blocks. The scalar path alone is checked by building with
 * -U__SSE2__ and running the unit tests; the unit tests frame each header
 * name both with and without 16 bytes after it, so both ways are covered in
 * an SSE2 build. */
#include "sipsleuth/sipframe.h"

#include "util.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* For the framer's own hot helpers: inlined into the one loop, so that its
 * state stays in registers. */
#if defined(__GNUC__)
#define FRAME_INLINE inline __attribute__((always_inline))
#define FRAME_NOINLINE __attribute__((noinline))
#else
#define FRAME_INLINE inline
#define FRAME_NOINLINE
#endif

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

/* Unaligned loads for equality tests on header names (sls__load64 and
 * load_upto8). load_upto8 packs
 * p[0..n), 1 <= n <= 8, into one word with two overlapping loads: every byte
 * lands in the word (some twice), so two words are equal exactly when the
 * bytes are, and it never reads outside p[0..n). */
static uint64_t load_upto8(const char *p, size_t n)
{
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return a | (uint64_t)b << 32;
    }
    if (n >= 2) {
        uint16_t a, b;
        memcpy(&a, p, 2);
        memcpy(&b, p + n - 2, 2);
        return a | (uint64_t)b << 16;
    }
    return (unsigned char)p[0];
}

/* p[0..n) is `lower` (n bytes of lowercase letters and at most one '-', at
 * index dash, 0 when none) written in any case, RFC 3261 7.3.1. Setting bit 5
 * of a byte maps exactly the two cases of a letter onto the lowercase letter,
 * but maps both '-' and CR onto '-': the dash is therefore compared as it is,
 * so that a match is made of token characters only (RFC 3261 25.1). Called
 * with constant arguments, it folds into a few word compares. */
static inline int name_is(const char *p, const char *lower, size_t n, size_t dash)
{
    const uint64_t fold = 0x2020202020202020ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if ((sls__load64(p + i) | fold) != sls__load64(lower + i))
            return 0;
    if (i < n) {
        if (n >= 8) {
            if ((sls__load64(p + n - 8) | fold) != sls__load64(lower + n - 8))
                return 0;
        } else if ((load_upto8(p, n) | fold) != (load_upto8(lower, n) | fold)) {
            return 0;
        }
    }
    return dash == 0 || p[dash] == '-';
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
static FRAME_NOINLINE int detect_request_line(const uint8_t *b, size_t n, int window_cut)
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
    /* The usual line ends in " SIP/2.0": the last SP is there. */
    if (e >= uri + 8 && memcmp(b + e - 8, " SIP/2.0", 8) == 0)
        return 1;
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
    if (buf[0] == 'S' && memcmp(buf, "SIP/", 4) == 0) {
        /* The usual status line: "SIP/2.0 " and a digit. The request line
         * takes more work: out of line, so that this path stays short. */
        if (len >= 9 && memcmp(buf, "SIP/2.0 ", 8) == 0 && is_digit(buf[8]))
            return 1;
        return detect_status_line(buf, n);
    }
    /* Cheap first-byte rejection: RTP (0x80...), DNS ids, TLS records,
     * keep-alive CRLFs and lowercase text never start a SIP request. */
    if (!is_tchar(buf[0]) || (buf[0] >= 'a' && buf[0] <= 'z'))
        return 0;
    return detect_request_line(buf, n, len > n);
}

/* ---------------------------------------------------------------- framing */

/* The header name at p, when it is a name of SLS_HEADER_MAP (RFC 3261 7.3.3
 * compact forms included), matched case-insensitively (RFC 3261 7.3.1):
 * its id, and *len its length. Else SLS_HDR_OTHER. p[0..room] may be read
 * (the line and the CR or LF that ends it); a name is only known when the
 * byte after it cannot continue a token, so that "Vias" or "Call-IDs" are
 * not Via or Call-ID. A known name is made of token characters, so it needs
 * no further check; an unknown one is checked by the caller. A switch on the
 * first letter: this runs for every header line of every message. The test
 * suite checks that every SLS_HEADER_MAP entry is found here, in any case. */
static uint8_t known_name(const char *p, size_t room, size_t *len)
{
#define KNOWN(lower, dash, id)                                                     \
    do {                                                                           \
        const size_t n_ = sizeof(lower) - 1;                                       \
        if (n_ <= room && !is_tchar((unsigned char)p[n_]) &&                       \
            name_is(p, lower, n_, dash)) {                                         \
            *len = n_;                                                             \
            return SLS_HDR_##id;                                                   \
        }                                                                          \
    } while (0)
    /* Full names first: compact forms are rare in practice. */
    switch (p[0] | 0x20) {
    case 'c':
        switch (p[1] | 0x20) {
        case 'a':
            KNOWN("call-id", 4, CALL_ID);
            break;
        case 's':
            KNOWN("cseq", 0, CSEQ);
            break;
        case 'o':
            KNOWN("content-length", 7, CONTENT_LENGTH);
            break;
        }
        break;
    case 'f':
        KNOWN("from", 0, FROM);
        KNOWN("f", 0, FROM);
        break;
    case 'i':
        KNOWN("i", 0, CALL_ID);
        break;
    case 'l':
        KNOWN("l", 0, CONTENT_LENGTH);
        break;
    case 'r':
        KNOWN("reason", 0, REASON);
        KNOWN("retry-after", 5, RETRY_AFTER);
        break;
    case 's':
        KNOWN("server", 0, SERVER);
        break;
    case 't':
        KNOWN("to", 0, TO);
        KNOWN("t", 0, TO);
        break;
    case 'u':
        KNOWN("user-agent", 4, USER_AGENT);
        break;
    case 'v':
        KNOWN("via", 0, VIA);
        KNOWN("v", 0, VIA);
        break;
    case 'w':
        KNOWN("warning", 0, WARNING);
        break;
    default:
        break;
    }
#undef KNOWN
    return SLS_HDR_OTHER;
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
    /* Each field on its own: a chained assignment reads back a slice just
     * stored, a 16-byte load of two 8-byte stores that the CPU cannot
     * forward (perf: the hottest instruction of the framer). */
    f->method.p = f->uri.p = f->reason.p = f->body.p = "";
    f->method.n = f->uri.n = f->reason.n = f->body.n = 0;
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
static FRAME_INLINE int parse_status_line(const char *s, size_t e, sls_sipframe *f)
{
    size_t i = 7;
    /* The usual line starts with "SIP/2.0 ": then the first SP is at 7. */
    if (e < 8 || memcmp(s, "SIP/2.0 ", 8) != 0) {
        i = 0;
        while (i < e && s[i] != ' ')
            i++;
        if (i == e)
            return -SLS_CTR_SIP_BAD_START_LINE;
        if (i != 7 || memcmp(s, "SIP/2.0", 7) != 0)
            return -SLS_CTR_SIP_BAD_VERSION;
    }
    size_t d = i + 1, j = d + 3;
    /* Exactly three digits (RFC 3261 7.2, 21): RFC 4475 3.1.2.19 sends
     * 4294967301, which a 32-bit parser reads as 5. */
    if (e < j || !is_digit((unsigned char)s[d]) || !is_digit((unsigned char)s[d + 1]) ||
        !is_digit((unsigned char)s[d + 2]) || (j < e && s[j] != ' '))
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

/* 1 when s[a..b) holds a control character, SP or DEL: none of them may
 * appear in a Request-URI (RFC 3261 25.1, RFC 3986 2). */
static int has_ctl_or_sp(const char *s, size_t a, size_t b)
{
#if defined(__SSE2__)
    if (b - a >= 16) {
        const __m128i sp = _mm_set1_epi8(' '), del = _mm_set1_epi8(0x7f);
        for (;;) {
            /* The last 16 bytes may overlap bytes already checked. */
            size_t at = b - a >= 16 ? a : b - 16;
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
            /* x <= SP (unsigned) exactly when min(x, SP) == x. */
            __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, sp), x),
                                       _mm_cmpeq_epi8(x, del));
            if (_mm_movemask_epi8(bad) != 0)
                return 1;
            if (at + 16 >= b)
                return 0;
            a = at + 16;
        }
    }
#endif
    for (; a < b; a++) {
        unsigned char c = (unsigned char)s[a];
        if (c <= ' ' || c == 0x7f)
            return 1;
    }
    return 0;
}

/* RFC 3261 7.1: Request-Line = Method SP Request-URI SP SIP-Version, single
 * SPs. Extra or trailing spaces (RFC 4475 3.1.2.8-10: lwsruri, lwsstart,
 * trws) are rejected: the RFC allows it and a space inside the URI makes the
 * line ambiguous. s[e] is the line's CR or LF, which ends the method. */
static int parse_request_line(const char *s, size_t e, sls_sipframe *f)
{
    size_t i = 0;
    while (is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i == e || s[i] != ' ')
        return -SLS_CTR_SIP_BAD_START_LINE;
    size_t uri = i + 1;
    /* v: after the last SP. The usual line ends in " SIP/2.0". */
    size_t v = e - 7;
    if (e < uri + 8 || memcmp(s + e - 8, " SIP/2.0", 8) != 0) {
        v = e;
        while (v > uri && s[v - 1] != ' ')
            v--;
    }
    if (v <= uri + 1) /* no second SP, or an empty URI */
        return -SLS_CTR_SIP_BAD_START_LINE;
    if (has_ctl_or_sp(s, uri, v - 1))
        return -SLS_CTR_SIP_BAD_START_LINE;
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

/* maybe_nul: 0 when the line scan saw no NUL byte in s[0..e). s[e] is the
 * line's CR or LF. */
static FRAME_INLINE int parse_start_line(const char *s, size_t e, sls_sipframe *f,
                                         int maybe_nul)
{
    if (maybe_nul && memchr(s, '\0', e) != NULL)
        return -SLS_CTR_SIP_NUL_BYTE;
    /* "sip/" in any case: bit 5 set maps exactly the two cases of a letter
     * onto the lowercase one; the '/' is compared as it is. */
    uint32_t w, sip, fold;
    memcpy(&sip, "sip/", 4);
    memcpy(&fold, "\x20\x20\x20\x00", 4);
    if (e >= 4 && (memcpy(&w, s, 4), (w | fold) == sip))
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
static FRAME_INLINE enum cl_state content_length(const sls_sipframe *f, int64_t *out)
{
    *out = -1;
    size_t n = f->count[SLS_HDR_CONTENT_LENGTH];
    if (n == 0)
        return CL_ABSENT;
    size_t i = (size_t)f->first[SLS_HDR_CONTENT_LENGTH];
    int64_t first = parse_content_length(f->headers[i].value);
    if (first < 0)
        return CL_BAD;
    enum cl_state st = CL_OK;
    for (n--, i++; n > 0; i++) {
        if (f->headers[i].id != SLS_HDR_CONTENT_LENGTH)
            continue;
        n--;
        int64_t v = parse_content_length(f->headers[i].value);
        if (v < 0)
            return CL_BAD;
        if (v != first)
            st = CL_CONFLICT; /* keep looking: a bad value wins */
    }
    if (st == CL_CONFLICT)
        return st;
    if (first > (int64_t)SLS_SIPFRAME_MAX_BODY_BYTES)
        return CL_HUGE;
    *out = first;
    return CL_OK;
}

/* ------------------------------------------------------------ line scan */

/* The line feeds of s[0..lim), found 64 bytes at a time: a block is loaded
 * once and its LF positions kept as a bit mask, so a line costs a few bit
 * operations instead of a memchr call. The same pass notes whether a NUL
 * byte was seen, which is rare and decides whether the message is framed
 * again carefully (sls_sipframe_parse). That note may also cover bytes past
 * the last line handed out: it means "maybe", and memchr decides. */
typedef struct lf_scan {
    const char *blk; /* lf describes blk[0..64) */
    const char *end; /* the bytes before end may be read */
    const char *s;   /* the first of them */
    const char *last; /* the last block start with 64 bytes left: end - 64,
                         or s when there are fewer */
    uint64_t lf;     /* LF bits of that block not yet handed out */
#if defined(__SSE2__)
    __m128i low; /* byte-wise minimum of the bytes scanned: 0 for a NUL */
#else
    int nul;
#endif
} lf_scan;

/* The index of the lowest set bit of m, which is not 0. */
static FRAME_INLINE size_t lowest_bit(uint64_t m)
{
#if defined(__GNUC__) && defined(__x86_64__)
    /* bsf is defined for m != 0; __builtin_ctzll costs two more
     * instructions here (a dependency-breaking xor, a sign extension), on
     * every line. */
    uint64_t i;
    __asm__("bsfq %1, %0" : "=r"(i) : "rm"(m) : "cc");
    return (size_t)i;
#elif defined(__GNUC__)
    return (unsigned)__builtin_ctzll(m);
#else
    size_t i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* LF bits of p[0..n), n <= 64, a byte at a time: the portable path, and
 * inputs under 16 bytes with SSE2. */
static FRAME_INLINE uint64_t scan_bytes(lf_scan *sc, const char *p, size_t n)
{
    uint64_t m = 0;
    int z = 0;
    for (size_t i = 0; i < n; i++) {
        m |= (uint64_t)(p[i] == '\n') << i;
        z |= p[i] == '\0';
    }
#if defined(__SSE2__)
    if (z)
        sc->low = _mm_setzero_si128();
#else
    sc->nul |= z;
#endif
    return m;
}

#if defined(__SSE2__)
static FRAME_INLINE uint64_t lf_bits(lf_scan *sc, const char *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    sc->low = _mm_min_epu8(sc->low, x);
    return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')));
}
#endif

/* LF bits of the 64 bytes at p, all of them readable. */
static FRAME_INLINE uint64_t scan_block(lf_scan *sc, const char *p)
{
#if defined(__SSE2__)
    return lf_bits(sc, p) | lf_bits(sc, p + 16) << 16 | lf_bits(sc, p + 32) << 32 |
           lf_bits(sc, p + 48) << 48;
#else
    return scan_bytes(sc, p, 64);
#endif
}

/* LF bits of an input of fewer than 64 bytes, p[0..end - p) (longer ones
 * end with an overlapping 64-byte block, scan_next). */
static FRAME_INLINE uint64_t scan_tail(lf_scan *sc, const char *p)
{
    size_t n = (size_t)(sc->end - p);
#if defined(__SSE2__)
    if (sc->end - sc->s >= 16) {
        /* 16 bytes at a time; the last 16 are read as the 16 that end at
         * end, and the bits of the bytes before them (already scanned)
         * dropped. */
        uint64_t m = 0;
        for (unsigned k = 0; k < n; k += 16) {
            if (n - k >= 16)
                m |= lf_bits(sc, p + k) << k;
            else
                m |= (lf_bits(sc, p + n - 16) >> (16 - (n - k))) << k;
        }
        return m;
    }
#endif
    return scan_bytes(sc, p, n);
}

static FRAME_INLINE void scan_init(lf_scan *sc, const char *s, size_t lim)
{
    sc->blk = sc->s = s;
    sc->end = s + lim;
    sc->last = lim >= 64 ? sc->end - 64 : s;
#if defined(__SSE2__)
    sc->low = _mm_set1_epi8(-1);
#else
    sc->nul = 0;
#endif
    sc->lf = lim >= 64 ? scan_block(sc, s) : scan_tail(sc, s);
}

/* The next LF, end when there is none. */
static FRAME_INLINE const char *scan_next(lf_scan *sc)
{
    while (sc->lf == 0) {
        const char *at = sc->blk + 64;
        sc->blk = at;
        if (at <= sc->last) {
            sc->lf = scan_block(sc, at);
        } else {
            if (at >= sc->end)
                return sc->end;
            /* The last bytes, fewer than 64, and at least 64 in all (with
             * fewer, scan_init saw them all): the 64 that end at end,
             * without the bits of the bytes before at. */
            sc->lf = scan_block(sc, sc->end - 64) >> (64 - (size_t)(sc->end - at));
        }
    }
    const char *at = sc->blk + lowest_bit(sc->lf);
    sc->lf &= sc->lf - 1;
    return at;
}

/* 1 when a NUL byte may have been among the bytes scanned so far. */
static inline int scan_saw_nul(const lf_scan *sc)
{
#if defined(__SSE2__)
    return _mm_movemask_epi8(_mm_cmpeq_epi8(sc->low, _mm_setzero_si128())) != 0;
#else
    return sc->nul;
#endif
}

/* ---------------------------------------------------------- header names */

/* The end of the header name starting the line s[a..b), and *id. s[b] is
 * the line's CR or LF, which no scan here goes past. RFC 3261 7.3.1:
 * field-name HCOLON, the name a token. A known name is made of token
 * characters; any other is checked byte by byte. */
static inline size_t name_end(const char *s, size_t a, size_t b, uint8_t *id)
{
    size_t n = 0;
    *id = known_name(s + a, b - a, &n);
    size_t ne = a + n;
    if (*id == SLS_HDR_OTHER)
        while (is_tchar((unsigned char)s[ne]))
            ne++;
    return ne;
}

/* The header line s[a..b) (s[b] its CR or LF), read the general way: its
 * name and *id, white space allowed before the colon ("TO :" in RFC 4475
 * 3.1.1.1). Returns the colon's offset and *ne the end of the name; a when
 * the line is not a header line. */
static size_t header_name(const char *s, size_t a, size_t b, uint8_t *id, size_t *ne)
{
    *ne = name_end(s, a, b, id);
    size_t c = *ne;
    if (s[c] != ':') {
        while (is_ws(s[c]))
            c++;
        if (s[c] != ':')
            return a;
    }
    return *ne == a ? a : c;
}

#if defined(__SSE2__)
/* The usual header line is "Name:" with the colon within its first 16
 * bytes. Its first two bytes select the one name of this table it can be
 * (case-insensitively: bits 0-4 of each), and two 16-byte compares with
 * "name:" in lower and in upper case check it, colon included, so that the
 * name ends there (RFC 3261 7.3.1: names are case-insensitive; a '-' or the
 * colon is the same in both, so it matches only itself). Only when that
 * fails is the colon looked for: the line is then an unknown header, or
 * goes the general way. Every name of SLS_HEADER_MAP is here (all are
 * shorter than 15 bytes), with the compact forms: so a line "token:" that
 * matches none of them is an unknown header without further ado, as
 * known_name() would find.
 * Columns: slot, id, "name:" in lower and in upper case, and its first two
 * bytes (the colon after a compact form). Reason and Retry-After share
 * their two bytes: Retry-After has no key and is tried after Reason (alt).
 * A duplicate key is a compile error (-Woverride-init); the test suite
 * checks that every name and compact form is found, in any case. */
#define FAST_NAMES(X)                                                               \
    X(call_id, CALL_ID, "call-id:", "CALL-ID:", 'c', 'a')                          \
    X(i, CALL_ID, "i:", "I:", 'i', ':')                                            \
    X(cseq, CSEQ, "cseq:", "CSEQ:", 'c', 's')                                      \
    X(via, VIA, "via:", "VIA:", 'v', 'i')                                          \
    X(v, VIA, "v:", "V:", 'v', ':')                                                \
    X(from, FROM, "from:", "FROM:", 'f', 'r')                                      \
    X(f, FROM, "f:", "F:", 'f', ':')                                               \
    X(to, TO, "to:", "TO:", 't', 'o')                                              \
    X(t, TO, "t:", "T:", 't', ':')                                                 \
    X(content_length, CONTENT_LENGTH, "content-length:", "CONTENT-LENGTH:", 'c', 'o') \
    X(l, CONTENT_LENGTH, "l:", "L:", 'l', ':')                                     \
    X(user_agent, USER_AGENT, "user-agent:", "USER-AGENT:", 'u', 's')              \
    X(server, SERVER, "server:", "SERVER:", 's', 'e')                              \
    X(reason, REASON, "reason:", "REASON:", 'r', 'e')                              \
    X(warning, WARNING, "warning:", "WARNING:", 'w', 'a')

/* Not keyed: shares its key with Reason. */
#define FAST_NAMES_ALT(X) X(retry_after, RETRY_AFTER, "retry-after:", "RETRY-AFTER:", 'r', 'e')

/* The key of a name starting with bytes c0 c1: the same for either case of
 * a letter (bits 0-4 of each). At run time it is taken from the first two
 * bytes of the line as one little-endian word. */
#define NAME_KEY(c0, c1) (((unsigned)(c0) & 0x1fu) | ((unsigned)(c1) & 0x1fu) << 5)

enum name_slot {
    NAME_NONE,
#define NAME_SLOT(slot, id, lower, upper, c0, c1) NAME_##slot,
    FAST_NAMES(NAME_SLOT) FAST_NAMES_ALT(NAME_SLOT)
#undef NAME_SLOT
    NAME_SLOTS
};

/* One table, so that one base address serves the lookups. NAME_NONE is
 * never compared; its mask has a bit no compare sets all the same. */
typedef struct name_pat {
    char lower[16];
    char upper[16];
} name_pat;

static const struct {
    _Alignas(16) name_pat pat[NAME_SLOTS];
    uint32_t mask[NAME_SLOTS]; /* the bytes of "name:" */
    uint8_t id[NAME_SLOTS];
    uint8_t len[NAME_SLOTS]; /* of the name */
    uint8_t alt[NAME_SLOTS]; /* the slot to try next, NAME_NONE: none */
    uint8_t slot[1024];      /* by NAME_KEY */
} names = {
    .pat = {
#define NAME_PAT(slot, id, lower, upper, c0, c1) [NAME_##slot] = {lower, upper},
        FAST_NAMES(NAME_PAT) FAST_NAMES_ALT(NAME_PAT)
#undef NAME_PAT
    },
    .mask = {
        [NAME_NONE] = 1u << 16,
#define NAME_MASK(slot, id, lower, upper, c0, c1) \
    [NAME_##slot] = (1u << (sizeof(lower) - 1)) - 1,
        FAST_NAMES(NAME_MASK) FAST_NAMES_ALT(NAME_MASK)
#undef NAME_MASK
    },
    .id = {
#define NAME_ID(slot, id, lower, upper, c0, c1) [NAME_##slot] = SLS_HDR_##id,
        FAST_NAMES(NAME_ID) FAST_NAMES_ALT(NAME_ID)
#undef NAME_ID
    },
    .len = {
#define NAME_LEN(slot, id, lower, upper, c0, c1) [NAME_##slot] = sizeof(lower) - 2,
        FAST_NAMES(NAME_LEN) FAST_NAMES_ALT(NAME_LEN)
#undef NAME_LEN
    },
    .alt = {[NAME_reason] = NAME_retry_after},
    .slot = {
#define NAME_KEYED(slot, id, lower, upper, c0, c1) [NAME_KEY(c0, c1)] = NAME_##slot,
        FAST_NAMES(NAME_KEYED)
#undef NAME_KEYED
    },
};

/* The header line at p written "token:" with the colon in p[1..16): 1 and
 * *n the length of the name, *id its id (SLS_HDR_OTHER for a name not in
 * SLS_HEADER_MAP). p[0..16) may be read. Else 0 (white space before the
 * colon, a long name, not a header line: the general way decides). */
static FRAME_INLINE int fast_name(const char *p, uint8_t *id, size_t *n)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* The key from p[0] and p[1] in the low bytes (x86 is little-endian). */
    unsigned w = (unsigned)_mm_cvtsi128_si32(x);
    unsigned slot = names.slot[(w & 0x1fu) | (w >> 3 & 0x3e0u)];
    while (slot != NAME_NONE) {
        __m128i lo = _mm_load_si128((const __m128i *)(const void *)names.pat[slot].lower);
        __m128i up = _mm_load_si128((const __m128i *)(const void *)names.pat[slot].upper);
        unsigned same = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(x, lo), _mm_cmpeq_epi8(x, up)));
        if ((same & names.mask[slot]) == names.mask[slot]) { /* p[0..len] is "name:" */
            *id = names.id[slot];
            *n = names.len[slot];
            return 1;
        }
        slot = names.alt[slot];
    }
    unsigned colons = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')));
    size_t k = lowest_bit(colons | 0x10000u); /* 16: none */
    if (k - 1 > 14)
        return 0;
    *n = k;
    /* Not a known name: a token, then the colon? Letters, digits and '-'
     * (x | 0x20 - 'a' <= 25, x - '0' <= 9, unsigned) are checked all at
     * once; a name with other token characters goes byte by byte. */
    *id = SLS_HDR_OTHER;
    const __m128i l = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    const __m128i ok =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l),
                                  _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)),
                     _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
    unsigned want = (1u << k) - 1;
    if (((unsigned)_mm_movemask_epi8(ok) & want) == want)
        return 1;
    size_t i = 0;
    while (is_tchar((unsigned char)p[i]))
        i++;
    return i == k;
}
#endif

/* ---------------------------------------------------------- header lines */

/* Past the white space at a; the line's CR or LF stops it. */
static const char *skip_ws(const char *a)
{
    while (is_ws(*a))
        a++;
    return a;
}

/* b moved back over white space and CRs, not before a. */
static const char *trim_end(const char *a, const char *b)
{
    while (b > a && (is_ws(b[-1]) || b[-1] == '\r'))
        b--;
    return b;
}

/* A continuation line s[a..b) of header h (RFC 3261 7.3.1 folding): the
 * value runs from its first visible byte, on the first line that has one,
 * to the last visible byte of the last such line. */
static void fold_line(sls_sip_header *h, const char *s, size_t a, size_t b)
{
    const char *va = skip_ws(s + a), *vb = trim_end(va, s + b);
    if (va < vb) {
        if (h->value.n == 0)
            h->value.p = va;
        h->value.n = (size_t)(vb - h->value.p);
    }
}

/* careful: check every header line for NUL bytes (a constant: the framer
 * is compiled once with and once without). *scanned receives how far the
 * parse looked (the end of the last line it examined); *saw_nul is left 0
 * when no NUL byte lies before that. */
static FRAME_INLINE int frame(const char *buf, size_t len, enum sls_frame_mode mode,
                              sls_sipframe *f, const int careful, size_t *scanned,
                              int *saw_nul)
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

    /* The start line and the header section. The state lives in locals
     * (the stores into *f would otherwise force it back to memory at every
     * line); every way out goes through head_done, with `done` how far the
     * parse looked. */
    lf_scan sc;
    scan_init(&sc, s, lim);
    const char *const end = s + lim;
    size_t done = 0, pos = 0, header_end = 0;
    size_t nh = 0;     /* entries: the header lines of known headers */
    sls_sip_header *hp = f->headers; /* headers[nh] */
    size_t nother = 0; /* the other header lines */
    int r = 0;
    const char *q = scan_next(&sc); /* the LF ending the current line */
    size_t le = (size_t)(q - s);
    if (q == end) {
        r = avail >= SLS_SIPFRAME_MAX_HEADER_BYTES ? -SLS_CTR_SIP_TOO_LARGE
            : stream                               ? 0
                                                   : -SLS_CTR_SIP_NO_HEADER_END;
        goto head_done;
    }
    /* A bare LF ends a line as well as CRLF: RFC 3261 7 wants CRLF, real
     * senders (and RFC 3261 7.5's "robust" advice) do otherwise. */
    size_t e = (le > 0 && s[le - 1] == '\r') ? le - 1 : le;
    if ((r = parse_start_line(s, e, f, scan_saw_nul(&sc))) != 0)
        goto line_failed;

    /* Folding continues the last header line. Its value starts at `from`
     * (after the colon), which the NUL rule needs; it has an entry when no
     * unknown line came after the last entry, `other` being the start of
     * the last unknown line (s: none yet; header lines start later).
     * Neither costs the usual line a store. */
    size_t from = 0;
    const char *other = s;
#if defined(__SSE2__)
    /* p[0..16) may be read when p <= fast_end. */
    const char *const fast_end = lim >= 16 ? end - 16 : s;
#endif
    /* A header line takes at least 3 bytes (a name byte, the colon, the
     * LF): the ceiling cannot be reached by a line ending before here (nor
     * at all in fewer bytes; end is past every LF). */
    const char *const crowded =
        lim > 3 * SLS_SIPFRAME_MAX_HEADERS ? s + 3 * SLS_SIPFRAME_MAX_HEADERS : end;
    const char *p = q + 1; /* the start of the current line */
    for (;;) {
        q = scan_next(&sc);
        if (q == end) {
            done = skip + (size_t)(p - s) - 1;
            break;
        }
        uint8_t id;
        size_t n;          /* the length of the name */
        const char *colon; /* the colon after it, maybe after white space */
        int named = 0;
#if defined(__SSE2__)
        /* Tried first: it fails on the empty line and continuation lines,
         * which no name starts with. */
        if (p <= fast_end && (named = fast_name(p, &id, &n)) != 0)
            colon = p + n;
#endif
        if (!named) {
            /* The line is p[0..qe), then CRLF or LF. p[-1] is the LF that
             * ended the line before: an empty line "\n" is not taken for a
             * CRLF. */
            const char *qe = q - (q[-1] == '\r');
            unsigned char c0 = (unsigned char)*p;
            if (c0 <= ' ') {
                if (qe == p) { /* the empty line: end of the header section */
                    header_end = (size_t)(q - s) + 1;
                    done = skip + header_end;
                    break;
                }
                if (is_ws((char)c0)) {
                    /* RFC 3261 7.3.1: a line starting with white space
                     * continues the previous header value (folding). */
                    if (nh + nother == 0) {
                        r = -SLS_CTR_SIP_BAD_HEADER_LINE;
                        goto line_failed_q;
                    }
                    pos = (size_t)(p - s);
                    e = (size_t)(qe - s);
                    if (careful && (r = check_nul(s, pos, e, from)) != 0)
                        goto line_failed_q;
                    if (nh > 0 && f->headers[nh - 1].name.p > other)
                        fold_line(&f->headers[nh - 1], s, pos, e);
                    p = q + 1;
                    continue;
                }
            }
            /* Every line counts against the ceiling, known or not. */
            if (q >= crowded && nh + nother == SLS_SIPFRAME_MAX_HEADERS) {
                r = -SLS_CTR_SIP_TOO_MANY_HEADERS;
                goto line_failed_q;
            }
            pos = (size_t)(p - s);
            e = (size_t)(qe - s);
            size_t ne, c = header_name(s, pos, e, &id, &ne);
            if (c == pos) {
                r = memchr(p, '\0', e - pos) != NULL ? -SLS_CTR_SIP_NUL_BYTE
                                                     : -SLS_CTR_SIP_BAD_HEADER_LINE;
                goto line_failed_q;
            }
            n = ne - pos;
            colon = s + c;
        } else if (q >= crowded && nh + nother == SLS_SIPFRAME_MAX_HEADERS) {
            r = -SLS_CTR_SIP_TOO_MANY_HEADERS;
            goto line_failed_q;
        }
        if (careful) {
            from = (size_t)(colon - s) + 1;
            if ((r = check_nul(s, from, (size_t)(q - s), from)) != 0)
                goto line_failed_q;
        }
        if (id == SLS_HDR_OTHER) {
            other = p; /* validated and counted; nothing reads it */
            nother++;
        } else {
            /* The value without the white space around it (RFC 3261 7.3.1),
             * and without CRs at its end ("value\r\r\n" keeps one before
             * the LF). Most values have one SP before them and a visible
             * byte at the end. a <= b: the CR or LF at qe stops a. */
            const char *a = colon + 1, *b = q - (q[-1] == '\r');
            if (*a == ' ')
                a++;
            const char *vp = a;
            if ((unsigned char)*a <= ' ' || (unsigned char)b[-1] <= ' ') {
                a = skip_ws(a);
                b = trim_end(a, b);
                vp = b != a ? a : colon + 1;
            }
            /* Else a < b: a is a visible byte of the line (not its CR or
             * LF), b the line's end. */
            sls_sip_header *h = hp++;
            h->name = (sls_slice){p, n};
            h->value = (sls_slice){vp, (size_t)(b - a)};
            h->id = id;
            f->count[id]++;
            if (f->first[id] < 0)
                f->first[id] = (int16_t)nh;
            nh++;
        }
        p = q + 1;
    }
    pos = (size_t)(p - s);

    if (header_end == 0) {
        /* No empty line within reach. Datagram mode is liberal when the
         * datagram ends right after a complete header line: some senders
         * omit the final CRLF (a PcapPlusPlus sample capture does), and
         * Wireshark parses such messages, so they are framed as
         * headers-only with an empty body and nothing is counted. A
         * datagram cut inside a line is a truncated message. */
        if (!stream && pos == avail) {
            header_end = avail;
            done = skip + header_end;
        } else {
            r = avail >= SLS_SIPFRAME_MAX_HEADER_BYTES ? -SLS_CTR_SIP_TOO_LARGE
                : stream                               ? 0
                                                       : -SLS_CTR_SIP_NO_HEADER_END;
        }
    }
    goto head_done;
line_failed_q: /* on the line ending at q */
    le = (size_t)(q - s);
line_failed: /* on the line ending at le */
    done = skip + le;
head_done:
    f->nheaders = nh;
    f->count[SLS_HDR_OTHER] = (uint16_t)nother;
    *scanned = done;
    *saw_nul = scan_saw_nul(&sc);
    if (header_end == 0)
        return r;
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

/* The usual pass, and the careful one that checks every NUL byte. */
static int frame_fast(const char *buf, size_t len, enum sls_frame_mode mode, sls_sipframe *f,
                      size_t *scanned, int *saw_nul)
{
    return frame(buf, len, mode, f, 0, scanned, saw_nul);
}

static int frame_careful(const char *buf, size_t len, enum sls_frame_mode mode,
                         sls_sipframe *f, size_t *scanned, int *saw_nul)
{
    return frame(buf, len, mode, f, 1, scanned, saw_nul);
}

int sls_sipframe_parse(const char *buf, size_t len, enum sls_frame_mode mode,
                       sls_sipframe *f)
{
    /* NUL bytes are rare: when the line scan saw one, a memchr over what
     * the parse looked at decides whether it must be done again line by
     * line to find out whether each NUL is allowed (RFC 3261 25.1: only as
     * an escaped quoted-pair). */
    size_t scanned = 0;
    int saw_nul = 0;
    int r = frame_fast(buf, len, mode, f, &scanned, &saw_nul);
    if (saw_nul && scanned > 0 && memchr(buf, '\0', scanned < len ? scanned : len) != NULL)
        r = frame_careful(buf, len, mode, f, &scanned, &saw_nul);
    return r;
}
