/*
 * gw_histo.h — lock-free latency histograms for the delivery side's /metrics (Prometheus text):
 * where an acknowledged request spends its time between the HTTP thread and its 2xx (the
 * commit path: queue, spool lock, SQL writes, the synced COMMIT) and how long the forwarders
 * hold the spool. Observing costs two relaxed atomic adds; bounds are fixed (50 µs … 1 s).
 */
#ifndef PHIWALL_GW_HISTO_H
#define PHIWALL_GW_HISTO_H

#include <stdatomic.h>
#include <stdint.h>

#include "phiwall/buf.h"

#define PW_HISTO_BUCKETS 17 /* the last one is +Inf */
extern const double pw_histo_bounds_s[PW_HISTO_BUCKETS - 1];

typedef struct pw_histo {
    atomic_ullong count[PW_HISTO_BUCKETS]; /* per bucket (not cumulative) */
    atomic_ullong total;
    atomic_ullong sum_ns;
} pw_histo;

/* Monotonic nanoseconds. */
int64_t pw_histo_now_ns(void);
void pw_histo_observe_ns(pw_histo *h, int64_t ns);
/* Observe now - since (nanoseconds); returns now. */
int64_t pw_histo_since(pw_histo *h, int64_t since);
/* `name`_bucket{labels,le="…"} … `name`_sum, `name`_count; labels may be NULL or "" (no TYPE
 * line: print it once per name with pw_histo_type). */
void pw_histo_print(const pw_histo *h, const char *name, const char *labels, pw_buf *o);
void pw_histo_type(const char *name, const char *help, pw_buf *o);

#endif
