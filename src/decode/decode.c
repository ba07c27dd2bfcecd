/*
 * decode.c — pw_decode: find the catalog entry for a request (or an EasyPrivacy rule, an EasyList
 * host rule, or the unknown-third-party entry), parse its query once, and hand it to the entry's
 * decoder (or to the script decoder when the request only loads the tracker's code).
 */
#include <string.h>

#include "decode_internal.h"
#include "phiwall/text.h"

pw_status dk_request_body_pairs(dk_ctx *ctx, dk_pairs *out, const char **transport, pw_err *err)
{
    const pw_request *r = ctx->req;
    const char *s = (const char *)r->body;
    size_t n = r->body_len;
    const char *ct = r->content_type ? r->content_type : pw_request_header(r, "content-type");
    size_t ctn = ct ? strlen(ct) : 0;
    *transport = "get";
    if (!s || n == 0)
        return PW_OK;
    if (n > DK_MAX_BODY)
        return pw_err_set(err, PW_ERR_LIMIT, "body: %zu bytes exceed the limit of %zu", n,
                          DK_MAX_BODY);
    if (ct && pw_strcasestr_n(ct, ctn, "multipart/form-data")) {
        *transport = "multipart";
        return dk_body_multipart(ctx->a, ct, s, n, out, err);
    }
    if (ct && pw_strcasestr_n(ct, ctn, "x-www-form-urlencoded")) {
        *transport = "form-post";
        return dk_body_form(ctx->a, s, n, out, err);
    }
    if (ct && pw_strcasestr_n(ct, ctn, "json")) {
        *transport = "json";
        return dk_body_json(ctx->a, "", s, n, out, err);
    }
    *transport = "text";
    if (dk_looks_json(s, n))
        return dk_body_json(ctx->a, "", s, n, out, err);
    if (memchr(s, '=', n) && !memchr(s, '\0', n))
        return dk_body_form(ctx->a, s, n, out, err);
    char *raw = dk_dup(ctx->a, s, n);
    if (!raw)
        return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
    return dk_pairs_push(ctx->a, out, "(body)", 6, raw, n, err);
}

static int has_data(const dk_ctx *ctx)
{
    return ctx->url.query.n > 0 || ctx->req->body_len > 0;
}

/* The lower-case URL (its first 2 KiB: all the matcher reads) and page host lists match on. */
typedef struct list_query {
    char url[2048 + 1];
    char page_host[256];
} list_query;

static void list_query_init(list_query *q, const char *url, const char *page_url)
{
    size_t n = strnlen(url, sizeof q->url - 1);
    for (size_t i = 0; i < n; i++)
        q->url[i] = (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] - 'A' + 'a' : url[i]);
    q->url[n] = '\0';
    q->page_host[0] = '\0';
    pw_url pu;
    if (page_url && pw_url_parse(page_url, strlen(page_url), &pu, NULL) == PW_OK &&
        pu.host.n < sizeof q->page_host) {
        for (size_t i = 0; i < pu.host.n; i++) {
            char ch = pu.host.p[i];
            q->page_host[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        q->page_host[pu.host.n] = '\0';
    }
}

/* The filter-list entry of a third-party request and the rule that matched (*rule), or NULL:
 * EasyPrivacy first, then EasyList's host rules (each list with its own exceptions). */
static const pw_tracker *list_tracker(const pw_catalog *c, const char *url, const char *page_url,
                                      const char **rule)
{
    const dk_easyprivacy *ep = dk_catalog_easyprivacy(c), *el = dk_catalog_easylist(c);
    *rule = NULL;
    if (!ep && !el)
        return NULL;
    list_query q;
    list_query_init(&q, url, page_url);
    if ((*rule = dk_easyprivacy_match(ep, q.url, q.page_host)))
        return dk_catalog_easyprivacy_entry(c);
    if ((*rule = dk_easyprivacy_match(el, q.url, q.page_host)))
        return dk_catalog_easylist_entry(c);
    return NULL;
}

/* No catalog entry for the URL: a third-party request is a filter-list tracker or, if it carries
 * data, an unknown third party; anything else gives no beacon. A filter-list hit on a host a
 * catalog entry names (www.google-analytics.com/gtm/js, an endpoint the entry's paths do not
 * list) is that entry's: the host is the vendor's, already reported by its own row, and a second
 * "tracker (EasyPrivacy) at www.google-analytics.com" row beside it would report it twice. */
static const pw_tracker *fallback_tracker(dk_ctx *ctx, int *host_only)
{
    const pw_request *r = ctx->req;
    if (!pw_is_third_party(r->page_url, r->url))
        return NULL;
    const pw_tracker *t = list_tracker(ctx->cat, r->url, r->page_url, &ctx->matched_rule);
    if (t) {
        const pw_tracker *own = dk_catalog_match_host(ctx->cat, ctx->host);
        if (!own)
            return t;
        ctx->matched_rule = NULL; /* matched_rule marks a tracker known only from a list */
        *host_only = 1;
        return own;
    }
    return has_data(ctx) ? dk_catalog_unknown_entry(ctx->cat) : NULL;
}

pw_status pw_decode(const pw_catalog *c, pw_arena *a, const pw_request *req, pw_beacon **out,
                    size_t *n_out, pw_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (!c || !a || !req || !req->url)
        return pw_err_set(err, PW_ERR_INVALID, "decode: catalog, arena, request and URL needed");
    dk_ctx ctx = {.cat = c, .a = a, .req = req};
    if (pw_url_parse(req->url, strlen(req->url), &ctx.url, NULL) != PW_OK)
        return PW_OK; /* data:, blob:, about: … carry nothing off the page */
    ctx.host = pw_url_host_dup(a, &ctx.url);
    if (!ctx.host)
        return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
    int host_only = 0; /* the entry's by its host alone: not its wire format */
    ctx.tracker = dk_catalog_match_parts(c, ctx.host, &ctx.url);
    if (!ctx.tracker)
        ctx.tracker = fallback_tracker(&ctx, &host_only);
    if (!ctx.tracker)
        return PW_OK;
    pw_status st = dk_body_form(a, ctx.url.query.p, ctx.url.query.n, &ctx.query, err);
    if (st != PW_OK) {
        pw_err_prefix(err, "%s: URL query: ", ctx.tracker->id);
        return st;
    }
    const pw_decoder *d = host_only                 ? &dk_decoder_host_only
                          : dk_is_script_load(&ctx) ? &dk_decoder_script
                                                    : dk_catalog_decoder(c, ctx.tracker);
    st = d->decode(&ctx, err);
    if (st != PW_OK)
        pw_err_prefix(err, "%s (%s decoder): ", ctx.tracker->id, d->name);
    *out = ctx.out;
    *n_out = ctx.n_out;
    return st;
}

const pw_tracker *pw_catalog_classify(const pw_catalog *c, const char *url, const char *page_url,
                                      const char **matched_rule)
{
    if (matched_rule)
        *matched_rule = NULL;
    const pw_tracker *t = pw_catalog_match(c, url);
    if (t || !c || !url || !pw_is_third_party(page_url, url))
        return t;
    const char *rule = NULL;
    t = list_tracker(c, url, page_url, &rule);
    pw_url u;
    char host[256];
    if (t && pw_url_parse(url, strlen(url), &u, NULL) == PW_OK && u.host.n &&
        u.host.n < sizeof host) { /* a host a catalog entry names is that entry's (decode) */
        for (size_t i = 0; i < u.host.n; i++)
            host[i] = (char)(u.host.p[i] >= 'A' && u.host.p[i] <= 'Z' ? u.host.p[i] - 'A' + 'a'
                                                                      : u.host.p[i]);
        host[u.host.n] = '\0';
        const pw_tracker *own = dk_catalog_match_host(c, host);
        if (own) {
            t = own;
            rule = NULL;
        }
    }
    if (matched_rule)
        *matched_rule = rule;
    return t;
}
