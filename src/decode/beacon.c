/*
 * beacon.c — how decoders build pw_beacons: a growable field list in the request's arena, typed
 * adds, and the finishing step every beacon shares (search terms read out of page URLs, the
 * account and event taken from the first ACCOUNT/EVENT field when the decoder set none).
 */
#include <string.h>

#include "decode_internal.h"
#include "phiwall/text.h"

void dk_builder_init(dk_ctx *ctx, dk_builder *bb, pw_beacon_kind kind, const char *transport)
{
    memset(bb, 0, sizeof *bb);
    bb->b.tracker = ctx->tracker;
    bb->b.kind = kind;
    bb->b.transport = transport;
    bb->b.matched_rule = ctx->matched_rule;
    bb->b.request = ctx->req;
}

pw_status dk_add(dk_ctx *ctx, dk_builder *bb, const char *key, const char *value, size_t value_len,
                 pw_field_kind kind, pw_err *err)
{
    if (bb->b.n_fields == bb->cap) {
        size_t cap = bb->cap ? bb->cap * 2 : 16;
        pw_field *f = pw_arena_alloc(ctx->a, cap * sizeof *f);
        if (!f)
            return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
        if (bb->b.n_fields)
            memcpy(f, bb->b.fields, bb->b.n_fields * sizeof *f);
        bb->b.fields = f;
        bb->cap = cap;
    }
    pw_field *f = &bb->b.fields[bb->b.n_fields++];
    f->key = key;
    f->value = value;
    f->value_len = value_len;
    f->kind = kind;
    f->hashed = pw_is_sha256_hex(value, value_len);
    return PW_OK;
}

/* Query parameters that carry what a visitor typed into a site search. */
static int is_search_param(const char *k)
{
    static const char *const names[] = {"q",       "query",    "search",      "s",    "searchterm",
                                        "keyword", "keywords", "search_term", "term", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcmp(k, names[i]) == 0)
            return 1;
    return 0;
}

/* A page URL whose own query names a search gives SEARCH_TERM fields ("dl?q"), decoding that
 * inner query once more: it is a new layer. */
static pw_status add_search_terms(dk_ctx *ctx, dk_builder *bb, const pw_field *f, pw_err *err)
{
    pw_url u;
    if (pw_url_parse(f->value, f->value_len, &u, NULL) != PW_OK || !u.query.n)
        return PW_OK;
    pw_kv *kv;
    size_t n;
    if (pw_form_parse(ctx->a, u.query.p, u.query.n, DK_MAX_PAIRS, &kv, &n, NULL) != PW_OK)
        return PW_OK;
    const char *fkey = f->key;
    for (size_t i = 0; i < n; i++) {
        if (!kv[i].value_len || !is_search_param(kv[i].key))
            continue;
        char *key = pw_arena_sprintf(ctx->a, "%s?%s", fkey, kv[i].key);
        if (!key)
            return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
        pw_status st =
            dk_add(ctx, bb, key, kv[i].value, kv[i].value_len, PW_FIELD_SEARCH_TERM, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

pw_status dk_emit(dk_ctx *ctx, dk_builder *bb, pw_err *err)
{
    size_t n = bb->b.n_fields;
    for (size_t i = 0; i < n; i++) {
        pw_field f = bb->b.fields[i]; /* copy: adding may move the array */
        if (f.kind == PW_FIELD_PAGE_URL || f.kind == PW_FIELD_REFERRER) {
            pw_status st = add_search_terms(ctx, bb, &f, err);
            if (st != PW_OK)
                return st;
        }
        if (f.kind == PW_FIELD_ACCOUNT && !bb->b.account_id && f.value_len)
            bb->b.account_id = f.value;
        if (f.kind == PW_FIELD_EVENT && !bb->b.event_name && f.value_len)
            bb->b.event_name = f.value;
    }
    if (ctx->n_out == ctx->cap_out) {
        size_t cap = ctx->cap_out ? ctx->cap_out * 2 : 4;
        pw_beacon *b = pw_arena_alloc(ctx->a, cap * sizeof *b);
        if (!b)
            return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
        if (ctx->n_out)
            memcpy(b, ctx->out, ctx->n_out * sizeof *b);
        ctx->out = b;
        ctx->cap_out = cap;
    }
    ctx->out[ctx->n_out++] = bb->b;
    return PW_OK;
}

pw_field_kind dk_keymap_kind(const dk_keymap *m, const char *key, pw_field_kind fallback)
{
    for (; m && m->key; m++) {
        const char *mk = m->key, *k = key;
        while (*mk && *mk == *k && *mk != '*')
            mk++, k++;
        if ((*mk == '*' && mk[1] == '\0') || (*mk == '\0' && *k == '\0'))
            return m->kind;
    }
    return fallback;
}

static int in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if ((*list)[0] == k[0] && strcmp(k, *list) == 0)
            return 1;
    return 0;
}

pw_field_kind dk_generic_kind(const char *key)
{
    static const char *const page[] = {
        "url",         "u",   "dl",  "page",        "page_url",      "pageurl", "href",
        "location",    "loc", "uri", "current_url", "page_location", "pl",      "landing_page",
        "documenturl", NULL};
    static const char *const ref[] = {"ref", "referrer",      "referer",          "dr", "rl",
                                      "rf",  "page_referrer", "documentreferrer", NULL};
    static const char *const title[] = {"title", "dt", "tl", "page_title", "pagetitle", NULL};
    static const char *const search[] = {"q",          "query",   "search",   "search_term",
                                         "searchterm", "keyword", "keywords", "term",
                                         "kw",         NULL};
    static const char *const user[] = {
        "email",      "em",        "e_mail",    "phone",       "ph",           "fn",  "ln",
        "first_name", "last_name", "firstname", "lastname",    "zip",          "zp",  "postal_code",
        "zipcode",    "dob",       "db",        "birthday",    "gender",       "ge",  "address",
        "user_id",    "uid",       "userid",    "external_id", "hashed_email", "hem", "u_hem",
        "u_hpn",      "traits",    NULL};
    static const char *const device[] = {
        "cid",        "client_id",   "anonymous_id", "anonymousid", "device_id", "deviceid",
        "visitor_id", "visitorid",   "session_id",   "sessionid",   "uuid",      "fbp",
        "fbc",        "_ga",         "gclid",        "fbclid",      "msclkid",   "ttclid",
        "cookie",     "distinct_id", "vid",          "sid",         NULL};
    static const char *const event[] = {"event",     "ev",  "en",     "event_name",
                                        "eventname", "evt", "action", NULL};
    static const char *const account[] = {"pid",        "pixel_id",      "pixelid",  "tid",
                                          "account",    "account_id",    "site_id",  "siteid",
                                          "partner_id", "advertiser_id", "writekey", "write_key",
                                          "api_key",    "apikey",        "token",    NULL};
    /* the last component: "context.page.url" → "url", "cd[email]" → "email" */
    const char *k = key;
    const char *dot = strrchr(k, '.');
    if (dot)
        k = dot + 1;
    size_t n = strlen(k);
    const char *lb = strrchr(k, '[');
    if (lb && n && k[n - 1] == ']') {
        n = (size_t)(k + n - 1 - (lb + 1));
        k = lb + 1;
    }
    char leaf[32]; /* every name in the lists is shorter */
    if (n == 0 || n >= sizeof leaf)
        return PW_FIELD_OTHER;
    for (size_t i = 0; i < n; i++)
        leaf[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] - 'A' + 'a' : k[i]);
    leaf[n] = '\0';
    k = leaf;
    if (in_list(k, page))
        return PW_FIELD_PAGE_URL;
    if (in_list(k, ref))
        return PW_FIELD_REFERRER;
    if (in_list(k, title))
        return PW_FIELD_PAGE_TITLE;
    if (in_list(k, search))
        return PW_FIELD_SEARCH_TERM;
    if (in_list(k, user))
        return PW_FIELD_USER_DATA;
    if (in_list(k, device))
        return PW_FIELD_DEVICE_ID;
    if (in_list(k, event))
        return PW_FIELD_EVENT;
    if (in_list(k, account))
        return PW_FIELD_ACCOUNT;
    return PW_FIELD_OTHER;
}

static int looks_url(const char *v, size_t n)
{
    return (n > 8 && pw_strncaseeq(v, "https://", 8)) || (n > 7 && pw_strncaseeq(v, "http://", 7));
}

pw_status dk_add_pairs(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, const dk_keymap *m,
                       int guess, pw_err *err)
{
    for (size_t i = 0; i < p->n; i++) {
        const pw_kv *kv = &p->v[i];
        pw_field_kind kind = dk_keymap_kind(m, kv->key, PW_FIELD_OTHER);
        if (kind == PW_FIELD_OTHER && guess) {
            kind = dk_generic_kind(kv->key);
            if (kind == PW_FIELD_OTHER && looks_url(kv->value, kv->value_len))
                kind = PW_FIELD_PAGE_URL;
        }
        pw_status st = dk_add(ctx, bb, kv->key, kv->value, kv->value_len, kind, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

static pw_field_kind default_subkind(const char *param, const char *subkey, const dk_keymap *m)
{
    pw_field_kind k = dk_keymap_kind(m, subkey, PW_FIELD_OTHER);
    if (k == PW_FIELD_OTHER)
        k = dk_generic_kind(subkey);
    return k == PW_FIELD_OTHER ? PW_FIELD_CUSTOM_DATA : k;
}

pw_status dk_add_json_param(dk_ctx *ctx, dk_builder *bb, const pw_kv *kv, dk_subkind_fn kind_of,
                            const dk_keymap *m, pw_err *err)
{
    dk_pairs sub = {0};
    pw_err sub_err = {PW_OK, ""};
    pw_status st = dk_body_json(ctx->a, kv->key, kv->value, kv->value_len, &sub, &sub_err);
    if (st == PW_ERR_PARSE)
        return PW_OK; /* truncated or not JSON after all: the raw field stays */
    if (st != PW_OK) {
        if (err)
            *err = sub_err;
        return st;
    }
    if (!kind_of)
        kind_of = default_subkind;
    for (size_t i = 0; i < sub.n; i++) {
        st = dk_add(ctx, bb, sub.v[i].key, sub.v[i].value, sub.v[i].value_len,
                    kind_of(kv->key, sub.v[i].key, m), err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}
