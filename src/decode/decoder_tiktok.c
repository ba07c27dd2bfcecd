/*
 * decoder_tiktok.c — TikTok Pixel: JSON POSTs to analytics.tiktok.com/api/v2/pixel (one event)
 * and /api/v2/pixel/batch ({"batch":[…]}: one beacon per element, keys kept as on the wire,
 * "batch.0.context.page.url"). Typed: event, pixel_code, context.page.url/referrer,
 * context.user.* (identity: email/phone hashes, external_id), properties.* (custom data).
 */
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"

static const dk_keymap tiktok_map[] = {
    {"event", PW_FIELD_EVENT},
    {"pixel_code", PW_FIELD_ACCOUNT},
    {"context.pixel.code", PW_FIELD_ACCOUNT},
    {"sdkid", PW_FIELD_ACCOUNT},
    {"context.page.url", PW_FIELD_PAGE_URL},
    {"context.page.referrer", PW_FIELD_REFERRER},
    {"context.user.anonymous_id", PW_FIELD_DEVICE_ID},
    {"context.user.*", PW_FIELD_USER_DATA},
    {"context.ad.*", PW_FIELD_DEVICE_ID},
    {"properties.*", PW_FIELD_CUSTOM_DATA},
    {"_ttp", PW_FIELD_DEVICE_ID},
    {"ttclid", PW_FIELD_DEVICE_ID},
    {NULL, PW_FIELD_OTHER},
};

/* Index of a "batch.N." key, its stripped rest in *rest; -1 when not in a batch. */
static long batch_index(const char *key, const char **rest)
{
    if (strncmp(key, "batch.", 6) != 0)
        return -1;
    char *end;
    long i = strtol(key + 6, &end, 10);
    if (end == key + 6 || *end != '.')
        return -1;
    *rest = end + 1;
    return i;
}

static pw_status add_typed(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, const pw_kv *kv,
                           const char *logical, pw_err *err)
{
    pw_field_kind k = dk_keymap_kind(tiktok_map, logical, PW_FIELD_OTHER);
    if (k == PW_FIELD_OTHER)
        k = dk_generic_kind(logical);
    return dk_add_kv(ctx, bb, p, kv, k, err);
}

/* One beacon: the shared (non-batch) pairs plus the pairs of batch element `idx` (-1: none). */
static pw_status one_beacon(dk_ctx *ctx, const dk_pairs *body, long idx, const char *transport,
                            pw_err *err)
{
    dk_builder bb;
    dk_builder_init(ctx, &bb, PW_BEACON_EVENT, transport);
    pw_status st = PW_OK;
    for (size_t i = 0; st == PW_OK && i < ctx->query.n; i++)
        st = add_typed(ctx, &bb, &ctx->query, &ctx->query.v[i], ctx->query.v[i].key, err);
    for (size_t i = 0; st == PW_OK && i < body->n; i++) {
        const char *rest = body->v[i].key;
        long bi = batch_index(body->v[i].key, &rest);
        if (bi == idx || bi < 0)
            st = add_typed(ctx, &bb, body, &body->v[i], rest, err);
    }
    return st == PW_OK ? dk_emit(ctx, &bb, err) : st;
}

/* Distinct batch indices in order of appearance (at most DK_MAX_BEACONS + 1 of them). */
static size_t batch_indices(pw_arena *a, const dk_pairs *body, long **out)
{
    long *idx = pw_arena_alloc(a, (DK_MAX_BEACONS + 1) * sizeof *idx);
    size_t n = 0;
    for (size_t i = 0; idx && i < body->n && n <= DK_MAX_BEACONS; i++) {
        const char *rest;
        long bi = batch_index(body->v[i].key, &rest);
        size_t k = n;
        while (bi >= 0 && k > 0 && idx[k - 1] != bi)
            k--;
        if (bi >= 0 && k == 0)
            idx[n++] = bi;
    }
    *out = idx;
    return n;
}

static pw_status decode_tiktok(dk_ctx *ctx, pw_err *err)
{
    dk_pairs body = {0};
    const char *transport;
    pw_status st = dk_request_body_pairs(ctx, &body, &transport, err);
    if (st != PW_OK)
        return st;
    long *idx;
    size_t n = batch_indices(ctx->a, &body, &idx);
    if (!idx)
        return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
    if (n == 0)
        return one_beacon(ctx, &body, -1, transport, err);
    for (size_t i = 0; i < n && st == PW_OK; i++)
        st = one_beacon(ctx, &body, idx[i], transport, err);
    return st;
}

const pw_decoder dk_decoder_tiktok = {"tiktok", decode_tiktok};
