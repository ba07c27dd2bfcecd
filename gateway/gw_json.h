/*
 * gw_json.h — the small JSON toolkit of the delivery side (audit, forwarders): parse untrusted
 * bytes into a yajl tree with a nesting bound, look members up, and re-emit values compactly
 * (one line, no insignificant white space) so that records and request bodies are canonical.
 * Internal to gateway/.
 */
#ifndef PHIWALL_GW_JSON_H
#define PHIWALL_GW_JSON_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "phiwall/buf.h"
#include "gw_json_tree.h"
#include "phiwall/error.h"

#define PW_GW_JSON_MAX_DEPTH 64

/* 1 when no [ / { nesting outside strings goes deeper than max (checked before a parser that
 * recurses per level sees the text). */
int pw_gw_json_nesting_ok(const char *s, size_t n, int max);

/* Parse n bytes (need not be NUL-terminated): the tree yajl_tree_parse builds (same grammar,
 * comments allowed; through pw_gw_jt_parse). NULL on malformed JSON, nesting deeper than
 * PW_GW_JSON_MAX_DEPTH or out of memory (never a crash); errbuf (may be NULL) then says why (for
 * malformed JSON the first line of yajl's message). Free with yajl_tree_free. */
yajl_val pw_gw_json_parse(const char *s, size_t n, char *errbuf, size_t errcap);

/* The same with a probe (tests: every allocation that can fail asks it first; NULL: none). */
yajl_val pw_gw_json_parse_probe(const char *s, size_t n, char *errbuf, size_t errcap,
                                pw_gw_jt_probe *probe);

/* Where pw_gw_json_from_tree allocates: owned (1) — every node, array and string its own block
 * of alloc (malloc), so that yajl_tree_free frees the tree — or not (0: an arena's, strings
 * shared with the arena tree). */
typedef struct pw_gw_json_alloc {
    void *(*alloc)(void *ctx, size_t n);
    void *ctx;
    int owned;
} pw_gw_json_alloc;

/* An arena tree laid out as yajl_tree_parse would build it; NULL when an allocation fails (an
 * owned tree made so far is freed). */
yajl_val pw_gw_json_from_tree(const pw_gw_jt *j, const pw_gw_json_alloc *al);

/* The member `key` of an object, or NULL (also when obj is not an object). */
yajl_val pw_gw_json_get(yajl_val obj, const char *key);

/* Its string value, or NULL when absent or not a string. */
const char *pw_gw_json_str(yajl_val obj, const char *key);

/* Append v compactly. */
pw_status pw_gw_json_emit(pw_buf *b, yajl_val v);

/* Number of Unicode code points in a UTF-8 string (limits such as GA4's count characters). */
size_t pw_gw_utf8_len(const char *s);

#endif
