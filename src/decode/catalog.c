/*
 * catalog.c — the tracker catalog: the compiled-in data/trackers.tsv plus an optional user file
 * in the same format, parsed into dk_entry records with file:line errors, the two optional filter
 * lists (EasyPrivacy, EasyList's host rules), and the three synthetic entries (EasyPrivacy match,
 * EasyList match, unknown third party) that beacons point at when no entry fits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog_internal.h"
#include "phiwall/buf.h"

enum {
    COL_ID,
    COL_VENDOR,
    COL_PRODUCT,
    COL_CATEGORY,
    COL_BAA,
    COL_NOTE,
    COL_DECODER,
    COL_HOSTS,
    COL_PATHS,
    COL_DATA, /* optional: data-file path globs */
    COL__COUNT
};

static pw_status grow_entries(pw_catalog *c, pw_err *err)
{
    if (c->n < c->cap)
        return PW_OK;
    size_t cap = c->cap ? c->cap * 2 : 128;
    dk_entry *e = pw_arena_calloc(&c->arena, cap, sizeof *e);
    if (!e)
        return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
    if (c->n)
        memcpy(e, c->entries, c->n * sizeof *e);
    c->entries = e;
    c->cap = cap;
    return PW_OK;
}

/* Split "a,b,c" into trimmed non-empty items; "*" alone means "no restriction" for paths. */
static const char **split_list(pw_arena *a, const char *s, size_t *n_out)
{
    size_t count = 1;
    for (const char *p = s; *p; p++)
        count += *p == ',';
    const char **items = pw_arena_calloc(a, count, sizeof *items);
    if (!items)
        return NULL;
    size_t n = 0;
    const char *p = s;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' '))
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len)
            items[n++] = pw_arena_strndup(a, p, len);
        p += len;
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
    }
    *n_out = n;
    return items;
}

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
              *s == '.'))
            return 0;
    return 1;
}

static pw_status line_error(pw_err *err, const char *file, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static pw_status line_error(pw_err *err, const char *file, size_t line, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: %s", file, line, msg);
}

/* The optional data column: path globs of the files the vendor's code fetches as data (Optimera's
 * per-page score files), known by their path alone (no query conditions). */
static pw_status fill_data_paths(pw_catalog *c, dk_entry *e, const char *text, const char *file,
                                 size_t line, pw_err *err)
{
    e->data_paths_text = text ? text : "";
    if (!text || !*text)
        return PW_OK;
    e->data_paths = split_list(&c->arena, text, &e->n_data_paths);
    if (!e->data_paths)
        return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
    for (size_t i = 0; i < e->n_data_paths; i++)
        if (strchr(e->data_paths[i], '?'))
            return line_error(err, file, line,
                              "%s: data path '%s' has a query condition (a data file is known "
                              "by its path alone)",
                              e->t.id, e->data_paths[i]);
    return PW_OK;
}

/* Where a query condition list ("v=2&tid=G-*", q of n bytes) breaks the syntax the paths column
 * uses: the offset of the first condition without "key=" (an empty one too), or -1. */
static long query_problem(const char *q, size_t n)
{
    for (size_t at = 0; at <= n;) {
        const char *amp = memchr(q + at, '&', n - at);
        size_t len = amp ? (size_t)(amp - (q + at)) : n - at;
        const char *eq = memchr(q + at, '=', len);
        if (!eq || eq == q + at)
            return (long)at;
        at += len + 1;
    }
    return -1;
}

/* Why a host item (trimmed, n bytes) of the hosts column cannot match, or NULL when it can, with
 * in *at the offset in the item of what is wrong: "*" alone, or a host name — letters, digits,
 * '-', '_', dots between labels — optionally after "*.", optionally followed by its own path
 * glob ("/ads/ga-audiences*"), which may end in query conditions as a path of the paths column
 * does ("?t=sr&tid=UA-*"). Anything else was kept and never matched. */
static const char *host_item_problem(const char *s, size_t n, size_t *at)
{
    *at = 0;
    if (n == 1 && s[0] == '*')
        return NULL;
    const char *slash = memchr(s, '/', n);
    size_t host_n = slash ? (size_t)(slash - s) : n;
    const char *qm = slash ? memchr(slash, '?', n - host_n) : NULL;
    if (qm) {
        size_t q0 = (size_t)(qm - s) + 1;
        long bad = query_problem(s + q0, n - q0);
        if (bad >= 0) {
            *at = q0 + (size_t)bad;
            return "query condition: expected key=value after the path's '?', conditions "
                   "joined by '&'";
        }
    }
    size_t i = host_n >= 2 && s[0] == '*' && s[1] == '.' ? 2 : 0;
    *at = i;
    if (i == host_n)
        return "expected a host name (www.example.com, *.example.com or * alone)";
    for (size_t from = i; i < host_n; i++) {
        char ch = s[i];
        int dot = ch == '.';
        *at = i;
        if (dot && (i == from || i + 1 == host_n || s[i + 1] == '.'))
            return "empty label in the host name";
        if (!dot && !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return "expected a host name (letters, digits, '-', '.'; '*.' only at the start, "
                   "* alone for any host)";
    }
    *at = 0;
    return NULL;
}

/* Every item of the hosts column (starting line_start's byte hosts - line_start) can match
 * (host_item_problem), or an error naming the item and the column (1-based byte) of the fault. */
static pw_status check_hosts(const char *id, const char *line_start, const char *hosts,
                             const char *file, size_t line, pw_err *err)
{
    for (const char *p = hosts; *p;) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        size_t at = 0;
        const char *why = a < b ? host_item_problem(a, (size_t)(b - a), &at) : NULL;
        if (why)
            return pw_err_set(err, PW_ERR_PARSE, "%s:%zu:%zu: %s: host item '%.*s': %s", file, line,
                              (size_t)(a - line_start) + at + 1, id, (int)(b - a), a, why);
        p = *end ? end + 1 : end;
    }
    return PW_OK;
}

static pw_status fill_entry(pw_catalog *c, dk_entry *e, char **col, const char *file, size_t line,
                            pw_err *err)
{
    if (!valid_id(col[COL_ID]))
        return line_error(err, file, line, "bad id '%s' (expected lower-case letters, digits, -)",
                          col[COL_ID]);
    if (pw_catalog_find(c, col[COL_ID]))
        return line_error(err, file, line, "duplicate id '%s'", col[COL_ID]);
    e->t.id = col[COL_ID];
    e->t.vendor = col[COL_VENDOR];
    e->t.product = col[COL_PRODUCT];
    e->t.baa_note = col[COL_NOTE];
    e->t.decoder = col[COL_DECODER];
    if (pw_category_parse(col[COL_CATEGORY], &e->t.category) != 0)
        return line_error(err, file, line,
                          "unknown category '%s' (expected advertising, analytics, "
                          "session-replay, tag-manager, social, cdp, chat, other, "
                          "consent-manager or embed)",
                          col[COL_CATEGORY]);
    if (pw_baa_parse(col[COL_BAA], &e->t.baa) != 0)
        return line_error(err, file, line,
                          "unknown baa '%s' (expected yes, no, some-plans or unknown)",
                          col[COL_BAA]);
    e->decoder = dk_decoder_find(col[COL_DECODER]);
    if (!e->decoder)
        return line_error(err, file, line, "unknown decoder '%s'", col[COL_DECODER]);
    if (!*col[COL_VENDOR] || !*col[COL_PRODUCT] || !*col[COL_HOSTS])
        return line_error(err, file, line, "%s: vendor, product and hosts must not be empty",
                          col[COL_ID]);
    pw_status st = check_hosts(col[COL_ID], col[COL_ID], col[COL_HOSTS], file, line, err);
    if (st != PW_OK)
        return st;
    e->hosts_text = col[COL_HOSTS];
    e->paths_text = col[COL_PATHS];
    e->paths = split_list(&c->arena, col[COL_PATHS], &e->n_paths);
    if (!e->paths)
        return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
    if (e->n_paths == 1 && strcmp(e->paths[0], "*") == 0)
        e->n_paths = 0;
    const char *bad = NULL;
    int q = dk_catalog_split_queries(&c->arena, e, &bad);
    if (q == -2)
        return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
    if (q != 0)
        return line_error(err, file, line,
                          "%s: query condition '%s' (expected key=value after the path's '?', "
                          "conditions joined by '&')",
                          col[COL_ID], bad);
    return fill_data_paths(c, e, col[COL_DATA], file, line, err);
}

/* One TSV line (already NUL-terminated, in the arena, so columns point into it). */
static pw_status parse_line(pw_catalog *c, char *s, const char *file, size_t line, pw_err *err)
{
    char *col[COL__COUNT] = {0};
    size_t n = 0;
    col[n++] = s;
    for (char *p = s; *p; p++) {
        if (*p != '\t')
            continue;
        *p = '\0';
        if (n == COL__COUNT)
            return line_error(err, file, line, "%s: more than 10 tab-separated columns", col[0]);
        col[n++] = p + 1;
    }
    if (n < COL_DATA) /* the data column is optional */
        return line_error(err, file, line,
                          "%s: expected 9 tab-separated columns (id vendor product category baa "
                          "baa_note decoder hosts paths), and optionally a 10th (data paths)",
                          col[0]);
    pw_status st = grow_entries(c, err);
    if (st != PW_OK)
        return st;
    dk_entry *e = &c->entries[c->n];
    memset(e, 0, sizeof *e);
    st = fill_entry(c, e, col, file, line, err);
    if (st == PW_OK)
        c->n++;
    return st;
}

static pw_status parse_tsv(pw_catalog *c, const char *text, size_t len, const char *file,
                           pw_err *err)
{
    size_t line = 0, i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        line++;
        size_t n = end - i;
        if (n && text[i + n - 1] == '\r')
            n--;
        if (n && text[i] != '#') {
            if (memchr(text + i, '\0', n))
                return line_error(err, file, line, "%s", "NUL byte in line");
            char *copy = pw_arena_strndup(&c->arena, text + i, n);
            if (!copy)
                return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
            pw_status st = parse_line(c, copy, file, line, err);
            if (st != PW_OK)
                return st;
        }
        i = end + 1;
    }
    return PW_OK;
}

static pw_status load_user_file(pw_catalog *c, const char *path, pw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    pw_buf b;
    pw_buf_init(&b);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        pw_buf_append(&b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    pw_status st = PW_OK;
    if (bad)
        st = pw_err_set(err, PW_ERR_IO, "%s: read error", path);
    else if (b.failed)
        st = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    else
        st = parse_tsv(c, b.data ? b.data : "", b.len, path, err);
    pw_buf_free(&b);
    return st;
}

static void init_synthetic(dk_entry *e, const char *id, const char *product, pw_category category,
                           const char *note)
{
    e->t.id = id;
    e->t.vendor = "unknown";
    e->t.product = product;
    e->t.category = category;
    e->t.baa = PW_BAA_UNKNOWN;
    e->t.baa_note = note;
    e->t.decoder = "generic";
    e->decoder = &dk_decoder_generic;
    e->hosts_text = "";
    e->paths_text = "";
    e->data_paths_text = "";
}

/* The modification date of the file at path, "YYYY-MM-DD" in UTC (arena), or NULL: it dates a
 * list whose header gives no version. A date, not a time: the same installed package gives the
 * same report on every machine. */
static const char *file_date(pw_arena *a, const char *path)
{
    struct stat st;
    struct tm tm;
    char buf[16];
    if (stat(path, &st) != 0 || !gmtime_r(&st.st_mtime, &tm) ||
        strftime(buf, sizeof buf, "%Y-%m-%d", &tm) != 10)
        return NULL;
    return pw_arena_strdup(a, buf);
}

/* One optional filter list: path NULL = `default_path` when it exists; "" = none. */
static pw_status load_list(pw_catalog *c, const char *path, const char *default_path,
                           dk_list_mode mode, dk_easyprivacy **out, const char **loaded,
                           const char **date, pw_err *err)
{
    *out = NULL;
    *loaded = NULL;
    *date = NULL;
    if (path && !*path)
        return PW_OK;
    pw_status st = dk_filterlist_load(&c->arena, path ? path : default_path, mode, out, err);
    if (st == PW_ERR_IO && !path) {
        pw_err_clear(err); /* the default list is optional */
        *out = NULL;
        return PW_OK;
    }
    if (st == PW_OK && *out) { /* reports name the file: a default list is loaded silently */
        *loaded = pw_arena_strdup(&c->arena, path ? path : default_path);
        *date = file_date(&c->arena, path ? path : default_path);
    }
    return st;
}

/* EasyList follows EasyPrivacy's "none" when not named: callers that turned filter lists off
 * before EasyList existed (easyprivacy_file = "") keep getting none. */
static const char *easylist_path(const pw_catalog_options *o)
{
    if (!o)
        return NULL;
    if (!o->easylist_file && o->easyprivacy_file && !*o->easyprivacy_file)
        return "";
    return o->easylist_file;
}

static pw_status load_lists(pw_catalog *c, const pw_catalog_options *o, pw_err *err)
{
    pw_status st =
        load_list(c, o ? o->easyprivacy_file : NULL, PW_EASYPRIVACY_DEFAULT_PATH, DK_LIST_ALL,
                  &c->easyprivacy, &c->easyprivacy_path, &c->easyprivacy_date, err);
    if (st == PW_OK)
        st = load_list(c, easylist_path(o), PW_EASYLIST_DEFAULT_PATH, DK_LIST_HOSTS, &c->easylist,
                       &c->easylist_path, &c->easylist_date, err);
    return st;
}

pw_status pw_catalog_open(const pw_catalog_options *opts, pw_catalog **out, pw_err *err)
{
    *out = NULL;
    pw_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "catalog: out of memory");
    pw_arena_init(&c->arena, 0);
    init_synthetic(&c->easyprivacy_entry, "easyprivacy", "tracker (EasyPrivacy)", PW_CATEGORY_OTHER,
                   "not in the phiwall catalog; matched an EasyPrivacy rule");
    init_synthetic(&c->easylist_entry, "easylist", "ad server or data broker (EasyList)",
                   PW_CATEGORY_ADVERTISING,
                   "not in the phiwall catalog; matched an EasyList host rule");
    init_synthetic(&c->unknown_entry, "unknown-third-party", "unknown third party",
                   PW_CATEGORY_OTHER, "not in the phiwall catalog");
    pw_status st =
        parse_tsv(c, pw_trackers_tsv, pw_trackers_tsv_len, "trackers.tsv (built in)", err);
    if (st == PW_OK && opts && opts->user_file)
        st = load_user_file(c, opts->user_file, err);
    if (st == PW_OK)
        st = load_lists(c, opts, err);
    if (st == PW_OK)
        st = dk_catalog_index(c, err);
    if (st != PW_OK) {
        pw_catalog_free(c);
        return st;
    }
    *out = c;
    return PW_OK;
}

pw_status pw_catalog_load(const char *user_file, pw_catalog **out, pw_err *err)
{
    pw_catalog_options o = {.user_file = user_file};
    return pw_catalog_open(&o, out, err);
}

void pw_catalog_free(pw_catalog *c)
{
    if (!c)
        return;
    pw_arena_free(&c->arena);
    free(c);
}

size_t pw_catalog_count(const pw_catalog *c)
{
    return c ? c->n : 0;
}

const pw_tracker *pw_catalog_at(const pw_catalog *c, size_t i)
{
    return c && i < c->n ? &c->entries[i].t : NULL;
}

const pw_tracker *pw_catalog_find(const pw_catalog *c, const char *id)
{
    for (size_t i = 0; c && id && i < c->n; i++)
        if (strcmp(c->entries[i].t.id, id) == 0)
            return &c->entries[i].t;
    if (c && id && strcmp(id, c->easyprivacy_entry.t.id) == 0)
        return &c->easyprivacy_entry.t;
    if (c && id && strcmp(id, c->easylist_entry.t.id) == 0)
        return &c->easylist_entry.t;
    if (c && id && strcmp(id, c->unknown_entry.t.id) == 0)
        return &c->unknown_entry.t;
    return NULL;
}

int pw_tracker_is_filter_list(const pw_tracker *t)
{
    return t && t->id && (strcmp(t->id, "easyprivacy") == 0 || strcmp(t->id, "easylist") == 0);
}

/* Entries are dk_entry records whose first member is the pw_tracker. */
static const dk_entry *entry_of(const pw_tracker *t)
{
    return (const dk_entry *)(const void *)t;
}

const char *pw_catalog_hosts(const pw_catalog *c, const pw_tracker *t)
{
    return t ? entry_of(t)->hosts_text : "";
}

const char *pw_catalog_paths(const pw_catalog *c, const pw_tracker *t)
{
    return t ? entry_of(t)->paths_text : "";
}

const char *pw_catalog_data_paths(const pw_catalog *c, const pw_tracker *t)
{
    return t && entry_of(t)->data_paths_text ? entry_of(t)->data_paths_text : "";
}

int pw_catalog_is_data_file(const pw_catalog *c, const pw_tracker *t, const char *url)
{
    (void)c;
    pw_url u;
    if (!t || !url || !entry_of(t)->n_data_paths ||
        pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return 0;
    const char *path = u.path.n ? u.path.p : "/";
    size_t n = u.path.n ? u.path.n : 1;
    for (size_t i = 0; i < entry_of(t)->n_data_paths; i++)
        if (dk_glob_match(entry_of(t)->data_paths[i], path, n))
            return 1;
    return 0;
}

void pw_catalog_lists(const pw_catalog *c, pw_catalog_list out[PW_CATALOG_LISTS])
{
    out[0] = (pw_catalog_list){"EasyPrivacy", c ? c->easyprivacy_path : NULL,
                               c ? dk_filterlist_version(c->easyprivacy) : NULL,
                               pw_catalog_easyprivacy_rules(c), c ? c->easyprivacy_date : NULL};
    out[1] = (pw_catalog_list){"EasyList", c ? c->easylist_path : NULL,
                               c ? dk_filterlist_version(c->easylist) : NULL,
                               pw_catalog_easylist_rules(c), c ? c->easylist_date : NULL};
}

size_t pw_catalog_easyprivacy_rules(const pw_catalog *c)
{
    return c && c->easyprivacy ? dk_easyprivacy_count(c->easyprivacy) : 0;
}

const pw_tracker *dk_catalog_easyprivacy_entry(const pw_catalog *c)
{
    return &c->easyprivacy_entry.t;
}

size_t pw_catalog_easylist_rules(const pw_catalog *c)
{
    return c && c->easylist ? dk_easyprivacy_count(c->easylist) : 0;
}

const pw_tracker *dk_catalog_easylist_entry(const pw_catalog *c)
{
    return &c->easylist_entry.t;
}

const dk_easyprivacy *dk_catalog_easylist(const pw_catalog *c)
{
    return c->easylist;
}

const pw_tracker *dk_catalog_unknown_entry(const pw_catalog *c)
{
    return &c->unknown_entry.t;
}

const dk_easyprivacy *dk_catalog_easyprivacy(const pw_catalog *c)
{
    return c->easyprivacy;
}

const pw_decoder *dk_catalog_decoder(const pw_catalog *c, const pw_tracker *t)
{
    return entry_of(t)->decoder;
}
