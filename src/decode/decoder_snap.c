/*
 * decoder_snap.c — Snap Pixel (tr.snapchat.com/p, tr6.snapchat.com): form or query pairs with
 * `pid` pixel, `ev` event, `pl` page URL, `rf` referrer, `u_hem`/`u_hpn` hashed email/phone,
 * `u_c1`/`u_scsid`/`u_sclid` cookie IDs, `e_*` event data, `m_*` browser metadata.
 */
#include "decode_internal.h"

static const dk_keymap snap_map[] = {
    {"pid", PW_FIELD_ACCOUNT},     {"ev", PW_FIELD_EVENT},          {"pl", PW_FIELD_PAGE_URL},
    {"rf", PW_FIELD_REFERRER},     {"u_hem", PW_FIELD_USER_DATA},   {"u_hpn", PW_FIELD_USER_DATA},
    {"u_c1", PW_FIELD_DEVICE_ID},  {"u_scsid", PW_FIELD_DEVICE_ID}, {"u_sclid", PW_FIELD_DEVICE_ID},
    {"e_*", PW_FIELD_CUSTOM_DATA}, {"m_*", PW_FIELD_OTHER},         {"ts", PW_FIELD_OTHER},
    {NULL, PW_FIELD_OTHER},
};

static pw_status decode_snap(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs(ctx, PW_BEACON_EVENT, snap_map, err);
}

const pw_decoder dk_decoder_snap = {"snap", decode_snap};
