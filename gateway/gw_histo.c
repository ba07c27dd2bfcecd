/* gw_histo.c — lock-free latency histograms for /metrics (see gw_histo.h). */
#include "gw_histo.h"

#include <time.h>

const double pw_histo_bounds_s[PW_HISTO_BUCKETS - 1] = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003,
    0.005,   0.0075, 0.01,    0.025,  0.05,  0.1,    0.25,  1.0};

int64_t pw_histo_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pw_histo_observe_ns(pw_histo *h, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    double s = (double)ns / 1e9;
    int i = 0;
    while (i < PW_HISTO_BUCKETS - 1 && s > pw_histo_bounds_s[i])
        i++;
    atomic_fetch_add_explicit(&h->count[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->total, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, (unsigned long long)ns, memory_order_relaxed);
}

int64_t pw_histo_since(pw_histo *h, int64_t since)
{
    int64_t now = pw_histo_now_ns();
    pw_histo_observe_ns(h, now - since);
    return now;
}

void pw_histo_type(const char *name, const char *help, pw_buf *o)
{
    if (help)
        pw_buf_printf(o, "# HELP %s %s\n", name, help);
    pw_buf_printf(o, "# TYPE %s histogram\n", name);
}

void pw_histo_print(const pw_histo *h, const char *name, const char *labels, pw_buf *o)
{
    const char *sep = labels && labels[0] ? "," : "";
    const char *lab = labels ? labels : "";
    unsigned long long cum = 0;
    for (int i = 0; i < PW_HISTO_BUCKETS; i++) {
        cum += atomic_load_explicit(&h->count[i], memory_order_relaxed);
        if (i < PW_HISTO_BUCKETS - 1)
            pw_buf_printf(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, lab, sep,
                          pw_histo_bounds_s[i], cum);
        else
            pw_buf_printf(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, lab, sep, cum);
    }
    const char *open = lab[0] ? "{" : "", *close = lab[0] ? "}" : "";
    pw_buf_printf(o, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %llu\n", name, open, lab, close,
                  (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9, name, open,
                  lab, close,
                  (unsigned long long)atomic_load_explicit(&h->total, memory_order_relaxed));
}
