/* TCP stream reassembly for SIP, and SIP over WebSocket (contract in
 * include/sipsleuth/tcpstream.h).
 *
 * One tcp_dir per direction of a connection, found through a hash of
 * (src addr, src port, dst addr, dst port). A direction holds the next
 * sequence number it expects, a contiguous buffer of bytes received in order
 * but not framed yet, and a list of out-of-order segments (copies) sorted by
 * sequence number. Directions are on an LRU list (live ones, and a second
 * list of closed ones kept briefly as tombstones) for eviction and idle
 * ageing, and those holding out-of-order data are on a wait list for the gap
 * timer. Everything is aged by capture time.
 *
 * Hot path (an in-order segment, nothing held out of order): the segment is
 * framed in place from the packet bytes; only an unfinished tail is copied
 * into the direction's buffer, which comes from a small pool of reusable
 * buffers. Framing consumes from the front of the buffer by moving a start
 * offset; the bytes left are moved down only when the space consumed is at
 * least as large as them (amortised O(1) per byte). Every search that waits
 * for more bytes (end of a line, end of a header block, next line start)
 * remembers how far it looked, so bytes arriving one at a time are not
 * rescanned.
 *
 * Resynchronisation: a SIP stream whose framing is lost (a gap, a message the
 * framer rejects, bytes that are not a start line, a buffer limit) skips to
 * the next line start that sls_sip_detect() accepts. Right after a hole the
 * first byte may start a line too (a lost segment often ends at a message
 * boundary), but there only a status line or a known method is believed
 * (see known_start()); the same holds for the first bytes of a connection
 * picked up mid-stream, which is hunted for a start line for at most
 * MIDSTREAM_SCAN_MAX bytes. A message too large for the stream buffer whose
 * length is known is dropped by that length, without losing alignment.
 *
 * Overlaps: bytes are compared with the out-of-order copies held, not with
 * bytes already framed (those are gone; and a keep-alive probe, RFC 9293
 * 3.8.4, resends one old byte that may be garbage). RST ends both
 * directions: the peer drops whatever was still in flight.
 *
 * Memory: every data byte held (stream buffers, pooled buffers, out-of-order
 * copies, WebSocket message buffers) is counted against max_total_bytes;
 * tcp_dir structs themselves are bounded by max_streams. */
#include "sipsleuth/tcpstream.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_S INT64_C(1000000000)

/* How long out-of-order data waits for the bytes before it, in capture time.
 * RFC 6298 2.4 puts the minimum retransmission timeout at 1 s, so a lost
 * segment is normally sent again within 1 s plus a round trip (sooner with
 * fast retransmit, RFC 5681 3.2). 2 s covers that with room for a slow path,
 * without holding SIP messages back much longer than a transaction timer
 * (T1 = 500 ms) would notice. */
#define GAP_WAIT_NS (2 * NS_PER_S)
/* RFC 9293 3.6: TIME-WAIT lasts 2 MSL. A closed direction is remembered
 * that long (at most idle_ns) so that a retransmission after FIN is not
 * taken for a new connection. */
#define TOMBSTONE_NS (60 * NS_PER_S)
/* Data this far before the close of a closed direction is a retransmission;
 * anything else is a new connection on the same ports whose SYN we missed. */
#define RETRANS_WINDOW (UINT32_C(16) << 20)
/* Larger than any IP payload (RFC 2675 jumbograms aside). */
#define MAX_SEGMENT (16u << 20)
/* A connection picked up mid-stream is scanned this far for a SIP start
 * line before it is given up as not SIP. */
#define MIDSTREAM_SCAN_MAX (64u * 1024u)
/* sls_sip_detect() decides on the first line or on this many bytes (its
 * DETECT_WINDOW), whichever is shorter. */
#define LINE_WINDOW 1024u
/* An HTTP Upgrade request or response head (RFC 6455 4.1, 4.2.2) longer than
 * this is not a WebSocket handshake we follow. */
#define HTTP_HEAD_MAX 8192u
#define BUF_INITIAL 4096u
#define POOL_SLOTS 32
#define POOL_MAX_BUF (64u * 1024u)
#define HASH_MIN_BUCKETS 256u
#define KEY_LEN 38 /* family + 16 bytes, twice, and two ports */

enum dir_state {
    ST_UNKNOWN,      /* no bytes classified yet */
    ST_SIP,          /* SIP framed by Content-Length (RFC 3261 18.3) */
    ST_WS_HANDSHAKE, /* sent an HTTP Upgrade to websocket; waits for 101 */
    ST_WEBSOCKET,    /* RFC 6455 frames, one SIP message each (RFC 7118 5) */
    ST_NOT_SIP,      /* ignored until closed or idle (counted once) */
    ST_TLS,          /* ignored (TLS_NOT_ANALYSED once per connection) */
    ST_LOST,         /* WebSocket framing lost or closed: ignored */
    ST_CLOSED        /* FIN or RST seen: a tombstone without data */
};

/* Return values of the framing steps. */
enum { STEP_WAIT = 0, STEP_GO = 1 };

/* Where the front of the data is, for resynchronisation. */
enum {
    LINE_MID = 0,   /* inside a line: skip to after the next LF */
    LINE_START = 1, /* after a LF */
    LINE_HOLE = 2   /* right after a hole: maybe a line start, maybe not */
};

typedef struct ooo_seg {
    struct ooo_seg *next;
    uint32_t seq;
    uint32_t len;
    int64_t arrived_ns;
    uint8_t data[];
} ooo_seg;

struct tcp_dir;
typedef struct dlink {
    struct tcp_dir *prev, *next;
} dlink;

typedef struct dlist {
    struct tcp_dir *head, *tail;
} dlist;

typedef struct tcp_dir {
    struct tcp_dir *hnext; /* hash chain */
    dlink lru;             /* t->live or t->closed */
    dlink wait;            /* t->waiting, while out-of-order data is held */
    uint8_t key[KEY_LEN];
    uint64_t hash;
    sls_packet tmpl;   /* last segment seen, payload cleared */
    int64_t last_ns;   /* capture time of the last segment */
    int64_t wait_since; /* oldest arrival among held segments */
    uint32_t next_seq; /* next byte expected */
    uint32_t isn;
    uint8_t state; /* enum dir_state */
    uint8_t have_seq, syn_seen, midstream, in_wait;
    /* framing of the message at the front of the data */
    uint8_t resync;     /* looking for the next SIP start line */
    uint8_t line_start; /* resync: the front of the data is LINE_* */
    uint8_t hunting;    /* resync of a mid-stream pickup: bounded */
    uint8_t line_ok;    /* first line complete and accepted */
    uint8_t tried;      /* the framer saw this message once */
    size_t scan;        /* bytes of the front already searched */
    size_t hdr_end;     /* end of the header block, 0 = not found yet */
    size_t need;        /* whole message length once known, else 0 */
    uint64_t skip;      /* bytes still to drop (a message of known length) */
    size_t hunted;      /* bytes skipped while hunting */
    /* in-order bytes not consumed yet: buf[head .. head + len) */
    uint8_t *buf;
    size_t cap, head, len;
    /* out-of-order segments, sorted by sequence number */
    ooo_seg *ooo;
    size_t nooo, ooo_bytes;
    /* WebSocket message being assembled from fragments (RFC 6455 5.4) */
    uint8_t *wsmsg;
    size_t wsmsg_len, wsmsg_cap;
    uint8_t ws_in_msg, ws_discard;
} tcp_dir;

struct sls_tcp_table {
    sls_tcp_config cfg;
    sls_counters *ctr;
    sls_stream_msg_fn fn;
    void *user;
    tcp_dir **buckets;
    size_t nbuckets, max_buckets, ndirs;
    uint64_t seed;
    dlist live, closed, waiting;
    size_t buffered, peak;
    uint8_t *pool[POOL_SLOTS];
    size_t pool_cap[POOL_SLOTS];
    size_t npool;
    uint8_t *scratch; /* one unmasked WebSocket frame */
    size_t scratch_cap;
    size_t ws_limit; /* largest WebSocket message */
    sls_sipframe *frame;
};

enum close_why { WHY_FIN, WHY_RST, WHY_IDLE, WHY_EVICT, WHY_FLUSH };

static size_t consume(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                      const sls_packet *pkt);
static void feed(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                 const sls_packet *pkt);

/* ------------------------------------------------------------ small bits */

static void count(sls_tcp_table *t, enum sls_counter c)
{
    sls_count(t->ctr, c);
}

/* The framer names why a message is invalid as -(counter id). */
static void count_reason(sls_tcp_table *t, int r)
{
    if (r < 0 && -r < (int)SLS_CTR_COUNT)
        count(t, (enum sls_counter)-r);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* now - then > limit, without overflowing on odd timestamps (capture time
 * may even step back a little between merged inputs). */
static int older_than(int64_t now, int64_t then, int64_t limit)
{
    return now > then && (uint64_t)now - (uint64_t)then > (uint64_t)limit;
}

static int buffering(uint8_t state)
{
    return state == ST_UNKNOWN || state == ST_SIP || state == ST_WS_HANDSHAKE ||
           state == ST_WEBSOCKET;
}

static int is_crlf(uint8_t c)
{
    return c == '\r' || c == '\n';
}

static char lower(uint8_t c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* p[0..n) equals the lowercase literal s (n bytes), ignoring ASCII case. */
static int ieq(const uint8_t *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != s[i])
            return 0;
    return 1;
}

static int has_prefix(const uint8_t *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    return n >= l && memcmp(p, s, l) == 0;
}

/* ------------------------------------------------------------ lists */

static dlink *lk(tcp_dir *d, int wait)
{
    return wait ? &d->wait : &d->lru;
}

static void list_push(dlist *l, tcp_dir *d, int wait)
{
    dlink *k = lk(d, wait);
    k->prev = l->tail;
    k->next = NULL;
    if (l->tail != NULL)
        lk(l->tail, wait)->next = d;
    else
        l->head = d;
    l->tail = d;
}

static void list_remove(dlist *l, tcp_dir *d, int wait)
{
    dlink *k = lk(d, wait);
    if (k->prev != NULL)
        lk(k->prev, wait)->next = k->next;
    else
        l->head = k->next;
    if (k->next != NULL)
        lk(k->next, wait)->prev = k->prev;
    else
        l->tail = k->prev;
    k->prev = k->next = NULL;
}

static dlist *lru_of(sls_tcp_table *t, const tcp_dir *d)
{
    return d->state == ST_CLOSED ? &t->closed : &t->live;
}

/* ------------------------------------------------------------ memory */

static void mem_add(sls_tcp_table *t, size_t n)
{
    t->buffered += n;
    if (t->buffered > t->peak)
        t->peak = t->buffered;
}

/* 1 when n more bytes fit under max_total_bytes, after handing pooled
 * buffers back to the allocator if that is what it takes. */
static int mem_fits(sls_tcp_table *t, size_t n)
{
    while (n > t->cfg.max_total_bytes - t->buffered && t->npool > 0) {
        t->npool--;
        free(t->pool[t->npool]);
        t->buffered -= t->pool_cap[t->npool];
    }
    return n <= t->cfg.max_total_bytes - t->buffered;
}

static void pool_drain(sls_tcp_table *t)
{
    while (t->npool > 0) {
        t->npool--;
        free(t->pool[t->npool]);
        t->buffered -= t->pool_cap[t->npool];
    }
}

/* Makes room for n more bytes after the buffered ones. Returns 0, or the
 * counter naming the ceiling that was hit (nothing changed then). */
static int buf_room(sls_tcp_table *t, tcp_dir *d, size_t n)
{
    size_t max = t->cfg.max_stream_bytes;
    if (n > max || d->len > max - n)
        return SLS_CTR_TCP_BUFFER_LIMIT;
    size_t need = d->len + n;
    if (d->cap - d->head >= need)
        return 0;
    if (d->cap >= need && (d->head >= d->len || d->cap >= max)) {
        /* The consumed front is at least as long as what moves (or the
         * buffer cannot grow: then the limit is near anyway). */
        memmove(d->buf, d->buf + d->head, d->len);
        d->head = 0;
        return 0;
    }
    if (d->buf == NULL && t->npool > 0) {
        t->npool--;
        d->buf = t->pool[t->npool];
        d->cap = t->pool_cap[t->npool];
        d->head = 0;
        if (d->cap >= need)
            return 0;
    }
    size_t ncap = d->cap > BUF_INITIAL ? d->cap : BUF_INITIAL;
    while (ncap < need && ncap <= SIZE_MAX / 2)
        ncap *= 2;
    if (ncap < need)
        ncap = need;
    if (ncap > max)
        ncap = max;
    if (!mem_fits(t, ncap - d->cap))
        return SLS_CTR_TCP_TOTAL_LIMIT;
    uint8_t *nb = malloc(ncap);
    if (nb == NULL)
        return SLS_CTR_TCP_TOTAL_LIMIT; /* out of memory: a ceiling too */
    if (d->len > 0)
        memcpy(nb, d->buf + d->head, d->len);
    free(d->buf);
    mem_add(t, ncap - d->cap);
    d->buf = nb;
    d->cap = ncap;
    d->head = 0;
    return 0;
}

/* Forgets the buffered bytes; the buffer goes back to the pool. */
static void buf_clear(sls_tcp_table *t, tcp_dir *d)
{
    d->head = d->len = 0;
    if (d->buf == NULL)
        return;
    if (d->cap <= POOL_MAX_BUF && t->npool < POOL_SLOTS) {
        t->pool[t->npool] = d->buf;
        t->pool_cap[t->npool] = d->cap;
        t->npool++;
    } else {
        free(d->buf);
        t->buffered -= d->cap;
    }
    d->buf = NULL;
    d->cap = 0;
}

static void ws_msg_clear(sls_tcp_table *t, tcp_dir *d)
{
    free(d->wsmsg);
    t->buffered -= d->wsmsg_cap;
    d->wsmsg = NULL;
    d->wsmsg_len = d->wsmsg_cap = 0;
    d->ws_in_msg = d->ws_discard = 0;
}

static void ooo_clear(sls_tcp_table *t, tcp_dir *d)
{
    while (d->ooo != NULL) {
        ooo_seg *s = d->ooo;
        d->ooo = s->next;
        t->buffered -= sizeof(*s) + s->len;
        free(s);
    }
    d->nooo = d->ooo_bytes = 0;
}

/* ------------------------------------------------------------ wait list */

/* Keeps d on the wait list exactly while it holds out-of-order data, with
 * wait_since the arrival of the oldest held segment: the gap before them has
 * been waited for that long. */
static void update_wait(sls_tcp_table *t, tcp_dir *d)
{
    if (d->ooo == NULL) {
        if (d->in_wait) {
            list_remove(&t->waiting, d, 1);
            d->in_wait = 0;
        }
        return;
    }
    int64_t since = d->ooo->arrived_ns;
    for (const ooo_seg *s = d->ooo->next; s != NULL; s = s->next)
        if (s->arrived_ns < since)
            since = s->arrived_ns;
    if (d->in_wait && since == d->wait_since)
        return;
    /* Appended at the tail: capture time mostly grows, so the list stays
     * close to sorted and sls_tcp_advance() only looks at its head. */
    if (d->in_wait)
        list_remove(&t->waiting, d, 1);
    d->wait_since = since;
    list_push(&t->waiting, d, 1);
    d->in_wait = 1;
}

/* ------------------------------------------------------------ framing */

static void msg_reset(tcp_dir *d)
{
    d->scan = d->hdr_end = d->need = 0;
    d->line_ok = d->tried = 0;
}

static void enter_resync(tcp_dir *d, int line_start)
{
    msg_reset(d);
    d->resync = 1;
    d->line_start = (uint8_t)line_start;
}

static void deliver(sls_tcp_table *t, const uint8_t *msg, size_t len,
                    const sls_packet *pkt)
{
    if (t->fn == NULL)
        return;
    sls_packet out = *pkt;
    out.payload = msg;
    out.payload_len = len;
    t->fn(t->user, t->frame, &out);
}

/* 1 when the first line of p[0..n) is complete, or long enough for
 * sls_sip_detect() to decide; d->scan is then where its LF is (or the end
 * of the window). 0: wait, d->scan remembers how far we looked. */
static int line_complete(tcp_dir *d, const uint8_t *p, size_t n)
{
    size_t lim = min_size(n, LINE_WINDOW);
    const uint8_t *lf = d->scan < lim ? memchr(p + d->scan, '\n', lim - d->scan) : NULL;
    if (lf != NULL) {
        d->scan = (size_t)(lf - p);
        return 1;
    }
    if (n >= LINE_WINDOW) {
        d->scan = lim;
        return 1;
    }
    d->scan = n;
    return 0;
}

/* Looks for the empty line ending a header block (CRLF CRLF, or bare LFs
 * as RFC 3261 7.5 tolerates) whose first LF lies in p[0..lim), lim <= n,
 * from *scan on. 1 and *end (just past it) when found; 0 otherwise, with
 * *scan where to resume. */
static int find_head_end(const uint8_t *p, size_t n, size_t lim, size_t *scan,
                         size_t *end)
{
    size_t j = *scan;
    while (j < lim) {
        const uint8_t *lf = memchr(p + j, '\n', lim - j);
        if (lf == NULL)
            break;
        size_t k = (size_t)(lf - p);
        if (k + 1 >= n) {
            *scan = k;
            return 0;
        }
        if (p[k + 1] == '\n') {
            *end = k + 2;
            return 1;
        }
        if (p[k + 1] == '\r') {
            if (k + 2 >= n) {
                *scan = k;
                return 0;
            }
            if (p[k + 2] == '\n') {
                *end = k + 3;
                return 1;
            }
        }
        j = k + 1;
    }
    *scan = j > lim ? j : lim;
    return 0;
}

/* Where the bytes may start anywhere in a message (right after a hole, or
 * the first segment of a connection picked up mid-stream), a start line is
 * believed only with a status line or a method we know: a segment boundary
 * inside "INVITE sip:..." leaves "VITE sip:... SIP/2.0", which
 * sls_sip_detect() rightly accepts as an extension method (RFC 3261 7.1). */
static int known_start(const uint8_t *p, size_t n)
{
    static const char *const methods[] = {
        "INVITE ", "ACK ", "BYE ", "CANCEL ", "OPTIONS ", "REGISTER ", /* RFC 3261 */
        "PRACK ",                                                     /* RFC 3262 */
        "SUBSCRIBE ", "NOTIFY ",                                      /* RFC 6665 */
        "PUBLISH ",                                                   /* RFC 3903 */
        "INFO ",                                                      /* RFC 6086 */
        "REFER ",                                                     /* RFC 3515 */
        "MESSAGE ",                                                   /* RFC 3428 */
        "UPDATE ",                                                    /* RFC 3311 */
    };
    if (has_prefix(p, n, "SIP/"))
        return 1;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (has_prefix(p, n, methods[i]))
            return 1;
    return 0;
}

/* RFC 3261 18.3: a message on a stream ends after Content-Length bytes of
 * body. p[0..n) starts at the message (not at a CR or LF). */
static int step_sip(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                    const sls_packet *pkt, size_t *used)
{
    if (is_crlf(p[0])) {
        /* RFC 5626 4.4.1 keep-alives (CRLF CRLF ping, CRLF pong), and RFC
         * 3261 7.5 CRLFs before a start line: not messages. */
        size_t i = 1;
        while (i < n && is_crlf(p[i]))
            i++;
        *used = i;
        return STEP_GO;
    }
    if (d->need > 0) {
        if (n < d->need)
            return STEP_WAIT;
    } else if (d->tried) {
        if (!d->hdr_end) {
            size_t lim = min_size(n, SLS_SIPFRAME_MAX_HEADER_BYTES);
            if (!find_head_end(p, n, lim, &d->scan, &d->hdr_end) &&
                n < SLS_SIPFRAME_MAX_HEADER_BYTES)
                return STEP_WAIT;
            /* else: no empty line within the framer's header limit, and
             * the framer names the reason */
        }
    } else if (!d->line_ok) {
        if (!line_complete(d, p, n))
            return STEP_WAIT;
        if (!sls_sip_detect(p, n)) {
            /* Where a message should start, something else: skipped to the
             * next start line. */
            count(t, SLS_CTR_TCP_RESYNC);
            enter_resync(d, LINE_MID);
            return STEP_GO;
        }
        d->line_ok = 1;
    }

    int r = sls_sipframe_parse((const char *)p, n, SLS_FRAME_STREAM, t->frame);
    if (r > 0) {
        deliver(t, p, (size_t)r, pkt);
        msg_reset(d);
        *used = (size_t)r;
        return STEP_GO;
    }
    if (r < 0) {
        count_reason(t, r);
        enter_resync(d, LINE_MID);
        return STEP_GO;
    }
    /* Need more. The first time, fall back to the incremental search for
     * the header end, so later segments do not make the framer parse the
     * headers again and again. */
    if (!d->tried) {
        d->tried = 1;
        size_t lim = min_size(n, SLS_SIPFRAME_MAX_HEADER_BYTES);
        if (!find_head_end(p, n, lim, &d->scan, &d->hdr_end))
            return STEP_WAIT;
    }
    if (d->hdr_end == 0 || d->need > 0)
        return STEP_WAIT; /* defensive: the framer and we disagree */
    /* Headers complete, body short: learn the whole length once, by
     * framing the header block alone as a datagram, which reports the
     * Content-Length it could not satisfy. */
    int h = sls_sipframe_parse((const char *)p, d->hdr_end, SLS_FRAME_DATAGRAM, t->frame);
    if (h <= 0 || t->frame->content_length < 0)
        return STEP_WAIT;
    d->need = (size_t)h + (size_t)t->frame->content_length;
    if (d->need > t->cfg.max_stream_bytes) {
        /* Valid, but larger than this stream may buffer: dropped by its
         * length, so framing stays aligned on the next message. */
        count(t, SLS_CTR_TCP_BUFFER_LIMIT);
        d->skip = d->need - n;
        msg_reset(d);
        *used = n;
        return STEP_GO;
    }
    return STEP_WAIT;
}

/* Skips to the next line start that sls_sip_detect() accepts. */
static int step_resync(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                       size_t *used)
{
    size_t i = 0;
    int found = 0;
    while (i < n) {
        if (d->line_start == LINE_MID) {
            const uint8_t *lf = memchr(p + i, '\n', n - i);
            if (lf == NULL) {
                i = n;
                break;
            }
            i = (size_t)(lf - p) + 1;
            d->line_start = LINE_START;
            d->scan = 0;
            continue;
        }
        uint8_t c = p[i];
        if (is_crlf(c)) {
            if (c == '\n')
                d->line_start = LINE_START;
            i++;
            continue;
        }
        /* sls_sip_detect() rejects these first bytes at once: no need to
         * wait for the end of the line (SDP lines, binary). */
        if (c < 0x21 || c > 0x7e || (c >= 'a' && c <= 'z')) {
            d->line_start = LINE_MID;
            continue;
        }
        size_t avail = n - i, lim = min_size(avail, LINE_WINDOW);
        const uint8_t *lf =
            d->scan < lim ? memchr(p + i + d->scan, '\n', lim - d->scan) : NULL;
        if (lf == NULL && avail < LINE_WINDOW) {
            d->scan = avail; /* wait for the rest of this line */
            break;
        }
        d->scan = 0;
        if (sls_sip_detect(p + i, avail) &&
            (d->line_start != LINE_HOLE || known_start(p + i, avail))) {
            found = 1;
            break;
        }
        d->line_start = LINE_START;
        if (lf != NULL) {
            i = (size_t)(lf - p) + 1;
        } else {
            i += lim;
            d->line_start = LINE_MID;
        }
    }
    if (d->hunting && !found) {
        d->hunted += i;
        if (d->hunted > MIDSTREAM_SCAN_MAX) {
            count(t, SLS_CTR_TCP_NOT_SIP);
            d->state = ST_NOT_SIP;
            *used = n;
            return STEP_GO;
        }
    }
    *used = i;
    if (!found)
        return STEP_WAIT;
    d->resync = d->hunting = 0;
    d->midstream = 0;
    msg_reset(d);
    return STEP_GO;
}

/* ------------------------------------------------------------ websocket */

static uint64_t be_n(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* RFC 6455 5.3: octet i of the payload is XORed with key[i mod 4]. */
static void unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t key[4])
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (uint8_t)(src[i] ^ key[i & 3]);
}

/* RFC 7118 5: one WebSocket message carries one SIP message. */
static void ws_message(sls_tcp_table *t, const uint8_t *msg, size_t len,
                       const sls_packet *pkt)
{
    if (!sls_sip_detect(msg, len)) {
        count(t, SLS_CTR_WS_NOT_SIP);
        return;
    }
    int r = sls_sipframe_parse((const char *)msg, len, SLS_FRAME_DATAGRAM, t->frame);
    if (r < 0) {
        count_reason(t, r);
        return;
    }
    deliver(t, msg, len, pkt);
}

/* Adds a fragment's payload to the message being assembled. 0, or the
 * counter of the ceiling hit. */
static int ws_append(sls_tcp_table *t, tcp_dir *d, const uint8_t *src, size_t n,
                     const uint8_t *key)
{
    if (n > t->ws_limit || d->wsmsg_len > t->ws_limit - n)
        return SLS_CTR_TCP_BUFFER_LIMIT;
    if (n == 0)
        return 0;
    size_t need = d->wsmsg_len + n;
    if (need > d->wsmsg_cap) {
        size_t ncap = d->wsmsg_cap > 0 ? d->wsmsg_cap : 1024;
        while (ncap < need)
            ncap *= 2;
        if (ncap > t->ws_limit)
            ncap = t->ws_limit;
        if (!mem_fits(t, ncap - d->wsmsg_cap))
            return SLS_CTR_TCP_TOTAL_LIMIT;
        uint8_t *nb = realloc(d->wsmsg, ncap);
        if (nb == NULL)
            return SLS_CTR_TCP_TOTAL_LIMIT;
        mem_add(t, ncap - d->wsmsg_cap);
        d->wsmsg = nb;
        d->wsmsg_cap = ncap;
    }
    if (key != NULL)
        unmask(d->wsmsg + d->wsmsg_len, src, n, key);
    else if (n > 0)
        memcpy(d->wsmsg + d->wsmsg_len, src, n);
    d->wsmsg_len += n;
    return 0;
}

/* One unfragmented data frame. */
static void ws_single(sls_tcp_table *t, const uint8_t *payload, size_t n,
                      const uint8_t *key, const sls_packet *pkt)
{
    if (key == NULL) {
        ws_message(t, payload, n, pkt);
        return;
    }
    if (n > t->scratch_cap) {
        if (!mem_fits(t, n - t->scratch_cap)) {
            count(t, SLS_CTR_TCP_TOTAL_LIMIT);
            return;
        }
        uint8_t *nb = realloc(t->scratch, n);
        if (nb == NULL) {
            count(t, SLS_CTR_TCP_TOTAL_LIMIT);
            return;
        }
        mem_add(t, n - t->scratch_cap);
        t->scratch = nb;
        t->scratch_cap = n;
    }
    unmask(t->scratch, payload, n, key);
    ws_message(t, t->scratch, n, pkt);
    if (t->scratch_cap > POOL_MAX_BUF) {
        free(t->scratch);
        t->buffered -= t->scratch_cap;
        t->scratch = NULL;
        t->scratch_cap = 0;
    }
}

/* Drops the rest of the current fragmented message. */
static void ws_discard_msg(sls_tcp_table *t, tcp_dir *d, int fin)
{
    ws_msg_clear(t, d);
    if (!fin)
        d->ws_in_msg = d->ws_discard = 1;
}

/* One WebSocket frame (RFC 6455 5.2) at the front of p[0..n). */
static int step_ws(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                   const sls_packet *pkt, size_t *used)
{
    if (n < 2)
        return STEP_WAIT;
    uint8_t b0 = p[0], b1 = p[1];
    size_t hl = 2;
    uint64_t plen = b1 & 0x7fu;
    if (plen == 126)
        hl = 4;
    else if (plen == 127)
        hl = 10;
    int masked = (b1 & 0x80u) != 0;
    if (masked)
        hl += 4;
    if (n < hl)
        return STEP_WAIT;
    if (plen == 126) {
        plen = be_n(p + 2, 2);
    } else if (plen == 127) {
        plen = be_n(p + 2, 8);
        if (plen >> 63) {
            /* RFC 6455 5.2: the most significant bit MUST be 0. The frame
             * boundaries are lost with it. */
            count(t, SLS_CTR_WS_BAD_FRAME);
            if (d->ws_in_msg && !d->ws_discard)
                count(t, SLS_CTR_TCP_ABANDONED);
            ws_msg_clear(t, d);
            d->state = ST_LOST;
            *used = n;
            return STEP_GO;
        }
    }
    const uint8_t *key = masked ? p + hl - 4 : NULL;
    uint64_t flen = hl + plen;
    unsigned op = b0 & 0x0fu, rsv = b0 & 0x70u;
    int fin = (b0 & 0x80u) != 0;
    int keep = 0; /* 1: the payload belongs to a SIP message */
    uint64_t room = t->cfg.max_stream_bytes;

    if (op >= 8) {
        /* RFC 6455 5.5: control frames are final and carry <= 125 bytes. */
        if (op > 10 || !fin || plen > 125 || rsv) {
            count(t, SLS_CTR_WS_BAD_FRAME);
        } else if (op == 8) {
            /* RFC 6455 5.5.1: nothing follows a Close frame. */
            if (d->ws_in_msg && !d->ws_discard)
                count(t, SLS_CTR_TCP_ABANDONED);
            ws_msg_clear(t, d);
            d->state = ST_LOST;
            *used = n;
            return STEP_GO;
        }
        /* ping and pong: nothing for us */
    } else if (op == 1 || op == 2) {
        if (d->ws_in_msg) {
            /* RFC 6455 5.4: a new message before the previous one ended. */
            count(t, SLS_CTR_WS_BAD_FRAME);
            ws_msg_clear(t, d);
        }
        if (rsv) {
            /* RFC 7692: RSV1 marks a compressed message; other bits mean an
             * extension we do not know. */
            count(t, rsv == 0x40u ? SLS_CTR_WS_COMPRESSED : SLS_CTR_WS_BAD_FRAME);
            ws_discard_msg(t, d, fin);
        } else if (flen > room || plen > t->ws_limit) {
            count(t, SLS_CTR_TCP_BUFFER_LIMIT);
            ws_discard_msg(t, d, fin);
        } else {
            keep = 1;
        }
    } else if (op == 0) {
        if (!d->ws_in_msg) {
            count(t, SLS_CTR_WS_BAD_FRAME); /* continuation of nothing */
        } else if (d->ws_discard) {
            if (fin)
                ws_msg_clear(t, d);
        } else if (rsv) {
            count(t, SLS_CTR_WS_BAD_FRAME);
            ws_discard_msg(t, d, fin);
        } else if (flen > room || plen > t->ws_limit - d->wsmsg_len) {
            count(t, SLS_CTR_TCP_BUFFER_LIMIT);
            ws_discard_msg(t, d, fin);
        } else {
            keep = 1;
        }
    } else {
        count(t, SLS_CTR_WS_BAD_FRAME); /* reserved opcodes 3-7 */
    }

    if (!keep) {
        if (n >= flen) {
            *used = (size_t)flen;
        } else {
            *used = n;
            d->skip = flen - n;
        }
        return STEP_GO;
    }
    if (n < flen)
        return STEP_WAIT; /* flen <= max_stream_bytes: the buffer can hold it */
    const uint8_t *payload = p + hl;
    if (op != 0 && fin) {
        ws_single(t, payload, (size_t)plen, key, pkt);
    } else {
        int lim = ws_append(t, d, payload, (size_t)plen, key);
        if (lim != 0) {
            count(t, (enum sls_counter)lim);
            ws_discard_msg(t, d, fin);
        } else if (fin) {
            ws_message(t, d->wsmsg, d->wsmsg_len, pkt);
            ws_msg_clear(t, d);
        } else {
            d->ws_in_msg = 1;
        }
    }
    *used = (size_t)flen;
    return STEP_GO;
}

/* ------------------------------------------------------------ handshake */

/* The header block head[0..len) (request or status line first) has a
 * header `name` whose comma-separated value list holds `token`, ignoring
 * case (RFC 9110 5.6.1, 7.8; RFC 6455 4.1 "Upgrade: websocket"). */
static int http_has_token(const uint8_t *head, size_t len, const char *name,
                          const char *token)
{
    size_t nl = strlen(name), tl = strlen(token);
    const uint8_t *lf = memchr(head, '\n', len);
    size_t i = lf != NULL ? (size_t)(lf - head) + 1 : len;
    while (i < len) {
        lf = memchr(head + i, '\n', len - i);
        size_t le = lf != NULL ? (size_t)(lf - head) : len;
        const uint8_t *colon = memchr(head + i, ':', le - i);
        if (colon != NULL) {
            size_t c = (size_t)(colon - head), ne = c;
            while (ne > i && (head[ne - 1] == ' ' || head[ne - 1] == '\t'))
                ne--;
            if (ne - i == nl && ieq(head + i, name, nl)) {
                size_t v = c + 1;
                while (v < le) {
                    while (v < le && (head[v] == ' ' || head[v] == '\t' || head[v] == ','))
                        v++;
                    size_t ts = v;
                    while (v < le && head[v] != ',' && head[v] != ' ' &&
                           head[v] != '\t' && head[v] != '\r' && head[v] != ';')
                        v++;
                    if (v - ts == tl && ieq(head + ts, token, tl))
                        return 1;
                    while (v < le && head[v] != ',')
                        v++;
                }
            }
        }
        i = le + 1;
    }
    return 0;
}

static int http_has_header(const uint8_t *head, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl + 2 <= len; i++)
        if (head[i] == '\n' && ieq(head + i + 1, name, nl) && head[i + 1 + nl] == ':')
            return 1;
    return 0;
}

static tcp_dir *find_reverse(sls_tcp_table *t, const tcp_dir *d);

static void become_not_sip(sls_tcp_table *t, tcp_dir *d)
{
    count(t, SLS_CTR_TCP_NOT_SIP);
    d->state = ST_NOT_SIP;
}

/* The first bytes are not SIP. A connection picked up mid-stream may just
 * have started inside a message: hunt for a start line (bounded). */
static int not_sip_or_hunt(sls_tcp_table *t, tcp_dir *d, size_t n, size_t *used)
{
    if (d->midstream) {
        count(t, SLS_CTR_TCP_MIDSTREAM_SKIP);
        d->state = ST_SIP;
        enter_resync(d, LINE_MID);
        d->hunting = 1;
        d->hunted = 0;
        return STEP_GO;
    }
    become_not_sip(t, d);
    *used = n;
    return STEP_GO;
}

/* RFC 6455 4.1 and RFC 7118 4.1: "GET ... HTTP/1.1" with "Upgrade:
 * websocket" and "Sec-WebSocket-Protocol: sip". A missing protocol header is
 * accepted; one that does not offer "sip" is another application. */
static int http_request(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                        size_t end, size_t *used)
{
    if (http_has_token(p, end, "upgrade", "websocket") &&
        (!http_has_header(p, end, "sec-websocket-protocol") ||
         http_has_token(p, end, "sec-websocket-protocol", "sip"))) {
        tcp_dir *rev = find_reverse(t, d);
        d->state = rev != NULL && rev->state == ST_WEBSOCKET ? ST_WEBSOCKET : ST_WS_HANDSHAKE;
        msg_reset(d);
        *used = end;
        return STEP_GO;
    }
    return not_sip_or_hunt(t, d, n, used);
}

/* RFC 6455 4.2.2: the server answers "HTTP/1.1 101"; both directions carry
 * frames after it. */
static int http_response(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                         size_t end, size_t *used)
{
    tcp_dir *rev = find_reverse(t, d);
    int is101 = end >= 13 && p[8] == ' ' && memcmp(p + 9, "101", 3) == 0 &&
                (p[12] == ' ' || is_crlf(p[12]));
    int upgrade = http_has_token(p, end, "upgrade", "websocket");
    if (rev != NULL && rev->state == ST_WS_HANDSHAKE) {
        if (!is101) {
            /* Refused: neither direction will carry SIP. */
            become_not_sip(t, d);
            become_not_sip(t, rev);
            buf_clear(t, rev);
            *used = n;
            return STEP_GO;
        }
    } else if (!is101 || !upgrade) {
        return not_sip_or_hunt(t, d, n, used);
    }
    d->state = ST_WEBSOCKET;
    msg_reset(d);
    *used = end;
    if (rev != NULL && rev->state == ST_WS_HANDSHAKE) {
        rev->state = ST_WEBSOCKET;
        /* Frames the client sent before the reply were kept: frame them
         * now (rev's buffer, never d's, so d's bytes stay put). */
        if (rev->len > 0) {
            size_t c = consume(t, rev, rev->buf + rev->head, rev->len, &rev->tmpl);
            rev->head += c;
            rev->len -= c;
            if (rev->len == 0 || !buffering(rev->state))
                buf_clear(t, rev);
        }
    }
    return STEP_GO;
}

/* RFC 8446 5.1: a TLS record starts with its content type (20-23) and a
 * legacy version 0x03 0x00..0x04. One count per connection: the direction
 * that shows it first (the ClientHello's, on a complete capture). */
static void become_tls(sls_tcp_table *t, tcp_dir *d)
{
    tcp_dir *rev = find_reverse(t, d);
    if (rev == NULL || rev->state != ST_TLS)
        count(t, SLS_CTR_TLS_NOT_ANALYSED);
    d->state = ST_TLS;
}

/* What the first bytes of a direction are. */
static int step_classify(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                         size_t *used)
{
    if (is_crlf(p[0])) {
        size_t i = 1;
        while (i < n && is_crlf(p[i]))
            i++;
        *used = i;
        return STEP_GO;
    }
    if (!d->line_ok) {
        tcp_dir *rev = find_reverse(t, d);
        if (rev != NULL && rev->state == ST_WEBSOCKET) {
            /* The 101 went the other way: frames, after our request if the
             * capture shows the reply first (merged capture points). */
            if (n < 4 && memcmp(p, "GET ", n) == 0)
                return STEP_WAIT;
            if (!has_prefix(p, n, "GET ")) {
                d->state = ST_WEBSOCKET;
                return STEP_GO;
            }
        }
        if (p[0] >= 0x14 && p[0] <= 0x17) {
            if (n < 3)
                return STEP_WAIT;
            if (p[1] == 0x03 && p[2] <= 0x04) {
                become_tls(t, d);
                *used = n;
                return STEP_GO;
            }
        }
        if (p[0] < 0x21 || p[0] > 0x7e)
            return not_sip_or_hunt(t, d, n, used);
        if (!line_complete(d, p, n))
            return STEP_WAIT;
        if (sls_sip_detect(p, n) && (!d->midstream || known_start(p, n))) {
            d->state = ST_SIP;
            d->line_ok = 1; /* d->scan is at the LF: step_sip goes on */
            return STEP_GO;
        }
        if (!has_prefix(p, n, "GET ") && !has_prefix(p, n, "HTTP/1."))
            return not_sip_or_hunt(t, d, n, used);
        d->line_ok = 1;
    }
    size_t end = 0, lim = min_size(n, HTTP_HEAD_MAX);
    if (!find_head_end(p, n, lim, &d->scan, &end)) {
        if (n < HTTP_HEAD_MAX)
            return STEP_WAIT;
        msg_reset(d);
        return not_sip_or_hunt(t, d, n, used);
    }
    msg_reset(d);
    if (p[0] == 'G')
        return http_request(t, d, p, n, end, used);
    return http_response(t, d, p, n, end, used);
}

/* Frames what it can of p[0..n), the bytes at the front of d's stream.
 * Returns how many are consumed; the rest must be presented again, with
 * more after them. Never touches d's buffer allocation. */
static size_t consume(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                      const sls_packet *pkt)
{
    size_t i = 0;
    while (i < n) {
        if (d->skip > 0) {
            size_t k = d->skip < n - i ? (size_t)d->skip : n - i;
            d->skip -= k;
            i += k;
            continue;
        }
        size_t used = 0;
        int go;
        switch (d->state) {
        case ST_UNKNOWN:
            go = step_classify(t, d, p + i, n - i, &used);
            break;
        case ST_SIP:
            go = d->resync ? step_resync(t, d, p + i, n - i, &used)
                           : step_sip(t, d, p + i, n - i, pkt, &used);
            break;
        case ST_WEBSOCKET:
            go = step_ws(t, d, p + i, n - i, pkt, &used);
            break;
        case ST_WS_HANDSHAKE:
            return i; /* kept until the reply switches us to frames */
        default:
            return n;
        }
        i += used;
        if (go == STEP_WAIT)
            break;
    }
    return i;
}

/* ------------------------------------------------------------ stream bytes */

/* The buffer cannot take n more bytes (p[0..n), not yet in it): what is
 * buffered is lost, counted by the ceiling. */
static void overflow(sls_tcp_table *t, tcp_dir *d, int ctr, const uint8_t *p,
                     size_t n, const sls_packet *pkt)
{
    count(t, (enum sls_counter)ctr);
    buf_clear(t, d);
    if (d->state != ST_SIP) {
        ws_msg_clear(t, d);
        d->state = ST_LOST;
        return;
    }
    enter_resync(d, LINE_MID);
    size_t c = consume(t, d, p, n, pkt);
    if (c < n && buffering(d->state)) {
        if (buf_room(t, d, n - c) == 0) {
            memcpy(d->buf + d->head, p + c, n - c);
            d->len = n - c;
        } else {
            enter_resync(d, LINE_MID); /* not even a line fits: skip it too */
        }
    }
}

/* The next n bytes of the stream, in order. */
static void feed(sls_tcp_table *t, tcp_dir *d, const uint8_t *p, size_t n,
                 const sls_packet *pkt)
{
    d->next_seq += (uint32_t)n;
    if (!buffering(d->state) || n == 0)
        return;
    if (d->len == 0) {
        /* Nothing pending: frame in place, keep only the unfinished tail. */
        size_t c = consume(t, d, p, n, pkt);
        if (c == n || !buffering(d->state))
            return;
        int lim = buf_room(t, d, n - c);
        if (lim != 0) {
            overflow(t, d, lim, p + c, n - c, pkt);
            return;
        }
        memcpy(d->buf + d->head, p + c, n - c);
        d->len = n - c;
        return;
    }
    int lim = buf_room(t, d, n);
    if (lim != 0) {
        overflow(t, d, lim, p, n, pkt);
        return;
    }
    memcpy(d->buf + d->head + d->len, p, n);
    d->len += n;
    size_t c = consume(t, d, d->buf + d->head, d->len, pkt);
    d->head += c;
    d->len -= c;
    if (d->len == 0 || !buffering(d->state))
        buf_clear(t, d);
}

/* 1 when d holds part of a message that a hole or a close cuts off. */
static int has_partial(const tcp_dir *d)
{
    switch (d->state) {
    case ST_SIP:
        return !d->resync && d->len > 0;
    case ST_UNKNOWN:
    case ST_WS_HANDSHAKE:
        return d->len > 0;
    case ST_WEBSOCKET:
        return d->len > 0 || (d->ws_in_msg && !d->ws_discard);
    default:
        return 0;
    }
}

/* `gap` bytes of the stream were never captured (RFC 9293 3.4: the hole
 * between next_seq and data further on). */
static void lose_bytes(sls_tcp_table *t, tcp_dir *d, uint64_t gap)
{
    if (!buffering(d->state))
        return;
    if (d->skip >= gap && d->skip > 0) {
        d->skip -= gap; /* the hole is inside a message being dropped */
        return;
    }
    d->skip = 0;
    if (has_partial(d))
        count(t, SLS_CTR_TCP_GAP_MESSAGE_CUT);
    buf_clear(t, d);
    msg_reset(d);
    switch (d->state) {
    case ST_UNKNOWN:
        d->midstream = 1; /* classify what follows the hole afresh */
        break;
    case ST_SIP:
        enter_resync(d, LINE_HOLE);
        break;
    default: /* WebSocket frame boundaries cannot be found again */
        ws_msg_clear(t, d);
        d->state = ST_LOST;
        break;
    }
}

/* Feeds the held segments that have become contiguous. */
static void drain(sls_tcp_table *t, tcp_dir *d, const sls_packet *pkt)
{
    while (d->ooo != NULL && buffering(d->state)) {
        ooo_seg *s = d->ooo;
        int32_t off = (int32_t)(s->seq - d->next_seq);
        if (off > 0)
            break;
        d->ooo = s->next;
        d->nooo--;
        d->ooo_bytes -= s->len;
        uint32_t old = (uint32_t)(-(int64_t)off);
        if (old < s->len)
            feed(t, d, s->data + old, s->len - old, pkt);
        t->buffered -= sizeof(*s) + s->len;
        free(s);
    }
    if (!buffering(d->state))
        ooo_clear(t, d);
    update_wait(t, d);
}

/* Gives up on the hole before the first held segment. */
static void skip_gap(sls_tcp_table *t, tcp_dir *d, const sls_packet *pkt)
{
    count(t, SLS_CTR_TCP_GAP);
    lose_bytes(t, d, d->ooo->seq - d->next_seq);
    d->next_seq = d->ooo->seq;
    drain(t, d, pkt);
}

static void skip_all_gaps(sls_tcp_table *t, tcp_dir *d, const sls_packet *pkt)
{
    while (d->ooo != NULL)
        skip_gap(t, d, pkt);
}

enum { HOLD_OK, HOLD_LIMIT };

static ooo_seg *seg_new(sls_tcp_table *t, uint32_t seq, const uint8_t *p,
                        size_t n, int64_t now)
{
    if (!mem_fits(t, sizeof(ooo_seg) + n))
        return NULL;
    ooo_seg *s = malloc(sizeof(*s) + n);
    if (s == NULL)
        return NULL;
    mem_add(t, sizeof(*s) + n);
    s->next = NULL;
    s->seq = seq;
    s->len = (uint32_t)n;
    s->arrived_ns = now;
    memcpy(s->data, p, n);
    return s;
}

/* Keeps a copy of the segment seq..seq+n, which lies after a hole. Bytes
 * already held are not stored twice: the first copy is kept, and a copy
 * that differs is counted (RFC 9293 3.10.7.4 leaves overlaps to the
 * implementation; keeping the first is what most reassemblers do). */
static int hold(sls_tcp_table *t, tcp_dir *d, uint32_t seq, const uint8_t *p,
                size_t n, int64_t now, int *conflict)
{
    /* Offsets from next_seq: every held byte lies within 2^31 after it. */
    uint64_t a = (uint32_t)(seq - d->next_seq), b = a + n;
    const uint64_t base = a;
    ooo_seg **link = &d->ooo;
    while (a < b) {
        ooo_seg *cur = *link;
        uint64_t cs = 0, ce = 0;
        if (cur != NULL) {
            cs = (uint32_t)(cur->seq - d->next_seq);
            ce = cs + cur->len;
        }
        if (cur != NULL && ce <= a) {
            link = &cur->next;
            continue;
        }
        if (cur == NULL || a < cs) {
            uint64_t e = cur == NULL || b <= cs ? b : cs;
            size_t len = (size_t)(e - a);
            if (d->nooo >= t->cfg.max_ooo_segments ||
                len > t->cfg.max_stream_bytes ||
                d->ooo_bytes > t->cfg.max_stream_bytes - len)
                return HOLD_LIMIT;
            ooo_seg *s = seg_new(t, d->next_seq + (uint32_t)a, p + (a - base), len, now);
            if (s == NULL) {
                count(t, SLS_CTR_TCP_TOTAL_LIMIT); /* dropped: a hole later */
                return HOLD_OK;
            }
            s->next = cur;
            *link = s;
            link = &s->next;
            d->nooo++;
            d->ooo_bytes += len;
            a = e;
            continue;
        }
        uint64_t oe = b < ce ? b : ce;
        if (!*conflict && memcmp(p + (a - base), cur->data + (a - cs), (size_t)(oe - a)) != 0) {
            count(t, SLS_CTR_TCP_OVERLAP_CONFLICT);
            *conflict = 1;
        }
        a = oe;
        link = &cur->next;
    }
    return HOLD_OK;
}

/* A segment's bytes, seq..seq+n, in whatever order they come. */
static void add_data(sls_tcp_table *t, tcp_dir *d, uint32_t seq, const uint8_t *p,
                     size_t n, const sls_packet *pkt)
{
    int conflict = 0;
    while (n > 0 && buffering(d->state)) {
        int32_t off = (int32_t)(seq - d->next_seq);
        if (off < 0) {
            /* RFC 9293 3.4: modular comparison. Bytes before next_seq were
             * seen already (a retransmission): only what follows is new. */
            uint32_t old = (uint32_t)(-(int64_t)off);
            if (old >= n)
                return;
            p += old;
            n -= old;
            seq += old;
            continue;
        }
        if (off == 0) {
            ooo_seg *s = d->ooo;
            if (s == NULL || (uint32_t)(s->seq - seq) >= n) {
                feed(t, d, p, n, pkt);
                if (s != NULL)
                    drain(t, d, pkt);
                return;
            }
            /* It fills the hole up to a held segment and overlaps it: feed
             * up to it, then the held copy (the first one) for the overlap. */
            size_t upto = (uint32_t)(s->seq - seq);
            feed(t, d, p, upto, pkt);
            p += upto;
            n -= upto;
            seq += (uint32_t)upto;
            size_t ov = min_size(n, s->len);
            if (!conflict && memcmp(p, s->data, ov) != 0) {
                count(t, SLS_CTR_TCP_OVERLAP_CONFLICT);
                conflict = 1;
            }
            drain(t, d, pkt);
            continue;
        }
        if (d->skip >= (uint32_t)off) {
            /* The hole lies inside a message being dropped by its length:
             * nothing in it would be used, so it is not waited for (and a
             * late copy of it will be old). */
            d->skip -= (uint32_t)off;
            d->next_seq = seq;
            continue;
        }
        if (hold(t, d, seq, p, n, pkt->ts_ns, &conflict) == HOLD_OK) {
            update_wait(t, d);
            return;
        }
        /* Too much held: give up on the first hole and retry. */
        count(t, SLS_CTR_TCP_OOO_LIMIT);
        if (d->ooo != NULL) {
            skip_gap(t, d, pkt);
        } else {
            count(t, SLS_CTR_TCP_GAP);
            lose_bytes(t, d, (uint32_t)off);
            d->next_seq = seq;
        }
    }
}

/* ------------------------------------------------------------ directions */

static uint64_t hash_key(const sls_tcp_table *t, const uint8_t *k)
{
    /* FNV-1a, seeded per table so that crafted captures cannot aim at one
     * chain (the hash never shows in any output). */
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ t->seed;
    for (size_t i = 0; i < KEY_LEN; i++) {
        h ^= k[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h ^ (h >> 29);
}

static void make_key(uint8_t *k, const sls_addr *src, uint16_t sport,
                     const sls_addr *dst, uint16_t dport)
{
    k[0] = src->family;
    memcpy(k + 1, src->bytes, 16);
    k[17] = dst->family;
    memcpy(k + 18, dst->bytes, 16);
    k[34] = (uint8_t)(sport >> 8);
    k[35] = (uint8_t)sport;
    k[36] = (uint8_t)(dport >> 8);
    k[37] = (uint8_t)dport;
}

static tcp_dir *find(sls_tcp_table *t, const uint8_t *k, uint64_t h)
{
    for (tcp_dir *d = t->buckets[h & (t->nbuckets - 1)]; d != NULL; d = d->hnext)
        if (d->hash == h && memcmp(d->key, k, KEY_LEN) == 0)
            return d;
    return NULL;
}

static tcp_dir *find_reverse(sls_tcp_table *t, const tcp_dir *d)
{
    uint8_t k[KEY_LEN];
    memcpy(k, d->key + 17, 17);
    memcpy(k + 17, d->key, 17);
    memcpy(k + 34, d->key + 36, 2);
    memcpy(k + 36, d->key + 34, 2);
    return find(t, k, hash_key(t, k));
}

static void hash_grow(sls_tcp_table *t)
{
    size_t nb = t->nbuckets * 2;
    tcp_dir **b = calloc(nb, sizeof(*b));
    if (b == NULL)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < t->nbuckets; i++) {
        tcp_dir *d = t->buckets[i];
        while (d != NULL) {
            tcp_dir *next = d->hnext;
            size_t j = d->hash & (nb - 1);
            d->hnext = b[j];
            b[j] = d;
            d = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
}

/* Frees d's data and unlinks it everywhere. */
static void dir_remove(sls_tcp_table *t, tcp_dir *d)
{
    buf_clear(t, d);
    ooo_clear(t, d);
    ws_msg_clear(t, d);
    if (d->in_wait)
        list_remove(&t->waiting, d, 1);
    list_remove(lru_of(t, d), d, 0);
    tcp_dir **pp = &t->buckets[d->hash & (t->nbuckets - 1)];
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    t->ndirs--;
    free(d);
}

/* The direction ends: what is still buffered is an unfinished message
 * (complete ones were delivered as soon as they were complete). */
static void end_stream(sls_tcp_table *t, tcp_dir *d)
{
    if (d->len > 0) {
        const uint8_t *p = d->buf + d->head;
        switch (d->state) {
        case ST_SIP:
            if (!d->resync || sls_sip_detect(p, d->len))
                count(t, SLS_CTR_TCP_ABANDONED);
            break;
        case ST_UNKNOWN:
            /* Its first line never completed: an unfinished message, unless
             * it was an HTTP head (a WebSocket handshake or plain HTTP). */
            if (has_prefix(p, d->len, "GET ") || has_prefix(p, d->len, "HTTP/"))
                count(t, SLS_CTR_TCP_NOT_SIP);
            else
                count(t, SLS_CTR_TCP_ABANDONED);
            break;
        case ST_WS_HANDSHAKE:
        case ST_WEBSOCKET:
            count(t, SLS_CTR_TCP_ABANDONED);
            break;
        default:
            break;
        }
    } else if (d->state == ST_WEBSOCKET && d->ws_in_msg && !d->ws_discard) {
        count(t, SLS_CTR_TCP_ABANDONED);
    }
    buf_clear(t, d);
    ooo_clear(t, d);
    ws_msg_clear(t, d);
    update_wait(t, d);
}

/* Resets d for a new connection on the same addresses and ports. */
static void dir_restart(sls_tcp_table *t, tcp_dir *d)
{
    end_stream(t, d);
    if (d->state == ST_CLOSED) {
        list_remove(&t->closed, d, 0);
        list_push(&t->live, d, 0);
    }
    d->state = ST_UNKNOWN;
    d->have_seq = d->syn_seen = d->midstream = 0;
    d->resync = d->line_start = d->hunting = 0;
    d->skip = 0;
    d->hunted = 0;
    msg_reset(d);
}

/* Ends d: held data past holes is framed, leftovers counted. FIN and RST
 * leave a tombstone; the other reasons free d. */
static void close_dir(sls_tcp_table *t, tcp_dir *d, const sls_packet *pkt,
                      enum close_why why)
{
    if (d->state != ST_CLOSED) {
        skip_all_gaps(t, d, pkt);
        end_stream(t, d);
        if (why == WHY_IDLE)
            count(t, SLS_CTR_TCP_IDLE_EVICTED);
        else if (why == WHY_EVICT)
            count(t, SLS_CTR_TCP_STREAM_LIMIT);
    }
    if (why == WHY_FIN || why == WHY_RST) {
        if (d->state != ST_CLOSED) {
            list_remove(&t->live, d, 0);
            d->state = ST_CLOSED;
            list_push(&t->closed, d, 0);
        }
        return;
    }
    dir_remove(t, d);
}

static tcp_dir *dir_new(sls_tcp_table *t, const uint8_t *k, uint64_t h)
{
    if (t->ndirs >= t->cfg.max_streams) {
        if (t->closed.head != NULL)
            dir_remove(t, t->closed.head); /* finished: nothing lost */
        else if (t->live.head != NULL)
            close_dir(t, t->live.head, &t->live.head->tmpl, WHY_EVICT);
    }
    tcp_dir *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        count(t, SLS_CTR_TCP_STREAM_LIMIT);
        return NULL;
    }
    memcpy(d->key, k, KEY_LEN);
    d->hash = h;
    d->state = ST_UNKNOWN;
    size_t b = h & (t->nbuckets - 1);
    d->hnext = t->buckets[b];
    t->buckets[b] = d;
    t->ndirs++;
    list_push(&t->live, d, 0);
    if (t->ndirs > t->nbuckets && t->nbuckets < t->max_buckets)
        hash_grow(t);
    return d;
}

/* Capture time has passed: holes waited for too long are skipped. */
static void gap_timeout(sls_tcp_table *t, tcp_dir *d, int64_t now,
                        const sls_packet *pkt)
{
    while (d->ooo != NULL && d->in_wait && older_than(now, d->wait_since, GAP_WAIT_NS))
        skip_gap(t, d, pkt);
}

/* RST (RFC 9293 3.5.3) aborts the connection. Data on it is a diagnostic,
 * not stream bytes. */
static void abort_dir(sls_tcp_table *t, tcp_dir *d, const sls_packet *pkt)
{
    if (d->state == ST_CLOSED)
        return;
    close_dir(t, d, pkt, WHY_RST);
}

/* FIN at fin_seq: nothing follows it. Held data is framed past its holes,
 * and bytes missing right before the FIN are a hole too. */
static void fin_dir(sls_tcp_table *t, tcp_dir *d, uint32_t fin_seq,
                    const sls_packet *pkt)
{
    if (d->state == ST_CLOSED)
        return;
    if (buffering(d->state) && d->have_seq) {
        skip_all_gaps(t, d, pkt);
        int32_t missing = (int32_t)(fin_seq - d->next_seq);
        if (missing > 0 && buffering(d->state)) {
            count(t, SLS_CTR_TCP_GAP);
            lose_bytes(t, d, (uint32_t)missing);
        }
    }
    d->next_seq = fin_seq + 1; /* RFC 9293 3.4: FIN takes one number */
    d->have_seq = 1;
    close_dir(t, d, pkt, WHY_FIN);
}

/* ------------------------------------------------------------ public API */

void sls_tcp_config_default(sls_tcp_config *cfg)
{
    cfg->max_stream_bytes = 256u * 1024u + SLS_SIPFRAME_MAX_BODY_BYTES;
    cfg->max_total_bytes = (size_t)32u << 20; /* with the tables: RSS under 100 MB */
    cfg->max_streams = 65536;
    cfg->max_ooo_segments = 64;
    cfg->idle_ns = 300 * NS_PER_S;
}

sls_tcp_table *sls_tcp_table_new(const sls_tcp_config *cfg, sls_counters *counters,
                                 sls_stream_msg_fn fn, void *user)
{
    if (counters == NULL)
        return NULL;
    sls_tcp_table *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    if (cfg != NULL)
        t->cfg = *cfg;
    else
        sls_tcp_config_default(&t->cfg);
    /* Degenerate ceilings would stop progress: one of each at least. */
    if (t->cfg.max_streams == 0)
        t->cfg.max_streams = 1;
    if (t->cfg.max_ooo_segments == 0)
        t->cfg.max_ooo_segments = 1;
    if (t->cfg.max_stream_bytes == 0)
        t->cfg.max_stream_bytes = 1;
    if (t->cfg.idle_ns <= 0)
        t->cfg.idle_ns = 1;
    size_t ws_max = (size_t)SLS_SIPFRAME_MAX_HEADER_BYTES + SLS_SIPFRAME_MAX_BODY_BYTES;
    t->ws_limit = t->cfg.max_stream_bytes < ws_max ? t->cfg.max_stream_bytes : ws_max;
    t->ctr = counters;
    t->fn = fn;
    t->user = user;
    t->seed = (uint64_t)(uintptr_t)t * UINT64_C(0x9e3779b97f4a7c15);
    t->max_buckets = HASH_MIN_BUCKETS;
    while (t->max_buckets < t->cfg.max_streams && t->max_buckets <= SIZE_MAX / 4)
        t->max_buckets *= 2;
    t->nbuckets = HASH_MIN_BUCKETS;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    t->frame = malloc(sizeof(*t->frame));
    if (t->buckets == NULL || t->frame == NULL) {
        sls_tcp_table_free(t);
        return NULL;
    }
    return t;
}

void sls_tcp_table_free(sls_tcp_table *t)
{
    if (t == NULL)
        return;
    if (t->buckets != NULL) {
        for (size_t i = 0; i < t->nbuckets; i++) {
            tcp_dir *d = t->buckets[i];
            while (d != NULL) {
                tcp_dir *next = d->hnext;
                ooo_clear(t, d);
                free(d->buf);
                free(d->wsmsg);
                free(d);
                d = next;
            }
        }
    }
    pool_drain(t);
    free(t->scratch);
    free(t->buckets);
    free(t->frame);
    free(t);
}

void sls_tcp_segment(sls_tcp_table *t, const sls_packet *pkt)
{
    if (t == NULL || pkt == NULL || pkt->transport != SLS_TRANSPORT_TCP)
        return;
    const uint8_t *p = pkt->payload;
    size_t n = p != NULL ? pkt->payload_len : 0;
    if (n > MAX_SEGMENT) {
        /* No IP packet is this large; sequence offsets assume < 2^31. */
        count(t, SLS_CTR_TCP_BUFFER_LIMIT);
        n = 0;
    }
    uint8_t fl = pkt->tcp_flags;
    uint8_t k[KEY_LEN];
    make_key(k, &pkt->src, pkt->sport, &pkt->dst, pkt->dport);
    uint64_t h = hash_key(t, k);
    tcp_dir *d = find(t, k, h);

    if (fl & SLS_TCP_RST) {
        /* The connection is gone both ways. */
        if (d != NULL)
            abort_dir(t, d, pkt);
        uint8_t rk[KEY_LEN];
        make_key(rk, &pkt->dst, pkt->dport, &pkt->src, pkt->sport);
        tcp_dir *rev = find(t, rk, hash_key(t, rk));
        if (rev != NULL)
            abort_dir(t, rev, &rev->tmpl);
        return;
    }
    if (d == NULL) {
        if (n == 0 && !(fl & SLS_TCP_SYN))
            return; /* FIN of a connection we never saw data of */
        d = dir_new(t, k, h);
        if (d == NULL)
            return;
    }
    list_remove(lru_of(t, d), d, 0);
    list_push(lru_of(t, d), d, 0);
    d->tmpl = *pkt;
    d->tmpl.payload = NULL;
    d->tmpl.payload_len = 0;
    d->last_ns = pkt->ts_ns;

    uint32_t seq = pkt->tcp_seq;
    if (fl & SLS_TCP_SYN) {
        int same = d->syn_seen ? seq == d->isn
                               : d->have_seq && (int32_t)(seq + 1 - d->next_seq) <= 0 &&
                                     d->next_seq - (seq + 1) < RETRANS_WINDOW;
        if (d->state == ST_CLOSED || (d->have_seq && !same))
            dir_restart(t, d);
        if (!d->have_seq) {
            d->isn = seq;
            d->next_seq = seq + 1;
            d->have_seq = d->syn_seen = 1;
        }
        seq += 1; /* RFC 9293 3.4: SYN takes one sequence number */
    } else if (d->state == ST_CLOSED) {
        if (n == 0)
            return;
        uint32_t before = d->next_seq - seq;
        if (before > 0 && before <= RETRANS_WINDOW)
            return; /* retransmitted after the close */
        dir_restart(t, d); /* a new connection whose SYN was not captured */
    }
    if (n > 0 && buffering(d->state)) {
        if (!d->have_seq) {
            d->next_seq = seq;
            d->have_seq = 1;
            d->midstream = 1;
        }
        add_data(t, d, seq, p, n, pkt);
    } else if (n > 0 && d->have_seq && (int32_t)(seq + (uint32_t)n - d->next_seq) > 0) {
        /* Ignored bytes: only the position is kept, for the tombstone. */
        d->next_seq = seq + (uint32_t)n;
    }
    if (d->ooo != NULL)
        gap_timeout(t, d, pkt->ts_ns, pkt);
    if (fl & SLS_TCP_FIN)
        fin_dir(t, d, seq + (uint32_t)n, pkt);
}

static void tcp_age(sls_tcp_table *t, int64_t now_ns);

/* Called for every captured frame, most of them not TCP: with nothing
 * open, nothing can age, and the test is all it costs (the work is out of
 * line, so this part needs no stack frame). */
void sls_tcp_advance(sls_tcp_table *t, int64_t now_ns)
{
    if (t == NULL || (t->waiting.head == NULL && t->live.head == NULL &&
                      t->closed.head == NULL))
        return;
    tcp_age(t, now_ns);
}

static __attribute__((noinline)) void tcp_age(sls_tcp_table *t, int64_t now_ns)
{
    while (t->waiting.head != NULL &&
           older_than(now_ns, t->waiting.head->wait_since, GAP_WAIT_NS)) {
        tcp_dir *d = t->waiting.head;
        gap_timeout(t, d, now_ns, &d->tmpl);
        if (t->waiting.head == d)
            break; /* defensive: gap_timeout always moves or removes d */
    }
    int64_t idle = t->cfg.idle_ns;
    int64_t linger = idle < TOMBSTONE_NS ? idle : TOMBSTONE_NS;
    while (t->live.head != NULL && older_than(now_ns, t->live.head->last_ns, idle))
        close_dir(t, t->live.head, &t->live.head->tmpl, WHY_IDLE);
    while (t->closed.head != NULL && older_than(now_ns, t->closed.head->last_ns, linger))
        dir_remove(t, t->closed.head);
}

void sls_tcp_flush(sls_tcp_table *t)
{
    if (t == NULL)
        return;
    while (t->live.head != NULL)
        close_dir(t, t->live.head, &t->live.head->tmpl, WHY_FLUSH);
    while (t->closed.head != NULL)
        dir_remove(t, t->closed.head);
    pool_drain(t);
    free(t->scratch);
    t->buffered -= t->scratch_cap;
    t->scratch = NULL;
    t->scratch_cap = 0;
}

size_t sls_tcp_buffered(const sls_tcp_table *t)
{
    return t != NULL ? t->buffered : 0;
}

size_t sls_tcp_peak_buffered(const sls_tcp_table *t)
{
    return t != NULL ? t->peak : 0;
}
