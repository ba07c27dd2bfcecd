/*
 * decoder_generic.c — third parties without a protocol of their own (Criteo, Segment, Reddit …,
 * EasyPrivacy matches, unknown hosts): one beacon whose fields are every query and body pair,
 * typed by the key's name (url → page URL, email → user data, q → search term …). Also the shared
 * "query + body → one beacon" routine the vendor decoders build on. An ID sync's partner_id/pid
 * (Tapad's /idsync/…?partner_id=, PubMatic's cl_partner.html?pid=) names the partner it syncs
 * with, not the site's account, and is no account; for an identity graph (the `id-graph`
 * decoder: LiveRamp) no ID is ever the site's account.
 */
#include <string.h>

#include "decode_internal.h"
#include "phiwall/text.h"

pw_status dk_decode_pairs_with(dk_ctx *ctx, pw_beacon_kind kind, const dk_keymap *m,
                               dk_adjust_fn adjust, pw_err *err)
{
    dk_pairs body = {0};
    const char *transport;
    pw_status st = dk_request_body_pairs(ctx, &body, &transport, err);
    if (st != PW_OK)
        return st;
    dk_builder bb;
    dk_builder_init(ctx, &bb, kind, transport);
    st = dk_add_pairs(ctx, &bb, &ctx->query, m, 1, err);
    if (st == PW_OK)
        st = dk_add_pairs(ctx, &bb, &body, m, 1, err);
    if (st == PW_OK && adjust)
        st = adjust(ctx, &bb, &body, err);
    if (st != PW_OK)
        return st;
    return dk_emit(ctx, &bb, err);
}

pw_status dk_decode_pairs(dk_ctx *ctx, pw_beacon_kind kind, const dk_keymap *m, pw_err *err)
{
    return dk_decode_pairs_with(ctx, kind, m, NULL, err);
}

/* 1 if the request is an ID sync between ad-tech companies (/idsync/…, /usersync, cl_partner,
 * cookie match, getuid/setuid): its partner_id / pid names the partner it syncs with, not the
 * site's account. */
static int id_sync(const dk_ctx *ctx)
{
    static const char *const words[] = {"sync", "partner", "match", "getuid", "setuid", NULL};
    const char *p = ctx->url.path.p;
    size_t n = ctx->url.path.n;
    for (size_t i = 0; words[i]; i++)
        if (pw_strcasestr_n(p, n, words[i]))
            return 1;
    return 0;
}

/* Partner IDs stay as fields but are no account. */
static void demote_accounts(dk_builder *bb)
{
    for (size_t i = 0; i < bb->b.n_fields; i++)
        if (bb->b.fields[i].kind == PW_FIELD_ACCOUNT)
            bb->b.fields[i].kind = PW_FIELD_OTHER;
}

static pw_status partner_ids(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    (void)body;
    (void)err;
    if (id_sync(ctx))
        demote_accounts(bb);
    return PW_OK;
}

static pw_status all_partner_ids(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    (void)ctx;
    (void)body;
    (void)err;
    demote_accounts(bb);
    return PW_OK;
}

static pw_status decode_generic(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, NULL, partner_ids, err);
}

/* An identity graph (LiveRamp): every request is about the partner that calls it — its `pid` on
 * /api/identity/envelope, /api/identity, /api/sync names LiveRamp's partner (the integration),
 * never the site's account — whatever the path says. */
static pw_status decode_id_graph(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, NULL, all_partner_ids, err);
}

/* A request a filter list matched on a host a catalog entry names, at a path that entry does not
 * list (www.google-analytics.com/gtm/js, the Optimize container): its wire format is not the
 * entry's, so its pairs are typed by name only and none is taken for the entry's account (gtm/js's
 * id=GTM-… is a container, not a Universal Analytics property; its t=gtag_UA_… no hit type). A
 * script the page loaded is a script load. Not in the registry: decode picks it (decode.c). */
static pw_status decode_host_only(dk_ctx *ctx, pw_err *err)
{
    const char *rt = ctx->req->resource_type;
    pw_beacon_kind kind = rt && strcmp(rt, "script") == 0 ? PW_BEACON_SCRIPT : PW_BEACON_EVENT;
    return dk_decode_pairs_with(ctx, kind, NULL, all_partner_ids, err);
}

const pw_decoder dk_decoder_generic = {"generic", decode_generic};
const pw_decoder dk_decoder_host_only = {"host-only", decode_host_only};
const pw_decoder dk_decoder_id_graph = {"id-graph", decode_id_graph};
