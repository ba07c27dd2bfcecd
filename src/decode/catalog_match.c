/*
 * catalog_match.c — find the catalog entry for a URL. Host patterns are indexed by domain in a
 * hash map; a request host is looked up once per label suffix ("a.b.example.com",
 * "b.example.com", "example.com", "com"), so matching costs a handful of lookups whatever the
 * catalog size. Among matches the most specific wins: an exact host beats a wildcard, a longer
 * domain beats a shorter one, a path glob beats "any path", and later (user) entries win ties.
 */
#include <string.h>

#include "catalog_internal.h"
#include "phiwall/text.h"

int dk_glob_match(const char *pat, const char *s, size_t n)
{
    /* a star then a literal tail (any path prefix, then "/g/collect") is a suffix test, not a
     * backtracking walk over every request's path */
    if (pat[0] == '*' && !strchr(pat + 1, '*')) {
        size_t k = strlen(pat + 1);
        return n >= k && memcmp(s + n - k, pat + 1, k) == 0;
    }
    size_t i = 0, star_i = 0;
    const char *p = pat;
    const char *star = NULL;
    while (i < n) {
        if (*p == '*') {
            star = ++p;
            star_i = i;
        } else if (*p && *p == s[i]) {
            p++;
            i++;
        } else if (star) {
            p = star;
            i = ++star_i;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static int split_conds(pw_arena *a, char *glob, const char **conds_out, const char **bad);

static pw_status add_rule(pw_catalog *c, int32_t entry, char *pat, pw_err *err)
{
    if (c->n_rules == c->cap_rules) {
        size_t cap = c->cap_rules ? c->cap_rules * 2 : 256;
        dk_hostrule *r = pw_arena_calloc(&c->arena, cap, sizeof *r);
        if (!r)
            return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
        if (c->n_rules)
            memcpy(r, c->rules, c->n_rules * sizeof *r);
        c->rules = r;
        c->cap_rules = cap;
    }
    dk_hostrule *r = &c->rules[c->n_rules];
    r->entry = entry;
    r->wildcard = strncmp(pat, "*.", 2) == 0;
    char *dom = r->wildcard ? pat + 2 : pat;
    char *slash = strchr(dom, '/');
    r->dom_len = slash ? (size_t)(slash - dom) : strlen(dom);
    r->path = slash ? slash : NULL; /* in the arena copy of the hosts (dk_catalog_index) */
    r->query = NULL;
    const char *bad = NULL;
    /* the conditions' syntax was checked at load (catalog.c, with the file, line and column) */
    if (slash && split_conds(&c->arena, slash, &r->query, &bad) != 0)
        return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
    if (strcmp(pat, "*") == 0) { /* "*" alone: a host item with a path names a host */
        c->any_host[c->n_any++] = (int32_t)c->n_rules;
        r->next = -1;
    } else {
        char *key = pw_lower_dup(&c->arena, dom, r->dom_len, 1);
        if (!key)
            return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
        r->next = dk_strmap_put(&c->host_index, key, strlen(key), (int32_t)c->n_rules);
    }
    c->n_rules++;
    return PW_OK;
}

pw_status dk_catalog_index(pw_catalog *c, pw_err *err)
{
    size_t n_patterns = 0;
    for (size_t i = 0; i < c->n; i++)
        for (const char *p = c->entries[i].hosts_text; *p; p++)
            n_patterns += *p == ',';
    n_patterns += c->n;
    c->any_host = pw_arena_calloc(&c->arena, n_patterns, sizeof *c->any_host);
    if (!c->any_host || dk_strmap_init(&c->arena, &c->host_index, n_patterns) != PW_OK)
        return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
    for (size_t i = 0; i < c->n; i++) {
        char *copy = pw_arena_strdup(&c->arena, c->entries[i].hosts_text);
        if (!copy)
            return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
        for (char *tok = copy; tok;) {
            char *comma = strchr(tok, ',');
            if (comma)
                *comma = '\0';
            while (*tok == ' ')
                tok++;
            size_t len = strlen(tok);
            while (len && tok[len - 1] == ' ')
                tok[--len] = '\0';
            if (len) {
                pw_status st = add_rule(c, (int32_t)i, tok, err);
                if (st != PW_OK)
                    return st;
            }
            tok = comma ? comma + 1 : NULL;
        }
    }
    return PW_OK;
}

/* Cut the glob (its own copy) at its '?' and put what followed, the conditions "k=v&k2=v2", in
 * *conds as "k=v\0k2=v2\0\0" (NULL without a '?'): 0, -1 when a condition has no key= (its text
 * in *bad), -2 out of memory. */
static int split_conds(pw_arena *a, char *glob, const char **conds_out, const char **bad)
{
    *conds_out = NULL;
    char *qm = strchr(glob, '?');
    if (!qm)
        return 0;
    *qm = '\0';
    size_t n = strlen(qm + 1);
    char *conds = pw_arena_alloc(a, n + 2);
    if (!conds)
        return -2;
    memcpy(conds, qm + 1, n + 1);
    conds[n + 1] = '\0';
    for (char *c = conds; *c;) {
        char *amp = strchr(c, '&');
        if (amp)
            *amp = '\0';
        if (!strchr(c, '=') || *c == '=') {
            *bad = c;
            return -1;
        }
        c = amp ? amp + 1 : c + strlen(c);
    }
    *conds_out = conds;
    return 0;
}

int dk_catalog_split_queries(pw_arena *a, dk_entry *e, const char **bad)
{
    if (!e->n_paths)
        return 0;
    e->queries = pw_arena_calloc(a, e->n_paths, sizeof *e->queries);
    if (!e->queries)
        return -2;
    for (size_t i = 0; i < e->n_paths; i++) {
        /* the path item is the entry's own copy (split_list) */
        int q = split_conds(a, (char *)e->paths[i], &e->queries[i], bad);
        if (q != 0)
            return q;
    }
    return 0;
}

/* 1 if a "key=glob" condition holds for a parameter of the raw query q (values as sent). */
static int query_has(const char *cond, pw_slice q)
{
    const char *eq = strchr(cond, '=');
    size_t klen = (size_t)(eq - cond);
    for (size_t at = 0; q.n && at <= q.n;) {
        const char *amp = memchr(q.p + at, '&', q.n - at);
        size_t len = amp ? (size_t)(amp - (q.p + at)) : q.n - at;
        const char *kv = q.p + at;
        if (len > klen && kv[klen] == '=' && memcmp(kv, cond, klen) == 0 &&
            dk_glob_match(eq + 1, kv + klen + 1, len - klen - 1))
            return 1;
        if (!amp)
            break;
        at += len + 1;
    }
    return 0;
}

/* 1 if every condition of a path glob holds (none: 1). */
static int query_matches(const char *conds, pw_slice q)
{
    for (const char *c = conds; c && *c; c += strlen(c) + 1)
        if (!query_has(c, q))
            return 0;
    return 1;
}

/* A host item's own path glob ("www.google.com/ads/ga-audiences*") and its query conditions:
 * scored as an entry's glob of the same length. */
static int host_path_score(const dk_hostrule *r, const char *path, size_t n, pw_slice query)
{
    if (!dk_glob_match(r->path, path, n) || !query_matches(r->query, query))
        return 0;
    return 2 + (int)strlen(r->path) + (r->query ? 1 : 0);
}

static int path_score(const dk_entry *e, const char *path, size_t n, pw_slice query)
{
    if (e->n_paths == 0)
        return 1;
    for (size_t i = 0; i < e->n_paths; i++)
        if (dk_glob_match(e->paths[i], path, n) && query_matches(e->queries[i], query))
            return 2 + (int)strlen(e->paths[i]) + (e->queries[i] ? 1 : 0);
    return 0;
}

typedef struct best_match {
    const dk_entry *entry;
    long score;
} best_match;

static void consider(const pw_catalog *c, const dk_hostrule *r, int exact_host, const char *path,
                     size_t path_len, pw_slice query, best_match *best)
{
    if (!r->wildcard && !exact_host)
        return;
    const dk_entry *e = &c->entries[r->entry];
    int ps =
        r->path ? host_path_score(r, path, path_len, query) : path_score(e, path, path_len, query);
    if (!ps)
        return;
    /* host first (exact over wildcard, then longer), then the path glob's length */
    long host_score = (long)r->dom_len + (r->wildcard ? 0 : 100000);
    long score = host_score * 1000 + (ps > 999 ? 999 : ps);
    if (score > best->score || (score == best->score && (!best->entry || e > best->entry))) {
        best->score = score;
        best->entry = e;
    }
}

const pw_tracker *dk_catalog_match_parts(const pw_catalog *c, const char *host, const pw_url *u)
{
    size_t hn = strlen(host);
    const char *path = u->path.n ? u->path.p : "/";
    size_t path_len = u->path.n ? u->path.n : 1;
    best_match best = {NULL, 0};
    for (size_t off = 0; off < hn;) {
        int32_t r = dk_strmap_get(&c->host_index, host + off, hn - off);
        for (; r >= 0; r = c->rules[r].next)
            consider(c, &c->rules[r], off == 0, path, path_len, u->query, &best);
        const char *dot = memchr(host + off, '.', hn - off);
        if (!dot)
            break;
        off = (size_t)(dot - host) + 1;
    }
    for (size_t i = 0; i < c->n_any; i++) {
        const dk_hostrule *r = &c->rules[c->any_host[i]];
        const dk_entry *e = &c->entries[r->entry];
        int ps = path_score(e, path, path_len, u->query);
        if (ps && e->n_paths && (long)ps > best.score) {
            best.score = ps;
            best.entry = e;
        }
    }
    return best.entry ? &best.entry->t : NULL;
}

static int same_decoder(const pw_tracker *a, const pw_tracker *b)
{
    return a->decoder && b->decoder && strcmp(a->decoder, b->decoder) == 0;
}

/* The catalog entry that names this host (lower case), whatever the path, when that is
 * unambiguous: every entry whose host rule names it reads it with one decoder
 * (www.google-analytics.com: GA4 and Universal Analytics, both "ga4"); then the most specific
 * rule (exact over wildcard, the longer domain), the later entry among equals. NULL when no rule
 * names it, or when entries of several decoders share it (www.google.com: Google Ads' /pagead/,
 * Maps' /maps/, the site search's /cse/): which one an unlisted path belongs to is not known.
 * Host "*" rules name no host, nor does a host item with a path (Universal Analytics'
 * "www.google.com/ads/ga-audiences*"). */
const pw_tracker *dk_catalog_match_host(const pw_catalog *c, const char *host)
{
    size_t hn = strlen(host);
    const dk_entry *best = NULL;
    long best_score = -1;
    for (size_t off = 0; off < hn;) {
        for (int32_t r = dk_strmap_get(&c->host_index, host + off, hn - off); r >= 0;
             r = c->rules[r].next) {
            const dk_hostrule *h = &c->rules[r];
            /* a host item with a path names that path of the host, not the host */
            if ((!h->wildcard && off != 0) || h->path)
                continue;
            const dk_entry *e = &c->entries[h->entry];
            if (best && !same_decoder(&best->t, &e->t))
                return NULL;
            long score = (long)h->dom_len + (h->wildcard ? 0 : 100000);
            if (score > best_score || (score == best_score && e > best)) {
                best_score = score;
                best = e;
            }
        }
        const char *dot = memchr(host + off, '.', hn - off);
        if (!dot)
            break;
        off = (size_t)(dot - host) + 1;
    }
    return best ? &best->t : NULL;
}

const pw_tracker *pw_catalog_match(const pw_catalog *c, const char *url)
{
    pw_url u;
    if (!c || !url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return NULL;
    char host[256];
    size_t hn = u.host.n;
    const char *hp = u.host.p;
    while (hn && hp[hn - 1] == '.')
        hn--;
    if (hn == 0 || hn >= sizeof host)
        return NULL;
    for (size_t i = 0; i < hn; i++)
        host[i] = (char)((hp[i] >= 'A' && hp[i] <= 'Z') ? hp[i] - 'A' + 'a' : hp[i]);
    host[hn] = '\0';
    return dk_catalog_match_parts(c, host, &u);
}
