/*
 * report_why.c — a rule's legal reasoning printed once: it is the same paragraph for every
 * tracker and page (a third of a report of 33 condition-page findings was that one paragraph
 * again), so the text and HTML reports print it with the rule's first detailed finding and
 * refer to it after; a finding whose reasoning differs from what its rule printed gets its own.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

size_t pw_why_again(pw_why_seen *w, const char *rule, const char *legal, pw_buf *b)
{
    if (!rule || !legal)
        return 0;
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->rule[i], rule) == 0 && strcmp(w->legal[i], legal) == 0)
            return i + 1;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        char **r = realloc(w->rule, cap * sizeof *r);
        if (r)
            w->rule = r;
        char **l = r ? realloc(w->legal, cap * sizeof *l) : NULL;
        if (l)
            w->legal = l;
        if (!r || !l) {
            b->failed = 1;
            return 0;
        }
        w->cap = cap;
    }
    char *rd = strdup(rule), *ld = strdup(legal);
    if (!rd || !ld) {
        free(rd);
        free(ld);
        b->failed = 1;
        return 0;
    }
    w->rule[w->n] = rd;
    w->legal[w->n++] = ld;
    return 0;
}

void pw_why_free(pw_why_seen *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->rule[i]);
        free(w->legal[i]);
    }
    free(w->rule);
    free(w->legal);
    memset(w, 0, sizeof *w);
}
