/* gw_event.c — parse and validate first-party event JSON (one, an array, or {"events":[…]}). */
#include "gw_event.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#define MAX_NESTING 16

typedef struct parse_ctx {
    pw_arena *a;
    const pw_gw_parse_limits *lim;
    char path[96]; /* "events[2]" or "event" */
    pw_err *err;
} parse_ctx;

int pw_gw_is_uuid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int want_dash = (i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3]);
        if (want_dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* Reject deep nesting before the tree parser sees it (its recursion is unbounded). */
static pw_status check_nesting(const char *s, size_t n, pw_err *err)
{
    int depth = 0, in_str = 0, esc = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[') {
            if (++depth > MAX_NESTING)
                return pw_err_set(err, PW_ERR_LIMIT, "body: byte %zu: nesting deeper than %d", i,
                                  MAX_NESTING);
        } else if (c == '}' || c == ']')
            depth--;
    }
    return PW_OK;
}

static yajl_val obj_get(yajl_val obj, const char *key)
{
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

/* The first duplicated key of an object, or NULL: a duplicate would let two readers of the
 * same body see two different events. */
static const char *dup_key(yajl_val obj)
{
    for (size_t i = 1; i < obj->u.object.len; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(obj->u.object.keys[i], obj->u.object.keys[j]) == 0)
                return obj->u.object.keys[i];
    return NULL;
}

static pw_status field_err(parse_ctx *c, const char *field, const char *what)
{
    return pw_err_set(c->err, PW_ERR_INVALID, "%s%s%s: %s", c->path, field[0] ? "." : "", field,
                      what);
}

/* Optional string field: absent or null gives NULL. */
static pw_status get_string(parse_ctx *c, yajl_val obj, const char *key, const char **out)
{
    yajl_val v = obj_get(obj, key);
    *out = NULL;
    if (!v || YAJL_IS_NULL(v))
        return PW_OK;
    if (!YAJL_IS_STRING(v))
        return field_err(c, key, "must be a string");
    size_t len = strlen(v->u.string);
    if (len > c->lim->max_string)
        return field_err(c, key, "longer than the string limit");
    *out = pw_arena_strndup(c->a, v->u.string, len);
    return *out ? PW_OK : pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
}

static pw_status get_bool(parse_ctx *c, yajl_val obj, const char *key, const char *path, int *out)
{
    yajl_val v = obj_get(obj, key);
    *out = 0;
    if (!v || YAJL_IS_NULL(v))
        return PW_OK;
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return field_err(c, path, "must be a boolean");
    *out = YAJL_IS_TRUE(v);
    return PW_OK;
}

static pw_status parse_kv(parse_ctx *c, yajl_val obj, const char *field, int strings_only,
                          pw_gw_param **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!obj || YAJL_IS_NULL(obj))
        return PW_OK;
    if (!YAJL_IS_OBJECT(obj))
        return field_err(c, field, "must be an object");
    size_t n = obj->u.object.len;
    if (n > c->lim->max_params)
        return field_err(c, field, "too many keys");
    if (dup_key(obj))
        return field_err(c, field, "duplicate key");
    pw_gw_param *p = pw_arena_calloc(c->a, n ? n : 1, sizeof *p);
    if (!p)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *key = obj->u.object.keys[i];
        yajl_val v = obj->u.object.values[i];
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%.64s", field, key);
        if (strlen(key) > 64)
            return field_err(c, field, "key longer than 64 bytes");
        if (YAJL_IS_NULL(v))
            continue;
        pw_gw_param *q = &p[k];
        q->key = pw_arena_strdup(c->a, key);
        if (YAJL_IS_STRING(v)) {
            q->kind = PW_GW_V_STRING;
            q->len = strlen(v->u.string);
            if (q->len > c->lim->max_string)
                return field_err(c, sub, "longer than the string limit");
            q->str = pw_arena_strndup(c->a, v->u.string, q->len);
        } else if (!strings_only && YAJL_IS_NUMBER(v)) {
            q->kind = PW_GW_V_NUMBER;
            q->str = pw_arena_strdup(c->a, YAJL_GET_NUMBER(v));
            q->len = q->str ? strlen(q->str) : 0;
        } else if (!strings_only && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))) {
            q->kind = PW_GW_V_BOOL;
            q->str = YAJL_IS_TRUE(v) ? "true" : "false";
            q->len = strlen(q->str);
        } else {
            return field_err(
                c, sub, strings_only ? "must be a string" : "must be a string, number or boolean");
        }
        if (!q->key || !q->str)
            return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
        k++;
    }
    *out = p;
    *n_out = k;
    return PW_OK;
}

static pw_status parse_time(parse_ctx *c, yajl_val obj, int64_t *out)
{
    yajl_val v = obj_get(obj, "time");
    *out = 0;
    if (!v || YAJL_IS_NULL(v))
        return PW_OK;
    if (!YAJL_IS_INTEGER(v) || v->u.number.i < 0)
        return field_err(c, "time", "must be a non-negative integer (ms since epoch)");
    *out = v->u.number.i;
    return PW_OK;
}

static pw_status parse_one(parse_ctx *c, yajl_val obj, pw_gw_event *ev)
{
    pw_status st;
    memset(ev, 0, sizeof *ev);
    if (!YAJL_IS_OBJECT(obj))
        return field_err(c, "", "must be an object");
    if (obj->u.object.len > 64)
        return field_err(c, "", "too many keys");
    const char *dup = dup_key(obj);
    if (dup)
        return pw_err_set(c->err, PW_ERR_INVALID, "%s: duplicate key '%.40s'", c->path, dup);
    yajl_val id = obj_get(obj, "event_id");
    if (!id)
        return field_err(c, "event_id", "required");
    if (!YAJL_IS_STRING(id) || !pw_gw_is_uuid(id->u.string))
        return field_err(c, "event_id", "must be a UUID string");
    ev->event_id = pw_arena_strdup(c->a, id->u.string);
    yajl_val name = obj_get(obj, "name");
    if (!name)
        return field_err(c, "name", "required");
    if (!YAJL_IS_STRING(name))
        return field_err(c, "name", "must be a string");
    size_t nlen = strlen(name->u.string);
    if (nlen == 0 || nlen > 128)
        return field_err(c, "name", "must be 1 to 128 bytes");
    ev->name = pw_arena_strdup(c->a, name->u.string);
    if ((st = parse_time(c, obj, &ev->time_ms)) != PW_OK ||
        (st = get_string(c, obj, "page_url", &ev->page_url)) != PW_OK ||
        (st = get_string(c, obj, "page_title", &ev->page_title)) != PW_OK ||
        (st = get_string(c, obj, "referrer", &ev->referrer)) != PW_OK ||
        (st = get_string(c, obj, "fpid", &ev->fpid)) != PW_OK)
        return st;
    yajl_val consent = obj_get(obj, "consent");
    if (consent && !YAJL_IS_NULL(consent)) {
        if (!YAJL_IS_OBJECT(consent))
            return field_err(c, "consent", "must be an object");
        if ((st = get_bool(c, consent, "ads", "consent.ads", &ev->consent_ads)) != PW_OK ||
            (st = get_bool(c, consent, "analytics", "consent.analytics", &ev->consent_analytics)) !=
                PW_OK)
            return st;
    }
    if ((st = parse_kv(c, obj_get(obj, "user"), "user", 1, &ev->user, &ev->n_user)) != PW_OK)
        return st;
    return parse_kv(c, obj_get(obj, "params"), "params", 0, &ev->params, &ev->n_params);
}

static pw_status parse_tree(parse_ctx *c, yajl_val root, pw_gw_event **out, size_t *n_out)
{
    yajl_val list = NULL;
    if (YAJL_IS_ARRAY(root))
        list = root;
    else if (YAJL_IS_OBJECT(root) && obj_get(root, "events") && !obj_get(root, "event_id")) {
        list = obj_get(root, "events");
        if (!YAJL_IS_ARRAY(list))
            return pw_err_set(c->err, PW_ERR_INVALID, "events: must be an array");
    }
    if (!list) {
        snprintf(c->path, sizeof c->path, "event");
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
    size_t n = list->u.array.len;
    if (n == 0)
        return pw_err_set(c->err, PW_ERR_INVALID, "events: must not be empty");
    if (n > c->lim->max_events)
        return pw_err_set(c->err, PW_ERR_LIMIT, "events: more than %zu events", c->lim->max_events);
    pw_gw_event *evs = pw_arena_calloc(c->a, n, sizeof *evs);
    if (!evs)
        return pw_err_set(c->err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        snprintf(c->path, sizeof c->path, "events[%zu]", i);
        pw_status st = parse_one(c, list->u.array.values[i], &evs[i]);
        if (st != PW_OK)
            return st;
    }
    *out = evs;
    *n_out = n;
    return PW_OK;
}

pw_status pw_gw_events_parse(pw_arena *a, const char *body, size_t n, const pw_gw_parse_limits *lim,
                             pw_gw_event **out, size_t *n_out, pw_err *err)
{
    static const pw_gw_parse_limits defaults = PW_GW_PARSE_LIMITS_DEFAULT;
    parse_ctx c = {.a = a, .lim = lim ? lim : &defaults, .err = err};
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return pw_err_set(err, PW_ERR_PARSE, "body: empty");
    if (memchr(body, '\0', n))
        return pw_err_set(err, PW_ERR_PARSE, "body: contains a NUL byte");
    pw_status st = check_nesting(body, n, err);
    if (st != PW_OK)
        return st;
    char *copy = pw_arena_strndup(a, body, n);
    if (!copy)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    char ebuf[256];
    ebuf[0] = '\0';
    yajl_val root = yajl_tree_parse(copy, ebuf, sizeof ebuf);
    if (!root) {
        for (char *p = ebuf; *p; p++) /* yajl's message spans lines; keep the first */
            if (*p == '\n') {
                *p = '\0';
                break;
            }
        return pw_err_set(err, PW_ERR_PARSE, "body: invalid JSON: %s",
                          ebuf[0] ? ebuf : "parse error");
    }
    st = parse_tree(&c, root, out, n_out);
    yajl_tree_free(root);
    if (st != PW_OK) {
        *out = NULL;
        *n_out = 0;
    }
    return st;
}
