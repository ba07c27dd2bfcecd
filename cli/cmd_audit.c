/* cmd_audit.c — `phiwall audit`: not yet available; lands with issue #8. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int pw_cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: phiwall audit [options]\n\n"
                   "Not yet available in this build: it lands with issue #8.\n");
            return PW_EXIT_CLEAN;
        }
        return pw_cli_usage_error("audit", "unknown option");
    }
    pw_cli_errorf("audit", "not yet available in this build (lands with issue #8)");
    return PW_EXIT_RUNTIME;
}
