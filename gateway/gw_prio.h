/*
 * gw_prio.h — the CPU priority of the gateway's delivery threads (forwarders, the ingest audit
 * writer). Delivery is background work: an event is durable once the group commit acknowledged
 * it, so under load the threads a visitor's browser waits on (HTTP, the spool's committer) get
 * the cores first and delivery runs at a higher nice value. A thread that falls too far behind
 * (see pw_forward_opts.boost_lag_ms) asks for its normal priority back; the kernel grants that
 * only with CAP_SYS_NICE or an RLIMIT_NICE that allows it (systemd: LimitNICE=+0), otherwise
 * the thread stays lowered and the refusal is counted.
 */
#ifndef PHIWALL_GW_PRIO_H
#define PHIWALL_GW_PRIO_H

/* The policy's defaults (delivery.nice, delivery.boost_lag_ms), chosen by bench/gateway.sh
 * (docs/gateway-delivery.md). */
#define PW_GW_DELIVERY_NICE_DEFAULT      0
#define PW_GW_DELIVERY_BOOST_LAG_DEFAULT 5000

/* Highest nice value a delivery thread may be given on top of the process's own. */
#define PW_GW_NICE_MAX 19

typedef struct pw_gw_prio {
    int tid;     /* the calling thread's id (gettid) */
    int base;    /* nice value when pw_gw_prio_init ran (the process's, inherited) */
    int lowered; /* nice value while lowered: base + the configured amount, at most 19 */
    int boosted; /* 1 while at base because delivery lags */
    int now;     /* the thread's nice value now */
} pw_gw_prio;

/* On the thread itself: remember its nice value and add `nice` to it (0: leave it). Best
 * effort: returns 0 when applied (or nothing to do), -1 when the kernel refused. */
int pw_gw_prio_init(pw_gw_prio *p, int nice);
/* On the same thread: lowered by `nice` from base instead (a reload); ends a boost. Returns 0
 * when applied, -1 when the kernel refused (raising a priority needs CAP_SYS_NICE or
 * RLIMIT_NICE). */
int pw_gw_prio_set(pw_gw_prio *p, int nice);
/* On the same thread: back to base (boost = 1) or lowered again (boost = 0). Returns 0 when the
 * thread is now at the requested level, -1 when the kernel refused (the level is unchanged). */
int pw_gw_prio_boost(pw_gw_prio *p, int boost);
/* The nice value of thread tid in this process, from /proc (for tests and --check), or -100. */
int pw_gw_prio_of(int tid);

#endif
