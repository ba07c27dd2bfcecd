/*
 * test_vocab_es.c — the Spanish part of the vocabulary (data/vocab/es/) and the accent folding of
 * its terms: a term written with accents is normalised to its unaccented form (the form detect's
 * folded layer reads), in the built-in data and in a user file; the built-in Spanish entries have
 * their classes, care-intent subtypes and sensitivity; the short Spanish abbreviations that are
 * English words ("its", "ets") are no terms on their own. Both back ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab.h"
#include "detect/vocab_tsv.h"
#include "pw_test.h"

static const pw_vocab_backend backends[] = {PW_VOCAB_BACKEND_AC, PW_VOCAB_BACKEND_HYPERSCAN};

static const char *norm(const char *s)
{
    static char out[256];
    size_t n = pw_vocab_normalize(s, strlen(s), out);
    out[n] = '\0';
    return out;
}

static void test_normalize(void)
{
    CHECK_STR(norm("Oncolog\xc3\xad"
                   "a Pedi\xc3\xa1trica"),
              "oncologia pediatrica");
    CHECK_STR(norm("C\xc3\xa1ncer de mama"), "cancer de mama");
    CHECK_STR(norm("\xc3\x91"
                   "and\xc3\xba \xc3\x9c"
                   "ber \xc3\xa7"
                   "a"),
              "nandu uber ca");
    /* ß is "ss" (vocab-lang: "Fußpilz", as the folded layer reads it); letters with no ASCII
     * base (Æ), the × sign and a lone lead byte separate words */
    CHECK_STR(norm("stra\xc3\x9f"
                   "e"),
              "strasse");
    CHECK_STR(norm("\xc3\x86ther 3\xc3\x97"
                   "4"),
              "ther 3 4");
    CHECK_STR(norm("dolor\xc3"), "dolor");
    CHECK_INT(pw_vocab_latin1_base(0xF3), 'o');
    CHECK_INT(pw_vocab_latin1_base(0xD1), 'N');
    CHECK_INT(pw_vocab_latin1_base(0xDF), 0);
    CHECK_INT(pw_vocab_latin1_base(0x0101), 0);
    CHECK_INT(pw_vocab_latin1_base('o'), 0);
}

/* The entry matching all of text (normalised), NULL when none. */
static const pw_vocab_entry *whole(const pw_vocab *v, const char *text)
{
    char t[256];
    size_t n = pw_vocab_normalize(text, strlen(text), t);
    pw_vocab_scratch *s = NULL;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_vocab_match *m = NULL;
    size_t nm = 0;
    const pw_vocab_entry *e = NULL;
    if (pw_vocab_scratch_new(v, &s, NULL) == PW_OK &&
        pw_vocab_scan(v, s, &a, t, n, &m, &nm, NULL) == PW_OK)
        for (size_t k = 0; k < nm && !e; k++)
            if (m[k].start == 0 && m[k].end == n)
                e = pw_vocab_entry_at(v, m[k].entry);
    pw_vocab_scratch_free(s);
    pw_arena_free(&a);
    return e;
}

static void check(const pw_vocab *v, const char *text, pw_vocab_class cls, const char *subtype,
                  const char *canonical, pw_sensitivity sens)
{
    const pw_vocab_entry *e = whole(v, text);
    int ok = e && e->cls == cls && e->sensitivity == sens &&
             (!subtype || (e->subtype && strcmp(e->subtype, subtype) == 0)) &&
             (!canonical || strcmp(e->canonical ? e->canonical : e->term, canonical) == 0);
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  '%s' → %s\n", text,
                e ? pw_vocab_class_name(e->cls) : "no entry over the whole text");
}

/* The vocabulary of o on back end k; NULL when that back end is not in this build. */
static pw_vocab *open_on(pw_vocab_opts o, size_t k)
{
    o.backend = backends[k];
    pw_vocab *v = NULL;
    pw_status st = pw_vocab_new_opts(&o, &v, NULL);
    if (st != PW_ERR_UNSUPPORTED)
        CHECK_INT(st, PW_OK);
    return st == PW_OK ? v : NULL;
}

static void test_builtin_spanish(void)
{
    for (size_t k = 0; k < 2; k++) {
        pw_vocab *v = open_on((pw_vocab_opts){0}, k);
        if (!v)
            continue;
        /* accented and plain forms are one term */
        check(v, "c\xc3\xa1ncer de mama", PW_VOCAB_CONDITION, NULL, "cancer de mama", PW_SENS_HIGH);
        check(v, "cancer de seno", PW_VOCAB_CONDITION, NULL, "cancer de mama", PW_SENS_HIGH);
        check(v, "depresi\xc3\xb3n", PW_VOCAB_CONDITION, NULL, NULL, PW_SENS_HIGH);
        check(v, "depresion", PW_VOCAB_CONDITION, NULL, NULL, PW_SENS_HIGH);
        check(v, "vih", PW_VOCAB_CONDITION, NULL, NULL, PW_SENS_HIGH);
        check(v, "sida", PW_VOCAB_CONDITION, NULL, NULL, PW_SENS_HIGH);
        check(v, "fiv", PW_VOCAB_PROCEDURE, NULL, "fertilizacion in vitro", PW_SENS_HIGH);
        check(v, "interrupci\xc3\xb3n del embarazo", PW_VOCAB_SENSITIVE_SERVICE, NULL, NULL,
              PW_SENS_HIGH);
        check(v, "aborto", PW_VOCAB_SENSITIVE_SERVICE, NULL, NULL, PW_SENS_HIGH);
        check(v, "quimioterapia", PW_VOCAB_PROCEDURE, NULL, NULL, PW_SENS_HIGH);
        check(v, "pruebas gen\xc3\xa9ticas", PW_VOCAB_PROCEDURE, NULL, NULL, PW_SENS_HIGH);
        check(v,
              "oncolog\xc3\xad"
              "a",
              PW_VOCAB_SPECIALTY, NULL, NULL, PW_SENS_HIGH);
        check(v,
              "cardiolog\xc3\xad"
              "a",
              PW_VOCAB_SPECIALTY, NULL, NULL, PW_SENS_NORMAL);
        check(v, "paracetamol", PW_VOCAB_MEDICATION, NULL, NULL, PW_SENS_NORMAL);
        check(v, "insulina", PW_VOCAB_MEDICATION, NULL, NULL, PW_SENS_NORMAL);
        check(v, "sertralina", PW_VOCAB_MEDICATION, NULL, NULL, PW_SENS_HIGH);
        check(v, "solicitar una cita", PW_VOCAB_CARE_INTENT, "scheduling", NULL, PW_SENS_NORMAL);
        check(v,
              "buscar un m\xc3\xa9"
              "dico",
              PW_VOCAB_CARE_INTENT, "find-a-doctor", NULL, PW_SENS_NORMAL);
        check(v, "pagar factura", PW_VOCAB_CARE_INTENT, "bill-pay", NULL, PW_SENS_NORMAL);
        check(v, "resurtir receta", PW_VOCAB_CARE_INTENT, "refill", NULL, PW_SENS_NORMAL);
        check(v, "telemedicina", PW_VOCAB_CARE_INTENT, "telehealth", NULL, PW_SENS_NORMAL);
        check(v, "portal del paciente", PW_VOCAB_CARE_INTENT, "portal", NULL, PW_SENS_NORMAL);
        check(v,
              "m\xc3\xa9"
              "dico",
              PW_VOCAB_GENERIC, NULL, NULL, PW_SENS_NORMAL);
        check(v, "atenci\xc3\xb3n al paciente", PW_VOCAB_GENERIC, NULL, NULL, PW_SENS_NORMAL);
        check(v, "pruebas de its", PW_VOCAB_CONDITION, NULL, NULL, PW_SENS_HIGH);
        /* English words that are Spanish abbreviations or fold from Spanish words: no term */
        static const char *const none[] = {"its", "ets", "tos", "gripe", "mama",   "ano",    "tea",
                                           "toc", "ela", "ive", "pep",   "receta", "recetas"};
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
            CHECK(whole(v, none[i]) == NULL);
            if (whole(v, none[i]))
                fprintf(stderr, "  '%s' is a term\n", none[i]);
        }
        pw_vocab_free(v);
    }
}

static void test_user_file_accents(void)
{
    static const char tsv[] = "dolor lumbar cr\xc3\xb3nico\t-\tsymptom\t-\tnormal\tlay\n"
                              "Cl\xc3\xadnica del Ni\xc3\xb1o\t-\tgeneric\t-\tnormal\tlay\n";
    for (size_t k = 0; k < 2; k++) {
        pw_vocab *v = open_on(
            (pw_vocab_opts){.user_data = tsv, .user_len = sizeof tsv - 1, .no_builtin = 1}, k);
        if (!v)
            continue;
        const pw_vocab_entry *e = whole(v, "Dolor lumbar cronico");
        CHECK(e && strcmp(e->term, "dolor lumbar cronico") == 0);
        CHECK(whole(v, "cl\xc3\xadnica del ni\xc3\xb1o") != NULL);
        CHECK(whole(v, "clinica del nino") != NULL);
        pw_vocab_free(v);
    }
}

PW_TEST_MAIN(PW_TEST(test_normalize), PW_TEST(test_builtin_spanish),
             PW_TEST(test_user_file_accents))
