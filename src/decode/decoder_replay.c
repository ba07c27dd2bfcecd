/*
 * decoder_replay.c — session-replay traffic (Hotjar, FullStory, Clarity, LogRocket, Mouseflow,
 * Quantum Metric, Smartlook, Lucky Orange, Inspectlet …). Their payloads are DOM snapshots and
 * input events, often compressed or binary: the beacon's kind (PW_BEACON_REPLAY) is the finding,
 * since such tools capture everything on the page. Query pairs and any readable body pairs
 * (form or JSON) are kept; an unreadable body is not an error here. The site ID some vendors put
 * in the path (Hotjar: in.hotjar.com/api/v2/client/sites/<id>/…) is the account, so that one
 * site's loader and recordings are one tracker in the report, not two.
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap replay_map[] = {
    {"site_id", PW_FIELD_ACCOUNT},    {"siteId", PW_FIELD_ACCOUNT},
    {"hjid", PW_FIELD_ACCOUNT},       {"orgId", PW_FIELD_ACCOUNT},
    {"OrgId", PW_FIELD_ACCOUNT},      {"projectId", PW_FIELD_ACCOUNT},
    {"website_id", PW_FIELD_ACCOUNT}, {"sessionId", PW_FIELD_DEVICE_ID},
    {"UserId", PW_FIELD_DEVICE_ID},   {"visitorId", PW_FIELD_DEVICE_ID},
    {NULL, PW_FIELD_OTHER},
};

/* The digits of a "/sites/<id>" path segment, or NULL. */
static const char *site_from_path(dk_ctx *ctx)
{
    const char *p = ctx->url.path.p;
    size_t n = ctx->url.path.n;
    const char *s = p ? memmem(p, n, "/sites/", 7) : NULL;
    if (!s)
        return NULL;
    size_t start = (size_t)(s - p) + 7, len = 0;
    while (start + len < n && p[start + len] >= '0' && p[start + len] <= '9')
        len++;
    if (len == 0 || (start + len < n && p[start + len] != '/'))
        return NULL;
    return dk_dup(ctx->a, p + start, len);
}

static pw_status decode_replay(dk_ctx *ctx, pw_err *err)
{
    dk_pairs body = {0};
    const char *transport;
    pw_err body_err;
    pw_status st = dk_request_body_pairs(ctx, &body, &transport, &body_err);
    if (st == PW_ERR_NOMEM || st == PW_ERR_LIMIT) {
        if (err)
            *err = body_err;
        return st;
    }
    if (st != PW_OK)
        body.n = 0; /* compressed or binary recording data */
    dk_builder bb;
    dk_builder_init(ctx, &bb, PW_BEACON_REPLAY, transport);
    bb.b.account_id = site_from_path(ctx);
    st = dk_add_pairs(ctx, &bb, &ctx->query, replay_map, 1, err);
    if (st == PW_OK)
        st = dk_add_pairs(ctx, &bb, &body, replay_map, 1, err);
    return st == PW_OK ? dk_emit(ctx, &bb, err) : st;
}

const pw_decoder dk_decoder_replay = {"replay", decode_replay};
