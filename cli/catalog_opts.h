/*
 * catalog_opts.h — the tracker-catalog options that every command which decodes requests shares
 * (`phiwall trackers`, `phiwall scan --har`, `phiwall scan URL`): --trackers FILE,
 * --easyprivacy FILE, --no-easyprivacy, --easylist FILE, --no-easylist. One table of getopt_long
 * entries, one handler and one help text, so the options have the same names and meaning
 * everywhere (pw_catalog_options in phiwall/decode.h).
 */
#ifndef PHIWALL_CLI_CATALOG_OPTS_H
#define PHIWALL_CLI_CATALOG_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "phiwall/decode.h"

/* getopt_long values of the catalog options (above every command's own values). */
enum {
    PW_CLI_OPT_TRACKERS = 0x1000,
    PW_CLI_OPT_EASYPRIVACY,
    PW_CLI_OPT_NO_EASYPRIVACY,
    PW_CLI_OPT_EASYLIST,
    PW_CLI_OPT_NO_EASYLIST
};

/* The entries to put in a command's struct option table. */
#define PW_CLI_CATALOG_LONG_OPTIONS                                       \
    {"trackers", required_argument, NULL, PW_CLI_OPT_TRACKERS},           \
        {"easyprivacy", required_argument, NULL, PW_CLI_OPT_EASYPRIVACY}, \
        {"no-easyprivacy", no_argument, NULL, PW_CLI_OPT_NO_EASYPRIVACY}, \
        {"easylist", required_argument, NULL, PW_CLI_OPT_EASYLIST},       \
    {                                                                     \
        "no-easylist", no_argument, NULL, PW_CLI_OPT_NO_EASYLIST          \
    }

/* If c (a getopt_long result) is a catalog option, record it in o and return 1; else 0. */
int pw_cli_catalog_option(int c, const char *value, pw_catalog_options *o);

/* The options' help lines, two-space indented, each description from column `column`. */
void pw_cli_catalog_usage(FILE *f, int column);

#endif
