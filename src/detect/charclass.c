/*
 * charclass.c — (internal to detect) the ASCII character-class table behind pw_isdigit,
 * pw_isalpha and friends in internal.h: one load per test instead of range comparisons, in the
 * per-byte loops every detector runs. Read-only; bytes >= 0x80 are in no class.
 */
#include "detect/internal.h"

#define D PW_CC_DIGIT
#define U PW_CC_UPPER
#define L PW_CC_LOWER

const unsigned char pw_char_class[256] = {
    ['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D, ['5'] = D, ['6'] = D, ['7'] = D,
    ['8'] = D, ['9'] = D, ['A'] = U, ['B'] = U, ['C'] = U, ['D'] = U, ['E'] = U, ['F'] = U,
    ['G'] = U, ['H'] = U, ['I'] = U, ['J'] = U, ['K'] = U, ['L'] = U, ['M'] = U, ['N'] = U,
    ['O'] = U, ['P'] = U, ['Q'] = U, ['R'] = U, ['S'] = U, ['T'] = U, ['U'] = U, ['V'] = U,
    ['W'] = U, ['X'] = U, ['Y'] = U, ['Z'] = U, ['a'] = L, ['b'] = L, ['c'] = L, ['d'] = L,
    ['e'] = L, ['f'] = L, ['g'] = L, ['h'] = L, ['i'] = L, ['j'] = L, ['k'] = L, ['l'] = L,
    ['m'] = L, ['n'] = L, ['o'] = L, ['p'] = L, ['q'] = L, ['r'] = L, ['s'] = L, ['t'] = L,
    ['u'] = L, ['v'] = L, ['w'] = L, ['x'] = L, ['y'] = L, ['z'] = L};
