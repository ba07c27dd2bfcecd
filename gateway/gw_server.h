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
    const char *audit_path;   /* default PW_AUDIT_DEFAULT_PATH (the CLI resolves $PHIWALL_AUDIT) */
    uint64_t spool_max_bytes; /* default 1 GiB */
    unsigned threads;         /* HTTP threads, 0 = CPUs */
    unsigned conn_kib;        /* HTTP memory per connection in KiB (headers), 0 = default */
    int conns_per_ip;         /* open connections per client address (pw_gw_http_config) */
    const char *vocab_file;   /* extra vocabulary for the PHI engine, or NULL */
    /* /healthz answers 503 when the oldest queued event is older than this (seconds); 0: the
     * environment's PHIWALL_HEALTHZ_MAX_AGE_S, else 3600. */
    unsigned health_max_age_s;
    uint64_t spool_reserve_bytes; /* pw_spool_opts.reserve_bytes (0: the default) */
    /* --request-timeout as given (seconds, validated by pw_gw_request_timeout_parse), or NULL:
     * $PHIWALL_REQUEST_TIMEOUT_S, else PW_GW_REQUEST_TIMEOUT_MS_DEFAULT. */
    const char *request_timeout;
} pw_gw_server_opts;

#define PW_GW_REQUEST_TIMEOUT_S_MAX 3600u

/* The per-request deadline's one validation: v a whole number of seconds from 1 to
 * PW_GW_REQUEST_TIMEOUT_S_MAX, in *ms; else PW_ERR_INVALID "NAME=V: not a whole number …". */
pw_status pw_gw_request_timeout_parse(const char *name, const char *v, unsigned *ms, pw_err *err);
/* The deadline in effect: `flag` (--request-timeout, NULL when not given), else
 * $PHIWALL_REQUEST_TIMEOUT_S, else the default (30 s). *source names which ("--request-timeout",
 * "PHIWALL_REQUEST_TIMEOUT_S", "default"), for --check and errors. */
pw_status pw_gw_request_timeout_resolve(const char *flag, unsigned *ms, const char **source,
                                        pw_err *err);

typedef struct pw_gw_server pw_gw_server;

/* Start every part; returns once the HTTP front listens. o's strings must outlive the server. */
pw_status pw_gw_server_start(const pw_gw_server_opts *o, pw_gw_server **out, pw_err *err);
unsigned pw_gw_server_port(const pw_gw_server *s);
/* Re-read the policy file; on any error the current policy stays in force. */
pw_status pw_gw_server_reload(pw_gw_server *s, pw_err *err);
/* Drain: stop accepting, let requests in flight finish (their spool commits land), stop the
 * forwarders, close spool and audit. Frees s. */
void pw_gw_server_stop(pw_gw_server *s);

/* Rows of destinations the policy no longer has (removed by a reload, or while stopped) are
 * dead-lettered, each with a "dead" audit record saying why; returns how many. Run at start, on
 * every reload and every few seconds by pw_gw_serve (requests in flight with the old policy may
 * still add rows after a reload). */
size_t pw_gw_server_settle_removed(pw_gw_server *s);

/* start, then block signals and run until SIGTERM or SIGINT (SIGHUP reloads); JSON logs. */
pw_status pw_gw_serve(const pw_gw_server_opts *o, pw_err *err);

#endif
