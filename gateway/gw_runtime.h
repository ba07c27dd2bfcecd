/*
 * gw_runtime.h — what the request threads share at run time: the current policy (swapped
 * atomically on SIGHUP; requests in flight keep the one they started with), per-client-IP
 * token buckets, and the request latency histogram for /metrics.
 */
#ifndef PHIWALL_GW_RUNTIME_H
#define PHIWALL_GW_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "gw_policy.h"
#include "phiwall/buf.h"

/* ---- the current policy ---------------------------------------------------------------- */
typedef struct pw_gw_policy_ref {
    pw_gw_policy *policy;
    atomic_int refs; /* the holder's own reference + one per request in flight */
} pw_gw_policy_ref;

typedef struct pw_gw_policy_holder {
    pthread_mutex_t mu;
    pw_gw_policy_ref *cur;
} pw_gw_policy_holder;

/* Takes ownership of p. */
pw_status pw_gw_holder_init(pw_gw_policy_holder *h, pw_gw_policy *p, pw_err *err);
pw_gw_policy_ref *pw_gw_holder_acquire(pw_gw_policy_holder *h);
void pw_gw_policy_release(pw_gw_policy_ref *r);
/* Install p (ownership taken); the old policy is freed when its last request ends. */
pw_status pw_gw_holder_swap(pw_gw_policy_holder *h, pw_gw_policy *p, pw_err *err);
/* The two halves of a swap, so that a reload can allocate before it commits: a reference to p
 * (NULL when out of memory; p stays the caller's), and its installation, which cannot fail. */
pw_gw_policy_ref *pw_gw_policy_ref_new(pw_gw_policy *p);
void pw_gw_holder_install(pw_gw_policy_holder *h, pw_gw_policy_ref *r);
void pw_gw_holder_destroy(pw_gw_policy_holder *h);

/* ---- per-IP token buckets -------------------------------------------------------------- */
typedef struct pw_gw_ratelimit pw_gw_ratelimit;
pw_gw_ratelimit *pw_gw_ratelimit_new(void);
/* With a clock of its own (seconds, monotonic; tests step it instead of waiting); NULL: the
 * system's monotonic clock. */
typedef double (*pw_gw_clock_fn)(void *ctx);
pw_gw_ratelimit *pw_gw_ratelimit_new_clock(pw_gw_clock_fn now, void *ctx);
/* With its slot hash's key given (tests: addresses that collide); NULL: 16 random bytes from
 * getrandom(2), which the others use (NULL returned when it fails). */
pw_gw_ratelimit *pw_gw_ratelimit_new_keyed(pw_gw_clock_fn now, void *ctx,
                                           const unsigned char key[16]);
/* The slot ip's bucket is kept in (0 .. 16×1024-1), for tests: two addresses of one slot share
 * a bucket until its owner has been idle long enough for it to refill. */
size_t pw_gw_ratelimit_slot(const pw_gw_ratelimit *r, const char *ip);
void pw_gw_ratelimit_free(pw_gw_ratelimit *r);
/* 1 if a request from ip may proceed (rate per second, burst capacity). An IPv6 client's
 * bucket is its /64's. */
int pw_gw_ratelimit_take(pw_gw_ratelimit *r, const char *ip, double rate, double burst);

/* ---- latency histogram ----------------------------------------------------------------- */
#define PW_GW_LAT_BUCKETS 12
extern const double pw_gw_lat_bounds[PW_GW_LAT_BUCKETS - 1]; /* seconds; last bucket +Inf */
typedef struct pw_gw_latency {
    atomic_ullong count[PW_GW_LAT_BUCKETS]; /* per bucket (not cumulative) */
    atomic_ullong total;
    atomic_ullong sum_us;
} pw_gw_latency;
void pw_gw_latency_observe(pw_gw_latency *l, double seconds);
void pw_gw_latency_print(const pw_gw_latency *l, const char *name, pw_buf *out);

#endif
