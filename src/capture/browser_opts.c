/*
 * browser_opts.c — option helpers of the browser capture source: defaults, parsing of
 * --consent / --device / --map-host values, the canary identity typed into forms, and cookie
 * files (Netscape cookies.txt or NAME=VALUE lines) for authenticated scans.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/browser_int.h"
#include "phiwall/url.h"

void pw_browser_opts_init(pw_browser_opts *o)
{
    memset(o, 0, sizeof *o);
    o->contain = 1;
    o->interact = 1;
    o->follow_sitemap = 1;
    o->max_depth = -1;
}

int pw_browser_available(const char *path)
{
    return access(path ? path : "/usr/bin/chromium", X_OK) == 0;
}

int pw_consent_mode_parse(const char *s, pw_consent_mode *out)
{
    static const char *const names[] = {"none", "accept", "reject"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (pw_consent_mode)i;
            return 0;
        }
    return -1;
}

int pw_device_parse(const char *s, pw_device *out)
{
    if (strcmp(s, "desktop") == 0)
        *out = PW_DEVICE_DESKTOP;
    else if (strcmp(s, "mobile") == 0)
        *out = PW_DEVICE_MOBILE;
    else
        return -1;
    return 0;
}

pw_status pw_host_map_parse(pw_arena *a, const char *spec, pw_host_map *out, pw_err *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return pw_err_set(err, PW_ERR_INVALID, "--map-host %s: expected HOST=URLPREFIX", spec);
    pw_url u;
    if (pw_url_parse(eq + 1, strlen(eq + 1), &u, NULL) != PW_OK)
        return pw_err_set(err, PW_ERR_INVALID, "--map-host %s: %s is not an absolute URL", spec,
                          eq + 1);
    out->host = pw_arena_strndup(a, spec, (size_t)(eq - spec));
    size_t n = strlen(eq + 1);
    while (n > 0 && eq[n] == '/') /* no trailing slash: the request path brings its own */
        n--;
    out->prefix = pw_arena_strndup(a, eq + 1, n);
    if (!out->host || !out->prefix)
        return pw_err_set(err, PW_ERR_NOMEM, "--map-host: out of memory");
    return PW_OK;
}

void pw_browser_identity_make(pw_arena *a, const char *tag, pw_browser_identity *id)
{
    char letters[16], digits[16];
    size_t n = 0;
    for (const char *p = tag; *p && n < 8; p++, n++) {
        unsigned v = (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower(*p) - 'a' + 10));
        letters[n] = (char)('a' + v % 16);
        digits[n] = (char)('0' + v % 10);
    }
    while (n < 6) {
        letters[n] = 'q';
        digits[n] = '7';
        n++;
    }
    letters[n] = digits[n] = '\0';
    memset(id, 0, sizeof *id);
    id->first_name = pw_arena_strdup(a, "Marisol");
    id->last_name = pw_arena_sprintf(a, "Canary%c%s", toupper(letters[0]), letters + 1);
    id->email = pw_arena_sprintf(a, "marisol.canary.%s@example.org", letters);
    id->phone = pw_arena_sprintf(a, "617-555-%.4s", digits);
    id->dob = pw_arena_strdup(a, "1984-03-17");
    id->address = pw_arena_sprintf(a, "%.3s Canary Lane", digits + 2);
    id->city = pw_arena_strdup(a, "Springfield");
    id->state = pw_arena_strdup(a, "MA");
    id->zip = pw_arena_sprintf(a, "01%.3s", digits + 1);
    id->member_id = pw_arena_sprintf(a, "PWM%.6s", digits);
    id->gender = pw_arena_strdup(a, "female");
    id->reason =
        pw_arena_sprintf(a, "Follow-up for type 2 diabetes and chest pain, ref %s", letters);
    id->search_term = pw_arena_strdup(a, "diabetes");
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One line: Netscape "domain flag path secure expiry name value" or "NAME=VALUE". */
static int parse_cookie_line(pw_arena *a, char *line, pw_cookie *c)
{
    memset(c, 0, sizeof *c);
    if (strncmp(line, "#HttpOnly_", 10) == 0)
        line += 10;
    else if (line[0] == '#' || line[0] == '\0')
        return 0;
    char *f[7];
    int nf = 0;
    for (char *p = line; nf < 7;) {
        f[nf++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    if (nf == 7) {
        c->domain = pw_arena_strdup(a, f[0]);
        c->path = pw_arena_strdup(a, f[2]);
        c->name = pw_arena_strdup(a, f[5]);
        c->value = pw_arena_strdup(a, f[6]);
        return c->name && c->value ? 1 : -1;
    }
    if (nf != 1)
        return -1;
    char *eq = strchr(line, '=');
    if (!eq || eq == line)
        return -1;
    c->name = pw_arena_strndup(a, line, (size_t)(eq - line));
    c->value = pw_arena_strdup(a, eq + 1);
    return c->name && c->value ? 1 : -1;
}

pw_status pw_cookies_read_file(pw_arena *a, const char *path, pw_cookie **out, size_t *n_out,
                               pw_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 16, n = 0;
    pw_cookie *list = pw_arena_calloc(a, cap, sizeof *list);
    char buf[8192];
    size_t lineno = 0;
    pw_status st = list ? PW_OK : PW_ERR_NOMEM;
    while (st == PW_OK && fgets(buf, sizeof buf, f)) {
        lineno++;
        pw_cookie c;
        int r = parse_cookie_line(a, trim(buf), &c);
        if (r < 0) {
            st = pw_err_set(err, PW_ERR_PARSE,
                            "%s: line %zu: expected NAME=VALUE or 7 tab-separated fields", path,
                            lineno); /* the line itself may hold a secret: not echoed */
            break;
        }
        if (r == 0)
            continue;
        if (n == cap) {
            pw_cookie *more = pw_arena_calloc(a, cap * 2, sizeof *more);
            if (!more) {
                st = PW_ERR_NOMEM;
                break;
            }
            memcpy(more, list, n * sizeof *list);
            list = more;
            cap *= 2;
        }
        list[n++] = c;
    }
    fclose(f);
    if (st == PW_ERR_NOMEM)
        return pw_err_set(err, st, "%s: out of memory", path);
    if (st != PW_OK)
        return st;
    *out = list;
    *n_out = n;
    return PW_OK;
}
