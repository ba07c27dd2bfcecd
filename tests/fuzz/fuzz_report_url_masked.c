/* fuzz_report_url_masked.c — pw_report_url_masked, how the text and HTML reports name a page
 * (docs/report-formats.md: a page URL's query values are never printed): whatever the URL, after
 * the first '?' of the output each '&'-separated piece is empty, "…", "name=" or "name=…" with a
 * name free of '=', so no value a visitor typed into a form reaches the report through a page
 * line. */
#include "pw_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/buf.h"
#include "report/report_internal.h"

static const char ellipsis[] = "…";

/* q[0..n) is one masked piece of a query. */
static int masked_piece(const char *q, size_t n)
{
    size_t el = sizeof ellipsis - 1;
    if (n == 0 || (n == el && memcmp(q, ellipsis, el) == 0))
        return 1;
    const char *eq = memchr(q, '=', n);
    if (!eq)
        return 0;
    size_t rest = n - (size_t)(eq - q) - 1;
    return rest == 0 || (rest == el && memcmp(eq + 1, ellipsis, el) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0'; /* a page URL is a C string: what follows a NUL is not part of it */
    pw_buf b;
    pw_buf_init(&b);
    pw_report_url_masked(&b, url);
    const char *o = b.data ? b.data : "";
    const char *q = memchr(o, '?', b.len);
    for (size_t i = q ? (size_t)(q - o) + 1 : b.len; i <= b.len && q;) {
        size_t end = i;
        while (end < b.len && o[end] != '&')
            end++;
        FUZZ_ASSERT(masked_piece(o + i, end - i));
        i = end + 1;
    }
    pw_buf_free(&b);
    free(url);
    return 0;
}
