/*
 * decoder_ga_classic.c — classic Google Analytics (ga.js, dc.js, urchin.js): the __utm.gif hit on
 * www/ssl.google-analytics.com and stats.g.doubleclick.net (GET, or a POST to /j/__utm.gif whose
 * body is the same query string). `utmac` is the account (UA-…), `utmp` the page path — resolved
 * against `utmhn` (the page's host) and the hit's scheme into the page URL —, `utmdt` the title,
 * `utmr` the referrer, `utmt` the hit type, and `utme` the extensible parameter that carries event
 * hits (`5(category*action*label)(value)`) and custom variables (`8(names)9(values)11(scopes)`):
 * each value becomes a `utme.<id>.<n>` field; a click event's label is button text.
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap utm_map[] = {
    {"utmac", PW_FIELD_ACCOUNT},      {"utmp", PW_FIELD_PAGE_URL},
    {"utmdt", PW_FIELD_PAGE_TITLE},   {"utmr", PW_FIELD_REFERRER},
    {"utmt", PW_FIELD_EVENT},         {"utme", PW_FIELD_CUSTOM_DATA},
    {"utmcc", PW_FIELD_DEVICE_ID},    {"utmipc", PW_FIELD_CUSTOM_DATA},
    {"utmipn", PW_FIELD_CUSTOM_DATA}, {"utmiva", PW_FIELD_CUSTOM_DATA},
    {"utmtid", PW_FIELD_CUSTOM_DATA}, {"utmsn", PW_FIELD_CUSTOM_DATA},
    {"utmsa", PW_FIELD_CUSTOM_DATA},  {"utmsid", PW_FIELD_CUSTOM_DATA},
    {"utmhn", PW_FIELD_OTHER},        {"utm*", PW_FIELD_OTHER},
    {NULL, PW_FIELD_OTHER},
};

int dk_is_utm_gif(const dk_ctx *ctx)
{
    const pw_slice *p = &ctx->url.path;
    return p->n >= 9 && memcmp(p->p + p->n - 9, "__utm.gif", 9) == 0;
}

/* "/conditions/hiv" on host "www.example.org" → "https://www.example.org/conditions/hiv" (the
 * scheme of the hit: ga.js picks ssl.google-analytics.com exactly on https pages). */
static const char *page_url(dk_ctx *ctx, const char *path, const char *host)
{
    if (!path || path[0] != '/' || !host || !*host || strpbrk(host, "/?#@ "))
        return NULL;
    const pw_slice *s = &ctx->url.scheme;
    return pw_arena_sprintf(ctx->a, "%.*s://%s%s", (int)s->n, s->p, host, path);
}

typedef struct utme_reader {
    dk_ctx *ctx;
    dk_builder *bb;
    unsigned id; /* the current object: 5 event, 8/9/11 custom variables, 14 timing … */
    size_t item; /* values read in this object so far */
    char val[512];
    size_t n;
} utme_reader;

static pw_status utme_value(utme_reader *r, pw_err *err)
{
    char *key = pw_arena_sprintf(r->ctx->a, "utme.%u.%zu", r->id, r->item++);
    char *val = dk_dup(r->ctx->a, r->val, r->n);
    r->n = 0;
    if (!key || !val)
        return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
    return dk_add(r->ctx, r->bb, key, val, strlen(val), PW_FIELD_CUSTOM_DATA, err);
}

/* ga.js escapes "'" as '0, ')' as '1, '*' as '2 and '!' as '3 inside utme groups. */
static char utme_unescape(char c)
{
    switch (c) {
    case '0': return '\'';
    case '1': return ')';
    case '2': return '*';
    case '3': return '!';
    default: return c;
    }
}

/* Split utme into its values; anything outside the grammar is skipped, never an error. */
static pw_status add_utme(dk_ctx *ctx, dk_builder *bb, const char *s, pw_err *err)
{
    utme_reader r = {.ctx = ctx, .bb = bb};
    int in_group = 0;
    for (; *s; s++) {
        pw_status st = PW_OK;
        if (!in_group && *s >= '0' && *s <= '9') {
            unsigned id = 0;
            while (*s >= '0' && *s <= '9' && id < 1000)
                id = id * 10 + (unsigned)(*s++ - '0');
            r.id = id;
            r.item = 0;
            s--;
        } else if (!in_group && *s == '(') {
            in_group = 1;
        } else if (in_group && (*s == '*' || *s == ')')) {
            st = utme_value(&r, err);
            in_group = *s == '*';
        } else if (in_group) {
            char c = *s == '\'' && s[1] ? utme_unescape(*++s) : *s;
            if (r.n < sizeof r.val)
                r.val[r.n++] = c;
        }
        if (st != PW_OK)
            return st;
    }
    return in_group ? utme_value(&r, err) : PW_OK;
}

static const char *field_value(const dk_builder *bb, const char *key)
{
    for (size_t i = 0; i < bb->b.n_fields; i++)
        if (strcmp(bb->b.fields[i].key, key) == 0)
            return bb->b.fields[i].value;
    return NULL;
}

static pw_status finish(dk_ctx *ctx, dk_builder *bb, pw_err *err)
{
    const char *utme = field_value(bb, "utme");
    if (utme) {
        pw_status st = add_utme(ctx, bb, utme, err);
        if (st != PW_OK)
            return st;
    }
    for (size_t i = 0; i < bb->b.n_fields; i++) {
        pw_field *f = &bb->b.fields[i];
        if (strcmp(f->key, "utmp") != 0)
            continue;
        const char *url = page_url(ctx, f->value, field_value(bb, "utmhn"));
        if (url) {
            f->value = url;
            f->value_len = strlen(url);
        }
    }
    static const char *const context[] = {"utme.5.0", "utme.5.1", NULL};
    static const char *const labels[] = {"utme.5.2", NULL};
    dk_click_labels(bb, context, labels);
    const char *t = field_value(bb, "utmt"), *action = field_value(bb, "utme.5.1");
    bb->b.event_name = !t ? "pageview" : strcmp(t, "event") == 0 && action ? action : t;
    return PW_OK;
}

static pw_status adjust(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    (void)body;
    return finish(ctx, bb, err);
}

pw_status dk_decode_utm(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, utm_map, adjust, err);
}
