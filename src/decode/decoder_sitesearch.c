/*
 * decoder_sitesearch.c — hosted site-search services: the page sends what the visitor typed into
 * the site's search box to the vendor, in the vendor's own parameter. One beacon of every query
 * and body pair; the visitor's query is a SEARCH_TERM field, the application, organisation,
 * engine or search-engine ID the account:
 *   Algolia        query (URL, JSON body, and inside the url-encoded `params` string of each
 *                  multi-query request: requests.0.params → requests.0.params.query);
 *                  x-algolia-application-id
 *   Coveo          q (search API), queryText (usage analytics); organizationId
 *   Yext Search    input (answers/query, vertical/query); experienceKey
 *   Swiftype and Elastic App Search   q (Site Search), query (App Search); engine_key
 *   Google Programmable Search        q (cse.google.com/cse/element, customsearch/v1); cx
 * The rules count these fields as a site search because the catalog entry names this decoder
 * (docs/rules.md, PW-SEARCH-TERM): a generic third party's q=85 stays none.
 */
#include <string.h>

#include "decode_internal.h"

/* The last dotted component of a key, lower-cased into buf ("requests.0.params.query" →
 * "query"); "" when it does not fit. */
static const char *leaf_lower(const char *key, char *buf, size_t cap)
{
    const char *dot = strrchr(key, '.');
    const char *k = dot ? dot + 1 : key;
    size_t n = strlen(k);
    if (n >= cap)
        return "";
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] - 'A' + 'a' : k[i]);
    buf[n] = '\0';
    return buf;
}

static int in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(k, *list) == 0)
            return 1;
    return 0;
}

static pw_field_kind sitesearch_kind(const char *key)
{
    static const char *const query[] = {"query", "q", "input", "querytext", NULL};
    static const char *const account[] = {
        "x-algolia-application-id", "organizationid", "engine_key", "cx", "experiencekey", NULL};
    static const char *const secret[] = {"x-algolia-api-key", "x-algolia-agent", "api_key",
                                         "access_token",      "cse_tok",         NULL};
    char buf[32];
    const char *k = leaf_lower(key, buf, sizeof buf);
    if (in_list(k, query))
        return PW_FIELD_SEARCH_TERM;
    if (in_list(k, account))
        return PW_FIELD_ACCOUNT;
    if (in_list(k, secret))
        return PW_FIELD_OTHER; /* a public search key, not the visitor */
    return dk_generic_kind(key);
}

/* Algolia's `params` ("query=knee%20pain&hitsPerPage=20"): its pairs as "<key>.<name>". */
static pw_status add_params_string(dk_ctx *ctx, dk_builder *bb, const pw_kv *kv, pw_err *err)
{
    dk_pairs sub = {0};
    if (dk_body_form(ctx->a, kv->value, kv->value_len, &sub, NULL) != PW_OK)
        return PW_OK; /* not a form string after all: the raw field stays */
    for (size_t i = 0; i < sub.n; i++) {
        char *key = pw_arena_sprintf(ctx->a, "%s.%s", kv->key, sub.v[i].key);
        if (!key)
            return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
        pw_status st =
            dk_add(ctx, bb, key, sub.v[i].value, sub.v[i].value_len, sitesearch_kind(key), err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

static int is_params_string(const pw_kv *kv)
{
    char buf[16];
    return strcmp(leaf_lower(kv->key, buf, sizeof buf), "params") == 0 &&
           memchr(kv->value, '=', kv->value_len) != NULL;
}

static pw_status add_all(dk_ctx *ctx, dk_builder *bb, const dk_pairs *p, pw_err *err)
{
    for (size_t i = 0; i < p->n; i++) {
        const pw_kv *kv = &p->v[i];
        pw_status st = dk_add_kv(ctx, bb, p, kv, sitesearch_kind(kv->key), err);
        if (st == PW_OK && is_params_string(kv))
            st = add_params_string(ctx, bb, kv, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

/* The body's pairs: JSON whatever its Content-Type says (Algolia's clients send JSON as
 * x-www-form-urlencoded to skip the CORS preflight), else by Content-Type. */
static pw_status body_pairs(dk_ctx *ctx, dk_pairs *body, const char **transport, pw_err *err)
{
    const pw_request *r = ctx->req;
    const char *s = (const char *)r->body;
    if (!s || r->body_len == 0 || r->body_len > DK_MAX_BODY || !dk_looks_json(s, r->body_len))
        return dk_request_body_pairs(ctx, body, transport, err);
    *transport = "json";
    return dk_body_json(ctx->a, "", s, r->body_len, body, err);
}

static pw_status decode_sitesearch(dk_ctx *ctx, pw_err *err)
{
    dk_pairs body = {0};
    const char *transport;
    pw_status st = body_pairs(ctx, &body, &transport, err);
    if (st != PW_OK)
        return st;
    dk_builder bb;
    dk_builder_init(ctx, &bb, PW_BEACON_EVENT, transport);
    st = add_all(ctx, &bb, &ctx->query, err);
    if (st == PW_OK)
        st = add_all(ctx, &bb, &body, err);
    if (st != PW_OK)
        return st;
    return dk_emit(ctx, &bb, err);
}

const pw_decoder dk_decoder_sitesearch = {"sitesearch", decode_sitesearch};
