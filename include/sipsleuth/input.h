/* Capture input: one or more pcap/pcapng files (or "-" for stdin) read as a
 * single capture, packets merged in timestamp order (ties keep file order).
 *
 * Streaming: at most one pending packet per file is held, inside libpcap's
 * own buffer, so memory does not grow with the files. */
#ifndef SIPSLEUTH_INPUT_H
#define SIPSLEUTH_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct sls_input sls_input;

/* One captured frame. data is valid until the next sls_input_next() call. */
typedef struct sls_rawpkt {
    int64_t ts_ns;        /* capture time, ns since the Unix epoch */
    const uint8_t *data;
    uint32_t caplen;      /* bytes present in data */
    uint32_t wirelen;     /* bytes on the wire */
    int linktype;         /* DLT_* value of the file it came from */
    unsigned file_index;  /* index into the paths given to sls_input_open */
} sls_rawpkt;

enum sls_file_state {
    SLS_FILE_OK = 0,        /* read to its end */
    SLS_FILE_TRUNCATED = 1, /* ended early: what it held was read */
    SLS_FILE_READ_ERROR = 2 /* a read error other than truncation */
};

typedef struct sls_file_info {
    const char *path;      /* as given; "-" is standard input */
    int linktype;          /* DLT of the file (first interface for pcapng) */
    const char *linktype_name; /* pcap_datalink_val_to_name(), or "DLT_<n>" */
    uint64_t packets;      /* packets read from this file */
    int64_t first_ts_ns, last_ts_ns; /* 0 when the file had no packets */
    uint64_t size;         /* bytes, for a regular file; 0 otherwise */
    enum sls_file_state state;
    char message[256];     /* libpcap's words for a failure, "" otherwise */
} sls_file_info;

/* Opens every path. On failure returns a negative SLS_E* code, *out is NULL,
 * and errbuf (if not NULL) holds one line naming the file:
 *   "capture.pcap: No such file or directory"
 *   "notes.txt: not a pcap or pcapng capture (unknown file format)"
 * "-" may appear at most once. The caller frees *out with sls_input_free. */
int sls_input_open(sls_input **out, const char *const *paths, size_t npaths,
                   char *errbuf, size_t errbuf_len);

/* Next packet in timestamp order. Returns 1 with *pkt filled, 0 at the end of
 * all inputs. A file that ends in a truncated record or a read error stops
 * contributing; its sls_file_info says so; the other files go on. */
int sls_input_next(sls_input *in, sls_rawpkt *pkt);

size_t sls_input_file_count(const sls_input *in);
/* Valid until sls_input_free. */
const sls_file_info *sls_input_file(const sls_input *in, size_t i);

/* Bytes read so far over all inputs, and the total of the regular files'
 * sizes (0 when an input is a pipe): for progress reports. */
void sls_input_progress(const sls_input *in, uint64_t *done, uint64_t *total);

/* Accepts NULL. */
void sls_input_free(sls_input *in);

#endif
