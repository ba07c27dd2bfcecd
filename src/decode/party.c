/*
 * party.c — first vs third party by registrable domain (eTLD+1) from the Public Suffix List via
 * Debian's libpsl. The list compiled into libpsl (psl_builtin) is static read-only data, so these
 * calls are thread-safe and need no context; if a libpsl build has none, the system list
 * (/usr/share/publicsuffix) is loaded per call. IP addresses and single-label hosts (localhost)
 * have no registrable domain: they are first party only to the very same host.
 */
#include <arpa/inet.h>
#include <libpsl.h>
#include <string.h>

#include "phiwall/decode.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

static int is_ip_literal(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* Registrable domain into out (lower-case host in, NUL-terminated); 0 if none. */
static int registrable(const char *host, char *out, size_t cap)
{
    if (!*host || is_ip_literal(host) || !strchr(host, '.'))
        return 0;
    const psl_ctx_t *psl = psl_builtin();
    psl_ctx_t *loaded = NULL;
    if (!psl)
        psl = loaded = psl_latest(NULL);
    const char *rd = psl ? psl_registrable_domain(psl, host) : NULL;
    int ok = rd && strlen(rd) < cap;
    if (ok)
        strcpy(out, rd);
    psl_free(loaded);
    return ok;
}

char *pw_registrable_domain(pw_arena *a, const char *host)
{
    if (!host)
        return NULL;
    char *lower = pw_lower_dup(a, host, strlen(host), 1);
    if (!lower)
        return NULL;
    size_t n = strlen(lower);
    while (n && lower[n - 1] == '.')
        lower[--n] = '\0';
    char rd[256];
    if (!registrable(lower, rd, sizeof rd))
        return NULL;
    return pw_arena_strdup(a, rd);
}

/* Lower-cased host of an absolute URL (no brackets, no trailing dot) into out. */
static int url_host(const char *url, char *out, size_t cap)
{
    pw_url u;
    if (!url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return 0;
    const char *p = u.host.p;
    size_t n = u.host.n;
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']')
        p++, n -= 2;
    while (n && p[n - 1] == '.')
        n--;
    if (n == 0 || n >= cap)
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i]);
    out[n] = '\0';
    return 1;
}

/* The last two labels of a host ("example.org" of "www.example.org"; the host itself when it has
 * fewer). */
static const char *last_two_labels(const char *host)
{
    const char *dot = strrchr(host, '.');
    if (!dot)
        return host;
    while (dot > host && dot[-1] != '.')
        dot--;
    return dot;
}

int pw_is_third_party(const char *page_url, const char *url)
{
    char page_host[256], host[256];
    if (!url_host(url, host, sizeof host))
        return 0; /* not a network URL (data:, blob:): nothing leaves the page */
    if (!url_host(page_url, page_host, sizeof page_host))
        return 1; /* no page to compare with: assume it leaves the site */
    if (strcmp(page_host, host) == 0)
        return 0;
    /* A registrable domain is a public suffix and one more label, a suffix of its host: hosts
     * whose last two labels differ cannot share one, and libpsl's lookup (most of the cost) is
     * not needed to say so. */
    if (strcmp(last_two_labels(page_host), last_two_labels(host)) != 0)
        return 1;
    char rd_page[256], rd[256];
    if (!registrable(page_host, rd_page, sizeof rd_page) || !registrable(host, rd, sizeof rd))
        return 1;
    return strcmp(rd_page, rd) != 0;
}
