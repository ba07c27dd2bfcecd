/*
 * cli.h — what the phiwall program's commands share: the command table entry, exit codes,
 * terminal detection and messages. The library never prints; the commands do, through these.
 */
#ifndef PHIWALL_CLI_H
#define PHIWALL_CLI_H

#include <limits.h>
#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/detect.h"
#include "phiwall/error.h"
#include "phiwall/outfile.h" /* every output file: pw_outfile_write */

/* Exit codes (documented in README.md and `phiwall help`). */
enum {
    PW_EXIT_CLEAN = 0,     /* ran; nothing at or above --fail-on */
    PW_EXIT_FINDINGS = 1,  /* findings at or above --fail-on */
    PW_EXIT_USAGE = 2,     /* bad command line */
    PW_EXIT_RUNTIME = 3,   /* could not do the job (I/O, parse, browser, …) */
    PW_EXIT_INCOMPLETE = 4 /* scan: ran, but tracker scripts or pages failed to load, so what
                              they would have sent was not observed (--allow-incomplete: 0) */
};

typedef struct pw_cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} pw_cli_command;

/* Commands, one file each (cmd_<name>.c). */
int pw_cmd_scan(int argc, char **argv);
int pw_cmd_gateway(int argc, char **argv);
int pw_cmd_redact(int argc, char **argv);
int pw_cmd_trackers(int argc, char **argv);
int pw_cmd_audit(int argc, char **argv);

/* 1 if colour may be used on this stream: a TTY and NO_COLOR unset (https://no-color.org). */
int pw_cli_use_color(FILE *f);
/* 1 if progress output may be shown on this stream (a TTY). */
int pw_cli_use_progress(FILE *f);

/* "phiwall: <cmd>: message" on stderr. */
void pw_cli_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* prefix, then s shown safe for a terminal (pw_report_text_safe), then a newline, to f: a log
 * line that quotes what a site sent. */
void pw_cli_safe_line(FILE *f, const char *prefix, const char *s);
/* Report a library error and return PW_EXIT_RUNTIME. */
int pw_cli_fail(const char *cmd, const pw_err *err);
/* Unknown option or missing argument: message, hint, PW_EXIT_USAGE. */
int pw_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After getopt_long (run with opterr = 0) returned '?': one usage line naming the option and
 * whether it is unknown or lacks its value (getopt's own message would be a second line).
 * opts: the command's long options. Returns PW_EXIT_USAGE. */
struct option;

/* 1 if s is an absolute http:// or https:// URL with a host. */
int pw_cli_http_url(const char *s);

/* NULL if s is a site to load (an http(s) URL with a host, a port from 1 to 65535 if any, a
 * host without spaces or control characters), else what is wrong with it, for a usage error
 * that follows "'URL' ". The browser and libcurl would otherwise fail late and vaguely ("URL
 * using bad/illegal format"). */
const char *pw_cli_site_url_problem(const char *s);
int pw_cli_option_error(const char *cmd, char *const argv[], const struct option *opts);

/* After getopt_long returned an option with its value (optarg): an empty value (`--vocab=`,
 * `--audit ''`), or a short option's value that starts with '=' (`-o=report.html` would write
 * a file named "=report.html"), is a usage error naming the option. 0 otherwise (also when the
 * option takes no value). */
int pw_cli_value_error(const char *cmd, char *const argv[]);

/* A whole decimal number from lo to hi for option opt of command cmd: 0 and *out set, or the
 * usage error's exit code after saying what was expected. */
int pw_cli_number_arg(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out);

/* 1 if paths a and b name the same file (same device and inode: a link or another spelling of
 * the path too), or, when neither exists yet, the same name in the same directory (so two
 * outputs are told apart before either is written); 0 otherwise, and for "-" and "". An output
 * that is also an input would replace what it was made from. */
int pw_cli_same_file(const char *a, const char *b);

/* Write text made of lines to f with each line shown safe for a terminal (pw_report_text_safe:
 * ESC, CR and the like as escapes); the newlines between lines stay. For output that quotes
 * what a site or a visitor sent. */
void pw_cli_write_safe_lines(FILE *f, const char *s, size_t n);

/* Read a whole file (or "-" for stdin) into a malloc'd buffer. */
int pw_cli_read_file(const char *path, char **data, size_t *len, pw_err *err);

/* Write canaries in the --canary file format (read back by pw_cli_read_canaries). */
pw_status pw_cli_write_canaries(const char *path, const pw_canary *c, size_t n, pw_err *err);

/* Read a canary file: one "label<TAB>kind<TAB>value" per line (kind: text, name, email, phone,
 * date, zip, gender, address, id); '#' starts a comment. An empty label or value, or a fourth
 * column, is a parse error naming the line. Strings live in the arena. */
pw_status pw_cli_read_canaries(const char *path, pw_arena *a, pw_canary **out, size_t *n,
                               pw_err *err);

#endif
