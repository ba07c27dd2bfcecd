/*
 * url.h — split an absolute URL into its parts without copying, and iterate query strings and
 * urlencoded bodies. Used by decode (parameters), detect (URL field mode), assess (page context)
 * and capture (same-site crawling).
 */
#ifndef PHIWALL_URL_H
#define PHIWALL_URL_H

#include <stddef.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A slice of a larger string. */
typedef struct pw_slice {
    const char *p;
    size_t n;
} pw_slice;

typedef struct pw_url {
    pw_slice scheme;   /* "https" */
    pw_slice userinfo; /* rarely present */
    pw_slice host;     /* "www.example.org" or "[::1]" (brackets kept) */
    pw_slice port;     /* "8080" or empty */
    pw_slice path;     /* "/a/b" ("" when absent) */
    pw_slice query;    /* without '?' */
    pw_slice fragment; /* without '#' */
} pw_url;

/* Parse an absolute URL (scheme "://" authority …). PW_ERR_PARSE if it is not one. */
pw_status pw_url_parse(const char *s, size_t n, pw_url *out, pw_err *err);

/* Lower-cased host without brackets or trailing dot, NUL-terminated in the arena. */
char *pw_url_host_dup(pw_arena *a, const pw_url *u);

/* The page a URL stands for, as findings are grouped: lower-cased host, port and path, plus a
 * single-page app's route in the fragment ("#/appointments", "#!/x"); no scheme, query or other
 * fragment, so "/confirm?first_name=Ann" and "/confirm?first_name=Bo" are one page. A URL that
 * does not parse is its own key. Written NUL-terminated into out (cut to cap - 1 bytes);
 * returns the key's full length. */
size_t pw_url_page_key(const char *url, char *out, size_t cap);

/* Resolve `ref` against absolute `base` (links found on a page). NULL when it cannot. `ref` is
 * first cleaned as the WHATWG URL parser does (leading/trailing C0 controls and spaces cut, ASCII
 * tab and newline removed): the URL a browser would request. */
char *pw_url_resolve(pw_arena *a, const char *base, const char *ref);

/* url without its userinfo (http://user:pass@host/ -> http://host/): url itself when it has
 * none, else a copy in a (NULL when out of memory). Credentials given in a start URL are for the
 * site, never for a report or a HAR. */
const char *pw_url_public(pw_arena *a, const char *url);

/* One key=value pair of a query or form body, both percent-decoded once (+ as space). */
typedef struct pw_kv {
    char *key;
    char *value;
    size_t key_len;
    size_t value_len;
} pw_kv;

/*
 * Split "a=1&b=2" (query string or application/x-www-form-urlencoded body) into pairs decoded
 * once. Keys without '=' get an empty value. At most max_pairs are kept (PW_ERR_LIMIT beyond).
 */
pw_status pw_form_parse(pw_arena *a, const char *s, size_t n, size_t max_pairs, pw_kv **out,
                        size_t *n_out, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
