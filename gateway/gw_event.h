/*
 * gw_event.h — the first-party event as the tag sends it to POST /e, parsed and validated.
 *
 * An event lives in the request's arena and only for the request: it holds raw visitor data
 * (URLs, titles, user fields, the client IP and user agent) that the policy reduces before
 * anything is written anywhere. Validation errors name the field ("events[2].name: must be a
 * string") so a site developer can fix the call that produced it.
 */
#ifndef PHIWALL_GW_EVENT_H
#define PHIWALL_GW_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"

typedef enum pw_gw_value_kind { PW_GW_V_STRING = 0, PW_GW_V_NUMBER, PW_GW_V_BOOL } pw_gw_value_kind;

/* One key/value of params or user: numbers keep their JSON text. */
typedef struct pw_gw_param {
    const char *key;
    pw_gw_value_kind kind;
    const char *str; /* string value, or the number's JSON text, or "true"/"false" */
    size_t len;
} pw_gw_param;

typedef struct pw_gw_event {
    const char *event_id; /* UUID, validated: 8-4-4-4-12 hex, in lower case (canonical) */
    const char *name;
    int64_t time_ms;                              /* 0 when absent */
    const char *page_url, *page_title, *referrer; /* NULL when absent */
    int consent_ads, consent_analytics;
    pw_gw_param *user; /* visitor data (email, phone, …): strings only */
    size_t n_user;
    const char *fpid; /* first-party id */
    pw_gw_param *params;
    size_t n_params;
    /* Request context: memory only, never copied out raw. */
    const char *client_ip;
    const char *user_agent;
} pw_gw_event;

typedef struct pw_gw_parse_limits {
    size_t max_events; /* per request (batch) */
    size_t max_params; /* per event, params and user each */
    size_t max_string; /* bytes per string value */
} pw_gw_parse_limits;

#define PW_GW_PARSE_LIMITS_DEFAULT \
    {                              \
        100, 50, 4096              \
    }

/*
 * Parse a body: one event object, a JSON array of events, or {"events":[…]}. Everything is
 * allocated in `a`. On error nothing is returned and err names the field.
 */
pw_status pw_gw_events_parse(pw_arena *a, const char *body, size_t n, const pw_gw_parse_limits *lim,
                             pw_gw_event **out, size_t *n_out, pw_err *err);

/* An event of a batch that failed validation. A batch is answered per event: the valid events
 * go on, each invalid one is reported with its place and the reason. */
typedef struct pw_gw_event_reject {
    size_t index;            /* its place in the batch: events[index] */
    const char *error;       /* "events[2].name: must be a string" (for the sender) */
    const char *audit_error; /* the same without any key the sender chose (for the audit log) */
    const char *event_id;    /* its event_id (lower case) when that was a valid UUID, else NULL */
} pw_gw_event_reject;

/* A body parsed event by event (all in the arena). */
typedef struct pw_gw_parsed {
    pw_gw_event *events; /* the valid events, in body order */
    size_t n_events;
    pw_gw_event_reject *rejected; /* the invalid events of a batch, in body order */
    size_t n_rejected;
} pw_gw_parsed;

/*
 * Like pw_gw_events_parse, but an invalid event of a batch (an array or {"events":[…]}) is
 * listed in out->rejected instead of failing the body. The body still fails as a whole (err set,
 * nothing returned) when it is not JSON, not an event, an array or {"events":[…]}, is empty or
 * has more than max_events events, and when its single event (a body that is one object) is
 * invalid.
 */
pw_status pw_gw_events_parse_batch(pw_arena *a, const char *body, size_t n,
                                   const pw_gw_parse_limits *lim, pw_gw_parsed *out, pw_err *err);

/* 1 if s is a UUID in the 8-4-4-4-12 hex form (the idempotency key; never carries data). */
int pw_gw_is_uuid(const char *s);

#endif
