/*
 * decoder_generic.c — third parties without a protocol of their own (Criteo, Segment, Reddit …,
 * EasyPrivacy matches, unknown hosts): one beacon whose fields are every query and body pair,
 * typed by the key's name (url → page URL, email → user data, q → search term …). Also the shared
 * "query + body → one beacon" routine the vendor decoders build on.
 */
#include "decode_internal.h"

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

static pw_status decode_generic(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs(ctx, PW_BEACON_EVENT, NULL, err);
}

const pw_decoder dk_decoder_generic = {"generic", decode_generic};
