/* Error codes shared by every module.
 *
 * Functions return 0 (or a non-negative count) on success and a negative
 * SLS_E* code on failure. Codes and their messages come from one list.
 * Library code never prints and never exits: main.c maps codes to messages
 * and exit statuses. */
#ifndef SIPSLEUTH_ERROR_H
#define SIPSLEUTH_ERROR_H

#define SLS_ERRNO_MAP(X)                                                   \
    X(NOMEM, -1, "out of memory")                                          \
    X(OPEN, -2, "cannot open file")                                        \
    X(NOTCAPTURE, -3, "not a pcap or pcapng capture")                      \
    X(TRUNCATED, -4, "capture file is truncated")                          \
    X(READ, -5, "read error")                                              \
    X(LINKTYPE, -6, "unsupported link type")                               \
    X(INVAL, -7, "invalid argument")                                       \
    X(RANGE, -8, "value out of range")                                     \
    X(LIMIT, -9, "configured limit reached")

enum sls_errno {
#define SLS__ERR_ENUM(name, val, msg) SLS_E##name = (val),
    SLS_ERRNO_MAP(SLS__ERR_ENUM)
#undef SLS__ERR_ENUM
};

/* Static message for an error code; never NULL. */
const char *sls_strerror(int err);

#endif
