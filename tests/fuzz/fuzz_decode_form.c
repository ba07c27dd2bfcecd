/* fuzz_decode_form.c — urlencoded bodies and query strings through the Meta, GA4 (batched
 * lines) and generic decoders: any bytes give beacons or an error, never a crash. */
#include <stdlib.h>

#include "fuzz_decode_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pw_catalog *c = fuzz_catalog("");
    pw_arena a;
    pw_arena_init(&a, 0);
    static const char *const urls[] = {"https://www.facebook.com/tr/",
                                       "https://www.google-analytics.com/g/collect?v=2&tid=G-1",
                                       "https://tr.snapchat.com/p", "https://x.unknown.test/c"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        pw_request r = {.method = "POST",
                        .url = urls[i],
                        .page_url = "https://www.example-hospital.org/",
                        .body = data,
                        .body_len = size,
                        .content_type =
                            i == 1 ? "text/plain" : "application/x-www-form-urlencoded"};
        fuzz_decode_check(c, &a, &r);
        pw_arena_reset(&a);
    }
    /* the same bytes as a query string */
    char *url = pw_arena_alloc(&a, size + 40);
    memcpy(url, "https://www.facebook.com/tr/?", 29);
    memcpy(url + 29, data, size);
    url[29 + size] = '\0';
    pw_request g = {.method = "GET", .url = url};
    fuzz_decode_check(c, &a, &g);
    pw_arena_free(&a);
    return 0;
}
