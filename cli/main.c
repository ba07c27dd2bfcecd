/*
 * main.c — the phiwall program: global options and dispatch through the command table.
 * Each command lives in its own cmd_<name>.c and parses its own options with getopt_long.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "phiwall/version.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const pw_cli_command commands[] = {
    {"scan", "audit a website (browser), HAR files or pages for PHI sent to trackers", pw_cmd_scan},
    {"trackers", "list the tracker catalog, or decode one request", pw_cmd_trackers},
    {"redact", "remove PHI from text or JSON lines (stdin to stdout)", pw_cmd_redact},
    {"gateway", "run the first-party event gateway (policy, spool, forwarders)", pw_cmd_gateway},
    {"audit", "verify and list the gateway's accounting of disclosures", pw_cmd_audit},
    {"help", "show help for phiwall or one command", cmd_help},
    {"version", "print the version", cmd_version},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const pw_cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    fprintf(out,
            "phiwall %s — find and stop protected health information sent to web trackers\n\n"
            "Usage: phiwall <command> [options]\n"
            "       phiwall <command> --help\n"
            "       phiwall --version\n\nCommands:\n",
            PW_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nExit codes:\n"
                 "  0  ran; no finding at or above --fail-on\n"
                 "  1  findings at or above --fail-on (audit verify: the chain is broken)\n"
                 "  2  usage error\n"
                 "  3  runtime error (I/O, malformed input, browser or upstream failure)\n"
                 "  4  scan incomplete: tracker scripts or pages failed to load, so what they\n"
                 "     would have sent was not observed (no finding reached --fail-on);\n"
                 "     redact --format json: some lines were not JSON\n"
                 "  130, 143  scan interrupted by SIGINT (Ctrl-C) or SIGTERM: the pages read\n"
                 "     are reported INCOMPLETE\n"
                 "Each command's --help gives its own.\n"
                 "\nEnvironment: NO_COLOR disables colour; colour and progress are shown only "
                 "on a terminal.\n");
}

/* help and version take at most max_args arguments: more is a usage error naming the first one
 * too many, rather than an argument silently dropped. */
static int too_many(int argc, char **argv, int max_args)
{
    if (argc <= max_args + 1)
        return 0;
    pw_cli_errorf(NULL, "%s: unexpected argument '%s'", argv[0], argv[max_args + 1]);
    fprintf(stderr, "Try 'phiwall help'.\n");
    return PW_EXIT_USAGE;
}

static int cmd_help(int argc, char **argv)
{
    int rc = too_many(argc, argv, 1);
    if (rc)
        return rc;
    if (argc < 2) {
        print_usage(stdout);
        return PW_EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return PW_EXIT_CLEAN;
    }
    const pw_cli_command *c = find_command(argv[1]);
    if (!c) {
        pw_cli_errorf(NULL, "help: unknown command '%s'", argv[1]);
        return PW_EXIT_USAGE;
    }
    if (c->run == cmd_help || c->run == cmd_version) {
        printf("phiwall %s: %s\n", c->name, c->summary);
        return PW_EXIT_CLEAN;
    }
    char *sub[] = {argv[1], "--help", NULL};
    return c->run(2, sub);
}

static int cmd_version(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: phiwall version (or phiwall --version): print the version\n");
        return PW_EXIT_CLEAN;
    }
    int rc = too_many(argc, argv, 0);
    if (rc)
        return rc;
    printf("phiwall %s\n", PW_VERSION);
    return PW_EXIT_CLEAN;
}

/* Whatever a command printed must have reached stdout: a full disk or a closed pipe under
 * `phiwall audit list > export.txt` would otherwise leave a cut file behind an exit 0. */
static int stdout_checked(int rc)
{
    int failed = fflush(stdout) != 0 || ferror(stdout);
    if (!failed || rc == PW_EXIT_USAGE || rc == PW_EXIT_RUNTIME) /* errors said their own */
        return rc;
    pw_cli_errorf(NULL, "stdout: write failed%s%s", errno ? ": " : "",
                  errno ? strerror(errno) : "");
    return PW_EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return PW_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0)
        return stdout_checked(cmd_version(argc - 1, argv + 1));
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)
        return stdout_checked(too_many(argc - 1, argv + 1, 0) ? PW_EXIT_USAGE
                                                              : cmd_help(1, argv + 1));
    const pw_cli_command *c = find_command(first);
    if (!c) {
        pw_cli_errorf(NULL, "unknown command '%s'", first);
        fprintf(stderr, "Try 'phiwall help'.\n");
        return PW_EXIT_USAGE;
    }
    return stdout_checked(c->run(argc - 1, argv + 1));
}
