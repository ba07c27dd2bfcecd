/*
 * gw_time.h — wall-clock and monotonic milliseconds for the delivery side (spool, forwarders,
 * audit). Internal to gateway/: header-only so that each user stays a small file.
 */
#ifndef PHIWALL_GW_TIME_H
#define PHIWALL_GW_TIME_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME): what spool rows and audit records hold. */
static inline int64_t pw_gw_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Monotonic milliseconds: for measuring latencies and waits, immune to clock steps. */
static inline int64_t pw_gw_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A condition variable whose timed waits run on CLOCK_MONOTONIC, for pw_gw_deadline: a step of
 * the wall clock (NTP, a restored VM, `date -s`) neither stretches nor cuts a wait. Before, the
 * deadlines were CLOCK_REALTIME: a wait begun just before the clock went back an hour lasted an
 * hour (a lone event's group commit, the audit thread's sync of the ingest records). */
static inline void pw_gw_cond_init(pthread_cond_t *c)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
}

/* An absolute CLOCK_MONOTONIC deadline `ms` from now, for pthread_cond_timedwait on a condition
 * variable made by pw_gw_cond_init. */
static inline struct timespec pw_gw_deadline(unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

#endif
