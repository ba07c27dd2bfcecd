/*
 * har_limit.c — the HAR reader's string limiter. yajl buffers a whole string token before it
 * calls back, so one 2 GB response body would need 2 GB of memory. This filter walks the raw
 * bytes (tracking only "inside a string" and escapes), forwards them to the parser in runs that
 * point into the caller's chunk, and drops the bytes of any string beyond `max`, at a point that
 * keeps the JSON valid (not inside an escape or a UTF-8 sequence). Offsets stay those of the
 * input, so parse errors still name the true byte.
 */
#include <string.h>

#include "capture/har_internal.h"

void har_limiter_init(har_limiter *l, size_t max)
{
    memset(l, 0, sizeof *l);
    l->max = max;
}

/* Safe place to cut: not inside an escape, not on a UTF-8 continuation byte. */
static int can_cut(const har_limiter *l, unsigned char c)
{
    return !l->esc && l->hex_left == 0 && (c & 0xC0) != 0x80;
}

/* Advance the escape state over one content byte; returns 1 if it closes the string. */
static int string_step(har_limiter *l, unsigned char c)
{
    if (l->hex_left) {
        l->hex_left--;
        return 0;
    }
    if (l->esc) {
        l->esc = 0;
        if (c == 'u')
            l->hex_left = 4;
        return 0;
    }
    if (c == '\\') {
        l->esc = 1;
        return 0;
    }
    return c == '"';
}

int har_limiter_push(har_limiter *l, const unsigned char *in, size_t n, har_feed_fn feed, void *ctx)
{
    size_t i = 0, seg = 0;
    while (i < n) {
        if (!l->in_str) {
            const unsigned char *q = memchr(in + i, '"', n - i);
            if (!q) {
                i = n;
                break;
            }
            i = (size_t)(q - in) + 1;
            l->in_str = 1;
            l->str_len = 0;
            l->str_start = l->in_off + (size_t)(q - in);
            continue;
        }
        if (!l->dropping) {
            /* Fast path: plain content bytes up to the limit, skipped with memchr. */
            size_t room = l->max > l->str_len ? l->max - l->str_len : 0;
            size_t end = n - i < room ? n : i + room;
            while (i < end) {
                if (!l->esc && !l->hex_left) {
                    const unsigned char *q = memchr(in + i, '"', end - i);
                    size_t stop = q ? (size_t)(q - in) : end;
                    const unsigned char *bs = memchr(in + i, '\\', stop - i);
                    if (bs)
                        stop = (size_t)(bs - in);
                    l->str_len += stop - i;
                    i = stop;
                    if (i == end)
                        break;
                }
                unsigned char c = in[i++];
                l->str_len++;
                if (string_step(l, c)) {
                    l->in_str = 0;
                    break;
                }
            }
            if (!l->in_str || i == n || l->str_len < l->max)
                continue;
            if (!can_cut(l, in[i]) || in[i] == '"') {
                /* finish an escape, a UTF-8 sequence or the string itself, one byte at a time */
                unsigned char c = in[i++];
                l->str_len++;
                if (string_step(l, c))
                    l->in_str = 0;
                continue;
            }
            if (i > seg && !feed(ctx, in + seg, i - seg, l->in_off + seg, 0))
                return 0;
            if (l->n_truncated++ == 0)
                l->first_truncation = l->str_start;
            l->dropping = 1;
            seg = i;
            continue;
        }
        /* Dropping: find the closing quote, keep nothing before it. */
        while (i < n) {
            unsigned char c = in[i];
            if (string_step(l, c))
                break;
            i++;
        }
        if (i == n) {
            seg = n;
            break;
        }
        if (!feed(ctx, in + i, 1, l->in_off + i, 1))
            return 0;
        i++;
        seg = i;
        l->in_str = 0;
        l->dropping = 0;
    }
    if (n > seg && !feed(ctx, in + seg, n - seg, l->in_off + seg, 0))
        return 0;
    l->in_off += n;
    return 1;
}
