/*
 * ident_address.c — street addresses: a house number, up to four capitalised words and a street
 * suffix ("1200 North Elm Street", "55 Fruit St"), an optional unit ("Apt 4B", "Suite 200") and
 * an optional ", City, ST 02115" tail; and any value under an address key ("address1").
 * Streets named after the institution ("1 Hospital Drive", "Medical Center Blvd") are skipped.
 */
#include <string.h>

#include "detect/ident_fast.h"
#include "detect/internal.h"
#include "phiwall/text.h"

static const char *const suffixes[] = {
    "street",     "st",      "avenue",   "ave",    "road",  "rd",      "boulevard", "blvd",
    "lane",       "ln",      "drive",    "dr",     "court", "ct",      "way",       "place",
    "pl",         "terrace", "ter",      "circle", "cir",   "parkway", "pkwy",      "highway",
    "hwy",        "square",  "sq",       "trail",  "trl",   "plaza",   "alley",     "crossing",
    "loop",       "pike",    "row",      "ridge",  "grove", "heights", "hollow",    "crescent",
    "expressway", "freeway", "turnpike", "route",  "rte",   "landing", "commons",   NULL};

/* Street names made of these words belong to the institution, not to a person. */
static const char *const institutions[] = {"hospital", "medical",    "health",  "clinic",
                                           "campus",   "university", "college", NULL};

static const char *const units[] = {"apt", "apartment", "suite", "ste",  "unit",     "floor",
                                    "fl",  "room",      "rm",    "bldg", "building", NULL};

static size_t word_end(const char *s, size_t n, size_t i)
{
    while (i < n && (pw_isalnum((unsigned char)s[i]) || s[i] == '\''))
        i++;
    return i;
}

static int word_in(const char *s, size_t len, const char *const *list)
{
    if (len > 12)
        return 0;
    int c0 = s[0] | 32;
    for (const char *const *w = list; *w; w++)
        if ((*w)[0] == c0 && word_eq(s, len, *w))
            return 1;
    return 0;
}

/* engine-text9: the lengths of the words of suffixes, institutions and units by first letter (bit
 * len of entry c - 'a' when a word of the list starts with c and has len bytes), written out
 * (pw_addr_lens_ok checks them against the lists: unit test). A street's every word is asked
 * against institutions and suffixes, and most have no list word of their initial and length. */
static const uint16_t suffix_lens[26] = {
    ['a' - 'a'] = 0x68,  ['b' - 'a'] = 0x210, ['c' - 'a'] = 0x1ec, ['d' - 'a'] = 0x24,
    ['e' - 'a'] = 0x400, ['f' - 'a'] = 0x80,  ['g' - 'a'] = 0x20,  ['h' - 'a'] = 0xc8,
    ['l' - 'a'] = 0x94,  ['p' - 'a'] = 0xb4,  ['r' - 'a'] = 0x3c,  ['s' - 'a'] = 0x44,
    ['t' - 'a'] = 0x1a8, ['w' - 'a'] = 0x8};
static const uint16_t institution_lens[26] = {
    ['c' - 'a'] = 0xc0, ['h' - 'a'] = 0x140, ['m' - 'a'] = 0x80, ['u' - 'a'] = 0x400};
static const uint16_t unit_lens[26] = {['a' - 'a'] = 0x208, ['b' - 'a'] = 0x110,
                                       ['f' - 'a'] = 0x24,  ['r' - 'a'] = 0x14,
                                       ['s' - 'a'] = 0x28,  ['u' - 'a'] = 0x10};

/* word_in for a list with its length table: a word whose first byte is no letter, or whose
 * initial and length no list word has, is in no list (word_eq compares every byte and the
 * length) without the walk. */
static int word_in_lens(const char *s, size_t len, const char *const *list, const uint16_t *lens)
{
    unsigned x = (unsigned)((unsigned char)s[0] | 32) - 'a';
    if (len > 12 || x >= 26 || !(lens[x] >> len & 1))
        return 0;
    return word_in(s, len, list);
}

#define IN_SUFFIXES(s, len)     word_in_lens(s, len, suffixes, suffix_lens)
#define IN_INSTITUTIONS(s, len) word_in_lens(s, len, institutions, institution_lens)
#define IN_UNITS(s, len)        word_in_lens(s, len, units, unit_lens)

/* The length table of a list (as the tables above are written). */
static void lens_build(const char *const *list, uint16_t out[26])
{
    memset(out, 0, 26 * sizeof *out);
    for (const char *const *w = list; *w; w++)
        out[(*w)[0] - 'a'] |= (uint16_t)(1u << strlen(*w));
}

int pw_addr_lens_ok(void)
{
    uint16_t t[26];
    lens_build(suffixes, t);
    if (memcmp(t, suffix_lens, sizeof t) != 0)
        return 0;
    lens_build(institutions, t);
    if (memcmp(t, institution_lens, sizeof t) != 0)
        return 0;
    lens_build(units, t);
    return memcmp(t, unit_lens, sizeof t) == 0;
}

int pw_addr_word_in_same(const char *s, size_t len)
{
    return IN_SUFFIXES(s, len) == word_in(s, len, suffixes) &&
           IN_INSTITUTIONS(s, len) == word_in(s, len, institutions) &&
           IN_UNITS(s, len) == word_in(s, len, units);
}

/* "Apt. 4B", "Suite 200", "#12" after the street: new end or the old one. */
static size_t unit_tail(const char *s, size_t n, size_t p)
{
    size_t q = p;
    while (q < n && (s[q] == ' ' || s[q] == ','))
        q++;
    if (q < n && s[q] == '#') {
        size_t e = word_end(s, n, q + 1);
        return e > q + 1 ? e : p;
    }
    size_t e = word_end(s, n, q);
    if (e == q || !IN_UNITS(s + q, e - q))
        return p;
    q = e;
    while (q < n && (s[q] == ' ' || s[q] == '.' || s[q] == '#'))
        q++;
    e = word_end(s, n, q);
    return e > q && pw_isdigit((unsigned char)s[q]) ? e : p;
}

/* ", Boston, MA 02115" after the street. */
static size_t city_tail(const char *s, size_t n, size_t p)
{
    size_t q = p;
    while (q < n && (s[q] == ',' || s[q] == ' ' || s[q] == '\n'))
        q++;
    size_t words = 0;
    while (q < n && pw_isupper((unsigned char)s[q]) && words < 3) {
        size_t e = word_end(s, n, q);
        if (e - q == 2 && pw_isupper((unsigned char)s[q + 1]))
            break; /* the state code */
        q = e;
        words++;
        while (q < n && (s[q] == ' ' || s[q] == ','))
            q++;
    }
    if (q + 2 >= n || !pw_isupper((unsigned char)s[q]) || !pw_isupper((unsigned char)s[q + 1]))
        return p;
    size_t z = q + 2;
    while (z < n && (s[z] == ' ' || s[z] == ','))
        z++;
    if (pw_digits_at(s, n, z) != 5)
        return p;
    z += 5;
    if (z + 5 <= n && s[z] == '-' && pw_digits_at(s, n, z + 1) == 4)
        z += 5;
    return z;
}

/* A street address starting with the house number at s[i]; end or 0. */
static size_t parse_street(const char *s, size_t n, size_t i)
{
    size_t num = pw_digits_at(s, n, i);
    if (num == 0 || num > 6)
        return 0;
    size_t p = i + num;
    if (p < n && pw_isalpha((unsigned char)s[p]) &&
        !pw_isalpha((unsigned char)s[p + 1 < n ? p + 1 : p]))
        p++; /* 12B */
    for (int words = 0; words < 5; words++) {
        if (p >= n || s[p] != ' ')
            return 0;
        p++;
        size_t e = word_end(s, n, p);
        if (e == p || (!pw_isupper((unsigned char)s[p]) && !pw_isdigit((unsigned char)s[p])))
            return 0;
        if (IN_INSTITUTIONS(s + p, e - p))
            return 0; /* "1 Hospital Drive": the organisation's own address */
        if (words > 0 && IN_SUFFIXES(s + p, e - p)) {
            if (e < n && s[e] == '.')
                e++;
            return e;
        }
        p = e;
    }
    return 0;
}

/* 1 if s[0..n) is a NANP phone number and nothing else: 10 digits (11 with a leading 1) among
 * the separators a number is written with ("+1 (503) 318-2277", "503.318.2277"), no letter. */
static int phone_digits_only(const char *s, size_t n)
{
    size_t digits = 0;
    char first = 0;
    for (size_t k = 0; k < n; k++) {
        if (pw_isdigit((unsigned char)s[k])) {
            if (!digits++)
                first = s[k];
            continue;
        }
        if (s[k] == '\0' || !strchr(" +-.()", s[k]))
            return 0;
    }
    return digits == 10 || (digits == 11 && first == '1');
}

static void address_key(pw_scan *sc, const pw_seg *g)
{
    size_t i = 0, j = g->n;
    while (i < j && (g->s[i] == ' ' || g->s[i] == '\n'))
        i++;
    while (j > i && (g->s[j - 1] == ' ' || g->s[j - 1] == '\n'))
        j--;
    if (j - i < 4)
        return;
    /* a street address has a street name: a NANP number alone under an address key
     * ("address=5033182277", a form's fields mislabelled) is a phone, and named one */
    if (phone_digits_only(g->s + i, j - i)) {
        pw_scan_add(sc, g, i, j, PW_PHI_PHONE, "phone", NULL, 0.9f, PW_REASON_CONTEXT,
                    "phone number under an address key");
        return;
    }
    pw_scan_add(sc, g, i, j, PW_PHI_ADDRESS, "street", NULL, 0.9f, PW_REASON_CONTEXT,
                "address key");
}

/* engine-recall: an address a visitor gives in a sentence ("my new address is 30497 Ibirapita
 * 8057 Suite 100, Dolores", "lives at 86036 Rua do Arenque 1634, Goiania", "send the records to
 * 5586 Thorunnarstraeti 31, Arnsdorf, Germany") has any country's shape: no US street suffix,
 * the number after the street name. The sentence says it is an address; the value runs from the
 * house number to the clause's end. */

/* The word of s that ends at p (letters only): its start, or p when none. */
static size_t word_before(const char *s, size_t p)
{
    size_t k = p;
    while (k > 0 && pw_isalpha((unsigned char)s[k - 1]))
        k--;
    return k;
}

/* s[b..e) is one of the lower-case words (ASCII case ignored). */
static int is_word(const char *s, size_t b, size_t e, const char *const *list)
{
    return e > b && word_in(s + b, e - b, list);
}

/* The words before the house number at s[i] say an address follows: "address", "address is",
 * "address:", "address to/with", "live(s)/living/reside(s) at", or "to" within four words after
 * "send", "sent", "mail", "ship", "deliver", "moved" ("send the records to"). */
static int address_cue_before(const char *s, size_t i)
{
    static const char *const address[] = {"address", "addresses", NULL};
    static const char *const link[] = {"is", "to", "with", NULL};
    static const char *const live[] = {"live",     "lives",   "living", "reside", "resides",
                                       "residing", "located", "meet",   NULL};
    static const char *const pronoun[] = {"me", "you", "us", NULL};
    static const char *const send[] = {"send",  "sent",    "mail",    "mailed",
                                       "ship",  "shipped", "deliver", "delivered",
                                       "moved", "forward", NULL};
    size_t p = i;
    while (p > 0 && (s[p - 1] == ' ' || s[p - 1] == '\n' || s[p - 1] == '\t'))
        p--;
    if (p > 0 && s[p - 1] == ':') {
        p--;
        size_t b = word_before(s, p);
        if (is_word(s, b, p, address))
            return 1;
        /* a chat's answer to a question for an address: "Bot: Where would you like this to be
         * sent to? User: 5586 …" */
        if (p - b != 4 || !pw_strncaseeq(s + b, "user", 4))
            return 0;
        size_t q = b;
        while (q > 0 && s[q - 1] == ' ')
            q--;
        size_t from = q > 100 ? q - 100 : 0;
        return q > 0 && s[q - 1] == '?' &&
               (pw_strcasestr_n(s + from, q - from, "address") ||
                pw_strcasestr_n(s + from, q - from, "sent to") ||
                pw_strcasestr_n(s + from, q - from, "send it to"));
    }
    size_t b = word_before(s, p);
    if (b == p)
        return 0;
    int is_at = p - b == 2 && pw_strncaseeq(s + b, "at", 2);
    int is_to = p - b == 2 && pw_strncaseeq(s + b, "to", 2);
    int is_is = p - b == 2 && pw_strncaseeq(s + b, "is", 2);
    if (is_word(s, b, p, address))
        return 1;
    if (!is_at && !is_word(s, b, p, link))
        return 0;
    for (int k = 0; k < 4 && b > 0; k++) { /* the words before the link */
        size_t q = b;
        while (q > 0 && s[q - 1] == ' ')
            q--;
        if (q == b || q == 0)
            return 0; /* a sentence's punctuation between: no cue */
        size_t w = word_before(s, q);
        if (w == q)
            return 0;
        if (is_at && k == 0 && is_word(s, w, q, pronoun)) { /* "meet me at" */
            b = w;
            continue;
        }
        if (is_at)
            return is_word(s, w, q, live);
        if (is_word(s, w, q, address) || (is_to && is_word(s, w, q, send)))
            return 1;
        if (!is_to && !is_is) /* "to" and "is" look four words back: "The address of X is" */
            return 0;
        b = w;
    }
    return 0;
}

/* Small words that end an address given in a sentence ("… Goiania for this card", "… after the
 * concert", "…, and my phone is new"). */
static int clause_word(const char *s, size_t len)
{
    static const char *const words[] = {"for", "after",   "and",  "in", "if",   "please", "but",
                                        "so",  "because", "when", "to", "from", "thanks", "thank",
                                        "my",  "is",      "was",  "i",  NULL};
    return word_in(s, len, words);
}

/* Words after a house number that name a hospital's unit, not a street ("moved to 3 East",
 * "send it to 4 West Tower"). */
static const char *const unit_words[] = {"north", "south", "east",  "west",     "tower",
                                         "wing",  "floor", "level", "building", NULL};

/* The address a cue announces, from the house number at s[i]: 1-6 digits, a space, a word that
 * starts with a capital or a letter outside ASCII, then to the clause's end: the text's end, a
 * blank line, '?', '!', ';', a '.' ending a word of four letters or more ("u. 15." and "Apt."
 * go on), or a small word of the sentence (clause_word). At least two words after the number,
 * a second number, a comma or a line break among them, at most 160 bytes. Its end, or 0. */
static size_t given_address(const char *s, size_t n, size_t i)
{
    size_t num = pw_digits_at(s, n, i), p = i + num;
    if (num == 0 || num > 6 || p + 1 >= n || s[p] != ' ')
        return 0;
    p++;
    size_t again = pw_digits_at(s, n, p); /* a second number: "846 31 Rue Al Imam" */
    if (again > 0 && again <= 4 && p + again + 1 < n && s[p + again] == ' ')
        p += again + 1;
    unsigned char c = (unsigned char)s[p];
    if (!pw_isupper(c) && c < 0xC3)
        return 0;
    size_t first = p;
    while (first < n && s[first] != ' ' && s[first] != ',' && s[first] != '\n')
        first++;
    if (word_in(s + p, first - p, unit_words) || IN_INSTITUTIONS(s + p, first - p))
        return 0;
    size_t end = p, words = 0, lim = i + 160 < n ? i + 160 : n;
    while (p < lim) {
        c = (unsigned char)s[p];
        if (c == '?' || c == '!' || c == ';' || c == '"' || c == '(' || c == ')')
            break;
        if (c == '\n' && p + 1 < n && (s[p + 1] == '\n' || s[p + 1] == '\r'))
            break;
        if (c == ' ' || c == ',' || c == '\n' || c == '\r' || c == '\t') {
            p++;
            continue;
        }
        size_t w = p;
        while (w < lim && s[w] != ' ' && s[w] != ',' && s[w] != '\n' && s[w] != '\r' &&
               s[w] != '?' && s[w] != '!' && s[w] != ';')
            w++;
        size_t we = w;
        if (we > p && s[we - 1] == '.')
            we--;
        if (pw_islower((unsigned char)s[p]) && clause_word(s + p, we - p))
            break;
        if (IN_INSTITUTIONS(s + p, we - p))
            return 0;
        words++;
        end = w;
        if (w > p && s[w - 1] == '.' && we - p >= 4 && (w == n || s[w] == ' ' || s[w] == '\n')) {
            end = we; /* a sentence's full stop */
            break;
        }
        p = w;
    }
    if (words < 2)
        return 0;
    /* a second number or a comma or line break between parts ("Koskikatu 25", "…, Dolores"):
     * "sent to 3 Patients Today" has neither */
    for (size_t k = first; k < end; k++)
        if (pw_isdigit((unsigned char)s[k]) || s[k] == ',' || s[k] == '\n')
            return end;
    return 0;
}

/* A US military address (the Postal Service's form for APO/FPO/DPO mail), whose number at s[i]
 * follows "PSC", "Unit" or "CMR": "PSC 0413, Box 8144\nAPO AA 42323", "Unit 4719 Box 7394 DPO
 * AP 70942". No street, no suffix; the shape itself is the address. Its end, or 0; *start its
 * first byte. */
static size_t military_at(const char *s, size_t n, size_t i, size_t *start)
{
    static const char *const heads[] = {"psc", "unit", "cmr", NULL};
    if (i < 4 || s[i - 1] != ' ' || !strchr("CtTR", s[i - 2]))
        return 0; /* the last letter of "PSC", "Unit", "CMR" first: most numbers follow none */
    size_t b = word_before(s, i - 1);
    if (!is_word(s, b, i - 1, heads) || !pw_isupper((unsigned char)s[b]))
        return 0;
    size_t p = i + pw_digits_at(s, n, i);
    if (p < n && s[p] == ',')
        p++;
    while (p < n && s[p] == ' ')
        p++;
    if (p + 4 > n || !pw_strncaseeq(s + p, "box ", 4))
        return 0;
    p += 4;
    size_t d = pw_digits_at(s, n, p);
    if (d == 0 || d > 5)
        return 0;
    p += d;
    while (p < n && (s[p] == ' ' || s[p] == ',' || s[p] == '\n' || s[p] == '\r'))
        p++;
    if (p + 12 > n || !strchr("ADF", s[p]) || s[p + 1] != 'P' || s[p + 2] != 'O' ||
        s[p + 3] != ' ' || s[p + 4] != 'A' || !strchr("AEP", s[p + 5]) || s[p + 6] != ' ' ||
        pw_digits_at(s, n, p + 7) != 5)
        return 0;
    *start = b;
    return p + 12;
}

/* engine-recall3: an address written on several lines, as a billing or shipping form's
 * textarea, a contact card or a signature sends it ("28030 Edeby 55\n Apt. 297\n TYSTBERGA\n
 * Sweden 99178", "42 Elm\nApt 3B\nSpringfield, IL 62704"): any country's street line, no US
 * suffix, then lines of a unit, a city, a state, and last a postal code. The lines' shape is
 * the evidence: the street line starts a line, every line after it is short and made of
 * capitalised words (a unit's number aside), and the block ends in a line whose last word is a
 * postal code of 4 or 5 digits that is no year. */

/* The house number at s[i] starts its line: the text's start or a line break before it, with
 * spaces, tabs or a quote's "> " between. */
static int starts_line(const char *s, size_t i)
{
    size_t k = i;
    while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '>'))
        k--;
    return k == 0 || s[k - 1] == '\n' || s[k - 1] == '\r';
}

/* The line s[b..e) is a unit ("Apt. 297", "Suite 501", "#12"), a city or a state ("TYSTBERGA",
 * "Colorado Springs", ", CO"): 1 to 3 words of letters, each starting with a capital or a
 * letter outside ASCII, commas between; or a unit word and its number. */
static int block_middle_line(const char *s, size_t b, size_t e)
{
    while (b < e && (s[b] == ' ' || s[b] == ',' || s[b] == '\t' || s[b] == '>'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == ',' || s[e - 1] == '\r' || s[e - 1] == '.'))
        e--;
    if (b == e || e - b > 40)
        return 0;
    if (unit_tail(s, e, b) == e || (s[b] == '#' && pw_digits_at(s, e, b + 1) == e - b - 1))
        return 1;
    size_t words = 0;
    for (size_t p = b; p < e;) {
        unsigned char c = (unsigned char)s[p];
        if (!pw_isupper(c) && c < 0xC3)
            return 0;
        while (p < e && s[p] != ' ' && s[p] != ',') {
            c = (unsigned char)s[p];
            if (!pw_isalpha(c) && c < 0x80 && c != '\'' && c != '-' && c != '.')
                return 0;
            p++;
        }
        if (++words > 3)
            return 0;
        while (p < e && (s[p] == ' ' || s[p] == ','))
            p++;
    }
    return 1;
}

/* The line s[b..e) ends the block: a postal code of 4 or 5 digits (ZIP+4 too) at its end, no
 * year (1900-2099: "June 2025" ends a news item's lines), after at most 3 words of letters and a
 * state's code ("Sweden 99178", "Springfield, IL 62704", " 82269"). Its end, or 0. */
static size_t block_last_line(const char *s, size_t b, size_t e)
{
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\r' || s[e - 1] == '.'))
        e--;
    size_t z = e;
    if (z >= b + 10 && s[z - 5] == '-' && pw_digits_at(s, e, z - 4) == 4)
        z -= 5;
    size_t d = z;
    while (d > b && pw_isdigit((unsigned char)s[d - 1]))
        d--;
    if (z - d < 4 || z - d > 5 || (d > b && s[d - 1] != ' ' && s[d - 1] != ','))
        return 0;
    if (z - d == 4 && (s[d] == '1' ? s[d + 1] == '9' : s[d] == '2' && s[d + 1] == '0'))
        return 0;
    size_t t = b;
    while (t < d && (s[t] == ' ' || s[t] == '\t' || s[t] == '>'))
        t++;
    return t == d || block_middle_line(s, b, d) ? e : 0;
}

/* A word in small letters inside a street's name ("Rua do Arenque", "Erzsébet tér 19.",
 * "Victor Hugo u. 49."), a final '.' aside. */
static int street_small_word(const char *s, size_t len)
{
    static const char *const words[] = {"de", "do",   "da",  "das", "dos", "del",        "la", "le",
                                        "di", "du",   "van", "von", "der", "den",        "y",  "e",
                                        "u",  "utca", "str", "st",  "ul",  "t\xc3\xa9r", NULL};
    if (len > 0 && s[len - 1] == '.')
        len--;
    return len > 0 && word_in(s, len, words);
}

/* A Nordic street word in small letters after a street's name ("2224 Trenerys gate 232", "17
 * Kongens gate 4", "9 Storgata vei 14"), or a street's name written in small letters whose last
 * part is such a word ("255 hersnapvej 18", "12 storgatan 3"): Norwegian, Danish and Swedish
 * addresses as a form or presidio writes them. Only inside an address block, whose postal-code
 * line is the evidence: "North gate 3" alone is a parking sign. engine-recall5 */
static int nordic_street_word(const char *s, size_t len)
{
    static const char *const words[] = {"gate",        "gata",  "gatan", "gade",         "vei",
                                        "veien",       "vej",   "vegen", "v\xc3\xa4gen", "alle",
                                        "all\xc3\xa9", "plass", "torv",  "torg",         NULL};
    static const char *const tails[] = {"gate",  "gata", "gatan", "gade",         "vei",
                                        "veien", "vej",  "vegen", "v\xc3\xa4gen", NULL};
    if (word_in(s, len, words))
        return 1;
    for (const char *const *t = tails; *t; t++) {
        size_t tl = strlen(*t);
        if (len >= tl + 3 && pw_strncaseeq(s + len - tl, *t, tl))
            return 1;
    }
    return 0;
}

/* The street line at s[i] (the house number, which starts its line) and the lines after it, up
 * to 6, blank ones allowed: its end at the postal code, or 0. The street line holds at most 60
 * bytes: the number, a word starting with a capital or a letter outside ASCII, no word of the
 * institution ("1 Hospital Drive"), no small word but a street's (street_small_word), and a
 * second number, or a unit line or a state's code
 * after it ("42 Elm\nApt 3B\nSpringfield, IL 62704"): "2024 Annual Report\nHighlights\nJune
 * 2025" is none. */
static size_t block_address(const char *s, size_t n, size_t i)
{
    size_t num = pw_digits_at(s, n, i), p = i + num;
    if (num == 0 || num > 6 || p + 1 >= n || s[p] != ' ' || !starts_line(s, i))
        return 0;
    size_t eol = p;
    while (eol < n && s[eol] != '\n')
        eol++;
    if (eol == n || eol - i > 60)
        return 0;
    unsigned char c = (unsigned char)s[p + 1];
    if (!pw_isupper(c) && c < 0xC3 && !pw_islower(c))
        return 0;
    int strong = 0;
    for (size_t k = p + 1; k < eol;) {
        size_t w = k;
        while (w < eol && s[w] != ' ')
            w++;
        if (IN_INSTITUTIONS(s + k, w - k) || word_in(s + k, w - k, unit_words) ||
            (pw_islower((unsigned char)s[k]) && !street_small_word(s + k, w - k) &&
             !nordic_street_word(s + k, w - k)))
            return 0; /* "12 Tips for Better Sleep": a headline's small word */
        if (k == p + 1 && pw_islower((unsigned char)s[k]) && !nordic_street_word(s + k, w - k))
            return 0; /* a street's name starts with a capital but "hersnapvej" */
        strong |= pw_isdigit((unsigned char)s[k]);
        k = w + 1;
    }
    for (int lines = 0; lines < 6 && eol < n; lines++) {
        size_t b = eol + 1, e = b;
        while (e < n && s[e] != '\n')
            e++;
        eol = e;
        size_t t = b;
        while (t < e && (s[t] == ' ' || s[t] == '\t' || s[t] == '\r' || s[t] == '>'))
            t++;
        if (t == e)
            continue; /* a blank line */
        size_t end = block_last_line(s, b, e);
        if (end && (strong || (end >= b + 8 && pw_isupper((unsigned char)s[end - 7]) &&
                               pw_isupper((unsigned char)s[end - 8]))))
            return end;
        if (!block_middle_line(s, b, e))
            return 0;
        strong |= unit_tail(s, e, t) != t;
    }
    return 0;
}

/* The street types that open a French street's name, after the number ("12 rue Victor Hugo",
 * "7 avenue des Lilas", "15 bd Voltaire"), in either case. */
static int french_street_type(const char *s, size_t len)
{
    static const char *const words[] = {"rue",
                                        "avenue",
                                        "av",
                                        "boulevard",
                                        "bd",
                                        "place",
                                        "chemin",
                                        "allee",
                                        "impasse",
                                        "quai",
                                        "cours",
                                        "square",
                                        "passage",
                                        "villa",
                                        "sentier",
                                        "all\xc3\xa9"
                                        "e",
                                        NULL};
    if (len > 0 && s[len - 1] == '.')
        len--;
    return len > 0 && word_in(s, len, words);
}

/* A French address in a sentence, without a cue word: the number (1-4 digits, "bis"/"ter"
 * after it), a street type (french_street_type), one to six words of the street's name
 * (capitalised, or "de", "la", "du", "des", "l'…", "d'…"), a comma, a postal code of 5 digits
 * and the city's capitalised words: "Je suis au 12 rue Victor Hugo, 69002 Lyon cette semaine".
 * The postal code and the city are the evidence; "au 3 rue de l'Hôpital, bâtiment B" (a
 * hospital's own building, no postal code) is none. Its end at the city, or 0. */
static size_t french_street(const char *s, size_t n, size_t i)
{
    size_t num = pw_digits_at(s, n, i), p = i + num;
    if (num == 0 || num > 4 || p + 1 >= n || s[p] != ' ' ||
        !memchr("rabpciqsvtRABPCIQSVT", s[p + 1], 20))
        return 0; /* the first letters of the street types (and of "bis", "ter") */
    p++;
    size_t e = word_end(s, n, p);
    if (e - p == 3 && (word_eq(s + p, 3, "bis") || word_eq(s + p, 3, "ter"))) {
        if (e >= n || s[e] != ' ')
            return 0;
        p = e + 1;
    }
    size_t t = p;
    while (t < n && s[t] != ' ' && s[t] != ',')
        t++;
    if (t == p || t >= n || s[t] != ' ' || !french_street_type(s + p, t - p))
        return 0;
    p = t + 1;
    int words = 0, named = 0;
    while (p < n && words < 7) {
        size_t w = p;
        while (w < n && s[w] != ' ' && s[w] != ',')
            w++;
        unsigned char c = (unsigned char)s[p];
        if (w == p)
            return 0;
        if (pw_isupper(c) || c >= 0xC3)
            named = 1;
        else if (!street_small_word(s + p, w - p) && !word_eq(s + p, w - p, "des") &&
                 !(w - p > 2 && (c == 'l' || c == 'd') && s[p + 1] == '\''))
            return 0;
        words++;
        if (w < n && s[w] == ',') {
            p = w;
            break;
        }
        p = w + 1;
    }
    if (!named || p + 2 >= n || s[p] != ',' || s[p + 1] != ' ' || pw_digits_at(s, n, p + 2) != 5)
        return 0;
    p += 7;
    if (p + 1 >= n || s[p] != ' ')
        return 0;
    size_t end = 0;
    for (int cw = 0; cw < 3 && p + 1 < n && s[p] == ' '; cw++) {
        unsigned char c = (unsigned char)s[p + 1];
        if (!pw_isupper(c) && !(c >= 0xC3 && cw == 0))
            break;
        size_t w = p + 1;
        while (w < n && s[w] != ' ' && s[w] != ',' && s[w] != '.' && s[w] != '\n')
            w++;
        end = w;
        p = w;
    }
    return end;
}

/* given_address's first test, before the look back for a cue: the number is followed by a
 * space and a capital, a letter outside ASCII or a second number. */
static int given_may_start(const char *s, size_t n, size_t i)
{
    size_t p = i + pw_digits_at(s, n, i);
    if (p + 1 >= n || s[p] != ' ')
        return 0;
    unsigned char c = (unsigned char)s[p + 1];
    return pw_isupper(c) || pw_isdigit(c) || c >= 0xC3;
}

/* An address at s[i] given as where someone lives ("Naomi Ryan lives at 12 Elm Street", "Tomomi
 * Nishiyama lives at 86036 Rua do Arenque 1634, Goiânia"): the name before "lives at" or
 * "resides at" is asked for (pw_name_before_lives). engine-recall5 */
static void resident_before(pw_scan *sc, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    size_t p = i;
    while (p > 0 && s[p - 1] == ' ')
        p--;
    if (p < 4 || (s[p - 1] | 32) != 't' || (s[p - 2] | 32) != 'a' || s[p - 3] != ' ')
        return;
    size_t q = p - 3, w = word_before(s, q);
    if (w > 0 && ((q - w == 5 && pw_strncaseeq(s + w, "lives", 5)) ||
                  (q - w == 7 && pw_strncaseeq(s + w, "resides", 7))))
        pw_name_before_lives(sc, g, w);
}

/* The address starting with the house number at s[i] (i passes pw_num_left_ok): its end, or 0. */
static size_t address_at(pw_scan *sc, const pw_seg *g, size_t i)
{
    size_t e = parse_street(g->s, g->n, i), b = i;
    if (!e && (e = military_at(g->s, g->n, i, &b)) != 0) {
        pw_scan_add(sc, g, b, e, PW_PHI_ADDRESS, "street", NULL, 0.85f, PW_REASON_PATTERN,
                    "military address (PSC/Unit, Box, APO/FPO/DPO)");
        if (starts_line(g->s, b) && b > 0)
            pw_name_line_before(sc, g, b); /* "Dreux Joly\nPaxata\nPSC 3294, Box 9168\nAPO…" */
        return e;
    }
    if (!e && given_may_start(g->s, g->n, i) && address_cue_before(g->s, i) &&
        (e = given_address(g->s, g->n, i)) != 0) {
        pw_scan_add(sc, g, i, e, PW_PHI_ADDRESS, "street", NULL, 0.8f, PW_REASON_CONTEXT,
                    "address given in a sentence");
        resident_before(sc, g, i);
        return e;
    }
    if (!e && (e = french_street(g->s, g->n, i)) != 0) {
        pw_scan_add(sc, g, i, e, PW_PHI_ADDRESS, "street", NULL, 0.8f, PW_REASON_PATTERN,
                    "house number, street type, postal code and city");
        return e;
    }
    if (!e && (e = block_address(g->s, g->n, i)) != 0) {
        pw_scan_add(sc, g, i, e, PW_PHI_ADDRESS, "street", NULL, 0.8f, PW_REASON_PATTERN,
                    "address on several lines (street, then city / postal code)");
        pw_name_line_before(sc, g, i); /* the addressee's line above the block */
        return e;
    }
    if (!e)
        return 0;
    e = unit_tail(g->s, g->n, e);
    e = city_tail(g->s, g->n, e);
    pw_scan_add(sc, g, i, e, PW_PHI_ADDRESS, "street", NULL, 0.85f, PW_REASON_PATTERN,
                "house number + street suffix");
    resident_before(sc, g, i);
    if (starts_line(g->s, i) && i > 0 && memchr(g->s + i, '\n', e - i))
        pw_name_line_before(sc, g, i); /* a block: street, then city and ZIP on the next line */
    return e;
}

/* pw_ident_address on a segment of at most 64 bytes with masks: digit runs from the digit mask,
 * parse_street only after a run of 1-6 digits followed by a space or a letter. */
static void address_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    const char *s = g->s;
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0);
    for (uint64_t cand = pw_run_starts(d); cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        size_t p = i + pw_run_len(d, i);
        if (p - i > 6 || p >= g->n ||
            (s[p] != ' ' && !pw_isalpha((unsigned char)s[p]) && s[p] != ',') ||
            !pw_num_left_ok(s, i))
            continue; /* parse_street: 1-6 digits, then ' ' or a letter ("12B "); military_at:
                         "PSC 0413, Box" */
        size_t e = address_at(sc, g, i);
        if (e)
            cand &= e < 64 ? ~(uint64_t)0 << e : 0;
    }
}

void pw_ident_address(pw_scan *sc, const pw_seg *g)
{
    if (g->ctx == PW_CTX_ADDRESS) {
        address_key(sc, g);
        return;
    }
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && (g->sum->cls & (PW_SUM_UPPER | PW_SUM_SPACE)) != (PW_SUM_UPPER | PW_SUM_SPACE))
        return; /* parse_street: "<number> <Word> … <Suffix>", the suffix capitalised */
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        address_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_RUN); i < n; i = pw_cand_from(&ci, i + 1)) {
        if (!pw_isdigit((unsigned char)s[i]) || !pw_num_left_ok(s, i))
            continue;
        size_t e = address_at(sc, g, i);
        if (e) {
            i = e - 1;
            continue;
        }
        i += pw_digits_at(s, n, i) - 1;
    }
}
