/* Unit tests for the response-code knowledge module (src/explain.c).
 *
 * The expected list below is the IANA "Response Codes" registry of the SIP
 * Parameters (75 codes, 100..608) plus the two RFC 2543 codes RFC 3261
 * dropped (409, 411). The reason phrases are the registry's, which is why
 * some differ from the seed texts (500 "Server Internal Error", 437
 * "Unsupported Credential"). */
#include "sipsleuth/error.h"
#include "sipsleuth/explain.h"

#include "sls_check.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef SLS_SHARED_DIR
#define SLS_SHARED_DIR "../shared"
#endif

struct expected_code {
    unsigned code;
    const char *reason;
    const char *rfc;
    int obsolete;
};

static const struct expected_code expected[] = {
    {100, "Trying", "RFC 3261", 0},
    {180, "Ringing", "RFC 3261", 0},
    {181, "Call Is Being Forwarded", "RFC 3261", 0},
    {182, "Queued", "RFC 3261", 0},
    {183, "Session Progress", "RFC 3261", 0},
    {199, "Early Dialog Terminated", "RFC 6228", 0},
    {200, "OK", "RFC 3261", 0},
    {202, "Accepted", "RFC 3265/6665", 0},
    {204, "No Notification", "RFC 5839", 0},
    {300, "Multiple Choices", "RFC 3261", 0},
    {301, "Moved Permanently", "RFC 3261", 0},
    {302, "Moved Temporarily", "RFC 3261", 0},
    {305, "Use Proxy", "RFC 3261", 0},
    {380, "Alternative Service", "RFC 3261", 0},
    {400, "Bad Request", "RFC 3261", 0},
    {401, "Unauthorized", "RFC 3261", 0},
    {402, "Payment Required", "RFC 3261", 0},
    {403, "Forbidden", "RFC 3261", 0},
    {404, "Not Found", "RFC 3261", 0},
    {405, "Method Not Allowed", "RFC 3261", 0},
    {406, "Not Acceptable", "RFC 3261", 0},
    {407, "Proxy Authentication Required", "RFC 3261", 0},
    {408, "Request Timeout", "RFC 3261", 0},
    {409, "Conflict", "RFC 2543", 1},
    {410, "Gone", "RFC 3261", 0},
    {411, "Length Required", "RFC 2543", 1},
    {412, "Conditional Request Failed", "RFC 3903", 0},
    {413, "Request Entity Too Large", "RFC 3261", 0},
    {414, "Request-URI Too Long", "RFC 3261", 0},
    {415, "Unsupported Media Type", "RFC 3261", 0},
    {416, "Unsupported URI Scheme", "RFC 3261", 0},
    {417, "Unknown Resource-Priority", "RFC 4412", 0},
    {420, "Bad Extension", "RFC 3261", 0},
    {421, "Extension Required", "RFC 3261", 0},
    {422, "Session Interval Too Small", "RFC 4028", 0},
    {423, "Interval Too Brief", "RFC 3261", 0},
    {424, "Bad Location Information", "RFC 6442", 0},
    {425, "Bad Alert Message", "RFC 8876", 0},
    {428, "Use Identity Header", "RFC 4474/8224", 0},
    {429, "Provide Referrer Identity", "RFC 3892", 0},
    {430, "Flow Failed", "RFC 5626", 0},
    {433, "Anonymity Disallowed", "RFC 5079", 0},
    {436, "Bad Identity Info", "RFC 4474/8224", 0},
    {437, "Unsupported Credential", "RFC 4474/8224", 0},
    {438, "Invalid Identity Header", "RFC 4474/8224", 0},
    {439, "First Hop Lacks Outbound Support", "RFC 5626", 0},
    {440, "Max-Breadth Exceeded", "RFC 5393", 0},
    {469, "Bad Info Package", "RFC 6086", 0},
    {470, "Consent Needed", "RFC 5360", 0},
    {480, "Temporarily Unavailable", "RFC 3261", 0},
    {481, "Call/Transaction Does Not Exist", "RFC 3261", 0},
    {482, "Loop Detected", "RFC 3261", 0},
    {483, "Too Many Hops", "RFC 3261", 0},
    {484, "Address Incomplete", "RFC 3261", 0},
    {485, "Ambiguous", "RFC 3261", 0},
    {486, "Busy Here", "RFC 3261", 0},
    {487, "Request Terminated", "RFC 3261", 0},
    {488, "Not Acceptable Here", "RFC 3261", 0},
    {489, "Bad Event", "RFC 3265/6665", 0},
    {491, "Request Pending", "RFC 3261", 0},
    {493, "Undecipherable", "RFC 3261", 0},
    {494, "Security Agreement Required", "RFC 3329", 0},
    {500, "Server Internal Error", "RFC 3261", 0},
    {501, "Not Implemented", "RFC 3261", 0},
    {502, "Bad Gateway", "RFC 3261", 0},
    {503, "Service Unavailable", "RFC 3261", 0},
    {504, "Server Time-out", "RFC 3261", 0},
    {505, "Version Not Supported", "RFC 3261", 0},
    {513, "Message Too Large", "RFC 3261", 0},
    {555, "Push Notification Service Not Supported", "RFC 8599", 0},
    {580, "Precondition Failure", "RFC 3312", 0},
    {600, "Busy Everywhere", "RFC 3261", 0},
    {603, "Decline", "RFC 3261", 0},
    {604, "Does Not Exist Anywhere", "RFC 3261", 0},
    {606, "Not Acceptable", "RFC 3261", 0},
    {607, "Unwanted", "RFC 8197", 0},
    {608, "Rejected", "RFC 8688", 0},
};

#define N_EXPECTED ((int)(sizeof expected / sizeof expected[0]))

/* The fields every explanation must fill, known or not. */
static void assert_filled(const sls_code_info *info)
{
    ck_assert_ptr_nonnull(info->reason);
    ck_assert_ptr_nonnull(info->rfc);
    ck_assert_ptr_nonnull(info->meaning);
    ck_assert_ptr_nonnull(info->causes);
    ck_assert_ptr_nonnull(info->summary);
    ck_assert_msg(info->reason[0] != '\0', "%u: empty reason", info->code);
    ck_assert_msg(info->meaning[0] != '\0', "%u: empty meaning", info->code);
    ck_assert_msg(info->causes[0] != '\0', "%u: empty causes", info->code);
    ck_assert_msg(info->summary[0] != '\0', "%u: empty summary", info->code);
    ck_assert_msg(strlen(info->summary) < 100, "%u: summary is %zu chars",
                  info->code, strlen(info->summary));
    ck_assert_msg(strchr(info->summary, '\n') == NULL, "%u: multi-line summary",
                  info->code);
}

START_TEST(test_explain_every_registered_code_is_known)
{
    const struct expected_code *e = &expected[_i];
    sls_code_info info;
    ck_assert_int_eq(sls_explain_code(e->code, &info), 0);
    ck_assert_uint_eq(info.code, e->code);
    ck_assert_msg(info.known == 1, "%u not known", e->code);
    ck_assert_int_eq((int)info.cls, (int)(e->code / 100));
    ck_assert_int_eq(info.is_final, e->code >= 200);
    ck_assert_int_eq(info.obsolete, e->obsolete);
    ck_assert_str_eq(info.reason, e->reason);
    ck_assert_str_eq(info.rfc, e->rfc);
    assert_filled(&info);

    /* Reports print the summary alone, so it must name the code. */
    char tag[8];
    snprintf(tag, sizeof tag, "(%u)", e->code);
    ck_assert_msg(strstr(info.summary, tag) != NULL, "%u: summary lacks %s",
                  e->code, tag);
}
END_TEST

START_TEST(test_explain_spot_check_reason_phrases)
{
    static const struct {
        unsigned code;
        const char *reason;
    } spots[] = {
        {180, "Ringing"},          {404, "Not Found"},
        {486, "Busy Here"},        {487, "Request Terminated"},
        {488, "Not Acceptable Here"}, {503, "Service Unavailable"},
        {603, "Decline"},          {607, "Unwanted"},
        {608, "Rejected"},         {413, "Request Entity Too Large"},
        {555, "Push Notification Service Not Supported"},
        {202, "Accepted"},         {204, "No Notification"},
    };
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        sls_code_info info;
        ck_assert_int_eq(sls_explain_code(spots[i].code, &info), 0);
        ck_assert_str_eq(info.reason, spots[i].reason);
    }
}
END_TEST

/* Unregistered codes get their class's explanation; RFC 3261 8.1.3.2 maps
 * an unknown final code to the x00 of its class and an unknown 1xx to 183. */
START_TEST(test_explain_unknown_code_explained_by_class)
{
    static const struct {
        unsigned code;
        enum sls_code_class cls;
        const char *reason;
        const char *treat_as;
    } unk[] = {
        {150, SLS_CLASS_PROVISIONAL, "Provisional", "183"},
        {299, SLS_CLASS_SUCCESS, "Success", "200"},
        {399, SLS_CLASS_REDIRECTION, "Redirection", "300"},
        {418, SLS_CLASS_CLIENT_ERROR, "Client Error", "400"},
        {471, SLS_CLASS_CLIENT_ERROR, "Client Error", "400"},
        {599, SLS_CLASS_SERVER_ERROR, "Server Error", "500"},
        {699, SLS_CLASS_GLOBAL_FAILURE, "Global Failure", "600"},
    };
    for (size_t i = 0; i < sizeof unk / sizeof unk[0]; i++) {
        sls_code_info info;
        ck_assert_int_eq(sls_explain_code(unk[i].code, &info), 0);
        ck_assert_uint_eq(info.code, unk[i].code);
        ck_assert_int_eq(info.known, 0);
        ck_assert_int_eq(info.obsolete, 0);
        ck_assert_int_eq((int)info.cls, (int)unk[i].cls);
        ck_assert_int_eq(info.is_final, unk[i].code >= 200);
        ck_assert_str_eq(info.reason, unk[i].reason);
        ck_assert_str_eq(info.reason, sls_code_class_name(unk[i].cls));
        assert_filled(&info);
        ck_assert_msg(strstr(info.meaning, unk[i].treat_as) != NULL,
                      "%u: meaning does not say to treat it as %s",
                      unk[i].code, unk[i].treat_as);
        ck_assert_msg(strstr(info.meaning, "8.1.3.2") != NULL,
                      "%u: meaning does not cite RFC 3261 8.1.3.2", unk[i].code);
    }
}
END_TEST

START_TEST(test_explain_out_of_range_is_ERANGE)
{
    static const unsigned bad[] = {0, 1, 99, 700, 999, 1000, 4294967295u};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sls_code_info info;
        memset(&info, 0xA5, sizeof info);
        ck_assert_int_eq(sls_explain_code(bad[i], &info), SLS_ERANGE);
        ck_assert_uint_eq(info.code, bad[i]);
        ck_assert_int_eq((int)info.cls, (int)SLS_CLASS_INVALID);
        ck_assert_int_eq(info.known, 0);
        ck_assert_int_eq(info.is_final, 0);
        ck_assert_int_eq(info.obsolete, 0);
        ck_assert_str_eq(info.reason, "Invalid");
        assert_filled(&info);
    }
}
END_TEST

START_TEST(test_explain_null_info_is_EINVAL)
{
    ck_assert_int_eq(sls_explain_code(486, NULL), SLS_EINVAL);
    ck_assert_int_eq(sls_explain_code(7, NULL), SLS_EINVAL);
}
END_TEST

/* Every code 100..699 answers, and the binary search agrees with a linear
 * scan of the table. */
START_TEST(test_explain_every_code_100_to_699_consistent_with_table)
{
    unsigned n = 0;
    const sls_code_info *t = sls_explain_table(&n);
    for (unsigned c = 100; c <= 699; c++) {
        int in_table = 0;
        for (unsigned k = 0; k < n; k++)
            if (t[k].code == c)
                in_table = 1;
        sls_code_info info;
        ck_assert_int_eq(sls_explain_code(c, &info), 0);
        ck_assert_uint_eq(info.code, c);
        ck_assert_int_eq(info.known, in_table);
        ck_assert_int_eq((int)info.cls, (int)(c / 100));
        ck_assert_int_eq(info.is_final, c >= 200);
        assert_filled(&info);
    }
}
END_TEST

START_TEST(test_explain_table_sorted_unique_and_complete)
{
    unsigned n = 0;
    const sls_code_info *t = sls_explain_table(&n);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(n, (unsigned)N_EXPECTED);
    ck_assert_ptr_eq(sls_explain_table(NULL), t);
    for (unsigned k = 0; k < n; k++) {
        if (k > 0)
            ck_assert_msg(t[k - 1].code < t[k].code, "table order broken at %u",
                          t[k].code);
        /* Same list as the expected one, in the same order. */
        ck_assert_uint_eq(t[k].code, expected[k].code);
        ck_assert_int_eq(t[k].known, 1);
        ck_assert_int_eq(t[k].is_final, t[k].code >= 200);
        ck_assert_int_eq((int)t[k].cls, (int)(t[k].code / 100));
        ck_assert_msg(strncmp(t[k].rfc, "RFC ", 4) == 0, "%u: rfc \"%s\"",
                      t[k].code, t[k].rfc);
        assert_filled(&t[k]);
    }
}
END_TEST

START_TEST(test_explain_obsolete_flag_only_on_RFC2543_codes)
{
    unsigned n = 0;
    const sls_code_info *t = sls_explain_table(&n);
    unsigned obsolete = 0;
    for (unsigned k = 0; k < n; k++) {
        if (t[k].obsolete) {
            obsolete++;
            ck_assert_msg(t[k].code == 409 || t[k].code == 411,
                          "%u flagged obsolete", t[k].code);
            ck_assert_str_eq(t[k].rfc, "RFC 2543");
        } else {
            ck_assert_str_ne(t[k].rfc, "RFC 2543");
        }
    }
    ck_assert_uint_eq(obsolete, 2);
}
END_TEST

START_TEST(test_explain_class_names)
{
    ck_assert_str_eq(sls_code_class_name(SLS_CLASS_PROVISIONAL), "Provisional");
    ck_assert_str_eq(sls_code_class_name(SLS_CLASS_SUCCESS), "Success");
    ck_assert_str_eq(sls_code_class_name(SLS_CLASS_REDIRECTION), "Redirection");
    ck_assert_str_eq(sls_code_class_name(SLS_CLASS_CLIENT_ERROR), "Client Error");
    ck_assert_str_eq(sls_code_class_name(SLS_CLASS_SERVER_ERROR), "Server Error");
    ck_assert_str_eq(sls_code_class_name(SLS_CLASS_GLOBAL_FAILURE), "Global Failure");
    ck_assert_str_eq(sls_code_class_name(SLS_CLASS_INVALID), "Invalid");
    ck_assert_str_eq(sls_code_class_name((enum sls_code_class)42), "Invalid");
}
END_TEST

/* ---- seed texts ---- */

/* The seeds concatenated, or NULL when the directory is absent (the suite
 * then skips the seed checks: the shared directory is not part of a
 * release tarball). Caller frees. */
static char *load_seeds(size_t *len_out)
{
    const char *dir = SLS_SHARED_DIR "/seeds";
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    char *all = NULL;
    size_t len = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        int w = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ck_assert(w > 0 && (size_t)w < sizeof path);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        FILE *f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        size_t sz = (size_t)st.st_size;
        char *grown = realloc(all, len + sz + 2);
        ck_assert_ptr_nonnull(grown);
        all = grown;
        size_t got = fread(all + len, 1, sz, f);
        fclose(f);
        ck_assert_uint_eq(got, sz);
        len += got;
        all[len++] = '\n'; /* files never run into each other */
        all[len] = '\0';
    }
    closedir(d);
    if (all == NULL) {
        all = calloc(1, 1);
        ck_assert_ptr_nonnull(all);
    }
    *len_out = len;
    return all;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Marks in seen[] the numbers 100..699 the text uses as response codes:
 * exactly three digits, and either first on a line ("486 Busy Here",
 * " 100 Trying") or followed by a space and a capital ("a 503 Service
 * Unavailable"). That leaves out years, RFC numbers, dates and counts. */
static unsigned scan_codes(const char *s, size_t len, unsigned char seen[700])
{
    unsigned distinct = 0;
    for (size_t i = 0; i + 3 <= len; i++) {
        if (!is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2]))
            continue;
        if (i > 0 && (is_alnum(s[i - 1]) || strchr(".,-/:", s[i - 1]) != NULL))
            continue;
        if (i + 3 < len && (is_alnum(s[i + 3]) || s[i + 3] == '.' ||
                            s[i + 3] == ',' || s[i + 3] == '-'))
            continue;
        unsigned v = (unsigned)(s[i] - '0') * 100 + (unsigned)(s[i + 1] - '0') * 10 +
                     (unsigned)(s[i + 2] - '0');
        if (v < 100 || v > 699)
            continue;
        size_t b = i;
        while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t'))
            b--;
        int line_start = b == 0 || s[b - 1] == '\n' || s[b - 1] == '\r';
        int before_word = i + 4 < len && s[i + 3] == ' ' && s[i + 4] >= 'A' &&
                          s[i + 4] <= 'Z';
        if (!line_start && !before_word)
            continue;
        if (!seen[v])
            distinct++;
        seen[v] = 1;
    }
    return distinct;
}

START_TEST(test_explain_scan_codes_ignores_years_and_rfc_numbers)
{
    static const char text[] =
        "As of 27 January 2023, RFC 3261 defines 50 codes.\n"
        "  486 Busy Here\n"
        "Archived 2021-04-12; version 1.0.\n"
        "After 183 the callee sent a 503 Service Unavailable.\n"
        "Page 124 of 300 pages, 14 SIP requests, 1xx codes.\n";
    unsigned char seen[700] = {0};
    ck_assert_uint_eq(scan_codes(text, sizeof text - 1, seen), 2);
    ck_assert(seen[486] && seen[503]);
}
END_TEST

START_TEST(test_explain_every_seed_code_is_known)
{
    size_t len = 0;
    char *seeds = load_seeds(&len);
    if (seeds == NULL)
        return; /* no shared seeds here: nothing to compare against */
    unsigned char seen[700] = {0};
    unsigned distinct = scan_codes(seeds, len, seen);
    free(seeds);
    ck_assert_msg(distinct > 0, "no response code found in the seeds");
    for (unsigned c = 100; c <= 699; c++) {
        if (!seen[c])
            continue;
        sls_code_info info;
        ck_assert_int_eq(sls_explain_code(c, &info), 0);
        ck_assert_msg(info.known == 1, "seed code %u is not in the table", c);
    }
}
END_TEST

/* Every code of the expected list that the seeds mention anywhere (with the
 * looser test "three digits standing alone") is in the table. */
START_TEST(test_explain_expected_codes_mentioned_in_seeds_are_known)
{
    size_t len = 0;
    char *seeds = load_seeds(&len);
    if (seeds == NULL)
        return;
    unsigned mentioned = 0;
    for (int k = 0; k < N_EXPECTED; k++) {
        char num[4];
        snprintf(num, sizeof num, "%u", expected[k].code);
        for (const char *p = strstr(seeds, num); p != NULL; p = strstr(p + 1, num)) {
            if ((p > seeds && is_digit(p[-1])) || is_digit(p[3]))
                continue;
            sls_code_info info;
            ck_assert_int_eq(sls_explain_code(expected[k].code, &info), 0);
            ck_assert_int_eq(info.known, 1);
            mentioned++;
            break;
        }
    }
    free(seeds);
    ck_assert_msg(mentioned > 0, "the seeds mention none of the codes");
}
END_TEST

/* The explanations are written in our own words: no 40-character run of
 * any of them, starting at a word, appears verbatim in the seeds. */
START_TEST(test_explain_text_not_copied_from_seeds)
{
    enum { WINDOW = 40 };
    size_t len = 0;
    char *seeds = load_seeds(&len);
    if (seeds == NULL)
        return;
    unsigned n = 0;
    const sls_code_info *t = sls_explain_table(&n);
    for (unsigned k = 0; k < n; k++) {
        const char *fields[] = {t[k].meaning, t[k].causes, t[k].summary};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            const char *s = fields[f];
            size_t sl = strlen(s);
            for (size_t i = 0; i + WINDOW <= sl; i++) {
                if (i > 0 && s[i - 1] != ' ')
                    continue;
                char win[WINDOW + 1];
                memcpy(win, s + i, WINDOW);
                win[WINDOW] = '\0';
                ck_assert_msg(strstr(seeds, win) == NULL,
                              "%u: \"%s\" copied from a seed", t[k].code, win);
            }
        }
    }
    free(seeds);
}
END_TEST

static Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");

    TCase *tc = tcase_create("table");
    tcase_add_loop_test(tc, test_explain_every_registered_code_is_known, 0,
                        N_EXPECTED);
    tcase_add_test(tc, test_explain_spot_check_reason_phrases);
    tcase_add_test(tc, test_explain_table_sorted_unique_and_complete);
    tcase_add_test(tc, test_explain_obsolete_flag_only_on_RFC2543_codes);
    tcase_add_test(tc, test_explain_class_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("lookup");
    tcase_add_test(tc, test_explain_unknown_code_explained_by_class);
    tcase_add_test(tc, test_explain_out_of_range_is_ERANGE);
    tcase_add_test(tc, test_explain_null_info_is_EINVAL);
    tcase_add_test(tc, test_explain_every_code_100_to_699_consistent_with_table);
    suite_add_tcase(s, tc);

    tc = tcase_create("seeds");
    tcase_set_timeout(tc, 60); /* the copy check is slow under valgrind */
    tcase_add_test(tc, test_explain_scan_codes_ignores_years_and_rfc_numbers);
    tcase_add_test(tc, test_explain_every_seed_code_is_known);
    tcase_add_test(tc, test_explain_expected_codes_mentioned_in_seeds_are_known);
    tcase_add_test(tc, test_explain_text_not_copied_from_seeds);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return sls_check_run(explain_suite());
}
