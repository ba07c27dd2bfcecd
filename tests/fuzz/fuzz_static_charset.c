/* fuzz_static_charset.c — libFuzzer target for static triage's decoding of a page
 * (capture/static_charset.c, through pw_sx_extract): the first byte picks the Content-Type the
 * answer came with (a charset label, none, or a bogus one), the rest is the document, whose
 * <meta> prescan, byte order mark and bytes pick the rest. Any bytes must give PW_OK or an
 * error, never a crash or leak; the decoded text is valid UTF-8; every link handed to the crawl
 * is encoded as a browser sends it (nothing but printable ASCII after its host). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/static_int.h"

static const char *const types[] = {
    NULL,
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=ISO-8859-1",
    "text/html; charset=windows-1251",
    "text/html;charset=\"Shift_JIS\"",
    "text/html; charset=euc-kr",
    "text/html; charset=gb18030",
    "text/html; charset=iso-2022-jp",
    "text/html; charset=utf-16le",
    "text/html; charset=x-user-defined",
    "text/html; charset=iso-2022-kr",
    "text/html; charset=klingon",
    "text/html; charset=",
    "text/html; foo=bar; charset=koi8-r",
    "application/xhtml+xml; charset=big5",
};

static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!k || i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

static void check_link(void *ctx, const char *url, const char *text)
{
    (void)ctx, (void)text;
    const char *p = strstr(url, "://");
    if (!p || strcspn(url, ":") != (size_t)(p - url))
        return;
    p += 3;
    p += strcspn(p, "/?#");
    for (; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7E)
            abort();
}

static pw_status touch_page(void *ctx, const pw_page *p, pw_err *err)
{
    (void)ctx, (void)err;
    if (p->title && !valid_utf8((const unsigned char *)p->title, strlen(p->title)))
        abort();
    return PW_OK;
}

static pw_status touch_request(void *ctx, const pw_request *r, pw_err *err)
{
    (void)ctx, (void)err;
    check_link(NULL, r->url, "");
    return PW_OK;
}

static void touch_gap(void *ctx, const pw_capture_gap *g)
{
    (void)ctx;
    if (!g->url || !g->error)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    const char *ct = types[data[0] % (sizeof types / sizeof types[0])];
    const char *bytes = (const char *)data + 1;
    size_t n = size - 1;
    size_t bom;
    const pw_sx_encoding *e = pw_sx_sniff(bytes, n, ct, &bom, NULL);
    if (!e || bom > n)
        abort();
    char *out;
    size_t on;
    if (!pw_sx_encoding_is_utf8(e) &&
        pw_sx_decode(e, bytes + bom, n - bom, &out, &on, NULL) == PW_OK) {
        if (strlen(out) > on || !valid_utf8((const unsigned char *)out, on))
            abort();
        free(out);
    }
    pw_capture_sink sink = {touch_page, touch_request, NULL, touch_gap};
    pw_sx_doc d = {"https://www.example-hospital.org/es/servicios/c%C3%A1ncer?x=1", ct, bytes, n};
    pw_sx_result res;
    pw_err err;
    if (pw_sx_extract(&d, &sink, check_link, NULL, &res, &err) == PW_OK) {
        if (res.refresh)
            check_link(NULL, res.refresh, "");
        free(res.refresh);
    }
    return 0;
}
