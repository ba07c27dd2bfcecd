/* fuzz_catalog.c — the tracker catalog's TSV reader (a user's `--trackers FILE`, the same format
 * as data/trackers.tsv, with host globs and path patterns that may carry query conditions) and
 * the matcher over what it loaded. Input line 1 is a request URL, line 2 a page URL, the rest the
 * user file. Properties: a refused file is a parse error that names the file and a line; a loaded
 * one finds each of its entries by id; a match, a classification and each entry's host and path
 * texts come from the loaded catalog; a data file (the optional 10th column) is one only of an
 * entry that has data paths. The built-in entries are loaded too (as `--trackers`
 * does), the filter lists are not (fuzz_filterlist covers them). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "phiwall/decode.h"
#include "pw_fuzz.h"

/* The user file as a path the loader can open, without touching the disk. */
static int user_file(const char *text, size_t len, char *path, size_t cap)
{
    int fd = memfd_create("fuzz_catalog", 0);
    FUZZ_ASSERT(fd >= 0);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        FUZZ_ASSERT(n > 0);
        off += (size_t)n;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

static char *line_dup(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    char *s = strndup(*p, (size_t)(stop - *p)); /* stops at a NUL byte */
    FUZZ_ASSERT(s);
    *p = nl ? nl + 1 : end;
    return s;
}

static int is_entry(const pw_catalog *c, const pw_tracker *t)
{
    for (size_t i = 0; i < pw_catalog_count(c); i++)
        if (pw_catalog_at(c, i) == t)
            return 1;
    return 0;
}

static void check_loaded(const pw_catalog *c, const char *url, const char *page)
{
    for (size_t i = 0; i < pw_catalog_count(c); i++) {
        const pw_tracker *t = pw_catalog_at(c, i);
        FUZZ_ASSERT(t && t->id && t->id[0]);
        FUZZ_ASSERT(pw_catalog_find(c, t->id) != NULL);
        (void)pw_catalog_hosts(c, t);
        (void)pw_catalog_paths(c, t);
        FUZZ_ASSERT(pw_catalog_data_paths(c, t) != NULL);
        /* an entry without data paths has no data file */
        FUZZ_ASSERT(pw_catalog_data_paths(c, t)[0] || !pw_catalog_is_data_file(c, t, url));
    }
    const pw_tracker *m = pw_catalog_match(c, url);
    FUZZ_ASSERT(!m || is_entry(c, m));
    FUZZ_ASSERT(!m || pw_catalog_is_data_file(c, m, url) <= 1);
    const char *rule = NULL;
    const pw_tracker *k = pw_catalog_classify(c, url, page, &rule);
    FUZZ_ASSERT(!k || is_entry(c, k) || pw_tracker_is_filter_list(k));
    FUZZ_ASSERT(!m || k == m); /* a catalog match is what classify answers first */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char *url = line_dup(&p, end);
    char *page = line_dup(&p, end);
    char path[64];
    int fd = user_file(p, (size_t)(end - p), path, sizeof path);
    pw_catalog_options o = {.user_file = path, .easyprivacy_file = "", .easylist_file = ""};
    pw_catalog *c = NULL;
    pw_err err = {0};
    pw_status st = pw_catalog_open(&o, &c, &err);
    if (st == PW_OK) {
        FUZZ_ASSERT(c);
        check_loaded(c, url, page);
        pw_catalog_free(c);
    } else {
        FUZZ_ASSERT(!c);
        FUZZ_ASSERT(err.msg[0]);
        if (st == PW_ERR_PARSE) /* "FILE:LINE: what" */
            FUZZ_ASSERT(strncmp(err.msg, path, strlen(path)) == 0 && err.msg[strlen(path)] == ':');
    }
    close(fd);
    free(url);
    free(page);
    return 0;
}
