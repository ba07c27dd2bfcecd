/*
 * ident_name.c — person names, only where context says a name is there: the whole value of a
 * name key ("fn", "ln", "first_name", "patientName"), the same keys written inside text
 * ("name=John+Smith&…", "{\"name\":\"John Smith\"}"), capitalised words after "patient name:",
 * "name:", "my name is", a bare "patient" in a sentence or a record line, the addressee of
 * "Dear …," (subtype "patient"), and after "Dr." / "Doctor" or before ", MD" (subtype
 * "provider"). Names without such context are not guessed.
 */
#include <string.h>

#include "detect/ident_fast.h"
#include "detect/internal.h"
#include "detect/vocab.h"
#include "detect/vocab_tsv.h"
#include "phiwall/text.h"

/* Words that are never a name, grouped by first letter (lower case): function words, page words
 * and the labels of a record line that may follow a name ("Name: Chise T. Horiguchi Phone: …"). */
static const char *const not_names_a[] = {
    "a",         "and",     "at",        "appointment", "appointments", "age", "address",
    "appointed", "awarded", "announces", NULL};
static const char *const not_names_b[] = {"book", NULL};
static const char *const not_names_c[] = {"clinic", "center", "cell", "city", NULL};
static const char *const not_names_d[] = {"date", "dob", NULL};
static const char *const not_names_e[] = {"email", "elected", NULL};
static const char *const not_names_f[] = {"for", "find", "fax", NULL};
static const char *const not_names_g[] = {"gender", NULL};
static const char *const not_names_h[] = {"here", "hails", "honored", NULL};
static const char *const not_names_i[] = {"in", "is", NULL};
static const char *const not_names_n[] = {"now", "named", NULL};
static const char *const not_names_o[] = {"our", "or", "of", "on", "office", "online", NULL};
static const char *const not_names_j[] = {"joins", NULL};
static const char *const not_names_m[] = {"mrn", "mobile", NULL};
static const char *const not_names_p[] = {"profile", "page", "phone", NULL};
static const char *const not_names_r[] = {"receives", NULL};
static const char *const not_names_s[] = {"schedule", "search", "sex",  "ssn",
                                          "state",    "speaks", "says", NULL};
static const char *const not_names_t[] = {"the", "to", "team", "today", "tel", NULL};
static const char *const not_names_z[] = {"zip", NULL};
static const char *const not_names_v[] = {"visit", NULL};
static const char *const not_names_w[] = {"with", "wins", NULL};
static const char *const not_names_y[] = {"your", NULL};

static const char *const *const not_names_by_initial[26] = {
    ['a' - 'a'] = not_names_a, ['b' - 'a'] = not_names_b, ['c' - 'a'] = not_names_c,
    ['d' - 'a'] = not_names_d, ['e' - 'a'] = not_names_e, ['f' - 'a'] = not_names_f,
    ['g' - 'a'] = not_names_g, ['h' - 'a'] = not_names_h, ['i' - 'a'] = not_names_i,
    ['j' - 'a'] = not_names_j, ['m' - 'a'] = not_names_m, ['n' - 'a'] = not_names_n,
    ['o' - 'a'] = not_names_o, ['p' - 'a'] = not_names_p, ['r' - 'a'] = not_names_r,
    ['s' - 'a'] = not_names_s, ['t' - 'a'] = not_names_t, ['v' - 'a'] = not_names_v,
    ['w' - 'a'] = not_names_w, ['y' - 'a'] = not_names_y, ['z' - 'a'] = not_names_z};

static int stop_word(const char *s, size_t len)
{
    if (len > 11)
        return 0;
    unsigned x = (unsigned)pw_tolower((unsigned char)s[0]) - 'a';
    if (x >= 26 || !not_names_by_initial[x])
        return 0;
    for (const char *const *w = not_names_by_initial[x]; *w; w++)
        if (word_eq(s, len, *w))
            return 1;
    return 0;
}

/* The UTF-8 letter at s[i] (i < n, s[i] >= 0x80): its length in bytes, 0 when the bytes are no
 * letter (punctuation, a no-break space, a broken sequence). *up says whether it is a capital.
 * Names on US sites carry Latin-1 (García, Zoë), Latin Extended-A/B (Łukasz, Ștefan), Latin
 * Extended Additional (Nguyễn), combining accents (a decomposed "é") and at times Greek or
 * Cyrillic letters. Where a block alternates capital/small by code point, so does the test. */
static size_t utf8_letter(const char *s, size_t n, size_t i, int *up)
{
    const unsigned char *u = (const unsigned char *)s + i;
    *up = 0;
    if (u[0] >= 0xC3 && u[0] <= 0xD3 && i + 1 < n && (u[1] & 0xC0) == 0x80) {
        unsigned cp = (unsigned)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
        if (cp == 0xD7 || cp == 0xF7 || (cp >= 0x250 && cp < 0x300) || (cp >= 0x370 && cp < 0x386))
            return 0; /* × ÷, IPA and spacing letters, Greek signs */
        if (cp < 0xE0)
            *up = cp < 0xDF;
        else if (cp < 0x100 || (cp >= 0x300 && cp < 0x370))
            *up = 0;         /* small Latin-1 letters, combining accents */
        else if (cp < 0x180) /* Latin Extended-A: pairs start even, then odd, then even again */
            *up = cp == 0x178 || ((cp >= 0x139 && cp < 0x149) || (cp >= 0x179 && cp < 0x17F)
                                      ? cp & 1
                                      : !(cp & 1) && cp != 0x138 && cp != 0x17F);
        else if (cp < 0x250)
            *up = cp >= 0x1CD && cp < 0x1DD ? cp & 1 : !(cp & 1);
        else if (cp < 0x400) /* Greek */
            *up = cp < 0x3AC;
        else /* Cyrillic */
            *up = cp < 0x430 || (cp >= 0x460 && !(cp & 1));
        return 2;
    }
    if (u[0] == 0xE1 && i + 2 < n && u[1] >= 0xB8 && u[1] <= 0xBB && (u[2] & 0xC0) == 0x80) {
        unsigned cp = 0x1000 | (unsigned)(u[1] & 0x3F) << 6 | (u[2] & 0x3F); /* U+1E00..1EFF */
        *up = !(cp & 1) && (cp < 0x1E96 || cp > 0x1E9D);
        return 3;
    }
    return 0;
}

/* A letter (ASCII or UTF-8, see utf8_letter) at s[i]: its length, 0 when none. */
static size_t letter_at(const char *s, size_t n, size_t i, int *up)
{
    int c = (unsigned char)s[i];
    if (c < 0x80) {
        *up = pw_isupper(c);
        return pw_isalpha(c) ? 1 : 0;
    }
    return utf8_letter(s, n, i, up);
}

/* The apostrophe or hyphen inside a name at s[i] ("O'Brien", "O’Brien", "Smith-Jones"): its
 * length, 0 when none. */
static size_t name_joiner(const char *s, size_t n, size_t i)
{
    if (s[i] == '\'' || s[i] == '-')
        return 1;
    return i + 2 < n && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
                   (unsigned char)s[i + 2] == 0x99
               ? 3
               : 0;
}

/* Initials from the capital at s[i] followed by '.' ("J.", "J.R."): their end, 0 when a letter
 * follows ("U.Smith"). */
static size_t initials(const char *s, size_t n, size_t i)
{
    int up;
    size_t l = letter_at(s, n, i, &up);
    while (l && up && i + l < n && s[i + l] == '.') {
        i += l + 1;
        l = i < n ? letter_at(s, n, i, &up) : 0;
    }
    return l ? 0 : i;
}

/* s[0..len) is a surname prefix that a capital follows ("McDonald", "MacArthur", "DeLeon",
 * "DiMaggio", "LaShawn", "VanDyke", "FitzGerald"); a capital inside any other word is a brand's
 * ("MyChart", "WebMD", "LinkedIn"). */
static int capital_prefix(const char *s, size_t len)
{
    static const char *const prefixes[] = {"Mc", "Mac", "De",  "Di",  "Da",   "Du",
                                           "La", "Le",  "Van", "Von", "Fitz", NULL};
    for (const char *const *w = prefixes; *w; w++)
        if (len == strlen(*w) && memcmp(s, *w, len) == 0)
            return 1;
    return 0;
}

/* One capitalised name word or initials ("J."): letters after a capital, with a capital inside
 * after a surname prefix ("McDonald", "DeLeon") or a joiner ("O'Brien", "Smith-Jones"); "St. John"
 * is one word. End or 0; never a word that goes on in a letter or a digit (its span would leave
 * the rest of the name in clear). */
static size_t name_word(const char *s, size_t n, size_t i)
{
    int up, prev_small = 0;
    size_t l = i < n ? letter_at(s, n, i, &up) : 0;
    if (!l || !up)
        return 0;
    size_t p = i + l, letters = 1;
    if (p < n && s[p] == '.')
        return initials(s, n, i);
    while (p < n) {
        if (pw_islower((unsigned char)s[p])) { /* the common case first */
            prev_small = 1;
            letters++;
            p++;
            continue;
        }
        size_t j = name_joiner(s, n, p), k = p + j;
        l = k < n ? letter_at(s, n, k, &up) : 0;
        if (!l || (up && !j && !(prev_small && capital_prefix(s + i, p - i))))
            break;
        prev_small = !up;
        letters++;
        p = k + l;
    }
    if (letters < 2 || stop_word(s + i, p - i))
        return 0;
    if (p < n && (pw_isdigit((unsigned char)s[p]) || letter_at(s, n, p, &up)))
        return 0; /* "JOhn", "Smith2" */
    if (p - i == 2 && s[i] == 'S' && s[i + 1] == 't' && p + 2 < n && s[p] == '.' &&
        s[p + 1] == ' ') { /* "St. John", "St. Clair" */
        size_t e = name_word(s, n, p + 2);
        return e ? e : p;
    }
    return p;
}

/* s[0..len) is a small word inside a name ("de", "la", "van"). */
static int particle_word(const char *s, size_t len)
{
    static const char *const words[] = {"de",  "del", "della", "la",  "le",  "da",  "das",
                                        "dos", "di",  "du",    "van", "von", "der", "den",
                                        "ter", "ten", "bin",   "ibn", NULL};
    if (len > 5)
        return 0;
    for (const char *const *w = words; *w; w++)
        if (len == strlen(*w) && memcmp(s, *w, len) == 0)
            return 1;
    return 0;
}

/* The small word inside a name at s[i] ("de", "van"): its end when one is there and a space
 * follows, else 0. */
static size_t particle_end(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && j - i <= 5 && pw_islower((unsigned char)s[j]))
        j++;
    return j > i && j + 1 < n && s[j] == ' ' && particle_word(s + i, j - i) ? j : 0;
}

/* The small words inside a name at s[i] ("Juan de la Cruz", "Ludwig van Beethoven"), at most
 * two: where they end (at a space) when a capitalised name word follows them, else 0. */
static size_t name_particles(const char *s, size_t n, size_t i)
{
    size_t e = particle_end(s, n, i);
    if (e && !name_word(s, n, e + 1))
        e = particle_end(s, n, e + 1);
    return e && name_word(s, n, e + 1) ? e : 0;
}

/* s[i..e) holds a byte outside ASCII. */
static int has_high(const char *s, size_t i, size_t e)
{
    for (; i < e; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* g->s[i..e) was written with a letter outside ASCII: it holds one, or the field's bytes it came
 * from do — raw or percent-encoded ("%C3%A9"). A folded layer reads "García López" as "Garcia
 * Lopez", which must still count as the Spanish name it is. */
static int written_high(const pw_scan *sc, const pw_seg *g, size_t i, size_t e)
{
    if (has_high(g->s, i, e))
        return 1;
    if (!g->ostart || !sc->orig)
        return 0;
    size_t a, b;
    pw_seg_span(g, i, e, &a, &b);
    for (size_t k = a; k < b && k < sc->orig_n; k++) {
        unsigned char c = (unsigned char)sc->orig[k];
        if (c >= 0x80 || (c == '%' && k + 1 < sc->orig_n && sc->orig[k + 1] &&
                          strchr("89ABCDEFabcdef", sc->orig[k + 1])))
            return 1; /* a raw byte or an escape of one past 0x7F */
    }
    return 0;
}

/* Up to three capitalised name words starting at s[i], with particles between them; a fourth
 * when the name has a particle or a letter outside ASCII (a Spanish name has two given names and
 * two surnames: "María José García López"), not after an English one, where it is a headline's
 * next word ("Dr. Mary L. Hediger Named Recipient"). End or 0. */
static size_t name_words(const pw_scan *sc, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    size_t n = g->n, e = name_word(s, n, i), end = 0;
    int particles = 0;
    for (int k = 0; e && k < 4; k++) {
        if (k == 3 && !particles && !written_high(sc, g, i, e))
            break;
        end = e;
        if (e >= n || s[e] != ' ')
            break;
        size_t p = name_particles(s, n, e + 1);
        particles |= p != 0;
        e = name_word(s, n, (p ? p : e) + 1);
    }
    return end;
}

static int name_like(const char *s, size_t n)
{
    int letters = 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (pw_isalpha(c) || c >= 0x80)
            letters++;
        else if (c != ' ' && c != '\'' && c != '-' && c != '.' && c != ',' &&
                 c != '\0') /* what strchr(" '-.,", c) accepted, its terminator too */
            return 0;
    }
    return letters >= 1;
}

typedef struct trigger {
    const char *word; /* case-insensitive, followed by the name */
    const char *subtype;
    unsigned char len;
    unsigned char kind; /* TRIG_* : what must hold around the name besides the trigger */
} trigger;

enum {
    TRIG_PLAIN = 0,      /* the trigger alone announces a name ("Dr.", "Patient name:") */
    TRIG_SENTENCE = 1,   /* the name must read as part of a sentence (see sentence_name) */
    TRIG_SALUTATION = 2, /* the addressee of "Dear …," (see salutation_name) */
    TRIG_APPT_ES = 3,    /* Spanish "para …" after an appointment word (see appt_name_es) */
    TRIG_ANSWER = 4,     /* the answer to a question for a name (see answer_name) */
    TRIG_APPOSITIVE = 5, /* "my spouse, Anna Lee Brown, …": two name words, then a comma */
    TRIG_SELF = 6, /* a visitor's sentence: "I'm …", "this is …", "call me …" (self_name) */
    TRIG_GREETING = 7, /* "Hi Freddy, …" at a sentence's start (greeting_name) */
    TRIG_SIGNOFF = 8,  /* "Thanks,\nDana Whitfield" ending the text or a line (signoff_name) */
    TRIG_POSSESSIVE =
        9, /* "under my partner's name Nicole Mahler" (self_name, possessive before) */
    TRIG_CHAT_ANSWER = 10, /* "What's the name on the account? User: Keira Forster" (chat_answer) */
    TRIG_ADD_AS = 11,      /* "add Edvard Petrussen as a beneficiary" (add_as_name) */
    TRIG_RENAME = 12       /* "the name … is not correct, please change it to Mary Gavrilova" */
};

#define TK(word, sub, kind)               \
    {                                     \
        word, sub, sizeof(word) - 1, kind \
    }
#define T(word, sub)  TK(word, sub, TRIG_PLAIN)
#define TS(word, sub) TK(word, sub, TRIG_SENTENCE)
#define TP(word)      TK(word, "patient", TRIG_APPOSITIVE)

/* Grouped by first letter (the order within a group decides: the first that matches wins). */
static const trigger triggers_d[] = {
    T("dr. ", "provider"),  T("dr ", "provider"),      T("doctor ", "provider"),
    T("dra. ", "provider"), /* Spanish: doctora */
    T("dra ", "provider"),  T("doctora ", "provider"), TK("dear ", "patient", TRIG_SALUTATION),
    {NULL, NULL, 0, 0}};
static const trigger triggers_p[] = {T("patient name: ", "patient"),
                                     T("paciente: ", "patient"),
                                     T("patient name ", "patient"),
                                     T("patient: ", "patient"),
                                     TS("patient ", "patient"),
                                     TK("para ", "patient", TRIG_APPT_ES),
                                     {NULL, NULL, 0, 0}};
static const trigger triggers_n[] = {T("name: ", "patient"),
                                     T("nombre: ", "patient"),
                                     T("nombre del paciente: ", "patient"),
                                     TK("name ", "patient", TRIG_POSSESSIVE),
                                     {NULL, NULL, 0, 0}};
static const trigger triggers_m[] = {T("mr. ", "patient"),  T("mrs. ", "patient"),
                                     T("ms. ", "patient"),  T("mr ", "patient"),
                                     T("mrs ", "patient"),  T("ms ", "patient"),
                                     T("miss ", "patient"), T("maiden name is ", "patient"),
                                     {NULL, NULL, 0, 0}};
/* The triggers that start "my " (name_at looks at them only after those three bytes: a word
 * that starts with "m" is tried against the few above). */
static const trigger triggers_my[] = {
    T("my name is ", "patient"),
    /* engine-ident: a customer's or a patient's own words about themselves and their family
     * ("My full name is Robert Alan Johnson", "My child's name is Sophie Ann White", "for my
     * spouse, Anna Lee Brown, add her"): "is" as a sentence (sentence_name), the comma forms
     * only between commas ("I told my child, Good Job" is none). Not "my partner": a business's. */
    T("my full name is ", "patient"),
    TS("my spouse is ", "patient"),
    TS("my wife is ", "patient"),
    TS("my husband is ", "patient"),
    TS("my child is ", "patient"),
    TS("my child's name is ", "patient"),
    TS("my kid is ", "patient"),
    TS("my son is ", "patient"),
    TS("my daughter is ", "patient"),
    TP("my spouse, "),
    TP("my wife, "),
    TP("my husband, "),
    TP("my child, "),
    TP("my son, "),
    TP("my daughter, "),
    TP("my mother, "),
    TP("my father, "),
    /* engine-recall: a visitor's child or spouse named without "is" ("remove my kid Lukas from
     * the portal", "my daughter Sofia has a fever"): one name word is enough, the sentence goes on
     * (self_name); after the "is" and comma forms above, which match first */
    TK("my kid ", "patient", TRIG_SELF),
    TK("my son ", "patient", TRIG_SELF),
    TK("my daughter ", "patient", TRIG_SELF),
    TK("my child ", "patient", TRIG_SELF),
    TK("my wife ", "patient", TRIG_SELF),
    TK("my husband ", "patient", TRIG_SELF),
    {NULL, NULL, 0, 0}};
static const trigger triggers_f[] = {
    T("full name: ", "patient"), TK("follow up with ", "patient", TRIG_SELF), {NULL, NULL, 0, 0}};
/* The answer to a question for a name ("What's your name? Jildau S Bouts", a chat or a form's
 * transcript). */
#define TA(word) TK(word, "patient", TRIG_ANSWER)
static const trigger triggers_y[] = {TA("your name? "),
                                     TA("your last name? "),
                                     TA("your first name? "),
                                     TA("your full name? "),
                                     {NULL, NULL, 0, 0}};
#undef TA

/* engine-recall: what a visitor types about themselves in a contact form, a chat or a search box
 * ("Hi, I'm Jordan Ellis and I need…", "this is Marcus Obi, please call", "everyone calls me
 * Aantje"), a greeting's name ("Hi Freddy, I'm contacting you") and a sign-off's ("Thanks,
 * Samuel Okoro" ending the text or a line). Each kind has its own test of the words around the
 * name (self_name, greeting_name, signoff_name): a page title or a button is all capitalised
 * words ("I'm Feeling Lucky", "This Is Springfield"), an organisation signs with a generic word
 * ("Thanks, The Patient Experience Team"). A sign-off's comma may be followed by a line break. */
#define TSELF(word) TK(word, "patient", TRIG_SELF)
#define TSIGN(word) TK(word, "patient", TRIG_SIGNOFF)
static const trigger triggers_i[] = {TSELF("i'm "),
                                     TSELF("i\xE2\x80\x99m "),
                                     TSELF("i am "),
                                     TSELF("it's under "),
                                     {NULL, NULL, 0, 0}};
static const trigger triggers_u[] = {TK("user: ", "patient", TRIG_CHAT_ANSWER),
                                     TK("update it to ", "patient", TRIG_RENAME),
                                     {NULL, NULL, 0, 0}};
static const trigger triggers_t[] = {
    TSELF("this is "), TSIGN("thanks,"), TSIGN("thank you,"), {NULL, NULL, 0, 0}};
static const trigger triggers_c[] = {TSELF("call me "),
                                     TSELF("calls me "),
                                     TSIGN("cheers,"),
                                     TK("change it to ", "patient", TRIG_RENAME),
                                     TK("correct it to ", "patient", TRIG_RENAME),
                                     {NULL, NULL, 0, 0}};
static const trigger triggers_a[] = {TK("add ", "patient", TRIG_ADD_AS), {NULL, NULL, 0, 0}};
static const trigger triggers_h[] = {TK("hi ", "patient", TRIG_GREETING),
                                     TK("hello ", "patient", TRIG_GREETING),
                                     TK("hey ", "patient", TRIG_GREETING),
                                     {NULL, NULL, 0, 0}};
static const trigger triggers_r[] = {TSIGN("regards,"), {NULL, NULL, 0, 0}};
static const trigger triggers_s[] = {TSIGN("sincerely,"), TSIGN("signed,"), {NULL, NULL, 0, 0}};
static const trigger triggers_b[] = {TSIGN("best regards,"), TSIGN("best,"), {NULL, NULL, 0, 0}};
#undef TSELF
#undef TSIGN

/* The triggers by first letter (lower case, 'a' at 0), NULL where none starts with it. */
static const trigger *const triggers_by_initial[26] = {
    ['d' - 'a'] = triggers_d, ['p' - 'a'] = triggers_p, ['n' - 'a'] = triggers_n,
    ['m' - 'a'] = triggers_m, ['f' - 'a'] = triggers_f, ['y' - 'a'] = triggers_y,
    ['i' - 'a'] = triggers_i, ['t' - 'a'] = triggers_t, ['c' - 'a'] = triggers_c,
    ['h' - 'a'] = triggers_h, ['r' - 'a'] = triggers_r, ['s' - 'a'] = triggers_s,
    ['b' - 'a'] = triggers_b, ['u' - 'a'] = triggers_u, ['a' - 'a'] = triggers_a};

/* Bit (c - 'a') for the second letters of the triggers starting with each letter ("dr", "do", "de";
 * "pa"; "na", "no"; "my", "mr", "ms", "mi", "ma"; "fu"; "yo"; "th"; "ca", "ch"; "hi", "he"; "re";
 * "si"; "be"; "us", "up"; "ad"; "fo"; "co"). "i'm", "i am", "it's" go by their second byte:
 * name_at looks for them. */
#define LB(c) (1u << ((c) - 'a'))
static const uint32_t trigger_second[26] = {['d' - 'a'] = LB('r') | LB('o') | LB('e'),
                                            ['p' - 'a'] = LB('a'),
                                            ['n' - 'a'] = LB('a') | LB('o'),
                                            ['m' - 'a'] =
                                                LB('y') | LB('r') | LB('s') | LB('i') | LB('a'),
                                            ['f' - 'a'] = LB('u') | LB('o'),
                                            ['y' - 'a'] = LB('o'),
                                            ['t' - 'a'] = LB('h'),
                                            ['c' - 'a'] = LB('a') | LB('h') | LB('o'),
                                            ['h' - 'a'] = LB('i') | LB('e'),
                                            ['r' - 'a'] = LB('e'),
                                            ['s' - 'a'] = LB('i'),
                                            ['b' - 'a'] = LB('e'),
                                            ['u' - 'a'] = LB('s') | LB('p'),
                                            ['a' - 'a'] = LB('d')};
#undef LB

/* A trigger may start at s[i] (lower-case first letter lc; i + 1 < n). */
static int trigger_may_start(int lc, int c2)
{
    unsigned x = (unsigned)(c2 | 32) - 'a';
    return x < 26 && (trigger_second[lc - 'a'] >> x & 1);
}

/* s[0..l) equals the lower-case trigger word w, ignoring ASCII case. */
static int trigger_eq(const char *s, const char *w, size_t l)
{
    for (size_t k = 0; k < l; k++)
        if (pw_tolower((unsigned char)s[k]) != (unsigned char)w[k]) /* "i’m": bytes past 0x7F */
            return 0;
    return 1;
}

static int word_start(const char *s, size_t i)
{
    return i == 0 || !pw_isalpha((unsigned char)s[i - 1]);
}

/* The UTF-8 letter that ends right before s[i] (s[i - 1] >= 0x80): its length, 0 when none. */
static size_t utf8_letter_before(const char *s, size_t n, size_t i, int *up)
{
    size_t k = i - 1;
    while (k > 0 && i - k < 3 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return utf8_letter(s, n, k, up) == i - k ? i - k : 0;
}

typedef struct credential {
    const char *text;
    unsigned char len;
    unsigned char state; /* also a US state's code ("Silver Spring, MD 20910") */
} credential;

/* c is the first letter of a credential (", MD", ", DO", ", NP", ", PA-C", ", RN", ", FNP",
 * ", APRN", ", CRNP", ", LCSW", ", OD"). */
static inline int credential_initial(char c)
{
    return c == 'M' || c == 'D' || c == 'N' || c == 'P' || c == 'R' || c == 'F' || c == 'A' ||
           c == 'C' || c == 'L' || c == 'O';
}

/* a[0..l) equals b[0..l) (a few bytes: no memcmp call). */
static int bytes_eq(const char *a, const char *b, size_t l)
{
    for (size_t k = 0; k < l; k++)
        if (a[k] != b[k])
            return 0;
    return 1;
}

/* The credential written at s[p] ("MD", "M.D.", "NP-C", "FNP-BC", "PhD"): its end, 0 when
 * there is none; *state: it is also a state's code. A board suffix of one or two capitals after a
 * hyphen belongs to it ("NP-C", "FNP-BC", "ANP-BC"). */
static size_t credential_at(const char *s, size_t n, size_t p, int *state)
{
    /* by first letter, each group ended by an empty entry */
    static const credential creds[] = {
        {"MD", 2, 1},   {"M.D.", 4, 0}, {"MBBS", 4, 0},  {"MPH", 3, 0},  {NULL, 0, 0},
        {"DO", 2, 0},   {"D.O.", 4, 0}, {"DDS", 3, 0},   {"DMD", 3, 0},  {"DPM", 3, 0},
        {"DNP", 3, 0},  {NULL, 0, 0},   {"NP", 2, 0},    {NULL, 0, 0},   {"PA-C", 4, 0},
        {"PhD", 3, 0},  {"PsyD", 4, 0}, {"PMHNP", 5, 0}, {NULL, 0, 0},   {"RN", 2, 0},
        {NULL, 0, 0},   {"FNP", 3, 0},  {"FACP", 4, 0},  {"FACS", 4, 0}, {"FAAP", 4, 0},
        {NULL, 0, 0},   {"APRN", 4, 0}, {"ANP", 3, 0},   {"AGNP", 4, 0}, {NULL, 0, 0},
        {"CRNP", 4, 0}, {"CNM", 3, 0},  {"CNP", 3, 0},   {NULL, 0, 0},   {"LCSW", 4, 0},
        {"LMFT", 4, 0}, {"LPC", 3, 0},  {NULL, 0, 0},    {"OD", 2, 0},   {NULL, 0, 0}};
    if (p + 1 >= n)
        return 0;
    size_t from;
    switch (s[p]) {
    case 'M': from = 0; break;
    case 'D': from = 5; break;
    case 'N': from = 12; break;
    case 'P': from = 14; break;
    case 'R': from = 19; break;
    case 'F': from = 21; break;
    case 'A': from = 26; break;
    case 'C': from = 30; break;
    case 'L': from = 34; break;
    case 'O': from = 38; break;
    default: return 0;
    }
    char c2 = s[p + 1]; /* a capital but in "M.D.", "D.O.", "PhD", "PsyD": most words go here */
    if (!pw_isupper((unsigned char)c2) && c2 != '.' && c2 != 'h' && c2 != 's')
        return 0;
    for (size_t k = from; creds[k].text; k++) {
        size_t l = creds[k].len;
        if (p + l > n || s[p + 1] != creds[k].text[1] ||
            !bytes_eq(s + p + 2, creds[k].text + 2, l - 2))
            continue;
        size_t e = p + l;
        if (e < n && pw_isalpha((unsigned char)s[e]))
            continue;
        if (e + 1 < n && s[e] == '-' && pw_isupper((unsigned char)s[e + 1])) {
            size_t b = e + 1 + (e + 2 < n && pw_isupper((unsigned char)s[e + 2]) ? 2 : 1);
            if (b < n && pw_isalpha((unsigned char)s[b]))
                continue;
            e = b;
        }
        *state = creds[k].state;
        return e;
    }
    return 0;
}

/* After a state's code ending at s[e]: a ZIP code or the country ("Silver Spring, MD 20910",
 * "Bethesda, MD, USA"): the words before it are a place. */
static int place_after_state(const char *s, size_t n, size_t e)
{
    size_t p = e;
    while (p < n && (s[p] == ' ' || s[p] == ','))
        p++;
    if (p == e)
        return 0;
    if (pw_digits_at(s, n, p) == 5)
        return 1;
    return (p + 2 <= n && s[p] == 'U' && s[p + 1] == 'S' &&
            (p + 2 == n || s[p + 2] == 'A' || !pw_isalpha((unsigned char)s[p + 2]))) ||
           (p + 13 <= n && bytes_eq(s + p, "United States", 13));
}

/* "Jane Smith, MD": credentials after a name make it a provider (not a state's code before a ZIP
 * code or the country: "Silver Spring, MD 20910"). */
static int credential_after(const char *s, size_t n, size_t e)
{
    int state = 0;
    if (e + 3 > n || s[e] != ',' || s[e + 1] != ' ' || !credential_initial(s[e + 2]))
        return 0;
    size_t c = credential_at(s, n, e + 2, &state);
    if (!c || (state && place_after_state(s, n, c)))
        return 0;
    return state ? 2 : 1;
}

/* The word before s[i] (a name's first byte) is "in" or "near": the name is a place's, when its
 * credential is a state's code too ("offices in Silver Spring, MD"). */
static int place_word_before(const char *s, size_t i)
{
    if (i < 4 || s[i - 1] != ' ')
        return 0;
    size_t b = i - 1;
    while (b > 0 && pw_isalpha((unsigned char)s[b - 1]))
        b--;
    if (b > 0 && pw_isalnum((unsigned char)s[b - 1]))
        return 0;
    return word_eq(s + b, i - 1 - b, "in") || word_eq(s + b, i - 1 - b, "near");
}

/* The last comma of s where credential_after matches: a name before credentials ends there,
 * so it starts before it. 0 when there is none (a name cannot end at offset 0). */
static size_t last_credential(const char *s, size_t n)
{
    size_t last = 0;
    const char *p = memchr(s, ',', n);
    while (p) {
        size_t k = (size_t)(p - s);
        if (credential_after(s, n, k))
            last = k;
        p = k + 1 < n ? memchr(p + 1, ',', n - k - 1) : NULL;
    }
    return last;
}

/* Where the trigger words may start: before the last upper-case letter that starts a word (a
 * trigger ends with a space and at least 3 bytes before the name it announces), from the mask of
 * a segment of at most 64 bytes; n without one. That word itself may start a trigger whose name
 * is typed in lower case ("Patient: naomi ryan"): name_text asks it apart (last_capital_word). */
static size_t names_end(const pw_seg *g)
{
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (!m || m->words != 1 || (g->sum->cls & PW_SUM_HIGH))
        return g->n; /* a name may start with a capital outside ASCII ("Dr. Ángel") */
    uint64_t u = pw_mask(m, PW_MK_UPPER, 0) & ~(pw_mask(m, PW_MK_ALPHA, 0) << 1);
    if (!u)
        return 0;
    size_t last = 63 - (size_t)__builtin_clzll(u);
    return last >= 3 ? last - 2 : 0;
}

/* s[0..len) is one of the lower-case words (case-insensitive). */
static int in_list(const char *const *words, const char *s, size_t len)
{
    if (len == 0)
        return 0; /* no list holds an empty word */
    /* engine-real10: the first letter is compared before word_eq (the lists are lower case, so
     * this is word_eq's own first step): most words of a list differ there */
    char c0 = (char)pw_tolower((unsigned char)s[0]);
    for (const char *const *w = words; *w; w++)
        if ((*w)[0] == c0 && word_eq(s, len, *w))
            return 1;
    return 0;
}

/* The order of s[0..len), read in lower case, against the word w (strcmp's order). */
static int word_cmp(const char *s, size_t len, const char *w)
{
    for (size_t k = 0; k < len; k++) {
        if (w[k] == '\0')
            return 1;
        unsigned char c = (unsigned char)pw_tolower((unsigned char)s[k]), x = (unsigned char)w[k];
        if (c != x)
            return c < x ? -1 : 1;
    }
    return w[len] == '\0' ? 0 : -1;
}

/* in_list for a list sorted in strcmp's order, by bisection (engine-real10): generic_word asks
 * three lists of 45-152 words for every word of a loosely announced name, ~4,700 instructions a
 * word when each was compared in turn. */
static int in_sorted(const char *const *words, size_t nw, const char *s, size_t len)
{
    size_t lo = 0, hi = nw;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = word_cmp(s, len, words[mid]);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* Capitalised words that follow a bare "Patient" in page titles and menus ("Patient Portal",
 * "Patient Financial Services") and are never a first name. */
static const char *const title_words[] = {
    /* sorted (strcmp order; in_sorted searches them, pw_name_lists_sorted checks) */
    "access",         "accounts",     "advocacy",    "advocate",  "affairs",      "and",
    "assistance",     "billing",      "care",        "center",    "centre",       "education",
    "experience",     "families",     "family",      "financial", "forms",        "guide",
    "handbook",       "home",         "information", "intake",    "login",        "name",
    "navigation",     "navigator",    "of",          "or",        "portal",       "privacy",
    "records",        "registration", "relations",   "resources", "rights",       "safety",
    "satisfaction",   "services",     "stories",     "support",   "testimonials", "transport",
    "transportation", "visitor",      "visitors",
};

static int title_word_after_patient(const char *s, size_t len)
{
    return in_sorted(title_words, sizeof title_words / sizeof title_words[0], s, len);
}

/* The words of the name s[b..e) (separated by single spaces), or 0 when one is a reject word. */
static size_t name_words_without(const char *s, size_t b, size_t e,
                                 int (*reject)(const char *, size_t))
{
    size_t words = 0;
    for (size_t i = b; i < e;) {
        size_t j = i;
        while (j < e && s[j] != ' ')
            j++;
        if (reject(s + i, j - i))
            return 0;
        words++;
        i = j + 1;
    }
    return words;
}

/* s[i..) starts a record's label ("MRN", "DOB", "SSN", "ID", "Acct", "MBI", "#"): a patient's
 * name followed by an identifier of theirs is a record line, not a title
 * ("patient John Smith MRN 4482913"). */
static int record_label_at(const char *s, size_t n, size_t i)
{
    static const char *const labels[] = {"mrn", "dob", "ssn", "id", "acct", "mbi", NULL};
    if (i < n && s[i] == '#')
        return 1;
    size_t j = i;
    while (j < n && pw_isalpha((unsigned char)s[j]))
        j++;
    if (j == i || (j < n && pw_isalnum((unsigned char)s[j])))
        return 0;
    return in_list(labels, s + i, j - i);
}

/* Words that address a group or a role, never one person by name: "Dear Valued Patient,",
 * "Dear Hiring Manager:", "Dear Community Members,". */
static const char *const addressee_words[] = {
    /* sorted (strcmp order; in_sorted searches them, pw_name_lists_sorted checks): groups and
     * roles ("Dear Valued Patient"), and words alone after "Dear" (a relative, a reader) */
    "administrator",
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
    "you",
};

static int addressee_word(const char *s, size_t len)
{
    return in_sorted(addressee_words, sizeof addressee_words / sizeof addressee_words[0], s, len);
}

/* Words of buttons, forms and placeholders: a "name" value made of them names a control
 * ("name=Contact+Us", "\"name\":\"Submit Form\""), never a person. */
static const char *const control_words[] = {
    /* sorted (strcmp order; in_sorted searches them, pw_name_lists_sorted checks): controls,
     * organisations, events and programmes named by a "name" member, and places named by a
     * location list's "name" ("Hilltop Commons", "Riverside Plaza") */
    "apply",      "associates", "back",       "building",   "button",   "call",       "campaign",
    "campus",     "cancel",     "click",      "close",      "college",  "commons",    "contact",
    "continue",   "default",    "details",    "donate",     "email",    "event",      "events",
    "example",    "first",      "form",       "foundation", "full",     "fundraiser", "gala",
    "general",    "group",      "healthcare", "help",       "home",     "hospital",   "info",
    "institute",  "last",       "learn",      "link",       "login",    "logout",     "main",
    "mall",       "medical",    "menu",       "more",       "name",     "new",        "next",
    "offices",    "open",       "partners",   "pavilion",   "pharmacy", "phone",      "physicians",
    "plaza",      "program",    "programs",   "read",       "register", "request",    "residency",
    "sample",     "save",       "seminar",    "send",       "sign",     "submit",     "test",
    "university", "unknown",    "update",     "us",         "view",     "webinar",    "workshop",
};

static int control_word(const char *s, size_t len)
{
    return in_sorted(control_words, sizeof control_words / sizeof control_words[0], s, len);
}

/* Each list in_sorted searches is in strcmp's order, without repeats, in lower case (unit test:
 * test_detect_fast_rejects). */
static int sorted_lower(const char *const *words, size_t nw)
{
    for (size_t i = 0; i < nw; i++) {
        for (const char *c = words[i]; *c; c++)
            if (pw_tolower((unsigned char)*c) != (unsigned char)*c)
                return 0;
        if (i > 0 && strcmp(words[i - 1], words[i]) >= 0)
            return 0;
    }
    return 1;
}

int pw_name_lists_sorted(void)
{
    return sorted_lower(title_words, sizeof title_words / sizeof title_words[0]) &&
           sorted_lower(addressee_words, sizeof addressee_words / sizeof addressee_words[0]) &&
           sorted_lower(control_words, sizeof control_words / sizeof control_words[0]);
}

/* One word of a name that context announces loosely ("Dear …,", a bare "name" key): none that
 * addresses a group or a role, names a page or a control. */
static int generic_word(const char *s, size_t len)
{
    return addressee_word(s, len) || title_word_after_patient(s, len) || control_word(s, len);
}

/* The trigger at s[t] reads as part of a sentence: written in lower case ("patient"), or after a
 * word that ends in a small letter ("Message from Patient"). A title or a menu item starts the
 * text or follows a capitalised word or a separator ("Home | Patient Engagement Specialist"). */
static int after_lower_case(const char *s, size_t t)
{
    return pw_islower((unsigned char)s[t]) ||
           (t >= 2 && s[t - 1] == ' ' && pw_islower((unsigned char)s[t - 2]));
}

/* The vocabulary's matches in s[0..n): a raw scan with the automaton, a scan of a normalised
 * copy (pw_vocab_normalize) with Hyperscan, which has no raw scan. 0 when it cannot say. */
static int vocab_matches(pw_scan *sc, const char *s, size_t n, const pw_vocab_match **m, size_t *nm)
{
    const pw_vocab *v = sc->d->vocab;
    *nm = 0;
    if (!v || !sc->s->vocab)
        return 0;
    if (pw_vocab_backend_of(v) == PW_VOCAB_BACKEND_AC)
        return pw_vocab_scan_raw(v, sc->s->vocab, s, n, m, nm, NULL) == PW_OK;
    char *norm = pw_arena_alloc(sc->a, n + 1);
    pw_vocab_match *out = NULL;
    if (!norm)
        return 0;
    size_t len = pw_vocab_normalize(s, n, norm);
    if (pw_vocab_scan(v, sc->s->vocab, sc->a, norm, len, &out, nm, NULL) != PW_OK)
        return 0;
    *m = out;
    return 1;
}

/* The words s[b..e) hold a term of the health vocabulary: "Dear Cancer," and "Dear Breast
 * Cancer," open a letter to an illness, not to a person. */
static int health_term_in(pw_scan *sc, const char *s, size_t b, size_t e)
{
    const pw_vocab *v = sc->d->vocab;
    const pw_vocab_match *m = NULL;
    size_t nm = 0;
    if (!vocab_matches(sc, s + b, e - b, &m, &nm))
        return 0;
    for (size_t k = 0; k < nm; k++)
        if (pw_vocab_entry_at(v, m[k].entry)->cls <= PW_VOCAB_SENSITIVE_SERVICE)
            return 1;
    return 0;
}

/* Last words of job titles and page names shaped like "Patient First Last" ("Patient Engagement
 * Specialist", "Patient Parking Garage", "Patient Bill Pay"): no surname after a bare "Patient". */
static int title_tail_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "aide", "aides", "alert", "alerts", "ambassador", "ambassadors", "app", "assistant",
        "assistants", "associate", "award", "awards", "brochure", "coordinator", "coordinators",
        "council", "counselor", "day", "director", "educator", "entrance", "escort", "garage",
        "guidelines", "hours", "instructions", "liaison", "lounge", "manager", "meals", "month",
        "newsletter", "notice", "officer", "packet", "pay", "policy", "questions", "registrar",
        "representative", "representatives", "scheduler", "sitter", "specialist", "specialists",
        "supervisor", "survey", "technician", "technicians", "update", "updates", "video", "videos",
        "week", "wifi", "options", "drive", "desk", "book", "classes", "class", "directory", "line",
        "fund", "network", "club", "kit", "card", "cards", "tips", "faq", "faqs", "news", "login",
        "locations", "parking", "gallery", "shop", "equipment", "room", "rooms", "amenities",
        "visits",
        /* services, tools and programmes of a page title */
        "act", "bureau", "comments", "data", "delivery", "discounts", "estimates", "gifts",
        "grievances", "house", "hygiene", "items", "jobs", "kits", "language", "lodging", "mentors",
        "messaging", "off", "ordering", "outcomes", "planning", "plans", "process", "ratings",
        "reports", "research", "scores", "series", "service", "signup", "studies", "tool", "tools",
        "up", "work", "yous", "calculator", "requests", "routes", "tours", NULL};
    return in_list(words, s, len);
}

/* First words of page titles shaped like "Patient First Last" that are no given name ("Patient
 * Lounge Piano", "Patient Shuttle Service", "Patient Reported Outcomes", "Patient Drop Off"):
 * things, qualities and participles where a first name would stand. */
static int title_first_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "belongings",  "blood",    "bus",        "centered",  "centred",  "comfort",
        "complaints",  "cost",     "discharge",  "driven",    "drop",     "estimate",
        "flower",      "garden",   "gift",       "grievance", "hand",     "honor",
        "hospitality", "hotel",    "insurance",  "led",       "lounge",   "mail",
        "meal",        "memorial", "newsletter", "no",        "owned",    "peer",
        "pick",        "plain",    "powered",    "prayer",    "price",    "quality",
        "ratings",     "reported", "research",   "reviews",   "ride",     "room",
        "shuttle",     "sitter",   "social",     "speaker",   "speakers", "spotlight",
        "story",       "text",     "thank",      "travel",    "tribute",  NULL};
    return in_list(words, s, len);
}

/* Names spelt like nouns of noun_word: given names and surnames that end in "-ing", "-ment",
 * "-ness" ("Patient Sterling Brown", "Patient Mary Clement", "Patient Sean McGuinness"). */
static int name_like_noun(const char *s, size_t len)
{
    static const char *const words[] = {"channing", "clement", "fleming",    "guinness", "harding",
                                        "irving",   "manning", "mcguinness", "sterling", NULL};
    return in_list(words, s, len);
}

/* A word made like a noun of a page or a role, never a name ("Registration", "Engagement",
 * "Wellness", "Partnership", "Radiology", "Amenities"; and as a first word, where it is no given
 * name, "Dining"): a suffix after 3+ other letters. */
static int noun_word(const char *s, size_t len, int first)
{
    static const char *const suffixes[] = {"ing", "tion", "sion", "ment", "ness", "ship",  "ogy",
                                           "ics", "ism",  "ful",  "less", "able", "ities", NULL};
    if (name_like_noun(s, len))
        return 0;
    for (const char *const *x = suffixes + !first; *x; x++) {
        size_t l = strlen(*x);
        if (len >= l + 3 && word_eq(s + len - l, l, *x))
            return 1;
    }
    return 0;
}

/* No word of s[b..e) (separated by single spaces) is made like a noun (noun_word). */
static int no_noun_word(const char *s, size_t b, size_t e)
{
    for (size_t i = b; i < e;) {
        size_t j = i;
        while (j < e && s[j] != ' ')
            j++;
        if (noun_word(s + i, j - i, i == b))
            return 0;
        i = j + 1;
    }
    return 1;
}

/* A text that is only "Patient First Last" (the trigger starts it, the name ends it): a record's
 * label or a message's subject, or a title of the same shape. A name when it is two or three
 * words, none a word of a group, a role, a page or a control, none made like a noun
 * (noun_word), the first no thing where a given name would stand (title_first_word), the last
 * none that ends a job title or a page name, and none a term of the vocabulary of any class
 * ("Patient Cancer Navigator", "Patient Specialist Referral"). */
static int whole_text_name(pw_scan *sc, const char *s, size_t b, size_t e)
{
    size_t words = name_words_without(s, b, e, generic_word), last = e;
    if (words < 2 || words > 3)
        return 0;
    while (last > b && s[last - 1] != ' ')
        last--;
    const pw_vocab_match *m = NULL;
    size_t nm = 0;
    size_t first = b;
    while (first < e && s[first] != ' ')
        first++;
    return no_noun_word(s, b, e) && !title_first_word(s + b, first - b) &&
           !title_tail_word(s + last, e - last) && vocab_matches(sc, s + b, e - b, &m, &nm) &&
           nm == 0;
}

/* After a bare "patient ", the words s[b..e) are a name only as part of a sentence ("Patient
 * John Smith called about…", "spoke with patient Mary Jones."): a first and a last name, no
 * title word among them, and the text goes on in lower case or punctuation. A title or a menu
 * ("Patient Portal Login", "Patient Financial Services") is all capitalised words and ends
 * there; the text may end with the name only after a sentence and with no word of a group, a
 * role, a page or a control among them, or when the name is all the text after "Patient"
 * (whole_text_name). */
static int sentence_name(pw_scan *sc, const char *s, size_t n, size_t t, size_t b, size_t e)
{
    if (name_words_without(s, b, e, title_word_after_patient) < 2)
        return 0;
    if (e == n && t == 0) /* the whole text: "Patient John Smith" */
        return whole_text_name(sc, s, b, e);
    if (e == n) /* the text ends with the name: "Message from patient John Smith" */
        return after_lower_case(s, t) && name_words_without(s, b, e, generic_word) >= 2;
    if (s[e] == ',' || s[e] == ';' || s[e] == ':' || s[e] == '(' || s[e] == '.')
        return 1;
    int up;
    return s[e] == ' ' && e + 1 < n &&
           ((letter_at(s, n, e + 1, &up) && !up) || pw_isdigit((unsigned char)s[e + 1]) ||
            record_label_at(s, n, e + 1));
}

/* After "Dear ", the words s[b..e) are the addressee of a letter or an e-mail when they are a
 * name ("Dear Maria Garcia,", "Dear Maria,"), no word addresses a group, a role or a page
 * ("Dear Valued Patient,", "Dear Patients and Visitors,", "Dear Sir or Madam"), and the
 * salutation ends there with ',', ':' or '!', and they name no illness (health_term_in). */
static int salutation_name(pw_scan *sc, const char *s, size_t n, size_t b, size_t e)
{
    return name_words_without(s, b, e, generic_word) >= 1 && e < n &&
           (s[e] == ',' || s[e] == ':' || s[e] == '!') && !health_term_in(sc, s, b, e);
}

/* Capitalised Spanish words of titles and menus after "para" ("Cita para Nuevos Pacientes",
 * "Consultas para Adultos Mayores", "Haga su cita para Hoy Mismo"): never a name there. */
static int title_word_es(const char *s, size_t len)
{
    static const char *const words[] = {
        "adultos",      "ahora",   "bebes",   "embarazadas", "empleados",  "familia",  "familias",
        "hombres",      "hoy",     "jovenes", "manana",      "mayores",    "mismo",    "mujer",
        "mujeres",      "ninas",   "ninos",   "nueva",       "nuevas",     "nuevo",    "nuevos",
        "personas",     "todas",   "todos",   "usted",       "visitantes", "medicare", "medicaid",
        "adolescentes", "seniors", NULL};
    return in_list(words, s, len);
}

/* A word of a group, a role, a page or a control, English or Spanish. */
static int generic_word_es(const char *s, size_t len)
{
    return generic_word(s, len) || title_word_es(s, len);
}

/* An appointment word in the same sentence before s[t] ("Cita confirmada para", "Recordatorio de
 * su consulta para"): "cita" or "consulta" (plural too) at most 40 bytes back, with no '.', '|'
 * or line break between. */
static int appt_word_before_es(const char *s, size_t t)
{
    static const char *const words[] = {"cita", "citas", "consulta", "consultas", NULL};
    size_t from = t > 40 ? t - 40 : 0, k = t;
    while (k > from) {
        char c = s[k - 1];
        if (c == '.' || c == '|' || c == '\n')
            return 0;
        if (!pw_isalpha((unsigned char)c)) {
            k--;
            continue;
        }
        size_t e = k;
        while (k > from && pw_isalpha((unsigned char)s[k - 1]))
            k--;
        if (in_list(words, s + k, e - k))
            return 1;
    }
    return 0;
}

/* After Spanish "para " (at s[t]; the words s[b..e)), a name when an appointment word comes first
 * in the sentence ("Cita confirmada para Rosa Delgado el 06/14/2026"): two to four name words,
 * none of a group, a role, a page or a title (Spanish ones too: "Nuevos Pacientes") and none a
 * term of the vocabulary ("Cita para Cirugía Cardíaca"), followed by the end of the text,
 * punctuation or a lower-case word ("el", "a las"). */
static int appt_name_es(pw_scan *sc, const char *s, size_t n, size_t t, size_t b, size_t e)
{
    int up;
    if (name_words_without(s, b, e, generic_word_es) < 2 || !appt_word_before_es(s, t))
        return 0;
    if (e < n && !(s[e] == ',' || s[e] == ';' || s[e] == ':' || s[e] == '.' || s[e] == '(' ||
                   (s[e] == ' ' && e + 1 < n && letter_at(s, n, e + 1, &up) && !up)))
        return 0;
    const pw_vocab_match *m = NULL;
    size_t nm = 0;
    return vocab_matches(sc, s + b, e - b, &m, &nm) && nm == 0;
}

/* A provider's name from the capital at s[i] that ends at a credential's comma, before cred_end
 * ("Jane Smith, MD"). Returns the last byte it consumed (i, or the name's last byte). */
static size_t provider_before_credentials(pw_scan *sc, const pw_seg *g, size_t i, size_t cred_end)
{
    const char *s = g->s;
    size_t n = g->n, e = i < cred_end ? name_words(sc, g, i) : 0;
    int cred = e && memchr(s + i, ' ', e - i) ? credential_after(s, n, e) : 0;
    if (!cred || (cred == 2 && place_word_before(s, i)))
        return i;
    pw_scan_add(sc, g, i, e, PW_PHI_NAME, "provider", NULL, 0.85f, PW_REASON_CONTEXT,
                "credentials after name");
    return e - 1;
}

/* After a question for a name ("What's your name? "), the words s[b..e) are its answer when they
 * end the text, the line or a clause and none is a word of a group, a role, a page or a control:
 * "What's your name? Sölvi Salómonsson"; a form's prompt goes on ("What's your name? Tell us
 * below"). */
static int answer_name(const char *s, size_t n, size_t b, size_t e)
{
    if (e < n && s[e] != '\n' && s[e] != '\r' && s[e] != ',' && s[e] != '.' && s[e] != ';' &&
        s[e] != '!')
        return 0;
    return name_words_without(s, b, e, generic_word) >= 1;
}

/* A courtesy title or "Dr." that a name's first word may be ("this is Mr. Hans Mayer"): the
 * title's own trigger then takes the name. */
static int title_word(const char *s, size_t len)
{
    static const char *const words[] = {"mr", "mrs", "ms", "miss", "dr", "doctor", "dra", NULL};
    while (len > 0 && s[len - 1] == '.')
        len--;
    return in_list(words, s, len);
}

/* A word that starts with a small letter in s[0..n) outside s[from..to): the text is a sentence,
 * not a title or a button of capitalised words ("I'm Feeling Lucky", "This Is Springfield"). */
static int lower_word_outside(const char *s, size_t n, size_t from, size_t to)
{
    for (size_t k = 0; k < n; k++) {
        if (k == from) {
            k = to;
            if (k >= n)
                break;
        }
        if (pw_islower((unsigned char)s[k]) && (k == 0 || !pw_isalpha((unsigned char)s[k - 1])) &&
            (k == 0 || s[k - 1] != '\''))
            return 1;
    }
    return 0;
}

/* The words s[b..e) after a trigger word at s[t] name a person in a loose context when they are
 * one to four name words, none a title ("Mr.": its own trigger), a word of a group, a role, a
 * page or a control, nor a health term. */
static int loose_words_name(pw_scan *sc, const char *s, size_t b, size_t e)
{
    size_t first = b;
    while (first < e && s[first] != ' ')
        first++;
    return !title_word(s + b, first - b) && name_words_without(s, b, e, generic_word) >= 1 &&
           !health_term_in(sc, s, b, e);
}

/* The last word of s[b..e) is a campaign's or a state's adjective ("Springfield Strong", "Mercy
 * Proud"): what a slogan ends in, where a name ends in a surname. */
static int slogan_last_word(const char *s, size_t b, size_t e)
{
    static const char *const words[] = {"strong",  "proud", "ready",    "united",     "tough",
                                        "brave",   "bold",  "grateful", "thankful",   "blessed",
                                        "healthy", "fit",   "happy",    "vaccinated", NULL};
    size_t w = e;
    while (w > b && s[w - 1] != ' ')
        w--;
    return in_list(words, s + w, e - w);
}

/* "and so are/is/am/..." at s[p] after words s[b..e) ending in a slogan's adjective: what the
 * words before are, others are too ("I am Springfield Strong and so are you", "I'm Boston Strong,
 * and so is my family"): a slogan or a state, which a name never is. After a name the same words
 * are a sentence going on ("I'm Naomi Ryan, and so is my question about billing"). */
static int shared_after(const char *s, size_t n, size_t b, size_t e, size_t p)
{
    if (!slogan_last_word(s, b, e))
        return 0;
    static const char *const verbs[] = {"are", "is", "am", "was", "were", "do", "does", NULL};
    if (p + 7 > n || !pw_strncaseeq(s + p, "and so ", 7))
        return 0;
    p += 7;
    for (const char *const *v = verbs; *v; v++) {
        size_t l = strlen(*v);
        if (p + l <= n && pw_strncaseeq(s + p, *v, l) &&
            (p + l == n || !pw_isalpha((unsigned char)s[p + l])))
            return 1;
    }
    return 0;
}

/* After "I'm", "I am", "this is", "call me", "my kid" (at s[t]), the words s[b..e) are the
 * visitor's or their family's name when they read as a name (loose_words_name), the sentence goes
 * on after them (the end, punctuation, a line break or a small word: "I'm Naomi Ryan, originally
 * from", "my kid Lukas from the portal") except into "your" ("I'm Ava, your virtual assistant":
 * a chat bot's persona) or "and so are/is" (shared_after), and the text is a sentence: a small
 * word somewhere else in it ("I'm Interested", "I am Springfield Strong" are titles and buttons).
 */
static int self_name(pw_scan *sc, const char *s, size_t n, size_t t, size_t b, size_t e)
{
    /* "it's under" is small words itself ("Maybe it's under Mathias Ruud"); "I am", "this is",
     * "call me" are a title's words too ("I Am Springfield", "Call Me Maybe") */
    size_t from = (s[t + 1] | 32) == 't' && (s[t] | 32) == 'i' ? b : t;
    if (!loose_words_name(sc, s, b, e) || !lower_word_outside(s, n, from, e))
        return 0;
    if (e == n)
        return 1;
    size_t p = e;
    if (s[p] == ',' || s[p] == '.' || s[p] == ';' || s[p] == '!' || s[p] == '?' || s[p] == ':' ||
        s[p] == ')')
        p++;
    else if (s[p] != '\n' && s[p] != '\r' && s[p] != ' ')
        return 0;
    while (p < n && s[p] == ' ')
        p++;
    if (p + 4 <= n && pw_strncaseeq(s + p, "your", 4) &&
        (p + 4 == n || !pw_isalpha((unsigned char)s[p + 4])))
        return 0;
    if (shared_after(s, n, b, e, p))
        return 0;
    if (s[e] != ' ' || p >= n)
        return 1; /* punctuation or a line break ends the name */
    return pw_islower((unsigned char)s[p]) || pw_isdigit((unsigned char)s[p]);
}

/* After "Hi", "Hello", "Hey" (at s[t]), the words s[b..e) are the person greeted when the
 * greeting starts the text, a line or a sentence, a comma follows the name ("Hi Freddy,") and
 * they read as a name (loose_words_name): "Hi Everyone,", "Hello Springfield!" are none. */
static int greeting_name(pw_scan *sc, const char *s, size_t n, size_t t, size_t b, size_t e)
{
    size_t k = t;
    while (k > 0 && s[k - 1] == ' ')
        k--;
    if (k > 0 && s[k - 1] != '\n' && s[k - 1] != '.' && s[k - 1] != '!' && s[k - 1] != '?' &&
        s[k - 1] != '>')
        return 0;
    return e < n && s[e] == ',' && loose_words_name(sc, s, b, e);
}

/* After a sign-off ("Thanks,", "Regards,", "Signed,"), the words s[b..e) are the sender's name
 * when they end the text or a line and read as a name (loose_words_name): "Thanks, The Patient
 * Experience Team", "Regards, Customer Service" are none. */
static int signoff_name(pw_scan *sc, const char *s, size_t n, size_t b, size_t e)
{
    return (e == n || s[e] == '\n' || s[e] == '\r') && loose_words_name(sc, s, b, e);
}

/* "name " at s[t] follows a possessive: "my partner's name", "his name", "her name". */
static int possessive_before(const char *s, size_t t)
{
    /* not "our": an organisation's ("our name Mercy says it all") */
    static const char *const words[] = {"my", "his", "her", "their", NULL};
    size_t k = t;
    if (k == 0 || s[k - 1] != ' ')
        return 0;
    k--;
    if (k >= 2 && s[k - 1] == 's' && s[k - 2] == '\'')
        return 1;
    size_t b = k;
    while (b > 0 && pw_isalpha((unsigned char)s[b - 1]))
        b--;
    return b < k && in_list(words, s + b, k - b);
}

/* "User: " at s[t] answers a question for a name in a chat transcript ("Bot: What's the name on
 * the account? User: Keira E. Forster"): a '?' right before it, "name" in the 80 bytes before,
 * and the answer ends the text, the line or a clause (answer_name). */
static int chat_answer(const char *s, size_t n, size_t t, size_t b, size_t e)
{
    size_t k = t;
    while (k > 0 && s[k - 1] == ' ')
        k--;
    if (k == 0 || s[k - 1] != '?')
        return 0;
    size_t from = k > 80 ? k - 80 : 0;
    return pw_strcasestr_n(s + from, k - from, "name") != NULL && answer_name(s, n, b, e);
}

/* After "add" (at s[t]), the words s[b..e) are a person added to an account or a record in a
 * role ("add Edvard Petrussen as a beneficiary", "we need to add Samir Jelenovic as guardian",
 * "add my wife" is "my wife"'s): " as ", an article or "my", then a role word. */
static int add_as_name(pw_scan *sc, const char *s, size_t n, size_t b, size_t e)
{
    static const char *const articles[] = {"a", "an", "my", "the", "our", NULL};
    static const char *const roles[] = {
        "guardian",   "beneficiary", "proxy",     "representative", "contact",
        "caregiver",  "dependent",   "dependant", "user",           "emergency",
        "authorized", "authorised",  "co-signer", "cosigner",       "parent",
        "member",     "spouse",      "joint",     "secondary",      "primary",
        "holder",     "signer",      "designee",  "agent",          NULL};
    if (e + 4 > n || memcmp(s + e, " as ", 4) != 0 || !loose_words_name(sc, s, b, e))
        return 0;
    size_t p = e + 4, w = p;
    while (w < n && pw_isalpha((unsigned char)s[w]))
        w++;
    if (in_list(articles, s + p, w - p) && w < n && s[w] == ' ') {
        p = w + 1;
        for (w = p; w < n && (pw_isalpha((unsigned char)s[w]) || s[w] == '-'); w++)
            ;
    }
    return in_list(roles, s + p, w - p);
}

/* After "change it to" / "correct it to" / "update it to" (at s[t]), the words s[b..e) are a
 * corrected name when "name" comes in the 100 bytes before ("The name in the account is not
 * correct, please change it to Mary Gavrilova") and they end the text, the line or a clause
 * (answer_name) and read as a name (loose_words_name). */
static int rename_name(pw_scan *sc, const char *s, size_t n, size_t t, size_t b, size_t e)
{
    size_t from = t > 100 ? t - 100 : 0;
    return pw_strcasestr_n(s + from, t - from, "name") != NULL && answer_name(s, n, b, e) &&
           loose_words_name(sc, s, b, e);
}

/* A name announced by a trigger word starting at the word start s[i], or a provider's name
 * before credentials ending at or before cred_end. Returns the last byte it consumed (i, or the
 * name's last byte). */
static int label_word(const char *s, size_t len);
static int lower_name_word(const char *s, size_t w, size_t i);

/* Small English words a lower-case name is never made of and that may follow one in a sentence
 * ("my name is naomi ryan and i need…"; "my name is spelled wrong" is no name). */
static int small_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "a",       "an",      "and",    "the",   "i",    "im",    "me",    "my",      "you",
        "your",    "we",      "he",     "she",   "they", "it",    "is",    "was",     "are",
        "be",      "not",     "but",    "so",    "or",   "as",    "at",    "by",      "for",
        "from",    "in",      "into",   "of",    "on",   "to",    "with",  "this",    "that",
        "here",    "there",   "please", "can",   "will", "would", "need",  "want",    "have",
        "has",     "had",     "just",   "also",  "too",  "again", "still", "spelled", "wrong",
        "correct", "missing", "below",  "above", "same", "new",   "old",   "now",     "if",
        "when",    NULL};
    /* what follows "follow up with naomi ryan" (engine-recall5) */
    static const char *const after[] = {"about", "next",  "today",     "tomorrow", "tonight",
                                        "soon",  "later", "regarding", NULL};
    return in_list(words, s, len) || in_list(after, s, len);
}

/* After "my name is", "name:", "patient:" (the triggers of lower_trigger), a name typed in lower
 * case at s[b] ("my name is naomi ryan and i need to reschedule", "Patient: naomi ryan"): two or
 * three lower-case name words (lower_name_word, none a small_word) that end the text, a line or
 * a clause (punctuation), or are followed by a small word. End or 0. engine-recall3 */
static size_t lower_text_name(pw_scan *sc, const char *s, size_t n, size_t b)
{
    size_t words = 0, e = b, w = b;
    for (int k = 0; words < 3 && w < n && k < 6; k++) {
        size_t i = w;
        while (i < n && (pw_isalpha((unsigned char)s[i]) || s[i] == '\'' || s[i] == '-'))
            i++;
        int particle = words > 0 && particle_word(s + w, i - w);
        /* a middle initial ("benjamin a seiler"): a name word must follow it (below) */
        int initial = words == 1 && i - w == 1 && (s[w] | 32) != 'i' && i + 1 < n && s[i] == ' ';
        particle |= initial;
        /* no group's words either: "follow up with human resources" (engine-recall5) */
        if (!particle &&
            (!lower_name_word(s, w, i) || small_word(s + w, i - w) || generic_word(s + w, i - w)))
            break;
        if (!particle) { /* "hugo de la cruz": the particles are part of it, never its end */
            words++;
            e = i;
        }
        if (i + 1 >= n || s[i] != ' ')
            break;
        w = i + 1;
    }
    if (words < 2 || health_term_in(sc, s, b, e))
        return 0;
    if (e == n || (s[e] && strchr(",.;!?:)\r\n", s[e])))
        return e;
    if (s[e] != ' ')
        return 0;
    size_t k = e + 1, j = k;
    while (j < n && pw_isalpha((unsigned char)s[j]))
        j++;
    return j > k && small_word(s + k, j - k) ? e : 0;
}

/* The triggers after which a name may be typed in lower case: a visitor's own words or a form's
 * label, never a title's ("Dr.", "Patient" in a sentence). */
static int lower_trigger(const trigger *t)
{
    static const char *const words[] = {
        "my name is ", "my full name is ", "name: ",          "patient name: ",
        "full name: ", "patient: ",        "follow up with ", NULL};
    for (const char *const *w = words; *w; w++)
        if (t->word == *w || strcmp(t->word, *w) == 0)
            return 1;
    return 0;
}

/* A signature after a message: a capitalised name of two or three words at s[i] that ends the
 * text (trailing spaces and line breaks aside), after a dash that starts the last line ("Please
 * call me back.\n— Naomi Ryan", "\n-- Dana Whitfield", "\n- Hugo Martínez"), with a message
 * before it. Not an organisation or a team ("— The Springfield Health Foundation", "— Patient
 * Experience Team": generic words), nor a health term. End or 0. engine-recall3 */
static size_t signature_name(pw_scan *sc, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    size_t n = g->n, d = i - 1; /* the space after the dash */
    if (s[d - 1] == '-')
        d -= d >= 2 && s[d - 2] == '-' ? 2 : 1;
    else if (d >= 3 && (unsigned char)s[d - 3] == 0xE2 && (unsigned char)s[d - 2] == 0x80 &&
             ((unsigned char)s[d - 1] == 0x94 || (unsigned char)s[d - 1] == 0x93))
        d -= 3; /* an em or en dash */
    else
        return 0;
    while (d > 0 && (s[d - 1] == ' ' || s[d - 1] == '\t'))
        d--;
    if (d < 2 || s[d - 1] != '\n')
        return 0; /* the dash starts a line, and a message comes before it */
    size_t e = name_words(sc, g, i);
    if (!e)
        return 0;
    for (size_t k = e; k < n; k++)
        if (s[k] != ' ' && s[k] != '\n' && s[k] != '\r' && s[k] != '\t')
            return 0;
    return loose_words_name(sc, s, i, e) && name_words_without(s, i, e, generic_word) >= 2 ? e : 0;
}

/* Last words of a neighbourhood's, a town's or a site's name ("Squirrel Hill", "North Hills",
 * "Fox Chapel", "Cranberry Township"), which a clinic list writes above each location's address. */
static int place_tail_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "bay",     "beach",    "bluff",    "borough", "bridge",   "chapel",  "city",     "county",
        "creek",   "crossing", "falls",    "farms",   "field",    "fields",  "forest",   "gardens",
        "glen",    "green",    "grove",    "harbor",  "harbour",  "haven",   "heights",  "hill",
        "hills",   "hollow",   "junction", "lake",    "lakes",    "landing", "manor",    "meadow",
        "meadows", "mill",     "mills",    "mount",   "mountain", "oaks",    "park",     "pines",
        "place",   "plains",   "point",    "port",    "ridge",    "river",   "run",      "shore",
        "side",    "springs",  "square",   "station", "terrace",  "town",    "township", "vale",
        "valley",  "view",     "village",  "woods",   NULL};
    return in_list(words, s, len);
}

/* Words of a business's name ("Blue Harbor Consulting", "Acme Logistics", "Nordic Timber AS"): a
 * line with one is a company's, not a person's. */
static int business_word(const char *s, size_t len)
{
    static const char *const words[] = {"as",           "ab",
                                        "ag",           "bv",
                                        "co",           "corp",
                                        "gmbh",         "inc",
                                        "llc",          "llp",
                                        "ltd",          "oy",
                                        "plc",          "sa",
                                        "sarl",         "srl",
                                        "bank",         "company",
                                        "consulting",   "design",
                                        "enterprises",  "group",
                                        "holdings",     "industries",
                                        "insurance",    "international",
                                        "labs",         "logistics",
                                        "partners",     "solutions",
                                        "studio",       "systems",
                                        "technologies", "trading",
                                        "ventures",     NULL};
    return in_list(words, s, len);
}

/* Words of a building's part, which a letter names as a middle initial stands in a name ("Tower B
 * East", "Garage C North", "Building A West"). */
static int building_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "block", "building", "door", "east",  "entrance", "floor", "garage",  "gate",
        "hall",  "level",    "lot",  "north", "pavilion", "room",  "section", "south",
        "suite", "tower",    "unit", "west",  "wing",     "zone",  NULL};
    return in_list(words, s, len);
}

/* The words s[b..e) (a line, or the words before "lives at") are a person's name as an addressee's
 * line reads: two to four name words and nothing else, none a word of a group, a role, a page or
 * a place (generic_word), made like a noun (noun_word) or a page title's first or last word, no
 * place's last word (place_tail_word), no apostrophe, and no health term. */
static int addressee_name(pw_scan *sc, const pw_seg *g, size_t b, size_t e)
{
    const char *s = g->s;
    if (b == e || (!pw_isupper((unsigned char)s[b]) && (unsigned char)s[b] < 0xC3))
        return 0;
    size_t ne = name_words(sc, g, b), first = b;
    if (ne && ne + 3 < e && s[ne] == ' ' && pw_isupper((unsigned char)s[ne + 1]) &&
        s[ne + 2] == ' ' && name_words(sc, g, ne + 3) == e &&
        name_words_without(s, b, e, building_word))
        ne = e; /* a middle initial without its full stop: "Stephan M Urner", not a building's
                   part: "Tower B East" (engine-recall5) */
    if (ne != e || !loose_words_name(sc, s, b, ne) ||
        name_words_without(s, b, ne, generic_word) < 2 || !no_noun_word(s, b, ne))
        return 0; /* "Emergency Department": a noun of a page or a role */
    while (first < ne && s[first] != ' ')
        first++;
    size_t last = ne;
    while (last > b && s[last - 1] != ' ')
        last--;
    return !(title_first_word(s + b, first - b) || title_tail_word(s + last, ne - last) ||
             place_tail_word(s + last, ne - last) || memchr(s + b, '\'', ne - b) ||
             !name_words_without(s, b, ne, business_word));
    /* "Gift Shop", "Squirrel Hill", "Cece's Place": a place's or a business's line (a clinic
     * list's entries: "Squirrel Hill\n5818 Forbes Avenue,\nPittsburgh, PA 15217"); "O'Brien" and a
     * surname that is a place's word ("Naomi Hill") are lost with them, precision first */
}

/* Words of a job's title or a department: a line of them between a name and an address is a
 * staff member's card ("Naomi Ryan\nCareers Coordinator\n12 Elm St…"), not a company's line. */
static int role_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "administrator", "advocate",   "assistant",  "associate", "chief",      "coordinator",
        "counselor",     "department", "director",   "division",  "executive",  "head",
        "liaison",       "manager",    "navigator",  "nurse",     "officer",    "physician",
        "president",     "resources",  "secretary",  "services",  "specialist", "supervisor",
        "technician",    "therapist",  "unit",       "office",    "desk",       "ward",
        "wing",          "floor",      "building",   "lobby",     "center",     "centre",
        "clinic",        "hospital",   "health",     "care",      "medical",    "campus",
        "foundation",    "institute",  "university", "college",   "school",     NULL};
    return in_list(words, s, len);
}

/* The line s[b..e) is a company's, between an addressee and the address ("Dreux Joly\nPaxata\n…",
 * "Dana Whitfield\nAcme Logistics\n…"): one to four words of letters (and "&", "."), the first
 * a capital, at most 48 bytes, no word of a role, a department or a care site (role_word,
 * generic_word). */
static int company_line(const char *s, size_t b, size_t e)
{
    if (b == e || e - b > 48 || (!pw_isupper((unsigned char)s[b]) && (unsigned char)s[b] < 0xC3))
        return 0;
    size_t words = 0;
    for (size_t i = b; i < e;) {
        size_t j = i;
        while (j < e && s[j] != ' ') {
            unsigned char c = (unsigned char)s[j];
            if (!pw_isalpha(c) && c < 0x80 && c != '&' && c != '.' && c != '-')
                return 0;
            j++;
        }
        if (j == i || ++words > 4 || role_word(s + i, j - i) || generic_word(s + i, j - i))
            return 0;
        i = j + 1;
    }
    return words >= 1;
}

/* The line before s[a] (which starts a line): its bounds in *lb, *le, the quote's "> " and the
 * spaces around stripped, past one blank line when `blank_ok`; 0 when there is none or it is
 * longer than 80 bytes. */
static int line_above(const char *s, size_t a, int blank_ok, size_t *lb, size_t *le)
{
    size_t e = a;
    for (int blank = 0;; blank++) { /* up to the line break before the street line, then past
                                       one blank line ("Naomi Ryan\n\n12 Elm St…") */
        while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '>'))
            e--;
        if (e == 0 || s[e - 1] != '\n')
            return 0;
        e--; /* the line break that ends the line before */
        if (e > 0 && s[e - 1] == '\r')
            e--;
        size_t k = e;
        while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '>'))
            k--;
        if (k > 0 && s[k - 1] != '\n' && s[k - 1] != '\r')
            break; /* a line with something on it */
        if (blank == 1 || k == 0 || !blank_ok)
            return 0;
        e = k;
    }
    size_t b = e;
    while (b > 0 && s[b - 1] != '\n' && e - b <= 80)
        b--;
    if (e - b > 80)
        return 0;
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '>'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    *lb = b;
    *le = e;
    return 1;
}

/* The line just before an address block that starts at s[a] (a postal label, a contact form's
 * address: "Naomi Ryan\n12 Elm St\nSpringfield, IL 62704"; one blank line may sit between, and a
 * quote's "> " or a label ending in "address:" or "Ship to:" before the name, "Billing address:
 * Sara Schwarz"): when it is an addressee's name (addressee_name) it is the addressee's name. A
 * department's or a building's line ("Emergency Department", "Heart Center") is none. A
 * company's line may sit between the name and the address ("Dreux Joly\nPaxata\nPSC 3294…", an
 * e-mail signature; engine-recall5): then the line above it is read the same way. Called by the
 * address detector (ident_address.c). */
void pw_name_line_before(pw_scan *sc, const pw_seg *g, size_t a)
{
    const char *s = g->s;
    size_t b, e;
    if (!line_above(s, a, 1, &b, &e))
        return;
    /* a label before the name on its line: "Billing address: Sara Schwarz", "Ship to: …" */
    const char *colon = memchr(s + b, ':', e - b);
    if (colon) {
        size_t c = (size_t)(colon - s), w = c;
        while (w > b && pw_isalpha((unsigned char)s[w - 1]))
            w--;
        if (!((c - w == 7 && pw_strncaseeq(s + w, "address", 7)) ||
              (c - w == 2 && pw_strncaseeq(s + w, "to", 2) && w >= b + 5 &&
               pw_strncaseeq(s + w - 5, "ship ", 5))))
            return;
        b = c + 1;
        while (b < e && s[b] == ' ')
            b++;
    }
    size_t nb, ne;
    /* the line above: a name there makes this line a company's, even one made like a name
     * ("Allan Björk\nScale Unlimited\nUnit 5022 Box 1225\nDPO AE 44085"), unless this line was
     * written above already (an e-mail's quoted signature repeats the name: ">Ella H. Snider\n>Otc
     * Markets\n>Ella H. Snider\n>228 Ringvej 144…") */
    int above = !colon && company_line(s, b, e) && line_above(s, b, 0, &nb, &ne) &&
                !memchr(s + nb, ':', ne - nb) && !memmem(s, nb, s + b, e - b) &&
                addressee_name(sc, g, nb, ne);
    if (!above) {
        if (addressee_name(sc, g, b, e))
            pw_scan_add(sc, g, b, e, PW_PHI_NAME, "patient", NULL, 0.8f, PW_REASON_CONTEXT,
                        "name on the line before an address");
        return;
    }
    pw_scan_add(sc, g, nb, ne, PW_PHI_NAME, "patient", NULL, 0.8f, PW_REASON_CONTEXT,
                "name above a company's line and an address");
}

/* Words before a name that say whose it is: "Her son Hugo Martin lives at …". */
static int relative_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "son",     "daughter", "mother",  "father",      "wife",        "husband",   "brother",
        "sister",  "mom",      "dad",     "grandmother", "grandfather", "aunt",      "uncle",
        "partner", "friend",   "patient", "client",      "neighbor",    "neighbour", NULL};
    return in_list(words, s, len);
}

/* The subject of "X lives at <address>" (the address detector found the address and its cue;
 * s[p] starts "lives", "resides"): the name words right before it when they start the text, a
 * line or a sentence, or follow a relative's word ("My father Keira Forster lives at …"), and
 * read as an addressee's line does (addressee_name). "Excellence lives at Springfield Medical
 * Center" has no address. engine-recall5 */
void pw_name_before_lives(pw_scan *sc, const pw_seg *g, size_t p)
{
    const char *s = g->s;
    if (p < 2 || s[p - 1] != ' ')
        return;
    size_t e = p - 1, nb = e, at = e; /* at: the end of the word read next */
    for (int words = 0;; words++) {
        size_t w = at;
        while (w > 0 && s[w - 1] != ' ' && s[w - 1] != '\n' && s[w - 1] != '\t')
            w--;
        if (w == at)
            return;
        if (!pw_isupper((unsigned char)s[w]) && (unsigned char)s[w] < 0xC3) {
            if (words == 0 || !relative_word(s + w, at - w))
                return; /* "the patient in room 4 lives at": no name before the cue */
            break;
        }
        if (words == 4)
            return; /* a title's words: "Where Our Founding Family Lives at …" */
        nb = w;
        if (w == 0 || s[w - 1] == '\n')
            break;
        if (s[w - 1] != ' ' || w < 2 || strchr(".!?:;,", s[w - 2]))
            break; /* a sentence's or a clause's start */
        at = w - 1;
    }
    if (addressee_name(sc, g, nb, e))
        pw_scan_add(sc, g, nb, e, PW_PHI_NAME, "patient", NULL, 0.8f, PW_REASON_CONTEXT,
                    "name of who lives at an address");
}

/* The triggers name_at tries at the ASCII letter s[i] (a word start; i < n), NULL when none. */
static inline __attribute__((always_inline)) const trigger *triggers_at(const char *s, size_t n,
                                                                        size_t i)
{
    int lc = (unsigned char)s[i] | 32;
    const trigger *t = i + 1 < n && trigger_may_start(lc, (unsigned char)s[i + 1])
                           ? triggers_by_initial[lc - 'a']
                           : NULL;
    if (t == triggers_m && (s[i + 1] | 32) == 'y')
        t = i + 2 < n && s[i + 2] == ' ' ? triggers_my : NULL;
    else if (lc == 'i' && i + 1 < n &&
             (s[i + 1] == '\'' || s[i + 1] == ' ' || (unsigned char)s[i + 1] == 0xE2 ||
              (s[i + 1] | 32) == 't'))
        t = triggers_i; /* "i'm", "i’m", "i am": no second letter for trigger_may_start */
    return t;
}

/* engine-text9: the lengths of the triggers' first words (their leading ASCII letters: "dr" of
 * "dr. ", "i" of "i’m ", "my" of "my name is ") by initial: bit len of entry c - 'a'. A trigger
 * matches only where the text's run of letters from s[i] is exactly as long as its first word
 * (the byte after it is no letter in either), so a word of another length tries none: "The",
 * "Hello"'s "he" and most words that pass trigger_may_start. Written out; pw_name_trigger_lens_ok
 * checks it against the lists (unit test). */
static const uint16_t trigger_lens[26] = {
    ['a' - 'a'] = 0x8,  ['b' - 'a'] = 0x10,  ['c' - 'a'] = 0xf0, ['d' - 'a'] = 0xdc,
    ['f' - 'a'] = 0x50, ['h' - 'a'] = 0x2c,  ['i' - 'a'] = 0x6,  ['m' - 'a'] = 0x5c,
    ['n' - 'a'] = 0x50, ['p' - 'a'] = 0x190, ['r' - 'a'] = 0x80, ['s' - 'a'] = 0x240,
    ['t' - 'a'] = 0x70, ['u' - 'a'] = 0x50,  ['y' - 'a'] = 0x10};

/* engine-text9: which triggers of a list have a first word of each length (bit j of entry
 * [list][len] for the list's trigger j; list: the initial - 'a', 26 for triggers_my): name_at
 * compares only those (the others cannot match, as trigger_lens says; their order is kept).
 * Written out; pw_name_trigger_lens_ok checks it too. */
static const uint32_t trigger_pos[27][10] = {
    ['a' - 'a'] = {[3] = 0x1},
    ['b' - 'a'] = {[4] = 0x3},
    ['c' - 'a'] = {[4] = 0x1, [5] = 0x2, [6] = 0xc, [7] = 0x10},
    ['d' - 'a'] = {[2] = 0x3, [3] = 0x18, [4] = 0x40, [6] = 0x4, [7] = 0x20},
    ['f' - 'a'] = {[4] = 0x1, [6] = 0x2},
    ['h' - 'a'] = {[2] = 0x1, [3] = 0x4, [5] = 0x2},
    ['i' - 'a'] = {[1] = 0x7, [2] = 0x8},
    ['m' - 'a'] = {[2] = 0x2d, [3] = 0x12, [4] = 0x40, [6] = 0x80},
    ['n' - 'a'] = {[4] = 0x9, [6] = 0x6},
    ['p' - 'a'] = {[4] = 0x20, [7] = 0x1d, [8] = 0x2},
    ['r' - 'a'] = {[7] = 0x1},
    ['s' - 'a'] = {[6] = 0x2, [9] = 0x1},
    ['t' - 'a'] = {[4] = 0x1, [5] = 0x4, [6] = 0x2},
    ['u' - 'a'] = {[4] = 0x1, [6] = 0x2},
    ['y' - 'a'] = {[4] = 0xf},
    [26] = {[2] = 0xffffff},
};

/* Leading ASCII letters of w. */
static size_t first_run(const char *w)
{
    size_t k = 0;
    while (pw_isalpha((unsigned char)w[k]))
        k++;
    return k;
}

static void trigger_lens_build(uint16_t out[26], uint32_t pos[27][10])
{
    memset(out, 0, 26 * sizeof *out);
    memset(pos, 0, 27 * sizeof *pos);
    for (size_t k = 0; k < 27; k++) {
        const trigger *list = k < 26 ? triggers_by_initial[k] : triggers_my;
        for (size_t j = 0; list && list[j].word; j++) {
            size_t len = first_run(list[j].word);
            out[k < 26 ? k : 'm' - 'a'] |= (uint16_t)(1u << len);
            if (len < 10)
                pos[k][len] |= (uint32_t)1 << j;
        }
    }
}

int pw_name_trigger_lens_ok(void)
{
    uint16_t t[26];
    uint32_t pos[27][10];
    trigger_lens_build(t, pos);
    return memcmp(t, trigger_lens, sizeof t) == 0 && memcmp(pos, trigger_pos, sizeof pos) == 0;
}

/* wl (< 16) may be the length of the first word of a trigger of the initial x (0..25). */
static inline int trigger_len_may(unsigned x, size_t wl)
{
    return wl < 16 && (trigger_lens[x] >> wl & 1);
}

/* The first trigger that matches at the ASCII letter s[i] (i < n), NULL when none: name_at's
 * walk. wl: the length of the run of ASCII letters at s[i] when the caller knows it (0: unknown);
 * with it, a list whose first words all have other lengths is not walked, and a trigger whose
 * first word is longer is passed over before its bytes are compared. Every trigger has 3+ bytes,
 * so the third is compared (case folded) before the whole. */
static inline __attribute__((always_inline)) const trigger *first_trigger(const char *s, size_t n,
                                                                          size_t i, size_t wl)
{
    unsigned x = (unsigned)((unsigned char)s[i] | 32) - 'a';
    if (wl && !trigger_len_may(x, wl))
        return NULL;
    const trigger *list = triggers_at(s, n, i);
    if (wl && list) { /* only the triggers whose first word is wl letters long, in order */
        for (uint32_t pos = trigger_pos[list == triggers_my ? 26 : x][wl]; pos; pos &= pos - 1) {
            const trigger *t = list + __builtin_ctz(pos);
            size_t l = t->len;
            if (i + l > n || (s[i + 1] | 32) != t->word[1] ||
                (s[i + 2] | 32) != (t->word[2] | 32) || !trigger_eq(s + i, t->word, l))
                continue;
            return t;
        }
        return NULL;
    }
    for (const trigger *t = list; t && t->word; t++) {
        size_t l = t->len;
        if (i + l > n || (s[i + 1] | 32) != t->word[1] || (s[i + 2] | 32) != (t->word[2] | 32) ||
            (wl && wl < l && pw_isalpha((unsigned char)t->word[wl])) ||
            !trigger_eq(s + i, t->word, l))
            continue;
        return t;
    }
    return NULL;
}

/* The plain walk (every trigger of the initial compared in full), for the unit test. */
static const trigger *first_trigger_walk(const char *s, size_t n, size_t i)
{
    for (const trigger *t = triggers_at(s, n, i); t && t->word; t++)
        if (i + t->len <= n && trigger_eq(s + i, t->word, t->len))
            return t;
    return NULL;
}

int pw_name_trigger_same(const char *s, size_t n, size_t i)
{
    if (i >= n || !pw_isalpha((unsigned char)s[i]))
        return 1;
    size_t wl = 0;
    while (i + wl < n && pw_isalpha((unsigned char)s[i + wl]))
        wl++;
    const trigger *slow = first_trigger_walk(s, n, i);
    /* name_text_word's skip: no trigger of the initial has a first word of length wl */
    if (!trigger_len_may((unsigned)((unsigned char)s[i] | 32) - 'a', wl) && slow)
        return 0;
    return first_trigger(s, n, i, wl) == slow && first_trigger(s, n, i, 0) == slow;
}

/* wl: the length of the run of ASCII letters at s[i] when the caller knows it (0: unknown). */
static size_t name_at(pw_scan *sc, const pw_seg *g, size_t i, size_t cred_end, size_t wl)
{
    const char *s = g->s;
    size_t n = g->n;
    int c = (unsigned char)s[i], up;
    if (i > 0 && (unsigned char)s[i - 1] >= 0x80 && utf8_letter_before(s, n, i, &up))
        return i; /* an ASCII run inside a word ("ez" of "Núñez"); utf8_providers takes a name
                     that starts with a capital outside ASCII */
    const trigger *t = first_trigger(s, n, i, wl);
    do { /* once, for the first trigger that matches (breaks leave it) */
        if (!t)
            break;
        size_t l = t->len;
        size_t b = i + l;
        if (t->word[l - 2] == ':') /* a form's label aligned with spaces: "Name:    Abby Laidlaw" */
            while (b < n && (s[b] == ' ' || s[b] == '\t'))
                b++;
        if (t->kind == TRIG_SIGNOFF) { /* "Thanks, Dana", "Thank you,\nDana Whitfield" */
            while (b < n && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r'))
                b++;
            if (b == i + l)
                break;
        }
        size_t e = name_words(sc, g, b);
        int lower = 0; /* a name typed in lower case after "follow up with" (engine-recall5) */
        if (!e && (t->kind == TRIG_PLAIN || t->kind == TRIG_SELF) && b < n &&
            pw_islower((unsigned char)s[b]) && lower_trigger(t))
            lower = (e = lower_text_name(sc, s, n, b)) != 0;
        if (e && t->kind == TRIG_PLAIN && (t->word[0] | 32) == 'p' && t->word[7] == ':') {
            size_t w = b; /* "Patient: Portal Login", "Patient: Experience Survey": a menu's */
            while (w < e && s[w] != ' ')
                w++;
            if (title_word_after_patient(s + b, w - b))
                e = 0;
        }
        if (e && t->kind == TRIG_SENTENCE && !sentence_name(sc, s, n, i, i + l, e))
            e = 0;
        if (e && t->kind == TRIG_SALUTATION && !salutation_name(sc, s, n, i + l, e))
            e = 0;
        if (e && t->kind == TRIG_APPT_ES && !appt_name_es(sc, s, n, i, i + l, e))
            e = 0;
        if (e && t->kind == TRIG_ANSWER && !answer_name(s, n, b, e))
            e = 0;
        if (e && t->kind == TRIG_SELF && !lower && !self_name(sc, s, n, i, b, e))
            e = 0;
        if (e && t->kind == TRIG_POSSESSIVE &&
            (!possessive_before(s, i) || !self_name(sc, s, n, i, b, e)))
            e = 0;
        if (e && t->kind == TRIG_CHAT_ANSWER && !chat_answer(s, n, i, b, e))
            e = 0;
        if (e && t->kind == TRIG_ADD_AS && !add_as_name(sc, s, n, b, e))
            e = 0;
        if (e && t->kind == TRIG_RENAME && !rename_name(sc, s, n, i, b, e))
            e = 0;
        if (e && t->kind == TRIG_GREETING && !greeting_name(sc, s, n, i, b, e))
            e = 0;
        if (e && t->kind == TRIG_SIGNOFF && !signoff_name(sc, s, n, b, e))
            e = 0;
        if (e && t->kind == TRIG_APPOSITIVE &&
            (e >= n || s[e] != ',' || name_words_without(s, b, e, generic_word) < 2))
            e = 0;
        if (e) {
            pw_scan_add(sc, g, b, e, PW_PHI_NAME, t->subtype, NULL, 0.85f, PW_REASON_CONTEXT,
                        t->word);
            i = e - 1;
        }
    } while (0);
    return i < cred_end && pw_isupper(c) ? provider_before_credentials(sc, g, i, cred_end) : i;
}

/* name_text's walk on a segment of at most 64 bytes with masks: the word starts below stop from
 * the letter mask. */
static void name_text_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m, size_t stop,
                           size_t cred_end)
{
    uint64_t a = pw_mask(m, PW_MK_ALPHA, 0);
    uint64_t cand = a & ~(a << 1) & (stop < 64 ? ((uint64_t)1 << stop) - 1 : ~(uint64_t)0);
    while (cand) {
        size_t i = (size_t)__builtin_ctzll(cand);
        uint64_t rest = ~(a >> i);
        size_t wl = rest ? (size_t)__builtin_ctzll(rest) : 64 - i;
        /* engine-text9: a word where no trigger can match and no provider's name before
         * credentials can start leaves name_at nothing to do (it returns i) */
        if (!trigger_len_may((unsigned)((unsigned char)g->s[i] | 32) - 'a', wl) &&
            !(i < cred_end && pw_isupper((unsigned char)g->s[i]))) {
            cand &= cand - 1;
            continue;
        }
        size_t next = name_at(sc, g, i, cred_end, wl) + 1;
        cand &= next < 64 ? ~(uint64_t)0 << next : 0;
    }
}

/* Providers' names before credentials that start with a capital outside ASCII ("Ángel Ruiz,
 * MD", "Ольга Иванова, MD"): the ASCII word starts that name_text walks miss them. */
static void utf8_providers(pw_scan *sc, const pw_seg *g, size_t cred_end)
{
    const char *s = g->s;
    size_t n = g->n;
    int up;
    for (size_t i = 0; i < cred_end; i++) {
        if ((unsigned char)s[i] < 0xC3 || !utf8_letter(s, n, i, &up) || !up)
            continue;
        if (i > 0 && (pw_isalpha((unsigned char)s[i - 1]) ||
                      ((unsigned char)s[i - 1] >= 0x80 && utf8_letter_before(s, n, i, &up))))
            continue;
        i = provider_before_credentials(sc, g, i, cred_end);
    }
}

/* Signatures after a message (signature_name): a dash that starts a line, a space and a capital.
 * In a segment of at most 64 bytes the masks give the candidates: a capital two bytes after a
 * '-' (the dash and upper masks), or, with a byte outside ASCII, a capital after an em or en
 * dash and a space; most segments have neither. Longer ones are read at each line break. */
static void signatures(pw_scan *sc, const pw_seg *g)
{
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    const char *s = g->s;
    size_t n = g->n;
    if (m && m->words == 1) {
        uint64_t up = pw_mask(m, PW_MK_UPPER, 0);
        uint64_t cand = (pw_mask(m, PW_MK_DASH, 0) << 2) & up;
        if (g->sum->cls & PW_SUM_HIGH)
            cand |= up & ~(uint64_t)0xF; /* checked byte by byte below */
        while (cand) {
            size_t i = (size_t)__builtin_ctzll(cand);
            cand &= cand - 1;
            if (s[i - 1] != ' ')
                continue;
            unsigned char d = (unsigned char)s[i - 2];
            if (d != '-' && d != 0x94 && d != 0x93)
                continue;
            size_t e = signature_name(sc, g, i);
            if (e)
                pw_scan_add(sc, g, i, e, PW_PHI_NAME, "patient", NULL, 0.85f, PW_REASON_CONTEXT,
                            "signature");
        }
        return;
    }
    for (const char *p = memchr(s, '\n', n); p; p = memchr(p + 1, '\n', (size_t)(s + n - p - 1))) {
        size_t k = (size_t)(p - s) + 1;
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k + 2 < n && s[k] == '-')
            k += s[k + 1] == '-' ? 2 : 1;
        else if (k + 4 < n && (unsigned char)s[k] == 0xE2 && (unsigned char)s[k + 1] == 0x80 &&
                 ((unsigned char)s[k + 2] == 0x94 || (unsigned char)s[k + 2] == 0x93))
            k += 3;
        else
            continue;
        if (k + 1 >= n || s[k] != ' ' || !pw_isupper((unsigned char)s[k + 1]))
            continue;
        size_t e = signature_name(sc, g, k + 1);
        if (e)
            pw_scan_add(sc, g, k + 1, e, PW_PHI_NAME, "patient", NULL, 0.85f, PW_REASON_CONTEXT,
                        "signature");
        if (p + 1 >= s + n)
            break;
    }
}

/* The word at s[i] may start a trigger after which a name is typed in lower case (lower_trigger):
 * "my …", "name…", "patient…", "full …". */
static int lower_trigger_may_start(const char *s, size_t n, size_t i)
{
    if (i + 6 > n)
        return 0;
    int c = s[i] | 32, c2 = s[i + 1] | 32;
    return (c == 'm' && c2 == 'y') || (c == 'n' && c2 == 'a') || (c == 'p' && c2 == 'a') ||
           (c == 'f' && (c2 == 'u' || c2 == 'o'));
}

/* A text without a capital: only a name typed in lower case after "my name is", "name:",
 * "patient:" (lower_text_name) can be there. name_at is asked at the words that may start those
 * triggers; the word starts come from the letter mask, as name_text's walk takes them. */
static void lower_names(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        uint64_t a = pw_mask(m, PW_MK_ALPHA, 0), cand = a & ~(a << 1);
        while (cand) {
            size_t i = (size_t)__builtin_ctzll(cand), next = i + 1;
            if (lower_trigger_may_start(s, n, i))
                next = name_at(sc, g, i, 0, 0) + 1;
            cand &= next < 64 ? ~(uint64_t)0 << next : 0;
        }
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_ALPHA); i < n; i = pw_cand_from(&ci, i + 1))
        if (pw_isalpha((unsigned char)s[i]) && word_start(s, i) && lower_trigger_may_start(s, n, i))
            i = name_at(sc, g, i, 0, 0);
}

/* s[i] starts one of lower_trigger's words ("my name is ", "my full name is ", "name: ",
 * "full name: ", "patient: ", "patient name: "): tested on the bytes before name_at is asked, in
 * the lower-case words after a text's last capital, most of which start none. */
static int lower_trigger_at(const char *s, size_t n, size_t i)
{
    static const struct {
        const char *w;
        size_t len;
    } words[] = {{"my name is ", 11}, {"my full name is ", 16}, {"name: ", 6},
                 {"full name: ", 11}, {"patient: ", 9},         {"patient name: ", 14}};
    if (!lower_trigger_may_start(s, n, i))
        return 0; /* the first two letters: "my", "na", "pa", "fu" */
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (i + words[k].len <= n && (s[i] | 32) == words[k].w[0] &&
            (s[i + 2] | 32) == words[k].w[2] && pw_strncaseeq(s + i, words[k].w, words[k].len))
            return 1;
    return i + 15 <= n && (s[i] | 32) == 'f' && (s[i + 2] | 32) == 'l' &&
           pw_strncaseeq(s + i, "follow up with ", 15); /* engine-recall5 */
}

static void name_text(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum &&
        (!(g->sum->cls & PW_SUM_SPACE) || !(g->sum->cls & (PW_SUM_UPPER | PW_SUM_HIGH)))) {
        if ((g->sum->cls & PW_SUM_SPACE) && n >= 11)
            lower_names(sc, g);
        return; /* every name word starts with a capital (name_word); every trigger ends with a
                   space, and so does the ", " before credentials */
    }
    size_t cred_end = g->sum && !(g->sum->cls & PW_SUM_COMMA) ? 0 : last_credential(s, n);
    size_t stop = names_end(g);
    if (cred_end && (!g->sum || (g->sum->cls & PW_SUM_HIGH)))
        utf8_providers(sc, g, cred_end);
    if (stop < cred_end)
        stop = cred_end;
    signatures(sc, g);
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        name_text_word(sc, g, m, stop, cred_end);
        /* the last capital word, which the walk leaves out (names_end), may start a trigger after
         * which the name is typed in lower case ("Patient: naomi ryan", "My name is naomi ryan") */
        uint64_t u = pw_mask(m, PW_MK_UPPER, 0) & ~(pw_mask(m, PW_MK_ALPHA, 0) << 1);
        size_t last = u ? 63 - (size_t)__builtin_clzll(u) : n;
        if (last >= stop && lower_trigger_may_start(s, n, last))
            name_at(sc, g, last, cred_end, 0);
        /* and so may a lower-case word after it, when the text goes on in lower case after a
         * capitalised sentence ("Hello. my name is naomi ryan"): only the words that may start
         * a lower-case trigger are asked, as in a text without a capital (lower_names) */
        size_t from = last + 1 > stop ? last + 1 : stop; /* the walk asked the words below stop */
        if (from < n && from < 64 && n - from >= 9) {
            uint64_t a = pw_mask(m, PW_MK_ALPHA, 0);
            uint64_t cand = a & ~(a << 1) & (~(uint64_t)0 << from);
            while (cand) {
                size_t i = (size_t)__builtin_ctzll(cand), next = i + 1;
                if (lower_trigger_at(s, n, i))
                    next = name_at(sc, g, i, cred_end, 0) + 1;
                cand &= next < 64 ? ~(uint64_t)0 << next : 0;
            }
        }
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_ALPHA); i < stop; i = pw_cand_from(&ci, i + 1)) {
        int c = (unsigned char)s[i];
        if (pw_isalpha(c) && word_start(s, i))
            i = name_at(sc, g, i, cred_end, 0);
    }
}

/* ==== The whole value of a name key ("fn", "patientName", a bare "name") */

/* Words of buttons, links, menus and tracking events that a bare "name" key carries as often as
 * a person's name ("Book Now", "Get Directions", "Add to Cart", "Video Play", "Thank You"). None
 * is a given name or a common surname ("Skip", "Bill", "Chase" and "Grace" are left out on
 * purpose). The words of forms, groups, roles and pages are generic_word's, function and page
 * words stop_word's. */
static int action_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "about", "account", "add", "agree", "begin", "buy", "cart", "chat", "checkout", "collapse",
        "complete", "completed", "confirm", "cta", "depth", "directions", "download", "enroll",
        "enter", "error", "expand", "explore", "file", "filter", "get", "gift", "give", "go",
        "join", "load", "loaded", "location", "locations", "log", "make", "map", "modal", "my",
        "nav", "newsletter", "outbound", "pay", "payment", "pdf", "play", "popup", "previous",
        "print", "purchase", "refill", "renew", "reset", "review", "scroll", "see", "select",
        "share", "shop", "show", "signup", "start", "started", "step", "subscribe", "success",
        "tab", "thank", "thanks", "toggle", "tour", "video", "watch",
        /* Spanish buttons and pages, as the folded layer reads them ("Más Información" is
         * scanned as "Mas Informacion" too) */
        "ahora", "aqui", "buscar", "contactenos", "contacto", "descargar", "donar", "enviado",
        "enviar", "formulario", "hoy", "informacion", "inicio", "leer", "llamar", "llegar", "mas",
        "pagar", "pagina", "principal", "registrarse", "saber", "servicios", "solicitar",
        "suscribirse", "ubicaciones", "ver", NULL};
    return in_list(words, s, len);
}

/* Words of the placeholder or the label of a name field, sent as its value when the form is
 * submitted empty or read from the page: "First Name", "Enter your name", "Nombre completo". */
static int placeholder_word(const char *s, size_t len)
{
    /* by first letter: every name key's value is asked, most start with a letter none has */
    static const char *const
        a[] = {"apellido", "apellidos", NULL},
        *const c[] = {"completo", NULL}, *const e[] = {"enter", "escriba", NULL},
        *const f[] = {"family", "first", "full", NULL}, *const g[] = {"given", NULL},
        *const h[] = {"here", NULL}, *const i[] = {"ingrese", NULL}, *const l[] = {"last", NULL},
        *const m[] = {"middle", NULL}, *const n[] = {"name", "nombre", NULL},
        *const p[] = {"please", NULL}, *const s_[] = {"submit", "surname", "su", NULL},
        *const t[] = {"type", "tu", NULL}, *const y[] = {"your", NULL};
    static const char *const *const by_initial[26] = {
        ['a' - 'a'] = a, ['c' - 'a'] = c,  ['e' - 'a'] = e, ['f' - 'a'] = f, ['g' - 'a'] = g,
        ['h' - 'a'] = h, ['i' - 'a'] = i,  ['l' - 'a'] = l, ['m' - 'a'] = m, ['n' - 'a'] = n,
        ['p' - 'a'] = p, ['s' - 'a'] = s_, ['t' - 'a'] = t, ['y' - 'a'] = y};
    unsigned x = len ? (unsigned)pw_tolower((unsigned char)s[0]) - 'a' : 26;
    return len <= 9 && x < 26 && by_initial[x] && in_list(by_initial[x], s, len);
}

/* A word of a group, a role, a page or a control (generic_word), of a button or an event
 * (action_word), of a placeholder (placeholder_word). */
static int control_label_word(const char *s, size_t len)
{
    return generic_word(s, len) || action_word(s, len) || placeholder_word(s, len);
}

/* A word that names no person in a name key's value: a function or page word (stop_word) or a
 * control_label_word. */
static int label_word(const char *s, size_t len)
{
    return stop_word(s, len) || control_label_word(s, len);
}

/* The words of s[b..e) (between spaces or '+') when every one is a word of pred, else 0. */
static size_t words_all(const char *s, size_t b, size_t e, int (*pred)(const char *, size_t))
{
    size_t words = 0;
    for (size_t i = b; i < e;) {
        size_t j = i;
        while (j < e && s[j] != ' ' && s[j] != '+')
            j++;
        if (j > i && !pred(s + i, j - i))
            return 0;
        words += j > i;
        i = j + 1;
    }
    return words;
}

/* s[b..e), the value of a specific name key ("fn", "contactName"), is a label: a placeholder
 * ("First Name", "Your+Name", "Nombre"), or two words or more of a control, a page or a group
 * ("Contact Us", "Learn More"). One such word alone may be a name ("Son", "Guest", "Coach"). */
static int label_value(const char *s, size_t b, size_t e)
{
    if (words_all(s, b, e, placeholder_word))
        return 1;
    size_t i = b; /* one word (most values): no need to ask the long lists */
    while (i < e && s[i] != ' ' && s[i] != '+')
        i++;
    return i < e && words_all(s, b, e, control_label_word) >= 2;
}

/* Services a bare "provider" key names in login, payment and map data (an identity, payment or
 * messaging provider), never a clinician. */
static int service_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "amazon",   "apple",  "auth0", "azure",    "cognito",   "email",   "facebook",
        "github",   "google", "local", "linkedin", "microsoft", "oauth",   "okta",
        "password", "paypal", "saml",  "sms",      "stripe",    "twitter", NULL};
    return len <= 9 && in_list(words, s, len);
}

/* s[b..e), the value of a bare "provider", "doctor" or "physician" key, names no clinician: a
 * service ("google", "Stripe") or only label words ("Find a Doctor", "All Providers"). */
static int provider_label(const char *s, size_t b, size_t e)
{
    return words_all(s, b, e, service_word) == 1 || words_all(s, b, e, label_word);
}

/* The key of g is the bare word w as its last component ("provider", "ud[provider]"). */
static int key_is(const pw_seg *g, const char *w)
{
    return pw_ctx_key_last_is(g->key, g->key_n, w);
}

/* s[i..e) is a word in capitals ("JORDAN", "O'BRIEN", "NÚÑEZ"): two letters or more, every one a
 * capital, joined at most by an apostrophe or a hyphen. Forms and records upper-case names. */
static int caps_word(const char *s, size_t n, size_t i, size_t e)
{
    size_t letters = 0;
    int up;
    while (i < e) {
        size_t l = letter_at(s, n, i, &up);
        if (l && up) {
            letters++;
            i += l;
            continue;
        }
        size_t j = letters && !l ? name_joiner(s, n, i) : 0;
        if (!j)
            return 0;
        i += j;
    }
    return letters >= 2;
}

/* The word s[w..i) of a value that only a bare "name" key announces is a name's: capitalised
 * (name_word) or, with caps, all capitals (caps_word); no label (label_word) and not made like a
 * noun ("Form Submission", "Outpatient Imaging"; noun_word). */
static int loose_word(const char *s, size_t n, size_t w, size_t i, int first, int caps)
{
    if (caps ? !caps_word(s, n, w, i) : name_word(s, n, w) != i)
        return 0;
    return !label_word(s + w, i - w) && !noun_word(s + w, i - w, first);
}

/* s[b..e) holds a term of the health vocabulary, of any class ("Flu Shot", "Find a Doctor"). */
static int vocab_term_in(pw_scan *sc, const char *s, size_t b, size_t e)
{
    const pw_vocab_match *m = NULL;
    size_t nm = 0;
    return vocab_matches(sc, s + b, e - b, &m, &nm) && nm > 0;
}

/* s[w..i) is a name word as a visitor types it in lower case ("naomi", "o'brien", "smith-jones"):
 * 2 to 20 ASCII small letters, an apostrophe or a hyphen between them, and none of the words
 * a button, a page, an event or a placeholder is made of (label_word, noun_word: "newsletter
 * signup", "page view", "scroll depth", "form submission"). engine-recall3 */
static int lower_name_word(const char *s, size_t w, size_t i)
{
    if (i - w < 2 || i - w > 20 || !pw_islower((unsigned char)s[w]) ||
        !pw_islower((unsigned char)s[i - 1]))
        return 0;
    for (size_t k = w; k < i; k++)
        if (!pw_islower((unsigned char)s[k]) && s[k] != '\'' && s[k] != '-')
            return 0;
    /* nor a word of a page title's (title_first_word, title_tail_word: "patient: drop off at
     * door 3" is a parking notice, as "Patient Drop Off" is) */
    return !label_word(s + w, i - w) && !noun_word(s + w, i - w, 1) &&
           !title_first_word(s + w, i - w) && !title_tail_word(s + w, i - w);
}

/* s[b..e) (words between spaces) reads as a person's name where only a bare "name" key
 * announces one: two to four words with particles between them ("Juan de la Cruz"), each a
 * loose_word, all capitalised or all in capitals, and no term of the health vocabulary. A
 * button, an event, a page or a product has a "name" too ("Book Now", "Page View", "Knee
 * Brace"); a single word ("Dana", "Checkout") cannot be told from a label. */
static int loose_name_value(pw_scan *sc, const char *s, size_t b, size_t e, int lower_ok)
{
    size_t words = 0, particles = 0;
    int caps = 0, particle_last = 0, lower = 0;
    for (size_t w = b; w < e;) {
        size_t i = w;
        while (i < e && s[i] != ' ')
            i++;
        if (++words == 1) {
            caps = caps_word(s, e, w, i);
            lower = lower_ok && !caps && pw_islower((unsigned char)s[w]);
        }
        if (words > 1 && particle_word(s + w, i - w)) {
            particles++;
            particle_last = 1;
        } else if (lower ? !lower_name_word(s, w, i) : !loose_word(s, e, w, i, words == 1, caps))
            return 0;
        else
            particle_last = 0;
        for (w = i; w < e && s[w] == ' ';)
            w++;
    }
    words -= particles;
    return !particle_last && words >= 2 && words <= 4 && !vocab_term_in(sc, s, b, e);
}

static void name_key(pw_scan *sc, const pw_seg *g)
{
    size_t i = 0, j = g->n;
    while (i < j && g->s[i] == ' ')
        i++;
    while (j > i && g->s[j - 1] == ' ')
        j--;
    if (!name_like(g->s + i, j - i))
        return;
    if (j - i <= 2 && pw_islower((unsigned char)g->s[i])) /* "ln=en": a language code */
        return;
    /* a value typed into a form, sent as the form's own field or in a query string (a GET form's
     * thank-you URL), may be written in lower case ("naomi ryan"); an event's or a button's
     * "name" in JSON is not typed */
    int typed = g->type == PW_FT_FORM_VALUE || g->in_query;
    if (g->ctx == PW_CTX_NAME && key_is(g, "name") ? !loose_name_value(sc, g->s, i, j, typed)
        : g->ctx == PW_CTX_PROVIDER &&
                (key_is(g, "provider") || key_is(g, "doctor") || key_is(g, "physician"))
            ? provider_label(g->s, i, j)
            : label_value(g->s, i, j))
        return;
    pw_scan_add(sc, g, i, j, PW_PHI_NAME, g->ctx == PW_CTX_PROVIDER ? "provider" : "patient", NULL,
                0.9f, PW_REASON_CONTEXT, "name key");
}

/* ==== Keys inside text: "name=John+Smith&reason=…", "first_name=Dana", "\"name\":\"John Smith\""
 * A query string or a JSON object pasted into a text field (a log line, a message, a Meta
 * cd[...] value) says what its values are the way a field's own key does. */

/* A byte of a field name as written inside text ("ud[fn]", "patient.first_name"). */
static int key_char(int c)
{
    return pw_isalnum(c) || c == '_' || c == '-' || c == '.' || c == '[' || c == ']';
}

/* A byte of a name word inside a value (letters, UTF-8, "O'Neil", "Smith-Jones", "Q."). */
static int value_name_char(int c)
{
    return pw_isalpha(c) || c >= 0x80 || c == '\'' || c == '-' || c == '.';
}

/* A byte that ends a form value inside text. */
static int form_value_end(int c)
{
    return c == '&' || c == ';' || c == '#' || c == '"' || c == ',' || c == ')' || c == ' ' ||
           c == '\n' || c == '\r' || c == '\t';
}

typedef struct key_value {
    size_t v, e;  /* the value s[v..e) */
    size_t words; /* its words */
    int names;    /* every word is a name's (see value_words' strict), or a particle between two
                     of them ("de", "van") */
    int caps;     /* strict: the first word is in capitals ("JORDAN+SMITH") */
    int particle_last; /* the last word read is a particle */
    size_t particles;  /* particles among the words */
} key_value;

/* s[i] of g is a space decoded from an escape ("%20"): part of the value it sits in. */
static int encoded_space(const pw_seg *g, size_t i)
{
    return g->s[i] == ' ' && g->ostart && g->oend[i] - g->ostart[i] > 1;
}

/* Measure the words of the value starting at s[v]: form values (json 0) are words joined by '+'
 * or an encoded space (a raw space joins only a capitalised word to the next: it may end the
 * value), JSON strings (json 1) words joined by spaces up to the closing quote. 0 when the value
 * holds anything but name words. strict: the key is a loose one (a bare "name"), whose words must
 * each be a loose_word for kv->names; else a capitalised name word none of generic_word's. */
static int value_words(const pw_seg *g, size_t v, int json, int strict, key_value *kv)
{
    const char *s = g->s;
    size_t n = g->n, i = v;
    *kv = (key_value){v, v, 0, 1, 0, 0, 0};
    while (i < n) {
        size_t w = i;
        while (i < n && value_name_char((unsigned char)s[i]))
            i++;
        if (i == w)
            return 0;
        if (++kv->words == 1 && strict)
            kv->caps = caps_word(s, n, w, i);
        if (kv->words > 1 && particle_word(s + w, i - w)) {
            kv->particle_last = 1; /* "Juan+de+la+Cruz": a name word must follow */
            kv->particles++;
        } else if (strict ? !loose_word(s, n, w, i, kv->words == 1, kv->caps)
                          : name_word(s, n, w) != i || generic_word(s + w, i - w))
            kv->names = 0;
        else
            kv->particle_last = 0;
        kv->e = i;
        if (i >= n)
            break;
        int c = (unsigned char)s[i];
        int inside = json ? c == ' ' : c == '+' || encoded_space(g, i);
        int up;
        int joins = inside || (!json && c == ' ' && kv->names && i + 1 < n &&
                               letter_at(s, n, i + 1, &up) && up); /* "name=José Ángel" */
        if (joins && i + 1 < n && value_name_char((unsigned char)s[i + 1])) {
            i++;
            continue;
        }
        if (inside || (json ? c != '"' : !form_value_end(c)))
            return 0;
        break;
    }
    kv->names &= !kv->particle_last;
    return json ? kv->e < n && s[kv->e] == '"' : 1;
}

/* The key s[k..q) is exactly "name" (any case): a bare name key, whose object may name a thing. */
static int bare_name_key(const char *s, size_t k, size_t q)
{
    return q - k == 4 && word_eq(s + k, 4, "name");
}

/* The literal w occurs in s[0..n). */
static int has_bytes(const char *s, size_t n, const char *w)
{
    size_t l = strlen(w);
    for (const char *p = memchr(s, w[0], n); p && (size_t)(p - s) + l <= n;
         p = memchr(p + 1, w[0], n - (size_t)(p - s) - 1))
        if (memcmp(p, w, l) == 0)
            return 1;
    return 0;
}

/* The object after the ':' at s[c] holds a person's "name": the ':' ends prose ("body:"), not
 * a member, or the member's key is a person-like parent ("patient", "contact", "user"), the
 * rule of a field key ("patient.name"; pw_ctx_from_key). */
static int json_person_parent(const char *s, size_t c)
{
    char key[48];
    size_t q = c, k;
    while (q > 0 && s[q - 1] == ' ')
        q--;
    if (q == 0 || s[q - 1] != '"')
        return 1;
    k = --q;
    while (k > 0 && key_char((unsigned char)s[k - 1]))
        k--;
    if (k == q || q - k + sizeof ".name" > sizeof key || k == 0 || s[k - 1] != '"')
        return 0;
    memcpy(key, s + k, q - k);
    memcpy(key + (q - k), ".name", sizeof ".name");
    return pw_ctx_from_key(key, q - k + 5) == PW_CTX_NAME;
}

/* The object opening at s[o] is a member, or an array entry of a member, whose key names a list
 * of places ("locations": [{…}, {…}], "clinic": {…}; pw_ctx_key_is_place_list). The arrays
 * looked through are at most 2 KiB long before the object. */
static int json_place_parent(const char *s, size_t o)
{
    size_t i = o, from = o > 2048 ? o - 2048 : 0;
    while (i > from && s[i - 1] == ' ')
        i--;
    if (i > from && (s[i - 1] == ',' || s[i - 1] == '[')) { /* an array's entry: its '[' */
        int depth = 0;
        for (i--; i > from; i--) {
            char c = s[i];
            if (c == '}' || c == ']')
                depth++;
            else if ((c == '{' || c == '[') && depth > 0)
                depth--;
            else if (c == '{')
                return 0;
            else if (c == '[')
                break;
        }
        if (s[i] != '[')
            return 0;
        while (i > from && s[i - 1] == ' ')
            i--;
    }
    if (i <= from || s[i - 1] != ':')
        return 0;
    size_t q = i - 1;
    while (q > 0 && s[q - 1] == ' ')
        q--;
    if (q == 0 || s[q - 1] != '"')
        return 0;
    size_t k = --q;
    while (k > 0 && key_char((unsigned char)s[k - 1]))
        k--;
    return k < q && pw_ctx_key_is_place_list(s + k, q - k);
}

/* The key s[k..q) of a member beside a "name" describes a thing: a product, a campaign, a form,
 * an event, an organisation's page ("sku", "campaign", "form_id", "startDate", "logo"). An
 * "event", "params" or "properties" member makes the object a tracking event (a dataLayer push,
 * a GA4 Measurement Protocol event, a Segment track call), whose "name" is the event's or its
 * button's; a person's member beside them still makes it a person's (json_object_kind). */
/* The e-commerce members of GA4 items, Meta's custom data and Universal Analytics products:
 * "content_ids", "content_type", "contents", "contentName", "item_category", "itemId",
 * "product_id", "products". Not a bare "content" or "item" (a message's body, a form's entry). */
static int thing_key_prefix(const char *s, size_t len)
{
    static const struct {
        const char *w;
        size_t len;
    } prefixes[] = {{"content", 7}, {"item", 4}, {"product", 7}};
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        size_t l = prefixes[k].len;
        if (len <= l || !pw_strncaseeq(s, prefixes[k].w, l))
            continue;
        char c = s[l];
        if (c == '_' || c == 's' || pw_isupper((unsigned char)c))
            return 1;
    }
    return 0;
}

static int thing_key(const char *s, size_t len)
{
    static const char *const keys[] = {
        "action",      "brand",        "campaign", "campaign_id",    "category",    "currency",
        "description", "enddate",      "event",    "event_category", "event_label", "eventcategory",
        "eventlabel",  "form_id",      "formid",   "form_name",      "href",        "image",
        "item_id",     "item_name",    "items",    "label",          "location",    "logo",
        "organizer",   "params",       "price",    "product_id",     "properties",  "quantity",
        "sameas",      "sku",          "slug",     "startdate",      "title",       "type",
        "url",         "utm_campaign", "value",    "variant",        "coupon",      "discount",
        "affiliation", "num_items",    NULL};
    /* the first byte first: a walker classifies every member key of every object it sees */
    char c0 = len ? (char)pw_tolower((unsigned char)s[0]) : 0;
    for (const char *const *w = keys; len <= 14 && *w; w++)
        if ((*w)[0] == c0 && word_eq(s, len, *w))
            return 1;
    return thing_key_prefix(s, len);
}

/* A key that a person's record has beside a name (email, phone, dob, zip, first_name, mrn…). */
static int person_key(const char *s, size_t len)
{
    switch (pw_ctx_from_key(s, len)) {
    case PW_CTX_EMAIL:
    case PW_CTX_PHONE:
    case PW_CTX_FAX:
    case PW_CTX_SSN:
    case PW_CTX_DOB:
    case PW_CTX_ZIP:
    case PW_CTX_ADDRESS:
    case PW_CTX_CITY:
    case PW_CTX_FIRST_NAME:
    case PW_CTX_LAST_NAME:
    case PW_CTX_MRN:
    case PW_CTX_MEMBER:
    case PW_CTX_ACCOUNT:
    case PW_CTX_POLICY:
    case PW_CTX_PATIENT_ID:
    case PW_CTX_MBI:
    case PW_CTX_GENDER:
    case PW_CTX_CARD: return 1;
    default: return 0;
    }
}

/* Words of a key, compared whole in lower case, the first byte first (every member key of every
 * object a walker sees is asked). */
static int key_in(const char *s, size_t len, const char *const *keys, size_t max_len)
{
    char c0 = len ? (char)pw_tolower((unsigned char)s[0]) : 0;
    for (const char *const *w = keys; len <= max_len && *w; w++)
        if ((*w)[0] == c0 && word_eq(s, len, *w))
            return 1;
    return 0;
}

/* A member of an address beside a name: a contact form's or a lead's "city", "state",
 * "country". A place (a clinic, an event's venue) has them as well, so they make a person's
 * object only beside no member of a product (product_key) or of a place (place_key). */
static int address_part_key(const char *s, size_t len)
{
    switch (len ? pw_tolower((unsigned char)s[0]) : 0) { /* the first byte first: most keys */
    case 'c':
    case 't':
    case 's':
    case 'p':
    case 'r': break;
    default: return 0;
    }
    static const char *const keys[] = {"city",         "town",        "state",
                                       "province",     "region",      "country",
                                       "country_code", "countrycode", NULL};
    return key_in(s, len, keys, 12);
}

/* A member a place, an event listing or a page has and a person's record has not: a Schema.org
 * type, a web address, a picture, a venue, opening hours, coordinates, a start date. */
static int place_key(const char *s, size_t len)
{
    static const char *const keys[] = {"@type",     "url",          "href",      "logo",
                                       "image",     "sameas",       "startdate", "enddate",
                                       "organizer", "location",     "latitude",  "longitude",
                                       "geo",       "openinghours", "slug",      NULL};
    return key_in(s, len, keys, 12);
}

/* What an object's own member keys add up to (pw_detect_object_kind, json_object_kind). */
typedef struct member_tally {
    int address, product, place, thing;
} member_tally;

static int product_key(const char *s, size_t len);

/* One member key that is no person's; thing is its thing_key (text) or product_key (a walker's
 * object) verdict, product its product_key. A place's member matters only beside an address's:
 * with_place 0 leaves it to a second look (pw_detect_object_kind). */
static void tally_member(member_tally *t, const char *s, size_t len, int thing, int product,
                         int with_place)
{
    t->thing |= thing;
    t->product |= product;
    t->address |= address_part_key(s, len);
    if (with_place)
        t->place |= place_key(s, len);
}

static pw_detect_object tally_kind(const member_tally *t)
{
    if (t->address && !t->product && !t->place)
        return PW_OBJECT_PERSON;
    return t->thing ? PW_OBJECT_THING : PW_OBJECT_UNKNOWN;
}

/* What the object opening at s[o] is about, as pw_detect_object_kind reads its member keys: a
 * person's when a member is a person's (person_key) or an address's beside no product's or
 * place's member (address_part_key), a thing's when one names a thing (thing_key). Only its own
 * members count (not nested ones), within the first 2 KiB. */
static pw_detect_object json_object_kind(const char *s, size_t n, size_t o)
{
    member_tally t = {0};
    int depth = 0;
    size_t end = n - o > 2048 ? o + 2048 : n;
    for (size_t i = o; i < end; i++) {
        char c = s[i];
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                break;
        } else if (c == '"') {
            size_t k = i + 1, q = k;
            while (q < end && s[q] != '"')
                q += s[q] == '\\' ? 2 : 1;
            if (q >= end)
                break;
            i = q;
            size_t c2 = q + 1;
            while (c2 < end && s[c2] == ' ')
                c2++;
            if (depth != 1 || c2 >= end || s[c2] != ':')
                continue;
            if (person_key(s + k, q - k))
                return PW_OBJECT_PERSON;
            tally_member(&t, s + k, q - k, thing_key(s + k, q - k), product_key(s + k, q - k), 1);
        }
    }
    return tally_kind(&t);
}

/* A member only a product or an order line has (price, sku, quantity, GA4's item_*, Meta's
 * content_*): the structured kind's evidence of a thing. The members thing_key adds (event,
 * value, currency, category, label, title, type, location, url, form_id…) sit as well beside a
 * person's name in a lead or a contact form (GA4's generate_lead carries value and currency), so
 * in an object a walker hands over whole they do not turn a bare "name" off: a missed name is
 * disclosed by the gateway and unreported by the scan, a kept product name only over-redacted. */
static int product_key(const char *s, size_t len)
{
    static const char *const keys[] = {
        "affiliation", "brand",      "coupon",   "discount", "item_id", "item_name", "num_items",
        "price",       "product_id", "quantity", "sku",      "variant", NULL};
    char c0 = len ? (char)pw_tolower((unsigned char)s[0]) : 0;
    for (const char *const *w = keys; len <= 12 && *w; w++)
        if ((*w)[0] == c0 && word_eq(s, len, *w))
            return 1;
    return thing_key_prefix(s, len);
}

pw_detect_object pw_detect_object_kind(const char *const *keys, size_t n_keys)
{
    member_tally t = {0};
    for (size_t i = 0; keys && i < n_keys; i++) {
        if (!keys[i])
            continue;
        size_t len = strlen(keys[i]);
        if (person_key(keys[i], len))
            return PW_OBJECT_PERSON;
        int product = product_key(keys[i], len);
        tally_member(&t, keys[i], len, product, product, 0);
    }
    for (size_t i = 0; t.address && !t.product && i < n_keys && !t.place; i++)
        t.place = keys[i] && place_key(keys[i], strlen(keys[i]));
    return tally_kind(&t);
}

/* The JSON member whose key starts at the quote s[kq] sits in an object that has a person's
 * member (json_object_kind: {"data":{"name":…,"email":…}}, wherever it sits) or else at the top
 * of the text (not in an array, not under another member but a person-like one) without a
 * member that describes a thing; and the text describes no thing: "@type" marks Schema.org (an
 * organisation's, a page's or a condition's "name"), "tag", "innerText" and "classList" Meta's
 * buttonFeatures (an element's name attribute). */
static int json_top_level_person(const char *s, size_t n, size_t kq)
{
    size_t i = kq;
    while (i > 0 && s[i - 1] != '{' && s[i - 1] != '}' && s[i - 1] != '[' && s[i - 1] != ']')
        i--;
    if (i == 0 || s[i - 1] != '{')
        return 0;
    pw_detect_object kind = json_object_kind(s, n, i - 1);
    if (kind == PW_OBJECT_THING || json_place_parent(s, i - 1))
        return 0;
    i--;
    while (i > 0 && s[i - 1] == ' ')
        i--;
    if (kind != PW_OBJECT_PERSON && i > 0 && (s[i - 1] == ',' || s[i - 1] == '['))
        return 0;
    if (kind != PW_OBJECT_PERSON && i > 0 && s[i - 1] == ':' && !json_person_parent(s, i - 1))
        return 0;
    static const char *const thing_keys[] = {"\"@type\"", "\"tag\"", "\"innerText\"",
                                             "\"classList\"", NULL};
    for (const char *const *k = thing_keys; *k; k++)
        if (has_bytes(s, n, *k))
            return 0;
    return 1;
}

/* A value words-long that a specific name key (fn, first_name, patientName) announces: letters
 * enough, and not a language code ("ln=en"), a placeholder or a control's label (label_value). */
static int plain_name_value(const char *s, const key_value *kv)
{
    static const char *const placeholders[] = {"null", "undefined", "true", "false", "none", NULL};
    size_t len = kv->e - kv->v;
    if (kv->words - kv->particles > 4 || len > 64 || len < 2)
        return 0;
    if (len <= 2 && pw_islower((unsigned char)s[kv->v]))
        return 0;
    return !in_list(placeholders, s + kv->v, len) && !label_value(s, kv->v, kv->e);
}

/* The key s[k..q) followed by the value at v (json: a JSON member, kq its opening quote). */
static void key_in_text(pw_scan *sc, const pw_seg *g, size_t k, size_t q, size_t v, int json,
                        size_t kq)
{
    const char *s = g->s;
    size_t n = g->n;
    /* engine-real10: through the scratch's key memo (an answer of the key's bytes alone): a
     * tracker URL's decoded values hold the same "key=value" pairs request after request, each
     * key classified from scratch (~650 instructions) before */
    pw_ctx c = pw_ctx_from_key_memo(sc->s, s + k, q - k);
    if (c != PW_CTX_NAME && c != PW_CTX_FIRST_NAME && c != PW_CTX_LAST_NAME && c != PW_CTX_PROVIDER)
        return;
    /* a bare "name" (or "provider", "doctor") may name a thing: only a first and a last name */
    int strict = bare_name_key(s, k, q) || c == PW_CTX_PROVIDER;
    key_value kv;
    if (v >= n || !value_words(g, v, json, strict, &kv))
        return;
    size_t words = kv.words - kv.particles;
    if (strict ? !(kv.names && words >= 2 && words <= 4) || vocab_term_in(sc, s, kv.v, kv.e)
               : !plain_name_value(s, &kv))
        return;
    if (json && bare_name_key(s, k, q) && !json_top_level_person(s, n, kq))
        return;
    pw_scan_add(sc, g, kv.v, kv.e, PW_PHI_NAME, c == PW_CTX_PROVIDER ? "provider" : "patient", NULL,
                0.85f, PW_REASON_CONTEXT, json ? "name key in JSON text" : "name key in text");
}

/* The "\"key\":\"value\"" whose colon is s[c], when its key is a name key. */
static inline void json_key_at(pw_scan *sc, const pw_seg *g, size_t c)
{
    const char *s = g->s;
    size_t n = g->n;
    if (c >= 3 && s[c - 1] == '"') {
        size_t q = c - 1, k = q;
        while (k > 0 && key_char((unsigned char)s[k - 1]))
            k--;
        size_t v = c + 1;
        while (v < n && s[v] == ' ')
            v++;
        if (k < q && k > 0 && s[k - 1] == '"' && v + 1 < n && s[v] == '"')
            key_in_text(sc, g, k, q, v + 1, 1, k - 1);
    }
}

/* Every "key=value" and "\"key\":\"value\"" of s whose key is a name key. */
static void keys_in_text(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    for (const char *p = g->sum && !(g->sum->cls & PW_SUM_EQ) ? NULL : memchr(s, '=', n); p;
         p = memchr(p + 1, '=', n - (size_t)(p - s) - 1)) {
        size_t q = (size_t)(p - s), k = q;
        while (k > 0 && key_char((unsigned char)s[k - 1]))
            k--;
        if (k < q && (k == 0 || !pw_isalnum((unsigned char)s[k - 1])))
            key_in_text(sc, g, k, q, q + 1, 0, 0);
        if (q + 1 >= n)
            break;
    }
    if (g->sum && !(g->sum->cls & PW_SUM_COLON))
        return;
    /* engine-text10: with masks, the colons are the bits of the colon mask (a memchr a colon) */
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m) {
        for (size_t w = 0; w < m->words; w++)
            for (uint64_t b = pw_mask(m, PW_MK_COLON, w); b; b &= b - 1)
                json_key_at(sc, g, (w << 6) + (size_t)__builtin_ctzll(b));
        return;
    }
    for (const char *p = memchr(s, ':', n); p; p = memchr(p + 1, ':', n - (size_t)(p - s) - 1)) {
        size_t c = (size_t)(p - s);
        json_key_at(sc, g, c);
        if (c + 1 >= n)
            break;
    }
}

/* engine-ident: a field that holds a name and credentials without a comma and nothing else
 * ("Amara Okafor-Lindqvist DO", "Jane Roe NP-C", "Zelda Quillfeather MD FACP"): two name words
 * or more, then credentials to the end. "MD" alone is Maryland's code as often ("Chevy Chase
 * MD"): it counts only beside another credential ("MD FACP", "MD, PhD") or written "M.D.". A
 * bare "PA" is no credential at all: a practice's "Pediatric Associates, PA" (a professional
 * association), Pennsylvania's code; a physician assistant writes "PA-C". */
/* A word of a sentence in title case before the verb "DO" ("What We DO", "Things You Can DO",
 * "Why We DO It"): no name's. */
static int do_sentence_word(const char *s, size_t len)
{
    static const char *const words[] = {
        "what", "we", "you",  "they",   "i",     "how",   "why",    "who",  "can",   "will",
        "let",  "us", "must", "should", "would", "could", "things", "here", "there", "all",
        "more", "to", "and",  "or",     "it",    "this",  "that",   NULL};
    return in_list(words, s, len) || stop_word(s, len) || generic_word(s, len);
}

static void provider_field(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t i = 0, j = g->n;
    while (j > 0 && s[j - 1] == ' ')
        j--;
    if (j < 8 || !pw_isupper((unsigned char)s[j - 1]))
        return; /* every credential ends in a capital ("M.D." is read as initials: none) */
    while (i < j && s[i] == ' ')
        i++;
    for (size_t t = 0; t < 3; t++) { /* "Dr Amara Okafor-Lindqvist DO": the name after the title */
        static const char *const titles[] = {"Dr. ", "Dr ", "Doctor "};
        size_t l = strlen(titles[t]);
        if (i + l < j && bytes_eq(s + i, titles[t], l)) {
            i += l;
            break;
        }
    }
    if (!pw_isupper((unsigned char)s[i]))
        return;
    size_t e = name_words(sc, g, i);
    if (!e || e >= j || s[e] != ' ' || !memchr(s + i, ' ', e - i))
        return;
    size_t p = e + 1, creds = 0;
    int first_state = 0, first_do = 0;
    while (p < j) {
        int state = 0;
        size_t c = credential_at(s, j, p, &state);
        if (!c)
            return;
        if (creds++ == 0) {
            first_state = state;
            first_do = c - p == 2 && s[p] == 'D' && s[p + 1] == 'O';
        }
        p = c + (c < j && s[c] == ',');
        p += p < j && s[p] == ' ';
    }
    if (creds == 0 || (first_state && creds < 2) ||
        (first_do && creds < 2 && !name_words_without(s, i, e, do_sentence_word)))
        return;
    pw_scan_add(sc, g, i, e, PW_PHI_NAME, "provider", NULL, 0.85f, PW_REASON_CONTEXT,
                "credentials after name");
}

void pw_ident_name(pw_scan *sc, const pw_seg *g)
{
    if (pw_ctx_is_name(g->ctx)) {
        name_key(sc, g);
        return;
    }
    keys_in_text(sc, g);
    name_text(sc, g);
    if (g->ctx == PW_CTX_NONE && (!g->sum || (g->sum->cls & PW_SUM_SPACE)))
        provider_field(sc, g);
}
