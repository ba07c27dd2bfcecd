/*
 * gw_json_tree.h — untrusted JSON text to a read-only tree allocated in an arena, for the request
 * path (POST /e). It accepts and rejects exactly what yajl does (same grammar, comments allowed,
 * UTF-8 validated, same error messages as yajl_tree_parse); plain bodies take a direct parser,
 * the rest yajl's own driven through its event interface, so the tree costs a few
 * bump allocations instead of a malloc per node and a recursive free; nothing is freed until the
 * request's arena is.
 *
 * The tree reads like yajl_tree's: strings and object keys end at their first NUL byte (a "\u0000"
 * escape cuts them short, as a C string would), a number keeps its JSON text and says whether it
 * is a 64-bit integer under yajl's rules. Internal to gateway/.
 */
#ifndef PHIWALL_GW_JSON_TREE_H
#define PHIWALL_GW_JSON_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"
#include "phiwall/json_reserve.h"

typedef enum pw_gw_jt_type {
    PW_GW_JT_NULL = 0,
    PW_GW_JT_FALSE,
    PW_GW_JT_TRUE,
    PW_GW_JT_NUMBER,
    PW_GW_JT_STRING,
    PW_GW_JT_OBJECT,
    PW_GW_JT_ARRAY
} pw_gw_jt_type;

typedef struct pw_gw_jt pw_gw_jt;
struct pw_gw_jt {
    pw_gw_jt_type type;
    int int_ok;      /* NUMBER: `i` holds its value (yajl's integer rules) */
    long long i;     /* NUMBER */
    const char *s;   /* STRING: the decoded text; NUMBER: its JSON text (NUL-terminated) */
    size_t len;      /* strlen(s) */
    const char *key; /* a member of an OBJECT: its key (NUL-terminated) */
    size_t key_len;  /* strlen(key) */
    pw_gw_jt *first; /* OBJECT / ARRAY: members in document order */
    pw_gw_jt *next;  /* the next member of the parent */
    size_t n;        /* OBJECT / ARRAY: number of members */
    int cut;         /* STRING: it held U+0000 and `s` ends there (the rest is not in `s`) */
    int key_cut;     /* likewise for its key */
};

/* Containers nested deeper are refused (PW_ERR_PARSE, "nesting deeper than 1024"), where yajl
 * itself has no bound: its state stack must fit the reserve its allocations come from
 * (gw_json_tree.c). The callers bound nesting far below (PW_GW_JSON_MAX_DEPTH, 64). */
#define PW_GW_JT_MAX_DEPTH PW_JSON_MAX_DEPTH

/*
 * Parse n bytes of JSON into a tree in `a`. On malformed JSON returns PW_ERR_PARSE and writes
 * yajl's error message (first line only, e.g. "lexical error: invalid char in json text.") to
 * errbuf; PW_ERR_NOMEM when the arena cannot grow (never a crash: see pw_gw_jt_probe).
 */
pw_status pw_gw_jt_parse(pw_arena *a, const char *s, size_t n, pw_gw_jt **out, char *errbuf,
                         size_t errcap);
/* The same through yajl alone. pw_gw_jt_parse first tries a direct parser for plain JSON (no
 * comments, no \u escapes, no control bytes, well-formed UTF-8, usual whitespace) and hands
 * anything else to this function: the trees and messages are identical (fuzz_gw_event checks
 * pw_gw_jt_parse against yajl_tree, test_gw_json_tree the two paths against each other). */
pw_status pw_gw_jt_parse_yajl(pw_arena *a, const char *s, size_t n, pw_gw_jt **out, char *errbuf,
                              size_t errcap);

/* pw_gw_jt_parse's direct parser alone, refusing containers nested deeper than max_depth (at
 * most 64): 1 with the tree in *out, 0 when the text is not plain JSON or is nested deeper (the
 * caller goes on with pw_gw_jt_parse_yajl, whose tree and messages are then pw_gw_jt_parse's),
 * -1 when the arena cannot grow. The tree is pw_gw_jt_parse's whenever this returns 1. */
int pw_gw_jt_parse_plain(pw_arena *a, const char *s, size_t n, size_t max_depth, pw_gw_jt **out);

/* Allocation failure injection and accounting for tests of the yajl path: the probe of
 * phiwall/json_reserve.h, asked before every allocation that can fail — those the tree takes from
 * the arena, and the reserve yajl's own allocations come from. */
typedef pw_json_probe pw_gw_jt_probe;

/* pw_gw_jt_parse and pw_gw_jt_parse_yajl with a probe (NULL: none). */
pw_status pw_gw_jt_parse_probe(pw_arena *a, const char *s, size_t n, pw_gw_jt **out, char *errbuf,
                               size_t errcap, pw_gw_jt_probe *probe);
pw_status pw_gw_jt_parse_yajl_probe(pw_arena *a, const char *s, size_t n, pw_gw_jt **out,
                                    char *errbuf, size_t errcap, pw_gw_jt_probe *probe);

/* The first member named key of an object (a name that held U+0000 names none), or NULL. */
const pw_gw_jt *pw_gw_jt_get(const pw_gw_jt *obj, const char *key);

/* The place (0-7, in memory order) of the first byte flagged in a word-at-a-time mask (high bit
 * of each byte; mask != 0). The tricks that build such masks (w - ONES*k) & ~w can flag a byte
 * after a real hit by a borrow, never one before it, so the first flag is exact on little-endian
 * machines; elsewhere 0, and the caller's byte loop finds the byte. */
static inline size_t pw_gw_first_flagged(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (size_t)__builtin_ctzll(mask) >> 3;
#else
    (void)mask;
    return 0;
#endif
}

#endif
