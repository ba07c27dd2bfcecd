/* cmd_redact.c — `phiwall redact`: not yet available; lands with issue #4. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int pw_cmd_redact(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: phiwall redact [options]\n\n"
                   "Not yet available in this build: it lands with issue #4.\n");
            return PW_EXIT_CLEAN;
        }
        return pw_cli_usage_error("redact", "unknown option");
    }
    pw_cli_errorf("redact", "not yet available in this build (lands with issue #4)");
    return PW_EXIT_RUNTIME;
}
