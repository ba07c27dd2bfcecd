/*
 * sites_list.c — the `scan --sites FILE` list: its parser (every line checked before any site is
 * scanned) and the report name each site gets in --out DIR.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sites_list.h"

/* "https://www.x.org/a/b" → "www.x.org_a_b" */
void pw_cli_site_slug(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = 0;
    for (; *p && n + 1 < cap && n < 100; p++) {
        char c = *p;
        out[n++] = isalnum((unsigned char)c) || c == '.' || c == '-' ? c : '_';
    }
    while (n > 0 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "site");
}

/* The list: one URL a line, '#' to the end of a line is a comment. Every line is checked before
 * any site is scanned (an hour in, a typo on line 40 would end the run), and a list without a
 * site is an error: a run that scanned nothing must not look like one that found nothing. */
pw_status pw_cli_sites_parse(const char *file, char *data, char ***urls, size_t *n, pw_err *err)
{
    size_t line_no = 0, *lines = NULL;
    pw_status st = PW_OK;
    *urls = NULL;
    *n = 0;
    for (char *line = data, *next; st == PW_OK && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        line += strspn(line, " \t\r");
        line[strcspn(line, "#")] = '\0';
        size_t len = strcspn(line, " \t\r");
        if (len == 0)
            continue;
        if (line[len + strspn(line + len, " \t\r")] != '\0')
            st = pw_err_set(err, PW_ERR_PARSE, "%s: line %zu: one URL a line, found more", file,
                            line_no);
        line[len] = '\0';
        if (st == PW_OK && len > PW_CLI_SITE_URL_MAX)
            st = pw_err_set(err, PW_ERR_PARSE, "%s: line %zu: a URL of %zu bytes, more than %d",
                            file, line_no, len, PW_CLI_SITE_URL_MAX);
        const char *problem = st == PW_OK ? pw_cli_site_url_problem(line) : NULL;
        if (problem)
            st = pw_err_set(err, PW_ERR_PARSE, "%s: line %zu: '%s' %s", file, line_no, line,
                            problem);
        char slug[128], other[128];
        pw_cli_site_slug(line, slug, sizeof slug);
        for (size_t i = 0; st == PW_OK && i < *n; i++) {
            pw_cli_site_slug((*urls)[i], other, sizeof other);
            if (strcmp(slug, other) == 0) /* its report would be taken for the other's */
                st = pw_err_set(err, PW_ERR_PARSE,
                                "%s: line %zu: %s has the report name '%s' of line %zu (%s): "
                                "list each site once",
                                file, line_no, line, slug, lines[i], (*urls)[i]);
        }
        char **more = st == PW_OK ? realloc(*urls, (*n + 1) * sizeof **urls) : NULL;
        size_t *more_lines = more ? realloc(lines, (*n + 1) * sizeof *lines) : NULL;
        if (more)
            *urls = more;
        if (more_lines)
            lines = more_lines;
        if (st == PW_OK && !(more && more_lines))
            st = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", file);
        if (st == PW_OK) {
            lines[*n] = line_no;
            (*urls)[(*n)++] = line;
        }
    }
    free(lines);
    if (st == PW_OK && *n == 0)
        st =
            pw_err_set(err, PW_ERR_INVALID,
                       "%s: no sites to scan (one http(s) URL a line; '#' starts a comment)", file);
    if (st != PW_OK) {
        free(*urls);
        *urls = NULL;
        *n = 0;
    }
    return st;
}
