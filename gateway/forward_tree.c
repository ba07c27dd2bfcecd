/*
 * forward_tree.c — parsing leased payloads for the forwarders into yajl trees allocated in the
 * cycle's arena. yajl_tree_parse mallocs every node, key and string and frees them one by one
 * after the cycle: for a Meta lease of 4000 events that is ~100,000 malloc/free pairs, and the
 * allocator gives the memory back to the system and faults it in again every cycle. Here the
 * payload is parsed by yajl's own parser into the gateway's arena tree (gw_json_tree.c: same
 * grammar, comments allowed, strings ending at their first NUL, yajl's integer rule) and that
 * tree is laid out as yajl_val nodes in the same arena, so the drivers read exactly the tree
 * yajl_tree_parse would have built, and the whole cycle's trees go with one arena reset.
 * The bounds of pw_gw_json_parse apply first: no NUL byte, nesting at most
 * PW_GW_JSON_MAX_DEPTH.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"
#include "gw_json.h"
#include "gw_json_tree.h"

static void *arena_alloc(void *ctx, size_t n)
{
    return pw_arena_alloc(ctx, n);
}

yajl_val pw_fw_parse(pw_arena *a, const char *s, size_t n)
{
    if (memchr(s, '\0', n) || !pw_gw_json_nesting_ok(s, n, PW_GW_JSON_MAX_DEPTH))
        return NULL;
    pw_gw_jt *root = NULL;
    if (pw_gw_jt_parse(a, s, n, &root, NULL, 0) != PW_OK || !root)
        return NULL;
    pw_gw_json_alloc al = {arena_alloc, a, 0};
    return pw_gw_json_from_tree(root, &al);
}
