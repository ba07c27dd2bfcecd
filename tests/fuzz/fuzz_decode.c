/* fuzz_decode.c — the whole pw_decode: input line 1 is the URL, line 2 the Content-Type, the
 * rest the body; the catalog includes Debian's EasyPrivacy and EasyList (its host rules, the
 * DK_LIST_HOSTS mode) when installed. The list parser itself: fuzz_filterlist.c. */
#include "fuzz_decode_common.h"

static const char *take_line(pw_arena *a, const uint8_t **p, size_t *n)
{
    const uint8_t *nl = memchr(*p, '\n', *n);
    size_t len = nl ? (size_t)(nl - *p) : *n;
    char *s = pw_arena_strndup(a, (const char *)*p, len);
    *p += len + (nl ? 1 : 0);
    *n -= len + (nl ? 1 : 0);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pw_catalog *c = fuzz_catalog(NULL);
    pw_arena a;
    pw_arena_init(&a, 0);
    const uint8_t *p = data;
    size_t n = size;
    pw_request r = {.method = "POST", .page_url = "https://www.example-hospital.org/x"};
    r.url = take_line(&a, &p, &n);
    r.content_type = take_line(&a, &p, &n);
    r.body = p;
    r.body_len = n;
    fuzz_decode_check(c, &a, &r);
    r.page_url = NULL;
    r.resource_type = "script";
    r.body_len = 0;
    fuzz_decode_check(c, &a, &r);
    pw_arena_free(&a);
    return 0;
}
