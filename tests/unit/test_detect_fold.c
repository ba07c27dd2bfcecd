/*
 * test_detect_fold.c — the folding layer (src/detect/fold.c): text a reader sees as a health term
 * or identifier written with fullwidth letters, invisible format characters, Cyrillic/Greek
 * look-alikes or dots is found; each hit's span covers the original bytes and redaction removes
 * them; real Russian and Greek text, accented Latin words and emoji give nothing; one event gives
 * every field exactly its own scan's hits.
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static const char *redact(const char *key, const char *s, pw_field_type ft)
{
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_redact(T.d, T.s, &T.a, key, s, strlen(s), ft, &b, NULL), PW_OK);
    const char *out = pw_arena_strndup(&T.a, b.data ? b.data : "", b.len);
    pw_buf_free(&b);
    return out;
}

/* Every hit of the last scan lies inside the string. */
static void check_spans(void)
{
    size_t n = strlen(T.str);
    for (size_t i = 0; i < T.n; i++)
        CHECK(T.h[i].start < T.h[i].end && T.h[i].end <= n);
}

/* s scanned as text has one hit of category c, subtype sub, normalised norm, over exactly the
 * original bytes of its substring `covered` (the first occurrence); redacting s gives red. */
static void expect(const char *s, pw_phi_category c, const char *sub, const char *norm,
                   const char *covered, const char *red)
{
    CHECK_INT(dt_scan(&T, NULL, s, PW_FT_TEXT), 1);
    check_spans();
    const pw_hit *h = dt_find(&T, c);
    const char *at = strstr(s, covered);
    CHECK(h != NULL && at != NULL);
    if (!h || !at) {
        fprintf(stderr, "  no %s hit in \"%s\"\n", pw_phi_category_name(c), s);
        return;
    }
    CHECK_STR(h->subtype, sub);
    CHECK_STR(h->normalized, norm);
    CHECK_INT(h->start, at - s);
    CHECK_INT(h->end, at - s + (long long)strlen(covered));
    CHECK_STR(redact(NULL, s, PW_FT_TEXT), red);
}

/* Fullwidth, Cyrillic and Greek letters as UTF-8 (U+FF28 is "\xef\xbc\xa8"). */
#define FW_HIV     "\xef\xbc\xa8\xef\xbc\xa9\xef\xbc\xb6"
#define FW_CANCER  "\xef\xbc\xa3\xef\xbc\xa1\xef\xbc\xae\xef\xbc\xa3\xef\xbc\xa5\xef\xbc\xb2"
#define FW_LOW_HIV "\xef\xbd\x88\xef\xbd\x89\xef\xbd\x96"
#define CY_HI      "\xd0\x9d\xd0\x86" /* Cyrillic EN, Byelorussian-Ukrainian I */
#define CY_a       "\xd0\xb0"         /* Cyrillic small a */
#define GR_HI      "\xce\x97\xce\x99" /* Greek ETA, IOTA */
#define ZWSP       "\xe2\x80\x8b"
#define SHY        "\xc2\xad"
#define BOM        "\xef\xbb\xbf"

static void test_fullwidth(void)
{
    expect(FW_HIV " test", PW_PHI_HEALTH, "procedure", "hiv test", FW_HIV " test", "[PROCEDURE]");
    expect(FW_CANCER, PW_PHI_HEALTH, "condition", "cancer", FW_CANCER, "[CONDITION]");
    expect("My " FW_LOW_HIV " results", PW_PHI_HEALTH, "condition", "hiv", FW_LOW_HIV,
           "My [CONDITION] results");
    /* CJK after it ("kensa", test) is no letter of the word */
    expect(FW_HIV "\xe6\xa4\x9c\xe6\x9f\xbb", PW_PHI_HEALTH, "condition", "hiv", FW_HIV,
           "[CONDITION]\xe6\xa4\x9c\xe6\x9f\xbb");
    /* fullwidth digits in a phone number; no-break spaces between its groups */
    expect("call\xc2\xa0\xef\xbc\x96\xef\xbc\x91\xef\xbc\x97-\xef\xbc\x95\xef\xbc\x95\xef\xbc\x95-"
           "0123",
           PW_PHI_PHONE, "phone", "6175550123",
           "\xef\xbc\x96\xef\xbc\x91\xef\xbc\x97-\xef\xbc\x95\xef\xbc\x95\xef\xbc\x95-0123",
           "call\xc2\xa0[PHONE]");
    expect("phone 617\xc2\xa0"
           "555\xc2\xa0"
           "0123",
           PW_PHI_PHONE, "phone", "6175550123",
           "617\xc2\xa0"
           "555\xc2\xa0"
           "0123",
           "phone [PHONE]");
}

static void test_lookalikes(void)
{
    expect(CY_HI "V test", PW_PHI_HEALTH, "procedure", "hiv test", CY_HI "V test", "[PROCEDURE]");
    expect("Learn about c" CY_a "ncer today", PW_PHI_HEALTH, "condition", "cancer", "c" CY_a "ncer",
           "Learn about [CONDITION] today");
    expect(GR_HI "V results", PW_PHI_HEALTH, "condition", "hiv", GR_HI "V", "[CONDITION] results");
    /* Latin letters only before the look-alikes (Cyrillic IE ER), after plain ASCII text: the word
     * is judged from its start ("Pr"), not from its first look-alike */
    expect("Ask about Pr\xd0\x95\xd0\xa0 today", PW_PHI_HEALTH, "medication", "prep",
           "Pr\xd0\x95\xd0\xa0", "Ask about [MEDICATION] today");
    /* a word of look-alikes only that is a whole vocabulary term (Cyrillic VE ER EN: "BPH") */
    expect("\xd0\x92\xd0\xa0\xd0\x9d", PW_PHI_HEALTH, "condition", "benign prostatic hyperplasia",
           "\xd0\x92\xd0\xa0\xd0\x9d", "[CONDITION]");
    /* the letters of the one look-alike table (pw_detect_fold_lookalikes) that the engine's
     * own used to lack: Izhitsa (Cyrillic EN, I, IZHITSA, a whole term), a small Cyrillic GHE
     * drawn like a small-capital r, Cherokee HA in a word with Latin letters */
    expect(CY_HI "\xd1\xb4 results", PW_PHI_HEALTH, "condition", "hiv", CY_HI "\xd1\xb4",
           "[CONDITION] results");
    expect("Learn about breast cance\xd0\xb3 today", PW_PHI_HEALTH, "condition", "breast cancer",
           "breast cance\xd0\xb3", "Learn about [CONDITION] today");
    expect("\xe1\x8e\xbbIV test", PW_PHI_HEALTH, "procedure", "hiv test", "\xe1\x8e\xbbIV test",
           "[PROCEDURE]");
}

static void test_format_chars(void)
{
    expect("H" ZWSP "IV", PW_PHI_HEALTH, "condition", "hiv", "H" ZWSP "IV", "[CONDITION]");
    expect("Your H" ZWSP "IV results", PW_PHI_HEALTH, "condition", "hiv", "H" ZWSP "IV",
           "Your [CONDITION] results");
    expect("c" SHY "ancer", PW_PHI_HEALTH, "condition", "cancer", "c" SHY "ancer", "[CONDITION]");
    /* a CMS-hyphenated title with a BOM in front: the BOM stays outside the hit */
    expect(BOM "Chemo" SHY "ther" SHY "apy | Valley Health", PW_PHI_HEALTH, "procedure",
           "chemotherapy", "Chemo" SHY "ther" SHY "apy", BOM "[PROCEDURE] | Valley Health");
    /* an identifier with a zero-width space inside */
    expect("mail jane" ZWSP "@example.com", PW_PHI_EMAIL, "email", "jane@example.com",
           "jane" ZWSP "@example.com", "mail [EMAIL]");
}

static void test_dotted(void)
{
    expect("h.i.v", PW_PHI_HEALTH, "condition", "hiv", "h.i.v", "[CONDITION]");
    expect("H.I.V. results", PW_PHI_HEALTH, "condition", "hiv", "H.I.V", "[CONDITION]. results");
    expect("tested for s.t.d. last year", PW_PHI_HEALTH, "condition", "std", "s.t.d",
           "tested for [CONDITION]. last year");
    /* not acronyms of a term, or not acronyms at all */
    const char *none[] = {"U.S.A. and e.g. a.m.", "Ph.D. candidate", "J.R.R. Tolkien", "h.i.vx",
                          "www.h.i.v.com",        "v.1.2.3",         "a.b.c.d.e.f.g.h"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        CHECK_INT(dt_scan(&T, NULL, none[i], PW_FT_TEXT), 0);
        CHECK_STR(redact(NULL, none[i], PW_FT_TEXT), none[i]);
    }
}

static void test_url(void)
{
    /* fullwidth HIV percent-encoded in a path slug: decoded, then folded */
    const char *u = "https://h.org/conditions/%EF%BC%A8%EF%BC%A9%EF%BC%B6/";
    CHECK(dt_scan(&T, NULL, u, PW_FT_URL) >= 1);
    check_spans();
    const pw_hit *h = dt_find(&T, PW_PHI_HEALTH);
    CHECK(h && h->start == 25 && h->end == 52);
    CHECK_STR(redact(NULL, u, PW_FT_URL), "https://h.org/conditions/[CONDITION]/");
    /* a raw soft hyphen in a query value */
    const char *q = "https://h.org/p?topic=can\xc2\xad"
                    "cer&lang=en";
    CHECK(dt_scan(&T, NULL, q, PW_FT_URL) >= 1);
    h = dt_find(&T, PW_PHI_HEALTH);
    CHECK(h && h->start == 22 && h->end == 30);
    CHECK_STR(redact(NULL, q, PW_FT_URL), "https://h.org/p?topic=[CONDITION]&lang=en");
}

/* Text and escapes written in ISO-8859-1 (old CMS and IIS pages): a lone byte 0xC0-0xFF that
 * starts no valid UTF-8 sequence is its Latin-1 letter, so "c%E1ncer" is "cancer", and the hit
 * covers the escape. */
static void test_latin1(void)
{
    const char *u = "https://h.org/es/salud/depresi%F3n?x=1";
    CHECK(dt_scan(&T, NULL, u, PW_FT_URL) >= 1);
    check_spans();
    const pw_hit *h = dt_find(&T, PW_PHI_HEALTH);
    CHECK(h && h->start == 23 && h->end == 34);
    CHECK_STR(redact(NULL, u, PW_FT_URL), "https://h.org/es/salud/[CONDITION]?x=1");
    u = "https://h.org/search?q=c%E1ncer+de+mama";
    CHECK(dt_scan(&T, NULL, u, PW_FT_URL) >= 1);
    h = dt_find(&T, PW_PHI_HEALTH);
    CHECK(h && h->start == 23);
    if (h)
        CHECK_STR(h->normalized, "cancer de mama");
    expect("Sobre el c\xe1ncer", PW_PHI_HEALTH, "condition", "cancer", "c\xe1ncer",
           "Sobre el [CONDITION]");
    /* a byte that is no Latin-1 letter, or a valid UTF-8 letter, reads as before */
    CHECK_INT(dt_scan(&T, NULL, "c\xd7ncer", PW_FT_TEXT), 0);
    expect("c\xc3\xa1ncer", PW_PHI_HEALTH, "condition", "cancer", "c\xc3\xa1ncer", "[CONDITION]");
    /* a name in Latin-1 is read whole; a lead byte that a continuation byte follows is a cut
     * UTF-8 sequence, no Latin-1 letter: a name stops before it, never inside it (fuzz_detect) */
    dt_scan(&T, NULL,
            "See Dr. Garc\xed"
            "a today",
            PW_FT_TEXT);
    const pw_hit *n = dt_find(&T, PW_PHI_NAME);
    CHECK(n && n->start == 8 && n->end == 14);
    if (n)
        CHECK_STR(n->normalized, "Garcia");
    dt_scan(&T, NULL, "See Dr. Nguy\xe1\x85\xc4\xbbVn today", PW_FT_TEXT);
    n = dt_find(&T, PW_PHI_NAME);
    CHECK(n && n->start == 8 && n->end == 12);
    CHECK_INT(dt_scan(&T, NULL, "c\xe1\x85ncer", PW_FT_TEXT), 0);
}

static void test_no_hits(void)
{
    const char *none[] = {
        /* "The doctor said the rock is curable" in Russian: its look-alike letters stay (with
         * "рак", cancer, it is health context since the Russian vocabulary: test_vocab_i18n) */
        ("\xd0\x92\xd1\x80\xd0\xb0\xd1\x87 \xd1\x81\xd0\xba\xd0\xb0\xd0\xb7\xd0\xb0\xd0\xbb, "
         "\xd1\x87\xd1\x82\xd0\xbe \xd1\x80\xd0\xbe\xd0\xba "
         "\xd0\xb8\xd0\xb7\xd0\xbb\xd0\xb5\xd1\x87"
         "\xd0\xb8\xd0\xbc"),
        /* Russian words of look-alike letters only ("COP", "POCT") */
        "\xd1\x81\xd0\xbe\xd1\x80 \xd0\xa0\xd0\x9e\xd0\xa1\xd0\xa2",
        /* ... and of the small letters drawn like small capitals: "rok", "kak", "net", "tot" (no
         * Latin letter, no whole term: kept) */
        ("\xd1\x80\xd0\xbe\xd0\xba \xd0\xba\xd0\xb0\xd0\xba \xd0\xbd\xd0\xb5\xd1\x82 "
         "\xd1\x82\xd0\xbe\xd1\x82"),
        /* Armenian "barev" (Armenian letters the table has not: the word stays) */
        "\xd5\xa2\xd5\xa1\xd6\x80\xd5\xa5\xd6\x82",
        /* Greek: "KAI TO METPO", "kardiologia" */
        "\xce\x9a\xce\x91\xce\x99 \xce\xa4\xce\x9f \xce\x9c\xce\x95\xce\xa4\xce\xa1\xce\x9f",
        "\xce\x9a\xce\xb1\xcf\x81\xce\xb4\xce\xb9\xce\xbf\xce\xbb\xce\xbf\xce\xb3\xce\xaf\xce\xb1",
        "caf\xc3\xa9 menu", "Caf\xc3\xa9 Parking",
        /* emoji, with a variation selector and a zero-width joiner sequence */
        ("\xe2\x9d\xa4\xef\xb8\x8f \xf0\x9f\x98\x80 "
         "\xf0\x9f\x91\xa8\xe2\x80\x8d\xe2\x9a\x95\xef\xb8\x8f"),
        /* invalid UTF-8 and cut sequences */
        "\xff\xfe\xc3 \xe2\x80 \xf0\x9f", "\xed\xa0\x80 \xc0\xaf \xe0\x80\xaf"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        CHECK_INT(dt_scan(&T, NULL, none[i], PW_FT_TEXT), 0);
        CHECK_STR(redact(NULL, none[i], PW_FT_TEXT), none[i]);
    }
    /* an accented word keeps its hits where they were */
    CHECK_INT(dt_scan(&T, NULL, "caf\xc3\xa9 near the cancer center", PW_FT_TEXT), 1);
    const pw_hit *h = dt_find(&T, PW_PHI_HEALTH);
    CHECK(h && h->start == 15 && h->end == 28);
}

/* One event of the cases above gives each field exactly its own scan's hits. */
static void test_event(void)
{
    pw_detect_field f[] = {
        {"dt", "\xef\xbc\xa8\xef\xbc\xa9\xef\xbc\xb6", 9, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"cd[buttonText]", "Find c\xd0\xb0ncer care", 17, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"x", "H.I.V. results are ready", 24, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"y", "plain cancer text here", 22, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"z", "caf\xc3\xa9", 5, PW_FT_TEXT, PW_OBJECT_UNKNOWN, NULL, 0},
        {"w",
         "c\xc2\xad"
         "ancer and a long enough tail for masks",
         46, PW_FT_JSON_VALUE, PW_OBJECT_UNKNOWN, NULL, 0}};
    size_t nf = sizeof f / sizeof f[0];
    for (size_t i = 0; i < nf; i++)
        f[i].n = strlen(f[i].str);
    CHECK_INT(pw_detect_scan_event(T.d, T.s, &T.a, f, nf, NULL), PW_OK);
    size_t want[] = {1, 1, 1, 1, 0, 1};
    for (size_t i = 0; i < nf; i++) {
        CHECK_INT(f[i].n_hits, want[i]);
        pw_hit *h = NULL;
        size_t nh = 0;
        CHECK_INT(
            pw_detect_scan(T.d, T.s, &T.a, f[i].key, f[i].str, f[i].n, f[i].type, &h, &nh, NULL),
            PW_OK);
        CHECK_INT(nh, f[i].n_hits);
        for (size_t k = 0; k < nh && k < f[i].n_hits; k++) {
            CHECK_INT(h[k].start, f[i].hits[k].start);
            CHECK_INT(h[k].end, f[i].hits[k].end);
            CHECK_INT(h[k].category, f[i].hits[k].category);
            CHECK_STR(h[k].normalized, f[i].hits[k].normalized);
        }
    }
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_fullwidth), PW_TEST(test_lookalikes),
             PW_TEST(test_format_chars), PW_TEST(test_dotted), PW_TEST(test_url),
             PW_TEST(test_latin1), PW_TEST(test_no_hits), PW_TEST(test_event), PW_TEST(teardown))
