/*
 * http_url.c — what the commands accept as a site to scan: an absolute http(s) URL with a host.
 * A file of its own so that the `scan --sites` list parser's fuzz target links it alone.
 */
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "phiwall/url.h"

int pw_cli_http_url(const char *s)
{
    pw_url u;
    if (pw_url_parse(s, strlen(s), &u, NULL) != PW_OK || u.host.n == 0)
        return 0;
    return (u.scheme.n == 4 && strncasecmp(u.scheme.p, "http", 4) == 0) ||
           (u.scheme.n == 5 && strncasecmp(u.scheme.p, "https", 5) == 0);
}
