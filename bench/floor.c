/* The read floor: the least work any pcap analyzer built on libpcap does.
 *
 *   cc -O2 bench/floor.c -lpcap -o floor && ./floor FILE...
 *
 * Reads every packet with pcap_next_ex() and nothing else. The caplen sum
 * (and a byte of each packet) is printed so that the compiler cannot drop
 * the loop. bench/run.sh compares sipsleuth's wall time with this one's:
 * the difference is what decoding and analysis cost.
 *
 * Exit status: 0 success, 2 usage error, 3 a file could not be read.
 */
#define _DEFAULT_SOURCE /* u_char and u_int in <pcap/pcap.h> under -std=c11 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    uint64_t packets = 0, bytes = 0, mix = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        pcap_t *p = pcap_open_offline(argv[i], errbuf);
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
    printf("packets %llu caplen %llu check %llu\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)mix);
    return 0;
}
