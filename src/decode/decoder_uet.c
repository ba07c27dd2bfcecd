/*
 * decoder_uet.c — Microsoft Advertising UET (bat.bing.com/action/0): `ti` tag ID, `evt` event
 * type (pageLoad, custom …; a custom event's name is its `ea` action), `p` page URL, `r`
 * referrer, `tl` title, `kw` the page's meta keywords, `mid`/`sid`/`vid` visitor IDs. A click
 * event's label (`el` when `ea` or `ec` says click) is button text. `kw` is page metadata the tag
 * scrapes from `<meta name="keywords">` (like Meta's cd[Meta]): it describes the page, not what
 * the visitor did, so it is no custom data (no PW-EVENT-HEALTH) and no search term.
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap uet_map[] = {
    {"ti", PW_FIELD_ACCOUNT},         {"evt", PW_FIELD_EVENT},
    {"p", PW_FIELD_PAGE_URL},         {"r", PW_FIELD_REFERRER},
    {"tl", PW_FIELD_PAGE_TITLE},      {"kw", PW_FIELD_OTHER},
    {"ea", PW_FIELD_CUSTOM_DATA},     {"ec", PW_FIELD_CUSTOM_DATA},
    {"el", PW_FIELD_CUSTOM_DATA},     {"ev", PW_FIELD_CUSTOM_DATA},
    {"gv", PW_FIELD_CUSTOM_DATA},     {"gc", PW_FIELD_CUSTOM_DATA},
    {"prodid", PW_FIELD_CUSTOM_DATA}, {"pagetype", PW_FIELD_CUSTOM_DATA},
    {"mid", PW_FIELD_DEVICE_ID},      {"sid", PW_FIELD_DEVICE_ID},
    {"vid", PW_FIELD_DEVICE_ID},      {"msclkid", PW_FIELD_DEVICE_ID},
    {"em", PW_FIELD_USER_DATA},       {"ph", PW_FIELD_USER_DATA},
    {"lg", PW_FIELD_OTHER},           {"sw", PW_FIELD_OTHER},
    {"sh", PW_FIELD_OTHER},           {NULL, PW_FIELD_OTHER},
};

static const char *const click_context[] = {"ea", "ec", NULL};
static const char *const click_labels[] = {"el", NULL};

static pw_status custom_event_name(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    dk_click_labels(bb, click_context, click_labels);
    const char *evt = dk_pairs_get(&ctx->query, "evt");
    const char *ea = dk_pairs_get(&ctx->query, "ea");
    if (!evt)
        evt = dk_pairs_get(body, "evt");
    if (!ea)
        ea = dk_pairs_get(body, "ea");
    bb->b.event_name = evt && strcmp(evt, "custom") == 0 && ea && *ea ? ea : evt;
    return PW_OK;
}

static pw_status decode_uet(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, uet_map, custom_event_name, err);
}

const pw_decoder dk_decoder_uet = {"uet", decode_uet};
