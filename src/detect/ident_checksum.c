/*
 * ident_checksum.c — check digits that turn a number's shape into evidence: Luhn (card
 * numbers), NPI (Luhn over the "80840" prefix) and DEA registration numbers.
 */
#include "detect/internal.h"

int pw_luhn_ok(const char *digits, size_t n)
{
    int sum = 0, dbl = 0;
    for (size_t i = n; i > 0; i--) {
        int d = digits[i - 1] - '0';
        if (d < 0 || d > 9)
            return 0;
        if (dbl) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        dbl = !dbl;
    }
    return n > 0 && sum % 10 == 0;
}

int pw_npi_ok(const char *digits, size_t n)
{
    if (n != 10 || (digits[0] != '1' && digits[0] != '2'))
        return 0;
    char full[15] = {'8', '0', '8', '4', '0'};
    for (size_t i = 0; i < 10; i++)
        full[5 + i] = digits[i];
    return pw_luhn_ok(full, 15);
}

int pw_dea_ok(const char *s, size_t n)
{
    if (n != 9 || !pw_isalpha((unsigned char)s[0]))
        return 0;
    if (!pw_isalpha((unsigned char)s[1]) && s[1] != '9')
        return 0;
    int d[7];
    for (int i = 0; i < 7; i++) {
        if (!pw_isdigit((unsigned char)s[2 + i]))
            return 0;
        d[i] = s[2 + i] - '0';
    }
    int sum = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5]);
    return sum % 10 == d[6];
}
