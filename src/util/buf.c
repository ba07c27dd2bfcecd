/* buf.c — growable output buffer and the escapers every output format shares. */
#include "phiwall/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pw_buf_init(pw_buf *b)
{
    memset(b, 0, sizeof *b);
}

void pw_buf_free(pw_buf *b)
{
    free(b->data);
    pw_buf_init(b);
}

void pw_buf_clear(pw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

pw_status pw_buf_reserve(pw_buf *b, size_t extra)
{
    if (b->failed)
        return PW_ERR_NOMEM;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return PW_ERR_NOMEM;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return PW_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return PW_ERR_NOMEM;
    }
    b->data = p;
    b->cap = cap;
    return PW_OK;
}

pw_status pw_buf_spill(pw_buf *b, size_t at_least)
{
    if (b->failed)
        return PW_ERR_NOMEM;
    if (!b->sink || b->len < at_least || !b->len)
        return PW_OK;
    pw_status st = b->sink(b->sink_ctx, b->data, b->len);
    if (st != PW_OK) {
        b->failed = 1;
        return st;
    }
    pw_buf_clear(b);
    return PW_OK;
}

pw_status pw_buf_append(pw_buf *b, const void *p, size_t n)
{
    pw_status st = pw_buf_reserve(b, n);
    if (st != PW_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return PW_OK;
}

pw_status pw_buf_puts(pw_buf *b, const char *s)
{
    return pw_buf_append(b, s, strlen(s));
}

pw_status pw_buf_putc(pw_buf *b, char c)
{
    return pw_buf_append(b, &c, 1);
}

pw_status pw_buf_vprintf(pw_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return PW_ERR_INVALID;
    pw_status st = pw_buf_reserve(b, (size_t)n);
    if (st != PW_OK)
        return st;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return PW_OK;
}

pw_status pw_buf_printf(pw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pw_status st = pw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there are not one. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* JSON output must be valid UTF-8 whatever the input (HAR bodies, hostile pages): control
 * characters are escaped and invalid bytes become U+FFFD. */
pw_status pw_buf_json_string(pw_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    pw_buf_putc(b, '"');
    size_t run = 0; /* copy unescaped runs in one append */
    size_t i = 0;
    while (i < n) {
        while (i < n && u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' && u[i] != '\\')
            i++; /* the common case: printable ASCII, no escape */
        if (i == n)
            break;
        unsigned char c = u[i];
        const char *esc = NULL;
        char tmp[7];
        size_t adv = 1;
        if (c >= 0x80) {
            adv = utf8_valid_len(u + i, n - i);
            if (adv) {
                i += adv;
                continue;
            }
            adv = 1;
            esc = "\\ufffd";
        } else {
            switch (c) {
            case '"': esc = "\\\""; break;
            case '\\': esc = "\\\\"; break;
            case '\n': esc = "\\n"; break;
            case '\r': esc = "\\r"; break;
            case '\t': esc = "\\t"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    tmp[0] = '\\';
                    tmp[1] = 'u';
                    tmp[2] = '0';
                    tmp[3] = '0';
                    tmp[4] = hex[c >> 4];
                    tmp[5] = hex[c & 15];
                    tmp[6] = '\0';
                    esc = tmp;
                }
            }
        }
        if (!esc) {
            i++;
            continue;
        }
        pw_buf_append(b, s + run, i - run);
        pw_buf_puts(b, esc);
        i += adv;
        run = i;
    }
    pw_buf_append(b, s + run, n - run);
    return pw_buf_putc(b, '"');
}

pw_status pw_buf_html_text(pw_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        case '\'': esc = "&#39;"; break;
        default: continue;
        }
        pw_buf_append(b, s + run, i - run);
        pw_buf_puts(b, esc);
        run = i + 1;
    }
    return pw_buf_append(b, s + run, n - run);
}

char *pw_buf_steal(pw_buf *b, size_t *len_out)
{
    char *p = b->data;
    if (len_out)
        *len_out = b->len;
    pw_buf_init(b);
    return p;
}
