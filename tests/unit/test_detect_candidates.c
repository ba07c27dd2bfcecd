/*
 * test_detect_candidates.c — the one classifying pass over a segment (summary.c) and the
 * candidate positions the identifier detectors read from it (pw_cand_next, internal.h):
 *   - the SSE2 masks equal the byte-at-a-time ones, and the summary's classes, digit and colon
 *     counts and digit-run lengths equal the plain pw_seg_summarize pass (segments under 16
 *     bytes get no masks: their detectors walk every byte);
 *   - every candidate kind yields exactly the positions its byte-level definition names;
 *   - property: on seeded random and generated inputs (phones, dates, IDs, names, addresses,
 *     long digit runs, many '@', 1–2 kB fields), every identifier detector finds the same hits
 *     when it looks only at its candidates as when it walks every byte (no summary).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "pw_test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* ---- inputs ---- */

static const char alphabet[] = "0123456789@.:-/ _()+%#,'|=&?abcdefmnrsxyzABCDEFMNSTZ\n\x80\xc3\xa9";

static const char *const pieces[] = {
    "Dr. ", "Dr ", "I'm ", "this is ", "Hi ", "Thanks,\n", "calls me ", "name ",
    "User: ", "address is ", "lives at ", "Illinois ", "Doctor ",
    "patient name: ", "Name: ", "my name is ", "Mr. ", "Ms ", "Miss ", "Jane ", "Smith", "O'Neil ",
    "Smith-Jones", "J. ", ", MD", ", M.D.", ", RN", ", PA-C", "DOB ", "dob: ", "born ", "SSN ",
    "MRN ", "MRN #: ", "NPI ", "phone ", "call us at ", "fax ", "zip ", "MA ", "CA, ", "Street",
    " St", " Ave.", " Apt 4B", " Suite 200", "Boston, ", "March ", "Mar ", "Sept. ", "june ",
    "14th", "1st ", "22nd of ", "3rd ", "May ", "1985", "2024", "appointment", "visit ", "birth ",
    "ip address ", "version ", "order ", "member id ", "account ", "policy ", "Medicare ID ",
    "DEA ", "card number ", "tracking ", "Hospital ", "Medical ", " Drive", "@", "a@b.co",
    "x.y@mail.example.org", "%40", "+", "(617) ", "+1 ", "+44 20 7946 0958", "617.555.0123",
    "555-0123", "1-800-555-0199", "123-45-6789", "123 45 6789", "4111 1111 1111 1111",
    "4111-1111-1111-1111", "378282246310005", "1234567893", "AB1234563", "BK8193536",
    "1EG4-TE5-MK73", "6XW3VR7PR50", "02115", "02115-1234", "1200 North Elm Street", "55 Fruit St",
    "10.0.0.1", "192.168.1.255", "v1.2.3.4", "Chrome/120.0.0.1", "fe80::1", "2001:db8::1",
    "::ffff:1.2.3.4", "12:30", "2024-05-01", "05/01/2024", "14.03.1985", "5.1.24", "20240501",
    "2024-05-01T10:00", "14 Mar 1985", "((((", "1.2.3.4.5", "patients/", "0", "00", "12", "123",
    "1234", "12345", "123456", "1234567", "12345678", "123456789", "5551234567", "15551234567", " ",
    "  ", ", ", "-", "/", ".", ":", "\n", "A1B2-C3D4-E5F6", "ID-12345-X",
    "{\"name\":\"", /* engine-text10: JSON name keys in text */
    "\"patient\": \"", "\", \"first_name\":\"", "\"}", "name=",
    /* engine-text10: ids whose digits come 16-23 bytes into the
     * token (the record-id walk's backward digit fill) */
    "MRN ABCDEFGHIJKLMNOPQR-1234", "abcdefghijklmnopq123", "X-Y-Z-ABCDEFGHIJKL-99-1",
    "AbCdEfGhIjK-LmNoP-7-8-9"};

static size_t random_text(char *b, size_t cap)
{
    size_t n = 0, want = 1 + rnd(rnd(8) == 0 ? (uint32_t)cap - 1 : 160);
    while (n < want) {
        if (rnd(3) == 0) {
            b[n++] = alphabet[rnd(sizeof alphabet - 1)];
            continue;
        }
        const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        if (n + l > want)
            break;
        memcpy(b + n, p, l);
        n += l;
    }
    return n;
}

/* Long digit runs, runs of '@', of ':' and of '(' — the shapes that stress skipping logic. */
static size_t stress_text(char *b, size_t cap)
{
    size_t n = 1 + rnd((uint32_t)cap - 1);
    int kind = (int)rnd(5);
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0: b[i] = (char)('0' + rnd(10)); break;
        case 1: b[i] = rnd(4) ? '@' : "ab.c"[rnd(4)]; break;
        case 2: b[i] = rnd(3) ? ':' : "0f1a"[rnd(4)]; break;
        case 3: b[i] = rnd(2) ? (char)('0' + rnd(10)) : " -.("[rnd(4)]; break;
        default: b[i] = rnd(2) ? (char)('0' + rnd(10)) : "Aa. -"[rnd(5)]; break;
        }
    }
    return n;
}

/* ---- masks and summary ---- */

/* Bit k for each maximal run of k digits (63 and longer: bit 63), byte by byte. */
static uint64_t ref_runs(const char *s, size_t n)
{
    uint64_t runs = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j > i)
            runs |= (uint64_t)1 << (j - i < 63 ? j - i : 63);
        i = j > i ? j : i + 1;
    }
    return runs;
}

static void check_masks(const char *s, size_t n)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_seg_summary fast, plain;
    pw_seg_masks m, ref;
    pw_seg_summarize_masks(&a, s, n, &fast, &m);
    pw_seg_summarize(s, n, &plain);
    CHECK(fast.masks == (n >= 16 ? &m : NULL)); /* short segments are walked byte by byte */
    CHECK_INT(fast.cls, plain.cls);
    CHECK_INT(fast.digits, plain.digits);
    uint64_t runs = ref_runs(s, n);
    CHECK(plain.runs == (plain.digits >= 5 ? runs : 0)); /* filled for 5+ digits */
    CHECK(!fast.masks || fast.runs == runs);
    CHECK(pw_sum_runs_known(&plain) == (plain.digits >= 5));
    if (fast.masks) {
        size_t colons = 0;
        for (size_t i = 0; i < n; i++)
            colons += s[i] == ':';
        CHECK_INT(fast.colons, colons);
    }
    if (!fast.masks) {
        pw_arena_free(&a);
        return;
    }
    ref.n = n;
    ref.words = m.words;
    ref.bits = pw_arena_alloc(&a, (m.words ? m.words : 1) * PW_MK__COUNT * sizeof *ref.bits);
    pw_seg_masks_scalar(s, n, &ref);
    CHECK(memcmp(m.bits, ref.bits, m.words * PW_MK__COUNT * sizeof *m.bits) == 0);
    pw_arena_free(&a);
}

static void test_masks_match_bytes(void)
{
    static char b[3000];
    check_masks("", 0);
    for (int round = 0; round < 3000; round++) {
        size_t n = round % 3 ? random_text(b, sizeof b) : stress_text(b, sizeof b);
        check_masks(b, n);
    }
}

/* Every byte value at every lane of a 16-byte chunk and of a 64-byte word, and at the partial
 * last chunk: the SSE2 ranges (one add and one compare) meet the scalar table at the edges of
 * each class ('/' '0' '9' ':', '@' 'A' 'F' 'G' 'Z' '[', '`' 'a' 'f' 'g' 'z' '{', 0x7f 0x80 0xff)
 * and the '@' '%' '+' ' ' flags are found wherever their byte is. */
static void test_masks_every_byte(void)
{
    char b[300];
    for (int c = 0; c < 256; c++)
        for (size_t at = 0; at < 64 + 16; at++)
            for (size_t n = at + 1; n <= at + 17 && n <= sizeof b; n += 8) {
                memset(b, 'x', n);
                b[at] = (char)c;
                check_masks(b, n);
            }
    for (size_t k = 0; k < sizeof b; k++)
        b[k] = (char)(k * 7 + 3); /* all 256 values in one segment, shifted in every lane */
    for (size_t from = 0; from < 40; from++)
        check_masks(b + from, sizeof b - from);
}

/* ---- candidates ---- */

static int isd(const char *s, size_t n, long i)
{
    return i >= 0 && (size_t)i < n && s[i] >= '0' && s[i] <= '9';
}
static int isa(const char *s, size_t n, long i)
{
    return i >= 0 && (size_t)i < n && (((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z'));
}
static int isu(const char *s, size_t n, long i)
{
    return i >= 0 && (size_t)i < n && s[i] >= 'A' && s[i] <= 'Z';
}
static int is(const char *s, size_t n, long i, char c)
{
    return i >= 0 && (size_t)i < n && s[i] == c;
}
static int ishex(const char *s, size_t n, long i)
{
    return i >= 0 && (size_t)i < n && (s[i] | 32) >= 'a' && (s[i] | 32) <= 'f';
}

/* The byte-level definition of each candidate kind (internal.h). */
static int is_candidate(pw_cand_kind k, const char *s, size_t n, long i)
{
    int an_prev = isd(s, n, i - 1) || isa(s, n, i - 1);
    switch (k) {
    case PW_CAND_RUN: return isd(s, n, i) && !isd(s, n, i - 1);
    case PW_CAND_PHONE:
        return (isd(s, n, i) && !isd(s, n, i - 1)) || is(s, n, i, '+') || is(s, n, i, '(');
    case PW_CAND_WORD: return (isd(s, n, i) || isa(s, n, i)) && !an_prev;
    case PW_CAND_ALPHA: return isa(s, n, i) && !isa(s, n, i - 1);
    case PW_CAND_IP4:
    case PW_CAND_IP6: {
        int start =
            k == PW_CAND_IP4 ? isd(s, n, i) : isd(s, n, i) || ishex(s, n, i) || is(s, n, i, ':');
        return start && !an_prev && !is(s, n, i - 1, '.') && !is(s, n, i - 1, ':');
    }
    case PW_CAND_IDWORD:
        return (isd(s, n, i) || isu(s, n, i)) && !an_prev && (isd(s, n, i + 1) || isu(s, n, i + 1));
    default: return 1;
    }
}

static void check_candidates(const char *s, size_t n)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_seg_summary sum;
    pw_seg_masks m;
    pw_seg_summarize_masks(&a, s, n, &sum, &m);
    pw_seg g = {.s = s, .n = n, .sum = &sum};
    for (int k = 0; k < PW_CAND__COUNT && sum.masks; k++) {
        size_t expect = 0;
        while (expect < n && !is_candidate((pw_cand_kind)k, s, n, (long)expect))
            expect++;
        size_t got = pw_cand_next(&g, (pw_cand_kind)k, 0);
        for (;;) {
            CHECK_INT(got < n ? got : n, expect);
            if (expect >= n || got != expect)
                break;
            expect++;
            while (expect < n && !is_candidate((pw_cand_kind)k, s, n, (long)expect))
                expect++;
            got = pw_cand_next(&g, (pw_cand_kind)k, got + 1);
        }
    }
    pw_seg none = g;
    none.sum = NULL;
    CHECK_INT(pw_cand_next(&none, PW_CAND_RUN, 7), 7); /* no masks: every position */
    pw_arena_free(&a);
}

static void test_candidates_match_definition(void)
{
    static char b[3000];
    for (int round = 0; round < 3000; round++) {
        size_t n = round % 3 ? random_text(b, sizeof b) : stress_text(b, sizeof b);
        check_candidates(b, n);
    }
}

/* ---- detectors: candidates versus the full walk ---- */

typedef void (*detector_fn)(pw_scan *, const pw_seg *);

static const struct {
    const char *name;
    detector_fn fn;
} detectors[] = {{"email", pw_ident_email},     {"ssn", pw_ident_ssn},
                 {"phone", pw_ident_phone},     {"card", pw_ident_card},
                 {"numeric", pw_ident_numeric}, {"date", pw_ident_date},
                 {"ip", pw_ident_ip},           {"ids", pw_ident_ids},
                 {"address", pw_ident_address}, {"name", pw_ident_name}};

typedef struct run_out {
    pw_hit h[512];
    size_t n;
} run_out;

static void run_detector(pw_detector *d, pw_detect_scratch *s, pw_arena *a, detector_fn fn,
                         const pw_seg *g, run_out *out)
{
    memset(s->ctx_memo, 0, sizeof s->ctx_memo);
    s->n_hits = 0;
    pw_scan sc = {.d = d, .s = s, .a = a, .orig = g->s, .orig_n = g->n, .st = PW_OK};
    fn(&sc, g);
    CHECK(sc.st == PW_OK);
    out->n = s->n_hits < 512 ? s->n_hits : 512;
    if (out->n)
        memcpy(out->h, s->hits, out->n * sizeof out->h[0]);
}

static int same_hits(const run_out *x, const run_out *y)
{
    if (x->n != y->n)
        return 0;
    for (size_t i = 0; i < x->n; i++) {
        const pw_hit *p = &x->h[i], *q = &y->h[i];
        if (p->category != q->category || p->start != q->start || p->end != q->end ||
            p->confidence != q->confidence || p->reason != q->reason ||
            strcmp(p->subtype, q->subtype) != 0 || strcmp(p->normalized, q->normalized) != 0 ||
            strcmp(p->reason_detail, q->reason_detail) != 0)
            return 0;
    }
    return 1;
}

static const char *const keys[] = {NULL,   "phone",  "dob",    "ssn", "zip",      "email", "mrn",
                                   "fn",   "name",   "ip",     "npi", "address1", "ts",    "id",
                                   "card", "member", "policy", "dl",  "doctor",   "appt",  "q"};

static int compare_detectors(pw_detector *d, pw_detect_scratch *s, const char *text, size_t n,
                             int round, size_t *hits)
{
    static run_out walk, cand;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_seg_summary sum;
    pw_seg_masks m;
    pw_seg_summarize_masks(&a, text, n, &sum, &m);
    const char *key = keys[round % (sizeof keys / sizeof keys[0])];
    pw_seg g = {.s = text, .n = n, .key = key, .key_n = key ? strlen(key) : 0};
    g.ctx = key ? pw_ctx_from_key(key, strlen(key)) : PW_CTX_NONE;
    g.type = (pw_field_type)(round % 5);
    g.in_url = round % 3 == 1;
    g.in_query = round % 6 == 1;
    g.memo = s->ctx_memo;
    int ok = 1;
    for (size_t k = 0; k < sizeof detectors / sizeof detectors[0]; k++) {
        pw_seg full = g, fast = g;
        full.sum = NULL;
        fast.sum = &sum;
        run_detector(d, s, &a, detectors[k].fn, &full, &walk);
        run_detector(d, s, &a, detectors[k].fn, &fast, &cand);
        *hits += walk.n;
        if (!same_hits(&walk, &cand)) {
            fprintf(stderr, "%s: %zu hits walking every byte, %zu from candidates in \"%.*s\"\n",
                    detectors[k].name, walk.n, cand.n, (int)n, text);
            ok = 0;
        }
    }
    pw_arena_free(&a);
    return ok;
}

static void test_candidates_find_every_hit(void)
{
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    CHECK(pw_detector_new(NULL, &d, NULL) == PW_OK);
    CHECK(pw_detect_scratch_new(d, &s, NULL) == PW_OK);
    if (!d || !s)
        return;
    static char b[2100];
    size_t hits = 0;
    int failures = 0;
    for (int round = 0; round < 6000 && failures < 5; round++) {
        size_t n = round % 4 ? random_text(b, sizeof b) : stress_text(b, sizeof b);
        b[n] = '\0';
        failures += !compare_detectors(d, s, b, n, round, &hits);
    }
    CHECK_INT(failures, 0);
    CHECK(hits > 1000); /* the inputs do hold identifiers */
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

/* engine-text10: record ids whose first digit comes 0-23 bytes into the token, after letters and
 * dashes, with 3-5 digits, under an id key and after an id word, in texts of at most 64 bytes (the
 * one-word walk's backward digit fill must keep every start that reaches a digit). */
static void test_ids_digits_deep_in_token(void)
{
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    CHECK(pw_detector_new(NULL, &d, NULL) == PW_OK);
    CHECK(pw_detect_scratch_new(d, &s, NULL) == PW_OK);
    if (!d || !s)
        return;
    char b[80];
    size_t hits = 0;
    int failures = 0;
    for (int lead = 0; lead < 24; lead++)
        for (int digits = 3; digits <= 5; digits++)
            for (int form = 0; form < 4 && failures < 5; form++) {
                size_t n = (size_t)snprintf(b, sizeof b, "%s", form & 1 ? "MRN " : "see ");
                for (int k = 0; k < lead; k++)
                    b[n++] = form & 2 && k % 5 == 4 ? '-' : (char)("ABCDEFGHJKabcdefghjk"[rnd(20)]);
                for (int k = 0; k < digits; k++)
                    b[n++] = (char)('0' + rnd(10));
                n += (size_t)snprintf(b + n, sizeof b - n, " ok");
                /* round 6: the key "mrn"; round 0: no key */
                failures += !compare_detectors(d, s, b, n, form & 1 ? 0 : 6, &hits);
            }
    CHECK_INT(failures, 0);
    CHECK(hits > 100);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

PW_TEST_MAIN(PW_TEST(test_masks_match_bytes), PW_TEST(test_masks_every_byte),
             PW_TEST(test_candidates_match_definition), PW_TEST(test_candidates_find_every_hit),
             PW_TEST(test_ids_digits_deep_in_token))
