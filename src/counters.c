/* Names of the counters and error codes, and address formatting: the small
 * shared vocabulary every stage reports in. */
#include "sipsleuth/counters.h"
#include "sipsleuth/error.h"
#include "sipsleuth/packet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

static const char *const counter_names[SLS_CTR_COUNT] = {
#define SLS__CTR_NAME(kind, id, name) [SLS_CTR_##id] = name,
    SLS_COUNTER_MAP(SLS__CTR_NAME)
#undef SLS__CTR_NAME
};

static const enum sls_counter_kind counter_kinds[SLS_CTR_COUNT] = {
#define SLS__CTR_KIND(kind, id, name) [SLS_CTR_##id] = SLS_KIND_##kind,
    SLS_COUNTER_MAP(SLS__CTR_KIND)
#undef SLS__CTR_KIND
};

const char *sls_counter_name(enum sls_counter c)
{
    return (unsigned)c < SLS_CTR_COUNT ? counter_names[c] : "unknown";
}

enum sls_counter_kind sls_counter_kind(enum sls_counter c)
{
    return (unsigned)c < SLS_CTR_COUNT ? counter_kinds[c] : SLS_KIND_SKIPPED;
}

const char *sls_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define SLS__ERR_CASE(name, val, msg) \
    case val:                         \
        return msg;
        SLS_ERRNO_MAP(SLS__ERR_CASE)
#undef SLS__ERR_CASE
    default:
        return "unknown error";
    }
}

void sls_addr_format(const sls_addr *a, char *buf, size_t buflen)
{
    if (buflen == 0)
        return;
    const char *r = NULL;
    if (a->family == 4)
        r = inet_ntop(AF_INET, a->bytes, buf, (socklen_t)buflen);
    else if (a->family == 6)
        r = inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)buflen);
    if (r == NULL)
        snprintf(buf, buflen, "?");
}

void sls_addr_port_format(const sls_addr *a, uint16_t port, char *buf, size_t buflen)
{
    char ip[64];
    sls_addr_format(a, ip, sizeof(ip));
    if (a->family == 6)
        snprintf(buf, buflen, "[%s]:%u", ip, port);
    else
        snprintf(buf, buflen, "%s:%u", ip, port);
}
