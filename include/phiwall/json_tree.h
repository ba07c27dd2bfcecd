/*
 * json_tree.h — JSON text to a yajl_tree (yajl_val), as yajl_tree_parse builds it, without its
 * crash: yajl_tree_parse allocates through a yajl handle that checks none of its allocations, so
 * a failed malloc was a segfault. Here yajl's own allocations come from a reserve
 * (phiwall/json_reserve.h) and every node, key and string is a checked malloc: out of memory is
 * an error like any other. The tree is freed with yajl_tree_free.
 */
#ifndef PHIWALL_JSON_TREE_H
#define PHIWALL_JSON_TREE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "phiwall/json_reserve.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parse n bytes of JSON (comments allowed, UTF-8 checked, as yajl_tree_parse) into *out (NULL
 * unless PW_OK). PW_ERR_PARSE for malformed text (errbuf: the first line of yajl's message),
 * PW_ERR_LIMIT for nesting deeper than PW_JSON_MAX_DEPTH ("nesting deeper than 1024"),
 * PW_ERR_NOMEM when memory runs out ("out of memory"). errbuf may be NULL (errcap 0).
 * probe: tests (NULL: none).
 */
pw_status pw_json_tree_parse(const char *s, size_t n, yajl_val *out, char *errbuf, size_t errcap,
                             pw_json_probe *probe);

#ifdef __cplusplus
}
#endif
#endif
