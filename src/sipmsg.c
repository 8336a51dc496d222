/* The libosip2 adapter (contract in include/sipsleuth/sipmsg.h). The only
 * file of the project that includes libosip2 headers.
 *
 * The framer has already located every header line; here the few values the
 * transaction and call stages need are copied into a NUL-terminated scratch
 * buffer and handed to libosip2's per-header parsers: about 1.3 us and 40
 * allocations per message, measured, against 2.6-4.5 us for
 * osip_message_parse, which also trusts what it should not (STYLE.md).
 * What libosip2 accepts but an analyzer must not trust is checked here. */
#include "sipsleuth/sipmsg.h"

#include "util.h"

#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Longest header value handed to libosip2; no legitimate Via, From, To,
 * CSeq or Call-ID comes near it. Longer is SIP_FIELD_TOO_LONG. */
#define OSIP_INPUT_MAX 4096

/* Most parameters (';') and URI headers ('&') in a value handed to
 * libosip2: its lists are appended by walking them, and 2000 ";a" in 4 KB
 * take 4-5 ms to parse. Real Via and From values carry fewer than 10.
 * More is SIP_FIELD_TOO_LONG. */
#define OSIP_LIST_MAX 64

/* Where the fields that are not in the memo are kept, each in its own
 * place of SLS_SIPMSG_MAX_FIELD bytes plus its NUL (a request has no reason
 * and a response no Request-URI: they share one). */
enum out_slot {
    OUT_METHOD, OUT_LINE, OUT_CALL_ID, OUT_SENT_BY, OUT_TRANSPORT, OUT_BRANCH, OUT_FROM_TAG,
    OUT_TO_TAG, OUT_USER_AGENT, OUT_SERVER, KEPT_FIELDS
};
/* Each place is 16 bytes of headroom, then the field and its NUL: a
 * token that ends a chunk already loaded is stored with that chunk, whose
 * bytes before the token land in the headroom (keep_token). */
#define OUT_STRIDE (16 + SLS_SIPMSG_MAX_FIELD + 1)
#define OUT_CAP (KEPT_FIELDS * OUT_STRIDE)

/* Header values looked up in the memo per message: Call-ID, CSeq, top
 * Via, From, To. */
#define LOOKUPS 5

typedef struct arena arena;

/* For the memo's hit path (hash, key compare, chunk scans), a few dozen
 * instructions per header: gcc does not inline it into its three callers on
 * its own, and then a memo_key returned through memory costs as much as
 * the hash itself (callgrind). */
#define HOT static inline __attribute__((always_inline))

/* What runs when the memo has no answer (libosip2, about once per call),
 * kept out of the hit path that HOT functions inline into. */
#define COLD static __attribute__((noinline, cold))

/* Memo of libosip2's verdicts on header values. The same From, To,
 * Call-ID, CSeq and top Via values come back in every message of a
 * transaction and dialog (a request, its retransmissions and responses
 * repeat them byte for byte), and a header parser's result depends only on
 * those bytes, so each distinct value is parsed by libosip2 once and the
 * result reused while it stays in this direct-mapped table. */
#define MEMO_SLOTS 16384
#define MEMO_KEY_MAX 136

/* The *_PARAM kinds hold a value with one parameter's value cut out (a
 * template, see "templates" below). */
enum memo_kind {
    MEMO_CALL_ID = 1, MEMO_CSEQ, MEMO_VIA, MEMO_FROM, MEMO_TO,
    MEMO_VIA_PARAM, MEMO_FROM_PARAM, MEMO_TO_PARAM
};
_Static_assert(MEMO_VIA_PARAM == MEMO_VIA + 3 && MEMO_TO_PARAM == MEMO_TO + 3,
               "template_key() relies on this order");

/* One slot, 256 bytes on a 64-byte boundary: nearly every lookup hits
 * (the table is 4 MiB, far bigger than L2), so what counts is how many
 * cache lines a hit touches. The key and the result strings share one
 * buffer right after the header, so a Via hit (header, 35-byte template,
 * sent-by and transport) reads one or two lines; with a fixed key[136]
 * before the strings, every hit with a result read a third line. */
typedef struct memo_entry {
    uint64_t hash;
    uint32_t meta;    /* memo_key.meta; 0: empty slot */
    uint32_t num;     /* CSeq number */
    int16_t r;        /* 0 or -(counter) */
    uint8_t method;   /* CSeq: enum sls_method of the method */
    uint8_t nstr;
    uint8_t slen[3];
    char data[233];   /* the key, then nstr strings, each NUL-terminated
                         (the key too): a parse's sls_str may point here */
} memo_entry;
_Static_assert(sizeof(memo_entry) == 256, "one slot is four cache lines");
_Static_assert(MEMO_SLOTS * 256 >= SLS__BIG_MIN, "the memo is a mapping of its own: 64-byte aligned");
_Static_assert(MEMO_KEY_MAX < 255 && SLS_METHOD_COUNT <= 255, "cut and method are bytes");

struct sls_sipparser {
    /* Both buffers are allocated once with the parser, at their ceiling:
     * the ceilings are small (4 KiB and 10 KiB), so there is nothing to
     * gain from growing them, and no allocation can fail during a parse. */
    char scratch[OSIP_INPUT_MAX + 1]; /* libosip2 input, one value at a time */
    /* The sls_str of the last parse that are neither in the memo nor in
     * method_table; 16 bytes more so that the last place too is checked
     * 16 bytes at a time in place (keep_line). All written once, at
     * creation, so that those reads past a field read defined bytes. */
    char out[OUT_CAP + 16];
    /* The lookups of the parse under way (stale outside one), in the
     * order of the fields: a field may point into the memo entry of an
     * earlier one (memo_store). */
    const struct lookup *lk;
    unsigned nstored;                 /* memo_store calls this parse */
    memo_entry *mru[MEMO_TO_PARAM + 1]; /* the last hit of each kind */
    arena *arena;                     /* libosip2's allocations, per call */
    memo_entry *memo;                 /* MEMO_SLOTS (sls__big_alloc) */
};

static const char empty[] = "";

/* --------------------------------------------------------------- methods */

static const struct {
    const char *name;
    size_t len;
} method_table[SLS_METHOD_COUNT] = {
    [SLS_METHOD_OTHER] = {"OTHER", 5},
#define SLS__METHOD_ROW(m) [SLS_METHOD_##m] = {#m, sizeof(#m) - 1},
    SLS_METHOD_MAP(SLS__METHOD_ROW)
#undef SLS__METHOD_ROW
};

enum sls_method sls_method_from_token(const char *p, size_t n)
{
    if (p == NULL || n == 0)
        return SLS_METHOD_OTHER;
    /* RFC 3261 7.1: the method is case-sensitive; "invite" is an
     * extension method, not INVITE. A compare of constant size per name,
     * which gcc turns into a load and a compare or two: this runs for
     * every request. */
#define SLS__METHOD_IS(m)                                                  \
    if (n == sizeof(#m) - 1 && memcmp(p, #m, sizeof(#m) - 1) == 0)         \
        return SLS_METHOD_##m;
    SLS_METHOD_MAP(SLS__METHOD_IS)
#undef SLS__METHOD_IS
    return SLS_METHOD_OTHER;
}

const char *sls_method_name(enum sls_method m)
{
    return (unsigned)m < SLS_METHOD_COUNT ? method_table[m].name : "OTHER";
}

/* ------------------------------------------------------- parser lifecycle */

/* The one piece of process-wide state, forced by libosip2: its trace
 * settings and its parser table are global. Without the trace call the
 * library prints parse errors on stdout (this Debian build has ENABLE_TRACE;
 * TRACE_LEVEL0 turns every level off); without parser_init() the first
 * parse crashes. parser_init() only fills a static table and cannot fail in
 * 5.3.0. pthread_once: it is in libc since glibc 2.34. */
static pthread_once_t osip_once = PTHREAD_ONCE_INIT;

/* libosip2 allocates for every header value it parses (about 40 small
 * blocks per message) and frees them all before the adapter's call
 * returns. Its allocators are process-wide hooks (osip_set_allocators), so
 * they are installed once; while libosip2 runs for a parser (arena_enter
 * .. arena_leave, only when the memo has no answer), the parser's arena is
 * the thread's current one and allocations are bump-allocated from it,
 * freeing is a no-op, and the arena is reset for the next call. Otherwise
 * (no current arena) they are plain malloc/realloc/free. Measured on an
 * INVITE: adapter 1.31 -> see README design notes. */
#define ARENA_BYTES (64 * 1024)

struct arena {
    size_t used;
    _Alignas(max_align_t) unsigned char mem[ARENA_BYTES];
};

static _Thread_local arena *current_arena;

/* Each arena block starts with its size, for realloc. */
#define ARENA_HDR sizeof(max_align_t)

static int in_arena(const arena *a, const void *ptr)
{
    const unsigned char *c = ptr;
    return a != NULL && c >= a->mem && c < a->mem + ARENA_BYTES;
}

static void *arena_malloc(size_t n)
{
    arena *a = current_arena;
    size_t need = ARENA_HDR + ((n + ARENA_HDR - 1) / ARENA_HDR) * ARENA_HDR;
    if (a == NULL || n > ARENA_BYTES || need > ARENA_BYTES - a->used)
        return malloc(n); /* outside a parse, or the arena is full */
    unsigned char *blk = a->mem + a->used;
    a->used += need;
    memcpy(blk, &n, sizeof(n));
    return blk + ARENA_HDR;
}

static void arena_free(void *ptr)
{
    if (ptr != NULL && !in_arena(current_arena, ptr))
        free(ptr);
}

static void *arena_realloc(void *ptr, size_t n)
{
    if (ptr == NULL)
        return arena_malloc(n);
    if (!in_arena(current_arena, ptr))
        return realloc(ptr, n);
    size_t old;
    memcpy(&old, (unsigned char *)ptr - ARENA_HDR, sizeof(old));
    void *q = arena_malloc(n);
    if (q != NULL)
        memcpy(q, ptr, old < n ? old : n);
    return q;
}

/* libosip2 runs only when the memo has no answer: the parser's arena is
 * the thread's current one around each such call (arena_enter, then
 * arena_leave with what it returned), and is reset there, as nothing that
 * libosip2 allocates outlives the call (its objects are freed before). */
static arena *arena_enter(sls_sipparser *p)
{
    arena *saved = current_arena;
    current_arena = p->arena;
    p->arena->used = 0;
    return saved;
}

static void arena_leave(arena *saved)
{
    current_arena = saved;
}

static void osip_global_init(void)
{
    osip_trace_initialize(TRACE_LEVEL0, stderr);
    osip_set_allocators(arena_malloc, arena_realloc, arena_free);
    parser_init();
}

sls_sipparser *sls_sipparser_new(void)
{
    pthread_once(&osip_once, osip_global_init);
    sls_sipparser *p = malloc(sizeof *p);
    if (p == NULL)
        return NULL;
    p->lk = NULL;
    p->nstored = 0;
    memset(p->mru, 0, sizeof p->mru);
    memset(p->out, 0, sizeof p->out);
    p->arena = malloc(sizeof(*p->arena));
    if (p->arena == NULL) {
        free(p);
        return NULL;
    }
    p->arena->used = 0;
    /* Read at random: huge pages (see util.h), zeroed by the kernel as
     * they are first touched. */
    p->memo = sls__big_alloc(MEMO_SLOTS * sizeof(*p->memo));
    if (p->memo == NULL) {
        free(p->arena);
        free(p);
        return NULL;
    }
    return p;
}

void sls_sipparser_free(sls_sipparser *p)
{
    if (p == NULL)
        return;
    sls__big_free(p->memo, MEMO_SLOTS * sizeof(*p->memo));
    free(p->arena);
    free(p);
}

/* --------------------------------------------------------------- helpers */

/* RFC 3261 25.1 token characters. */
static int is_tchar(unsigned char c)
{
    return sls__tchar[c];
}

static int is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

/* ------------------------------------------------ 16 bytes at a time */

/* The hot paths look for a few byte values in header values of 10 to 60
 * bytes: '"', '(', ',' and ';' in a Via, '>' in a From, CR, LF and NUL in a
 * User-Agent. A memchr per byte value costs a call and its setup each (five
 * per Via and From before); comparing 16 bytes at once against each finds
 * them all in one pass. SSE2 is part of x86-64; elsewhere the same masks are
 * built one byte at a time. Bit i of a mask is byte i of the chunk. */
#if defined(__SSE2__)
typedef __m128i chunk16;

static inline chunk16 load16(const char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline void store16(char *p, chunk16 x)
{
    _mm_storeu_si128((__m128i *)(void *)p, x);
}

static inline unsigned eq16(chunk16 x, char c)
{
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(c)));
}

/* 1 when x and y hold the same 16 bytes. */
static inline int same16(chunk16 x, chunk16 y)
{
    return _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) == 0xffff;
}

/* 1 when x0 = y0 and x1 = y1. */
static inline int same32(chunk16 x0, chunk16 y0, chunk16 x1, chunk16 y1)
{
    return _mm_movemask_epi8(
               _mm_and_si128(_mm_cmpeq_epi8(x0, y0), _mm_cmpeq_epi8(x1, y1))) == 0xffff;
}

/* Letters, digits, '-' and '.': the tchar (RFC 3261 25.1) that branches
 * and tags are nearly always made of; each test is a range test on
 * signed bytes, x + (0x80 - lo) < 0x80 - lo + hi - lo + 1. A byte not
 * found here may still be a tchar (all_tchar decides). */
static inline unsigned alnum16(chunk16 x)
{
#define SLS__RANGE(v, lo, hi)                                                  \
    _mm_cmplt_epi8(_mm_add_epi8((v), _mm_set1_epi8((char)(0x80 - (lo)))),      \
                   _mm_set1_epi8((char)(-0x80 + (hi) - (lo) + 1)))
    __m128i m = _mm_or_si128(SLS__RANGE(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z'),
                             _mm_or_si128(SLS__RANGE(x, '0', '9'), SLS__RANGE(x, '-', '.')));
#undef SLS__RANGE
    return (unsigned)_mm_movemask_epi8(m);
}

/* The bytes up to SP (unsigned) and DEL. */
static inline unsigned ctl16(chunk16 x)
{
    __m128i le = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(' ')), x);
    return (unsigned)_mm_movemask_epi8(le) | eq16(x, 0x7f);
}
#else
typedef struct chunk16 {
    unsigned char b[16];
} chunk16;

static inline chunk16 load16(const char *p)
{
    chunk16 x;
    memcpy(x.b, p, 16);
    return x;
}

static inline void store16(char *p, chunk16 x)
{
    memcpy(p, x.b, 16);
}

static inline unsigned eq16(chunk16 x, char c)
{
    unsigned m = 0;
    for (unsigned i = 0; i < 16; i++)
        m |= (unsigned)(x.b[i] == (unsigned char)c) << i;
    return m;
}

static inline int same16(chunk16 x, chunk16 y)
{
    return memcmp(x.b, y.b, 16) == 0;
}

static inline int same32(chunk16 x0, chunk16 y0, chunk16 x1, chunk16 y1)
{
    return same16(x0, y0) && same16(x1, y1);
}

static inline unsigned alnum16(chunk16 x)
{
    unsigned m = 0;
    for (unsigned i = 0; i < 16; i++)
        m |= (unsigned)sls__tchar[x.b[i]] << i;
    return m;
}

static inline unsigned ctl16(chunk16 x)
{
    unsigned m = 0;
    for (unsigned i = 0; i < 16; i++)
        m |= (unsigned)(x.b[i] <= ' ' || x.b[i] == 0x7f) << i;
    return m;
}
#endif

/* A value read as whole chunks. Every chunk is 16 readable bytes of the
 * value: the last one ends where the value ends, overlapping the one before
 * (chunk_start), and a value shorter than 16 bytes is read from a
 * zero-padded copy, its bytes past the end masked off by lim. p may point
 * into pad: a chunked is never copied. */
typedef struct chunked {
    const char *p;
    size_t n;     /* >= 16 */
    size_t vn;    /* the value's length */
    unsigned lim; /* mask bits of the value's bytes in a chunk */
    char pad[16];
} chunked;

HOT void chunked_init(chunked *c, sls_slice v)
{
    c->p = v.p;
    c->n = v.n;
    c->vn = v.n;
    c->lim = 0xffff;
    if (v.n < 16) {
        memset(c->pad, 0, sizeof c->pad);
        if (v.n > 0)
            memcpy(c->pad, v.p, v.n);
        c->p = c->pad;
        c->n = 16;
        c->lim = (1u << v.n) - 1;
    }
}

/* Where the chunk of c holding byte o starts (o < c->n), and in *bits the
 * mask bits of the value's bytes from o on in it. Walk with o = start + 16
 * while start + 16 < c->n. */
HOT size_t chunk_start(const chunked *c, size_t o, unsigned *bits)
{
    if (o + 16 <= c->n) {
        *bits = c->lim;
        return o;
    }
    *bits = (0xffffu << (o - (c->n - 16))) & c->lim;
    return c->n - 16;
}

/* 1 when v holds no CR, LF or NUL: nothing for copy_value to rewrite. */
static int plain_line(sls_slice v)
{
    chunked c;
    chunked_init(&c, v);
    unsigned bits;
    for (size_t co = chunk_start(&c, 0, &bits);; co = chunk_start(&c, co + 16, &bits)) {
        chunk16 x = load16(c.p + co);
        if ((eq16(x, '\r') | eq16(x, '\n') | eq16(x, '\0')) & bits)
            return 0;
        if (co + 16 >= c.n)
            return 1;
    }
}

/* Copies a header value into dst (cap bytes, NUL included) as the C string
 * libosip2 wants. Folded line breaks (CRLF or LF followed by SP/HT, RFC 3261
 * 7.3.1) become one SP. A NUL, which the framer lets through only as the
 * escaped byte of a quoted-pair (RFC 3261 25.1, RFC 4475 3.1.1.2), becomes
 * '0' so that the copy is not cut short: "\<NUL>" reads "\0"; no kept field
 * is inside a quoted-string. Returns the length, or -1 when it does not
 * fit. */
static long copy_value(char *dst, size_t cap, sls_slice v)
{
    if (v.n < cap && plain_line(v)) {
        /* The usual case: one line, nothing to rewrite. */
        memcpy(dst, v.p, v.n);
        dst[v.n] = '\0';
        return (long)v.n;
    }
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (c == '\r' || c == '\n') {
            while (i + 1 < v.n && (v.p[i + 1] == '\r' || v.p[i + 1] == '\n' ||
                                   v.p[i + 1] == ' ' || v.p[i + 1] == '\t'))
                i++;
            c = ' ';
        } else if (c == '\0') {
            c = '0';
        }
        if (o + 1 >= cap)
            return -1;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return (long)o;
}

HOT char *out_place(sls_sipparser *p, enum out_slot slot)
{
    return p->out + 16 + (size_t)slot * OUT_STRIDE;
}

/* Keeps s[0..n) and a NUL in its place of the output buffer. Every kept
 * field goes through here: this is where SLS_SIPMSG_MAX_FIELD is
 * enforced. */
HOT int keep(sls_sipparser *p, enum out_slot slot, const char *s, size_t n, sls_str *dst)
{
    if (n - 1 >= SLS_SIPMSG_MAX_FIELD) { /* 0 (wraps) or too long */
        if (n != 0)
            return -SLS_CTR_SIP_FIELD_TOO_LONG;
        *dst = (sls_str){empty, 0};
        return 0;
    }
    char *o = out_place(p, slot);
    sls__copy(o, s, n);
    o[n] = '\0';
    *dst = (sls_str){o, n};
    return 0;
}

static int keep_cstr(sls_sipparser *p, enum out_slot slot, const char *s, sls_str *dst)
{
    return keep(p, slot, s != NULL ? s : empty, s != NULL ? strlen(s) : 0, dst);
}

/* Keeps a header value, unfolded (User-Agent, Server). Usually one line
 * to keep as it is, straight from the message. */
static int keep_value(sls_sipparser *p, enum out_slot slot, sls_slice v, sls_str *dst)
{
    if (v.n <= SLS_SIPMSG_MAX_FIELD && plain_line(v))
        return keep(p, slot, v.p, v.n, dst);
    char tmp[SLS_SIPMSG_MAX_FIELD + 1];
    long n = copy_value(tmp, sizeof tmp, v);
    if (n < 0)
        return -SLS_CTR_SIP_FIELD_TOO_LONG;
    return keep(p, slot, tmp, (size_t)n, dst);
}

/* CR, LF and NUL in a chunk: what keep_value rewrites. */
static inline unsigned eol16(chunk16 x)
{
    return eq16(x, '\r') | eq16(x, '\n') | eq16(x, '\0');
}

/* keep_value in one pass when v is one line, as nearly always: copied,
 * then the copy checked 16 bytes at a time in place (the output buffer has
 * 16 bytes to spare, all written at creation, for the last chunk). */
HOT int keep_line(sls_sipparser *p, enum out_slot slot, sls_slice v, sls_str *dst)
{
    size_t n = v.n;
    if (n - 1 >= SLS_SIPMSG_MAX_FIELD)
        return keep_value(p, slot, v, dst); /* empty or too long */
    char *o = out_place(p, slot);
    sls__copy(o, v.p, n);
    unsigned bad = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        bad |= eol16(load16(o + i));
    if (i < n)
        bad |= eol16(load16(o + i)) & ((1u << (n - i)) - 1);
    if (bad != 0)
        return keep_value(p, slot, v, dst);
    o[n] = '\0';
    *dst = (sls_str){o, n};
    return 0;
}

/* Copies a value into the scratch buffer for libosip2, within the size
 * and list-length ceilings above. */
static int to_scratch(sls_sipparser *p, sls_slice v)
{
    if (v.n > OSIP_LIST_MAX) { /* shorter values cannot hold that many */
        unsigned items = 0;
        for (size_t i = 0; i < v.n; i++)
            items += v.p[i] == ';' || v.p[i] == '&';
        if (items > OSIP_LIST_MAX)
            return -SLS_CTR_SIP_FIELD_TOO_LONG;
    }
    return copy_value(p->scratch, sizeof p->scratch, v) < 0 ? -SLS_CTR_SIP_FIELD_TOO_LONG : 0;
}

/* Strict unsigned decimal: digits only, no sign, no space, at most
 * maxdigits significant digits (leading zeros are legal in 1*DIGIT and do
 * not count, so the bound is on the value, not the spelling). */
static int parse_uint(const char *s, unsigned maxdigits, uint64_t *out)
{
    if (*s == '\0')
        return -1;
    while (*s == '0' && s[1] != '\0')
        s++;
    uint64_t x = 0;
    for (unsigned n = 0; *s != '\0'; s++, n++) {
        if (*s < '0' || *s > '9' || n == maxdigits)
            return -1;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *out = x;
    return 0;
}

/* First value of a comma-separated header (RFC 3261 7.3.1: "Via: a, b" is
 * two Via values), splitting at the first comma outside a quoted-string or
 * <> / [] brackets. */
static sls_slice first_list_value(sls_slice v)
{
    if (memchr(v.p, ',', v.n) == NULL) /* the usual case: one value */
        return v;
    int in_quote = 0, depth = 0;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (in_quote) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_quote = 0;
        } else if (c == '"') {
            in_quote = 1;
        } else if (c == '<' || c == '[') {
            depth++;
        } else if ((c == '>' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ',' && depth == 0) {
            size_t e = i;
            while (e > 0 && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t' ||
                             v.p[e - 1] == '\r' || v.p[e - 1] == '\n'))
                e--;
            return (sls_slice){v.p, e};
        }
    }
    return v;
}

static const sls_sip_header *first_header(const sls_sipframe *f, enum sls_header_id id)
{
    return f->first[id] >= 0 ? &f->headers[f->first[id]] : NULL;
}

/* ------------------------------------------------------------------ memo */

/* A memo key: a header value, or a template of one (cut > 0). The key is
 * a then b: for a whole value, a is the value and b is empty; for a
 * template, a is the value up to the cut token and b the rest after it.
 * Both are views of the message: the key is hashed and compared in place,
 * never assembled. */
typedef struct memo_key {
    /* kind | cut << 8 | (a.n + b.n) << 16, cut being for a template where
     * the parameter value was cut out + 1, else 0: one compare for all
     * three on a lookup. */
    uint32_t meta;
    sls_slice a, b;
    uint64_t hash;
} memo_key;

/* The memo's hash (util.h's): the key's pieces chained, then its kind,
 * cut and length (meta) in one more multiply, whose high half, folded into
 * the low bits that index the table, depends on every bit: keys that
 * differ in one byte anywhere differ there (the README's first memo hash
 * did not, and lost most From hits to values differing in their last
 * bytes). A key chosen to zero a product only costs its own slot's hits: a
 * verdict is reused only after the whole key compared equal. */
HOT void key_hash(memo_key *k)
{
    if (k->a.n + k->b.n <= MEMO_KEY_MAX) {
        uint64_t h = sls__hash_piece(SLS__HASH_K2, k->a.p, k->a.n);
        if (k->b.n > 0) /* the answer for none, without its tests */
            h = sls__hash_piece(h, k->b.p, k->b.n);
        k->hash = sls__mum(h ^ SLS__HASH_K1, SLS__HASH_K2 ^ k->meta);
    }
}

/* 1 when stored[0..s.n) holds the bytes of s; stored is a memo entry's
 * data, readable well past any key. 16 bytes at a time, the last chunk
 * overlapping the one before, as the hash reads them: a memcmp call costs
 * more than these values. */
HOT int key_eq(const char *stored, sls_slice s)
{
    if (s.n >= 16) {
        /* Up to 48 bytes (most keys): the first 16 or 32 and the last 16,
         * one test. */
        const char *p = s.p, *last = s.p + s.n - 16;
        if (s.n > 32) {
            if (s.n > 48) {
                for (; p + 32 < last; p += 16, stored += 16)
                    if (!same16(load16(stored), load16(p)))
                        return 0;
            }
            if (!same16(load16(stored), load16(p)))
                return 0;
            p += 16;
            stored += 16;
        }
        return same32(load16(stored), load16(p), load16(stored + (last - p)), load16(last));
    }
    if (s.n >= 8)
        return ((sls__load64(stored) ^ sls__load64(s.p)) |
                (sls__load64(stored + s.n - 8) ^ sls__load64(s.p + s.n - 8))) == 0;
    if (s.n >= 4)
        return ((sls__load32(stored) ^ sls__load32(s.p)) |
                (sls__load32(stored + s.n - 4) ^ sls__load32(s.p + s.n - 4))) == 0;
    for (size_t i = 0; i < s.n; i++)
        if (stored[i] != s.p[i])
            return 0;
    return 1;
}

/* The slot for k, NULL for a key too long to be kept. Only its address:
 * the slots of a message's five values are all known (and prefetched)
 * before any is read. */
HOT memo_entry *memo_addr(const sls_sipparser *p, const memo_key *k)
{
    if (k->a.n + k->b.n > MEMO_KEY_MAX)
        return NULL;
    return &p->memo[k->hash & (MEMO_SLOTS - 1)];
}

/* 1 when e holds k's bytes: k's kind, cut, length and bytes. */
HOT int holds_key(const memo_entry *e, const memo_key *k)
{
    return e->meta == k->meta && key_eq(e->data, k->a) &&
           (k->b.n == 0 || key_eq(e->data + k->a.n, k->b));
}

/* 1 when e (from memo_addr, maybe NULL) holds k's verdict. */
HOT int memo_hit(const memo_entry *e, const memo_key *k)
{
    return e != NULL && e->hash == k->hash && holds_key(e, k);
}

/* The memo is 4 MiB: on a real capture each slot read is likely a cache
 * miss. The first two lines of a slot hold the header, the key and
 * (mostly) the result strings. */
HOT void memo_prefetch(const memo_entry *e)
{
    if (e != NULL) {
        __builtin_prefetch(e);
        __builtin_prefetch((const char *)e + 64);
    }
}


/* Templates. Most distinct values are distinct only by one parameter: the
 * branch of each new transaction's Via, the tag of each new dialog's From
 * and To ("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-<n>"). When that
 * parameter's value is a plain token (RFC 3261 25.1: no separator, no
 * quote, no white space), libosip2 reads every value of the template the
 * same way: it finds parameters and their values by separators alone, and
 * a token holds none, so whatever the token, the value splits at the same
 * places and only the parameter's own value differs. The memo then keeps
 * the verdict of the template (the value with the token cut out) and the
 * token is taken from the message. A template is stored only after
 * libosip2, on a real value, found the parameter exactly where the cut
 * was and accepted the value; everything else goes by the whole value. */
typedef struct tmpl {
    sls_slice param; /* the token cut out, in the message */
    size_t cut;      /* its offset in the value */
    int in_last;     /* 1: param ends `last`, the value's last 16 bytes */
    chunk16 last;
} tmpl;

/* 1 when v holds a comma: for a Via, a list whose first value must be
 * split off first (first_list_value). */
static int has_comma(sls_slice v)
{
    return v.n > 0 && memchr(v.p, ',', v.n) != NULL;
}

/* 1 when p[0..n) are all tchar. Four bytes a step without a branch per
 * byte: tokens are 5 to 20 bytes. */
HOT int all_tchar(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    unsigned ok = 1;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        ok &= sls__tchar[u[i]] & sls__tchar[u[i + 1]] & sls__tchar[u[i + 2]] &
              sls__tchar[u[i + 3]];
    for (; i < n; i++)
        ok &= sls__tchar[u[i]];
    return ok != 0;
}

/* The offset just after the last ch in v, 0 when there is none: 16 bytes
 * at a time from the end. */
HOT size_t after_last(sls_slice v, char ch)
{
    chunked c;
    chunked_init(&c, v);
    for (size_t o = c.n; o > 0;) {
        size_t co = o >= 16 ? o - 16 : 0; /* the chunk [co, co + 16) ends at or after o */
        unsigned m = eq16(load16(c.p + co), ch) & c.lim & ((1u << (o - co)) - 1);
        if (m != 0)
            return co + 32 - (size_t)__builtin_clz(m);
        o = co;
    }
    return 0;
}

/* One chunk of make_template's walk: semi holds the ';' in it (from co)
 * not seen before. *at becomes the first of them where lit starts, *b the
 * first ';' after *at (lit holds no other ';'). */
HOT void find_cut(sls_slice v, size_t co, unsigned semi, const char *lit, size_t litn,
                  size_t *at, size_t *b)
{
    for (; *at == SIZE_MAX && semi != 0; semi &= semi - 1) {
        size_t i = co + (size_t)__builtin_ctz(semi);
        if (v.n - i > litn && memcmp(v.p + i, lit, litn) == 0)
            *at = i;
    }
    if (*at != SIZE_MAX && *b == SIZE_MAX && semi != 0)
        *b = co + (size_t)__builtin_ctz(semi);
}

/* The end of make_template: the token is v[at + litn, b) (b: SIZE_MAX for
 * the end of v) when that is 1*tchar: the first byte that is no tchar is
 * then b, a ';' or the end, as it must be. */
HOT int cut_token(sls_slice v, size_t at, size_t b, size_t litn, tmpl *t)
{
    if (at == SIZE_MAX)
        return 0;
    size_t a = at + litn;
    if (b == SIZE_MAX)
        b = v.n;
    if (b == a || !all_tchar(v.p + a, b - a))
        return 0;
    if (a + (v.n - b) > MEMO_KEY_MAX) /* also keeps cut within memo_key.cut */
        return 0;
    t->cut = a;
    t->param = (sls_slice){v.p + a, b - a};
    t->in_last = 0;
    return 1;
}

/* Cuts the value of the first parameter lit (";name=") at or after `from`
 * in v, when it is 1*tchar ending at the end of v or at ';' and v[from..)
 * holds no quote or comment. Returns 1 with *t filled, else 0; with
 * `comma` (from is 0 then), -1 when v holds a comma anywhere, as v is then
 * maybe a list and no template of it applies: the caller splits it and
 * asks again without `comma`. One pass, 16 bytes at a time, finds the
 * quotes, comments, commas and the ';' candidates together. */
HOT int make_template(sls_slice v, size_t from, const char *lit, size_t litn, int comma, tmpl *t)
{
    if (v.n > MEMO_KEY_MAX + SLS_SIPMSG_MAX_FIELD || from >= v.n)
        return comma && has_comma(v) ? -1 : 0;
    chunked c;
    chunked_init(&c, v);
    size_t at = SIZE_MAX, b = SIZE_MAX;
    unsigned bits;
    for (size_t co = chunk_start(&c, from, &bits);; co = chunk_start(&c, co + 16, &bits)) {
        chunk16 x = load16(c.p + co);
        /* Inside a quoted-string or an RFC 2543 comment, ";name=" is no
         * parameter: such values go by the whole value. */
        unsigned stop = eq16(x, '"') | eq16(x, '(');
        if (comma)
            stop |= eq16(x, ',');
        if ((stop & bits) != 0)
            return comma && has_comma(v) ? -1 : 0;
        find_cut(v, co, eq16(x, ';') & bits, lit, litn, &at, &b);
        if (co + 16 >= c.n)
            break;
    }
    return cut_token(v, at, b, litn, t);
}

/* The template of a From or To value: make_template from the last '>'.
 * Its tag is nearly always in the last 16 bytes with the '>' (";tag=" and
 * a tag of up to 10 bytes), so that chunk alone is read once for all:
 * the '>', the quotes and comments after it, the ';' (about a third of
 * From/To's instructions, callgrind). Anything else goes the long way. */
HOT int addr_template(sls_slice v, tmpl *t)
{
    if (v.n >= 16 && v.n <= MEMO_KEY_MAX + SLS_SIPMSG_MAX_FIELD) {
        size_t co = v.n - 16;
        chunk16 x = load16(v.p + co);
        unsigned gt = eq16(x, '>');
        if (gt != 0) {
            unsigned after = 32 - (unsigned)__builtin_clz(gt); /* bits after the last '>' */
            if (after == 16) /* the '>' ends v: no parameter */
                return 0;
            unsigned bits = (0xffffu << after) & 0xffffu;
            if (((eq16(x, '"') | eq16(x, '(')) & bits) != 0)
                return 0;
            size_t at = SIZE_MAX, b = SIZE_MAX;
            find_cut(v, co, eq16(x, ';') & bits, ";tag=", 5, &at, &b);
            return cut_token(v, at, b, 5, t);
        }
    }
    size_t gt = after_last(v, '>');
    return gt > 0 && make_template(v, gt, ";tag=", 5, 0, t);
}

/* The memo key of v: its template when it has one (kind + 3 selects the
 * *_PARAM kind), else the whole value. */
HOT void template_key(memo_key *k, enum memo_kind kind, sls_slice v, int has_tmpl,
                      const tmpl *t)
{
    if (!has_tmpl) {
        k->meta = (uint32_t)kind | (uint32_t)v.n << 16;
        k->a = v;
        k->b = (sls_slice){empty, 0};
        return;
    }
    size_t after = t->cut + t->param.n;
    k->meta = (uint32_t)(kind + 3) | (uint32_t)(t->cut + 1) << 8 | (uint32_t)(v.n - t->param.n) << 16;
    k->a = (sls_slice){v.p, t->cut};
    k->b = (sls_slice){v.p + after, v.n - after};
}

static int slice_eq(sls_str a, sls_slice b)
{
    return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* The i-th result string of a memo entry, NUL-terminated there. */
HOT sls_str memo_str(const memo_entry *e, unsigned i)
{
    size_t o = (e->meta >> 16) + 1;
    for (unsigned k = 0; k < i; k++)
        o += e->slen[k] + 1u;
    return (sls_str){e->data + o, e->slen[i]};
}

/* Where tail_template looks: the parameter lit (";branch=", ";tag=") is
 * the value's last and its value, a 1*tchar token, ends the value, as in
 * nearly every Via, From and To. Only that is
 * checked, not the rest of make_template's conditions (no quote, comment
 * or comma in the value, lit's first occurrence, a '>' before it in a From
 * or To): the key so made is only looked up, never stored. A template is
 * stored only after make_template and libosip2 accepted it, so a key
 * equal to a stored one byte for byte has, before the token, bytes that
 * met those conditions, and after it nothing: make_template would cut the
 * same token (no tchar is a quote, parenthesis, comma, ';' or '>'), and
 * the verdict is that entry's. When the guess misses, the value goes the
 * long way (make_template), whose key may well be the same. */
HOT int tail_template(sls_slice v, const char *lit, size_t litn, tmpl *t)
{
    if (v.n < 16 || v.n > MEMO_KEY_MAX + SLS_SIPMSG_MAX_FIELD)
        return 0;
    /* The last ';' in the last 48 bytes (";branch=" and a token of up
     * to 40 bytes), from the end, a chunk before the first overlapping it
     * when v is short (that part holds no ';'). */
    size_t co = v.n - 16;
    chunk16 last = load16(v.p + co);
    unsigned semi = eq16(last, ';');
    for (int k = 1; semi == 0 && k < 3 && co > 0; k++) {
        co = co >= 16 ? co - 16 : 0;
        semi = eq16(load16(v.p + co), ';');
    }
    if (semi == 0)
        return 0;
    size_t i = co + (size_t)(31 - __builtin_clz(semi));
    size_t a = i + litn;
    if (a >= v.n || a > MEMO_KEY_MAX || memcmp(v.p + i, lit, litn) != 0)
        return 0;
    /* The token, in the last chunk: letters, digits, '-', '.' are tchar
     * and are checked at once; anything else goes byte by byte. */
    t->in_last = a >= v.n - 16;
    if (t->in_last) {
        unsigned bits = (0xffffu << (a - (v.n - 16))) & 0xffffu;
        if ((alnum16(last) & bits) != bits && !all_tchar(v.p + a, v.n - a))
            return 0;
        t->last = last;
    } else if (!all_tchar(v.p + a, v.n - a)) {
        return 0;
    }
    t->cut = a;
    t->param = (sls_slice){v.p + a, v.n - a};
    return 1;
}

/* One memo lookup, prepared before any is made: the five slots of a
 * message are then fetched from memory together (memo_prefetch). */
typedef struct lookup {
    sls_slice v;    /* the value; a Via's first value when it is a list */
    tmpl t;         /* the cut token, when has_tmpl */
    int has_tmpl;
    int guess;      /* t is tail_template's: only a hit counts */
    int known;      /* k was found in the parser's last entry of its kind */
    enum memo_kind kind;
    memo_key k;
    memo_entry *e;  /* k's slot, NULL when k is too long */
} lookup;

/* Prepares the lookup of v; with `mru`, the entry of the last hit of the
 * same kind is tried first: a Via, From or To template is often the same
 * for many dialogs in a row (one proxy's Via, one phone's From), and an
 * entry holding the key's bytes holds its verdict wherever it is, so that
 * key is not even hashed (its hash is the entry's). */
HOT void prepare(const sls_sipparser *p, lookup *l, enum memo_kind kind, sls_slice v, int has_tmpl,
                 int guess, int mru)
{
    l->v = v;
    l->kind = kind;
    l->has_tmpl = has_tmpl;
    l->guess = guess;
    template_key(&l->k, kind, v, has_tmpl, &l->t);
    if (mru) {
        memo_entry *e = p->mru[l->k.meta & 0xff];
        if (e != NULL && holds_key(e, &l->k)) {
            l->k.hash = e->hash;
            l->e = e;
            l->known = 1;
            return;
        }
    }
    l->known = 0;
    key_hash(&l->k);
    l->e = memo_addr(p, &l->k);
    memo_prefetch(l->e);
}

/* A Via the long way: the template of the value, or of its first value
 * when it is a list, or the whole value. */
COLD void prepare_via(const sls_sipparser *p, lookup *l, sls_slice v)
{
    l->t.in_last = 0;
    int has_tmpl = make_template(v, 0, ";branch=", 8, 1, &l->t);
    if (has_tmpl < 0) { /* maybe a list: its first value, or v itself */
        v = first_list_value(v);
        has_tmpl = make_template(v, 0, ";branch=", 8, 0, &l->t);
    }
    prepare(p, l, MEMO_VIA, v, has_tmpl, 0, 1);
}

/* A From or To the long way. The tag-param follows the name-addr: after
 * its '>'. Without one (addr-spec form) no template. */
static void prepare_addr(const sls_sipparser *p, lookup *l, enum memo_kind kind, sls_slice v)
{
    l->t.in_last = 0;
    int has_tmpl = addr_template(v, &l->t);
    prepare(p, l, kind, v, has_tmpl, 0, 1);
}

/* The first lookup of a Via, From or To: the guess when there is one. */
HOT void prepare_tmpl(const sls_sipparser *p, lookup *l, enum memo_kind kind, sls_slice v)
{
    const int via = kind == MEMO_VIA;
    if (tail_template(v, via ? ";branch=" : ";tag=", via ? 8 : 5, &l->t))
        prepare(p, l, kind, v, 1, 1, 1);
    else if (!via && v.n > 0 && v.p[v.n - 1] == '>') /* no parameter: addr_template's 0 */
        prepare(p, l, kind, v, 0, 0, 1);
    else if (via)
        prepare_via(p, l, v);
    else
        prepare_addr(p, l, kind, v);
}

/* Whether l's key is in the memo; a guess that is not makes way for the
 * long way's key, looked up in turn. */
HOT int lookup_hit(sls_sipparser *p, lookup *l)
{
    /* A known entry still holds the key unless this parse stored into
     * some entry since (memo_store counts them). */
    if ((l->known && p->nstored == 0) || memo_hit(l->e, &l->k))
        goto hit;
    if (!l->guess)
        return 0;
    if (l->kind == MEMO_VIA)
        prepare_via(p, l, l->v);
    else
        prepare_addr(p, l, l->kind, l->v);
    if (!l->known && !memo_hit(l->e, &l->k))
        return 0;
hit:
    p->mru[l->k.meta & 0xff] = l->e;
    return 1;
}

/* Records the verdict on l's key and up to three result strings (NULL:
 * not kept when they do not fit) in its slot, unless a field of this parse
 * may point into that slot (an earlier lookup of the parse has the same
 * one): the value is then simply not memoised. */
static void memo_store(sls_sipparser *p, const lookup *l, int r, uint32_t num,
                       const sls_str *strs, unsigned nstr)
{
    memo_entry *e = l->e;
    const memo_key *k = &l->k;
    if (e == NULL)
        return;
    for (const lookup *q = p->lk; q < l; q++)
        if (q->e == e)
            return;
    p->nstored++;
    size_t klen = k->a.n + k->b.n, o = klen + 1;
    for (unsigned i = 0; i < nstr; i++) {
        if (strs[i].n > 255 || o + strs[i].n + 1 > sizeof e->data) {
            e->meta = 0; /* does not fit: not memoised */
            return;
        }
        memcpy(e->data + o, strs[i].p, strs[i].n);
        e->data[o + strs[i].n] = '\0';
        e->slen[i] = (uint8_t)strs[i].n;
        o += strs[i].n + 1;
    }
    e->meta = k->meta;
    e->hash = k->hash;
    if (k->a.n > 0)
        memcpy(e->data, k->a.p, k->a.n);
    if (k->b.n > 0)
        memcpy(e->data + k->a.n, k->b.p, k->b.n);
    e->data[klen] = '\0';
    e->r = (int16_t)r;
    e->num = num;
    e->method = 0;
    e->nstr = (uint8_t)nstr;
}

/* Keeps the token of a template: from its chunk when it ends one. */
HOT int keep_token(sls_sipparser *p, enum out_slot slot, const tmpl *t, sls_str *dst)
{
    if (!t->in_last)
        return keep(p, slot, t->param.p, t->param.n, dst);
    size_t n = t->param.n; /* 1..16 */
    char *o = out_place(p, slot);
    store16(o + n - 16, t->last);
    o[n] = '\0';
    *dst = (sls_str){o, n};
    return 0;
}

/* ---------------------------------------------------------------- fields */

/* RFC 3261 8.1.1.4, 20.8: exactly one Call-ID = word ["@" word]. The whole
 * value is the dialog and transaction key, kept as sent. libosip2 accepts
 * "a b" and "abc@"; white space and control bytes are refused here. */
COLD int call_id_verdict(sls_sipparser *p, sls_slice v);

HOT int parse_call_id(sls_sipparser *p, const sls_sipframe *f, lookup *l, sls_sipmsg *out)
{
    unsigned n = f->count[SLS_HDR_CALL_ID];
    if (n == 0)
        return -SLS_CTR_SIP_NO_CALL_ID;
    if (n > 1) /* RFC 4475 3.3.8 multi01 */
        return -SLS_CTR_SIP_MULTIPLE_CALL_ID;
    sls_slice v = l->v;
    if (v.n > SLS_SIPMSG_MAX_FIELD)
        return -SLS_CTR_SIP_FIELD_TOO_LONG;
    memo_entry *e = l->e;
    if (memo_hit(e, &l->k)) {
        if (e->r != 0)
            return e->r;
        /* The key is the value, NUL-terminated in the entry. */
        out->call_id = (sls_str){e->data, v.n};
        return 0;
    }
    arena *saved = arena_enter(p);
    int r = call_id_verdict(p, v);
    arena_leave(saved);
    memo_store(p, l, r, 0, NULL, 0);
    return r != 0 ? r : keep(p, OUT_CALL_ID, v.p, v.n, &out->call_id);
}

COLD int call_id_verdict(sls_sipparser *p, sls_slice v)
{
    if (v.n == 0)
        return -SLS_CTR_SIP_BAD_CALL_ID;
    chunked c;
    chunked_init(&c, v);
    unsigned bits;
    for (size_t co = chunk_start(&c, 0, &bits);; co = chunk_start(&c, co + 16, &bits)) {
        if ((ctl16(load16(c.p + co)) & bits) != 0)
            return -SLS_CTR_SIP_BAD_CALL_ID;
        if (co + 16 >= c.n)
            break;
    }
    int r = to_scratch(p, v);
    if (r != 0)
        return r;
    osip_call_id_t *cid = NULL;
    if (osip_call_id_init(&cid) != 0)
        return -SLS_CTR_SIP_BAD_CALL_ID;
    r = osip_call_id_parse(cid, p->scratch);
    osip_call_id_free(cid);
    return r != 0 ? -SLS_CTR_SIP_BAD_CALL_ID : 0;
}

/* RFC 3261 8.1.1.5, 20.16: CSeq = 1*DIGIT LWS Method, the number below
 * 2^31. libosip2 takes "abc", "-1" and 36893488147419103232 (RFC 4475
 * 3.1.2.4 scalar02) as numbers, "1 " as a CSeq without method and
 * "1 INVITE x" as method "INVITE x": both parts are checked here. A request
 * whose method differs from the CSeq method is unusable for transaction
 * matching (RFC 4475 3.1.2.17-18 mismatch01/02).
 * cseq_verdict: libosip2's reading of a CSeq value, checked: number and
 * method token, the method copied into mbuf (mcap bytes) and *m. */
static int cseq_verdict(sls_sipparser *p, sls_slice v, uint32_t *num_out, sls_str *m,
                        char *mbuf, size_t mcap)
{
    int r = to_scratch(p, v);
    if (r != 0)
        return r;
    osip_cseq_t *cs = NULL;
    if (osip_cseq_init(&cs) != 0)
        return -SLS_CTR_SIP_BAD_CSEQ;
    r = -SLS_CTR_SIP_BAD_CSEQ;
    uint64_t num;
    if (osip_cseq_parse(cs, p->scratch) == 0 && cs->number != NULL && cs->method != NULL &&
        parse_uint(cs->number, 10, &num) == 0 && num < (UINT64_C(1) << 31) &&
        is_token(cs->method)) {
        size_t mlen = strlen(cs->method);
        if (mlen < mcap) {
            memcpy(mbuf, cs->method, mlen + 1);
            *m = (sls_str){mbuf, mlen};
            *num_out = (uint32_t)num;
            r = 0;
        } else {
            r = -SLS_CTR_SIP_FIELD_TOO_LONG;
        }
    }
    osip_cseq_free(cs);
    return r;
}

/* A CSeq value not in the memo: libosip2's reading, memoised. */
COLD int cseq_miss(sls_sipparser *p, lookup *l, uint32_t *num, enum sls_method *id,
                     sls_str *kept_method)
{
    char mbuf[SLS_SIPMSG_MAX_FIELD + 1];
    sls_str method = {empty, 0};
    arena *saved = arena_enter(p);
    int r = cseq_verdict(p, l->v, num, &method, mbuf, sizeof mbuf);
    arena_leave(saved);
    if (r == 0)
        *id = sls_method_from_token(method.p, method.n);
    memo_store(p, l, r, *num, &method, r == 0 ? 1 : 0);
    if (l->e != NULL && l->e->meta == l->k.meta) /* stored */
        l->e->method = (uint8_t)*id;
    /* The method outlives mbuf only in a response, and only when it is no
     * known method (whose name is in method_table). */
    if (r == 0 && *id == SLS_METHOD_OTHER)
        r = keep(p, OUT_METHOD, method.p, method.n, kept_method);
    return r;
}

HOT int parse_cseq(sls_sipparser *p, const sls_sipframe *f, lookup *l, sls_sipmsg *out)
{
    unsigned n = f->count[SLS_HDR_CSEQ];
    if (n == 0)
        return -SLS_CTR_SIP_NO_CSEQ;
    if (n > 1)
        return -SLS_CTR_SIP_MULTIPLE_CSEQ;
    memo_entry *e = l->e;
    uint32_t num = 0;
    enum sls_method id = SLS_METHOD_OTHER;
    sls_str method = {empty, 0};
    int r;
    if (memo_hit(e, &l->k)) {
        r = e->r;
        if (r != 0)
            return r;
        num = e->num;
        id = (enum sls_method)e->method;
        if (id == SLS_METHOD_OTHER)
            method = memo_str(e, 0);
    } else {
        r = cseq_miss(p, l, &num, &id, &method);
        if (r != 0)
            return r;
    }
    out->cseq = num;
    out->cseq_method = id;
    if (id != SLS_METHOD_OTHER)
        method = (sls_str){method_table[id].name, method_table[id].len};
    if (f->is_request) {
        /* out->method is the request line's: two known methods are equal
         * when their ids are; only extension methods need their bytes. */
        int same = out->method == id &&
                   (id != SLS_METHOD_OTHER ||
                    (method.n == f->method.n && memcmp(method.p, f->method.p, method.n) == 0));
        return same ? 0 : -SLS_CTR_SIP_CSEQ_METHOD_MISMATCH;
    }
    /* A response names its transaction's method only here. */
    out->method = id;
    out->method_name = method;
    return 0;
}

/* An IPv6 address without the brackets RFC 3261 25.1 requires
 * ("fe80:0:0:0:21a:a0ff:fe07:32e0:5060", seen from real phones): libosip2
 * splits it at the first colon, leaving colons in the "port". */
static int bare_ipv6(const osip_via_t *via)
{
    return via->port != NULL && strchr(via->port, ':') != NULL;
}

static int hex_addr(const char *s)
{
    for (; *s != '\0'; s++) {
        char c = s[0];
        if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':' ||
              c == '.'))
            return 0;
    }
    return 1;
}

/* Version, transport and sent-by of a Via: libosip2 accepts "host:abc",
 * port 99999 and "h (comment)" (an RFC 2543 comment) as a host. */
static int valid_via(const osip_via_t *via)
{
    if (via->version == NULL || strcmp(via->version, "2.0") != 0)
        return 0;
    if (via->protocol == NULL || !is_token(via->protocol))
        return 0;
    if (via->host == NULL || via->host[0] == '\0')
        return 0;
    if (bare_ipv6(via))
        return hex_addr(via->host) && hex_addr(via->port);
    for (const char *h = via->host; *h != '\0'; h++)
        if (!is_tchar((unsigned char)*h) && *h != ':')
            return 0;
    if (via->port != NULL) {
        uint64_t port;
        if (parse_uint(via->port, 5, &port) != 0 || port == 0 || port > 65535)
            return 0;
    }
    return 1;
}

/* RFC 3261 8.1.1.7, 18.2.1: the top Via identifies the transaction (branch)
 * and where the response goes (sent-by). The top one is the first value of
 * the first Via line; the others are not parsed. */
COLD int via_verdict(sls_sipparser *p, sls_slice v, sls_sipmsg *out);

HOT int parse_via(sls_sipparser *p, const sls_sipframe *f, lookup *l, sls_sipmsg *out)
{
    if (f->first[SLS_HDR_VIA] < 0)
        return -SLS_CTR_SIP_NO_VIA;
    int hit = lookup_hit(p, l);
    sls_slice v = l->v;
    if (v.n == 0)
        return -SLS_CTR_SIP_BAD_VIA;
    memo_entry *e = l->e;
    if (hit) {
        if (e->r != 0)
            return e->r;
        out->via_sent_by = memo_str(e, 0);
        out->via_transport = memo_str(e, 1);
        if (!l->has_tmpl) {
            out->branch = memo_str(e, 2);
            return 0;
        }
        return keep_token(p, OUT_BRANCH, &l->t, &out->branch);
    }
    arena *saved = arena_enter(p);
    int r = via_verdict(p, v, out);
    arena_leave(saved);
    if (r != 0) {
        if (!l->has_tmpl)
            memo_store(p, l, r, 0, NULL, 0);
        return r;
    }
    sls_str res[3] = {out->via_sent_by, out->via_transport, out->branch};
    if (!l->has_tmpl)
        memo_store(p, l, r, 0, res, 3);
    else if (slice_eq(out->branch, l->t.param))
        memo_store(p, l, r, 0, res, 2);
    return r;
}

COLD int via_verdict(sls_sipparser *p, sls_slice v, sls_sipmsg *out)
{
    int r = to_scratch(p, v);
    if (r != 0)
        return r;
    osip_via_t *via = NULL;
    if (osip_via_init(&via) != 0)
        return -SLS_CTR_SIP_BAD_VIA;
    r = -SLS_CTR_SIP_BAD_VIA;
    if (osip_via_parse(via, p->scratch) == 0 && valid_via(via)) {
        osip_generic_param_t *branch = NULL;
        osip_via_param_get_byname(via, "branch", &branch);
        /* sent-by = host [":" port]; an IPv6 reference keeps its brackets
         * (RFC 3261 25.1), which libosip2 strips. A bare IPv6 address is
         * kept as sent: where its port starts cannot be known. Built in the
         * scratch buffer, which the value no longer needs. */
        size_t hl = strlen(via->host), pl = via->port != NULL ? strlen(via->port) : 0;
        int v6 = strchr(via->host, ':') != NULL && !bare_ipv6(via);
        if (hl + pl + 3 > SLS_SIPMSG_MAX_FIELD) {
            r = -SLS_CTR_SIP_FIELD_TOO_LONG;
        } else {
            char *sb = p->scratch;
            size_t o = 0;
            if (v6)
                sb[o++] = '[';
            memcpy(sb + o, via->host, hl);
            o += hl;
            if (v6)
                sb[o++] = ']';
            if (pl > 0) {
                sb[o++] = ':';
                memcpy(sb + o, via->port, pl);
                o += pl;
            }
            r = keep(p, OUT_SENT_BY, sb, o, &out->via_sent_by);
            if (r == 0)
                r = keep_cstr(p, OUT_TRANSPORT, via->protocol, &out->via_transport);
            if (r == 0)
                r = keep_cstr(p, OUT_BRANCH, branch != NULL ? branch->gvalue : NULL, &out->branch);
        }
    }
    osip_via_free(via);
    return r;
}

/* osip_from_parse into a new object, NULL when it fails or finds no URI
 * (an empty value parses). osip_to_parse is the same function. */
static osip_from_t *addr_parse(const char *s)
{
    osip_from_t *a = NULL;
    if (osip_from_init(&a) != 0)
        return NULL;
    if (osip_from_parse(a, s) == 0 && a->url != NULL)
        return a;
    osip_from_free(a);
    return NULL;
}

/* RFC 3261 8.1.1.2-3: exactly one From and one To; the tags identify the
 * dialog. Two From (or To) lines make the dialog ambiguous (RFC 4475 3.3.8)
 * and count as SIP_BAD_FROM / SIP_BAD_TO.
 *
 * Liberal about the display name, which is never used: libosip2 rejects
 * unquoted UTF-8 or parentheses ("Müller <sip:..>", common from phones),
 * commas (RFC 4475 3.1.2.15 baddn), escaped quotes without quotes (a
 * Suricata sample) and an unterminated quote (3.1.2.6 quotbal), where RFC
 * 4475 allows a liberal parser to infer the quotes. When the whole value
 * fails, the part from the last '<' (name-addr = [display-name] LAQUOT
 * addr-spec RAQUOT *params) is parsed alone; the tag can only be after the
 * '>'. The URI and the parameters get no such help. */
COLD int addr_verdict(sls_sipparser *p, sls_slice v, int bad, enum out_slot slot, sls_str *tag);

HOT int parse_addr(sls_sipparser *p, const sls_sipframe *f, enum sls_header_id id, lookup *l,
                      sls_str *tag)
{
    const int is_from = id == SLS_HDR_FROM;
    const int bad = is_from ? -SLS_CTR_SIP_BAD_FROM : -SLS_CTR_SIP_BAD_TO;
    const enum out_slot slot = is_from ? OUT_FROM_TAG : OUT_TO_TAG;
    unsigned n = f->count[id];
    if (n == 0)
        return is_from ? -SLS_CTR_SIP_NO_FROM : -SLS_CTR_SIP_NO_TO;
    if (n > 1)
        return bad;
    memo_entry *e;
    if (lookup_hit(p, l)) {
        e = l->e;
        if (e->r != 0)
            return e->r;
        if (l->has_tmpl)
            return keep_token(p, slot, &l->t, tag);
        *tag = memo_str(e, 0);
        return 0;
    }
    e = l->e;
    arena *saved = arena_enter(p);
    int r = addr_verdict(p, l->v, bad, slot, tag);
    arena_leave(saved);
    if (!l->has_tmpl)
        memo_store(p, l, r, 0, tag, r == 0 ? 1 : 0);
    else if (r == 0 && slice_eq(*tag, l->t.param))
        memo_store(p, l, r, 0, NULL, 0);
    return r;
}

COLD int addr_verdict(sls_sipparser *p, sls_slice v, int bad, enum out_slot slot, sls_str *tag)
{
    int r = to_scratch(p, v);
    if (r != 0)
        return r;
    osip_from_t *addr = addr_parse(p->scratch);
    if (addr == NULL) {
        const char *lt = strrchr(p->scratch, '<');
        if (lt != NULL && lt != p->scratch && strchr(lt, '>') != NULL)
            addr = addr_parse(lt);
        if (addr == NULL)
            return bad;
    }
    osip_generic_param_t *t = NULL;
    osip_from_get_tag(addr, &t);
    const char *tv = t != NULL ? t->gvalue : NULL;
    /* RFC 3261 19.3: tag-param = "tag" EQUAL token. libosip2 takes the
     * rest of "sip:a@b;tag=1, sip:c@d" as the tag: refuse separators that
     * show it read past the tag. Other stray bytes are kept (a capture has
     * a phone whose tags end in control bytes, echoed in the responses:
     * the tag still matches). */
    if (tv != NULL && strpbrk(tv, " \t,\"<>") != NULL)
        r = bad;
    else
        r = keep_cstr(p, slot, tv, tag);
    osip_from_free(addr);
    return r;
}

/* ----------------------------------------------------------------- parse */

HOT int parse_fields(sls_sipparser *p, const sls_sipframe *f, sls_sipmsg *out);

uint64_t sls_sipparser_call_id_hash(const char *v, size_t n)
{
    /* As prepare() hashes a Call-ID; a value too long for the memo has no
     * slot, and 0 names one as good as any for a hint. */
    memo_key k;
    template_key(&k, MEMO_CALL_ID, (sls_slice){v, n}, 0, NULL);
    if (n > MEMO_KEY_MAX)
        return 0;
    key_hash(&k);
    return k.hash;
}

void sls_sipparser_prefetch_hash(const sls_sipparser *p, uint64_t h)
{
    memo_prefetch(&p->memo[h & (MEMO_SLOTS - 1)]);
}

int sls_sipparser_parse(sls_sipparser *p, const sls_sipframe *f, sls_sipmsg *out)
{
    int r = parse_fields(p, f, out);
    if (r != 0) {
        /* A refused message leaves nothing half-filled. */
        const sls_str e = {empty, 0};
        *out = (sls_sipmsg){
            .is_request = f->is_request, .method_name = e, .reason = e, .request_uri = e,
            .call_id = e, .branch = e, .via_sent_by = e, .via_transport = e, .from_tag = e,
            .to_tag = e, .user_agent = e, .server = e, .frame = f,
        };
    }
    return r;
}

/* Every field of *out is written once on the way to success. */
HOT int parse_fields(sls_sipparser *p, const sls_sipframe *f, sls_sipmsg *out)
{
    p->nstored = 0;
    const sls_sip_header *h;

    /* The five lookups first, each slot prefetched as soon as its key is
     * hashed, then compared in order: the checks and their verdicts come
     * in the order they always did. */
    lookup lk[LOOKUPS];
    enum { L_CALL_ID, L_CSEQ, L_VIA, L_FROM, L_TO };
    p->lk = lk;
    /* (A header counted once is first[] of its id.) */
#define ONLY_VALUE(id) (f->headers[f->first[id]].value)
    if (f->count[SLS_HDR_CALL_ID] == 1)
        prepare(p, &lk[L_CALL_ID], MEMO_CALL_ID, ONLY_VALUE(SLS_HDR_CALL_ID), 0, 0, 0);
    if (f->count[SLS_HDR_CSEQ] == 1)
        prepare(p, &lk[L_CSEQ], MEMO_CSEQ, ONLY_VALUE(SLS_HDR_CSEQ), 0, 0, 0);
    if ((h = first_header(f, SLS_HDR_VIA)) != NULL)
        prepare_tmpl(p, &lk[L_VIA], MEMO_VIA, h->value);
    if (f->count[SLS_HDR_FROM] == 1)
        prepare_tmpl(p, &lk[L_FROM], MEMO_FROM, ONLY_VALUE(SLS_HDR_FROM));
    if (f->count[SLS_HDR_TO] == 1)
        prepare_tmpl(p, &lk[L_TO], MEMO_TO, ONLY_VALUE(SLS_HDR_TO));
#undef ONLY_VALUE

    out->is_request = f->is_request;
    out->frame = f;
    int r;
    if (f->is_request) {
        enum sls_method m = sls_method_from_token(f->method.p, f->method.n);
        out->method = m;
        out->status = 0;
        out->reason = (sls_str){empty, 0};
        r = 0;
        if (m != SLS_METHOD_OTHER)
            out->method_name = (sls_str){method_table[m].name, method_table[m].len};
        else
            r = keep(p, OUT_METHOD, f->method.p, f->method.n, &out->method_name);
        if (r == 0)
            r = keep(p, OUT_LINE, f->uri.p, f->uri.n, &out->request_uri);
    } else {
        out->status = f->status;
        out->request_uri = (sls_str){empty, 0};
        r = keep(p, OUT_LINE, f->reason.p, f->reason.n, &out->reason);
    }
    if (r == 0)
        r = parse_call_id(p, f, &lk[L_CALL_ID], out);
    if (r == 0)
        r = parse_cseq(p, f, &lk[L_CSEQ], out);
    if (r == 0)
        r = parse_via(p, f, &lk[L_VIA], out);
    if (r == 0)
        r = parse_addr(p, f, SLS_HDR_FROM, &lk[L_FROM], &out->from_tag);
    if (r == 0)
        r = parse_addr(p, f, SLS_HDR_TO, &lk[L_TO], &out->to_tag);
    if (r != 0)
        return r;
    /* Informational, first line only when repeated. */
    out->user_agent = out->server = (sls_str){empty, 0};
    if ((h = first_header(f, SLS_HDR_USER_AGENT)) != NULL)
        r = keep_line(p, OUT_USER_AGENT, h->value, &out->user_agent);
    if (r == 0 && (h = first_header(f, SLS_HDR_SERVER)) != NULL)
        r = keep_line(p, OUT_SERVER, h->value, &out->server);
    return r;
}
