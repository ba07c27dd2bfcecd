/*
 * har_tok.c — the HAR reader's own JSON tokenizer, in front of yajl. yajl lexes every token
 * into its buffer and hands it over one callback at a time, ~23 instructions a byte on a real
 * capture; here the well-formed tokens of the 64 KiB chunk are read in place (strings found 16
 * bytes at a time, unescaped only when they hold a backslash), and values the reader never reads
 * are stepped over without events. Whatever this file is not sure of goes to yajl, from that
 * token on (see har_internal.h): it never has to reproduce yajl's error messages, only to accept
 * a subset of what yajl accepts and to deliver exactly yajl's events for it.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/har_internal.h"

/* Where the tokenizer stands: the state of yajl's parser it mirrors (in parentheses). */
enum {
    T_VALUE,     /* a value (start; map_need_val; array_need_val) */
    T_FIRST_OBJ, /* after '{' (map_start) */
    T_KEY,       /* after ',' in an object (map_need_key) */
    T_COLON,     /* after a key (map_sep) */
    T_FIRST_ARR, /* after '[' (array_start) */
    T_AFTER,     /* after a value (map_got_val, array_got_val; at depth 0 parse_complete) */
};

/* JSON's whitespace as the tokenizer takes it; yajl's other two (\v, \f) go to yajl. */
static const unsigned char is_ws[256] = {[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

void har_tok_init(har_tok *t, size_t max)
{
    memset(t, 0, sizeof *t);
    t->st = T_VALUE;
    t->max = max;
}

void har_tok_free(har_tok *t)
{
    free(t->scratch);
    t->scratch = NULL;
    t->scratch_cap = 0;
}

int har_tok_complete(const har_tok *t)
{
    return t->d == 0 && t->st == T_AFTER;
}

static int hex_digit(unsigned char c)
{
    /* as yajl's hexToDigit: the string was checked, c is [0-9A-Fa-f] */
    if (c >= 'A')
        c = (unsigned char)((c & ~0x20) - 7);
    return c - '0';
}

static unsigned hex4(const unsigned char *h)
{
    return (unsigned)(hex_digit(h[0]) << 12 | hex_digit(h[1]) << 8 | hex_digit(h[2]) << 4 |
                      hex_digit(h[3]));
}

/* yajl's Utf32toUtf8: up to 4 bytes, '?' above 0x1FFFFF; the bytes written. */
static size_t utf8_of(unsigned cp, unsigned char *o)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(cp >> 6 | 0xC0);
        o[1] = (unsigned char)((cp & 0x3F) | 0x80);
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(cp >> 12 | 0xE0);
        o[1] = (unsigned char)((cp >> 6 & 0x3F) | 0x80);
        o[2] = (unsigned char)((cp & 0x3F) | 0x80);
        return 3;
    }
    if (cp < 0x200000) {
        o[0] = (unsigned char)(cp >> 18 | 0xF0);
        o[1] = (unsigned char)((cp >> 12 & 0x3F) | 0x80);
        o[2] = (unsigned char)((cp >> 6 & 0x3F) | 0x80);
        o[3] = (unsigned char)((cp & 0x3F) | 0x80);
        return 4;
    }
    o[0] = '?';
    return 1;
}

/* yajl_string_decode (2.1.0), byte for byte: a high surrogate takes the next \uXXXX whatever it
 * is; one not followed by a \u becomes '?'; \u0000 is a NUL byte; a lone low surrogate is
 * encoded as it is (test_har_tok checks each against the yajl linked in). */
size_t har_unescape(const unsigned char *s, size_t n, unsigned char *out)
{
    size_t beg = 0, end = 0, w = 0;
    while (end < n) {
        if (s[end] != '\\') {
            end++;
            continue;
        }
        memcpy(out + w, s + beg, end - beg);
        w += end - beg;
        unsigned char c = s[++end];
        switch (c) {
        case 'r': out[w++] = '\r'; break;
        case 'n': out[w++] = '\n'; break;
        case 'f': out[w++] = '\f'; break;
        case 'b': out[w++] = '\b'; break;
        case 't': out[w++] = '\t'; break;
        case 'u': {
            unsigned cp = hex4(s + end + 1);
            end += 4;
            if ((cp & 0xFC00) == 0xD800) {
                if (end + 2 < n && s[end + 1] == '\\' && s[end + 2] == 'u') {
                    unsigned lo = hex4(s + end + 3);
                    cp = ((cp & 0x3F) << 10) | ((((cp >> 6) & 0xF) + 1) << 16) | (lo & 0x3FF);
                    end += 6;
                } else {
                    out[w++] = '?';
                    break;
                }
            }
            if (cp == 0) {
                out[w++] = 0;
                break;
            }
            w += utf8_of(cp, out + w);
            break;
        }
        default: out[w++] = c; break; /* " \ / */
        }
        beg = ++end;
    }
    if (end > beg) {
        memcpy(out + w, s + beg, end - beg);
        w += end - beg;
    }
    return w;
}

size_t har_tok_prefix(const har_tok *t, char *out)
{
    size_t w = 0;
    if (t->d == 0) {
        if (t->st == T_AFTER) {
            memcpy(out, "{}", 2);
            w = 2;
        }
        return w;
    }
    /* each enclosing container holds the next as a value (its state: got_val) */
    for (size_t i = 0; i + 1 < t->d; i++) {
        const char *s = t->is_arr[i] ? "[" : "{\"\":";
        size_t n = strlen(s);
        memcpy(out + w, s, n);
        w += n;
    }
    const char *s = NULL;
    if (t->is_arr[t->d - 1]) {
        s = t->st == T_FIRST_ARR ? "[" : t->st == T_VALUE ? "[null," : "[null";
    } else {
        switch (t->st) {
        case T_FIRST_OBJ: s = "{"; break;
        case T_KEY: s = "{\"\":null,"; break;
        case T_COLON: s = "{\"\""; break;
        case T_VALUE: s = "{\"\":"; break;
        default: s = "{\"\":null"; break;
        }
    }
    size_t n = strlen(s);
    memcpy(out + w, s, n);
    return w + n;
}

void har_tok_follow(har_tok *t, char type)
{
    switch (type) {
    case 'k': t->st = T_COLON; break;
    case 'o':
    case 'a':
        if (t->d < HAR_TOK_DEPTH)
            t->is_arr[t->d++] = type == 'a';
        t->st = type == 'a' ? T_FIRST_ARR : T_FIRST_OBJ;
        break;
    case 'e':
        if (t->d)
            t->d--;
        t->st = T_AFTER;
        break;
    default: t->st = T_AFTER; break;
    }
}

/* The string whose opening quote is b[i]: its value (unescaped when it has a backslash) through
 * *s, *n; the index of its closing quote, or 0 to hand it to yajl (not wholly in the chunk, over
 * the limit, malformed). -1 without memory. */
static long string_at(har_tok *t, const unsigned char *b, size_t n, size_t i,
                      const unsigned char **s, size_t *len)
{
    const unsigned char *c = b + i + 1;
    const unsigned char *q = har_string_end(c, b + n, t->max);
    if (!q)
        return 0;
    size_t raw = (size_t)(q - c);
    *s = c;
    *len = raw;
    if (!memchr(c, '\\', raw))
        return (long)(q - b);
    if (t->scratch_cap < raw) {
        size_t cap = raw < 4096 ? 4096 : raw;
        free(t->scratch); /* its content is the previous string's: nothing to keep */
        t->scratch = pw_json_probe_malloc(t->probe, cap);
        t->scratch_cap = t->scratch ? cap : 0;
        if (!t->scratch)
            return -1;
    }
    *len = har_unescape(c, raw, t->scratch);
    *s = t->scratch;
    return (long)(q - b);
}

/* The key whose opening quote is b[i], without escapes; the index of its closing quote, else 0. */
static size_t key_at(const har_tok *t, const unsigned char *b, size_t n, size_t i)
{
    const unsigned char *c = b + i + 1, *end = b + n;
    const unsigned char *q = har_next_special(c, end);
    if (q >= end || *q != '"' || (size_t)(q - c) > t->max)
        return 0;
    return (size_t)(q - b);
}

/* A value the reader never reads, at the first non-blank byte from b[i]: the index after it, or
 * i when it is not wholly in the chunk or not surely well-formed (then tokenized as any other). */
static size_t skip_value(const har_tok *t, const unsigned char *b, size_t n, size_t i, size_t room)
{
    size_t j = i;
    while (j < n && is_ws[b[j]])
        j++;
    if (j == n)
        return i;
    const unsigned char *e = NULL;
    if (b[j] == '"')
        e = har_string_end(b + j + 1, b + n, t->max);
    else if (b[j] == '{' || b[j] == '[')
        e = har_container_end(b + j, b + n, room, t->max);
    return e ? (size_t)(e - b) + 1 : i;
}

static int push(har_tok *t, int arr)
{
    if (t->d == HAR_TOK_DEPTH)
        return 0;
    t->is_arr[t->d++] = (unsigned char)arr;
    t->st = arr ? T_FIRST_ARR : T_FIRST_OBJ;
    return 1;
}

/* A value at b[i]; the index after it (events sent), 0 to hand it to yajl, (size_t)-1 when a
 * callback stopped, (size_t)-2 without memory. */
static size_t value_at(har_tok *t, const unsigned char *b, size_t n, size_t i, size_t off,
                       const har_tok_ops *ops, void *ctx)
{
    const unsigned char *s = b + i;
    size_t len = 0, next;
    char type;
    switch (b[i]) {
    case '{':
    case '[':
        if (!push(t, b[i] == '['))
            return 0;
        return ops->value(ctx, b[i] == '[' ? 'a' : 'o', NULL, 0, off + i + 1) ? i + 1 : (size_t)-1;
    case '"': {
        long q = string_at(t, b, n, i, &s, &len);
        if (q <= 0)
            return q < 0 ? (size_t)-2 : 0;
        type = 's';
        next = (size_t)q + 1;
        break;
    }
    case 't':
    case 'f':
    case 'n': {
        const char *w = b[i] == 't' ? "true" : b[i] == 'f' ? "false" : "null";
        len = strlen(w);
        if (n - i < len || memcmp(b + i, w, len) != 0)
            return 0;
        type = b[i] == 'n' ? 'z' : 'b';
        next = i + len;
        if (type == 'z') /* yajl's null has no text */
            len = 0;
        break;
    }
    default: {
        const unsigned char *e = har_number_end(b + i, b + n);
        if (!e || e == b + n) /* malformed, or it may go on in the next chunk */
            return 0;
        type = 'n';
        len = (size_t)(e - s);
        next = i + len;
        break;
    }
    }
    t->st = T_AFTER;
    return ops->value(ctx, type, s, len, off + next) ? next : (size_t)-1;
}

int har_tok_run(har_tok *t, const unsigned char *b, size_t n, size_t *pi, size_t off,
                const har_tok_ops *ops, void *ctx)
{
    size_t i = *pi;
    for (;;) {
        while (i < n && is_ws[b[i]])
            i++;
        *pi = i;
        if (i == n)
            return HAR_TOK_MORE;
        unsigned char c = b[i];
        switch (t->st) {
        case T_AFTER:
            if (t->d == 0)
                return HAR_TOK_HANDOFF; /* trailing bytes: yajl's error */
            if (c == ',') {
                t->st = t->is_arr[t->d - 1] ? T_VALUE : T_KEY;
                i++;
                continue;
            }
            if (c != (t->is_arr[t->d - 1] ? ']' : '}'))
                return HAR_TOK_HANDOFF;
        close:
            t->d--;
            t->st = T_AFTER;
            *pi = ++i;
            if (!ops->end(ctx, off + i))
                return HAR_TOK_STOP;
            continue;
        case T_FIRST_OBJ:
            if (c == '}')
                goto close;
            /* fall through */
        case T_KEY: {
            size_t q = c == '"' ? key_at(t, b, n, i) : 0;
            if (!q)
                return HAR_TOK_HANDOFF;
            t->st = T_COLON;
            *pi = q + 1;
            if (!ops->key(ctx, b + i + 1, q - i - 1, off + q + 1))
                return HAR_TOK_STOP;
            i = q + 1;
            continue;
        }
        case T_COLON: {
            if (c != ':')
                return HAR_TOK_HANDOFF;
            i++;
            t->st = T_VALUE;
            size_t room = ops->skip_room(ctx);
            if (room) {
                size_t e = skip_value(t, b, n, i, room);
                if (e != i) {
                    i = e;
                    t->st = T_AFTER;
                }
            }
            continue;
        }
        case T_FIRST_ARR:
            if (c == ']')
                goto close;
            /* fall through */
        default: {
            size_t next = value_at(t, b, n, i, off, ops, ctx);
            if (next == 0)
                return HAR_TOK_HANDOFF;
            if (next == (size_t)-1) {
                *pi = i;
                return HAR_TOK_STOP;
            }
            if (next == (size_t)-2)
                return -1;
            i = next;
            continue;
        }
        }
    }
}
