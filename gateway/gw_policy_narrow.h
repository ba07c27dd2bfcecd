/*
 * gw_policy_narrow.h — the policy in force, re-applied by a forwarder to a spooled payload just
 * before it is sent. A spooled payload is post-policy (the destination's wire shape, reduced by
 * the policy in force when it was accepted), so re-applying a policy to it can only take away:
 * a member the current policy would no longer write is removed, a GA4 consent the policy no
 * longer takes from the visitor becomes DENIED, a GA4 client_id made from the first-party id when
 * the policy no longer keeps it becomes the HMAC of the event_id (what ingest now writes), and an
 * event the current policy no longer sends at all (its taxonomy name left `events`, or nothing
 * that identifies it for the platform is left) is not sent: the forwarder dead-letters it.
 *
 * So a reload that tightens the policy after a leak (allow_params, page_url, page_categories,
 * referrer, page_title, client_ip, user_agent, user_data, first_party_id, events, consent)
 * reaches the backlog accepted under the old one. What cannot be re-decided from the payload is
 * left as it is (docs/gateway.md, "A reload reaches the backlog"): which site action a taxonomy
 * name came from. requires_consent is re-decided by the forwarder from the consent the spool
 * keeps with the row (pw_spool_item.consent, forward.c). The PHI engine's verdict on the strings
 * that remain is re-decided by pw_gw_policy_narrow_phi.
 */
#ifndef PHIWALL_GW_POLICY_NARROW_H
#define PHIWALL_GW_POLICY_NARROW_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "gw_policy.h"

#define PW_GW_NARROW_NOTE_MAX 320

typedef struct pw_gw_narrowed {
    int dead;         /* 1: the policy in force does not send this event at all (note: why) */
    unsigned removed; /* members removed or reduced (0 and !dead: sent as spooled) */
    /* "custom_data.condition (allow_params), user_data.external_id (first_party_id: drop)", or
     * why the event is dead; cut short (ending "…") past its size */
    char note[PW_GW_NARROW_NOTE_MAX];
} pw_gw_narrowed;

/* Re-apply destination `dest` of p to the parsed payload (changed in place: members removed from
 * their objects, strings replaced by static ones or overwritten in place; nothing allocated).
 * event_id: the spool row's (GA4's client_id without a first-party id is its HMAC). */
void pw_gw_policy_narrow(const pw_gw_policy *p, size_t dest, yajl_val payload, const char *event_id,
                         pw_gw_narrowed *out);

/* The PHI verdicts of the policy in force, re-decided on what pw_gw_policy_narrow left of the
 * payload (pw_gw_policy_rescrub): each allowed param's value and the page title goes through the
 * guard (text_scripts) and the engine again, and is kept, redacted in place or removed, noted in
 * out like the other reductions (a redacted member counts in `removed`, its note names the
 * rule). So a reload to `phi: drop` (from redact), to `text_scripts: latin` (from any), or a
 * restart with a new `--vocab` reaches strings spooled before it. Not re-decided: the visitor's
 * own data found in a string at ingest (not spooled: the engine's verdict alone is re-run),
 * strings the policy writes itself (origins, categories, hashes: rule outputs).
 * a: the tree's arena (redacted copies). Does nothing to a dead event. */
pw_status pw_gw_policy_narrow_phi(const pw_gw_policy *p, size_t dest, yajl_val payload,
                                  const pw_gw_phi *phi, pw_arena *a, pw_gw_narrowed *out,
                                  pw_err *err);

#endif
