/*
 * cmd_gateway.c — `phiwall gateway`: run the first-party event gateway, check a policy file
 * (--check), or show what an event would become for each destination (--explain).
 * The gateway itself lives in gateway/ (gw_server.c); this file parses options and reports.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "gw_explain.h"
#include "gw_http.h"
#include "gw_server.h"
#include "gw_phi_detect.h"
#include "gw_time.h"

static void usage(void)
{
    printf(
        "Usage: phiwall gateway --config FILE [--listen ADDR:PORT] [--spool PATH] [--audit PATH]\n"
        "       phiwall gateway --check FILE\n"
        "       phiwall gateway --explain EVENT.json --config FILE\n\n"
        "Run the first-party event gateway: POST /e takes events from the phiwall.js tag,\n"
        "the policy reduces them per destination (deny by default, PHI engine on every\n"
        "string), only post-policy events are spooled, forwarded and audited.\n\n"
        "Options:\n"
        "  --config FILE       policy (YAML); see contrib/gateway.example.yaml\n"
        "  --listen ADDR:PORT  default 127.0.0.1:8787 ([::1]:8787 for IPv6)\n"
        "  --spool PATH        SQLite spool (default phiwall-spool.db)\n"
        "  --spool-max-mb N    bounded spool: new events get 503 beyond (default 1024)\n"
        "  --audit PATH        hash-chained audit log (default $" PW_AUDIT_PATH_ENV ", else\n"
        "                      " PW_AUDIT_DEFAULT_PATH "; `phiwall audit` reads the same)\n"
        "  --threads N         HTTP threads (default: CPUs)\n"
        "  --header-kib N      HTTP memory per connection in KiB, 8-1024 (default 16: request\n"
        "                      headers up to about 7 KB, 431 beyond; raise it for heavy cookies)\n"
        "  --conns-per-ip N    open connections one client address (IPv6: its /64) may hold\n"
        "                      (trust_proxy: requests in progress per X-Forwarded-For client),\n"
        "                      0 for no cap (default 256)\n"
        "  --request-timeout S every request must arrive whole within S seconds, 1-3600\n"
        "                      (default $PHIWALL_REQUEST_TIMEOUT_S, else 30); --check shows it\n"
        "  --vocab FILE        extra health vocabulary for the PHI engine\n"
        "  --check FILE        validate the policy and print the effective policy\n"
        "  --explain FILE      show field by field what each destination would receive\n"
        "  --ip ADDR, --ua UA  client IP / user agent to assume with --explain\n"
        "  -h, --help          this help\n"
        "Signals: SIGHUP reloads the policy, SIGTERM drains and stops.\n\n"
        "Examples:\n"
        "  phiwall gateway --check contrib/gateway.example.yaml\n"
        "  phiwall gateway --explain event.json --config gateway.yaml\n"
        "  phiwall gateway --config gateway.yaml --listen 127.0.0.1:8787 --spool spool.db "
        "--audit audit.log\n\n"
        "Exit: 0 policy valid (--check; warnings are printed, not failed), event explained,\n"
        "or stopped by SIGTERM after draining; 2 usage error; 3 the policy, a secret or the\n"
        "event is unreadable or invalid (FILE:LINE:COL), the address is in use, the spool or\n"
        "audit log cannot be opened or is held by another gateway. See docs/gateway.md.\n");
}

/* Validate, print the effective policy and request deadline, and lint the policy's names with
 * the PHI engine. */
static int check(const char *path, const char *vocab, const char *request_timeout)
{
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    unsigned timeout_ms;
    const char *timeout_source;
    /* the deadline the gateway would start with, by the same rule (a bad value fails here too) */
    if (pw_gw_request_timeout_resolve(request_timeout, &timeout_ms, &timeout_source, &err) !=
            PW_OK ||
        pw_gw_policy_load(path, &p, &err) != PW_OK)
        return pw_cli_fail("gateway", &err);
    pw_buf b;
    pw_buf_init(&b);
    pw_gw_policy_print(p, &b);
    pw_detector *det = NULL;
    pw_gw_phi_pool *pool = NULL;
    size_t warnings = 0;
    pw_detector_opts dopts = {.vocab_file = vocab};
    pw_status st = pw_detector_new(&dopts, &det, &err);
    if (st == PW_OK)
        st = pw_gw_phi_pool_new(det, &pool, &err);
    if (st == PW_OK) {
        pw_gw_phi_source src = pw_gw_phi_pool_source(pool);
        pw_gw_phi phi;
        void *token = NULL;
        if ((st = src.borrow(src.ctx, &phi, &token, &err)) == PW_OK) {
            /* what load and reload refuse (a page category with PHI), --check refuses too */
            st = pw_gw_policy_prepare(p, &phi, &err);
            if (st == PW_OK)
                st = pw_gw_policy_lint(p, &phi, &b, &warnings, &err);
            src.give_back(src.ctx, token);
        }
    }
    if (st == PW_OK) {
        fwrite(b.data, 1, b.len, stdout);
        printf("# request_timeout: %u s (%s)\n", timeout_ms / 1000, timeout_source);
    }
    pw_buf_free(&b);
    pw_gw_phi_pool_free(pool);
    pw_detector_free(det);
    pw_gw_policy_free(p);
    if (st != PW_OK)
        return pw_cli_fail("gateway", &err);
    printf("# %s: OK%s\n", path, warnings ? " (with warnings)" : "");
    return PW_EXIT_CLEAN;
}

static int explain(const char *config, const char *event_path, const char *ip, const char *ua,
                   const char *vocab)
{
    pw_err err = {0};
    pw_gw_policy *p = NULL;
    pw_detector *det = NULL;
    pw_gw_phi_pool *pool = NULL;
    char *body = NULL;
    size_t n = 0;
    int rc = PW_EXIT_CLEAN;
    pw_detector_opts dopts = {.vocab_file = vocab};
    if (pw_gw_policy_load(config, &p, &err) != PW_OK ||
        pw_cli_read_file(event_path, &body, &n, &err) != PW_OK ||
        pw_detector_new(&dopts, &det, &err) != PW_OK ||
        pw_gw_phi_pool_new(det, &pool, &err) != PW_OK) {
        rc = pw_cli_fail("gateway", &err);
    } else {
        pw_gw_phi_source src = pw_gw_phi_pool_source(pool);
        pw_gw_phi phi;
        void *token = NULL;
        pw_buf out;
        pw_buf_init(&out);
        if (src.borrow(src.ctx, &phi, &token, &err) != PW_OK ||
            pw_gw_policy_prepare(p, &phi, &err) != PW_OK) {
            rc = pw_cli_fail("gateway", &err);
        } else if (pw_gw_explain(p, &phi, body, n, ip, ua, pw_gw_now_ms(), &out, &err) != PW_OK) {
            pw_err_prefix(&err, "%s: ", event_path);
            rc = pw_cli_fail("gateway", &err);
        } else { /* it quotes the event's own keys and values */
            pw_cli_write_safe_lines(stdout, out.data ? out.data : "", out.len);
        }
        if (token)
            src.give_back(src.ctx, token);
        pw_buf_free(&out);
    }
    free(body);
    pw_gw_phi_pool_free(pool);
    pw_detector_free(det);
    pw_gw_policy_free(p);
    return rc;
}

/* "127.0.0.1:8787", "[::1]:8787" or ":8787". */
static int parse_listen(char *s, pw_gw_server_opts *o)
{
    char *colon = strrchr(s, ':');
    if (!colon)
        return 0;
    *colon = '\0';
    if (colon[1] < '0' || colon[1] > '9') /* "host:" would be port 0: any free port, silently */
        return 0;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return 0;
    o->port = (unsigned)port;
    if (s[0] == '[') {
        size_t n = strlen(s);
        if (n < 2 || s[n - 1] != ']')
            return 0;
        s[n - 1] = '\0';
        s++;
    }
    o->host = s[0] ? s : "0.0.0.0";
    /* checked here, before the spool and the audit log are created for a gateway that would
     * then fail to listen */
    unsigned char addr[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, o->host, addr) == 1 || inet_pton(AF_INET6, o->host, addr) == 1;
}

static int serve(pw_gw_server_opts *o)
{
    pw_err err = {0};
    if (pw_gw_serve(o, &err) != PW_OK)
        return pw_cli_fail("gateway", &err);
    return PW_EXIT_CLEAN;
}

/* --check, --explain and serving are three modes: an option of another mode would be ignored
 * without a word (--check FILE --config OTHER validated FILE only), so it is a usage error. */
static int check_modes(const char *check_path, const char *explain_path, const char *config,
                       const char *serve_opt, const char *explain_opt)
{
    if (check_path && (explain_path || config))
        return pw_cli_usage_error("gateway",
                                  "--check FILE validates FILE alone: give it without "
                                  "--%s",
                                  explain_path ? "explain" : "config");
    if ((check_path || explain_path) && serve_opt)
        return pw_cli_usage_error("gateway", "--%s is for running the gateway, not --%s", serve_opt,
                                  check_path ? "check" : "explain");
    if (!explain_path && explain_opt)
        return pw_cli_usage_error("gateway", "--%s applies to --explain only", explain_opt);
    return 0;
}

int pw_cmd_gateway(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"spool", required_argument, NULL, 's'},
                                         {"audit", required_argument, NULL, 'a'},
                                         {"check", required_argument, NULL, 'C'},
                                         {"explain", required_argument, NULL, 'E'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"header-kib", required_argument, NULL, 'H'},
                                         {"vocab", required_argument, NULL, 'v'},
                                         {"ip", required_argument, NULL, 'i'},
                                         {"ua", required_argument, NULL, 'u'},
                                         {"spool-max-mb", required_argument, NULL, 'm'},
                                         {"conns-per-ip", required_argument, NULL, 'P'},
                                         {"request-timeout", required_argument, NULL, 'T'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    pw_gw_server_opts o = {.host = "127.0.0.1", .port = 8787};
    const char *check_path = NULL, *explain_path = NULL;
    const char *ip = "203.0.113.7", *ua = "Mozilla/5.0 (phiwall explain)";
    const char *serve_opt = NULL, *explain_opt = NULL; /* one given, for a wrong-mode error */
    int c, rc;
    long n;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c != '?' && c != 'u' && (rc = pw_cli_value_error("gateway", argv)))
            return rc;
        for (const struct option *op = opts; op->name; op++)
            if (op->val == c && strchr("lsatHmP", c)) /* not T: it goes with --check too */
                serve_opt = op->name;
            else if (op->val == c && strchr("iu", c))
                explain_opt = op->name;
        switch (c) {
        case 'c': o.config = optarg; break;
        case 'l':
            if (!parse_listen(optarg, &o))
                return pw_cli_usage_error("gateway", "--listen: expected ADDR:PORT");
            break;
        case 's': o.spool_path = optarg; break;
        case 'a': o.audit_path = optarg; break;
        case 'C': check_path = optarg; break;
        case 'E': explain_path = optarg; break;
        case 't':
            if ((rc = pw_cli_number_arg("gateway", "--threads", optarg, 0, 1024, &n)))
                return rc;
            o.threads = (unsigned)n;
            break;
        case 'H':
            if ((rc = pw_cli_number_arg("gateway", "--header-kib", optarg, 8, PW_GW_CONN_KIB_MAX,
                                        &n)))
                return rc;
            o.conn_kib = (unsigned)n;
            break;
        case 'P':
            if ((rc = pw_cli_number_arg("gateway", "--conns-per-ip", optarg, 0, 100000, &n)))
                return rc;
            o.conns_per_ip = n ? (int)n : -1;
            break;
        case 'T': { /* the gateway's own rule, checked before anything is opened */
            unsigned ms;
            pw_err e = {0};
            if (pw_gw_request_timeout_parse("--request-timeout", optarg, &ms, &e) != PW_OK)
                return pw_cli_usage_error("gateway", "%s", e.msg);
            o.request_timeout = optarg;
            break;
        }
        case 'v': o.vocab_file = optarg; break;
        case 'i': ip = optarg; break;
        case 'u': ua = optarg; break;
        case 'm':
            if ((rc = pw_cli_number_arg("gateway", "--spool-max-mb", optarg, 1, 1L << 24, &n)))
                return rc;
            o.spool_max_bytes = (uint64_t)n << 20;
            break;
        case 'h': usage(); return PW_EXIT_CLEAN;
        default: return pw_cli_option_error("gateway", argv, opts);
        }
    }
    if (optind < argc)
        return pw_cli_usage_error("gateway", "unexpected argument '%s'", argv[optind]);
    if ((rc = check_modes(check_path, explain_path, o.config, serve_opt, explain_opt)))
        return rc;
    if (explain_path && o.request_timeout)
        return pw_cli_usage_error("gateway", "--request-timeout is for running the gateway (or "
                                             "--check), not --explain");
    if (check_path)
        return check(check_path, o.vocab_file, o.request_timeout);
    if (!o.config)
        return pw_cli_usage_error("gateway", "--config FILE is required");
    if (explain_path)
        return explain(o.config, explain_path, ip, ua, o.vocab_file);
    o.audit_path = pw_audit_resolve_path(o.audit_path); /* the one `phiwall audit` reads */
    return serve(&o);
}
