/*
 * decode_internal.h — what the decode stage's files share and nobody else sees: limits, the
 * per-request decode context, the raw key/value list that body parsers fill, the beacon builder
 * that decoders use, the decoder table (pw_decoder) and the catalog's internals.
 */
#ifndef PHIWALL_DECODE_INTERNAL_H
#define PHIWALL_DECODE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/decode.h"
#include "phiwall/url.h"

/* Limits on untrusted input: beyond them a request gives PW_ERR_LIMIT naming the field. */
#define DK_MAX_BODY    ((size_t)16 << 20)
#define DK_MAX_PAIRS   ((size_t)10000)
#define DK_MAX_DEPTH   64
#define DK_MAX_BEACONS ((size_t)1000) /* events batched into one request */
/* Typed fields over all beacons of one request: batches repeat shared parameters and JSON
 * values become sub-fields, so this bounds memory where DK_MAX_PAIRS alone would not. */
#define DK_MAX_FIELDS ((size_t)100000)

/* ---- raw key/value pairs, as parsed from a query, a form, multipart or flattened JSON ---- */
typedef struct dk_pairs {
    pw_kv *v;
    size_t n, cap;
    /* per pair, the pw_detect_object of the JSON object holding it (body_json.c), kept in step
     * with v; NULL while no pair has a known one */
    unsigned char *object;
} dk_pairs;

/* Append (no copy: key and value must live in the arena or longer). PW_ERR_LIMIT past
 * DK_MAX_PAIRS, naming `key`. */
pw_status dk_pairs_push(pw_arena *a, dk_pairs *p, char *key, size_t key_len, char *value,
                        size_t value_len, pw_err *err);
/* Set the object kind of pair i (< p->n). PW_ERR_NOMEM when the list cannot be allocated. */
pw_status dk_pairs_set_object(pw_arena *a, dk_pairs *p, size_t i, pw_detect_object object);
/* The object kind of the pair kv of p (PW_OBJECT_UNKNOWN when none is known). */
pw_detect_object dk_pairs_object(const dk_pairs *p, const pw_kv *kv);
/* Value of the first pair named `key`, or NULL. */
const pw_kv *dk_pairs_find(const dk_pairs *p, const char *key);
const char *dk_pairs_get(const dk_pairs *p, const char *key);

/* ---- body parsers (body_form.c, body_multipart.c, body_json.c) ---- */
pw_status dk_body_form(pw_arena *a, const char *s, size_t n, dk_pairs *out, pw_err *err);
/* multipart/form-data; the boundary comes from the Content-Type value. */
pw_status dk_body_multipart(pw_arena *a, const char *content_type, const char *s, size_t n,
                            dk_pairs *out, pw_err *err);
/* Flatten JSON to dotted keys ("context.page.url", "batch.0.event"), each key prefixed with
 * `prefix` + "." when prefix is non-empty. Depth beyond DK_MAX_DEPTH gives PW_ERR_LIMIT. Each
 * member of an object gets the object's kind from the object's own keys (dk_pairs_object). */
pw_status dk_body_json(pw_arena *a, const char *prefix, const char *s, size_t n, dk_pairs *out,
                       pw_err *err);
/* The same with an allocation probe (tests; phiwall/json_reserve.h). */
struct pw_json_probe;
pw_status dk_body_json_probe(pw_arena *a, const char *prefix, const char *s, size_t n,
                             dk_pairs *out, pw_err *err, struct pw_json_probe *probe);
/* Multipart boundary from a Content-Type value, in the arena; NULL if none. */
char *dk_multipart_boundary(pw_arena *a, const char *content_type);

/* ---- the per-request context and the beacon builder (decode.c, beacon.c) ---- */
typedef struct dk_ctx {
    const pw_catalog *cat;
    pw_arena *a;
    const pw_request *req;
    const pw_tracker *tracker;
    const char *matched_rule;
    pw_url url;
    const char *host; /* lower-case */
    dk_pairs query;   /* the URL's query, decoded once */
    pw_beacon *out;
    size_t n_out, cap_out;
    size_t n_fields; /* over every beacon, against DK_MAX_FIELDS */
} dk_ctx;

typedef struct dk_builder {
    pw_beacon b;
    size_t cap;
} dk_builder;

void dk_builder_init(dk_ctx *ctx, dk_builder *bb, pw_beacon_kind kind, const char *transport);
pw_status dk_add(dk_ctx *ctx, dk_builder *bb, const char *key, const char *value, size_t value_len,
                 pw_field_kind kind, pw_err *err);
/* dk_add for the pair kv of p: the field keeps the pair's object kind (dk_pairs_object). */
pw_status dk_add_kv(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, const pw_kv *kv,
                    pw_field_kind kind, pw_err *err);
/* Finish: adds SEARCH_TERM fields found in page URLs, fills account_id/event_name from the first
 * ACCOUNT/EVENT fields when the decoder did not, and appends the beacon to ctx->out. */
pw_status dk_emit(dk_ctx *ctx, dk_builder *bb, pw_err *err);

/* 1 if a category, action or event name says a click on a button or link ("click", "button",
 * "link", any case, anywhere in it). */
int dk_clicky(const char *s, size_t n);
/* Click labels: when a field named in context_keys (NULL-terminated: "ea", "ec", "en") has a
 * clicky value, the CUSTOM_DATA/OTHER fields named in label_keys ("el") become BUTTON_TEXT. */
void dk_click_labels(dk_builder *bb, const char *const *context_keys,
                     const char *const *label_keys);
/* Classic Google Analytics (ga.js, urchin): __utm.gif hits (decoder_ga_classic.c). */
pw_status dk_decode_utm(dk_ctx *ctx, pw_err *err);
/* 1 if the request's path ends in "__utm.gif". */
int dk_is_utm_gif(const dk_ctx *ctx);
/* Google Analytics e-commerce items in p (ga_items.c): GA4's pr<N>=id…~nm…~… (ga4 != 0) or UA's
 * pr<N>nm, il<L>pi<N>nm, promo<N>nm … (ga4 == 0) become CUSTOM_DATA fields of a thing
 * (PW_OBJECT_THING) named by GA4's item schema: items[0].item_name, item_lists[0].items[1].price,
 * promotions[0].promotion_name. */
pw_status dk_ga_items(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, int ga4, pw_err *err);

/* Key → kind tables: a key ending in '*' is a prefix. Terminated by a NULL key. */
typedef struct dk_keymap {
    const char *key;
    pw_field_kind kind;
} dk_keymap;
pw_field_kind dk_keymap_kind(const dk_keymap *m, const char *key, pw_field_kind fallback);
/* The generic guess from a key's name (url → PAGE_URL, email → USER_DATA …). */
pw_field_kind dk_generic_kind(const char *key);
/* Add every pair, typed by the map (then the generic guess when `guess`). */
pw_status dk_add_pairs(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, const dk_keymap *m,
                       int guess, pw_err *err);
/* A parameter whose value is JSON: add its flattened sub-fields ("cd[pageFeatures].title"),
 * typed by `kind_of` (NULL: the keymap, then the name guess, then CUSTOM_DATA). A value that does
 * not parse adds nothing (the raw field stays); limits still fail. */
typedef pw_field_kind (*dk_subkind_fn)(const char *param, const char *subkey, const dk_keymap *m);
pw_status dk_add_json_param(dk_ctx *ctx, dk_builder *bb, const pw_kv *kv, dk_subkind_fn kind_of,
                            const dk_keymap *m, pw_err *err);
/* Body pairs by Content-Type (form, multipart, JSON, text/plain JSON or form); *transport is set
 * to "form-post", "multipart", "json" or "text". An empty body gives no pairs. */
pw_status dk_request_body_pairs(dk_ctx *ctx, dk_pairs *out, const char **transport, pw_err *err);
/* Copy n bytes (NULs included) into the arena, NUL-terminated. */
char *dk_dup(pw_arena *a, const char *s, size_t n);
/* 1 if the value looks like JSON (first non-space is '{' or '['). */
int dk_looks_json(const char *s, size_t n);

/* ---- decoders: one file each, listed in decoder_registry.c ---- */
typedef struct pw_decoder {
    const char *name;
    pw_status (*decode)(dk_ctx *ctx, pw_err *err);
} pw_decoder;

const pw_decoder *dk_decoder_find(const char *name);
size_t dk_decoder_count(void);
const pw_decoder *dk_decoder_at(size_t i);

extern const pw_decoder dk_decoder_meta, dk_decoder_ga4, dk_decoder_gads, dk_decoder_tiktok,
    dk_decoder_linkedin, dk_decoder_twitter, dk_decoder_uet, dk_decoder_pinterest, dk_decoder_snap,
    dk_decoder_replay, dk_decoder_script, dk_decoder_sitesearch, dk_decoder_generic,
    dk_decoder_id_graph, dk_decoder_floodlight, dk_decoder_sizmek;
/* A filter-list hit at an unlisted path of a catalog entry's host (decoder_generic.c). */
extern const pw_decoder dk_decoder_host_only;

/* decoder_generic.c: one beacon from the query and the body, keys typed by `m` then by name.
 */
pw_status dk_decode_pairs(dk_ctx *ctx, pw_beacon_kind kind, const dk_keymap *m, pw_err *err);
/* Like dk_decode_pairs but lets the caller adjust the builder before it is emitted. */
typedef pw_status (*dk_adjust_fn)(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err);
pw_status dk_decode_pairs_with(dk_ctx *ctx, pw_beacon_kind kind, const dk_keymap *m,
                               dk_adjust_fn adjust, pw_err *err);

/* decoder_script.c: does this request load a tracker's script rather than send a beacon? */
int dk_is_script_load(const dk_ctx *ctx);

/* ---- string → index map (strmap.c): fixed capacity, chains kept by the caller ---- */
typedef struct dk_strmap {
    const char **keys;
    uint32_t *lens; /* keys are lines of a list or catalog: far below 4 GiB */
    int32_t *heads;
    size_t cap; /* power of two */
} dk_strmap;

pw_status dk_strmap_init(pw_arena *a, dk_strmap *m, size_t expected);
/* Head stored for key, or -1. */
int32_t dk_strmap_get(const dk_strmap *m, const char *k, size_t n);
/* Set key's head to `value`, returning the previous head (or -1) so the caller chains it. The
 * key must outlive the map. */
int32_t dk_strmap_put(dk_strmap *m, const char *k, size_t n, int32_t value);

/* ---- ABP filter lists: EasyPrivacy, EasyList (easyprivacy.c) ---- */
typedef struct dk_easyprivacy dk_easyprivacy;
typedef enum dk_list_mode {
    DK_LIST_ALL = 0, /* every network rule the matcher supports (EasyPrivacy) */
    DK_LIST_HOSTS    /* blocking rules "||host^" (options allowed) and every exception (EasyList) */
} dk_list_mode;
/* Load a list file; PW_ERR_IO when it cannot be opened, PW_ERR_LIMIT past 64 MiB. */
pw_status dk_filterlist_load(pw_arena *a, const char *path, dk_list_mode mode, dk_easyprivacy **out,
                             pw_err *err);
/* The list's version as its header gives it ("! Version:", else "! Last modified:"), or NULL. */
const char *dk_filterlist_version(const dk_easyprivacy *ep);
/* Parse list text already in memory (any bytes; the fuzz target's entry). */
pw_status dk_filterlist_parse(pw_arena *a, const char *text, size_t len, dk_list_mode mode,
                              dk_easyprivacy **out);
/* dk_filterlist_load in DK_LIST_ALL mode. */
pw_status dk_easyprivacy_load(pw_arena *a, const char *path, dk_easyprivacy **out, pw_err *err);
size_t dk_easyprivacy_count(const dk_easyprivacy *ep);
/* The text of the blocking rule that matches a third-party request (url lower-case; page_host
 * for $domain=, "" if unknown) unless an exception rule also matches; NULL otherwise. */
const char *dk_easyprivacy_match(const dk_easyprivacy *ep, const char *url_lower,
                                 const char *page_host);

/* ---- catalog internals shared with decode.c ---- */
const pw_tracker *dk_catalog_easyprivacy_entry(const pw_catalog *c);
const pw_tracker *dk_catalog_unknown_entry(const pw_catalog *c);
const dk_easyprivacy *dk_catalog_easyprivacy(const pw_catalog *c);
const pw_tracker *dk_catalog_easylist_entry(const pw_catalog *c);
const dk_easyprivacy *dk_catalog_easylist(const pw_catalog *c);
/* pw_catalog_match for an already parsed URL and its lower-case host. */
const pw_tracker *dk_catalog_match_parts(const pw_catalog *c, const char *host, const pw_url *u);
/* The entry whose host rule names host (lower case) whatever the path, or NULL (catalog_match.c).
 */
const pw_tracker *dk_catalog_match_host(const pw_catalog *c, const char *host);
const pw_decoder *dk_catalog_decoder(const pw_catalog *c, const pw_tracker *t);

/* The compiled-in catalog text (generated from data/trackers.tsv at build time). */
extern const char pw_trackers_tsv[];
extern const size_t pw_trackers_tsv_len;

#endif
