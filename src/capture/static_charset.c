/*
 * static_charset.c — static triage reads a page in the character encoding a browser would: the
 * WHATWG Encoding Standard's labels ("ISO-8859-1" and "latin1" mean windows-1252 on the web),
 * HTML's encoding sniffing (byte order mark, Content-Type charset, <meta> prescan, then a guess),
 * the decoding to UTF-8 that libgumbo needs (windows-1252 and x-user-defined by table, the rest
 * with glibc's iconv), and the URL encoding of links taken from such a page (its query in the
 * page's encoding, as browsers send it). Untrusted input: bounded, linear, no recursion.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/static_int.h"
#include "phiwall/buf.h"
#include "phiwall/text.h"

typedef enum enc_kind {
    ENC_UTF8,
    ENC_1252,        /* by table: glibc's CP1252 rejects 5 bytes browsers map to C1 controls */
    ENC_USER,        /* x-user-defined: 0x80-0xFF to U+F780-U+F7FF */
    ENC_REPLACEMENT, /* ISO-2022-KR, HZ...: decoded as one U+FFFD, as in browsers (XSS vector) */
    ENC_UTF16,       /* UTF-16LE/BE: iconv; a URL's query from such a page is UTF-8 */
    ENC_ICONV,
} enc_kind;

struct pw_sx_encoding {
    const char *name;  /* the WHATWG name */
    const char *iconv; /* glibc's name, or NULL */
    enc_kind kind;
};

enum {
    E_UTF8,
    E_IBM866,
    E_8859_2,
    E_8859_3,
    E_8859_4,
    E_8859_5,
    E_8859_6,
    E_8859_7,
    E_8859_8,
    E_8859_8I,
    E_8859_10,
    E_8859_13,
    E_8859_14,
    E_8859_15,
    E_8859_16,
    E_KOI8R,
    E_KOI8U,
    E_MAC,
    E_874,
    E_1250,
    E_1251,
    E_1252,
    E_1253,
    E_1254,
    E_1255,
    E_1256,
    E_1257,
    E_1258,
    E_MACCYR,
    E_GBK,
    E_GB18030,
    E_BIG5,
    E_EUCJP,
    E_2022JP,
    E_SJIS,
    E_EUCKR,
    E_REPL,
    E_U16BE,
    E_U16LE,
    E_USER,
    E__COUNT
};

static const struct pw_sx_encoding encodings[E__COUNT] = {
    [E_UTF8] = {"UTF-8", "UTF-8", ENC_UTF8},
    [E_IBM866] = {"IBM866", "IBM866", ENC_ICONV},
    [E_8859_2] = {"ISO-8859-2", "ISO-8859-2", ENC_ICONV},
    [E_8859_3] = {"ISO-8859-3", "ISO-8859-3", ENC_ICONV},
    [E_8859_4] = {"ISO-8859-4", "ISO-8859-4", ENC_ICONV},
    [E_8859_5] = {"ISO-8859-5", "ISO-8859-5", ENC_ICONV},
    [E_8859_6] = {"ISO-8859-6", "ISO-8859-6", ENC_ICONV},
    [E_8859_7] = {"ISO-8859-7", "ISO-8859-7", ENC_ICONV},
    [E_8859_8] = {"ISO-8859-8", "ISO-8859-8", ENC_ICONV},
    [E_8859_8I] = {"ISO-8859-8-I", "ISO-8859-8", ENC_ICONV},
    [E_8859_10] = {"ISO-8859-10", "ISO-8859-10", ENC_ICONV},
    [E_8859_13] = {"ISO-8859-13", "ISO-8859-13", ENC_ICONV},
    [E_8859_14] = {"ISO-8859-14", "ISO-8859-14", ENC_ICONV},
    [E_8859_15] = {"ISO-8859-15", "ISO-8859-15", ENC_ICONV},
    [E_8859_16] = {"ISO-8859-16", "ISO-8859-16", ENC_ICONV},
    [E_KOI8R] = {"KOI8-R", "KOI8-R", ENC_ICONV},
    [E_KOI8U] = {"KOI8-U", "KOI8-U", ENC_ICONV},
    [E_MAC] = {"macintosh", "MACINTOSH", ENC_ICONV},
    [E_874] = {"windows-874", "CP874", ENC_ICONV},
    [E_1250] = {"windows-1250", "CP1250", ENC_ICONV},
    [E_1251] = {"windows-1251", "CP1251", ENC_ICONV},
    [E_1252] = {"windows-1252", NULL, ENC_1252},
    [E_1253] = {"windows-1253", "CP1253", ENC_ICONV},
    [E_1254] = {"windows-1254", "CP1254", ENC_ICONV},
    [E_1255] = {"windows-1255", "CP1255", ENC_ICONV},
    [E_1256] = {"windows-1256", "CP1256", ENC_ICONV},
    [E_1257] = {"windows-1257", "CP1257", ENC_ICONV},
    [E_1258] = {"windows-1258", "CP1258", ENC_ICONV},
    [E_MACCYR] = {"x-mac-cyrillic", "MAC-UK", ENC_ICONV},
    [E_GBK] = {"GBK", "GB18030", ENC_ICONV}, /* WHATWG: GBK decodes as gb18030 */
    [E_GB18030] = {"gb18030", "GB18030", ENC_ICONV},
    [E_BIG5] = {"Big5", "BIG5-HKSCS", ENC_ICONV},
    [E_EUCJP] = {"EUC-JP", "EUC-JP", ENC_ICONV},
    [E_2022JP] = {"ISO-2022-JP", "ISO-2022-JP", ENC_ICONV},
    [E_SJIS] = {"Shift_JIS", "WINDOWS-31J", ENC_ICONV},
    [E_EUCKR] = {"EUC-KR", "CP949", ENC_ICONV},
    [E_REPL] = {"replacement", NULL, ENC_REPLACEMENT},
    [E_U16BE] = {"UTF-16BE", "UTF-16BE", ENC_UTF16},
    [E_U16LE] = {"UTF-16LE", "UTF-16LE", ENC_UTF16},
    [E_USER] = {"x-user-defined", NULL, ENC_USER},
};

/* The Encoding Standard's labels (encodings.json), lower case. */
static const struct label {
    const char *label;
    int enc;
} labels[] = {
    {"unicode-1-1-utf-8", E_UTF8},
    {"unicode11utf8", E_UTF8},
    {"unicode20utf8", E_UTF8},
    {"utf-8", E_UTF8},
    {"utf8", E_UTF8},
    {"x-unicode20utf8", E_UTF8},
    {"866", E_IBM866},
    {"cp866", E_IBM866},
    {"csibm866", E_IBM866},
    {"ibm866", E_IBM866},
    {"csisolatin2", E_8859_2},
    {"iso-8859-2", E_8859_2},
    {"iso-ir-101", E_8859_2},
    {"iso8859-2", E_8859_2},
    {"iso88592", E_8859_2},
    {"iso_8859-2", E_8859_2},
    {"iso_8859-2:1987", E_8859_2},
    {"l2", E_8859_2},
    {"latin2", E_8859_2},
    {"csisolatin3", E_8859_3},
    {"iso-8859-3", E_8859_3},
    {"iso-ir-109", E_8859_3},
    {"iso8859-3", E_8859_3},
    {"iso88593", E_8859_3},
    {"iso_8859-3", E_8859_3},
    {"iso_8859-3:1988", E_8859_3},
    {"l3", E_8859_3},
    {"latin3", E_8859_3},
    {"csisolatin4", E_8859_4},
    {"iso-8859-4", E_8859_4},
    {"iso-ir-110", E_8859_4},
    {"iso8859-4", E_8859_4},
    {"iso88594", E_8859_4},
    {"iso_8859-4", E_8859_4},
    {"iso_8859-4:1988", E_8859_4},
    {"l4", E_8859_4},
    {"latin4", E_8859_4},
    {"csisolatincyrillic", E_8859_5},
    {"cyrillic", E_8859_5},
    {"iso-8859-5", E_8859_5},
    {"iso-ir-144", E_8859_5},
    {"iso8859-5", E_8859_5},
    {"iso88595", E_8859_5},
    {"iso_8859-5", E_8859_5},
    {"iso_8859-5:1988", E_8859_5},
    {"arabic", E_8859_6},
    {"asmo-708", E_8859_6},
    {"csiso88596e", E_8859_6},
    {"csiso88596i", E_8859_6},
    {"csisolatinarabic", E_8859_6},
    {"ecma-114", E_8859_6},
    {"iso-8859-6", E_8859_6},
    {"iso-8859-6-e", E_8859_6},
    {"iso-8859-6-i", E_8859_6},
    {"iso-ir-127", E_8859_6},
    {"iso8859-6", E_8859_6},
    {"iso88596", E_8859_6},
    {"iso_8859-6", E_8859_6},
    {"iso_8859-6:1987", E_8859_6},
    {"csisolatingreek", E_8859_7},
    {"ecma-118", E_8859_7},
    {"elot_928", E_8859_7},
    {"greek", E_8859_7},
    {"greek8", E_8859_7},
    {"iso-8859-7", E_8859_7},
    {"iso-ir-126", E_8859_7},
    {"iso8859-7", E_8859_7},
    {"iso88597", E_8859_7},
    {"iso_8859-7", E_8859_7},
    {"iso_8859-7:1987", E_8859_7},
    {"sun_eu_greek", E_8859_7},
    {"csiso88598e", E_8859_8},
    {"csisolatinhebrew", E_8859_8},
    {"hebrew", E_8859_8},
    {"iso-8859-8", E_8859_8},
    {"iso-8859-8-e", E_8859_8},
    {"iso-ir-138", E_8859_8},
    {"iso8859-8", E_8859_8},
    {"iso88598", E_8859_8},
    {"iso_8859-8", E_8859_8},
    {"iso_8859-8:1988", E_8859_8},
    {"visual", E_8859_8},
    {"csiso88598i", E_8859_8I},
    {"iso-8859-8-i", E_8859_8I},
    {"logical", E_8859_8I},
    {"csisolatin6", E_8859_10},
    {"iso-8859-10", E_8859_10},
    {"iso-ir-157", E_8859_10},
    {"iso8859-10", E_8859_10},
    {"iso885910", E_8859_10},
    {"l6", E_8859_10},
    {"latin6", E_8859_10},
    {"iso-8859-13", E_8859_13},
    {"iso8859-13", E_8859_13},
    {"iso885913", E_8859_13},
    {"iso-8859-14", E_8859_14},
    {"iso8859-14", E_8859_14},
    {"iso885914", E_8859_14},
    {"csisolatin9", E_8859_15},
    {"iso-8859-15", E_8859_15},
    {"iso8859-15", E_8859_15},
    {"iso885915", E_8859_15},
    {"iso_8859-15", E_8859_15},
    {"l9", E_8859_15},
    {"iso-8859-16", E_8859_16},
    {"cskoi8r", E_KOI8R},
    {"koi", E_KOI8R},
    {"koi8", E_KOI8R},
    {"koi8-r", E_KOI8R},
    {"koi8_r", E_KOI8R},
    {"koi8-ru", E_KOI8U},
    {"koi8-u", E_KOI8U},
    {"csmacintosh", E_MAC},
    {"mac", E_MAC},
    {"macintosh", E_MAC},
    {"x-mac-roman", E_MAC},
    {"dos-874", E_874},
    {"iso-8859-11", E_874},
    {"iso8859-11", E_874},
    {"iso885911", E_874},
    {"tis-620", E_874},
    {"windows-874", E_874},
    {"cp1250", E_1250},
    {"windows-1250", E_1250},
    {"x-cp1250", E_1250},
    {"cp1251", E_1251},
    {"windows-1251", E_1251},
    {"x-cp1251", E_1251},
    {"ansi_x3.4-1968", E_1252},
    {"ascii", E_1252},
    {"cp1252", E_1252},
    {"cp819", E_1252},
    {"csisolatin1", E_1252},
    {"ibm819", E_1252},
    {"iso-8859-1", E_1252},
    {"iso-ir-100", E_1252},
    {"iso8859-1", E_1252},
    {"iso88591", E_1252},
    {"iso_8859-1", E_1252},
    {"iso_8859-1:1987", E_1252},
    {"l1", E_1252},
    {"latin1", E_1252},
    {"us-ascii", E_1252},
    {"windows-1252", E_1252},
    {"x-cp1252", E_1252},
    {"cp1253", E_1253},
    {"windows-1253", E_1253},
    {"x-cp1253", E_1253},
    {"cp1254", E_1254},
    {"csisolatin5", E_1254},
    {"iso-8859-9", E_1254},
    {"iso-ir-148", E_1254},
    {"iso8859-9", E_1254},
    {"iso88599", E_1254},
    {"iso_8859-9", E_1254},
    {"iso_8859-9:1989", E_1254},
    {"l5", E_1254},
    {"latin5", E_1254},
    {"windows-1254", E_1254},
    {"x-cp1254", E_1254},
    {"cp1255", E_1255},
    {"windows-1255", E_1255},
    {"x-cp1255", E_1255},
    {"cp1256", E_1256},
    {"windows-1256", E_1256},
    {"x-cp1256", E_1256},
    {"cp1257", E_1257},
    {"windows-1257", E_1257},
    {"x-cp1257", E_1257},
    {"cp1258", E_1258},
    {"windows-1258", E_1258},
    {"x-cp1258", E_1258},
    {"x-mac-cyrillic", E_MACCYR},
    {"x-mac-ukrainian", E_MACCYR},
    {"chinese", E_GBK},
    {"csgb2312", E_GBK},
    {"csiso58gb231280", E_GBK},
    {"gb2312", E_GBK},
    {"gb_2312", E_GBK},
    {"gb_2312-80", E_GBK},
    {"gbk", E_GBK},
    {"iso-ir-58", E_GBK},
    {"x-gbk", E_GBK},
    {"gb18030", E_GB18030},
    {"big5", E_BIG5},
    {"big5-hkscs", E_BIG5},
    {"cn-big5", E_BIG5},
    {"csbig5", E_BIG5},
    {"x-x-big5", E_BIG5},
    {"cseucpkdfmtjapanese", E_EUCJP},
    {"euc-jp", E_EUCJP},
    {"x-euc-jp", E_EUCJP},
    {"csiso2022jp", E_2022JP},
    {"iso-2022-jp", E_2022JP},
    {"csshiftjis", E_SJIS},
    {"ms932", E_SJIS},
    {"ms_kanji", E_SJIS},
    {"shift-jis", E_SJIS},
    {"shift_jis", E_SJIS},
    {"sjis", E_SJIS},
    {"windows-31j", E_SJIS},
    {"x-sjis", E_SJIS},
    {"cseuckr", E_EUCKR},
    {"csksc56011987", E_EUCKR},
    {"euc-kr", E_EUCKR},
    {"iso-ir-149", E_EUCKR},
    {"korean", E_EUCKR},
    {"ks_c_5601-1987", E_EUCKR},
    {"ks_c_5601-1989", E_EUCKR},
    {"ksc5601", E_EUCKR},
    {"ksc_5601", E_EUCKR},
    {"windows-949", E_EUCKR},
    {"csiso2022kr", E_REPL},
    {"hz-gb-2312", E_REPL},
    {"iso-2022-cn", E_REPL},
    {"iso-2022-cn-ext", E_REPL},
    {"iso-2022-kr", E_REPL},
    {"replacement", E_REPL},
    {"unicodefffe", E_U16BE},
    {"utf-16be", E_U16BE},
    {"csunicode", E_U16LE},
    {"iso-10646-ucs-2", E_U16LE},
    {"ucs-2", E_U16LE},
    {"unicode", E_U16LE},
    {"unicodefeff", E_U16LE},
    {"utf-16", E_U16LE},
    {"utf-16le", E_U16LE},
    {"x-user-defined", E_USER},
};

static int ascii_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

const pw_sx_encoding *pw_sx_encoding_for_label(const char *label, size_t n)
{
    while (n && ascii_ws((unsigned char)*label))
        label++, n--;
    while (n && ascii_ws((unsigned char)label[n - 1]))
        n--;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strlen(labels[i].label) == n && pw_strncaseeq(label, labels[i].label, n))
            return &encodings[labels[i].enc];
    return NULL;
}

const char *pw_sx_encoding_name(const pw_sx_encoding *e)
{
    return e->name;
}

int pw_sx_encoding_is_utf8(const pw_sx_encoding *e)
{
    return e->kind == ENC_UTF8;
}

/* ---- sniffing ----------------------------------------------------------------------------- */

/* The charset parameter of a MIME type ("text/html; charset=\"windows-1252\""), or NULL. */
static const pw_sx_encoding *http_charset(const char *ct)
{
    const char *p = strchr(ct, ';');
    while (p) {
        p++;
        while (ascii_ws((unsigned char)*p))
            p++;
        size_t nn = strcspn(p, "=;");
        if (p[nn] != '=') {
            p = strchr(p, ';');
            continue;
        }
        const char *v = p + nn + 1;
        size_t vn;
        if (*v == '"') {
            v++;
            vn = strcspn(v, "\"");
        } else {
            vn = strcspn(v, ";");
        }
        if (nn == 7 && pw_strncaseeq(p, "charset", 7))
            return pw_sx_encoding_for_label(v, vn);
        p = strchr(v + vn, ';');
    }
    return NULL;
}

/* HTML's "algorithm for extracting a character encoding from a meta element" over content. */
static const pw_sx_encoding *meta_content_charset(const char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        const char *hit = pw_strcasestr_n(s + i, n - i, "charset");
        if (!hit)
            return NULL;
        i = (size_t)(hit - s) + 7;
        while (i < n && ascii_ws((unsigned char)s[i]))
            i++;
        if (i < n && s[i] == '=')
            break;
    }
    i++;
    while (i < n && ascii_ws((unsigned char)s[i]))
        i++;
    if (i >= n)
        return NULL;
    if (s[i] == '"' || s[i] == '\'') {
        const char *end = memchr(s + i + 1, s[i], n - i - 1);
        return end ? pw_sx_encoding_for_label(s + i + 1, (size_t)(end - s - i - 1)) : NULL;
    }
    size_t start = i;
    while (i < n && !ascii_ws((unsigned char)s[i]) && s[i] != ';')
        i++;
    return pw_sx_encoding_for_label(s + start, i - start);
}

#define ATTR_NAME_MAX  32
#define ATTR_VALUE_MAX 512

typedef struct pattr {
    char name[ATTR_NAME_MAX + 1];
    char value[ATTR_VALUE_MAX + 1];
    size_t nn, vn;
} pattr;

static void put(char *buf, size_t *len, size_t max, unsigned char c)
{
    if (*len < max)
        buf[(*len)++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* HTML's prescan "get an attribute": 0 when there is none (at '>' or the end). */
static int get_attribute(const unsigned char *b, size_t n, size_t *pos, pattr *a)
{
    size_t i = *pos;
    while (i < n && (ascii_ws(b[i]) || b[i] == '/'))
        i++;
    a->nn = a->vn = 0;
    if (i >= n || b[i] == '>') {
        *pos = i;
        return 0;
    }
    int done = 0;
    for (; i < n; i++) {
        if (b[i] == '=' && a->nn) {
            i++;
            break;
        }
        if (ascii_ws(b[i])) {
            while (i < n && ascii_ws(b[i]))
                i++;
            if (i >= n || b[i] != '=') {
                done = 1; /* a name without a value; the next attribute starts here */
                break;
            }
            i++;
            break;
        }
        if (b[i] == '/' || b[i] == '>') {
            done = 1;
            break;
        }
        put(a->name, &a->nn, ATTR_NAME_MAX, b[i]);
    }
    if (!done) {
        while (i < n && ascii_ws(b[i]))
            i++;
        if (i < n && (b[i] == '"' || b[i] == '\'')) {
            unsigned char q = b[i++];
            while (i < n && b[i] != q)
                put(a->value, &a->vn, ATTR_VALUE_MAX, b[i++]);
            if (i < n)
                i++;
        } else if (i < n && b[i] != '>') {
            while (i < n && !ascii_ws(b[i]) && b[i] != '>')
                put(a->value, &a->vn, ATTR_VALUE_MAX, b[i++]);
        }
    }
    a->name[a->nn] = '\0';
    a->value[a->vn] = '\0';
    *pos = i;
    return 1;
}

/* One <meta …> of the prescan, pos just past "<meta" and its space or slash: the encoding it
 * declares, or NULL. */
static const pw_sx_encoding *meta_tag(const unsigned char *b, size_t n, size_t *pos)
{
    int got_pragma = 0, need_pragma = -1, seen_he = 0, seen_content = 0, seen_charset = 0;
    const pw_sx_encoding *cs = NULL;
    pattr a;
    while (get_attribute(b, n, pos, &a)) {
        if (strcmp(a.name, "http-equiv") == 0 && !seen_he) {
            seen_he = 1;
            got_pragma = strcmp(a.value, "content-type") == 0;
        } else if (strcmp(a.name, "content") == 0 && !seen_content) {
            seen_content = 1;
            if (!cs) {
                cs = meta_content_charset(a.value, a.vn);
                if (cs)
                    need_pragma = 1;
            }
        } else if (strcmp(a.name, "charset") == 0 && !seen_charset) {
            seen_charset = 1;
            cs = pw_sx_encoding_for_label(a.value, a.vn);
            need_pragma = 0;
        }
    }
    if (need_pragma < 0 || (need_pragma && !got_pragma) || !cs)
        return NULL;
    if (cs->kind == ENC_UTF16) /* a document that can say <meta> in ASCII is not UTF-16 */
        return &encodings[E_UTF8];
    if (cs->kind == ENC_USER)
        return &encodings[E_1252];
    return cs;
}

/* Elements a <head> holds: past its first 1024 bytes, the prescan goes on while it sees only
 * these (Blink's meta charset parser reads the whole head; a <meta charset> after a long run of
 * <link> and <script> tags is honoured, and the document decoded again). */
static int head_tag(const unsigned char *name, size_t nn)
{
    static const char *const head[] = {"html",   "head",  "meta",     "title", "link",
                                       "script", "style", "noscript", "base",  "template"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        if (strlen(head[i]) == nn && pw_strncaseeq((const char *)name, head[i], nn))
            return 1;
    return 0;
}

static int alpha(unsigned char c)
{
    return (c | 32) >= 'a' && (c | 32) <= 'z';
}

/* HTML's "prescan a byte stream to determine its encoding". */
static const pw_sx_encoding *prescan(const unsigned char *b, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (b[i] != '<') {
            i++;
            continue;
        }
        if (n - i >= 4 && memcmp(b + i, "<!--", 4) == 0) {
            const char *end = pw_strcasestr_n((const char *)b + i + 2, n - i - 2, "-->");
            i = end ? (size_t)(end - (const char *)b) + 3 : n;
            continue;
        }
        if (n - i >= 6 && pw_strncaseeq((const char *)b + i + 1, "meta", 4) &&
            (ascii_ws(b[i + 5]) || b[i + 5] == '/')) {
            i += 6;
            const pw_sx_encoding *e = meta_tag(b, n, &i);
            if (e)
                return e;
            continue;
        }
        int close = i + 1 < n && b[i + 1] == '/';
        if (i + 1 + close < n && alpha(b[i + 1 + close])) {
            size_t name = i + 1 + close;
            i = name;
            while (i < n && !ascii_ws(b[i]) && b[i] != '>')
                i++;
            if (!close && name > 1024 && !head_tag(b + name, i - name))
                return NULL; /* the body began: a later <meta> does not decide the encoding */
            pattr a;
            while (get_attribute(b, n, &i, &a))
                ;
            continue;
        }
        if (i + 1 < n && (b[i + 1] == '!' || b[i + 1] == '/' || b[i + 1] == '?')) {
            const unsigned char *gt = memchr(b + i, '>', n - i);
            i = gt ? (size_t)(gt - b) + 1 : n;
            continue;
        }
        i++;
    }
    return NULL;
}

/* The length of the valid UTF-8 sequence at s (1-4), or 0 (WHATWG's decoder's rules: no
 * overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    v = (v << 6) | (s[1] & 0x3F);
    for (size_t k = 2; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    *cp = v;
    return len;
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_seq(s + i, n - i, &cp);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

const pw_sx_encoding *pw_sx_sniff(const char *bytes, size_t n, const char *content_type,
                                  size_t *bom_len, const char **why)
{
    const unsigned char *b = (const unsigned char *)bytes;
    const char *w = "bom";
    const pw_sx_encoding *e = NULL;
    *bom_len = 0;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        e = &encodings[E_UTF8];
        *bom_len = 3;
    } else if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
        e = &encodings[E_U16BE];
        *bom_len = 2;
    } else if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        e = &encodings[E_U16LE];
        *bom_len = 2;
    }
    if (!e && content_type && (e = http_charset(content_type)))
        w = "http";
    if (!e && (e = prescan(b, n)))
        w = "meta";
    if (!e) {
        e = &encodings[valid_utf8(b, n) ? E_UTF8 : E_1252];
        w = "detected";
    }
    if (why)
        *why = w;
    return e;
}

/* ---- decoding ----------------------------------------------------------------------------- */

/* windows-1252's 0x80-0x9F; the rest is ISO-8859-1 (five unassigned bytes are C1 controls). */
static const uint16_t cp1252_80[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static pw_status single_byte(const pw_sx_encoding *e, const unsigned char *b, size_t n, char **out,
                             size_t *out_n, pw_err *err)
{
    if (n > (SIZE_MAX - 1) / 3)
        return pw_err_set(err, PW_ERR_LIMIT, "page too large to decode");
    char *o = malloc(n * 3 + 1); /* every byte is at most 3 bytes of UTF-8 */
    if (!o)
        return pw_err_set(err, PW_ERR_NOMEM, "decoding the page: out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = b[i];
        uint32_t cp = c < 0x80              ? c
                      : e->kind == ENC_USER ? 0xF780u + (c - 0x80u)
                      : c < 0xA0            ? cp1252_80[c - 0x80]
                                            : c;
        k += utf8_put(o + k, cp);
    }
    o[k] = '\0';
    *out = o;
    *out_n = k;
    return PW_OK;
}

static pw_status with_iconv(const pw_sx_encoding *e, const char *bytes, size_t n, char **out,
                            size_t *out_n, pw_err *err)
{
    iconv_t cd = iconv_open("UTF-8", e->iconv);
    if (cd == (iconv_t)-1)
        return pw_err_set(err, PW_ERR_UNSUPPORTED, "%s: not known to this system's iconv", e->name);
    pw_buf o;
    pw_buf_init(&o);
    char *in = (char *)bytes;
    size_t left = n;
    char chunk[8192];
    while (left > 0 && !o.failed) {
        char *op = chunk;
        size_t room = sizeof chunk;
        size_t rc = iconv(cd, &in, &left, &op, &room);
        int why = rc == (size_t)-1 ? errno : 0;
        pw_buf_append(&o, chunk, sizeof chunk - room);
        if (rc != (size_t)-1 || (why == E2BIG && op != chunk))
            continue;
        /* EILSEQ: a byte sequence the encoding does not have; EINVAL: cut short at the end.
         * A browser shows U+FFFD and goes on with the next byte. */
        pw_buf_append(&o, "\xEF\xBF\xBD", 3);
        if (why == EINVAL)
            break;
        in++;
        left--;
    }
    char *op = chunk; /* a stateful encoding's return to its initial state */
    size_t room = sizeof chunk;
    iconv(cd, NULL, NULL, &op, &room);
    pw_buf_append(&o, chunk, sizeof chunk - room);
    iconv_close(cd);
    pw_buf_putc(&o, '\0');
    if (o.failed) {
        pw_buf_free(&o);
        return pw_err_set(err, PW_ERR_NOMEM, "decoding the page: out of memory");
    }
    *out_n = o.len - 1;
    *out = pw_buf_steal(&o, NULL);
    return PW_OK;
}

pw_status pw_sx_decode(const pw_sx_encoding *e, const char *bytes, size_t n, char **out,
                       size_t *out_n, pw_err *err)
{
    *out = NULL;
    *out_n = 0;
    switch (e->kind) {
    case ENC_1252:
    case ENC_USER: return single_byte(e, (const unsigned char *)bytes, n, out, out_n, err);
    case ENC_REPLACEMENT: /* the whole document is one U+FFFD */
        *out = strdup(n ? "\xEF\xBF\xBD" : "");
        if (!*out)
            return pw_err_set(err, PW_ERR_NOMEM, "decoding the page: out of memory");
        *out_n = strlen(*out);
        return PW_OK;
    default: return with_iconv(e, bytes, n, out, out_n, err);
    }
}

/* ---- URLs from a decoded page ------------------------------------------------------------- */

/* An encoded URL being written: room for the worst case is made first (at most 16 bytes out
 * for one byte in: a 4-byte character the page's encoding has not, "%26%23NNNNNNN%3B"). */
typedef struct ob {
    char *p;
    size_t n;
} ob;

static void pct(ob *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    b->p[b->n++] = '%';
    b->p[b->n++] = hex[c >> 4];
    b->p[b->n++] = hex[c & 15];
}

/* The URL standard's percent-encode sets, on ASCII (every byte above 0x7E is encoded). */
static int in_set(unsigned char c, const char *extra)
{
    return c < 0x21 || c > 0x7E || strchr(extra, c) != NULL;
}

/* Code point cp in e, percent-encoded; a character e has not: "&#cp;" percent-encoded (what
 * browsers send). cd: iconv from UTF-8 to e, or (iconv_t)-1 for windows-1252 by table. */
static void query_char(ob *b, const pw_sx_encoding *e, iconv_t cd, const unsigned char *s,
                       size_t len, uint32_t cp)
{
    if (e->kind == ENC_1252 || e->kind == ENC_USER) {
        int byte = -1;
        if (e->kind == ENC_USER)
            byte = cp >= 0xF780 && cp <= 0xF7FF ? (int)(cp - 0xF780 + 0x80) : -1;
        else if (cp >= 0xA0 && cp <= 0xFF)
            byte = (int)cp;
        else
            for (int k = 0; k < 32; k++)
                if (cp1252_80[k] == cp)
                    byte = 0x80 + k;
        if (byte >= 0) {
            pct(b, (unsigned char)byte);
            return;
        }
    } else if (cd != (iconv_t)-1) {
        char tmp[16], *op = tmp, *in = (char *)s;
        size_t left = len, room = sizeof tmp;
        if (iconv(cd, &in, &left, &op, &room) != (size_t)-1) {
            for (char *p = tmp; p < op; p++)
                pct(b, (unsigned char)*p);
            return;
        }
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    b->n += (size_t)sprintf(b->p + b->n, "%%26%%23%lu%%3B", (unsigned long)cp);
}

/* The query ends: a stateful encoder (ISO-2022-JP) returns to its initial state. */
static void query_end(ob *b, iconv_t cd)
{
    char tmp[16], *op = tmp;
    size_t room = sizeof tmp;
    if (cd != (iconv_t)-1 && iconv(cd, NULL, NULL, &op, &room) != (size_t)-1)
        for (char *t = tmp; t < op; t++)
            pct(b, (unsigned char)*t);
}

char *pw_sx_encode_url(pw_arena *a, const pw_sx_encoding *e, const char *url)
{
    size_t n = strlen(url);
    size_t colon = strcspn(url, ":/?#");
    if (url[colon] != ':' || strncmp(url + colon, "://", 3) != 0)
        return pw_arena_strdup(a, url); /* not hierarchical: nothing to encode */
    size_t path = colon + 3;
    path += strcspn(url + path, "/?#"); /* the host is not percent-encoded */
    size_t q = path + strcspn(url + path, "?#");
    size_t f = q + strcspn(url + q, "#");
    /* a page whose URLs need nothing done (most): no copy work beyond the scan */
    int plain = 1;
    for (size_t i = path; i < n && plain; i++)
        plain = !in_set((unsigned char)url[i], "\"<>`{}'");
    if (plain)
        return pw_arena_strdup(a, url);
    int utf8_query = e->kind == ENC_UTF8 || e->kind == ENC_UTF16 || e->kind == ENC_REPLACEMENT;
    iconv_t cd = (iconv_t)-1;
    if (!utf8_query && e->kind == ENC_ICONV)
        cd = iconv_open(e->iconv, "UTF-8");
    char stack[4096];
    size_t cap = 16 * (n - path) + 16 + path;
    ob b = {cap <= sizeof stack ? stack : malloc(cap), path};
    if (!b.p) {
        if (cd != (iconv_t)-1)
            iconv_close(cd);
        return NULL;
    }
    memcpy(b.p, url, path);
    for (size_t i = path; i < n;) {
        unsigned char c = (unsigned char)url[i];
        int query = i > q && i < f;
        if (query && !utf8_query && c >= 0x80) {
            uint32_t cp;
            size_t k = utf8_seq((const unsigned char *)url + i, f - i, &cp);
            if (k) {
                query_char(&b, e, cd, (const unsigned char *)url + i, k, cp);
                i += k;
                continue;
            }
        }
        if (i == f)
            query_end(&b, cd);
        const char *set = i < q ? "\"<>`{}" : i < f ? "\"<>'" : "\"<>`";
        if (i != q && i != f && in_set(c, set))
            pct(&b, c);
        else
            b.p[b.n++] = (char)c;
        i++;
    }
    if (f == n)
        query_end(&b, cd);
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    char *r = pw_arena_strndup(a, b.p, b.n);
    if (b.p != stack)
        free(b.p);
    return r;
}
