/* fuzz_filterlist.c — the ABP filter-list parser and matcher (easyprivacy.c) in both load modes:
 * input line 1 is a request URL, the rest a filter list. The list is loaded as EasyPrivacy
 * (DK_LIST_ALL) and as EasyList (DK_LIST_HOSTS) and the URL matched against each. Properties: a
 * match is the text of a loaded blocking rule; in DK_LIST_HOSTS mode it is always a "||host^"
 * rule, and that mode never keeps more rules than DK_LIST_ALL. */
#include <string.h>

#include "decode/decode_internal.h"
#include "pw_fuzz.h"

static void check_match(const dk_easyprivacy *ep, dk_list_mode mode, const char *url,
                        const char *page_host)
{
    const char *rule = dk_easyprivacy_match(ep, url, page_host);
    if (!rule)
        return;
    FUZZ_ASSERT(rule[0] != '\0');
    FUZZ_ASSERT(!(rule[0] == '@' && rule[1] == '@')); /* exceptions never match as blocks */
    if (mode == DK_LIST_HOSTS)
        FUZZ_ASSERT(rule[0] == '|' && rule[1] == '|' && strchr(rule, '^'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t url_len = nl ? (size_t)(nl - text) : size;
    pw_arena a;
    pw_arena_init(&a, 0);
    char *url = pw_arena_strndup(&a, text, url_len); /* stops at a NUL byte */
    for (char *p = url; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    const char *list = nl ? nl + 1 : "";
    size_t list_len = nl ? size - url_len - 1 : 0;
    dk_easyprivacy *all = NULL, *hosts = NULL;
    FUZZ_ASSERT(dk_filterlist_parse(&a, list, list_len, DK_LIST_ALL, &all) == PW_OK);
    FUZZ_ASSERT(dk_filterlist_parse(&a, list, list_len, DK_LIST_HOSTS, &hosts) == PW_OK);
    FUZZ_ASSERT(all && hosts);
    FUZZ_ASSERT(dk_easyprivacy_count(hosts) <= dk_easyprivacy_count(all));
    static const char *const pages[] = {"", "www.hospital-a.org", "hospital-b.org"};
    for (size_t i = 0; url && i < sizeof pages / sizeof pages[0]; i++) {
        check_match(all, DK_LIST_ALL, url, pages[i]);
        check_match(hosts, DK_LIST_HOSTS, url, pages[i]);
    }
    pw_arena_free(&a);
    return 0;
}
