/*
 * ga_items.c — Google Analytics e-commerce items, decoded into one field per item attribute so
 * the products a visitor viewed or bought are judged as event data (CUSTOM_DATA, as Meta's
 * cd[contents] sub-fields are), each marked as a thing's (PW_OBJECT_THING: an item's name is a
 * product's, not a person's). The raw wire parameters stay as they are beside them.
 *
 *   GA4  pr1=idSKU-881~nmHIV Home Test Kit~caTesting~k0size~v0large
 *        → items[0].item_id, items[0].item_name, items[0].item_category, items[0].size
 *        (each "~" element: a two-letter code and its value; kN/vN a custom item parameter)
 *   UA   pr1nm=…, pr1ca=…             → items[0].item_name, items[0].item_category
 *        il1nm=…, il1pi2nm=…          → item_lists[0].item_list_name,
 *                                       item_lists[0].items[1].item_name (impressions)
 *        promo1nm=…                   → promotions[0].promotion_name
 */
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"

/* Elements decoded per GA4 item: gtag.js sends at most ~17 standard and 27 custom ones; the rest
 * of a longer value stays in the raw field only (a hostile value cannot make a field each). */
#define DK_MAX_ITEM_PARAMS 128
/* Item, list and promotion numbers (UA allows 1..200). */
#define DK_MAX_ITEM_INDEX 999

typedef struct code_name {
    const char *code, *name;
} code_name;

/* GA4's item element codes (gtag.js) and UA's product parameters, by their GA4 names. */
static const code_name ga4_codes[] = {
    {"id", "item_id"},
    {"nm", "item_name"},
    {"br", "item_brand"},
    {"ca", "item_category"},
    {"c2", "item_category2"},
    {"c3", "item_category3"},
    {"c4", "item_category4"},
    {"c5", "item_category5"},
    {"va", "item_variant"},
    {"pr", "price"},
    {"qt", "quantity"},
    {"cp", "coupon"},
    {"ds", "discount"},
    {"af", "affiliation"},
    {"lp", "index"},
    {"li", "item_list_id"},
    {"ln", "item_list_name"},
    {"lo", "location_id"},
    {NULL, NULL},
};

static const code_name ua_product_codes[] = {
    {"id", "item_id"},      {"nm", "item_name"}, {"br", "item_brand"}, {"ca", "item_category"},
    {"va", "item_variant"}, {"pr", "price"},     {"qt", "quantity"},   {"cc", "coupon"},
    {"ps", "index"},        {NULL, NULL},
};

static const code_name ua_promo_codes[] = {
    {"id", "promotion_id"},
    {"nm", "promotion_name"},
    {"cr", "creative_name"},
    {"ps", "creative_slot"},
    {NULL, NULL},
};

/* The name of a code (n bytes), or NULL when the table does not know it. */
static const char *code_lookup(const code_name *t, const char *code, size_t n)
{
    for (; t->code; t++)
        if (strlen(t->code) == n && memcmp(t->code, code, n) == 0)
            return t->name;
    return NULL;
}

/* Digits at *s as a number 1..DK_MAX_ITEM_INDEX, *s moved past them; 0 when there are none or
 * the number is out of range. */
static long item_number(const char **s)
{
    const char *p = *s;
    long v = 0;
    while (*p >= '0' && *p <= '9' && v <= DK_MAX_ITEM_INDEX)
        v = v * 10 + (*p++ - '0');
    if (p == *s || v < 1 || v > DK_MAX_ITEM_INDEX)
        return 0;
    *s = p;
    return v;
}

static pw_status add_item_field(dk_ctx *ctx, dk_builder *bb, const char *key, const char *value,
                                size_t value_len, pw_err *err)
{
    if (!key)
        return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
    pw_status st = dk_add(ctx, bb, key, value, value_len, PW_FIELD_CUSTOM_DATA, err);
    if (st == PW_OK)
        bb->b.fields[bb->b.n_fields - 1].object = PW_OBJECT_THING;
    return st;
}

/* ---- GA4: pr<N>=<code><value>~<code><value>… ---- */

/* The name a custom value vN gets: the same item's kN element's value, else "vN". */
static const char *custom_name(pw_arena *a, const char *item, size_t n, const char *num,
                               size_t num_len)
{
    for (size_t at = 0; at < n;) {
        const char *end = memchr(item + at, '~', n - at);
        size_t len = end ? (size_t)(end - (item + at)) : n - at;
        const char *e = item + at;
        if (len > 1 + num_len && e[0] == 'k' && memcmp(e + 1, num, num_len) == 0 &&
            !(e[1 + num_len] >= '0' && e[1 + num_len] <= '9'))
            return dk_dup(a, e + 1 + num_len, len - 1 - num_len);
        at += len + 1;
    }
    return pw_arena_sprintf(a, "v%.*s", (int)num_len, num);
}

/* One "~" element of item `idx`. kN elements only name a vN and give no field of their own. */
static pw_status ga4_element(dk_ctx *ctx, dk_builder *bb, long idx, const char *item, size_t n,
                             const char *e, size_t len, size_t *customs, pw_err *err)
{
    if (len < 3)
        return PW_OK; /* a code without a value */
    size_t digits = 0;
    while (1 + digits < len && e[1 + digits] >= '0' && e[1 + digits] <= '9')
        digits++;
    if (e[0] == 'k' && digits)
        return PW_OK;
    const char *name = NULL, *value = e + 2;
    if (e[0] == 'v' && digits) {
        /* each lookup reads the item once: a bounded number keeps the item linear */
        name = ++*customs <= 32 ? custom_name(ctx->a, item, n, e + 1, digits)
                                : pw_arena_sprintf(ctx->a, "v%.*s", (int)digits, e + 1);
        value = e + 1 + digits;
    } else {
        name = code_lookup(ga4_codes, e, 2);
        if (!name)
            name = dk_dup(ctx->a, e, 2);
    }
    size_t vlen = len - (size_t)(value - e);
    if (!vlen)
        return PW_OK;
    char *v = dk_dup(ctx->a, value, vlen);
    char *key = name && v ? pw_arena_sprintf(ctx->a, "items[%ld].%s", idx - 1, name) : NULL;
    return add_item_field(ctx, bb, key, v, vlen, err);
}

static pw_status ga4_item(dk_ctx *ctx, dk_builder *bb, const pw_kv *kv, pw_err *err)
{
    const char *k = kv->key;
    if (k[0] != 'p' || k[1] != 'r')
        return PW_OK;
    k += 2;
    long idx = item_number(&k);
    if (!idx || *k)
        return PW_OK;
    const char *s = kv->value;
    size_t n = kv->value_len, customs = 0, count = 0;
    for (size_t at = 0; at < n && count < DK_MAX_ITEM_PARAMS; count++) {
        const char *end = memchr(s + at, '~', n - at);
        size_t len = end ? (size_t)(end - (s + at)) : n - at;
        pw_status st = ga4_element(ctx, bb, idx, s, n, s + at, len, &customs, err);
        if (st != PW_OK)
            return st;
        at += len + 1;
    }
    return PW_OK;
}

/* ---- UA: pr<N><param>, il<L>nm, il<L>pi<N><param>, promo<N><param> ---- */

/* "cd3" → "dimension3", "cm2" → "metric2"; else the table's name or the code as sent. */
static const char *ua_param_name(pw_arena *a, const code_name *t, const char *code)
{
    const char *num = code + 2;
    if ((strncmp(code, "cd", 2) == 0 || strncmp(code, "cm", 2) == 0) && item_number(&num) && !*num)
        return pw_arena_sprintf(a, "%s%s", code[1] == 'd' ? "dimension" : "metric", code + 2);
    const char *name = code_lookup(t, code, strlen(code));
    return name ? name : code;
}

/* The number after `prefix` at the start of k (*rest: what follows it), or 0. */
static long numbered(const char *k, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(k, prefix, n) != 0)
        return 0;
    *rest = k + n;
    return item_number(rest);
}

/* The decoded key of a UA e-commerce parameter, or NULL when `k` is none (*nomem set when it is
 * one but the key could not be made). */
static const char *ua_item_key(pw_arena *a, const char *k, int *nomem)
{
    const char *p = "", *q = "";
    char *key = NULL;
    long i, j;
    if ((i = numbered(k, "promo", &p)) && *p)
        key = pw_arena_sprintf(a, "promotions[%ld].%s", i - 1, ua_param_name(a, ua_promo_codes, p));
    else if ((i = numbered(k, "pr", &p)) && *p)
        key = pw_arena_sprintf(a, "items[%ld].%s", i - 1, ua_param_name(a, ua_product_codes, p));
    else if ((i = numbered(k, "il", &p)) && strcmp(p, "nm") == 0)
        key = pw_arena_sprintf(a, "item_lists[%ld].item_list_name", i - 1);
    else if (i && (j = numbered(p, "pi", &q)) && *q)
        key = pw_arena_sprintf(a, "item_lists[%ld].items[%ld].%s", i - 1, j - 1,
                               ua_param_name(a, ua_product_codes, q));
    else
        return NULL;
    *nomem = key == NULL;
    return key;
}

pw_status dk_ga_items(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, int ga4, pw_err *err)
{
    for (size_t i = 0; i < p->n; i++) {
        const pw_kv *kv = &p->v[i];
        if (!kv->value_len)
            continue;
        pw_status st = PW_OK;
        if (ga4) {
            st = ga4_item(ctx, bb, kv, err);
        } else {
            int nomem = 0;
            const char *key = ua_item_key(ctx->a, kv->key, &nomem);
            if (key || nomem)
                st = add_item_field(ctx, bb, key, kv->value, kv->value_len, err);
        }
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}
