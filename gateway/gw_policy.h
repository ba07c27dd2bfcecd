/*
 * gw_policy.h — the gateway's policy: what each destination may receive, loaded from one YAML
 * file and applied to every event before anything is spooled (DESIGN §4, "scrub before the
 * spool"). Deny by default: an event name, parameter or user field not named in the file is
 * never forwarded, and every string that remains passes the PHI engine.
 *
 * A loaded pw_gw_policy is immutable and shared by the request threads; SIGHUP builds a new one
 * and swaps it in (gw_server.c).
 */
#ifndef PHIWALL_GW_POLICY_H
#define PHIWALL_GW_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "forward.h"
#include "gw_digest.h"
#include "gw_event.h"
#include "phiwall/arena.h"
#include "phiwall/buf.h"
#include "phiwall/detect.h"
#include "phiwall/error.h"

typedef enum pw_gw_url_mode {
    PW_GW_URL_DROP = 0,  /* never sent */
    PW_GW_URL_ORIGIN,    /* scheme://host[:port] only */
    PW_GW_URL_CATEGORIES /* origin + a page category from path globs */
} pw_gw_url_mode;

typedef enum pw_gw_ip_mode { PW_GW_IP_DROP = 0, PW_GW_IP_TRUNCATE } pw_gw_ip_mode;
typedef enum pw_gw_keep_mode { PW_GW_DROP = 0, PW_GW_KEEP } pw_gw_keep_mode;
typedef enum pw_gw_phi_mode { PW_GW_PHI_REDACT = 0, PW_GW_PHI_DROP } pw_gw_phi_mode;

/* The visitor's consent a destination needs before anything is sent to it (requires_consent).
 * Defaults: meta -> ads, ga4 -> analytics, webhook -> none. */
typedef enum pw_gw_consent_req {
    PW_GW_CONSENT_NONE = 0,
    PW_GW_CONSENT_ADS,
    PW_GW_CONSENT_ANALYTICS
} pw_gw_consent_req;

/* Which letters a remaining string may hold (text_scripts). LATIN: Latin letters only (the
 * default for meta and ga4); ANY: any script, but a word that mixes Latin letters with Greek,
 * Cyrillic or another look-alike script is refused (a confusable). Compatibility letters
 * (fullwidth, mathematical, circled) and invisible format characters are refused in both. */
typedef enum pw_gw_script_mode { PW_GW_SCRIPTS_LATIN = 0, PW_GW_SCRIPTS_ANY } pw_gw_script_mode;

typedef struct pw_gw_event_rule {
    const char *from; /* site action name as the tag sends it */
    const char *to;   /* safe taxonomy name sent to the destination */
    /* Set by pw_gw_policy_prepare: the PHI engine's refusal of `to`, or NULL when clean. */
    const char *to_refusal;
} pw_gw_event_rule;

typedef struct pw_gw_page_category {
    const char *glob;     /* path glob such as "/find-a-doctor*" ('*' any run, '?' one byte) */
    const char *category; /* "find_doctor" */
    unsigned line, col;   /* where the category stands in the policy file (1-based) */
} pw_gw_page_category;

/* Meta's user_data keys that the policy may allow (always sent hashed). */
#define PW_GW_USER_KEYS "em ph fn ln db ge ct st zp country"

typedef struct pw_gw_dest_policy {
    pw_destination dest;      /* connection settings for the forwarders */
    const char *token_source; /* "file /etc/…" / "env META_TOKEN" for --check (never the value) */
    const char *proxy_auth_source; /* the same for proxy_auth_file / proxy_auth_env, or NULL */
    pw_gw_event_rule *events;
    size_t n_events;
    const char **params; /* allowed params (copied into custom_data / params) */
    size_t n_params;
    /* The PHI engine's refusal of each allow_params name, or NULL (pw_gw_policy_prepare: the
     * name is sent beside its value and the visitor's identifiers, so "hiv_positive": true
     * discloses what its value alone does not). NULL array: not prepared, scanned at apply. */
    const char **param_refusal;
    pw_gw_url_mode page_url;
    pw_gw_page_category *categories;
    size_t n_categories;
    const char *default_category; /* when no glob matches (categories mode) */
    unsigned default_category_line, default_category_col; /* its place in the file */
    pw_gw_url_mode referrer;                              /* drop | origin */
    /* referrer origins that may be sent besides site.origins; "*" (referrer_any): any origin
     * whose host passes the PHI engine label by label. Empty: only the site's own origins. */
    const char **referrer_origins;
    size_t n_referrer_origins;
    int referrer_any;
    pw_gw_keep_mode page_title;
    pw_gw_ip_mode client_ip;
    pw_gw_keep_mode user_agent;
    const char **user_data; /* allowed Meta user_data keys; sent only with consent.ads, hashed */
    size_t n_user_data;
    pw_gw_keep_mode first_party_id;     /* KEEP = HMAC-SHA256 with the site key */
    pw_gw_phi_mode phi_strings;         /* a string with PHI: redact it or drop the field */
    int ga4_consent_from_visitor;       /* GA4: send the visitor's consent instead of DENIED */
    pw_gw_consent_req requires_consent; /* the event is not sent to it without this consent */
    pw_gw_script_mode text_scripts;     /* letters allowed in remaining strings */
} pw_gw_dest_policy;

typedef struct pw_gw_policy {
    pw_arena arena; /* everything below */
    const char *path;
    /* SHA-256 of the policy file's bytes: names the policy version in the audit records of
     * events the forwarders narrowed to it (gw_policy_narrow.h) */
    char sha256[65];
    const char **origins; /* CORS: allowed site origins */
    size_t n_origins;
    const unsigned char *site_key; /* HMAC key for first-party ids */
    size_t site_key_len;
    const char *site_key_source;
    size_t max_body;
    double rate_per_sec, rate_burst; /* per client IP */
    int trust_proxy; /* client IP from the last X-Forwarded-For entry (behind a reverse proxy) */
    /* site.default_country: the country a phone number without a calling code is read in
     * (ISO 3166-1 alpha-2, upper case; "US" when not given) */
    const char *default_country;
    pw_gw_parse_limits limits;
    pw_gw_dest_policy *dests;
    size_t n_dests;
    /* delivery: the forwarders' and the audit writer's CPU priority (gw_prio.h) */
    int delivery_nice;              /* added to their nice value, 0..19 (0: none) */
    unsigned delivery_boost_lag_ms; /* regain the process's priority past this lag (0: never) */
    /* Set by pw_gw_policy_prepare (work that depends on the policy alone, done once). */
    int prepared;
    pw_gw_hmac site_hmac; /* the site key's HMAC schedule (when site_key is set) */
} pw_gw_policy;

typedef struct pw_gw_load_opts {
    int resolve_secrets; /* read token/key files and env (0: leave them NULL; fuzzing) */
} pw_gw_load_opts;

/* Parse YAML text; errors read "NAME:LINE:COL: path: message". */
pw_status pw_gw_policy_parse(const char *name, const char *yaml, size_t n,
                             const pw_gw_load_opts *opts, pw_gw_policy **out, pw_err *err);
/* Read and parse a file; secrets are resolved relative to the file's directory. */
pw_status pw_gw_policy_load(const char *path, pw_gw_policy **out, pw_err *err);
/* The same file read once, parsed twice (two independent policies of the same bytes): the
 * gateway's ingest and its forwarders each own one, and a file rewritten meanwhile must not give
 * them different policies. */
pw_status pw_gw_policy_load2(const char *path, pw_gw_policy **out, pw_gw_policy **copy,
                             pw_err *err);
void pw_gw_policy_free(pw_gw_policy *p);

/* The effective policy as YAML-like text, secrets shown only by their source. */
pw_status pw_gw_policy_print(const pw_gw_policy *p, pw_buf *out);

/* `--check` warnings for user_data (advanced matching) sent with care: one "# warning: …" line
 * appended to `out` per destination event that is a care event (taxonomy Schedule, Lead,
 * Contact, SubmitApplication, CompleteRegistration, FindLocation, generate_lead, or a site name
 * about appointments/booking) and per page category that names a care page (appointments,
 * doctors, clinics, patients, services, conditions, locations…) or is the default category
 * (every unlisted page: conditions, services, the portal), when the destination has user_data
 * keys. Returns the number of warnings. Rule: docs/gateway.md, "user_data". */
size_t pw_gw_policy_lint_user_data(const pw_gw_policy *p, pw_buf *out);

/* ---- applying the policy -------------------------------------------------------------- */

/* The PHI engine as the policy sees it: one scan per string (bound to a thread's scratch).
 * object: the kind of the JSON object the string is a member of (the event's params:
 * pw_detect_object_kind of their keys), PW_OBJECT_UNKNOWN for a field outside one
 * (pw_detect_scan_member). */
typedef struct pw_gw_phi {
    pw_status (*scan)(void *ctx, pw_arena *a, const char *key, pw_detect_object object,
                      const char *s, size_t n, pw_field_type type, pw_hit **hits, size_t *n_hits,
                      pw_err *err);
    void *ctx;
} pw_gw_phi;

/* Field by field, what one destination receives and which rule decided. */
typedef struct pw_gw_field_trace {
    const char *field;  /* output field ("custom_data.value") or input field when dropped */
    const char *action; /* "sent", "redacted", "hashed", "hmac", "reduced", "dropped" */
    const char *rule;   /* the policy rule that decided */
} pw_gw_field_trace;

typedef struct pw_gw_dest_result {
    const pw_gw_dest_policy *dest;
    int accepted;         /* 0: the event is not sent to this destination */
    const char *rule;     /* accepted: the event rule; dropped: why */
    const char *out_name; /* the taxonomy name sent, NULL when dropped */
    char *payload;        /* post-policy JSON in the destination's wire shape (arena) */
    size_t payload_len;
    pw_gw_field_trace *fields;
    size_t n_fields;
    char *fields_json; /* {"field":"rule",…} of what is sent, for the audit (arena) */
    unsigned redacted; /* strings redacted or dropped for PHI */
} pw_gw_dest_result;

/*
 * Before a policy serves requests: compute once what depends on it alone (the site key's HMAC
 * schedule, the PHI engine's verdict on each taxonomy name) instead of per event. Results are the
 * same either way, provided every later pw_gw_policy_apply uses the same engine as phi here.
 * Fails with PW_ERR_INVALID ("FILE:LINE:COL: destinations.D.page_categories./glob: category 'x'
 * hits the PHI engine (HEALTH: hiv) …") when a page category (or default_category) carries health
 * context or an identifier: a category is sent verbatim next to the visitor's hashed identifiers.
 */
pw_status pw_gw_policy_prepare(pw_gw_policy *p, const pw_gw_phi *phi, pw_err *err);

/*
 * Apply the policy to one event for every destination; results[] has p->n_dests entries.
 * Nothing raw is copied into a payload: each output string is the result of a rule (mapped
 * name, origin, category, hash, HMAC, truncated IP) or passed the PHI engine.
 */
pw_status pw_gw_policy_apply(const pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *a,
                             const pw_gw_event *ev, int64_t now_ms, pw_gw_dest_result *results,
                             pw_err *err);

/*
 * The PHI verdict of destination `dest` of p, re-decided on a string already in a spooled
 * payload (an allowed param's value, the page title), for the forwarders (gw_policy_narrow.h):
 * the guard in the destination's text_scripts mode, then the engine's hits, as at ingest, but
 * without the visitor's own data (not spooled). *out: s itself when the policy in force sends
 * it as it is; a redacted copy (arena: phi: redact); NULL when it is not sent (phi: drop, a
 * guard refusal, a number with PHI, a string redacted at acceptance when the policy now drops
 * instead). *rule: why, when *out is not s. key, object, t: as ingest scanned it (a param: its
 * name, pw_detect_object_kind of the params' names, PW_FT_JSON_VALUE; the title: "page_title",
 * PW_OBJECT_UNKNOWN, PW_FT_TEXT).
 */
pw_status pw_gw_policy_rescrub(const pw_gw_policy *p, const pw_gw_phi *phi, pw_arena *a,
                               size_t dest, const char *key, pw_detect_object object, const char *s,
                               pw_field_type t, int is_number, const char **out, const char **rule,
                               pw_err *err);

/* Helpers, exposed for tests and --explain. */
/* Meta normalisation of one user_data value (NULL when it cannot be normalised). */
const char *pw_gw_meta_normalize(pw_arena *a, const char *key, const char *v, size_t n);
/* Normalise then SHA-256 (64-hex input passes through lower-cased); NULL when unusable. */
const char *pw_gw_meta_hash(pw_arena *a, const char *key, const char *v, size_t n);
/* The same with a phone number read in country (ISO 3166-1 alpha-2, the policy's
 * site.default_country) when it has no calling code: trunk 0 dropped and the calling code put
 * in front only as that country dials (the two above read it in "US"). */
const char *pw_gw_meta_normalize_in(pw_arena *a, const char *key, const char *v, size_t n,
                                    const char *country);
const char *pw_gw_meta_hash_in(pw_arena *a, const char *key, const char *v, size_t n,
                               const char *country);
/* "203.0.113.7" -> "203.0.113.0", IPv6 -> /48; NULL when not an IP. */
const char *pw_gw_ip_truncate(pw_arena *a, const char *ip);
/* The consent a destination requires, as the policy file spells it ("ads", …). */
const char *pw_gw_consent_name(pw_gw_consent_req r);
/* Path glob: '*' any run of bytes, '?' one byte. */
int pw_gw_glob_match(const char *glob, const char *s, size_t n);

#endif
