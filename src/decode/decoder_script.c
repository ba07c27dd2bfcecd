/*
 * decoder_script.c — a tracker's code being loaded (fbevents.js, gtm.js, gtag/js, insight.min.js,
 * hotjar-<id>.js, clarity.ms/tag/<id> …): presence, not yet data. Gives a PW_BEACON_SCRIPT with
 * the account the loader names (gtm.js?id=GTM-…, gtag/js?id=G-…, signals/config/<pixel>,
 * hotjar-<site>.js, /tag/<id>) when it can.
 */
#include <string.h>

#include "decode_internal.h"

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int has_prefix(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

/* Paths that load a tracker's code rather than report to it. */
static int loader_path(const char *p, size_t n)
{
    return ends_with(p, n, ".js") || has_prefix(p, n, "/gtag/js") ||
           has_prefix(p, n, "/signals/config/") || has_prefix(p, n, "/gtm.js") ||
           has_prefix(p, n, "/tag/");
}

int dk_is_script_load(const dk_ctx *ctx)
{
    const pw_request *r = ctx->req;
    if (r->body_len)
        return 0;
    int loader = loader_path(ctx->url.path.p, ctx->url.path.n) ||
                 dk_catalog_decoder(ctx->cat, ctx->tracker) == &dk_decoder_script;
    /* a known resource type decides, except that a <script> beacon (JSONP-style conversion
       pings) to a non-loader path is still decoded as the beacon it is */
    if (r->resource_type)
        return strcmp(r->resource_type, "script") == 0 && loader;
    return loader;
}

/* The account a loader path names: /signals/config/<id>, /…/hotjar-<id>.js, /tag/<id>.js. */
static const char *account_from_path(dk_ctx *ctx)
{
    const char *p = ctx->url.path.p;
    size_t n = ctx->url.path.n;
    if (has_prefix(p, n, "/signals/config/")) {
        size_t len = 0;
        while (16 + len < n && p[16 + len] != '/')
            len++;
        return len ? dk_dup(ctx->a, p + 16, len) : NULL;
    }
    if (has_prefix(p, n, "/tag/")) { /* the file itself: "/tag/js/gpt.js" names no account */
        size_t len = 0;
        while (5 + len < n && p[5 + len] != '/' && p[5 + len] != '.')
            len++;
        return len && (5 + len == n || p[5 + len] == '.') ? dk_dup(ctx->a, p + 5, len) : NULL;
    }
    const char *h = memmem(p, n, "hotjar-", 7);
    if (h) {
        size_t start = (size_t)(h - p) + 7, len = 0;
        while (start + len < n && p[start + len] >= '0' && p[start + len] <= '9')
            len++;
        return len ? dk_dup(ctx->a, p + start, len) : NULL;
    }
    return NULL;
}

static const dk_keymap script_map[] = {
    {"id", PW_FIELD_ACCOUNT},    {"tid", PW_FIELD_ACCOUNT}, {"pixel_id", PW_FIELD_ACCOUNT},
    {"sdkid", PW_FIELD_ACCOUNT}, {NULL, PW_FIELD_OTHER},
};

static pw_status decode_script(dk_ctx *ctx, pw_err *err)
{
    dk_builder bb;
    dk_builder_init(ctx, &bb, PW_BEACON_SCRIPT, "script");
    bb.b.account_id = account_from_path(ctx);
    pw_status st = dk_add_pairs(ctx, &bb, &ctx->query, script_map, 1, err);
    if (st != PW_OK)
        return st;
    return dk_emit(ctx, &bb, err);
}

const pw_decoder dk_decoder_script = {"script", decode_script};
