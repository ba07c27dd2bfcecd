/*
 * rules.c — the assess stage's rule table: one struct per rule with its id, title, legal
 * reasoning (HHS OCR guidance of Dec 2022 / Mar 2024 as narrowed by AHA v. Becerra, N.D. Tex.
 * June 20 2024), a match function and a remediation. docs/rules.md documents each one; the
 * wording here is what reports print, so it must never claim more than the law supports.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "assess/assess_internal.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

/* ---- helpers ---- */

int pw_tracker_is_unknown(const pw_tracker *t)
{
    /* decode's synthetic entry (catalog.c); filter-list matches (EasyPrivacy, EasyList) get
     * their own entries ("easyprivacy", "easylist") and count as known trackers */
    return !t || (t->id && strcmp(t->id, "unknown-third-party") == 0);
}

int pw_tracker_content_only(const pw_tracker *t)
{
    /* a consent manager or an embed (maps, video) is no tracking tag: removing it is no fix */
    return t && (t->category == PW_CATEGORY_CONSENT || t->category == PW_CATEGORY_EMBED);
}

/* A health term or a care-intent phrase. Not the PHI engine's "search" marker, which it puts on
 * every value of a search parameter (q=parking): that says a search happened, not what it is
 * about, and counting it would make every search (and every "keywords" list) a health term. */
int pw_hit_is_health(const pw_hit *h)
{
    if (h->category == PW_PHI_CARE_INTENT && h->subtype && strcmp(h->subtype, "search") == 0)
        return 0;
    return h->category == PW_PHI_HEALTH || h->category == PW_PHI_CARE_INTENT;
}

int pw_hit_is_personal(const pw_hit *h)
{
    switch (h->category) {
    case PW_PHI_CANARY:
    case PW_PHI_EMAIL:
    case PW_PHI_SSN:
    case PW_PHI_MBI:
    case PW_PHI_CARD: return 1;
    case PW_PHI_NAME:
        /* a doctor's name on a provider page is not the visitor's identity */
        if (h->subtype && strcmp(h->subtype, "provider") == 0)
            return 0;
        return h->reason != PW_REASON_PATTERN && h->confidence >= 0.5f;
    case PW_PHI_NPI:
        /* an NPI names a provider in a public registry (NPPES), never the visitor: a provider
         * page's NPI says which doctor the page is about, which PW-CONDITION-URL covers */
        return 0;
    case PW_PHI_PHONE:
    case PW_PHI_RECORD_ID:
    case PW_PHI_ADDRESS:
    case PW_PHI_DATE: return h->reason != PW_REASON_PATTERN && h->confidence >= 0.5f;
    default: return 0;
    }
}

/* 1 when u's port is its scheme's default (http 80, https 443). */
static int port_is_default(const pw_url *u)
{
    static const struct {
        const char *scheme, *port;
    } defaults[] = {{"http", "80"}, {"https", "443"}};
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (u->scheme.n == strlen(defaults[i].scheme) &&
            strncasecmp(u->scheme.p, defaults[i].scheme, u->scheme.n) == 0 &&
            u->port.n == strlen(defaults[i].port) &&
            memcmp(u->port.p, defaults[i].port, u->port.n) == 0)
            return 1;
    return 0;
}

char *pw_page_pattern(pw_arena *a, const char *page_url)
{
    pw_url u;
    if (!page_url || pw_url_parse(page_url, strlen(page_url), &u, NULL) != PW_OK)
        return pw_arena_strdup(a, page_url ? page_url : "(unknown page)");
    size_t i = u.path.n && u.path.p[0] == '/' ? 1 : 0;
    while (i < u.path.n && u.path.p[i] != '/')
        i++;
    /* the host as the site has it: "127.0.0.1:42109", a scheme's own port left out */
    int port = u.port.n && !port_is_default(&u);
    if (i <= 1)
        return pw_arena_sprintf(a, "%.*s%s%.*s/", (int)u.host.n, u.host.p, port ? ":" : "",
                                port ? (int)u.port.n : 0, u.port.p);
    return pw_arena_sprintf(a, "%.*s%s%.*s%.*s/*", (int)u.host.n, u.host.p, port ? ":" : "",
                            port ? (int)u.port.n : 0, u.port.p, (int)i, u.path.p);
}

static int field_has(const rule_field *rf, int (*pred)(const pw_hit *))
{
    for (size_t i = 0; i < rf->n_hits; i++)
        if (pred(&rf->hits[i]))
            return 1;
    return 0;
}

static int is_canary(const pw_hit *h)
{
    return h->category == PW_PHI_CANARY;
}

/* A custom-data key that names a search ("cd[search_string]", "ep.search_query"). */
static int search_key(const pw_field *f)
{
    if (f->kind != PW_FIELD_CUSTOM_DATA && f->kind != PW_FIELD_OTHER)
        return 0;
    return f->key && (pw_strcasestr(f->key, "search") || pw_strcasestr(f->key, "query"));
}

static int starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Page metadata the pixel scrapes (Microdata event): describes the page, not the visitor. */
static int page_metadata(const pw_field *f)
{
    return starts(f->key, "cd[Schema.org]") || starts(f->key, "cd[JSON-LD]") ||
           starts(f->key, "cd[Meta]") || starts(f->key, "cd[OpenGraph]");
}

static int is_meta(const rule_input *in)
{
    return in->b->tracker->decoder && strcmp(in->b->tracker->decoder, "meta") == 0;
}

/* The Meta calls that turn off automatic events and form reading, naming the pixel when known
 * (never a placeholder: without an ID the call is shown with its arguments elided). */
static char *autoconfig_call(pw_arena *a, const rule_input *in)
{
    const char *id = in->b->account_id;
    if (!id)
        return pw_arena_strdup(a, "`fbq('set','autoConfig',false,…)` with the pixel's ID before "
                                  "its `fbq('init',…)`");
    return pw_arena_sprintf(a, "`fbq('set','autoConfig',false,'%s')` before `fbq('init','%s')`", id,
                            id);
}

/* " for account X", or nothing when the beacon names no account. */
static char *for_account(pw_arena *a, const rule_input *in)
{
    const char *id = in->b->account_id;
    return id ? pw_arena_sprintf(a, " for account %s", id) : pw_arena_strdup(a, "");
}

/* "Meta Pixel"; for a filter-list entry its product and host, in the arena ("ad server or data
 * broker (EasyList) at ps.eyeota.net"). */
static const char *product(pw_arena *a, const rule_input *in)
{
    const pw_tracker *t = in->b->tracker;
    const char *p = t->product ? t->product : t->vendor ? t->vendor : t->id;
    if (!in->list_host)
        return p;
    const char *named = pw_arena_sprintf(a, "%s at %s", p, in->list_host);
    return named ? named : p;
}

/* The vendor by name; for a third party not in the catalog (vendor "unknown") its host. */
static const char *vendor(pw_arena *a, const rule_input *in)
{
    const pw_tracker *t = in->b->tracker;
    if (in->list_host)
        return in->list_host;
    if (t->vendor && strcmp(t->vendor, "unknown") != 0)
        return t->vendor;
    pw_url u;
    const char *url = in->req ? in->req->url : NULL;
    if (url && pw_url_parse(url, strlen(url), &u, NULL) == PW_OK && u.host.n)
        return pw_arena_strndup(a, u.host.p, u.host.n);
    return product(a, in);
}

/* Mark fields of the given kinds (and any with health hits) as evidence. */
static void use_kinds(const rule_input *in, unsigned char *use, unsigned kinds_mask)
{
    for (size_t i = 0; i < in->n_fields; i++)
        if (kinds_mask & (1u << in->fields[i].f->kind))
            use[i] = 1;
}

#define K(k) (1u << (k))

/* ---- one tag, one disclosure: gtag.js and the collector it loads ---- */

static int ga4_id(const char *id)
{
    return id && strncmp(id, "G-", 2) == 0;
}

/* The gtag.js ID prefixes whose collector names the same ID in its own requests: GA4's
 * measurement ID (tid=G-…), Universal Analytics' property (tid=UA-…), Google Ads' conversion ID
 * (…/viewthroughconversion/<N>/ for AW-<N>) and Floodlight's advertiser (src=<N> for DC-<N>). */
static const struct gtag_prefix {
    const char *prefix, *collector; /* the collector's catalog id */
    int strip;                      /* its account drops the prefix (AW-123 -> 123) */
} gtag_prefixes[] = {
    {"G-", "ga4", 0},
    {"UA-", "universal-analytics", 0},
    {"AW-", "google-ads", 1},
    {"DC-", "floodlight", 1},
};

/* gtag.js (or a tag manager's script) loading a collector's ID
 * (www.googletagmanager.com/gtag/js?id=G-…, AW-…, DC-…, UA-…): the collector's catalog id, and
 * its account for that ID in *account (the loader's own, or past the prefix), else NULL. Where
 * that collector reported the same account on the same page, a finding of the loader's repeats
 * the collector's: the same page to the same vendor under the same ID, removed by the same fix
 * (which names the loader). The assessor folds it there at finish, page by page
 * (pw_assessor_finish); on a page where the collector never fired the loader's findings stand,
 * with what its request carried as evidence. */
const char *pw_rules_gtag_collector(const pw_tracker *t, const char *id, const char **account)
{
    *account = NULL;
    if (!t || t->category != PW_CATEGORY_TAG_MANAGER || !id)
        return NULL;
    for (size_t i = 0; i < sizeof gtag_prefixes / sizeof gtag_prefixes[0]; i++) {
        const struct gtag_prefix *g = &gtag_prefixes[i];
        size_t n = strlen(g->prefix);
        if (strncmp(id, g->prefix, n) != 0 || !id[n])
            continue;
        *account = g->strip ? id + n : id;
        return g->collector;
    }
    return NULL;
}

/* GA4's collector (a measurement ID "G-…"): its findings stand for its loader's too. */
int pw_rules_ga4_stream(const pw_tracker *t, const char *account)
{
    return t && t->decoder && strcmp(t->decoder, "ga4") == 0 && ga4_id(account);
}

static int is_ga4_stream(const rule_input *in)
{
    return pw_rules_ga4_stream(in->b->tracker, in->b->account_id);
}

/* The tag that loads GA4's collector, for a fix that says to remove it: "the gtag.js or Google
 * Tag Manager tag that loads it (www.googletagmanager.com/gtag/js?id=G-…)"; through server-side
 * tagging, the loader the capture shows ("the tag that loads it (metrics.example.org/gtm.js?id=
 * GTM-…, as seen here: …") and the server container, which forwards the first-party hits to
 * Google and keeps doing so when only the page's tag goes. */
static char *ga4_loader_named(pw_arena *a, const rule_input *in)
{
    if (!in->ga4_server_side)
        return pw_arena_sprintf(a,
                                "the gtag.js or Google Tag Manager tag that loads it "
                                "(www.googletagmanager.com/gtag/js?id=%s)",
                                in->b->account_id);
    pw_url u;
    const char *url = in->req && in->req->url ? in->req->url : "";
    int parsed = pw_url_parse(url, strlen(url), &u, NULL) == PW_OK && u.host.n;
    char *collect =
        parsed ? pw_arena_sprintf(a, "%.*s%.*s", (int)u.host.n, u.host.p, (int)u.path.n, u.path.p)
               : NULL;
    const char *server = pw_arena_sprintf(
        a,
        "server-side tagging: remove GA4 from the server container too, which forwards %s "
        "to Google",
        collect ? collect : "the site's own collection endpoint");
    if (!server)
        return NULL;
    if (in->ga4_loader)
        return pw_arena_sprintf(a, "the tag that loads it (%s, as loaded here; %s)", in->ga4_loader,
                                server);
    return pw_arena_sprintf(a,
                            "the tag that loads it (not in the capture: with server-side "
                            "tagging it is served from the site's own host, not "
                            "www.googletagmanager.com; %s)",
                            server);
}

/* " and <the tag that loads it (…)>" (ga4_loader_named) for GA4's collector, else "": a fix
 * that names the collector alone leaves the loader, whose finding was folded into it. */
static char *ga4_and_loader(pw_arena *a, const rule_input *in)
{
    if (!is_ga4_stream(in))
        return pw_arena_strdup(a, "");
    char *named = ga4_loader_named(a, in);
    return named ? pw_arena_sprintf(a, " and %s", named) : NULL;
}

/* ---- PW-AUTH-TRACKER ---- */

static int m_auth(const rule_input *in, unsigned char *use)
{
    if (in->ctx != PW_CTX_AUTHENTICATED)
        return -1;
    /* a script load sends no field of its own: the Referer naming the page (scan_fields keeps
     * it only then) is how the page reached the vendor */
    unsigned kinds = K(PW_FIELD_PAGE_URL) | K(PW_FIELD_PAGE_TITLE) | K(PW_FIELD_DEVICE_ID);
    if (in->b->kind == PW_BEACON_SCRIPT)
        kinds |= K(PW_FIELD_REFERRER);
    use_kinds(in, use, kinds);
    return PW_SEV_CRITICAL;
}

static char *r_auth(pw_arena *a, const rule_input *in)
{
    if (is_ga4_stream(in))
        return pw_arena_sprintf(
            a,
            "Remove %s (%s) from every logged-in page (%s): both its collect requests and %s, "
            "which is the same disclosure; load it only outside the portal, e.g. exclude these "
            "paths in the tag manager trigger. If conversions are needed, send them through "
            "`phiwall gateway` with a deny-by-default policy instead.",
            product(a, in), in->b->account_id, pw_page_pattern(a, in->page_url),
            ga4_loader_named(a, in));
    return pw_arena_sprintf(
        a,
        "Remove the %s tag from every logged-in page (%s): load it only outside the portal, "
        "e.g. exclude these paths in the tag manager trigger. If conversions are needed, send "
        "them through `phiwall gateway` with a deny-by-default policy instead.",
        product(a, in), pw_page_pattern(a, in->page_url));
}

/* ---- PW-BUTTON-TEXT ---- */

/* 1 if the key's last member is `member` ("cd[buttonFeatures].innerText"), any case. */
static int key_member(const char *key, const char *member)
{
    const char *dot = key ? strrchr(key, '.') : NULL;
    return dot && strcasecmp(dot + 1, member) == 0;
}

/* A description of the clicked element that is not its text: Meta's cd[buttonFeatures] (as
 * sent, and its destination, id, classList, tag… members). A destination is a page (equal to
 * the page's own URL it is PW-CONDITION-URL evidence), an HTML id is the site's markup: neither
 * says what the visitor clicked on, so neither is button text or event data. */
static int button_element(const pw_field *f)
{
    return f->kind != PW_FIELD_BUTTON_TEXT && f->key && pw_strcasestr(f->key, "buttonFeatures") &&
           !key_member(f->key, "innerText") && !key_member(f->key, "value");
}

/* Button or link text: the decoder's button text (cd[buttonText], buttonFeatures.innerText), a
 * key naming it (properties.button_text). */
static int button_field(const pw_field *f)
{
    if (f->kind == PW_FIELD_BUTTON_TEXT)
        return 1;
    /* every key below names a "button": most keys do not, and one scan says so */
    if (!f->key || !pw_strcasestr(f->key, "button") || button_element(f))
        return 0;
    return pw_strcasestr(f->key, "buttonFeatures") || pw_strcasestr(f->key, "button_text") ||
           pw_strcasestr(f->key, "buttonText");
}

int pw_field_form_meta(const pw_field *f)
{
    return f->kind == PW_FIELD_FORM_META || (f->key && strcmp(f->key, "cd[formFeatures]") == 0);
}

/* GA4's enhanced-measurement form parameters (ep.form_id…; the decoder makes them form
 * metadata): they have their own fix, and their form_destination is a page, not a field. */
static int ga4_form_meta(const pw_field *f)
{
    return f->kind == PW_FIELD_FORM_META && starts(f->key, "ep");
}

static int m_button(const rule_input *in, unsigned char *use)
{
    int found = 0;
    for (size_t i = 0; i < in->n_fields; i++) {
        const rule_field *rf = &in->fields[i];
        if (button_field(rf->f) && !page_metadata(rf->f) && field_has(rf, pw_hit_is_health))
            use[i] = found = 1;
    }
    return found ? PW_SEV_HIGH : -1;
}

static char *r_button(pw_arena *a, const rule_input *in)
{
    if (is_meta(in))
        return pw_arena_sprintf(
            a,
            "Turn off Meta's automatic events (they send button text): call %s, or remove the "
            "pixel from %s.",
            autoconfig_call(a, in), pw_page_pattern(a, in->page_url));
    return pw_arena_sprintf(a,
                            "Stop %s from collecting click and link text on %s (disable automatic "
                            "click / enhanced-measurement tracking), or remove the tag%s there.",
                            product(a, in), pw_page_pattern(a, in->page_url),
                            ga4_and_loader(a, in));
}

/* ---- PW-SEARCH-TERM ---- */

/* 1 if url is a general page's (careers, news…): its query is a job search or the like, which
 * the PHI engine scans without the vocabulary (docs/detect.md). */
static int general_page(const char *url)
{
    return url && pw_detect_general_page(url, strlen(url), NULL);
}

/* The URL field a derived search field came from ("dl?keyword" comes from "dl"), or NULL. */
static const pw_field *search_source(const rule_input *in, const pw_field *f)
{
    /* "dl?q" (the query) or "dl#q" (the fragment): the later separator ends the URL's key */
    const char *q = f->key ? strrchr(f->key, '?') : NULL, *h = f->key ? strrchr(f->key, '#') : NULL;
    if (!q || (h && h > q))
        q = h;
    if (!q)
        return NULL;
    size_t n = (size_t)(q - f->key);
    for (size_t i = 0; i < in->n_fields; i++) {
        const pw_field *u = in->fields[i].f;
        if ((u->kind == PW_FIELD_PAGE_URL || u->kind == PW_FIELD_REFERRER) && u->key &&
            strlen(u->key) == n && strncmp(u->key, f->key, n) == 0)
            return u;
    }
    return NULL;
}

/* 1 if a value holds a letter: "85" (an image quality) is no search. */
static int has_letter(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            return 1;
        if (c >= 0x80) /* a letter of another script */
            return 1;
    }
    return 0;
}

/* 1 if the URL belongs to the site of the page the beacon came from. */
static int same_site(const rule_input *in, const char *url)
{
    if (!in->page_url || !strstr(in->page_url, "://"))
        return 1; /* no page known: the tracker's page URL is the page */
    return !pw_is_third_party(in->page_url, url);
}

/* 1 if the beacon goes to a hosted site-search service (Algolia, Coveo, Yext, Swiftype, Google
 * Programmable Search: catalog entries with the "sitesearch" decoder), whose query parameter is
 * what the visitor typed into the site's search box. */
static int is_site_search_service(const rule_input *in)
{
    return in->b->tracker->decoder && strcmp(in->b->tracker->decoder, "sitesearch") == 0;
}

/* A search the visitor made on the site: a search parameter of a first-party page URL the
 * tracker received ("dl?q"), a field the tracker names a search (ep.search_term,
 * cd[search_string]), or the query a site-search service receives in its own parameter
 * (Algolia query=, Coveo q=, Yext input=); not a third party's own q= or keywords= (an image
 * quality, an ad server's page keywords), not a search on another site (a Google referrer), not
 * a job search on a careers or other general page, and never a value without a letter. */
static int site_search(const rule_input *in, const rule_field *rf)
{
    const pw_field *f = rf->f, *src = search_source(in, f);
    if ((f->kind != PW_FIELD_SEARCH_TERM && !search_key(f)) || f->value_len == 0 ||
        page_metadata(f)) /* JSON-LD "keywords" are no search */
        return 0;
    if (!has_letter(f->value, f->value_len))
        return 0;
    if (src)
        return same_site(in, src->value) && !general_page(src->value);
    if (f->kind == PW_FIELD_SEARCH_TERM && is_site_search_service(in))
        return !general_page(in->page_url);
    return f->key && pw_strcasestr(f->key, "search") && !general_page(in->page_url);
}

static int m_search(const rule_input *in, unsigned char *use)
{
    int found = 0, health = in->ctx >= PW_CTX_CONDITION;
    for (size_t i = 0; i < in->n_fields; i++) {
        const rule_field *rf = &in->fields[i];
        if (!site_search(in, rf))
            continue;
        use[i] = found = 1;
        health |= field_has(rf, pw_hit_is_health);
    }
    if (!found)
        return -1;
    use_kinds(in, use, K(PW_FIELD_DEVICE_ID)); /* the click and cookie IDs that join them */
    return health ? PW_SEV_HIGH : PW_SEV_LOW;
}

/* The fields that carried the beacon's searches, named as the request names them, so the fix
 * points at the parameter to change: the page URL (Meta's and GA4's "dl", Google Ads' "url"),
 * the referrer ("dr", "rl": the results page the visitor came from) or a field the tracker names
 * a search ("ep.search_term"). Each a ", "-joined list of distinct keys. */
typedef struct search_carriers {
    char url[96], referrer[96], named[96];
} search_carriers;

static void add_key(char *list, size_t cap, const char *key)
{
    if (!key || !*key)
        return;
    size_t n = strlen(key), len = strlen(list);
    for (const char *p = list; *p;) {
        size_t m = strcspn(p, ",");
        if (m == n && strncmp(p, key, n) == 0)
            return;
        p += m;
        p += strspn(p, ", ");
    }
    if (len + 2 + n < cap)
        snprintf(list + len, cap - len, "%s%s", len ? ", " : "", key);
}

static void search_carriers_of(const rule_input *in, search_carriers *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < in->n_fields; i++) {
        const pw_field *f = in->fields[i].f, *src = search_source(in, f);
        if (!site_search(in, &in->fields[i]))
            continue;
        if (!src)
            add_key(c->named, sizeof c->named, f->key);
        else if (src->kind == PW_FIELD_REFERRER)
            add_key(c->referrer, sizeof c->referrer, src->key);
        else
            add_key(c->url, sizeof c->url, src->key);
    }
}

/* "strip the query string … from the page URL it receives (`dl`)", the referrer, both, or
 * nothing when only a named search field carried the query. */
static const char *strip_query_clause(pw_arena *a, const search_carriers *c)
{
    static const char strip[] = "strip the query string (search terms and filters such as "
                                "condition= or specialty=) from ";
    if (*c->url && *c->referrer)
        return pw_arena_sprintf(a, "%sthe page URL and the referrer it receives (`%s`; `%s`)",
                                strip, c->url, c->referrer);
    if (*c->referrer && !*c->url && strcmp(c->referrer, PW_REFERER_HEADER_KEY) == 0)
        return pw_arena_sprintf(a,
                                "set a `strict-origin-when-cross-origin` (or stricter) "
                                "Referrer-Policy on these pages so that the Referer header of "
                                "the tag's requests (`%s`) no longer carries the page's query",
                                c->referrer);
    if (*c->referrer)
        return pw_arena_sprintf(a,
                                "%sthe referrer it receives (`%s`: the search results page the "
                                "visitor came from), e.g. with a "
                                "`strict-origin-when-cross-origin` referrer policy",
                                strip, c->referrer);
    if (*c->url)
        return pw_arena_sprintf(a, "%sthe page URL it receives (`%s`)", strip, c->url);
    return "";
}

static char *r_search(pw_arena *a, const rule_input *in)
{
    if (is_site_search_service(in))
        return pw_arena_sprintf(
            a,
            "The site search sends each visitor's query to %s (%s)%s: run the search through a "
            "first-party endpoint that forwards only the query, without the visitor's IP address "
            "or cookies, get a BAA from %s, or use a search that runs on the site's own servers "
            "for %s.",
            vendor(a, in), product(a, in), for_account(a, in), vendor(a, in),
            pw_page_pattern(a, in->page_url));
    search_carriers c;
    search_carriers_of(in, &c);
    const char *strip = strip_query_clause(a, &c);
    const char *named = *c.named ? pw_arena_sprintf(a, "%sstop sending the search field (`%s`)",
                                                    *strip ? " and " : "", c.named)
                                 : "";
    return pw_arena_sprintf(
        a,
        "Do not send site-search queries to %s: %s%s, turn off site-search tracking%s, or remove "
        "the tag%s from search and find-a-doctor pages%s (%s).",
        vendor(a, in), strip, named, for_account(a, in), ga4_and_loader(a, in),
        *c.referrer && !*c.url && strcmp(c.referrer, PW_REFERER_HEADER_KEY) != 0
            ? " and the pages visitors open from their results"
            : "",
        pw_page_pattern(a, in->page_url));
}

/* ---- PW-EVENT-HEALTH ---- */

/* 1 if the value is a URL or a site path ("https://…", "/find-a-doctor"). */
static int url_value(const pw_field *f)
{
    const char *v = f->value;
    return v && (strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0 ||
                 (v[0] == '/' && v[1] != '/'));
}

/* What the site's tag code chose to send: the event name, custom data (cd[…], ep.*,
 * properties.*) and user properties (up.*). Not the page metadata the pixel scrapes itself
 * (PW-CONDITION-URL covers the page), nor button text or searches (their own rules). */
static int event_data_field(const rule_input *in, const rule_field *rf)
{
    const pw_field *f = rf->f;
    if (f->kind != PW_FIELD_EVENT && f->kind != PW_FIELD_CUSTOM_DATA &&
        f->kind != PW_FIELD_USER_DATA)
        return 0;
    if (page_metadata(f) || starts(f->key, "cd[pageFeatures]") || button_field(f) ||
        button_element(f) || pw_field_form_meta(f))
        return 0;
    if (url_value(f)) /* a link or form destination names a page, not what the visitor did */
        return 0;
    return !site_search(in, rf);
}

static int m_event_health(const rule_input *in, unsigned char *use)
{
    int found = 0;
    for (size_t i = 0; i < in->n_fields; i++) {
        const rule_field *rf = &in->fields[i];
        if (!event_data_field(in, rf))
            continue;
        /* a parameter named for a condition (cd[hiv_positive]=true) says it by its name */
        int named = rf->n_key_hits && rf->f->value_len;
        if (field_has(rf, pw_hit_is_health) || named) {
            use[i] = (unsigned char)(PW_USE_FIELD | (named ? PW_USE_KEY_NAME : 0));
            found = 1;
        }
    }
    if (found) /* the click and cookie IDs that join it to the visitor */
        use_kinds(in, use, K(PW_FIELD_DEVICE_ID));
    return found ? PW_SEV_HIGH : -1;
}

static char *r_event_health(pw_arena *a, const rule_input *in)
{
    const char *pat = pw_page_pattern(a, in->page_url);
    if (is_meta(in))
        return pw_arena_sprintf(a,
                                "Rename the pixel's events and drop their custom data so no "
                                "condition, treatment or care step reaches Meta: send a neutral "
                                "event (e.g. `Lead`) without `cd[…]` from %s, or route "
                                "conversions through `phiwall gateway` with a policy that maps "
                                "events to PHI-free names.",
                                pat);
    return pw_arena_sprintf(a,
                            "Rename the events the site sends to %s%s and remove health terms "
                            "from their parameters and user properties (event names, custom "
                            "dimensions) on %s, or route them through `phiwall gateway` with a "
                            "policy that maps events to PHI-free names.",
                            vendor(a, in), for_account(a, in), pat);
}

/* ---- PW-FORM-VALUES ---- */

/* Identifiers in a field; a name guessed only from a key called "name" counts for flat keys
 * ("first_name", "dl?name"), not inside JSON ("formFeatures.2.name" is a field's name). */
/* 1 if the domain d is (under) one of the second-level domains reserved for documentation. */
static int documentation_domain(const char *d)
{
    static const char *const reserved[] = {"example.com", "example.org", "example.net", NULL};
    size_t n = strlen(d);
    for (size_t i = 0; reserved[i]; i++) {
        size_t r = strlen(reserved[i]);
        if (n >= r && strcasecmp(d + n - r, reserved[i]) == 0 && (n == r || d[n - r - 1] == '.'))
            return 1;
    }
    return 0;
}

/* 1 if the e-mail domain d is a placeholder's: a reserved documentation domain, a reserved
 * top-level domain (.test, .example, .invalid, .localhost: RFC 2606) or a domain templates
 * write for "your domain" (department@domain.com, name@yourdomain.com). */
static int placeholder_domain(const char *d)
{
    static const char *const names[] = {"domain.com", "yourdomain.com", "mydomain.com",
                                        "yourcompany.com", NULL};
    static const char *const tlds[] = {".test", ".example", ".invalid", ".localhost", NULL};
    size_t n = strlen(d);
    if (documentation_domain(d))
        return 1;
    for (size_t i = 0; names[i]; i++)
        if (strcasecmp(d, names[i]) == 0)
            return 1;
    for (size_t i = 0; tlds[i]; i++) {
        size_t t = strlen(tlds[i]);
        if (n > t && strcasecmp(d + n - t, tlds[i]) == 0)
            return 1;
    }
    return 0;
}

/* 1 if the digits of v are one digit repeated, at least 6 of them: 000000000000, 111-11-1111,
 * INS000000 are what test data and form placeholders write, no one's number. */
static int repeated_digit(const char *v)
{
    char first = 0;
    size_t digits = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9')
            continue;
        if (digits++ && *p != first)
            return 0;
        first = *p;
    }
    return digits >= 6;
}

/* 1 if the hit is a documentation or placeholder value, no one's identity: a 555-0100…0199
 * phone number (NANP reserves them for fiction), a number of one repeated digit, or an address
 * at a documentation or placeholder domain, as forms and test data show them. Canaries are
 * separate hits and always count. */
static int documentation_value(const pw_hit *h)
{
    const char *v = h->normalized;
    size_t n = v ? strlen(v) : 0;
    if (!v || h->category == PW_PHI_CANARY)
        return 0;
    if (h->category == PW_PHI_EMAIL) {
        const char *at = strrchr(v, '@');
        return at && placeholder_domain(at + 1);
    }
    if (h->category == PW_PHI_PHONE && n >= 10 && strncmp(v + n - 7, "55501", 5) == 0)
        return 1;
    return pw_phi_is_identifier(h->category) && h->category != PW_PHI_NAME &&
           h->category != PW_PHI_ADDRESS && repeated_digit(v);
}

static void key_leaf(const char *key, char *out, size_t room);

/* 1 if the leaf of the parameter name key[0..n) (lower case, without separators: key_leaf)
 * holds one of words (begins with one, when prefix). */
static int leaf_names(const char *key, size_t n, const char *const *words, int prefix)
{
    char raw[64], leaf[64];
    if (n >= sizeof raw)
        n = sizeof raw - 1;
    memcpy(raw, key, n);
    raw[n] = '\0';
    key_leaf(raw, leaf, sizeof leaf);
    for (size_t i = 0; words[i]; i++)
        if (prefix ? strncmp(leaf, words[i], strlen(words[i])) == 0
                   : strstr(leaf, words[i]) != NULL)
            return 1;
    return 0;
}

/* 1 if a parameter name names free text the visitor writes (a form's message, comment or notes
 * box, a reason for the visit, a question, a search box: "ep.reason_for_visit", "cd[message]",
 * "search_term") or a contact detail a form asks for ("phone", "address_line1"). */
static int typed_name(const char *key, size_t n)
{
    static const char *const free_text[] = {"message", "msg",      "comment", "note",     "reason",
                                            "descr",   "question", "detail",  "feedback", "inquiry",
                                            "enquiry", "search",   "query",   NULL};
    static const char *const contact[] = {"phone",   "tel",    "mobile", "cell",
                                          "address", "street", NULL};
    return leaf_names(key, n, free_text, 0) || leaf_names(key, n, contact, 1);
}

/* 1 if a parameter name names a box where the visitor writes in their own words about why they
 * came (a message, a reason for the visit, a question, notes, a concern): not a search
 * (PW-SEARCH-TERM) nor a "detail" or "description" a site's own links may carry. */
static int own_words_name(const char *key, size_t n)
{
    static const char *const words[] = {"message", "msg",      "comment",   "note",
                                        "reason",  "question", "feedback",  "inquiry",
                                        "enquiry", "concern",  "complaint", NULL};
    return leaf_names(key, n, words, 0);
}

/* 1 if the span [start, end) of a URL value lies in the value of a query parameter whose name
 * passes named(): what a GET form (…/confirm?notes=please+call+me+at+…) puts in the page's
 * address. The path, the fragment and other parameters (utm_content, a location link's id) are
 * the site's own. */
static int in_query_param_named(const char *v, size_t n, size_t start, size_t end,
                                int (*named)(const char *key, size_t n))
{
    const char *q = memchr(v, '?', n);
    if (!q)
        return 0;
    const char *hash = memchr(q, '#', n - (size_t)(q - v));
    size_t qe = hash ? (size_t)(hash - v) : n;
    for (size_t i = (size_t)(q - v) + 1; i < qe;) {
        size_t e = i;
        while (e < qe && v[e] != '&')
            e++;
        const char *eq = memchr(v + i, '=', e - i);
        if (eq && start >= (size_t)(eq - v) + 1 && end <= e) {
            size_t kn = (size_t)(eq - (v + i));
            return named(v + i, kn);
        }
        i = e + 1;
    }
    return 0;
}

/* 1 if a phone number or street address found by its shape alone is one the visitor typed: in
 * a free-text or contact parameter the site's tag sends (ep.message, cd[notes], ep.phone, a
 * search term), or in such a parameter of a GET form's page URL. Elsewhere (the site's contact
 * number in a page title, a clinic's address in a location name) such a shape is the site's own
 * content, and it takes a context word ("my phone is") to make it the visitor's. */
static int typed_pattern(const rule_field *rf, const pw_hit *h)
{
    const pw_field *f = rf->f;
    if ((h->category != PW_PHI_PHONE && h->category != PW_PHI_ADDRESS) ||
        h->reason != PW_REASON_PATTERN || !f->value || h->end > f->value_len)
        return 0;
    if (f->kind == PW_FIELD_PAGE_URL || f->kind == PW_FIELD_REFERRER)
        return in_query_param_named(f->value, f->value_len, h->start, h->end, typed_name);
    if (page_metadata(f) || pw_field_form_meta(f) || button_field(f) || button_element(f))
        return 0;
    if (f->kind == PW_FIELD_SEARCH_TERM)
        return 1;
    return (f->kind == PW_FIELD_CUSTOM_DATA || f->kind == PW_FIELD_OTHER) && f->key &&
           typed_name(f->key, strlen(f->key));
}

/* An identifier of a person as the evidence shows it (a documentation value is one too: it is
 * marked, it just does not make the rule fire). */
int pw_hit_identifies(const rule_field *rf, const pw_hit *h)
{
    /* A name under a nested name key is mostly a label (a form field's or a product's name),
     * unless its own object holds a person's members ({"data":{"name":…,"gender":…}}): then it
     * is the visitor's, as the engine, `phiwall redact` and the gateway judge it. */
    int nested = rf->f->key && strchr(rf->f->key, '.') != NULL && rf->f->object != PW_OBJECT_PERSON;
    if (nested && h->category == PW_PHI_NAME && h->reason_detail &&
        strcmp(h->reason_detail, "name key") == 0)
        return 0;
    return pw_hit_is_personal(h) || typed_pattern(rf, h);
}

/* 1 if health hit h lies in words the visitor wrote: a free-text parameter of a GET form in the
 * page URL or referrer (…/thanks?message=I+tested+positive+for+HIV) or a value typed into a form
 * field the tag read (cd[formFeatures] values). The visitor's own account of their health, not
 * a page they visited: PW-FORM-VALUES reports it even with no identifier beside it. */
static int typed_health(const rule_field *rf, const pw_hit *h)
{
    const pw_field *f = rf->f;
    if (h->category != PW_PHI_HEALTH || !f->value || h->end > f->value_len)
        return 0;
    if (f->kind == PW_FIELD_PAGE_URL || f->kind == PW_FIELD_REFERRER)
        return in_query_param_named(f->value, f->value_len, h->start, h->end, own_words_name);
    return f->kind == PW_FIELD_FORM_VALUE;
}

static int field_typed_health(const rule_field *rf)
{
    for (size_t i = 0; i < rf->n_hits; i++)
        if (typed_health(rf, &rf->hits[i]))
            return 1;
    return 0;
}

int pw_hit_typed(const rule_field *rf, const pw_hit *h)
{
    return pw_hit_identifies(rf, h) || typed_health(rf, h);
}

static int hit_personal(const rule_field *rf, const pw_hit *h)
{
    return pw_hit_identifies(rf, h) && !documentation_value(h);
}

static int field_personal(const rule_field *rf)
{
    for (size_t i = 0; i < rf->n_hits; i++)
        if (hit_personal(rf, &rf->hits[i]))
            return 1;
    return 0;
}

/* The leaf of a flattened key, lower case without separators: "cd[Account_ID]" -> "accountid". */
static void key_leaf(const char *key, char *out, size_t room)
{
    const char *k = key ? key : "";
    size_t n = strlen(k);
    while (n && k[n - 1] == ']')
        n--;
    size_t b = n;
    while (b && k[b - 1] != '[' && k[b - 1] != '.' && k[b - 1] != '?')
        b--;
    size_t w = 0;
    for (size_t i = b; i < n && w + 1 < room; i++)
        if (k[i] != '_' && k[i] != '-')
            out[w++] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] - 'A' + 'a' : k[i]);
    out[w] = '\0';
}

/* A vendor's own configuration parameter: the account, site, property or pixel the tag reports
 * to (Siteimprove's accountid, a site_id), never the visitor's record number. */
static int vendor_config_key(const char *key)
{
    static const char *const names[] = {
        "account",   "accountid", "acct",        "acctid",         "accountkey", "siteid",
        "site",      "sitekey",   "propertyid",  "property",       "pixelid",    "trackingid",
        "trackerid", "tagid",     "containerid", "advertiserid",   "partnerid",  "pid",
        "tid",       "appid",     "orgid",       "organizationid", NULL};
    char leaf[40];
    key_leaf(key, leaf, sizeof leaf);
    for (size_t i = 0; names[i]; i++)
        if (strcmp(leaf, names[i]) == 0)
            return 1;
    return 0;
}

/* 1 if the hit's value is part of the request's host (6027462.global.siteimproveanalytics.io
 * for accountid=6027462): the vendor's routing, not the visitor's data. */
static int hit_in_host(const rule_input *in, const pw_hit *h)
{
    pw_url u;
    const char *v = h->normalized;
    size_t n = v ? strlen(v) : 0;
    if (n < 4 || !in->req || !in->req->url ||
        pw_url_parse(in->req->url, strlen(in->req->url), &u, NULL) != PW_OK)
        return 0;
    for (size_t i = 0; i + n <= u.host.n; i++)
        if (strncasecmp(u.host.p + i, v, n) == 0)
            return 1;
    return 0;
}

/* A field the tracker fills itself (not the page URL, referrer, a typed value or user data). */
static int tracker_own_field(const pw_field *f)
{
    return f->kind == PW_FIELD_OTHER || f->kind == PW_FIELD_CUSTOM_DATA;
}

/* The last 10 digits of s (a NANP number without its country code) into out; 0 if fewer. */
static int last_digits(const char *s, size_t n, char out[11])
{
    int k = 10;
    out[10] = '\0';
    for (size_t i = n; i-- > 0 && k > 0;)
        if (s[i] >= '0' && s[i] <= '9')
            out[--k] = s[i];
    return k == 0;
}

/* 1 if the hit is the target of a tel: or mailto: link value at v (the scheme just after it):
 * the same phone number (last 10 digits) or the same address (any case). */
static int link_target_is(const char *v, size_t n, int tel, const pw_hit *h)
{
    /* the target ends where the link's value does; a number may be spaced ("+1 (503) …") */
    size_t e = 0;
    while (e < n && !strchr("\"'&?,;}>", v[e]) && (tel || v[e] != ' '))
        e++;
    const char *want = h->normalized;
    if (!want || !e)
        return 0;
    if (tel) {
        char a[11], b[11];
        return last_digits(v, e, a) && last_digits(want, strlen(want), b) && strcmp(a, b) == 0;
    }
    return strlen(want) == e && strncasecmp(v, want, e) == 0;
}

/* 1 if a phone or e-mail hit is a tel:/mailto: link's target among the beacon's fields
 * (GA4's ep.link_url=tel:+1503…, Meta's cd[buttonFeatures] destination "mailto:info@…"): the
 * contact the site publishes in its links, which the click's text repeats ("Call 503-555-1234"),
 * not what the visitor typed. */
static int link_contact(const rule_input *in, const pw_hit *h)
{
    if (h->category != PW_PHI_PHONE && h->category != PW_PHI_EMAIL)
        return 0;
    const char *scheme = h->category == PW_PHI_PHONE ? "tel:" : "mailto:";
    size_t sn = strlen(scheme);
    for (size_t i = 0; i < in->n_fields; i++) {
        const pw_field *f = in->fields[i].f;
        if (!f->value || f->value_len <= sn)
            continue;
        for (const char *p = pw_strcasestr(f->value, scheme); p;
             p = pw_strcasestr(p + sn, scheme)) {
            size_t off = (size_t)(p - f->value) + sn;
            if (off < f->value_len &&
                link_target_is(p + sn, f->value_len - off, h->category == PW_PHI_PHONE, h))
                return 1;
        }
    }
    return 0;
}

/* field_personal without the tracker's own settings (a record number under a vendor
 * configuration key, or any identifier whose value names the request's host) and without the
 * site's own contact a clicked tel:/mailto: link names. */
static int field_personal_here(const rule_input *in, const rule_field *rf)
{
    int own = tracker_own_field(rf->f), config = own && vendor_config_key(rf->f->key);
    for (size_t i = 0; i < rf->n_hits; i++) {
        const pw_hit *h = &rf->hits[i];
        if (!hit_personal(rf, h))
            continue;
        if (h->category != PW_PHI_CANARY && ((config && h->category == PW_PHI_RECORD_ID) ||
                                             (own && hit_in_host(in, h)) || link_contact(in, h)))
            continue;
        return 1;
    }
    return 0;
}

/* The MD5, SHA-1 and SHA-256 digests of what a tag hashes when it has nothing: "", " ",
 * "undefined", "null", "[object Object]", "NaN", "none", "false", "true" (as written and in
 * lower case, as Meta normalises before hashing). Such a digest names no one. */
static const char *const no_value_digests[] = {
    /* md5 */
    "d41d8cd98f00b204e9800998ecf8427e", "7215ee9c7d9dc229d2921a40e899ec5f",
    "5e543256c480ac577d30f76f9120eb74", "37a6259cc0c1dae299a7866489dff0bd",
    "4b29f7b6262fee8c3e8ef748e2094450", "1441a7909c087dbbe7ce59881b9df8b9",
    "a3d2de7675556553a5f08e4c88d2c228", "7ecfb3bf076a6a9635f975fe96ac97fd",
    "334c4a4c42fdb79d7ebc3e73b517e6f8", "6adf97f83acf6453d4a6a4b1070f3754",
    "68934a3e9455fa72420237eb05902327", "b326b5062b2f0e69046810717534cb09",
    /* sha-1 */
    "da39a3ee5e6b4b0d3255bfef95601890afd80709", "b858cb282617fb0956d960215c8e84d1ccf909c6",
    "d5d4cd07616a542891b7ec2d0257b3a24b69856e", "2be88ca4242c76e8253ac62474851065032d6833",
    "9055c0764694fa769cfe100b80f2f3d4a2420ede", "c1d44ff03aff1372856c281854f454e2e1d15b7c",
    "11e623a37e87cf7995c466723ec99688d55cae8c", "f7fd9c68f804acda665d2ab082217bb1583318f2",
    "71f8e7976e4cbc4561c9d62fb283e7f788202acb", "6eef6648406c333a4035cd5e60d0bf2ecf2606d7",
    "7cb6efb98ba5972a9b5090dc2e517fe14d12cb04", "5ffe533b830f08a0326348a9160afafc8ada44db",
    /* sha-256 */
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "36a9e7f1c95b82ffb99743e0c5c4ce95d83c9a430aac59f84ef3cbfab6145068",
    "eb045d78d273107348b0300c01d29b7552d622abbc6faf81b3ec55359aa9950c",
    "74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b",
    "c9a560c74de368dcd2e6ac5544ad12a9afd32584b71a52147303479f726e0408",
    "b28c94b2195c8ed259f0b415aaee3f39b0b2920a4537611499fa044956917a21",
    "9b2d5b4678781e53038e91ea5324530a03f27dc1d0e5f6c9bc9d493a23be9de0",
    "d5b592c05dc25b5032553f1b27f4139be95e881f73db33b02b05ab20c3f9981e",
    "140bedbf9c3f6d56a9846d2ba7088798683f4da0c248231336e6a05679e4fdfe",
    "dc937b59892604f5a86ac96936cd7ff09e25f18ae6b758e8014a24c7fa039e91",
    "fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
    "b5bea41b6c623f7c09f1bf24dcae58ebab3c0cdd90ad966bc43a45b44867e12b", NULL};

int pw_no_value_digest(const char *v, size_t n)
{
    if (n != 32 && n != 40 && n != 64)
        return 0;
    for (size_t i = 0; no_value_digests[i]; i++)
        if (strlen(no_value_digests[i]) == n && strncasecmp(v, no_value_digests[i], n) == 0)
            return 1;
    return 0;
}

/* A value sent as a SHA-256 digest (or flagged hashed by decode). */
static int hashed_value(const pw_field *f)
{
    return f->hashed || pw_is_sha256_hex(f->value, f->value_len);
}

static int m_form(const rule_input *in, unsigned char *use)
{
    int found = 0, health = 0;
    for (size_t i = 0; i < in->n_fields; i++) {
        const rule_field *rf = &in->fields[i];
        pw_field_kind k = rf->f->kind;
        if (k == PW_FIELD_DEVICE_ID || k == PW_FIELD_ACCOUNT || k == PW_FIELD_EVENT ||
            pw_field_form_meta(rf->f)) /* placeholders and field names are PW-FORM-FIELDS */
            continue;
        if (pw_no_value_digest(rf->f->value, rf->f->value_len)) /* a hash of nothing */
            continue;
        int udff = starts(rf->f->key, "udff[") && rf->f->value_len > 0 &&
                   !pw_no_value_digest(rf->f->value, rf->f->value_len);
        int typed = k == PW_FIELD_FORM_VALUE && rf->f->value_len > 0;
        /* hashed user data (ud[em]=<sha256>) is advanced matching (its own rule) and page
         * metadata describes the page: there only a typed canary counts; a cleartext identifier
         * in a user-data field (ud[em]=jane@…) is as much a disclosure as anywhere else */
        int canary_only =
            (k == PW_FIELD_USER_DATA && !udff && hashed_value(rf->f)) || page_metadata(rf->f);
        int personal = canary_only ? field_has(rf, is_canary) : field_personal_here(in, rf);
        int own_words = !canary_only && field_typed_health(rf);
        if (!udff && !typed && !personal && !own_words)
            continue;
        health |= own_words;
        /* the values are the evidence, not the page's words; a udff hash's hits say what it is
         * a hash of (a ZIP code too, which alone identifies no one), labelled as the same hash
         * is under PW-ADVANCED-MATCHING (ud[zp]) */
        use[i] = udff ? PW_USE_FIELD : PW_USE_IDENTIFIERS;
        found = 1;
    }
    if (!found)
        return -1;
    use_kinds(in, use, K(PW_FIELD_DEVICE_ID)); /* the click and cookie IDs that join them */
    /* a careers application or a donation form relates to no one's care (HHS's job-postings
     * example): an identified person sent to a vendor, but no PHI disclosure on its own. Only on
     * a page of a general section (careers, jobs, news, donate, events…: the PHI engine's general
     * pages and the context's general first segments), not on a page that is general for want of
     * a cue (a home page's contact form may be a patient's). A visitor who wrote about their
     * health there (a contact form's message) made it about their care. */
    return !health && in->ctx == PW_CTX_GENERAL && pw_assess_general_section(in->page_url)
               ? PW_SEV_HIGH
               : PW_SEV_CRITICAL;
}

/* 1 if what PW-FORM-VALUES found came from a form: typed values, udff hashes of form fields, or
 * identifiers in a page URL or referrer (a GET form puts its values there). */
static int form_evidence(const rule_input *in)
{
    for (size_t i = 0; i < in->n_fields; i++) {
        const rule_field *rf = &in->fields[i];
        pw_field_kind k = rf->f->kind;
        if (!rf->f->value_len)
            continue;
        if (k == PW_FIELD_FORM_VALUE || starts(rf->f->key, "udff["))
            return 1;
        if ((k == PW_FIELD_PAGE_URL || k == PW_FIELD_REFERRER) &&
            (field_personal(rf) || field_typed_health(rf)))
            return 1;
    }
    return 0;
}

/* 1 if a cleartext identifier travels in a user-data field (ud[em]=jane@…, not udff). */
static int cleartext_user_data(const rule_input *in)
{
    for (size_t i = 0; i < in->n_fields; i++) {
        const rule_field *rf = &in->fields[i];
        if (rf->f->kind == PW_FIELD_USER_DATA && !starts(rf->f->key, "udff[") && rf->f->value_len &&
            !hashed_value(rf->f) && field_personal(rf))
            return 1;
    }
    return 0;
}

static char *r_form(pw_arena *a, const rule_input *in)
{
    const char *pat = pw_page_pattern(a, in->page_url);
    if (!form_evidence(in) && is_meta(in) && cleartext_user_data(in))
        return pw_arena_sprintf(
            a,
            "Stop sending identifiers in clear as advanced-matching user data "
            "(ud[…]) to Meta on %s: remove the user-data object from %s and "
            "turn off Automatic Advanced Matching in Events Manager, or route "
            "conversions through `phiwall gateway` with a policy that drops "
            "user fields.",
            pat,
            in->b->account_id ? pw_arena_sprintf(a, "`fbq('init','%s',{…})`", in->b->account_id)
                              : "the pixel's `fbq('init',…)` call");
    if (!form_evidence(in))
        return pw_arena_sprintf(a,
                                "Stop the site's tag code sending identifiers to %s on %s: remove "
                                "them from the event's parameters (custom data, user properties), "
                                "or route its events through `phiwall gateway` with a policy "
                                "that drops user fields.",
                                product(a, in), pat);
    if (is_meta(in))
        return pw_arena_sprintf(
            a,
            "Stop the pixel reading forms: %s turns off automatic form hashing (udff); make "
            "forms on %s submit with POST so typed values never appear in a URL; or remove the "
            "pixel from %s.",
            autoconfig_call(a, in), pat, pat);
    return pw_arena_sprintf(a,
                            "Make forms on %s submit with POST (typed values must never appear "
                            "in a URL) and remove %s%s from those pages, or route its events "
                            "through `phiwall gateway` with a policy that drops user fields.",
                            pat, product(a, in), ga4_and_loader(a, in));
}

/* ---- PW-ADVANCED-MATCHING ---- */

/* 1 if the value holds a SHA-256 digest among other text: Google's enhanced conversions send
 * em=tv.1~em.<sha256>~pn.<sha256>. */
static int embedded_sha256(const char *v, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)v[i] : 0;
        int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (hex) {
            run++;
            continue;
        }
        if (run == 64 && !pw_no_value_digest(v + i - run, run))
            return 1;
        run = 0;
    }
    return 0;
}

/* Identity sent for matching: ud[…] parameters, or a user-data field holding a hash (alone or
 * among other text) or an identifier; a bare cookie-sync "uid" is a device ID, not advanced
 * matching. */
static int matching_field(const rule_field *rf)
{
    const pw_field *f = rf->f;
    if (f->kind != PW_FIELD_USER_DATA || f->value_len == 0 || starts(f->key, "udff["))
        return 0;
    if (pw_no_value_digest(f->value, f->value_len)) /* the hash of "" or "undefined" */
        return 0;
    return starts(f->key, "ud[") || f->hashed || pw_is_sha256_hex(f->value, f->value_len) ||
           embedded_sha256(f->value, f->value_len) || field_personal(rf);
}

/* A country ("ud[country]", hashed "us") is sent with the identifiers and matches no one alone. */
static int country_field(const pw_field *f)
{
    char leaf[16];
    key_leaf(f->key, leaf, sizeof leaf);
    return strcmp(leaf, "country") == 0;
}

static int m_advanced(const rule_input *in, unsigned char *use)
{
    int found = 0;
    for (size_t i = 0; i < in->n_fields; i++)
        if (matching_field(&in->fields[i])) {
            use[i] = 1;
            found |= !country_field(in->fields[i].f);
        }
    if (!found)
        return -1;
    return in->ctx >= PW_CTX_CONDITION ? PW_SEV_HIGH : PW_SEV_MEDIUM;
}

static char *r_advanced(pw_arena *a, const rule_input *in)
{
    if (is_meta(in))
        return pw_arena_sprintf(
            a,
            "Disable advanced matching: remove the user-data object from %s and turn off "
            "Automatic Advanced Matching%s in Events Manager. Send conversions through "
            "`phiwall gateway`, which sends user data only with consent and policy.",
            in->b->account_id ? pw_arena_sprintf(a, "`fbq('init','%s',{…})`", in->b->account_id)
                              : "the pixel's `fbq('init',…)` call",
            in->b->account_id ? pw_arena_sprintf(a, " for pixel %s", in->b->account_id) : "");
    return pw_arena_sprintf(a,
                            "Stop sending user data (hashed e-mail, phone, name) to %s from this "
                            "health site: remove the enhanced-conversions / user-data "
                            "settings%s.",
                            vendor(a, in), for_account(a, in));
}

/* ---- PW-CONDITION-URL ---- */

/* 1 if the field carries the page's address or name: a URL of the page's own site (the page
 * URL, a first-party referrer, the Referer header naming the page) or a page title. A tag's own
 * URLs (redir=, a cookie sync's partner URL) and other sites' referrers are no such field. */
static int carries_page(const rule_input *in, const pw_field *f)
{
    if (!f->value_len)
        return 0;
    if (f->kind == PW_FIELD_PAGE_TITLE)
        return has_letter(f->value, f->value_len);
    if (f->kind != PW_FIELD_PAGE_URL && f->kind != PW_FIELD_REFERRER)
        return 0;
    if (f->value[0] == '/' && f->value_len > 1 && f->value[1] != '/')
        return 1; /* the page's path alone (dp=/conditions/asthma) */
    return strstr(f->value, "://") && same_site(in, f->value);
}

static int referer_header(const pw_field *f)
{
    return f->key && strcmp(f->key, PW_REFERER_HEADER_KEY) == 0;
}

static int m_condition(const rule_input *in, unsigned char *use)
{
    if (in->ctx != PW_CTX_CONDITION && in->ctx != PW_CTX_CARE_INTENT)
        return -1;
    if (in->b->kind == PW_BEACON_SCRIPT)
        return -1;
    int url = 0;
    size_t header = SIZE_MAX; /* evidence only when no field of the beacon names the page */
    for (size_t i = 0; i < in->n_fields; i++) {
        const pw_field *f = in->fields[i].f;
        if (referer_header(f))
            header = i;
        else if (carries_page(in, f))
            use[i] = url = 1;
        else if (f->kind == PW_FIELD_DEVICE_ID)
            use[i] = 1;
    }
    if (!url && header != SIZE_MAX)
        use[header] = url = 1;
    return url ? PW_SEV_MEDIUM : -1;
}

static char *r_condition(pw_arena *a, const rule_input *in)
{
    return pw_arena_sprintf(
        a,
        "Remove %s%s from condition, provider and care pages (%s), or send page views through "
        "`phiwall gateway` with a policy that reduces the page URL to a page category and "
        "drops the IP address and cookie IDs.",
        product(a, in), ga4_and_loader(a, in), pw_page_pattern(a, in->page_url));
}

/* ---- PW-FORM-FIELDS ---- */

static int m_form_fields(const rule_input *in, unsigned char *use)
{
    if (in->ctx == PW_CTX_GENERAL)
        return -1;
    int found = 0;
    for (size_t i = 0; i < in->n_fields; i++) {
        const pw_field *f = in->fields[i].f;
        /* GA4's form_id and form_name too; its form_destination is a page, not a field */
        if (f->kind == PW_FIELD_FORM_META && !(ga4_form_meta(f) && url_value(f)) &&
            f->value_len > 0)
            use[i] = found = 1;
    }
    return found ? PW_SEV_MEDIUM : -1;
}

static char *r_form_fields(pw_arena *a, const rule_input *in)
{
    if (is_meta(in))
        return pw_arena_sprintf(a,
                                "%s stops the pixel describing forms (cd[formFeatures]); or "
                                "remove it from %s.",
                                autoconfig_call(a, in), pw_page_pattern(a, in->page_url));
    for (size_t i = 0; i < in->n_fields; i++)
        if (ga4_form_meta(in->fields[i].f))
            return pw_arena_sprintf(
                a,
                "Turn off enhanced-measurement form interactions%s (Admin > Data streams > "
                "Enhanced measurement > Form interactions), which send each form's id, name and "
                "destination with form_start and form_submit, or remove %s%s from %s.",
                for_account(a, in), product(a, in), ga4_and_loader(a, in),
                pw_page_pattern(a, in->page_url));
    return pw_arena_sprintf(a, "Stop %s from collecting form metadata on %s, or remove the tag%s.",
                            product(a, in), pw_page_pattern(a, in->page_url),
                            ga4_and_loader(a, in));
}

/* ---- PW-SESSION-REPLAY ---- */

static int m_replay(const rule_input *in, unsigned char *use)
{
    if (in->ctx == PW_CTX_GENERAL)
        return -1;
    if (in->b->kind != PW_BEACON_REPLAY && in->b->tracker->category != PW_CATEGORY_SESSION_REPLAY)
        return -1;
    use_kinds(in, use, K(PW_FIELD_PAGE_URL) | K(PW_FIELD_FORM_VALUE) | K(PW_FIELD_DEVICE_ID));
    return PW_SEV_HIGH;
}

static char *r_replay(pw_arena *a, const rule_input *in)
{
    return pw_arena_sprintf(a,
                            "Exclude %s from %s recording (page exclusion rule), or at least "
                            "mask all text and inputs; better, remove session replay from care "
                            "pages entirely.",
                            pw_page_pattern(a, in->page_url), product(a, in));
}

/* ---- PW-NO-BAA ---- */

static int no_baa_applies(const rule_input *in);

/* Fires per beacon; the assessor keeps the finding only for a (tracker, page) no other rule
 * reported (pw_assessor_finish drops the rest): the others carry the BAA point in their fix. */
static int m_no_baa(const rule_input *in, unsigned char *use)
{
    if (!no_baa_applies(in))
        return -1;
    use_kinds(in, use, K(PW_FIELD_PAGE_URL));
    return PW_SEV_MEDIUM;
}

/* "No BAA: <the catalog's note and source>" only when the catalog says so; otherwise "is not
 * known to sign" (BAA stance unknown, or a third party outside the catalog). */
static char *baa_stance(pw_arena *a, const rule_input *in)
{
    if (in->b->tracker->baa == PW_BAA_NO && in->b->tracker->baa_note)
        return pw_arena_sprintf(a, "No BAA: %s", in->b->tracker->baa_note);
    if (in->b->tracker->baa == PW_BAA_NO)
        return pw_arena_sprintf(a, "%s does not sign a HIPAA business associate agreement",
                                vendor(a, in));
    return pw_arena_sprintf(a, "%s is not known to sign a HIPAA business associate agreement",
                            vendor(a, in));
}

/* A hosted site search is the site's processor, not an ad tag: the fix is a BAA or a search
 * that does not hand it the visitor, never "replace it with the event gateway". */
static char *site_search_presence(pw_arena *a, const rule_input *in)
{
    return pw_arena_sprintf(
        a,
        "%s: the site search on %s hands %s what visitors search for on care pages, with their "
        "IP address, cookies and the page's address (Referer). Get a BAA from %s (a search "
        "service that processes PHI for the site is its business associate), or send the "
        "searches through a first-party endpoint that forwards only the query, or use a search "
        "that runs on the site's own servers.",
        baa_stance(a, in), pw_page_pattern(a, in->page_url), vendor(a, in), vendor(a, in));
}

static char *r_no_baa(pw_arena *a, const rule_input *in)
{
    if (is_site_search_service(in))
        return site_search_presence(a, in);
    return pw_arena_sprintf(a,
                            "%s: remove %s%s from %s, or replace it with `phiwall gateway` "
                            "forwarding only allow-listed, PHI-free events.",
                            baa_stance(a, in), product(a, in), ga4_and_loader(a, in),
                            pw_page_pattern(a, in->page_url));
}

/* ---- PW-TRACKER-PRESENT ---- */

static int m_present(const rule_input *in, unsigned char *use)
{
    if (in->ctx != PW_CTX_GENERAL)
        return -1;
    use_kinds(in, use, K(PW_FIELD_PAGE_URL));
    return PW_SEV_INFO;
}

static char *r_present(pw_arena *a, const rule_input *in)
{
    return pw_arena_sprintf(a,
                            "No action needed for this page; keep %s%s off care, condition and "
                            "portal pages (it is on %s).",
                            product(a, in), ga4_and_loader(a, in),
                            pw_page_pattern(a, in->page_url));
}

/* ---- PW-CONSENT ---- */

static int m_consent(const rule_input *in, unsigned char *use)
{
    if (in->req->after_reject)
        return PW_SEV_HIGH;
    return in->req->before_consent ? PW_SEV_MEDIUM : -1;
}

static char *r_consent(pw_arena *a, const rule_input *in)
{
    return pw_arena_sprintf(a,
                            "Load %s%s only after the visitor opts in (consent mode default "
                            "'denied', tag-manager consent trigger) and never after a reject.",
                            product(a, in), ga4_and_loader(a, in));
}

/* ---- what every fix ends with ---- */

/* 1 if PW-NO-BAA's condition holds for this beacon: a catalogued tracker whose vendor signs no
 * BAA (or is not known to) on a care-intent or authenticated page. */
static int no_baa_applies(const rule_input *in)
{
    pw_baa baa = in->b->tracker->baa;
    if (in->unknown || in->baa_declared || pw_tracker_content_only(in->b->tracker))
        return 0;
    if (in->ctx != PW_CTX_CARE_INTENT && in->ctx != PW_CTX_AUTHENTICATED)
        return 0;
    return baa != PW_BAA_YES && baa != PW_BAA_SOME_PLANS;
}

/* The one line PW-NO-BAA would have said, for the findings that stand in for it. */
static char *baa_line(pw_arena *a, const rule_input *in)
{
    if (in->b->tracker->baa == PW_BAA_NO)
        return pw_arena_sprintf(a, "No BAA: %s.", in->b->tracker->baa_note);
    return pw_arena_sprintf(a, "%s is not known to sign a HIPAA business associate agreement.",
                            vendor(a, in));
}

/* The embed's own way not to load before the visitor asks for it. */
static const char *embed_option(const pw_tracker *t)
{
    const char *id = t->id ? t->id : "";
    if (strstr(id, "youtube"))
        return " and from www.youtube-nocookie.com (YouTube's privacy-enhanced mode)";
    if (strstr(id, "vimeo"))
        return " and with the player's `dnt=1` parameter";
    if (strstr(id, "maps"))
        return " (or show a static map image served from your own site)";
    return "";
}

/* Consent managers and embeds are no tracking tags: removing them is no fix. */
static char *content_only_remedy(pw_arena *a, const rule_input *in)
{
    const char *pat = pw_page_pattern(a, in->page_url);
    if (in->b->tracker->category == PW_CATEGORY_CONSENT)
        return pw_arena_sprintf(a,
                                "Keep the %s banner (it is how visitors refuse tracking), but "
                                "configure it so no page data, form values or identifiers go "
                                "into its requests on %s (custom attributes, data-layer "
                                "sync), or serve its script and settings from your own domain.",
                                product(a, in), pat);
    return pw_arena_sprintf(a,
                            "Load %s on %s only after the visitor clicks a placeholder "
                            "(click-to-load)%s, and never put page data, form values or "
                            "identifiers into the embed's URL or parameters.",
                            product(a, in), pat, embed_option(in->b->tracker));
}

/* A rule's fix as printed: tailored for consent managers and embeds; otherwise the rule's own
 * text with the BAA point appended when PW-NO-BAA applies (that finding is then left out). */
static char *full_remedy(pw_arena *a, const rule_input *in,
                         char *(*remedy)(pw_arena *, const rule_input *))
{
    if (pw_tracker_content_only(in->b->tracker))
        return content_only_remedy(a, in);
    /* a search service's page address or login page: the search fix, not "remove the tag" */
    if (is_site_search_service(in) && (remedy == r_condition || remedy == r_auth))
        return site_search_presence(a, in);
    char *text = remedy(a, in);
    if (!text || !no_baa_applies(in))
        return text;
    char *line = baa_line(a, in);
    return line ? pw_arena_sprintf(a, "%s %s", text, line) : text;
}

#define FULL_REMEDY(fn)                                       \
    static char *fn##_full(pw_arena *a, const rule_input *in) \
    {                                                         \
        return full_remedy(a, in, fn);                        \
    }
FULL_REMEDY(r_auth)
FULL_REMEDY(r_form)
FULL_REMEDY(r_button)
FULL_REMEDY(r_search)
FULL_REMEDY(r_event_health)
FULL_REMEDY(r_advanced)
FULL_REMEDY(r_replay)
FULL_REMEDY(r_condition)
FULL_REMEDY(r_form_fields)
FULL_REMEDY(r_consent)

/* ---- the table ---- */

static const pw_rule rules[] = {
    {{"PW-AUTH-TRACKER", "Tracker on an authenticated page (patient portal, bill pay, telehealth)",
      "HHS OCR guidance (Dec 2022, rev. Mar 2024): tracking technologies on user-authenticated "
      "pages generally have access to PHI, so this is a disclosure that needs a business "
      "associate agreement or the patient's authorization. AHA v. Becerra (N.D. Tex. 2024) did "
      "not vacate this part of the guidance.",
      PW_SEV_CRITICAL},
     0,
     m_auth,
     r_auth_full,
     NULL},
    {{"PW-FORM-VALUES", "Form values, identifiers or their hashes sent to a tracker",
      "Values the visitor typed (or their hashes, which the vendor matches to a person) identify "
      "the individual, and what they wrote about their health (a reason for the visit, a "
      "message) is their own health information, joined with their IP address and cookie ID; "
      "sent from a health provider's site they are PHI disclosed without a BAA (HHS guidance), "
      "beyond the IP-plus-public-page combination AHA v. Becerra vacated. Hashing is not "
      "de-identification. The FTC punished the same flows "
      "outside HIPAA (GoodRx 2023, BetterHelp 2023).",
      PW_SEV_CRITICAL},
     1,
     m_form,
     r_form_full,
     "the values "
     "identify a person but the page relates to no one's care, so under the HHS guidance "
     "(its job-postings example) this is not a PHI disclosure on its own; it still hands an "
     "identified visitor of a health provider's site to the vendor, which state health-privacy "
     "laws (e.g. Washington's My Health My Data Act) and the FTC Act (GoodRx 2023, BetterHelp "
     "2023) reach. Reported high, not critical."},
    {{"PW-BUTTON-TEXT", "Button or link text revealing care intent or a condition",
      "The clicked button's text tells the vendor what care this visitor seeks, joined with "
      "their IP address and cookie ID: PHI under the HHS guidance. This goes beyond the "
      "IP-plus-public-page combination that AHA v. Becerra vacated.",
      PW_SEV_HIGH},
     1,
     m_button,
     r_button_full,
     NULL},
    {{"PW-EVENT-HEALTH", "Event name, custom data or user property revealing health information",
      "An event named for a condition or a care step (ViewContent 'HIV PrEP consultation', "
      "schedule_oncology_consult, a user property 'oncology patient') tells the vendor what "
      "care this visitor seeks or receives, joined with their IP address and cookie ID: PHI "
      "under the HHS guidance (Dec 2022, rev. Mar 2024) on any page, beyond the "
      "IP-plus-public-page combination AHA v. Becerra vacated. The FTC punished the same "
      "flows outside HIPAA (GoodRx 2023, BetterHelp 2023).",
      PW_SEV_HIGH},
     1,
     m_event_health,
     r_event_health_full,
     NULL},
    {{"PW-SEARCH-TERM", "Site-search terms sent to a tracker",
      "Terms a visitor searches for (a doctor, a condition, a treatment) relate to their own "
      "care; joined with an IP address or cookie ID they are PHI under the HHS guidance, and "
      "AHA v. Becerra did not vacate this. A search with no health term is reported at low "
      "severity on a general page; on a condition, care or authenticated page it is high.",
      PW_SEV_HIGH},
     1,
     m_search,
     r_search_full,
     NULL},
    {{"PW-ADVANCED-MATCHING", "Advanced matching (hashed e-mail, phone, name) on a health site",
      "Advanced matching sends hashed identifiers that the vendor resolves to a person; "
      "combined with pages of a health provider this is individually identifiable health "
      "information (HHS guidance; FTC BetterHelp 2023). Hashing does not de-identify.",
      PW_SEV_HIGH},
     1,
     m_advanced,
     r_advanced_full,
     NULL},
    {{"PW-SESSION-REPLAY", "Session replay on a care, condition or portal page",
      "Session replay records what the visitor sees and types, including any health "
      "information on the page, with identifiers: a disclosure under the HHS guidance unless "
      "the vendor signs a BAA and masking is verified.",
      PW_SEV_HIGH},
     0,
     m_replay,
     r_replay_full,
     NULL},
    {{"PW-CONDITION-URL",
      "Condition, provider or care page URL sent with an IP address or cookie ID (elevated "
      "risk)",
      "Elevated risk, not a proven PHI disclosure: AHA v. Becerra (N.D. Tex., June 20 2024) "
      "vacated the HHS guidance where it treated an IP address plus a visit to an "
      "unauthenticated public page about a condition or provider as PHI. A care page reached "
      "without a login (scheduling, find-a-doctor, a portal's landing page) is such a page: its "
      "URL shows that the visitor took that step, not what they entered, which PW-FORM-VALUES, "
      "PW-SEARCH-TERM and PW-BUTTON-TEXT report. State health-privacy laws (e.g. Washington's "
      "My Health My Data Act) and the FTC Act may still apply.",
      PW_SEV_MEDIUM},
     0,
     m_condition,
     r_condition_full,
     NULL},
    {{"PW-FORM-FIELDS", "Form field names sent from a care page (elevated risk)",
      "The names of the form's fields (reason for visit, insurance, member ID…) tell the vendor "
      "what the visitor was filling in on a care page, but not the values: elevated risk rather "
      "than a proven disclosure. Values, or their hashes, are PW-FORM-VALUES.",
      PW_SEV_MEDIUM},
     1,
     m_form_fields,
     r_form_fields_full,
     NULL},
    {{"PW-NO-BAA", "Tracker from a vendor that signs no BAA on a care or portal page",
      "Under the HHS guidance a covered entity may disclose PHI to a tracking vendor only under "
      "a business associate agreement or with HIPAA authorization; this vendor is not known to "
      "sign one, so PHI collected on this page would be an impermissible disclosure.",
      PW_SEV_MEDIUM},
     0,
     m_no_baa,
     r_no_baa,
     NULL},
    {{"PW-CONSENT", "Tracker fired before consent or after the visitor refused",
      "Independent of HIPAA, firing before opt-in or after a refusal conflicts with state "
      "privacy laws and with the FTC's GoodRx and BetterHelp orders on health data.",
      PW_SEV_HIGH},
     0,
     m_consent,
     r_consent_full,
     NULL},
    {{"PW-TRACKER-PRESENT", "Tracker on a general page (inventory, not a PHI finding)",
      "A general page (careers, news, visiting hours) relates to no one's care: not PHI under "
      "the HHS guidance. Listed so the inventory of trackers is complete.",
      PW_SEV_INFO},
     0,
     m_present,
     r_present,
     NULL},
};

/* ---- a general section's reasoning ---- */

/* The form a visitor fills in on a general section's page, by the section's word, and what
 * the reader should still check there. */
typedef struct section_form {
    const char *word, *form, *note;
} section_form;

static const section_form *section_form_of(const char *why)
{
    static const section_form forms[] = {
        {"career", "a job application", ""},
        {"job", "a job application", ""},
        {"employment", "a job application", ""},
        {"donat", "a donation", ""},
        {"giving", "a donation", ""},
        {"foundation", "a donation", ""},
        {"contact", "a contact form",
         " A message written into a contact form can still be about the writer's own care: read "
         "the values, and treat one that is as a PHI disclosure."},
        {"volunteer", "a volunteer application", ""},
        {"event", "an event registration", ""},
        {"news", "a newsletter sign-up", ""},
        {"press", "a media enquiry", ""},
        {"media", "a media enquiry", ""},
        {"", "a careers application, a donation, an event registration", ""}};
    size_t last = sizeof forms / sizeof forms[0] - 1;
    for (size_t i = 0; why && i < last; i++)
        if (strstr(why, forms[i].word))
            return &forms[i];
    return &forms[last];
}

const char *pw_rules_legal_general(pw_arena *a, const pw_rule *rule, const char *page_url)
{
    if (!rule->legal_general)
        return NULL;
    const char *why = pw_assess_general_section_why(a, page_url);
    const section_form *sf = section_form_of(why);
    const char *text =
        pw_arena_sprintf(a, "On a page of the %s (%s) %s%s", why ? why : "site's general sections",
                         sf->form, rule->legal_general, sf->note);
    return text ? text : rule->info.legal;
}

/* ---- a tracker the site declared a BAA with ---- */

int pw_rule_baa_covers(const pw_rule *rule)
{
    const char *id = rule->info.id;
    return strcmp(id, "PW-CONSENT") != 0 && strcmp(id, "PW-NO-BAA") != 0 &&
           strcmp(id, "PW-TRACKER-PRESENT") != 0;
}

const char pw_rules_baa_legal[] =
    "Covered by the business associate agreement the site declared (--baa): HIPAA lets a covered "
    "entity disclose PHI to a business associate for the services it performs under a BAA, so "
    "this is not the impermissible disclosure it would be to a vendor without one. It must still "
    "be within what the agreement allows and limited to the minimum necessary (45 CFR "
    "164.502(b)), and the vendor may not use it for its own purposes or for marketing without "
    "the patient's authorization (45 CFR 164.508(a)(3)). Listed at low severity so that the "
    "agreement's scope can be checked against what is sent.";

char *pw_rules_baa_remedy(pw_arena *a, const rule_input *in, const pw_rule *rule)
{
    return pw_arena_sprintf(a,
                            "Check that the BAA with %s (declared with `--baa %s`) covers %s "
                            "receiving this (%s) and that only what the service needs is sent; "
                            "anything it passes on to advertising or other vendors needs its "
                            "own basis.",
                            vendor(a, in), in->b->tracker->id, product(a, in), rule->info.id);
}

size_t pw_rules_n(void)
{
    return sizeof rules / sizeof rules[0];
}

const pw_rule *pw_rules_at(size_t i)
{
    return i < pw_rules_n() ? &rules[i] : NULL;
}

size_t pw_rule_count(void)
{
    return pw_rules_n();
}

const pw_rule_info *pw_rule_info_at(size_t i)
{
    return i < pw_rules_n() ? &rules[i].info : NULL;
}

const pw_rule_info *pw_rule_info_find(const char *id)
{
    for (size_t i = 0; id && i < pw_rules_n(); i++)
        if (strcmp(rules[i].info.id, id) == 0)
            return &rules[i].info;
    return NULL;
}
