/* common.c — terminal detection and messages shared by the commands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "phiwall/arena.h"
#include "phiwall/report.h"

int pw_cli_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && nc[0])
        return 0;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return 0;
    return isatty(fileno(f));
}

int pw_cli_use_progress(FILE *f)
{
    return isatty(fileno(f));
}

/* A message often quotes what a site or a HAR chose (a URL, a gap's error, a page title): it
 * reaches the terminal shown safe (pw_report_text_safe), one line whatever it holds, so an
 * escape sequence cannot retitle or clear the terminal nor a CR LF forge a line of the log. */
/* s[0..n) made safe for a terminal (pw_report_text_safe) with the user:password@ of every URL in
 * it removed, appended to b: a start URL's credentials log the browser in, and no message, log
 * line or report shows them. */
static void safe_public(pw_buf *b, const char *s, size_t n)
{
    pw_buf pub;
    pw_buf_init(&pub);
    const char *p = s, *end = s + n;
    for (const char *c; (c = memmem(p, (size_t)(end - p), "://", 3)) != NULL; p = c) {
        c += 3;
        const char *at = NULL;
        for (const char *a = c; a < end && !strchr("/?# \t\r\n\"'<>", *a); a++)
            if (*a == '@')
                at = a;
        pw_buf_append(&pub, p, (size_t)(c - p));
        if (at)
            c = at + 1;
    }
    pw_buf_append(&pub, p, (size_t)(end - p));
    if (pub.failed)
        pw_report_text_safe(b, s, n);
    else
        pw_report_text_safe(b, pub.data ? pub.data : "", pub.len);
    pw_buf_free(&pub);
}

void pw_cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pw_buf msg, line;
    pw_buf_init(&msg);
    pw_buf_init(&line);
    pw_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    pw_buf_printf(&line, "phiwall: %s%s", cmd ? cmd : "", cmd ? ": " : "");
    safe_public(&line, msg.data ? msg.data : "", msg.len);
    pw_buf_putc(&line, '\n');
    if (line.failed) /* no memory: the message itself, as before */
        fprintf(stderr, "phiwall: %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "", fmt);
    else
        fwrite(line.data, 1, line.len, stderr);
    pw_buf_free(&msg);
    pw_buf_free(&line);
}

void pw_cli_safe_line(FILE *f, const char *prefix, const char *s)
{
    pw_buf line;
    pw_buf_init(&line);
    pw_buf_puts(&line, prefix);
    safe_public(&line, s ? s : "", s ? strlen(s) : 0);
    pw_buf_putc(&line, '\n');
    if (!line.failed)
        fwrite(line.data, 1, line.len, f);
    pw_buf_free(&line);
}

int pw_cli_fail(const char *cmd, const pw_err *err)
{
    pw_cli_errorf(cmd, "%s: %s", pw_strerror(err->code), err->msg[0] ? err->msg : "(no detail)");
    return PW_EXIT_RUNTIME;
}

int pw_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "phiwall: %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "Try 'phiwall %s --help'.\n", cmd);
    return PW_EXIT_USAGE;
}

int pw_cli_option_error(const char *cmd, char *const argv[], const struct option *opts)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    for (const struct option *o = opts; optopt && o && o->name; o++)
        if (o->val == optopt && o->has_arg == required_argument)
            return pw_cli_usage_error(cmd, "option '%s' needs a value", arg);
    if (optopt && !(arg[0] == '-' && arg[1] == '-'))
        return pw_cli_usage_error(cmd, "unknown option '-%c'", optopt);
    return pw_cli_usage_error(cmd, "unknown option '%s'", arg);
}

int pw_cli_value_error(const char *cmd, char *const argv[])
{
    if (!optarg || optind < 2)
        return 0;
    const char *last = argv[optind - 1];
    int separate = optarg == last; /* `--opt VALUE`, `-o VALUE` */
    if (!optarg[0]) {
        const char *opt = separate ? argv[optind - 2] : last;
        return pw_cli_usage_error(cmd, "option '%.*s' has an empty value", (int)strcspn(opt, "="),
                                  opt);
    }
    if (!separate && last[0] == '-' && last[1] != '-' && optarg[0] == '=')
        return pw_cli_usage_error(cmd,
                                  "'%s' would take '%s' as its value: write '-%c %s' (only long "
                                  "options take '=')",
                                  last, optarg, last[1], optarg + 1);
    return 0;
}

int pw_cli_number_arg(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return pw_cli_usage_error(cmd, "%s: expected a number from %ld to %ld, got '%s'", opt, lo,
                                  hi, v);
    *out = n;
    return 0;
}

void pw_cli_write_safe_lines(FILE *f, const char *s, size_t n)
{
    pw_buf b;
    pw_buf_init(&b);
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(s + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - s) : n;
        pw_report_text_safe(&b, s + at, end - at);
        if (nl)
            pw_buf_putc(&b, '\n');
        at = end + (nl ? 1 : 0);
    }
    if (b.len)
        fwrite(b.data, 1, b.len, f);
    pw_buf_free(&b);
}

/* A path that does not exist yet, as its directory and name: a dangling link (one level) stands
 * for what it points at. 0, or -1 when the directory does not exist either. */
static int missing_entry(const char *p, struct stat *dir, char *name, size_t cap)
{
    char link[PATH_MAX], d[PATH_MAX];
    struct stat st;
    ssize_t n = lstat(p, &st) == 0 && S_ISLNK(st.st_mode) ? readlink(p, link, sizeof link - 1) : -1;
    if (n > 0) {
        link[n] = '\0';
        snprintf(d, sizeof d, "%s", p);
        char *slash = strrchr(d, '/');
        if (link[0] != '/' && slash)
            snprintf(slash + 1, sizeof d - (size_t)(slash + 1 - d), "%s", link);
        else
            snprintf(d, sizeof d, "%s", link);
    } else {
        snprintf(d, sizeof d, "%s", p);
    }
    char *slash = strrchr(d, '/');
    snprintf(name, cap, "%s", slash ? slash + 1 : d);
    if (slash)
        *(slash == d ? slash + 1 : slash) = '\0';
    return stat(slash ? d : ".", dir);
}

int pw_cli_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || !a[0] || !b[0] || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return 0;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea || eb)
        return 0;
    char na[PATH_MAX], nb[PATH_MAX];
    return missing_entry(a, &sa, na, sizeof na) == 0 && missing_entry(b, &sb, nb, sizeof nb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && strcmp(na, nb) == 0;
}

int pw_cli_read_file(const char *path, char **data, size_t *len, pw_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *p = realloc(buf, cap * 2 + 1);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    int bad = buf && ferror(f) ? errno : 0; /* EISDIR for a directory */
    if (f != stdin)
        fclose(f);
    if (!buf)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(buf);
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(bad));
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return PW_OK;
}

static const char *const canary_kind_names[] = {"text", "name",   "email",   "phone", "date",
                                                "zip",  "gender", "address", "id"};

static int canary_kind(const char *k, pw_canary_kind *out)
{
    for (size_t i = 0; i < sizeof canary_kind_names / sizeof canary_kind_names[0]; i++) {
        if (strcmp(k, canary_kind_names[i]) == 0) {
            *out = (pw_canary_kind)i;
            return 0;
        }
    }
    return -1;
}

pw_status pw_cli_write_canaries(const char *path, const pw_canary *c, size_t n, pw_err *err)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_puts(&b, "# label<TAB>kind<TAB>value: the values phiwall typed (phiwall scan --har "
                    "FILE --canary this)\n");
    for (size_t i = 0; i < n; i++)
        pw_buf_printf(&b, "%s\t%s\t%s\n", c[i].label, canary_kind_names[c[i].kind], c[i].value);
    pw_status st = b.failed ? pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path)
                            : pw_outfile_write(path, b.data, b.len, err);
    pw_buf_free(&b);
    return st;
}

/* Shared by `redact` and `scan`: one parser for --canary files. */
pw_status pw_cli_read_canaries(const char *path, pw_arena *a, pw_canary **out, size_t *n,
                               pw_err *err)
{
    char *data = NULL;
    size_t len = 0, cap = 0, line_no = 0;
    pw_status st = pw_cli_read_file(path, &data, &len, err);
    if (st != PW_OK)
        return st;
    *out = NULL;
    *n = 0;
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        pw_canary c;
        if (!t2) {
            st = pw_err_set(err, PW_ERR_PARSE, "%s: line %zu: expected label<TAB>kind<TAB>value",
                            path, line_no);
            break;
        }
        *t1 = *t2 = '\0';
        /* a canary that can never match is a mistake to say, not to skip: the scan would report
         * the value's absence as if it had been looked for */
        const char *value = t2 + 1, *what = NULL;
        if (strchr(value, '\t'))
            what = "expected 3 tab-separated columns, found more";
        else if (!line[0])
            what = "empty label";
        else if (value[strspn(value, " ")] == '\0')
            what = "empty value";
        if (what) {
            st = pw_err_set(err, PW_ERR_PARSE, "%s: line %zu: %s", path, line_no, what);
            break;
        }
        if (canary_kind(t1 + 1, &c.kind) != 0) {
            st = pw_err_set(err, PW_ERR_PARSE, "%s: line %zu: unknown canary kind '%s'", path,
                            line_no, t1 + 1);
            break;
        }
        c.label = pw_arena_strdup(a, line);
        c.value = pw_arena_strdup(a, t2 + 1);
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            pw_canary *v = pw_arena_alloc(a, cap * sizeof *v);
            if (!v) {
                st = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            if (*n)
                memcpy(v, *out, *n * sizeof *v);
            *out = v;
        }
        (*out)[(*n)++] = c;
    }
    free(data);
    return st;
}
