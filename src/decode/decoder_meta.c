/*
 * decoder_meta.c — Meta Pixel beacons to facebook.com/tr: image GETs (and the <noscript> GET),
 * hidden-iframe urlencoded form POSTs and sendBeacon multipart POSTs all carry the same
 * parameters (DESIGN §3). JSON-valued custom data (cd[buttonFeatures], cd[formFeatures],
 * cd[pageFeatures], and the Microdata event's cd[DataLayer], cd[Meta], cd[OpenGraph],
 * cd[Schema.org], cd[JSON-LD]) is parsed into sub-fields ("cd[buttonFeatures].innerText") beside
 * the raw field. A sub-document that does not parse stays a raw field only (the pixel truncates
 * long values); a nesting or count limit still fails the request.
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap meta_map[] = {
    {"id", PW_FIELD_ACCOUNT},
    {"ev", PW_FIELD_EVENT},
    {"dl", PW_FIELD_PAGE_URL},
    {"rl", PW_FIELD_REFERRER},
    {"ud[*", PW_FIELD_USER_DATA},
    {"udff[*", PW_FIELD_USER_DATA},
    {"cd[buttonText]", PW_FIELD_BUTTON_TEXT},
    {"cd[*", PW_FIELD_CUSTOM_DATA},
    {"fbp", PW_FIELD_DEVICE_ID},
    {"fbc", PW_FIELD_DEVICE_ID},
    {"external_id", PW_FIELD_USER_DATA},
    {"eid", PW_FIELD_OTHER},
    {"es", PW_FIELD_OTHER},
    {NULL, PW_FIELD_OTHER},
};

/* Kind of a value inside a JSON-valued cd[…] parameter, by the feature and the last key. */
static pw_field_kind sub_kind(const char *param, const char *key, const dk_keymap *m)
{
    const char *dot = strrchr(key, '.');
    const char *leaf = dot ? dot + 1 : key;
    if (strcmp(leaf, "innerText") == 0 || strcmp(leaf, "buttonText") == 0)
        return PW_FIELD_BUTTON_TEXT;
    if (strcmp(leaf, "destination") == 0)
        return PW_FIELD_PAGE_URL;
    if (strcmp(param, "cd[formFeatures]") == 0 || strcmp(param, "cd[buttonFeatures]") == 0) {
        if (strcmp(leaf, "value") == 0)
            return PW_FIELD_FORM_VALUE;
        if (strcmp(leaf, "name") == 0 || strcmp(leaf, "id") == 0 ||
            strcmp(leaf, "placeholder") == 0 || strcmp(leaf, "inputType") == 0 ||
            strcmp(leaf, "label") == 0 || strcmp(leaf, "type") == 0)
            return strcmp(param, "cd[formFeatures]") == 0 || strcmp(leaf, "name") == 0
                       ? PW_FIELD_FORM_META
                       : PW_FIELD_CUSTOM_DATA;
    }
    if (strcmp(leaf, "title") == 0 || strcmp(leaf, "og:title") == 0)
        return PW_FIELD_PAGE_TITLE;
    if (strcmp(leaf, "og:url") == 0 || strcmp(leaf, "url") == 0)
        return PW_FIELD_PAGE_URL;
    pw_field_kind k = dk_generic_kind(key);
    return k == PW_FIELD_OTHER || k == PW_FIELD_ACCOUNT || k == PW_FIELD_EVENT
               ? PW_FIELD_CUSTOM_DATA
               : k;
}

static pw_status add_meta_pairs(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, pw_err *err)
{
    for (size_t i = 0; i < p->n; i++) {
        const pw_kv *kv = &p->v[i];
        pw_field_kind kind = dk_keymap_kind(meta_map, kv->key, PW_FIELD_OTHER);
        pw_status st = dk_add_kv(ctx, bb, p, kv, kind, err);
        if (st == PW_OK && strncmp(kv->key, "cd[", 3) == 0 &&
            dk_looks_json(kv->value, kv->value_len))
            st = dk_add_json_param(ctx, bb, kv, sub_kind, NULL, err);
        if (st != PW_OK)
            return st;
        if (strcmp(kv->key, "es") == 0 && strcmp(kv->value, "automatic") == 0)
            bb->b.automatic = 1;
    }
    return PW_OK;
}

static pw_status decode_meta(dk_ctx *ctx, pw_err *err)
{
    dk_pairs body = {0};
    const char *transport;
    pw_status st = dk_request_body_pairs(ctx, &body, &transport, err);
    if (st != PW_OK)
        return st;
    dk_builder bb;
    dk_builder_init(ctx, &bb, PW_BEACON_EVENT, transport);
    st = add_meta_pairs(ctx, &bb, &ctx->query, err);
    if (st == PW_OK)
        st = add_meta_pairs(ctx, &bb, &body, err);
    if (st != PW_OK)
        return st;
    return dk_emit(ctx, &bb, err);
}

const pw_decoder dk_decoder_meta = {"meta", decode_meta};
