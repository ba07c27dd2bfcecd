/*
 * text_table.h — (internal to report) the plain-text tables of the terminal report: columns as
 * wide as their widest cell up to a cap, cells beyond it word-wrapped onto more lines (wrap
 * columns; a word longer than the column, such as a host name or a page path, breaks after a
 * slash, dot or hyphen) or cut with a trailing "…" (one-line columns, a long word without such a
 * break); a word is never cut without "…".
 * Widths count UTF-8 code points. Two passes: tt_measure every cell (and tt_fit the total), then
 * print the rows.
 */
#ifndef PHIWALL_REPORT_TEXT_TABLE_H
#define PHIWALL_REPORT_TEXT_TABLE_H

#include <stddef.h>

#include "phiwall/buf.h"

#define TT_MAX_COLS 8

typedef struct tt_col {
    const char *head; /* column title, or NULL for a table without a header line */
    int cap;          /* widest the column may grow, in display columns (0: no cap) */
    int wrap;         /* 1: word-wrap over several lines; 0: one line, cut with "…" */
    int right;        /* 1: right-aligned (counts) */
    int min;          /* narrowest tt_fit may make it (0: never narrowed) */
    int late;         /* 1: a wrap column tt_fit narrows with the one-line ones, after the other
                       * wrap columns (a page path: wrapped only when the rest is narrow) */
} tt_col;

typedef struct tt_table {
    size_t n;
    tt_col col[TT_MAX_COLS];
    int width[TT_MAX_COLS];
} tt_table;

/* Display width of s (UTF-8 code points). */
int tt_text_width(const char *s);

/* Columns, each first as wide as its title. n <= TT_MAX_COLS. */
void tt_init(tt_table *t, const tt_col *cols, size_t n);
/* Widen column c to fit text, up to its cap. */
void tt_measure(tt_table *t, size_t c, const char *text);
/* Narrow the columns that allow it (wrap columns first, then one-line and `late` ones, the
 * widest first, none below its min) until the table, gaps included, is at most max_total wide.
 * Returns 1 when it did: the widths became the caps and the cells must be measured again (the lines
 * of a narrowed wrap column may come out narrower still); 0 when the table already fitted. */
int tt_fit(tt_table *t, int max_total);
/* The title line; `on`/`off` wrap it (bold), or NULL. */
void tt_header(const tt_table *t, pw_buf *b, const char *indent, const char *on, const char *off);
/* One row: cells[c] (NULL = empty), colors[c] an escape sequence around the cell's text or NULL
 * (colors itself may be NULL), `off` the sequence that ends a colour. Lines carry no trailing
 * blanks. */
void tt_row(const tt_table *t, pw_buf *b, const char *indent, const char *const *cells,
            const char *const *colors, const char *off);

#endif
