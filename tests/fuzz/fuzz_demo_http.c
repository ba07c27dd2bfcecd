/*
 * fuzz_demo_http.c — libFuzzer target for the demo server's request parser and decoders
 * (demo/server/http_parse.c): the request head, header lookup, query/form fields, cookies and
 * path cleaning, all on attacker-controlled bytes. Checks the invariants the server relies on:
 * slices stay inside the input, decoded outputs are NUL-terminated and never contain NUL,
 * a cleaned path starts with '/' and has no "." or ".." segment.
 */
#include "pw_fuzz.h"

#include <string.h>

#include "http_parse.h"

static void check_slice(const char *buf, size_t len, dh_slice s)
{
    if (s.n == 0)
        return;
    FUZZ_ASSERT(s.p >= buf && s.p + s.n <= buf + len);
}

static void check_decoded(const char *out, long n)
{
    if (n < 0)
        return;
    FUZZ_ASSERT(strlen(out) == (size_t)n);
}

static void check_path(const char *out, long n)
{
    if (n < 0)
        return;
    FUZZ_ASSERT(out[0] == '/' && !strstr(out, "/./") && !strstr(out, "/../") && !strstr(out, "//"));
    size_t len = (size_t)n;
    FUZZ_ASSERT(!(len >= 2 && strcmp(out + len - 2, "/.") == 0));
    FUZZ_ASSERT(!(len >= 3 && strcmp(out + len - 3, "/..") == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy so reads past the end are caught by ASan. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    dh_request req;
    dh_status st = dh_parse_head(buf, size, &req);
    char out[2048];
    if (st == DH_OK) {
        check_slice(buf, size, req.method);
        check_slice(buf, size, req.target);
        check_slice(buf, size, req.path);
        check_slice(buf, size, req.query);
        FUZZ_ASSERT(req.head_len <= size && req.n_headers <= DH_MAX_HEADERS);
        for (size_t i = 0; i < req.n_headers; i++) {
            check_slice(buf, size, req.headers[i].name);
            check_slice(buf, size, req.headers[i].value);
        }
        check_path(out, dh_path_clean(req.path.p, req.path.n, out, sizeof out));
        check_decoded(
            out, dh_form_get(req.query.p ? req.query.p : "", req.query.n, "q", out, sizeof out));
        const dh_slice *ck = dh_header_get(&req, "cookie");
        if (ck)
            check_decoded(out, dh_cookie_get(ck->p, ck->n, "rrmc_session", out, sizeof out));
        /* The body (after the head) as a login form. */
        const char *body = buf + req.head_len;
        size_t blen = size - req.head_len;
        check_decoded(out, dh_form_get(body, blen, "username", out, sizeof out));
    }
    /* The raw input through each decoder too. */
    check_decoded(out, dh_pct_decode(buf, size, 1, out, sizeof out));
    check_decoded(out, dh_form_get(buf, size, "password", out, 16));
    check_decoded(out, dh_cookie_get(buf, size, "demo_consent", out, 64));
    check_path(out, dh_path_clean(buf, size, out, sizeof out));
    free(buf);
    return 0;
}
