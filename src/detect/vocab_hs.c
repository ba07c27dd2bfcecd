/*
 * vocab_hs.c — the Hyperscan back end of the vocabulary matcher: loads the database serialised
 * at build time (or compiles the extra terms of a user file), scans, and keeps the occurrences
 * that sit on word boundaries. Literal matching reports only the end offset; the start is the
 * end minus the term's length, which is exact for literals. Without Hyperscan in the build,
 * every function reports PW_ERR_UNSUPPORTED and the Aho-Corasick back end is used.
 */
#include "detect/vocab_impl.h"

#ifdef PW_HAVE_HS
#include <hs/hs.h>

struct pw_vocab_hs_db {
    hs_database_t *db;
    const uint32_t *map;       /* pattern id → entry, NULL = identity */
    const uint32_t *entry_len; /* entry → term length */
};

int pw_vocab_hs_available(void)
{
    return 1;
}

pw_status pw_vocab_hs_load(const unsigned char *bytes, size_t n, pw_vocab_hs_db **out, pw_err *err)
{
    pw_vocab_hs_db *d = calloc(1, sizeof *d);
    if (!d)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
    hs_error_t rc = hs_deserialize_database((const char *)bytes, n, &d->db);
    if (rc != HS_SUCCESS) {
        free(d);
        return pw_err_set(err, PW_ERR_UNSUPPORTED,
                          "vocabulary: built-in Hyperscan database does not load on this CPU "
                          "(hs error %d)",
                          (int)rc);
    }
    *out = d;
    return PW_OK;
}

pw_status pw_vocab_hs_compile(const pw_vocab_pattern *p, size_t n, pw_vocab_hs_db **out,
                              pw_err *err)
{
    const char **exprs = malloc(n * sizeof *exprs);
    unsigned *flags = malloc(n * sizeof *flags), *ids = malloc(n * sizeof *ids);
    size_t *lens = malloc(n * sizeof *lens);
    pw_vocab_hs_db *d = calloc(1, sizeof *d);
    pw_status st = PW_OK;
    if (!exprs || !flags || !ids || !lens || !d) {
        st = pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        exprs[i] = p[i].term;
        lens[i] = p[i].len;
        flags[i] = HS_FLAG_CASELESS;
        ids[i] = p[i].entry;
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &d->db,
                             &cerr) != HS_SUCCESS) {
        st = pw_err_set(err, PW_ERR_INVALID, "vocabulary: hyperscan compile: %s (term %d)",
                        cerr ? cerr->message : "?", cerr ? cerr->expression : -1);
        hs_free_compile_error(cerr);
        goto done;
    }
    *out = d;
    d = NULL;
done:
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    free(d);
    return st;
}

void pw_vocab_hs_set_map(pw_vocab_hs_db *db, const uint32_t *map, const uint32_t *entry_len)
{
    db->map = map;
    db->entry_len = entry_len;
}

void pw_vocab_hs_free(pw_vocab_hs_db *db)
{
    if (!db)
        return;
    hs_free_database(db->db);
    free(db);
}

pw_status pw_vocab_hs_scratch(const pw_vocab_hs_db *db, void **scratch, pw_err *err)
{
    hs_scratch_t *s = *scratch;
    hs_error_t rc = hs_alloc_scratch(db->db, &s);
    if (rc != HS_SUCCESS)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: hyperscan scratch (hs error %d)",
                          (int)rc);
    *scratch = s;
    return PW_OK;
}

void pw_vocab_hs_scratch_free(void *scratch)
{
    hs_free_scratch(scratch);
}

typedef struct scan_ctx {
    const pw_vocab_hs_db *db;
    const unsigned char *text;
    size_t n;
    pw_vocab_sink *sink;
} scan_ctx;

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned hs_flags,
                    void *arg)
{
    scan_ctx *c = arg;
    uint32_t entry = c->db->map ? c->db->map[id] : id;
    size_t end = (size_t)to, start = end - c->db->entry_len[entry];
    if (start > 0 && pw_vocab_is_word_byte(c->text[start - 1]))
        return 0;
    if (end < c->n && pw_vocab_is_word_byte(c->text[end]))
        return 0;
    return pw_vocab_sink_push(c->sink, start, end, entry) ? 1 : 0;
}

pw_status pw_vocab_hs_scan(const pw_vocab_hs_db *db, void *scratch, const char *text, size_t n,
                           pw_vocab_sink *sink, pw_err *err)
{
    scan_ctx c = {db, (const unsigned char *)text, n, sink};
    /* vocab.c limits n to PW_VOCAB_SCAN_MAX, below hs_scan's unsigned int length. */
    hs_error_t rc = hs_scan(db->db, text, (unsigned)n, 0, scratch, on_match, &c);
    if (rc == HS_SCAN_TERMINATED)
        return pw_err_set(err, PW_ERR_NOMEM, "vocabulary: out of memory for matches");
    if (rc != HS_SUCCESS)
        return pw_err_set(err, PW_ERR_INVALID, "vocabulary: hyperscan scan (hs error %d)", (int)rc);
    return PW_OK;
}

#else /* no Hyperscan in this build */

int pw_vocab_hs_available(void)
{
    return 0;
}

static pw_status unsupported(pw_err *err)
{
    return pw_err_set(err, PW_ERR_UNSUPPORTED, "vocabulary: built without Hyperscan");
}

pw_status pw_vocab_hs_load(const unsigned char *bytes, size_t n, pw_vocab_hs_db **out, pw_err *err)
{
    return unsupported(err);
}

pw_status pw_vocab_hs_compile(const pw_vocab_pattern *p, size_t n, pw_vocab_hs_db **out,
                              pw_err *err)
{
    return unsupported(err);
}

void pw_vocab_hs_set_map(pw_vocab_hs_db *db, const uint32_t *map, const uint32_t *entry_len)
{
}

void pw_vocab_hs_free(pw_vocab_hs_db *db)
{
}

pw_status pw_vocab_hs_scratch(const pw_vocab_hs_db *db, void **scratch, pw_err *err)
{
    return unsupported(err);
}

void pw_vocab_hs_scratch_free(void *scratch)
{
}

pw_status pw_vocab_hs_scan(const pw_vocab_hs_db *db, void *scratch, const char *text, size_t n,
                           pw_vocab_sink *sink, pw_err *err)
{
    return unsupported(err);
}

#endif
