/*
 * test_detect_fast_rejects.c — the cheap rejects engine-text9 put before the identifier
 * detectors' walks (ident_fast.h): each written-out table equals the word lists it is built
 * from, and on generated text each reject answers as the walk it spares — the name triggers
 * (first-word lengths by initial, the third byte, the text's run of letters) at every byte of
 * texts made of trigger words, look-alike words and names in mixed case; the street word lists
 * (lengths by initial) on list words, their prefixes, extensions and case changes, and random
 * words. Through the detector: names after triggers in every case are still found.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/ident_fast.h"
#include "detect_helpers.h"
#include "pw_test.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    return pw_test_rnd(&rng_state, n);
}

/* Pieces of the generated texts: the triggers (as name_at's lists spell them), words that share
 * their first letters or lengths, names, separators. */
static const char *const triggers[] = {"dr. ",
                                       "dr ",
                                       "doctor ",
                                       "dra. ",
                                       "dra ",
                                       "doctora ",
                                       "dear ",
                                       "patient name: ",
                                       "paciente: ",
                                       "patient name ",
                                       "patient: ",
                                       "patient ",
                                       "para ",
                                       "name: ",
                                       "nombre: ",
                                       "nombre del paciente: ",
                                       "name ",
                                       "mr. ",
                                       "mrs. ",
                                       "ms. ",
                                       "mr ",
                                       "mrs ",
                                       "ms ",
                                       "miss ",
                                       "maiden name is ",
                                       "my name is ",
                                       "my full name is ",
                                       "my spouse is ",
                                       "my child's name is ",
                                       "my spouse, ",
                                       "my daughter, ",
                                       "my kid ",
                                       "my husband ",
                                       "full name: ",
                                       "follow up with ",
                                       "your name? ",
                                       "your last name? ",
                                       "i'm ",
                                       "i\xE2\x80\x99m ",
                                       "i am ",
                                       "it's under ",
                                       "user: ",
                                       "update it to ",
                                       "this is ",
                                       "thanks,",
                                       "thank you,",
                                       "call me ",
                                       "calls me ",
                                       "cheers,",
                                       "change it to ",
                                       "correct it to ",
                                       "add ",
                                       "hi ",
                                       "hello ",
                                       "hey ",
                                       "regards,",
                                       "sincerely,",
                                       "signed,",
                                       "best regards,",
                                       "best,"};
static const char *const others[] = {
    "the",     "mail",    "provider",     "dea",     "dob",       "medicare", "patients", "doc",
    "doctors", "dearest", "pat",          "names",   "nam",       "mrsa",     "missing",  "mystery",
    "myname",  "fulls",   "follows",      "yours",   "it",        "its",      "user",     "updates",
    "thisis",  "thank",   "thanksgiving", "calling", "cheer",     "add",      "adds",     "hip",
    "help",    "hex",     "regard",       "since",   "sign",      "bests",    "be",       "i",
    "in",      "Aisha",   "Haddad",       "Dana",    "Whitfield", "Lee",      "O'Neil",   "Núñez"};
static const char *const seps[] = {" ", "  ", ", ", ". ", ": ", "\n", "-", "'", "?", ""};

/* Append s to buf (cap bytes), changing the case of its ASCII letters at random. */
static void put(char *buf, size_t *n, size_t cap, const char *s)
{
    int mode = (int)rnd(4); /* as written, upper case, capitalised, mixed */
    for (size_t k = 0; s[k] && *n + 1 < cap; k++) {
        char c = s[k];
        if (c >= 'a' && c <= 'z' && (mode == 1 || (mode == 2 && k == 0) || (mode == 3 && rnd(2))))
            c = (char)(c - 32);
        buf[(*n)++] = c;
    }
    buf[*n] = '\0';
}

static void test_trigger_lens_table(void)
{
    CHECK(pw_name_trigger_lens_ok());
}

static void test_trigger_reject_equals_walk(void)
{
    enum { CAP = 200 };
    char text[CAP];
    size_t positions = 0, differ = 0;
    for (int round = 0; round < 4000; round++) {
        size_t n = 0, pieces = 1 + rnd(8);
        for (size_t p = 0; p < pieces; p++) {
            uint32_t kind = rnd(3);
            if (kind == 0)
                put(text, &n, CAP, triggers[rnd(sizeof triggers / sizeof *triggers)]);
            else if (kind == 1)
                put(text, &n, CAP, others[rnd(sizeof others / sizeof *others)]);
            put(text, &n, CAP, seps[rnd(sizeof seps / sizeof *seps)]);
        }
        if (rnd(4) == 0 && n > 2) /* a text cut inside its last piece */
            n -= 1 + rnd(2);
        for (size_t i = 0; i < n; i++, positions++)
            if (!pw_name_trigger_same(text, n, i)) {
                if (differ++ < 5)
                    fprintf(stderr, "trigger reject differs at %zu of \"%.*s\"\n", i, (int)n, text);
            }
    }
    CHECK_INT(differ, 0);
    CHECK(positions > 40000);
}

/* Through the detector: a name after a trigger written in any case is found (the reject looks at
 * lengths, the third byte and the run of letters, none of which depends on case). */
static void test_names_after_triggers(void)
{
    static const char *const texts[] = {
        "Patient name: Aisha Haddad, DOB: December 14, 1941",
        "PATIENT NAME: Aisha Haddad",
        "patient name: Aisha Haddad",
        "My name is Dana Whitfield and I need a refill",
        "MY NAME IS Dana Whitfield and I need a refill",
        "Dear Marcus Obi, your results are ready",
        "Dr. Helena Brandt will see you",
        "DR. Helena Brandt will see you",
        "Name: Abby Laidlaw",
        "Hi Freddy, I'm contacting you about my bill",
    };
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
        CHECK(dt_scan(&t, NULL, texts[k], PW_FT_TEXT) != (size_t)-1);
        if (!dt_find(&t, PW_PHI_NAME))
            fprintf(stderr, "no name in \"%s\"\n", texts[k]);
        CHECK(dt_find(&t, PW_PHI_NAME) != NULL);
    }
    dt_close(&t);
}

static const char *const street_words[] = {
    "street",   "st",      "avenue",  "ave",        "road",     "rd",         "boulevard",
    "blvd",     "lane",    "ln",      "drive",      "dr",       "court",      "ct",
    "way",      "place",   "pl",      "terrace",    "ter",      "circle",     "cir",
    "parkway",  "pkwy",    "highway", "hwy",        "square",   "sq",         "trail",
    "trl",      "plaza",   "alley",   "crossing",   "loop",     "pike",       "row",
    "ridge",    "grove",   "heights", "hollow",     "crescent", "expressway", "freeway",
    "turnpike", "route",   "rte",     "landing",    "commons",  "hospital",   "medical",
    "health",   "clinic",  "campus",  "university", "college",  "apt",        "apartment",
    "suite",    "ste",     "unit",    "floor",      "fl",       "room",       "rm",
    "bldg",     "building"};

static void test_addr_lens_table(void)
{
    CHECK(pw_addr_lens_ok());
}

static void test_addr_reject_equals_walk(void)
{
    char w[32];
    size_t asked = 0, differ = 0;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        uint32_t kind = rnd(5);
        if (kind < 3) { /* a list word, its prefix or extension, in some case */
            const char *src = street_words[rnd(sizeof street_words / sizeof *street_words)];
            put(w, &n, sizeof w, src);
            if (kind == 1 && n > 1)
                n -= 1 + rnd((uint32_t)n - 1);
            else if (kind == 2)
                w[n++] = (char)('a' + rnd(26));
        } else if (kind == 3) { /* random letters */
            size_t len = 1 + rnd(14);
            for (size_t k = 0; k < len; k++)
                w[n++] = (char)((rnd(2) ? 'a' : 'A') + rnd(26));
        } else { /* any bytes */
            size_t len = 1 + rnd(8);
            for (size_t k = 0; k < len; k++)
                w[n++] = (char)(1 + rnd(255));
        }
        w[n] = '\0';
        asked++;
        if (!pw_addr_word_in_same(w, n) && differ++ < 5)
            fprintf(stderr, "street word reject differs on \"%s\"\n", w);
    }
    CHECK_INT(differ, 0);
    CHECK(asked == 20000);
}

/* Month names and look-alikes before numbers, separated the ways dates are written. */
static void test_date_month_reject_equals_walk(void)
{
    static const char *const words[] = {
        "March", "mar",      "Sept",    "september", "Dec",    "December", "may",
        "June",  "jul",      "Mail",    "Safari",    "Austin", "Medicare", "on",
        "SSN",   "Apt",      "file",    "octobre",   "aug",    "no",       "de",
        "Nov.",  "FEBRUARY", "janvier", "avril",     "marzo",  "x",        "abcdefghijk"};
    static const char *const gaps[] = {" ", ", ", ". ", "-", " - ", ".", "", "/", " of ", "  "};
    static const char *const nums[] = {"14", "3", "1985", "2026", "07", "12th", "1st", "v2", "08"};
    char text[80];
    size_t texts = 0, differ = 0;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        while (n < 48) {
            uint32_t kind = rnd(3);
            const char *p = kind == 0   ? words[rnd(sizeof words / sizeof *words)]
                            : kind == 1 ? nums[rnd(sizeof nums / sizeof *nums)]
                                        : gaps[rnd(sizeof gaps / sizeof *gaps)];
            put(text, &n, 64, p);
            if (rnd(5) == 0)
                break;
        }
        texts++;
        if (!pw_date_month_reject_same(text, n) && differ++ < 5)
            fprintf(stderr, "month reject differs on \"%.*s\"\n", (int)n, text);
    }
    CHECK_INT(differ, 0);
    CHECK(texts == 20000);
}

/* engine-real10: ident_name.c's word lists are searched by bisection (in_sorted), which needs
 * them sorted; every addressee word, written as a visitor writes it after "Dear" (capitalised,
 * upper case, lower case), is still no name, and a first name beside them still is. A bisection
 * that skips an entry or stops one short leaves some words unfound (checked by breaking it). */
static const char *const addressees[] = {"administrator",
                                         "all",
                                         "alumni",
                                         "america",
                                         "americans",
                                         "applicant",
                                         "applicants",
                                         "board",
                                         "body",
                                         "brother",
                                         "candidate",
                                         "candidates",
                                         "caregiver",
                                         "caregivers",
                                         "chair",
                                         "children",
                                         "client",
                                         "clients",
                                         "clinician",
                                         "clinicians",
                                         "coach",
                                         "colleague",
                                         "colleagues",
                                         "committee",
                                         "community",
                                         "congress",
                                         "customer",
                                         "customers",
                                         "dad",
                                         "dads",
                                         "daughter",
                                         "diary",
                                         "director",
                                         "doctor",
                                         "doctors",
                                         "donor",
                                         "donors",
                                         "dr",
                                         "editor",
                                         "employee",
                                         "employees",
                                         "everybody",
                                         "everyone",
                                         "faculty",
                                         "father",
                                         "fellow",
                                         "folks",
                                         "friend",
                                         "friends",
                                         "future",
                                         "gentlemen",
                                         "god",
                                         "governor",
                                         "graduates",
                                         "grandma",
                                         "grandpa",
                                         "guest",
                                         "guests",
                                         "health",
                                         "healthcare",
                                         "heroes",
                                         "hiring",
                                         "hospital",
                                         "human",
                                         "humanity",
                                         "humans",
                                         "husband",
                                         "investors",
                                         "kids",
                                         "ladies",
                                         "leader",
                                         "leaders",
                                         "lord",
                                         "madam",
                                         "mama",
                                         "manager",
                                         "mayor",
                                         "me",
                                         "member",
                                         "members",
                                         "men",
                                         "mom",
                                         "moms",
                                         "mother",
                                         "mr",
                                         "mrs",
                                         "ms",
                                         "neighbor",
                                         "neighbors",
                                         "neighbour",
                                         "neighbours",
                                         "nurse",
                                         "nurses",
                                         "papa",
                                         "parent",
                                         "parents",
                                         "participant",
                                         "participants",
                                         "partner",
                                         "partners",
                                         "patient",
                                         "patients",
                                         "physician",
                                         "physicians",
                                         "president",
                                         "provider",
                                         "providers",
                                         "reader",
                                         "readers",
                                         "recipient",
                                         "recipients",
                                         "representative",
                                         "resident",
                                         "residents",
                                         "santa",
                                         "secretary",
                                         "self",
                                         "senator",
                                         "senators",
                                         "shareholders",
                                         "sir",
                                         "sirs",
                                         "sister",
                                         "son",
                                         "sponsor",
                                         "sponsors",
                                         "staff",
                                         "stakeholders",
                                         "student",
                                         "students",
                                         "subscriber",
                                         "subscribers",
                                         "supporter",
                                         "supporters",
                                         "survivor",
                                         "survivors",
                                         "teacher",
                                         "teachers",
                                         "team",
                                         "user",
                                         "users",
                                         "valued",
                                         "visitor",
                                         "visitors",
                                         "volunteer",
                                         "volunteers",
                                         "wife",
                                         "women",
                                         "workers",
                                         "world",
                                         "you"};

static void case_word(const char *w, int how, char *out)
{
    size_t i = 0;
    for (; w[i]; i++) {
        char c = w[i];
        if (how == 2 || (how == 1 && i == 0))
            c = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        out[i] = c;
    }
    out[i] = '\0';
}

static void test_name_lists_sorted(void)
{
    CHECK(pw_name_lists_sorted());
}

static void test_addressee_words_found(void)
{
    dt_ctx T;
    CHECK(dt_open(&T, NULL, 0));
    size_t missed = 0, n = sizeof addressees / sizeof addressees[0];
    for (size_t i = 0; i < n; i++)
        for (int how = 1; how <= 2; how++) {
            char w[64], text[96];
            case_word(addressees[i], how, w);
            snprintf(text, sizeof text, "Dear %s,", w);
            if (dt_scan(&T, NULL, text, PW_FT_TEXT) != 0 && dt_find(&T, PW_PHI_NAME) &&
                missed++ < 5)
                fprintf(stderr, "a name in \"%s\"\n", text);
        }
    CHECK_INT(missed, 0);
    CHECK(dt_scan(&T, NULL, "Dear Maria, your appointment is confirmed", PW_FT_TEXT) != (size_t)-1);
    CHECK(dt_find(&T, PW_PHI_NAME) != NULL);
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(test_trigger_lens_table), PW_TEST(test_trigger_reject_equals_walk),
             PW_TEST(test_names_after_triggers), PW_TEST(test_addr_lens_table),
             PW_TEST(test_addr_reject_equals_walk), PW_TEST(test_date_month_reject_equals_walk),
             PW_TEST(test_name_lists_sorted), PW_TEST(test_addressee_words_found))
