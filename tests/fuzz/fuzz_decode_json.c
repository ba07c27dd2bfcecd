/* fuzz_decode_json.c — JSON bodies (TikTok, LinkedIn, Segment via the generic decoder) and
 * JSON-valued parameters (Meta's cd[buttonFeatures]) flattened with yajl. */
#include "fuzz_decode_common.h"
#include "phiwall/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pw_catalog *c = fuzz_catalog("");
    pw_arena a;
    pw_arena_init(&a, 0);
    static const char *const urls[] = {"https://analytics.tiktok.com/api/v2/pixel",
                                       "https://px.ads.linkedin.com/wa/",
                                       "https://api.segment.io/v1/t"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        pw_request r = {.method = "POST",
                        .url = urls[i],
                        .body = data,
                        .body_len = size,
                        .content_type = i == 2 ? "text/plain" : "application/json"};
        fuzz_decode_check(c, &a, &r);
    }
    char *enc = pw_pct_encode(&a, (const char *)data, size);
    if (enc) {
        char *url = pw_arena_sprintf(&a,
                                     "https://www.facebook.com/tr/?id=1&cd[buttonFeatures]=%s"
                                     "&ed=%s",
                                     enc, enc);
        pw_request g = {.method = "GET", .url = url};
        fuzz_decode_check(c, &a, &g);
        url = pw_arena_sprintf(&a, "https://ct.pinterest.com/v3/?tid=1&ed=%s&pd=%s", enc, enc);
        g.url = url;
        fuzz_decode_check(c, &a, &g);
    }
    pw_arena_free(&a);
    return 0;
}
