/*
 * inventory.c — the assess stage's tracker inventory: every (tracker, account) seen, with its
 * events, request hosts, beacon count and number of pages, independent of whether a rule fired.
 * A filter-list entry (EasyPrivacy, EasyList: a beacon with matched_rule) stands for many
 * companies, so its rows are per registrable domain of the request host instead: each company is
 * listed with its own hosts and counts rather than cut off in one row's first 16 hosts.
 * Reports list it; evaluations compare it with other tools (tests/integration/markup_eval.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "assess/inventory.h"
#include "phiwall/url.h"

#define MAX_EVENTS 32
#define MAX_HOSTS  16
#define MAX_PAGES  64 /* distinct pages remembered per row; past that, page changes are counted */

typedef struct use_item {
    pw_tracker_use pub;
    const char *events[MAX_EVENTS];
    const char *hosts[MAX_HOSTS];
    const char *pages[MAX_PAGES];
    size_t n_pages_kept;
    const char *last_page; /* past MAX_PAGES distinct pages: count page changes */
    char *key;             /* the account, or for filter-list rows the registrable domain */
} use_item;

struct pw_inventory {
    pw_arena *arena;
    use_item **items;
    size_t n, cap;
    pw_tracker_use *out;
};

pw_inventory *pw_inventory_new(pw_arena *a)
{
    pw_inventory *inv = calloc(1, sizeof *inv);
    if (inv)
        inv->arena = a;
    return inv;
}

void pw_inventory_free(pw_inventory *inv)
{
    if (!inv)
        return;
    free(inv->items);
    free(inv->out);
    free(inv);
}

static use_item *find(pw_inventory *inv, const pw_beacon *b, const char *list_domain)
{
    const char *acct = b->account_id ? b->account_id : "";
    const char *key = list_domain ? list_domain : acct;
    for (size_t i = inv->n; i-- > 0;) {
        use_item *it = inv->items[i];
        if (it->pub.tracker == b->tracker && strcmp(it->key, key) == 0)
            return it;
    }
    if (inv->n == inv->cap) {
        size_t cap = inv->cap ? inv->cap * 2 : 16;
        use_item **v = realloc(inv->items, cap * sizeof *v);
        if (!v)
            return NULL;
        inv->items = v;
        inv->cap = cap;
    }
    use_item *it = pw_arena_calloc(inv->arena, 1, sizeof *it);
    if (!it || !(it->key = pw_arena_strdup(inv->arena, key)))
        return NULL;
    it->pub.tracker = b->tracker;
    it->pub.account_id = b->account_id ? pw_arena_strdup(inv->arena, acct) : NULL;
    inv->items[inv->n++] = it;
    return it;
}

/* Add s to a small distinct list. */
static void add_distinct(pw_arena *a, const char **v, size_t *n, size_t max, const char *s,
                         size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen(v[i]) == len && memcmp(v[i], s, len) == 0)
            return;
    if (*n < max && (v[*n] = pw_arena_strndup(a, s, len)))
        (*n)++;
}

/* Count the page once (a single-page app's routes interleave, so page changes overcount). The
 * URL is the assessor's copy, kept for the whole scan: it is pointed to, never copied (a copy per
 * page change past MAX_PAGES grew the arena by a URL per page and tracker, ~550 bytes a page on
 * a real site's 20,000-page HAR). */
static void count_page(use_item *it, const char *page_url)
{
    for (size_t i = 0; i < it->n_pages_kept; i++)
        if (strcmp(it->pages[i], page_url) == 0)
            return;
    if (it->n_pages_kept < MAX_PAGES) {
        it->pages[it->n_pages_kept++] = page_url;
        it->pub.n_pages++;
        return;
    }
    if (!it->last_page || strcmp(it->last_page, page_url) != 0) {
        it->pub.n_pages++;
        it->last_page = page_url;
    }
}

pw_status pw_inventory_add(pw_inventory *inv, const pw_beacon *b, const char *list_domain,
                           const char *page_url, pw_err *err)
{
    use_item *it = find(inv, b, list_domain);
    if (!it)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    it->pub.n_requests++;
    count_page(it, page_url);
    if (b->event_name)
        add_distinct(inv->arena, it->events, &it->pub.n_events, MAX_EVENTS, b->event_name,
                     strlen(b->event_name));
    pw_url u;
    const char *url = b->request ? b->request->url : NULL;
    if (url && pw_url_parse(url, strlen(url), &u, NULL) == PW_OK)
        add_distinct(inv->arena, it->hosts, &it->pub.n_hosts, MAX_HOSTS, u.host.p, u.host.n);
    return PW_OK;
}

/* 1 if the row is a catalogued tracker's (not a filter-list company's) row for an account. */
static int account_row(const use_item *it)
{
    return it->pub.account_id && strcmp(it->key, it->pub.account_id) == 0;
}

const char *pw_inventory_sole_account(const pw_inventory *inv, const pw_tracker *t)
{
    const char *sole = NULL;
    for (size_t i = 0; i < inv->n; i++) {
        const use_item *it = inv->items[i];
        if (it->pub.tracker != t)
            continue;
        if (it->pub.account_id && !account_row(it))
            return NULL; /* a filter-list entry: its rows are companies, not accounts */
        if (!it->pub.account_id)
            continue;
        if (sole && strcmp(sole, it->pub.account_id) != 0)
            return NULL;
        sole = it->pub.account_id;
    }
    return sole;
}

/* Fold row `from` (a tracker's requests without an account) into `to` (its sole account). */
static void fold_row(pw_arena *a, use_item *to, const use_item *from)
{
    to->pub.n_requests += from->pub.n_requests;
    for (size_t i = 0; i < from->pub.n_events; i++)
        add_distinct(a, to->events, &to->pub.n_events, MAX_EVENTS, from->events[i],
                     strlen(from->events[i]));
    for (size_t i = 0; i < from->pub.n_hosts; i++)
        add_distinct(a, to->hosts, &to->pub.n_hosts, MAX_HOSTS, from->hosts[i],
                     strlen(from->hosts[i]));
    if (from->n_pages_kept < from->pub.n_pages) { /* pages not all kept: a best estimate */
        to->pub.n_pages += from->pub.n_pages;
        return;
    }
    for (size_t i = 0; i < from->n_pages_kept; i++)
        count_page(to, from->pages[i]);
}

/* The row row i folds into (NULL: it stays), by one of the two folds below. */
typedef use_item *(*fold_target_fn)(const pw_inventory *inv, size_t i, const void *ctx);

static void fold_rows(pw_inventory *inv, fold_target_fn target, const void *ctx)
{
    size_t w = 0;
    for (size_t i = 0; i < inv->n; i++) {
        use_item *to = target(inv, i, ctx);
        if (to)
            fold_row(inv->arena, to, inv->items[i]);
        else
            inv->items[w++] = inv->items[i];
    }
    inv->n = w;
}

/* A row without an account goes to its tracker's sole account's row. */
static use_item *sole_account_row(const pw_inventory *inv, size_t i, const void *ctx)
{
    (void)ctx;
    const use_item *it = inv->items[i];
    const char *sole = it->pub.account_id || !it->pub.tracker
                           ? NULL
                           : pw_inventory_sole_account(inv, it->pub.tracker);
    for (size_t j = 0; sole && j < inv->n; j++)
        if (inv->items[j]->pub.tracker == it->pub.tracker && inv->items[j]->pub.account_id &&
            strcmp(inv->items[j]->pub.account_id, sole) == 0)
            return inv->items[j];
    return NULL;
}

void pw_inventory_fold_accountless(pw_inventory *inv)
{
    fold_rows(inv, sole_account_row, NULL);
}

/* 1 if row `it` is collector `name`'s row for account: by catalog id, or for GA4 and Universal
 * Analytics any entry of their decoder (a server-side tagging host's GA4) under that ID. */
static int collector_row(const use_item *it, const char *name, const char *account)
{
    const pw_tracker *t = it->pub.tracker;
    if (!t || !account_row(it) || strcmp(it->pub.account_id, account) != 0)
        return 0;
    if (t->id && strcmp(t->id, name) == 0)
        return 1;
    return t->decoder && strcmp(t->decoder, "ga4") == 0 &&
           (strcmp(name, "ga4") == 0 || strcmp(name, "universal-analytics") == 0);
}

/* A loader's row goes to the row of the collector it loaded (collector() names it). */
static use_item *collector_row_of(const pw_inventory *inv, size_t i, const void *ctx)
{
    pw_inventory_collector_fn collector = *(const pw_inventory_collector_fn *)ctx;
    const use_item *it = inv->items[i];
    const char *acct = NULL;
    const char *name =
        account_row(it) ? collector(it->pub.tracker, it->pub.account_id, &acct) : NULL;
    for (size_t j = 0; name && j < inv->n; j++)
        if (j != i && collector_row(inv->items[j], name, acct))
            return inv->items[j];
    return NULL;
}

void pw_inventory_fold_loaders(pw_inventory *inv, pw_inventory_collector_fn collector)
{
    fold_rows(inv, collector_row_of, &collector);
}

static const char *name_of(const pw_tracker *t)
{
    return t->vendor ? t->vendor : t->id ? t->id : "";
}

static int cmp_use(const void *pa, const void *pb)
{
    const pw_tracker_use *a = pa, *b = pb;
    int c = strcmp(name_of(a->tracker), name_of(b->tracker));
    if (!c)
        c = strcmp(a->tracker->id ? a->tracker->id : "", b->tracker->id ? b->tracker->id : "");
    if (!c)
        c = strcmp(a->account_id ? a->account_id : "", b->account_id ? b->account_id : "");
    if (!c) /* filter-list rows: by their first host */
        c = strcmp(a->n_hosts ? a->hosts[0] : "", b->n_hosts ? b->hosts[0] : "");
    return c;
}

const pw_tracker_use *pw_inventory_result(pw_inventory *inv, size_t *n)
{
    free(inv->out);
    inv->out = calloc(inv->n ? inv->n : 1, sizeof *inv->out);
    if (!inv->out) {
        *n = 0;
        return NULL;
    }
    for (size_t i = 0; i < inv->n; i++) {
        use_item *it = inv->items[i];
        it->pub.events = it->events;
        it->pub.hosts = it->hosts;
        inv->out[i] = it->pub;
    }
    qsort(inv->out, inv->n, sizeof *inv->out, cmp_use);
    *n = inv->n;
    return inv->out;
}
