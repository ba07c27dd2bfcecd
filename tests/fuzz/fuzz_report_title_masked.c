/* fuzz_report_title_masked.c — pw_report_title_masked, how the HTML report shows a page title
 * (docs/report-formats.md): input is "URL\nTITLE". Whatever they hold, a value of the URL's query
 * made of ASCII letters and digits (3 bytes or more, a letter among them) never survives in the
 * output (case-insensitively): each kept run of the title holds no occurrence of it, and the "…"
 * between runs cannot be part of one. A URL without a query leaves the title as it is. */
#include "pw_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phiwall/arena.h"
#include "phiwall/buf.h"
#include "phiwall/url.h"
#include "report/report_internal.h"

static int alnum_value(const char *v, size_t n)
{
    int letter = 0;
    if (n < 3)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        int alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        if (!alpha && !(c >= '0' && c <= '9'))
            return 0;
        letter |= alpha;
    }
    return letter;
}

static int contains_ci(const char *hay, size_t hn, const char *v, size_t vn)
{
    for (size_t i = 0; i + vn <= hn; i++)
        if (strncasecmp(hay + i, v, vn) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    char *nl = strchr(in, '\n');
    if (!nl) {
        free(in);
        return 0;
    }
    *nl = '\0';
    const char *url = in, *title = nl + 1;
    pw_buf b;
    pw_buf_init(&b);
    pw_report_title_masked(&b, title, url);
    const char *o = b.data ? b.data : "";
    pw_url u;
    if (!strstr(url, "://") || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK || !u.query.n) {
        FUZZ_ASSERT(b.len == strlen(title) && memcmp(o, title, b.len) == 0);
    } else {
        pw_arena a;
        pw_arena_init(&a, 0);
        pw_kv *kv = NULL;
        size_t n = 0;
        if (pw_form_parse(&a, u.query.p, u.query.n, u.query.n + 1, &kv, &n, NULL) != PW_OK)
            n = 0;
        for (size_t i = 0; i < n; i++)
            if (alnum_value(kv[i].value, kv[i].value_len))
                FUZZ_ASSERT(!contains_ci(o, b.len, kv[i].value, kv[i].value_len));
        pw_arena_free(&a);
    }
    pw_buf_free(&b);
    free(in);
    return 0;
}
