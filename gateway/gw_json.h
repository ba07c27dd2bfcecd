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
#include "phiwall/error.h"

#define PW_GW_JSON_MAX_DEPTH 64

/* 1 when no [ / { nesting outside strings goes deeper than max (checked before a parser that
 * recurses per level sees the text). */
int pw_gw_json_nesting_ok(const char *s, size_t n, int max);

/* Parse n bytes (need not be NUL-terminated). NULL on malformed JSON or nesting deeper than
 * PW_GW_JSON_MAX_DEPTH; errbuf (may be NULL) then says why. Free with yajl_tree_free. */
yajl_val pw_gw_json_parse(const char *s, size_t n, char *errbuf, size_t errcap);

/* The member `key` of an object, or NULL (also when obj is not an object). */
yajl_val pw_gw_json_get(yajl_val obj, const char *key);

/* Its string value, or NULL when absent or not a string. */
const char *pw_gw_json_str(yajl_val obj, const char *key);

/* Append v compactly. */
pw_status pw_gw_json_emit(pw_buf *b, yajl_val v);

/* Number of Unicode code points in a UTF-8 string (limits such as GA4's count characters). */
size_t pw_gw_utf8_len(const char *s);

#endif
