/*
 * gw_event.c — parse and validate first-party event JSON (one, an array, or {"events":[…]}).
 * The body becomes an arena tree (gw_json_tree.c) and the events point into it: one copy of each
 * string, all of it freed with the request's arena.
 */
#include "gw_event.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_json_tree.h"

#define MAX_NESTING 16

typedef struct parse_ctx {
    pw_arena *a;
    const pw_gw_parse_limits *lim;
    long index; /* the event's place in a batch ("events[2]"), -1 for a single "event" */
    pw_err *err;
    int per_event; /* a batch's invalid events are rejected one by one (pw_gw_events_parse_batch) */
    char safe[192]; /* the last error without any key the sender chose (for the audit log) */
} parse_ctx;

/* isxdigit in the C locale, with no call. */
static int hex_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10 || (unsigned)((c | 0x20) - 'a') < 6;
}

int pw_gw_is_uuid(const char *s)
{
    if (!s)
        return 0;
    for (int i = 0; i < 36; i++) { /* a NUL before 36 fails here: strlen(s) == 36 below */
        int want_dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (want_dash ? s[i] != '-' : !hex_digit((unsigned char)s[i]))
            return 0;
    }
    return s[36] == '\0';
}

/* A UUID (pw_gw_is_uuid) in its canonical lower-case form (RFC 9562: read in either case,
 * written in lower case): s itself when it has no upper-case letter, else a copy in a; NULL when
 * out of memory. The event_id is the spool's idempotency key and the event_id Meta deduplicates
 * by, both byte for byte: one event sent as "ABCD…" and again as "abcd…" must be one key for the
 * spool and one id for Meta, so the id is folded once, here, and every later comparison stays
 * exact (docs/gateway.md, "The event_id"). */
static const char *canonical_uuid(pw_arena *a, const char *s)
{
    size_t i = 0;
    while (s[i] && !(s[i] >= 'A' && s[i] <= 'F'))
        i++;
    if (!s[i])
        return s;
    char *low = pw_arena_strdup(a, s);
    for (size_t k = i; low && low[k]; k++)
        if (low[k] >= 'A' && low[k] <= 'F')
            low[k] = (char)(low[k] - 'A' + 'a');
    return low;
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The index of the first '"' or '\\' in s[i..n), or n or more: eight bytes at a time. */
static size_t string_stop(const char *s, size_t i, size_t n)
{
    for (; i + 8 <= n; i += 8) {
        uint64_t w, q, b, hit;
        memcpy(&w, s + i, 8);
        q = w ^ (ONES * '"');
        b = w ^ (ONES * '\\');
        hit = (((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
        if (hit) {
            i += pw_gw_first_flagged(hit);
            break;
        }
    }
    while (i < n && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/* Reject deep nesting before the tree parser sees it (its recursion is unbounded). Brackets
 * inside strings do not count; a backslash in a string escapes the byte after it. */
static pw_status check_nesting(const char *s, size_t n, pw_err *err)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') { /* to the closing quote (or the end) */
            for (i = string_stop(s, i + 1, n); i < n && s[i] == '\\';)
                i = string_stop(s, i + 2, n);
            continue;
        }
        if (c == '{' || c == '[') {
            if (++depth > MAX_NESTING)
                return pw_err_set(err, PW_ERR_LIMIT, "body: byte %zu: nesting deeper than %d", i,
                                  MAX_NESTING);
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return PW_OK;
}

static const pw_gw_jt *obj_get(const pw_gw_jt *obj, const char *key)
{
    return pw_gw_jt_get(obj, key);
}

static int is_type(const pw_gw_jt *v, pw_gw_jt_type t)
{
    return v && v->type == t;
}

/* The first duplicated key of an object, or NULL: a duplicate would let two readers of the
 * same body see two different events. Keys are NUL-terminated (key[0] is readable when key_len
 * is 0): their first bytes are compared before memcmp is called, which most pairs of an event's
 * keys of one length ("name"/"time", "page_url"/"referrer") then never need. */
static const char *dup_key(const pw_gw_jt *obj)
{
    for (const pw_gw_jt *m = obj->first; m; m = m->next)
        for (const pw_gw_jt *o = obj->first; o != m; o = o->next)
            if (o->key_len == m->key_len && o->key[0] == m->key[0] &&
                memcmp(o->key, m->key, m->key_len) == 0)
                return m->key;
    return NULL;
}

/* "events[2]" in a batch, "event" for a body with one event. */
static const char *path_of(const parse_ctx *c, char *buf, size_t cap)
{
    if (c->index < 0)
        return "event";
    snprintf(buf, cap, "events[%ld]", c->index);
    return buf;
}

/* The audit's version of an error: the event's path and a field the parser names, never a key. */
static void set_safe(parse_ctx *c, const char *field, const char *what)
{
    char path[32];
    snprintf(c->safe, sizeof c->safe, "%s%s%s: %s", path_of(c, path, sizeof path),
             field[0] ? "." : "", field, what);
}

static pw_status field_err(parse_ctx *c, const char *field, const char *what)
{
    char path[32];
    set_safe(c, field, what);
    return pw_err_set(c->err, PW_ERR_INVALID, "%s%s%s: %s", path_of(c, path, sizeof path),
                      field[0] ? "." : "", field, what);
}

/* An error on one key of params/user: "params.note: …" (the audit gets "params: …"). */
static pw_status key_err(parse_ctx *c, const char *field, const char *key, const char *what)
{
    char sub[160];
    snprintf(sub, sizeof sub, "%s.%.64s", field, key);
    pw_status st = field_err(c, sub, what);
    set_safe(c, field, what);
    return st;
}

/* The members of an event object the parser reads, found in one pass (first of each name). */
typedef struct event_fields {
    const pw_gw_jt *event_id, *name, *time, *page_url, *page_title, *referrer, *fpid, *consent,
        *user, *params;
} event_fields;

static int key_is(const pw_gw_jt *m, const char *name, size_t len)
{
    return m->key_len == len && memcmp(m->key, name, len) == 0;
}

#define KEY_IS(m, lit) key_is((m), (lit), sizeof(lit) - 1)

static const pw_gw_jt **field_slot(event_fields *f, const pw_gw_jt *m)
{
    switch (m->key_len) {
    case 4:
        return KEY_IS(m, "name")   ? &f->name
               : KEY_IS(m, "time") ? &f->time
               : KEY_IS(m, "user") ? &f->user
               : KEY_IS(m, "fpid") ? &f->fpid
                                   : NULL;
    case 6: return KEY_IS(m, "params") ? &f->params : NULL;
    case 7: return KEY_IS(m, "consent") ? &f->consent : NULL;
    case 8:
        return KEY_IS(m, "event_id")   ? &f->event_id
               : KEY_IS(m, "page_url") ? &f->page_url
               : KEY_IS(m, "referrer") ? &f->referrer
                                       : NULL;
    case 10: return KEY_IS(m, "page_title") ? &f->page_title : NULL;
    default: return NULL;
    }
}

static void fields_of(const pw_gw_jt *obj, event_fields *f)
{
    memset(f, 0, sizeof *f);
    for (const pw_gw_jt *m = obj->first; m; m = m->next) {
        if (m->key_cut) /* "page_url\u0000x" is an unknown member, not page_url */
            continue;
        const pw_gw_jt **slot = field_slot(f, m);
        if (slot && !*slot)
            *slot = m;
    }
}

/* A string with U+0000 would be read up to it (C strings) by the stages after the parser: what
 * follows it would be checked by no one and what precedes it sent alone; refused instead. */
#define NUL_ERROR "must not contain U+0000"
static int has_nul(const pw_gw_jt *v)
{
    return v->type == PW_GW_JT_STRING && v->cut;
}

/* Optional string field v (absent or null gives NULL). The value stays in the tree (the arena). */
static pw_status get_string(parse_ctx *c, const pw_gw_jt *v, const char *key, const char **out)
{
    *out = NULL;
    if (!v || v->type == PW_GW_JT_NULL)
        return PW_OK;
    if (v->type != PW_GW_JT_STRING)
        return field_err(c, key, "must be a string");
    if (v->len > c->lim->max_string)
        return field_err(c, key, "longer than the string limit");
    if (has_nul(v))
        return field_err(c, key, NUL_ERROR);
    *out = v->s;
    return PW_OK;
}

static pw_status get_bool(parse_ctx *c, const pw_gw_jt *obj, const char *key, const char *path,
                          int *out)
{
    const pw_gw_jt *v = obj_get(obj, key);
    *out = 0;
    if (!v || v->type == PW_GW_JT_NULL)
        return PW_OK;
    if (v->type != PW_GW_JT_TRUE && v->type != PW_GW_JT_FALSE)
        return field_err(c, path, "must be a boolean");
    *out = v->type == PW_GW_JT_TRUE;
    return PW_OK;
}

/* A JSON number that a double holds (1e400 is not: it would be forwarded as written). */
static int finite_number(const char *s)
{
    return isfinite(strtod(s, NULL));
}

/* One non-null member of params/user into q. */
static pw_status parse_value(parse_ctx *c, const pw_gw_jt *v, const char *field, int strings_only,
                             pw_gw_param *q)
{
    if (v->key_cut) /* "val\u0000ue" would be read as "val" */
        return key_err(c, field, v->key, "its name must not contain U+0000");
    if (v->type == PW_GW_JT_STRING) {
        if (v->len > c->lim->max_string)
            return key_err(c, field, v->key, "longer than the string limit");
        if (has_nul(v))
            return key_err(c, field, v->key, NUL_ERROR);
        *q = (pw_gw_param){v->key, PW_GW_V_STRING, v->s, v->len};
    } else if (!strings_only && v->type == PW_GW_JT_NUMBER) {
        if (!v->int_ok && !finite_number(v->s)) /* 1e400: no platform takes it; Meta refuses
                                                   its whole batch (an integer is finite) */
            return key_err(c, field, v->key, "must be a finite number");
        *q = (pw_gw_param){v->key, PW_GW_V_NUMBER, v->s, v->len};
    } else if (!strings_only && (v->type == PW_GW_JT_TRUE || v->type == PW_GW_JT_FALSE)) {
        int t = v->type == PW_GW_JT_TRUE;
        *q = (pw_gw_param){v->key, PW_GW_V_BOOL, t ? "true" : "false", t ? 4 : 5};
    } else {
        return key_err(c, field, v->key,
                       strings_only ? "must be a string" : "must be a string, number or boolean");
    }
    return PW_OK;
}

static pw_status parse_kv(parse_ctx *c, const pw_gw_jt *obj, const char *field, int strings_only,
                          pw_gw_param **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!obj || obj->type == PW_GW_JT_NULL)
        return PW_OK;
    if (obj->type != PW_GW_JT_OBJECT)
        return field_err(c, field, "must be an object");
    size_t n = obj->n;
    if (n > c->lim->max_params)
        return field_err(c, field, "too many keys");
    if (dup_key(obj))
        return field_err(c, field, "duplicate key");
    pw_gw_param *p = pw_arena_calloc(c->a, n ? n : 1, sizeof *p);
    if (!p)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (const pw_gw_jt *v = obj->first; v; v = v->next) {
        if (v->key_len > 64)
            return field_err(c, field, "key longer than 64 bytes");
        if (v->type == PW_GW_JT_NULL)
            continue;
        pw_status st = parse_value(c, v, field, strings_only, &p[k]);
        if (st != PW_OK)
            return st;
        k++;
    }
    *out = p;
    *n_out = k;
    return PW_OK;
}

static pw_status parse_time(parse_ctx *c, const pw_gw_jt *v, int64_t *out)
{
    *out = 0;
    if (!v || v->type == PW_GW_JT_NULL)
        return PW_OK;
    if (v->type != PW_GW_JT_NUMBER || !v->int_ok || v->i < 0)
        return field_err(c, "time", "must be a non-negative integer (ms since epoch)");
    *out = v->i;
    return PW_OK;
}

static pw_status parse_ids(parse_ctx *c, const event_fields *f, pw_gw_event *ev)
{
    const pw_gw_jt *id = f->event_id;
    if (!id)
        return field_err(c, "event_id", "required");
    if (id->type != PW_GW_JT_STRING || has_nul(id) || !pw_gw_is_uuid(id->s))
        return field_err(c, "event_id", "must be a UUID string");
    if (!(ev->event_id = canonical_uuid(c->a, id->s)))
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    const pw_gw_jt *name = f->name;
    if (!name)
        return field_err(c, "name", "required");
    if (name->type != PW_GW_JT_STRING)
        return field_err(c, "name", "must be a string");
    if (name->len == 0 || name->len > 128)
        return field_err(c, "name", "must be 1 to 128 bytes");
    if (has_nul(name))
        return field_err(c, "name", NUL_ERROR);
    ev->name = name->s;
    return PW_OK;
}

/* {"ads":true,"ads":false} is consent to one reader and none to another (JSON.parse keeps the
 * last, get_bool the first): refused, naming the key when it is one the gateway reads. The
 * object has a handful of keys; more is not a consent object (and bounds dup_key's work). */
static pw_status consent_keys(parse_ctx *c, const pw_gw_jt *consent)
{
    if (consent->n > 16)
        return field_err(c, "consent", "too many keys");
    const char *dup = dup_key(consent);
    if (!dup)
        return PW_OK;
    if (strcmp(dup, "ads") == 0)
        return field_err(c, "consent.ads", "duplicate key");
    if (strcmp(dup, "analytics") == 0)
        return field_err(c, "consent.analytics", "duplicate key");
    return field_err(c, "consent", "duplicate key");
}

static pw_status parse_one(parse_ctx *c, const pw_gw_jt *obj, pw_gw_event *ev)
{
    pw_status st;
    memset(ev, 0, sizeof *ev);
    if (!is_type(obj, PW_GW_JT_OBJECT))
        return field_err(c, "", "must be an object");
    if (obj->n > 64)
        return field_err(c, "", "too many keys");
    const char *dup = dup_key(obj);
    if (dup) {
        char path[32];
        set_safe(c, "", "duplicate key");
        return pw_err_set(c->err, PW_ERR_INVALID, "%s: duplicate key '%.40s'",
                          path_of(c, path, sizeof path), dup);
    }
    event_fields f;
    fields_of(obj, &f);
    if ((st = parse_ids(c, &f, ev)) != PW_OK ||
        (st = parse_time(c, f.time, &ev->time_ms)) != PW_OK ||
        (st = get_string(c, f.page_url, "page_url", &ev->page_url)) != PW_OK ||
        (st = get_string(c, f.page_title, "page_title", &ev->page_title)) != PW_OK ||
        (st = get_string(c, f.referrer, "referrer", &ev->referrer)) != PW_OK ||
        (st = get_string(c, f.fpid, "fpid", &ev->fpid)) != PW_OK)
        return st;
    const pw_gw_jt *consent = f.consent;
    if (consent && consent->type != PW_GW_JT_NULL) {
        if (consent->type != PW_GW_JT_OBJECT)
            return field_err(c, "consent", "must be an object");
        if ((st = consent_keys(c, consent)) != PW_OK)
            return st;
        if ((st = get_bool(c, consent, "ads", "consent.ads", &ev->consent_ads)) != PW_OK ||
            (st = get_bool(c, consent, "analytics", "consent.analytics", &ev->consent_analytics)) !=
                PW_OK)
            return st;
    }
    if ((st = parse_kv(c, f.user, "user", 1, &ev->user, &ev->n_user)) != PW_OK)
        return st;
    return parse_kv(c, f.params, "params", 0, &ev->params, &ev->n_params);
}

/* The event's event_id (canonical) when it is a UUID, else NULL (an invalid event may still name
 * itself; out of memory, it does not). */
static const char *uuid_of(pw_arena *a, const pw_gw_jt *obj)
{
    const pw_gw_jt *id = is_type(obj, PW_GW_JT_OBJECT) ? obj_get(obj, "event_id") : NULL;
    return is_type(id, PW_GW_JT_STRING) && pw_gw_is_uuid(id->s) ? canonical_uuid(a, id->s) : NULL;
}

/* One event of a batch in per-event mode: PW_OK and *ev, or PW_ERR_INVALID with the event
 * added to rej (any other status fails the body). */
static pw_status parse_or_reject(parse_ctx *c, const pw_gw_jt *v, pw_gw_event *ev,
                                 pw_gw_parsed *rej)
{
    pw_err e = {0};
    pw_err *outer = c->err;
    c->err = &e;
    pw_status st = parse_one(c, v, ev);
    c->err = outer;
    if (st != PW_ERR_INVALID)
        return st == PW_OK ? PW_OK : pw_err_set(outer, st, "%s", e.msg);
    pw_gw_event_reject *r = &rej->rejected[rej->n_rejected];
    *r = (pw_gw_event_reject){.index = (size_t)c->index,
                              .error = pw_arena_strdup(c->a, e.msg),
                              .audit_error = pw_arena_strdup(c->a, c->safe),
                              .event_id = uuid_of(c->a, v)};
    if (!r->error || !r->audit_error)
        return pw_err_set(outer, PW_ERR_NOMEM, "out of memory");
    rej->n_rejected++;
    return PW_ERR_INVALID;
}

static pw_status parse_tree(parse_ctx *c, const pw_gw_jt *root, pw_gw_event **out, size_t *n_out,
                            pw_gw_parsed *rej)
{
    const pw_gw_jt *list = NULL;
    if (is_type(root, PW_GW_JT_ARRAY))
        list = root;
    else if (is_type(root, PW_GW_JT_OBJECT) && obj_get(root, "events") &&
             !obj_get(root, "event_id")) {
        list = obj_get(root, "events");
        if (list->type != PW_GW_JT_ARRAY)
            return pw_err_set(c->err, PW_ERR_INVALID, "events: must be an array");
    }
    if (!list) {
        c->index = -1;
        pw_gw_event *ev = pw_arena_calloc(c->a, 1, sizeof *ev);
        if (!ev)
            return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
        pw_status st = parse_one(c, root, ev);
        if (st == PW_OK) {
            *out = ev;
            *n_out = 1;
        }
        return st;
    }
    size_t n = list->n;
    if (n == 0)
        return pw_err_set(c->err, PW_ERR_INVALID, "events: must not be empty");
    if (n > c->lim->max_events)
        return pw_err_set(c->err, PW_ERR_LIMIT, "events: more than %zu events", c->lim->max_events);
    if (c->per_event && !(rej->rejected = pw_arena_calloc(c->a, n, sizeof *rej->rejected)))
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    pw_gw_event *evs = pw_arena_calloc(c->a, n, sizeof *evs);
    if (!evs)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    size_t i = 0, k = 0;
    for (const pw_gw_jt *v = list->first; v; v = v->next, i++) {
        c->index = (long)i;
        pw_status st =
            c->per_event ? parse_or_reject(c, v, &evs[k], rej) : parse_one(c, v, &evs[k]);
        if (st == PW_OK)
            k++;
        else if (st != PW_ERR_INVALID || !c->per_event)
            return st;
    }
    *out = evs;
    *n_out = k;
    return PW_OK;
}

/* Parse the body into a tree and its events; per_event as in parse_ctx. */
static pw_status parse_body(parse_ctx *c, const char *body, size_t n, pw_gw_event **out,
                            size_t *n_out, pw_gw_parsed *rej)
{
    pw_err *err = c->err;
    if (n == 0)
        return pw_err_set(err, PW_ERR_PARSE, "body: empty");
    if (memchr(body, '\0', n))
        return pw_err_set(err, PW_ERR_PARSE, "body: contains a NUL byte");
    /* Plain JSON nested no deeper than MAX_NESTING (the usual body) parses in one pass: that
     * parse sees every bracket outside strings as check_nesting does, so check_nesting would
     * have passed it. Anything else is checked first, as before, then parsed: the same errors in
     * the same order. */
    pw_gw_jt *root = NULL;
    int plain = pw_gw_jt_parse_plain(c->a, body, n, MAX_NESTING, &root);
    if (plain == 1)
        return parse_tree(c, root, out, n_out, rej);
    pw_status st = check_nesting(body, n, err);
    if (st != PW_OK)
        return st;
    char ebuf[256];
    root = NULL;
    /* not plain: pw_gw_jt_parse's direct parser would give up again (nested no deeper than
     * MAX_NESTING now), so yajl at once; out of memory: all of pw_gw_jt_parse once more */
    st = plain == 0 ? pw_gw_jt_parse_yajl(c->a, body, n, &root, ebuf, sizeof ebuf)
                    : pw_gw_jt_parse(c->a, body, n, &root, ebuf, sizeof ebuf);
    if (st == PW_ERR_NOMEM)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    if (st != PW_OK)
        return pw_err_set(err, PW_ERR_PARSE, "body: invalid JSON: %s",
                          ebuf[0] ? ebuf : "parse error");
    return parse_tree(c, root, out, n_out, rej);
}

pw_status pw_gw_events_parse(pw_arena *a, const char *body, size_t n, const pw_gw_parse_limits *lim,
                             pw_gw_event **out, size_t *n_out, pw_err *err)
{
    static const pw_gw_parse_limits defaults = PW_GW_PARSE_LIMITS_DEFAULT;
    parse_ctx c = {.a = a, .lim = lim ? lim : &defaults, .index = -1, .err = err};
    *out = NULL;
    *n_out = 0;
    pw_status st = parse_body(&c, body, n, out, n_out, NULL);
    if (st != PW_OK) {
        *out = NULL;
        *n_out = 0;
    }
    return st;
}

pw_status pw_gw_events_parse_batch(pw_arena *a, const char *body, size_t n,
                                   const pw_gw_parse_limits *lim, pw_gw_parsed *out, pw_err *err)
{
    static const pw_gw_parse_limits defaults = PW_GW_PARSE_LIMITS_DEFAULT;
    parse_ctx c = {.a = a, .lim = lim ? lim : &defaults, .index = -1, .err = err, .per_event = 1};
    memset(out, 0, sizeof *out);
    pw_status st = parse_body(&c, body, n, &out->events, &out->n_events, out);
    if (st != PW_OK)
        memset(out, 0, sizeof *out);
    return st;
}
