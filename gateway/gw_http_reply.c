/*
 * gw_http_reply.c — building and caching the gateway's responses (see gw_http_reply.h).
 * The cache is append-only and bounded: readers scan it without a lock (an entry is published
 * by the release store of the count after it is complete), writers append under a mutex, and
 * nothing is evicted while the daemon runs, so a borrowed response never disappears.
 */
#include "gw_http_reply.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS    64
#define CACHE_MAX_BODY 256 /* the short JSON answers of POST /e and /healthz */
#define CACHE_MAX_ORIG 256

struct MHD_Response *pw_gw_response_new(const char *type, const char *body, size_t len,
                                        const char *origin, int retry_after)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return NULL;
    if (type)
        MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
        MHD_add_response_header(resp, "Vary", "Origin");
    }
    if (retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    return resp;
}

typedef struct slot {
    unsigned status;
    const char *type; /* a string literal of the caller's: compared by address */
    char origin[CACHE_MAX_ORIG];
    int has_origin;
    char body[CACHE_MAX_BODY];
    size_t len;
    struct MHD_Response *resp;
} slot;

struct pw_gw_reply_cache {
    pthread_mutex_t mu; /* appending */
    atomic_size_t n;    /* published slots */
    slot slots[CACHE_SLOTS];
};

pw_gw_reply_cache *pw_gw_reply_cache_new(void)
{
    pw_gw_reply_cache *c = calloc(1, sizeof *c);
    if (c) {
        pthread_mutex_init(&c->mu, NULL);
        atomic_init(&c->n, 0);
    }
    return c;
}

void pw_gw_reply_cache_free(pw_gw_reply_cache *c)
{
    if (!c)
        return;
    size_t n = atomic_load(&c->n);
    for (size_t i = 0; i < n; i++)
        MHD_destroy_response(c->slots[i].resp);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static int same(const slot *s, unsigned status, const char *type, const char *body, size_t len,
                const char *origin)
{
    return s->status == status && s->type == type && s->len == len &&
           s->has_origin == (origin != NULL) && memcmp(s->body, body, len) == 0 &&
           (!origin || strcmp(s->origin, origin) == 0);
}

static struct MHD_Response *find(pw_gw_reply_cache *c, size_t from, size_t to, unsigned status,
                                 const char *type, const char *body, size_t len, const char *origin)
{
    for (size_t i = from; i < to; i++)
        if (same(&c->slots[i], status, type, body, len, origin))
            return c->slots[i].resp;
    return NULL;
}

/* Keep resp in a new slot; 0 when the cache is full (or another thread kept the same). */
static int keep(pw_gw_reply_cache *c, struct MHD_Response *resp, unsigned status, const char *type,
                const char *body, size_t len, const char *origin, struct MHD_Response **kept)
{
    pthread_mutex_lock(&c->mu);
    size_t n = atomic_load_explicit(&c->n, memory_order_relaxed);
    *kept = find(c, 0, n, status, type, body, len, origin);
    int ok = !*kept && n < CACHE_SLOTS;
    if (ok) {
        slot *s = &c->slots[n];
        *s = (slot){
            .status = status, .type = type, .has_origin = origin != NULL, .len = len, .resp = resp};
        memcpy(s->body, body, len);
        if (origin)
            memcpy(s->origin, origin, strlen(origin) + 1);
        atomic_store_explicit(&c->n, n + 1, memory_order_release);
        *kept = resp;
    }
    pthread_mutex_unlock(&c->mu);
    return ok;
}

struct MHD_Response *pw_gw_reply_cache_get(pw_gw_reply_cache *c, unsigned status, const char *type,
                                           const char *body, size_t len, const char *origin,
                                           int *owned)
{
    *owned = 0;
    size_t n = atomic_load_explicit(&c->n, memory_order_acquire);
    struct MHD_Response *r = find(c, 0, n, status, type, body, len, origin);
    if (r)
        return r;
    r = pw_gw_response_new(type, body, len, origin, 0);
    if (!r)
        return NULL;
    int cacheable = len <= CACHE_MAX_BODY && (!origin || strlen(origin) < CACHE_MAX_ORIG);
    struct MHD_Response *kept = NULL;
    if (cacheable && keep(c, r, status, type, body, len, origin, &kept))
        return r;
    if (kept) { /* another thread cached the same answer meanwhile */
        MHD_destroy_response(r);
        return kept;
    }
    *owned = 1;
    return r;
}
