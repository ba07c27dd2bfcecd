/*
 * vocab_tsv.c — parse the vocabulary TSV format (data/vocab/<name>.tsv and --vocab user files) into
 * entries with normalised terms. Shared by the build-time generator and the runtime loader, so
 * that a user file is read exactly like the built-in data. Errors name "file:line: what".
 */
#include "detect/vocab_tsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_COLS 6

static const char *const class_names[PW_VOCAB__COUNT] = {
    "condition",    "symptom",           "procedure",   "medication", "specialty",
    "care_service", "sensitive_service", "care_intent", "generic",
};

const char *pw_vocab_class_name(pw_vocab_class c)
{
    if ((unsigned)c >= PW_VOCAB__COUNT)
        return "unknown";
    return class_names[c];
}

pw_vocab_class pw_vocab_class_parse(const char *s, size_t n)
{
    for (int c = 0; c < PW_VOCAB__COUNT; c++) {
        if (strlen(class_names[c]) == n && memcmp(class_names[c], s, n) == 0)
            return (pw_vocab_class)c;
    }
    return PW_VOCAB__COUNT;
}

static int is_alnum_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

char pw_vocab_latin1_base(uint32_t cp)
{
    /* U+00C0-U+00FF; '.': no ASCII base (Æ Ð × Þ ß æ ð ÷ þ) */
    static const char base[] = "AAAAAA.CEEEEIIII.NOOOOO.OUUUUY..aaaaaa.ceeeeiiii.nooooo.ouuuuy.y";
    if (cp < 0xC0 || cp > 0xFF || base[cp - 0xC0] == '.')
        return 0;
    return base[cp - 0xC0];
}

/* Vietnamese letters outside Latin-1 (U+0102-U+01B0 and U+1EA0-U+1EF9): the ASCII letter
 * without its marks. Vietnamese slugs drop the marks ("ung-thu-vu" for "ung thư vú"), so the
 * vocabulary and the folded layer read both alike; a term is written as a phrase of two or more
 * syllables, so that the marks lost never make it a harmless word (docs/detect.md, Languages). */
static char viet_base(uint32_t cp)
{
    switch (cp) {
    case 0x0102: return 'A';
    case 0x0103: return 'a';
    case 0x0110: return 'D';
    case 0x0111: return 'd';
    case 0x0128: return 'I';
    case 0x0129: return 'i';
    case 0x0168: return 'U';
    case 0x0169: return 'u';
    case 0x01A0: return 'O';
    case 0x01A1: return 'o';
    case 0x01AF: return 'U';
    case 0x01B0: return 'u';
    default: break;
    }
    if (cp < 0x1EA0 || cp > 0x1EF9)
        return 0;
    /* capital at even code points, small at odd ones */
    static const struct {
        uint16_t last;
        char base;
    } runs[] = {{0x1EB7, 'a'}, {0x1EC7, 'e'}, {0x1ECB, 'i'},
                {0x1EE3, 'o'}, {0x1EF1, 'u'}, {0x1EF9, 'y'}};
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++)
        if (cp <= runs[k].last)
            return (char)((cp & 1) ? runs[k].base : runs[k].base - 32);
    return 0;
}

char pw_vocab_fold_base(uint32_t cp)
{
    char c = pw_vocab_latin1_base(cp);
    return c ? c : viet_base(cp);
}

int pw_vocab_is_cjk(uint32_t cp)
{
    return cp >= 0x3400 && cp <= 0x9FFF;
}

size_t pw_vocab_cjk_token(uint32_t cp, char *out)
{
    /* "zh" and the code point's four hex digits written as the letters a-p: letters only, so
     * that no digit rule splits it, and a word no English or Spanish text writes */
    out[0] = 'z';
    out[1] = 'h';
    for (int k = 0; k < 4; k++)
        out[2 + k] = (char)('a' + ((cp >> (12 - 4 * k)) & 0xF));
    return PW_VOCAB_CJK_TOKEN;
}

int pw_vocab_is_hangul(uint32_t cp)
{
    return cp >= 0xAC00 && cp <= 0xD7A3;
}

/* ---- Cyrillic and Arabic words (docs/detect.md, Languages) ----
 * Russian and Arabic inflect, and Arabic attaches its article and some prepositions: a word of
 * these scripts becomes one token, written from a light stem, so that the dictionary form a term
 * is written in and the forms pages use are one word ("беременность", "беременности" and
 * "беременностью" are "беременност"; "السرطان", "سرطان" and "للسرطان" are "سرط"). The same
 * function writes the terms (pw_vocab_normalize_term) and the text (health.c), so the stemming
 * only has to be consistent, not linguistically exact; a term matches whole tokens only, so a
 * longer word with the same start ("ракета" rocket, "раковина" sink) keeps its own token. */

/* The 2-byte UTF-8 code point at in[i] (lead 0xC0-0xDF), or 0. */
static uint32_t cp2_at(const unsigned char *u, size_t n, size_t i)
{
    if (i + 1 >= n || (u[i] & 0xE0) != 0xC0 || (u[i + 1] & 0xC0) != 0x80)
        return 0;
    return (uint32_t)(u[i] & 0x1F) << 6 | (u[i + 1] & 0x3Fu);
}

/* Cyrillic: the lower-case letter (ё is е), 0 for none; *mark for the combining acute and grave
 * of stressed text (dropped). */
static uint32_t cyr_letter(uint32_t cp)
{
    if (cp >= 0x0410 && cp <= 0x042F)
        cp += 0x20;
    else if (cp >= 0x0400 && cp <= 0x040F)
        cp += 0x50;
    if (cp == 0x0451)
        return 0x0435;
    return cp >= 0x0430 && cp <= 0x045F ? cp : 0;
}

/* Arabic: the letter as the vocabulary reads it (alef forms are alef, taa marbuta is haa, alef
 * maqsura and Persian yeh are yaa, Persian kaf is kaf), 0 for none. */
static uint32_t ara_letter(uint32_t cp)
{
    switch (cp) {
    case 0x0622:
    case 0x0623:
    case 0x0625:
    case 0x0671: return 0x0627;
    case 0x0629: return 0x0647;
    case 0x0649:
    case 0x06CC: return 0x064A;
    case 0x06A9: return 0x0643;
    default: break;
    }
    return (cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A) ? cp : 0;
}

/* Arabic marks that a word keeps through: tashkeel, superscript alef, tatweel. */
static int ara_mark(uint32_t cp)
{
    return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640;
}

#define SW_MAX ((PW_VOCAB_SCRIPT_TOKEN_MAX - 2) / 2) /* letters of a word read */

/* Endings taken off a Russian word (nouns and adjectives in their cases and numbers), longest
 * first, when 3+ letters stay. Code points less 0x400. */
/* ями ами ого его ому ему ыми ими ией ием иях иям ов ев ей ой ий ый ая яя ое ее ые ие ых их ым им
 * ую юю ом ем ам ям ах ях ью ию ия ии а я о е у ю ы и ь й */
static const uint8_t ru_endings[][4] = {
    {3, 0x4F, 0x3C, 0x38}, {3, 0x30, 0x3C, 0x38}, {3, 0x3E, 0x33, 0x3E}, {3, 0x35, 0x33, 0x3E},
    {3, 0x3E, 0x3C, 0x43}, {3, 0x35, 0x3C, 0x43}, {3, 0x4B, 0x3C, 0x38}, {3, 0x38, 0x3C, 0x38},
    {3, 0x38, 0x35, 0x39}, {3, 0x38, 0x35, 0x3C}, {3, 0x38, 0x4F, 0x45}, {3, 0x38, 0x4F, 0x3C},
    {2, 0x3E, 0x32, 0},    {2, 0x35, 0x32, 0},    {2, 0x35, 0x39, 0},    {2, 0x3E, 0x39, 0},
    {2, 0x38, 0x39, 0},    {2, 0x4B, 0x39, 0},    {2, 0x30, 0x4F, 0},    {2, 0x4F, 0x4F, 0},
    {2, 0x3E, 0x35, 0},    {2, 0x35, 0x35, 0},    {2, 0x4B, 0x35, 0},    {2, 0x38, 0x35, 0},
    {2, 0x4B, 0x45, 0},    {2, 0x38, 0x45, 0},    {2, 0x4B, 0x3C, 0},    {2, 0x38, 0x3C, 0},
    {2, 0x43, 0x4E, 0},    {2, 0x4E, 0x4E, 0},    {2, 0x3E, 0x3C, 0},    {2, 0x35, 0x3C, 0},
    {2, 0x30, 0x3C, 0},    {2, 0x4F, 0x3C, 0},    {2, 0x30, 0x45, 0},    {2, 0x4F, 0x45, 0},
    {2, 0x4C, 0x4E, 0},    {2, 0x38, 0x4E, 0},    {2, 0x38, 0x4F, 0},    {2, 0x38, 0x38, 0},
    {1, 0x30, 0, 0},       {1, 0x4F, 0, 0},       {1, 0x3E, 0, 0},       {1, 0x35, 0, 0},
    {1, 0x43, 0, 0},       {1, 0x4E, 0, 0},       {1, 0x4B, 0, 0},       {1, 0x38, 0, 0},
    {1, 0x4C, 0, 0},       {1, 0x39, 0, 0}};

/* The Russian light stem of w[0..*n) (code points less 0x400): one ending off. */
static void ru_stem(const uint16_t *w, size_t *n)
{
    for (size_t k = 0; k < sizeof ru_endings / sizeof ru_endings[0]; k++) {
        size_t len = ru_endings[k][0];
        if (*n < len + 3)
            continue;
        size_t q = 0;
        while (q < len && w[*n - len + q] == ru_endings[k][1 + q])
            q++;
        if (q == len) {
            *n -= len;
            return;
        }
    }
}

/* Arabic prefixes (the article with the conjunctions and prepositions written onto it) and
 * suffixes (feminine, plural, dual, possessive, accusative alef), as Larkey's light stemming
 * takes them off; code points less 0x600. */
static const uint8_t ar_prefixes[][4] = {{3, 0x48, 0x27, 0x44}, {3, 0x28, 0x27, 0x44},
                                         {3, 0x43, 0x27, 0x44}, {3, 0x41, 0x27, 0x44},
                                         {2, 0x44, 0x44, 0},    {2, 0x27, 0x44, 0}};
static const uint8_t ar_suffixes[][3] = {{2, 0x47, 0x27}, {2, 0x27, 0x46}, {2, 0x27, 0x2A},
                                         {2, 0x48, 0x46}, {2, 0x4A, 0x46}, {2, 0x4A, 0x47},
                                         {1, 0x47, 0},    {1, 0x4A, 0},    {1, 0x27, 0}};

static int ends_with(const uint16_t *w, size_t n, const uint8_t *e, size_t len)
{
    if (n < len)
        return 0;
    for (size_t q = 0; q < len; q++)
        if (w[n - len + q] != e[q])
            return 0;
    return 1;
}

/* The Arabic light stem of w[0..*n) from *from: one article prefix off when 2+ letters stay,
 * then one suffix off when 3+ stay (4+ for a suffix of two letters: "سرطان" keeps its ان, and
 * "الإدمان" addiction does not become "آدم" Adam). */
static void ar_stem(const uint16_t *w, size_t *from, size_t *n)
{
    for (size_t k = 0; k < sizeof ar_prefixes / sizeof ar_prefixes[0]; k++) {
        size_t len = ar_prefixes[k][0], q = 0;
        if (*n - *from < len + 2)
            continue;
        while (q < len && w[*from + q] == ar_prefixes[k][1 + q])
            q++;
        if (q == len) {
            *from += len;
            break;
        }
    }
    for (size_t k = 0; k < sizeof ar_suffixes / sizeof ar_suffixes[0]; k++) {
        size_t len = ar_suffixes[k][0];
        if (*n - *from >= len + 3 + (len > 1) && ends_with(w, *n, ar_suffixes[k] + 1, len)) {
            *n -= len;
            return;
        }
    }
}

int pw_vocab_script_at(const char *in, size_t n, size_t i)
{
    uint32_t cp = cp2_at((const unsigned char *)in, n, i);
    if (cyr_letter(cp))
        return PW_VOCAB_SCRIPT_CYRILLIC;
    if (ara_letter(cp))
        return PW_VOCAB_SCRIPT_ARABIC;
    return 0;
}

size_t pw_vocab_script_word(const char *in, size_t n, size_t i, unsigned flags, size_t *end,
                            char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)in;
    int script = pw_vocab_script_at(in, n, i);
    uint16_t w[SW_MAX];
    size_t len = 0, j = i;
    *end = i;
    if (!script)
        return 0;
    while (j < n) {
        uint32_t cp = cp2_at(u, n, j), l = 0;
        if (script == PW_VOCAB_SCRIPT_CYRILLIC && (l = cyr_letter(cp)) != 0) {
            if (len < SW_MAX)
                w[len] = (uint16_t)(l - 0x400);
            len++;
        } else if (script == PW_VOCAB_SCRIPT_ARABIC && (l = ara_letter(cp)) != 0) {
            if (len < SW_MAX)
                w[len] = (uint16_t)(l - 0x600);
            len++;
        } else if (!(script == PW_VOCAB_SCRIPT_ARABIC && ara_mark(cp))) {
            /* the combining acute of stressed Russian (U+0301, 3 bytes: CC 81) is dropped */
            if (script == PW_VOCAB_SCRIPT_CYRILLIC && j + 1 < n && u[j] == 0xCC &&
                (u[j + 1] == 0x81 || u[j + 1] == 0x80)) {
                j += 2;
                continue;
            }
            break;
        }
        j += 2;
    }
    *end = j;
    if (len > SW_MAX)
        return 0;
    size_t from = 0;
    if (flags & PW_VOCAB_SW_DROP_PREFIX) {
        /* a conjunction or preposition written onto the word: و ف ب ل ك */
        if (script != PW_VOCAB_SCRIPT_ARABIC || len < 4)
            return 0;
        uint16_t c = w[0];
        if (c != 0x48 && c != 0x41 && c != 0x28 && c != 0x44 && c != 0x43)
            return 0;
        from = 1;
    }
    if (script == PW_VOCAB_SCRIPT_CYRILLIC)
        ru_stem(w, &len);
    else
        ar_stem(w, &from, &len);
    size_t need = 2 + 2 * (len - from);
    if (need > cap)
        return 0;
    out[0] = 'z';
    out[1] = script == PW_VOCAB_SCRIPT_CYRILLIC ? 'c' : 'b';
    for (size_t k = from, o = 2; k < len; k++, o += 2) {
        out[o] = (char)('a' + (w[k] >> 4 & 0xF));
        out[o + 1] = (char)('a' + (w[k] & 0xF));
    }
    return need;
}

/* The code point of the 2- or 3-byte UTF-8 sequence at in[i] whose lead is 0xC3-0xC6 or
 * 0xE1-0xED (the accented and Vietnamese letters, the CJK ideographs, Hangul); its length in *len,
 * 0 when it is none of those. */
static uint32_t letter_at(const char *in, size_t n, size_t i, size_t *len)
{
    const unsigned char *u = (const unsigned char *)in;
    unsigned char c = u[i];
    *len = 0;
    if (c >= 0xC3 && c <= 0xC6 && i + 1 < n && (u[i + 1] & 0xC0) == 0x80) {
        *len = 2;
        return (uint32_t)(c & 0x1F) << 6 | (u[i + 1] & 0x3Fu);
    }
    if (c >= 0xE1 && c <= 0xED && i + 2 < n && (u[i + 1] & 0xC0) == 0x80 &&
        (u[i + 2] & 0xC0) == 0x80) {
        *len = 3;
        return (uint32_t)(c & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3Fu);
    }
    return 0;
}

static size_t normalize(const char *in, size_t n, char *out, size_t cap, int cjk)
{
    size_t o = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        size_t len = 0;
        uint32_t cp = c >= 0x80 ? letter_at(in, n, i, &len) : 0;
        unsigned char base = len ? (unsigned char)pw_vocab_fold_base(cp) : 0;
        if (cjk && c >= 0xD0 && c <= 0xDB && pw_vocab_script_at(in, n, i)) {
            /* a Cyrillic or Arabic word is one token, from its light stem */
            char tok[PW_VOCAB_SCRIPT_TOKEN_MAX];
            size_t end = i, t = pw_vocab_script_word(in, n, i, 0, &end, tok, sizeof tok);
            if (o + 1 + t > cap)
                break;
            if (t) {
                if (o > 0)
                    out[o++] = ' ';
                memcpy(out + o, tok, t);
                o += t;
            }
            pending_space = 1;
            i = end - 1;
            continue;
        }
        if (c == 0xC3 && i + 1 < n && (unsigned char)in[i + 1] == 0x9F) {
            /* ß is "ss" ("Fußpilz" is "fusspilz"), as detect's folded layer reads it */
            if (o + 2 + pending_space > cap)
                break;
            if (pending_space)
                out[o++] = ' ';
            pending_space = 0;
            out[o++] = 's';
            out[o++] = 's';
            i++;
            continue;
        }
        if (cjk && len == 3 && (pw_vocab_is_cjk(cp) || pw_vocab_is_hangul(cp))) {
            /* each ideograph is a word of its own: a term matches inside a run of them */
            if (o + 1 + PW_VOCAB_CJK_TOKEN > cap)
                break;
            if (o > 0)
                out[o++] = ' ';
            o += pw_vocab_cjk_token(cp, out + o);
            pending_space = 1;
            i += len - 1;
            continue;
        }
        if (base) /* "depresión" is the term "depresion", as detect's folded layer reads it */
            c = base, i += len - 1;
        if (!is_alnum_byte(c)) {
            pending_space = o > 0;
            continue;
        }
        if (o + 1 + pending_space > cap)
            break;
        if (pending_space)
            out[o++] = ' ';
        pending_space = 0;
        out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    return o;
}

size_t pw_vocab_normalize(const char *in, size_t n, char *out)
{
    return normalize(in, n, out, n, 0);
}

size_t pw_vocab_normalize_term(const char *in, size_t n, char *out, size_t cap)
{
    return normalize(in, n, out, cap, 1);
}

typedef struct field {
    const char *s;
    size_t n;
} field;

static int field_is(field f, const char *lit)
{
    return f.n == strlen(lit) && memcmp(f.s, lit, f.n) == 0;
}

/* Split one line into exactly N_COLS tab-separated fields; returns the count found. */
static size_t split_line(const char *line, size_t n, field *cols)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && line[i] != '\t')
            continue;
        if (k < N_COLS)
            cols[k] = (field){line + start, i - start};
        k++;
        start = i + 1;
    }
    return k;
}

static pw_status list_push(pw_vocab_list *list, const pw_vocab_entry *e)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 256;
        pw_vocab_entry *items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return PW_ERR_NOMEM;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->n++] = *e;
    return PW_OK;
}

static int subtype_ok(field f)
{
    if (f.n == 0 || f.n > 64)
        return 0;
    for (size_t i = 0; i < f.n; i++) {
        unsigned char c = (unsigned char)f.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* Normalise a term-like field into the arena; NULL on empty or too long (why in *what). */
static char *norm_field(pw_arena *a, field f, const char **what)
{
    char buf[PW_VOCAB_TERM_MAX];
    if (f.n > PW_VOCAB_TERM_MAX) {
        *what = "longer than 256 bytes";
        return NULL;
    }
    size_t len = pw_vocab_normalize_term(f.s, f.n, buf, sizeof buf);
    if (len == 0) {
        *what = "has no letters or digits";
        return NULL;
    }
    char *s = pw_arena_strndup(a, buf, len);
    if (!s)
        *what = "out of memory";
    return s;
}

int pw_vocab_has_script_token(const char *norm)
{
    for (const char *w = norm; *w;) {
        size_t n = strcspn(w, " ");
        size_t k = 2;
        while (k < n && w[k] >= 'a' && w[k] <= 'p')
            k++;
        if (n > 2 && k == n && w[0] == 'z' &&
            (w[1] == 'h' ? n == PW_VOCAB_CJK_TOKEN : (w[1] == 'c' || w[1] == 'b') && n % 2 == 0))
            return 1;
        w += n + (w[n] == ' ');
    }
    return 0;
}

/* The canonical a hit reports: the normalised form, or for a term of a script the vocabulary
 * matches as tokens (Chinese, Korean, Russian, Arabic) the column as written (trimmed), since
 * the tokens ("zcdbdfea…") mean nothing to a reader and the stem is not the word. */
static const char *shown_field(pw_arena *a, field f, const char *norm)
{
    if (!pw_vocab_has_script_token(norm))
        return norm;
    while (f.n && (f.s[0] == ' ' || f.s[0] == '\t'))
        f.s++, f.n--;
    while (f.n && (f.s[f.n - 1] == ' ' || f.s[f.n - 1] == '\t' || f.s[f.n - 1] == '\r'))
        f.n--;
    char *s = f.n ? pw_arena_strndup(a, f.s, f.n) : NULL;
    return s ? s : norm;
}

static pw_status parse_row(const char *name, size_t lineno, field *cols, pw_vocab_list *list,
                           pw_err *err)
{
    pw_vocab_entry e = {0};
    const char *what = NULL;
    e.term = norm_field(list->arena, cols[0], &what);
    if (!e.term)
        return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: term %s", name, lineno, what);
    e.canonical = shown_field(list->arena, cols[0], e.term);
    if (!field_is(cols[1], "-")) {
        const char *norm = norm_field(list->arena, cols[1], &what);
        if (!norm)
            return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: canonical %s", name, lineno, what);
        e.canonical = shown_field(list->arena, cols[1], norm);
    }
    e.cls = pw_vocab_class_parse(cols[2].s, cols[2].n);
    if (e.cls == PW_VOCAB__COUNT)
        return pw_err_set(err, PW_ERR_PARSE,
                          "%s:%zu: class '%.*s' unknown (expected condition, symptom, procedure, "
                          "medication, specialty, care_service, sensitive_service, care_intent "
                          "or generic)",
                          name, lineno, (int)(cols[2].n > 40 ? 40 : cols[2].n), cols[2].s);
    if (!field_is(cols[3], "-")) {
        if (!subtype_ok(cols[3]))
            return pw_err_set(err, PW_ERR_PARSE,
                              "%s:%zu: subtype must be '-' or 1-64 of [a-z0-9_-]", name, lineno);
        e.subtype = pw_arena_strndup(list->arena, cols[3].s, cols[3].n);
    }
    if (e.cls == PW_VOCAB_CARE_INTENT && !e.subtype)
        return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: care_intent needs a subtype", name, lineno);
    if (field_is(cols[4], "high"))
        e.sensitivity = PW_SENS_HIGH;
    else if (!field_is(cols[4], "normal"))
        return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: sensitivity must be 'high' or 'normal'", name,
                          lineno);
    if (field_is(cols[5], "lay"))
        e.lay = 1;
    else if (!field_is(cols[5], "clinical"))
        return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: register must be 'lay' or 'clinical'", name,
                          lineno);
    if (list_push(list, &e) != PW_OK || (e.subtype == NULL && !field_is(cols[3], "-")))
        return pw_err_set(err, PW_ERR_NOMEM, "%s:%zu: out of memory", name, lineno);
    return PW_OK;
}

static int blank_or_comment(const char *line, size_t n)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    return i == n || line[i] == '#';
}

pw_status pw_vocab_tsv_parse(const char *name, const char *data, size_t n, pw_vocab_list *list,
                             pw_err *err)
{
    size_t lineno = 0, pos = 0;
    while (pos < n) {
        const char *nl = memchr(data + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - data) : n;
        size_t len = end - pos;
        const char *line = data + pos;
        lineno++;
        pos = end + 1;
        if (len && line[len - 1] == '\r')
            len--;
        if (blank_or_comment(line, len))
            continue;
        if (memchr(line, '\0', len))
            return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: NUL byte in line", name, lineno);
        field cols[N_COLS];
        size_t k = split_line(line, len, cols);
        if (k != N_COLS)
            return pw_err_set(err, PW_ERR_PARSE,
                              "%s:%zu: expected 6 tab-separated columns (term, canonical, class, "
                              "subtype, sensitivity, register), found %zu",
                              name, lineno, k);
        pw_status st = parse_row(name, lineno, cols, list, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

pw_status pw_vocab_read_file(const char *path, char **data, size_t *n, pw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    if (failed) {
        free(buf);
        return pw_err_set(err, PW_ERR_IO, "%s: read error", path);
    }
    buf[len] = '\0';
    *data = buf;
    *n = len;
    return PW_OK;
}

void pw_vocab_list_free(pw_vocab_list *list)
{
    free(list->items);
    list->items = NULL;
    list->n = list->cap = 0;
}
