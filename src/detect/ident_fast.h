/*
 * ident_fast.h — (internal to detect) checks of the written-out tables behind the identifier
 * detectors' cheap rejects (engine-text9), for the unit tests: each table against the word lists
 * it is built from, and each fast reject against the walk it spares on a given text.
 */
#ifndef PHIWALL_DETECT_IDENT_FAST_H
#define PHIWALL_DETECT_IDENT_FAST_H

#include <stddef.h>

/* ident_address.c: the length tables of the street suffixes, institutions and units equal the
 * lists (1), and, for the word s[0..len), each list's filtered lookup answers as its walk (1). */
int pw_addr_lens_ok(void);
int pw_addr_word_in_same(const char *s, size_t len);

/* ident_name.c: the trigger first-word length table equals the trigger lists (1); and at s[i]
 * the reject name_text's walk makes (no trigger of that initial has a first word of the length
 * of the letters at s[i]) never rejects a place where a trigger matches (1). */
int pw_name_trigger_lens_ok(void);
int pw_name_trigger_same(const char *s, size_t n, size_t i);

/* ident_date.c: on a text of at most 64 bytes, the month-first candidates date_word keeps with
 * the masks' reject are those the checks without it keep (1). */
int pw_date_month_reject_same(const char *s, size_t n);

/* 1 when the word lists of ident_name.c searched by bisection (in_sorted: the addressee, title
 * and control words) are sorted in strcmp's order, without repeats, in lower case
 * (engine-real10). */
int pw_name_lists_sorted(void);

#endif
