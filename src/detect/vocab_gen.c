/*
 * vocab_gen.c — build-time host tool: reads data/vocab/<name>.tsv, keeps the first entry of each
 * normalised term, and writes a C source with the entry table and (when built with Hyperscan)
 * the serialised literal database, and the serialised word-level Aho-Corasick automaton, so the
 * library starts without compiling anything.
 * Usage: pw_vocab_gen OUT.c FILE.tsv…   (run by src/detect/vocab.cmake; not part of libphiwall)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab_ac.h"
#include "detect/vocab_tsv.h"

#ifdef PW_HAVE_HS
#include <hs/hs.h>
#endif

static const char *const class_enum[PW_VOCAB__COUNT] = {
    "PW_VOCAB_CONDITION",         "PW_VOCAB_SYMPTOM",     "PW_VOCAB_PROCEDURE",
    "PW_VOCAB_MEDICATION",        "PW_VOCAB_SPECIALTY",   "PW_VOCAB_CARE_SERVICE",
    "PW_VOCAB_SENSITIVE_SERVICE", "PW_VOCAB_CARE_INTENT", "PW_VOCAB_GENERIC",
};

static const pw_vocab_entry *sort_base;

static int cmp_term(const void *a, const void *b)
{
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = strcmp(sort_base[ia].term, sort_base[ib].term);
    if (c)
        return c;
    return ia < ib ? -1 : ia > ib;
}

/* Mark every entry whose term appeared earlier; returns the number kept. */
static size_t mark_duplicates(const pw_vocab_list *l, unsigned char *dup)
{
    size_t *idx = malloc((l->n ? l->n : 1) * sizeof *idx);
    if (!idx)
        return 0;
    for (size_t i = 0; i < l->n; i++)
        idx[i] = i;
    sort_base = l->items;
    qsort(idx, l->n, sizeof *idx, cmp_term);
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        dup[idx[i]] = i > 0 && strcmp(l->items[idx[i]].term, l->items[idx[i - 1]].term) == 0;
        kept += !dup[idx[i]];
    }
    free(idx);
    return kept;
}

/* The string pool: each distinct string once, as its own literal (so that "\0" is never read
 * together with a following digit as an octal escape). Returns the pool length or 0 on error. */
typedef struct pool {
    const char **s;
    uint32_t *off;
    size_t n, cap, len;
} pool;

static int pool_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The offset of s in the pool (sorted: binary search). */
static uint32_t pool_find(const pool *p, const char *s)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s, p->s[mid]);
        if (c == 0)
            return p->off[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return UINT32_MAX;
}

static int pool_build(pool *p, const pw_vocab_list *l, const unsigned char *dup)
{
    p->cap = l->n * 3 + 1;
    p->s = malloc(p->cap * sizeof *p->s);
    p->off = malloc(p->cap * sizeof *p->off);
    if (!p->s || !p->off)
        return 0;
    for (size_t i = 0; i < l->n; i++) {
        if (dup[i])
            continue;
        p->s[p->n++] = l->items[i].term;
        p->s[p->n++] = l->items[i].canonical;
        if (l->items[i].subtype)
            p->s[p->n++] = l->items[i].subtype;
    }
    qsort(p->s, p->n, sizeof *p->s, pool_cmp);
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (w && strcmp(p->s[w - 1], p->s[i]) == 0)
            continue;
        p->s[w] = p->s[i];
        p->off[w++] = (uint32_t)p->len;
        p->len += strlen(p->s[i]) + 1;
    }
    p->n = w;
    return p->len < UINT32_MAX;
}

static void emit_entries(FILE *out, const pw_vocab_list *l, const unsigned char *dup, const pool *p)
{
    fprintf(out, "const char pw_vocab_builtin_strings[] =\n");
    for (size_t i = 0; i < p->n; i++)
        fprintf(out, "    \"%s\\0\"\n", p->s[i]);
    fprintf(out, "    \"\";\n\nconst pw_vocab_packed pw_vocab_builtin_entries[] = {\n");
    for (size_t i = 0; i < l->n; i++) {
        const pw_vocab_entry *e = &l->items[i];
        if (dup[i])
            continue;
        fprintf(out, "    {%u, %u, ", pool_find(p, e->term), pool_find(p, e->canonical));
        if (e->subtype)
            fprintf(out, "%u, ", pool_find(p, e->subtype));
        else
            fprintf(out, "PW_VOCAB_NO_STRING, ");
        fprintf(out, "%s, %s, %d},\n", class_enum[e->cls],
                e->sensitivity == PW_SENS_HIGH ? "PW_SENS_HIGH" : "PW_SENS_NORMAL", e->lay);
    }
    fprintf(out, "    {0, 0, PW_VOCAB_NO_STRING, 0, 0, 0}\n};\n\n");
    fprintf(out, "const uint32_t pw_vocab_builtin_len[] = {");
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!dup[i])
            fprintf(out, "%s%zu,", k++ % 32 ? "" : "\n    ", strlen(l->items[i].term));
    fprintf(out, "\n    0};\n");
}

/* An 8-byte aligned byte array `name` and `name`_size. */
static void emit_bytes(FILE *out, const char *name, const unsigned char *p, size_t n)
{
    fprintf(out, "_Alignas(8) const unsigned char %s[%zu] =", name, n ? n : 1);
    if (n == 0) {
        fprintf(out, " {0};\nconst size_t %s_size = 0;\n\n", name);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i % 32 == 0)
            fprintf(out, "\n    \"");
        fprintf(out, "\\x%02x", p[i]);
        if (i % 32 == 31 || i + 1 == n)
            fprintf(out, "\"");
    }
    fprintf(out, ";\nconst size_t %s_size = %zu;\n\n", name, n);
}

#ifdef PW_HAVE_HS
/* Compile the kept terms (ids = their index in the emitted table) and serialise. */
static int compile_hs(const pw_vocab_list *l, const unsigned char *dup, size_t kept, char **bytes,
                      size_t *n)
{
    const char **exprs = malloc(kept * sizeof *exprs);
    unsigned *flags = malloc(kept * sizeof *flags), *ids = malloc(kept * sizeof *ids);
    size_t *lens = malloc(kept * sizeof *lens);
    int rc = 1;
    if (!exprs || !flags || !ids || !lens)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (dup[i])
            continue;
        exprs[k] = l->items[i].term;
        lens[k] = strlen(exprs[k]);
        flags[k] = HS_FLAG_CASELESS;
        ids[k] = (unsigned)k;
        k++;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)kept, HS_MODE_BLOCK, NULL, &db,
                             &cerr) != HS_SUCCESS) {
        fprintf(stderr, "pw_vocab_gen: hyperscan: %s (pattern %d)\n", cerr->message,
                cerr->expression);
        hs_free_compile_error(cerr);
        goto done;
    }
    rc = hs_serialize_database(db, bytes, n) != HS_SUCCESS;
    hs_free_database(db);
done:
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    return rc;
}
#endif

/* The word-level Aho-Corasick automaton of the kept terms (entry = index in the table). */
static int build_ac_blob(const pw_vocab_list *l, const unsigned char *dup, size_t kept,
                         unsigned char **blob, size_t *n)
{
    pw_vocab_pattern *p = malloc((kept + 1) * sizeof *p);
    if (!p)
        return 1;
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!dup[i]) {
            p[k] = (pw_vocab_pattern){l->items[i].term, (uint32_t)strlen(l->items[i].term),
                                      (uint32_t)k};
            k++;
        }
    pw_vocab_ac *ac = NULL;
    pw_err err;
    int rc = pw_vocab_ac_build(p, kept, &ac, &err) != PW_OK ||
             pw_vocab_ac_serialize(ac, blob, n, &err) != PW_OK;
    if (rc)
        fprintf(stderr, "pw_vocab_gen: %s\n", err.msg);
    pw_vocab_ac_free(ac);
    free(p);
    return rc;
}

static int write_output(const char *path, const pw_vocab_list *l, const unsigned char *dup,
                        size_t kept, int n_files)
{
    char *hs_bytes = NULL;
    size_t hs_n = 0;
#ifdef PW_HAVE_HS
    if (kept && compile_hs(l, dup, kept, &hs_bytes, &hs_n) != 0)
        return 1;
#endif
    unsigned char *ac_bytes = NULL;
    size_t ac_n = 0;
    if (build_ac_blob(l, dup, kept, &ac_bytes, &ac_n) != 0) {
        free(hs_bytes);
        return 1;
    }
    FILE *out = fopen(path, "w");
    if (!out) {
        perror(path);
        free(hs_bytes);
        free(ac_bytes);
        return 1;
    }
    fprintf(out,
            "/* vocab_builtin.c — generated by pw_vocab_gen from %d data/vocab files: %zu "
            "entries. Do not edit. */\n#include \"detect/vocab_builtin.h\"\n\n",
            n_files, kept);
    pool p = {0};
    if (!pool_build(&p, l, dup)) {
        fprintf(stderr, "pw_vocab_gen: out of memory or string pool over 4 GiB\n");
        fclose(out);
        free(p.s);
        free(p.off);
        free(hs_bytes);
        free(ac_bytes);
        return 1;
    }
    emit_entries(out, l, dup, &p);
    free(p.s);
    free(p.off);
    fprintf(out, "const size_t pw_vocab_builtin_count = %zu;\n\n", kept);
    emit_bytes(out, "pw_vocab_builtin_hs", (const unsigned char *)hs_bytes, hs_n);
    emit_bytes(out, "pw_vocab_builtin_ac", ac_bytes, ac_n);
    free(hs_bytes);
    free(ac_bytes);
    return fclose(out) != 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pw_vocab_gen OUT.c FILE.tsv...\n");
        return 2;
    }
    pw_arena arena;
    pw_arena_init(&arena, 0);
    pw_vocab_list list = {.arena = &arena};
    pw_err err;
    int rc = 1;
    for (int i = 2; i < argc; i++) {
        char *data;
        size_t n;
        if (pw_vocab_read_file(argv[i], &data, &n, &err) != PW_OK) {
            fprintf(stderr, "pw_vocab_gen: %s\n", err.msg);
            goto done;
        }
        pw_status st = pw_vocab_tsv_parse(argv[i], data, n, &list, &err);
        free(data);
        if (st != PW_OK) {
            fprintf(stderr, "pw_vocab_gen: %s\n", err.msg);
            goto done;
        }
    }
    unsigned char *dup = calloc(list.n ? list.n : 1, 1);
    if (dup) {
        size_t kept = mark_duplicates(&list, dup);
        rc = write_output(argv[1], &list, dup, kept, argc - 2);
        free(dup);
    }
done:
    pw_vocab_list_free(&list);
    pw_arena_free(&arena);
    return rc;
}
