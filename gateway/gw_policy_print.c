/*
 * gw_policy_print.c — the effective policy as `phiwall gateway --check` prints it: defaults
 * filled in, secrets shown only by where they come from, never by value.
 */
#include <ctype.h>
#include <string.h>

#include "gw_policy.h"

static const char *const url_names[] = {"drop", "origin", "categories"};
static const char *const kind_names[] = {"meta", "ga4", "webhook"};
static const char *const proxy_auth_names[] = {
    "basic (sent with the first request)", "digest (after the proxy's 407 challenge)",
    "ntlm (after the proxy's 407 challenge)",
    "any (the safest scheme the proxy's 407 offers)"}; /* pw_proxy_auth */
static const char *const http2_names[] = {
    "auto (https: HTTP/2 if the server offers it by ALPN; http: HTTP/1.1)",
    "prior-knowledge (http: h2c without Upgrade; https: as auto)", "off (HTTP/1.1)"};

static void list(pw_buf *o, const char *label, const char **v, size_t n)
{
    pw_buf_printf(o, "    %s: [", label);
    for (size_t i = 0; i < n; i++)
        pw_buf_printf(o, "%s%s", i ? ", " : "", v[i]);
    pw_buf_puts(o, "]\n");
}

static void print_dest(pw_buf *o, const pw_gw_dest_policy *d)
{
    const pw_destination *x = &d->dest;
    pw_buf_printf(o, "  %s:\n    type: %s\n", x->name, kind_names[x->kind]);
    if (x->kind == PW_DEST_META_CAPI)
        pw_buf_printf(o, "    endpoint: %s/%s/%s/events\n", x->base_url, x->api_version,
                      x->pixel_id);
    else if (x->kind == PW_DEST_GA4_MP)
        pw_buf_printf(o, "    endpoint: %s/mp/collect (measurement_id %s)\n", x->base_url,
                      x->measurement_id);
    else
        pw_buf_printf(o, "    endpoint: %s\n", x->url);
    if (d->token_source)
        pw_buf_printf(o, "    credential: from %s%s\n", d->token_source,
                      (x->access_token || x->api_secret || x->bearer_token) ? " (loaded)" : "");
    if (x->test_event_code)
        pw_buf_puts(o, "    test_event_code: set (tests only)\n");
    if (x->hold)
        pw_buf_puts(o, "    hold: true (events accepted and spooled; nothing delivered until a "
                       "reload lifts the hold)\n");
    pw_buf_printf(o, "    http2: %s\n", http2_names[x->http2]);
    if (!x->proxy)
        pw_buf_puts(o, "    proxy: none (direct; https_proxy, http_proxy, all_proxy ignored)\n");
    else if (strcmp(x->proxy, "env") == 0)
        pw_buf_puts(o, "    proxy: env (libcurl's https_proxy, http_proxy, all_proxy, no_proxy)\n");
    else
        pw_buf_printf(o, "    proxy: %s (no_proxy ignored)\n", x->proxy);
    if (d->proxy_auth_source)
        pw_buf_printf(o, "    proxy_auth: %s, user:password from %s%s\n",
                      proxy_auth_names[x->proxy_auth], d->proxy_auth_source,
                      x->proxy_userpwd ? " (loaded)" : "");
    pw_buf_printf(o,
                  "    timeout_ms: %u\n    events:                # everything else is dropped\n",
                  x->timeout_ms);
    for (size_t i = 0; i < d->n_events; i++)
        pw_buf_printf(o, "      %s -> %s\n", d->events[i].from, d->events[i].to);
    list(o, "allow_params", d->params, d->n_params);
    pw_buf_printf(o, "    page_url: %s\n", url_names[d->page_url]);
    for (size_t i = 0; d->page_url == PW_GW_URL_CATEGORIES && i < d->n_categories; i++)
        pw_buf_printf(o, "      %s -> %s\n", d->categories[i].glob, d->categories[i].category);
    if (d->page_url == PW_GW_URL_CATEGORIES && d->default_category)
        pw_buf_printf(o, "      (other) -> %s\n", d->default_category);
    pw_buf_printf(o, "    query_strings: dropped (always)\n    referrer: %s\n",
                  url_names[d->referrer]);
    if (d->referrer != PW_GW_URL_DROP) {
        pw_buf_puts(o, "    referrer_origins: site.origins");
        for (size_t i = 0; i < d->n_referrer_origins; i++)
            if (strcmp(d->referrer_origins[i], "*") != 0)
                pw_buf_printf(o, ", %s", d->referrer_origins[i]);
        pw_buf_puts(o, d->referrer_any ? ", any other whose host passes the PHI engine\n"
                                       : " (every other referrer dropped)\n");
    }
    pw_buf_printf(o, "    page_title: %s\n", d->page_title ? "keep (PHI engine)" : "drop");
    pw_buf_printf(o, "    client_ip: %s\n",
                  x->kind == PW_DEST_GA4_MP ? "drop (ga4)"
                  : d->client_ip            ? "truncate (/24, IPv6 /48)"
                                            : "drop");
    pw_buf_printf(o, "    user_agent: %s\n",
                  x->kind == PW_DEST_GA4_MP ? "drop (ga4)"
                  : d->user_agent           ? "keep (PHI engine)"
                                            : "drop");
    list(o, "user_data (consent.ads, SHA-256)", d->user_data, d->n_user_data);
    pw_buf_printf(o, "    first_party_id: %s\n",
                  d->first_party_id ? "HMAC-SHA256(site key, destination + fpid)" : "drop");
    pw_buf_printf(o, "    phi in remaining strings: %s; event names with PHI: refused\n",
                  d->phi_strings ? "drop the field" : "redact");
    pw_buf_printf(o, "    text_scripts: %s\n",
                  d->text_scripts == PW_GW_SCRIPTS_ANY
                      ? "any (a word mixing Latin with a look-alike script is dropped)"
                      : "latin (a string with non-Latin letters is dropped)");
    pw_buf_puts(o, "    guard: invisible characters and compatibility letters dropped; base64, "
                   "spaced-out letters and marked text decoded and scanned\n");
    if (d->requires_consent == PW_GW_CONSENT_NONE)
        pw_buf_puts(o, "    requires_consent: none (sent whatever the visitor's consent)\n");
    else
        pw_buf_printf(o, "    requires_consent: %s (not sent without the visitor's consent.%s)\n",
                      pw_gw_consent_name(d->requires_consent),
                      pw_gw_consent_name(d->requires_consent));
    if (x->kind == PW_DEST_META_CAPI || d->requires_consent == PW_GW_CONSENT_ADS)
        pw_buf_puts(o, "    identifiers without consent.ads: none sent (ad destination)\n");
    if (x->kind == PW_DEST_GA4_MP)
        pw_buf_printf(o, "    consent: %s\n", d->ga4_consent_from_visitor ? "visitor" : "DENIED");
}

pw_status pw_gw_policy_print(const pw_gw_policy *p, pw_buf *o)
{
    pw_buf_printf(o, "# effective policy from %s\nsite:\n", p->path ? p->path : "(text)");
    pw_buf_puts(o, "");
    list(o, "origins", p->origins, p->n_origins);
    pw_buf_printf(o, "    hmac_key: %s\n", p->site_key_source ? p->site_key_source : "(none)");
    pw_buf_printf(o, "    default_country: %s\n", p->default_country ? p->default_country : "US");
    pw_buf_printf(o,
                  "ingest:\n    max_body: %zu\n    max_events: %zu\n"
                  "    rate_limit: %.0f/s per client IP, burst %.0f\n",
                  p->max_body, p->limits.max_events, p->rate_per_sec, p->rate_burst);
    pw_buf_printf(o, "    client IP: %s\n",
                  p->trust_proxy ? "last X-Forwarded-For entry (trust_proxy)" : "TCP peer");
    pw_buf_printf(o, "delivery:\n    nice: %d", p->delivery_nice);
    if (p->delivery_nice)
        pw_buf_puts(o, " (forwarders and audit writer below ingest)\n");
    else
        pw_buf_puts(o, " (delivery at the process's priority)\n");
    if (!p->delivery_nice)
        pw_buf_printf(o, "    boost_lag_ms: %u (unused: delivery is not lowered)\n",
                      p->delivery_boost_lag_ms);
    else if (p->delivery_boost_lag_ms)
        pw_buf_printf(o,
                      "    boost_lag_ms: %u (back to the process's priority while delivery is "
                      "that far behind)\n",
                      p->delivery_boost_lag_ms);
    else
        pw_buf_puts(o, "    boost_lag_ms: 0 (never)\n");
    pw_buf_puts(o, "destinations:\n");
    for (size_t i = 0; i < p->n_dests; i++)
        print_dest(o, &p->dests[i]);
    return o->failed ? PW_ERR_NOMEM : PW_OK;
}

/* ---- --check: user_data with care (docs/gateway.md, "user_data") --------------------------- */

/* Meta's and GA4's taxonomy names that say "this person asked for care" by themselves. */
static const char *const care_events[] = {
    "Schedule",      "Lead", "Contact", "SubmitApplication", "FindLocation", "CompleteRegistration",
    "generate_lead", NULL};
/* Stems of a site event name or a page category / glob that is about care. */
static const char *const care_stems[] = {"appoint",  "schedul",  "book",    "doctor", "physician",
                                         "provider", "clinic",   "patient", "portal", "service",
                                         "treat",    "conditio", "symptom", "locat",  "referr",
                                         "specialt", NULL};

static int has_stem(const char *s)
{
    char low[256];
    size_t n = 0;
    for (; s && s[n] && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)s[n]);
    low[n] = 0;
    for (size_t i = 0; care_stems[i]; i++)
        if (strstr(low, care_stems[i]))
            return 1;
    return 0;
}

static int is_care_event(const pw_gw_event_rule *r)
{
    for (size_t i = 0; care_events[i]; i++)
        if (strcmp(r->to, care_events[i]) == 0)
            return 1;
    return has_stem(r->from);
}

size_t pw_gw_policy_lint_user_data(const pw_gw_policy *p, pw_buf *o)
{
    size_t n = 0;
    for (size_t d = 0; d < p->n_dests; d++) {
        const pw_gw_dest_policy *dp = &p->dests[d];
        if (!dp->n_user_data)
            continue;
        const char *name = dp->dest.name;
        for (size_t i = 0; i < dp->n_events; i++) {
            if (!is_care_event(&dp->events[i]))
                continue;
            pw_buf_printf(o,
                          "# warning: destinations.%s.user_data with events.%s -> %s: a care "
                          "event with a hashed email/phone tells the platform who asked "
                          "for care (a PHI disclosure); use user_data: [] or a destination "
                          "without care events\n",
                          name, dp->events[i].from, dp->events[i].to);
            n++;
        }
        if (dp->page_url != PW_GW_URL_CATEGORIES)
            continue;
        for (size_t i = 0; i < dp->n_categories; i++) {
            const pw_gw_page_category *c = &dp->categories[i];
            if (!has_stem(c->category) && !has_stem(c->glob))
                continue;
            pw_buf_printf(o,
                          "# warning: destinations.%s.user_data with page_categories.%s -> %s: "
                          "a care page with a hashed email/phone is a PHI disclosure\n",
                          name, c->glob, c->category);
            n++;
        }
        if (dp->default_category) {
            pw_buf_printf(o,
                          "# warning: destinations.%s.user_data with default_category %s: it "
                          "stands for every unlisted page (conditions, services, the portal) — "
                          "a PHI disclosure with a hashed email/phone\n",
                          name, dp->default_category);
            n++;
        }
    }
    return n;
}
