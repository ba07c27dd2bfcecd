/*
 * decoder_ga4.c — Google Analytics: GA4 (/g/collect) and Universal Analytics (/collect,
 * /r/collect, /j/collect, /batch). Shared parameters travel in the URL query; a POST body may
 * batch several events, one query string per line: each line becomes one beacon, merged with the
 * query's parameters (the line's own values listed after them, its `en` naming the event).
 * Classic ga.js hits (__utm.gif) go to decoder_ga_classic.c. A click event's label (ep.link_text,
 * ep.click_text, ep.button_text; UA's el when ea/ec say click) and a form_submit's
 * ep.form_submit_text are button text. E-commerce items
 * (GA4's pr1=id…~nm…, UA's pr1nm, il1pi1nm, promo1nm) are decoded into items[0].item_name … by
 * ga_items.c. UA's event name is an event hit's action (ea), else its hit type (t), a code with
 * what it is after it: "dc (Advertising Features hit to DoubleClick: …)" (ua_hit_types).
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap ga4_map[] = {
    {"tid", PW_FIELD_ACCOUNT},
    {"cid", PW_FIELD_DEVICE_ID},
    {"uid", PW_FIELD_USER_DATA},
    {"en", PW_FIELD_EVENT},
    {"dl", PW_FIELD_PAGE_URL},
    {"dt", PW_FIELD_PAGE_TITLE},
    {"dr", PW_FIELD_REFERRER},
    {"ep.search_term", PW_FIELD_SEARCH_TERM},
    {"ep.link_text", PW_FIELD_BUTTON_TEXT},
    {"ep.click_text", PW_FIELD_BUTTON_TEXT},
    {"ep.button_text", PW_FIELD_BUTTON_TEXT},
    /* enhanced measurement's form_submit: the submit button's text, as Meta's cd[buttonText] */
    {"ep.form_submit_text", PW_FIELD_BUTTON_TEXT},
    /* enhanced measurement's form interactions describe the form, as Meta's cd[formFeatures] */
    {"ep.form_id", PW_FIELD_FORM_META},
    {"ep.form_name", PW_FIELD_FORM_META},
    {"ep.form_destination", PW_FIELD_FORM_META},
    {"epn.form_length", PW_FIELD_FORM_META},
    {"ep.form_length", PW_FIELD_FORM_META},
    {"ep.*", PW_FIELD_CUSTOM_DATA},
    {"epn.*", PW_FIELD_CUSTOM_DATA},
    {"up.*", PW_FIELD_USER_DATA},
    {"upn.*", PW_FIELD_USER_DATA},
    {"sid", PW_FIELD_DEVICE_ID},
    {"_fplc", PW_FIELD_DEVICE_ID},
    {"em", PW_FIELD_USER_DATA},
    {NULL, PW_FIELD_OTHER},
};

static const dk_keymap ua_map[] = {
    {"tid", PW_FIELD_ACCOUNT},     {"cid", PW_FIELD_DEVICE_ID},   {"uid", PW_FIELD_USER_DATA},
    {"t", PW_FIELD_EVENT},         {"dl", PW_FIELD_PAGE_URL},     {"dp", PW_FIELD_PAGE_URL},
    {"dt", PW_FIELD_PAGE_TITLE},   {"dr", PW_FIELD_REFERRER},     {"ec", PW_FIELD_CUSTOM_DATA},
    {"ea", PW_FIELD_CUSTOM_DATA},  {"el", PW_FIELD_CUSTOM_DATA},  {"ev", PW_FIELD_CUSTOM_DATA},
    {"cd*", PW_FIELD_CUSTOM_DATA}, {"cm*", PW_FIELD_CUSTOM_DATA}, {"_gid", PW_FIELD_DEVICE_ID},
    {NULL, PW_FIELD_OTHER},
};

/* A click event's label is the clicked element's text (GTM's "Click Text", UA's el). */
static const char *const ga4_click_context[] = {"en", NULL};
static const char *const ga4_click_labels[] = {"ep.event_label", "ep.label", "ep.click_label",
                                               NULL};
static const char *const ua_click_context[] = {"ea", "ec", NULL};
static const char *const ua_click_labels[] = {"el", NULL};

/* GA4's endpoint is /g/collect, on Google's hosts or under any path of a server-side tagging
 * host ("/metrics/g/collect"); every UA endpoint (/collect, /r/collect …) ends otherwise. */
static int is_ga4(const dk_ctx *ctx)
{
    size_t n = ctx->url.path.n;
    return n >= 10 && memcmp(ctx->url.path.p + n - 10, "/g/collect", 10) == 0;
}

/* What each Universal Analytics hit type (`t`) is, for a reader. The Measurement Protocol's
 * types, and `dc`: the hit analytics.js's displayfeatures plugin (GA's Advertising Features:
 * remarketing audiences, demographics and interests reports) sends to stats.g.doubleclick.net
 * (/r/collect, /j/collect), the same page and client ID as the pageview; `sr`: the same plugin's
 * hit to www.google.com/ads/ga-audiences, which adds the visitor to the property's remarketing
 * audiences in the linked Google Ads account — GA4's Google signals send the same hit with the
 * property's G- ID (ua_hit_label tells them apart). The type is kept as sent, the meaning after
 * it: "dc (Advertising Features hit to DoubleClick: remarketing, demographics)". */
static const struct {
    const char *t, *meaning;
} ua_hit_types[] = {
    {"dc", "Advertising Features hit to DoubleClick: remarketing, demographics"},
    {"sr", "Advertising Features hit to Google Ads: remarketing audiences"},
    {"screenview", "app screen view"},
    {"transaction", "e-commerce transaction"},
    {"item", "e-commerce item"},
    {"social", "social-network interaction"},
    {"exception", "error report"},
    {"timing", "user timing"},
};

/* GA4's Google-signals hit to www.google.com/ads/ga-audiences: UA's `sr` wire format with a GA4
 * measurement ID, which has no Advertising Features. */
static const char ga4_signals_meaning[] = "Google signals hit to Google Ads: remarketing audiences";

static const char *ua_hit_label(dk_ctx *ctx, const char *t, const char *tid)
{
    for (size_t i = 0; t && i < sizeof ua_hit_types / sizeof ua_hit_types[0]; i++)
        if (strcmp(t, ua_hit_types[i].t) == 0) {
            const char *meaning = ua_hit_types[i].meaning;
            if (strcmp(t, "sr") == 0 && tid && strncmp(tid, "G-", 2) == 0)
                meaning = ga4_signals_meaning;
            const char *s = pw_arena_sprintf(ctx->a, "%s (%s)", t, meaning);
            return s ? s : t;
        }
    return t;
}

/* UA's event name: the action of an event hit, else the hit type (a code such as "dc" with what
 * it is: ua_hit_types; "pageview" and "event" read as they are). */
static void ua_event_name(dk_ctx *ctx, dk_builder *bb)
{
    const char *t = NULL, *ea = NULL, *tid = NULL;
    for (size_t i = 0; i < bb->b.n_fields; i++) {
        if (strcmp(bb->b.fields[i].key, "t") == 0)
            t = bb->b.fields[i].value;
        else if (strcmp(bb->b.fields[i].key, "ea") == 0)
            ea = bb->b.fields[i].value;
        else if (strcmp(bb->b.fields[i].key, "tid") == 0)
            tid = bb->b.fields[i].value;
    }
    bb->b.event_name = t && strcmp(t, "event") == 0 && ea && *ea ? ea : ua_hit_label(ctx, t, tid);
}

static pw_status one_beacon(dk_ctx *ctx, const dk_pairs *line, const char *transport, pw_err *err)
{
    int ga4 = is_ga4(ctx);
    const dk_keymap *m = ga4 ? ga4_map : ua_map;
    dk_builder bb;
    dk_builder_init(ctx, &bb, PW_BEACON_EVENT, transport);
    pw_status st = dk_add_pairs(ctx, &bb, &ctx->query, m, 0, err);
    if (st == PW_OK)
        st = dk_ga_items(ctx, &bb, &ctx->query, ga4, err);
    if (st == PW_OK && line)
        st = dk_add_pairs(ctx, &bb, line, m, 0, err);
    if (st == PW_OK && line)
        st = dk_ga_items(ctx, &bb, line, ga4, err);
    if (st != PW_OK)
        return st;
    if (ga4) {
        const char *en = line ? dk_pairs_get(line, "en") : NULL;
        bb.b.event_name = en ? en : dk_pairs_get(&ctx->query, "en");
        dk_click_labels(&bb, ga4_click_context, ga4_click_labels);
    } else {
        ua_event_name(ctx, &bb);
        dk_click_labels(&bb, ua_click_context, ua_click_labels);
    }
    return dk_emit(ctx, &bb, err);
}

static pw_status decode_ga4(dk_ctx *ctx, pw_err *err)
{
    if (dk_is_utm_gif(ctx))
        return dk_decode_utm(ctx, err);
    const char *s = (const char *)ctx->req->body;
    size_t n = ctx->req->body_len;
    if (!s || n == 0)
        return one_beacon(ctx, NULL, "get", err);
    if (n > DK_MAX_BODY)
        return pw_err_set(err, PW_ERR_LIMIT, "body: %zu bytes exceed the limit of %zu", n,
                          DK_MAX_BODY);
    size_t start = 0, line_no = 0, emitted = 0;
    while (start < n) {
        const char *nl = memchr(s + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - s) : n, len = end - start;
        line_no++;
        if (len && s[start + len - 1] == '\r')
            len--;
        if (len) {
            dk_pairs line = {0};
            pw_status st = dk_body_form(ctx->a, s + start, len, &line, err);
            if (st == PW_OK)
                st = one_beacon(ctx, &line, "text", err);
            if (st != PW_OK) {
                pw_err_prefix(err, "body line %zu (byte %zu): ", line_no, start);
                return st;
            }
            emitted++;
        }
        start = end + 1;
    }
    return emitted ? PW_OK : one_beacon(ctx, NULL, "text", err);
}

const pw_decoder dk_decoder_ga4 = {"ga4", decode_ga4};
