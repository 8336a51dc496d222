/* Small shared helpers (private). */
#ifndef SIPSLEUTH_UTIL_H
#define SIPSLEUTH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Strict decimal: digits only, no sign, no white space, at least one digit,
 * value <= max. Returns 0 and *out, or SLS_ERANGE / SLS_EINVAL. */
int sls__parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out);

#endif
