/*
 * cdp_msg.c — the DevTools-protocol message layer: parses one incoming NUL-delimited JSON
 * message (yajl tree API) into id / method / sessionId / params / result / error, and offers
 * dotted-path accessors for the handlers. Untrusted input (the browser relays page data): every
 * field is type-checked, nothing is assumed present.
 */
#include <stdio.h>
#include <string.h>

#include "capture/cdp.h"
#include "phiwall/json_tree.h"

static yajl_val object_field(yajl_val v, const char *key, size_t key_len)
{
    if (!v || !YAJL_IS_OBJECT(v))
        return NULL;
    for (size_t i = 0; i < v->u.object.len; i++) {
        const char *k = v->u.object.keys[i];
        if (k && strlen(k) == key_len && memcmp(k, key, key_len) == 0)
            return v->u.object.values[i];
    }
    return NULL;
}

yajl_val cdp_get(yajl_val v, const char *path)
{
    const char *p = path;
    while (v && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        v = object_field(v, p, n);
        p += n;
        if (*p == '.')
            p++;
    }
    return v;
}

const char *cdp_str(yajl_val v, const char *path)
{
    yajl_val s = cdp_get(v, path);
    return s && YAJL_IS_STRING(s) ? s->u.string : NULL;
}

int cdp_num(yajl_val v, const char *path, double *out)
{
    yajl_val n = cdp_get(v, path);
    if (!n || !YAJL_IS_NUMBER(n))
        return 0;
    *out = YAJL_IS_INTEGER(n) ? (double)n->u.number.i : n->u.number.d;
    return 1;
}

int cdp_bool(yajl_val v, const char *path)
{
    yajl_val b = cdp_get(v, path);
    return b && YAJL_IS_TRUE(b);
}

void cdp_msg_free(cdp_msg *m)
{
    if (m && m->root)
        yajl_tree_free(m->root);
    if (m)
        memset(m, 0, sizeof *m);
}

pw_status cdp_msg_parse(const char *text, cdp_msg *out, pw_err *err)
{
    char ebuf[256];
    memset(out, 0, sizeof *out);
    out->id = -1;
    ebuf[0] = '\0';
    yajl_val root = NULL;
    pw_status st = pw_json_tree_parse(text, strlen(text), &root, ebuf, sizeof ebuf, NULL);
    if (st != PW_OK)
        return pw_err_set(err, st, "devtools message: %s", ebuf[0] ? ebuf : "invalid");
    if (!YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        return pw_err_set(err, PW_ERR_PARSE, "devtools message: byte 0: expected an object");
    }
    out->root = root;
    yajl_val id = cdp_get(root, "id");
    if (id) {
        if (!YAJL_IS_INTEGER(id) || id->u.number.i < 0) {
            cdp_msg_free(out);
            return pw_err_set(err, PW_ERR_PARSE, "devtools message: field id: expected an integer");
        }
        out->id = (long)id->u.number.i;
    }
    out->method = cdp_str(root, "method");
    out->session = cdp_str(root, "sessionId");
    out->params = cdp_get(root, "params");
    out->result = cdp_get(root, "result");
    yajl_val e = cdp_get(root, "error");
    if (e) {
        out->error = cdp_str(e, "message");
        if (!out->error)
            out->error = "unknown protocol error";
    }
    if (out->id < 0 && !out->method) {
        cdp_msg_free(out);
        return pw_err_set(err, PW_ERR_PARSE, "devtools message: neither id nor method");
    }
    return PW_OK;
}
