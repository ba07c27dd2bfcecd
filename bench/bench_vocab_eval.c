/*
 * bench_vocab_eval.c — quality of the built-in health vocabulary:
 *   recall   on ICD-10-CM 2018 category titles (../shared/data/icd10cm-2018-categories): the
 *            share of titles with at least one health-context hit, overall, per chapter and
 *            without the external-cause chapters V-Y (accidents, not conditions);
 *   false positives on the Maison DLP benchmark (../shared/data/maison-dlp): the share of
 *            messages outside "Health and Biometric Data" with a health hit, per category, and
 *            health recall/false positives inside that category;
 *   zero hits on the general hospital pages in tests/data/vocab/general_pages.txt.
 * Health context = any class except generic and care_intent. Text is normalised as detect does.
 * Skips a data set cleanly when ../shared/data is absent.
 *
 * Run: build/bench/bench_vocab_eval [SHARED_DATA_DIR]  (default: <source>/../shared/data)
 *      PHIWALL_VOCAB_BACKEND=ac selects the portable back end.  -v lists misses and hits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/detect/vocab.h"
#include "../src/detect/vocab_tsv.h"

typedef struct ctx {
    pw_vocab *v;
    pw_vocab_scratch *s;
    pw_arena a;
    int verbose;
} ctx;

/* The first health-context term in text, or NULL. */
static const char *health_hit(ctx *c, const char *text, size_t n)
{
    char *norm = malloc(n + 1);
    if (!norm)
        return NULL;
    size_t len = pw_vocab_normalize(text, n, norm);
    pw_vocab_match *m = NULL;
    size_t k = 0;
    const char *hit = NULL;
    pw_arena_reset(&c->a);
    if (pw_vocab_scan(c->v, c->s, &c->a, norm, len, &m, &k, NULL) == PW_OK) {
        for (size_t i = 0; i < k && !hit; i++) {
            const pw_vocab_entry *e = pw_vocab_entry_at(c->v, m[i].entry);
            if (e->cls != PW_VOCAB_GENERIC && e->cls != PW_VOCAB_CARE_INTENT)
                hit = e->term;
        }
    }
    free(norm);
    return hit;
}

/* ---- a small RFC 4180 reader (quoted fields, "" escapes, newlines inside quotes) ---- */

#define MAX_FIELDS 16

typedef struct csv {
    char *data;
    size_t n, pos;
} csv;

static int csv_open(csv *f, const char *path)
{
    pw_err err;
    f->pos = 0;
    return pw_vocab_read_file(path, &f->data, &f->n, &err) == PW_OK ? 0 : -1;
}

/* Next record: fields NUL-terminated in place (quotes removed); returns field count, 0 at end. */
static int csv_next(csv *f, char **fields)
{
    if (f->pos >= f->n)
        return 0;
    int nf = 0;
    for (;;) {
        char *out = f->data + f->pos, *start = out;
        int quoted = f->pos < f->n && f->data[f->pos] == '"';
        f->pos += (size_t)quoted;
        while (f->pos < f->n) {
            char ch = f->data[f->pos];
            if (quoted && ch == '"') {
                if (f->pos + 1 < f->n && f->data[f->pos + 1] == '"') {
                    *out++ = '"';
                    f->pos += 2;
                    continue;
                }
                quoted = 0;
                f->pos++;
                continue;
            }
            if (!quoted && (ch == ',' || ch == '\n' || ch == '\r'))
                break;
            *out++ = ch;
            f->pos++;
        }
        char sep = f->pos < f->n ? f->data[f->pos] : '\n';
        *out = '\0';
        if (nf < MAX_FIELDS)
            fields[nf++] = start;
        f->pos++;
        if (sep == '\r' && f->pos < f->n && f->data[f->pos] == '\n')
            f->pos++;
        if (sep != ',')
            return nf;
    }
}

/* ---- ICD-10-CM titles ---- */

static void eval_icd(ctx *c, const char *dir)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/icd10cm-2018-categories/categories.csv", dir);
    csv f;
    if (csv_open(&f, path) != 0) {
        printf("icd10cm: skipped: ../shared/data not present (%s)\n", path);
        return;
    }
    size_t total[26] = {0}, hit[26] = {0};
    char *fields[MAX_FIELDS];
    int nf;
    while ((nf = csv_next(&f, fields)) > 0) {
        if (nf < 2 || fields[0][0] < 'A' || fields[0][0] > 'Z')
            continue;
        int ch = fields[0][0] - 'A';
        total[ch]++;
        const char *h = health_hit(c, fields[1], strlen(fields[1]));
        hit[ch] += h != NULL;
        if (c->verbose && !h)
            printf("  miss %s %s\n", fields[0], fields[1]);
    }
    free(f.data);
    size_t all = 0, all_hit = 0, ext = 0, ext_hit = 0;
    printf("icd10cm recall per chapter letter (titles with a health hit):\n ");
    for (int i = 0; i < 26; i++) {
        if (!total[i])
            continue;
        printf(" %c %.2f", 'A' + i, (double)hit[i] / (double)total[i]);
        all += total[i];
        all_hit += hit[i];
        if (i >= 'V' - 'A' && i <= 'Y' - 'A') {
            ext += total[i];
            ext_hit += hit[i];
        }
    }
    printf("\nicd10cm recall: %.4f (%zu/%zu titles); without external causes V-Y: %.4f "
           "(%zu/%zu)\n",
           (double)all_hit / (double)all, all_hit, all,
           (double)(all_hit - ext_hit) / (double)(all - ext), all_hit - ext_hit, all - ext);
}

/* ---- Maison DLP ---- */

#define MAX_CATS 16

static void eval_maison(ctx *c, const char *dir)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/maison-dlp/general-sensitive-data-benchmark.csv", dir);
    csv f;
    if (csv_open(&f, path) != 0) {
        printf("maison-dlp: skipped: ../shared/data not present (%s)\n", path);
        return;
    }
    const char *names[MAX_CATS];
    size_t n_cats = 0, total[MAX_CATS] = {0}, hits[MAX_CATS] = {0};
    size_t hp = 0, hp_hit = 0, hn = 0, hn_hit = 0;
    char *fields[MAX_FIELDS];
    int nf = csv_next(&f, fields); /* header */
    while ((nf = csv_next(&f, fields)) > 0) {
        if (nf < 6)
            continue;
        const char *cat = fields[1], *type = fields[3], *text = fields[5];
        const char *h = health_hit(c, text, strlen(text));
        if (strncmp(cat, "Health", 6) == 0) {
            int pos = strcmp(type, "Positive") == 0;
            hp += pos;
            hp_hit += pos && h;
            hn += !pos;
            hn_hit += !pos && h;
            continue;
        }
        size_t k = 0;
        while (k < n_cats && strcmp(names[k], cat) != 0)
            k++;
        if (k == n_cats && n_cats < MAX_CATS)
            names[n_cats++] = cat;
        if (k >= MAX_CATS)
            continue;
        total[k]++;
        hits[k] += h != NULL;
        if (c->verbose && h)
            printf("  fp '%s' in [%s] %s\n", h, cat, text);
    }
    size_t all = 0, all_hit = 0;
    printf("maison-dlp health hits on non-health messages, per category:\n");
    for (size_t k = 0; k < n_cats; k++) {
        printf("  %-32s %3zu/%3zu\n", names[k], hits[k], total[k]);
        all += total[k];
        all_hit += hits[k];
    }
    printf("maison-dlp false-positive rate (non-health messages with a health hit): %.4f "
           "(%zu/%zu)\n",
           all ? (double)all_hit / (double)all : 0.0, all_hit, all);
    printf("maison-dlp Health and Biometric Data: positives hit %zu/%zu, negatives hit %zu/%zu "
           "(these negatives still talk about health)\n",
           hp_hit, hp, hn_hit, hn);
    free(f.data);
}

/* ---- general hospital pages written for the project ---- */

static void eval_general(ctx *c, const char *src)
{
    char path[2048], line[4096];
    snprintf(path, sizeof path, "%s/tests/data/vocab/general_pages.txt", src);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        printf("general pages: %s not found\n", path);
        return;
    }
    size_t n = 0, bad = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        n++;
        const char *h = health_hit(c, line, strlen(line));
        if (h) {
            bad++;
            printf("  general page hit '%s': %s\n", h, line);
        }
    }
    fclose(fp);
    printf("general hospital pages with a health hit: %zu/%zu (target 0)\n", bad, n);
}

static void source_dir(char *out, size_t cap)
{
    snprintf(out, cap, "%s", __FILE__);
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(out, '/');
        if (slash)
            *slash = '\0';
    }
}

int main(int argc, char **argv)
{
    ctx c = {0};
    const char *shared = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            c.verbose = 1;
        else
            shared = argv[i];
    }
    char src[1024], shared_default[1100];
    source_dir(src, sizeof src);
    /* ../shared/data beside the checkout (or beside its parent, for a git worktree). */
    snprintf(shared_default, sizeof shared_default, "%s/../shared/data", src);
    FILE *probe = fopen(shared_default, "r");
    if (!probe)
        snprintf(shared_default, sizeof shared_default, "%s/../../shared/data", src);
    else
        fclose(probe);
    if (!shared)
        shared = shared_default;
    pw_err err;
    if (pw_vocab_new(NULL, &c.v, &err) != PW_OK || pw_vocab_scratch_new(c.v, &c.s, &err)) {
        fprintf(stderr, "bench_vocab_eval: %s\n", err.msg);
        return 1;
    }
    pw_arena_init(&c.a, 0);
    printf("bench_vocab_eval: %zu entries, back end %s\n", pw_vocab_size(c.v),
           pw_vocab_backend_name(pw_vocab_backend_of(c.v)));
    eval_icd(&c, shared);
    eval_maison(&c, shared);
    eval_general(&c, src);
    printf("reproduce: ./scripts/build.sh build && build/bench/bench_vocab_eval [-v] "
           "[../shared/data]\n");
    pw_arena_free(&c.a);
    pw_vocab_scratch_free(c.s);
    pw_vocab_free(c.v);
    return 0;
}
