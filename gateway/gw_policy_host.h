/*
 * gw_policy_host.h — a foreign referrer's host read for what it names (gw_policy_apply.c): the
 * PHI engine reads a host split at dots and dashes ("www.hiv-clinic.org" -> "www hiv clinic
 * org"), but a host's words are mostly run together ("hivclinic", "methadoneclinic", "aidsmap")
 * or an organisation's name that is no term ("plannedparenthood", "alz"). The registrable
 * domain's own label (subdomains other than www. are dropped before this) is refused when:
 *   - the registrable domain is a known organisation whose name reveals a condition or care
 *     (Planned Parenthood, the Alzheimer's Association, SAMHSA, cancer centres…);
 *   - the label, without dashes, is a high-sensitivity vocabulary term of 3+ letters ("hiv",
 *     "methadoneclinic");
 *   - it starts or ends with a term of 3-5 letters and the rest is a care word ("aids"+"map",
 *     "hiv"+"clinic", "std"+"testing"): shorter terms alone are inside too many words;
 *   - it holds a high-sensitivity term of 6+ letters anywhere ("mycancercoach": "cancer"),
 *     unless inside a common word that contains one ("ambient" holds "ambien", "pressure"
 *     "essure", "specialist" "cialis").
 * The terms are data/vocab's, generated into gw_policy_host_terms.c. Measured rates:
 * docs/gateway.md, "Referrer hosts".
 */
#ifndef PHIWALL_GW_POLICY_HOST_H
#define PHIWALL_GW_POLICY_HOST_H

#include <stddef.h>

#include "phiwall/arena.h"

/* What a host names, read from its registrable domain reg (pw_registrable_domain of the host,
 * lower case, no port; NULL passes), as "term 'hivclinic'" or "organisation
 * 'plannedparenthood.org'" (arena), or NULL when nothing. The caller has reg already (the
 * subdomain rule needs it too): the public-suffix lookup, ~3,000 instructions, runs once per
 * referrer instead of twice. */
const char *pw_gw_host_sensitive(pw_arena *a, const char *reg);

/* Generated (gw_policy_host_terms.c): sorted by bytes. */
extern const char *const pw_gw_host_terms[];
extern const size_t pw_gw_n_host_terms;

#endif
