/*
 * catalog_internal.h — the catalog's layout, shared by catalog.c (loading the TSV) and
 * catalog_match.c (the host index and URL matching). Read-only once loaded.
 */
#ifndef PHIWALL_CATALOG_INTERNAL_H
#define PHIWALL_CATALOG_INTERNAL_H

#include "decode_internal.h"

typedef struct dk_entry {
    pw_tracker t; /* first: pw_catalog_at hands out &entry->t */
    const pw_decoder *decoder;
    const char *hosts_text, *paths_text; /* as written, for listings */
    const char **paths;                  /* path globs; none = any path */
    /* per path glob, the query conditions written after its '?' ("v=2&tid=G-*"), each "key=glob"
     * NUL-terminated, the list ended by an empty one; NULL when the glob has none */
    const char **queries;
    size_t n_paths;
    /* the optional 10th column: globs over the path of the data files the vendor's code fetches
     * (per-page scores, configuration), not code (pw_catalog_is_data_file) */
    const char *data_paths_text;
    const char **data_paths;
    size_t n_data_paths;
} dk_entry;

/* One host pattern of one entry, chained per indexed domain. */
typedef struct dk_hostrule {
    int32_t entry;
    int32_t next;   /* next rule with the same indexed domain, or -1 */
    int wildcard;   /* "*.domain": the domain and its subdomains */
    size_t dom_len; /* length of the indexed domain */
    /* a host item with a path ("www.google.com/ads/ga-audiences*"): the one path glob of this
     * host, in place of the entry's paths; NULL for a host item alone */
    const char *path;
    /* the query conditions written after that glob's '?' ("t=sr&tid=UA-*"), as dk_entry's
     * queries; NULL when it has none */
    const char *query;
} dk_hostrule;

struct pw_catalog {
    pw_arena arena;
    dk_entry *entries;
    size_t n, cap;
    dk_hostrule *rules;
    size_t n_rules, cap_rules;
    int32_t *any_host; /* rules whose host pattern is "*" */
    size_t n_any;
    dk_strmap host_index;
    dk_entry easyprivacy_entry, easylist_entry, unknown_entry;
    dk_easyprivacy *easyprivacy;                  /* DK_LIST_ALL */
    dk_easyprivacy *easylist;                     /* DK_LIST_HOSTS */
    const char *easyprivacy_path, *easylist_path; /* the files loaded (arena), or NULL */
    const char *easyprivacy_date, *easylist_date; /* their modification dates, or NULL */
};

/* Build the host index once every entry is in (catalog_match.c). */
pw_status dk_catalog_index(pw_catalog *c, pw_err *err);
/* '*' glob over a whole string. */
int dk_glob_match(const char *pat, const char *s, size_t n);
/* Split each of e's path items "glob?k=v&k2=v2" into e->paths and e->queries (catalog_match.c);
 * 0, or -1 when a condition has no '=' (its text in *bad). PW_ERR_NOMEM is reported as -2. */
int dk_catalog_split_queries(pw_arena *a, dk_entry *e, const char **bad);

#endif
