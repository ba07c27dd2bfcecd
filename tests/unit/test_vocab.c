/*
 * test_vocab.c — the health vocabulary matcher (src/detect/vocab.h): whole-word and
 * longest-at-a-start semantics on both back ends, short terms, the user-file format and its
 * line-precise errors, and the built-in vocabulary's synonyms, classes and generic words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab.h"
#include "pw_test.h"

static const pw_vocab_backend backends[] = {PW_VOCAB_BACKEND_AC, PW_VOCAB_BACKEND_HYPERSCAN};

/* A vocabulary of only these TSV lines on back end b; NULL when b is not in this build. */
static pw_vocab *small_vocab(const char *tsv, pw_vocab_backend b)
{
    pw_vocab_opts o = {.user_data = tsv, .user_len = strlen(tsv), .backend = b, .no_builtin = 1};
    pw_vocab *v = NULL;
    pw_err err;
    pw_status st = pw_vocab_new_opts(&o, &v, &err);
    if (st == PW_ERR_UNSUPPORTED)
        return NULL;
    if (st != PW_OK)
        fprintf(stderr, "small_vocab: %s\n", err.msg);
    CHECK_INT(st, PW_OK);
    return v;
}

/* Matches as "start-end:term" joined by ';' (static buffer). */
static const char *scan_str(const pw_vocab *v, const char *text)
{
    static char out[4096];
    pw_vocab_scratch *s = NULL;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_vocab_match *m = NULL;
    size_t n = 0;
    out[0] = '\0';
    CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
    CHECK_INT(pw_vocab_scan(v, s, &a, text, strlen(text), &m, &n, NULL), PW_OK);
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof out - 300; i++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(v, m[i].entry);
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%zu-%zu:%s", i ? ";" : "",
                                m[i].start, m[i].end, e ? e->term : "?");
    }
    pw_vocab_scratch_free(s);
    pw_arena_free(&a);
    return out;
}

#define LINE(term, cls) term "\t-\t" cls "\t-\tnormal\tclinical\n"

static const char *small_tsv = LINE("heart attack", "condition") LINE("heart", "generic")
    LINE("attack", "symptom") LINE("heart attack symptoms", "symptom") LINE("hiv", "condition")
        LINE("ivf", "procedure") LINE("attack symptoms", "symptom") LINE("a b c", "condition")
            LINE("b", "condition") LINE("covid 19", "condition");

static void test_whole_words_longest(void)
{
    for (size_t k = 0; k < 2; k++) {
        pw_vocab *v = small_vocab(small_tsv, backends[k]);
        if (!v)
            continue;
        CHECK_STR(scan_str(v, "heart attack"), "0-12:heart attack;6-12:attack");
        CHECK_STR(scan_str(v, "a heart attack symptoms page"),
                  "2-23:heart attack symptoms;8-23:attack symptoms");
        CHECK_STR(scan_str(v, "hiv testing"), "0-3:hiv");
        CHECK_STR(scan_str(v, "archive hivx xhiv shiv"), "");
        CHECK_STR(scan_str(v, "free hiv"), "5-8:hiv");
        CHECK_STR(scan_str(v, "heartattack"), "");
        CHECK_STR(scan_str(v, "heart  attack"), "0-5:heart;7-13:attack");
        CHECK_STR(scan_str(v, "a b c"), "0-5:a b c;2-3:b");
        CHECK_STR(scan_str(v, "a b d"), "2-3:b");
        CHECK_STR(scan_str(v, "covid 19 ivf"), "0-8:covid 19;9-12:ivf");
        CHECK_STR(scan_str(v, ""), "");
        CHECK_STR(scan_str(v, "   "), "");
        pw_vocab_free(v);
    }
}

static void test_case_and_separators(void)
{
    for (size_t k = 0; k < 2; k++) {
        pw_vocab *v = small_vocab(small_tsv, backends[k]);
        if (!v)
            continue;
        /* Matching is ASCII case-insensitive; any non-alphanumeric byte bounds a word, but
         * the words of a term must be joined by exactly one space (detect normalises). */
        CHECK_STR(scan_str(v, "HIV/IVF"), "0-3:hiv;4-7:ivf");
        CHECK_STR(scan_str(v, "Heart Attack"), "0-12:heart attack;6-12:attack");
        CHECK_STR(scan_str(v, "heart-attack"), "0-5:heart;6-12:attack");
        CHECK_STR(scan_str(v, "\xc3\xa9hiv\xc3\xa9"), "2-5:hiv");
        pw_vocab_free(v);
    }
}

static void test_user_file_errors(void)
{
    struct {
        const char *tsv, *msg;
    } cases[] = {
        {"# comment\n\nhiv\t-\tcondition\t-\thigh\n", "f.tsv:3: expected 6 tab-separated"},
        {"hiv\t-\tdisease\t-\thigh\tclinical\n", "f.tsv:1: class 'disease' unknown"},
        {LINE("ok", "condition") "x\t-\tcondition\t-\tsevere\tclinical\n",
         "f.tsv:2: sensitivity must be"},
        {LINE("ok", "condition") LINE("ok2", "condition") "y\t-\tcondition\t-\thigh\tplain\n",
         "f.tsv:3: register must be"},
        {"--\t-\tcondition\t-\thigh\tlay\n", "f.tsv:1: term has no letters"},
        {"book\t-\tcare_intent\t-\tnormal\tlay\n", "f.tsv:1: care_intent needs a subtype"},
        {"book\t-\tcare_intent\tBad Sub\tnormal\tlay\n", "f.tsv:1: subtype must be"},
        {"a\tb\tcondition\t-\thigh\tlay\textra\n", "f.tsv:1: expected 6 tab-separated"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pw_vocab_opts o = {.user_data = cases[i].tsv,
                           .user_len = strlen(cases[i].tsv),
                           .user_name = "f.tsv",
                           .backend = PW_VOCAB_BACKEND_AC,
                           .no_builtin = 1};
        pw_vocab *v = NULL;
        pw_err err = {0};
        CHECK_INT(pw_vocab_new_opts(&o, &v, &err), PW_ERR_PARSE);
        CHECK(v == NULL);
        if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0) {
            fprintf(stderr, "case %zu: got '%s', want prefix '%s'\n", i, err.msg, cases[i].msg);
            CHECK(0);
        }
    }
}

static void test_user_file_on_disk(void)
{
    char path[] = "/tmp/pw_vocab_testXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a user vocabulary\nZorbitol\t-\tmedication\t-\tnormal\tclinical\n"
          "Flux Capacitor Syndrome\t-\tcondition\t-\thigh\tlay\n"
          "hospital\t-\tcondition\t-\tnormal\tlay\n",
          f);
    fclose(f);
    pw_vocab *v = NULL;
    pw_err err;
    CHECK_INT(pw_vocab_new(path, &v, &err), PW_OK);
    if (v) {
        CHECK_STR(scan_str(v, "zorbitol for flux capacitor syndrome"),
                  "0-8:zorbitol;13-36:flux capacitor syndrome;28-36:syndrome");
        /* The user line re-classes a built-in generic word. */
        pw_vocab_match m;
        const char *r = scan_str(v, "hospital");
        CHECK_STR(r, "0-8:hospital");
        (void)m;
        pw_vocab_free(v);
    }
    remove(path);
    CHECK_INT(pw_vocab_new("/nonexistent/vocab.tsv", &v, &err), PW_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/vocab.tsv") != NULL);
}

/* The first match's entry for `text` on the built-in vocabulary (NULL when none). */
static const pw_vocab_entry *first_entry(const pw_vocab *v, const char *text)
{
    pw_vocab_scratch *s = NULL;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_vocab_match *m = NULL;
    size_t n = 0;
    const pw_vocab_entry *e = NULL;
    if (pw_vocab_scratch_new(v, &s, NULL) == PW_OK &&
        pw_vocab_scan(v, s, &a, text, strlen(text), &m, &n, NULL) == PW_OK && n > 0 &&
        m[0].start == 0 && m[0].end == strlen(text))
        e = pw_vocab_entry_at(v, m[0].entry);
    pw_vocab_scratch_free(s);
    pw_arena_free(&a);
    return e;
}

static void check_term(const pw_vocab *v, const char *text, pw_vocab_class cls,
                       const char *canonical, pw_sensitivity sens)
{
    const pw_vocab_entry *e = first_entry(v, text);
    if (!e) {
        fprintf(stderr, "built-in: '%s' not matched as a whole\n", text);
        CHECK(0);
        return;
    }
    if (e->cls != cls || (canonical && strcmp(e->canonical, canonical) != 0) ||
        e->sensitivity != sens) {
        fprintf(stderr, "built-in: '%s' → %s/%s/%d\n", text, pw_vocab_class_name(e->cls),
                e->canonical, (int)e->sensitivity);
        CHECK(0);
    }
}

static void test_builtin(void)
{
    for (size_t k = 0; k < 2; k++) {
        pw_vocab_opts o = {.backend = backends[k]};
        pw_vocab *v = NULL;
        pw_status st = pw_vocab_new_opts(&o, &v, NULL);
        if (st == PW_ERR_UNSUPPORTED)
            continue;
        CHECK_INT(st, PW_OK);
        if (!v)
            continue;
        CHECK(pw_vocab_size(v) >= 5000);
        check_term(v, "heart attack", PW_VOCAB_CONDITION, "myocardial infarction", PW_SENS_NORMAL);
        check_term(v, "myocardial infarction", PW_VOCAB_CONDITION, "myocardial infarction",
                   PW_SENS_NORMAL);
        check_term(v, "abortion", PW_VOCAB_SENSITIVE_SERVICE, NULL, PW_SENS_HIGH);
        check_term(v, "termination of pregnancy", PW_VOCAB_SENSITIVE_SERVICE, NULL, PW_SENS_HIGH);
        check_term(v, "hiv", PW_VOCAB_CONDITION, NULL, PW_SENS_HIGH);
        check_term(v, "prep", PW_VOCAB_MEDICATION, NULL, PW_SENS_HIGH);
        check_term(v, "ivf", PW_VOCAB_PROCEDURE, NULL, PW_SENS_HIGH);
        check_term(v, "rehab", PW_VOCAB_CARE_SERVICE, NULL, PW_SENS_NORMAL);
        check_term(v, "breast cancer", PW_VOCAB_CONDITION, NULL, PW_SENS_HIGH);
        check_term(v, "diabetes", PW_VOCAB_CONDITION, NULL, PW_SENS_NORMAL);
        check_term(v, "diabeties", PW_VOCAB_CONDITION, "diabetes", PW_SENS_NORMAL);
        check_term(v, "prozac", PW_VOCAB_MEDICATION, "fluoxetine", PW_SENS_HIGH);
        check_term(v, "cardiology", PW_VOCAB_SPECIALTY, NULL, PW_SENS_NORMAL);
        check_term(v, "hospital", PW_VOCAB_GENERIC, NULL, PW_SENS_NORMAL);
        check_term(v, "visiting hours", PW_VOCAB_GENERIC, NULL, PW_SENS_NORMAL);
        const pw_vocab_entry *e = first_entry(v, "schedule an appointment");
        CHECK(e && e->cls == PW_VOCAB_CARE_INTENT && e->subtype &&
              strcmp(e->subtype, "scheduling") == 0);
        e = first_entry(v, "find a doctor");
        CHECK(e && e->cls == PW_VOCAB_CARE_INTENT && strcmp(e->subtype, "find-a-doctor") == 0);
        e = first_entry(v, "pay my bill");
        CHECK(e && e->cls == PW_VOCAB_CARE_INTENT && strcmp(e->subtype, "bill-pay") == 0);
        e = first_entry(v, "mychart");
        CHECK(e && e->cls == PW_VOCAB_CARE_INTENT && strcmp(e->subtype, "portal") == 0);
        /* "ms" alone is a courtesy title or milliseconds: only multi-word forms count. */
        CHECK_STR(scan_str(v, "ms smith items"), "");
        CHECK(first_entry(v, "multiple sclerosis") != NULL);
        CHECK_STR(scan_str(v, "archive"), "");
        pw_vocab_free(v);
    }
}

static void test_names(void)
{
    CHECK_STR(pw_vocab_class_name(PW_VOCAB_SENSITIVE_SERVICE), "sensitive_service");
    CHECK_STR(pw_vocab_class_name(PW_VOCAB__COUNT), "unknown");
    CHECK_STR(pw_vocab_backend_name(PW_VOCAB_BACKEND_AC), "ac");
}

PW_TEST_MAIN(PW_TEST(test_whole_words_longest), PW_TEST(test_case_and_separators),
             PW_TEST(test_user_file_errors), PW_TEST(test_user_file_on_disk), PW_TEST(test_builtin),
             PW_TEST(test_names))
