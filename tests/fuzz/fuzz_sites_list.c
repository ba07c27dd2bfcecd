/* fuzz_sites_list.c — the `scan --sites FILE` list parser (cli/sites_list.c): whatever the
 * bytes, it returns a site list or an error naming the file, never crashes or leaks; a list it
 * accepts holds only single-word http(s) URLs within the length bound, with no comment left in
 * them and no two sharing a report name, and an empty one is never accepted. */
#include "pw_fuzz.h"
#include <string.h>

#include "sites_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char **urls = NULL;
    size_t n = 0;
    pw_err err;
    pw_err_clear(&err);
    pw_status st = pw_cli_sites_parse("sites.txt", text, &urls, &n, &err);
    if (st != PW_OK) {
        FUZZ_ASSERT(urls == NULL && n == 0);
        FUZZ_ASSERT(strncmp(err.msg, "sites.txt: ", 11) == 0);
        free(text);
        return 0;
    }
    FUZZ_ASSERT(urls != NULL && n >= 1);
    for (size_t i = 0; i < n; i++) {
        const char *u = urls[i];
        FUZZ_ASSERT(pw_cli_http_url(u));
        FUZZ_ASSERT(strlen(u) <= PW_CLI_SITE_URL_MAX);
        FUZZ_ASSERT(strpbrk(u, " \t\r\n#") == NULL);
        FUZZ_ASSERT(u >= text && u < text + size); /* points into the caller's buffer */
        char a[128], b[128];
        pw_cli_site_slug(u, a, sizeof a);
        FUZZ_ASSERT(a[0] && strlen(a) <= 100);
        for (size_t j = 0; j < i; j++) {
            pw_cli_site_slug(urls[j], b, sizeof b);
            FUZZ_ASSERT(strcmp(a, b) != 0);
        }
    }
    free(urls);
    free(text);
    return 0;
}
