/*
 * fold.c — (internal to detect) the folding layer: text a reader sees as an ASCII health term or
 * identifier, written with other code points so that the engine would not. Like a percent-decoded
 * layer it is a copy of the segment with a map from each byte back to the original bytes it came
 * from (pw_seg ostart/oend), scanned instead of the segment; hits and redaction therefore cover
 * the original bytes. What folds:
 *  - fullwidth ASCII U+FF01-U+FF5E ("ＨＩＶ") becomes ASCII, Unicode spaces (no-break, thin,
 *    ideographic …) a space;
 *  - format characters (soft hyphen, zero-width space/joiners, bidi marks, word joiner, BOM) are
 *    dropped: "H\u200bIV", "c\u00adancer";
 *  - Cyrillic, Greek, Armenian and Cherokee letters drawn like Latin ones ("НІV", "cаncer", "НІѴ";
 *    the table pw_detect_fold_lookalikes reads too) become Latin, but only in
 *    a word that also holds Latin letters and no other non-Latin letter, or in a word made of
 *    such letters only that then is a whole vocabulary term of 3+ letters: real Russian or Greek
 *    text stays as it is;
 *  - a dotted acronym of 3-6 single letters ("h.i.v", "H.I.V.") loses its dots when the letters
 *    are a vocabulary term;
 *  - an accented Latin-1 letter loses its accent ("depresión", "Oncología", "García": the
 *    vocabulary's terms are written the same way, pw_vocab_latin1_base), so Spanish text and
 *    its unaccented URL slugs ("depresion") match the same terms, on whole words (ß is "ss":
 *    "Fußpilz"); a lone byte
 *    0xC0-0xFF (no valid UTF-8 sequence, no continuation byte after it) is read as its Latin-1
 *    letter, so text and escapes written in ISO-8859-1 ("depresi%F3n", "c%E1ncer") fold the
 *    same way;
 *  - a Vietnamese letter outside Latin-1 (ă đ ơ ư, U+1EA0-U+1EF9: "ệ", "ừ") loses its marks the
 *    same way (pw_vocab_fold_base): "Ung thư vú" and the slug "ung-thu-vu" match one term.
 * CJK ideographs stay as they are here (every detector reads this layer); health.c writes them
 * as words for the vocabulary alone.
 * Pure-ASCII segments pay one bit of their summary (PW_SUM_HIGH, summary.c) and, when they hold a
 * '.', a look at each dot (pw_fold_dotted_term; segment.c decides); pw_seg_fold runs only for
 * segments that hold a byte >= 0x80 or such an acronym.
 */
#include <string.h>

#include "detect/internal.h"
#include "detect/vocab_tsv.h"

/* What a code point is to the folding. */
typedef enum fold_kind {
    FK_ASCII = 0, /* copied (a letter or digit is part of a word) */
    FK_WIDE,      /* fullwidth ASCII: becomes `ascii` */
    FK_SPACE,     /* a Unicode space: becomes ' ' */
    FK_FORMAT,    /* invisible: dropped (inside a word it does not split it) */
    FK_CONF,      /* Cyrillic/Greek drawn like the Latin `ascii`: folded by the word rule */
    FK_ACCENT,    /* an accented Latin-1 or Vietnamese letter: becomes `ascii`, its base letter */
    FK_LETTER,    /* another non-ASCII letter (Latin-1, Latin Extended, Greek, Cyrillic) */
    FK_OTHER      /* anything else (symbols, CJK, emoji, invalid UTF-8): a word break */
} fold_kind;

typedef struct fold_cp {
    size_t len; /* bytes in the segment */
    fold_kind kind;
    char ascii; /* FK_ASCII, FK_WIDE, FK_CONF, FK_ACCENT: the ASCII byte */
    int twice;  /* FK_ACCENT: written twice (ß, two bytes in UTF-8, is "ss") */
} fold_cp;

/* Letters of Greek, Cyrillic, Armenian and Cherokee drawn like a Latin letter, capitals and
 * small (sorted by code point): the one table of the engine's folding (the word rule below) and
 * of pw_detect_fold_lookalikes, the gateway's rescan view. Izhitsa "Ѵ" and the small Cyrillic
 * letters drawn like small capitals ("к м н т в") are in it: the word rule keeps real Russian
 * text as it is, since a word folds only beside a Latin letter or as a whole vocabulary term. */
static const struct {
    uint16_t cp;
    char latin;
} confusables[] = {
    {0x037F, 'J'}, {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'},
    {0x0399, 'I'}, {0x039A, 'K'}, {0x039C, 'M'}, {0x039D, 'N'}, {0x039F, 'O'}, {0x03A1, 'P'},
    {0x03A4, 'T'}, {0x03A5, 'Y'}, {0x03A7, 'X'}, {0x03B1, 'a'}, {0x03B5, 'e'}, {0x03B9, 'i'},
    {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C4, 't'}, {0x03C5, 'u'},
    {0x03C7, 'x'}, {0x03F2, 'c'}, {0x03F3, 'j'}, {0x03F9, 'C'}, {0x0401, 'E'}, {0x0405, 'S'},
    {0x0406, 'I'}, {0x0407, 'I'}, {0x0408, 'J'}, {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'},
    {0x041A, 'K'}, {0x041C, 'M'}, {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'},
    {0x0422, 'T'}, {0x0423, 'Y'}, {0x0425, 'X'}, {0x0430, 'a'}, {0x0432, 'b'}, {0x0433, 'r'},
    {0x0435, 'e'}, {0x043A, 'k'}, {0x043C, 'm'}, {0x043D, 'h'}, {0x043E, 'o'}, {0x043F, 'n'},
    {0x0440, 'p'}, {0x0441, 'c'}, {0x0442, 't'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0448, 'w'},
    {0x044C, 'b'}, {0x0451, 'e'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0457, 'i'}, {0x0458, 'j'},
    {0x0474, 'V'}, {0x0475, 'v'}, {0x04AE, 'Y'}, {0x04AF, 'y'}, {0x04BB, 'h'}, {0x04C0, 'I'},
    {0x04CF, 'l'}, {0x0501, 'd'}, {0x051A, 'Q'}, {0x051B, 'q'}, {0x051C, 'W'}, {0x051D, 'w'},
    {0x0555, 'O'}, {0x0566, 'q'}, {0x0570, 'h'}, {0x0578, 'n'}, {0x057D, 'u'}, {0x0581, 'g'},
    {0x0585, 'o'}, {0x13A0, 'D'}, {0x13A2, 'T'}, {0x13A5, 'i'}, {0x13AA, 'A'}, {0x13AB, 'J'},
    {0x13AC, 'E'}, {0x13B3, 'W'}, {0x13B7, 'M'}, {0x13BB, 'H'}, {0x13C0, 'G'}, {0x13C3, 'Z'},
    {0x13D2, 'R'}, {0x13D9, 'V'}, {0x13DA, 'S'}, {0x13DE, 'L'}, {0x13DF, 'C'}, {0x13E2, 'P'},
    {0x13E6, 'K'}, {0x13F4, 'B'}};

static char confusable_of(uint32_t cp)
{
    size_t lo = 0, hi = sizeof confusables / sizeof confusables[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (confusables[mid].cp == cp)
            return confusables[mid].latin;
        if (confusables[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Unicode format characters (Cf) that render as nothing. */
static int is_format(uint32_t cp)
{
    return cp == 0x00AD || cp == 0x061C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
           (cp >= 0x2066 && cp <= 0x206F) || cp == 0xFEFF;
}

static int is_space(uint32_t cp)
{
    return cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

/* Letters of the Latin-1 Supplement and Latin Extended-A/B, Greek, Cyrillic, Armenian and
 * Cherokee blocks (the scripts of the look-alike table: their other letters keep a word as it
 * is). */
static int is_letter(uint32_t cp)
{
    return (cp >= 0x00C0 && cp <= 0x024F && cp != 0x00D7 && cp != 0x00F7) ||
           (cp >= 0x0370 && cp <= 0x058F) || (cp >= 0x13A0 && cp <= 0x13FF);
}

/* The code point at s[i] (i < n) in UTF-8; its length, 1 for an invalid or cut sequence (cp
 * 0xFFFD then). Overlong forms and surrogates are invalid. */
static size_t utf8_at(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned c = s[i];
    *cp = c;
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    *cp = 0xFFFD;
    if (len == 0 || c > 0xF4 || len > n - i)
        return 1;
    uint32_t v = c & (0x7Fu >> len);
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 1;
        v = v << 6 | (s[i + k] & 0x3Fu);
    }
    static const uint32_t min_of_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_of_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 1;
    *cp = v;
    return len;
}

/* A byte at s[i] that is no valid UTF-8 sequence: alone (no continuation byte follows it), a
 * letter of Latin-1 (U+00C0-U+00FF but × ÷) stands for that letter, as in text or an escape
 * written in ISO-8859-1 or Windows-1252 ("depresi%F3n", "c%E1ncer" from old CMS and IIS URLs);
 * any other, and a lead byte of a cut sequence ("\xE1\x85" then no third byte), stays U+FFFD, a
 * word break. */
static uint32_t latin1_letter_at(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    if (c < 0xC0 || c == 0xD7 || c == 0xF7 || (i + 1 < n && (s[i + 1] & 0xC0) == 0x80))
        return 0xFFFD;
    return c;
}

static fold_cp classify_at(const char *s, size_t n, size_t i)
{
    uint32_t cp = 0;
    fold_cp f = {utf8_at((const unsigned char *)s, n, i, &cp), FK_OTHER, 0, 0};
    if (cp == 0xFFFD && f.len == 1)
        cp = latin1_letter_at((const unsigned char *)s, n, i);
    if (cp < 0x80) {
        f.kind = FK_ASCII, f.ascii = (char)cp;
    } else if (cp >= 0xFF01 && cp <= 0xFF5E) {
        f.kind = FK_WIDE, f.ascii = (char)(cp - 0xFF01 + 0x21);
    } else if (is_format(cp)) {
        f.kind = FK_FORMAT;
    } else if (is_space(cp)) {
        f.kind = FK_SPACE;
    } else if ((f.ascii = confusable_of(cp)) != 0) {
        f.kind = FK_CONF;
    } else if ((f.ascii = pw_vocab_fold_base(cp)) != 0) {
        f.kind = FK_ACCENT;
    } else if (cp == 0xDF && f.len == 2) {
        /* "Fußpilz", "Blutdruckmeßgerät": ß is "ss" (the vocabulary writes it so); a lone
         * ISO-8859-1 byte 0xDF is one byte and stays a letter (the copy never grows) */
        f.kind = FK_ACCENT, f.ascii = 's', f.twice = 1;
    } else if (is_letter(cp)) {
        f.kind = FK_LETTER;
    }
    return f;
}

/* The code point is part of a word (format characters do not break one). */
static int in_word(const fold_cp *f)
{
    switch (f->kind) {
    case FK_ASCII:
    case FK_WIDE: return pw_isalnum((unsigned char)f->ascii);
    case FK_FORMAT:
    case FK_CONF:
    case FK_ACCENT:
    case FK_LETTER: return 1;
    default: return 0;
    }
}

/* Longest word checked against the vocabulary (letters and digits, folded). */
#define FOLD_TERM_MAX 32

/* 1 if w[0..n) (letters and digits, any case) is a whole vocabulary term that counts (not a
 * generic word) of at least 3 bytes. */
static int is_term(pw_scan *sc, const char *w, size_t n)
{
    char low[FOLD_TERM_MAX];
    if (n < 3 || n > sizeof low || !pw_vocab_size(sc->d->vocab))
        return 0;
    for (size_t k = 0; k < n; k++)
        low[k] = (char)pw_tolower((unsigned char)w[k]);
    pw_vocab_match *m = NULL;
    size_t nm = 0;
    if (pw_vocab_scan(sc->d->vocab, sc->s->vocab, sc->a, low, n, &m, &nm, NULL) != PW_OK)
        return 0;
    for (size_t k = 0; k < nm; k++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(sc->d->vocab, m[k].entry);
        if (m[k].start == 0 && m[k].end == n && e && e->cls != PW_VOCAB_GENERIC)
            return 1;
    }
    return 0;
}

/* The word starting at s[i]: its end, and whether its look-alike letters fold (*fold_conf). */
static size_t word_at(pw_scan *sc, const char *s, size_t n, size_t i, int *fold_conf)
{
    size_t latin = 0, conf = 0, other = 0, len = 0;
    char folded[FOLD_TERM_MAX];
    size_t j = i;
    while (j < n) {
        fold_cp f = classify_at(s, n, j);
        if (!in_word(&f))
            break;
        latin +=
            ((f.kind == FK_ASCII || f.kind == FK_WIDE) && pw_isalpha((unsigned char)f.ascii)) ||
            f.kind == FK_ACCENT;
        conf += f.kind == FK_CONF;
        other += f.kind == FK_LETTER;
        for (int t = 0; t <= f.twice; t++) {
            if (f.kind != FK_FORMAT && f.kind != FK_LETTER && len < sizeof folded)
                folded[len] = f.ascii;
            len += f.kind != FK_FORMAT;
        }
        j += f.len;
    }
    *fold_conf = 0;
    if (conf && !other)
        *fold_conf = latin || (len <= sizeof folded && is_term(sc, folded, len));
    return j;
}

/* The folded copy being written: text and, per byte, the original span it stands for. */
typedef struct fold_out {
    char *s;
    uint32_t *os, *oe;
    size_t n;
    int changed;
} fold_out;

static void put(fold_out *o, const pw_seg *g, char c, size_t i, size_t j)
{
    o->s[o->n] = c;
    o->os[o->n] = (uint32_t)(g->ostart ? g->ostart[i] : g->base + i);
    o->oe[o->n++] = (uint32_t)(g->oend ? g->oend[j - 1] : g->base + j);
}

/* Write g's code point at i (f) folded or as it is. */
static void put_cp(fold_out *o, const pw_seg *g, size_t i, const fold_cp *f, int fold_conf)
{
    int to_ascii = f->kind == FK_WIDE || f->kind == FK_SPACE || f->kind == FK_ACCENT ||
                   (f->kind == FK_CONF && fold_conf);
    if (f->kind == FK_FORMAT) {
        o->changed = 1;
        return;
    }
    if (to_ascii) {
        if (f->twice)
            put(o, g, f->ascii, i, i + f->len);
        put(o, g, f->kind == FK_SPACE ? ' ' : f->ascii, i, i + f->len);
        o->changed = 1;
        return;
    }
    for (size_t k = 0; k < f->len; k++)
        put(o, g, g->s[i + k], i + k, i + k + 1);
}

/* g's bytes [i, j) as they are, with their spans (put for each, in one go). */
static void put_plain(fold_out *o, const pw_seg *g, size_t i, size_t j)
{
    size_t len = j - i;
    memcpy(o->s + o->n, g->s + i, len);
    if (g->ostart) {
        memcpy(o->os + o->n, g->ostart + i, len * sizeof *o->os);
        memcpy(o->oe + o->n, g->oend + i, len * sizeof *o->oe);
    } else {
        for (size_t k = 0; k < len; k++) {
            o->os[o->n + k] = (uint32_t)(g->base + i + k);
            o->oe[o->n + k] = (uint32_t)(g->base + i + k + 1);
        }
    }
    o->n += len;
}

/* The end of the ASCII stretch from i that fold_chars may copy as it is: up to the next byte >=
 * 0x80, less the letters and digits just before it (a word running into that byte is judged
 * from its start: its look-alike letters fold only with a Latin letter in the word). */
static size_t plain_until(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && (unsigned char)s[j] < 0x80)
        j++;
    if (j < n)
        while (j > i && pw_isalnum((unsigned char)s[j - 1]))
            j--;
    return j;
}

/* 1 if s[0..n) holds a lead byte of a code point of the look-alike table: Greek, Cyrillic and
 * Armenian (U+0340-U+05BF: 0xCD-0xD6) or Cherokee (U+1000-U+1FFF: 0xE1), the only ones the word
 * rule may fold: without one, every code point folds on its own. */
static int has_lookalike_lead(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((unsigned char)(c - 0xCD) <= 0xD6 - 0xCD || c == 0xE1)
            return 1;
    }
    return 0;
}

/* fold_chars for a segment without look-alike letters (accented Latin, fullwidth, spaces,
 * format characters): ASCII stretches in one go, each other code point folded on its own, with
 * no look at its word (Spanish text pays one pass over its bytes). */
static void fold_chars_alone(const pw_seg *g, fold_out *o)
{
    for (size_t i = 0; i < g->n;) {
        size_t j = i;
        while (j < g->n && (unsigned char)g->s[j] < 0x80)
            j++;
        if (j > i) {
            put_plain(o, g, i, j);
            i = j;
            continue;
        }
        fold_cp f = classify_at(g->s, g->n, i);
        put_cp(o, g, i, &f, 0);
        i += f.len;
    }
}

/* The Unicode part: every code point of g written folded or as it is. Outside a
 * word being folded, ASCII stretches are copied in one go (an ASCII code point is written as it
 * is, and a word of ASCII letters alone folds nothing). */
static void fold_chars(pw_scan *sc, const pw_seg *g, fold_out *o)
{
    if (!has_lookalike_lead(g->s, g->n)) {
        fold_chars_alone(g, o);
        return;
    }
    size_t word_end = 0;
    int fold_conf = 0;
    for (size_t i = 0; i < g->n;) {
        if (i >= word_end && (unsigned char)g->s[i] < 0x80) {
            size_t j = plain_until(g->s, g->n, i);
            if (j > i) {
                put_plain(o, g, i, j);
                i = j;
                continue;
            }
        }
        fold_cp f = classify_at(g->s, g->n, i);
        if (i >= word_end && in_word(&f))
            word_end = word_at(sc, g->s, g->n, i, &fold_conf);
        put_cp(o, g, i, &f, i < word_end && fold_conf);
        i += f.len;
    }
}

/* A dotted acronym starting at s[i] (the byte before it, prev, no letter, digit or dot; -1 at
 * the start): 3-6 single letters joined by single dots ("h.i.v", the dot after the last letter
 * left out). Its end (just after the last letter), or 0. */
static size_t dotted_run(const char *s, size_t n, size_t i, int prev)
{
    if (prev == '.' || pw_isalnum(prev))
        return 0;
    size_t k = i, letters = 0;
    for (;;) {
        if (k >= n || !pw_isalpha((unsigned char)s[k]) ||
            (k + 1 < n && pw_isalnum((unsigned char)s[k + 1])))
            return 0;
        letters++;
        if (k + 2 < n && s[k + 1] == '.' && pw_isalpha((unsigned char)s[k + 2])) {
            k += 2;
            continue;
        }
        break;
    }
    return letters >= 3 && letters <= 6 ? k + 1 : 0;
}

/* The letters of the dotted run s[i..end) are a vocabulary term. */
static int dotted_term(pw_scan *sc, const char *s, size_t i, size_t end)
{
    char w[8];
    size_t n = 0;
    for (size_t k = i; k < end && n < sizeof w; k += 2)
        w[n++] = s[k];
    return is_term(sc, w, n);
}

/* The masks hold a letter, dot, letter, dot, letter run (the shortest dotted acronym). */
static int masks_have_dotted(const pw_seg_masks *m)
{
    for (size_t w = 0; w < m->words; w++) {
        size_t i = w << 6;
        if (pw_mask(m, PW_MK_ALPHA, w) & pw_mask_at(m, PW_MK_DOT, i + 1) &
            pw_mask_at(m, PW_MK_ALPHA, i + 2) & pw_mask_at(m, PW_MK_DOT, i + 3) &
            pw_mask_at(m, PW_MK_ALPHA, i + 4))
            return 1;
    }
    return 0;
}

/* 1 if s[0..n) holds a dotted acronym of a vocabulary term (one look at each '.'). */
static int dotted_term_in(pw_scan *sc, const char *s, size_t n)
{
    const char *p = memchr(s, '.', n);
    while (p) {
        size_t d = (size_t)(p - s);
        if (d >= 1) {
            size_t i = d - 1, end = dotted_run(s, n, i, i ? (unsigned char)s[i - 1] : -1);
            if (end && dotted_term(sc, s, i, end))
                return 1;
        }
        p = d + 1 < n ? memchr(p + 1, '.', n - d - 1) : NULL;
    }
    return 0;
}

/* o's bytes [from, to) moved to w (w <= from) with their spans; the new w. */
static size_t keep_bytes(fold_out *o, size_t w, size_t from, size_t to)
{
    size_t len = to - from;
    if (w != from && len) {
        memmove(o->s + w, o->s + from, len);
        memmove(o->os + w, o->os + from, len * sizeof *o->os);
        memmove(o->oe + w, o->oe + from, len * sizeof *o->oe);
    }
    return w + len;
}

/* Drop the dots of the dotted acronyms of vocabulary terms in o, in place. Only the
 * letters just before a '.' are looked at (a dotted run starts at a letter followed by a dot),
 * and the bytes between runs move in stretches. What a run's start is checked against is the
 * byte before it as written in o (bytes before the read position are never overwritten: the
 * write position trails it). */
static void undot(pw_scan *sc, fold_out *o)
{
    size_t n = o->n, w = 0, cur = 0; /* bytes [cur, n) are still to read */
    const char *p = memchr(o->s, '.', n);
    while (p) {
        size_t d = (size_t)(p - o->s), r = d - 1, end = 0;
        if (d >= 1 && r >= cur && pw_isalpha((unsigned char)o->s[r]))
            end = dotted_run(o->s, n, r, r ? (unsigned char)o->s[r - 1] : -1);
        if (end && dotted_term(sc, o->s, r, end)) {
            w = keep_bytes(o, w, cur, r);
            for (size_t k = r; k < end; k += 2, w++)
                o->s[w] = o->s[k], o->os[w] = o->os[k], o->oe[w] = o->oe[k];
            o->changed = 1;
            cur = end;
        }
        p = d + 1 < n ? memchr(o->s + d + 1, '.', n - d - 1) : NULL;
    }
    o->n = keep_bytes(o, w, cur, n);
}

int pw_fold_dotted_term(pw_scan *sc, const pw_seg *g)
{
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && !masks_have_dotted(m))
        return 0;
    return dotted_term_in(sc, g->s, g->n);
}

int pw_seg_fold(pw_scan *sc, const pw_seg *g, int high, pw_seg *out)
{
    /* one block: the two offset maps, then the text (folding never makes the text longer) */
    uint32_t *os = pw_arena_alloc(sc->a, 2 * (g->n + 1) * sizeof *os + g->n + 1);
    if (!os) {
        sc->degraded = 1;
        return 0;
    }
    fold_out o = {(char *)(os + 2 * (g->n + 1)), os, os + g->n + 1, 0, 0};
    if (high) {
        fold_chars(sc, g, &o);
    } else {
        for (size_t i = 0; i < g->n; i++)
            put(&o, g, g->s[i], i, i + 1);
    }
    if (memchr(o.s, '.', o.n))
        undot(sc, &o);
    if (!o.changed)
        return 0;
    o.s[o.n] = '\0';
    *out = *g;
    out->s = o.s;
    out->n = o.n;
    out->ostart = o.os;
    out->oend = o.oe;
    out->base = 0;
    out->sum = NULL;
    return 1;
}

/* ---- pw_detect_fold_lookalikes: the gateway's rescan view ------------------------------ */

/* A code point that ends a word for pw_detect_fold_lookalikes: ASCII other than letters and
 * digits, Latin-1 punctuation and spaces, general punctuation and spaces (U+2000-U+206F), the
 * ideographic space, a malformed sequence (bad). Any other code point, CJK or an emoji too, is
 * part of the word, and so keeps it from folding. */
static int lookalike_word_break(uint32_t cp, int bad)
{
    if (cp < 0x80)
        return !pw_isalnum((unsigned char)cp);
    return bad || cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000;
}

/* The code point at s[i] and its length; *bad when the bytes are no valid UTF-8 (utf8_at reads
 * them as U+FFFD of length 1, which a real U+FFFD never is). */
static size_t lookalike_cp_at(const unsigned char *s, size_t n, size_t i, uint32_t *cp, int *bad)
{
    size_t len = utf8_at(s, n, i, cp);
    *bad = *cp == 0xFFFD && len == 1;
    return len;
}

/* The end of the word at s[i]; *fold = 1 when it holds a look-alike letter and no other
 * non-ASCII code point. */
static size_t lookalike_word_end(const unsigned char *s, size_t n, size_t i, int *fold)
{
    int conf = 0, other = 0, bad = 0;
    uint32_t cp = 0;
    for (size_t len; i < n; i += len) {
        len = lookalike_cp_at(s, n, i, &cp, &bad);
        if (lookalike_word_break(cp, bad))
            break;
        if (cp >= 0x80 && confusable_of(cp))
            conf = 1;
        else if (cp >= 0x80)
            other = 1;
    }
    *fold = conf && !other;
    return i;
}

char *pw_detect_fold_lookalikes(pw_arena *a, const char *s, size_t n, size_t *out_n)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out = NULL;
    size_t w = 0, len = 1;
    int bad = 0;
    uint32_t cp = 0;
    *out_n = 0;
    for (size_t i = 0; i < n;) {
        len = lookalike_cp_at(u, n, i, &cp, &bad);
        int fold = 0;
        size_t end = lookalike_word_break(cp, bad) ? i : lookalike_word_end(u, n, i, &fold);
        if (fold && !out) {
            if (!(out = pw_arena_alloc(a, n + 1))) {
                *out_n = SIZE_MAX;
                return NULL;
            }
            memcpy(out, s, i);
            w = i;
        }
        if (end == i) { /* a word break: copied */
            if (out)
                memcpy(out + w, s + i, len), w += len;
            i += len;
            continue;
        }
        for (size_t k = i; k < end; k += len) {
            len = lookalike_cp_at(u, n, k, &cp, &bad);
            if (fold && cp >= 0x80)
                out[w++] = confusable_of(cp); /* one byte for 2-3: out has room */
            else if (out)
                memcpy(out + w, s + k, len), w += len;
        }
        i = end;
    }
    if (!out)
        return NULL;
    out[w] = '\0';
    *out_n = w;
    return out;
}
