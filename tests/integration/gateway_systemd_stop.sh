#!/usr/bin/env bash
# gateway_systemd_stop.sh — the shipped unit gives the gateway's stop the time it takes: the
# HTTP drain (up to 30 s, gateway/gw_http.c pw_gw_http_stop), then each forwarder's request in
# flight (up to the largest timeout_ms a policy may set, gateway/gw_policy_load.c), then the
# audit sync and the spool's close. systemd SIGKILLs a service still stopping after
# TimeoutStopSec; at 30 s (before 1 December 2026) a drain that used its 30 s was killed before
# its ingest audit records were synced and its forwarders' outcomes recorded. The bounds are read
# from the sources, so a change there that outgrows the unit fails here.
set -u
. "$PW_SRC/tests/integration/lib.bash"
unit="$PW_SRC/contrib/phiwall-gateway.service"
drain_ms=$(sed -n 's/.*for (; ms < \([0-9]*\) && atomic_load(&h->inflight) > 0; ms++).*/\1/p' \
    "$PW_SRC/gateway/gw_http.c")
expect_match "$drain_ms" '^[0-9]+$' "the HTTP drain bound is found in gw_http.c ($drain_ms)"
max_timeout_ms=$(grep -A1 'strcmp(key, "timeout_ms") == 0' "$PW_SRC/gateway/gw_policy_load.c" |
    sed -n 's/.*get_uint(c, v, path, \([0-9]*\), &u).*/\1/p')
expect_match "$max_timeout_ms" '^[0-9]+$' "the largest timeout_ms is found in gw_policy_load.c ($max_timeout_ms)"
stop_s=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s\{0,1\}$/\1/p' "$unit")
expect_match "$stop_s" '^[0-9]+$' "the unit sets TimeoutStopSec in seconds ($stop_s)"
need_s=$(( (drain_ms + max_timeout_ms) / 1000 + 10 ))
[ "${stop_s:-0}" -ge "$need_s" ] && pass ||
    fail "TimeoutStopSec=$stop_s: the stop may take ${need_s}s (drain ${drain_ms} ms + a request of ${max_timeout_ms} ms + 10 s)"
finish
