/*
 * catalog_opts.c — the shared tracker-catalog options (--trackers, --easyprivacy,
 * --no-easyprivacy, --easylist, --no-easylist): their handler and help text.
 */
#include "catalog_opts.h"

int pw_cli_catalog_option(int c, const char *value, pw_catalog_options *o)
{
    switch (c) {
    case PW_CLI_OPT_TRACKERS: o->user_file = value; return 1;
    case PW_CLI_OPT_EASYPRIVACY: o->easyprivacy_file = value; return 1;
    case PW_CLI_OPT_NO_EASYPRIVACY: o->easyprivacy_file = ""; return 1;
    case PW_CLI_OPT_EASYLIST: o->easylist_file = value; return 1;
    case PW_CLI_OPT_NO_EASYLIST: o->easylist_file = ""; return 1;
    default: return 0;
    }
}

void pw_cli_catalog_usage(FILE *f, int column)
{
    static const struct {
        const char *option, *help[2];
    } lines[] = {
        {"--trackers FILE", {"extra tracker catalog entries (data/trackers.tsv format)", NULL}},
        {"--easyprivacy FILE",
         {"ABP filter list for uncatalogued trackers",
          "(default: Debian's EasyPrivacy if installed)"}},
        {"--no-easyprivacy", {"load no filter list at all (unless --easylist FILE)", NULL}},
        {"--easylist FILE",
         {"ABP list whose ||host^ rules name ad servers and data",
          "brokers (default: Debian's EasyList if installed)"}},
        {"--no-easylist", {"do not load EasyList (EasyPrivacy stays)", NULL}},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        int w = fprintf(f, "  %s", lines[i].option);
        fprintf(f, "%*s%s\n", w < column ? column - w : 1, "", lines[i].help[0]);
        if (lines[i].help[1])
            fprintf(f, "%*s%s\n", column, "", lines[i].help[1]);
    }
}
