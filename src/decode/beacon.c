/*
 * beacon.c — how decoders build pw_beacons: a growable field list in the request's arena, typed
 * adds, and the finishing step every beacon shares (search terms read out of page URLs, the
 * account and event taken from the first ACCOUNT/EVENT field when the decoder set none, the
 * cookies sent along as device IDs).
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
    if (++ctx->n_fields > DK_MAX_FIELDS)
        return pw_err_set(err, PW_ERR_LIMIT, "field '%.64s': more than %zu fields in one request",
                          key, DK_MAX_FIELDS);
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
    *f = (pw_field){.key = key,
                    .value = value,
                    .value_len = value_len,
                    .kind = kind,
                    .hashed = pw_is_sha256_hex(value, value_len)}; /* object: dk_add_kv */
    return PW_OK;
}

pw_status dk_add_kv(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, const pw_kv *kv,
                    pw_field_kind kind, pw_err *err)
{
    pw_status st = dk_add(ctx, bb, kv->key, kv->value, kv->value_len, kind, err);
    if (st == PW_OK)
        bb->b.fields[bb->b.n_fields - 1].object = dk_pairs_object(p, kv);
    return st;
}

/* A page URL whose own query names a search gives SEARCH_TERM fields ("dl?q"), decoding that
 * inner query once more: it is a new layer. Which parameters count: pw_search_param (a search
 * box's q=…, or a find-a-doctor page's condition=… filter). */
/* The query and path of an absolute URL or of a path ("/search?q=x", UA's dp); 0 if no query. */
static int url_query(const char *v, size_t n, pw_slice *q, pw_slice *path)
{
    pw_url u;
    if (pw_url_parse(v, n, &u, NULL) == PW_OK) {
        *q = u.query;
        *path = u.path;
        return q->n > 0;
    }
    if (n == 0 || v[0] != '/')
        return 0;
    const char *qm = memchr(v, '?', n);
    if (!qm)
        return 0;
    *path = (pw_slice){v, (size_t)(qm - v)};
    q->p = qm + 1;
    q->n = n - (size_t)(q->p - v);
    const char *hash = memchr(q->p, '#', q->n);
    if (hash)
        q->n = (size_t)(hash - q->p);
    return q->n > 0;
}

static pw_status add_search_terms(dk_ctx *ctx, dk_builder *bb, const pw_field *f, pw_err *err)
{
    pw_slice q, path;
    if (!url_query(f->value, f->value_len, &q, &path))
        return PW_OK;
    pw_kv *kv;
    size_t n;
    if (pw_form_parse(ctx->a, q.p, q.n, DK_MAX_PAIRS, &kv, &n, NULL) != PW_OK)
        return PW_OK;
    const char *fkey = f->key;
    for (size_t i = 0; i < n; i++) {
        if (!kv[i].value_len || !pw_search_param(kv[i].key, path.p, path.n))
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

/* Cookies sent with a beacon identify the visitor to the tracker (Meta's c_user is the Facebook
 * account ID; datr, fr, IDE, MUID … are device IDs): each becomes a "cookie:<name>" field. */
static pw_status add_cookies(dk_ctx *ctx, dk_builder *bb, pw_err *err)
{
    const char *h = pw_request_header(ctx->req, "cookie");
    size_t count = 0;
    while (h && *h && count < 100) {
        while (*h == ' ' || *h == ';')
            h++;
        size_t len = strcspn(h, ";");
        const char *eq = memchr(h, '=', len);
        if (eq && eq > h) {
            size_t klen = (size_t)(eq - h), vlen = len - klen - 1;
            char *key = pw_arena_sprintf(ctx->a, "cookie:%.*s", (int)klen, h);
            char *val = dk_dup(ctx->a, eq + 1, vlen);
            if (!key || !val)
                return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
            pw_field_kind kind =
                strcmp(key, "cookie:c_user") == 0 ? PW_FIELD_USER_DATA : PW_FIELD_DEVICE_ID;
            pw_status st = dk_add(ctx, bb, key, val, vlen, kind, err);
            if (st != PW_OK)
                return st;
            count++;
        }
        h += len;
    }
    return PW_OK;
}

pw_status dk_emit(dk_ctx *ctx, dk_builder *bb, pw_err *err)
{
    if (bb->b.kind != PW_BEACON_SCRIPT) {
        pw_status st = add_cookies(ctx, bb, err);
        if (st != PW_OK)
            return st;
    }
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
    if (ctx->n_out >= DK_MAX_BEACONS)
        return pw_err_set(err, PW_ERR_LIMIT, "body: more than %zu events in one request",
                          DK_MAX_BEACONS);
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
                                          "api_key",    "apikey",        NULL};
    /* Mixpanel's project token; a bare "token" is per request (Google Maps' token=14966) */
    size_t key_len = strlen(key);
    if (key_len >= 16 && strcmp(key + key_len - 16, "properties.token") == 0 &&
        (key_len == 16 || key[key_len - 17] == '.'))
        return PW_FIELD_ACCOUNT;
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

/* A Google API key ("AIza" + 35 characters): the site's key, its account with Google Maps. */
static int google_api_key(const char *v, size_t n)
{
    return n == 39 && memcmp(v, "AIza", 4) == 0;
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
        /* a key the map names keeps its kind, PW_FIELD_OTHER included (UET's kw, the page's
         * meta keywords, is no search term); only unnamed keys are guessed */
        pw_field_kind kind = dk_keymap_kind(m, kv->key, PW_FIELD__COUNT);
        if (kind == PW_FIELD__COUNT && !guess)
            kind = PW_FIELD_OTHER;
        if (kind == PW_FIELD__COUNT) {
            kind = dk_generic_kind(kv->key);
            if (kind == PW_FIELD_OTHER && looks_url(kv->value, kv->value_len))
                kind = PW_FIELD_PAGE_URL;
            if (kind == PW_FIELD_OTHER && google_api_key(kv->value, kv->value_len))
                kind = PW_FIELD_ACCOUNT;
        }
        pw_status st = dk_add_kv(ctx, bb, p, kv, kind, err);
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
        st = dk_add_kv(ctx, bb, &sub, &sub.v[i], kind_of(kv->key, sub.v[i].key, m), err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

/* A category, action or event name that says the hit records a click on a button or link. */
int dk_clicky(const char *s, size_t n)
{
    static const char *const words[] = {"click", "button", "link", NULL};
    for (size_t i = 0; s && words[i]; i++)
        if (pw_strcasestr_n(s, n, words[i]))
            return 1;
    return 0;
}

void dk_click_labels(dk_builder *bb, const char *const *context_keys, const char *const *label_keys)
{
    int click = 0;
    for (size_t i = 0; i < bb->b.n_fields && !click; i++) {
        const pw_field *f = &bb->b.fields[i];
        click = in_list(f->key, context_keys) && dk_clicky(f->value, f->value_len);
    }
    for (size_t i = 0; click && i < bb->b.n_fields; i++) {
        pw_field *f = &bb->b.fields[i];
        if (in_list(f->key, label_keys) &&
            (f->kind == PW_FIELD_CUSTOM_DATA || f->kind == PW_FIELD_OTHER))
            f->kind = PW_FIELD_BUTTON_TEXT;
    }
}
