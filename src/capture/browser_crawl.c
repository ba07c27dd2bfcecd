/*
 * browser_crawl.c — what to visit next: a priority queue of same-site URLs, the start URL first,
 * then ordered by care intent (scheduling, find-a-doctor, conditions, symptom checker, pharmacy,
 * bill pay, portal, search before general pages, then breadth first), with URLs that differ only
 * in their query string capped (BX_VARIANTS_MAX per path before every other page, and never
 * displacing a distinct page from a full queue) so the page budget covers distinct pages, however
 * late they are found; robots.txt rules (User-agent: *), and the URLs listed in
 * /sitemap.xml.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

typedef struct intent {
    const char *word;
    int score;
} intent;

static const intent intents[] = {
    {"schedul", 50},       {"appointment", 50}, {"book", 40},         {"find-a-doctor", 45},
    {"find a doctor", 45}, {"doctor", 30},      {"provider", 30},     {"physician", 30},
    {"symptom", 40},       {"checker", 20},     {"portal", 40},       {"mychart", 40},
    {"login", 25},         {"sign-in", 25},     {"bill", 35},         {"pay", 30},
    {"pharmacy", 35},      {"refill", 35},      {"prescription", 35}, {"telehealth", 35},
    {"virtual", 20},       {"condition", 30},   {"treatment", 25},    {"services", 15},
    {"search", 30},        {"cancer", 20},      {"clinic", 15},       {"request", 20},
    {"contact", 15},       {"patient", 20},     {"form", 15},         {"register", 15},
};

static const intent low[] = {
    {"career", -30},  {"job", -20},   {"news", -15},  {"blog", -10},    {"press", -15},
    {"privacy", -20}, {"terms", -20}, {"donat", -10}, {"visiting", -5},
};

/* needle occurs in s[0..n) at the start of a word: not right after a letter, unless it starts
 * a camel-case word ("findDoctor", "FindADoctor"), so that "research" is no "search" and
 * "facebook" no "book". The words are stems: what follows does not matter. */
static int has_word(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++) {
        if (!pw_strncaseeq(s + i, needle, m))
            continue;
        unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';
        int letter = (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z');
        int upper = s[i] >= 'A' && s[i] <= 'Z';
        int camel = upper && ((prev >= 'a' && prev <= 'z') || /* findDoctor, FindADoctor */
                              (i + 1 < n && s[i + 1] >= 'a' && s[i + 1] <= 'z'));
        if (!letter || camel)
            return 1;
    }
    return 0;
}

int bx_care_score(const char *url, const char *text)
{
    int score = 0;
    const char *parts[2] = {url, text};
    for (size_t p = 0; p < 2; p++) {
        const char *s = parts[p];
        if (!s)
            continue;
        size_t n = strlen(s);
        for (size_t i = 0; i < sizeof intents / sizeof intents[0]; i++)
            if (has_word(s, n, intents[i].word))
                score += intents[i].score;
        for (size_t i = 0; i < sizeof low / sizeof low[0]; i++)
            if (has_word(s, n, low[i].word))
                score += low[i].score;
    }
    return score;
}

void bx_queue_init(bx_queue *q)
{
    memset(q, 0, sizeof *q);
}

void bx_keyset_free(bx_keyset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i]) {
            free(s->slots[i]->key);
            free(s->slots[i]);
        }
    free(s->slots);
    memset(s, 0, sizeof *s);
}

void bx_queue_free(bx_queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->items[i].url);
    free(q->items);
    bx_keyset_free(&q->seen);
    bx_keyset_free(&q->paths);
    bx_keyset_free(&q->templates);
    bx_keyset_free(&q->families);
    memset(q, 0, sizeof *q);
}

static size_t hash_n(const char *s, size_t n)
{
    size_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static int keyset_grow(bx_keyset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 256;
    bx_keyed **t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i])
            continue;
        size_t j = hash_n(s->slots[i]->key, strlen(s->slots[i]->key)) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = t;
    s->cap = cap;
    return 0;
}

/* Whether key[0..n) is in s. */
int bx_keyset_has(const bx_keyset *s, const char *key, size_t n)
{
    if (!s->cap)
        return 0;
    size_t j = hash_n(key, n) & (s->cap - 1);
    for (; s->slots[j]; j = (j + 1) & (s->cap - 1))
        if (strncmp(s->slots[j]->key, key, n) == 0 && s->slots[j]->key[n] == '\0')
            return 1;
    return 0;
}

/* The entry of key[0..n), added (count 0, *fresh = 1) when new; NULL on no memory. */
bx_keyed *bx_keyset_get(bx_keyset *s, const char *key, size_t n, int *fresh)
{
    *fresh = 0;
    if (s->n * 2 >= s->cap && keyset_grow(s) != 0)
        return NULL;
    size_t j = hash_n(key, n) & (s->cap - 1);
    for (; s->slots[j]; j = (j + 1) & (s->cap - 1))
        if (strncmp(s->slots[j]->key, key, n) == 0 && s->slots[j]->key[n] == '\0')
            return s->slots[j];
    bx_keyed *e = calloc(1, sizeof *e);
    char *k = strndup(key, n);
    if (!e || !k) {
        free(e);
        free(k);
        return NULL;
    }
    e->key = k;
    s->slots[j] = e;
    s->n++;
    *fresh = 1;
    return e;
}

/* How many of its caps an item is beyond (query variants of its path, URLs of its path template,
 * URLs under its family prefix), counting URLs taken from the queue. */
static int over_caps(const bx_queue_item *it)
{
    return (it->path->count >= BX_VARIANTS_MAX) + (it->tmpl->count >= BX_TEMPLATE_MAX) +
           (it->family && it->family->count >= BX_FAMILY_MAX);
}

/* 1 if a should be taken before b. */
static int comes_first(const bx_queue_item *a, const bx_queue_item *b)
{
    if ((a->depth == 0) != (b->depth == 0))
        return a->depth == 0; /* the start URL */
    int a_over = over_caps(a), b_over = over_caps(b);
    if (a_over != b_over)
        return a_over < b_over; /* distinct pages before more of what was seen (traps) */
    if (a_over && a->depth != b->depth)
        return a->depth < b->depth; /* beyond a cap: breadth first (endless calendars, facets) */
    if (a->score != b->score)
        return a->score > b->score;
    if (a->depth != b->depth)
        return a->depth < b->depth;
    return a->seq < b->seq;
}

/* URLs of the path beyond BX_VARIANTS_MAX, counting those taken and those queued. */
static size_t beyond_cap(const bx_keyed *path)
{
    size_t all = path->count + path->queued;
    return all > BX_VARIANTS_MAX ? all - BX_VARIANTS_MAX : 0;
}

/* A full queue: the index of the item that `in` replaces, or -1 to drop `in`. */
static long full_queue_victim(const bx_queue *q, const bx_queue_item *in)
{
    if (in->depth != 0 && in->path->count + in->path->queued >= BX_VARIANTS_MAX)
        return -1; /* a variant beyond the cap itself */
    long victim = -1;
    for (size_t i = 0; i < q->n; i++) { /* the last queued variant of the most repeated path */
        const bx_queue_item *it = &q->items[i];
        if (!beyond_cap(it->path) || it->depth == 0)
            continue;
        const bx_queue_item *v = victim < 0 ? NULL : &q->items[victim];
        if (!v || it->path->queued > v->path->queued || (it->path == v->path && it->seq > v->seq))
            victim = (long)i;
    }
    if (victim >= 0)
        return victim;
    for (size_t i = 0; i < q->n; i++) /* else the one taken last, if `in` comes before it */
        if (victim < 0 || comes_first(&q->items[victim], &q->items[i]))
            victim = (long)i;
    return victim >= 0 && comes_first(in, &q->items[victim]) ? victim : -1;
}

static void remove_at(bx_queue *q, size_t i)
{
    q->items[i].path->queued--;
    q->items[i] = q->items[--q->n];
}

/* A path parameter (";name=value") that names a session: jsessionid, phpsessid, sid, … */
static int session_param(const char *p, size_t n)
{
    size_t name = strcspn(p, "=;/?#");
    if (name > n)
        name = n;
    return pw_strcasestr_n(p, name, "sess") || (name == 3 && pw_strncaseeq(p, "sid", 3));
}

/* An ASP.NET cookieless session segment: "(S(id))", "(A(id))(F(id))". */
static int asp_session_segment(const char *p, size_t n)
{
    return n >= 5 && p[0] == '(' && p[2] == '(' && p[n - 1] == ')' && p[n - 2] == ')' &&
           strchr("SAFsaf", p[1]);
}

/* url without its fragment and the session ids servers put in the path (";jsessionid=…",
 * "/(S(…))/"): the same page under every new session is one URL of the crawl. Heap. A hash
 * router's route ("#/find-a-doctor") is kept: it is the page a single-page app shows, and
 * earlier versions, cutting it, scanned such an app as its start page alone. */
int bx_hash_route(const char *frag)
{
    if (frag[0] == '!')
        frag++;
    return frag[0] == '/' && frag[1] != '\0';
}

size_t bx_page_len(const char *url)
{
    size_t n = strcspn(url, "#");
    return url[n] == '#' && bx_hash_route(url + n + 1) ? strlen(url) : n;
}

int bx_same_document(const char *a, const char *b)
{
    size_t n = strcspn(a, "#");
    return n == strcspn(b, "#") && strncmp(a, b, n) == 0;
}

char *bx_url_key(const char *url)
{
    size_t n = bx_page_len(url);
    const char *scheme = strstr(url, "://");
    size_t path = scheme && (size_t)(scheme - url) < n ? (size_t)(scheme - url) + 3 : 0;
    path += strcspn(url + path, "/?#");
    size_t query = path + strcspn(url + path, "?#");
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_append(&b, url, path);
    for (size_t i = path; i < query;) { /* i at a '/' */
        size_t seg = i + 1 + strcspn(url + i + 1, "/?#");
        if (seg > query)
            seg = query;
        const char *p = url + i + 1;
        size_t pn = seg - i - 1;
        if (!asp_session_segment(p, pn)) {
            pw_buf_putc(&b, '/');
            size_t semi = strcspn(p, ";/?#");
            if (semi > pn)
                semi = pn;
            pw_buf_append(&b, p, semi);
            for (size_t j = semi; j < pn;) { /* ";a=b;c=d": keep all but session ids */
                size_t e = j + 1 + strcspn(p + j + 1, ";/?#");
                if (e > pn)
                    e = pn;
                if (!session_param(p + j + 1, e - j - 1))
                    pw_buf_append(&b, p + j, e - j);
                j = e;
            }
        }
        i = seg;
    }
    pw_buf_append(&b, url + query, n - query);
    return pw_buf_steal(&b, NULL);
}

/* A segment that is a number, a date or an id ("2026", "12", "2026-12-05", "a3f9c2e1b7", a
 * UUID): calendars, archives and listings make endless URLs of such segments. */
static int variable_segment(const char *p, size_t n)
{
    size_t digits = 0, hex = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= '0' && c <= '9')
            digits++;
        else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            hex++;
        else if (c != '-' && c != '_' && c != '.')
            other++;
    }
    if (!digits)
        return 0;
    if (!other && !hex)
        return 1;            /* 2026, 12, 2026-12-05, 12.5 */
    return !other && n >= 8; /* hex ids, UUIDs */
}

/* The template of a path key: its segments, those of variable_segment as "#" (heap). */
static char *template_of(const char *key, size_t n)
{
    const char *scheme = strstr(key, "://");
    size_t path = scheme && (size_t)(scheme - key) < n ? (size_t)(scheme - key) + 3 : 0;
    path += strcspn(key + path, "/");
    if (path > n)
        path = n;
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_append(&b, key, path);
    for (size_t i = path; i < n;) {
        size_t e = i + 1;
        while (e < n && key[e] != '/')
            e++;
        if (variable_segment(key + i + 1, e - i - 1))
            pw_buf_puts(&b, "/#");
        else
            pw_buf_append(&b, key + i, e - i);
        i = e;
    }
    return pw_buf_steal(&b, NULL);
}

/* The length of the family prefix of a path key: its first BX_FAMILY_DEPTH segments, fewer when
 * the path has no more (a family is a directory and what lies below it); 0 for a page at the
 * top of the site, which is no family. */
static size_t family_len(const char *key, size_t n)
{
    const char *scheme = strstr(key, "://");
    size_t i = scheme && (size_t)(scheme - key) < n ? (size_t)(scheme - key) + 3 : 0;
    i += strcspn(key + i, "/");
    size_t ends[BX_FAMILY_DEPTH + 1], segs = 0;
    while (i < n && segs <= BX_FAMILY_DEPTH) {
        i++;
        while (i < n && key[i] != '/')
            i++;
        ends[segs++] = i;
    }
    if (segs < 2)
        return 0;
    return ends[(segs - 1 < BX_FAMILY_DEPTH ? segs - 1 : BX_FAMILY_DEPTH) - 1];
}

int bx_queue_push(bx_queue *q, const char *url, const char *text, int depth)
{
    char *key = bx_url_key(url);
    if (!key)
        return -1;
    size_t n = strlen(key);
    int fresh, path_fresh, t_fresh, f_fresh;
    if (!bx_keyset_get(&q->seen, key, n, &fresh)) {
        free(key);
        return -1;
    }
    if (!fresh) {
        free(key);
        return 0;
    }
    size_t path_n = strcspn(key, "?");
    bx_keyed *path = bx_keyset_get(&q->paths, key, path_n, &path_fresh);
    char *tmpl_key = template_of(key, path_n);
    bx_keyed *tmpl =
        tmpl_key ? bx_keyset_get(&q->templates, tmpl_key, strlen(tmpl_key), &t_fresh) : NULL;
    size_t fam_n = family_len(key, path_n);
    bx_keyed *family = fam_n ? bx_keyset_get(&q->families, key, fam_n, &f_fresh) : NULL;
    free(tmpl_key);
    free(key);
    char *u = strndup(url, bx_page_len(url));
    if (!path || !tmpl || (fam_n && !family) || !u) {
        free(u);
        return -1;
    }
    bx_queue_item in = {u, depth, bx_care_score(u, text), q->seq++, path, tmpl, family};
    if (q->n >= BX_QUEUE_MAX) {
        long victim = full_queue_victim(q, &in);
        if (victim < 0) {
            free(u);
            q->dropped++;
            return 0;
        }
        free(q->items[victim].url);
        remove_at(q, (size_t)victim);
        q->dropped++;
    }
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        bx_queue_item *p = realloc(q->items, cap * sizeof *p);
        if (!p) {
            free(u);
            return -1;
        }
        q->items = p;
        q->cap = cap;
    }
    q->items[q->n++] = in;
    path->queued++;
    return 1;
}

int bx_queue_pop(bx_queue *q, bx_queue_item *item)
{
    if (q->n == 0)
        return 0;
    size_t best = 0;
    for (size_t i = 1; i < q->n; i++)
        if (comes_first(&q->items[i], &q->items[best]))
            best = i;
    *item = q->items[best];
    if (item->path->count++ == 0) { /* templates and families count distinct paths */
        item->tmpl->count++;
        if (item->family)
            item->family->count++;
    }
    remove_at(q, best);
    return 1;
}

static int has_skipped_extension(const pw_url *u)
{
    static const char *const ext[] = {".pdf",  ".jpg",  ".jpeg", ".png",  ".gif",  ".svg",  ".zip",
                                      ".doc",  ".docx", ".xls",  ".xlsx", ".ppt",  ".pptx", ".mp4",
                                      ".mp3",  ".mov",  ".ics",  ".xml",  ".json", ".css",  ".js",
                                      ".webp", ".ico",  ".txt",  ".csv"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t n = strlen(ext[i]);
        if (u->path.n >= n && pw_strncaseeq(u->path.p + u->path.n - n, ext[i], n))
            return 1;
    }
    return 0;
}

static int robots_allows(bx_browser *b, const pw_url *u)
{
    if (b->o->ignore_robots)
        return 1;
    for (size_t i = 0; i < b->n_robots; i++) {
        size_t n = strlen(b->robots_disallow[i]);
        if (n && u->path.n >= n && memcmp(u->path.p, b->robots_disallow[i], n) == 0)
            return 0;
    }
    return 1;
}

int bx_crawlable(bx_browser *b, const char *url)
{
    pw_url u;
    if (pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return 0;
    if (!((u.scheme.n == 4 && pw_strncaseeq(u.scheme.p, "http", 4)) ||
          (u.scheme.n == 5 && pw_strncaseeq(u.scheme.p, "https", 5))))
        return 0;
    /* robots.txt speaks to anonymous crawlers; the area behind an explicit --login is what the
     * site's owner asked to audit. */
    int in_login_area = b->login_area && strncmp(url, b->login_area, strlen(b->login_area)) == 0;
    if (has_skipped_extension(&u))
        return 0;
    int robots_refuses = !in_login_area && !robots_allows(b, &u);
    if (pw_strcasestr_n(u.path.p, u.path.n, "logout") ||
        pw_strcasestr_n(u.path.p, u.path.n, "signout") ||
        pw_strcasestr_n(u.path.p, u.path.n, "log-out") ||
        pw_strcasestr_n(u.path.p, u.path.n, "sign-out"))
        return 0; /* an authenticated scan must stay logged in */
    pw_arena a;
    pw_arena_init(&a, 4096);
    char *host = pw_url_host_dup(&a, &u);
    char *site = NULL;
    if (host && b->o->hooks.site_of)
        site = b->o->hooks.site_of(b->o->hooks.ctx, &a, host);
    if (!site)
        site = host;
    int same = site && b->site && strcmp(site, b->site) == 0;
    pw_arena_free(&a);
    if (same && robots_refuses) /* counted: a crawl robots.txt stops is said to be stopped */
        b->robots_refused++;
    return same && !robots_refuses;
}

static char *origin_of(const char *url, const char *path)
{
    pw_url u;
    if (pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return NULL;
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_append(&b, u.scheme.p, u.scheme.n);
    pw_buf_puts(&b, "://");
    pw_buf_append(&b, u.host.p, u.host.n);
    if (u.port.n) {
        pw_buf_putc(&b, ':');
        pw_buf_append(&b, u.port.p, u.port.n);
    }
    pw_buf_puts(&b, path);
    return pw_buf_steal(&b, NULL);
}

static int add_disallow(bx_browser *b, const char *p, size_t n)
{
    char **list = realloc(b->robots_disallow, (b->n_robots + 1) * sizeof *list);
    if (!list)
        return -1;
    b->robots_disallow = list;
    list[b->n_robots] = strndup(p, n);
    if (list[b->n_robots])
        b->n_robots++;
    return 0;
}

/* Disallow lines of the groups that apply to every agent ("*"). */
void bx_read_robots(bx_browser *b)
{
    if (b->o->ignore_robots)
        return;
    char *url = origin_of(b->start_url, "/robots.txt");
    bx_http_result r;
    if (!url || bx_http_get(url, 5000, 512 * 1024, &r, NULL) != PW_OK) {
        free(url);
        return;
    }
    free(url);
    if (r.status == 200) {
        int applies = 0, in_agents = 0;
        for (char *line = r.body; line && *line;) {
            char *end = strchr(line, '\n');
            size_t n = end ? (size_t)(end - line) : strlen(line);
            size_t hash = strcspn(line, "#");
            if (hash < n)
                n = hash;
            while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                n--;
            if (n >= 11 && pw_strncaseeq(line, "user-agent:", 11)) {
                const char *v = line + 11;
                while (*v == ' ' || *v == '\t')
                    v++;
                int star = (size_t)(v - line) < n && *v == '*';
                applies = in_agents ? applies || star : star;
                in_agents = 1;
            } else if (n > 0) {
                in_agents = 0;
                if (applies && n >= 9 && pw_strncaseeq(line, "disallow:", 9)) {
                    const char *v = line + 9;
                    while (*v == ' ' || *v == '\t')
                        v++;
                    size_t vn = n - (size_t)(v - line);
                    if (vn > 0)
                        add_disallow(b, v, vn);
                }
            }
            line = end ? end + 1 : NULL;
        }
    }
    bx_log(b, "robots.txt: %zu disallowed prefixes", b->n_robots);
    bx_http_result_free(&r);
}

/* The sitemap phase is bounded as a whole: a site with many slow child sitemaps must not hold
 * the scan (or a Ctrl-C) for minutes before the first page. */
#define BX_SITEMAP_MS       20000 /* all sitemaps together */
#define BX_SITEMAP_FETCH_MS 5000  /* one sitemap */
#define BX_SITEMAP_CHILDREN 10    /* child sitemaps of an index read */
#define BX_SITEMAP_URLS     5000  /* URLs queued from sitemaps */

typedef struct sitemap_run {
    long long deadline; /* monotonic ms */
    size_t children, urls;
    int cut; /* a bound stopped the reading: said in the log */
} sitemap_run;

static int sitemap_stop(bx_browser *b, sitemap_run *run)
{
    if (b->o->stop && b->o->stop->requested)
        return 1;
    if (cdp_now_ms() >= run->deadline || run->urls >= BX_SITEMAP_URLS) {
        run->cut = 1;
        return 1;
    }
    return 0;
}

/* <loc>…</loc> entries of /sitemap.xml (one level: a sitemap index's children are read once). */
static void read_sitemap_url(bx_browser *b, const char *url, int level, sitemap_run *run)
{
    if (sitemap_stop(b, run))
        return;
    long long left = run->deadline - cdp_now_ms();
    bx_http_result r;
    if (bx_http_get(url, left < BX_SITEMAP_FETCH_MS ? (long)left : BX_SITEMAP_FETCH_MS, 8u << 20,
                    &r, NULL) != PW_OK)
        return;
    size_t added = 0;
    for (const char *p = r.status == 200 ? r.body : ""; (p = strstr(p, "<loc>"));) {
        if (sitemap_stop(b, run))
            break;
        p += 5;
        const char *e = strstr(p, "</loc>");
        if (!e)
            break;
        while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        char *loc = strndup(p, (size_t)(e - p));
        if (loc) {
            size_t n = strlen(loc);
            while (n && strchr(" \r\n\t", loc[n - 1]))
                loc[--n] = '\0';
            if (n > 4 && pw_strncaseeq(loc + n - 4, ".xml", 4) && level == 0) {
                if (run->children++ < BX_SITEMAP_CHILDREN)
                    read_sitemap_url(b, loc, 1, run);
                else
                    run->cut = 1;
            } else if (bx_crawlable(b, loc) && bx_queue_push(&b->queue, loc, NULL, 1) > 0) {
                added++;
                run->urls++;
            }
            free(loc);
        }
        p = e + 6;
    }
    bx_log(b, "sitemap %s: %zu URLs", url, added);
    bx_http_result_free(&r);
}

void bx_read_sitemap(bx_browser *b)
{
    if (!b->o->follow_sitemap || b->o->max_depth == 0)
        return;
    char *url = origin_of(b->start_url, "/sitemap.xml");
    sitemap_run run = {cdp_now_ms() + BX_SITEMAP_MS, 0, 0, 0};
    if (url)
        read_sitemap_url(b, url, 0, &run);
    if (run.cut)
        bx_log(b,
               "sitemaps: stopped at a bound (%d s, %d child sitemaps, %d URLs); the crawl "
               "follows links",
               BX_SITEMAP_MS / 1000, BX_SITEMAP_CHILDREN, BX_SITEMAP_URLS);
    free(url);
}
