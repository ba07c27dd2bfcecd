/*
 * summary.c — (internal to detect) the one cheap pass over a segment that records what it holds
 * (letters, upper case, digits and the lengths of its digit runs, '@', '%', '+', '.', ':',
 * spaces). pw_scan_segment and the detectors read it to skip, without looking at a byte again,
 * every detector whose shortest possible match the segment cannot contain.
 */
#include "detect/internal.h"

#define D PW_SUM_DIGIT
#define L PW_SUM_ALPHA
#define U (PW_SUM_ALPHA | PW_SUM_UPPER)

static const unsigned short sum_class[256] = {['0'] = D,
                                              ['1'] = D,
                                              ['2'] = D,
                                              ['3'] = D,
                                              ['4'] = D,
                                              ['5'] = D,
                                              ['6'] = D,
                                              ['7'] = D,
                                              ['8'] = D,
                                              ['9'] = D,
                                              ['A'] = U,
                                              ['B'] = U,
                                              ['C'] = U,
                                              ['D'] = U,
                                              ['E'] = U,
                                              ['F'] = U,
                                              ['G'] = U,
                                              ['H'] = U,
                                              ['I'] = U,
                                              ['J'] = U,
                                              ['K'] = U,
                                              ['L'] = U,
                                              ['M'] = U,
                                              ['N'] = U,
                                              ['O'] = U,
                                              ['P'] = U,
                                              ['Q'] = U,
                                              ['R'] = U,
                                              ['S'] = U,
                                              ['T'] = U,
                                              ['U'] = U,
                                              ['V'] = U,
                                              ['W'] = U,
                                              ['X'] = U,
                                              ['Y'] = U,
                                              ['Z'] = U,
                                              ['a'] = L,
                                              ['b'] = L,
                                              ['c'] = L,
                                              ['d'] = L,
                                              ['e'] = L,
                                              ['f'] = L,
                                              ['g'] = L,
                                              ['h'] = L,
                                              ['i'] = L,
                                              ['j'] = L,
                                              ['k'] = L,
                                              ['l'] = L,
                                              ['m'] = L,
                                              ['n'] = L,
                                              ['o'] = L,
                                              ['p'] = L,
                                              ['q'] = L,
                                              ['r'] = L,
                                              ['s'] = L,
                                              ['t'] = L,
                                              ['u'] = L,
                                              ['v'] = L,
                                              ['w'] = L,
                                              ['x'] = L,
                                              ['y'] = L,
                                              ['z'] = L,
                                              ['@'] = PW_SUM_AT,
                                              ['%'] = PW_SUM_PCT,
                                              ['+'] = PW_SUM_PLUS,
                                              ['.'] = PW_SUM_DOT,
                                              [':'] = PW_SUM_COLON,
                                              [' '] = PW_SUM_SPACE};

/* Bit of a digit run length (63 and longer share the top bit). */
static uint64_t run_bit(size_t run)
{
    return (uint64_t)1 << (run < 63 ? run : 63);
}

/* Lengths of the maximal digit runs of s (a second pass, only for segments with enough digits
 * for the detectors that read it). */
static uint64_t digit_runs(const char *s, size_t n)
{
    uint64_t runs = 0;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (pw_isdigit((unsigned char)s[i])) {
            run++;
            continue;
        }
        if (run)
            runs |= run_bit(run);
        run = 0;
    }
    return run ? runs | run_bit(run) : runs;
}

void pw_seg_summarize(const char *s, size_t n, pw_seg_summary *out)
{
    unsigned f = 0;
    size_t digits = 0;
    for (size_t i = 0; i < n; i++) { /* no branch: the loop runs over every byte scanned */
        unsigned c = sum_class[(unsigned char)s[i]];
        f |= c;
        digits += c & PW_SUM_DIGIT;
    }
    out->cls = f;
    out->digits = digits;
    out->runs = digits >= 5 ? digit_runs(s, n) : 0;
}
