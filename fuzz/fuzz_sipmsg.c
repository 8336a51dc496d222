/* The libosip2 adapter and the transaction and call tables.
 *
 * The input is a sequence of SIP messages separated by SEPARATOR (so an RFC
 * 4475 torture message is an input as it is). Each one is copied into an
 * exact-size heap block, framed as a UDP datagram, parsed and validated by
 * the adapter, then accounted by the transaction table and the call table
 * as if captured half a second after the previous one (requests from A to
 * B, responses from B to A). The tables are small (three open entries) so
 * eviction runs too; every retired transaction and call is written to
 * /dev/null by the listing code. The adapter's promises are checked: every
 * string NUL-terminated at its length, CSeq below 2^31, status 100..699. */
#include "fuzz.h"

#include "sipsleuth/calls.h"
#include "sipsleuth/listing.h"
#include "sipsleuth/sipframe.h"
#include "sipsleuth/sipmsg.h"
#include "sipsleuth/txn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEPARATOR "\r\n%%\r\n"

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__,         \
                    __LINE__, #cond);                                         \
            abort();                                                          \
        }                                                                     \
    } while (0)

static FILE *devnull(void)
{
    static FILE *f; /* opened once, for the life of the process */
    if (f == NULL)
        f = fopen("/dev/null", "w");
    return f;
}

/* Touches every byte of s, so ASan sees a string that is not where it says. */
static size_t check_str(sls_str s)
{
    CHECK(s.p != NULL);
    CHECK(s.n <= SLS_SIPMSG_MAX_FIELD);
    CHECK(s.p[s.n] == '\0');
    return strlen(s.p);
}

static void check_msg(const sls_sipmsg *m, const sls_sipframe *f)
{
    CHECK(m->frame == f);
    CHECK(m->cseq < UINT32_C(0x80000000));
    CHECK((unsigned)m->method < SLS_METHOD_COUNT);
    CHECK((unsigned)m->cseq_method < SLS_METHOD_COUNT);
    if (m->is_request)
        CHECK(m->method == m->cseq_method ||
              (m->method == SLS_METHOD_OTHER && m->cseq_method == SLS_METHOD_OTHER));
    else
        CHECK(m->status >= 100 && m->status <= 699);
    const sls_str *all[] = {&m->method_name, &m->reason, &m->request_uri,
                            &m->call_id, &m->branch, &m->via_sent_by,
                            &m->via_transport, &m->from_tag, &m->to_tag,
                            &m->user_agent, &m->server};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        check_str(*all[i]);
    CHECK(m->call_id.n > 0);
}

static void txn_done(void *user, const sls_txn *t)
{
    (void)user;
    CHECK(strlen(t->call_id) + strlen(t->branch) + strlen(t->from_tag) +
              strlen(t->to_tag) + strlen(t->request_uri) + strlen(t->method_name) <
          SIZE_MAX);
    CHECK(t->nprov <= SLS_TXN_MAX_PROVISIONAL);
    sls_lister l;
    sls_lister_init(&l, devnull(), SLS_LIST_NDJSON);
    sls_list_txn(&l, t);
    sls_lister_init(&l, devnull(), SLS_LIST_CSV);
    sls_list_txn(&l, t);
    sls_lister_init(&l, devnull(), SLS_LIST_TEXT);
    sls_list_txn(&l, t);
}

static void call_done(void *user, const sls_call *c)
{
    (void)user;
    CHECK((unsigned)c->outcome < SLS_OUTCOME_COUNT);
    CHECK(c->explanation != NULL && strlen(c->explanation) < SLS_CALL_MAX_EXPLANATION);
    char buf[SLS_CALL_MAX_EXPLANATION];
    sls_call_explain(c, buf, sizeof(buf));
    sls_call_explain(c, buf, 8); /* truncation */
    sls_lister l;
    sls_lister_init(&l, devnull(), SLS_LIST_NDJSON);
    sls_list_call(&l, c);
    sls_lister_init(&l, devnull(), SLS_LIST_CSV);
    sls_list_call(&l, c);
    sls_lister_init(&l, devnull(), SLS_LIST_TEXT);
    sls_list_call(&l, c);
}

/* First occurrence of SEPARATOR in p[0..n), or NULL (memmem is not C11). */
static const uint8_t *find_sep(const uint8_t *p, size_t n)
{
    const size_t k = sizeof(SEPARATOR) - 1;
    for (size_t i = 0; i + k <= n; i++) {
        const uint8_t *q = memchr(p + i, SEPARATOR[0], n - k + 1 - i);
        if (q == NULL)
            return NULL;
        if (memcmp(q, SEPARATOR, k) == 0)
            return q;
        i = (size_t)(q - p);
    }
    return NULL;
}

static sls_sipframe frame; /* large: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (devnull() == NULL)
        return 0;
    sls_counters counters;
    memset(&counters, 0, sizeof(counters));
    sls_txn_config tcfg;
    sls_txn_config_default(&tcfg);
    tcfg.max_open = 3;
    sls_call_config ccfg;
    sls_call_config_default(&ccfg);
    ccfg.max_open = 3;
    sls_sipparser *parser = sls_sipparser_new();
    sls_txn_table *txns = sls_txn_table_new(&tcfg, &counters, txn_done, NULL);
    sls_call_table *calls = sls_call_table_new(&ccfg, &counters, call_done, NULL);
    if (parser == NULL || txns == NULL || calls == NULL)
        goto out;

    sls_packet a = {0};
    a.src.family = a.dst.family = 4;
    memcpy(a.src.bytes, "\x0a\x00\x00\x01", 4);
    memcpy(a.dst.bytes, "\x0a\x00\x00\x02", 4);
    a.sport = a.dport = 5060;
    a.transport = SLS_TRANSPORT_UDP;
    sls_packet b = a;
    b.src = a.dst;
    b.dst = a.src;
    int64_t ts = INT64_C(1700000000) * SLS_NS_PER_S;
    uint64_t frame_no = 0;

    const size_t seplen = sizeof(SEPARATOR) - 1;
    size_t off = 0;
    while (off <= size) {
        const uint8_t *start = data + off;
        size_t n = size - off;
        const uint8_t *sep = find_sep(start, n);
        if (sep != NULL)
            n = (size_t)(sep - start);
        off += n + seplen;

        uint8_t *msg = malloc(n > 0 ? n : 1); /* exact size */
        if (msg == NULL)
            break;
        memcpy(msg, start, n);
        ts += SLS_NS_PER_S / 2;
        frame_no++;
        int rc = sls_sipframe_parse((const char *)msg, n, SLS_FRAME_DATAGRAM, &frame);
        sls_sipmsg m;
        if (rc > 0 && sls_sipparser_parse(parser, &frame, &m) == 0) {
            check_msg(&m, &frame);
            sls_packet *p = m.is_request ? &a : &b;
            p->ts_ns = ts;
            p->frame_no = frame_no;
            p->payload = msg;
            p->payload_len = n;
            const sls_txn *txn = NULL;
            int ev = sls_txn_table_message(txns, &m, p, &txn);
            if (ev >= 0)
                sls_call_table_message(calls, &m, p, ev, txn);
        }
        free(msg);
        sls_txn_table_advance(txns, ts);
        sls_call_table_advance(calls, ts);
    }
    /* End of capture, then long after it: every timer has passed. */
    sls_txn_table_flush(txns, ts);
    sls_call_table_flush(calls, ts + 3600 * SLS_NS_PER_S);
out:
    sls_call_table_free(calls);
    sls_txn_table_free(txns);
    sls_sipparser_free(parser);
    return 0;
}
