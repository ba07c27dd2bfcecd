/*
 * text_table.c — fitted plain-text table columns for the terminal report (see text_table.h):
 * measuring cells, word-wrapping or cutting them with an ellipsis, padding and alignment.
 */
#include <string.h>

#include "report/text_table.h"

#define ELLIPSIS "…"
#define TT_GAP   "  " /* between columns */

static int is_lead(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

int tt_text_width(const char *s)
{
    int w = 0;
    for (; s && *s; s++)
        w += is_lead((unsigned char)*s);
    return w;
}

void tt_init(tt_table *t, const tt_col *cols, size_t n)
{
    memset(t, 0, sizeof *t);
    t->n = n < TT_MAX_COLS ? n : TT_MAX_COLS;
    for (size_t c = 0; c < t->n; c++) {
        t->col[c] = cols[c];
        t->width[c] = tt_text_width(cols[c].head);
    }
}

static int total_width(const tt_table *t)
{
    int w = t->n ? (int)(t->n - 1) * (int)(sizeof TT_GAP - 1) : 0;
    for (size_t c = 0; c < t->n; c++)
        w += t->width[c];
    return w;
}

/* The widest column that can still be narrowed in the round (1: wrap columns, 0: one-line and
 * late ones), or -1. */
static int narrowable(const tt_table *t, int first)
{
    int best = -1;
    for (size_t c = 0; c < t->n; c++)
        if (t->col[c].min > 0 && (t->col[c].wrap && !t->col[c].late) == first &&
            t->width[c] > t->col[c].min && (best < 0 || t->width[c] > t->width[best]))
            best = (int)c;
    return best;
}

int tt_fit(tt_table *t, int max_total)
{
    int narrowed = 0;
    for (int over = total_width(t) - max_total; over > 0; over--) {
        int c = narrowable(t, 1);
        if (c < 0)
            c = narrowable(t, 0);
        if (c < 0)
            break;
        t->width[c]--;
        narrowed = 1;
    }
    if (!narrowed)
        return 0;
    for (size_t c = 0; c < t->n; c++) { /* measure again: wrapped lines may come out narrower */
        t->col[c].cap = t->width[c];
        t->width[c] = tt_text_width(t->col[c].head);
    }
    return 1;
}

/* Byte offset of the code point `cps` code points after s (or the end of s). */
static size_t advance(const char *s, int cps)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (is_lead((unsigned char)s[i]) && cps-- == 0)
            break;
    return i;
}

typedef struct piece {
    size_t start, end; /* bytes of the cell text on this line */
    int ellipsis;      /* add "…" after them */
} piece;

/* The next line's piece of s from *pos in a column w wide; *pos moves past it. */
static piece next_piece(const char *s, size_t *pos, int w, int wrap)
{
    size_t p = *pos;
    while (wrap && s[p] == ' ')
        p++;
    piece pc = {p, p, 0};
    const char *rest = s + p;
    if (tt_text_width(rest) <= w) {
        pc.end = p + strlen(rest);
        *pos = pc.end;
        return pc;
    }
    size_t fit = advance(rest, w); /* the first code point that does not fit */
    if (wrap) {
        for (size_t i = fit + 1; i-- > 0;)
            if (rest[i] == ' ' && i > 0) {
                pc.end = p + i;
                *pos = p + i + 1;
                return pc;
            }
        /* a word longer than the column breaks after a slash, dot or hyphen (a host name:
           "confiant-integrations." / "global.ssl.fastly.net"; a page path:
           "/patients/living-with-cancer/" / "patient-education"): the name is what identifies
           the company or the page, so it is wrapped whole, not cut */
        size_t word = strcspn(rest, " "), slash = 0, any = 0;
        for (size_t i = fit + 1; i-- > 1 && !slash;)
            if (i < word && rest[i - 1] && strchr("./-", rest[i - 1])) {
                any = any ? any : i;
                slash = rest[i - 1] == '/' ? i : 0;
            }
        /* whole path segments, unless that leaves the line less than half full */
        size_t at = slash && (int)advance(rest, w / 2) <= (int)slash ? slash : any;
        if (at) {
            pc.end = p + at;
            *pos = p + at;
            return pc;
        }
    }
    /* one word longer than the column, or a one-line column: cut it, say so */
    pc.end = p + advance(rest, w > 1 ? w - 1 : 0);
    pc.ellipsis = 1;
    size_t skip = wrap ? strcspn(rest, " ") : strlen(rest);
    *pos = p + skip;
    return pc;
}

static int piece_width(const char *s, piece pc)
{
    int w = pc.ellipsis;
    for (size_t i = pc.start; i < pc.end; i++)
        w += is_lead((unsigned char)s[i]);
    return w;
}

/* Widest line of text wrapped (or cut) at cap. */
static int wrapped_width(const char *text, int cap, int wrap)
{
    size_t pos = 0, len = strlen(text);
    int widest = 0;
    while (pos < len) {
        int w = piece_width(text, next_piece(text, &pos, cap, wrap));
        widest = w > widest ? w : widest;
    }
    return widest;
}

void tt_measure(tt_table *t, size_t c, const char *text)
{
    if (c >= t->n || !text)
        return;
    int w = tt_text_width(text), cap = t->col[c].cap;
    if (cap > 0 && w > cap)
        w = wrapped_width(text, cap, t->col[c].wrap);
    if (w > t->width[c])
        t->width[c] = w;
}

static void pad(pw_buf *b, int n)
{
    for (; n > 0; n--)
        pw_buf_putc(b, ' ');
}

/* One cell's piece on the current line, padded to the column; 1 if the cell has more. */
static int cell_line(const tt_table *t, pw_buf *b, size_t c, const char *s, size_t *pos,
                     const char *color, const char *off)
{
    size_t len = s ? strlen(s) : 0;
    piece pc = {0, 0, 0};
    if (*pos < len)
        pc = next_piece(s, pos, t->width[c], t->col[c].wrap);
    int used = piece_width(s ? s : "", pc);
    if (t->col[c].right)
        pad(b, t->width[c] - used);
    int colored = color && pc.end > pc.start;
    if (colored)
        pw_buf_puts(b, color);
    if (pc.end > pc.start)
        pw_buf_append(b, s + pc.start, pc.end - pc.start);
    if (pc.ellipsis)
        pw_buf_puts(b, ELLIPSIS);
    if (colored && off)
        pw_buf_puts(b, off);
    if (!t->col[c].right)
        pad(b, t->width[c] - used);
    while (s && *pos < len && s[*pos] == ' ')
        (*pos)++;
    return *pos < len;
}

void tt_row(const tt_table *t, pw_buf *b, const char *indent, const char *const *cells,
            const char *const *colors, const char *off)
{
    size_t pos[TT_MAX_COLS] = {0};
    int more = 1;
    while (more) {
        more = 0;
        pw_buf_puts(b, indent ? indent : "");
        size_t line_start = b->len;
        for (size_t c = 0; c < t->n; c++) {
            if (c)
                pw_buf_puts(b, TT_GAP);
            more |= cell_line(t, b, c, cells[c], &pos[c], colors ? colors[c] : NULL, off);
        }
        while (b->len > line_start && b->data[b->len - 1] == ' ')
            b->len--;
        pw_buf_putc(b, '\n');
    }
}

void tt_header(const tt_table *t, pw_buf *b, const char *indent, const char *on, const char *off)
{
    const char *cells[TT_MAX_COLS], *colors[TT_MAX_COLS];
    for (size_t c = 0; c < t->n; c++) {
        cells[c] = t->col[c].head;
        colors[c] = on;
    }
    tt_row(t, b, indent, cells, colors, off);
}
