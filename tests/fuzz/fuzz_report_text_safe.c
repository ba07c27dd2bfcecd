/* fuzz_report_text_safe.c — pw_report_text_safe, the one way the text reports (scan, trackers
 * --decode, audit list, gateway --explain) show what a site or a visitor sent: whatever the bytes,
 * the output is valid UTF-8 without a control character (C0, DEL, C1), a bidirectional override
 * or isolate, and printable ASCII comes out unchanged. */
#include "pw_fuzz.h"
#include <stdint.h>
#include <string.h>

#include "phiwall/buf.h"
#include "phiwall/report.h"

/* Length of the UTF-8 sequence at s, its code point in *cp; 0 when invalid. Written apart from
 * the one under test, from RFC 3629's table. */
static size_t seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] >= 0xC2 && s[0] <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] >= 0xE0 && s[0] <= 0xEF && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return *cp >= 0x800 && (*cp < 0xD800 || *cp > 0xDFFF) ? 3 : 0;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return *cp >= 0x10000 && *cp <= 0x10FFFF ? 4 : 0;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_report_text_safe(&b, (const char *)data, size);
    const unsigned char *o = (const unsigned char *)b.data;
    for (size_t i = 0; i < b.len;) {
        if (o[i] < 0x80) {
            FUZZ_ASSERT(o[i] >= 0x20 && o[i] != 0x7F);
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t n = seq(o + i, b.len - i, &cp);
        FUZZ_ASSERT(n > 0);
        FUZZ_ASSERT(!(cp >= 0x80 && cp <= 0x9F) && !(cp >= 0x202A && cp <= 0x202E) &&
                    !(cp >= 0x2066 && cp <= 0x2069));
        i += n;
    }
    int ascii = 1;
    for (size_t i = 0; i < size && ascii; i++)
        ascii = data[i] >= 0x20 && data[i] < 0x7F;
    if (ascii)
        FUZZ_ASSERT(b.len == size && (size == 0 || memcmp(b.data, data, size) == 0));
    FUZZ_ASSERT(b.len <= size * 6 || size == 0); /* "\u202e" is the longest escape */
    pw_buf_free(&b);
    return 0;
}
