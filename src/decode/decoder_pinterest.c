/*
 * decoder_pinterest.c — Pinterest Tag (ct.pinterest.com/v3/ and /user/): `tid` tag ID, `event`,
 * and JSON-valued `pd` (enhanced match: em = email hash), `ed` (event data: products, search
 * query …) and `ad` (loc = page URL, ref = referrer), parsed into sub-fields; the older
 * bracketed form pd[em] / ed[…] is typed the same way.
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap pinterest_map[] = {
    {"tid", PW_FIELD_ACCOUNT},
    {"event", PW_FIELD_EVENT},
    {"pd", PW_FIELD_USER_DATA},
    {"pd[*", PW_FIELD_USER_DATA},
    {"pd.*", PW_FIELD_USER_DATA},
    {"ed", PW_FIELD_CUSTOM_DATA},
    {"ed[search_query]", PW_FIELD_SEARCH_TERM},
    {"ed.search_query", PW_FIELD_SEARCH_TERM},
    {"ed[*", PW_FIELD_CUSTOM_DATA},
    {"ed.*", PW_FIELD_CUSTOM_DATA},
    {"ad", PW_FIELD_OTHER},
    {"ad.loc", PW_FIELD_PAGE_URL},
    {"ad.ref", PW_FIELD_REFERRER},
    {"ad.*", PW_FIELD_OTHER},
    {"epik", PW_FIELD_DEVICE_ID},
    {"dep", PW_FIELD_OTHER},
    {"cb", PW_FIELD_OTHER},
    {NULL, PW_FIELD_OTHER},
};

static pw_field_kind json_kind(const char *param, const char *subkey, const dk_keymap *m)
{
    pw_field_kind k = dk_keymap_kind(pinterest_map, subkey, PW_FIELD_OTHER);
    return k == PW_FIELD_OTHER && strcmp(param, "ad") != 0 ? PW_FIELD_CUSTOM_DATA : k;
}

static pw_status add_json_params(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    static const char *const params[] = {"pd", "ed", "ad", NULL};
    for (size_t i = 0; params[i]; i++) {
        const pw_kv *kv = dk_pairs_find(&ctx->query, params[i]);
        if (!kv)
            kv = dk_pairs_find(body, params[i]);
        if (!kv || !dk_looks_json(kv->value, kv->value_len))
            continue;
        pw_status st = dk_add_json_param(ctx, bb, kv, json_kind, NULL, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

static pw_status decode_pinterest(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, pinterest_map, add_json_params, err);
}

const pw_decoder dk_decoder_pinterest = {"pinterest", decode_pinterest};
