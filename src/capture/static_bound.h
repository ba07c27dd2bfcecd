/*
 * static_bound.h — (internal) the bound on the HTML static triage hands to libgumbo, whose tree
 * construction costs about depth x tags: <html><body> + 80,000 <div> took 20 s of CPU, a 16 MiB
 * page of them hours. A hostile site must not make itself unauditable, so the bytes are read
 * first and cut where the nesting or the tag count passes a limit.
 */
#ifndef PHIWALL_STATIC_BOUND_H
#define PHIWALL_STATIC_BOUND_H

#include <stddef.h>

/* Blink's HTML parser stops nesting at 512 (it flattens deeper elements); twice that leaves
 * room for the estimate counting elements a parser would close by itself. */
#define PW_SX_MAX_DEPTH 1024
#define PW_SX_MAX_TAGS  250000
#define PW_SX_STR_(x)   #x
#define PW_SX_STR(x)    PW_SX_STR_(x)

typedef struct pw_sx_bound {
    size_t keep;      /* bytes to parse: n, or where a limit was passed */
    size_t max_depth; /* the deepest nesting estimated within the kept bytes */
    size_t tags;      /* start tags within the kept bytes */
    const char *why;  /* NULL, or which limit cut the page */
} pw_sx_bound;

/* One pass over html (any bytes): start and end tags counted outside comments and raw-text
 * elements (script, style, textarea, title, xmp), void elements and the ones a parser closes
 * itself (p, li, td, option...) not counted as nesting. */
void pw_sx_bound_html(const char *html, size_t n, pw_sx_bound *out);

#endif
