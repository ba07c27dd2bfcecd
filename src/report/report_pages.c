/*
 * report_pages.c — how many pages a scan saw, as the findings tables count them: a page is its
 * address without the query (pw_url_page_key), so a search's result pages and one form's
 * submissions ("/find-a-doctor?q=…", "/appointments/request?service=…") are one page of several
 * URLs, and the summary's count agrees with the tables' "(2 URLs)".
 */
#include <stdint.h>
#include <stdlib.h>

#include "phiwall/url.h"
#include "report/report_internal.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* FNV-1a of the key, and its length mixed in: two keys of 2^-64 chance to collide. */
static uint64_t key_hash(const char *url)
{
    char key[2048];
    size_t n = pw_url_page_key(url ? url : "", key, sizeof key);
    uint64_t h = 1469598103934665603ull ^ n;
    for (size_t i = 0; key[i]; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    return h;
}

size_t pw_report_page_keys(const pw_scan_result *r)
{
    if (r->n_pages < 2)
        return r->n_pages;
    uint64_t *h = malloc(r->n_pages * sizeof *h);
    if (!h)
        return r->n_pages; /* out of memory: the URLs, an upper bound */
    for (size_t i = 0; i < r->n_pages; i++)
        h[i] = key_hash(r->pages[i].url);
    qsort(h, r->n_pages, sizeof *h, cmp_u64);
    size_t n = 1;
    for (size_t i = 1; i < r->n_pages; i++)
        n += h[i] != h[i - 1];
    free(h);
    return n;
}
