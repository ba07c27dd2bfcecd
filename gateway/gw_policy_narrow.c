/*
 * gw_policy_narrow.c — re-applying the policy in force to a spooled payload (gw_policy_narrow.h).
 * Each member of the wire shapes gw_policy_apply.c renders is traced back to the rule that
 * writes it; a member whose rule the current policy no longer has is removed. Members the
 * policy never writes are left to the destination's validation.
 */
#include <stdio.h>
#include <string.h>

#include "gw_digest.h"
#include "gw_json.h"
#include "gw_policy_narrow.h"

typedef struct narrow_ctx {
    const pw_gw_policy *p;
    const pw_gw_dest_policy *d;
    pw_gw_narrowed *out;
} narrow_ctx;

static void note(narrow_ctx *c, const char *prefix, const char *field, const char *rule)
{
    size_t n = strlen(c->out->note), cap = sizeof c->out->note;
    if (n + 4 >= cap)
        return;
    int w = snprintf(c->out->note + n, cap - n, "%s%s%s (%s)", n ? ", " : "", prefix, field, rule);
    if (w < 0 || (size_t)w >= cap - n) /* cut short: say so */
        memcpy(c->out->note + cap - 4, "\xe2\x80\xa6", 4);
}

static void removed(narrow_ctx *c, const char *prefix, const char *field, const char *rule)
{
    c->out->removed++;
    note(c, prefix, field, rule);
}

static void dead(narrow_ctx *c, const char *why)
{
    c->out->dead = 1;
    snprintf(c->out->note, sizeof c->out->note, "%s", why);
}

static void obj_remove(yajl_val o, size_t i)
{
    size_t rest = o->u.object.len - i - 1;
    memmove(&o->u.object.keys[i], &o->u.object.keys[i + 1], rest * sizeof *o->u.object.keys);
    memmove(&o->u.object.values[i], &o->u.object.values[i + 1], rest * sizeof *o->u.object.values);
    o->u.object.len--;
}

static int in_list(const char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* ---- the rule behind each member: NULL when the current policy still writes it ---- */

static const char *page_origin_rule(const narrow_ctx *c)
{
    return c->d->page_url == PW_GW_URL_DROP ? "page_url: drop" : NULL;
}

static const char *category_rule(const narrow_ctx *c, yajl_val v)
{
    const pw_gw_dest_policy *d = c->d;
    if (d->page_url == PW_GW_URL_DROP)
        return "page_url: drop";
    if (d->page_url != PW_GW_URL_CATEGORIES)
        return "page_url: origin (no category)";
    const char *cat = YAJL_IS_STRING(v) ? v->u.string : NULL;
    if (!cat)
        return "page_categories: not a category";
    for (size_t i = 0; i < d->n_categories; i++)
        if (strcmp(d->categories[i].category, cat) == 0)
            return NULL;
    if (d->default_category && strcmp(d->default_category, cat) == 0)
        return NULL;
    return "page_categories: no longer a category of the policy";
}

static const char *referrer_rule(const narrow_ctx *c, yajl_val v)
{
    const pw_gw_dest_policy *d = c->d;
    if (d->referrer == PW_GW_URL_DROP)
        return "referrer: drop";
    const char *o = YAJL_IS_STRING(v) ? v->u.string : NULL;
    if (!o)
        return "referrer: not an origin";
    if (d->referrer_any || in_list(c->p->origins, c->p->n_origins, o) ||
        in_list(d->referrer_origins, d->n_referrer_origins, o))
        return NULL;
    return "referrer_origins: origin no longer allowed";
}

static const char *title_rule(const narrow_ctx *c)
{
    return c->d->page_title == PW_GW_KEEP ? NULL : "page_title: drop";
}

static const char *param_rule(const narrow_ctx *c, const char *key)
{
    const pw_gw_dest_policy *d = c->d;
    for (size_t i = 0; i < d->n_params; i++)
        if (strcmp(d->params[i], key) == 0)
            return d->param_refusal && d->param_refusal[i] ? "allow_params: name refused" : NULL;
    return "allow_params: not allowed";
}

static int fpid_kept(const narrow_ctx *c)
{
    return c->d->first_party_id == PW_GW_KEEP && c->p->site_key;
}

/* The members of a params-like object: the page fields the destination writes under `page`,
 * `category`, `referrer` and `title` names, the rest allowed params. */
typedef struct page_names {
    const char *origin, *category, *referrer, *title;
} page_names;

static void narrow_params(narrow_ctx *c, yajl_val o, const char *prefix, const page_names *pn)
{
    if (!YAJL_IS_OBJECT(o))
        return;
    for (size_t i = 0; i < o->u.object.len;) {
        const char *k = o->u.object.keys[i];
        yajl_val v = o->u.object.values[i];
        const char *rule = param_rule(c, k);
        if (rule) { /* not an allowed param: one of the page fields? */
            if (pn->origin && strcmp(k, pn->origin) == 0)
                rule = page_origin_rule(c);
            else if (strcmp(k, pn->category) == 0)
                rule = category_rule(c, v);
            else if (strcmp(k, pn->referrer) == 0)
                rule = referrer_rule(c, v);
            else if (strcmp(k, pn->title) == 0)
                rule = title_rule(c);
        }
        if (!rule) {
            i++;
            continue;
        }
        removed(c, prefix, k, rule);
        obj_remove(o, i);
    }
}

/* Meta's hashed user_data keys (and the webhook's user_data object). */
static const char *user_key_rule(const narrow_ctx *c, const char *k)
{
    return in_list(c->d->user_data, c->d->n_user_data, k) ? NULL
                                                          : "user_data: key no longer allowed";
}

/* The taxonomy name is still one the policy sends. */
static int name_sent(const narrow_ctx *c, const char *name)
{
    for (size_t i = 0; name && i < c->d->n_events; i++)
        if (strcmp(c->d->events[i].to, name) == 0 && !c->d->events[i].to_refusal)
            return 1;
    return 0;
}

static int check_name(narrow_ctx *c, const char *name)
{
    if (name_sent(c, name))
        return 1;
    char why[PW_GW_NARROW_NOTE_MAX];
    snprintf(why, sizeof why, "events: no rule of the policy in force sends '%.64s' any more",
             name ? name : "");
    dead(c, why);
    return 0;
}

static void narrow_meta(narrow_ctx *c, yajl_val p)
{
    if (!check_name(c, pw_gw_json_str(p, "event_name")))
        return;
    for (size_t i = 0; i < p->u.object.len;) {
        if (strcmp(p->u.object.keys[i], "event_source_url") == 0 && page_origin_rule(c)) {
            removed(c, "", "event_source_url", page_origin_rule(c));
            obj_remove(p, i);
            continue;
        }
        i++;
    }
    yajl_val u = pw_gw_json_get(p, "user_data");
    for (size_t i = 0; YAJL_IS_OBJECT(u) && i < u->u.object.len;) {
        const char *k = u->u.object.keys[i], *rule;
        if (strcmp(k, "external_id") == 0)
            rule = fpid_kept(c) ? NULL : "first_party_id: drop";
        else if (strcmp(k, "client_ip_address") == 0)
            rule = c->d->client_ip == PW_GW_IP_TRUNCATE ? NULL : "client_ip: drop";
        else if (strcmp(k, "client_user_agent") == 0)
            rule = c->d->user_agent == PW_GW_KEEP ? NULL : "user_agent: drop";
        else
            rule = user_key_rule(c, k);
        if (!rule) {
            i++;
            continue;
        }
        removed(c, "user_data.", k, rule);
        obj_remove(u, i);
    }
    if (YAJL_IS_OBJECT(u) && !u->u.object.len) {
        dead(c, "meta: no user_data left after the policy in force (every identifier dropped); "
                "Meta rejects such events");
        return;
    }
    static const page_names pn = {NULL, "content_category", "referrer_origin", "page_title"};
    narrow_params(c, pw_gw_json_get(p, "custom_data"), "custom_data.", &pn);
}

/* GA4's client_id without a first-party id: HMAC-SHA256(site key, destination + '\0' +
 * event_id), as gw_policy_apply.c writes it, over the 64 hex digits in place. */
static void ga4_client_id(narrow_ctx *c, yajl_val p, const char *event_id)
{
    if (fpid_kept(c))
        return;
    yajl_val id = pw_gw_json_get(p, "client_id");
    if (!c->p->site_key || !event_id || !YAJL_IS_STRING(id) || strlen(id->u.string) != 64) {
        dead(c, "ga4: no client_id left after the policy in force (first_party_id: drop, and no "
                "site key for one from the event_id); GA4 requires one");
        return;
    }
    pw_gw_hmac h;
    const pw_gw_hmac *k = &c->p->site_hmac;
    if (!c->p->prepared) {
        pw_gw_hmac_init(&h, c->p->site_key, c->p->site_key_len);
        k = &h;
    }
    size_t dn = strlen(c->d->dest.name), en = strlen(event_id);
    char msg[512], hex[65];
    if (dn + 1 + en > sizeof msg) {
        dead(c, "ga4: client_id cannot be made from this event_id");
        return;
    }
    memcpy(msg, c->d->dest.name, dn);
    msg[dn] = '\0';
    memcpy(msg + dn + 1, event_id, en);
    pw_gw_hmac_hex(k, msg, dn + 1 + en, hex);
    if (memcmp(id->u.string, hex, 64) == 0)
        return; /* made from the event_id already */
    memcpy(id->u.string, hex, 64);
    removed(c, "", "client_id",
            "first_party_id: drop; now HMAC-SHA256(site key, destination + event_id)");
}

static void narrow_ga4(narrow_ctx *c, yajl_val p, const char *event_id)
{
    yajl_val evs = pw_gw_json_get(p, "events");
    for (size_t i = 0; YAJL_IS_ARRAY(evs) && i < evs->u.array.len; i++)
        if (!check_name(c, pw_gw_json_str(evs->u.array.values[i], "name")))
            return;
    ga4_client_id(c, p, event_id);
    if (c->out->dead)
        return;
    yajl_val consent = pw_gw_json_get(p, "consent");
    for (size_t i = 0;
         !c->d->ga4_consent_from_visitor && YAJL_IS_OBJECT(consent) && i < consent->u.object.len;
         i++) {
        yajl_val v = consent->u.object.values[i];
        if (YAJL_IS_STRING(v) && strcmp(v->u.string, "DENIED") != 0) {
            v->u.string = (char *)"DENIED"; /* an arena tree: never freed node by node */
            removed(c, "consent.", consent->u.object.keys[i], "consent: denied");
        }
    }
    static const page_names pn = {"page_location", "page_category", "page_referrer", "page_title"};
    for (size_t i = 0; YAJL_IS_ARRAY(evs) && i < evs->u.array.len; i++)
        narrow_params(c, pw_gw_json_get(evs->u.array.values[i], "params"), "events[0].params.",
                      &pn);
}

static void narrow_webhook(narrow_ctx *c, yajl_val p)
{
    if (!check_name(c, pw_gw_json_str(p, "name")))
        return;
    for (size_t i = 0; i < p->u.object.len;) {
        const char *k = p->u.object.keys[i], *rule = NULL;
        yajl_val v = p->u.object.values[i];
        if (strcmp(k, "page_origin") == 0)
            rule = page_origin_rule(c);
        else if (strcmp(k, "page_category") == 0)
            rule = category_rule(c, v);
        else if (strcmp(k, "referrer_origin") == 0)
            rule = referrer_rule(c, v);
        else if (strcmp(k, "page_title") == 0)
            rule = title_rule(c);
        else if (strcmp(k, "client_ip") == 0)
            rule = c->d->client_ip == PW_GW_IP_TRUNCATE ? NULL : "client_ip: drop";
        else if (strcmp(k, "user_agent") == 0)
            rule = c->d->user_agent == PW_GW_KEEP ? NULL : "user_agent: drop";
        else if (strcmp(k, "fpid") == 0)
            rule = fpid_kept(c) ? NULL : "first_party_id: drop";
        else if (strcmp(k, "user_data") == 0 && YAJL_IS_OBJECT(v)) {
            for (size_t j = 0; j < v->u.object.len;) {
                const char *uk = v->u.object.keys[j], *ur = user_key_rule(c, uk);
                if (!ur) {
                    j++;
                    continue;
                }
                removed(c, "user_data.", uk, ur);
                obj_remove(v, j);
            }
            if (!v->u.object.len) { /* the policy writes no empty user_data */
                obj_remove(p, i);
                continue;
            }
        }
        if (!rule) {
            i++;
            continue;
        }
        removed(c, "", k, rule);
        obj_remove(p, i);
    }
    static const page_names none = {NULL, "", "", ""}; /* page fields are top-level members */
    narrow_params(c, pw_gw_json_get(p, "params"), "params.", &none);
}

void pw_gw_policy_narrow(const pw_gw_policy *p, size_t dest, yajl_val payload, const char *event_id,
                         pw_gw_narrowed *out)
{
    memset(out, 0, sizeof *out);
    if (!p || dest >= p->n_dests || !YAJL_IS_OBJECT(payload))
        return; /* not the policy's shape: the destination's validation decides */
    narrow_ctx c = {p, &p->dests[dest], out};
    switch (c.d->dest.kind) {
    case PW_DEST_META_CAPI: narrow_meta(&c, payload); break;
    case PW_DEST_GA4_MP: narrow_ga4(&c, payload, event_id); break;
    case PW_DEST_WEBHOOK: narrow_webhook(&c, payload); break;
    }
}

/* ---- the PHI verdicts, re-decided (pw_gw_policy_narrow_phi) ---- */

typedef struct phi_ctx {
    narrow_ctx n;
    size_t dest;
    const pw_gw_phi *phi;
    pw_arena *a;
    pw_err *err;
    pw_status st;
} phi_ctx;

/* Member i of object o, a string or a number: re-decided, then kept, redacted in place (the
 * tree is the arena's: its strings are never freed one by one) or removed. 1 when removed. */
static int rescrub_member(phi_ctx *c, yajl_val o, size_t i, const char *prefix, const char *key,
                          pw_detect_object object, pw_field_type t)
{
    yajl_val v = o->u.object.values[i];
    int number = YAJL_IS_NUMBER(v);
    const char *s = YAJL_IS_STRING(v) ? v->u.string : number ? v->u.number.r : NULL;
    if (!s || c->st != PW_OK)
        return 0;
    const char *out = s, *rule = NULL;
    c->st = pw_gw_policy_rescrub(c->n.p, c->phi, c->a, c->dest, key, object, s, t, number, &out,
                                 &rule, c->err);
    if (c->st != PW_OK || out == s)
        return 0;
    if (out) {
        v->u.string = (char *)out;
        c->n.out->removed++;
        note(&c->n, prefix, o->u.object.keys[i], rule ? rule : "phi: redact");
        return 0;
    }
    removed(&c->n, prefix, o->u.object.keys[i], rule ? rule : "phi: drop");
    obj_remove(o, i);
    return 1;
}

/* A params-like object: its page fields are rule outputs (origins, categories), except the
 * title, which is free text; every other member is an allowed param. */
static void rescrub_params(phi_ctx *c, yajl_val o, const char *prefix, const page_names *pn)
{
    if (!YAJL_IS_OBJECT(o))
        return;
    const char *keys[64];
    size_t nk = 0;
    for (size_t i = 0; i < o->u.object.len && nk < 64; i++) {
        const char *k = o->u.object.keys[i];
        if (!(pn->origin && !strcmp(k, pn->origin)) && strcmp(k, pn->category) &&
            strcmp(k, pn->referrer) && strcmp(k, pn->title))
            keys[nk++] = k;
    }
    pw_detect_object object = nk ? pw_detect_object_kind(keys, nk) : PW_OBJECT_UNKNOWN;
    for (size_t i = 0; i < o->u.object.len && c->st == PW_OK;) {
        const char *k = o->u.object.keys[i];
        int removed_it = 0;
        if (pn->title[0] && !strcmp(k, pn->title))
            removed_it =
                rescrub_member(c, o, i, prefix, "page_title", PW_OBJECT_UNKNOWN, PW_FT_TEXT);
        else if (!(pn->origin && !strcmp(k, pn->origin)) && strcmp(k, pn->category) &&
                 strcmp(k, pn->referrer))
            removed_it = rescrub_member(c, o, i, prefix, k, object, PW_FT_JSON_VALUE);
        i += !removed_it;
    }
}

pw_status pw_gw_policy_narrow_phi(const pw_gw_policy *p, size_t dest, yajl_val payload,
                                  const pw_gw_phi *phi, pw_arena *a, pw_gw_narrowed *out,
                                  pw_err *err)
{
    if (!p || dest >= p->n_dests || !YAJL_IS_OBJECT(payload) || !phi || out->dead)
        return PW_OK;
    phi_ctx c = {{p, &p->dests[dest], out}, dest, phi, a, err, PW_OK};
    switch (c.n.d->dest.kind) {
    case PW_DEST_META_CAPI: {
        static const page_names pn = {NULL, "content_category", "referrer_origin", "page_title"};
        rescrub_params(&c, pw_gw_json_get(payload, "custom_data"), "custom_data.", &pn);
        break;
    }
    case PW_DEST_GA4_MP: {
        static const page_names pn = {"page_location", "page_category", "page_referrer",
                                      "page_title"};
        yajl_val evs = pw_gw_json_get(payload, "events");
        for (size_t i = 0; YAJL_IS_ARRAY(evs) && i < evs->u.array.len; i++)
            rescrub_params(&c, pw_gw_json_get(evs->u.array.values[i], "params"),
                           "events[0].params.", &pn);
        break;
    }
    case PW_DEST_WEBHOOK: {
        for (size_t i = 0; i < payload->u.object.len && c.st == PW_OK; i++)
            if (!strcmp(payload->u.object.keys[i], "page_title")) {
                rescrub_member(&c, payload, i, "", "page_title", PW_OBJECT_UNKNOWN, PW_FT_TEXT);
                break;
            }
        static const page_names none = {NULL, "", "", ""}; /* page fields are top-level */
        rescrub_params(&c, pw_gw_json_get(payload, "params"), "params.", &none);
        break;
    }
    }
    return c.st;
}
