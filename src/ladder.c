/* Text ladder diagrams; see ladder.h. */
#include "sipsleuth/ladder.h"

#include "jsonw.h"
#include "sipsleuth/error.h"
#include "sipsleuth/txn.h"

#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 48
#define COL_WIDTH 36

typedef struct row {
    int64_t ts_ns;
    uint8_t from, to; /* endpoint indices */
    uint8_t retrans;
    char label[LABEL_MAX];
} row;

typedef struct endpoint {
    sls_addr addr;
    uint16_t port;
} endpoint;

struct sls_ladder {
    char *call_id;
    size_t call_id_len;
    row *rows;
    size_t nrows, cap;
    size_t dropped;
    endpoint ep[SLS_LADDER_MAX_ENDPOINTS];
    size_t nep;
    size_t ep_overflow;
    int have_call;
    sls_call call; /* strings copied below */
    char explanation[SLS_CALL_MAX_EXPLANATION];
};

sls_ladder *sls_ladder_new(const char *call_id)
{
    sls_ladder *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->call_id_len = strlen(call_id);
    l->call_id = malloc(l->call_id_len + 1);
    if (l->call_id == NULL) {
        free(l);
        return NULL;
    }
    memcpy(l->call_id, call_id, l->call_id_len + 1);
    return l;
}

void sls_ladder_free(sls_ladder *l)
{
    if (l == NULL)
        return;
    free(l->rows);
    free(l->call_id);
    free(l);
}

size_t sls_ladder_count(const sls_ladder *l)
{
    return l->nrows;
}

static uint8_t endpoint_of(sls_ladder *l, const sls_addr *a, uint16_t port)
{
    for (size_t i = 0; i < l->nep; i++)
        if (l->ep[i].port == port && memcmp(&l->ep[i].addr, a, sizeof(*a)) == 0)
            return (uint8_t)i;
    if (l->nep == SLS_LADDER_MAX_ENDPOINTS) {
        l->ep_overflow++;
        return SLS_LADDER_MAX_ENDPOINTS - 1; /* drawn on the last column */
    }
    l->ep[l->nep].addr = *a;
    l->ep[l->nep].port = port;
    return (uint8_t)l->nep++;
}

void sls_ladder_message(sls_ladder *l, const sls_sipmsg *m, const sls_packet *pkt,
                        int ev)
{
    if (m->call_id.n != l->call_id_len || memcmp(m->call_id.p, l->call_id, m->call_id.n) != 0)
        return;
    if (l->nrows == SLS_LADDER_MAX_MESSAGES) {
        l->dropped++;
        return;
    }
    if (l->nrows == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        row *r = realloc(l->rows, cap * sizeof(*r));
        if (r == NULL) {
            l->dropped++;
            return;
        }
        l->rows = r;
        l->cap = cap;
    }
    row *r = &l->rows[l->nrows++];
    r->ts_ns = pkt->ts_ns;
    r->from = endpoint_of(l, &pkt->src, pkt->sport);
    r->to = endpoint_of(l, &pkt->dst, pkt->dport);
    r->retrans = ev == SLS_TXN_EV_REQUEST_RETRANS || ev == SLS_TXN_EV_RESPONSE_RETRANS ||
                 ev == SLS_TXN_EV_ACK_RETRANS;
    if (m->is_request)
        snprintf(r->label, sizeof(r->label), "%.*s (%u)", (int)m->method_name.n,
                 m->method_name.p, (unsigned)m->cseq);
    else
        snprintf(r->label, sizeof(r->label), "%u %.*s", m->status, (int)m->reason.n,
                 m->reason.p);
}

void sls_ladder_call(sls_ladder *l, const sls_call *c)
{
    if (strcmp(c->call_id, l->call_id) != 0)
        return;
    l->call = *c;
    l->call.call_id = l->call_id;
    l->call.explanation = l->explanation;
    snprintf(l->explanation, sizeof(l->explanation), "%s", c->explanation);
    l->have_call = 1;
}

static void ms_or_dash(char *buf, size_t n, int64_t ns)
{
    if (ns < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3f s", (double)ns / 1e9);
}

int sls_ladder_print(FILE *out, const sls_ladder *l)
{
    char ts[40], a[32], b[32], d[32];
    fprintf(out, "Call-ID %s\n", l->call_id);
    if (l->have_call) {
        const sls_call *c = &l->call;
        sls__format_utc(c->start_ts_ns, ts, sizeof(ts));
        ms_or_dash(a, sizeof(a), c->pdd_ns);
        ms_or_dash(b, sizeof(b), c->answer_ns);
        ms_or_dash(d, sizeof(d), c->duration_ns);
        fprintf(out, "  from %s to %s, started %s\n", c->from_uri, c->to_uri, ts);
        fprintf(out, "  outcome: %s", sls_outcome_name(c->outcome));
        if (c->final_code)
            fprintf(out, " (%u %s)", c->final_code, c->final_reason);
        fprintf(out, "%s\n", c->challenged ? ", challenged" : "");
        fprintf(out, "  post-dial delay %s, answer %s, duration %s\n", a, b, d);
        if (l->explanation[0] != '\0')
            fprintf(out, "  why: %s\n", l->explanation);
    } else if (l->nrows > 0) {
        fputs("  (no call: this Call-ID has no initial INVITE in the capture)\n", out);
    }
    if (l->nrows == 0) {
        fputs("  no message with this Call-ID in the capture\n", out);
        return ferror(out) ? SLS_EREAD : 0;
    }
    fputc('\n', out);

    /* Header: endpoint names centred on their column. */
    const int left = 14;
    size_t width = (size_t)left + l->nep * COL_WIDTH + 2;
    char *line = malloc(width + 1);
    if (line == NULL)
        return SLS_ENOMEM;
    memset(line, ' ', width);
    line[width] = '\0';
    for (size_t i = 0; i < l->nep; i++) {
        char name[64];
        sls_addr_port_format(&l->ep[i].addr, l->ep[i].port, name, sizeof(name));
        int n = (int)strlen(name);
        if (n > COL_WIDTH - 1)
            n = COL_WIDTH - 1;
        int x = left + (int)i * COL_WIDTH - n / 2;
        if (x < 0)
            x = 0;
        memcpy(line + x, name, (size_t)n);
    }
    fprintf(out, "%s\n", line);

    int64_t t0 = l->rows[0].ts_ns;
    for (size_t k = 0; k < l->nrows; k++) {
        const row *r = &l->rows[k];
        memset(line, ' ', width);
        snprintf(ts, sizeof(ts), "%+.6f", (double)(r->ts_ns - t0) / 1e9);
        memcpy(line, ts, strlen(ts) < (size_t)left - 1 ? strlen(ts) : (size_t)left - 1);
        for (size_t i = 0; i < l->nep; i++)
            line[left + i * COL_WIDTH] = '|';
        int xa = left + r->from * COL_WIDTH, xb = left + r->to * COL_WIDTH;
        if (xa != xb) {
            int lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
            for (int x = lo + 1; x < hi; x++)
                line[x] = '-';
            if (xa < xb)
                line[hi - 1] = '>';
            else
                line[lo + 1] = '<';
            lo += (xa > xb); /* keep the label clear of the arrow head */
            char label[LABEL_MAX + 12];
            int n = snprintf(label, sizeof(label), " %s%s ", r->label,
                             r->retrans ? " (retrans)" : "");
            int room = hi - lo - 4;
            if (n > room)
                n = room > 0 ? room : 0;
            int x = lo + 2 + (room - n) / 2;
            memcpy(line + x, label, (size_t)n);
        } else {
            char label[LABEL_MAX + 16];
            int n = snprintf(label, sizeof(label), " <-> %s", r->label);
            int room = COL_WIDTH - 2;
            memcpy(line + xa + 1, label, (size_t)(n < room ? n : room));
        }
        size_t end = width;
        while (end > 0 && line[end - 1] == ' ')
            end--;
        fprintf(out, "%.*s\n", (int)end, line);
    }
    free(line);
    if (l->dropped)
        fprintf(out, "(%zu more messages not shown: limit %d)\n", l->dropped,
                SLS_LADDER_MAX_MESSAGES);
    if (l->ep_overflow)
        fputs("(more than 6 endpoints: the extra ones are drawn on the last column)\n", out);
    return ferror(out) ? SLS_EREAD : 0;
}
