/* The pipeline glue: every stage is called from here, in order.
 *
 * Two halves. Stage A reads, decodes, reassembles and frames: everything
 * up to a framed SIP message. Stage B validates each message with libosip2
 * and feeds the transaction, call and summary tables. sls_analyzer_run()
 * runs stage A on a second thread and hands its output to stage B (the
 * caller's thread) through a bounded chunk queue (chunkq.h): each half
 * costs about half of the time, measured (README, design notes). Called
 * directly (sls_analyzer_frame, sls_analyzer_payload), both halves run in
 * the caller's thread, one after the other, with the same results.
 *
 * What crosses the queue, in order, as records:
 *   MSG   a framed message: its packet, its frame (index of the header
 *         lines) and its bytes, copied (the buffers stage A reads are
 *         reused at once). A datagram is copied first and framed in the
 *         queue, so its frame needs no fixing up on either side;
 *   MARK  a captured frame that carried no message.
 * Each record can say that a captured frame starts before it (BEGIN: the
 * packet and byte counts) and that it ends after it (END: the tables age
 * to its time), so a frame with one message is one record.
 * Each half owns its own tables; stage A counts in its own counters, which
 * sls_analyzer_finish() adds to the summary's. */
#include "sipsleuth/analyzer.h"

#include "sipsleuth/decode.h"
#include "sipsleuth/error.h"
#include "sipsleuth/sipframe.h"
#include "sipsleuth/sipmsg.h"
#include "sipsleuth/tcpstream.h"

#include "chunkq.h"
#include "util.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The queue between the halves: 8 chunks of 128 KiB, ~100 messages each
 * (a bigger record gets a chunk of its own size). Small enough that what
 * stage A writes is still in a cache when stage B reads it: on the 240k-call
 * benchmark capture, 8 x 1 MiB took 0.79 s, 8 x 128 KiB 0.71 s (README). */
#define PIPE_SLOTS 8
#define PIPE_CHUNK ((size_t)128 << 10)
/* Stage A publishes a partly filled chunk when stage B has nothing left,
 * checked every this many frames: a slow pipe still flows. */
#define PIPE_POLL_EVERY 64u
/* Stage B asks for the records this far ahead of the one it reads (about
 * two messages): they were written on the other core. */
#define PREFETCH_AHEAD 2048
#define PREFETCH_BYTES 1024

/* What the two halves write must not share a cache line (each write would
 * take the line from the other core): padding of a line on either side of
 * stage A's state, here and in struct sls_analyzer. perf showed the loads
 * next to these fields as stage A's hottest before they were set apart. */
#define LINE 64

struct pipe {
    char pad_before[LINE];
    sls__chunkq *q;
    sls_input *in;
    sls__chunk *c; /* stage A: the chunk being filled, NULL before */
    int closed;    /* stage A: the stream is closed, or B stopped */
    unsigned frames;
    /* The captured frame being decoded: its BEGIN is still to be written
     * (begin), and the record written last for it, which can take its END
     * (last, NULL when another was reserved since). */
    int64_t ts;
    uint32_t caplen;
    int begin;
    struct rec *last;
    char pad_after[LINE];
};

struct sls_analyzer {
    /* Set up before a run, then only read. */
    sls_config cfg;
    sls_summary *summary;
    sls_decoder *decoder;
    sls_sipparser *parser;
    sls_txn_table *txns;
    sls_call_table *calls;
    sls_tcp_table *tcp;
    sls_call_done_fn on_call;
    void *on_call_user;
    sls_message_fn on_message;
    void *on_message_user;
    sls_sipframe *frame; /* stage A's scratch, large: one per analyzer */
    sls_txn_done_fn on_txn;
    void *on_txn_user;
    struct pipe *pipe;    /* while sls_analyzer_run runs stage A apart */
    sls_progress_fn on_progress;
    void *on_progress_user;
    char pad_a[LINE];
    /* Written by stage A. */
    uint64_t frame_no;
    sls_counters acount; /* stage A's counts, see sls_analyzer_finish */
    char pad_b[LINE];
    /* Written by stage B. */
    int error; /* first SLS_ENOMEM seen in a sink */
};

void sls_config_default(sls_config *cfg)
{
    sls_txn_config_default(&cfg->txn);
    sls_call_config_default(&cfg->calls);
    cfg->window_ns = 60 * SLS_NS_PER_S;
}

static void txn_done(void *user, const sls_txn *t)
{
    sls_analyzer *a = user;
    sls_summary_txn_done(a->summary, t);
    if (a->on_txn != NULL)
        a->on_txn(a->on_txn_user, t);
}

static void call_done(void *user, const sls_call *c)
{
    sls_analyzer *a = user;
    sls_summary_call_done(a->summary, c);
    if (a->on_call != NULL)
        a->on_call(a->on_call_user, c);
}

static void emit_message(sls_analyzer *a, const sls_sipframe *f, const sls_packet *pkt);

/* A message framed from a TCP stream (or a WebSocket message in one). */
static void stream_message(void *user, const sls_sipframe *f, const sls_packet *pkt)
{
    emit_message(user, f, pkt);
}

static void packet_sink(void *user, const sls_packet *pkt)
{
    sls_analyzer_payload(user, pkt);
}

sls_analyzer *sls_analyzer_new(const sls_config *cfg)
{
    sls_analyzer *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    if (cfg != NULL)
        a->cfg = *cfg;
    else
        sls_config_default(&a->cfg);
    a->summary = sls_summary_new(a->cfg.window_ns);
    if (a->summary == NULL) {
        free(a);
        return NULL;
    }
    sls_counters *ctr = &a->acount; /* stage A's, see the top */
    a->decoder = sls_decoder_new(ctr, packet_sink, a);
    a->parser = sls_sipparser_new();
    a->txns = sls_txn_table_new(&a->cfg.txn, ctr, txn_done, a);
    a->calls = sls_call_table_new(&a->cfg.calls, ctr, call_done, a);
    if (a->calls != NULL)
        sls_call_table_detail(a->calls, 0); /* until someone reads calls */
    a->tcp = sls_tcp_table_new(NULL, ctr, stream_message, a);
    a->frame = malloc(sizeof(*a->frame));
    if (a->decoder == NULL || a->parser == NULL || a->txns == NULL ||
        a->calls == NULL || a->tcp == NULL || a->frame == NULL) {
        sls_analyzer_free(a);
        return NULL;
    }
    return a;
}

void sls_analyzer_free(sls_analyzer *a)
{
    if (a == NULL)
        return;
    sls_tcp_table_free(a->tcp);
    sls_call_table_free(a->calls);
    sls_txn_table_free(a->txns);
    sls_sipparser_free(a->parser);
    sls_decoder_free(a->decoder);
    free(a->frame);
    sls_summary_free(a->summary);
    free(a);
}

void sls_analyzer_on_call(sls_analyzer *a, sls_call_done_fn fn, void *user)
{
    a->on_call = fn;
    a->on_call_user = user;
    sls_call_table_detail(a->calls, fn != NULL);
}

void sls_analyzer_on_message(sls_analyzer *a, sls_message_fn fn, void *user)
{
    a->on_message = fn;
    a->on_message_user = user;
}

void sls_analyzer_on_txn(sls_analyzer *a, sls_txn_done_fn fn, void *user)
{
    a->on_txn = fn;
    a->on_txn_user = user;
}

/* One framed message: count it as it appears on the wire, then validate it
 * and hand it to the transaction table. */
static void sip_message(sls_analyzer *a, const sls_sipframe *f,
                        const sls_packet *pkt)
{
    sls_summary *s = a->summary;
    if (f->is_request)
        sls_summary_request(s, f->method.p, f->method.n);
    else
        sls_summary_response(s, f->status);
    for (unsigned i = 0; i < f->nanomalies; i++)
        sls_count(&s->counters, (enum sls_counter)f->anomalies[i]);

    sls_sipmsg m;
    int rc = sls_sipparser_parse(a->parser, f, &m);
    if (rc < 0) {
        sls_count(&s->counters, (enum sls_counter)-rc);
        return;
    }
    const sls_txn *txn;
    int ev = sls_txn_table_message(a->txns, &m, pkt, &txn);
    if (ev < 0) {
        a->error = ev;
        return;
    }
    sls_summary_txn_event(s, &m, ev);
    if ((rc = sls_call_table_message(a->calls, &m, pkt, ev, txn)) < 0)
        a->error = rc;
    if (a->on_message != NULL)
        a->on_message(a->on_message_user, &m, pkt, ev);
}

void sls_analyzer_on_progress(sls_analyzer *a, sls_progress_fn fn, void *user)
{
    a->on_progress = fn;
    a->on_progress_user = user;
}

/* ---------------------------------------------------------- stage B */

/* A captured frame starts. */
static void frame_begin(sls_analyzer *a, int64_t ts, uint32_t caplen)
{
    sls_summary *s = a->summary;
    s->packets++;
    s->bytes += caplen;
    if (s->packets == 1 || ts < s->first_ts_ns)
        s->first_ts_ns = ts;
    if (ts > s->last_ts_ns)
        s->last_ts_ns = ts;
}

/* Capture time moves even when a frame holds no SIP: transactions age by
 * it. */
static void frame_end(sls_analyzer *a, int64_t ts)
{
    sls_txn_table_advance(a->txns, ts);
    sls_call_table_advance(a->calls, ts);
}

/* --------------------------------------------------- the queue (A -> B) */

/* Record flags: a captured frame starts before the record (its packet and
 * byte counts), or ends after it (the tables age to its time). A frame that
 * carries one message crosses as one MSG record with both flags; one that
 * carries none as one MARK record. */
enum rec_type { REC_MARK = 1, REC_MSG };
enum { REC_BEGIN = 1, REC_END = 2 };

struct rec {
    uint16_t type;
    uint16_t flags;
    uint32_t size;   /* of the whole record, header included, 8-aligned */
    int64_t ts_ns;   /* the captured frame's time */
    uint32_t caplen; /* REC_BEGIN */
};

/* A MSG record: struct rec, struct msg_rec, the message bytes (padded to
 * 8), then, at foff, the frame up to its last header entry
 * (SLS_SIPFRAME_USED), which stage B reads where it is. Every slice of
 * that frame and pkt.payload point into the record's copy of the bytes (or
 * at a string literal). */
struct msg_rec {
    sls_packet pkt;
    size_t foff; /* where the frame is, from the start of the record */
    /* Where stage B's tables will look this message up first, computed
     * here (stage A has time to spare) for stage B to prefetch while it
     * handles the record before (look_ahead). Hints only. */
    uint64_t memo_hash; /* its Call-ID's memo slot, HINT_CALL_ID */
    uint32_t call_hash; /* its Call-ID's call index cell, HINT_CALL_ID */
    uint32_t txn_hash;  /* its branch's transaction index cell, HINT_TXN */
    unsigned hints;
};
enum { HINT_CALL_ID = 1, HINT_TXN = 2 };

#define REC_ALIGN(n) (((n) + 7u) & ~(size_t)7u)
#define MSG_HEAD REC_ALIGN(sizeof(struct rec) + sizeof(struct msg_rec))

/* The chunk being filled is full, or there is none: it is handed over and
 * a new one claimed. Out of line: once in ~100 records. */
static __attribute__((noinline)) void *pipe_reserve_chunk(struct pipe *p, size_t size)
{
    if (p->c != NULL) {
        sls_input_progress(p->in, &p->c->done, &p->c->total);
        int stopped = sls__chunkq_publish(p->q);
        p->c = NULL;
        if (stopped) {
            p->closed = 1;
            return NULL;
        }
    }
    if ((p->c = sls__chunkq_claim(p->q, size)) == NULL) {
        p->closed = 1;
        return NULL;
    }
    if (p->c->cap == 0) {
        p->c->end = 1;
        p->c->rc = SLS_ENOMEM;
        sls__chunkq_publish(p->q);
        p->c = NULL;
        p->closed = 1;
        return NULL;
    }
    p->c->used = size;
    return p->c->buf;
}

/* Room for a record of `size` bytes in the chunk being filled: the chunk
 * is handed over when full and a new one claimed. NULL when the stream
 * closed (stage B stopped, or memory ran out: then B is told so). */
static inline void *pipe_reserve(struct pipe *p, size_t size)
{
    p->last = NULL;
    if (p->closed)
        return NULL;
    sls__chunk *c = p->c;
    if (c != NULL && c->cap - c->used >= size) {
        void *at = c->buf + c->used;
        c->used += size;
        return at;
    }
    return pipe_reserve_chunk(p, size);
}

/* The last reservation, at `at`, keeps only its first `size` bytes. */
static void pipe_trim(struct pipe *p, unsigned char *at, size_t size)
{
    p->c->used = (size_t)(at - p->c->buf) + size;
}

/* Ends the stream with rc after what was written. */
static void pipe_close(struct pipe *p, int rc)
{
    if (p->closed)
        return;
    if (p->c == NULL && (p->c = sls__chunkq_claim(p->q, 0)) == NULL)
        return; /* B stopped: nobody reads */
    p->c->end = 1;
    p->c->rc = rc;
    sls_input_progress(p->in, &p->c->done, &p->c->total);
    sls__chunkq_publish(p->q);
    p->c = NULL;
    p->closed = 1;
}

/* A captured frame starts: its BEGIN rides on the next record. */
static void emit_begin(sls_analyzer *a, struct pipe *p, int64_t ts, uint32_t caplen)
{
    if (p == NULL) {
        frame_begin(a, ts, caplen);
        return;
    }
    p->ts = ts;
    p->caplen = caplen;
    p->begin = 1;
    p->last = NULL;
}

/* The frame is done: the END flag goes on its last record when that is
 * still the last one written, else on a MARK record of its own. */
static void emit_end(sls_analyzer *a, struct pipe *p, int64_t ts)
{
    if (p == NULL) {
        frame_end(a, ts);
        return;
    }
    if (p->last != NULL) {
        p->last->flags |= REC_END;
        p->last = NULL;
        return;
    }
    struct rec *r = pipe_reserve(p, REC_ALIGN(sizeof(*r)));
    if (r == NULL)
        return;
    r->type = REC_MARK;
    r->flags = REC_END | (p->begin ? REC_BEGIN : 0);
    r->size = (uint32_t)REC_ALIGN(sizeof(*r));
    r->ts_ns = p->ts;
    r->caplen = p->caplen;
    p->begin = 0;
}

/* A slice that pointed into the message at `from` now points into its
 * copy at `to`; others (a string literal) stay. Addresses are compared as
 * integers: the old ones are never dereferenced. */
static sls_slice moved(sls_slice s, const char *from, const char *to, size_t len)
{
    uintptr_t off = (uintptr_t)s.p - (uintptr_t)from;
    if (off <= len)
        s.p = to + off;
    return s;
}

/* The branch parameter of a Via value, as far as a quick look can tell
 * (a hint only: the adapter's reading is the one that counts): from
 * ";branch=" (lower case) to the next ';' or ',' or the end, without
 * trailing white space. */
static sls_slice quick_branch(sls_slice v)
{
    const char *end = v.p + v.n;
    for (const char *p = v.p; (p = memchr(p, ';', (size_t)(end - p))) != NULL; p++) {
        if ((size_t)(end - p) > 8 && sls__load64(p) == sls__load64(";branch=")) {
            const char *b = p + 8;
            const char *e = memchr(b, ';', (size_t)(end - b));
            if (e == NULL)
                e = end;
            const char *comma = memchr(b, ',', (size_t)(e - b));
            if (comma != NULL)
                e = comma;
            while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            return (sls_slice){b, (size_t)(e - b)};
        }
    }
    return (sls_slice){"", 0};
}

/* The hints of a message (struct msg_rec). */
static void hint(struct msg_rec *m, const sls_sipframe *f)
{
    m->hints = 0;
    if (f->count[SLS_HDR_CALL_ID] == 1) {
        sls_slice v = f->headers[f->first[SLS_HDR_CALL_ID]].value;
        m->memo_hash = sls_sipparser_call_id_hash(v.p, v.n);
        m->call_hash = sls_call_table_hash(v.p, v.n);
        m->hints |= HINT_CALL_ID;
    }
    if (f->first[SLS_HDR_VIA] >= 0) {
        sls_slice b = quick_branch(f->headers[f->first[SLS_HDR_VIA]].value);
        if (sls_txn_branch_hash(b.p, b.n, &m->txn_hash))
            m->hints |= HINT_TXN;
    }
}

/* Completes the MSG record at `at`, the last one reserved: the message
 * bytes (len) at msg and the frame at foff are in place. */
static void seal_msg(struct pipe *p, unsigned char *at, const sls_packet *pkt, const char *msg,
                     size_t len, size_t foff)
{
    const sls_sipframe *cf = (const sls_sipframe *)(const void *)(at + foff);
    size_t size = foff + SLS_SIPFRAME_USED(cf);
    struct msg_rec *m = (struct msg_rec *)(void *)(at + sizeof(struct rec));
    m->pkt = *pkt;
    m->pkt.payload = (const uint8_t *)msg;
    m->pkt.payload_len = len;
    m->foff = foff;
    hint(m, cf);
    /* Field by field: a struct built on the stack and copied whole stalls
     * (its narrow stores cannot be forwarded to the wide load). */
    struct rec *r = (struct rec *)(void *)at;
    r->type = REC_MSG;
    r->flags = p->begin ? REC_BEGIN : 0;
    r->size = (uint32_t)size;
    r->ts_ns = p->ts;
    r->caplen = p->caplen;
    pipe_trim(p, at, size);
    p->begin = 0;
    p->last = r;
}

/* A framed message leaves stage A. Its bytes run from the start line to
 * the end of the body; every slice of the frame lies in them. */
static void emit_message(sls_analyzer *a, const sls_sipframe *f, const sls_packet *pkt)
{
    if (a->pipe == NULL) {
        sip_message(a, f, pkt);
        return;
    }
    const char *start = f->body.p - f->header_len;
    size_t len = f->header_len + f->body.n;
    size_t foff = MSG_HEAD + REC_ALIGN(len);
    size_t size = foff + SLS_SIPFRAME_USED(f);
    if (size > UINT32_MAX)
        return; /* cannot happen: headers 64 KiB, body 4 MiB at most */
    unsigned char *at = pipe_reserve(a->pipe, size);
    if (at == NULL)
        return;
    char *msg = (char *)at + MSG_HEAD;
    memcpy(msg, start, len);
    /* Framed in a TCP stream's buffer: the frame is copied, and every slice
     * that points into the message moves to the copy. */
    sls_sipframe *cf = (sls_sipframe *)(void *)(at + foff); /* up to headers[nheaders] */
    memcpy(cf, f, SLS_SIPFRAME_USED(f));
    for (size_t i = 0; i < cf->nheaders; i++) {
        cf->headers[i].name = moved(cf->headers[i].name, start, msg, len);
        cf->headers[i].value = moved(cf->headers[i].value, start, msg, len);
    }
    cf->method = moved(cf->method, start, msg, len);
    cf->uri = moved(cf->uri, start, msg, len);
    cf->reason = moved(cf->reason, start, msg, len);
    cf->body = moved(cf->body, start, msg, len);
    seal_msg(a->pipe, at, pkt, msg, len, foff);
}

/* A datagram on the two-thread path: copied into the queue first and
 * framed there, its frame written in the record itself, so that nothing
 * is copied or moved afterwards. */
static void emit_datagram(sls_analyzer *a, const sls_packet *pkt)
{
    size_t foff = MSG_HEAD + REC_ALIGN(pkt->payload_len);
    unsigned char *at = pipe_reserve(a->pipe, foff + sizeof(sls_sipframe));
    if (at == NULL)
        return;
    char *msg = (char *)at + MSG_HEAD;
    memcpy(msg, pkt->payload, pkt->payload_len);
    sls_sipframe *cf = (sls_sipframe *)(void *)(at + foff);
    int rc = sls_sipframe_parse(msg, pkt->payload_len, SLS_FRAME_DATAGRAM, cf);
    if (rc < 0) {
        pipe_trim(a->pipe, at, 0);
        sls_count(&a->acount, (enum sls_counter)-rc);
        return;
    }
    seal_msg(a->pipe, at, pkt, msg, (size_t)rc, foff);
}

/* Stage B's side of a MSG record: the frame is read where it is. */
static void take_message(sls_analyzer *a, const unsigned char *at)
{
    const struct msg_rec *m = (const struct msg_rec *)(const void *)at;
    sip_message(a, (const sls_sipframe *)(const void *)(at - sizeof(struct rec) + m->foff),
                &m->pkt);
}

/* While one message is handled, the table slots the next one will look up
 * first are fetched: they are in no cache on a busy capture. */
static void look_ahead(sls_analyzer *a, const unsigned char *next)
{
    struct rec r;
    memcpy(&r, next, sizeof(r));
    if (r.type != REC_MSG)
        return;
    const struct msg_rec *m = (const struct msg_rec *)(const void *)(next + sizeof(r));
    if (m->hints & HINT_CALL_ID) {
        sls_sipparser_prefetch_hash(a->parser, m->memo_hash);
        sls_call_table_prefetch_hash(a->calls, m->call_hash);
    }
    if (m->hints & HINT_TXN)
        sls_txn_table_prefetch_hash(a->txns, m->txn_hash);
}

/* Stage B: every record of a chunk. */
static void take_chunk(sls_analyzer *a, const sls__chunk *c)
{
    for (size_t pos = 0; pos < c->used && a->error == 0;) {
        struct rec r;
        memcpy(&r, c->buf + pos, sizeof(r));
        /* Written on the other core: ask for what comes next while this
         * record is processed. */
        size_t from = pos + PREFETCH_AHEAD, to = from + PREFETCH_BYTES;
        for (size_t k = from; k < to && k < c->used; k += 64)
            __builtin_prefetch(c->buf + k);
        if (r.flags & REC_BEGIN)
            frame_begin(a, r.ts_ns, r.caplen);
        if (pos + r.size < c->used)
            look_ahead(a, c->buf + pos + r.size);
        if (r.type == REC_MSG)
            take_message(a, c->buf + pos + sizeof(r));
        if (r.flags & REC_END)
            frame_end(a, r.ts_ns);
        pos += r.size;
    }
}

/* ---------------------------------------------------------- stage A */

void sls_analyzer_payload(sls_analyzer *a, const sls_packet *pkt)
{
    if (pkt->transport == SLS_TRANSPORT_TCP && !pkt->whole) {
        /* RFC 3261 18.3: on a stream, messages are framed by
         * Content-Length; the stream stage delivers them in order. */
        sls_tcp_segment(a->tcp, pkt);
        return;
    }
    /* UDP datagrams and SCTP DATA chunks each carry one message. */
    if (!sls_sip_detect(pkt->payload, pkt->payload_len)) {
        sls_count(&a->acount, pkt->transport == SLS_TRANSPORT_SCTP ? SLS_CTR_SCTP_NOT_SIP
                                                                   : SLS_CTR_UDP_NOT_SIP);
        return;
    }
    /* RFC 3261 18.3: one message per datagram; octets after it are
     * ignored (the framer reports them as an anomaly). */
    if (a->pipe != NULL) {
        emit_datagram(a, pkt);
        return;
    }
    int rc = sls_sipframe_parse((const char *)pkt->payload, pkt->payload_len,
                                SLS_FRAME_DATAGRAM, a->frame);
    if (rc < 0) {
        sls_count(&a->acount, (enum sls_counter)-rc);
        return;
    }
    emit_message(a, a->frame, pkt);
}

/* p is a->pipe, read once: it does not change while a frame is decoded. */
static inline void stage_a_frame(sls_analyzer *a, struct pipe *p, const sls_rawpkt *raw)
{
    emit_begin(a, p, raw->ts_ns, raw->caplen);
    sls_decode_frame(a->decoder, raw->linktype, raw->ts_ns, ++a->frame_no,
                     raw->data, raw->caplen);
    sls_tcp_advance(a->tcp, raw->ts_ns); /* returns at once with no stream open */
    emit_end(a, p, raw->ts_ns);
}

int sls_analyzer_frame(sls_analyzer *a, const sls_rawpkt *raw)
{
    stage_a_frame(a, a->pipe, raw);
    return a->error;
}

/* Stage A's thread: the whole input, then the end of the stream. */
static void *stage_a_main(void *arg)
{
    sls_analyzer *a = arg;
    struct pipe *p = a->pipe;
    sls_rawpkt raw;
    int rc;
    while ((rc = sls_input_next(p->in, &raw)) > 0 && !p->closed) {
        stage_a_frame(a, p, &raw);
        /* A slow source (a pipe): hand over what there is when B waits. */
        if (++p->frames % PIPE_POLL_EVERY == 0 && p->c != NULL && !p->closed &&
            sls__chunkq_consumer_idle(p->q)) {
            sls_input_progress(p->in, &p->c->done, &p->c->total);
            p->closed = sls__chunkq_publish(p->q);
            p->c = NULL;
        }
    }
    pipe_close(p, rc < 0 ? rc : 0);
    return NULL;
}

static void report_progress(sls_analyzer *a, sls_input *in)
{
    if (a->on_progress == NULL)
        return;
    uint64_t done, total;
    sls_input_progress(in, &done, &total);
    a->on_progress(a->on_progress_user, done, total);
}

/* Without a second thread: both halves in the caller's, progress reported
 * every 16 384 frames and at the end. */
static int run_inline(sls_analyzer *a, sls_input *in)
{
    sls_rawpkt raw;
    int rc;
    uint64_t n = 0;
    while ((rc = sls_input_next(in, &raw)) > 0) {
        if ((rc = sls_analyzer_frame(a, &raw)) < 0)
            return rc;
        if ((++n & 0x3fff) == 0)
            report_progress(a, in);
    }
    report_progress(a, in);
    return rc < 0 ? rc : 0;
}

int sls_analyzer_run(sls_analyzer *a, sls_input *in)
{
    struct pipe p = {.in = in};
    pthread_t thread;
    if ((p.q = sls__chunkq_new(PIPE_SLOTS, PIPE_CHUNK)) == NULL)
        return SLS_ENOMEM;
    a->pipe = &p;
    /* Stage A's thread starts with every signal blocked: SIGINT, SIGPIPE
     * and the like stay the caller's business, in the caller's thread. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int started = pthread_create(&thread, NULL, stage_a_main, a) == 0;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (!started) {
        /* Resource limits: the same work without the overlap. */
        a->pipe = NULL;
        sls__chunkq_free(p.q);
        return run_inline(a, in);
    }
    int rc = 0;
    for (;;) {
        const sls__chunk *c = sls__chunkq_take(p.q);
        take_chunk(a, c);
        if (a->on_progress != NULL)
            a->on_progress(a->on_progress_user, c->done, c->total);
        if (a->error != 0) {
            rc = a->error;
            break;
        }
        if (c->end) {
            rc = c->rc;
            break;
        }
    }
    sls__chunkq_stop(p.q);
    pthread_join(thread, NULL);
    a->pipe = NULL;
    sls__chunkq_free(p.q);
    return rc;
}

void sls_analyzer_finish(sls_analyzer *a)
{
    sls_decoder_finish(a->decoder); /* fragments that never completed */
    sls_tcp_flush(a->tcp);          /* what the streams still hold comes next */
    sls_txn_table_flush(a->txns, a->summary->last_ts_ns);
    sls_call_table_flush(a->calls, a->summary->last_ts_ns);
    a->summary->txn_peak_open = sls_txn_table_peak(a->txns);
    a->summary->calls_peak_open = sls_call_table_peak(a->calls);
    /* Stage A's counts join the summary's. */
    for (size_t i = 0; i < SLS_CTR_COUNT; i++) {
        a->summary->counters.v[i] += a->acount.v[i];
        a->acount.v[i] = 0;
    }
}

const sls_summary *sls_analyzer_summary(const sls_analyzer *a)
{
    return a->summary;
}
