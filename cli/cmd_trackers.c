/*
 * cmd_trackers.c — `phiwall trackers`: list the tracker catalog (optionally one category, as a
 * table or JSON), or decode one request given on the command line into its beacons with typed
 * fields: the debugging aid for "what exactly does this pixel send?".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_opts.h"
#include "cli.h"
#include "phiwall/buf.h"
#include "phiwall/decode.h"
#include "phiwall/report.h"

typedef struct trackers_opts {
    const char *category;
    int has_category;
    pw_category cat;
    int json;
    const char *decode_url;
    const char *method;
    const char *body_file;
    const char *content_type;
    const char *page_url;
    pw_header headers[32];
    size_t n_headers;
    pw_catalog_options catalog;
} trackers_opts;

static void usage(void)
{
    printf("Usage: phiwall trackers [--category C] [--json] [--trackers FILE]\n"
           "       phiwall trackers --decode URL [--method M] [--body FILE] [--content-type T]\n"
           "                        [--page URL] [--json] [--trackers FILE]\n\n"
           "List the tracker catalog, or decode one request into the beacons it carries.\n\n"
           "Options:\n"
           "  -c, --category C       only this category: advertising, analytics, session-replay,\n"
           "                         tag-manager, social, cdp, chat, other, consent-manager,\n"
           "                         embed\n"
           "  -j, --json             machine-readable output\n"
           "  -d, --decode URL       decode a request to URL instead of listing\n"
           "  -X, --method M         request method (default GET, or POST with --body)\n"
           "  -b, --body FILE        request body bytes ('-' for stdin)\n"
           "  -t, --content-type T   request Content-Type (multipart needs its boundary)\n"
           "  -p, --page URL         page that sent the request (first/third party)\n"
           "  -H, --header 'N: V'    a request header, e.g. 'Cookie: c_user=1' (repeatable)\n"
           "  -h, --help             this help\n"
           "Catalog and filter lists (the same options as phiwall scan):\n");
    pw_cli_catalog_usage(stdout, 25);
    printf("\nExit: 0 ok, 2 usage error, 3 the catalog or the request could not be read.\n");
}

/* "Name: value" split in place (optarg points into argv, which we may modify). */
static int add_header(trackers_opts *o, char *arg)
{
    char *colon = strchr(arg, ':');
    if (!colon || colon == arg || o->n_headers == sizeof o->headers / sizeof o->headers[0])
        return -1;
    *colon = '\0';
    const char *value = colon + 1;
    while (*value == ' ')
        value++;
    o->headers[o->n_headers].name = arg;
    o->headers[o->n_headers].value = value;
    o->n_headers++;
    return 0;
}

static int parse_args(int argc, char **argv, trackers_opts *o)
{
    static const struct option opts[] = {
        {"category", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"decode", required_argument, NULL, 'd'},
        {"method", required_argument, NULL, 'X'},
        {"body", required_argument, NULL, 'b'},
        {"content-type", required_argument, NULL, 't'},
        {"page", required_argument, NULL, 'p'},
        {"header", required_argument, NULL, 'H'},
        PW_CLI_CATALOG_LONG_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:jd:X:b:t:p:H:h", opts, NULL)) != -1) {
        if (c != '?' && (rc = pw_cli_value_error("trackers", argv)))
            return rc;
        if (pw_cli_catalog_option(c, optarg, &o->catalog))
            continue;
        switch (c) {
        case 'c': o->category = optarg; break;
        case 'j': o->json = 1; break;
        case 'd': o->decode_url = optarg; break;
        case 'X': o->method = optarg; break;
        case 'b': o->body_file = optarg; break;
        case 't': o->content_type = optarg; break;
        case 'p': o->page_url = optarg; break;
        case 'H':
            if (add_header(o, optarg) != 0)
                return pw_cli_usage_error("trackers",
                                          "bad or too many --header '%s' (expected "
                                          "'Name: value')",
                                          optarg);
            break;
        case 'h': usage(); return -1;
        default: return pw_cli_option_error("trackers", argv, opts);
        }
    }
    if (optind < argc)
        return pw_cli_usage_error("trackers", "unexpected argument '%s'", argv[optind]);
    if (o->category && pw_category_parse(o->category, &o->cat) != 0) {
        pw_buf names; /* from the one table the catalog parses */
        pw_buf_init(&names);
        for (int k = 0; k < PW_CATEGORY__COUNT; k++)
            pw_buf_printf(&names, "%s%s", k ? ", " : "", pw_category_name((pw_category)k));
        rc = pw_cli_usage_error("trackers", "unknown category '%s' (expected %s)", o->category,
                                names.data ? names.data : "");
        pw_buf_free(&names);
        return rc;
    }
    o->has_category = o->category != NULL;
    if (o->decode_url && !pw_cli_http_url(o->decode_url))
        return pw_cli_usage_error("trackers", "--decode: '%s' is not an http(s) URL",
                                  o->decode_url);
    if (!o->decode_url &&
        (o->body_file || o->method || o->content_type || o->page_url || o->n_headers))
        return pw_cli_usage_error("trackers", "--method, --body, --content-type, --page and "
                                              "--header need --decode URL");
    return 0;
}

/* ---- listing ---- */

static void json_field(pw_buf *b, const char *name, const char *value, int comma)
{
    pw_buf_printf(b, "%s\"%s\":", comma ? "," : "", name);
    if (value)
        pw_buf_json_string(b, value, strlen(value));
    else
        pw_buf_puts(b, "null");
}

static void json_tracker(pw_buf *b, const pw_catalog *c, const pw_tracker *t, int full)
{
    pw_buf_putc(b, '{');
    json_field(b, "id", t->id, 0);
    json_field(b, "vendor", t->vendor, 1);
    json_field(b, "product", t->product, 1);
    json_field(b, "category", pw_category_name(t->category), 1);
    json_field(b, "baa", pw_baa_name(t->baa), 1);
    json_field(b, "baa_note", t->baa_note, 1);
    json_field(b, "decoder", t->decoder, 1);
    if (full) {
        json_field(b, "hosts", pw_catalog_hosts(c, t), 1);
        json_field(b, "paths", pw_catalog_paths(c, t), 1);
        json_field(b, "data_paths", pw_catalog_data_paths(c, t), 1);
    }
    pw_buf_putc(b, '}');
}

static int selected(const trackers_opts *o, const pw_tracker *t)
{
    return !o->has_category || t->category == o->cat;
}

static void list_json(const trackers_opts *o, const pw_catalog *c, pw_buf *b)
{
    pw_buf_puts(b, "{\"trackers\":[");
    int first = 1;
    for (size_t i = 0; i < pw_catalog_count(c); i++) {
        const pw_tracker *t = pw_catalog_at(c, i);
        if (!selected(o, t))
            continue;
        if (!first)
            pw_buf_putc(b, ',');
        first = 0;
        json_tracker(b, c, t, 1);
    }
    pw_buf_printf(b, "],\"easyprivacy_rules\":%zu,\"easylist_rules\":%zu}\n",
                  pw_catalog_easyprivacy_rules(c), pw_catalog_easylist_rules(c));
}

static void list_text(const trackers_opts *o, const pw_catalog *c, pw_buf *b)
{
    pw_buf_printf(b, "%-26s %-15s %-11s %-10s %s\n", "ID", "CATEGORY", "BAA", "DECODER",
                  "VENDOR / PRODUCT");
    size_t shown = 0;
    for (size_t i = 0; i < pw_catalog_count(c); i++) {
        const pw_tracker *t = pw_catalog_at(c, i);
        if (!selected(o, t))
            continue;
        shown++;
        pw_buf_printf(b, "%-26s %-15s %-11s %-10s %s / %s\n", t->id, pw_category_name(t->category),
                      pw_baa_name(t->baa), t->decoder, t->vendor, t->product);
    }
    pw_buf_printf(b, "%zu trackers; %zu EasyPrivacy rules, %zu EasyList rules loaded\n", shown,
                  pw_catalog_easyprivacy_rules(c), pw_catalog_easylist_rules(c));
}

/* ---- decoding one request ---- */

static void text_safe(pw_buf *b, const char *s)
{
    pw_report_text_safe(b, s, strlen(s));
}

static void beacon_text(pw_buf *b, const pw_beacon *be, size_t i)
{
    const pw_tracker *t = be->tracker;
    pw_buf_printf(b, "beacon %zu: %s — %s (%s)\n", i + 1, t->product, t->vendor, t->id);
    pw_buf_printf(b, "  category: %s   BAA: %s (%s)\n", pw_category_name(t->category),
                  pw_baa_name(t->baa), t->baa_note);
    pw_buf_printf(b, "  kind: %s   transport: %s   account: ", pw_beacon_kind_name(be->kind),
                  be->transport ? be->transport : "-");
    /* the account, event name and field keys come from the request: shown safe, like values */
    text_safe(b, be->account_id ? be->account_id : "-");
    pw_buf_puts(b, "   event: ");
    text_safe(b, be->event_name ? be->event_name : "-");
    pw_buf_puts(b, be->automatic ? "   (automatic)\n" : "\n");
    if (be->matched_rule)
        pw_buf_printf(b, "  matched rule: %s\n", be->matched_rule);
    pw_buf_printf(b, "  fields (%zu):\n", be->n_fields);
    for (size_t k = 0; k < be->n_fields; k++) {
        const pw_field *f = &be->fields[k];
        pw_buf_printf(b, "    %-12s ", pw_field_kind_name(f->kind));
        text_safe(b, f->key);
        pw_buf_puts(b, " = ");
        pw_report_text_safe(b, f->value, f->value_len);
        pw_buf_puts(b, f->hashed ? "   [sha256]\n" : "\n");
    }
}

static void beacon_json(pw_buf *b, const pw_catalog *c, const pw_beacon *be)
{
    pw_buf_puts(b, "{\"tracker\":");
    json_tracker(b, c, be->tracker, 0);
    json_field(b, "kind", pw_beacon_kind_name(be->kind), 1);
    json_field(b, "transport", be->transport, 1);
    json_field(b, "account_id", be->account_id, 1);
    json_field(b, "event_name", be->event_name, 1);
    pw_buf_printf(b, ",\"automatic\":%s", be->automatic ? "true" : "false");
    json_field(b, "matched_rule", be->matched_rule, 1);
    pw_buf_puts(b, ",\"fields\":[");
    for (size_t k = 0; k < be->n_fields; k++) {
        const pw_field *f = &be->fields[k];
        pw_buf_puts(b, k ? ",{" : "{");
        json_field(b, "key", f->key, 0);
        pw_buf_puts(b, ",\"value\":");
        pw_buf_json_string(b, f->value, f->value_len);
        json_field(b, "kind", pw_field_kind_name(f->kind), 1);
        pw_buf_printf(b, ",\"hashed\":%s}", f->hashed ? "true" : "false");
    }
    pw_buf_puts(b, "]}");
}

static void decoded_output(const trackers_opts *o, const pw_catalog *c, const pw_request *r,
                           const pw_beacon *bs, size_t n, const pw_err *err, pw_buf *b)
{
    if (o->json) {
        pw_buf_puts(b, "{\"request\":{");
        json_field(b, "method", r->method, 0);
        json_field(b, "url", r->url, 1);
        json_field(b, "page_url", r->page_url, 1);
        json_field(b, "content_type", r->content_type, 1);
        pw_buf_printf(b, ",\"body_bytes\":%zu},\"beacons\":[", r->body_len);
        for (size_t i = 0; i < n; i++) {
            if (i)
                pw_buf_putc(b, ',');
            beacon_json(b, c, &bs[i]);
        }
        pw_buf_puts(b, "]");
        json_field(b, "error", err->code ? err->msg : NULL, 1);
        pw_buf_puts(b, "}\n");
        return;
    }
    pw_buf_printf(b, "request: %s %s (%zu body bytes)\n", r->method, r->url, r->body_len);
    if (n == 0 && !err->code)
        pw_buf_puts(b, "no beacon: first party, or an unknown host that carries no data\n");
    for (size_t i = 0; i < n; i++)
        beacon_text(b, &bs[i], i);
}

static int decode_one(const trackers_opts *o, const pw_catalog *c, pw_buf *b)
{
    pw_request r = {0};
    pw_err err = {PW_OK, ""};
    char *body = NULL;
    size_t body_len = 0;
    if (o->body_file && pw_cli_read_file(o->body_file, &body, &body_len, &err) != PW_OK)
        return pw_cli_fail("trackers", &err);
    r.method = o->method ? o->method : body ? "POST" : "GET";
    r.url = o->decode_url;
    r.page_url = o->page_url;
    r.body = (const unsigned char *)body;
    r.body_len = body_len;
    r.content_type = o->content_type;
    r.headers = o->headers;
    r.n_headers = o->n_headers;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_beacon *bs = NULL;
    size_t n = 0;
    pw_status st = pw_decode(c, &a, &r, &bs, &n, &err);
    decoded_output(o, c, &r, bs, n, &err, b);
    fwrite(b->data ? b->data : "", 1, b->len, stdout);
    b->len = 0;
    pw_arena_free(&a);
    free(body);
    return st == PW_OK ? PW_EXIT_CLEAN : pw_cli_fail("trackers", &err);
}

int pw_cmd_trackers(int argc, char **argv)
{
    trackers_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? PW_EXIT_CLEAN : rc;
    pw_catalog *c = NULL;
    pw_err err = {PW_OK, ""};
    if (pw_catalog_open(&o.catalog, &c, &err) != PW_OK)
        return pw_cli_fail("trackers", &err);
    pw_buf b;
    pw_buf_init(&b);
    if (o.decode_url) {
        rc = decode_one(&o, c, &b);
    } else {
        if (o.json)
            list_json(&o, c, &b);
        else
            list_text(&o, c, &b);
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
        rc = PW_EXIT_CLEAN;
    }
    pw_buf_free(&b);
    pw_catalog_free(c);
    return rc;
}
