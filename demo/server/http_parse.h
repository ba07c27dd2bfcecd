/*
 * http_parse.h — the demo server's HTTP/1.x request parser and the small decoders it needs
 * (percent-decoding, query/form fields, cookies, request-path cleaning). Pure functions over
 * caller-owned bytes: no allocation, no I/O, so the fuzz target (tests/fuzz/fuzz_demo_http.c)
 * can drive every one of them with arbitrary input.
 */
#ifndef DEMO_HTTP_PARSE_H
#define DEMO_HTTP_PARSE_H

#include <stddef.h>

#define DH_MAX_HEADERS 64
#define DH_MAX_HEAD    16384 /* request line + headers */

typedef enum dh_status {
    DH_OK = 0,
    DH_INCOMPLETE, /* need more bytes: no blank line yet */
    DH_BAD,        /* malformed: answer 400 */
    DH_TOO_LARGE,  /* head larger than DH_MAX_HEAD or too many headers: answer 431 */
    DH_UNSUPPORTED /* valid but not handled (HTTP/2 preface, chunked body): answer 501 */
} dh_status;

/* A slice of the caller's buffer (not NUL-terminated). */
typedef struct dh_slice {
    const char *p;
    size_t n;
} dh_slice;

typedef struct dh_header {
    dh_slice name;
    dh_slice value; /* leading/trailing blanks trimmed */
} dh_header;

typedef struct dh_request {
    dh_slice method;
    dh_slice target; /* origin-form: path plus optional ?query */
    dh_slice path;   /* target up to '?' (still percent-encoded) */
    dh_slice query;  /* after '?', empty if none */
    int version_minor;
    dh_header headers[DH_MAX_HEADERS];
    size_t n_headers;
    long long content_length; /* -1 when absent */
    size_t head_len;          /* bytes up to and including the blank line */
    const char *error;        /* why DH_BAD / DH_TOO_LARGE / DH_UNSUPPORTED */
} dh_request;

/* Parses the request head at buf[0..len). */
dh_status dh_parse_head(const char *buf, size_t len, dh_request *req);

/* Case-insensitive header lookup; NULL when absent. */
const dh_slice *dh_header_get(const dh_request *req, const char *name);

/*
 * Percent-decodes in[0..n) into out (capacity cap, always NUL-terminated when cap > 0).
 * plus_is_space turns '+' into ' ' (form encoding). Returns the decoded length, or -1 when
 * the output does not fit or the input has an invalid escape or a decoded NUL.
 */
long dh_pct_decode(const char *in, size_t n, int plus_is_space, char *out, size_t cap);

/*
 * Finds field `name` in an application/x-www-form-urlencoded string (query or body) and
 * decodes its first value into out. Returns the length, -1 if absent or undecodable.
 */
long dh_form_get(const char *form, size_t n, const char *name, char *out, size_t cap);

/* Finds cookie `name` in a Cookie header value. Returns the length, -1 if absent, too long
 * or holding a control byte. */
long dh_cookie_get(const char *header, size_t n, const char *name, char *out, size_t cap);

/*
 * Decodes and normalises a request path into out: must start with '/', no NUL, no '\\',
 * no "." or ".." segment, repeated '/' collapsed, trailing '/' dropped (except "/").
 * Returns the length, or -1 when the path is rejected.
 */
long dh_path_clean(const char *raw, size_t n, char *out, size_t cap);

#endif
