/*
 * gw_log.h — the gateway's structured log: one JSON object per line on stderr. Callers pass
 * only operational facts (counts, status codes, rule names, file:line of a config error):
 * never an event field, an IP, a user agent or a credential.
 */
#ifndef PHIWALL_GW_LOG_H
#define PHIWALL_GW_LOG_H

/* pw_gw_log("info", "policy reloaded", "path", path, NULL): key/value string pairs. */
void pw_gw_log(const char *level, const char *msg, ...) __attribute__((sentinel));

#endif
