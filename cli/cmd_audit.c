/*
 * cmd_audit.c — `phiwall audit verify|list`: check the gateway's hash-chained accounting of
 * disclosures and print it for a privacy officer (gateway/audit_read.c does the work).
 * verify exits 1 when the chain is broken (edited, deleted, reordered or truncated records) or
 * when --expect-head names no record of it; list verifies the chain as it reads and stops with a
 * warning and exit 1 at the first broken record.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "phiwall/report.h"

typedef struct audit_args {
    const char *path;
    char expect_head[65]; /* lower-case hex, "" when not given */
    pw_audit_filter filter;
    int json;
    const char *list_only;    /* a `list` option given ("since"…), for verify's usage error */
    const char *verify_only;  /* likewise "expect-head" for list */
    const char *path_from;    /* NULL: --audit; else "$PHIWALL_AUDIT" or "the default" */
    const char *const *files; /* verify FILE...: rotated files of one chain, oldest first */
    size_t n_files;
} audit_args;

/* A log that is not there, found by a path the user did not type, says where the path came
 * from: an admin's shell has no PHIWALL_AUDIT of the service's, and the default is relative. */
static int fail_open(const audit_args *a, const pw_err *err)
{
    int rc = pw_cli_fail("audit", err);
    if (!a->path_from || access(a->path, F_OK) == 0)
        return rc;
    if (strcmp(a->path_from, "the default") == 0)
        pw_cli_errorf("audit",
                      "note: no --audit and no $" PW_AUDIT_PATH_ENV ": the log read is the "
                      "default, %s in the current directory; give --audit PATH (contrib's "
                      "systemd unit writes /var/lib/phiwall/audit.log)",
                      a->path);
    else
        pw_cli_errorf("audit", "note: the path is $" PW_AUDIT_PATH_ENV " (no --audit given)");
    return rc;
}

static void usage(void)
{
    printf("Usage: phiwall audit verify [--audit PATH] [--expect-head HASH]\n"
           "       phiwall audit verify FILE... (rotated files of one chain, oldest first)\n"
           "       phiwall audit list [--audit PATH] [--since TIME] [--event ID]\n"
           "                          [--destination NAME] [--json]\n\n"
           "The gateway records every disclosure (accepted, dropped, queued, duplicate, sending,\n"
           "sent, retry, dead; a 'sending' without a later outcome: the gateway stopped while the\n"
           "request was out, the event may have been disclosed) in a hash-chained log.\n"
           "`verify` recomputes the chain and names the first record that does not link to the\n"
           "one before (FILE:LINE), exit 1. Alone it proves the log is consistent, not that it is\n"
           "the one written: whoever can write the file can rewrite every hash from an edit on,\n"
           "or cut the tail. It prints the head hash: keep a copy elsewhere; --expect-head HASH\n"
           "then also requires that record to be in the chain, which proves every record up to\n"
           "it unchanged.\n"
           "The gateway's chain goes on across files: after logrotate (SIGHUP reopens the path)\n"
           "and after a log moved, deleted or cut while it was stopped (its first record then is\n"
           "a chain_continued one naming the gap). `verify FILE...` checks such files as one\n"
           "chain, oldest first (audit.log.1 audit.log), and names the link that breaks; a file\n"
           "alone whose first record links to a previous file is reported as such, exit 1.\n"
           "`list` prints records, oldest first, verifying the chain as it reads: at a broken\n"
           "record it stops with a warning naming FILE:LINE, exit 1.\n\n"
           "  --audit PATH        the log (default $" PW_AUDIT_PATH_ENV
           ", else " PW_AUDIT_DEFAULT_PATH ",\n"
           "                      the same as `phiwall gateway` writes by default)\n"
           "  --expect-head HASH  verify: the head hash printed earlier (64 hex digits) must be\n"
           "                      a record of the chain\n"
           "  --since TIME        list: records at or after TIME (2026-11-01 or\n"
           "                      2026-11-01T00:00:00Z)\n"
           "  --event ID          list: one event's records (its event_id, in either case)\n"
           "  --destination NAME  list: one destination's records (meta, ga4…)\n"
           "  --json              list: the stored JSON lines, one record a line\n"
           "  -h, --help          this help\n"
           "Exit: 0 intact, 1 chain broken (or the expected head missing), 2 usage, 3 the log\n"
           "could not be read.\n");
}

/* The head hash `verify` printed: 64 hex digits, in either case (a copy may have been
 * upper-cased); anything else is a usage error rather than a chain that looks cut. */
static int set_expect_head(audit_args *a, const char *v)
{
    size_t n = strlen(v);
    if (n != 64 || strspn(v, "0123456789abcdefABCDEF") != n)
        return pw_cli_usage_error("audit",
                                  "--expect-head: expected the 64 hex digits of a head "
                                  "hash (`phiwall audit verify` prints it), got '%s'",
                                  v);
    for (size_t i = 0; i <= n; i++)
        a->expect_head[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] - 'A' + 'a' : v[i]);
    return 0;
}

static int parse_args(int argc, char **argv, audit_args *a)
{
    static const struct option opts[] = {{"audit", required_argument, NULL, 'a'},
                                         {"since", required_argument, NULL, 's'},
                                         {"event", required_argument, NULL, 'e'},
                                         {"destination", required_argument, NULL, 'd'},
                                         {"expect-head", required_argument, NULL, 'x'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, rc;
    pw_err err = {0};
    while ((c = getopt_long(argc, argv, "a:s:e:d:x:jh", opts, NULL)) != -1) {
        if (c != '?' && (rc = pw_cli_value_error("audit", argv)))
            return rc;
        for (const struct option *o = opts; o->name; o++)
            if (o->val == c && strchr("sedj", c))
                a->list_only = o->name;
        switch (c) {
        case 'a': a->path = optarg; break;
        case 'e': a->filter.event_id = optarg; break;
        case 'd': a->filter.destination = optarg; break;
        case 'x':
            a->verify_only = "expect-head";
            if ((rc = set_expect_head(a, optarg)))
                return rc;
            break;
        case 'j': a->json = 1; break;
        case 'h': usage(); return PW_EXIT_CLEAN;
        case 's':
            if (pw_audit_parse_time(optarg, &a->filter.since_ms, &err) != PW_OK)
                return pw_cli_usage_error("audit", "--since: %s", err.msg);
            break;
        default: return pw_cli_option_error("audit", argv, opts);
        }
    }
    return -1;
}

/* --expect-head: the record whose hash it is, found while the chain is read (verified). */
typedef struct head_search {
    const char *hash;
    uint64_t seq;
    size_t lineno;
} head_search;

static int find_head(const pw_audit_entry *e, void *ctx)
{
    head_search *h = ctx;
    size_t tail = 64 + 2; /* <hash>"} */
    if (e->line_len < tail || memcmp(e->line + e->line_len - tail, h->hash, 64) != 0)
        return 0;
    h->seq = e->seq;
    h->lineno = e->lineno;
    return 1;
}

static int check_expected_head(const audit_args *a, const pw_audit_verify_result *res)
{
    head_search h = {.hash = a->expect_head};
    pw_err err = {0};
    if (pw_audit_list_file(a->path, NULL, find_head, &h, &err) != PW_OK)
        return pw_cli_fail("audit", &err);
    if (!h.lineno) {
        pw_cli_errorf("audit",
                      "%s: no record has the expected head hash %s (head now %s): records were "
                      "cut off or rewritten",
                      a->path, a->expect_head, res->head_hash[0] ? res->head_hash : "(empty log)");
        return PW_EXIT_FINDINGS;
    }
    printf("%s: %llu record(s), chain intact\nhead %s\nexpected head found: seq %llu "
           "(line %zu), unchanged up to it; %llu record(s) after it\n",
           a->path, (unsigned long long)res->records, res->head_hash, (unsigned long long)h.seq,
           h.lineno, (unsigned long long)(res->records - h.seq));
    return PW_EXIT_CLEAN;
}

static int run_verify(const audit_args *a)
{
    pw_audit_verify_result res;
    pw_err err = {0};
    pw_status st = a->n_files ? pw_audit_verify_files(a->files, a->n_files, &res, &err)
                              : pw_audit_verify_file(a->path, &res, &err);
    if (st == PW_ERR_INVALID) {
        pw_cli_errorf("audit", "chain broken: %s", err.msg);
        fprintf(stderr, "%llu record(s) verified before the break\n",
                (unsigned long long)res.records);
        return PW_EXIT_FINDINGS;
    }
    if (st != PW_OK)
        return fail_open(a, &err);
    if (a->expect_head[0])
        return check_expected_head(a, &res);
    if (a->n_files > 1)
        printf("%zu files, %s to %s: %llu record(s), one chain intact\nhead %s\n", a->n_files,
               a->files[0], a->files[a->n_files - 1], (unsigned long long)res.records,
               res.head_hash[0] ? res.head_hash : "(empty log)");
    else
        printf("%s: %llu record(s), chain intact\nhead %s\n", a->path,
               (unsigned long long)res.records, res.head_hash[0] ? res.head_hash : "(empty log)");
    return PW_EXIT_CLEAN;
}

static int print_entry(const pw_audit_entry *e, void *ctx)
{
    const audit_args *a = ctx;
    if (a->json) {
        fwrite(e->line, 1, e->line_len, stdout);
        fputc('\n', stdout);
        return 0;
    }
    /* the log is a plain file: what it holds reaches the terminal only as text (a chain
     * rewritten from an edit on still verifies, ESC and CR included) */
    pw_buf b;
    pw_buf_init(&b);
    const char *cols[] = {e->time ? e->time : "?", e->action ? e->action : "?",
                          e->destination ? e->destination : "-", e->event_id ? e->event_id : "-",
                          e->event_name ? e->event_name : "-"};
    static const int width[] = {24, 9, 10, 36, 16};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        size_t at = b.len;
        if (i)
            pw_buf_putc(&b, ' ');
        pw_report_text_safe(&b, cols[i], strlen(cols[i]));
        for (size_t w = b.len - at - (i ? 1 : 0); w < (size_t)width[i]; w++)
            pw_buf_putc(&b, ' ');
    }
    if (e->http_status)
        pw_buf_printf(&b, " http=%d", e->http_status);
    const char *tail[][2] = {{" rule=", e->rule},
                             {" ", e->detail},
                             {" fields=", e->fields_json},
                             {" sha256=", e->payload_sha256}};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
        if (!tail[i][1])
            continue;
        pw_buf_puts(&b, tail[i][0]);
        pw_report_text_safe(&b, tail[i][1], strlen(tail[i][1]));
    }
    pw_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stdout);
    pw_buf_free(&b);
    return 0;
}

static int run_list(audit_args *a)
{
    pw_err err = {0};
    pw_status st = pw_audit_list_file(a->path, &a->filter, print_entry, a, &err);
    fflush(stdout);
    if (st == PW_ERR_INVALID) { /* what was printed is verified; nothing after the break is */
        pw_cli_errorf("audit",
                      "warning: chain broken at %s; records from there on are not listed "
                      "(`phiwall audit verify` for details)",
                      err.msg);
        return PW_EXIT_FINDINGS;
    }
    if (st != PW_OK)
        return fail_open(a, &err);
    return PW_EXIT_CLEAN;
}

int pw_cmd_audit(int argc, char **argv)
{
    audit_args a = {0};
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            usage();
            return PW_EXIT_CLEAN;
        }
        return pw_cli_usage_error("audit", "expected a subcommand: verify or list");
    }
    const char *sub = argv[1];
    optind = 1;
    opterr = 0;
    int rc = parse_args(argc - 1, argv + 1, &a);
    if (rc >= 0)
        return rc;
    if (optind < argc - 1 && strcmp(sub, "verify") == 0) {
        if (a.path)
            return pw_cli_usage_error("audit", "give the log as --audit PATH or as FILE..., "
                                               "not both");
        if (a.expect_head[0] && argc - 1 - optind > 1)
            return pw_cli_usage_error("audit", "--expect-head takes one file");
        a.files = (const char *const *)(argv + optind + 1);
        a.n_files = (size_t)(argc - 1 - optind);
        a.path = a.files[a.n_files - 1];
    } else if (optind < argc - 1)
        return pw_cli_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
    if (!a.path) {
        const char *env = getenv(PW_AUDIT_PATH_ENV);
        a.path_from = env && env[0] ? "$" PW_AUDIT_PATH_ENV : "the default";
    }
    a.path = pw_audit_resolve_path(a.path); /* the one `phiwall gateway` writes by default */
    if (strcmp(sub, "verify") == 0 && a.list_only)
        return pw_cli_usage_error("audit", "--%s is an option of `audit list`, not verify",
                                  a.list_only);
    if (strcmp(sub, "list") == 0 && a.verify_only)
        return pw_cli_usage_error("audit", "--%s is an option of `audit verify`, not list",
                                  a.verify_only);
    if (strcmp(sub, "verify") == 0)
        return run_verify(&a);
    if (strcmp(sub, "list") == 0)
        return run_list(&a);
    return pw_cli_usage_error("audit", "unknown subcommand '%s' (verify or list)", sub);
}
