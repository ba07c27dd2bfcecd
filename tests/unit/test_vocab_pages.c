/*
 * test_vocab_pages.c — the built-in vocabulary on page texts and URLs written for phiwall:
 * general hospital pages (careers, parking, news, visiting hours, privacy) must give no health
 * hit at all, and health pages must each give one (tests/data/vocab/). Both back ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab.h"
#include "detect/vocab_tsv.h"
#include "pw_test.h"

static int is_health(pw_vocab_class c)
{
    return c != PW_VOCAB_GENERIC && c != PW_VOCAB_CARE_INTENT;
}

/* The first health-context term found in `line`, or NULL. */
static const char *health_hit(const pw_vocab *v, pw_vocab_scratch *s, const char *line)
{
    static char norm[4096];
    size_t n = strlen(line);
    if (n > sizeof norm)
        n = sizeof norm;
    n = pw_vocab_normalize(line, n, norm);
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_vocab_match *m = NULL;
    size_t k = 0;
    const char *hit = NULL;
    CHECK_INT(pw_vocab_scan(v, s, &a, norm, n, &m, &k, NULL), PW_OK);
    for (size_t i = 0; i < k && !hit; i++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(v, m[i].entry);
        if (is_health(e->cls))
            hit = e->term;
    }
    pw_arena_free(&a);
    return hit;
}

/* Run every non-comment line of tests/data/vocab/<name>; want_hit says what each must give. */
static void check_file(const char *name, int want_hit)
{
    static const pw_vocab_backend backends[] = {PW_VOCAB_BACKEND_AC, PW_VOCAB_BACKEND_HYPERSCAN};
    char path[1024], line[2048];
    snprintf(path, sizeof path, "%s/tests/data/vocab/%s", PW_SRC_DIR, name);
    for (size_t b = 0; b < 2; b++) {
        pw_vocab_opts o = {.backend = backends[b]};
        pw_vocab *v = NULL;
        pw_vocab_scratch *s = NULL;
        if (pw_vocab_new_opts(&o, &v, NULL) != PW_OK)
            continue; /* back end not in this build */
        CHECK_INT(pw_vocab_scratch_new(v, &s, NULL), PW_OK);
        FILE *f = fopen(path, "r");
        CHECK(f != NULL);
        int lineno = 0, checked = 0;
        while (f && fgets(line, sizeof line, f)) {
            lineno++;
            line[strcspn(line, "\n")] = '\0';
            if (line[0] == '#' || line[0] == '\0')
                continue;
            checked++;
            const char *hit = health_hit(v, s, line);
            if ((hit != NULL) != want_hit) {
                fprintf(stderr, "%s:%d (%s): %s%s%s\n", name, lineno,
                        pw_vocab_backend_name(pw_vocab_backend_of(v)),
                        want_hit ? "no health hit in: " : "unexpected health hit '",
                        want_hit ? line : hit, want_hit ? "" : "'");
                CHECK(0);
            }
        }
        CHECK(checked >= 40);
        if (f)
            fclose(f);
        pw_vocab_scratch_free(s);
        pw_vocab_free(v);
    }
}

static void test_general_pages_have_no_health_hit(void)
{
    check_file("general_pages.txt", 0);
}

static void test_health_pages_hit(void)
{
    check_file("health_pages.txt", 1);
}

PW_TEST_MAIN(PW_TEST(test_general_pages_have_no_health_hit), PW_TEST(test_health_pages_hit))
