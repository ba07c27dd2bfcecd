/*
 * bench_detect.c — throughput of the PHI engine per core, with the full vocabulary loaded, on the
 * labelled corpus from data/eval/gen_detect_corpus.py (URLs, titles, button texts, form fields,
 * JSON values). Measured on one thread in CPU time; the baseline in the same run is one memchr
 * pass for '@' over the same fields (the cheapest possible look at every byte). "event" scans
 * the same fields with pw_detect_scan_event, grouped the way a beacon reaches the assessor
 * (gateway and scan): a page URL and the strings sent with it, i.e. a new event at every URL row
 * and after EVENT_FIELDS fields, and is reported beside the per-field scan.
 * The per-size rows select fields by length (short fields show the fixed cost of a call) and add
 * the CPU time per field.
 *
 *   python3 data/eval/gen_detect_corpus.py --rows 20000 > /tmp/detect_corpus.tsv
 *   build/bench/bench_detect /tmp/detect_corpus.tsv
 *
 * For instruction counts (deterministic where the clock is not), one pass in one mode:
 *   valgrind --tool=callgrind build/bench/bench_detect --once scan|event /tmp/detect_corpus.tsv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phiwall/detect.h"

typedef struct field {
    const char *key;
    const char *text;
    size_t n;
    pw_field_type type;
} field;

typedef struct corpus {
    field *f;
    size_t n, cap, bytes;
    char *data;
} corpus;

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pw_field_type type_of(const char *t)
{
    return strcmp(t, "url") == 0    ? PW_FT_URL
           : strcmp(t, "form") == 0 ? PW_FT_FORM_VALUE
           : strcmp(t, "json") == 0 ? PW_FT_JSON_VALUE
                                    : PW_FT_TEXT;
}

/* Load the TSV in place: group, type, key, text, labels. */
static int load(const char *path, corpus *c)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    c->data = malloc((size_t)len + 1);
    if (!c->data || fread(c->data, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        return 0;
    }
    fclose(f);
    c->data[len] = '\0';
    for (char *line = c->data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *col[4];
        int k = 0;
        for (char *p = line; k < 4 && p; k++) {
            col[k] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (line[0] == '#' || k < 4)
            continue;
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->f = realloc(c->f, c->cap * sizeof *c->f);
            if (!c->f)
                return 0;
        }
        c->f[c->n++] =
            (field){strcmp(col[2], "-") ? col[2] : NULL, col[3], strlen(col[3]), type_of(col[1])};
        c->bytes += strlen(col[3]);
    }
    return c->n > 0;
}

typedef enum mode { M_BASELINE, M_SCAN, M_REDACT, M_EVENT } mode;

/* Which fields a row measures: a field type (-1 = all) and a length range [min_len, max_len]. */
typedef struct selection {
    int type;
    size_t min_len, max_len;
} selection;

static int selected(const field *f, const selection *sel)
{
    return (sel->type < 0 || (int)f->type == sel->type) && f->n >= sel->min_len &&
           f->n <= sel->max_len;
}

#define EVENT_FIELDS 16

/* Scan the selected fields as events (a URL row starts one; at most EVENT_FIELDS fields); adds
 * their bytes and hits. */
static void scan_events(const corpus *c, pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                        const selection *sel, size_t *bytes, size_t *hits)
{
    pw_detect_field ev[EVENT_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i <= c->n; i++) {
        const field *f = i < c->n ? &c->f[i] : NULL;
        if (f && !selected(f, sel))
            continue;
        int flush = n && (!f || n == EVENT_FIELDS || f->type == PW_FT_URL);
        if (flush) {
            pw_arena_reset(a);
            pw_detect_scan_event(d, s, a, ev, n, NULL);
            for (size_t k = 0; k < n; k++)
                *hits += ev[k].n_hits;
            n = 0;
        }
        if (f) {
            ev[n++] = (pw_detect_field){f->key, f->text, f->n, f->type, PW_OBJECT_UNKNOWN, NULL, 0};
            *bytes += f->n;
        }
    }
}

/* MB/s of one mode over the selected fields; *us_per_field (if not NULL) the CPU time per field.
 * Each round over the corpus gets a new scratch (its creation timed too): the scratch's memos
 * (parameter names, segments that gave no hit) then help only with what repeats within one
 * pass, as in one scan of real traffic, never with a value seen in an earlier round. */
static double measure(const corpus *c, pw_detector *d, mode m, const selection *sel,
                      size_t *hits_out, double *us_per_field)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_buf out;
    pw_buf_init(&out);
    size_t bytes = 0, hits = 0, sink = 0, fields = 0;
    double t0 = cpu_seconds(), t = 0;
    for (int round = 0; t < 1.0 || round < 2; round++) {
        pw_detect_scratch *s = NULL;
        if (m != M_BASELINE && pw_detect_scratch_new(d, &s, NULL) != PW_OK)
            break;
        if (m == M_EVENT) {
            scan_events(c, d, s, &a, sel, &bytes, &hits);
            pw_detect_scratch_free(s);
            t = cpu_seconds() - t0;
            continue;
        }
        for (size_t i = 0; i < c->n; i++) {
            const field *f = &c->f[i];
            if (!selected(f, sel))
                continue;
            bytes += f->n;
            fields++;
            if (m == M_BASELINE) {
                sink += memchr(f->text, '@', f->n) != NULL;
                continue;
            }
            pw_arena_reset(&a);
            if (m == M_SCAN) {
                pw_hit *h;
                size_t nh;
                pw_detect_scan(d, s, &a, f->key, f->text, f->n, f->type, &h, &nh, NULL);
                hits += nh;
            } else {
                pw_buf_clear(&out);
                pw_redact(d, s, &a, f->key, f->text, f->n, f->type, &out, NULL);
            }
        }
        pw_detect_scratch_free(s);
        t = cpu_seconds() - t0;
    }
    if (hits_out)
        *hits_out = hits + (sink & 0);
    if (us_per_field)
        *us_per_field = fields ? t * 1e6 / (double)fields : 0;
    pw_buf_free(&out);
    pw_arena_free(&a);
    return (double)bytes / t / 1e6;
}

/* --once: one pass over every field in one mode; prints the hits. */
static int run_once(const corpus *c, pw_detector *d, pw_detect_scratch *s, const char *how)
{
    const selection all = {-1, 0, SIZE_MAX};
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t bytes = 0, hits = 0;
    if (strcmp(how, "event") == 0) {
        scan_events(c, d, s, &a, &all, &bytes, &hits);
    } else {
        for (size_t i = 0; i < c->n; i++) {
            pw_hit *h;
            size_t nh = 0;
            pw_arena_reset(&a);
            pw_detect_scan(d, s, &a, c->f[i].key, c->f[i].text, c->f[i].n, c->f[i].type, &h, &nh,
                           NULL);
            hits += nh;
            bytes += c->f[i].n;
        }
    }
    printf("%s: %zu fields, %zu bytes, %zu hits\n", how, c->n, bytes, hits);
    pw_arena_free(&a);
    return 0;
}

int main(int argc, char **argv)
{
    const char *once = NULL;
    if (argc > 2 && strcmp(argv[1], "--once") == 0) {
        once = argv[2];
        argv += 2, argc -= 2;
    }
    const char *path = argc > 1 ? argv[1] : "/tmp/detect_corpus.tsv";
    corpus c = {0};
    if (!load(path, &c)) {
        fprintf(stderr,
                "bench_detect: cannot read %s; make it with\n"
                "  python3 data/eval/gen_detect_corpus.py --rows 20000 > %s\n",
                path, path);
        return 2;
    }
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    if (pw_detector_new(NULL, &d, NULL) != PW_OK || pw_detect_scratch_new(d, &s, NULL) != PW_OK)
        return 1;
    if (once) {
        int rc = run_once(&c, d, s, once);
        pw_detect_scratch_free(s);
        pw_detector_free(d);
        free(c.f);
        free(c.data);
        return rc;
    }
    printf("corpus: %s, %zu fields, %.2f MB; vocabulary: %zu entries; one core (CPU time)\n", path,
           c.n, (double)c.bytes / 1e6, pw_detector_vocab_size(d));
    static const struct {
        const char *name;
        selection sel;
    } sets[] = {
        {"all fields", {-1, 0, SIZE_MAX}},
        {"URL fields", {PW_FT_URL, 0, SIZE_MAX}},
        {"text fields", {PW_FT_TEXT, 0, SIZE_MAX}},
        {"<= 24 B", {-1, 0, 24}},
        {"25-64 B", {-1, 25, 64}},
        {"65-256 B", {-1, 65, 256}},
        {"> 256 B", {-1, 257, SIZE_MAX}},
    };
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        size_t hits = 0, ev_hits = 0, n = 0;
        for (size_t i = 0; i < c.n; i++)
            n += selected(&c.f[i], &sets[k].sel);
        if (n == 0)
            continue;
        double us = 0;
        double base = measure(&c, d, M_BASELINE, &sets[k].sel, NULL, NULL);
        double scan = measure(&c, d, M_SCAN, &sets[k].sel, &hits, &us);
        double event = measure(&c, d, M_EVENT, &sets[k].sel, &ev_hits, NULL);
        double red = measure(&c, d, M_REDACT, &sets[k].sel, NULL, NULL);
        printf("%-12s scan %8.1f MB/s (%6.2f us/field, %5zu fields)  event %8.1f MB/s (x%.2f)  "
               "redact %8.1f MB/s  baseline memchr %9.1f MB/s  scan/baseline %.4f\n",
               sets[k].name, scan, us, n, event, event / scan, red, base, scan / base);
    }
    printf("command: %s %s\n", argv[0], path);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
    free(c.f);
    free(c.data);
    return 0;
}
