/*
 * decoder_linkedin.c — LinkedIn Insight Tag: px.ads.linkedin.com/collect GETs (pid, conversionId,
 * url, fmt) and the JSON POSTs to /wa/ ({"pids":[…],"url":…,"signalType":…}).
 */
#include "decode_internal.h"

static const dk_keymap linkedin_map[] = {
    {"pid", PW_FIELD_ACCOUNT},        {"pids.*", PW_FIELD_ACCOUNT},
    {"conversionId", PW_FIELD_EVENT}, {"signalType", PW_FIELD_EVENT},
    {"url", PW_FIELD_PAGE_URL},       {"href", PW_FIELD_PAGE_URL},
    {"referrer", PW_FIELD_REFERRER},  {"li_fat_id", PW_FIELD_DEVICE_ID},
    {"liFatId", PW_FIELD_DEVICE_ID},  {"pageTitle", PW_FIELD_PAGE_TITLE},
    {"email", PW_FIELD_USER_DATA},    {"fmt", PW_FIELD_OTHER},
    {"time", PW_FIELD_OTHER},         {NULL, PW_FIELD_OTHER},
};

static pw_status decode_linkedin(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs(ctx, PW_BEACON_EVENT, linkedin_map, err);
}

const pw_decoder dk_decoder_linkedin = {"linkedin", decode_linkedin};
