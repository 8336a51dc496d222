/* Capture input: pcap and pcapng files (or standard input) read through
 * libpcap and merged into one stream in timestamp order.
 *
 * Each file holds at most one pending packet, in libpcap's own buffer: a
 * pcap_t reuses that buffer on every pcap_next_ex(), so the packet handed
 * out last is advanced lazily, at the start of the next sls_input_next()
 * call, which is exactly how long input.h promises the data stays valid.
 * Nothing is copied.
 *
 * The merge is a binary min-heap of the files that still have a pending
 * packet, ordered by (timestamp, file index): the index makes the order
 * total, so equal timestamps come out in the order the files were given.
 *
 * Facts measured with libpcap 1.10.3 (Debian 12):
 *  - a pcap cut inside a record ends with pcap_next_ex() == PCAP_ERROR and
 *    "truncated dump file; tried to read 86 captured bytes, only got 76"
 *    (or "... 16 header bytes, only got 6" when cut inside a record header);
 *    a pcapng cut inside a block says "truncated pcapng dump file; tried to
 *    read 100 bytes, only got 90". Both contain "truncated".
 *  - a pcapng whose later Interface Description Block has another link type
 *    than the first is not read with the first one's type: libpcap stops
 *    with "an interface has a type 101 different from the type of the first
 *    interface". That file ends as SLS_FILE_READ_ERROR with those words,
 *    after the packets before that block. pcap_datalink() is the first
 *    interface's type and is the only one a file can have here.
 *  - pcap_fopen_offline*() does not close the FILE when it fails.
 *  - an empty file fails with "truncated dump file; tried to read 4 file
 *    header bytes, only got 0"; a directory opens with fopen() and fails
 *    with "error reading dump file: Is a directory". */
/* <pcap/pcap.h> uses u_int and u_char, which glibc's <sys/types.h> hides
 * under the strict _POSIX_C_SOURCE the build sets. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "sipsleuth/input.h"

#include "sipsleuth/error.h"
#include "input_priv.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS_PER_S INT64_C(1000000000)

#define INPUT_IOBUF ((size_t)64 << 10)

struct source {
    pcap_t *pcap;
    sls_file_info info;
    char *path; /* our copy; info.path points to it */
    char *iobuf; /* the FILE's buffer (INPUT_IOBUF bytes) */
    char linktype_name[24]; /* "DLT_<n>" when libpcap has no name */
    /* The pending packet: points into libpcap's buffer for this pcap_t. */
    const struct pcap_pkthdr *hdr;
    const u_char *data;
    int64_t ts_ns;
};

struct sls_input {
    struct source *src;
    size_t nsrc;
    size_t *heap; /* indexes into src, min-heap on (ts_ns, index) */
    size_t nheap;
    int handed_out; /* heap[0]'s packet was returned: advance it first */
};

/* Capture time in ns since the epoch. With PCAP_TSTAMP_PRECISION_NANO,
 * tv_usec holds nanoseconds. A damaged record can carry any value in both
 * fields (a pcapng with a 1 s resolution can give 2^64 s), so the result
 * saturates instead of overflowing. */
static int64_t timeval_ns(const struct timeval *tv)
{
    const int64_t lim = INT64_MAX / NS_PER_S - 1; /* about year 2262 */
    int64_t sec = (int64_t)tv->tv_sec;
    int64_t frac = (int64_t)tv->tv_usec;
    /* Every sound record: no division (this runs once per packet). */
    if (sec <= lim && sec >= -lim && frac >= 0 && frac < NS_PER_S)
        return sec * NS_PER_S + frac;
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
    if (sec > lim)
        return INT64_MAX;
    if (sec < -lim)
        return INT64_MIN;
    return sec * NS_PER_S + frac;
}

static void copy_message(char *dst, size_t dstlen, const char *msg)
{
    snprintf(dst, dstlen, "%s", msg != NULL ? msg : "");
}

static int source_ended(struct source *s, int r);

/* Reads the next packet of a file into its pending slot. Returns 1 when
 * there is one, 0 when the file has ended (its state says how). Inlined
 * into sls_input_next, once per packet; the end is out of line. */
static inline int source_advance(struct source *s)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int r = pcap_next_ex(s->pcap, &hdr, &data);
    if (r != 1)
        return source_ended(s, r);
    s->hdr = hdr;
    s->data = data;
    s->ts_ns = timeval_ns(&hdr->ts);
    return 1;
}

/* pcap_next_ex() returned r, not a packet: the file ends here. */
static __attribute__((noinline)) int source_ended(struct source *s, int r)
{
    s->hdr = NULL;
    s->data = NULL;
    if (r == PCAP_ERROR_BREAK) /* end of a savefile */
        return 0;
    if (r == PCAP_ERROR) {
        const char *msg = pcap_geterr(s->pcap);
        copy_message(s->info.message, sizeof(s->info.message), msg);
        s->info.state = msg != NULL && strstr(msg, "truncated") != NULL
                            ? SLS_FILE_TRUNCATED
                            : SLS_FILE_READ_ERROR;
        return 0;
    }
    /* 0 (timeout) only happens on live captures. */
    snprintf(s->info.message, sizeof(s->info.message),
             "unexpected pcap_next_ex() result %d", r);
    s->info.state = SLS_FILE_READ_ERROR;
    return 0;
}

static int heap_less(const sls_input *in, size_t a, size_t b)
{
    int64_t ta = in->src[a].ts_ns, tb = in->src[b].ts_ns;
    return ta < tb || (ta == tb && a < b);
}

static void heap_swap(sls_input *in, size_t i, size_t j)
{
    size_t t = in->heap[i];
    in->heap[i] = in->heap[j];
    in->heap[j] = t;
}

static void heap_sift_down(sls_input *in, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < in->nheap && heap_less(in, in->heap[l], in->heap[m]))
            m = l;
        if (r < in->nheap && heap_less(in, in->heap[r], in->heap[m]))
            m = r;
        if (m == i)
            return;
        heap_swap(in, i, m);
        i = m;
    }
}

static void heap_push(sls_input *in, size_t file)
{
    size_t i = in->nheap++;
    in->heap[i] = file;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_less(in, in->heap[i], in->heap[parent]))
            return;
        heap_swap(in, i, parent);
        i = parent;
    }
}

static void errorf_errno(char *errbuf, size_t errlen, const char *path,
                         int err)
{
    char msg[128];
    if (strerror_r(err, msg, sizeof(msg)) != 0)
        snprintf(msg, sizeof(msg), "error %d", err);
    if (errbuf != NULL && errlen > 0)
        snprintf(errbuf, errlen, "%s: %s", path, msg);
}

/* Opens one path into s. On failure returns SLS_EOPEN (cannot be read at
 * all), SLS_ENOTCAPTURE (readable, but libpcap does not recognise it) or
 * SLS_EREAD, with one line naming the path in errbuf. */
static int source_open(struct source *s, const char *path, char *errbuf,
                       size_t errlen)
{
    FILE *fp;
    if (strcmp(path, "-") == 0) {
        /* A duplicate descriptor, so that pcap_close() closes ours and not
         * the process's standard input. */
        int fd = dup(STDIN_FILENO);
        if (fd < 0) {
            errorf_errno(errbuf, errlen, path, errno);
            return SLS_EOPEN;
        }
        fp = fdopen(fd, "rb");
        if (fp == NULL) {
            int e = errno;
            close(fd);
            errorf_errno(errbuf, errlen, path, e);
            return SLS_EOPEN;
        }
    } else {
        fp = fopen(path, "rb");
        if (fp == NULL) {
            errorf_errno(errbuf, errlen, path, errno);
            return SLS_EOPEN;
        }
    }

    /* libpcap reads each record with two fread()s: stdio's default buffer
     * of 4 KiB (st_blksize) costs a read(2) per 4 KiB, and half of the
     * kernel's time goes to the call rather than the copy. With 64 KiB a
     * loop of pcap_next_ex() over the 240k-call bench capture takes 0.16 s
     * instead of 0.23 s; 16 KiB to 1 MiB all do about as well. setvbuf()
     * is given the buffer: glibc ignores the size when asked to allocate
     * one itself. */
    s->iobuf = malloc(INPUT_IOBUF);
    if (s->iobuf != NULL)
        setvbuf(fp, s->iobuf, _IOFBF, INPUT_IOBUF);

    /* fopen() succeeds on a directory; libpcap would then call it "error
     * reading dump file". Say what it is. */
    struct stat st;
    s->info.size = 0;
    if (fstat(fileno(fp), &st) == 0) {
        if (S_ISREG(st.st_mode))
            s->info.size = (uint64_t)st.st_size;
        if (S_ISDIR(st.st_mode)) {
            fclose(fp);
            errorf_errno(errbuf, errlen, path, EISDIR);
            return SLS_EOPEN;
        }
        if (S_ISREG(st.st_mode) && st.st_size == 0) {
            fclose(fp);
            if (errbuf != NULL && errlen > 0)
                snprintf(errbuf, errlen,
                         "%s: not a pcap or pcapng capture (empty file)",
                         path);
            return SLS_ENOTCAPTURE;
        }
    }

    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    s->pcap = pcap_fopen_offline_with_tstamp_precision(
        fp, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (s->pcap == NULL) {
        int read_failed = ferror(fp);
        fclose(fp); /* not closed by libpcap on failure */
        if (errbuf != NULL && errlen > 0) {
            if (read_failed)
                snprintf(errbuf, errlen, "%s: read error (%s)", path,
                         pcap_err);
            else
                snprintf(errbuf, errlen,
                         "%s: not a pcap or pcapng capture (%s)", path,
                         pcap_err);
        }
        return read_failed ? SLS_EREAD : SLS_ENOTCAPTURE;
    }

    int dlt = pcap_datalink(s->pcap);
    s->info.linktype = dlt;
    const char *name = pcap_datalink_val_to_name(dlt);
    if (name != NULL)
        snprintf(s->linktype_name, sizeof(s->linktype_name), "%s", name);
    else
        snprintf(s->linktype_name, sizeof(s->linktype_name), "DLT_%d", dlt);
    s->info.linktype_name = s->linktype_name;
    s->info.state = SLS_FILE_OK;
    s->info.message[0] = '\0';
    return 0;
}

int sls_input_open(sls_input **out, const char *const *paths, size_t npaths,
                   char *errbuf, size_t errbuf_len)
{
    if (errbuf != NULL && errbuf_len > 0)
        errbuf[0] = '\0';
    if (out == NULL)
        return SLS_EINVAL;
    *out = NULL;
    if (paths == NULL || npaths == 0) {
        if (errbuf != NULL && errbuf_len > 0)
            snprintf(errbuf, errbuf_len, "no capture file given");
        return SLS_EINVAL;
    }
    /* Standard input can be read only once. */
    int stdin_seen = 0;
    for (size_t i = 0; i < npaths; i++) {
        if (paths[i] == NULL) {
            if (errbuf != NULL && errbuf_len > 0)
                snprintf(errbuf, errbuf_len, "capture path %zu is NULL", i);
            return SLS_EINVAL;
        }
        if (strcmp(paths[i], "-") == 0 && stdin_seen++) {
            if (errbuf != NULL && errbuf_len > 0)
                snprintf(errbuf, errbuf_len,
                         "-: standard input given more than once");
            return SLS_EINVAL;
        }
    }

    sls_input *in = calloc(1, sizeof(*in));
    if (in == NULL)
        goto nomem;
    in->src = calloc(npaths, sizeof(*in->src));
    in->heap = calloc(npaths, sizeof(*in->heap));
    if (in->src == NULL || in->heap == NULL)
        goto nomem;

    for (size_t i = 0; i < npaths; i++) {
        struct source *s = &in->src[i];
        /* Counted now so that sls_input_free() closes what was opened. */
        in->nsrc = i + 1;
        s->path = strdup(paths[i]);
        if (s->path == NULL)
            goto nomem;
        s->info.path = s->path;
        int rc = source_open(s, s->path, errbuf, errbuf_len);
        if (rc < 0) {
            sls_input_free(in);
            return rc;
        }
    }
    /* Prime the merge with each file's first packet. */
    for (size_t i = 0; i < in->nsrc; i++) {
        if (source_advance(&in->src[i]))
            heap_push(in, i);
    }
    *out = in;
    return 0;

nomem:
    sls_input_free(in);
    if (errbuf != NULL && errbuf_len > 0)
        snprintf(errbuf, errbuf_len, "%s", sls_strerror(SLS_ENOMEM));
    return SLS_ENOMEM;
}

int sls_input_next(sls_input *in, sls_rawpkt *pkt)
{
    if (in->handed_out) {
        /* Only now may libpcap reuse the buffer of the packet returned last
         * time. It is still at the top of the heap. */
        in->handed_out = 0;
        size_t top = in->heap[0];
        if (!source_advance(&in->src[top]))
            in->heap[0] = in->heap[--in->nheap];
        if (in->nheap > 1) /* one file: nothing to reorder */
            heap_sift_down(in, 0);
    }
    if (in->nheap == 0)
        return 0;

    size_t i = in->heap[0];
    struct source *s = &in->src[i];
    pkt->ts_ns = s->ts_ns;
    pkt->data = s->data;
    pkt->caplen = s->hdr->caplen;
    pkt->wirelen = s->hdr->len;
    pkt->linktype = s->info.linktype;
    pkt->file_index = (unsigned)i;

    if (s->info.packets == 0)
        s->info.first_ts_ns = s->ts_ns;
    s->info.last_ts_ns = s->ts_ns;
    s->info.packets++;
    in->handed_out = 1;
    return 1;
}

void sls_input_progress(const sls_input *in, uint64_t *done, uint64_t *total)
{
    uint64_t d = 0, t = 0;
    for (size_t i = 0; i < in->nsrc; i++) {
        const struct source *s = &in->src[i];
        if (s->info.size == 0) {
            t = 0;
            break;
        }
        t += s->info.size;
        FILE *fp = s->pcap != NULL ? pcap_file(s->pcap) : NULL;
        long pos = fp != NULL ? ftell(fp) : -1;
        d += pos > 0 ? (uint64_t)pos : s->info.size;
    }
    *done = d;
    *total = t;
}

size_t sls__input_buffer_size(const sls_input *in, size_t i)
{
    if (i >= in->nsrc || in->src[i].pcap == NULL)
        return 0;
    return __fbufsize(pcap_file(in->src[i].pcap));
}

size_t sls_input_file_count(const sls_input *in)
{
    return in->nsrc;
}

const sls_file_info *sls_input_file(const sls_input *in, size_t i)
{
    return i < in->nsrc ? &in->src[i].info : NULL;
}

void sls_input_free(sls_input *in)
{
    if (in == NULL)
        return;
    for (size_t i = 0; i < in->nsrc; i++) {
        if (in->src[i].pcap != NULL)
            pcap_close(in->src[i].pcap);
        free(in->src[i].path);
        free(in->src[i].iobuf); /* after pcap_close(): the FILE used it */
    }
    free(in->src);
    free(in->heap);
    free(in);
}
