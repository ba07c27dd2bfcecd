/*
 * decode.c — pw_decode: find the catalog entry for a request (or an EasyPrivacy rule, or the
 * unknown-third-party entry), parse its query once, and hand it to the entry's decoder (or to the
 * script decoder when the request only loads the tracker's code).
 */
#include <string.h>

#include "decode_internal.h"
#include "phiwall/text.h"

const char *dk_default_transport(const dk_ctx *ctx)
{
    return ctx->req->body_len ? "text" : "get";
}

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

/* No catalog entry: a third-party request is an EasyPrivacy tracker or, if it carries data, an
 * unknown third party; anything else gives no beacon. */
static const pw_tracker *fallback_tracker(dk_ctx *ctx)
{
    const pw_request *r = ctx->req;
    if (!pw_is_third_party(r->page_url, r->url))
        return NULL;
    const dk_easyprivacy *ep = dk_catalog_easyprivacy(ctx->cat);
    if (ep) {
        char *lower = pw_lower_dup(ctx->a, r->url, strlen(r->url), 1);
        const char *page_host = "";
        pw_url pu;
        if (r->page_url && pw_url_parse(r->page_url, strlen(r->page_url), &pu, NULL) == PW_OK)
            page_host = pw_url_host_dup(ctx->a, &pu);
        const char *rule = lower && page_host ? dk_easyprivacy_match(ep, lower, page_host) : NULL;
        if (rule) {
            ctx->matched_rule = rule;
            return dk_catalog_easyprivacy_entry(ctx->cat);
        }
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
    ctx.tracker = dk_catalog_match_parts(c, ctx.host, &ctx.url);
    if (!ctx.tracker)
        ctx.tracker = fallback_tracker(&ctx);
    if (!ctx.tracker)
        return PW_OK;
    pw_status st = dk_body_form(a, ctx.url.query.p, ctx.url.query.n, &ctx.query, err);
    if (st != PW_OK) {
        pw_err_prefix(err, "%s: URL query: ", ctx.tracker->id);
        return st;
    }
    const pw_decoder *d =
        dk_is_script_load(&ctx) ? &dk_decoder_script : dk_catalog_decoder(c, ctx.tracker);
    st = d->decode(&ctx, err);
    if (st != PW_OK)
        pw_err_prefix(err, "%s (%s decoder): ", ctx.tracker->id, d->name);
    *out = ctx.out;
    *n_out = ctx.n_out;
    return st;
}
