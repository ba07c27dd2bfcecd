/*
 * site.c — renders the demo site's pages (see site.h): page headers, layout, tag snippets,
 * placeholder resolution, the server-side find-a-doctor search and the sitemap.
 */
#include "site.h"

#include "http_parse.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FIELDS 24

typedef struct page {
    dbuf text;
    struct {
        const char *key, *val;
        size_t klen, vlen;
    } f[MAX_FIELDS];
    int nf;
    const char *body;
    size_t body_len;
} page;

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int site_page_file(const site_cfg *cfg, const char *path, char *file, size_t cap)
{
    if (strcmp(path, "/") == 0)
        path = "/index";
    for (const char *p = path; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '/' || *p == '-' || *p == '_'))
            return -1;
    int n = snprintf(file, cap, "%s/pages%s.html", cfg->root, path);
    if (n > 0 && (size_t)n < cap && is_file(file))
        return 0;
    n = snprintf(file, cap, "%s/pages%s/index.html", cfg->root, path);
    if (n > 0 && (size_t)n < cap && is_file(file))
        return 0;
    return -1;
}

/* Splits the leading "<!-- key: value … -->" block into fields; the rest is the body. */
static void page_parse(page *pg)
{
    const char *s = pg->text.p;
    pg->body = s;
    pg->body_len = pg->text.n;
    if (strncmp(s, "<!--", 4) != 0)
        return;
    const char *end = strstr(s, "-->");
    if (!end)
        return;
    const char *line = s + 4;
    while (line < end && pg->nf < MAX_FIELDS) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *colon = memchr(line, ':', (size_t)(le - line));
        if (colon) {
            const char *k = line, *v = colon + 1;
            while (k < colon && isspace((unsigned char)*k))
                k++;
            while (v < le && isspace((unsigned char)*v))
                v++;
            const char *ve = le;
            while (ve > v && isspace((unsigned char)ve[-1]))
                ve--;
            pg->f[pg->nf].key = k;
            pg->f[pg->nf].klen = (size_t)(colon - k);
            pg->f[pg->nf].val = v;
            pg->f[pg->nf].vlen = (size_t)(ve - v);
            pg->nf++;
        }
        line = le + 1;
    }
    pg->body = end + 3;
    if (*pg->body == '\n')
        pg->body++;
    pg->body_len = (size_t)(pg->text.p + pg->text.n - pg->body);
}

static int page_load(page *pg, const char *file)
{
    memset(pg, 0, sizeof *pg);
    if (dbuf_read_file(&pg->text, file) != 0 || pg->text.n == 0) {
        dbuf_free(&pg->text);
        return -1;
    }
    page_parse(pg);
    return 0;
}

static const char *page_get(const page *pg, const char *key, size_t *len)
{
    size_t kl = strlen(key);
    for (int i = 0; i < pg->nf; i++) {
        if (pg->f[i].klen == kl && memcmp(pg->f[i].key, key, kl) == 0) {
            *len = pg->f[i].vlen;
            return pg->f[i].val;
        }
    }
    *len = 0;
    return NULL;
}

int site_page_header(const char *file, const char *key, char *out, size_t cap)
{
    page pg;
    if (page_load(&pg, file) != 0)
        return -1;
    size_t n;
    const char *v = page_get(&pg, key, &n);
    int rc = -1;
    if (v && n < cap) {
        memcpy(out, v, n);
        out[n] = '\0';
        rc = 0;
    }
    dbuf_free(&pg.text);
    return rc;
}

/* Appends root/<dir>/<name>.html when name is a safe tag name. */
static void add_snippet(dbuf *out, const char *base, const char *dir, const char *name, size_t n)
{
    char path[1024];
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_'))
            return;
    snprintf(path, sizeof path, "%s/%s/%.*s.html", base, dir, (int)n, name);
    dbuf_read_file(out, path);
}

static void build_head(const site_cfg *cfg, const page *pg, dbuf *head)
{
    if (cfg->clean) {
        add_snippet(head, cfg->clean_dir, "_tags", "phiwall", 7);
        return;
    }
    size_t n;
    const char *tags = page_get(pg, "tags", &n);
    size_t i = 0;
    while (tags && i < n) {
        while (i < n && tags[i] == ' ')
            i++;
        size_t j = i;
        while (j < n && tags[j] != ' ')
            j++;
        if (j > i)
            add_snippet(head, cfg->root, "_tags", tags + i, j - i);
        i = j;
    }
}

/* Layout with {{head}}, {{body}} and {{banner}} spliced in (trusted files only). */
static int assemble(const site_cfg *cfg, const page *pg, dbuf *doc)
{
    char path[1024];
    dbuf layout = {0}, head = {0}, banner = {0};
    snprintf(path, sizeof path, "%s/_layout.html", cfg->root);
    if (dbuf_read_file(&layout, path) != 0) {
        dbuf_free(&layout);
        return -1;
    }
    build_head(cfg, pg, &head);
    size_t bn;
    const char *b = page_get(pg, "banner", &bn);
    if (!(b && bn == 2 && memcmp(b, "no", 2) == 0))
        add_snippet(&banner, cfg->root, "_partials", "banner", 6);
    const char *s = layout.p;
    const char *e = s + layout.n;
    while (s < e) {
        const char *m = strstr(s, "{{");
        if (!m) {
            dbuf_add(doc, s, (size_t)(e - s));
            break;
        }
        dbuf_add(doc, s, (size_t)(m - s));
        if (strncmp(m, "{{head}}", 8) == 0)
            dbuf_add(doc, head.p ? head.p : "", head.n);
        else if (strncmp(m, "{{body}}", 8) == 0)
            dbuf_add(doc, pg->body, pg->body_len);
        else if (strncmp(m, "{{banner}}", 10) == 0)
            dbuf_add(doc, banner.p ? banner.p : "", banner.n);
        else {
            dbuf_add(doc, "{{", 2);
            s = m + 2;
            continue;
        }
        s = strstr(m, "}}") + 2;
    }
    dbuf_free(&layout);
    dbuf_free(&head);
    dbuf_free(&banner);
    return doc->oom ? -1 : 0;
}

typedef struct render_ctx {
    const site_cfg *cfg;
    const page *pg;
    const site_req *req;
    char q[512];
    long qlen;
} render_ctx;

static void resolve_text(render_ctx *rc, const char *s, size_t n, dbuf *out);

/* Lower-cases and checks that every word of q occurs in hay. */
static int matches_all_words(const char *q, const char *hay)
{
    char word[128];
    const char *p = q;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p))
            p++;
        size_t n = 0;
        while (*p && isalnum((unsigned char)*p) && n + 1 < sizeof word)
            word[n++] = (char)tolower((unsigned char)*p++);
        word[n] = '\0';
        if (n > 0 && !strstr(hay, word))
            return 0;
        while (*p && isalnum((unsigned char)*p))
            p++;
    }
    return 1;
}

enum { D_SLUG, D_NAME, D_CRED, D_SPEC, D_FOCUS, D_LOC, D_PHONE, D_PROFILE, D_ACCEPT, D_N };

static void doctor_card(dbuf *out, char **f)
{
    char initials[4] = {0};
    const char *last = strrchr(f[D_NAME], ' ');
    initials[0] = f[D_NAME][0];
    initials[1] = last ? last[1] : 0;
    int profile = strcmp(f[D_PROFILE], "yes") == 0;
    dbuf_adds(out, "<article class=\"doctor-card\"><div class=\"avatar\" aria-hidden=\"true\">");
    dbuf_add_html(out, initials, strlen(initials));
    dbuf_adds(out, "</div><div class=\"doctor-info\"><h3>");
    if (profile)
        dbuf_printf(out, "<a href=\"/doctors/%s\">", f[D_SLUG]);
    dbuf_printf(out, "%s, %s", f[D_NAME], f[D_CRED]);
    dbuf_adds(out, profile ? "</a></h3>" : "</h3>");
    dbuf_printf(out, "<p class=\"specialty\">%s</p><p class=\"focus\">%s</p>", f[D_SPEC],
                f[D_FOCUS]);
    dbuf_printf(out, "<p class=\"meta\">%s &middot; %s</p>", f[D_LOC], f[D_PHONE]);
    if (strcmp(f[D_ACCEPT], "yes") == 0)
        dbuf_adds(out, "<p class=\"badge\">Accepting new patients</p>");
    dbuf_printf(out,
                "</div><a class=\"btn btn-primary\" href=\"/appointments/request?doctor=%s\">"
                "Request an appointment</a></article>\n",
                f[D_SLUG]);
}

/* Renders the doctor cards matching q (all doctors when q is empty). */
static void render_results(render_ctx *rc, dbuf *out)
{
    char path[1024];
    dbuf tsv = {0};
    snprintf(path, sizeof path, "%s/_data/doctors.tsv", rc->cfg->root);
    if (dbuf_read_file(&tsv, path) != 0) {
        dbuf_free(&tsv);
        return;
    }
    int shown = 0;
    char *save = NULL;
    dbuf cards = {0};
    for (char *line = strtok_r(tsv.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char *f[D_N];
        int nf = 0;
        char *fs = NULL;
        for (char *t = strtok_r(line, "\t", &fs); t && nf < D_N; t = strtok_r(NULL, "\t", &fs))
            f[nf++] = t;
        if (nf < D_N)
            continue;
        char hay[2048];
        snprintf(hay, sizeof hay, "%s %s %s %s", f[D_NAME], f[D_SPEC], f[D_FOCUS], f[D_LOC]);
        for (char *h = hay; *h; h++)
            *h = (char)tolower((unsigned char)*h);
        if (rc->qlen > 0 && !matches_all_words(rc->q, hay))
            continue;
        doctor_card(&cards, f);
        shown++;
    }
    if (rc->qlen > 0) {
        dbuf_printf(out,
                    "<p class=\"result-count\" id=\"result-count\">%d doctor%s found for "
                    "&ldquo;",
                    shown, shown == 1 ? "" : "s");
        dbuf_add_html(out, rc->q, (size_t)rc->qlen);
        dbuf_adds(out, "&rdquo;.</p>\n");
    }
    if (cards.p)
        dbuf_add(out, cards.p, cards.n);
    dbuf_free(&cards);
    if (shown == 0)
        dbuf_adds(out, "<p class=\"empty\">No doctors matched your search. Try a specialty such "
                       "as &ldquo;cardiology&rdquo; or call (555) 010-4000.</p>\n");
    dbuf_free(&tsv);
}

static void resolve_param(render_ctx *rc, const char *name, size_t n, dbuf *out)
{
    char key[64], val[1024];
    if (n >= sizeof key)
        return;
    memcpy(key, name, n);
    key[n] = '\0';
    long vl = dh_form_get(rc->req->query, rc->req->query_len, key, val, sizeof val);
    if (vl > 0)
        dbuf_add_html(out, val, (size_t)vl);
}

static void resolve_header(render_ctx *rc, const char *key, dbuf *out)
{
    size_t n;
    const char *v = page_get(rc->pg, key, &n);
    if (v)
        resolve_text(rc, v, n, out);
}

static void resolve(render_ctx *rc, const char *name, size_t n, dbuf *out)
{
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(name, lit, n) == 0)
    if (IS("title")) {
        size_t tq;
        if (rc->qlen > 0 && page_get(rc->pg, "title_q", &tq))
            resolve_header(rc, "title_q", out);
        else
            resolve_header(rc, "title", out);
    } else if (IS("description") || IS("section") || IS("category")) {
        char key[16];
        memcpy(key, name, n);
        key[n] = '\0';
        resolve_header(rc, key, out);
    } else if (IS("gateway")) {
        /* Checked at startup to hold only URL-safe characters (it lands inside a script). */
        dbuf_adds(out, rc->cfg->gateway ? rc->cfg->gateway : "/e");
    } else if (IS("q")) {
        if (rc->qlen > 0)
            dbuf_add_html(out, rc->q, (size_t)rc->qlen);
    } else if (IS("results")) {
        render_results(rc, out);
    } else if (IS("user")) {
        if (rc->req->user)
            dbuf_add_html(out, rc->req->user, strlen(rc->req->user));
    } else if (IS("error")) {
        char v[8];
        if (dh_form_get(rc->req->query, rc->req->query_len, "error", v, sizeof v) > 0)
            dbuf_adds(out, "<p class=\"form-error\" role=\"alert\">That username and password "
                           "did not match our records. Please try again.</p>");
    } else if (n > 6 && memcmp(name, "param:", 6) == 0) {
        resolve_param(rc, name + 6, n - 6, out);
    } else {
        dbuf_add(out, "{{", 2);
        dbuf_add(out, name, n);
        dbuf_add(out, "}}", 2);
    }
#undef IS
}

/* One pass: resolved values are written out, never scanned again. */
static void resolve_text(render_ctx *rc, const char *s, size_t n, dbuf *out)
{
    const char *e = s + n;
    while (s < e) {
        const char *m = memmem(s, (size_t)(e - s), "{{", 2);
        const char *c = m ? memmem(m + 2, (size_t)(e - m - 2), "}}", 2) : NULL;
        if (!m || !c) {
            dbuf_add(out, s, (size_t)(e - s));
            return;
        }
        dbuf_add(out, s, (size_t)(m - s));
        resolve(rc, m + 2, (size_t)(c - m - 2), out);
        s = c + 2;
    }
}

int site_render(const site_cfg *cfg, const char *file, const site_req *req, dbuf *out)
{
    page pg;
    if (page_load(&pg, file) != 0)
        return -1;
    dbuf doc = {0};
    int rc = assemble(cfg, &pg, &doc);
    if (rc == 0) {
        render_ctx ctx = {.cfg = cfg, .pg = &pg, .req = req};
        ctx.qlen = dh_form_get(req->query, req->query_len, "q", ctx.q, sizeof ctx.q);
        resolve_text(&ctx, doc.p, doc.n, out);
        rc = out->oom ? -1 : 0;
    }
    dbuf_free(&doc);
    dbuf_free(&pg.text);
    return rc;
}

static void sitemap_dir(const site_cfg *cfg, const char *origin, const char *rel, dbuf *out,
                        int depth)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/pages%s", cfg->root, rel);
    DIR *d = opendir(dir);
    if (!d || depth > 4) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || de->d_name[0] == '_')
            continue;
        char sub[1024], file[2048], flag[8];
        snprintf(sub, sizeof sub, "%s/%s", rel, de->d_name);
        snprintf(file, sizeof file, "%s/%s", dir, de->d_name);
        size_t len = strlen(sub);
        if (len > 5 && strcmp(sub + len - 5, ".html") == 0) {
            if (site_page_header(file, "sitemap", flag, sizeof flag) == 0 &&
                strcmp(flag, "no") == 0)
                continue;
            sub[len - 5] = '\0';
            if (strcmp(sub, "/index") == 0)
                sub[1] = '\0';
            dbuf_printf(out, "  <url><loc>%s%s</loc></url>\n", origin, sub);
        } else {
            struct stat st;
            if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
                sitemap_dir(cfg, origin, sub, out, depth + 1);
        }
    }
    closedir(d);
}

int site_sitemap(const site_cfg *cfg, const char *origin, dbuf *out)
{
    dbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    sitemap_dir(cfg, origin, "", out, 0);
    dbuf_adds(out, "</urlset>\n");
    return out->oom ? -1 : 0;
}
