/*
 * http_url.c — what the commands accept as a site to scan: an absolute http(s) URL with a host.
 * A file of its own so that the `scan --sites` list parser's fuzz target links it alone.
 */
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "phiwall/url.h"

const char *pw_cli_site_url_problem(const char *s)
{
    if (!pw_cli_http_url(s))
        return "is not an http(s) URL (http://… or https://…)";
    pw_url u;
    pw_url_parse(s, strlen(s), &u, NULL);
    for (size_t i = 0; i < u.host.n; i++)
        if ((unsigned char)u.host.p[i] <= ' ' || u.host.p[i] == 0x7f)
            return "has a space or control character in its host name";
    if (u.port.n) {
        unsigned long port = 0;
        for (size_t i = 0; i < u.port.n; i++) {
            if (u.port.p[i] < '0' || u.port.p[i] > '9')
                return "has a port that is not a number";
            if (port <= 65535)
                port = port * 10 + (unsigned long)(u.port.p[i] - '0');
        }
        if (port == 0 || port > 65535)
            return "has a port out of range (1 to 65535)";
    }
    return NULL;
}

int pw_cli_http_url(const char *s)
{
    pw_url u;
    if (pw_url_parse(s, strlen(s), &u, NULL) != PW_OK || u.host.n == 0)
        return 0;
    return (u.scheme.n == 4 && strncasecmp(u.scheme.p, "http", 4) == 0) ||
           (u.scheme.n == 5 && strncasecmp(u.scheme.p, "https", 5) == 0);
}
