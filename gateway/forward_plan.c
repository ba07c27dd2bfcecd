/*
 * forward_plan.c — from triaged items to ready requests (see forward_plan.h). Items keep their
 * lease order; each joins the first open request of its group that still has room for its events
 * and bytes, so a destination's limits (Meta 1000 events; GA4 25 events and < 130 kB; the
 * configured max_batch) are never exceeded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward_plan.h"
#include "gw_json.h"
#include "phiwall/text.h"

#define ENVELOPE_BYTES 2048 /* room for the body's own members (token, client_id, consent) */

void pw_fw_emit_item(pw_buf *b, fw_item *it, yajl_val v)
{
    it->body_start = b->len;
    if (it->compact && v == it->json)
        pw_buf_append(b, it->spool->payload, it->spool->payload_len); /* the same bytes */
    else
        pw_gw_json_emit(b, v);
    it->body_end = b->len;
}

static pw_status measure(const fw_driver *drv, fw_item *it)
{
    pw_buf b;
    pw_buf_init(&b);
    if (drv->max_body_bytes && it->compact) { /* the size counts against a byte limit */
        it->est_bytes = it->spool->payload_len;
    } else if (drv->max_body_bytes) { /* (not Meta's) */
        pw_gw_json_emit(&b, it->json);
        it->est_bytes = b.len;
        pw_buf_clear(&b);
    }
    if (drv->group_key)
        drv->group_key(it, &b);
    pw_buf_putc(&b, '\0');
    if (b.failed) {
        pw_buf_free(&b);
        return PW_ERR_NOMEM;
    }
    it->group = pw_buf_steal(&b, NULL);
    return PW_OK;
}

/* A request holds at most `per` events and every item brings at least one, so room for that
 * many items (or the whole lease, if smaller) is enough: not a lease-sized array per request. */
static fw_request *open_request(fw_plan *p, size_t per)
{
    size_t cap = per < p->n_items ? per : p->n_items;
    fw_request *r = calloc(1, sizeof *r);
    if (!r || !(r->items = calloc(cap ? cap : 1, sizeof *r->items))) {
        free(r);
        return NULL;
    }
    r->items_cap = cap ? cap : 1;
    pw_buf_init(&r->body);
    pw_buf_init(&r->response);
    p->reqs[p->n_reqs++] = r;
    return r;
}

/* The requests of each group, in the order they were opened, found by the group's hash: an
 * item is compared with its own group's requests only (GA4 has one group per visitor, so a scan
 * of every open request would cost a cycle the square of its visitors). */
typedef struct group_slot {
    uint64_t hash;
    fw_request *first, *last;
} group_slot;

typedef struct group_index {
    group_slot *slots;
    size_t cap; /* a power of two, at least twice the items */
} group_index;

static uint64_t group_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static group_slot *group_slot_of(group_index *g, const char *group, uint64_t h)
{
    for (size_t i = (size_t)h & (g->cap - 1);; i = (i + 1) & (g->cap - 1)) {
        group_slot *s = &g->slots[i];
        if (!s->first || (s->hash == h && strcmp(s->first->items[0]->group, group) == 0))
            return s;
    }
}

/* The first request of the item's group with room for its events and bytes, in opening order. */
static fw_request *find_room(const group_slot *slot, const fw_item *it, size_t per, size_t budget)
{
    for (fw_request *r = slot->first; r; r = r->next_in_group)
        if (r->n_events + it->n_events <= per && r->est_bytes + it->est_bytes + 1 <= budget &&
            r->n_items < r->items_cap)
            return r;
    return NULL;
}

static pw_status pack(const fw_driver *drv, const pw_destination *d, fw_plan *p)
{
    size_t per = d->max_batch && d->max_batch < drv->max_events ? d->max_batch : drv->max_events;
    size_t budget = drv->max_body_bytes ? drv->max_body_bytes - ENVELOPE_BYTES : SIZE_MAX;
    group_index g = {.cap = 16};
    while (g.cap < p->n_items * 2)
        g.cap *= 2;
    if (!(g.slots = calloc(g.cap, sizeof *g.slots)))
        return PW_ERR_NOMEM;
    pw_status st = PW_OK;
    for (size_t i = 0; i < p->n_items; i++) {
        fw_item *it = p->items[i];
        if (it->est_bytes > budget) {
            p->dead[p->n_dead++] = it;
            continue;
        }
        uint64_t h = group_hash(it->group);
        group_slot *slot = group_slot_of(&g, it->group, h);
        fw_request *r = find_room(slot, it, per, budget);
        if (!r) {
            if (!(r = open_request(p, per))) {
                st = PW_ERR_NOMEM;
                break;
            }
            r->items[0] = it; /* names the group for the slot's comparisons */
            if (slot->last)
                slot->last->next_in_group = r;
            else
                *slot = (group_slot){.hash = h, .first = r};
            slot->last = r;
        }
        r->items[r->n_items++] = it;
        r->n_events += it->n_events;
        r->est_bytes += it->est_bytes + 1;
    }
    free(g.slots);
    return st;
}

pw_status pw_fw_plan(const fw_driver *drv, const pw_destination *d, fw_item **items, size_t n,
                     fw_plan *out)
{
    memset(out, 0, sizeof *out);
    out->items = items;
    out->n_items = n;
    out->reqs = calloc(n, sizeof *out->reqs);
    out->dead = calloc(n, sizeof *out->dead);
    if (!out->reqs || !out->dead)
        return PW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (measure(drv, items[i]) != PW_OK)
            return PW_ERR_NOMEM;
    pw_status st = pack(drv, d, out);
    if (st == PW_OK && out->n_reqs && !(out->url = drv->url(d)))
        st = PW_ERR_NOMEM;
    for (size_t i = 0; st == PW_OK && i < out->n_reqs; i++) {
        fw_request *r = out->reqs[i];
        r->url = out->url;
        st = drv->build(d, r);
        if (st == PW_OK && r->body.failed)
            st = PW_ERR_NOMEM;
    }
    return st;
}

void pw_fw_plan_free(fw_plan *p)
{
    for (size_t i = 0; i < p->n_reqs; i++) {
        fw_request *r = p->reqs[i];
        if (r->body.data) /* the body may hold a token */
            memset(r->body.data, 0, r->body.len);
        pw_buf_free(&r->body);
        pw_buf_free(&r->response);
        free(r->items);
        free(r);
    }
    for (size_t i = 0; i < p->n_items; i++) {
        free(p->items[i]->group);
        p->items[i]->group = NULL;
    }
    free(p->url);
    free(p->reqs);
    free(p->dead);
    memset(p, 0, sizeof *p);
}

/* ---- fields disclosed ------------------------------------------------------------------- */

/*
 * Each leaf path once, in document order. A path already listed is recognised as the substring
 * `"path":` of the list so far (that is the rule the audit records have always followed). While
 * every path of the payload is plain — letters, digits, '_', '.', '-', '[', ']' — that substring
 * can only be an earlier entry's key, so a small hash set of the keys listed answers the same
 * question without scanning the list; the first path with any other character switches the rest
 * of the walk back to the substring search.
 */
#define FIELDS_SET 64 /* slots; more leaves than half of that use the substring search */

typedef struct fields_walk {
    pw_buf path, key, *out;
    int plain; /* every path so far is plain */
    size_t n_keys;
    struct {
        uint32_t hash;
        size_t at, len; /* the key `"path":` inside out */
    } set[FIELDS_SET];
} fields_walk;

static int plain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '[' || c == ']';
}

static int plain_text(const char *s)
{
    for (; *s; s++)
        if (!plain_char((unsigned char)*s))
            return 0;
    return 1;
}

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Is `"path":` (in w->key) already listed? */
static int listed(fields_walk *w, uint32_t h)
{
    if (!w->plain || w->n_keys * 2 > FIELDS_SET)
        return w->out->data && strstr(w->out->data, w->key.data);
    for (uint32_t i = h % FIELDS_SET;; i = (i + 1) % FIELDS_SET) {
        if (w->set[i].len == 0)
            return 0;
        if (w->set[i].hash == h && w->set[i].len == w->key.len &&
            memcmp(w->out->data + w->set[i].at, w->key.data, w->key.len) == 0)
            return 1;
    }
}

static void remember(fields_walk *w, uint32_t h, size_t at)
{
    if (w->n_keys * 2 >= FIELDS_SET) {
        w->n_keys++; /* past the set's size: the substring search from now on */
        return;
    }
    uint32_t i = h % FIELDS_SET;
    while (w->set[i].len)
        i = (i + 1) % FIELDS_SET;
    w->set[i].hash = h;
    w->set[i].at = at;
    w->set[i].len = w->key.len;
    w->n_keys++;
}

/* What add_field writes for a leaf: "sha256" (1) or "value" (0). */
static int leaf_kind(yajl_val v)
{
    const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
    return s && pw_is_sha256_hex(s, strlen(s));
}

static void add_field(fields_walk *w, yajl_val leaf)
{
    const char *path = w->path.data ? w->path.data : "";
    pw_buf *key = &w->key, *out = w->out;
    pw_buf_clear(key);
    pw_buf_json_string(key, path, w->path.len);
    pw_buf_putc(key, ':');
    if (key->failed)
        return;
    uint32_t h = w->plain ? fnv1a(key->data, key->len) : 0;
    if (listed(w, h))
        return;
    pw_buf_putc(out, out->len ? ',' : '{');
    size_t at = out->len;
    pw_buf_append(out, key->data, key->len);
    pw_buf_puts(out, leaf_kind(leaf) ? "\"sha256\"" : "\"value\"");
    if (w->plain && !out->failed)
        remember(w, h, at);
}

static void truncate_path(pw_buf *path, size_t mark)
{
    path->len = mark;
    if (path->data)
        path->data[mark] = '\0';
}

static void walk(fields_walk *w, yajl_val v)
{
    size_t mark = w->path.len;
    if (YAJL_IS_OBJECT(v)) {
        for (size_t i = 0; i < v->u.object.len; i++) {
            const char *k = v->u.object.keys[i];
            if (mark)
                pw_buf_putc(&w->path, '.');
            pw_buf_puts(&w->path, k);
            if (w->plain && !plain_text(k))
                w->plain = 0;
            walk(w, v->u.object.values[i]);
            truncate_path(&w->path, mark);
        }
        return;
    }
    if (YAJL_IS_ARRAY(v)) {
        pw_buf_puts(&w->path, "[]");
        for (size_t i = 0; i < v->u.array.len; i++)
            walk(w, v->u.array.values[i]);
        truncate_path(&w->path, mark);
        return;
    }
    add_field(w, v);
}

void pw_fw_fields_disclosed(yajl_val payload, pw_buf *out)
{
    fields_walk w;
    memset(&w, 0, sizeof w);
    pw_buf_init(&w.path);
    pw_buf_init(&w.key);
    w.out = out;
    w.plain = out->len == 0; /* the set knows only what this walk lists */
    walk(&w, payload);       /* the first field opens the object */
    if (out->len == 0)
        pw_buf_putc(out, '{');
    pw_buf_putc(out, '}');
    pw_buf_free(&w.path);
    pw_buf_free(&w.key);
}

/* walk() visits the same paths and leaf kinds in the same order for both. */
int pw_fw_same_fields(yajl_val a, yajl_val b)
{
    if (a == b)
        return 1;
    if (YAJL_IS_OBJECT(a) || YAJL_IS_OBJECT(b)) {
        if (!YAJL_IS_OBJECT(a) || !YAJL_IS_OBJECT(b) || a->u.object.len != b->u.object.len)
            return 0;
        for (size_t i = 0; i < a->u.object.len; i++)
            if (strcmp(a->u.object.keys[i], b->u.object.keys[i]) != 0 ||
                !pw_fw_same_fields(a->u.object.values[i], b->u.object.values[i]))
                return 0;
        return 1;
    }
    if (YAJL_IS_ARRAY(a) || YAJL_IS_ARRAY(b)) {
        if (!YAJL_IS_ARRAY(a) || !YAJL_IS_ARRAY(b) || a->u.array.len != b->u.array.len)
            return 0;
        for (size_t i = 0; i < a->u.array.len; i++)
            if (!pw_fw_same_fields(a->u.array.values[i], b->u.array.values[i]))
                return 0;
        return 1;
    }
    return leaf_kind(a) == leaf_kind(b);
}
