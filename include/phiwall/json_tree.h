/*
 * json_tree.h — JSON text to a yajl_tree (yajl_val), as yajl_tree_parse builds it, without its
 * crash: yajl_tree_parse allocates through a yajl handle that checks none of its allocations, so
 * a failed malloc was a segfault. Here yajl's own allocations come from a reserve
 * (phiwall/json_reserve.h) and every node, key and string is a checked malloc: out of memory is
 * an error like any other. The tree is freed with yajl_tree_free.
 */
#ifndef PHIWALL_JSON_TREE_H
#define PHIWALL_JSON_TREE_H

#include <limits.h>
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

/* yajl's integer rule (yajl_parse_integer, which yajl_tree's YAJL_NUMBER_INT_VALID follows): an
 * optional sign, then digits only, no overflow. 1 and *out set when the n bytes at p are one.
 * Inline: the gateway's fast path parses a number per value with it. */
static inline int pw_json_int_of(const char *p, size_t n, long long *out)
{
    const char *end = p + n;
    long long sign = 1, v = 0;
    if (p < end && *p == '-') {
        sign = -1;
        p++;
    }
    if (p < end && *p == '+')
        p++;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        int d = *p - '0';
        if (v > (LLONG_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = sign * v;
    return 1;
}

#ifdef __cplusplus
}
#endif
#endif
