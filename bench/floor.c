/* The read floor: the least work any pcap analyzer built on libpcap does.
 *
 *   cc -O2 bench/floor.c -lpcap -o floor && ./floor [--buffer BYTES] FILE...
 *
 * Reads every packet with pcap_next_ex() and nothing else. The caplen sum
 * (and a byte of each packet) is printed so that the compiler cannot drop
 * the loop. bench/run.sh compares sipsleuth's wall time with this one's:
 * the difference is what decoding and analysis cost.
 *
 * By default the file is opened by pcap_open_offline(), which reads it
 * through stdio's default buffer (one read(2) per 4 KiB). --buffer BYTES
 * opens it with fopen(), gives it a stdio buffer of BYTES (setvbuf) and
 * hands it to pcap_fopen_offline(), as sipsleuth does (64 KiB).
 *
 * Exit status: 0 success, 2 usage error, 3 a file could not be read.
 */
#define _DEFAULT_SOURCE /* u_char and u_int in <pcap/pcap.h> under -std=c11 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    uint64_t packets = 0, bytes = 0, mix = 0;

    size_t bufsize = 0;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--buffer") == 0) {
        char *end;
        unsigned long v = strtoul(argv[2], &end, 10);
        if (*argv[2] == '\0' || *end != '\0' || v == 0 || v > (1ul << 30)) {
            fprintf(stderr, "floor: --buffer wants a size in bytes\n");
            return 2;
        }
        bufsize = v;
        first = 3;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: %s [--buffer BYTES] FILE...\n", argv[0]);
        return 2;
    }
    char *buf = bufsize ? malloc(bufsize) : NULL;
    if (bufsize && buf == NULL) {
        fprintf(stderr, "floor: out of memory\n");
        return 3;
    }
    for (int i = first; i < argc; i++) {
        pcap_t *p;
        if (bufsize) {
            FILE *fp = fopen(argv[i], "rb");
            if (fp == NULL) {
                perror(argv[i]);
                return 3;
            }
            /* glibc ignores the size unless it is given the buffer */
            setvbuf(fp, buf, _IOFBF, bufsize);
            p = pcap_fopen_offline(fp, errbuf);
            if (p == NULL)
                fclose(fp);
        } else {
            p = pcap_open_offline(argv[i], errbuf);
        }
        if (p == NULL) {
            fprintf(stderr, "floor: %s: %s\n", argv[i], errbuf);
            return 3;
        }
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc;
        while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
            packets++;
            bytes += h->caplen;
            if (h->caplen > 0)
                mix += data[h->caplen - 1];
        }
        if (rc == PCAP_ERROR) {
            /* a truncated last record is reported, as sipsleuth does */
            fprintf(stderr, "floor: %s: %s\n", argv[i], pcap_geterr(p));
            pcap_close(p);
            return 3;
        }
        pcap_close(p);
    }
    free(buf);
    printf("packets %llu caplen %llu check %llu\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)mix);
    return 0;
}
