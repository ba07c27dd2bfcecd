/*
 * ident_numeric.c — bare digit runs that need a checksum or context: NPI (10 digits, Luhn over
 * the 80840 prefix; without a "NPI" word only in free text, since 10-digit Unix timestamps share
 * the range) and ZIP / ZIP+4 (with a "zip" key or word, or after a US state code: "MA 02115").
 */
#include <string.h>

#include "detect/context_pairs.h"
#include "detect/context_may.h"
#include "detect/internal.h"
#include "phiwall/text.h"

/* The US state codes (and PR), as bits: bit c2 - 'A' of entry c1 - 'A' for the code "c1c2"
 * (test_detect_ident tries every pair of letters against the list of codes). */
static const uint32_t state_codes[26] = {
    0x2020c00u /* A */, 0x0000000u /* B */, 0x0084001u /* C */, 0x0000014u /* D */,
    0x0000000u /* E */, 0x0000800u /* F */, 0x0000001u /* G */, 0x0000100u /* H */,
    0x0002809u /* I */, 0x0000000u /* J */, 0x1040000u /* K */, 0x0000001u /* L */,
    0x00c6119u /* M */, 0x120129cu /* N */, 0x0020480u /* O */, 0x0020001u /* P */,
    0x0000000u /* Q */, 0x0000100u /* R */, 0x000000cu /* S */, 0x0802000u /* T */,
    0x0080000u /* U */, 0x0080001u /* V */, 0x1200101u /* W */, 0x0000000u /* X */,
    0x0000000u /* Y */, 0x0000000u /* Z */};

/* The states' names, for a ZIP written after one ("Springfield, Illinois 62704"). */
static const char *const state_names[] = {
    "alabama",       "alaska",      "arizona",        "arkansas",      "california",
    "colorado",      "connecticut", "delaware",       "florida",       "georgia",
    "hawaii",        "idaho",       "illinois",       "indiana",       "iowa",
    "kansas",        "kentucky",    "louisiana",      "maine",         "maryland",
    "massachusetts", "michigan",    "minnesota",      "mississippi",   "missouri",
    "montana",       "nebraska",    "nevada",         "new hampshire", "new jersey",
    "new mexico",    "new york",    "north carolina", "north dakota",  "ohio",
    "oklahoma",      "oregon",      "pennsylvania",   "rhode island",  "south carolina",
    "south dakota",  "tennessee",   "texas",          "utah",          "vermont",
    "virginia",      "washington",  "west virginia",  "wisconsin",     "wyoming",
    "puerto rico",   NULL};

/* A capitalised state name ending at s[p] ("Illinois", "New York"), a word start before it. */
static int state_name_at_end(const char *s, size_t p)
{
    for (const char *const *st = state_names; *st; st++) {
        size_t l = strlen(*st);
        if (l > p || !pw_isupper((unsigned char)s[p - l]) || pw_strncaseeq(s + p - l, *st, l) == 0)
            continue;
        if (p - l == 0 || !pw_isalpha((unsigned char)s[p - l - 1]))
            return 1;
    }
    return 0;
}

/* "MA 02115" / "MA, 02115": an upper-case state code just before s[i]; engine-recall: also a
 * state's name ("Illinois 62704") and the code on the line before, as a form's lines or a
 * billing address set them ("CO\n    80903"). */
int pw_state_before(const char *s, size_t i)
{
    size_t p = i;
    while (p > 0 && (s[p - 1] == ' ' || s[p - 1] == ',' || s[p - 1] == '\n' || s[p - 1] == '\r' ||
                     s[p - 1] == '\t'))
        p--;
    if (p == i || p < 2)
        return 0;
    if (p > 2 && pw_isalpha((unsigned char)s[p - 3]))
        return p >= 4 && pw_islower((unsigned char)s[p - 1]) && state_name_at_end(s, p);
    unsigned c1 = (unsigned char)s[p - 2] - 'A', c2 = (unsigned char)s[p - 1] - 'A';
    return c1 < 26 && c2 < 26 && (state_codes[c1] >> c2 & 1);
}

static void try_zip(pw_scan *sc, const pw_seg *g, size_t i, size_t run)
{
    const char *s = g->s;
    size_t n = g->n, end = i + 5;
    if (run != 5)
        return;
    if (end + 5 <= n && s[end] == '-' && pw_digits_at(s, n, end + 1) == 4)
        end += 5;
    if (!pw_num_right_ok(s, n, end))
        return;
    /* pw_ctx_at is the look-back's context, else the field's: without a zip key, the look-back
     * (the costly part) runs only when the words before may end in a zip word */
    int zip = (g->ctx == PW_CTX_ZIP ||
               pw_ctx_before_may_inline(g, i, pw_ctx_pairs_zip, PW_CTX_WANT_ZIP)) &&
              pw_ctx_at(g, i) == PW_CTX_ZIP;
    int state = pw_state_before(s, i);
    if (!zip && !state)
        return;
    pw_scan_add(sc, g, i, end, PW_PHI_ZIP, "zip", pw_arena_strndup(sc->a, s + i, 5),
                zip ? 0.95f : 0.85f, PW_REASON_CONTEXT, zip ? "zip context" : "after a state code");
}

static void try_npi(pw_scan *sc, const pw_seg *g, size_t i, size_t run)
{
    if (run != 10 || !pw_npi_ok(g->s + i, 10) || !pw_num_right_ok(g->s, g->n, i + 10))
        return;
    pw_ctx ctx = pw_ctx_at(g, i);
    if (ctx != PW_CTX_NPI)
        return;
    pw_scan_add(sc, g, i, i + 10, PW_PHI_NPI, "npi", NULL, 0.97f, PW_REASON_CHECKSUM,
                "npi context + check digit");
}

/* pw_ident_numeric on a segment of at most 64 bytes with masks: only the digit runs of 5 or 10
 * (the others try nothing), their lengths from the digit mask. */
static void numeric_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0);
    for (uint64_t cand = pw_run_starts(d); cand; cand &= cand - 1) {
        size_t i = (size_t)__builtin_ctzll(cand);
        size_t run = pw_run_len(d, i);
        if ((run == 5 || run == 10) && pw_num_left_ok(g->s, i)) {
            try_zip(sc, g, i, run);
            try_npi(sc, g, i, run);
        }
    }
}

void pw_ident_numeric(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && !(g->sum->runs & (PW_RUN(5) | PW_RUN(10))))
        return; /* a ZIP is a run of 5 digits, an NPI a run of 10 */
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        numeric_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_RUN); i < n; i = pw_cand_from(&ci, i + 1)) {
        if (!pw_isdigit((unsigned char)s[i]))
            continue;
        size_t run = pw_digits_at(s, n, i);
        if (pw_num_left_ok(s, i)) {
            try_zip(sc, g, i, run);
            try_npi(sc, g, i, run);
        }
        i += run - 1;
    }
}
