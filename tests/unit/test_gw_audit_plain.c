/* test_gw_audit_plain.c — pw_audit_json_plain, the audit record's check that a string needs no
 * JSON escaping (then copied as it is), tests sixteen bytes (SSE2), then eight at a time: it must
 * answer exactly as
 * the byte-by-byte rule (a byte below 0x20, from 0x7f on, '"' or '\\'), for every byte value at
 * every position of strings up to three words and a tail long, and next to neighbours that could
 * carry or borrow into it. */
#include <string.h>

#include "audit_internal.h"
#include "pw_test.h"

static int plain_bytewise(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

static void every_byte_everywhere(void)
{
    static const unsigned char fill[] = {'a', 0x20, 0x7e, 0x21, 0x5b, 0x23};
    char s[48];
    int wrong = 0;
    for (size_t f = 0; f < sizeof fill; f++)
        for (size_t n = 1; n <= 43; n++) /* two SSE2 blocks, a word and a tail */
            for (size_t at = 0; at < n; at++)
                for (int c = 0; c < 256; c++) {
                    memset(s, fill[f], sizeof s);
                    s[at] = (char)c;
                    wrong += pw_audit_json_plain(s, n) != plain_bytewise(s, n);
                }
    CHECK_INT(wrong, 0);
    CHECK_INT(pw_audit_json_plain("", 0), 1);
    CHECK_INT(pw_audit_json_plain("0b7c6f0e-8a1d-4c1e-9a57-3f2d1c0b9a88", 36), 1);
    CHECK_INT(pw_audit_json_plain("meta.allow.Schedule \"x\"", 23), 0);
}

static void random_strings(void)
{
    uint64_t state = 0x9e3779b97f4a7c15ull;
    char s[64];
    int wrong = 0;
    for (int round = 0; round < 200000; round++) {
        size_t n = pw_test_rnd(&state, 64);
        /* mostly printable, so that plain strings are common */
        for (size_t i = 0; i < n; i++)
            s[i] = (char)(pw_test_rnd(&state, 50) ? 0x20 + pw_test_rnd(&state, 0x5f)
                                                  : pw_test_rnd(&state, 256));
        wrong += pw_audit_json_plain(s, n) != plain_bytewise(s, n);
    }
    CHECK_INT(wrong, 0);
}

PW_TEST_MAIN(PW_TEST(every_byte_everywhere), PW_TEST(random_strings))
