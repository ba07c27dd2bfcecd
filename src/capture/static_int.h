/*
 * static_int.h — (internal) the parts of static triage between the fetch and the tree walk:
 * which character encoding a browser would decode a document with, the decoding to UTF-8 (what
 * libgumbo reads), a link's query encoded the way that page's browser sends it, and the
 * extraction of one fetched document with what it tells the crawl (where it refreshes to).
 */
#ifndef PHIWALL_STATIC_INT_H
#define PHIWALL_STATIC_INT_H

#include <stddef.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"
#include "phiwall/request.h"
#include "phiwall/static_scan.h"

/* ---- character encodings (static_charset.c) ----------------------------------------------- */

/* An encoding of the WHATWG Encoding Standard, as browsers name it ("windows-1252", "UTF-8"). */
typedef struct pw_sx_encoding pw_sx_encoding;

/* The encoding a WHATWG label names ("latin1", "ISO-8859-1" and "us-ascii" name windows-1252,
 * as in every browser), or NULL for a label browsers do not know. Case and surrounding ASCII
 * whitespace are ignored. */
const pw_sx_encoding *pw_sx_encoding_for_label(const char *label, size_t n);
const char *pw_sx_encoding_name(const pw_sx_encoding *e);
int pw_sx_encoding_is_utf8(const pw_sx_encoding *e);

/* The encoding a browser decodes a document with (HTML's "encoding sniffing"): a byte order mark,
 * else the charset parameter of the Content-Type (NULL: none), else a <meta charset> or
 * <meta http-equiv=Content-Type> in its head (the prescan), else UTF-8 when the bytes are valid
 * UTF-8 and windows-1252 when not (what browsers' detectors pick for Western pages). *bom_len is
 * the length of the byte order mark to skip; *why which rule decided ("bom", "http", "meta",
 * "detected"). Never NULL. */
const pw_sx_encoding *pw_sx_sniff(const char *bytes, size_t n, const char *content_type,
                                  size_t *bom_len, const char **why);

/* bytes[0..n) in encoding e as UTF-8 (malloc'd, NUL-terminated, *out_n its length); a byte
 * sequence that is not valid in e becomes U+FFFD, as in a browser. PW_ERR_NOMEM, or
 * PW_ERR_UNSUPPORTED when this system's iconv does not know e (the caller reads the bytes as
 * they are). */
pw_status pw_sx_decode(const pw_sx_encoding *e, const char *bytes, size_t n, char **out,
                       size_t *out_n, pw_err *err);

/* The absolute URL url (UTF-8, as taken from the decoded page) percent-encoded the way a browser
 * sends it from a page in encoding e: the path's bytes outside the URL standard's path set as
 * UTF-8 (%C3%AD), the query's non-ASCII characters in e (windows-1252: %ED; a character e cannot
 * encode as &#N; percent-encoded), its spaces, quotes and <> encoded. In a (NULL: no memory). */
char *pw_sx_encode_url(pw_arena *a, const pw_sx_encoding *e, const char *url);

/* ---- one fetched document (static_extract.c) ---------------------------------------------- */

/* The fetched document: its URL where it landed (after redirects: what relative links resolve
 * against, unless <base href> says otherwise), its Content-Type (NULL: none), its raw bytes. */
typedef struct pw_sx_doc {
    const char *url;
    const char *content_type;
    const char *bytes;
    size_t n;
} pw_sx_doc;

/* What the document tells the crawl beyond its links. */
typedef struct pw_sx_result {
    char *refresh;        /* malloc'd: where a <meta http-equiv=refresh> sends it, or NULL */
    double refresh_delay; /* its delay in seconds */
    const char *encoding; /* static string: the encoding it was decoded with */
} pw_sx_result;

/* pw_static_extract over the document's bytes decoded as a browser would (pw_sx_sniff): the page
 * and its inferred requests to the sink, its links (resolved against <base href> or the URL, and
 * encoded as the page's browser sends them) to on_link. res may be NULL; the caller frees
 * res->refresh. */
pw_status pw_sx_extract(const pw_sx_doc *doc, const pw_capture_sink *sink,
                        pw_static_link_fn on_link, void *link_ctx, pw_sx_result *res, pw_err *err);

/* ---- fetching one page (static_fetch.c) ---------------------------------------------------- */

/* Chromium follows at most 20 redirects per navigation (net::ERR_TOO_MANY_REDIRECTS after). */
#define PW_SX_MAX_REDIRECTS 20

typedef struct pw_sx_fetch {
    long status;
    char *url;          /* where it landed after redirects (CURLINFO_EFFECTIVE_URL) */
    char *content_type; /* or NULL */
    char *body;         /* NUL-terminated; empty when not HTML (never read) */
    size_t len;
    int html;       /* the answer is a document to read (HTML, or no Content-Type) */
    long redirects; /* HTTP redirects followed */
} pw_sx_fetch;

/* 1 if a Content-Type is HTML as far as static triage is concerned (none: sniffed as HTML). */
int pw_sx_is_html(const char *content_type);

/* HTTP credentials for one origin: the user:password@ of a static scan's start URL, sent as HTTP
 * authentication to that origin only (libcurl does not carry them to another host on a redirect)
 * and never part of a URL the scan delivers. Both percent-decoded. */
typedef struct pw_sx_auth {
    const char *origin; /* "scheme://host[:port]", as the start URL spells it */
    const char *user;
    const char *password;
} pw_sx_auth;

/* GET url following at most max_redirs redirects; an HTML body over max_bytes is an error
 * (PW_ERR_LIMIT), a body that is not HTML is not read (out->html 0). Errors name url. auth (or
 * NULL) is used when url is on its origin. */
pw_status pw_sx_fetch_page(const char *url, const pw_sx_auth *auth, long timeout_ms,
                           size_t max_bytes, long max_redirs, pw_sx_fetch *out, pw_err *err);
/* The same GET reading any answer whole, whatever its type (robots.txt, sitemaps, --map-host
 * copies: bx_http_get). */
pw_status pw_sx_fetch_any(const char *url, long timeout_ms, size_t max_bytes, long max_redirs,
                          pw_sx_fetch *out, pw_err *err);
void pw_sx_fetch_free(pw_sx_fetch *f);

#endif
