/* fuzz_url.c — the util layer's parsers of untrusted text: URL split and resolve, query/form
 * pairs, percent and base64 decoding, JSON string escaping, page keys. Checks slices stay inside
 * input; a page key is NUL-terminated within its buffer, cut consistently, and never holds a
 * query of a URL that parses. */
#include "pw_fuzz.h"
#include <stdint.h>
#include <string.h>

#include "phiwall/arena.h"
#include "phiwall/buf.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

static void check_slice(const char *s, size_t n, pw_slice sl)
{
    if (sl.n)
        FUZZ_ASSERT(sl.p >= s && sl.p + sl.n <= s + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    pw_arena a;
    pw_arena_init(&a, 4096);
    pw_url u;
    if (pw_url_parse(s, size, &u, NULL) == PW_OK) {
        check_slice(s, size, u.scheme);
        check_slice(s, size, u.host);
        check_slice(s, size, u.port);
        check_slice(s, size, u.path);
        check_slice(s, size, u.query);
        check_slice(s, size, u.fragment);
        FUZZ_ASSERT(u.host.n > 0);
        pw_url_host_dup(&a, &u);
    }
    char *z = pw_arena_strndup(&a, s, size);
    pw_url_resolve(&a, "https://www.example.org/a/b/c?x=1", z);
    pw_url_resolve(&a, z, "../d/./e?f#g");
    char key[4096], cut[16];
    size_t klen = pw_url_page_key(z, key, sizeof key), clen = pw_url_page_key(z, cut, sizeof cut);
    FUZZ_ASSERT(klen == clen && strlen(cut) == (clen < sizeof cut ? clen : sizeof cut - 1));
    if (klen < sizeof key) {
        FUZZ_ASSERT(strlen(key) == klen && strncmp(key, cut, strlen(cut)) == 0);
        if (pw_url_parse(z, strlen(z), &u, NULL) == PW_OK)
            FUZZ_ASSERT(strchr(key, '?') == NULL);
    }
    pw_kv *kv;
    size_t n;
    if (pw_form_parse(&a, s, size, 1000, &kv, &n, NULL) == PW_OK)
        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT(kv[i].key_len <= size && kv[i].value_len <= size);
    size_t len;
    char *d = pw_pct_decode(&a, s, size, 1, &len);
    FUZZ_ASSERT(d && len <= size);
    pw_base64_decode(&a, s, size, &len);
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_json_string(&b, s, size);
    pw_buf_free(&b);
    pw_arena_free(&a);
    return 0;
}
