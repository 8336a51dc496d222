#include "util.h"

#include "sipsleuth/error.h"

int sls__parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    if (n == 0)
        return SLS_EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return SLS_EINVAL;
        if (v > (max - d) / 10)
            return SLS_ERANGE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
