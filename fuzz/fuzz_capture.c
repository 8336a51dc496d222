/* The whole pipeline from a capture file in memory: pcap or pcapng bytes are
 * opened with fmemopen + pcap_fopen_offline (as nDPI's fuzz_ndpi_reader.c
 * does), every packet is copied into a heap block of exactly its captured
 * length before the analyzer sees it (so ASan reports a read one byte past
 * the packet, which libpcap's larger buffer would hide), then the capture is
 * finished and every report is written to /dev/null: the summary (text and
 * JSON) and the call and transaction listings in each format. */
/* libpcap's headers use the BSD types (u_int, u_char). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "fuzz.h"

#include "sipsleuth/analyzer.h"
#include "sipsleuth/input.h"
#include "sipsleuth/listing.h"
#include "sipsleuth/report.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S INT64_C(1000000000)

/* Same saturating conversion as the input stage: a damaged record may hold
 * any value in both fields. With nanosecond precision tv_usec holds ns. */
static int64_t ts_ns(const struct timeval *tv)
{
    const int64_t lim = INT64_MAX / NS_PER_S - 1;
    int64_t sec = (int64_t)tv->tv_sec, frac = (int64_t)tv->tv_usec;
    if (sec > lim)
        return INT64_MAX;
    if (sec < -lim)
        return INT64_MIN;
    sec += frac / NS_PER_S;
    frac %= NS_PER_S;
    if (frac < 0) {
        frac += NS_PER_S;
        sec--;
    }
    if (sec > lim || sec < -lim)
        return sec > 0 ? INT64_MAX : INT64_MIN;
    return sec * NS_PER_S + frac;
}

typedef struct listers {
    sls_lister calls[4], txns[4];
} listers;

static void on_call(void *user, const sls_call *c)
{
    listers *l = user;
    for (int i = 0; i < 4; i++)
        sls_list_call(&l->calls[i], c);
}

static void on_txn(void *user, const sls_txn *t)
{
    listers *l = user;
    for (int i = 0; i < 4; i++)
        sls_list_txn(&l->txns[i], t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* fmemopen rejects a zero-size buffer. */
    if (size == 0)
        return 0;
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull == NULL)
        return 0;
    FILE *fp = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (fp == NULL) {
        fclose(devnull);
        return 0;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(
        fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pc == NULL) {
        fclose(fp); /* not closed by libpcap on failure */
        fclose(devnull);
        return 0;
    }
    sls_analyzer *a = sls_analyzer_new(NULL);
    if (a == NULL) {
        pcap_close(pc);
        fclose(devnull);
        return 0;
    }
    listers l;
    static const enum sls_list_format fmts[4] = {SLS_LIST_TEXT, SLS_LIST_NDJSON,
                                                 SLS_LIST_CSV, SLS_LIST_JSON};
    for (int i = 0; i < 4; i++) {
        sls_lister_init(&l.calls[i], devnull, fmts[i]);
        sls_lister_init(&l.txns[i], devnull, fmts[i]);
        sls_list_calls_header(&l.calls[i]);
        sls_list_txns_header(&l.txns[i]);
    }
    sls_analyzer_on_call(a, on_call, &l);
    sls_analyzer_on_txn(a, on_txn, &l);

    int dlt = pcap_datalink(pc);
    sls_file_info info;
    memset(&info, 0, sizeof(info));
    info.path = "fuzz.pcap";
    info.linktype = dlt;
    info.linktype_name = pcap_datalink_val_to_name(dlt);
    if (info.linktype_name == NULL)
        info.linktype_name = "DLT_UNKNOWN";

    struct pcap_pkthdr *hdr;
    const u_char *pkt;
    int r;
    while ((r = pcap_next_ex(pc, &hdr, &pkt)) == 1) {
        /* Exact-size copy: the point of this target. */
        uint8_t *copy = malloc(hdr->caplen > 0 ? hdr->caplen : 1);
        if (copy == NULL)
            break;
        memcpy(copy, pkt, hdr->caplen);
        sls_rawpkt raw = {
            .ts_ns = ts_ns(&hdr->ts),
            .data = copy,
            .caplen = hdr->caplen,
            .wirelen = hdr->len,
            .linktype = dlt,
            .file_index = 0,
        };
        int rc = sls_analyzer_frame(a, &raw);
        free(copy);
        if (info.packets++ == 0)
            info.first_ts_ns = raw.ts_ns;
        info.last_ts_ns = raw.ts_ns;
        if (rc < 0)
            break;
    }
    if (r == PCAP_ERROR) {
        const char *msg = pcap_geterr(pc);
        info.state = msg != NULL && strstr(msg, "truncated") != NULL
                         ? SLS_FILE_TRUNCATED
                         : SLS_FILE_READ_ERROR;
        snprintf(info.message, sizeof(info.message), "%s", msg ? msg : "");
    }
    sls_analyzer_finish(a);
    for (int i = 0; i < 4; i++) {
        sls_list_footer(&l.calls[i]);
        sls_list_footer(&l.txns[i]);
    }

    const sls_summary *s = sls_analyzer_summary(a);
    sls_report_files rf = {&info, 1};
    (void)sls_report_complete(&rf);
    sls_report_text(devnull, s, &rf);
    sls_report_json(devnull, s, &rf);
    sls_report_text(devnull, s, NULL);

    sls_analyzer_free(a);
    pcap_close(pc);
    fclose(devnull);
    return 0;
}
