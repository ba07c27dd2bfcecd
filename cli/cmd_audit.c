/*
 * cmd_audit.c — `phiwall audit verify|list`: check the gateway's hash-chained accounting of
 * disclosures and print it for a privacy officer (gateway/audit_read.c does the work).
 * verify exits 1 when the chain is broken (edited, deleted, reordered or truncated records).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

typedef struct audit_args {
    const char *path;
    const char *expect_head;
    pw_audit_filter filter;
    int json;
} audit_args;

static void usage(void)
{
    printf("Usage: phiwall audit verify [--audit PATH] [--expect-head HASH]\n"
           "       phiwall audit list [--audit PATH] [--since TIME] [--event ID]\n"
           "                          [--destination NAME] [--json]\n\n"
           "The gateway records every disclosure (accepted, dropped, queued, duplicate, sent,\n"
           "retry, dead) in a hash-chained log. `verify` recomputes the chain and names the first "
           "record\n"
           "that was edited, deleted or reordered (FILE:LINE), exit 1; it prints the head hash:\n"
           "keep a copy elsewhere and pass it to --expect-head to detect a cut-off tail.\n"
           "`list` prints records, oldest first; TIME is 2026-11-01 or 2026-11-01T00:00:00Z.\n\n"
           "  --audit PATH   the log (default $" PW_AUDIT_PATH_ENV ", else " PW_AUDIT_DEFAULT_PATH
           ",\n"
           "                 the same as `phiwall gateway` writes by default)\n");
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
    int c;
    pw_err err = {0};
    while ((c = getopt_long(argc, argv, "a:s:e:d:x:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'a': a->path = optarg; break;
        case 'e': a->filter.event_id = optarg; break;
        case 'd': a->filter.destination = optarg; break;
        case 'x': a->expect_head = optarg; break;
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

static int run_verify(const audit_args *a)
{
    pw_audit_verify_result res;
    pw_err err = {0};
    pw_status st = pw_audit_verify_file(a->path, &res, &err);
    if (st == PW_ERR_INVALID) {
        pw_cli_errorf("audit", "chain broken: %s", err.msg);
        fprintf(stderr, "%llu record(s) verified before the break\n",
                (unsigned long long)res.records);
        return PW_EXIT_FINDINGS;
    }
    if (st != PW_OK)
        return pw_cli_fail("audit", &err);
    if (a->expect_head && strcmp(a->expect_head, res.head_hash) != 0) {
        pw_cli_errorf("audit",
                      "%s: head hash %s differs from the expected %s: records were cut "
                      "off or rewritten",
                      a->path, res.head_hash[0] ? res.head_hash : "(empty log)", a->expect_head);
        return PW_EXIT_FINDINGS;
    }
    printf("%s: %llu record(s), chain intact\nhead %s\n", a->path, (unsigned long long)res.records,
           res.head_hash[0] ? res.head_hash : "(empty log)");
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
    printf("%-24s %-9s %-10s %-36s %-16s", e->time ? e->time : "?", e->action ? e->action : "?",
           e->destination ? e->destination : "-", e->event_id ? e->event_id : "-",
           e->event_name ? e->event_name : "-");
    if (e->http_status)
        printf(" http=%d", e->http_status);
    if (e->rule)
        printf(" rule=%s", e->rule);
    if (e->detail)
        printf(" %s", e->detail);
    if (e->fields_json)
        printf(" fields=%s", e->fields_json);
    if (e->payload_sha256)
        printf(" sha256=%s", e->payload_sha256);
    fputc('\n', stdout);
    return 0;
}

static int run_list(audit_args *a)
{
    pw_err err = {0};
    if (pw_audit_list_file(a->path, &a->filter, print_entry, a, &err) != PW_OK)
        return pw_cli_fail("audit", &err);
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
    if (optind < argc - 1)
        return pw_cli_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
    a.path = pw_audit_resolve_path(a.path); /* the one `phiwall gateway` writes by default */
    if (strcmp(sub, "verify") == 0)
        return run_verify(&a);
    if (strcmp(sub, "list") == 0)
        return run_list(&a);
    return pw_cli_usage_error("audit", "unknown subcommand '%s' (verify or list)", sub);
}
