/* Shared by the fuzz targets and the corpus replay program.
 *
 * Each target defines LLVMFuzzerTestOneInput. Built with clang and
 * -fsanitize=fuzzer it is a libFuzzer binary; linked with replay.c (any
 * compiler) it replays files, so CTest runs every corpus as regression
 * tests (libpcap's testprogs/fuzz/onefile.c does the same). */
#ifndef SIPSLEUTH_FUZZ_H
#define SIPSLEUTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Consumes one input; returns 0 (libFuzzer's convention: other values are
 * reserved). data is an exact-size heap block: one byte past it is out of
 * bounds for ASan. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
