/*
 * decoder_floodlight.c — Google Floodlight (Campaign Manager 360) activity tags. Their data
 * travels in `;k=v` path parameters, not the query:
 *   <src>.fls.doubleclick.net/activityi;src=…;type=…;cat=…;u3=…;ord=…;~oref=<page>?
 *   ad.doubleclick.net/activity;… and ad.doubleclick.net/ddm/activity/src=…;…
 *   adservice.google.com/ddm/fls/i/src=…;…  and <src>.fls.doubleclick.net/ddm/fls/r/src=…;…
 * `src` is the advertiser (account), `type`/`cat` the codes of the activity group and tag (the
 * event, reported as codes: the activity names never travel),
 * `~oref` the page URL, `u1`…`u100` custom variables, `ord`/`num` cache-busting nonces. Each
 * path value is percent-decoded once; the query (if any) is read with the same key map.
 */
#include <string.h>

#include "decode_internal.h"
#include "phiwall/text.h"

static const dk_keymap floodlight_map[] = {
    {"src", PW_FIELD_ACCOUNT},
    {"type", PW_FIELD_EVENT},
    {"cat", PW_FIELD_EVENT},
    {"~oref", PW_FIELD_PAGE_URL},
    {"oref", PW_FIELD_PAGE_URL},
    {"~ref", PW_FIELD_REFERRER},
    {"qty", PW_FIELD_CUSTOM_DATA},
    {"cost", PW_FIELD_CUSTOM_DATA},
    {"tran", PW_FIELD_CUSTOM_DATA},
    {"prd", PW_FIELD_CUSTOM_DATA},
    {"auiddc", PW_FIELD_DEVICE_ID},
    {"dc_rdid", PW_FIELD_DEVICE_ID},
    {"gclid", PW_FIELD_DEVICE_ID},
    {"gcldc", PW_FIELD_DEVICE_ID},
    {"gclaw", PW_FIELD_DEVICE_ID},
    {"dclid", PW_FIELD_DEVICE_ID},
    {"match_id", PW_FIELD_USER_DATA},
    {"em", PW_FIELD_USER_DATA},
    {"ord", PW_FIELD_OTHER},
    {"num", PW_FIELD_OTHER},
    {"gtm", PW_FIELD_OTHER},
    {"npa", PW_FIELD_OTHER},
    {"dc_lat", PW_FIELD_OTHER},
    {"tfua", PW_FIELD_OTHER},
    {"tag_for_child_directed_treatment", PW_FIELD_OTHER},
    {"gdpr", PW_FIELD_OTHER},
    {"gdpr_consent", PW_FIELD_OTHER},
    {NULL, PW_FIELD_OTHER},
};

/* "u3" … "u100": a custom variable (not "uid" and the like). */
static int custom_var(const char *k)
{
    if (k[0] != 'u' || !k[1])
        return 0;
    for (const char *p = k + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static pw_field_kind floodlight_kind(const char *k)
{
    if (k[0] == 'u')
        return custom_var(k) ? PW_FIELD_CUSTOM_DATA : dk_generic_kind(k);
    pw_field_kind kind = dk_keymap_kind(floodlight_map, k, PW_FIELD__COUNT);
    return kind != PW_FIELD__COUNT ? kind : dk_generic_kind(k);
}

/* The `k=v;k=v` run of the path: it starts at the path segment that holds the first ';' (or, with
 * no ';', the last segment when it has a '='), so a raw '/' inside a later value (an unencoded
 * ~oref) stays in that value. */
static int param_run(const pw_slice *path, const char **start, size_t *len)
{
    const char *p = path->p, *end = p + path->n;
    const char *semi = memchr(p, ';', path->n), *seg = semi ? semi : end;
    while (seg > p && seg[-1] != '/')
        seg--;
    if (!semi && !memchr(seg, '=', (size_t)(end - seg)))
        return 0;
    *start = seg;
    *len = (size_t)(end - seg);
    return 1;
}

static pw_status add_path_params(dk_ctx *ctx, dk_builder *bb, pw_err *err)
{
    const char *s;
    size_t n;
    if (!param_run(&ctx->url.path, &s, &n))
        return PW_OK;
    size_t count = 0;
    while (n) {
        const char *semi = memchr(s, ';', n);
        size_t len = semi ? (size_t)(semi - s) : n;
        const char *eq = memchr(s, '=', len);
        if (eq && eq > s) { /* "activityi" (the endpoint) has no '=' */
            if (++count > DK_MAX_PAIRS)
                return pw_err_set(err, PW_ERR_LIMIT, "path: more than %zu parameters",
                                  DK_MAX_PAIRS);
            size_t klen = (size_t)(eq - s), vlen = 0;
            char *key = pw_pct_decode(ctx->a, s, klen, 0, NULL);
            char *val = pw_pct_decode(ctx->a, eq + 1, len - klen - 1, 0, &vlen);
            if (!key || !val)
                return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
            pw_status st = dk_add(ctx, bb, key, val, vlen, floodlight_kind(key), err);
            if (st != PW_OK)
                return st;
        }
        if (!semi)
            break;
        n -= len + 1;
        s = semi + 1;
    }
    return PW_OK;
}

/* The activity as sent: "type=invmedia;cat=cityo003 (Floodlight codes)". type and cat are
 * short codes Campaign Manager derives from the advertiser's activity group and activity names
 * (cut to a few characters and numbered: "cance0"); the names themselves never travel, so the
 * event is shown as the codes it is, said to be codes, never as if it were a name. */
static void activity_name(dk_ctx *ctx, dk_builder *bb)
{
    const char *type = NULL, *cat = NULL;
    for (size_t i = 0; i < bb->b.n_fields; i++) {
        const pw_field *f = &bb->b.fields[i];
        if (!type && strcmp(f->key, "type") == 0 && f->value_len)
            type = f->value;
        else if (!cat && strcmp(f->key, "cat") == 0 && f->value_len)
            cat = f->value;
    }
    if (type && cat)
        bb->b.event_name = pw_arena_sprintf(ctx->a, "type=%s;cat=%s (Floodlight codes)", type, cat);
    else if (type || cat)
        bb->b.event_name = pw_arena_sprintf(ctx->a, "%s=%s (Floodlight code)", cat ? "cat" : "type",
                                            cat ? cat : type);
}

static pw_status decode_floodlight(dk_ctx *ctx, pw_err *err)
{
    dk_builder bb;
    dk_builder_init(ctx, &bb, PW_BEACON_EVENT, "get");
    pw_status st = add_path_params(ctx, &bb, err);
    if (st != PW_OK)
        return st;
    for (size_t i = 0; i < ctx->query.n; i++) {
        const pw_kv *kv = &ctx->query.v[i];
        st = dk_add(ctx, &bb, kv->key, kv->value, kv->value_len, floodlight_kind(kv->key), err);
        if (st != PW_OK)
            return st;
    }
    activity_name(ctx, &bb);
    return dk_emit(ctx, &bb, err);
}

const pw_decoder dk_decoder_floodlight = {"floodlight", decode_floodlight};
