/*
 * audit_fields.c — whether a record's fields map can be written as it is given (see
 * audit_internal.h, pw_audit_fields_compact): the JSON that parsing and emitting it again (audit.c,
 * format_fields: yajl and pw_gw_json_emit) would give back byte for byte. The maps the gateway
 * makes are of that kind; copying them needs no parse, and so no allocation, when a record is
 * written (a forwarder's "sent" records are written after the upstream answered).
 *
 * The kind: an object, no whitespace, strings of printable ASCII without escapes (the bytes
 * pw_buf_json_string writes as they are), numbers as JSON writes them (the emitter copies a
 * number's text), true, false, null, nesting no deeper than pw_gw_json_parse takes. Anything
 * else (escapes, UTF-8, spaces) goes the general way.
 */
#include "audit_internal.h"
#include "gw_json.h"

#include <string.h>

typedef struct scan {
    const unsigned char *p, *end;
} scan;

static int value(scan *s, int depth);

static int more(const scan *s)
{
    return s->p < s->end;
}

static int string(scan *s)
{
    if (!more(s) || *s->p != '"')
        return 0;
    for (s->p++; more(s); s->p++) {
        unsigned char c = *s->p;
        if (c == '"') {
            s->p++;
            return 1;
        }
        if (c < 0x20 || c >= 0x7f || c == '\\')
            return 0;
    }
    return 0;
}

static int digits(scan *s)
{
    const unsigned char *from = s->p;
    while (more(s) && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > from;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(scan *s)
{
    if (more(s) && *s->p == '-')
        s->p++;
    if (!more(s) || *s->p < '0' || *s->p > '9')
        return 0;
    if (*s->p == '0')
        s->p++;
    else
        digits(s);
    if (more(s) && *s->p == '.' && (s->p++, !digits(s)))
        return 0;
    if (more(s) && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (more(s) && (*s->p == '+' || *s->p == '-'))
            s->p++;
        return digits(s);
    }
    return 1;
}

static int literal(scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return 0;
    s->p += n;
    return 1;
}

/* After the '{' or '[': members (or elements) up to and with `close`. */
static int members(scan *s, int depth, unsigned char close)
{
    if (more(s) && *s->p == close) {
        s->p++;
        return 1;
    }
    for (;;) {
        if (close == '}' && (!string(s) || !more(s) || *s->p++ != ':'))
            return 0;
        if (!value(s, depth) || !more(s))
            return 0;
        unsigned char c = *s->p++;
        if (c == close)
            return 1;
        if (c != ',')
            return 0;
    }
}

/* depth: the containers around the value. */
static int value(scan *s, int depth)
{
    if (!more(s))
        return 0;
    switch (*s->p) {
    case '{':
    case '[': {
        unsigned char close = *s->p == '{' ? '}' : ']';
        if (depth >= PW_GW_JSON_MAX_DEPTH) /* the parse refuses it: written as a string */
            return 0;
        s->p++;
        return members(s, depth + 1, close);
    }
    case '"': return string(s);
    case 't': return literal(s, "true");
    case 'f': return literal(s, "false");
    case 'n': return literal(s, "null");
    default: return number(s);
    }
}

int pw_audit_fields_compact(const char *json, size_t n)
{
    scan s = {(const unsigned char *)json, (const unsigned char *)json + n};
    return n && json[0] == '{' && value(&s, 0) && s.p == s.end;
}
