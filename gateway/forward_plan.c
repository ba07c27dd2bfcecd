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
    pw_gw_json_emit(b, v);
    it->body_end = b->len;
}

static pw_status measure(const fw_driver *drv, fw_item *it)
{
    pw_buf b;
    pw_buf_init(&b);
    if (drv->max_body_bytes) { /* the size only counts against a byte limit (not Meta's) */
        pw_gw_json_emit(&b, it->json);
        it->est_bytes = b.len;
        pw_buf_clear(&b);
    }
    if (drv->group_key)
        drv->group_key(it->json, &b);
    pw_buf_putc(&b, '\0');
    if (b.failed) {
        pw_buf_free(&b);
        return PW_ERR_NOMEM;
    }
    it->group = pw_buf_steal(&b, NULL);
    return PW_OK;
}

static fw_request *open_request(fw_plan *p, size_t cap)
{
    fw_request *r = calloc(1, sizeof *r);
    if (!r || !(r->items = calloc(cap, sizeof *r->items))) {
        free(r);
        return NULL;
    }
    pw_buf_init(&r->body);
    pw_buf_init(&r->response);
    p->reqs[p->n_reqs++] = r;
    return r;
}

static fw_request *find_room(fw_plan *p, const fw_item *it, size_t per, size_t budget)
{
    for (size_t i = 0; i < p->n_reqs; i++) {
        fw_request *r = p->reqs[i];
        if (strcmp(r->items[0]->group, it->group) != 0)
            continue;
        if (r->n_events + it->n_events <= per && r->est_bytes + it->est_bytes + 1 <= budget)
            return r;
    }
    return NULL;
}

static pw_status pack(const fw_driver *drv, const pw_destination *d, fw_plan *p)
{
    size_t per = d->max_batch && d->max_batch < drv->max_events ? d->max_batch : drv->max_events;
    size_t budget = drv->max_body_bytes ? drv->max_body_bytes - ENVELOPE_BYTES : SIZE_MAX;
    for (size_t i = 0; i < p->n_items; i++) {
        fw_item *it = p->items[i];
        if (it->est_bytes > budget) {
            p->dead[p->n_dead++] = it;
            continue;
        }
        fw_request *r = find_room(p, it, per, budget);
        if (!r && !(r = open_request(p, p->n_items)))
            return PW_ERR_NOMEM;
        r->items[r->n_items++] = it;
        r->n_events += it->n_events;
        r->est_bytes += it->est_bytes + 1;
    }
    return PW_OK;
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

static void add_field(pw_buf *out, const char *path, yajl_val leaf, pw_buf *key)
{
    pw_buf_clear(key);
    pw_buf_json_string(key, path, strlen(path));
    pw_buf_putc(key, ':');
    if (!key->failed && !(out->data && strstr(out->data, key->data))) {
        pw_buf_putc(out, out->len ? ',' : '{');
        pw_buf_append(out, key->data, key->len);
        const char *s = YAJL_IS_STRING(leaf) ? YAJL_GET_STRING(leaf) : NULL;
        pw_buf_puts(out, s && pw_is_sha256_hex(s, strlen(s)) ? "\"sha256\"" : "\"value\"");
    }
}

static void walk(yajl_val v, pw_buf *path, pw_buf *out, pw_buf *key)
{
    size_t mark = path->len;
    if (YAJL_IS_OBJECT(v)) {
        for (size_t i = 0; i < v->u.object.len; i++) {
            if (mark)
                pw_buf_putc(path, '.');
            pw_buf_puts(path, v->u.object.keys[i]);
            walk(v->u.object.values[i], path, out, key);
            path->len = mark;
            if (path->data)
                path->data[mark] = '\0';
        }
        return;
    }
    if (YAJL_IS_ARRAY(v)) {
        pw_buf_puts(path, "[]");
        for (size_t i = 0; i < v->u.array.len; i++)
            walk(v->u.array.values[i], path, out, key);
        path->len = mark;
        if (path->data)
            path->data[mark] = '\0';
        return;
    }
    add_field(out, path->data ? path->data : "", v, key);
}

void pw_fw_fields_disclosed(yajl_val payload, pw_buf *out)
{
    pw_buf path, key;
    pw_buf_init(&path);
    pw_buf_init(&key);
    walk(payload, &path, out, &key); /* the first field opens the object */
    if (out->len == 0)
        pw_buf_putc(out, '{');
    pw_buf_putc(out, '}');
    pw_buf_free(&path);
    pw_buf_free(&key);
}
