/*
 * decoder_twitter.c — X (Twitter) Pixel: analytics.twitter.com/i/adsct and t.co/i/adsct GETs.
 * `txn_id` is the pixel, `tw_document_href` the page, and `events` a JSON array of
 * [name, data] pairs ([["pageview",{}]]): parsed, the first name becomes the event.
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap twitter_map[] = {
    {"txn_id", PW_FIELD_ACCOUNT},
    {"pixel_id", PW_FIELD_ACCOUNT},
    {"tw_document_href", PW_FIELD_PAGE_URL},
    {"tw_document_referrer", PW_FIELD_REFERRER},
    {"events", PW_FIELD_CUSTOM_DATA},
    {"event", PW_FIELD_EVENT},
    {"tw_sale_amount", PW_FIELD_CUSTOM_DATA},
    {"tw_order_quantity", PW_FIELD_CUSTOM_DATA},
    {"email_address", PW_FIELD_USER_DATA},
    {"phone_number", PW_FIELD_USER_DATA},
    {"twclid", PW_FIELD_DEVICE_ID},
    {"p_id", PW_FIELD_OTHER},
    {"p_user_id", PW_FIELD_DEVICE_ID},
    {NULL, PW_FIELD_OTHER},
};

static pw_field_kind events_kind(const char *param, const char *subkey, const dk_keymap *m)
{
    /* "events.<i>.0" is an event's name; everything else its data */
    size_t n = strlen(param);
    if (strncmp(subkey, param, n) != 0 || subkey[n] != '.')
        return PW_FIELD_CUSTOM_DATA;
    const char *p = subkey + n + 1;
    while (*p >= '0' && *p <= '9')
        p++;
    return strcmp(p, ".0") == 0 ? PW_FIELD_EVENT : PW_FIELD_CUSTOM_DATA;
}

static pw_status add_events(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    const pw_kv *kv = dk_pairs_find(&ctx->query, "events");
    if (!kv)
        kv = dk_pairs_find(body, "events");
    if (!kv || !dk_looks_json(kv->value, kv->value_len))
        return PW_OK;
    return dk_add_json_param(ctx, bb, kv, events_kind, NULL, err);
}

static pw_status decode_twitter(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, twitter_map, add_events, err);
}

const pw_decoder dk_decoder_twitter = {"twitter", decode_twitter};
