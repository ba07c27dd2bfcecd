/*
 * host_check.c — reads host names, one a line, and prints those the gateway's referrer host check
 * (gateway/gw_policy_host.c) refuses, with the reason; the counts go to stderr. Built and run by
 * measure.sh, for the false-refusal figures in docs/gateway.md ("Referrer hosts").
 */
#include <stdio.h>
#include <string.h>

#include "gw_policy_host.h"

int main(void)
{
    char line[512];
    size_t n = 0, refused = 0;
    pw_arena a;
    pw_arena_init(&a, 0);
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        n++;
        const char *why = pw_gw_host_sensitive(&a, line);
        if (why) {
            refused++;
            printf("%s\t%s\n", line, why);
        }
    }
    fprintf(stderr, "hosts %zu refused %zu\n", n, refused);
    pw_arena_free(&a);
    return 0;
}
