/*
 * gw_explain.h — `phiwall gateway --explain EVENT.json`: field by field, what each destination
 * would receive from an event and which policy rule decided, plus the exact payload.
 */
#ifndef PHIWALL_GW_EXPLAIN_H
#define PHIWALL_GW_EXPLAIN_H

#include "gw_policy.h"

pw_status pw_gw_explain(const pw_gw_policy *p, const pw_gw_phi *phi, const char *body, size_t n,
                        const char *client_ip, const char *user_agent, int64_t now_ms, pw_buf *out,
                        pw_err *err);

/* Lint for --check: event names the PHI engine flags (a taxonomy or site name with a health term
 * refuses every event mapped to it). One line per problem appended to out; *n_warnings counts
 * them. (A page category with one is an error: pw_gw_policy_prepare refuses the policy.) */
pw_status pw_gw_policy_lint(const pw_gw_policy *p, const pw_gw_phi *phi, pw_buf *out,
                            size_t *n_warnings, pw_err *err);

#endif
