/* Replays fuzz inputs through a target without libFuzzer: each argument is
 * a file, or a directory whose regular files (sorted by name, dot files
 * skipped) are replayed. Each input is read into an exact-size heap block, as
 * libFuzzer hands it, so an overread by one byte is caught by ASan builds.
 * Exit status: 0 when every input ran, 1 when one could not be read or
 * there was no input at all, 2 for usage. A crash is the target's: the
 * process dies with it. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Reads a whole file. Returns 0 with *out (malloc'd, exactly *len bytes;
 * the caller frees) or -1. An empty file gives a 1-byte block and *len 0. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n > 0 ? n : 1);
    if (buf == NULL || (n > 0 && fread(buf, 1, n, f) != n)) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return 0;
}

static int replay_file(const char *path)
{
    uint8_t *buf;
    size_t len;
    if (read_file(path, &buf, &len) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files of a directory in name order. Returns the
 * number replayed, or -1 on error. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    long rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof(*nn));
            if (nn == NULL) {
                rc = -1;
                break;
            }
            names = nn;
            cap = ncap;
        }
        size_t l = strlen(dir) + 1 + strlen(e->d_name) + 1;
        if ((names[n] = malloc(l)) == NULL) {
            rc = -1;
            break;
        }
        snprintf(names[n], l, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (rc >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(names[i]) != 0)
                rc = -1;
            else
                rc++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    long total = 0;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            long r = replay_dir(argv[i]);
            if (r < 0)
                status = 1;
            else
                total += r;
        } else if (replay_file(argv[i]) != 0) {
            status = 1;
        } else {
            total++;
        }
    }
    printf("replayed %ld inputs\n", total);
    /* A replay that ran nothing (an empty or misnamed corpus) tested
     * nothing: fail, as a Check main() that ran zero tests does. */
    if (total == 0 && status == 0) {
        fprintf(stderr, "replay: no input found\n");
        status = 1;
    }
    return status;
}
