/*
 * assess_internal.h — (internal to assess) what a rule sees and the rule table. A rule looks at
 * one beacon on one page (its fields with the PHI engine's hits) and says whether it fires, at
 * which severity, and which fields are its evidence. The assessor aggregates what fires.
 */
#ifndef PHIWALL_ASSESS_INTERNAL_H
#define PHIWALL_ASSESS_INTERNAL_H

#include "phiwall/assess.h"

/* The key of the synthetic field holding a request's Referer header when it names the page. */
#define PW_REFERER_HEADER_KEY "header:referer"

/* A decoded field with the hits the PHI engine found in it. */
typedef struct rule_field {
    const pw_field *f;
    const pw_hit *hits;
    size_t n_hits;
    /* Health terms in the field's name (cd[hiv_positive], up.pregnant), spans in f->key: a
     * custom-data or user-data parameter named for a condition tells its value's meaning. */
    const pw_hit *key_hits;
    size_t n_key_hits;
} rule_field;

/* What a rule's match sets in use[i]: the field is evidence with every hit marked, or with only
 * the hits the visitor typed (PW-FORM-VALUES: identifiers and health words in their own free
 * text, not the page's health or care words, which other rules report; pw_hit_typed).
 * PW_USE_KEY_NAME (with PW_USE_FIELD) adds the field's name as evidence of its own, "<key> (name)",
 * with the health terms found in it. */
enum { PW_USE_FIELD = 1, PW_USE_IDENTIFIERS = 2, PW_USE_KEY_NAME = 4 };

/* 1 if hit h in field rf identifies a person: a canary, an identifier strong enough to count
 * (pw_hit_is_personal; a field's name inside JSON is none). */
int pw_hit_identifies(const rule_field *rf, const pw_hit *h);
/* 1 if hit h in field rf is what the visitor typed: an identifier (pw_hit_identifies) or health
 * words in their own free text (a GET form's message or reason in the page URL, a form value):
 * the hits PW_USE_IDENTIFIERS marks. */
int pw_hit_typed(const rule_field *rf, const pw_hit *h);

typedef struct rule_input {
    pw_hhs_context ctx;
    const pw_beacon *b;
    const rule_field *fields;
    size_t n_fields;
    const pw_request *req;
    const char *page_url;
    int unknown; /* a third party in neither the catalog nor a filter list (a CDN, a font) */
    /* A filter-list beacon (EasyPrivacy, EasyList: one entry for many companies) is named by its
       request host ("ps.eyeota.net") and grouped by its registrable domain; NULL otherwise. */
    const char *list_host, *list_domain;
    int baa_declared; /* the site holds a BAA with this tracker's vendor (pw_assess_opts) */
    /* GA4's collector (pw_rules_ga4_stream): the loader seen on its request's page, host, path
     * and "?id=…" ("metrics.example.org/gtm.js?id=GTM-…"; NULL when none was seen), and whether
     * it goes through server-side tagging (a first-party collector, or a loader not served by
     * www.googletagmanager.com): its fixes name that loader and the server container. */
    const char *ga4_loader;
    int ga4_server_side;
} rule_input;

typedef struct pw_rule {
    pw_rule_info info;
    int content_only; /* fires for unknown third parties too: it looks at what was sent */
    /* -1 when the rule does not fire, else the severity; sets use[i] for evidence fields. */
    int (*match)(const rule_input *in, unsigned char *use);
    /* The concrete fix for this beacon on this page, in the arena. */
    char *(*remedy)(pw_arena *a, const rule_input *in);
    /* The legal reasoning when the rule fires below its default severity on a general page
     * (NULL: info.legal), after "On a page of the general section '/x' (<its form>)"
     * (pw_rules_legal_general). */
    const char *legal_general;
} pw_rule;

size_t pw_rules_n(void);
const pw_rule *pw_rules_at(size_t i);

/* A tracker the site declared a BAA with: 1 if the rule's finding is about a disclosure the BAA
 * can cover (every rule but PW-CONSENT, PW-NO-BAA and the inventory's PW-TRACKER-PRESENT). Its
 * finding then says so: pw_rules_baa_legal, and pw_rules_baa_remedy as the fix. */
int pw_rule_baa_covers(const pw_rule *rule);
extern const char pw_rules_baa_legal[];
char *pw_rules_baa_remedy(pw_arena *a, const rule_input *in, const pw_rule *rule);

/* 1 for decode's catch-all entry of third parties that are not known trackers. */
int pw_tracker_is_unknown(const pw_tracker *t);
/* 1 for a catalogued consent manager or embed (maps, video): only the content rules apply. */
int pw_tracker_content_only(const pw_tracker *t);
/* 1 for GA4's collector of a measurement ID (G-…): its fixes name the gtag.js that loads it. */
int pw_rules_ga4_stream(const pw_tracker *t, const char *account);
/* For a tag manager's script loading a collector's ID (gtag/js?id=G-…, UA-…, AW-<N>, DC-<N>):
 * the collector's catalog id ("ga4", "universal-analytics", "google-ads", "floodlight") and in
 * *account its account for that ID (G-…, UA-…, <N>); else NULL. Where that collector reported a
 * rule under the account on the same page, the loader's finding of it folds into the collector's
 * (pw_assessor_finish), and its inventory row into the collector's. */
const char *pw_rules_gtag_collector(const pw_tracker *t, const char *id, const char **account);

/* Hit helpers shared by rules and the assessor. */
int pw_hit_is_health(const pw_hit *h);   /* health vocabulary or care intent */
int pw_hit_is_personal(const pw_hit *h); /* canary, or an identifier strong enough to count */
/* 1 for form metadata: the decoder's (cd[formFeatures] and its field names, ids, placeholders)
 * and GA4's enhanced-measurement form parameters (ep.form_id, ep.form_name, ep.form_destination,
 * form_length): what form the visitor used, not what they typed. */
int pw_field_form_meta(const pw_field *f);
/* 1 if v is the MD5, SHA-1 or SHA-256 digest of a tag's "no value" ("", "undefined", "null",
 * "[object Object]"…): hashed nothing, it identifies no one. */
int pw_no_value_digest(const char *v, size_t n);
/* 1 if the page belongs to a general section (context.c): a general first path segment
 * ("/events/register") or a page the PHI engine calls general ("/en/careers/…"). */
int pw_assess_general_section(const char *url);
/* Why the page belongs to a general section ("general section '/contact'"), in the arena, or
 * NULL when it does not. */
const char *pw_assess_general_section_why(pw_arena *a, const char *url);
/* A rule's legal reasoning on a general section's page, where the rule fires below its default
 * severity (NULL when the rule has none): its legal_general with the section and the form a
 * visitor fills in there ("'/contact': a contact form"), in the arena. */
const char *pw_rules_legal_general(pw_arena *a, const pw_rule *rule, const char *page_url);
/* "host/appointments/(star)" pattern naming the section of the site a page belongs to. */
char *pw_page_pattern(pw_arena *a, const char *page_url);

#endif
