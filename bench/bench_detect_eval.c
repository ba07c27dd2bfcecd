/*
 * bench_detect_eval.c — precision and recall of the PHI engine per category.
 *
 *   bench_detect_eval FILE.tsv…            labelled rows (tests/data/detect/heldout.tsv, or the
 *                                         output of data/eval/gen_detect_corpus.py)
 *   bench_detect_eval --presidio DIR       presidio-research synthetic sentences (read in place)
 *   bench_detect_eval --presidio-ours DIR  the same, the labels that are no identifier of ours
 *                                         (a year or a weekday alone, a non-US postcode) unscored
 *                                         and counted (not_ours below)
 *   bench_detect_eval -v …                 also every miss ("FN cat: "span" in text") and every
 *                                         false positive ("FP …") on stderr, one line each (line
 *                                         breaks written \n): grep FN | sort groups the misses
 *   bench_detect_eval --dump FILE.tsv…     every hit (all fields) and the redacted text of every
 *                                         row, one line each: diff two builds' dumps to prove a
 *                                         speed change kept every result
 *   bench_detect_eval --dump-event FILE.tsv…  the same lines, the hits found by scanning runs of
 *                                         1–16 consecutive rows (seeded sizes) as one event with
 *                                         pw_detect_scan_event: must equal --dump byte for byte
 *
 * A predicted hit is a true positive when it overlaps a labelled span of the same category;
 * overlapping a labelled span of another scored category (a ZIP inside a labelled address) is
 * neutral; anything else is a false positive. Rows of group "general" (careers, parking, news,
 * visiting hours) must give no hit at all and are counted separately.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_tree.h>

#include "phiwall/detect.h"

#define MAX_GOLD 32

typedef struct gold {
    int cat; /* pw_phi_category, or -1 for an unscored span */
    size_t start, end;
} gold;

typedef struct tally {
    long gold, pred, tp_pred, tp_gold;
} tally;

typedef struct eval {
    pw_detector *d;
    pw_detect_scratch *s;
    pw_arena a;
    tally t[PW_PHI__COUNT];
    long general_rows, general_rows_hit, general_rows_ident, rows;
    int verbose;
    int ours;                     /* --presidio-ours */
    long not_ours[PW_PHI__COUNT]; /* labels it left unscored, per category */
    int dump;                     /* print every hit and redaction instead of scoring */
    pw_detector *canary_d;
    pw_detect_scratch *canary_s;
    pw_buf out;
    int event;            /* --dump-event: rows are buffered into events */
    struct ev_row *ev;    /* the rows of the event being gathered */
    size_t n_ev, ev_size; /* rows gathered, rows wanted in this event */
    uint64_t rng;         /* event sizes */
    pw_arena ev_a;        /* the event's hits */
} eval;

typedef struct ev_row {
    char *key, *text;
    pw_field_type ft;
} ev_row;

#define EVENT_MAX_ROWS 16

static int category_by_name(const char *n, size_t len)
{
    for (int c = 0; c < PW_PHI__COUNT; c++)
        if (strlen(pw_phi_category_name(c)) == len && strncmp(pw_phi_category_name(c), n, len) == 0)
            return c;
    return -1;
}

static int overlaps(size_t a, size_t b, size_t c, size_t d)
{
    return a < d && c < b;
}

/* The hits of one string, and pw_redact's copy of it, as --dump prints them. */
static void dump_hits(eval *e, long row, pw_status st, const pw_hit *h, size_t nh, const char *key,
                      const char *text, pw_field_type ft)
{
    printf("row %ld status %d hits %zu\n", row, (int)st, nh);
    for (size_t i = 0; i < nh; i++)
        printf("  %s/%s [%zu,%zu) norm=%s conf=%.3f %s:%s sens=%d\n",
               pw_phi_category_name(h[i].category), h[i].subtype ? h[i].subtype : "-", h[i].start,
               h[i].end, h[i].normalized ? h[i].normalized : "-", (double)h[i].confidence,
               pw_reason_name(h[i].reason), h[i].reason_detail ? h[i].reason_detail : "-",
               (int)h[i].sensitivity);
    pw_buf_clear(&e->out);
    pw_arena_reset(&e->a);
    st = pw_redact(e->d, e->s, &e->a, key, text, strlen(text), ft, &e->out, NULL);
    printf("  redact %d: %.*s\n", (int)st, (int)e->out.len, e->out.data ? e->out.data : "");
}

/* --dump: everything pw_detect_scan and pw_redact return for one string. */
static void dump_one(eval *e, const char *key, const char *text, pw_field_type ft)
{
    pw_hit *h = NULL;
    size_t nh = 0;
    pw_arena_reset(&e->a);
    pw_status st = pw_detect_scan(e->d, e->s, &e->a, key, text, strlen(text), ft, &h, &nh, NULL);
    dump_hits(e, e->rows, st, h, nh, key, text, ft);
}

/* --dump-event: the gathered rows as one event with each detector, printed as --dump would. */
static void dump_event(eval *e)
{
    pw_detect_field f[2][EVENT_MAX_ROWS];
    pw_detector *det[2] = {e->d, e->canary_d};
    pw_detect_scratch *scr[2] = {e->s, e->canary_s};
    pw_status st[2];
    pw_arena_reset(&e->ev_a);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < e->n_ev; i++)
            f[k][i] = (pw_detect_field){e->ev[i].key,
                                        e->ev[i].text,
                                        strlen(e->ev[i].text),
                                        e->ev[i].ft,
                                        PW_OBJECT_UNKNOWN,
                                        NULL,
                                        0};
        st[k] = pw_detect_scan_event(det[k], scr[k], &e->ev_a, f[k], e->n_ev, NULL);
    }
    for (size_t i = 0; i < e->n_ev; i++) {
        for (int k = 0; k < 2; k++) {
            pw_detector *pd = e->d;
            pw_detect_scratch *ps = e->s;
            e->d = det[k], e->s = scr[k];
            dump_hits(e, e->rows, st[k], f[k][i].hits, f[k][i].n_hits, e->ev[i].key, e->ev[i].text,
                      e->ev[i].ft);
            e->d = pd, e->s = ps;
        }
        e->rows++;
        free(e->ev[i].key);
        free(e->ev[i].text);
    }
    e->n_ev = 0;
}

/* --dump-event: gather a row; a full event is scanned and printed. */
static void gather_row(eval *e, const char *key, const char *text, pw_field_type ft)
{
    if (e->n_ev == 0) {
        e->rng ^= e->rng << 13, e->rng ^= e->rng >> 7, e->rng ^= e->rng << 17;
        e->ev_size = 1 + (size_t)(e->rng % EVENT_MAX_ROWS);
    }
    e->ev[e->n_ev++] = (ev_row){key ? strdup(key) : NULL, strdup(text), ft};
    if (e->n_ev == e->ev_size)
        dump_event(e);
}

/* The row with the plain detector, then with one that also looks for a few canaries. */
static void dump_row(eval *e, const char *key, const char *text, pw_field_type ft)
{
    dump_one(e, key, text, ft);
    pw_detector *plain = e->d;
    pw_detect_scratch *plain_s = e->s;
    e->d = e->canary_d, e->s = e->canary_s;
    dump_one(e, key, text, ft);
    e->d = plain, e->s = plain_s;
    e->rows++;
}

/* s[0..len) on stderr with line breaks and tabs written as \\n, \\r, \\t: one miss a line, so
 * that -v's output can be grouped with grep, sort and uniq. */
static void put_escaped(const char *s, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        if (s[k] == '\n')
            fputs("\\n", stderr);
        else if (s[k] == '\r')
            fputs("\\r", stderr);
        else if (s[k] == '\t')
            fputs("\\t", stderr);
        else
            fputc(s[k], stderr);
    }
}

/* One -v line: "FN name: "Maria Lopez" in <the text>". */
static void miss_line(const char *what, pw_phi_category c, const char *text, size_t b, size_t e)
{
    fprintf(stderr, "%s %s: \"", what, pw_phi_category_name(c));
    put_escaped(text + b, e - b);
    fputs("\" in ", stderr);
    put_escaped(text, strlen(text));
    fputc('\n', stderr);
}

/* Score one string against its gold spans. Returns the number of hits; *n_ident the number of
 * identifier hits among them. */
static size_t score(eval *e, const char *key, const char *text, pw_field_type ft, const gold *g,
                    size_t ng, size_t *n_ident)
{
    pw_hit *h = NULL;
    size_t nh = 0;
    pw_arena_reset(&e->a);
    if (pw_detect_scan(e->d, e->s, &e->a, key, text, strlen(text), ft, &h, &nh, NULL) != PW_OK)
        return 0;
    for (size_t k = 0; k < ng; k++) {
        if (g[k].cat < 0)
            continue;
        e->t[g[k].cat].gold++;
        int found = 0;
        for (size_t i = 0; i < nh && !found; i++)
            found = (int)h[i].category == g[k].cat &&
                    overlaps(h[i].start, h[i].end, g[k].start, g[k].end);
        e->t[g[k].cat].tp_gold += found;
        if (!found && e->verbose)
            miss_line("FN", (pw_phi_category)g[k].cat, text, g[k].start, g[k].end);
    }
    for (size_t i = 0; i < nh; i++) {
        if (h[i].category == PW_PHI_CANARY)
            continue;
        int same = 0, other = 0;
        for (size_t k = 0; k < ng; k++) {
            if (!overlaps(h[i].start, h[i].end, g[k].start, g[k].end))
                continue;
            if (g[k].cat == (int)h[i].category)
                same = 1;
            else if (g[k].cat >= 0)
                other = 1;
        }
        if (other && !same)
            continue;
        e->t[h[i].category].pred++;
        e->t[h[i].category].tp_pred += same;
        if (!same && e->verbose)
            miss_line("FP", h[i].category, text, h[i].start, h[i].end);
    }
    e->rows++;
    *n_ident = 0;
    for (size_t i = 0; i < nh; i++)
        *n_ident += pw_phi_is_identifier(h[i].category);
    return nh;
}

static pw_field_type field_type(const char *t)
{
    if (strcmp(t, "url") == 0)
        return PW_FT_URL;
    if (strcmp(t, "form") == 0)
        return PW_FT_FORM_VALUE;
    if (strcmp(t, "json") == 0)
        return PW_FT_JSON_VALUE;
    return PW_FT_TEXT;
}

/* labels: "cat=substring | cat=substring" or "-". */
static size_t parse_labels(const char *text, char *labels, gold *g, const char *file, long line)
{
    size_t ng = 0;
    if (strcmp(labels, "-") == 0)
        return 0;
    for (char *tok = strtok(labels, "|"); tok && ng < MAX_GOLD; tok = strtok(NULL, "|")) {
        while (*tok == ' ')
            tok++;
        char *eq = strchr(tok, '=');
        size_t l = strlen(tok);
        while (l > 0 && tok[l - 1] == ' ' && (size_t)(eq - tok) < l - 1)
            tok[--l] = '\0';
        if (!eq) {
            fprintf(stderr, "%s:%ld: label without '=': %s\n", file, line, tok);
            continue;
        }
        int cat = category_by_name(tok, (size_t)(eq - tok));
        const char *at = strstr(text, eq + 1);
        if (cat < 0 || !at) {
            fprintf(stderr, "%s:%ld: bad label '%s'\n", file, line, tok);
            continue;
        }
        g[ng++] = (gold){cat, (size_t)(at - text), (size_t)(at - text) + strlen(eq + 1)};
    }
    return ng;
}

/* A TSV row's text holds a line break written "\\n" (a message typed in a textarea, a
 * signature's "Thanks,\\nDana"): the real byte, in place. */
static void unescape_breaks(char *t)
{
    char *w = t;
    for (const char *r = t; *r; r++) {
        if (r[0] == '\\' && r[1] == 'n') {
            *w++ = '\n';
            r++;
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
}

static int run_tsv(eval *e, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    long ln = 0;
    while (getline(&line, &cap, f) > 0) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *col[5];
        int nc = 0;
        for (char *p = line; nc < 5; nc++) {
            col[nc] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                nc++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (nc < 5) {
            fprintf(stderr, "%s:%ld: expected 5 tab-separated columns\n", path, ln);
            continue;
        }
        const char *key = strcmp(col[2], "-") == 0 ? NULL : col[2];
        unescape_breaks(col[3]);
        if (e->dump && e->event) {
            gather_row(e, key, col[3], field_type(col[1]));
            continue;
        }
        if (e->dump) {
            dump_row(e, key, col[3], field_type(col[1]));
            continue;
        }
        gold g[MAX_GOLD];
        size_t ng = parse_labels(col[3], col[4], g, path, ln);
        size_t n_ident = 0, nh = score(e, key, col[3], field_type(col[1]), g, ng, &n_ident);
        if (strcmp(col[0], "general") == 0) {
            e->general_rows++;
            e->general_rows_hit += nh > 0;
            e->general_rows_ident += n_ident > 0;
            if (nh && e->verbose)
                fprintf(stderr, "GENERAL HIT in %s\n", col[3]);
        }
    }
    if (e->n_ev)
        dump_event(e);
    free(line);
    fclose(f);
    return 0;
}

/* presidio entity types scored here; others are ignored (-1 is never used for them). */
static int presidio_category(const char *t)
{
    static const struct {
        const char *type;
        pw_phi_category cat;
    } map[] = {{"PERSON", PW_PHI_NAME},        {"STREET_ADDRESS", PW_PHI_ADDRESS},
               {"PHONE_NUMBER", PW_PHI_PHONE}, {"EMAIL_ADDRESS", PW_PHI_EMAIL},
               {"US_SSN", PW_PHI_SSN},         {"DATE_TIME", PW_PHI_DATE},
               {"ZIP_CODE", PW_PHI_ZIP},       {"IP_ADDRESS", PW_PHI_IP},
               {"CREDIT_CARD", PW_PHI_CARD}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(t, map[i].type) == 0)
            return (int)map[i].cat;
    return -1;
}

/* --presidio-ours: presidio labels that are no identifier of ours are left unscored (-1), and
 * said so: a DATE_TIME that is a year alone ("founded in 1977": HIPAA's Safe Harbor keeps the
 * year) or a weekday alone ("on Tuesday morning": no calendar date), a ZIP_CODE that is no US
 * ZIP (5 digits or ZIP+4; "3520", "7412 SL", "B0J 2H0" are other countries' postcodes, which
 * the ZIP category does not claim). Everything else is scored as presidio labels it. */
static int not_ours(int cat, const char *v, size_t len)
{
    static const char *const days[] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday",    NULL};
    if (cat == PW_PHI_DATE) {
        int digits = 0;
        for (size_t k = 0; k < len; k++)
            digits += v[k] >= '0' && v[k] <= '9';
        if (len == 4 && digits == 4)
            return 1;
        for (const char *const *d = days; *d; d++)
            if (strlen(*d) == len && strncasecmp(v, *d, len) == 0)
                return 1;
        return 0;
    }
    if (cat != PW_PHI_ZIP)
        return 0;
    for (size_t k = 0; k < len; k++)
        if (!((v[k] >= '0' && v[k] <= '9') || (k == 5 && v[k] == '-')))
            return 1;
    return !(len == 5 || (len == 10 && v[5] == '-'));
}

/* Character offset (as Python counts) to byte offset in UTF-8 text. */
static size_t byte_offset(const char *s, size_t chars)
{
    size_t b = 0, c = 0;
    while (s[b] && c < chars) {
        b++;
        while ((s[b] & 0xC0) == 0x80)
            b++;
        c++;
    }
    return b;
}

static int run_presidio(eval *e, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/synth_dataset_v2.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("skipped: %s not present\n", path);
        return 0;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(buf);
        return 1;
    }
    buf[len] = '\0';
    fclose(f);
    char msg[256];
    yajl_val root = yajl_tree_parse(buf, msg, sizeof msg);
    free(buf);
    if (!YAJL_IS_ARRAY(root)) {
        fprintf(stderr, "%s: %s\n", path, msg);
        yajl_tree_free(root);
        return 1;
    }
    static const char *p_text[] = {"full_text", NULL}, *p_spans[] = {"spans", NULL},
                      *p_type[] = {"entity_type", NULL}, *p_s[] = {"start_position", NULL},
                      *p_e[] = {"end_position", NULL};
    for (size_t i = 0; i < root->u.array.len; i++) {
        yajl_val item = root->u.array.values[i];
        const char *text = YAJL_GET_STRING(yajl_tree_get(item, p_text, yajl_t_string));
        yajl_val spans = yajl_tree_get(item, p_spans, yajl_t_array);
        if (!text || !spans)
            continue;
        gold g[MAX_GOLD];
        size_t ng = 0;
        for (size_t k = 0; k < spans->u.array.len && ng < MAX_GOLD; k++) {
            yajl_val sp = spans->u.array.values[k];
            const char *type = YAJL_GET_STRING(yajl_tree_get(sp, p_type, yajl_t_string));
            yajl_val vs = yajl_tree_get(sp, p_s, yajl_t_number);
            yajl_val ve = yajl_tree_get(sp, p_e, yajl_t_number);
            if (!type || !vs || !ve)
                continue;
            g[ng] = (gold){presidio_category(type), byte_offset(text, (size_t)YAJL_GET_INTEGER(vs)),
                           byte_offset(text, (size_t)YAJL_GET_INTEGER(ve))};
            if (e->ours && g[ng].cat >= 0 &&
                not_ours(g[ng].cat, text + g[ng].start, g[ng].end - g[ng].start)) {
                e->not_ours[g[ng].cat]++;
                g[ng].cat = -1;
            }
            ng++;
        }
        size_t n_ident = 0;
        score(e, NULL, text, PW_FT_TEXT, g, ng, &n_ident);
    }
    yajl_tree_free(root);
    return 0;
}

static void ratio(long num, long den)
{
    if (den == 0)
        printf("     -");
    else
        printf(" %5.3f", (double)num / (double)den);
}

static void report(const eval *e)
{
    printf("%-12s %6s %6s %6s %6s\n", "category", "gold", "pred", "prec", "recall");
    tally id = {0}, health = {0};
    for (int c = 0; c < PW_PHI__COUNT; c++) {
        const tally *t = &e->t[c];
        if (!t->gold && !t->pred)
            continue;
        printf("%-12s %6ld %6ld", pw_phi_category_name(c), t->gold, t->pred);
        ratio(t->tp_pred, t->pred);
        ratio(t->tp_gold, t->gold);
        printf("\n");
        tally *sum = pw_phi_is_identifier(c) ? &id : &health;
        sum->gold += t->gold, sum->pred += t->pred;
        sum->tp_pred += t->tp_pred, sum->tp_gold += t->tp_gold;
    }
    printf("%-12s %6ld %6ld", "IDENTIFIERS", id.gold, id.pred);
    ratio(id.tp_pred, id.pred);
    ratio(id.tp_gold, id.gold);
    printf("\n%-12s %6ld %6ld", "HEALTH+CARE", health.gold, health.pred);
    ratio(health.tp_pred, health.pred);
    ratio(health.tp_gold, health.gold);
    printf("\nrows %ld; general hospital rows with any hit: %ld of %ld (with an identifier hit: "
           "%ld)\n",
           e->rows, e->general_rows_hit, e->general_rows, e->general_rows_ident);
}

int main(int argc, char **argv)
{
    eval e = {0};
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-v") == 0)
        e.verbose = 1, first = 2;
    else if (argc > 1 && strcmp(argv[1], "--dump") == 0)
        e.dump = 1, first = 2;
    else if (argc > 1 && strcmp(argv[1], "--dump-event") == 0)
        e.dump = e.event = 1, first = 2;
    ev_row rows[EVENT_MAX_ROWS];
    e.ev = rows;
    e.rng = 0x9e3779b97f4a7c15ull;
    pw_arena_init(&e.ev_a, 0);
    static const pw_canary canaries[] = {{"email", "jane.doe@example.com", PW_CANARY_EMAIL},
                                         {"phone", "617-555-0123", PW_CANARY_PHONE},
                                         {"dob", "1985-03-14", PW_CANARY_DATE},
                                         {"first name", "Maria", PW_CANARY_NAME},
                                         {"zip", "02115", PW_CANARY_ZIP}};
    pw_detector_opts co = {.canaries = canaries, .n_canaries = 5};
    if (e.dump && (pw_detector_new(&co, &e.canary_d, NULL) != PW_OK ||
                   pw_detect_scratch_new(e.canary_d, &e.canary_s, NULL) != PW_OK))
        return 1;
    if (argc <= first) {
        fprintf(stderr,
                "usage: %s [-v|--dump|--dump-event] FILE.tsv… | [-v] --presidio[-ours] DIR\n",
                argv[0]);
        return 2;
    }
    if (pw_detector_new(NULL, &e.d, NULL) != PW_OK ||
        pw_detect_scratch_new(e.d, &e.s, NULL) != PW_OK)
        return 1;
    pw_arena_init(&e.a, 0);
    pw_buf_init(&e.out);
    int rc = 0;
    if (strcmp(argv[first], "--presidio-ours") == 0)
        e.ours = 1;
    if ((e.ours || strcmp(argv[first], "--presidio") == 0) && argc > first + 1)
        rc = run_presidio(&e, argv[first + 1]);
    else
        for (int i = first; i < argc; i++)
            rc |= run_tsv(&e, argv[i]);
    if (e.dump) {
        pw_arena_free(&e.ev_a);
        pw_detect_scratch_free(e.canary_s);
        pw_detector_free(e.canary_d);
        pw_buf_free(&e.out);
        pw_arena_free(&e.a);
        pw_detect_scratch_free(e.s);
        pw_detector_free(e.d);
        return rc;
    }
    report(&e);
    for (int c = 0; e.ours && c < PW_PHI__COUNT; c++)
        if (e.not_ours[c])
            printf("unscored (no identifier of ours): %s %ld\n", pw_phi_category_name(c),
                   e.not_ours[c]);
    printf("command: %s", argv[0]);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    pw_buf_free(&e.out);
    pw_arena_free(&e.ev_a);
    pw_arena_free(&e.a);
    pw_detect_scratch_free(e.s);
    pw_detector_free(e.d);
    return rc;
}
