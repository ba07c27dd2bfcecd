/*
 * test_detect_context.c — context lookups of the PHI engine (context.c, key_memo.c): the words
 * before a value (pw_ctx_before) on cases that pin down its rules (word starts, filler words, the
 * three-word and 48-byte limits, digits and line breaks that stop it, table order), and the key
 * memo: with far more keys than slots, in random order, escaped and not, field keys and URL
 * parameter names with the same bytes, every remembered answer equals a fresh classification.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/context_index.h"
#include "detect/context_pairs.h"
#include "detect/internal.h"
#include "phiwall/text.h"
#include "pw_test.h"

/* The context for a value right after text. */
static pw_ctx before(const char *text)
{
    return pw_ctx_before(text, strlen(text));
}

static void test_words_before(void)
{
    CHECK_INT(before("DOB: "), PW_CTX_DOB);
    CHECK_INT(before("Date of Birth "), PW_CTX_DOB);
    CHECK_INT(before("birth date "), PW_CTX_DOB); /* "birthdate" comes before "date" */
    CHECK_INT(before("due date "), PW_CTX_DATE);
    CHECK_INT(before("Phone number is "), PW_CTX_PHONE); /* filler "is" */
    CHECK_INT(before("SSN no. "), PW_CTX_SSN);
    CHECK_INT(before("Call us at "), PW_CTX_ORG_PHONE);
    CHECK_INT(before("please call me at "), PW_CTX_PHONE);
    CHECK_INT(before("MRN #"), PW_CTX_MRN);
    CHECK_INT(before("tmrn "), PW_CTX_NONE);   /* "mrn" does not start a word here */
    CHECK_INT(before("mrn 12 "), PW_CTX_NONE); /* a digit stops the look-back */
    CHECK_INT(before("mrn\n"), PW_CTX_NONE);   /* so does a line break */
    CHECK_INT(before("mr-n: "), PW_CTX_MRN);   /* words join across punctuation */
    CHECK_INT(before("your social security number "), PW_CTX_SSN);
    CHECK_INT(before("phone number is no "), PW_CTX_NONE); /* three words: "number is no" */
    CHECK_INT(before("Provider NPI "), PW_CTX_NPI);
    CHECK_INT(before(""), PW_CTX_NONE);
    char text[128];
    snprintf(text, sizeof text, "mrn%45s", "");
    CHECK_INT(before(text), PW_CTX_MRN); /* 48 bytes back: found */
    snprintf(text, sizeof text, "mrn%46s", "");
    CHECK_INT(before(text), PW_CTX_NONE); /* 49: too far */
    snprintf(text, sizeof text, "%s ssn ", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrst");
    CHECK_INT(before(text), PW_CTX_SSN); /* a word cut by the 40-letter cap */
    snprintf(text, sizeof text, "xx%sssn ", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq");
    CHECK_INT(before(text), PW_CTX_NONE); /* "ssn" inside one long word */
}

/* Words written with accented letters read as their base letters ("Teléfono" is "telefono"), in
 * one word: the old reader split "Código" into "C" "digo", so "Código postal No." was four words
 * and "Ñtel" ended in the word "tel". */
static void test_words_before_accents(void)
{
    CHECK_INT(before("Tel\303\251fono: "), PW_CTX_PHONE);
    CHECK_INT(before("TEL\xc3\x89"
                     "FONO "),
              PW_CTX_PHONE);
    CHECK_INT(before("M\xc3\xb3vil: "), PW_CTX_PHONE);
    CHECK_INT(before("Tel\xc3\xa9"
                     "fono m\xc3\xb3vil no. "),
              PW_CTX_PHONE);
    CHECK_INT(before("C\xc3\xb3"
                     "digo postal "),
              PW_CTX_ZIP);
    CHECK_INT(before("C\xc3\xb3"
                     "digo postal No. "),
              PW_CTX_ZIP); /* three words and a filler */
    CHECK_INT(before("Versi\xc3\xb3n "), PW_CTX_NEGATIVE);
    CHECK_INT(before("N\xc3\xbamero de confirmaci\xc3\xb3n "), PW_CTX_NEGATIVE);
    CHECK_INT(before("N\xc3\xbamero de expediente "), PW_CTX_MRN);
    CHECK_INT(before("\xc3\x91tel "), PW_CTX_NONE); /* "ntel": "tel" starts no word */
    CHECK_INT(before("MRN\xc3\xa9 "), PW_CTX_NONE); /* "mrne" */
    /* a byte >= 0x80 that is no accented letter still splits words */
    CHECK_INT(before("\xe2\x80\x9cTel\xe2\x80\x9d "), PW_CTX_PHONE);
    CHECK_INT(before("x\xe2\x80\x8bmrn "), PW_CTX_MRN);
    CHECK_INT(before("tel\xc3\x97"), PW_CTX_PHONE); /* U+00D7 is a sign: no base letter */
    CHECK_INT(before("\xc3"), PW_CTX_NONE);         /* a cut sequence */
    char text[128];
    snprintf(text, sizeof text, "%s ssn ",
             "\xc3\xa9"
             "bcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs");
    CHECK_INT(before(text), PW_CTX_SSN); /* a word cut by the 40-letter cap */
    snprintf(text, sizeof text, "xx%sssn ",
             "\xc3\xa9"
             "bcdefghijklmnopqrstuvwxyzabcdefghijklmnop");
    CHECK_INT(before(text), PW_CTX_NONE); /* "ssn" inside one long word */
    snprintf(text, sizeof text, "x\xc3\xa9mrn%44s", "");
    CHECK_INT(before(text), PW_CTX_MRN); /* the letter's lead byte is past the 48 bytes */
    snprintf(text, sizeof text, "\xc3\xa9mrn%43s", "");
    CHECK_INT(before(text), PW_CTX_NONE); /* both bytes inside: "emrn" */
}

/* A key's context as pw_ctx_from_param_key must give it: decoded when escaped. */
static pw_ctx param_ctx(pw_arena *a, const char *k, size_t n)
{
    if (memchr(k, '%', n) || memchr(k, '+', n)) {
        size_t dn = 0;
        char *dec = pw_pct_decode(a, k, n, 1, &dn);
        if (dec)
            return pw_ctx_from_key(dec, dn);
    }
    return pw_ctx_from_key(k, n);
}

/* Print a letter-indexed table as the C initializer context.c holds, for pasting after a word
 * table changed (the tables are derived from the words; the library builds them to compare). */
static void print_table64(const char *name, const uint64_t *t)
{
    fprintf(stderr, "  %s, as the word table gives it:\n    {", name);
    for (int c = 'a'; c <= 'z'; c++)
        if (t[c & 31])
            fprintf(stderr, " ['%c' & 31] = 0x%llxull,", c, (unsigned long long)t[c & 31]);
    fprintf(stderr, " }\n");
}

static void print_table32(const char *name, const uint32_t *t)
{
    fprintf(stderr, "  %s, as the word tables give it:\n    {", name);
    for (int k = 0; k < 26; k++)
        if (t[k])
            fprintf(stderr, " ['%c' - 'a'] = 0x%x,", 'a' + k, (unsigned)t[k]);
    fprintf(stderr, " }\n");
}

/* pw_ctx_before_may (phone and record-id detectors skip the look-back for numbers after words
 * that cannot name their context): its tables match the word tables, and on random text built
 * from table words, fillers, pieces, one-letter words, accented letters, digits and punctuation,
 * a position it rules out never gets a context of the set from pw_ctx_before. */
static void test_before_may(void)
{
    CHECK_INT(pw_ctx_pairs_ok(), 1);
    if (!pw_ctx_pairs_ok()) {
        uint32_t phone[26], id[26];
        pw_ctx_pairs_build(phone, id);
        print_table32("pw_ctx_pairs_phone", phone);
        print_table32("pw_ctx_pairs_id", id);
    }
    CHECK_INT(pw_ctx_pairs_zip_ok(), 1); /* engine-text8: try_zip's */
    if (!pw_ctx_pairs_zip_ok()) {
        uint32_t zip[26];
        pw_ctx_pairs_zip_build(zip);
        print_table32("pw_ctx_pairs_zip", zip);
    }
    static const char *const parts[] = {
        "phone", "number",      "is",     "no",        "ssn",  "dob",    "mrn", "account",
        "acct",  "policy",      "call",   "me",        "at",   "u",      "s",   "x",
        "tel",   "tel\xc3\xa9", "fono",   "C\xc3\xb3", "digo", "member", "id",  "Patient",
        "ID",    "order",       "cuenta", "invoice",   "the",  "on",     "MRN", "Cell",
        "text",  ": ",          " ",      "#",         "-",    ".",      "\n",  "1",
        "42",    "(",           "\xc3",   "\xa9",      "zip",  "Postal", "Zip", "postcode",
        "CO",    "OH"};
    enum { NP = sizeof parts / sizeof parts[0] };
    static const struct {
        const uint32_t *pairs;
        uint64_t want;
    } sets[] = {{pw_ctx_pairs_phone, PW_CTX_WANT_PHONE},
                {pw_ctx_pairs_id, PW_CTX_WANT_ID},
                {pw_ctx_pairs_zip, PW_CTX_WANT_ZIP}};
    size_t zips = 0;
    uint64_t r = 0x9E3779B97F4A7C15ull;
    size_t wrong = 0, skipped = 0, found = 0;
    for (int t = 0; t < 3000; t++) {
        char text[200];
        size_t n = 0;
        for (int k = 0; k < 12; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            const char *p = parts[(r >> 8) % NP];
            size_t l = strlen(p);
            if (n + l + 1 >= sizeof text)
                break;
            memcpy(text + n, p, l);
            n += l;
            if ((r >> 20) % 3 == 0)
                text[n++] = ' ';
        }
        text[n] = '\0';
        pw_seg g = {.s = text, .n = n};
        for (size_t i = 0; i <= n; i++) {
            pw_ctx c = pw_ctx_before(text, i);
            for (size_t k = 0; k < 3; k++) {
                int in_set = (int)(sets[k].want >> c & 1);
                found += (size_t)in_set;
                zips += (size_t)(in_set && k == 2);
                if (!pw_ctx_before_may(&g, i, sets[k].pairs, sets[k].want)) {
                    skipped++;
                    wrong += (size_t)in_set;
                }
            }
        }
    }
    CHECK_INT(wrong, 0);
    CHECK(found > 1000); /* the texts reach every set */
    CHECK(zips > 100);
    CHECK(skipped > 1000); /* and the test rules positions out */
}

/* The look-back's word groups by length and its fillers by last letter (context_index.h): the
 * written-out tables match the word tables (printed as they should read when they do not). */
static void test_before_index(void)
{
    CHECK_INT(pw_ctx_index_ok(), 1);
    if (!pw_ctx_index_ok()) {
        uint32_t t[26][PW_CTX_INDEX_LEN], f[26];
        pw_ctx_index_build(t, f);
        for (int k = 0; k < 26; k++) {
            fprintf(stderr, "    ['%c' - 'a'] = {", 'a' + k);
            for (int l = 0; l < PW_CTX_INDEX_LEN; l++)
                if (t[k][l])
                    fprintf(stderr, " [%d] = 0x%x,", l, (unsigned)t[k][l]);
            fprintf(stderr, " },\n");
        }
        print_table32("pw_ctx_filler_index", f);
    }
}

/* pw_ctx_before_seg through the scratch's cache of look-back texts (context_cache.h): on random
 * texts drawn from a few prefixes and parts, with and without the segment's masks, shorter and
 * longer than one 64-byte mask word, every answer equals pw_ctx_before; the French "est le",
 * whose look-back reads before the 48-byte window, is not answered from another text's entry. */
static void test_before_cache(void)
{
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_INT(pw_detector_new(NULL, &d, NULL), PW_OK);
    CHECK_INT(pw_detect_scratch_new(d, &s, NULL), PW_OK);
    if (!s) {
        pw_detector_free(d);
        return;
    }
    /* the same 48 bytes before the number ("<spaces>est le "), a phone word only in the first
     * text, before the window */
    char fr[2][80];
    for (int t = 0; t < 2; t++) {
        snprintf(fr[t], sizeof fr[t], "%s%44s%s", t ? "xyz" : "tel", "", "est le 0798765432");
        size_t i = strlen(fr[t]) - 10;
        pw_ctx_memo_clear(s);
        pw_seg g = {
            .s = fr[t], .n = strlen(fr[t]), .memo = s->ctx_memo, .ctx_cache = &s->ctx_cache};
        CHECK_INT(pw_ctx_before_seg(&g, i), t ? PW_CTX_NONE : PW_CTX_PHONE);
        CHECK_INT(pw_ctx_before(fr[t], i), t ? PW_CTX_NONE : PW_CTX_PHONE);
    }
    static const char *const heads[] = {"Please call me at ",
                                        "SSN ",
                                        "; Medicare ID ",
                                        "Patient name: Ana Ruiz, DOB: ",
                                        "Order #",
                                        "x1 ",
                                        "Tel\303\251fono: ",
                                        "Mon portable est le ",
                                        ""};
    static const char *const parts[] = {
        "phone",   "number", "is", "no",  "ssn",    "dob",  "mrn",  "account",
        "call",    "me",     "at", "tel", "member", "id",   "the",  "order",
        "Cell",    "est",    "le", ": ",  " ",      "#",    "-",    ".",
        "\n",      "1",      "42", "(",   "Phone:", "\n  ", "\r\n", "C\303\263digo",
        "invoice", "build",  "x"};
    enum { NH = sizeof heads / sizeof heads[0], NP = sizeof parts / sizeof parts[0] };
    uint64_t r = 0x2545F4914F6CDD1Dull;
    size_t wrong = 0, asked = 0;
    for (int t = 0; t < 4000; t++) {
        char text[200];
        size_t n = 0;
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        int parts_n = (int)((r >> 3) % 4) + ((r >> 5) % 5 == 0 ? 14 : 0); /* some over 64 bytes */
        for (int k = -1; k < parts_n; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            const char *p = k < 0 ? heads[(r >> 8) % NH] : parts[(r >> 8) % NP];
            size_t l = strlen(p);
            if (n + l + 1 >= 120)
                break;
            memcpy(text + n, p, l);
            n += l;
            if ((r >> 20) % 3 == 0)
                text[n++] = ' ';
        }
        memcpy(text + n, "5551234", 7); /* the value */
        n += 7;
        text[n] = '\0';
        pw_seg_summary sum;
        pw_seg_masks masks;
        pw_seg_summarize_masks(&a, text, n, &sum, &masks);
        pw_ctx_memo_clear(s);
        pw_seg g = {.s = text,
                    .n = n,
                    .memo = s->ctx_memo,
                    .ctx_cache = &s->ctx_cache,
                    .sum = (r >> 40) & 1 ? &sum : NULL};
        for (size_t i = 0; i <= n; i++) {
            asked++;
            wrong += pw_ctx_before_seg(&g, i) != pw_ctx_before(text, i);
        }
        pw_arena_reset(&a);
    }
    CHECK_INT(wrong, 0);
    CHECK(asked > 40000);
    size_t kept = 0;
    for (size_t k = 0; k < PW_CTX_CACHE_SLOTS; k++)
        kept += s->ctx_cache.e[k].len != 0;
    CHECK(kept > PW_CTX_CACHE_SLOTS / 2); /* the answers were remembered */
    pw_arena_free(&a);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

/* pw_ctx_from_key picks the words a key may contain by their first and last letters from two
 * tables: they match the word table, and a key holding two words gets the one listed first. */
static void test_key_contains_tables(void)
{
    CHECK_INT(pw_ctx_key_tables_ok(), 1);
    uint64_t first[32], last[32];
    CHECK_INT(pw_ctx_key_tables_build(first, last), 1); /* at most 64 contained words */
    if (!pw_ctx_key_tables_ok()) {
        print_table64("contains_first", first);
        print_table64("contains_last", last);
    }
    CHECK_INT(pw_ctx_from_key("patient_phone_number", 20), PW_CTX_PHONE);
    CHECK_INT(pw_ctx_from_key("order_email_addr", 16), PW_CTX_EMAIL); /* email before order */
    CHECK_INT(pw_ctx_from_key("shipping_zip4", 13), PW_CTX_ZIP);
    CHECK_INT(pw_ctx_from_key("facturacion2", 12), PW_CTX_NEGATIVE);
    CHECK_INT(pw_ctx_from_key("utm_campaign", 12), PW_CTX_NONE);
}

static void test_key_memo(void)
{
    static const char *const base[] = {"email",
                                       "ud[em]",
                                       "first%20name",
                                       "first+name",
                                       "fn",
                                       "patient_id",
                                       "dob",
                                       "q",
                                       "v",
                                       "tid",
                                       "cd[buttonText]",
                                       "user.name",
                                       "event.name",
                                       "phone",
                                       "searchterm",
                                       "a_key_of_exactly_thirty_bytes_",
                                       "zip"};
    enum { NB = sizeof base / sizeof base[0], NKEYS = 700 };
    char keys[NKEYS][40];
    for (int i = 0; i < NKEYS; i++) {
        if (i < NB)
            snprintf(keys[i], sizeof keys[i], "%s", base[i]);
        else
            snprintf(keys[i], sizeof keys[i], "%s%d", base[i % NB], i); /* many more than slots */
    }
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_INT(pw_detector_new(NULL, &d, NULL), PW_OK);
    CHECK_INT(pw_detect_scratch_new(d, &s, NULL), PW_OK);
    uint64_t r = 88172645463325252ull;
    size_t wrong = 0;
    for (int step = 0; step < 20000; step++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        /* mostly the few hot keys, now and then any other */
        const char *k = keys[(r >> 8) % 4 ? (r >> 16) % NB : (r >> 16) % NKEYS];
        size_t n = strlen(k);
        if ((r & 1) ? pw_ctx_from_key_memo(s, k, n) != pw_ctx_from_key(k, n)
                    : pw_ctx_from_param_key(s, &a, k, n) != param_ctx(&a, k, n))
            wrong++;
        pw_arena_reset(&a);
    }
    CHECK_INT(wrong, 0);
    CHECK_INT(pw_ctx_from_key_memo(s, "first%20name", 12), pw_ctx_from_key("first%20name", 12));
    CHECK_INT(pw_ctx_from_param_key(s, &a, "first%20name", 12), PW_CTX_FIRST_NAME);
    CHECK_INT(pw_ctx_from_key_memo(s, "first%20name", 12), pw_ctx_from_key("first%20name", 12));
    pw_arena_free(&a);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

PW_TEST_MAIN(PW_TEST(test_words_before), PW_TEST(test_words_before_accents),
             PW_TEST(test_before_may), PW_TEST(test_before_index), PW_TEST(test_before_cache),
             PW_TEST(test_key_contains_tables), PW_TEST(test_key_memo))
