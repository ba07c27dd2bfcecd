/*
 * browser_http.c — one HTTP GET for the browser capture source: robots.txt and sitemap.xml of
 * the audited site, and the local copies served for --map-host. Bounded in time and size;
 * redirects followed (at most 5, http and https only). The static scan's libcurl fetch does it.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"
#include "capture/static_int.h"

void bx_http_result_free(bx_http_result *r)
{
    free(r->content_type);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* The static scan's GET (static_fetch.c), reading any type of answer. */
pw_status bx_http_get(const char *url, long timeout_ms, size_t max_bytes, bx_http_result *out,
                      pw_err *err)
{
    memset(out, 0, sizeof *out);
    pw_sx_fetch f;
    pw_status st = pw_sx_fetch_any(url, timeout_ms, max_bytes, 5, &f, err);
    if (st != PW_OK)
        return st;
    out->status = f.status;
    out->content_type = f.content_type;
    out->body = f.body;
    out->len = f.len;
    free(f.url);
    return PW_OK;
}
