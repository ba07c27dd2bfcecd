/*
 * vocab_stub_TEMP.c — TEMPORARY stand-in for the health vocabulary (branch `vocab` owns the real
 * one): an EMPTY vocabulary that matches nothing, so the detect stage builds and its identifier
 * side can be tested. Delete this file when the `vocab` branch is merged.
 */
#include <stdlib.h>

#include "detect/vocab.h"

struct pw_vocab {
    int unused;
};
struct pw_vocab_scratch {
    int unused;
};

pw_status pw_vocab_new(const char *user_file, pw_vocab **out, pw_err *err)
{
    (void)user_file;
    *out = calloc(1, sizeof **out);
    return *out ? PW_OK : pw_err_set(err, PW_ERR_NOMEM, "vocab: out of memory");
}

void pw_vocab_free(pw_vocab *v)
{
    free(v);
}

size_t pw_vocab_size(const pw_vocab *v)
{
    (void)v;
    return 0;
}

const pw_vocab_entry *pw_vocab_entry_at(const pw_vocab *v, uint32_t i)
{
    (void)v;
    (void)i;
    return NULL;
}

pw_status pw_vocab_scratch_new(const pw_vocab *v, pw_vocab_scratch **out, pw_err *err)
{
    (void)v;
    *out = calloc(1, sizeof **out);
    return *out ? PW_OK : pw_err_set(err, PW_ERR_NOMEM, "vocab: out of memory");
}

void pw_vocab_scratch_free(pw_vocab_scratch *s)
{
    free(s);
}

pw_status pw_vocab_scan(const pw_vocab *v, pw_vocab_scratch *s, pw_arena *a, const char *text,
                        size_t n, pw_vocab_match **out, size_t *n_out, pw_err *err)
{
    (void)v, (void)s, (void)a, (void)text, (void)n, (void)err;
    *out = NULL;
    *n_out = 0;
    return PW_OK;
}
