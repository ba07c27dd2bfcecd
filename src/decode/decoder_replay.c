/*
 * decoder_replay.c — session-replay traffic (Hotjar, FullStory, Clarity, LogRocket, Mouseflow,
 * Quantum Metric, Smartlook, Lucky Orange, Inspectlet …). Their payloads are DOM snapshots and
 * input events, often compressed or binary: the beacon's kind (PW_BEACON_REPLAY) is the finding,
 * since such tools capture everything on the page. Query pairs and any readable body pairs
 * (form or JSON) are kept; an unreadable body is not an error here.
 */
#include "decode_internal.h"

static const dk_keymap replay_map[] = {
    {"site_id", PW_FIELD_ACCOUNT},    {"siteId", PW_FIELD_ACCOUNT},
    {"hjid", PW_FIELD_ACCOUNT},       {"orgId", PW_FIELD_ACCOUNT},
    {"OrgId", PW_FIELD_ACCOUNT},      {"projectId", PW_FIELD_ACCOUNT},
    {"website_id", PW_FIELD_ACCOUNT}, {"sessionId", PW_FIELD_DEVICE_ID},
    {"UserId", PW_FIELD_DEVICE_ID},   {"visitorId", PW_FIELD_DEVICE_ID},
    {NULL, PW_FIELD_OTHER},
};

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
    st = dk_add_pairs(ctx, &bb, &ctx->query, replay_map, 1, err);
    if (st == PW_OK)
        st = dk_add_pairs(ctx, &bb, &body, replay_map, 1, err);
    return st == PW_OK ? dk_emit(ctx, &bb, err) : st;
}

const pw_decoder dk_decoder_replay = {"replay", decode_replay};
