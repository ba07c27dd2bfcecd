/*
 * forward_ga4.h — GA4's naming rules, one implementation shared by the GA4 forwarder (which
 * dead-letters payloads that break them) and the policy loader (which refuses a policy that
 * would produce such payloads, so no event is answered 200 and then dead-lettered).
 */
#ifndef PHIWALL_FORWARD_GA4_H
#define PHIWALL_FORWARD_GA4_H

/* An event name GA4 takes: 1-40 letters, digits or '_', starting with a letter, no reserved
 * prefix (_, ad_, firebase_, ga_, google_, gtag.) and not a reserved name (session_start…). */
int pw_ga4_event_name_ok(const char *name);
/* An event parameter name GA4 takes: the same rules without the reserved event names. */
int pw_ga4_param_name_ok(const char *name);
/* A string parameter value GA4 takes: at most 100 characters (UTF-8 code points). The policy
 * checks the value it will send (after redaction) with it, the forwarder every value it sends. */
int pw_ga4_param_value_ok(const char *value);

#endif
