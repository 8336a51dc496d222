/* The pipeline glue: every stage is called from here, in order. */
#include "sipsleuth/analyzer.h"

#include "sipsleuth/decode.h"
#include "sipsleuth/error.h"
#include "sipsleuth/sipframe.h"
#include "sipsleuth/sipmsg.h"
#include "sipsleuth/tcpstream.h"

#include <stdlib.h>

struct sls_analyzer {
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
    sls_sipframe *frame; /* scratch, large: one per analyzer */
    sls_txn_done_fn on_txn;
    void *on_txn_user;
    uint64_t frame_no;
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

static void sip_message(sls_analyzer *a, const sls_sipframe *f, const sls_packet *pkt);

/* A message framed from a TCP stream (or a WebSocket message in one). */
static void stream_message(void *user, const sls_sipframe *f, const sls_packet *pkt)
{
    sip_message(user, f, pkt);
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
    sls_counters *ctr = &a->summary->counters;
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

void sls_analyzer_payload(sls_analyzer *a, const sls_packet *pkt)
{
    sls_summary *s = a->summary;
    if (pkt->transport == SLS_TRANSPORT_TCP && !pkt->whole) {
        /* RFC 3261 18.3: on a stream, messages are framed by
         * Content-Length; the stream stage delivers them in order. */
        sls_tcp_segment(a->tcp, pkt);
        return;
    }
    /* UDP datagrams and SCTP DATA chunks each carry one message. */
    if (!sls_sip_detect(pkt->payload, pkt->payload_len)) {
        sls_count(&s->counters, pkt->transport == SLS_TRANSPORT_SCTP ? SLS_CTR_SCTP_NOT_SIP
                                                                     : SLS_CTR_UDP_NOT_SIP);
        return;
    }
    /* RFC 3261 18.3: one message per datagram; octets after it are
     * ignored (the framer reports them as an anomaly). */
    int rc = sls_sipframe_parse((const char *)pkt->payload, pkt->payload_len,
                                SLS_FRAME_DATAGRAM, a->frame);
    if (rc < 0) {
        sls_count(&s->counters, (enum sls_counter)-rc);
        return;
    }
    sip_message(a, a->frame, pkt);
}

int sls_analyzer_frame(sls_analyzer *a, const sls_rawpkt *raw)
{
    sls_summary *s = a->summary;
    s->packets++;
    s->bytes += raw->caplen;
    if (s->packets == 1 || raw->ts_ns < s->first_ts_ns)
        s->first_ts_ns = raw->ts_ns;
    if (raw->ts_ns > s->last_ts_ns)
        s->last_ts_ns = raw->ts_ns;
    sls_decode_frame(a->decoder, raw->linktype, raw->ts_ns, ++a->frame_no,
                     raw->data, raw->caplen);
    /* Capture time moves even when a frame holds no SIP: transactions age
     * by it. */
    sls_tcp_advance(a->tcp, raw->ts_ns);
    sls_txn_table_advance(a->txns, raw->ts_ns);
    sls_call_table_advance(a->calls, raw->ts_ns);
    return a->error;
}

int sls_analyzer_run(sls_analyzer *a, sls_input *in)
{
    sls_rawpkt raw;
    int rc;
    while ((rc = sls_input_next(in, &raw)) > 0) {
        if ((rc = sls_analyzer_frame(a, &raw)) < 0)
            return rc;
    }
    return rc < 0 ? rc : 0;
}

void sls_analyzer_finish(sls_analyzer *a)
{
    sls_decoder_finish(a->decoder); /* fragments that never completed */
    sls_tcp_flush(a->tcp);          /* what the streams still hold comes next */
    sls_txn_table_flush(a->txns, a->summary->last_ts_ns);
    sls_call_table_flush(a->calls, a->summary->last_ts_ns);
    a->summary->txn_peak_open = sls_txn_table_peak(a->txns);
    a->summary->calls_peak_open = sls_call_table_peak(a->calls);
}

const sls_summary *sls_analyzer_summary(const sls_analyzer *a)
{
    return a->summary;
}
