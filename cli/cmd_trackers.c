/* cmd_trackers.c — `phiwall trackers`: not yet available; lands with issue #5. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int pw_cmd_trackers(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: phiwall trackers [options]\n\n"
                   "Not yet available in this build: it lands with issue #5.\n");
            return PW_EXIT_CLEAN;
        }
        return pw_cli_usage_error("trackers", "unknown option");
    }
    pw_cli_errorf("trackers", "not yet available in this build (lands with issue #5)");
    return PW_EXIT_RUNTIME;
}
