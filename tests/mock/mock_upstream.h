/*
 * mock_upstream.h — a loopback HTTP server (libmicrohttpd, 127.0.0.1, ephemeral port) standing in
 * for the Meta Graph API, GA4 /mp/collect and webhooks in tests. It records every request
 * exactly (method, path with query, headers that matter, body bytes) and answers from a script:
 * each queued reply is used once, in order; when the script is empty it answers 200 with
 * {"events_received":N,"messages":[],"fbtrace_id":"AmockTrace"} (N = length of the body's
 * "data" array) for Graph-style bodies and an empty 200 otherwise. A reply can carry a
 * Retry-After header or a delay longer than the client's timeout.
 */
#ifndef PW_MOCK_UPSTREAM_H
#define PW_MOCK_UPSTREAM_H

#include <stddef.h>
#include <stdio.h>

typedef struct mock_upstream mock_upstream;

typedef struct mock_reply {
    int status;              /* e.g. 200, 429, 500, 400 */
    const char *body;        /* copied; NULL = empty */
    int retry_after_s;       /* > 0: send Retry-After */
    const char *retry_after; /* non-NULL: this Retry-After text instead (absurd values) */
    const char *location;    /* non-NULL: a Location header (redirects) */
    unsigned delay_ms;       /* sleep before answering (a timeout when > the client's) */
    int held;                /* answer only once mock_upstream_release was called (or at stop) */
} mock_reply;

typedef struct mock_request {
    char *method;
    char *url; /* path, then "?k=v&…" (values decoded) when there was a query */
    char *body;
    size_t body_len;
    char *authorization; /* NULL when absent */
    char *content_type;
} mock_request;

mock_upstream *mock_upstream_start(void);
/* The same on a given loopback port (0: any): a test stops the upstream and brings it back at
 * the same address, so that the gateway's destination stays the same endpoint. */
mock_upstream *mock_upstream_start_port(unsigned port);
/* The same, appending each request as a JSON line {"method","url","body"} to log (NULL: off) from
 * the first one on: the log is in place before the socket listens, because a gateway retrying
 * against the port can be answered in the instant after it opens (the standalone program). */
mock_upstream *mock_upstream_start_logged(unsigned port, FILE *log);
void mock_upstream_stop(mock_upstream *m);
/* "http://127.0.0.1:PORT" */
const char *mock_upstream_base(const mock_upstream *m);
void mock_upstream_script(mock_upstream *m, const mock_reply *reply);
/* Let held replies (mock_reply.held) answer: a test holds a request in flight until it has set
 * up what must happen while the request is out, whatever the machine's load. */
void mock_upstream_release(mock_upstream *m);
size_t mock_upstream_count(mock_upstream *m);
/* The i-th request received (valid until stop). NULL when i is out of range. */
const mock_request *mock_upstream_request(mock_upstream *m, size_t i);
/* Wait until at least n requests arrived; 1 if they did within timeout_ms. */
int mock_upstream_wait(mock_upstream *m, size_t n, unsigned timeout_ms);

/* Graph-style error body for scripts: {"error":{"message":…,"type":"OAuthException",
 * "code":CODE,"error_subcode":SUB,"fbtrace_id":TRACE}} in buf. */
const char *mock_graph_error(char *buf, size_t cap, int code, int subcode, const char *trace);

#endif
