/*
 * ident_ids.c — record identifiers: medical record, member, account and policy numbers (an ID
 * shape after a context word or under a key such as "mrn", "memberId", "patient_id"), IDs in URL
 * paths ("/patients/12345/"), DEA registration numbers (check digit), Medicare MBIs (the CMS
 * character-position format), and hashed values under identifier keys ("ud[em]=<sha256>").
 */
#include <string.h>

#include "detect/context_may.h"
#include "detect/internal.h"

static const char *id_subtype(pw_ctx c, const pw_seg *g)
{
    switch (c) {
    case PW_CTX_MRN: return "mrn";
    case PW_CTX_MEMBER: return "member";
    case PW_CTX_ACCOUNT: return "account";
    case PW_CTX_POLICY: return "policy";
    case PW_CTX_PATIENT_ID: return g->in_url ? "url-id" : "mrn";
    default: return NULL;
    }
}

/* id_token from the masks: the run of letters, digits and dashes from i found with one bit
 * scan; (size_t)-1 when it is 64 bytes or longer (the byte walk decides then). */
static size_t id_token_masks(const pw_seg_masks *m, const char *s, size_t i)
{
    uint64_t d = pw_mask_at(m, PW_MK_DIGIT, i);
    uint64_t other = ~(d | pw_mask_at(m, PW_MK_ALPHA, i) | pw_mask_at(m, PW_MK_DASH, i));
    if (!other)
        return (size_t)-1;
    size_t len = (size_t)__builtin_ctzll(other);
    while (len > 0 && s[i + len - 1] == '-')
        len--;
    if (len < 4 || len > 24)
        return 0;
    d &= ((uint64_t)1 << len) - 1;
    for (int k = 0; k < 2 && d; k++) /* at least 3 digits: d stays non-zero after clearing 2 */
        d &= d - 1;
    return d ? i + len : 0;
}

/* An ID token: letters, digits and dashes, 4–24 long, with at least 3 digits. */
static size_t id_token(const char *s, size_t n, size_t i)
{
    size_t p = i, digits = 0;
    while (p < n && (pw_isalnum((unsigned char)s[p]) || (s[p] == '-' && p > i))) {
        digits += pw_isdigit((unsigned char)s[p]);
        p++;
    }
    while (p > i && s[p - 1] == '-')
        p--;
    if (p - i < 4 || p - i > 24 || digits < 3)
        return 0;
    return p;
}

/* At least `want` digits among bytes [i, i + len) (len <= 64); 1 without masks. */
static int digits_ahead(const pw_seg *g, size_t i, unsigned len, int want)
{
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (!m)
        return 1;
    uint64_t d = pw_mask_at(m, PW_MK_DIGIT, i);
    if (len < 64)
        d &= ((uint64_t)1 << len) - 1;
    for (int k = 1; k < want && d; k++)
        d &= d - 1;
    return d != 0;
}

/* The record-id hit for the ID token s[i..end), when the context names one. */
static inline __attribute__((always_inline)) void context_id_at(pw_scan *sc, const pw_seg *g,
                                                                size_t i, size_t end)
{
    /* no record key: only words before the token can name one (most tokens follow none) */
    if (!id_subtype(g->ctx, g) && !pw_ctx_before_may_inline(g, i, pw_ctx_pairs_id, PW_CTX_WANT_ID))
        return;
    pw_ctx ctx = pw_ctx_before_seg(g, i);
    if (ctx == PW_CTX_NONE)
        ctx = g->ctx;
    const char *sub = id_subtype(ctx, g);
    if (sub)
        pw_scan_add(sc, g, i, end, PW_PHI_RECORD_ID, sub, NULL, 0.9f, PW_REASON_CONTEXT,
                    g->in_url && ctx == PW_CTX_PATIENT_ID ? "id after a patient path or key"
                                                          : "record number context");
}

/* At least 3 bits set in x. */
static int three_bits(uint64_t x)
{
    x &= x - 1;
    x &= x - 1;
    return x != 0;
}

/* id_token_masks with the bits already at hand: rest has a bit at each byte from i that is no
 * letter, digit or dash (rest != 0), digits one at each digit from i. */
static size_t id_token_bits(const char *s, size_t i, uint64_t rest, uint64_t digits)
{
    size_t len = (size_t)__builtin_ctzll(rest);
    while (len > 0 && s[i + len - 1] == '-')
        len--;
    if (len < 4 || len > 24)
        return 0;
    return three_bits(digits & (((uint64_t)1 << len) - 1)) ? i + len : 0;
}

/* context_ids on a segment of at most 64 bytes with masks: its one word of each mask read once,
 * the candidates (word starts with 3 digits among the next 24 bytes) found by bit operations. */
static void context_ids_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0), an = d | pw_mask(m, PW_MK_ALPHA, 0);
    uint64_t tok = an | pw_mask(m, PW_MK_DASH, 0);
    if (!d)
        return;
    /* engine-text10: only word starts with a digit at most 31 bytes on in their token are asked
     * (a token of at most 24 bytes needs 3 digits): keep(i) = a digit j in [i, i + 32) with bytes
     * i..j all in the token, filled backwards from the digits in five doubling steps (keep: the
     * bytes that reach a digit within 2s bytes, t: the bytes followed by 2s - 1 token bytes) */
    uint64_t keep = d, t = tok;
    keep |= (keep >> 1) & t, t &= t >> 1;
    keep |= (keep >> 2) & t, t &= t >> 2;
    keep |= (keep >> 4) & t, t &= t >> 4;
    keep |= (keep >> 8) & t, t &= t >> 8;
    keep |= (keep >> 16) & t;
    for (uint64_t cand = an & ~(an << 1) & keep; cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        if (!three_bits(d >> i & 0xffffff))
            continue; /* a token of at most 24 bytes from i cannot hold 3 digits */
        uint64_t rest = ~(tok >> i);
        size_t end = rest ? id_token_bits(g->s, i, rest, d >> i) : id_token(g->s, g->n, i);
        if (!end)
            continue;
        context_id_at(sc, g, i, end);
        cand &= end < 64 ? ~(uint64_t)0 << end : 0; /* go on after the token */
    }
}

static void context_ids(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        context_ids_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_WORD); i < n; i = pw_cand_from(&ci, i + 1)) {
        if (!pw_isalnum((unsigned char)s[i]) || (i > 0 && pw_isalnum((unsigned char)s[i - 1])))
            continue;
        if (!digits_ahead(g, i, 24, 3))
            continue; /* a token of at most 24 bytes from i cannot hold 3 digits */
        size_t end = m ? id_token_masks(m, s, i) : (size_t)-1;
        if (end == (size_t)-1)
            end = id_token(s, n, i);
        if (!end)
            continue;
        context_id_at(sc, g, i, end);
        i = end - 1;
    }
}

static int mbi_letter(int c)
{
    return pw_isupper(c) && c != 'S' && c != 'L' && c != 'O' && c != 'I' && c != 'B' && c != 'Z';
}

/* MBI: C A AN N A AN N A A N N (C = 1-9, A = letter but S L O I B Z), dashes after 4 and 7. */
static size_t parse_mbi(const char *s, size_t n, size_t i, char *out)
{
    static const char shape[] = "CAXNAXNAANN";
    size_t p = i, k = 0;
    while (k < 11 && p < n) {
        if ((k == 4 || k == 7) && s[p] == '-' && p + 1 < n)
            p++;
        int c = (unsigned char)s[p];
        int ok = shape[k] == 'C'   ? c >= '1' && c <= '9'
                 : shape[k] == 'N' ? pw_isdigit(c)
                 : shape[k] == 'A' ? mbi_letter(c)
                                   : pw_isdigit(c) || mbi_letter(c);
        if (!ok)
            return 0;
        out[k++] = (char)c;
        p++;
    }
    out[k] = '\0';
    return k == 11 && (p >= n || !pw_isalnum((unsigned char)s[p])) ? p : 0;
}

/* DEA: upper-case registrant letter, upper-case letter or 9, 7 digits with the check digit. */
static int is_dea_at(const char *s, size_t n, size_t i)
{
    int c = (unsigned char)s[i], c2 = (unsigned char)s[i + 1];
    if (!pw_isupper(c) || c == 'I' || c == 'N' || c == 'O' || c == 'Q' || c == 'V' || c == 'W' ||
        c == 'Y' || c == 'Z' || !(pw_isupper(c2) || c2 == '9'))
        return 0;
    return pw_dea_ok(s + i, 9) && (i + 9 == n || !pw_isalnum((unsigned char)s[i + 9]));
}

/* A DEA or MBI starting at s[i] (a word start, i + 9 <= n). */
static void dea_mbi_at(pw_scan *sc, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    size_t n = g->n;
    int c = (unsigned char)s[i];
    if (!pw_isalnum(c) || (i > 0 && pw_isalnum((unsigned char)s[i - 1])))
        return;
    char mbi[12];
    size_t end;
    if (is_dea_at(s, n, i) && !id_subtype(pw_ctx_at(g, i), g)) { /* "MRN: MR1234563" */
        pw_scan_add(sc, g, i, i + 9, PW_PHI_DEA, "dea", NULL, 0.9f, PW_REASON_CHECKSUM,
                    "dea check digit");
    } else if (pw_isdigit(c) && (end = parse_mbi(s, n, i, mbi)) != 0) {
        pw_scan_add(sc, g, i, end, PW_PHI_MBI, "mbi", pw_arena_strdup(sc->a, mbi), 0.9f,
                    PW_REASON_PATTERN, "medicare beneficiary identifier format");
    }
}

/* 1 at bit i where bits [i, i + 7) of x are all set. */
static uint64_t seven_set(uint64_t x)
{
    x &= x >> 1;       /* 2 in a row */
    x &= x >> 2;       /* 4 */
    return x & x >> 3; /* 7 */
}

/* dea_mbi on a segment of at most 64 bytes with masks: only the IDWORD candidates where a DEA
 * (an upper-case letter, 7 digits from the third byte) or an MBI (a digit, then an upper-case
 * letter) can start. */
static void dea_mbi_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0), u = pw_mask(m, PW_MK_UPPER, 0);
    uint64_t dea = u & seven_set(d >> 2), mbi = d & u >> 1;
    for (uint64_t cand = pw_cand_word(m, PW_CAND_IDWORD, 0) & (dea | mbi); cand; cand &= cand - 1) {
        size_t i = (size_t)__builtin_ctzll(cand);
        if (i + 9 > g->n)
            return;
        dea_mbi_at(sc, g, i);
    }
}

static void dea_mbi(pw_scan *sc, const pw_seg *g)
{
    if (g->sum && (!(g->sum->cls & PW_SUM_UPPER) || g->sum->digits < 5))
        return; /* both start with (DEA) or hold (MBI) upper-case letters, and 5+ digits */
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        dea_mbi_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_IDWORD); i + 9 <= g->n;
         i = pw_cand_from(&ci, i + 1))
        dea_mbi_at(sc, g, i);
}

void pw_ident_ids(pw_scan *sc, const pw_seg *g)
{
    context_ids(sc, g);
    dea_mbi(sc, g);
}

/* Category a hashed value under this key stands for. */
static int hashed_category(pw_ctx c, pw_phi_category *cat, const char **sub)
{
    switch (c) {
    case PW_CTX_EMAIL: *cat = PW_PHI_EMAIL, *sub = "email"; return 1;
    case PW_CTX_PHONE: *cat = PW_PHI_PHONE, *sub = "phone"; return 1;
    case PW_CTX_DOB: *cat = PW_PHI_DATE, *sub = "dob"; return 1;
    case PW_CTX_ZIP: *cat = PW_PHI_ZIP, *sub = "zip"; return 1;
    case PW_CTX_FIRST_NAME:
    case PW_CTX_LAST_NAME:
    case PW_CTX_NAME: *cat = PW_PHI_NAME, *sub = "patient"; return 1;
    case PW_CTX_ADDRESS: *cat = PW_PHI_ADDRESS, *sub = "address"; return 1;
    default: return 0;
    }
}

int pw_ident_hashed(pw_scan *sc, const pw_seg *g)
{
    size_t i = 0, j = g->n;
    while (i < j && g->s[i] == ' ')
        i++;
    while (j > i && g->s[j - 1] == ' ')
        j--;
    size_t len = j - i;
    if (len != 32 && len != 40 && len != 64)
        return 0;
    for (size_t k = i; k < j; k++) {
        int c = (unsigned char)g->s[k];
        if (!pw_isdigit(c) && !((c | 32) >= 'a' && (c | 32) <= 'f'))
            return 0;
    }
    pw_phi_category cat;
    const char *sub;
    if (!hashed_category(g->ctx, &cat, &sub))
        return 0;
    pw_scan_add(sc, g, i, j, cat, sub, NULL, 0.9f, PW_REASON_CONTEXT,
                len == 64   ? "sha256 hash under an identifier key"
                : len == 40 ? "sha1 hash under an identifier key"
                            : "md5 hash under an identifier key");
    return 1;
}
