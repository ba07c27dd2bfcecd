/* fuzz_decode_multipart.c — multipart/form-data bodies (Meta's sendBeacon) with the boundary
 * "b" and with a boundary taken from the input's first line. */
#include "fuzz_decode_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pw_catalog *c = fuzz_catalog("");
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_request r = {.method = "POST",
                    .url = "https://www.facebook.com/tr/",
                    .body = data,
                    .body_len = size,
                    .content_type = "multipart/form-data; boundary=b"};
    fuzz_decode_check(c, &a, &r);
    const char *nl = memchr(data, '\n', size);
    if (nl) {
        size_t n = (size_t)(nl - (const char *)data);
        char *ct =
            pw_arena_sprintf(&a, "multipart/form-data; boundary=%.*s", (int)n, (const char *)data);
        r.content_type = ct;
        r.body = (const unsigned char *)nl + 1;
        r.body_len = size - n - 1;
        fuzz_decode_check(c, &a, &r);
    }
    pw_arena_free(&a);
    return 0;
}
