/*
 * gw_http_reply.h — the gateway's HTTP answers as libmicrohttpd responses: one place that sets
 * the headers every answer carries (content type, no-store, nosniff, CORS for the site's origin,
 * Retry-After), and a cache of the answers POST /e gives over and over ({"received":1,…} with the
 * same origin), so that a hot request does not build, copy and free a response with its headers.
 * A libmicrohttpd response is reference-counted and may be queued on any number of connections.
 * Internal to gateway/.
 */
#ifndef PHIWALL_GW_HTTP_REPLY_H
#define PHIWALL_GW_HTTP_REPLY_H

#include <microhttpd.h>
#include <stddef.h>

/* A new response (the caller destroys it after queueing): body copied, headers set. */
struct MHD_Response *pw_gw_response_new(const char *type, const char *body, size_t len,
                                        const char *origin, int retry_after);

typedef struct pw_gw_reply_cache pw_gw_reply_cache;

pw_gw_reply_cache *pw_gw_reply_cache_new(void);
/* Destroys the cached responses: only once no connection can queue them (daemon stopped). */
void pw_gw_reply_cache_free(pw_gw_reply_cache *c);

/*
 * The response for (status, type, body, origin) without Retry-After: from the cache, or built
 * and kept while the cache has room. *owned says whether the caller must destroy it after
 * queueing (a response the cache could not keep); a cached one stays valid until the cache is
 * freed. NULL when out of memory.
 */
struct MHD_Response *pw_gw_reply_cache_get(pw_gw_reply_cache *c, unsigned status, const char *type,
                                           const char *body, size_t len, const char *origin,
                                           int *owned);

#endif
