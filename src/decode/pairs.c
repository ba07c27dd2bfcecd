/* pairs.c — the raw key/value list every body parser fills and every decoder reads. */
#include <string.h>

#include "decode_internal.h"

pw_status dk_pairs_push(pw_arena *a, dk_pairs *p, char *key, size_t key_len, char *value,
                        size_t value_len, pw_err *err)
{
    if (p->n >= DK_MAX_PAIRS)
        return pw_err_set(err, PW_ERR_LIMIT, "field '%.64s': more than %zu fields in one request",
                          key, DK_MAX_PAIRS);
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        pw_kv *v = pw_arena_alloc(a, cap * sizeof *v);
        if (!v)
            return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
        if (p->n)
            memcpy(v, p->v, p->n * sizeof *v);
        unsigned char *o = p->object ? pw_arena_calloc(a, cap, 1) : NULL;
        if (p->object && !o)
            return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
        if (o)
            memcpy(o, p->object, p->n);
        p->v = v;
        p->object = o;
        p->cap = cap;
    }
    if (p->object)
        p->object[p->n] = PW_OBJECT_UNKNOWN;
    pw_kv *kv = &p->v[p->n++];
    kv->key = key;
    kv->key_len = key_len;
    kv->value = value;
    kv->value_len = value_len;
    return PW_OK;
}

pw_status dk_pairs_set_object(pw_arena *a, dk_pairs *p, size_t i, pw_detect_object object)
{
    if (!p->object && !(p->object = pw_arena_calloc(a, p->cap, 1)))
        return PW_ERR_NOMEM;
    p->object[i] = (unsigned char)object;
    return PW_OK;
}

pw_detect_object dk_pairs_object(const dk_pairs *p, const pw_kv *kv)
{
    return p->object ? (pw_detect_object)p->object[kv - p->v] : PW_OBJECT_UNKNOWN;
}

const pw_kv *dk_pairs_find(const dk_pairs *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0)
            return &p->v[i];
    return NULL;
}

const char *dk_pairs_get(const dk_pairs *p, const char *key)
{
    const pw_kv *kv = dk_pairs_find(p, key);
    return kv ? kv->value : NULL;
}

int dk_looks_json(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i < n && (s[i] == '{' || s[i] == '[');
}

char *dk_dup(pw_arena *a, const char *s, size_t n)
{
    char *p = pw_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
