/*
 * cmd_redact.c — `phiwall redact`: a log filter from stdin to stdout. Text mode redacts each
 * line; JSON mode parses each line as a JSON value and redacts every string value (object keys
 * are kept and give context: {"email": …}). --hits prints the hits as JSON lines instead.
 * --canary FILE adds values to find in any encoding; --vocab FILE extends the health vocabulary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "cli.h"
#include "phiwall/detect.h"
#include "phiwall/json_tree.h"

typedef struct redact_opts {
    int json;
    int hits;
    pw_field_type type;
    const char *canary_file;
    const char *vocab_file;
} redact_opts;

typedef struct redactor {
    const pw_detector *d;
    pw_detect_scratch *s;
    pw_arena arena;
    pw_buf out;
    const redact_opts *o;
    size_t line;
} redactor;

static void usage(void)
{
    printf("Usage: phiwall redact [options] < input > output\n\n"
           "Remove PHI (identifiers, health context, canaries) from text or JSON lines.\n\n"
           "  --format text|json   text: redact each line (default); json: each line is a JSON\n"
           "                       value (nested at most 512 deep), every string value is\n"
           "                       redacted, keys are kept\n"
           "  --type text|url|form|json  field type for text lines (default text; URLs are\n"
           "                       recognised by their scheme either way)\n"
           "  --hits               print the hits as JSON lines instead of redacting\n"
           "  --canary FILE        values to find in any encoding: label<TAB>kind<TAB>value per\n"
           "                       line; kind is text|name|email|phone|date|zip|gender|address|id\n"
           "  --vocab FILE         extra health vocabulary (TSV, see docs/vocabulary.md)\n"
           "  -h, --help           this help\n\n"
           "Exit: 0 done; 2 bad command line; 3 could not go on (unreadable stdin, a\n"
           "canary file, a text line with too many hits); 4 done, but some --format json\n"
           "lines were not JSON: each was redacted as text and named on stderr.\n");
}

static void print_hits(redactor *r, const char *key, const char *s, size_t n, const pw_hit *h,
                       size_t nh)
{
    for (size_t i = 0; i < nh; i++) {
        pw_buf b;
        pw_buf_init(&b);
        pw_buf_printf(&b, "{\"line\":%zu,", r->line);
        if (key) {
            pw_buf_puts(&b, "\"key\":");
            pw_buf_json_string(&b, key, strlen(key));
            pw_buf_putc(&b, ',');
        }
        pw_buf_printf(&b, "\"category\":\"%s\",\"subtype\":", pw_phi_category_name(h[i].category));
        pw_buf_json_string(&b, h[i].subtype ? h[i].subtype : "",
                           h[i].subtype ? strlen(h[i].subtype) : 0);
        pw_buf_printf(&b, ",\"start\":%zu,\"end\":%zu,\"text\":", h[i].start, h[i].end);
        pw_buf_json_string(&b, s + h[i].start, h[i].end - h[i].start);
        pw_buf_puts(&b, ",\"normalized\":");
        pw_buf_json_string(&b, h[i].normalized, strlen(h[i].normalized));
        pw_buf_printf(&b, ",\"confidence\":%.2f,\"reason\":\"%s\",\"detail\":", h[i].confidence,
                      pw_reason_name(h[i].reason));
        const char *det = h[i].reason_detail ? h[i].reason_detail : "";
        pw_buf_json_string(&b, det, strlen(det));
        pw_buf_printf(&b, ",\"sensitivity\":\"%s\"}\n",
                      h[i].sensitivity == PW_SENS_HIGH ? "high" : "normal");
        fwrite(b.data, 1, b.len, stdout);
        pw_buf_free(&b);
    }
    (void)n;
}

/* Redact (or report) one string; the redacted copy is left in r->out. */
static pw_status one_string(redactor *r, const char *key, pw_detect_object object, const char *s,
                            size_t n, pw_field_type type, pw_err *err)
{
    pw_buf_clear(&r->out);
    if (r->o->hits) {
        pw_hit *h = NULL;
        size_t nh = 0;
        pw_status st =
            pw_detect_scan_member(r->d, r->s, &r->arena, key, object, s, n, type, &h, &nh, err);
        if (st == PW_OK)
            print_hits(r, key, s, n, h, nh);
        return st;
    }
    return pw_redact_member(r->d, r->s, &r->arena, key, object, s, n, type, &r->out, err);
}

/* Deeper JSON is refused with its line number: the walk recurses once per level. */
#define JSON_MAX_DEPTH 512

static pw_status json_value(redactor *r, pw_buf *g, const char *key, pw_detect_object object,
                            yajl_val v, int depth, pw_err *err);

static pw_status json_object(redactor *r, pw_buf *g, const char *parent, yajl_val v, int depth,
                             pw_err *err)
{
    pw_buf_putc(g, '{');
    /* {"name":"Knee Brace","price":"25.00"} is a product's name, {"name":…,"email":…} a
     * person's: the members beside a string decide with its key */
    pw_detect_object object = pw_detect_object_kind(v->u.object.keys, v->u.object.len);
    for (size_t i = 0; i < v->u.object.len; i++) {
        const char *k = v->u.object.keys[i];
        if (i)
            pw_buf_putc(g, ',');
        pw_buf_json_string(g, k, strlen(k));
        pw_buf_putc(g, ':');
        /* "product.name" is not a person's name where "patient.name" and "name" are: the
         * detector sees the member's path (the arena is reset per input line) */
        const char *path = parent ? pw_arena_sprintf(&r->arena, "%s.%s", parent, k) : k;
        if (!path)
            return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
        pw_status st = json_value(r, g, path, object, v->u.object.values[i], depth + 1, err);
        if (st != PW_OK)
            return st;
    }
    pw_buf_putc(g, '}');
    return PW_OK;
}

static pw_status json_value(redactor *r, pw_buf *g, const char *key, pw_detect_object object,
                            yajl_val v, int depth, pw_err *err)
{
    /* depth: the arrays and objects around v (json_depth let the line through; this holds the
     * walk to the same bound whoever calls it) */
    if ((YAJL_IS_OBJECT(v) || YAJL_IS_ARRAY(v)) && depth >= JSON_MAX_DEPTH)
        return pw_err_set(err, PW_ERR_LIMIT, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
    if (YAJL_IS_STRING(v)) {
        const char *s = YAJL_GET_STRING(v);
        pw_status st = one_string(r, key, object, s, strlen(s), PW_FT_JSON_VALUE, err);
        if (st != PW_OK)
            return st;
        if (!r->o->hits)
            pw_buf_json_string(g, r->out.data ? r->out.data : "", r->out.len);
    } else if (YAJL_IS_OBJECT(v)) {
        return json_object(r, g, key, v, depth, err);
    } else if (YAJL_IS_ARRAY(v)) {
        pw_buf_putc(g, '[');
        for (size_t i = 0; i < v->u.array.len; i++) {
            if (i)
                pw_buf_putc(g, ',');
            pw_status st = json_value(r, g, key, object, v->u.array.values[i], depth + 1, err);
            if (st != PW_OK)
                return st;
        }
        pw_buf_putc(g, ']');
    } else if (YAJL_IS_NUMBER(v)) {
        pw_buf_puts(g, v->u.number.r); /* as written: no float round trip */
    } else {
        pw_buf_puts(g, YAJL_IS_TRUE(v) ? "true" : YAJL_IS_FALSE(v) ? "false" : "null");
    }
    return PW_OK;
}

/* The deepest nesting of brackets in a JSON text, strings skipped: yajl's tree parser is
 * flat, but freeing the tree recurses (and crashes half a million levels down), so depth is
 * checked before a tree is built. *nul: a string holds \u0000, which the tree (C strings)
 * would cut the string at. */
static int json_depth(const char *s, int *nul)
{
    int depth = 0, deepest = 0, in_string = 0;
    *nul = 0;
    for (; *s; s++) {
        if (in_string) {
            if (*s == '\\' && s[1] == 'u' && strncmp(s + 2, "0000", 4) == 0)
                *nul = 1;
            if (*s == '\\' && s[1])
                s++;
            else if (*s == '"')
                in_string = 0;
        } else if (*s == '"') {
            in_string = 1;
        } else if (*s == '[' || *s == '{') {
            deepest = ++depth > deepest ? depth : deepest;
        } else if (*s == ']' || *s == '}') {
            depth--;
        }
    }
    return deepest;
}

static pw_status json_line(redactor *r, const char *line, pw_err *err)
{
    int nul;
    if (json_depth(line, &nul) > JSON_MAX_DEPTH)
        return pw_err_set(err, PW_ERR_LIMIT, "stdin: line %zu: JSON nested deeper than %d levels",
                          r->line, JSON_MAX_DEPTH);
    /* the rest of such a string would vanish from the output without a word */
    if (nul)
        return pw_err_set(err, PW_ERR_UNSUPPORTED,
                          "stdin: line %zu: a string holds \\u0000, which redact cannot keep",
                          r->line);
    char msg[256];
    yajl_val v = NULL;
    pw_status pst = pw_json_tree_parse(line, strlen(line), &v, msg, sizeof msg, NULL);
    if (pst == PW_ERR_NOMEM)
        return pw_err_set(err, pst, "stdin: line %zu: out of memory parsing its JSON", r->line);
    if (pst != PW_OK)
        return pw_err_set(err, pst, "stdin: line %zu: invalid JSON: %s", r->line, msg);
    pw_buf g;
    pw_buf_init(&g);
    pw_status st = json_value(r, &g, NULL, PW_OBJECT_UNKNOWN, v, 0, err);
    if (st == PW_OK && g.failed)
        st = pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    if (st == PW_OK && !r->o->hits) {
        pw_buf_putc(&g, '\n');
        fwrite(g.data, 1, g.len, stdout);
    } else if (st != PW_OK) {
        pw_err_prefix(err, "stdin: line %zu: ", r->line);
    }
    pw_buf_free(&g);
    yajl_tree_free(v);
    return st;
}

static pw_status text_line(redactor *r, const char *line, size_t n, pw_err *err)
{
    pw_status st = one_string(r, NULL, PW_OBJECT_UNKNOWN, line, n, r->o->type, err);
    if (st != PW_OK)
        return pw_err_prefix(err, "stdin: line %zu: ", r->line);
    if (!r->o->hits) {
        fwrite(r->out.data ? r->out.data : "", 1, r->out.len, stdout);
        fputc('\n', stdout);
    }
    return PW_OK;
}

/* A JSON line that cannot be read as JSON (invalid, nested too deep, a \u0000 in a string) is
 * not a reason to lose the lines after it (`tail -f | phiwall redact`), nor to pass it on: it
 * is redacted as a text line instead, named on stderr, and the run ends with
 * PW_EXIT_INCOMPLETE. Anything else (out of memory, a write error) still stops the run. */
static int bad_json_line(const pw_err *e)
{
    return e->code == PW_ERR_PARSE || e->code == PW_ERR_LIMIT || e->code == PW_ERR_UNSUPPORTED;
}

static pw_status one_line(redactor *r, char *line, size_t n, size_t *n_bad, pw_err *err)
{
    if (!r->o->json)
        return text_line(r, line, n, err);
    if (!n)
        return PW_OK;
    pw_status st = json_line(r, line, err);
    if (st == PW_OK || !bad_json_line(err))
        return st;
    pw_cli_errorf("redact", "warning: %s; the line was redacted as text", err->msg);
    (*n_bad)++;
    pw_err_clear(err);
    pw_arena_reset(&r->arena);
    return text_line(r, line, n, err);
}

static int run(const redact_opts *o, const pw_detector *d)
{
    pw_err err = {0};
    redactor r = {.d = d, .o = o};
    if (pw_detect_scratch_new(d, &r.s, &err) != PW_OK)
        return pw_cli_fail("redact", &err);
    pw_arena_init(&r.arena, 0);
    pw_buf_init(&r.out);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int rc = PW_EXIT_CLEAN;
    size_t n_bad = 0;
    /* getline's -1 is also a line it could not hold (ENOMEM) or a read error: not the end */
    while ((errno = 0, got = getline(&line, &cap, stdin)) >= 0) {
        r.line++;
        size_t n = (size_t)got;
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        pw_arena_reset(&r.arena);
        if (one_line(&r, line, n, &n_bad, &err) != PW_OK) {
            rc = pw_cli_fail("redact", &err);
            break;
        }
    }
    /* a closed or unreadable stdin, or a line too large to hold, is an error, not the end */
    if (rc == PW_EXIT_CLEAN && got < 0 && (errno == ENOMEM || ferror(stdin))) {
        pw_err_set(&err, errno == ENOMEM ? PW_ERR_NOMEM : PW_ERR_IO, "stdin: line %zu: %s",
                   r.line + 1, errno == ENOMEM ? "out of memory reading it" : strerror(errno));
        rc = pw_cli_fail("redact", &err);
    }
    if (rc == PW_EXIT_CLEAN && n_bad) {
        pw_cli_errorf("redact", "%zu line%s not valid JSON, redacted as text", n_bad,
                      n_bad == 1 ? " was" : "s were");
        rc = PW_EXIT_INCOMPLETE;
    }
    free(line);
    pw_buf_free(&r.out);
    pw_arena_free(&r.arena);
    pw_detect_scratch_free(r.s);
    if (fflush(stdout) != 0) {
        pw_cli_errorf("redact", "stdout: %s", strerror(errno));
        return PW_EXIT_RUNTIME;
    }
    return rc;
}

static int parse_type(const char *t, pw_field_type *out)
{
    if (strcmp(t, "text") == 0)
        *out = PW_FT_TEXT;
    else if (strcmp(t, "url") == 0)
        *out = PW_FT_URL;
    else if (strcmp(t, "form") == 0)
        *out = PW_FT_FORM_VALUE;
    else if (strcmp(t, "json") == 0)
        *out = PW_FT_JSON_VALUE;
    else
        return 0;
    return 1;
}

int pw_cmd_redact(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"type", required_argument, NULL, 't'},
                                         {"hits", no_argument, NULL, 'H'},
                                         {"canary", required_argument, NULL, 'c'},
                                         {"vocab", required_argument, NULL, 'v'},
                                         {NULL, 0, NULL, 0}};
    redact_opts o = {.type = PW_FT_TEXT};
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c != '?' && (rc = pw_cli_value_error("redact", argv)))
            return rc;
        switch (c) {
        case 'h': usage(); return PW_EXIT_CLEAN;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return pw_cli_usage_error("redact", "--format: expected text or json, got '%s'",
                                          optarg);
            o.json = strcmp(optarg, "json") == 0;
            break;
        case 't':
            if (!parse_type(optarg, &o.type))
                return pw_cli_usage_error(
                    "redact", "--type: expected text, url, form or json, got '%s'", optarg);
            break;
        case 'H': o.hits = 1; break;
        case 'c': o.canary_file = optarg; break;
        case 'v': o.vocab_file = optarg; break;
        default: return pw_cli_option_error("redact", argv, opts);
        }
    }
    if (optind < argc)
        return pw_cli_usage_error("redact",
                                  "unexpected argument '%s': redact reads stdin and writes "
                                  "stdout (phiwall redact < '%s' > redacted.txt)",
                                  argv[optind], argv[optind]);
    pw_err err = {0};
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_detector_opts dopts = {.vocab_file = o.vocab_file};
    pw_canary *canaries = NULL;
    size_t n_canaries = 0;
    if (o.canary_file &&
        pw_cli_read_canaries(o.canary_file, &a, &canaries, &n_canaries, &err) != PW_OK) {
        pw_arena_free(&a);
        return pw_cli_fail("redact", &err);
    }
    dopts.canaries = canaries;
    dopts.n_canaries = n_canaries;
    pw_detector *d = NULL;
    if (pw_detector_new(&dopts, &d, &err) != PW_OK) {
        pw_arena_free(&a);
        return pw_cli_fail("redact", &err);
    }
    rc = run(&o, d);
    pw_detector_free(d);
    pw_arena_free(&a);
    return rc;
}
