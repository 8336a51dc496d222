/* What SIP response codes mean: every IANA-registered code from 100 to 608,
 * plus the obsolete RFC 2543 codes still seen in the field (409, 411, 413 in
 * its old name, ...). An unregistered code is explained by its class. */
#ifndef SIPSLEUTH_EXPLAIN_H
#define SIPSLEUTH_EXPLAIN_H

enum sls_code_class {
    SLS_CLASS_INVALID = 0,
    SLS_CLASS_PROVISIONAL = 1, /* 1xx */
    SLS_CLASS_SUCCESS = 2,     /* 2xx */
    SLS_CLASS_REDIRECTION = 3, /* 3xx */
    SLS_CLASS_CLIENT_ERROR = 4,/* 4xx */
    SLS_CLASS_SERVER_ERROR = 5,/* 5xx */
    SLS_CLASS_GLOBAL_FAILURE = 6 /* 6xx */
};

typedef struct sls_code_info {
    unsigned code;           /* the code asked about */
    enum sls_code_class cls;
    int is_final;            /* 0 for 1xx, 1 for 2xx-6xx */
    int known;               /* 1: the code itself is in the table;
                                0: explained by its class only */
    int obsolete;            /* 1: RFC 2543 only, not IANA-registered */
    const char *reason;      /* standard reason phrase ("Busy Here"); for an
                                unknown code the class name */
    const char *rfc;         /* defining document ("RFC 3261"), "" if none */
    const char *meaning;     /* one or two sentences, plain language */
    const char *causes;      /* common causes and what to check */
    const char *summary;     /* one line for reports, under 100 chars */
} sls_code_info;

/* Fills *info for any code 100..699 and returns 0; returns SLS_ERANGE for
 * codes outside 100..699 (info then describes the invalid code). All strings
 * are static. */
int sls_explain_code(unsigned code, sls_code_info *info);

/* "Provisional", "Success", "Redirection", "Client Error", "Server Error",
 * "Global Failure"; "Invalid" otherwise. */
const char *sls_code_class_name(enum sls_code_class cls);

/* The table, in ascending code order, for listing and tests. */
const sls_code_info *sls_explain_table(unsigned *count);

#endif
