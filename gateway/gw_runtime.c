/* gw_runtime.c — policy hand-over (refcounted swap), token buckets, latency histogram. */
#include "gw_runtime.h"
#include "phiwall/text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* ---- policy holder --------------------------------------------------------------------- */

pw_gw_policy_ref *pw_gw_policy_ref_new(pw_gw_policy *p)
{
    pw_gw_policy_ref *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->policy = p;
    atomic_init(&r->refs, 1);
    return r;
}

pw_status pw_gw_holder_init(pw_gw_policy_holder *h, pw_gw_policy *p, pw_err *err)
{
    h->cur = pw_gw_policy_ref_new(p);
    if (!h->cur) {
        pw_gw_policy_free(p);
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&h->mu, NULL);
    return PW_OK;
}

pw_gw_policy_ref *pw_gw_holder_acquire(pw_gw_policy_holder *h)
{
    pthread_mutex_lock(&h->mu);
    pw_gw_policy_ref *r = h->cur;
    atomic_fetch_add(&r->refs, 1);
    pthread_mutex_unlock(&h->mu);
    return r;
}

void pw_gw_policy_release(pw_gw_policy_ref *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
        pw_gw_policy_free(r->policy);
        free(r);
    }
}

pw_status pw_gw_holder_swap(pw_gw_policy_holder *h, pw_gw_policy *p, pw_err *err)
{
    pw_gw_policy_ref *r = pw_gw_policy_ref_new(p);
    if (!r) {
        pw_gw_policy_free(p);
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    }
    pw_gw_holder_install(h, r);
    return PW_OK;
}

void pw_gw_holder_install(pw_gw_policy_holder *h, pw_gw_policy_ref *r)
{
    pthread_mutex_lock(&h->mu);
    pw_gw_policy_ref *old = h->cur;
    h->cur = r;
    pthread_mutex_unlock(&h->mu);
    pw_gw_policy_release(old);
}

void pw_gw_holder_destroy(pw_gw_policy_holder *h)
{
    pw_gw_policy_release(h->cur);
    h->cur = NULL;
    pthread_mutex_destroy(&h->mu);
}

/* ---- token buckets --------------------------------------------------------------------- */

#define RL_SHARDS 16
#define RL_SLOTS  1024 /* per shard; an evicted idle bucket simply starts full again */

typedef struct rl_slot {
    char ip[48];
    double tokens;
    double last;
    int used;
} rl_slot;

struct pw_gw_ratelimit {
    pw_gw_clock_fn now;
    void *now_ctx;
    /* SipHash key, random per process: which addresses share a slot cannot be known outside,
     * so a client cannot pick addresses that collide with its own or a victim's. */
    uint64_t key[2];
    struct {
        pthread_mutex_t mu;
        rl_slot slots[RL_SLOTS];
    } shard[RL_SHARDS];
};

static double mono_s(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

pw_gw_ratelimit *pw_gw_ratelimit_new_keyed(pw_gw_clock_fn now, void *ctx,
                                           const unsigned char key[16])
{
    pw_gw_ratelimit *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->now = now ? now : mono_s;
    r->now_ctx = ctx;
    unsigned char k[16];
    if (key)
        memcpy(k, key, sizeof k);
    else if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) {
        free(r);
        return NULL;
    }
    memcpy(r->key, k, sizeof r->key);
    for (int i = 0; i < RL_SHARDS; i++)
        pthread_mutex_init(&r->shard[i].mu, NULL);
    return r;
}

pw_gw_ratelimit *pw_gw_ratelimit_new_clock(pw_gw_clock_fn now, void *ctx)
{
    return pw_gw_ratelimit_new_keyed(now, ctx, NULL);
}

pw_gw_ratelimit *pw_gw_ratelimit_new(void)
{
    return pw_gw_ratelimit_new_clock(NULL, NULL);
}

void pw_gw_ratelimit_free(pw_gw_ratelimit *r)
{
    if (!r)
        return;
    for (int i = 0; i < RL_SHARDS; i++)
        pthread_mutex_destroy(&r->shard[i].mu);
    free(r);
}

/* SipHash-2-4 of the NUL-terminated s, keyed with the limiter's key. */
static uint64_t slot_hash(const pw_gw_ratelimit *r, const char *s)
{
    return pw_siphash(r->key, s, strlen(s));
}

/* The bucket of a client: its IPv4 address, or for IPv6 its /64 — one subscriber's network,
 * within which a client picks any of 2^64 addresses (each of which had a full bucket of its
 * own); an IPv4 client seen as ::ffff:a.b.c.d is that IPv4 address. */
static const char *bucket_key(const char *ip, char *buf, size_t cap)
{
    unsigned char b[16];
    if (!ip || !strchr(ip, ':') || inet_pton(AF_INET6, ip, b) != 1)
        return ip ? ip : "";
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, sizeof mapped) == 0)
        return inet_ntop(AF_INET, b + 12, buf, (socklen_t)cap) ? buf : ip;
    memset(b + 8, 0, 8);
    return inet_ntop(AF_INET6, b, buf, (socklen_t)cap) ? buf : ip;
}

size_t pw_gw_ratelimit_slot(const pw_gw_ratelimit *r, const char *ip)
{
    char key[INET6_ADDRSTRLEN];
    uint64_t h = slot_hash(r, bucket_key(ip, key, sizeof key));
    return (size_t)(h % RL_SHARDS) * RL_SLOTS + (size_t)((h / RL_SHARDS) % RL_SLOTS);
}

int pw_gw_ratelimit_take(pw_gw_ratelimit *r, const char *ip, double rate, double burst)
{
    if (!r || rate <= 0)
        return 1;
    char key[INET6_ADDRSTRLEN];
    ip = bucket_key(ip, key, sizeof key);
    size_t slot = pw_gw_ratelimit_slot(r, ip);
    size_t sh = slot / RL_SLOTS;
    rl_slot *s = &r->shard[sh].slots[slot % RL_SLOTS];
    double now = r->now(r->now_ctx);
    int ok;
    pthread_mutex_lock(&r->shard[sh].mu);
    if (!s->used) {
        s->used = 1;
        s->tokens = burst;
        s->last = now;
        snprintf(s->ip, sizeof s->ip, "%s", ip);
    }
    s->tokens += (now - s->last) * rate;
    if (s->tokens > burst)
        s->tokens = burst;
    s->last = now;
    /* Another client in the slot: it takes the slot over only once the bucket is full again
     * (its owner idle long enough to have refilled it). Until then the two share the bucket:
     * resetting it to full for the newcomer let two colliding addresses alternate past the
     * limit (19 of 20 accepted at per_second 1, burst 2). */
    if (strncmp(s->ip, ip, sizeof s->ip - 1) != 0 && s->tokens >= burst)
        snprintf(s->ip, sizeof s->ip, "%s", ip);
    ok = s->tokens >= 1.0;
    if (ok)
        s->tokens -= 1.0;
    pthread_mutex_unlock(&r->shard[sh].mu);
    return ok;
}

/* ---- latency --------------------------------------------------------------------------- */

const double pw_gw_lat_bounds[PW_GW_LAT_BUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1.0};

void pw_gw_latency_observe(pw_gw_latency *l, double s)
{
    int i = 0;
    while (i < PW_GW_LAT_BUCKETS - 1 && s > pw_gw_lat_bounds[i])
        i++;
    atomic_fetch_add(&l->count[i], 1);
    atomic_fetch_add(&l->total, 1);
    atomic_fetch_add(&l->sum_us, (unsigned long long)(s * 1e6));
}

void pw_gw_latency_print(const pw_gw_latency *l, const char *name, pw_buf *o)
{
    unsigned long long cum = 0;
    pw_buf_printf(o, "# TYPE %s histogram\n", name);
    for (int i = 0; i < PW_GW_LAT_BUCKETS; i++) {
        cum += atomic_load(&l->count[i]);
        if (i < PW_GW_LAT_BUCKETS - 1)
            pw_buf_printf(o, "%s_bucket{le=\"%g\"} %llu\n", name, pw_gw_lat_bounds[i], cum);
        else
            pw_buf_printf(o, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
    }
    pw_buf_printf(o, "%s_sum %.6f\n%s_count %llu\n", name, (double)atomic_load(&l->sum_us) / 1e6,
                  name, (unsigned long long)atomic_load(&l->total));
}
