/*
 * gw_policy_apply.c — apply the policy to one event for each destination (DESIGN §4).
 *
 * Every output value is produced by a rule: a mapped taxonomy name, an origin from the site's
 * own list, a page category from a path glob, a hash or HMAC, a truncated IP, or a string that
 * passed the PHI engine (redacted or dropped when it hits). Nothing else from the request can
 * reach a payload, so what is spooled is already scrubbed. Each decision is recorded as a
 * field trace (for --explain and the audit's field -> rule map).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forward_ga4.h"
#include "gw_digest.h"
#include "gw_json_writer.h"
#include "gw_policy.h"
#include "gw_policy_guard.h"
#include "gw_policy_host.h"
#include "phiwall/decode.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

#define MAX_CACHE 160

typedef struct scan_entry {
    const char *s;
    pw_hit *hits;
    size_t n;
} scan_entry;

/* A string's verdict under scrub: the guard's refusal, or the hits to redact. */
typedef struct scrub_entry {
    const char *s, *key;
    pw_detect_object object;
    pw_field_type t;
    pw_gw_script_mode mode;
    const char *refusal;
    pw_hit *hits;
    size_t n;
} scrub_entry;

#define MAX_SCRUBBED 16

/* The engine stops adding hits at PW_DETECT_MAX_HITS per scan: a string that reaches it may hold
 * more PHI past the last hit, so it is dropped rather than redacted up to there. */

/* A URL's parse and its origin (NULL when it has none). */
typedef struct origin_entry {
    const char *url;
    pw_url u;
    const char *origin;
} origin_entry;

typedef struct apply_ctx {
    const pw_gw_policy *p;
    const pw_gw_phi *phi;
    pw_arena *a;
    const pw_gw_event *ev;
    pw_err *err;
    /* What the event's params say their object is about ({"name":"Knee Brace","price":…} is a
     * product's): every param is scanned as a member of it, as phiwall redact and the scanner
     * judge the same JSON object. */
    pw_detect_object params_object;
    scan_entry cache[MAX_CACHE]; /* one scan per string, shared by the destinations */
    size_t n_cache;
    scrub_entry scrubbed[MAX_SCRUBBED]; /* scrub's verdicts, shared by the destinations */
    size_t n_scrubbed;
    origin_entry origins[2]; /* page_url's and referrer's parse and origin */
    size_t n_origins;
    pw_gw_hmac site_hmac; /* the site key's schedule, set up on first use (unprepared policy) */
    int site_hmac_ready;
    const pw_gw_dest_policy *hmac_dest; /* the last (destination, id) HMACed and its hex */
    const char *hmac_of;
    char hmac_hex[65];
    pw_buf out; /* payloads and field maps are rendered here, then copied to the arena */
} apply_ctx;

/* A piece of text for join(). */
typedef struct span {
    const char *p;
    size_t n;
} span;

#define SP(s) ((span){(s), strlen(s)})

/* The concatenation of parts, in the arena (the hot path's replacement for sprintf). */
static char *join(pw_arena *a, const span *parts, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += parts[i].n;
    char *out = pw_arena_alloc(a, len + 1);
    if (!out)
        return NULL;
    char *w = out;
    for (size_t i = 0; i < n; i++) {
        memcpy(w, parts[i].p, parts[i].n);
        w += parts[i].n;
    }
    *w = '\0';
    return out;
}

#define JOIN(a, ...) \
    join((a), (const span[]){__VA_ARGS__}, sizeof((const span[]){__VA_ARGS__}) / sizeof(span))

typedef struct out_kv {
    const char *key;
    const char *val;
    int raw; /* JSON number / boolean text */
} out_kv;

typedef struct reduced {
    const char *name;
    int64_t time_ms;
    const char *origin, *source_url, *category, *referrer, *title, *ip, *ua, *fpid;
    out_kv *user, *params;
    size_t n_user, n_params;
    pw_gw_field_trace *tr;
    size_t n_tr, cap_tr;
    unsigned redacted;
} reduced;

static const char *const cat_labels[] = {
    "EMAIL", "PHONE", "SSN", "DATE", "ZIP",  "ADDRESS", "IP",     "RECORD_ID",
    "NPI",   "DEA",   "MBI", "CARD", "NAME", "CANARY",  "HEALTH", "CARE_INTENT"};

static const char *cat_label(pw_phi_category c)
{
    return (unsigned)c < sizeof cat_labels / sizeof cat_labels[0] ? cat_labels[c] : "PHI";
}

static void trace(apply_ctx *c, reduced *r, const char *field, const char *action, const char *rule)
{
    if (r->n_tr == r->cap_tr) {
        size_t cap = r->cap_tr ? r->cap_tr * 2 : 32;
        pw_gw_field_trace *n = pw_arena_alloc(c->a, cap * sizeof *n);
        if (!n)
            return;
        if (r->n_tr)
            memcpy(n, r->tr, r->n_tr * sizeof *n);
        r->tr = n;
        r->cap_tr = cap;
    }
    r->tr[r->n_tr++] = (pw_gw_field_trace){field, action, rule};
}

/* A GA4 string the forwarder would refuse (over 100 characters once redacted), taken out of
 * what is sent before it is spooled: GA4 checks the value it receives, so the policy checks the
 * one it sends, in characters as the forwarder counts them, for every string it writes into
 * GA4's params (allow_params and the kept title). The field's "sent"/"redacted" trace, when
 * scrub wrote one, is replaced by the drop. 1 when dropped. */
static int ga4_too_long(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d, const char *field,
                        const char *v)
{
    if (d->dest.kind != PW_DEST_GA4_MP || !v || pw_ga4_param_value_ok(v))
        return 0;
    if (r->n_tr && strcmp(r->tr[r->n_tr - 1].field, field) == 0)
        r->n_tr--;
    trace(c, r, field, "dropped", "ga4: values are limited to 100 characters");
    return 1;
}

static pw_status scan(apply_ctx *c, const char *key, pw_detect_object object, const char *s,
                      pw_field_type t, pw_hit **hits, size_t *n)
{
    for (size_t i = 0; i < c->n_cache; i++)
        if (c->cache[i].s == s) {
            *hits = c->cache[i].hits;
            *n = c->cache[i].n;
            return PW_OK;
        }
    pw_status st = c->phi->scan(c->phi->ctx, c->a, key, object, s, strlen(s), t, hits, n, c->err);
    if (st != PW_OK)
        return st;
    if (c->n_cache < MAX_CACHE)
        c->cache[c->n_cache++] = (scan_entry){s, *hits, *n};
    return PW_OK;
}

/* A copy of s with each hit replaced by [CATEGORY]; hits are sorted and do not overlap. */
static const char *redact(pw_arena *a, const char *s, const pw_hit *h, size_t n)
{
    size_t len = strlen(s), size = 0, pos = 0;
    for (size_t i = 0; i < n; i++) { /* first the size, then the copy */
        if (h[i].start < pos || h[i].end > len || h[i].start > h[i].end)
            continue;
        size += h[i].start - pos + strlen(cat_label(h[i].category)) + 2;
        pos = h[i].end;
    }
    size += len - pos;
    char *out = pw_arena_alloc(a, size + 1), *w = out;
    if (!out)
        return NULL;
    pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i].start < pos || h[i].end > len || h[i].start > h[i].end)
            continue;
        const char *label = cat_label(h[i].category);
        size_t ln = strlen(label);
        memcpy(w, s + pos, h[i].start - pos);
        w += h[i].start - pos;
        *w++ = '[';
        memcpy(w, label, ln);
        w += ln;
        *w++ = ']';
        pos = h[i].end;
    }
    memcpy(w, s + pos, len - pos);
    w[len - pos] = '\0';
    return out;
}

static int hit_cmp(const void *x, const void *y)
{
    const pw_hit *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start ? 1 : 0;
}

/* A growing list of hits in the arena: own_data_in has no cap, since a hit left out of the list
 * would be sent as written (a cap once let the 33rd occurrence through). */
typedef struct hit_list {
    pw_hit *h;
    size_t n, cap;
} hit_list;

static int hit_push(pw_arena *a, hit_list *l, pw_hit h)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        pw_hit *g = pw_arena_alloc(a, cap * sizeof *g);
        if (!g)
            return 0;
        if (l->n)
            memcpy(g, l->h, l->n * sizeof *g);
        l->h = g;
        l->cap = cap;
    }
    l->h[l->n++] = h;
    return 1;
}

/* pw_strcasestr_n(hay, hay_len, needle) with m = strlen(needle): the same answer, found by
 * comparing only where the byte with 0x20 set equals the needle's first byte with 0x20 set (every
 * byte that tolower, ASCII in the C locale the gateway runs in, maps to the same letter passes;
 * so do a few others, which the full comparison then refuses) instead of calling the comparison
 * at every position: ~320 → ~100 instructions a search on the benchmark's event. */
static const char *find_folded(const char *hay, size_t hay_len, const char *needle, size_t m)
{
    if (m == 0)
        return hay;
    unsigned char first = (unsigned char)needle[0] | 0x20;
    for (size_t i = 0; i + m <= hay_len; i++)
        if (((unsigned char)hay[i] | 0x20) == first && pw_strncaseeq(hay + i, needle, m))
            return hay + i;
    return NULL;
}

/* Defence in depth, on top of the engine: the visitor's own user fields (email, phone, name…)
 * must never appear in any other field, whatever their shape, and long digit runs are treated
 * as identifiers. Every occurrence becomes a hit (sorted, overlaps merged), however many there
 * are. *n = 0 when none; PW_ERR_NOMEM when out of memory (the caller fails, never sends). */
static pw_status own_data_in(const pw_gw_event *ev, const char *s, pw_hit **hits, size_t *n,
                             pw_arena *a)
{
    size_t len = strlen(s);
    hit_list found = {0};
    *hits = NULL;
    *n = 0;
    for (size_t i = 0; i < ev->n_user; i++) {
        const pw_gw_param *u = &ev->user[i];
        if (u->len < 3 || u->len > len)
            continue;
        const char *needle = u->str; /* gw_event.c ends it at u->len; a copy when not */
        if (needle[u->len] != '\0' && !(needle = pw_arena_strndup(a, u->str, u->len)))
            return PW_ERR_NOMEM;
        size_t m = strlen(needle); /* u->len unless the value holds a NUL */
        for (size_t off = 0; off < len;) {
            const char *at = find_folded(s + off, len - off, needle, m);
            if (!at)
                break;
            size_t st = (size_t)(at - s);
            if (!hit_push(a, &found,
                          (pw_hit){.category = PW_PHI_CANARY,
                                   .subtype = "visitor-data",
                                   .start = st,
                                   .end = st + u->len}))
                return PW_ERR_NOMEM;
            off = st + u->len;
        }
    }
    /* A run of 7+ digits is an identifier's shape (MRN, member, account, phone) whatever its
     * context: no conversion parameter needs one. */
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)(s[i] - '0') > 9)
            continue; /* most bytes: one test each */
        size_t j = i + 1;
        while (j < len && (unsigned char)(s[j] - '0') <= 9)
            j++;
        if (j - i >= 7 &&
            !hit_push(
                a, &found,
                (pw_hit){.category = PW_PHI_RECORD_ID, .subtype = "digits", .start = i, .end = j}))
            return PW_ERR_NOMEM;
        i = j; /* s[j] is not a digit (or the end): the loop's i++ passes it */
    }
    if (!found.n)
        return PW_OK;
    qsort(found.h, found.n, sizeof found.h[0], hit_cmp);
    size_t m = 0; /* merged in place: h[m] never passes h[i] */
    for (size_t i = 0; i < found.n; i++) {
        if (m && found.h[i].start < found.h[m - 1].end) {
            if (found.h[i].end > found.h[m - 1].end)
                found.h[m - 1].end = found.h[i].end;
            continue;
        }
        found.h[m++] = found.h[i];
    }
    *hits = found.h;
    *n = m;
    return PW_OK;
}

/* Union of two hit lists, sorted by start, overlapping spans merged into one. */
static pw_status merge_hits(pw_arena *a, pw_hit **hits, size_t *n, const pw_hit *more, size_t m)
{
    size_t total = *n + m, k = 0;
    pw_hit *all = pw_arena_calloc(a, total ? total : 1, sizeof *all);
    if (!all)
        return PW_ERR_NOMEM;
    if (*n)
        memcpy(all, *hits, *n * sizeof *all);
    memcpy(all + *n, more, m * sizeof *all);
    qsort(all, total, sizeof *all, hit_cmp);
    for (size_t i = 0; i < total; i++) {
        if (k && all[i].start < all[k - 1].end) {
            if (all[i].end > all[k - 1].end)
                all[k - 1].end = all[i].end;
            continue;
        }
        all[k++] = all[i];
    }
    *hits = all;
    *n = k;
    return PW_OK;
}

/*
 * Pass a string through the PHI engine under the destination's phi mode. *out is the value to
 * send (unchanged or redacted) or NULL when the field is dropped.
 */
/* The guard's second look (decoded base64, joined letters, stripped marks): the engine and the
 * visitor's own data, any hit counts. */
typedef struct guard_ctx {
    apply_ctx *c;
    const char *key;
    pw_detect_object object;
} guard_ctx;

static pw_status guard_scan(void *ctx, const char *s, size_t n, int *hit)
{
    guard_ctx *g = ctx;
    apply_ctx *c = g->c;
    pw_hit *hits = NULL, *own = NULL;
    size_t k = 0, n_own = 0;
    /* NUL-terminated for own_data_in; all n bytes, since a decoded view may hold a NUL
     * ("%00cancer") and the engine reads n of them */
    const char *z = pw_arena_memdup(c->a, s, n);
    if (!z)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    pw_status st =
        c->phi->scan(c->phi->ctx, c->a, g->key, g->object, z, n, PW_FT_TEXT, &hits, &k, c->err);
    if (st != PW_OK)
        return st;
    if (!k && own_data_in(c->ev, z, &own, &n_own, c->a) != PW_OK)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    *hit = k > 0 || n_own > 0;
    return PW_OK;
}

/* The fail-closed guard's refusal of s (gw_policy_guard.h), or NULL. redacts: the caller scans
 * the accent-folded view itself (accented_hits) and redacts. */
static pw_status guard_refusal(apply_ctx *c, pw_gw_script_mode mode, const char *key,
                               pw_detect_object object, const char *s, int redacts,
                               const char **why)
{
    guard_ctx g = {c, key, object};
    *why = NULL;
    return (redacts ? pw_gw_guard_check_text : pw_gw_guard_check)(c->a, s, strlen(s), mode,
                                                                  guard_scan, &g, why);
}

/* A string the guard refused: dropped, whatever phi says, and traced. */
static void refuse(apply_ctx *c, reduced *r, const char *field, const char *why)
{
    r->redacted++;
    trace(c, r, field, "dropped", why);
}

static pw_status guarded(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d, const char *field,
                         const char *key, const char *s, int *refused)
{
    const char *why = NULL;
    pw_status st = guard_refusal(c, d->text_scripts, key, PW_OBJECT_UNKNOWN, s, 0, &why);
    *refused = st == PW_OK && why;
    if (*refused)
        refuse(c, r, field, why);
    return st;
}

/* Accented text ("cita para depresión", "ḤIV") read without its accents, as the guard reads it:
 * the engine's and the visitor's-own-data hits in that view, mapped back onto s, are added to
 * *hits, so that an accented term is redacted or dropped per the policy like its ASCII form
 * (the guard dropped such a value whole). */
static pw_status accented_hits(apply_ctx *c, const char *key, pw_detect_object object,
                               const char *s, pw_field_type t, pw_hit **hits, size_t *n)
{
    char *f = NULL;
    size_t fn = 0, *map = NULL, k = 0, n_own = 0;
    pw_status st = pw_gw_guard_fold(c->a, s, strlen(s), &f, &fn, &map);
    if (st != PW_OK)
        return pw_err_set(c->err, st, "out of memory");
    if (!f)
        return PW_OK;
    pw_hit *fh = NULL, *own = NULL;
    if ((st = c->phi->scan(c->phi->ctx, c->a, key, object, f, fn, t, &fh, &k, c->err)) != PW_OK)
        return st;
    if (own_data_in(c->ev, f, &own, &n_own, c->a) != PW_OK ||
        (n_own && (st = merge_hits(c->a, &fh, &k, own, n_own)) != PW_OK))
        return pw_err_set(c->err, st, "out of memory");
    for (size_t i = 0; i < k; i++) {
        fh[i].start = fh[i].start <= fn ? map[fh[i].start] : strlen(s);
        fh[i].end = fh[i].end <= fn ? map[fh[i].end] : strlen(s);
    }
    if (k && (st = merge_hits(c->a, hits, n, fh, k)) != PW_OK)
        return pw_err_set(c->err, st, "out of memory");
    return PW_OK;
}

/* What scrub decides for s, whatever the destination: the guard's refusal, else the engine's,
 * the visitor's own data's and the accent-folded view's hits (sorted, merged). */
static pw_status scrub_verdict(apply_ctx *c, pw_gw_script_mode mode, const char *key,
                               pw_detect_object object, const char *s, pw_field_type t,
                               scrub_entry *e)
{
    *e = (scrub_entry){.s = s, .key = key, .object = object, .t = t, .mode = mode};
    pw_status st = guard_refusal(c, mode, key, object, s, 1, &e->refusal);
    if (st != PW_OK || e->refusal)
        return st;
    if ((st = scan(c, key, object, s, t, &e->hits, &e->n)) != PW_OK)
        return st;
    if (e->n >= PW_DETECT_MAX_HITS) {
        e->refusal = "phi: the PHI engine's hit limit reached (the rest unread): dropped";
        return PW_OK;
    }
    pw_hit *own = NULL;
    size_t n_own = 0;
    if (own_data_in(c->ev, s, &own, &n_own, c->a) != PW_OK ||
        (n_own && (st = merge_hits(c->a, &e->hits, &e->n, own, n_own)) != PW_OK))
        return pw_err_set(c->err, st, "out of memory");
    return accented_hits(c, key, object, s, t, &e->hits, &e->n);
}

/* scrub_verdict, once per (string, key, object, type, text_scripts) and event: the destinations
 * of an event mostly keep the same params. */
static pw_status scrub_verdict_cached(apply_ctx *c, pw_gw_script_mode mode, const char *key,
                                      pw_detect_object object, const char *s, pw_field_type t,
                                      const scrub_entry **out)
{
    for (size_t i = 0; i < c->n_scrubbed; i++) {
        const scrub_entry *e = &c->scrubbed[i];
        if (e->s == s && e->t == t && e->mode == mode && e->object == object &&
            (e->key == key || !strcmp(e->key, key))) {
            *out = e;
            return PW_OK;
        }
    }
    scrub_entry *e = &c->scrubbed[c->n_scrubbed < MAX_SCRUBBED ? c->n_scrubbed++ : 0];
    *out = e;
    return scrub_verdict(c, mode, key, object, s, t, e);
}

static pw_status scrub(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d, const char *field,
                       const char *key, pw_detect_object object, const char *s, pw_field_type t,
                       const char **out)
{
    const scrub_entry *e = NULL;
    *out = NULL;
    pw_status st = scrub_verdict_cached(c, d->text_scripts, key, object, s, t, &e);
    if (st != PW_OK)
        return st;
    if (e->refusal) {
        refuse(c, r, field, e->refusal);
        return PW_OK;
    }
    const pw_hit *hits = e->hits;
    size_t n = e->n;
    *out = s;
    if (n == 0)
        return PW_OK;
    r->redacted++;
    const char *rule =
        JOIN(c->a, SP("phi: "), SP(d->phi_strings == PW_GW_PHI_DROP ? "drop" : "redact"), SP(" ("),
             SP(cat_label(hits[0].category)), SP(")"));
    if (d->phi_strings == PW_GW_PHI_DROP || t == PW_FT_URL) {
        *out = NULL;
        trace(c, r, field, "dropped", rule);
        return PW_OK;
    }
    *out = redact(c->a, s, hits, n);
    trace(c, r, field, "redacted", rule);
    return PW_OK;
}

/* ---- the event name ------------------------------------------------------------------ */

static const pw_gw_event_rule *find_event(const pw_gw_dest_policy *d, const char *name)
{
    for (size_t i = 0; i < d->n_events; i++)
        if (strcmp(d->events[i].from, name) == 0)
            return &d->events[i];
    return NULL;
}

/* The refusal rule for a name whose scan gave hits[0..n), or NULL: a name that reveals a
 * condition or carries an identifier is refused; care intent alone ("appointment") is what the
 * safe taxonomy names, so it does not refuse a name. */
static const char *refusal_of(pw_arena *a, const pw_hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i].category != PW_PHI_CARE_INTENT)
            return JOIN(a, SP("event_name.phi: refused ("), SP(cat_label(hits[i].category)),
                        SP(")"));
    return NULL;
}

/* The refusal rule for an allow_params name whose scan gave hits[0..n), or NULL: as for event
 * names, health context or an identifier refuses it; care intent alone does not. */
static const char *param_name_refusal_of(pw_arena *a, const pw_hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i].category != PW_PHI_CARE_INTENT)
            return JOIN(a, SP("allow_params: the name hits the PHI engine ("),
                        SP(cat_label(hits[i].category)), SP("): refused"));
    return NULL;
}

/* 1 when the hits refuse a name (refusal_of is then non-NULL unless out of memory). */
static int refuses(const pw_hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i].category != PW_PHI_CARE_INTENT)
            return 1;
    return 0;
}

static pw_status name_refusal(apply_ctx *c, const char *name, const char **rule)
{
    pw_hit *hits = NULL;
    size_t n = 0;
    *rule = NULL;
    pw_status st = scan(c, "event_name", PW_OBJECT_UNKNOWN, name, PW_FT_TEXT, &hits, &n);
    if (st == PW_OK)
        *rule = refusal_of(c->a, hits, n);
    return st;
}

/* The taxonomy name's refusal: from the prepared policy, else scanned now. */
static pw_status taxonomy_refusal(apply_ctx *c, const pw_gw_event_rule *rule, const char **out)
{
    if (!c->p->prepared)
        return name_refusal(c, rule->to, out);
    *out = rule->to_refusal;
    return PW_OK;
}

/* ---- URLs ---------------------------------------------------------------------------- */

static const char *origin_parse(apply_ctx *c, const char *url, pw_url *u)
{
    if (!url || pw_url_parse(url, strlen(url), u, NULL) != PW_OK || !u->host.n)
        return NULL;
    char *host = pw_url_host_dup(c->a, u);
    char *scheme = pw_lower_dup(c->a, u->scheme.p, u->scheme.n, 0);
    if (!host || !scheme || (strcmp(scheme, "https") && strcmp(scheme, "http")))
        return NULL;
    if (u->port.n)
        return JOIN(c->a, SP(scheme), SP("://"), SP(host), SP(":"),
                    ((span){u->port.p, strnlen(u->port.p, u->port.n)}));
    return JOIN(c->a, SP(scheme), SP("://"), SP(host));
}

/* origin_parse, once per URL and event (page_url and referrer, for every destination). */
static const char *origin_of(apply_ctx *c, const char *url, pw_url *u)
{
    for (size_t i = 0; i < c->n_origins; i++)
        if (c->origins[i].url == url) {
            *u = c->origins[i].u;
            return c->origins[i].origin;
        }
    const char *o = origin_parse(c, url, u);
    if (c->n_origins < sizeof c->origins / sizeof c->origins[0])
        c->origins[c->n_origins++] = (origin_entry){url, *u, o};
    return o;
}

static int site_origin(const pw_gw_policy *p, const char *origin)
{
    for (size_t i = 0; i < p->n_origins; i++)
        if (strcasecmp(p->origins[i], origin) == 0)
            return 1;
    return 0;
}

static int listed(const char **list, size_t n, const char *origin)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], origin) == 0)
            return 1;
    return 0;
}

/* The PHI engine's verdict on a host read as words ("www.hiv-clinic.org" -> "www hiv clinic
 * org"): the engine's URL mode does not read hosts, yet a host can name a condition or a person.
 * Any hit (or the visitor's own data) refuses the origin; *rule says why. */
static pw_status host_refusal(apply_ctx *c, const char *field, const pw_url *u, int latin_only,
                              const char **rule)
{
    *rule = NULL;
    char *words = pw_url_host_dup(c->a, u);
    if (!words)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    if (latin_only && (strncasecmp(words, "xn--", 4) == 0 || strstr(words, ".xn--"))) {
        *rule = JOIN(c->a, SP(field), SP(": internationalised host (text_scripts latin): dropped"));
        return PW_OK;
    }
    for (char *p = words; *p; p++)
        if (*p == '.' || *p == '-')
            *p = ' ';
    pw_hit *hits = NULL, *own = NULL;
    size_t n = 0, n_own = 0;
    pw_status st = c->phi->scan(c->phi->ctx, c->a, field, PW_OBJECT_UNKNOWN, words, strlen(words),
                                PW_FT_TEXT, &hits, &n, c->err);
    if (st != PW_OK)
        return st;
    if (!n && own_data_in(c->ev, words, &own, &n_own, c->a) != PW_OK)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    if (!n && n_own) {
        hits = own;
        n = n_own;
    }
    if (n)
        *rule = JOIN(c->a, SP(field), SP(": host names health context or a person ("),
                     SP(cat_label(hits[0].category)), SP("): dropped"));
    return PW_OK;
}

/* A host not named in the policy may carry a person's name in its subdomain
 * (jane.doe.example.com), which the engine cannot tell from context: only the registrable
 * domain itself or its www. host passes. NULL when it does, else the rule. */
static const char *subdomain_rule(apply_ctx *c, const char *field, const char *host,
                                  const char *reg)
{
    if (host && reg &&
        (strcasecmp(host, reg) == 0 ||
         (strncasecmp(host, "www.", 4) == 0 && strcasecmp(host + 4, reg) == 0)))
        return NULL;
    return JOIN(c->a, SP(field), SP(": a subdomain not in "),
                SP(strcmp(field, "page_url") == 0 ? "site.origins" : "referrer_origins"),
                SP(" (it may name a person): dropped"));
}

/* A host and port as a browser sends them in a Referer: a DNS name's letters, digits, dots and
 * dashes (a bracketed IPv6 literal too: the subdomain rule drops it), and a port of at most
 * 65535. What else the event's text may hold is no host a browser names and was sent as
 * written: "www.%68%69%76clinic.org" (decoded, the run-together "hivclinic" the host checks
 * below read only in plain text) or the port of "www.google.com:5550142" (7 digits: a phone
 * number). */
static int plain_host_port(const pw_url *u)
{
    for (size_t i = 0; i < u->host.n; i++) {
        unsigned char ch = (unsigned char)u->host.p[i];
        if (!(ch == '.' || ch == '-' || (ch >= '0' && ch <= '9') ||
              ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') ||
              ((ch == '[' || ch == ']' || ch == ':') && u->host.p[0] == '[')))
            return 0;
    }
    if (u->port.n > 5)
        return 0;
    unsigned long port = 0;
    for (size_t i = 0; i < u->port.n; i++) {
        if (u->port.p[i] < '0' || u->port.p[i] > '9')
            return 0;
        port = port * 10 + (unsigned long)(u->port.p[i] - '0');
    }
    return port <= 65535;
}

/* An origin is sent only when it is one of the site's own, or — a referrer listed in
 * referrer_origins (or any with "*"), or a page when the site lists no origins — when its host,
 * read as words, passes the PHI engine and the guard. */
static pw_status safe_origin(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d,
                             const char *field, const char *url, const char **out, pw_url *u)
{
    *out = NULL;
    const char *o = origin_of(c, url, u);
    if (!o) {
        trace(c, r, field, "dropped", "url: not an absolute http(s) URL");
        return PW_OK;
    }
    if (site_origin(c->p, o)) {
        *out = o;
        return PW_OK;
    }
    int is_page = strcmp(field, "page_url") == 0;
    if (is_page && c->p->n_origins) {
        trace(c, r, field, "dropped", "page_url: origin not in site.origins");
        return PW_OK;
    }
    if (!is_page && !d->referrer_any && !listed(d->referrer_origins, d->n_referrer_origins, o)) {
        trace(c, r, field, "dropped", "referrer: origin not in site.origins or referrer_origins");
        return PW_OK;
    }
    const char *rule = NULL;
    int refused = 0;
    /* An origin the policy names is the operator's choice; any other is read from its
     * registrable domain, looked up once (the public suffix list: ~3,000 instructions) for the
     * subdomain rule and the host check below. */
    int named = listed(d->referrer_origins, d->n_referrer_origins, o);
    if (!named && !plain_host_port(u)) {
        r->redacted++;
        trace(c, r, field, "dropped",
              JOIN(c->a, SP(field),
                   SP(": not a host and port a browser sends (an escape or a character outside "
                      "a DNS name, or a port over 65535): dropped")));
        return PW_OK;
    }
    const char *host = pw_url_host_dup(c->a, u), *reg = NULL;
    if (!host)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    if (!named)
        reg = pw_registrable_domain(c->a, host);
    if (!named && (rule = subdomain_rule(c, field, host, reg))) {
        trace(c, r, field, "dropped", rule);
        return PW_OK;
    }
    pw_status st = host_refusal(c, field, u, d->text_scripts == PW_GW_SCRIPTS_LATIN, &rule);
    if (st != PW_OK)
        return st;
    if (rule) {
        r->redacted++;
        trace(c, r, field, "dropped", rule);
        return PW_OK;
    }
    /* Words run together ("hivclinic", "aidsmap"), or an organisation's name: gw_policy_host.h. */
    const char *names = NULL;
    if (!named && (names = pw_gw_host_sensitive(c->a, reg))) {
        r->redacted++;
        trace(c, r, field, "dropped",
              JOIN(c->a, SP(field), SP(": host names a sensitive condition or organisation ("),
                   SP(names), SP("): dropped")));
        return PW_OK;
    }
    if ((st = guarded(c, r, d, field, field, o, &refused)) != PW_OK || refused)
        return st;
    *out = o;
    return PW_OK;
}

/* The page category of the path (first matching glob, else default_category). It is policy
 * text, yet it is sent next to the visitor's identifiers, so it passes the PHI engine like any
 * other string (pw_gw_policy_prepare refuses such a policy; this guards unprepared ones): a
 * category that reveals a condition or carries an identifier is dropped; care intent alone
 * ("find_doctor", "appointments") is what categories are for. */
static pw_status page_category(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d,
                               const pw_url *u)
{
    const char *cat = NULL, *rule = NULL;
    for (size_t i = 0; i < d->n_categories && !cat; i++)
        if (pw_gw_glob_match(d->categories[i].glob, u->path.n ? u->path.p : "/",
                             u->path.n ? u->path.n : 1)) {
            cat = d->categories[i].category;
            rule = JOIN(c->a, SP("page_categories: "), SP(d->categories[i].glob));
        }
    if (!cat && d->default_category) {
        cat = d->default_category;
        rule = "default_category";
    }
    if (!cat)
        return PW_OK;
    pw_hit *hits = NULL;
    size_t n = 0;
    pw_status st = scan(c, "page_category", PW_OBJECT_UNKNOWN, cat, PW_FT_TEXT, &hits, &n);
    if (st != PW_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if (hits[i].category != PW_PHI_CARE_INTENT) {
            r->redacted++;
            trace(c, r, "page_category", "dropped",
                  JOIN(c->a, SP("page_category.phi: refused ("), SP(cat_label(hits[i].category)),
                       SP(")")));
            return PW_OK;
        }
    r->category = cat;
    trace(c, r, "page_category", "sent",
          JOIN(c->a, SP(rule ? rule : ""), SP(" (PHI engine: clean)")));
    return PW_OK;
}

static pw_status page_fields(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d)
{
    const pw_gw_event *ev = c->ev;
    pw_url u;
    pw_status st;
    if (ev->page_url && d->page_url == PW_GW_URL_DROP)
        trace(c, r, "page_url", "dropped", "page_url: drop");
    if (ev->page_url && d->page_url != PW_GW_URL_DROP) {
        if ((st = safe_origin(c, r, d, "page_url", ev->page_url, &r->origin, &u)) != PW_OK)
            return st;
        if (r->origin)
            r->source_url = JOIN(c->a, SP(r->origin), SP("/"));
        if (r->origin)
            trace(c, r, "page_url", "reduced",
                  d->page_url == PW_GW_URL_ORIGIN ? "page_url: origin (path and query dropped)"
                                                  : "page_url: categories (origin only)");
        if (r->origin && d->page_url == PW_GW_URL_CATEGORIES &&
            (st = page_category(c, r, d, &u)) != PW_OK)
            return st;
    }
    if (ev->referrer && d->referrer == PW_GW_URL_DROP)
        trace(c, r, "referrer", "dropped", "referrer: drop");
    if (ev->referrer && d->referrer != PW_GW_URL_DROP) {
        if ((st = safe_origin(c, r, d, "referrer", ev->referrer, &r->referrer, &u)) != PW_OK)
            return st;
        if (r->referrer)
            trace(c, r, "referrer", "reduced", "referrer: origin");
    }
    if (ev->page_title && d->page_title == PW_GW_DROP)
        trace(c, r, "page_title", "dropped", "page_title: drop");
    if (ev->page_title && d->page_title == PW_GW_KEEP) {
        if ((st = scrub(c, r, d, "page_title", "page_title", PW_OBJECT_UNKNOWN, ev->page_title,
                        PW_FT_TEXT, &r->title)) != PW_OK)
            return st;
        if (ga4_too_long(c, r, d, "page_title", r->title))
            r->title = NULL;
        if (r->title && r->title == ev->page_title)
            trace(c, r, "page_title", "sent", "page_title: keep (PHI engine: clean)");
    }
    return PW_OK;
}

/* ---- client context, ids, user data -------------------------------------------------- */

/* HMAC-SHA256(site key, destination name + '\0' + id), hex (arena): each destination gets its
 * own pseudonym for the same visitor, so Meta's external_id and GA4's client_id cannot be joined.
 * The key schedule comes from the prepared policy or is set up once per event; the same
 * (destination, id) is not recomputed. */
static const char *site_hmac(apply_ctx *c, const pw_gw_dest_policy *d, const char *id)
{
    if (c->hmac_of == id && c->hmac_dest == d)
        return pw_arena_strndup(c->a, c->hmac_hex, 64);
    const pw_gw_hmac *k = &c->p->site_hmac;
    if (!c->p->prepared) {
        if (!c->site_hmac_ready) {
            pw_gw_hmac_init(&c->site_hmac, c->p->site_key, c->p->site_key_len);
            c->site_hmac_ready = 1;
        }
        k = &c->site_hmac;
    }
    size_t dn = strlen(d->dest.name), in = strlen(id);
    char stack[256], *msg = dn + 1 + in <= sizeof stack ? stack : pw_arena_alloc(c->a, dn + 1 + in);
    if (!msg)
        return NULL;
    memcpy(msg, d->dest.name, dn);
    msg[dn] = '\0';
    memcpy(msg + dn + 1, id, in);
    pw_gw_hmac_hex(k, msg, dn + 1 + in, c->hmac_hex);
    c->hmac_of = id;
    c->hmac_dest = d;
    return pw_arena_strndup(c->a, c->hmac_hex, 64);
}

/* An ad destination (Meta, or any that requires consent.ads) receives no identifier of any kind
 * — IP, user agent, first-party id, user data — without the visitor's consent to ads. */
static int ad_destination(const pw_gw_dest_policy *d)
{
    return d->dest.kind == PW_DEST_META_CAPI || d->requires_consent == PW_GW_CONSENT_ADS;
}

#define NO_ADS_CONSENT "consent.ads: not given (no identifier to an ad destination)"

static pw_status client_fields(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d)
{
    const pw_gw_event *ev = c->ev;
    int no_ids = ad_destination(d) && !ev->consent_ads;
    if (ev->client_ip && d->client_ip == PW_GW_IP_DROP)
        trace(c, r, "client_ip", "dropped", "client_ip: drop");
    else if (ev->client_ip && no_ids)
        trace(c, r, "client_ip", "dropped", NO_ADS_CONSENT);
    else if (ev->client_ip && d->client_ip == PW_GW_IP_TRUNCATE && d->dest.kind != PW_DEST_GA4_MP) {
        r->ip = pw_gw_ip_truncate(c->a, ev->client_ip);
        trace(c, r, "client_ip", r->ip ? "reduced" : "dropped",
              r->ip ? "client_ip: truncate (/24, /48)" : "client_ip: not an IP address");
    }
    if (ev->user_agent && d->user_agent == PW_GW_DROP)
        trace(c, r, "user_agent", "dropped", "user_agent: drop");
    else if (ev->user_agent && no_ids)
        trace(c, r, "user_agent", "dropped", NO_ADS_CONSENT);
    else if (ev->user_agent && d->user_agent == PW_GW_KEEP && d->dest.kind != PW_DEST_GA4_MP) {
        pw_status st = scrub(c, r, d, "user_agent", "user_agent", PW_OBJECT_UNKNOWN, ev->user_agent,
                             PW_FT_TEXT, &r->ua);
        if (st != PW_OK)
            return st;
        if (r->ua && r->ua == ev->user_agent)
            trace(c, r, "user_agent", "sent", "user_agent: keep (PHI engine: clean)");
    }
    const unsigned char *key = c->p->site_key;
    const char *id = ev->fpid;
    if (id && (d->first_party_id != PW_GW_KEEP || !key || no_ids)) {
        trace(c, r, "fpid", "dropped",
              no_ids ? NO_ADS_CONSENT
              : key  ? "first_party_id: drop"
                     : "first_party_id: no site key");
        id = NULL;
    }
    if (!id && d->dest.kind == PW_DEST_GA4_MP && key)
        id = ev->event_id; /* GA4 needs a client_id: an HMAC that links nothing across events */
    if (id) {
        const char *h = site_hmac(c, d, id);
        if (!h)
            return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
        r->fpid = h;
        trace(c, r,
              d->dest.kind == PW_DEST_META_CAPI ? "user_data.external_id"
              : d->dest.kind == PW_DEST_GA4_MP  ? "client_id"
                                                : "fpid",
              "hmac",
              id == ev->fpid
                  ? "first_party_id: HMAC-SHA256(site key, destination + fpid)"
                  : "client_id: HMAC-SHA256(site key, destination + event_id) (no first-party id)");
    }
    return PW_OK;
}

/* Site field names to Meta's keys. */
static const char *user_key(const char *k)
{
    static const char *const map[][2] = {{"email", "em"},
                                         {"phone", "ph"},
                                         {"first_name", "fn"},
                                         {"last_name", "ln"},
                                         {"date_of_birth", "db"},
                                         {"dob", "db"},
                                         {"birthdate", "db"},
                                         {"gender", "ge"},
                                         {"city", "ct"},
                                         {"state", "st"},
                                         {"zip", "zp"},
                                         {"postal_code", "zp"},
                                         {"country", "country"},
                                         {"em", "em"},
                                         {"ph", "ph"},
                                         {"fn", "fn"},
                                         {"ln", "ln"},
                                         {"db", "db"},
                                         {"ge", "ge"},
                                         {"ct", "ct"},
                                         {"st", "st"},
                                         {"zp", "zp"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) /* first byte first: no call */
        if (map[i][0][0] == k[0] && strcmp(map[i][0], k) == 0)
            return map[i][1];
    return NULL;
}

/* The index of k in list, or -1. */
static long allowed_at(const char **list, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (list[i][0] == k[0] && strcmp(list[i], k) == 0)
            return (long)i;
    return -1;
}

static int allowed(const char **list, size_t n, const char *k)
{
    return allowed_at(list, n, k) >= 0;
}

static pw_status user_fields(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d)
{
    const pw_gw_event *ev = c->ev;
    if (!ev->n_user)
        return PW_OK;
    r->user = pw_arena_calloc(c->a, ev->n_user, sizeof *r->user);
    if (!r->user)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ev->n_user; i++) {
        const pw_gw_param *u = &ev->user[i];
        const char *k = user_key(u->key);
        char *in = JOIN(c->a, SP("user."), SP(k ? k : "(field)"));
        if (!k || !allowed(d->user_data, d->n_user_data, k)) {
            trace(c, r, in, "dropped", "deny_by_default: user_data not allowed");
            continue;
        }
        if (!ev->consent_ads) {
            trace(c, r, in, "dropped", "user_data: no visitor consent (consent.ads)");
            continue;
        }
        int dup = 0;
        for (size_t j = 0; j < r->n_user; j++)
            dup |= strcmp(r->user[j].key, k) == 0;
        const char *h =
            dup ? NULL : pw_gw_meta_hash_in(c->a, k, u->str, u->len, c->p->default_country);
        if (!h) {
            trace(c, r, in, "dropped",
                  dup ? "user_data: duplicate key" : "user_data: cannot normalise");
            continue;
        }
        r->user[r->n_user++] = (out_kv){k, h, 0};
        trace(c, r, JOIN(c->a, SP("user_data."), SP(k)), "hashed",
              "user_data: allowed, consent.ads, normalised + SHA-256");
    }
    return PW_OK;
}

/* ---- params --------------------------------------------------------------------------- */

/* A JSON number whose digits spell an identifier without a 7-digit run, which the 7+ digit rule
 * (own_data_in) reads only as shorter runs; the rule that drops it, or NULL.
 *  - Exponent notation: 1.234567e6 and 123.4567e4 are 1234567 wherever the point and the
 *    exponent put the digits: 7+ significant digits in the mantissa. (A browser's
 *    JSON.stringify writes plain decimals from 1e-7 to 1e21, so amounts are never spelled so.)
 *  - A plain decimal with 4+ digits after the point and 7+ significant digits: 123.4567 is the
 *    7-digit 1234567 split by a point. No amount has that shape (currencies have 0, 2 or 3
 *    decimals: 12345.67 and 1234.567 pass); what else has it — a visitor's coordinates
 *    (40.712776) or a score to 7 digits (12.34567) — is not a conversion parameter to send
 *    (coordinates finer than a state are an identifier under HIPAA). 6 significant digits
 *    pass (0.123456, 3.14159), and a fraction of 7+ digits is a 7-digit run already. */
static const char *number_hides_digits(const char *num)
{
    const char *e = strpbrk(num, "eE"), *dot = strchr(num, '.');
    size_t sig = 0, decimals = 0;
    for (const char *p = num; *p && p != e; p++) {
        if (*p >= '0' && *p <= '9' && (sig || *p != '0'))
            sig++;
        if (dot && p > dot && *p >= '0' && *p <= '9')
            decimals++;
    }
    if (sig < 7)
        return NULL;
    if (e)
        return "phi: a number in exponent notation with 7+ digits (an identifier's shape)";
    if (decimals >= 4)
        return "phi: a number with 4+ decimals and 7+ significant digits (an identifier's shape, "
               "not an amount)";
    return NULL;
}

/* The refusal of allow_params name d->params[at]: from the prepared policy, else scanned now. */
static pw_status param_name_refusal(apply_ctx *c, const pw_gw_dest_policy *d, size_t at,
                                    const char **out)
{
    *out = NULL;
    if (c->p->prepared && d->param_refusal) {
        *out = d->param_refusal[at];
        return PW_OK;
    }
    pw_hit *hits = NULL;
    size_t n = 0;
    pw_status st = scan(c, "param_name", PW_OBJECT_UNKNOWN, d->params[at], PW_FT_TEXT, &hits, &n);
    if (st == PW_OK)
        *out = param_name_refusal_of(c->a, hits, n);
    return st;
}

static pw_status param_fields(apply_ctx *c, reduced *r, const pw_gw_dest_policy *d,
                              const char *prefix)
{
    const pw_gw_event *ev = c->ev;
    if (!ev->n_params)
        return PW_OK;
    r->params = pw_arena_calloc(c->a, ev->n_params, sizeof *r->params);
    if (!r->params)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ev->n_params; i++) {
        const pw_gw_param *q = &ev->params[i];
        long at = allowed_at(d->params, d->n_params, q->key);
        if (at < 0) {
            trace(c, r, JOIN(c->a, SP("params."), SP(q->key)), "dropped",
                  "deny_by_default: allow_params");
            continue;
        }
        char *field = JOIN(c->a, SP(prefix), SP("."), SP(q->key));
        if (!field)
            return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
        const char *name_refusal = NULL;
        pw_status st = param_name_refusal(c, d, (size_t)at, &name_refusal);
        if (st != PW_OK)
            return st;
        if (name_refusal) {
            r->redacted++;
            trace(c, r, field, "dropped", name_refusal);
            continue;
        }
        if (q->kind == PW_GW_V_BOOL) {
            r->params[r->n_params++] = (out_kv){q->key, q->str, 1};
            trace(c, r, field, "sent", "allow_params");
            continue;
        }
        const char *hidden = q->kind == PW_GW_V_NUMBER ? number_hides_digits(q->str) : NULL;
        if (hidden) {
            r->redacted++;
            trace(c, r, field, "dropped", hidden);
            continue;
        }
        /* Numbers pass the engine too: an MRN or phone number can be sent as a number. */
        const char *v = NULL;
        st = scrub(c, r, d, field, q->key, c->params_object, q->str, PW_FT_JSON_VALUE, &v);
        if (st != PW_OK)
            return st;
        if (v && q->kind == PW_GW_V_NUMBER && v != q->str) {
            /* scrub traced it "redacted": it is not sent at all, and the audit's map of the
             * fields sent (fields_json) must not list it */
            if (r->n_tr && r->tr[r->n_tr - 1].field == field)
                r->n_tr--;
            trace(c, r, field, "dropped", "phi: a number with PHI cannot be redacted");
            continue;
        }
        if (!v || (q->kind == PW_GW_V_STRING && ga4_too_long(c, r, d, field, v)))
            continue;
        r->params[r->n_params++] = (out_kv){q->key, v, q->kind == PW_GW_V_NUMBER};
        if (v == q->str)
            trace(c, r, field, "sent", "allow_params (PHI engine: clean)");
    }
    return PW_OK;
}

/* ---- wire shapes ---------------------------------------------------------------------- */

static void put_kvs(pw_gw_jw *w, const out_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (kv[i].raw)
            pw_gw_jw_raw(w, kv[i].key, kv[i].val);
        else
            pw_gw_jw_str(w, kv[i].key, kv[i].val);
    }
}

static void render_meta(pw_gw_jw *w, const pw_gw_event *ev, const reduced *r)
{
    pw_gw_jw_obj(w, NULL);
    PW_GW_JW_STR(w, "event_name", r->name);
    PW_GW_JW_INT(w, "event_time", r->time_ms / 1000);
    PW_GW_JW_STR(w, "event_id", ev->event_id);
    PW_GW_JW_STR(w, "action_source", "website");
    if (r->source_url)
        PW_GW_JW_STR(w, "event_source_url", r->source_url);
    PW_GW_JW_OBJ(w, "user_data");
    put_kvs(w, r->user, r->n_user);
    if (r->fpid)
        PW_GW_JW_STR(w, "external_id", r->fpid);
    if (r->ip)
        PW_GW_JW_STR(w, "client_ip_address", r->ip);
    if (r->ua)
        PW_GW_JW_STR(w, "client_user_agent", r->ua);
    pw_gw_jw_end_obj(w);
    PW_GW_JW_OBJ(w, "custom_data");
    put_kvs(w, r->params, r->n_params);
    if (r->category)
        PW_GW_JW_STR(w, "content_category", r->category);
    if (r->referrer)
        PW_GW_JW_STR(w, "referrer_origin", r->referrer);
    if (r->title)
        PW_GW_JW_STR(w, "page_title", r->title);
    pw_gw_jw_end_obj(w);
    pw_gw_jw_end_obj(w);
}

static void render_ga4(pw_gw_jw *w, const pw_gw_event *ev, const reduced *r,
                       const pw_gw_dest_policy *d)
{
    pw_gw_jw_obj(w, NULL);
    PW_GW_JW_STR(w, "client_id", r->fpid ? r->fpid : "");
    PW_GW_JW_INT(w, "timestamp_micros", r->time_ms * 1000);
    const char *ads = d->ga4_consent_from_visitor && ev->consent_ads ? "GRANTED" : "DENIED";
    PW_GW_JW_OBJ(w, "consent");
    PW_GW_JW_STR(w, "ad_user_data", ads);
    PW_GW_JW_STR(w, "ad_personalization", ads);
    pw_gw_jw_end_obj(w);
    PW_GW_JW_ARR(w, "events");
    pw_gw_jw_obj(w, NULL);
    PW_GW_JW_STR(w, "name", r->name);
    PW_GW_JW_OBJ(w, "params");
    put_kvs(w, r->params, r->n_params);
    if (r->origin)
        PW_GW_JW_STR(w, "page_location", r->origin);
    if (r->category)
        PW_GW_JW_STR(w, "page_category", r->category);
    if (r->referrer)
        PW_GW_JW_STR(w, "page_referrer", r->referrer);
    if (r->title)
        PW_GW_JW_STR(w, "page_title", r->title);
    pw_gw_jw_end_obj(w);
    pw_gw_jw_end_obj(w);
    pw_gw_jw_end_arr(w);
    pw_gw_jw_end_obj(w);
}

static void render_webhook(pw_gw_jw *w, const pw_gw_event *ev, const reduced *r)
{
    pw_gw_jw_obj(w, NULL);
    PW_GW_JW_STR(w, "event_id", ev->event_id);
    PW_GW_JW_STR(w, "name", r->name);
    PW_GW_JW_INT(w, "time", r->time_ms);
    if (r->origin)
        PW_GW_JW_STR(w, "page_origin", r->origin);
    if (r->category)
        PW_GW_JW_STR(w, "page_category", r->category);
    if (r->referrer)
        PW_GW_JW_STR(w, "referrer_origin", r->referrer);
    if (r->title)
        PW_GW_JW_STR(w, "page_title", r->title);
    if (r->ip)
        PW_GW_JW_STR(w, "client_ip", r->ip);
    if (r->ua)
        PW_GW_JW_STR(w, "user_agent", r->ua);
    if (r->fpid)
        PW_GW_JW_STR(w, "fpid", r->fpid);
    if (r->n_user) {
        PW_GW_JW_OBJ(w, "user_data");
        put_kvs(w, r->user, r->n_user);
        pw_gw_jw_end_obj(w);
    }
    PW_GW_JW_OBJ(w, "params");
    put_kvs(w, r->params, r->n_params);
    pw_gw_jw_end_obj(w);
    pw_gw_jw_end_obj(w);
}

/* What was rendered into c->out, copied to the arena (NULL when out of memory). */
static char *take_out(apply_ctx *c, size_t *len)
{
    char *out = c->out.failed ? NULL : pw_arena_memdup(c->a, c->out.data, c->out.len);
    if (len)
        *len = c->out.len;
    pw_buf_clear(&c->out);
    return out;
}

static char *fields_json(apply_ctx *c, const reduced *r)
{
    pw_gw_jw w;
    pw_gw_jw_init(&w, &c->out);
    pw_gw_jw_obj(&w, NULL);
    for (size_t i = 0; i < r->n_tr; i++)
        if (r->tr[i].action[0] != 'd' || strcmp(r->tr[i].action, "dropped") != 0)
            pw_gw_jw_str(&w, r->tr[i].field, r->tr[i].rule);
    pw_gw_jw_end_obj(&w);
    return take_out(c, NULL);
}

/* How old an event's own time may be for a destination, and the rules that say so. */
typedef struct time_rules {
    int64_t max_age_ms;
    const char *own, *too_old;
} time_rules;

static const time_rules *time_rules_for(pw_dest_kind k)
{
    static const time_rules meta = {
        PW_FORWARD_META_MAX_EVENT_AGE_MS, "event_time: the event's own time (within 6 days)",
        "event_time: older than 6 days (Meta rejects events older than 7): refused, not re-dated"};
    static const time_rules ga4 = {
        PW_FORWARD_GA4_MAX_EVENT_AGE_MS, "event_time: the event's own time (within 72 h)",
        "event_time: older than 72 h (GA4's limit): refused, not re-dated"};
    static const time_rules hook = {PW_FORWARD_WEBHOOK_MAX_EVENT_AGE_MS,
                                    "event_time: the event's own time (within 7 days)",
                                    "event_time: older than 7 days: refused, not re-dated"};
    return k == PW_DEST_META_CAPI ? &meta : k == PW_DEST_GA4_MP ? &ga4 : &hook;
}

/* The time sent for the event, and the rule; *refusal when it is too old for the destination.
 * An event is never re-dated into the past window: a year-old conversion is refused, not sent
 * as fresh. Only an event without a time, or with one ahead of the receiving clock (it cannot
 * have happened later than it arrived: clock skew, or a client clock that is wrong), gets the
 * receipt time. */
static const char *event_time(const pw_gw_event *ev, const pw_gw_dest_policy *d, int64_t now_ms,
                              int64_t *out, const char **refusal)
{
    const time_rules *tr = time_rules_for(d->dest.kind);
    *out = now_ms;
    *refusal = NULL;
    if (!ev->time_ms)
        return "event_time: receipt time (the event has none)";
    if (ev->time_ms > now_ms + PW_FORWARD_FUTURE_SKEW_MS)
        return "event_time: receipt time (the event's time is over 60 s ahead: client clock)";
    if (ev->time_ms > now_ms)
        return "event_time: receipt time (the event's time is up to 60 s ahead: clock skew)";
    if (now_ms - ev->time_ms > tr->max_age_ms) {
        *refusal = tr->too_old;
        return NULL;
    }
    *out = ev->time_ms;
    return tr->own;
}

/* What the platform itself would reject once the policy has removed what it must: Meta takes no
 * event without a user_data key, GA4 none without a client_id. NULL when it can be sent. */
static const char *unsendable_rule(const pw_gw_dest_policy *d, const reduced *r)
{
    if (d->dest.kind == PW_DEST_META_CAPI && !r->n_user && !r->fpid && !r->ip && !r->ua)
        return "meta: no user_data left after the policy (no consent, or every identifier "
               "dropped); Meta rejects such events";
    if (d->dest.kind == PW_DEST_GA4_MP && !r->fpid)
        return "ga4: no client_id left after the policy (first-party id missing or dropped); "
               "GA4 requires one";
    return NULL;
}

const char *pw_gw_consent_name(pw_gw_consent_req r)
{
    return r == PW_GW_CONSENT_ADS ? "ads" : r == PW_GW_CONSENT_ANALYTICS ? "analytics" : "none";
}

/* The destination's requires_consent, against the visitor's consent; NULL when it may go. */
static const char *consent_refusal(const pw_gw_dest_policy *d, const pw_gw_event *ev)
{
    if (d->requires_consent == PW_GW_CONSENT_ADS && !ev->consent_ads)
        return "requires_consent: ads (the visitor did not consent to ads)";
    if (d->requires_consent == PW_GW_CONSENT_ANALYTICS && !ev->consent_analytics)
        return "requires_consent: analytics (the visitor did not consent to analytics)";
    return NULL;
}

static pw_status apply_dest(apply_ctx *c, const pw_gw_dest_policy *d, int64_t now_ms,
                            pw_gw_dest_result *res)
{
    const pw_gw_event *ev = c->ev;
    reduced r = {0};
    pw_status st;
    memset(res, 0, sizeof *res);
    res->dest = d;
    const pw_gw_event_rule *rule = find_event(d, ev->name);
    const char *refusal = NULL;
    if (!rule) {
        res->rule = "deny_by_default: event name not in events";
        return PW_OK;
    }
    if ((st = name_refusal(c, ev->name, &refusal)) != PW_OK)
        return st;
    if (!refusal && (st = taxonomy_refusal(c, rule, &refusal)) != PW_OK)
        return st;
    if (refusal) {
        res->rule = refusal;
        return PW_OK;
    }
    if ((refusal = consent_refusal(d, ev)) != NULL) {
        res->rule = refusal;
        return PW_OK;
    }
    r.name = rule->to;
    const char *time_rule = event_time(ev, d, now_ms, &r.time_ms, &refusal);
    if (refusal) {
        res->rule = refusal;
        return PW_OK;
    }
    const char *event_rule = JOIN(c->a, SP("events."), SP(rule->from));
    trace(c, &r, "event_name", "sent", event_rule);
    trace(c, &r, "event_id", "sent", "event_id: UUID (idempotency key)");
    trace(c, &r, "event_time", "sent", time_rule);
    const char *prefix = d->dest.kind == PW_DEST_META_CAPI ? "custom_data"
                         : d->dest.kind == PW_DEST_GA4_MP  ? "events[0].params"
                                                           : "params";
    if ((st = page_fields(c, &r, d)) != PW_OK || (st = client_fields(c, &r, d)) != PW_OK ||
        (d->dest.kind != PW_DEST_GA4_MP && (st = user_fields(c, &r, d)) != PW_OK) ||
        (st = param_fields(c, &r, d, prefix)) != PW_OK)
        return st;
    if (d->dest.kind == PW_DEST_GA4_MP && ev->n_user)
        trace(c, &r, "user", "dropped", "ga4: no user data is sent to Google");
    const char *unsendable = unsendable_rule(d, &r);
    if (unsendable) { /* refused here rather than spooled and dead-lettered by the platform */
        res->rule = unsendable;
        return PW_OK;
    }
    pw_gw_jw w;
    pw_gw_jw_init(&w, &c->out);
    if (d->dest.kind == PW_DEST_META_CAPI)
        render_meta(&w, ev, &r);
    else if (d->dest.kind == PW_DEST_GA4_MP)
        render_ga4(&w, ev, &r, d);
    else
        render_webhook(&w, ev, &r);
    res->payload = take_out(c, &res->payload_len);
    res->fields_json = fields_json(c, &r);
    if (!res->payload || !res->fields_json || !event_rule)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    res->accepted = 1;
    res->rule = event_rule;
    res->out_name = r.name;
    res->fields = r.tr;
    res->n_fields = r.n_tr;
    res->redacted = r.redacted;
    return PW_OK;
}

/* pw_detect_object_kind of the params' keys, all of them (the object as the site sent it, whatever
 * a destination keeps), folded one key at a time: no array of keys to build. Not computed when
 * no param's verdict can depend on it (no "name" param): the kind looks every key up in the
 * engine's key tables, the check reads the last letters of each. */
static pw_detect_object params_object(const pw_gw_event *ev)
{
    pw_detect_object o = PW_OBJECT_UNKNOWN;
    int reads = 0;
    for (size_t i = 0; i < ev->n_params && !reads; i++)
        reads = ev->params[i].kind != PW_GW_V_BOOL && pw_detect_key_reads_object(ev->params[i].key);
    for (size_t i = 0; reads && i < ev->n_params; i++) {
        pw_detect_object k = pw_detect_object_kind(&ev->params[i].key, 1);
        if (k == PW_OBJECT_PERSON)
            return k;
        if (k == PW_OBJECT_THING)
            o = k;
    }
    return o;
}

pw_status pw_gw_policy_apply(const pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *a,
                             const pw_gw_event *ev, int64_t now_ms, pw_gw_dest_result *results,
                             pw_err *err)
{
    apply_ctx *c = pw_arena_alloc(a, sizeof *c); /* the scan cache is not cleared: n_cache says */
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    c->p = p;
    c->phi = phi;
    c->a = a;
    c->ev = ev;
    c->err = err;
    c->params_object = params_object(ev);
    c->n_cache = 0;
    c->n_scrubbed = 0;
    c->n_origins = 0;
    c->site_hmac_ready = 0;
    c->hmac_of = NULL;
    c->hmac_dest = NULL;
    pw_buf_init(&c->out);
    pw_buf_reserve(&c->out, 2048);
    pw_status st = PW_OK;
    for (size_t i = 0; i < p->n_dests && st == PW_OK; i++)
        st = apply_dest(c, &p->dests[i], now_ms, &results[i]);
    pw_buf_free(&c->out);
    return st;
}

/* A string a redaction wrote: one of the labels in brackets ("[HEALTH]"). */
static int has_redaction(const char *s)
{
    for (const char *o = strchr(s, '['); o; o = strchr(o + 1, '['))
        for (size_t i = 0; i < sizeof cat_labels / sizeof cat_labels[0]; i++) {
            size_t n = strlen(cat_labels[i]);
            if (strncmp(o + 1, cat_labels[i], n) == 0 && o[1 + n] == ']')
                return 1;
        }
    return 0;
}

pw_status pw_gw_policy_rescrub(const pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *a,
                               size_t dest, const char *key, pw_detect_object object, const char *s,
                               pw_field_type t, int is_number, const char **out, const char **rule,
                               pw_err *err)
{
    *out = s;
    *rule = NULL;
    if (!p || !phi || dest >= p->n_dests || !s)
        return PW_OK;
    const pw_gw_dest_policy *d = &p->dests[dest];
    static const pw_gw_event no_event; /* the visitor's own data is not in the payload */
    apply_ctx *c = pw_arena_calloc(a, 1, sizeof *c);
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    c->p = p;
    c->phi = phi;
    c->a = a;
    c->ev = &no_event;
    c->err = err;
    c->params_object = object;
    reduced r = {0};
    const char *v = NULL;
    pw_status st = scrub(c, &r, d, key, key, object, s, t, &v);
    if (st != PW_OK)
        return st;
    const char *why = r.n_tr ? r.tr[r.n_tr - 1].rule : "phi";
    if (v == s) {
        if (d->phi_strings == PW_GW_PHI_DROP && has_redaction(s)) {
            *out = NULL;
            *rule = "phi: drop (redacted under the policy of its acceptance)";
        }
        return PW_OK;
    }
    if (v && is_number) {
        *out = NULL;
        *rule = "phi: a number with PHI cannot be redacted";
        return PW_OK;
    }
    if (v && d->dest.kind == PW_DEST_GA4_MP && !pw_ga4_param_value_ok(v)) {
        *out = NULL;
        *rule = "ga4: values are limited to 100 characters";
        return PW_OK;
    }
    *out = v;
    *rule = why;
    return PW_OK;
}

/* The PHI engine's verdict on one taxonomy name, kept in the policy. */
static pw_status prepare_rule(pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *scratch,
                              pw_gw_event_rule *rule, pw_err *err)
{
    pw_hit *hits = NULL;
    size_t n = 0;
    pw_status st = phi->scan(phi->ctx, scratch, "event_name", PW_OBJECT_UNKNOWN, rule->to,
                             strlen(rule->to), PW_FT_TEXT, &hits, &n, err);
    if (st != PW_OK)
        return st;
    rule->to_refusal = refusal_of(&p->arena, hits, n);
    if (!rule->to_refusal && refuses(hits, n))
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    return PW_OK;
}

/* The first hit of the PHI engine on a page category that is not care intent, or NULL. */
static pw_status category_hit(const pw_gw_phi *phi, pw_arena *scratch, const char *cat,
                              const pw_hit **out, pw_err *err)
{
    pw_hit *hits = NULL;
    size_t n = 0;
    *out = NULL;
    pw_status st = phi->scan(phi->ctx, scratch, "page_category", PW_OBJECT_UNKNOWN, cat,
                             strlen(cat), PW_FT_TEXT, &hits, &n, err);
    for (size_t i = 0; st == PW_OK && i < n && !*out; i++)
        if (hits[i].category != PW_PHI_CARE_INTENT)
            *out = &hits[i];
    return st;
}

/* Refuse the policy when the engine finds health context or an identifier in a category. */
static pw_status check_category(const pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *scratch,
                                const pw_gw_dest_policy *d, const char *glob, const char *cat,
                                unsigned line, unsigned col, pw_err *err)
{
    const pw_hit *h = NULL;
    pw_status st = category_hit(phi, scratch, cat, &h, err);
    if (st != PW_OK || !h)
        return st;
    const char *what = h->reason_detail ? h->reason_detail : h->subtype ? h->subtype : "phi";
    return pw_err_set(err, PW_ERR_INVALID,
                      "%s:%u:%u: destinations.%s.%s%s: category '%s' hits the PHI engine "
                      "(%s: %s): it would disclose health context or an identifier with every "
                      "event; use a neutral category (e.g. other)",
                      p->path ? p->path : "policy", line, col, d->dest.name,
                      glob ? "page_categories." : "default_category", glob ? glob : "", cat,
                      cat_label(h->category), what);
}

static pw_status check_categories(const pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *scratch,
                                  const pw_gw_dest_policy *d, pw_err *err)
{
    pw_status st = PW_OK;
    for (size_t i = 0; i < d->n_categories && st == PW_OK; i++) {
        const pw_gw_page_category *pc = &d->categories[i];
        st = check_category(p, phi, scratch, d, pc->glob, pc->category, pc->line, pc->col, err);
        pw_arena_reset(scratch);
    }
    if (st == PW_OK && d->default_category)
        st = check_category(p, phi, scratch, d, NULL, d->default_category, d->default_category_line,
                            d->default_category_col, err);
    pw_arena_reset(scratch);
    return st;
}

/* The PHI engine's verdict on each allow_params name, kept in the policy. */
static pw_status prepare_params(pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *scratch,
                                pw_gw_dest_policy *d, pw_err *err)
{
    d->param_refusal = NULL;
    if (!d->n_params)
        return PW_OK;
    const char **out = pw_arena_calloc(&p->arena, d->n_params, sizeof *out);
    if (!out)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->n_params; i++) {
        pw_hit *hits = NULL;
        size_t n = 0;
        pw_status st = phi->scan(phi->ctx, scratch, "param_name", PW_OBJECT_UNKNOWN, d->params[i],
                                 strlen(d->params[i]), PW_FT_TEXT, &hits, &n, err);
        if (st != PW_OK)
            return st;
        out[i] = param_name_refusal_of(&p->arena, hits, n);
        if (!out[i] && refuses(hits, n))
            return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
        pw_arena_reset(scratch);
    }
    d->param_refusal = out;
    return PW_OK;
}

pw_status pw_gw_policy_prepare(pw_gw_policy *p, const pw_gw_phi *phi, pw_err *err)
{
    p->prepared = 0;
    if (p->site_key)
        pw_gw_hmac_init(&p->site_hmac, p->site_key, p->site_key_len);
    pw_arena scratch;
    pw_arena_init(&scratch, 0);
    pw_status st = PW_OK;
    for (size_t d = 0; d < p->n_dests && st == PW_OK; d++)
        for (size_t i = 0; i < p->dests[d].n_events && st == PW_OK; i++) {
            st = prepare_rule(p, phi, &scratch, &p->dests[d].events[i], err);
            pw_arena_reset(&scratch);
        }
    for (size_t d = 0; d < p->n_dests && st == PW_OK; d++)
        st = check_categories(p, phi, &scratch, &p->dests[d], err);
    for (size_t d = 0; d < p->n_dests && st == PW_OK; d++)
        st = prepare_params(p, phi, &scratch, &p->dests[d], err);
    pw_arena_free(&scratch);
    p->prepared = st == PW_OK;
    return st;
}
