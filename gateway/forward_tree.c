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

/* yajl_tree's number: its text, the integer when yajl's rule allows, the double when strtod
 * reads the whole text. */
static void set_number(yajl_val v, const pw_gw_jt *j)
{
    v->u.number.r = (char *)j->s;
    v->u.number.flags = 0;
    if (j->int_ok) {
        v->u.number.i = j->i;
        v->u.number.flags |= YAJL_NUMBER_INT_VALID;
    }
    char *end = NULL;
    errno = 0;
    v->u.number.d = strtod(j->s, &end);
    if (errno == 0 && end && *end == '\0')
        v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
}

static yajl_val convert(pw_arena *a, const pw_gw_jt *j)
{
    yajl_val v = pw_arena_calloc(a, 1, sizeof *v);
    if (!v)
        return NULL;
    static const yajl_type types[] = {
        [PW_GW_JT_NULL] = yajl_t_null,     [PW_GW_JT_FALSE] = yajl_t_false,
        [PW_GW_JT_TRUE] = yajl_t_true,     [PW_GW_JT_NUMBER] = yajl_t_number,
        [PW_GW_JT_STRING] = yajl_t_string, [PW_GW_JT_OBJECT] = yajl_t_object,
        [PW_GW_JT_ARRAY] = yajl_t_array};
    v->type = types[j->type];
    if (j->type == PW_GW_JT_STRING) {
        v->u.string = (char *)j->s;
    } else if (j->type == PW_GW_JT_NUMBER) {
        set_number(v, j);
    } else if (j->type == PW_GW_JT_OBJECT || j->type == PW_GW_JT_ARRAY) {
        yajl_val *values = pw_arena_calloc(a, j->n ? j->n : 1, sizeof *values);
        const char **keys =
            j->type == PW_GW_JT_OBJECT ? pw_arena_calloc(a, j->n ? j->n : 1, sizeof *keys) : NULL;
        if (!values || (j->type == PW_GW_JT_OBJECT && !keys))
            return NULL;
        size_t i = 0;
        for (const pw_gw_jt *m = j->first; m && i < j->n; m = m->next, i++) {
            if (!(values[i] = convert(a, m)))
                return NULL;
            if (keys)
                keys[i] = m->key;
        }
        if (keys) {
            v->u.object.keys = keys;
            v->u.object.values = values;
            v->u.object.len = i;
        } else {
            v->u.array.values = values;
            v->u.array.len = i;
        }
    }
    return v;
}

yajl_val pw_fw_parse(pw_arena *a, const char *s, size_t n)
{
    if (memchr(s, '\0', n) || !pw_gw_json_nesting_ok(s, n, PW_GW_JSON_MAX_DEPTH))
        return NULL;
    pw_gw_jt *root = NULL;
    if (pw_gw_jt_parse(a, s, n, &root, NULL, 0) != PW_OK || !root)
        return NULL;
    return convert(a, root);
}
