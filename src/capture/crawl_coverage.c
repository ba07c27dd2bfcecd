/*
 * crawl_coverage.c — the coverage gap a crawl owes its user when it could not go past the start
 * page, for the browser scan and static triage alike (one wording, one rule): the start URL sent
 * the visitor to another site, or robots.txt keeps the rest of the site out. Either way the
 * report of one page would otherwise read as a whole site audited and clean.
 */
#include <stdio.h>
#include <string.h>

#include "capture/browser_int.h"
#include "phiwall/url.h"

char *bx_site_of(bx_browser *b, const char *url)
{
    pw_url u;
    if (!url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return NULL;
    char *host = pw_url_host_dup(&b->scan_arena, &u);
    char *site = host && b->o->hooks.site_of
                     ? b->o->hooks.site_of(b->o->hooks.ctx, &b->scan_arena, host)
                     : NULL;
    return site ? site : host;
}

int bx_same_site(bx_browser *b, const char *url)
{
    pw_url u;
    if (!url || !b->site || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return 0;
    pw_arena a;
    pw_arena_init(&a, 1024);
    char *host = pw_url_host_dup(&a, &u);
    char *site =
        host && b->o->hooks.site_of ? b->o->hooks.site_of(b->o->hooks.ctx, &a, host) : NULL;
    int same = (site ? site : host) && strcmp(site ? site : host, b->site) == 0;
    pw_arena_free(&a);
    return same;
}

int bx_coverage_gap(bx_browser *b, size_t pages_read, char *why, size_t n)
{
    if (pages_read != 1)
        return 0;
    const char *landed_site = b->start_landed ? bx_site_of(b, b->start_landed) : NULL;
    if (landed_site && strcmp(landed_site, b->site) != 0) {
        /* The site the start URL sends a visitor to is another organisation's as often as the
         * audited one's new address: it is not taken as the scanned site behind the user's
         * back; the user scans it by name. */
        snprintf(why, n,
                 "the start URL redirected to %.300s, another site: its links are not this "
                 "site's, so only that page was scanned; to audit that site, scan it by its own "
                 "address",
                 b->start_landed);
        return 1;
    }
    if (b->queue.n == 0 && b->robots_refused > 0) {
        snprintf(why, n,
                 "robots.txt disallows the rest of the site (%zu same-site link%s refused): only "
                 "the start page was scanned (phiwall obeys robots.txt by default); "
                 "--ignore-robots scans a site you may audit",
                 b->robots_refused, b->robots_refused == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
