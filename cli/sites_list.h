/* sites_list.h — the `scan --sites` list parser and report names (sites_list.c). */
#ifndef PW_CLI_SITES_LIST_H
#define PW_CLI_SITES_LIST_H

#include <stddef.h>

#include "cli.h"

/* The longest URL a list may name: its .summary line must be read back whole on resume. */
enum { PW_CLI_SITE_URL_MAX = 65536 };

/* The report name of a site in --out DIR, its URL without the scheme, every character but
 * letters, digits, '.' and '-' made '_' (at most 100; "site" when nothing is left):
 * "https://www.x.org/a/b" → "www.x.org_a_b". */
void pw_cli_site_slug(const char *url, char *out, size_t cap);

/* Parse the list read from `file` (data, NUL-terminated, is cut into the URLs in place): one
 * http(s) URL a line, '#' to the end of a line is a comment, blank lines ignored. *urls (malloc'd
 * array of pointers into data) gets the sites in order. A line with more than one word, no
 * http(s) URL, a URL over PW_CLI_SITE_URL_MAX bytes, two sites with one report name, or a list
 * without a site is PW_ERR_PARSE / PW_ERR_INVALID naming file and line; *urls is then NULL. */
pw_status pw_cli_sites_parse(const char *file, char *data, char ***urls, size_t *n, pw_err *err);

#endif
