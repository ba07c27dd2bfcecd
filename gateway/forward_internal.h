/*
 * forward_internal.h — what the forwarder engine (forward.c, forward_send.c) shares with the
 * per-destination drivers (forward_meta.c, forward_ga4.c, forward_webhook.c) and the upstream
 * response parsers (forward_response.c). Not a public interface.
 *
 * A driver knows one destination's rules: how to validate one spooled payload before it may
 * join a batch (one bad Meta event rejects the whole batch; GA4 answers 2xx to bad data, so
 * local validation is the only error signal), the limits of one request, how to assemble the
 * body from a group of events, and how to read the answer (retry, dead, or delivered).
 */
#ifndef PHIWALL_GW_FORWARD_INTERNAL_H
#define PHIWALL_GW_FORWARD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>
#include <yajl/yajl_tree.h>

#include "forward.h"
#include "phiwall/arena.h"
#include "phiwall/buf.h"

#define FW_DAY_MS (24LL * 3600 * 1000)

/* One leased item after triage: its parsed payload and where its bytes sit in the request. */
typedef struct fw_item {
    pw_spool_item *spool;
    yajl_val json;
    const char *event_name; /* of json, for its records (found once, at triage) */
    int compact;      /* the payload bytes are its compact re-emission (pw_fw_compact): copy them */
    size_t n_events;  /* events it contributes (GA4: its events array; others: 1) */
    size_t est_bytes; /* its compact size, for splitting requests by bytes */
    char *group;      /* items share a request only with the same group (GA4) */
    size_t body_start, body_end; /* its bytes inside the request body, for payload_sha256 */
    char sha[65];                /* SHA-256 of those bytes (the "sending" and "sent" records) */
    /* Room for its outcome record, reserved before anything is sent: writing down what the
     * upstream answered needs no allocation, which could fail and leave a delivered event with
     * no record (sent again once its lease runs out). */
    const char *fields_json; /* the fields it discloses (listed before the send) */
    /* The rule of its records when the policy in force took members out of the spooled payload
     * (gw_policy_narrow.h): "meta; policy <sha256> in force: removed …" (cycle arena), else
     * NULL (the driver's kind name). */
    const char *narrowed;
    int was_narrowed; /* the policy in force took members out of it (narrowed may be NULL) */
    char *detail;     /* FW_DETAIL_MAX bytes for its retry or dead record's detail */
} fw_item;

#define FW_DETAIL_MAX 512

/* One HTTP request: a slice of items and the body built for them. */
typedef struct fw_request {
    fw_item **items;
    size_t n_items, items_cap;
    pw_buf body;
    const char *url;                  /* the plan's */
    size_t n_events, est_bytes;       /* while packing */
    struct fw_request *next_in_group; /* while packing: the group's next request */
    /* filled by the transfer */
    long http_status;
    long connect_status; /* the egress proxy's answer to CONNECT (https through a proxy), or 0 */
    int curl_code;       /* CURLcode */
    int timed_out;
    int64_t retry_after_ms; /* from Retry-After, 0 if none */
    double latency_s;
    pw_buf response;
    long http_version; /* CURL_HTTP_VERSION_* of the answer, 0 if none */
    /* h2c with the opener work-around (forward_send.c): this transfer may open a connection;
     * it wanted one but was refused (so it was never sent and goes again on a new one). */
    int may_connect, refused_connect;
    char detail[384]; /* the detail of its items' "sent" records (fw_outcome.detail) */
} fw_request;

/* FW_AUTH: the destination refused the credentials (HTTP 401/403, a Graph token or permission
 * code): the events are fine, so they stay queued and the forwarder pauses (forward.c). */
typedef enum fw_verdict { FW_DELIVERED = 0, FW_RETRY, FW_DEAD, FW_AUTH } fw_verdict;

typedef struct fw_outcome {
    fw_verdict verdict;
    int64_t retry_after_ms;
    char detail[384]; /* no tokens: scrubbed before it is audited */
    int partial;      /* delivered, but the upstream took fewer events than were sent (Meta) */
} fw_outcome;

typedef struct fw_driver {
    const char *kind_name;
    size_t max_events;       /* per request, when the destination does not set max_batch */
    size_t max_body_bytes;   /* per request, 0 = unbounded */
    int64_t max_age_ms;      /* older than this when sent → dead (stale) */
    int64_t retry_window_ms; /* no retry after the first attempt that may have reached the upstream
                                + this (Meta: before its 48 h deduplication window ends) */
    /* 0 and *n_events set when the payload may be sent; else why (no PHI: names, not values). */
    int (*validate)(yajl_val payload, int64_t now_ms, size_t *n_events, char *why, size_t cap);
    /* Items may share one request only when their keys are equal (GA4: everything but the
     * events: client_id, consent, …). NULL: all items of a destination share requests. */
    void (*group_key)(const struct fw_item *it, pw_buf *out);
    /* URL of a request (malloc'd), and the body of a request for its items. */
    char *(*url)(const pw_destination *d);
    pw_status (*build)(const pw_destination *d, fw_request *r);
    void (*classify)(const pw_destination *d, const fw_request *r, fw_outcome *out);
} fw_driver;

extern const fw_driver pw_fw_meta_driver;
extern const fw_driver pw_fw_ga4_driver;
extern const fw_driver pw_fw_webhook_driver;

/* Shared by the drivers: the answer read by HTTP status alone (2xx delivered; 408, 429, 5xx and
 * transport failures retried; 401 and 403 FW_AUTH; other statuses dead), and appending an item
 * compactly while recording where its bytes are. */
void pw_fw_classify_http(const fw_request *r, unsigned timeout_ms, fw_outcome *out);
void pw_fw_emit_item(pw_buf *b, fw_item *it, yajl_val v);

/* A leased payload as the tree yajl_tree_parse (via pw_gw_json_parse) would build, allocated in
 * `a` (forward_tree.c): never yajl_tree_free it, reset the arena. NULL when it is not JSON. */
yajl_val pw_fw_parse(pw_arena *a, const char *s, size_t n);

/* ---- payloads already compact (forward_compact.c) ---- */

typedef struct fw_span {
    size_t start, end; /* byte offsets, end exclusive */
} fw_span;

/* 1 when the n bytes of an already parsed JSON text are exactly what pw_gw_json_emit writes for
 * its tree, so they can be copied instead of re-emitted. */
int pw_fw_compact(const char *s, size_t n);
/* Top-level members of a compact object, in order: start with *pos = 0; each call gives the
 * member ("key":value), its key (with quotes) and its value; 0 when there are no more. */
int pw_fw_compact_next(const char *s, size_t n, size_t *pos, fw_span *member, fw_span *key,
                       fw_span *value);
/* The key span (with quotes) is exactly "name" (name holds no character needing an escape). */
int pw_fw_compact_key_is(const char *s, fw_span key, const char *name);

#define FW_CORK_MAX 8 /* connections corked around a multi_perform (HTTP/2 uses one or a few) */

/* Easy handles kept between cycles (one destination's thread): creating one per request costs
 * more than the request itself on a fast upstream. Also the destination's HTTP version choice
 * and its open connections, to cork them while a multi_perform writes many streams' frames. */
typedef struct fw_easy_pool {
    CURL **free;
    size_t n, cap;
    struct curl_slist *headers; /* the destination's, shared by every handle */
    int ready;                  /* the fields below are set (pw_fw_pool_setup) */
    long http_version;          /* CURLOPT_HTTP_VERSION of the destination's requests */
    int multiplex;              /* HTTP/2 expected: wait for a connection to multiplex on, cork */
    int h2c_opener;             /* libcurl cannot reuse an h2c prior-knowledge connection
                                   (7.87/7.88): one request opens it, the rest reuse it as "2.0" */
    int h2c_live;               /* with h2c_opener: a connection opened that way is believed open */
    int64_t h2c_used_ms;        /* when it was last used (monotonic) */
    int socks[FW_CORK_MAX];     /* open sockets (CURLOPT_SOCKOPTFUNCTION / CLOSESOCKETFUNCTION) */
    size_t n_socks;
    size_t n_untracked; /* sockets beyond FW_CORK_MAX: no corking (HTTP/1.1 fan-out) */
    char *cu_url;       /* the URL cu was parsed from */
    CURLU *cu;          /* parsed once, not by libcurl at every transfer (CURLOPT_CURLU) */
} fw_easy_pool;

void pw_fw_pool_free(fw_easy_pool *p);

/* The multi handle options of a destination: multiplexing, connections per host, streams. */
void pw_fw_multi_setup(CURLM *multi, const pw_destination *d);

/* Requests a forwarder runs at once: the lease of a cycle may hold more (GA4: one request per
 * visitor); they are sent in waves of this many, each wave on kept-alive connections. libcurl's
 * cost per request grows with the transfers and connections it juggles, so a few hundred at
 * once cost more CPU per request than waves of 100, and cannot finish sooner on a loopback or
 * a single upstream host. */
#define FW_WAVE 100

/* Run the requests concurrently on the multi handle until each has finished or failed. */
void pw_fw_send_all(CURLM *multi, fw_easy_pool *pool, const pw_destination *d, fw_request **reqs,
                    size_t n);

/* ---- upstream responses (forward_response.c; fuzzed by fuzz_gw_upstream_response.c) ---- */

typedef struct pw_meta_response {
    int has_error;
    long long error_code, error_subcode;
    long long events_received; /* -1 when absent */
    char fbtrace_id[64];
    char message[160];
    char messages[160]; /* the success answer's "messages" as compact JSON, "" when absent */
} pw_meta_response;

/* Parse a Graph API answer (success or {"error":{…}}). Returns 0 if the body is not JSON. */
int pw_fw_parse_meta_response(const char *body, size_t n, pw_meta_response *out);

typedef struct pw_ga4_response {
    size_t validation_messages; /* /debug/mp/collect answers; production sends none */
    char first_message[160];
} pw_ga4_response;

int pw_fw_parse_ga4_response(const char *body, size_t n, pw_ga4_response *out);

/* Graph error codes: 1 retryable, 0 final (10, 100, 190, 200–299, …), -1 unknown. */
int pw_fw_meta_code_retryable(long long code);
/* 1 when a Graph error code says the access token or its permissions are bad (3, 10, 102, 190,
 * 200–299): the destination pauses instead of dead-lettering the events. */
int pw_fw_meta_code_auth(long long code);

/* Replace in s (NUL-terminated, cap bytes) every run of at least PW_FW_SCRUB_MIN_RUN consecutive
 * characters of secret (all of it when shorter; secrets under 4 characters are skipped), plain,
 * percent-encoded or JSON-escaped, by "[redacted]" (forward_scrub.c). Returns how many. */
#define PW_FW_SCRUB_MIN_RUN    12
#define PW_FW_SCRUB_MAX_SECRET 4096 /* longer: matched on its first 4096 characters */
size_t pw_fw_scrub_secret(char *s, size_t cap, const char *secret);

/* ---- outcomes left unwritten at a stop (forward_keep.c) ---- */

/* What the spool is told of a batch of outcomes. */
typedef enum fw_settle_kind {
    FW_SETTLE_ACK,
    FW_SETTLE_RETRY,
    FW_SETTLE_PUT_BACK,
    FW_SETTLE_DEAD
} fw_settle_kind;

/* One batch of outcomes a forwarder stopped before writing: its audit records (unless
 * `audited`), then the spool's part. */
typedef struct fw_kept {
    struct fw_kept *next;
    fw_settle_kind kind;
    int audited;     /* the records are in the audit log; the spool's part remains */
    int64_t next_ms; /* RETRY, PUT_BACK: when the rows are due again */
    /* RETRY: when the stopped runner's request went out (its send_ms; 0: not known). Written by
     * the next forwarders, it is the retry row's first attempt, as the runner would have written
     * it: their own cycle's time, or the lease's start, is not when the upstream got the events,
     * and the first attempt bounds Meta's 48 h deduplication window. */
    int64_t sent_ms;
    uint64_t ingest_mark; /* pw_audit_ingest_mark of the cycle that leased the rows */
    size_t n;
    pw_audit_record *recs; /* strings inside this allocation */
    int64_t *ids;
    size_t *lens;   /* ACK: the payload lengths as leased */
    char **reasons; /* DEAD: the records' details */
} fw_kept;

struct pw_forward_unsettled {
    fw_kept *head, *tail;
    size_t records;
};

/* A copy of n outcomes in one allocation (lens may be NULL); NULL when out of memory. */
fw_kept *pw_fw_kept_new(fw_settle_kind kind, int audited, int64_t next_ms, uint64_t ingest_mark,
                        const pw_audit_record *recs, const int64_t *ids, const size_t *lens,
                        size_t n);
void pw_fw_kept_append(pw_forward_unsettled *u, fw_kept *k);
fw_kept *pw_fw_kept_pop(pw_forward_unsettled *u); /* the oldest, or NULL */
void pw_fw_kept_move(pw_forward_unsettled *to, pw_forward_unsettled *from);

#endif
