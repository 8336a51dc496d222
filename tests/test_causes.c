/* Unit tests for the failure-cause module (src/causes.c): Q.850 cause
 * values, SIP warn-codes, and the Reason, Warning and Retry-After parsers.
 *
 * Every parser input is also run from a buffer that ends exactly at an
 * unreadable page, whole and cut at every length, so a read one byte past
 * len crashes the test instead of passing by luck (picohttpparser's test.c
 * does the same). */
#include "sipsleuth/causes.h"
#include "sipsleuth/error.h"

#include "sls_check.h"
#include "sls_guard.h"

#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A string literal with its exact length, embedded NULs included. */
struct input {
    const char *s;
    size_t n;
};
#define IN(lit) {(lit), sizeof(lit) - 1}

/* ------------------------------------------------------------------------
 * Q.850
 * ------------------------------------------------------------------------ */

/* Every cause value ITU-T Q.850 defines: Table 1 of the 05/1998 edition,
 * plus 14 (Addendum 1) and 24 (Amendment 1). 71 values. */
static const unsigned q850_defined[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31,
    34, 38, 39, 40, 41, 42, 43, 44, 46, 47,
    49, 50, 53, 55, 57, 58, 62, 63,
    65, 66, 69, 70, 79,
    81, 82, 83, 84, 85, 86, 87, 88, 90, 91, 95,
    96, 97, 98, 99, 100, 101, 102, 103, 110, 111,
    127,
};
#define Q850_DEFINED_COUNT (sizeof q850_defined / sizeof q850_defined[0])

static int q850_is_defined(unsigned v)
{
    for (size_t i = 0; i < Q850_DEFINED_COUNT; i++)
        if (q850_defined[i] == v)
            return 1;
    return 0;
}

START_TEST(test_q850_defined_list_has_71_values)
{
    ck_assert_uint_eq(Q850_DEFINED_COUNT, 71);
}
END_TEST

START_TEST(test_q850_every_defined_value_is_known_with_name_and_meaning)
{
    unsigned v = q850_defined[_i];
    sls_q850_info info;
    memset(&info, 0xA5, sizeof info);
    ck_assert_int_eq(sls_q850_explain(v, &info), 0);
    ck_assert_uint_eq(info.cause, v);
    ck_assert_msg(info.known == 1, "cause %u not known", v);
    ck_assert_ptr_nonnull(info.name);
    ck_assert_ptr_nonnull(info.meaning);
    ck_assert_msg(info.name[0] != '\0', "cause %u: empty name", v);
    ck_assert_msg(strlen(info.meaning) > 40, "cause %u: meaning too short", v);
}
END_TEST

START_TEST(test_q850_every_value_0_to_127_is_explained_known_only_if_defined)
{
    unsigned v = (unsigned)_i;
    sls_q850_info info;
    ck_assert_int_eq(sls_q850_explain(v, &info), 0);
    ck_assert_uint_eq(info.cause, v);
    ck_assert_int_eq(info.known, q850_is_defined(v));
    ck_assert_ptr_nonnull(info.name);
    ck_assert_ptr_nonnull(info.meaning);
    ck_assert(info.name[0] != '\0');
    ck_assert(info.meaning[0] != '\0');
    if (!info.known)
        ck_assert_uint_eq(info.sip_code, 0);
}
END_TEST

START_TEST(test_q850_names_are_the_official_ones)
{
    static const struct {
        unsigned v;
        const char *name;
    } t[] = {
        {1, "Unallocated (unassigned) number"},
        {16, "Normal call clearing"},
        {17, "User busy"},
        {18, "No user responding"},
        {19, "No answer from user (user alerted)"},
        {20, "Subscriber absent"},
        {21, "Call rejected"},
        {22, "Number changed"},
        {27, "Destination out of order"},
        {28, "Invalid number format (address incomplete)"},
        {31, "Normal, unspecified"},
        {34, "No circuit/channel available"},
        {38, "Network out of order"},
        {41, "Temporary failure"},
        {42, "Switching equipment congestion"},
        {102, "Recovery on timer expiry"},
        {127, "Interworking, unspecified"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        sls_q850_info info;
        ck_assert_int_eq(sls_q850_explain(t[i].v, &info), 0);
        ck_assert_str_eq(info.name, t[i].name);
    }
}
END_TEST

/* RFC 3398 8.2.6.1, which RFC 4497 follows. Every other value maps to 0. */
static const struct {
    unsigned cause, sip;
} q850_sip[] = {
    {1, 404},   {2, 404},   {3, 404},   {17, 486},  {18, 408},  {19, 480},
    {20, 480},  {21, 403},  {22, 410},  {23, 410},  {26, 404},  {27, 502},
    {28, 484},  {29, 501},  {31, 480},  {34, 503},  {38, 503},  {41, 503},
    {42, 503},  {47, 503},  {55, 403},  {57, 403},  {58, 503},  {65, 488},
    {70, 488},  {79, 501},  {87, 403},  {88, 503},  {102, 504}, {111, 500},
    {127, 500},
};

START_TEST(test_q850_maps_to_sip_exactly_as_rfc3398_table)
{
    unsigned v = (unsigned)_i, want = 0;
    for (size_t k = 0; k < sizeof q850_sip / sizeof q850_sip[0]; k++)
        if (q850_sip[k].cause == v)
            want = q850_sip[k].sip;
    sls_q850_info info;
    ck_assert_int_eq(sls_q850_explain(v, &info), 0);
    ck_assert_msg(info.sip_code == want, "cause %u: sip %u, want %u", v,
                  info.sip_code, want);
}
END_TEST

START_TEST(test_q850_spot_checks_busy_congestion_unallocated)
{
    sls_q850_info info;
    ck_assert_int_eq(sls_q850_explain(17, &info), 0);
    ck_assert_uint_eq(info.sip_code, 486);
    ck_assert_int_eq(sls_q850_explain(34, &info), 0);
    ck_assert_uint_eq(info.sip_code, 503);
    ck_assert_int_eq(sls_q850_explain(1, &info), 0);
    ck_assert_uint_eq(info.sip_code, 404);
    ck_assert_int_eq(sls_q850_explain(16, &info), 0);
    ck_assert_uint_eq(info.sip_code, 0); /* a BYE, not a response */
}
END_TEST

START_TEST(test_q850_unassigned_values_are_explained_by_class)
{
    sls_q850_info info;
    ck_assert_int_eq(sls_q850_explain(0, &info), 0);
    ck_assert_int_eq(info.known, 0);
    ck_assert_ptr_nonnull(strstr(info.name, "normal event"));
    ck_assert_int_eq(sls_q850_explain(10, &info), 0);
    ck_assert_int_eq(info.known, 0);
    ck_assert_ptr_nonnull(strstr(info.name, "normal event"));
    ck_assert_int_eq(sls_q850_explain(35, &info), 0);
    ck_assert_int_eq(info.known, 0);
    ck_assert_ptr_nonnull(strstr(info.name, "resource unavailable"));
    ck_assert_int_eq(sls_q850_explain(52, &info), 0);
    ck_assert_ptr_nonnull(strstr(info.name, "not available"));
    ck_assert_int_eq(sls_q850_explain(64, &info), 0);
    ck_assert_ptr_nonnull(strstr(info.name, "not implemented"));
    ck_assert_int_eq(sls_q850_explain(80, &info), 0);
    ck_assert_ptr_nonnull(strstr(info.name, "invalid message"));
    ck_assert_int_eq(sls_q850_explain(104, &info), 0);
    ck_assert_ptr_nonnull(strstr(info.name, "protocol error"));
    ck_assert_int_eq(sls_q850_explain(126, &info), 0);
    ck_assert_int_eq(info.known, 0);
    ck_assert_ptr_nonnull(strstr(info.name, "interworking"));
}
END_TEST

START_TEST(test_q850_above_127_is_out_of_range)
{
    sls_q850_info info;
    ck_assert_int_eq(sls_q850_explain(128, &info), SLS_ERANGE);
    ck_assert_int_eq(info.known, 0);
    ck_assert_ptr_nonnull(info.name);
    ck_assert_int_eq(sls_q850_explain(255, &info), SLS_ERANGE);
    ck_assert_int_eq(sls_q850_explain(UINT_MAX, &info), SLS_ERANGE);
    ck_assert_int_eq(sls_q850_explain(16, NULL), SLS_EINVAL);
}
END_TEST

/* ------------------------------------------------------------------------
 * Warn codes
 * ------------------------------------------------------------------------ */

/* The IANA warn-codes registry: RFC 3261 20.43, RFC 8373 (308), RFC 5630
 * (380, 381). 15 codes. */
static const struct {
    unsigned code;
    const char *name;
} warn_registered[] = {
    {300, "Incompatible network protocol"},
    {301, "Incompatible network address formats"},
    {302, "Incompatible transport protocol"},
    {303, "Incompatible bandwidth units"},
    {304, "Media type not available"},
    {305, "Incompatible media format"},
    {306, "Attribute not understood"},
    {307, "Session description parameter not understood"},
    {308, "Incompatible language specification"},
    {330, "Multicast not available"},
    {331, "Unicast not available"},
    {370, "Insufficient bandwidth"},
    {380, "SIPS Not Allowed"},
    {381, "SIPS Required"},
    {399, "Miscellaneous warning"},
};
#define WARN_COUNT (sizeof warn_registered / sizeof warn_registered[0])

START_TEST(test_warn_every_registered_code_is_known_with_registry_name)
{
    sls_warn_info info;
    ck_assert_int_eq(sls_warning_explain(warn_registered[_i].code, &info), 0);
    ck_assert_uint_eq(info.code, warn_registered[_i].code);
    ck_assert_int_eq(info.known, 1);
    ck_assert_str_eq(info.name, warn_registered[_i].name);
    ck_assert_ptr_nonnull(info.meaning);
    ck_assert(strlen(info.meaning) > 30);
}
END_TEST

START_TEST(test_warn_every_other_3xx_is_unknown_but_explained)
{
    unsigned code = (unsigned)_i;
    int registered = 0;
    for (size_t k = 0; k < WARN_COUNT; k++)
        if (warn_registered[k].code == code)
            registered = 1;
    sls_warn_info info;
    ck_assert_int_eq(sls_warning_explain(code, &info), 0);
    ck_assert_uint_eq(info.code, code);
    ck_assert_int_eq(info.known, registered);
    ck_assert_ptr_nonnull(info.name);
    ck_assert_ptr_nonnull(info.meaning);
    ck_assert(info.name[0] != '\0' && info.meaning[0] != '\0');
}
END_TEST

START_TEST(test_warn_outside_300_399_is_out_of_range)
{
    sls_warn_info info;
    ck_assert_int_eq(sls_warning_explain(299, &info), SLS_ERANGE);
    ck_assert_int_eq(info.known, 0);
    ck_assert_int_eq(sls_warning_explain(400, &info), SLS_ERANGE);
    ck_assert_int_eq(sls_warning_explain(0, &info), SLS_ERANGE);
    ck_assert_int_eq(sls_warning_explain(199, &info), SLS_ERANGE);
    ck_assert_int_eq(sls_warning_explain(399, NULL), SLS_EINVAL);
}
END_TEST

/* ------------------------------------------------------------------------
 * Reason (RFC 3326)
 * ------------------------------------------------------------------------ */

static const char long_text[] =
    "Q.850;cause=16;text=\""
    "0123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789"
    "\"";

static const struct reason_good {
    struct input in;
    enum sls_reason_protocol protocol;
    const char *protocol_name;
    int has_cause;
    unsigned cause;
    const char *text;
} reason_good[] = {
    {IN("Q.850 ;cause=16 ;text=\"Terminated\""), SLS_REASON_Q850, "Q.850", 1, 16, "Terminated"},
    {IN("SIP;cause=480;text=\"Temporarily Unavailable\""), SLS_REASON_SIP, "SIP", 1, 480,
     "Temporarily Unavailable"},
    /* several values: the Q.850 one is preferred */
    {IN("SIP;cause=200;text=\"Call completed elsewhere\", Q.850;cause=26"), SLS_REASON_Q850,
     "Q.850", 1, 26, ""},
    {IN("Q.850;cause=17, SIP;cause=486"), SLS_REASON_Q850, "Q.850", 1, 17, ""},
    {IN("SIP;cause=600, SIP;cause=480"), SLS_REASON_SIP, "SIP", 1, 600, ""},
    /* any order, any case */
    {IN("q.850;TEXT=\"x\";CAUSE=17"), SLS_REASON_Q850, "q.850", 1, 17, "x"},
    {IN("sip;Cause=503"), SLS_REASON_SIP, "sip", 1, 503, ""},
    /* white space wherever SWS is allowed, line folding included */
    {IN("  Q.850 ; cause = 31 ; text = \"a \\\"quoted\\\" word\"  "), SLS_REASON_Q850, "Q.850",
     1, 31, "a \"quoted\" word"},
    {IN("SIP;cause=503\r\n ;text=\"Service\r\n\tUnavailable\""), SLS_REASON_SIP, "SIP", 1, 503,
     "Service Unavailable"},
    {IN("SIP\t;\tcause=487\t,\tQ.850\t;\tcause=16"), SLS_REASON_Q850, "Q.850", 1, 16, ""},
    /* no parameters at all */
    {IN("Q.850"), SLS_REASON_Q850, "Q.850", 0, 0, ""},
    {IN("SIP;text=\"only text\""), SLS_REASON_SIP, "SIP", 0, 0, "only text"},
    /* other protocols, unknown parameters skipped */
    {IN("X-Vendor;cause=7;foo=bar;flag"), SLS_REASON_OTHER, "X-Vendor", 1, 7, ""},
    {IN("Q.850;cause=18;ext=\"quoted, with; comma\";ip=[2001:db8::1];h=gw.example.net"),
     SLS_REASON_Q850, "Q.850", 1, 18, ""},
    {IN("preemption;cause=1;text=\"UA preemption\""), SLS_REASON_OTHER, "preemption", 1, 1,
     "UA preemption"},
    /* numbers: leading zeros, the bound itself */
    {IN("Q.850;cause=016"), SLS_REASON_Q850, "Q.850", 1, 16, ""},
    {IN("SIP;cause=65535"), SLS_REASON_SIP, "SIP", 1, 65535, ""},
    {IN("SIP;cause=0"), SLS_REASON_SIP, "SIP", 1, 0, ""},
    /* UTF-8 text, escaped characters */
    {IN("Q.850;cause=16;text=\"R\xc3\xa9seau occup\xc3\xa9\""), SLS_REASON_Q850, "Q.850", 1, 16,
     "R\xc3\xa9seau occup\xc3\xa9"},
    {IN("Q.850;cause=16;text=\"back\\\\slash \\a\""), SLS_REASON_Q850, "Q.850", 1, 16,
     "back\\slash a"},
    {IN("Q.850;cause=16;text=\"\""), SLS_REASON_Q850, "Q.850", 1, 16, ""},
    /* long protocol token: kept truncated */
    {IN("Very-Long-Protocol-Token;cause=3"), SLS_REASON_OTHER, "Very-Long-Proto", 1, 3, ""},
};

static const struct input reason_bad[] = {
    IN(""),
    IN("   "),
    IN(";cause=16"),
    IN("Q.850;"),
    IN("Q.850;cause="),
    IN("Q.850;cause"),
    IN("Q.850;cause=abc"),
    IN("Q.850;cause=-1"),
    IN("Q.850;cause=+16"),
    IN("Q.850;cause=0x10"),
    IN("Q.850;cause=65536"),
    IN("Q.850;cause=99999999999999999999999"),
    IN("Q.850;cause=16x"),
    IN("Q.850;cause=1 6"),
    IN("Q.850;cause=16;cause=17"),
    IN("Q.850;text=\"a\";text=\"b\""),
    IN("Q.850;text=\"unterminated"),
    IN("Q.850;text=unquoted"),
    IN("Q.850;text"),
    IN("Q.850;text=\"bad escape \\"),
    IN("Q.850;text=\"a\r\nb\""),
    IN("Q.850;text=\"ctl \x01 char\""),
    IN("Q.850;text=\"nul \0 char\""),
    IN("Q.850;cause=16\0"),
    IN("Q.850;cause=16,"),
    IN(",Q.850;cause=16"),
    IN("Q.850;cause=16,,SIP;cause=200"),
    IN("Q.850;;cause=16"),
    IN("Q.850 cause=16"),
    IN("Q.850;cause=16 garbage"),
    IN("Q.850;cause=16;text=\"x\" y"),
    IN("SIP;cause=200, @@@"),
    IN("SIP;cause=200, Q.850;cause=1x"),
    IN("Q.850;x="),
    IN("Q.850;x=[2001:db8::1"),
    IN("Q.850;=16"),
    IN("\"Q.850\";cause=16"),
    IN("Q.850;cause=16\r\n"),
    IN("Q.850;cause=16\r\nSIP"),
};

START_TEST(test_reason_parses_good_values)
{
    const struct reason_good *g = &reason_good[_i];
    struct guard gd;
    guard_open(&gd);
    const char *v = guard_place(&gd, g->in.s, g->in.n);
    sls_reason_hdr r;
    memset(&r, 0x5A, sizeof r);
    ck_assert_msg(sls_reason_parse(v, g->in.n, &r) == 0, "case %d rejected", _i);
    ck_assert_int_eq(r.protocol, g->protocol);
    ck_assert_str_eq(r.protocol_name, g->protocol_name);
    ck_assert_int_eq(r.has_cause, g->has_cause);
    ck_assert_uint_eq(r.cause, g->cause);
    ck_assert_str_eq(r.text, g->text);
    guard_close(&gd);
}
END_TEST

START_TEST(test_reason_rejects_bad_values)
{
    const struct input *b = &reason_bad[_i];
    struct guard gd;
    guard_open(&gd);
    const char *v = guard_place(&gd, b->s, b->n);
    sls_reason_hdr r;
    memset(&r, 0x5A, sizeof r);
    ck_assert_msg(sls_reason_parse(v, b->n, &r) == SLS_EINVAL, "case %d accepted", _i);
    /* a failed parse leaves nothing half-filled */
    ck_assert_int_eq(r.has_cause, 0);
    ck_assert_str_eq(r.text, "");
    guard_close(&gd);
}
END_TEST

START_TEST(test_reason_truncates_long_text_to_field)
{
    sls_reason_hdr r;
    ck_assert_int_eq(sls_reason_parse(long_text, sizeof long_text - 1, &r), 0);
    ck_assert_uint_eq(strlen(r.text), sizeof r.text - 1);
    ck_assert_int_eq(memcmp(r.text, "0123456789", 10), 0);
}
END_TEST

START_TEST(test_reason_truncation_never_splits_a_utf8_character)
{
    /* 126 ASCII bytes then a 2-byte character: it does not fit whole in
     * the 127 bytes available, so it must go whole. */
    char buf[256];
    size_t n = 0;
    const char *head = "Q.850;text=\"";
    memcpy(buf, head, strlen(head));
    n += strlen(head);
    memset(buf + n, 'a', 126);
    n += 126;
    memcpy(buf + n, "\xc3\xa9\"", 3);
    n += 3;
    sls_reason_hdr r;
    ck_assert_int_eq(sls_reason_parse(buf, n, &r), 0);
    ck_assert_uint_eq(strlen(r.text), 126);
    ck_assert_int_eq(r.text[125], 'a');
}
END_TEST

START_TEST(test_reason_null_arguments_are_invalid)
{
    sls_reason_hdr r;
    ck_assert_int_eq(sls_reason_parse(NULL, 5, &r), SLS_EINVAL);
    ck_assert_int_eq(sls_reason_parse("SIP", 3, NULL), SLS_EINVAL);
}
END_TEST

/* Every prefix of every input, ending at the guard page: truncated input is
 * the normal case in a capture and must never be read past. */
static void reason_all_prefixes(const struct input *in)
{
    struct guard gd;
    guard_open(&gd);
    for (size_t n = 0; n <= in->n; n++) {
        const char *v = guard_place(&gd, in->s, n);
        sls_reason_hdr r;
        int rc = sls_reason_parse(v, n, &r);
        ck_assert(rc == 0 || rc == SLS_EINVAL);
        ck_assert(memchr(r.protocol_name, '\0', sizeof r.protocol_name) != NULL);
        ck_assert(memchr(r.text, '\0', sizeof r.text) != NULL);
    }
    guard_close(&gd);
}

START_TEST(test_reason_every_prefix_of_good_values_is_safe)
{
    reason_all_prefixes(&reason_good[_i].in);
}
END_TEST

START_TEST(test_reason_every_prefix_of_bad_values_is_safe)
{
    reason_all_prefixes(&reason_bad[_i]);
}
END_TEST

/* ------------------------------------------------------------------------
 * Warning (RFC 3261 20.43)
 * ------------------------------------------------------------------------ */

static const struct warning_good {
    struct input in;
    unsigned code;
    const char *agent;
    const char *text;
} warning_good[] = {
    {IN("399 example.net \"Callee unreachable\""), 399, "example.net", "Callee unreachable"},
    {IN("304 192.0.2.1:5060 \"Media type not available\""), 304, "192.0.2.1:5060",
     "Media type not available"},
    {IN("370 [2001:db8::1] \"Insufficient bandwidth\""), 370, "[2001:db8::1]",
     "Insufficient bandwidth"},
    {IN("305 [2001:db8::1]:5061 \"Incompatible media format\""), 305, "[2001:db8::1]:5061",
     "Incompatible media format"},
    {IN("399 sbc-1 \"say \\\"hi\\\" now\""), 399, "sbc-1", "say \"hi\" now"},
    {IN("399 a \"first\", 305 b \"second\""), 399, "a", "first"},
    {IN("  301   isi.edu   \"Incompatible network address type 'E.164'\"  "), 301, "isi.edu",
     "Incompatible network address type 'E.164'"},
    {IN("399 gw.example.com \"\""), 399, "gw.example.com", ""},
    {IN("300 host \"t\""), 300, "host", "t"},
};

static const struct input warning_bad[] = {
    IN(""),
    IN("399"),
    IN("399 "),
    IN("399 agent"),
    IN("399 agent "),
    IN("99 a \"x\""),
    IN("3999 a \"x\""),
    IN("39a a \"x\""),
    IN("+399 a \"x\""),
    IN("299 a \"x\""),
    IN("400 a \"x\""),
    IN("199 a \"x\""),
    IN("399a \"x\""),
    IN("399 a\"x\""),
    IN("399 a x"),
    IN("399 \"x\""),
    IN("399 a \"unterminated"),
    IN("399 a \"x\" junk"),
    IN("399 a \"x\";p=1"),
    IN("399 [2001:db8::1 \"x\""),
    IN("399 [] \"x\""),
    IN("399 host:99999 \"x\""),
    IN("399 host: \"x\""),
    IN("399 host:5060x \"x\""),
    IN("399 a \"bad\x01\""),
    IN("399 a \"x\"\0"),
};

START_TEST(test_warning_parses_good_values)
{
    const struct warning_good *g = &warning_good[_i];
    struct guard gd;
    guard_open(&gd);
    const char *v = guard_place(&gd, g->in.s, g->in.n);
    sls_warning_hdr w;
    memset(&w, 0x5A, sizeof w);
    ck_assert_msg(sls_warning_parse(v, g->in.n, &w) == 0, "case %d rejected", _i);
    ck_assert_uint_eq(w.code, g->code);
    ck_assert_str_eq(w.agent, g->agent);
    ck_assert_str_eq(w.text, g->text);
    guard_close(&gd);
}
END_TEST

START_TEST(test_warning_rejects_bad_values)
{
    const struct input *b = &warning_bad[_i];
    struct guard gd;
    guard_open(&gd);
    const char *v = guard_place(&gd, b->s, b->n);
    sls_warning_hdr w;
    ck_assert_msg(sls_warning_parse(v, b->n, &w) == SLS_EINVAL, "case %d accepted", _i);
    ck_assert_uint_eq(w.code, 0);
    guard_close(&gd);
}
END_TEST

static void warning_all_prefixes(const struct input *in)
{
    struct guard gd;
    guard_open(&gd);
    for (size_t n = 0; n <= in->n; n++) {
        const char *v = guard_place(&gd, in->s, n);
        sls_warning_hdr w;
        int rc = sls_warning_parse(v, n, &w);
        ck_assert(rc == 0 || rc == SLS_EINVAL);
    }
    guard_close(&gd);
}

START_TEST(test_warning_every_prefix_of_good_values_is_safe)
{
    warning_all_prefixes(&warning_good[_i].in);
}
END_TEST

START_TEST(test_warning_every_prefix_of_bad_values_is_safe)
{
    warning_all_prefixes(&warning_bad[_i]);
}
END_TEST

START_TEST(test_warning_truncates_long_agent_and_text)
{
    char buf[512];
    size_t n = 0;
    memcpy(buf, "399 ", 4);
    n = 4;
    memset(buf + n, 'h', 100);
    n += 100;
    buf[n++] = ' ';
    buf[n++] = '"';
    memset(buf + n, 't', 200);
    n += 200;
    buf[n++] = '"';
    sls_warning_hdr w;
    ck_assert_int_eq(sls_warning_parse(buf, n, &w), 0);
    ck_assert_uint_eq(strlen(w.agent), sizeof w.agent - 1);
    ck_assert_uint_eq(strlen(w.text), sizeof w.text - 1);
}
END_TEST

/* ------------------------------------------------------------------------
 * Retry-After (RFC 3261 20.33)
 * ------------------------------------------------------------------------ */

static const struct retry_case {
    struct input in;
    int rc;
    uint32_t seconds;
} retry_cases[] = {
    {IN("120"), 0, 120},
    {IN("3600 (in a meeting);duration=1800"), 0, 3600},
    {IN("  18000 ; duration = 3600  "), 0, 18000},
    {IN("0"), 0, 0},
    {IN("0120"), 0, 120},
    {IN("4294967295"), 0, 4294967295u},
    {IN("120(busy)"), 0, 120},
    {IN("120 (a (nested) comment \\) with escape)"), 0, 120},
    {IN("120;foo=bar;baz;q=\"quoted;value\""), 0, 120},
    {IN("120\r\n (folded)"), 0, 120},
    {IN("4294967296"), SLS_ERANGE, 0},
    {IN("99999999999999999999999999"), SLS_ERANGE, 0},
    {IN("4294967296 (too long);duration=5"), SLS_ERANGE, 0},
    {IN("-1"), SLS_EINVAL, 0},
    {IN(""), SLS_EINVAL, 0},
    {IN("   "), SLS_EINVAL, 0},
    {IN("+5"), SLS_EINVAL, 0},
    {IN("1e3"), SLS_EINVAL, 0},
    {IN("12 34"), SLS_EINVAL, 0},
    {IN("120 (unterminated"), SLS_EINVAL, 0},
    {IN("120 (a))"), SLS_EINVAL, 0},
    {IN("120 (x) (y)"), SLS_EINVAL, 0},
    {IN("120;duration="), SLS_EINVAL, 0},
    {IN("120;duration=abc"), SLS_EINVAL, 0},
    {IN("120;duration"), SLS_EINVAL, 0},
    {IN("120;"), SLS_EINVAL, 0},
    {IN("120\r\n(x)"), SLS_EINVAL, 0},
    {IN("120\0"), SLS_EINVAL, 0},
    {IN("99999999999999999999999x"), SLS_EINVAL, 0},
    {IN("(comment) 120"), SLS_EINVAL, 0},
};

START_TEST(test_retry_after_table)
{
    const struct retry_case *c = &retry_cases[_i];
    struct guard gd;
    guard_open(&gd);
    const char *v = guard_place(&gd, c->in.s, c->in.n);
    uint32_t s = 777;
    int rc = sls_retry_after_parse(v, c->in.n, &s);
    ck_assert_msg(rc == c->rc, "case %d: rc %d, want %d", _i, rc, c->rc);
    if (c->rc == 0)
        ck_assert_uint_eq(s, c->seconds);
    else
        ck_assert_uint_eq(s, 777); /* untouched on failure */
    guard_close(&gd);
}
END_TEST

START_TEST(test_retry_after_every_prefix_is_safe)
{
    const struct input *in = &retry_cases[_i].in;
    struct guard gd;
    guard_open(&gd);
    for (size_t n = 0; n <= in->n; n++) {
        const char *v = guard_place(&gd, in->s, n);
        uint32_t s;
        int rc = sls_retry_after_parse(v, n, &s);
        ck_assert(rc == 0 || rc == SLS_EINVAL || rc == SLS_ERANGE);
    }
    guard_close(&gd);
}
END_TEST

START_TEST(test_retry_after_null_arguments_are_invalid)
{
    uint32_t s;
    ck_assert_int_eq(sls_retry_after_parse(NULL, 3, &s), SLS_EINVAL);
    ck_assert_int_eq(sls_retry_after_parse("120", 3, NULL), SLS_EINVAL);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *causes_suite(void)
{
    Suite *s = suite_create("causes");

    TCase *tc = tcase_create("q850");
    tcase_add_test(tc, test_q850_defined_list_has_71_values);
    tcase_add_loop_test(tc, test_q850_every_defined_value_is_known_with_name_and_meaning, 0,
                        (int)Q850_DEFINED_COUNT);
    tcase_add_loop_test(tc, test_q850_every_value_0_to_127_is_explained_known_only_if_defined,
                        0, 128);
    tcase_add_test(tc, test_q850_names_are_the_official_ones);
    tcase_add_loop_test(tc, test_q850_maps_to_sip_exactly_as_rfc3398_table, 0, 128);
    tcase_add_test(tc, test_q850_spot_checks_busy_congestion_unallocated);
    tcase_add_test(tc, test_q850_unassigned_values_are_explained_by_class);
    tcase_add_test(tc, test_q850_above_127_is_out_of_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("warn_codes");
    tcase_add_loop_test(tc, test_warn_every_registered_code_is_known_with_registry_name, 0,
                        (int)WARN_COUNT);
    tcase_add_loop_test(tc, test_warn_every_other_3xx_is_unknown_but_explained, 300, 400);
    tcase_add_test(tc, test_warn_outside_300_399_is_out_of_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("reason");
    tcase_add_loop_test(tc, test_reason_parses_good_values, 0, N(reason_good));
    tcase_add_loop_test(tc, test_reason_rejects_bad_values, 0, N(reason_bad));
    tcase_add_loop_test(tc, test_reason_every_prefix_of_good_values_is_safe, 0, N(reason_good));
    tcase_add_loop_test(tc, test_reason_every_prefix_of_bad_values_is_safe, 0, N(reason_bad));
    tcase_add_test(tc, test_reason_truncates_long_text_to_field);
    tcase_add_test(tc, test_reason_truncation_never_splits_a_utf8_character);
    tcase_add_test(tc, test_reason_null_arguments_are_invalid);
    suite_add_tcase(s, tc);

    tc = tcase_create("warning");
    tcase_add_loop_test(tc, test_warning_parses_good_values, 0, N(warning_good));
    tcase_add_loop_test(tc, test_warning_rejects_bad_values, 0, N(warning_bad));
    tcase_add_loop_test(tc, test_warning_every_prefix_of_good_values_is_safe, 0, N(warning_good));
    tcase_add_loop_test(tc, test_warning_every_prefix_of_bad_values_is_safe, 0, N(warning_bad));
    tcase_add_test(tc, test_warning_truncates_long_agent_and_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("retry_after");
    tcase_add_loop_test(tc, test_retry_after_table, 0, N(retry_cases));
    tcase_add_loop_test(tc, test_retry_after_every_prefix_is_safe, 0, N(retry_cases));
    tcase_add_test(tc, test_retry_after_null_arguments_are_invalid);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return sls_check_run(causes_suite());
}
