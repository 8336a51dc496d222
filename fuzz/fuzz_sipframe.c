/* The SIP framer and detector on arbitrary bytes.
 *
 * Stream mode: the input is a TCP byte stream; messages are framed one after
 * the other as the TCP stage does, resynchronising at the next line after an
 * invalid message. Each framed message is checked against the framer's
 * contract (every slice inside the message, lengths consistent) and for
 * independence from segmentation: the same bytes framed from an exact-size
 * copy of the message, or of a prefix of it, must give the same answer
 * (a prefix: "need more"). Datagram mode: the whole input is one datagram.
 * A broken promise aborts, so libFuzzer reports it like a crash. */
#include "fuzz.h"

#include "sipsleuth/sipframe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: framer contract broken: %s\n", __FILE__,  \
                    __LINE__, #cond);                                         \
            abort();                                                          \
        }                                                                     \
    } while (0)

static int slice_inside(sls_slice s, const char *lo, const char *hi)
{
    if (s.n == 0)
        return 1;
    return s.p >= lo && s.p <= hi && s.n <= (size_t)(hi - s.p);
}

/* Checks a framed message of rc bytes at buf; touches every byte of every
 * slice so ASan sees any slice that points outside. Returns a checksum. */
static unsigned check_frame(const char *buf, size_t len, int rc, const sls_sipframe *f)
{
    const char *end = buf + rc;
    unsigned sum = 0;
    CHECK(rc > 0 && (size_t)rc <= len);
    CHECK(f->msg_len == (size_t)rc);
    CHECK(f->header_len <= f->msg_len);
    CHECK(f->nheaders <= SLS_SIPFRAME_MAX_HEADERS);
    CHECK(f->nanomalies <= sizeof(f->anomalies));
    CHECK(slice_inside(f->body, buf, end));
    CHECK(f->body.n == 0 || f->body.p + f->body.n == end);
    CHECK(f->content_length >= -1);
    if (f->is_request) {
        CHECK(f->method.n > 0 && slice_inside(f->method, buf, end));
        CHECK(slice_inside(f->uri, buf, end));
    } else {
        CHECK(f->status >= 100 && f->status <= 699);
        CHECK(slice_inside(f->reason, buf, end));
    }
    /* Only the lines of known headers are indexed; the others are only
     * counted, and every line counts against the ceiling. */
    CHECK(f->nheaders + f->count[SLS_HDR_OTHER] <= SLS_SIPFRAME_MAX_HEADERS);
    CHECK(f->first[SLS_HDR_OTHER] == -1);
    for (size_t i = 0; i < f->nheaders; i++) {
        const sls_sip_header *h = &f->headers[i];
        CHECK(slice_inside(h->name, buf, end));
        CHECK(slice_inside(h->value, buf, end));
        CHECK(h->id != SLS_HDR_OTHER && h->id < SLS_HDR_COUNT);
        CHECK(h->name.n > 0);
        for (size_t k = 0; k < h->name.n; k++)
            sum += (unsigned char)h->name.p[k];
        for (size_t k = 0; k < h->value.n; k++)
            sum += (unsigned char)h->value.p[k];
    }
    size_t indexed = 0;
    for (int id = SLS_HDR_OTHER + 1; id < SLS_HDR_COUNT; id++) {
        indexed += f->count[id];
        if (f->first[id] < 0) {
            CHECK(f->count[id] == 0);
            continue;
        }
        CHECK((size_t)f->first[id] < f->nheaders);
        CHECK(f->headers[f->first[id]].id == id);
        CHECK(f->count[id] > 0);
    }
    CHECK(indexed == f->nheaders);
    for (size_t k = 0; k < f->body.n; k++)
        sum += (unsigned char)f->body.p[k];
    return sum;
}

/* Frames an exact-size copy of buf[0..n) in stream mode. */
static int frame_copy(const char *buf, size_t n, sls_sipframe *f)
{
    char *copy = malloc(n > 0 ? n : 1);
    if (copy == NULL)
        return -1000;
    memcpy(copy, buf, n);
    int rc = sls_sipframe_parse(copy, n, SLS_FRAME_STREAM, f);
    if (rc > 0)
        check_frame(copy, n, rc, f);
    free(copy);
    return rc;
}

static sls_sipframe frame, frame2; /* large: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    volatile unsigned sink = 0;

    (void)sls_sip_detect(data, size);

    int rc = sls_sipframe_parse(buf, size, SLS_FRAME_DATAGRAM, &frame);
    if (rc > 0)
        sink += check_frame(buf, size, rc, &frame);
    else
        CHECK(rc < 0); /* datagram mode never says "need more" */

    size_t off = 0;
    unsigned messages = 0;
    while (off < size && messages < 4096) {
        size_t n = size - off;
        (void)sls_sip_detect(data + off, n);
        rc = sls_sipframe_parse(buf + off, n, SLS_FRAME_STREAM, &frame);
        if (rc == 0)
            break; /* need more: the stream ends here */
        if (rc < 0) {
            /* Resynchronise at the next line, as the TCP stage does. */
            const char *nl = memchr(buf + off, '\n', n);
            off = nl != NULL ? (size_t)(nl - buf) + 1 : size;
            continue;
        }
        sink += check_frame(buf + off, n, rc, &frame);
        /* The same message alone frames the same way ... */
        int rc2 = frame_copy(buf + off, (size_t)rc, &frame2);
        CHECK(rc2 == rc);
        CHECK(frame2.header_len == frame.header_len);
        CHECK(frame2.nheaders == frame.nheaders);
        CHECK(frame2.count[SLS_HDR_OTHER] == frame.count[SLS_HDR_OTHER]);
        CHECK(frame2.content_length == frame.content_length);
        /* ... and any strict prefix of it needs more. */
        size_t cuts[3] = {(size_t)rc - 1, (size_t)rc / 2,
                          frame.header_len > 0 ? (size_t)rc - frame.body.n - 1 : 0};
        for (int i = 0; i < 3; i++) {
            if (cuts[i] < (size_t)rc) {
                rc2 = frame_copy(buf + off, cuts[i], &frame2);
                CHECK(rc2 == 0);
            }
        }
        off += (size_t)rc;
        messages++;
    }
    (void)sink;
    return 0;
}
