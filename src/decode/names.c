/* names.c — stable lower-case names of the decode stage's enums (catalog files, CLI, JSON). */
#include <string.h>
#include <strings.h>

#include "phiwall/decode.h"

static const char *const category_names[PW_CATEGORY__COUNT] = {
    [PW_CATEGORY_ADVERTISING] = "advertising",
    [PW_CATEGORY_ANALYTICS] = "analytics",
    [PW_CATEGORY_SESSION_REPLAY] = "session-replay",
    [PW_CATEGORY_TAG_MANAGER] = "tag-manager",
    [PW_CATEGORY_SOCIAL] = "social",
    [PW_CATEGORY_CDP] = "cdp",
    [PW_CATEGORY_CHAT] = "chat",
    [PW_CATEGORY_OTHER] = "other",
    [PW_CATEGORY_CONSENT] = "consent-manager",
    [PW_CATEGORY_EMBED] = "embed",
};

static const char *const field_kind_names[PW_FIELD__COUNT] = {
    [PW_FIELD_OTHER] = "other",
    [PW_FIELD_PAGE_URL] = "page_url",
    [PW_FIELD_REFERRER] = "referrer",
    [PW_FIELD_PAGE_TITLE] = "page_title",
    [PW_FIELD_BUTTON_TEXT] = "button_text",
    [PW_FIELD_FORM_META] = "form_meta",
    [PW_FIELD_FORM_VALUE] = "form_value",
    [PW_FIELD_USER_DATA] = "user_data",
    [PW_FIELD_CUSTOM_DATA] = "custom_data",
    [PW_FIELD_DEVICE_ID] = "device_id",
    [PW_FIELD_SEARCH_TERM] = "search_term",
    [PW_FIELD_EVENT] = "event",
    [PW_FIELD_ACCOUNT] = "account",
};

const char *pw_category_name(pw_category c)
{
    if ((unsigned)c >= PW_CATEGORY__COUNT)
        return "other";
    return category_names[c];
}

/* "session-replay", "session replay" and "session_replay" are the same category. */
static int same_token(const char *name, const char *s)
{
    for (; *name && *s; name++, s++) {
        char c = *s == ' ' || *s == '_' ? '-' : *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *name)
            return 0;
    }
    return *name == '\0' && *s == '\0';
}

int pw_category_parse(const char *s, pw_category *out)
{
    for (int i = 0; s && i < PW_CATEGORY__COUNT; i++) {
        if (same_token(category_names[i], s)) {
            *out = (pw_category)i;
            return 0;
        }
    }
    return -1;
}

const char *pw_baa_name(pw_baa b)
{
    switch (b) {
    case PW_BAA_NO: return "no";
    case PW_BAA_YES: return "yes";
    case PW_BAA_SOME_PLANS: return "some-plans";
    default: return "unknown";
    }
}

int pw_baa_parse(const char *s, pw_baa *out)
{
    static const pw_baa all[] = {PW_BAA_UNKNOWN, PW_BAA_NO, PW_BAA_YES, PW_BAA_SOME_PLANS};
    for (size_t i = 0; s && i < sizeof all / sizeof all[0]; i++) {
        if (same_token(pw_baa_name(all[i]), s)) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

const char *pw_field_kind_name(pw_field_kind k)
{
    if ((unsigned)k >= PW_FIELD__COUNT)
        return "other";
    return field_kind_names[k];
}

const char *pw_beacon_kind_name(pw_beacon_kind k)
{
    switch (k) {
    case PW_BEACON_SCRIPT: return "script";
    case PW_BEACON_REPLAY: return "replay";
    default: return "event";
    }
}
