/* Streaming listings of calls and transactions. */
#include "sipsleuth/listing.h"

#include "jsonw.h"
#include "sipsleuth/explain.h"

#include <inttypes.h>
#include <string.h>

void sls_lister_init(sls_lister *l, FILE *out, enum sls_list_format format)
{
    l->out = out;
    l->format = format;
    l->count = 0;
}

/* RFC 4180: quote when needed, double the quotes. */
static void csv_field(FILE *out, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n") != NULL) {
        fputc('"', out);
        for (; *s != '\0'; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputs(last ? "\r\n" : ",", out);
}

static void ms_text(char *buf, size_t n, int64_t ns)
{
    if (ns < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3f", (double)ns / 1e6);
}

static void ms_json(FILE *out, const char *key, int64_t ns, int first)
{
    fprintf(out, "%s\"%s\":", first ? "" : ",", key);
    if (ns < 0)
        fputs("null", out);
    else
        fprintf(out, "%.3f", (double)ns / 1e6);
}

static void kv_str(FILE *out, const char *key, const char *v)
{
    fprintf(out, ",\"%s\":", key);
    sls__json_string(out, v, strlen(v));
}

void sls_call_json(FILE *out, const sls_call *c)
{
    char ts[40], buf[80];
    fputs("{\"call_id\":", out);
    sls__json_string(out, c->call_id, strlen(c->call_id));
    sls__format_utc(c->start_ts_ns, ts, sizeof(ts));
    kv_str(out, "start", ts);
    kv_str(out, "from", c->from_uri);
    kv_str(out, "to", c->to_uri);
    sls_addr_port_format(&c->caller, c->caller_port, buf, sizeof(buf));
    kv_str(out, "caller", buf);
    sls_addr_port_format(&c->callee, c->callee_port, buf, sizeof(buf));
    kv_str(out, "callee", buf);
    kv_str(out, "outcome", sls_outcome_name(c->outcome));
    if (c->final_code)
        fprintf(out, ",\"final_code\":%u", c->final_code);
    else
        fputs(",\"final_code\":null", out);
    kv_str(out, "final_reason", c->final_reason);
    fprintf(out, ",\"challenged\":%s,\"attempts\":%u,\"invite_retransmissions\":%u,"
                 "\"dialogs\":%u,\"ringing\":%s,\"early_media\":%s,\"cancelled_by_caller\":%s",
            c->challenged ? "true" : "false", c->attempts, c->invite_retrans, c->dialogs,
            c->ringing ? "true" : "false", c->early_media ? "true" : "false",
            c->cancel_seen ? "true" : "false");
    fputc(',', out);
    ms_json(out, "pdd_ms", c->pdd_ns, 1);
    ms_json(out, "answer_ms", c->answer_ns, 0);
    ms_json(out, "ack_ms", c->ack_ns, 0);
    ms_json(out, "duration_ms", c->duration_ns, 0);
    if (c->bye_seen)
        kv_str(out, "ended_by", c->bye_by_caller ? "caller" : "callee");
    else
        fputs(",\"ended_by\":null", out);
    if (c->bye_code)
        fprintf(out, ",\"bye_code\":%u", c->bye_code);
    else
        fputs(",\"bye_code\":null", out);
    if (c->final_code) {
        sls_addr_port_format(&c->responder, c->responder_port, buf, sizeof(buf));
        kv_str(out, "responder", buf);
        kv_str(out, "responder_agent", c->responder_agent);
    } else {
        fputs(",\"responder\":null,\"responder_agent\":null", out);
    }
    if (c->has_reason) {
        fputs(",\"reason\":{\"protocol\":", out);
        sls__json_string(out, c->reason.protocol_name, strlen(c->reason.protocol_name));
        if (c->reason.has_cause)
            fprintf(out, ",\"cause\":%u", c->reason.cause);
        kv_str(out, "text", c->reason.text);
        fputc('}', out);
    } else {
        fputs(",\"reason\":null", out);
    }
    if (c->has_warning) {
        fprintf(out, ",\"warning\":{\"code\":%u", c->warning.code);
        kv_str(out, "agent", c->warning.agent);
        kv_str(out, "text", c->warning.text);
        fputc('}', out);
    } else {
        fputs(",\"warning\":null", out);
    }
    if (c->has_retry_after)
        fprintf(out, ",\"retry_after_s\":%u", (unsigned)c->retry_after_s);
    else
        fputs(",\"retry_after_s\":null", out);
    kv_str(out, "codecs_offered", c->codecs);
    kv_str(out, "explanation", c->explanation);
    fputc('}', out);
}

static const char *const call_csv_header[] = {
    "call_id", "start", "from", "to", "caller", "callee", "outcome", "final_code",
    "final_reason", "challenged", "attempts", "invite_retransmissions", "pdd_ms",
    "answer_ms", "ack_ms", "duration_ms", "ended_by", "bye_code", "responder",
    "responder_agent", "reason", "warning", "retry_after_s", "codecs_offered",
    "explanation"};

void sls_list_calls_header(sls_lister *l)
{
    size_t n = sizeof(call_csv_header) / sizeof(call_csv_header[0]);
    switch (l->format) {
    case SLS_LIST_TEXT:
        fprintf(l->out, "%-26s %-12s %4s %9s %9s %10s  %-32s %s\n", "start (UTC)",
                "outcome", "code", "pdd_ms", "answer_ms", "duration_ms", "call-id", "why");
        break;
    case SLS_LIST_CSV:
        for (size_t i = 0; i < n; i++)
            csv_field(l->out, call_csv_header[i], i + 1 == n);
        break;
    case SLS_LIST_JSON:
        fputs("[", l->out);
        break;
    case SLS_LIST_NDJSON:
        break;
    }
}

void sls_list_call(sls_lister *l, const sls_call *c)
{
    char ts[40], code[16], a[32], b[32], d[32];
    sls__format_utc(c->start_ts_ns, ts, sizeof(ts));
    if (c->final_code)
        snprintf(code, sizeof(code), "%u", c->final_code);
    else
        snprintf(code, sizeof(code), "-");
    switch (l->format) {
    case SLS_LIST_TEXT:
        ms_text(a, sizeof(a), c->pdd_ns);
        ms_text(b, sizeof(b), c->answer_ns);
        ms_text(d, sizeof(d), c->duration_ns);
        fprintf(l->out, "%-26s %-12s %4s %9s %9s %10s  %-32s %s\n", ts,
                sls_outcome_name(c->outcome), code, a, b, d, c->call_id,
                c->explanation[0] ? c->explanation : "-");
        break;
    case SLS_LIST_NDJSON:
    case SLS_LIST_JSON:
        if (l->format == SLS_LIST_JSON && l->count > 0)
            fputs(",", l->out);
        if (l->format == SLS_LIST_JSON)
            fputs("\n  ", l->out);
        sls_call_json(l->out, c);
        if (l->format == SLS_LIST_NDJSON)
            fputc('\n', l->out);
        break;
    case SLS_LIST_CSV: {
        char buf[96], rsn[256], warn[256], num[8][24];
        csv_field(l->out, c->call_id, 0);
        csv_field(l->out, ts, 0);
        csv_field(l->out, c->from_uri, 0);
        csv_field(l->out, c->to_uri, 0);
        sls_addr_port_format(&c->caller, c->caller_port, buf, sizeof(buf));
        csv_field(l->out, buf, 0);
        sls_addr_port_format(&c->callee, c->callee_port, buf, sizeof(buf));
        csv_field(l->out, buf, 0);
        csv_field(l->out, sls_outcome_name(c->outcome), 0);
        csv_field(l->out, c->final_code ? code : "", 0);
        csv_field(l->out, c->final_reason, 0);
        csv_field(l->out, c->challenged ? "true" : "false", 0);
        snprintf(num[0], sizeof(num[0]), "%u", c->attempts);
        snprintf(num[1], sizeof(num[1]), "%u", c->invite_retrans);
        csv_field(l->out, num[0], 0);
        csv_field(l->out, num[1], 0);
        int64_t v[4] = {c->pdd_ns, c->answer_ns, c->ack_ns, c->duration_ns};
        for (int i = 0; i < 4; i++) {
            if (v[i] < 0)
                num[2 + i][0] = '\0';
            else
                snprintf(num[2 + i], sizeof(num[2 + i]), "%.3f", (double)v[i] / 1e6);
            csv_field(l->out, num[2 + i], 0);
        }
        csv_field(l->out, c->bye_seen ? (c->bye_by_caller ? "caller" : "callee") : "", 0);
        if (c->bye_code)
            snprintf(num[6], sizeof(num[6]), "%u", c->bye_code);
        else
            num[6][0] = '\0';
        csv_field(l->out, num[6], 0);
        if (c->final_code)
            sls_addr_port_format(&c->responder, c->responder_port, buf, sizeof(buf));
        else
            buf[0] = '\0';
        csv_field(l->out, buf, 0);
        csv_field(l->out, c->responder_agent, 0);
        rsn[0] = warn[0] = '\0';
        if (c->has_reason)
            snprintf(rsn, sizeof(rsn), "%s;cause=%u;text=%s", c->reason.protocol_name,
                     c->reason.cause, c->reason.text);
        if (c->has_warning)
            snprintf(warn, sizeof(warn), "%u %s %s", c->warning.code, c->warning.agent,
                     c->warning.text);
        csv_field(l->out, rsn, 0);
        csv_field(l->out, warn, 0);
        if (c->has_retry_after)
            snprintf(num[7], sizeof(num[7]), "%u", (unsigned)c->retry_after_s);
        else
            num[7][0] = '\0';
        csv_field(l->out, num[7], 0);
        csv_field(l->out, c->codecs, 0);
        csv_field(l->out, c->explanation, 1);
        break;
    }
    }
    l->count++;
}

static const char *const txn_csv_header[] = {
    "start", "method", "call_id", "cseq", "branch", "client", "server", "final_code",
    "final_reason", "provisional", "response_ms", "first_provisional_ms", "request_seen",
    "timed_out", "request_retransmissions", "response_retransmissions"};

void sls_list_txns_header(sls_lister *l)
{
    size_t n = sizeof(txn_csv_header) / sizeof(txn_csv_header[0]);
    switch (l->format) {
    case SLS_LIST_TEXT:
        fprintf(l->out, "%-26s %-9s %10s %-6s %11s %8s %-22s %-22s %s\n", "start (UTC)",
                "method", "cseq", "final", "response_ms", "retrans", "client", "server",
                "call-id");
        break;
    case SLS_LIST_CSV:
        for (size_t i = 0; i < n; i++)
            csv_field(l->out, txn_csv_header[i], i + 1 == n);
        break;
    case SLS_LIST_JSON:
        fputs("[", l->out);
        break;
    case SLS_LIST_NDJSON:
        break;
    }
}

void sls_list_txn(sls_lister *l, const sls_txn *t)
{
    char ts[40], cl[80], sv[80], final[24], rt[32], prov[80];
    sls__format_utc(t->request_seen ? t->request_ts_ns : t->first_ts_ns, ts, sizeof(ts));
    sls_addr_port_format(&t->client, t->client_port, cl, sizeof(cl));
    sls_addr_port_format(&t->server, t->server_port, sv, sizeof(sv));
    if (t->has_final)
        snprintf(final, sizeof(final), "%u", t->final_code);
    else
        snprintf(final, sizeof(final), t->timed_out ? "timeout" : "none");
    int64_t rtn = t->has_final && t->request_seen ? t->final_ts_ns - t->request_ts_ns : -1;
    int64_t fpn = t->first_prov_ts_ns && t->request_seen
                      ? t->first_prov_ts_ns - t->request_ts_ns : -1;
    size_t pos = 0;
    prov[0] = '\0';
    for (unsigned i = 0; i < t->nprov && pos + 5 < sizeof(prov); i++)
        pos += (size_t)snprintf(prov + pos, sizeof(prov) - pos, "%s%u", i ? " " : "",
                                t->prov[i].code);
    unsigned retrans = t->request_retrans + t->response_retrans;
    switch (l->format) {
    case SLS_LIST_TEXT:
        ms_text(rt, sizeof(rt), rtn);
        fprintf(l->out, "%-26s %-9s %10" PRIu32 " %-6s %11s %8u %-22s %-22s %s\n", ts,
                t->method_name, t->cseq, final, rt, retrans, cl, sv, t->call_id);
        break;
    case SLS_LIST_NDJSON:
    case SLS_LIST_JSON:
        if (l->format == SLS_LIST_JSON)
            fputs(l->count ? ",\n  " : "\n  ", l->out);
        fputs("{\"start\":", l->out);
        sls__json_string(l->out, ts, strlen(ts));
        kv_str(l->out, "method", t->method_name);
        kv_str(l->out, "call_id", t->call_id);
        fprintf(l->out, ",\"cseq\":%" PRIu32, t->cseq);
        kv_str(l->out, "branch", t->branch);
        kv_str(l->out, "client", cl);
        kv_str(l->out, "server", sv);
        if (t->has_final) {
            fprintf(l->out, ",\"final_code\":%u", t->final_code);
            kv_str(l->out, "final_reason", t->final_reason);
        } else {
            fputs(",\"final_code\":null,\"final_reason\":null", l->out);
        }
        fputs(",\"provisional\":[", l->out);
        for (unsigned i = 0; i < t->nprov; i++)
            fprintf(l->out, "%s%u", i ? "," : "", t->prov[i].code);
        fputs("]", l->out);
        fputc(',', l->out);
        ms_json(l->out, "response_ms", rtn, 1);
        ms_json(l->out, "first_provisional_ms", fpn, 0);
        fprintf(l->out, ",\"request_seen\":%s,\"timed_out\":%s,\"request_retransmissions\":%u,"
                        "\"response_retransmissions\":%u}",
                t->request_seen ? "true" : "false", t->timed_out ? "true" : "false",
                t->request_retrans, t->response_retrans);
        if (l->format == SLS_LIST_NDJSON)
            fputc('\n', l->out);
        break;
    case SLS_LIST_CSV: {
        char n1[24], n2[24], n3[16], n4[16];
        csv_field(l->out, ts, 0);
        csv_field(l->out, t->method_name, 0);
        csv_field(l->out, t->call_id, 0);
        snprintf(n1, sizeof(n1), "%" PRIu32, t->cseq);
        csv_field(l->out, n1, 0);
        csv_field(l->out, t->branch, 0);
        csv_field(l->out, cl, 0);
        csv_field(l->out, sv, 0);
        csv_field(l->out, t->has_final ? final : "", 0);
        csv_field(l->out, t->has_final ? t->final_reason : "", 0);
        csv_field(l->out, prov, 0);
        if (rtn < 0)
            n1[0] = '\0';
        else
            snprintf(n1, sizeof(n1), "%.3f", (double)rtn / 1e6);
        if (fpn < 0)
            n2[0] = '\0';
        else
            snprintf(n2, sizeof(n2), "%.3f", (double)fpn / 1e6);
        csv_field(l->out, n1, 0);
        csv_field(l->out, n2, 0);
        csv_field(l->out, t->request_seen ? "true" : "false", 0);
        csv_field(l->out, t->timed_out ? "true" : "false", 0);
        snprintf(n3, sizeof(n3), "%u", t->request_retrans);
        snprintf(n4, sizeof(n4), "%u", t->response_retrans);
        csv_field(l->out, n3, 0);
        csv_field(l->out, n4, 1);
        break;
    }
    }
    l->count++;
}

void sls_list_footer(sls_lister *l)
{
    if (l->format == SLS_LIST_JSON)
        fputs(l->count ? "\n]\n" : "]\n", l->out);
}
