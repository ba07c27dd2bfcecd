/*
 * decoder_gads.c — Google Ads conversion and remarketing hits:
 * googleads.g.doubleclick.net/pagead/viewthroughconversion/<id>/, www.google.com/pagead/
 * 1p-user-list/<id>/ and 1p-conversion/<id>/, googleadservices.com/pagead/conversion/<id>/.
 * The conversion ID comes from the path; `url`, `ref`, `tiba` (title) type the page; `data`
 * ("event=purchase;ecomm_pagetype=…") is split into data.<key> fields; `em` carries enhanced-
 * conversion identity hashes. The event is data's `event`, else "conversion" or "remarketing"
 * after the endpoint.
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap gads_map[] = {
    {"url", PW_FIELD_PAGE_URL},       {"ref", PW_FIELD_REFERRER},
    {"tiba", PW_FIELD_PAGE_TITLE},    {"label", PW_FIELD_CUSTOM_DATA},
    {"data", PW_FIELD_CUSTOM_DATA},   {"data.event", PW_FIELD_EVENT},
    {"data.*", PW_FIELD_CUSTOM_DATA}, {"value", PW_FIELD_CUSTOM_DATA},
    {"em", PW_FIELD_USER_DATA},       {"gclaw", PW_FIELD_DEVICE_ID},
    {"gcl_dc", PW_FIELD_DEVICE_ID},   {"auid", PW_FIELD_DEVICE_ID},
    {"gclid", PW_FIELD_DEVICE_ID},    {"cid", PW_FIELD_DEVICE_ID},
    {NULL, PW_FIELD_OTHER},
};

static const char *const id_segments[] = {"/viewthroughconversion/", "/1p-conversion/",
                                          "/1p-user-list/",          "/conversion/",
                                          "/rmkt/collect/",          NULL};

static const char *conversion_id(dk_ctx *ctx, const char **segment)
{
    const char *p = ctx->url.path.p;
    size_t n = ctx->url.path.n;
    for (size_t i = 0; id_segments[i]; i++) {
        size_t k = strlen(id_segments[i]);
        const char *at = memmem(p, n, id_segments[i], k);
        if (!at)
            continue;
        size_t start = (size_t)(at - p) + k, len = 0;
        while (start + len < n && p[start + len] != '/')
            len++;
        *segment = id_segments[i];
        return len ? dk_dup(ctx->a, p + start, len) : NULL;
    }
    return NULL;
}

/* data=event=purchase;ecomm_prodid=1 → data.event, data.ecomm_prodid */
static pw_status split_data(dk_ctx *ctx, dk_builder *bb, const char *data, pw_err *err)
{
    while (data && *data) {
        size_t len = strcspn(data, ";");
        const char *eq = memchr(data, '=', len);
        if (eq && eq > data) {
            char *key = pw_arena_sprintf(ctx->a, "data.%.*s", (int)(eq - data), data);
            char *val = dk_dup(ctx->a, eq + 1, len - (size_t)(eq - data) - 1);
            if (!key || !val)
                return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
            pw_status st = dk_add(ctx, bb, key, val, strlen(val),
                                  dk_keymap_kind(gads_map, key, PW_FIELD_CUSTOM_DATA), err);
            if (st != PW_OK)
                return st;
        }
        data += len + (data[len] == ';');
    }
    return PW_OK;
}

static pw_status adjust(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    const char *segment = NULL;
    bb->b.account_id = conversion_id(ctx, &segment);
    const char *data = dk_pairs_get(&ctx->query, "data");
    pw_status st = split_data(ctx, bb, data ? data : dk_pairs_get(body, "data"), err);
    if (st != PW_OK || bb->b.event_name)
        return st;
    for (size_t i = 0; i < bb->b.n_fields; i++)
        if (bb->b.fields[i].kind == PW_FIELD_EVENT)
            return PW_OK; /* dk_emit takes it */
    if (segment)
        bb->b.event_name =
            strstr(segment, "conversion") && strcmp(segment, "/viewthroughconversion/")
                ? "conversion"
                : "remarketing";
    return PW_OK;
}

static pw_status decode_gads(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, gads_map, adjust, err);
}

const pw_decoder dk_decoder_gads = {"gads", decode_gads};
