/*
 * gw_server.h — `phiwall gateway` at run time: policy + PHI engine + spool + audit + forwarders
 * + HTTP front, wired together; SIGHUP reloads the policy atomically, SIGTERM/SIGINT drain
 * (stop accepting, finish requests in flight so their spool commits land, stop forwarders).
 */
#ifndef PHIWALL_GW_SERVER_H
#define PHIWALL_GW_SERVER_H

#include <stdint.h>

#include "phiwall/error.h"

typedef struct pw_gw_server_opts {
    const char *config;       /* policy YAML */
    const char *host;         /* listen address, default 127.0.0.1 */
    unsigned port;            /* default 8787; 0 = any */
    const char *spool_path;   /* default phiwall-spool.db */
    const char *audit_path;   /* default phiwall-audit.log */
    uint64_t spool_max_bytes; /* default 1 GiB */
    unsigned threads;         /* HTTP threads, 0 = CPUs */
    const char *vocab_file;   /* extra vocabulary for the PHI engine, or NULL */
} pw_gw_server_opts;

/* Runs until SIGTERM or SIGINT. Logs JSON lines on stderr. */
pw_status pw_gw_serve(const pw_gw_server_opts *o, pw_err *err);

#endif
