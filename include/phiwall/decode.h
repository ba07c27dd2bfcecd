/*
 * decode.h — the decode stage: which tracker a request goes to (the catalog), whether it is third
 * party (eTLD+1 via libpsl), and what it carries (pw_beacon with typed fields).
 *
 * One decoder per wire protocol sits behind pw_decoder (a table of function pointers, listed in
 * one registry); catalog entries name their decoder. A request nobody knows falls to the generic
 * decoder when it is third party.
 */
#ifndef PHIWALL_DECODE_H
#define PHIWALL_DECODE_H

#include <stddef.h>

#include "phiwall/arena.h"
#include "phiwall/detect.h"
#include "phiwall/error.h"
#include "phiwall/request.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pw_category {
    PW_CATEGORY_ADVERTISING = 0,
    PW_CATEGORY_ANALYTICS,
    PW_CATEGORY_SESSION_REPLAY,
    PW_CATEGORY_TAG_MANAGER,
    PW_CATEGORY_SOCIAL,
    PW_CATEGORY_CDP,
    PW_CATEGORY_CHAT,
    PW_CATEGORY_OTHER,
    PW_CATEGORY_CONSENT, /* consent manager (OneTrust, Cookiebot): not a tracker */
    PW_CATEGORY_EMBED,   /* embedded content (maps, video players): not a tracker */
    PW_CATEGORY__COUNT
} pw_category;

/* Does the vendor sign a HIPAA business associate agreement? */
typedef enum pw_baa { PW_BAA_UNKNOWN = 0, PW_BAA_NO, PW_BAA_YES, PW_BAA_SOME_PLANS } pw_baa;

const char *pw_category_name(pw_category c); /* "advertising" */
int pw_category_parse(const char *s, pw_category *out);
const char *pw_baa_name(pw_baa b);            /* "no", "yes", "some-plans", "unknown" */
int pw_baa_parse(const char *s, pw_baa *out); /* 0 ok, -1 unknown */

/* One catalog entry (compiled in from data/trackers.tsv or loaded with --trackers FILE). */
typedef struct pw_tracker {
    const char *id;      /* stable slug: "meta-pixel" */
    const char *vendor;  /* "Meta" */
    const char *product; /* "Meta Pixel" */
    pw_category category;
    pw_baa baa;
    const char *baa_note; /* one-line source for the BAA claim */
    const char *decoder;  /* decoder name: "meta", "ga4", "generic", … */
} pw_tracker;

/* Meaning of a decoded field, so detect and assess know what they are looking at. */
typedef enum pw_field_kind {
    PW_FIELD_OTHER = 0,
    PW_FIELD_PAGE_URL,    /* dl, url, tw_document_href, context.page.url */
    PW_FIELD_REFERRER,    /* rl, dr, rf */
    PW_FIELD_PAGE_TITLE,  /* dt, tl, cd[pageFeatures].title */
    PW_FIELD_BUTTON_TEXT, /* cd[buttonText], buttonFeatures.innerText */
    PW_FIELD_FORM_META,   /* field names/ids/placeholders (cd[formFeatures]) */
    PW_FIELD_FORM_VALUE,  /* a value typed into a form */
    PW_FIELD_USER_DATA,   /* ud[…], udff[…], u_hem, pd[em]: identity, hashed or not */
    PW_FIELD_CUSTOM_DATA, /* cd[…], ep.*, properties.* */
    PW_FIELD_DEVICE_ID,   /* fbp, fbc, cid, _ga, cookie IDs */
    PW_FIELD_SEARCH_TERM, /* q=, search_term, ep.search_term */
    PW_FIELD_EVENT,       /* the event name itself */
    PW_FIELD_ACCOUNT,     /* pixel / measurement ID */
    PW_FIELD__COUNT
} pw_field_kind;

const char *pw_field_kind_name(pw_field_kind k); /* "page_url", "button_text", … */

typedef struct pw_field {
    const char *key;   /* as on the wire, flattened: "cd[buttonText]", "ep.search_term",
                          "cd[buttonFeatures].innerText" for values inside JSON parameters */
    const char *value; /* decoded value, NUL-terminated */
    size_t value_len;
    pw_field_kind kind;
    int hashed; /* value is a SHA-256 hex digest (ud[em] …) */
    /* the JSON object the value is a member of, by its own member keys (pw_detect_object_kind:
     * {"name":"Knee Brace","price":…} is a thing's); PW_OBJECT_UNKNOWN outside JSON */
    pw_detect_object object;
} pw_field;

typedef enum pw_beacon_kind {
    PW_BEACON_EVENT = 0, /* a request that transmits data */
    PW_BEACON_SCRIPT,    /* the tracker's script loaded: presence, no data yet */
    PW_BEACON_REPLAY     /* session-replay traffic: captures everything on the page */
} pw_beacon_kind;

typedef struct pw_beacon {
    const pw_tracker *tracker; /* never NULL; the generic entry for unknown third parties */
    pw_beacon_kind kind;
    const char *account_id;   /* pixel ID, measurement ID, partner ID; NULL if none */
    const char *event_name;   /* "PageView", "SubscribedButtonClick", "page_view"; may be NULL */
    int automatic;            /* the tracker fired it on its own (Meta es=automatic) */
    const char *transport;    /* "get", "form-post", "multipart", "json", "text", "script" */
    const char *matched_rule; /* for trackers found only through an EasyPrivacy or EasyList rule */
    pw_field *fields;
    size_t n_fields;
    const pw_request *request; /* the request it came from */
} pw_beacon;

const char *pw_beacon_kind_name(pw_beacon_kind k); /* "event", "script", "replay" */

typedef struct pw_catalog pw_catalog;

/* The compiled-in catalog, plus optional extra entries from a user file (may be NULL). Loads the
 * EasyPrivacy list from PW_EASYPRIVACY_DEFAULT_PATH and EasyList's host rules from
 * PW_EASYLIST_DEFAULT_PATH when those files exist (absence is fine). */
pw_status pw_catalog_load(const char *user_file, pw_catalog **out, pw_err *err);

/* Where Debian's webext-ublock-origin-chromium installs EasyPrivacy. */
#define PW_EASYPRIVACY_DEFAULT_PATH                                              \
    "/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist/" \
    "easyprivacy.txt"

/* Where the same package installs EasyList (only its "||host^" rules and exceptions are used). */
#define PW_EASYLIST_DEFAULT_PATH                                                 \
    "/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist/" \
    "easylist.txt"

typedef struct pw_catalog_options {
    const char *user_file; /* extra entries in the trackers.tsv format, or NULL */
    /* EasyPrivacy list: NULL = the default path if present (missing is not an error);
       "" = none; a path = that file (missing is PW_ERR_IO). */
    const char *easyprivacy_file;
    /* EasyList, whose "||host^" blocking rules (ad servers, data brokers) and exceptions are
       used: a path = that file (missing is PW_ERR_IO); "" = none; NULL = the default path if
       present, except that easyprivacy_file = "" with easylist_file NULL loads no list at all
       (as before EasyList was read). */
    const char *easylist_file;
} pw_catalog_options;

/* pw_catalog_load with every choice spelled out (opts may be NULL: the defaults). */
pw_status pw_catalog_open(const pw_catalog_options *opts, pw_catalog **out, pw_err *err);
/* Number of EasyPrivacy network rules loaded (0 when the list is absent). */
size_t pw_catalog_easyprivacy_rules(const pw_catalog *c);
/* Number of EasyList rules kept (host rules and exceptions; 0 when the list is absent). */
size_t pw_catalog_easylist_rules(const pw_catalog *c);
/* A filter list the catalog reads, as reports name it: a default list is loaded silently when
 * installed, so the same capture gives another inventory on a machine without it. */
typedef struct pw_catalog_list {
    const char *name;    /* "EasyPrivacy", "EasyList" */
    const char *path;    /* the file loaded, or NULL: not loaded */
    const char *version; /* its header's "! Version:" (else "! Last modified:"), or NULL */
    size_t rules;        /* rules kept (0 when not loaded) */
    /* the file's modification date, "YYYY-MM-DD" (UTC), or NULL: what dates a list whose header
     * gives no version (Debian's copies carry the template's unfilled "%timestamp%") */
    const char *file_date;
} pw_catalog_list;
#define PW_CATALOG_LISTS 2
/* Every list the catalog can read, loaded or not (EasyPrivacy, EasyList), into out. */
void pw_catalog_lists(const pw_catalog *c, pw_catalog_list out[PW_CATALOG_LISTS]);
/* Entry by id ("meta-pixel"), or NULL. */
const pw_tracker *pw_catalog_find(const pw_catalog *c, const char *id);
/* 1 for the synthetic entries of filter-list matches ("easyprivacy", "easylist"): one entry for
 * many companies, told apart by their request hosts and matched_rule. */
int pw_tracker_is_filter_list(const pw_tracker *t);
/* Host patterns and path globs of an entry, comma-separated as in the TSV (for listings). */
const char *pw_catalog_hosts(const pw_catalog *c, const pw_tracker *t);
const char *pw_catalog_paths(const pw_catalog *c, const pw_tracker *t);
/* The entry's data-file path globs, comma-separated as in the TSV's optional 10th column ("" when
 * none). */
const char *pw_catalog_data_paths(const pw_catalog *c, const pw_tracker *t);
/* 1 when url is a data file of tracker t's (its path matches one of t's data-file globs): a file
 * the vendor's code fetches as data (per-page scores, configuration), not code — its failure to
 * load hides no tag, so a scan has no script gap for it (docs/trackers.md). */
int pw_catalog_is_data_file(const pw_catalog *c, const pw_tracker *t, const char *url);
void pw_catalog_free(pw_catalog *c);
size_t pw_catalog_count(const pw_catalog *c);
const pw_tracker *pw_catalog_at(const pw_catalog *c, size_t i);

/* Match a request URL against the catalog's host and path patterns; NULL if no entry. */
const pw_tracker *pw_catalog_match(const pw_catalog *c, const char *url);

/*
 * Is this request a tracker's? The catalog entry for `url`, else (when it is third party to
 * `page_url`) the "easyprivacy" entry if an EasyPrivacy rule matches, else the "easylist" entry
 * ("ad server or data broker (EasyList)") if an EasyList host rule matches and no EasyList
 * exception does (*matched_rule gets the rule; may be NULL), else NULL. For capture sources that
 * answer tracker requests locally (a contained scan) before any body exists. Thread-safe; allocates
 * nothing.
 */
const pw_tracker *pw_catalog_classify(const pw_catalog *c, const char *url, const char *page_url,
                                      const char **matched_rule);

/* Party: is `url` third party relative to `page_url`? (registrable domain via libpsl) */
int pw_is_third_party(const char *page_url, const char *url);

/*
 * 1 if the query parameter `key` of a page URL whose path is `path` (path_len bytes; may be NULL)
 * carries what the visitor searched for: a search box's own parameter (q, query, search, s, term,
 * keyword(s), kw, searchTerm…, any case) on any page, or on a find-a-doctor, directory or search
 * page (a path segment such as find-a-doctor, doctors, providers, search, directory) a filter the
 * visitor chose: condition(s), specialty, treatment(s), symptom(s), diagnosis, procedure(s),
 * service(s), expertise, clinical_interest (also as "condition[]").
 */
int pw_search_param(const char *key, const char *path, size_t path_len);

/* Registrable domain (eTLD+1) of a host, lower-case, in the arena; NULL if it has none. */
char *pw_registrable_domain(pw_arena *a, const char *host);

/*
 * Decode one request into zero or more beacons (GA4 batches give several). A catalog match is
 * decoded by its entry's decoder (script loads give PW_BEACON_SCRIPT). Without one, a third-party
 * request matching an EasyPrivacy rule gives a beacon of the "easyprivacy" entry, one matching an
 * EasyList host rule a beacon of the "easylist" entry (matched_rule set for both), and any other
 * third-party request that carries data (query or body) one of the "unknown-third-party" entry with
 * its key/value fields; first-party requests and data-less unknown third parties (fonts, images)
 * give none. A malformed body gives PW_ERR_PARSE with the field and offset in err; beacons decoded
 * before the error are still returned. Everything is allocated in `a`. Thread-safe for a shared
 * catalog.
 */
pw_status pw_decode(const pw_catalog *c, pw_arena *a, const pw_request *req, pw_beacon **out,
                    size_t *n_out, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
