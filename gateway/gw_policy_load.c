/*
 * gw_policy_load.c — read the gateway's YAML policy (libyaml) into a pw_gw_policy, with every
 * error naming file:line:column and the key path ("gateway.yaml:14:7:
 * destinations.meta.allow_params: expected a list"). Unknown keys are errors: a typo in a
 * privacy policy must not silently widen or narrow what is disclosed.
 */
#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "forward_ga4.h"
#include "gw_normalize.h"
#include "gw_policy.h"
#include "gw_prio.h"

#define PW_GW_POLICY_MAX_BYTES (4u << 20) /* a policy is a few KB; refuse, never truncate */

typedef struct load_ctx {
    const char *name; /* file name for messages */
    const char *dir;  /* for relative secret files, or NULL */
    yaml_document_t *doc;
    pw_gw_policy *p;
    int resolve;
    pw_err *err;
} load_ctx;

__attribute__((format(printf, 4, 5))) static pw_status
fail_at(load_ctx *c, yaml_node_t *n, const char *path, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t line = n ? n->start_mark.line + 1 : 1, col = n ? n->start_mark.column + 1 : 1;
    return pw_err_set(c->err, PW_ERR_INVALID, "%s:%zu:%zu: %s: %s", c->name, line, col, path, msg);
}

static yaml_node_t *node_at(load_ctx *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static char *join(load_ctx *c, const char *path, const char *key)
{
    return pw_arena_sprintf(&c->p->arena, "%s%s%s", path, path[0] ? "." : "", key);
}

static pw_status expect(load_ctx *c, yaml_node_t *n, yaml_node_type_t t, const char *path)
{
    if (n && n->type == t)
        return PW_OK;
    const char *what = t == YAML_MAPPING_NODE    ? "expected a mapping"
                       : t == YAML_SEQUENCE_NODE ? "expected a list"
                                                 : "expected a scalar value";
    return fail_at(c, n, path, "%s", what);
}

static pw_status get_str(load_ctx *c, yaml_node_t *n, const char *path, const char **out)
{
    pw_status st = expect(c, n, YAML_SCALAR_NODE, path);
    if (st != PW_OK)
        return st;
    if (!scalar(n)[0])
        return fail_at(c, n, path, "must not be empty");
    *out = pw_arena_strdup(&c->p->arena, scalar(n));
    return *out ? PW_OK : pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
}

static pw_status get_uint(load_ctx *c, yaml_node_t *n, const char *path, unsigned long long max,
                          unsigned long long *out)
{
    pw_status st = expect(c, n, YAML_SCALAR_NODE, path);
    if (st != PW_OK)
        return st;
    char *end = NULL;
    errno = 0;
    const char *s = scalar(n);
    unsigned long long v = strtoull(s, &end, 10);
    if (!s[0] || *end || errno || s[0] == '-' || v > max)
        return fail_at(c, n, path, "expected an integer from 0 to %llu", max);
    *out = v;
    return PW_OK;
}

static pw_status get_enum(load_ctx *c, yaml_node_t *n, const char *path, const char *const *names,
                          int *out)
{
    pw_status st = expect(c, n, YAML_SCALAR_NODE, path);
    if (st != PW_OK)
        return st;
    char choices[160] = "";
    for (int i = 0; names[i]; i++) {
        if (strcmp(scalar(n), names[i]) == 0) {
            *out = i;
            return PW_OK;
        }
        strncat(choices, i ? " | " : "", sizeof choices - strlen(choices) - 1);
        strncat(choices, names[i], sizeof choices - strlen(choices) - 1);
    }
    return fail_at(c, n, path, "expected one of: %s", choices);
}

static pw_status get_bool(load_ctx *c, yaml_node_t *n, const char *path, int *out)
{
    static const char *const bools[] = {"false", "true", NULL};
    return get_enum(c, n, path, bools, out);
}

static pw_status get_str_list(load_ctx *c, yaml_node_t *n, const char *path, const char ***out,
                              size_t *n_out)
{
    pw_status st = expect(c, n, YAML_SEQUENCE_NODE, path);
    if (st != PW_OK)
        return st;
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    const char **v = pw_arena_calloc(&c->p->arena, cnt ? cnt : 1, sizeof *v);
    if (!v)
        return pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
    for (size_t i = 0; i < cnt; i++) {
        char *sub = pw_arena_sprintf(&c->p->arena, "%s[%zu]", path, i);
        if ((st = get_str(c, node_at(c, n->data.sequence.items.start[i]), sub, &v[i])) != PW_OK)
            return st;
    }
    *out = v;
    *n_out = cnt;
    return PW_OK;
}

/* Secrets: a file (relative to the config) or an environment variable; trailing space cut. */
static pw_status read_secret(load_ctx *c, yaml_node_t *n, const char *path, int from_env,
                             const char **out, size_t *len_out, const char **source)
{
    const char *ref;
    pw_status st = get_str(c, n, path, &ref);
    if (st != PW_OK)
        return st;
    *source = pw_arena_sprintf(&c->p->arena, "%s %s", from_env ? "env" : "file", ref);
    if (!c->resolve)
        return PW_OK;
    char *val = NULL;
    size_t len = 0;
    if (from_env) {
        const char *e = getenv(ref);
        if (!e || !e[0])
            return fail_at(c, n, path, "environment variable %s is not set", ref);
        val = pw_arena_strdup(&c->p->arena, e);
        len = strlen(e);
    } else {
        char *full = (ref[0] == '/' || !c->dir)
                         ? pw_arena_strdup(&c->p->arena, ref)
                         : pw_arena_sprintf(&c->p->arena, "%s/%s", c->dir, ref);
        FILE *f = full ? fopen(full, "rb") : NULL;
        if (!f)
            return fail_at(c, n, path, "cannot read %s: %s", ref, strerror(errno));
        struct stat sb;
        if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode)) { /* fopen opens a directory */
            fclose(f);
            return fail_at(c, n, path, "cannot read %s: %s", ref,
                           S_ISDIR(sb.st_mode) ? "a directory, not a file holding the secret"
                                               : "not a regular file");
        }
        char buf[4096];
        len = fread(buf, 1, sizeof buf - 1, f);
        int whole = len < sizeof buf - 1 ? !ferror(f) : fgetc(f) == EOF && !ferror(f);
        fclose(f);
        buf[len] = '\0';
        /* A token cut at the buffer's end would be sent and refused upstream for a reason nobody
         * could see: refuse the file here. */
        val = whole ? pw_arena_memdup(&c->p->arena, buf, len + 1) : NULL;
        explicit_bzero(buf, sizeof buf); /* the secret's only copy outside the policy's arena */
        if (!whole)
            return fail_at(c, n, path, "cannot read %s: %s", ref,
                           len == sizeof buf - 1 ? "larger than 4095 bytes (a token is shorter)"
                                                 : "read error");
    }
    while (val && len && (val[len - 1] == '\n' || val[len - 1] == '\r' || val[len - 1] == ' '))
        val[--len] = '\0';
    if (!val || !len)
        return fail_at(c, n, path, "secret is empty");
    *out = val;
    if (len_out)
        *len_out = len;
    return PW_OK;
}

/* Iterate a mapping: calls fn(key, value node) for each pair; keys must be scalars. */
typedef pw_status (*pair_fn)(load_ctx *c, const char *key, yaml_node_t *kn, yaml_node_t *v,
                             const char *path, void *arg);

static pw_status each_pair(load_ctx *c, yaml_node_t *map, const char *path, pair_fn fn, void *arg)
{
    pw_status st = expect(c, map, YAML_MAPPING_NODE, path);
    if (st != PW_OK)
        return st;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node_at(c, pr->key), *v = node_at(c, pr->value);
        if (!scalar(k))
            return fail_at(c, k, path, "keys must be plain names");
        char *sub = join(c, path, scalar(k)); /* the member's path, for its errors */
        if (!sub)
            return pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pr; q++)
            if (scalar(node_at(c, q->key)) && strcmp(scalar(node_at(c, q->key)), scalar(k)) == 0)
                return fail_at(c, k, sub, "duplicate key");
        if ((st = fn(c, scalar(k), k, v, sub, arg)) != PW_OK)
            return st;
    }
    return PW_OK;
}

static pw_status unknown_key(load_ctx *c, yaml_node_t *kn, const char *path)
{
    return fail_at(c, kn, path, "unknown key");
}

/* ---- site, ingest ---------------------------------------------------------------------- */

static pw_status site_pair(load_ctx *c, const char *key, yaml_node_t *kn, yaml_node_t *v,
                           const char *path, void *arg)
{
    pw_gw_policy *p = c->p;
    if (strcmp(key, "origins") == 0) {
        pw_status st = get_str_list(c, v, path, &p->origins, &p->n_origins);
        for (size_t i = 0; st == PW_OK && i < p->n_origins; i++)
            if (strncmp(p->origins[i], "http://", 7) && strncmp(p->origins[i], "https://", 8))
                return fail_at(c, v, path, "origin '%s' must start with http:// or https://",
                               p->origins[i]);
        return st;
    }
    if (strcmp(key, "hmac_key_file") == 0 || strcmp(key, "hmac_key_env") == 0) {
        const char *k = NULL;
        pw_status st =
            read_secret(c, v, path, key[9] == 'e', &k, &p->site_key_len, &p->site_key_source);
        if (st == PW_OK && c->resolve && p->site_key_len < 16)
            return fail_at(c, v, path, "site key must be at least 16 bytes");
        p->site_key = (const unsigned char *)k;
        return st;
    }
    if (strcmp(key, "default_country") == 0) {
        const char *cc = scalar(v);
        if (!cc || !pw_gw_country_known(cc))
            return fail_at(c, v, path,
                           "expected a two-letter ISO 3166-1 code whose calling code this "
                           "gateway knows (US, CA, GB, IE, FR, DE, ES, IT, NL, AU, …: "
                           "docs/gateway.md)");
        char *up = pw_arena_strndup(&p->arena, cc, 2);
        if (!up)
            return pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
        up[0] = (char)toupper((unsigned char)up[0]);
        up[1] = (char)toupper((unsigned char)up[1]);
        p->default_country = up;
        return PW_OK;
    }
    return unknown_key(c, kn, path);
}

static pw_status rate_pair(load_ctx *c, const char *key, yaml_node_t *kn, yaml_node_t *v,
                           const char *path, void *arg)
{
    unsigned long long x;
    pw_status st;
    if (strcmp(key, "per_second") == 0) {
        if ((st = get_uint(c, v, path, 1000000, &x)) == PW_OK)
            c->p->rate_per_sec = (double)x;
        return st;
    }
    if (strcmp(key, "burst") == 0) {
        if ((st = get_uint(c, v, path, 1000000, &x)) == PW_OK)
            c->p->rate_burst = (double)x;
        return st;
    }
    return unknown_key(c, kn, path);
}

static pw_status ingest_pair(load_ctx *c, const char *key, yaml_node_t *kn, yaml_node_t *v,
                             const char *path, void *arg)
{
    unsigned long long x;
    pw_status st;
    if (strcmp(key, "max_body") == 0) {
        if ((st = get_uint(c, v, path, 16u << 20, &x)) == PW_OK && x < 256)
            return fail_at(c, v, path, "must be at least 256 bytes");
        c->p->max_body = (size_t)x;
        return st;
    }
    if (strcmp(key, "max_events") == 0) {
        if ((st = get_uint(c, v, path, 1000, &x)) == PW_OK && x < 1)
            return fail_at(c, v, path, "must be at least 1");
        c->p->limits.max_events = (size_t)x;
        return st;
    }
    if (strcmp(key, "rate_limit") == 0)
        return each_pair(c, v, path, rate_pair, NULL);
    if (strcmp(key, "trust_proxy") == 0) {
        static const char *const bools[] = {"false", "true", NULL};
        int b = 0;
        if ((st = get_enum(c, v, path, bools, &b)) == PW_OK)
            c->p->trust_proxy = b;
        return st;
    }
    return unknown_key(c, kn, path);
}

/* ---- delivery --------------------------------------------------------------------------- */

static pw_status delivery_pair(load_ctx *c, const char *key, yaml_node_t *kn, yaml_node_t *v,
                               const char *path, void *arg)
{
    unsigned long long x;
    pw_status st;
    if (strcmp(key, "nice") == 0) {
        if ((st = get_uint(c, v, path, PW_GW_NICE_MAX, &x)) == PW_OK)
            c->p->delivery_nice = (int)x;
        return st;
    }
    if (strcmp(key, "boost_lag_ms") == 0) {
        if ((st = get_uint(c, v, path, 86400000, &x)) == PW_OK)
            c->p->delivery_boost_lag_ms = (unsigned)x;
        return st;
    }
    return unknown_key(c, kn, path);
}

/* ---- destinations ---------------------------------------------------------------------- */

static int valid_event_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

static pw_status events_map(load_ctx *c, yaml_node_t *v, const char *path, pw_gw_dest_policy *d)
{
    pw_status st = expect(c, v, YAML_MAPPING_NODE, path);
    if (st != PW_OK)
        return st;
    size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (!cnt)
        return fail_at(c, v, path, "must allow at least one event");
    d->events = pw_arena_calloc(&c->p->arena, cnt, sizeof *d->events);
    if (!d->events)
        return pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_pair_t *pr = &v->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(c, pr->key), *val = node_at(c, pr->value);
        if (!scalar(k) || !scalar(k)[0])
            return fail_at(c, k, path, "event names must be plain names");
        char *sub = join(c, path, scalar(k));
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->events[j].from, scalar(k)) == 0)
                return fail_at(c, k, sub, "duplicate key");
        d->events[i].from = pw_arena_strdup(&c->p->arena, scalar(k));
        if ((st = get_str(c, val, sub, &d->events[i].to)) != PW_OK)
            return st;
        if (!valid_event_name(d->events[i].to))
            return fail_at(c, val, sub, "taxonomy name must be 1-40 letters, digits or '_'");
    }
    d->n_events = cnt;
    return PW_OK;
}

static pw_status categories_map(load_ctx *c, yaml_node_t *v, const char *path, pw_gw_dest_policy *d)
{
    pw_status st = expect(c, v, YAML_MAPPING_NODE, path);
    if (st != PW_OK)
        return st;
    size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    d->categories = pw_arena_calloc(&c->p->arena, cnt ? cnt : 1, sizeof *d->categories);
    if (!d->categories)
        return pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_pair_t *pr = &v->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(c, pr->key), *val = node_at(c, pr->value);
        if (!scalar(k) || scalar(k)[0] != '/')
            return fail_at(c, k, path, "keys must be path globs starting with '/'");
        char *sub = join(c, path, scalar(k));
        d->categories[i].glob = pw_arena_strdup(&c->p->arena, scalar(k));
        if ((st = get_str(c, val, sub, &d->categories[i].category)) != PW_OK)
            return st;
        if (!valid_event_name(d->categories[i].category))
            return fail_at(c, val, sub, "category must be 1-40 letters, digits or '_'");
        d->categories[i].line = (unsigned)val->start_mark.line + 1;
        d->categories[i].col = (unsigned)val->start_mark.column + 1;
    }
    d->n_categories = cnt;
    return PW_OK;
}

static pw_status user_data_list(load_ctx *c, yaml_node_t *v, const char *path, pw_gw_dest_policy *d)
{
    pw_status st = get_str_list(c, v, path, &d->user_data, &d->n_user_data);
    for (size_t i = 0; st == PW_OK && i < d->n_user_data; i++) {
        const char *k = d->user_data[i];
        char padded[32];
        snprintf(padded, sizeof padded, " %.20s ", k);
        if (!strstr(" " PW_GW_USER_KEYS " ", padded))
            return fail_at(c, node_at(c, v->data.sequence.items.start[i]),
                           pw_arena_sprintf(&c->p->arena, "%s[%zu]", path, i),
                           "unknown user_data key (allowed: %s)", PW_GW_USER_KEYS);
    }
    return st;
}

static const char *const url_modes[] = {"drop", "origin", "categories", NULL};
static const char *const ref_modes[] = {"drop", "origin", NULL};
static const char *const ip_modes[] = {"drop", "truncate", NULL};
static const char *const keep_modes[] = {"drop", "keep", NULL};
static const char *const fpid_modes[] = {"drop", "hmac", NULL};
static const char *const phi_modes[] = {"redact", "drop", NULL};
static const char *const consent_modes[] = {"denied", "visitor", NULL};
static const char *const type_names[] = {"meta", "ga4", "webhook", NULL};
static const char *const consent_reqs[] = {"none", "ads", "analytics", NULL};
static const char *const script_modes[] = {"latin", "any", NULL};
static const char *const http2_modes[] = {"auto", "prior-knowledge", "off",
                                          NULL}; /* pw_dest_http2 */

/* referrer_origins: origins ("https://host[:port]") or "*" for any whose host passes the engine. */
static pw_status referrer_list(load_ctx *c, yaml_node_t *v, const char *path, pw_gw_dest_policy *d)
{
    if (v->type == YAML_SCALAR_NODE && strcmp((const char *)v->data.scalar.value, "*") == 0) {
        /* referrer_origins: "*" as docs/gateway.md writes it, the same as ["*"] */
        const char **any = pw_arena_calloc(&c->p->arena, 1, sizeof *any);
        if (!any)
            return pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
        any[0] = "*";
        d->referrer_origins = any;
        d->n_referrer_origins = 1;
        d->referrer_any = 1;
        return PW_OK;
    }
    pw_status st = get_str_list(c, v, path, &d->referrer_origins, &d->n_referrer_origins);
    for (size_t i = 0; st == PW_OK && i < d->n_referrer_origins; i++) {
        const char *o = d->referrer_origins[i];
        if (strcmp(o, "*") == 0) {
            d->referrer_any = 1;
            continue;
        }
        const char *host = !strncmp(o, "https://", 8)  ? o + 8
                           : !strncmp(o, "http://", 7) ? o + 7
                                                       : NULL;
        if (!host || !host[0] || strchr(host, '/') || strchr(host, '?'))
            return fail_at(c, node_at(c, v->data.sequence.items.start[i]),
                           pw_arena_sprintf(&c->p->arena, "%s[%zu]", path, i),
                           "expected an origin (https://host[:port], no path) or \"*\"");
    }
    return st;
}

/* 1 when the URL's host is a loopback address (a mock, a local relay): 127.x.y.z, localhost
 * or [::1], ending at the port, the path or the end. */
static int loopback_host(const char *after_scheme)
{
    size_t n = strcspn(after_scheme, "/?#");
    if (after_scheme[0] == '[')
        return strncmp(after_scheme, "[::1]", 5) == 0 && (n == 5 || after_scheme[5] == ':');
    size_t host = strcspn(after_scheme, ":/?#");
    if (host == 9 && strncmp(after_scheme, "localhost", 9) == 0)
        return 1;
    if (host < 4 || strncmp(after_scheme, "127.", 4) != 0)
        return 0;
    for (size_t i = 0; i < host; i++)
        if (!(after_scheme[i] == '.' || (after_scheme[i] >= '0' && after_scheme[i] <= '9')))
            return 0;
    return 1;
}

/* base_url / url: https://, or http:// to a loopback address only — events (hashed
 * identifiers, pseudonyms, what a visitor did at a hospital) never cross a network in clear. */
static pw_status get_endpoint(load_ctx *c, yaml_node_t *v, const char *path, const char **out)
{
    pw_status st = get_str(c, v, path, out);
    if (st != PW_OK || strncmp(*out, "https://", 8) == 0)
        return st;
    if (strncmp(*out, "http://", 7) == 0 && loopback_host(*out + 7))
        return PW_OK;
    return fail_at(c, v, path,
                   "expected an https:// URL (plain http:// only to a loopback address: events "
                   "must not cross a network unencrypted)");
}

/* proxy: none (the default: environment proxies ignored), env, or a proxy URL
 * (http, https, socks5, socks5h; no credentials, as secrets never live in the policy file:
 * refused, never quoted back, and never printed since no URL holding them is accepted). A
 * plain-http destination (loopback only) takes only a loopback proxy, or its events would cross
 * a network unencrypted. */
static pw_status get_proxy(load_ctx *c, yaml_node_t *v, const char *path, pw_destination *x)
{
    static const char *const schemes[] = {"http://", "https://", "socks5://", "socks5h://"};
    const char *s = NULL;
    pw_status st = get_str(c, v, path, &s);
    if (st != PW_OK)
        return st;
    if (strcmp(s, "none") == 0 || strcmp(s, "env") == 0) {
        x->proxy = strcmp(s, "env") == 0 ? s : NULL;
        return PW_OK;
    }
    const char *host = NULL;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0] && !host; i++)
        if (strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
            host = s + strlen(schemes[i]);
    if (!host || !*host || *host == '/' || *host == ':')
        return fail_at(c, v, path,
                       "expected none, env, or a proxy URL (http://, https://, socks5:// or "
                       "socks5h:// with a host)");
    if (strchr(host, '@'))
        return fail_at(c, v, path,
                       "credentials in the proxy URL are not supported (the policy file holds "
                       "no secrets): put user:password in the file named by proxy_auth_file or "
                       "the variable named by proxy_auth_env");
    x->proxy = s;
    return PW_OK;
}

static const char *const proxy_auth_names[] = {"basic", "digest", "ntlm", "any",
                                               NULL}; /* pw_proxy_auth */

/* proxy_auth_file / proxy_auth_env: the egress proxy's "user:password", read like the tokens
 * (a reload reads it again). A value without ':' or with an empty user name is refused here,
 * by place, never quoted. */
static pw_status get_proxy_auth(load_ctx *c, const char *key, yaml_node_t *v, const char *path,
                                pw_gw_dest_policy *d)
{
    int env = strcmp(key, "proxy_auth_env") == 0;
    pw_status st =
        read_secret(c, v, path, env, &d->dest.proxy_userpwd, NULL, &d->proxy_auth_source);
    if (st != PW_OK || !c->resolve)
        return st;
    const char *colon = strchr(d->dest.proxy_userpwd, ':');
    if (!colon || colon == d->dest.proxy_userpwd || colon - d->dest.proxy_userpwd > 255)
        return fail_at(c, v, path,
                       "the %s must hold user:password (a user name of 1-255 bytes, a colon, "
                       "the password) on one line",
                       env ? "variable" : "file");
    return PW_OK;
}

static pw_status dest_secret(load_ctx *c, const char *key, yaml_node_t *v, const char *path,
                             pw_gw_dest_policy *d, const char *base, const char **slot)
{
    size_t blen = strlen(base);
    int env = strcmp(key + blen, "_env") == 0;
    return read_secret(c, v, path, env, slot, NULL, &d->token_source);
}

/* An enum whose value `needs` is only there when libcurl has `feature` (checked at load, so that
 * the gateway does not start with a setting its libcurl would ignore). */
static pw_status get_curl_enum(load_ctx *c, yaml_node_t *v, const char *path,
                               const char *const *table, int needs, int feature,
                               const char *missing, int *out)
{
    pw_status st = get_enum(c, v, path, table, out);
    if (st == PW_OK && *out == needs && !(curl_version_info(CURLVERSION_NOW)->features & feature))
        return fail_at(c, v, path, "%s", missing);
    return st;
}

static pw_status dest_pair(load_ctx *c, const char *key, yaml_node_t *kn, yaml_node_t *v,
                           const char *path, void *arg)
{
    pw_gw_dest_policy *d = arg;
    pw_destination *x = &d->dest;
    unsigned long long u;
    int e;
    pw_status st;
#define STR_FIELD(name, slot)   \
    if (strcmp(key, name) == 0) \
        return get_str(c, v, path, &x->slot);
#define ENUM_FIELD(name, table, slot)                        \
    if (strcmp(key, name) == 0) {                            \
        if ((st = get_enum(c, v, path, table, &e)) == PW_OK) \
            d->slot = e;                                     \
        return st;                                           \
    }
    if (strcmp(key, "type") == 0) {
        if ((st = get_enum(c, v, path, type_names, &e)) == PW_OK)
            x->kind = (pw_dest_kind)e;
        return st;
    }
    STR_FIELD("pixel_id", pixel_id)
    STR_FIELD("api_version", api_version)
    if (strcmp(key, "base_url") == 0)
        return get_endpoint(c, v, path, &x->base_url);
    STR_FIELD("test_event_code", test_event_code)
    STR_FIELD("measurement_id", measurement_id)
    if (strcmp(key, "url") == 0)
        return get_endpoint(c, v, path, &x->url);
    if (!strcmp(key, "access_token_file") || !strcmp(key, "access_token_env"))
        return dest_secret(c, key, v, path, d, "access_token", &x->access_token);
    if (!strcmp(key, "api_secret_file") || !strcmp(key, "api_secret_env"))
        return dest_secret(c, key, v, path, d, "api_secret", &x->api_secret);
    if (!strcmp(key, "bearer_token_file") || !strcmp(key, "bearer_token_env"))
        return dest_secret(c, key, v, path, d, "bearer_token", &x->bearer_token);
    if (strcmp(key, "timeout_ms") == 0) {
        if ((st = get_uint(c, v, path, 60000, &u)) == PW_OK)
            x->timeout_ms = (unsigned)u;
        return st;
    }
    if (strcmp(key, "http2") == 0) {
        if ((st = get_curl_enum(
                 c, v, path, http2_modes, PW_HTTP2_PRIOR_KNOWLEDGE, CURL_VERSION_HTTP2,
                 "prior-knowledge needs a libcurl with HTTP/2 (nghttp2)", &e)) == PW_OK)
            x->http2 = (pw_dest_http2)e;
        return st;
    }
    if (strcmp(key, "proxy") == 0)
        return get_proxy(c, v, path, x);
    if (!strcmp(key, "proxy_auth_file") || !strcmp(key, "proxy_auth_env")) {
        if (d->proxy_auth_source)
            return fail_at(c, kn, path, "proxy_auth_file and proxy_auth_env: give one");
        return get_proxy_auth(c, key, v, path, d);
    }
    if (strcmp(key, "proxy_auth_scheme") == 0) {
        if ((st = get_curl_enum(c, v, path, proxy_auth_names, PW_PROXY_AUTH_NTLM, CURL_VERSION_NTLM,
                                "ntlm needs a libcurl built with NTLM", &e)) == PW_OK)
            x->proxy_auth = (pw_proxy_auth)e;
        return st;
    }
    if (strcmp(key, "hold") == 0)
        return get_bool(c, v, path, &x->hold);
    if (strcmp(key, "max_batch") == 0) {
        if ((st = get_uint(c, v, path, 1000, &u)) == PW_OK)
            x->max_batch = (unsigned)u;
        return st;
    }
    if (strcmp(key, "events") == 0)
        return events_map(c, v, path, d);
    if (strcmp(key, "allow_params") == 0)
        return get_str_list(c, v, path, &d->params, &d->n_params);
    if (strcmp(key, "page_categories") == 0)
        return categories_map(c, v, path, d);
    if (strcmp(key, "default_category") == 0) {
        d->default_category_line = v ? (unsigned)v->start_mark.line + 1 : 1;
        d->default_category_col = v ? (unsigned)v->start_mark.column + 1 : 1;
        return get_str(c, v, path, &d->default_category);
    }
    if (strcmp(key, "user_data") == 0)
        return user_data_list(c, v, path, d);
    if (strcmp(key, "referrer_origins") == 0)
        return referrer_list(c, v, path, d);
    ENUM_FIELD("page_url", url_modes, page_url)
    ENUM_FIELD("referrer", ref_modes, referrer)
    ENUM_FIELD("page_title", keep_modes, page_title)
    ENUM_FIELD("client_ip", ip_modes, client_ip)
    ENUM_FIELD("user_agent", keep_modes, user_agent)
    ENUM_FIELD("first_party_id", fpid_modes, first_party_id)
    ENUM_FIELD("phi", phi_modes, phi_strings)
    ENUM_FIELD("consent", consent_modes, ga4_consent_from_visitor)
    ENUM_FIELD("requires_consent", consent_reqs, requires_consent)
    ENUM_FIELD("text_scripts", script_modes, text_scripts)
#undef STR_FIELD
#undef ENUM_FIELD
    return unknown_key(c, kn, path);
}

/* The value node of key in a mapping, or NULL. */
static yaml_node_t *value_of(load_ctx *c, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++)
        if (scalar(node_at(c, q->key)) && strcmp(scalar(node_at(c, q->key)), key) == 0)
            return node_at(c, q->value);
    return NULL;
}

/* GA4 answers 2xx to names it refuses and drops the event: the policy must not produce them.
 * Checked with the forwarder's own validators (forward_ga4.h). */
static pw_status ga4_names(load_ctx *c, yaml_node_t *n, const char *path, pw_gw_dest_policy *d)
{
    yaml_node_t *ev = value_of(c, n, "events");
    for (size_t i = 0; ev && i < d->n_events; i++) {
        yaml_node_pair_t *pr = &ev->data.mapping.pairs.start[i];
        if (!pw_ga4_event_name_ok(d->events[i].to))
            return fail_at(c, node_at(c, pr->value),
                           join(c, join(c, path, "events"), d->events[i].from),
                           "'%s' is not an event name GA4 takes (1-40 letters, digits or '_', "
                           "starting with a letter; not reserved like session_start or "
                           "prefixed _, ad_, firebase_, ga_, google_, gtag.)",
                           d->events[i].to);
    }
    yaml_node_t *pl = value_of(c, n, "allow_params");
    for (size_t i = 0; pl && i < d->n_params; i++)
        if (!pw_ga4_param_name_ok(d->params[i]))
            return fail_at(c, node_at(c, pl->data.sequence.items.start[i]),
                           pw_arena_sprintf(&c->p->arena, "%s.allow_params[%zu]", path, i),
                           "'%s' is not a parameter name GA4 takes (1-40 letters, digits or '_', "
                           "starting with a letter; no prefix _, ad_, firebase_, ga_, google_, "
                           "gtag.)",
                           d->params[i]);
    if (pl && d->n_params > 21)
        return fail_at(c, pl, join(c, path, "allow_params"),
                       "at most 21 parameters (GA4 takes 25 an event; 4 are the page fields)");
    return PW_OK;
}

/* The fields the gateway writes itself into the object that carries the allowed params
 * (gw_policy_apply.c render_meta's custom_data, render_ga4's events[0].params): a client's param
 * of the same name would be sent beside the gateway's reduced value (a full page_location with a
 * patient's name in its path next to the origin). The webhook's params are an object of their
 * own. */
static const char *const meta_written[] = {"content_category", "referrer_origin", "page_title",
                                           NULL};
static const char *const ga4_written[] = {"page_location", "page_category", "page_referrer",
                                          "page_title", NULL};

static pw_status written_fields(load_ctx *c, yaml_node_t *n, const char *path,
                                const pw_gw_dest_policy *d)
{
    const char *const *w = d->dest.kind == PW_DEST_META_CAPI ? meta_written
                           : d->dest.kind == PW_DEST_GA4_MP  ? ga4_written
                                                             : NULL;
    yaml_node_t *pl = value_of(c, n, "allow_params");
    for (size_t i = 0; w && pl && i < d->n_params; i++)
        for (size_t k = 0; w[k]; k++)
            if (strcmp(d->params[i], w[k]) == 0)
                return fail_at(c, node_at(c, pl->data.sequence.items.start[i]),
                               pw_arena_sprintf(&c->p->arena, "%s.allow_params[%zu]", path, i),
                               "'%s' is a field the gateway writes itself (%s); a client's "
                               "value would be sent beside it",
                               w[k],
                               w == meta_written
                                   ? "meta custom_data: content_category, referrer_origin, "
                                     "page_title"
                                   : "ga4 params: page_location, page_category, page_referrer, "
                                     "page_title");
    return PW_OK;
}

static void consent_defaults(pw_gw_dest_policy *d)
{
    if ((int)d->requires_consent < 0)
        d->requires_consent = d->dest.kind == PW_DEST_META_CAPI ? PW_GW_CONSENT_ADS
                              : d->dest.kind == PW_DEST_GA4_MP  ? PW_GW_CONSENT_ANALYTICS
                                                                : PW_GW_CONSENT_NONE;
    if ((int)d->text_scripts < 0)
        d->text_scripts = d->dest.kind == PW_DEST_WEBHOOK ? PW_GW_SCRIPTS_ANY : PW_GW_SCRIPTS_LATIN;
}

/* Proxy credentials need a proxy to go to; a scheme needs credentials to use. */
static pw_status proxy_auth_check(load_ctx *c, yaml_node_t *n, const char *path,
                                  const pw_gw_dest_policy *d)
{
    yaml_node_t *scheme = value_of(c, n, "proxy_auth_scheme");
    if (d->proxy_auth_source && !d->dest.proxy) {
        const char *key = value_of(c, n, "proxy_auth_file") ? "proxy_auth_file" : "proxy_auth_env";
        return fail_at(c, value_of(c, n, key), join(c, path, key),
                       "proxy credentials need proxy: URL or proxy: env (proxy is none)");
    }
    if (scheme && !d->proxy_auth_source)
        return fail_at(c, scheme, join(c, path, "proxy_auth_scheme"),
                       "needs proxy_auth_file or proxy_auth_env (the credentials to use)");
    return PW_OK;
}

static pw_status dest_check(load_ctx *c, yaml_node_t *n, const char *path, pw_gw_dest_policy *d)
{
    pw_destination *x = &d->dest;
    pw_status st;
    consent_defaults(d);
    if (!d->n_events)
        return fail_at(c, n, path, "events: required (deny by default: list the events to send)");
    if (x->kind == PW_DEST_META_CAPI) {
        if (!x->pixel_id)
            return fail_at(c, n, path, "pixel_id: required for type meta");
        if (!d->token_source)
            return fail_at(c, n, path, "access_token_file or access_token_env: required");
        if (!x->base_url)
            x->base_url = "https://graph.facebook.com";
        if (!x->api_version)
            x->api_version = "v21.0";
    } else if (x->kind == PW_DEST_GA4_MP) {
        if (!x->measurement_id)
            return fail_at(c, n, path, "measurement_id: required for type ga4");
        if (!d->token_source)
            return fail_at(c, n, path, "api_secret_file or api_secret_env: required");
        if (!x->base_url)
            x->base_url = "https://www.google-analytics.com";
        if (d->n_user_data)
            return fail_at(c, n, path, "user_data: not allowed for ga4 (no user data to Google)");
        if ((st = ga4_names(c, n, path, d)) != PW_OK)
            return st;
    } else if (!x->url) {
        return fail_at(c, n, path, "url: required for type webhook");
    }
    if ((st = written_fields(c, n, path, d)) != PW_OK)
        return st;
    if (d->page_url == PW_GW_URL_CATEGORIES && !d->n_categories && !d->default_category)
        return fail_at(c, n, path, "page_url categories needs page_categories or default_category");
    if (!x->timeout_ms)
        x->timeout_ms = 1500;
    if ((st = proxy_auth_check(c, n, path, d)) != PW_OK)
        return st;
    const char *endpoint = x->kind == PW_DEST_WEBHOOK ? x->url : x->base_url;
    if (x->proxy && strcmp(x->proxy, "env") != 0 && strncmp(endpoint, "http://", 7) == 0 &&
        !loopback_host(strstr(x->proxy, "://") + 3))
        return fail_at(c, value_of(c, n, "proxy"), join(c, path, "proxy"),
                       "a plain-http endpoint (loopback only) takes only a loopback proxy: its "
                       "events would cross a network unencrypted");
    return PW_OK;
}

static pw_status destinations(load_ctx *c, yaml_node_t *v, const char *path)
{
    pw_status st = expect(c, v, YAML_MAPPING_NODE, path);
    if (st != PW_OK)
        return st;
    size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (!cnt)
        return fail_at(c, v, path, "at least one destination is needed");
    pw_gw_policy *p = c->p;
    p->dests = pw_arena_calloc(&p->arena, cnt, sizeof *p->dests);
    if (!p->dests)
        return pw_err_set(c->err, PW_ERR_NOMEM, "%s: out of memory", c->name);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_pair_t *pr = &v->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(c, pr->key), *val = node_at(c, pr->value);
        if (!scalar(k) || !valid_event_name(scalar(k)))
            return fail_at(c, k, path, "destination names must be 1-40 letters, digits or '_'");
        char *sub = join(c, path, scalar(k));
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->dests[j].dest.name, scalar(k)) == 0)
                return fail_at(c, k, sub, "duplicate key");
        pw_gw_dest_policy *d = &p->dests[i];
        d->dest.name = pw_arena_strdup(&p->arena, scalar(k));
        d->dest.kind = (pw_dest_kind)-1;
        d->requires_consent = (pw_gw_consent_req)-1; /* defaults by type (dest_check) */
        d->text_scripts = (pw_gw_script_mode)-1;
        if (val && val->type == YAML_MAPPING_NODE) {
            int has_type = 0;
            for (yaml_node_pair_t *q = val->data.mapping.pairs.start;
                 q < val->data.mapping.pairs.top; q++)
                has_type |=
                    scalar(node_at(c, q->key)) && !strcmp(scalar(node_at(c, q->key)), "type");
            if (!has_type)
                return fail_at(c, val, sub, "type: required (meta | ga4 | webhook)");
        }
        if ((st = each_pair(c, val, sub, dest_pair, d)) != PW_OK ||
            (st = dest_check(c, val, sub, d)) != PW_OK)
            return st;
        p->n_dests++;
    }
    return PW_OK;
}

static pw_status top_pair(load_ctx *c, const char *key, yaml_node_t *kn, yaml_node_t *v,
                          const char *path, void *arg)
{
    if (strcmp(key, "site") == 0)
        return each_pair(c, v, path, site_pair, NULL);
    if (strcmp(key, "ingest") == 0)
        return each_pair(c, v, path, ingest_pair, NULL);
    if (strcmp(key, "destinations") == 0)
        return destinations(c, v, path);
    if (strcmp(key, "delivery") == 0)
        return each_pair(c, v, path, delivery_pair, NULL);
    if (strcmp(key, "version") == 0) {
        unsigned long long ver = 0;
        pw_status st = get_uint(c, v, path, 1000, &ver);
        if (st == PW_OK && ver != 1)
            return fail_at(c, v, path, "expected 1 (the only policy version this phiwall reads)");
        return st;
    }
    return unknown_key(c, kn, path);
}

static pw_status needs_site_key(load_ctx *c, yaml_node_t *root)
{
    pw_gw_policy *p = c->p;
    for (size_t i = 0; i < p->n_dests; i++) {
        const pw_gw_dest_policy *d = &p->dests[i];
        int need = d->first_party_id == PW_GW_KEEP || d->dest.kind == PW_DEST_GA4_MP;
        if (need && !p->site_key_source)
            return fail_at(c, root, "site",
                           "hmac_key_file or hmac_key_env: required (destination '%s' sends an "
                           "HMAC of the first-party id)",
                           d->dest.name);
    }
    return PW_OK;
}

static pw_status parse_doc(load_ctx *c)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root)
        return pw_err_set(c->err, PW_ERR_INVALID, "%s:1:1: the file is empty", c->name);
    pw_status st = each_pair(c, root, "", top_pair, NULL);
    if (st != PW_OK)
        return st;
    if (!c->p->dests)
        return fail_at(c, root, "destinations", "required");
    return needs_site_key(c, root);
}

static pw_gw_policy *policy_new(void)
{
    pw_gw_policy *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pw_arena_init(&p->arena, 16384);
    p->max_body = 64 * 1024;
    p->default_country = "US";
    p->rate_per_sec = 20;
    p->rate_burst = 40;
    p->limits = (pw_gw_parse_limits)PW_GW_PARSE_LIMITS_DEFAULT;
    p->delivery_nice = PW_GW_DELIVERY_NICE_DEFAULT;
    p->delivery_boost_lag_ms = PW_GW_DELIVERY_BOOST_LAG_DEFAULT;
    return p;
}

static pw_status parse_with_dir(const char *name, const char *dir, const char *yaml, size_t n,
                                const pw_gw_load_opts *opts, pw_gw_policy **out, pw_err *err)
{
    *out = NULL;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, n);
    if (!yaml_parser_load(&parser, &doc)) {
        /* libyaml checks its allocations: a failed one is YAML_MEMORY_ERROR, or no error at all
         * when its loader's own copies of a tag or scalar fail (it sets none), not bad YAML */
        int nomem = parser.error == YAML_MEMORY_ERROR || parser.error == YAML_NO_ERROR;
        pw_status st =
            nomem ? pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory reading its YAML", name)
                  : pw_err_set(err, PW_ERR_PARSE, "%s:%zu:%zu: %s%s%s", name,
                               parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                               parser.problem ? parser.problem : "invalid YAML",
                               parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return st;
    }
    yaml_parser_delete(&parser);
    pw_gw_policy *p = policy_new();
    if (p && !(p->path = pw_arena_strdup(&p->arena, name))) {
        pw_gw_policy_free(p);
        p = NULL;
    }
    if (!p) {
        yaml_document_delete(&doc);
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", name);
    }
    pw_gw_sha256_hex2(yaml, n, NULL, 0, p->sha256);
    load_ctx c = {.name = name,
                  .dir = dir,
                  .doc = &doc,
                  .p = p,
                  .resolve = opts ? opts->resolve_secrets : 1,
                  .err = err};
    pw_status st = parse_doc(&c);
    yaml_document_delete(&doc);
    if (st != PW_OK) {
        pw_gw_policy_free(p);
        return st;
    }
    *out = p;
    return PW_OK;
}

pw_status pw_gw_policy_parse(const char *name, const char *yaml, size_t n,
                             const pw_gw_load_opts *opts, pw_gw_policy **out, pw_err *err)
{
    return parse_with_dir(name ? name : "policy", NULL, yaml, n, opts, out, err);
}

/* Read path once, parse it into *out and, when copy is not NULL, again into *copy. */
static pw_status load_copies(const char *path, pw_gw_policy **out, pw_gw_policy **copy, pw_err *err)
{
    *out = NULL;
    if (copy)
        *copy = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int too_large = 0;
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap || got == 0)
            break;
        if (cap >= PW_GW_POLICY_MAX_BYTES) {
            too_large = 1;
            break;
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    int read_errno = ferror(f) ? errno : 0; /* EISDIR for a directory */
    fclose(f);
    if (!buf)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    if (read_errno || too_large) {
        free(buf);
        if (too_large)
            return pw_err_set(err, PW_ERR_LIMIT, "%s: larger than %u MiB: not a policy file", path,
                              PW_GW_POLICY_MAX_BYTES >> 20);
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(read_errno));
    }
    char *pcopy = strdup(path);
    if (!pcopy) { /* never "." instead: relative secret files would be read from the wrong place */
        free(buf);
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    }
    pw_gw_load_opts opts = {.resolve_secrets = 1};
    const char *dir = dirname(pcopy);
    pw_status st = parse_with_dir(path, dir, buf, n, &opts, out, err);
    if (st == PW_OK && copy &&
        (st = parse_with_dir(path, dir, buf, n, &opts, copy, err)) != PW_OK) {
        pw_gw_policy_free(*out);
        *out = NULL;
    }
    free(pcopy);
    free(buf);
    return st;
}

pw_status pw_gw_policy_load(const char *path, pw_gw_policy **out, pw_err *err)
{
    return load_copies(path, out, NULL, err);
}

pw_status pw_gw_policy_load2(const char *path, pw_gw_policy **out, pw_gw_policy **copy, pw_err *err)
{
    return load_copies(path, out, copy, err);
}

void pw_gw_policy_free(pw_gw_policy *p)
{
    if (!p)
        return;
    pw_arena_free(&p->arena);
    free(p);
}
