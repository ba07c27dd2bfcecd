/*
 * site.h — the demo site's pages: a page is demo/site/pages/<path>.html, a block of
 * "key: value" header lines in a leading HTML comment followed by its body. site_render wraps
 * the body in _layout.html, adds the page's tracker tags (or, in the clean variant, the
 * first-party phiwall tag) and fills the {{…}} placeholders, escaping every request-derived value.
 */
#ifndef DEMO_SITE_H
#define DEMO_SITE_H

#include "dbuf.h"

#include <stddef.h>

typedef struct site_cfg {
    const char *root;      /* demo/site */
    const char *clean_dir; /* demo/clean (tag overlay and first-party files) */
    int clean;             /* serve the clean variant */
    const char *gateway;   /* clean variant: the phiwall gateway's event URL ({{gateway}}) */
} site_cfg;

/* What a page render may read from the request. */
typedef struct site_req {
    const char *query; /* raw query string (no '?'), may be empty */
    size_t query_len;
    const char *user; /* logged-in portal user's display name, or NULL */
} site_req;

/* Maps a clean URL path to its page file; returns 0 and fills file, -1 if no page. */
int site_page_file(const site_cfg *cfg, const char *path, char *file, size_t cap);

/* Reads one header field of a page file ("post_redirect", …) into out; -1 if absent. */
int site_page_header(const char *file, const char *key, char *out, size_t cap);

/* Renders the page file as a full HTML document into out. Returns 0 or -1. */
int site_render(const site_cfg *cfg, const char *file, const site_req *req, dbuf *out);

/* Writes sitemap.xml for every page whose header does not say "sitemap: no". */
int site_sitemap(const site_cfg *cfg, const char *origin, dbuf *out);

#endif
