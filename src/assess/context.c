/*
 * context.c — the HHS context of a page (DESIGN §3): authenticated, care intent, condition or
 * general, from cues in the URL path and title, and from health terms the PHI engine finds there.
 * Documented in docs/rules.md ("Page context"). Order of precedence:
 *   general section (careers, news…) > login cue > portal/bill-pay cue > care-intent cue >
 *   general cue > health term or condition/provider cue > general.
 * A URL or title alone never makes a page authenticated: a portal, bill-pay or telehealth word
 * makes it a care-intent landing page. Only session evidence (a login POST, an auth cookie, the
 * browser's post-login state), which the assessor adds, makes it authenticated.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "assess/assess_internal.h"
#include "phiwall/url.h"

static const char *const sev_names[PW_SEV__COUNT] = {"info", "low", "medium", "high", "critical"};
static const char *const ctx_names[PW_CTX__COUNT] = {"general", "condition", "care-intent",
                                                     "authenticated"};

const char *pw_severity_name(pw_severity s)
{
    return (unsigned)s < PW_SEV__COUNT ? sev_names[s] : "unknown";
}

int pw_severity_parse(const char *s, pw_severity *out)
{
    for (int i = 0; i < PW_SEV__COUNT; i++) {
        if (s && strcasecmp(s, sev_names[i]) == 0) {
            *out = (pw_severity)i;
            return 0;
        }
    }
    return -1;
}

const char *pw_hhs_context_name(pw_hhs_context c)
{
    return (unsigned)c < PW_CTX__COUNT ? ctx_names[c] : "unknown";
}

/* Cues are whole words of the normalised text (lower case, every other byte a space). */
/* A login page is not itself authenticated (HHS: what is typed there can still be PHI). */
static const char *const login_cues[] = {"login",   "log in",   "signin",       "sign in", "logon",
                                         "sign on", "register", "registration", NULL};
/* Portal, bill-pay, telehealth words: the page is about the visitor's own care, but a word is
 * no login ("Patient Portal FAQ", "Billing and insurance" are public pages). */
static const char *const portal_cues[] = {
    "mychart",     "my chart",         "portal",       "patient portal", "my account",
    "myaccount",   "account",          "billing",      "bill pay",       "pay bill",
    "pay my bill", "paybill",          "billpay",      "pay your bill",  "payment",
    "payments",    "telehealth",       "telemedicine", "video visit",    "virtual visit",
    "e visit",     "evisit",           "messages",     "inbox",          "message center",
    "myhealth",    "my health record", "test results", "dashboard",      NULL};
static const char *const care_cues[] = {"appointment",
                                        "appointments",
                                        "schedule",
                                        "scheduling",
                                        "book",
                                        "book online",
                                        "request an appointment",
                                        "find a doctor",
                                        "find a provider",
                                        "findadoctor",
                                        "find doctor",
                                        "find a physician",
                                        "provider search",
                                        "doctor search",
                                        "physician search",
                                        "search",
                                        "symptom",
                                        "symptoms checker",
                                        "symptom checker",
                                        "checker",
                                        "triage",
                                        "pharmacy",
                                        "refill",
                                        "refills",
                                        "prescription",
                                        "prescriptions",
                                        "rx",
                                        "second opinion",
                                        "pre register",
                                        "preregister",
                                        "register",
                                        "registration",
                                        "intake",
                                        "get care",
                                        "wait times",
                                        "new patient",
                                        "referral",
                                        NULL};
static const char *const general_cues[] = {"careers",    "career",         "jobs",       "job",
                                           "employment", "news",           "newsroom",   "press",
                                           "media",      "parking",        "visiting",   "visitor",
                                           "visitors",   "visiting hours", "directions", "maps",
                                           "about",      "about us",       "donate",     "giving",
                                           "foundation", "volunteer",      "volunteers", "events",
                                           "leadership", "board",          "contact",    "privacy",
                                           "terms",      "accessibility",  "sitemap",    NULL};
static const char *const condition_cues[] = {
    "conditions", "condition",  "diseases",    "disease",   "treatment",      "treatments",
    "services",   "service",    "specialties", "specialty", "health library", "healthlibrary",
    "clinics",    "clinic",     "programs",    "doctors",   "doctor",         "providers",
    "provider",   "physicians", "physician",   "profile",   "care",           "therapy",
    "surgery",    "center",     "centers",     NULL};

/* Lower-cased copy with every non-alphanumeric run as one space, framed by spaces. */
static char *normalise(pw_arena *a, const char *s, size_t n)
{
    char *out = pw_arena_alloc(a, n + 3);
    if (!out)
        return NULL;
    size_t w = 0;
    out[w++] = ' ';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c))
            out[w++] = (char)tolower(c);
        else if (out[w - 1] != ' ')
            out[w++] = ' ';
    }
    if (out[w - 1] != ' ')
        out[w++] = ' ';
    out[w] = '\0';
    return out;
}

/* The first of cues found as whole words in text (normalised: words between single spaces, a
 * space before the first and after the last). Compared in place: a " %s " pattern printed per cue
 * and page was most of the CPU time of a scan of many small pages. */
static const char *find_cue(const char *text, const char *const *cues)
{
    for (size_t i = 0; cues[i]; i++) {
        size_t n = strlen(cues[i]);
        for (const char *p = text; (p = strstr(p, cues[i])) != NULL; p++)
            if (p > text && p[-1] == ' ' && p[n] == ' ')
                return cues[i];
    }
    return NULL;
}

/* A cue matching the whole first path segment ("/careers/search" is a careers page). */
static const char *first_segment_cue(pw_arena *a, pw_slice path, const char *const *cues)
{
    size_t i = 0;
    while (i < path.n && path.p[i] == '/')
        i++;
    size_t j = i;
    while (j < path.n && path.p[j] != '/' && path.p[j] != '?')
        j++;
    const char *seg = normalise(a, path.p + i, j - i); /* " words " */
    size_t len = seg ? strlen(seg) : 0;
    for (size_t k = 0; len > 2 && cues[k]; k++) {
        size_t n = strlen(cues[k]);
        if (n == len - 2 && memcmp(seg + 1, cues[k], n) == 0)
            return cues[k];
    }
    return NULL;
}

/* Bytes of path (path and query) before its path slug number `slug` (1-based; empty slugs
 * are no slugs, as for the PHI engine): "/en/careers/search" with slug 2 gives "/en/". */
static pw_slice slugs_before(pw_slice path, size_t slug)
{
    size_t i = 0, k = 0;
    while (i < path.n && path.p[i] != '?' && path.p[i] != '#') {
        if (path.p[i] == '/') {
            i++;
            continue;
        }
        if (++k == slug)
            break;
        while (i < path.n && path.p[i] != '/' && path.p[i] != '?' && path.p[i] != '#')
            i++;
    }
    return (pw_slice){path.p, i};
}

/* The PHI engine's general pages (src/detect/page_context.c, the one rule of docs/detect.md
 * "General hospital pages"): a careers, giving … host (careers.example.org), a job board, or a
 * page word as a path slug anywhere in the path ("/en/careers/search?keyword=nurse",
 * "/about/careers/…", "/patients-visitors/parking"). What follows the page slug (a job search,
 * the query) is the page's own; a care cue in a slug before it ("/appointments/…/news") keeps
 * the page a care page. */
static const char *general_page_cue(pw_arena *a, const char *url, pw_slice path)
{
    size_t slug = 0;
    if (!url || !pw_detect_general_page(url, strlen(url), &slug))
        return NULL;
    if (slug == 0)
        return "general page host (careers, giving, job board)";
    pw_slice before = slugs_before(path, slug);
    if (slug > 1) {
        char *t = normalise(a, before.p, before.n);
        if (!t || find_cue(t, care_cues))
            return NULL;
    }
    size_t e = before.n;
    while (e < path.n && path.p[e] != '/' && path.p[e] != '?' && path.p[e] != '#')
        e++;
    return pw_arena_sprintf(a, "general section (page word '/%.*s' as path slug %zu)",
                            (int)(e - before.n), path.p + before.n, slug);
}

/* The path and query of an URL (or the whole string when it is not an absolute URL). */
/* The path and query of a URL; with a hash route (a single-page app's "#/find-a-doctor?…",
 * "#!/results") the route too, and the route alone when the document is the site's root. An
 * anchor ("#section-2") is no part of it. */
static pw_slice path_part(const char *url)
{
    pw_url u;
    if (url && pw_url_parse(url, strlen(url), &u, NULL) == PW_OK) {
        const char *end = u.query.n ? u.query.p + u.query.n : u.path.p + u.path.n;
        pw_slice f = u.fragment;
        if (f.n && (f.p[0] == '/' || f.p[0] == '!')) {
            if (u.path.n <= 1 && !u.query.n) {
                size_t bang = f.p[0] == '!';
                return (pw_slice){f.p + bang, f.n - bang};
            }
            end = f.p + f.n;
        }
        return (pw_slice){u.path.p, (size_t)(end - u.path.p)};
    }
    return (pw_slice){url ? url : "", url ? strlen(url) : 0};
}

/* Why the page belongs to a general section (careers, news, events, donate…), or NULL: its
 * first path segment is a general word, or the PHI engine calls it a general page. Such a
 * section's login or registration ("/careers/login", "/events/register", "/donate/register") is
 * a job applicant's, an attendee's or a donor's, not a patient's. */
static const char *general_section(pw_arena *a, const char *url, pw_slice path)
{
    const char *cue = first_segment_cue(a, path, general_cues);
    if (cue)
        return pw_arena_sprintf(a, "general section '/%s'", cue);
    return general_page_cue(a, url, path);
}

/* Why a portal word gives care intent, not authentication. */
static const char *portal_reason(pw_arena *a, const char *cue)
{
    return pw_arena_sprintf(a, "portal/bill-pay landing page cue '%s' (login not observed)", cue);
}

/* 1 if a health term is the site's own name as its domain spells it ("planned parenthood" on
 * www.plannedparenthood.org: the first label of the registrable domain holds its letters), 8
 * letters or more — the test the assessor's rules use to leave the name out (docs/rules.md "The
 * site's own name"). The page context keeps it on purpose; the reason says that it is the name,
 * so that no one reads "health term 'planned parenthood'" on a home page as a mistake. */
static int site_own_name(pw_arena *a, const char *term, const char *url)
{
    pw_url u;
    if (!term || !url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK || !u.host.n)
        return 0;
    char *host = pw_arena_strndup(a, u.host.p, u.host.n);
    const char *dom = host ? pw_registrable_domain(a, host) : NULL;
    if (!dom)
        return 0;
    char name[64], label[256];
    size_t n = 0, m = 0;
    for (const char *p = term; *p; p++)
        if (isalnum((unsigned char)*p)) {
            if (n + 1 >= sizeof name)
                return 0;
            name[n++] = (char)tolower((unsigned char)*p);
        }
    for (const char *p = dom; *p && *p != '.' && m + 1 < sizeof label; p++)
        if (isalnum((unsigned char)*p))
            label[m++] = (char)tolower((unsigned char)*p);
    name[n] = label[m] = '\0';
    return n >= 8 && strstr(label, name) != NULL;
}

/* Health or care-intent terms found by the PHI engine in the URL path or the title (url: the
 * page's, to tell the site's own name). */
static int engine_cue(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *str,
                      size_t n, pw_field_type type, const char *url, pw_hhs_context *ctx,
                      const char **reason)
{
    pw_hit *hits = NULL;
    size_t nh = 0;
    if (!d || !s || !n || pw_detect_scan(d, s, a, NULL, str, n, type, &hits, &nh, NULL) != PW_OK)
        return 0;
    int found = 0;
    for (size_t i = 0; i < nh; i++) {
        const pw_hit *h = &hits[i];
        const char *term = h->normalized ? h->normalized : "";
        if (h->category == PW_PHI_CARE_INTENT && h->subtype &&
            (strstr(h->subtype, "portal") || strstr(h->subtype, "bill") ||
             strstr(h->subtype, "tele") || strstr(h->subtype, "message"))) {
            *ctx = PW_CTX_CARE_INTENT;
            *reason = portal_reason(a, term);
            return 1;
        }
        /* "patient education", "health library": reading about care, not seeking it */
        int informational = h->subtype && strcmp(h->subtype, "search") == 0;
        if (h->category == PW_PHI_CARE_INTENT && !informational && *ctx < PW_CTX_CARE_INTENT) {
            *ctx = PW_CTX_CARE_INTENT;
            *reason = pw_arena_sprintf(a, "care term '%s'", term);
            found = 1;
        } else if ((h->category == PW_PHI_HEALTH || informational) && *ctx < PW_CTX_CONDITION) {
            *ctx = PW_CTX_CONDITION;
            *reason = site_own_name(a, term, url)
                          ? pw_arena_sprintf(a,
                                             "health term '%s', the site's own name: a provider "
                                             "named for its care",
                                             term)
                          : pw_arena_sprintf(a, "health term '%s'", term);
            found = 1;
        }
    }
    return found;
}

pw_hhs_context pw_assess_page_context(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                                      const char *url, const char *title, const char **reason)
{
    const char *why = "no health, care or login cue";
    pw_slice path = path_part(url);
    char *ptext = normalise(a, path.p, path.n);
    char *ttext = title ? normalise(a, title, strlen(title)) : NULL;
    const char *cue;
    pw_hhs_context ctx = PW_CTX_GENERAL;
    if (!ptext) {
        if (reason)
            *reason = why;
        return ctx;
    }
    if ((cue = general_section(a, url, path))) {
        why = cue;
    } else if ((cue = find_cue(ptext, login_cues))) {
        ctx = PW_CTX_CARE_INTENT;
        why = pw_arena_sprintf(a, "login/registration page cue '%s' (not yet authenticated)", cue);
    } else if ((cue = find_cue(ptext, portal_cues)) ||
               (ttext && (cue = find_cue(ttext, portal_cues)))) {
        ctx = PW_CTX_CARE_INTENT;
        why = portal_reason(a, cue);
    } else if ((cue = find_cue(ptext, care_cues)) ||
               (ttext && (cue = find_cue(ttext, care_cues)))) {
        ctx = PW_CTX_CARE_INTENT;
        why = pw_arena_sprintf(a, "care-intent cue '%s'", cue);
    } else if ((cue = find_cue(ptext, general_cues))) {
        why = pw_arena_sprintf(a, "general page cue '%s'", cue);
    } else {
        pw_hhs_context e = PW_CTX_GENERAL;
        const char *ewhy = NULL;
        engine_cue(d, s, a, path.p, path.n, PW_FT_URL, url, &e, &ewhy);
        if (title && e < PW_CTX_AUTHENTICATED)
            engine_cue(d, s, a, title, strlen(title), PW_FT_TEXT, url, &e, &ewhy);
        if (e != PW_CTX_GENERAL) {
            ctx = e;
            why = ewhy;
        } else if ((cue = find_cue(ptext, condition_cues))) {
            ctx = PW_CTX_CONDITION;
            why = pw_arena_sprintf(a, "condition/provider page cue '%s'", cue);
        }
    }
    if (reason)
        *reason = why ? why : "";
    return ctx;
}

/* A cookie's name as lower-case tokens: split at '_', '-', '.', ':' and at case changes
 * ("MyChartAuth" → my chart auth, "XSRF-TOKEN" → xsrf token, ".ASPXAUTH" → aspxauth). A
 * substring never counts: "_pin_unauth" holds "auth", "hs_authorship" holds "auth" too. */
#define COOKIE_TOKENS 16
typedef struct cookie_tokens {
    char t[COOKIE_TOKENS][32];
    size_t n;
} cookie_tokens;

static void cookie_tokenise(const char *p, size_t n, cookie_tokens *out)
{
    out->n = 0;
    size_t len = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)p[i] : '_';
        unsigned char prev = i ? (unsigned char)p[i - 1] : '_';
        unsigned char next = i + 1 < n ? (unsigned char)p[i + 1] : '_';
        int sep = c == '_' || c == '-' || c == '.' || c == ':' || c == ' ';
        /* a case change starts a token: "chartAuth", and "XMLHttp" at "Http" */
        int upper_start = isupper(c) && len && (islower(prev) || (isupper(prev) && islower(next)));
        if ((sep || upper_start) && len) {
            out->t[out->n][len] = '\0';
            if (++out->n == COOKIE_TOKENS)
                return;
            len = 0;
        }
        if (!sep && len + 1 < sizeof out->t[0])
            out->t[out->n][len++] = (char)tolower(c);
    }
}

static int has_token(const cookie_tokens *t, const char *word)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->t[i], word) == 0)
            return 1;
    return 0;
}

/* Two tokens in a row ("access token", "logged in", "remember me"). */
static int has_pair(const cookie_tokens *t, const char *a, const char *b)
{
    for (size_t i = 0; i + 1 < t->n; i++)
        if (strcmp(t->t[i], a) == 0 && strcmp(t->t[i + 1], b) == 0)
            return 1;
    return 0;
}

/* 1 if a cookie name is the session of a logged-in user. Anonymous visitors get every other
 * cookie a site sets: a generic session (PHPSESSID, .AspNetCore.Session, MyChartSession before
 * the login), an anti-forgery token, a login flow's state before the login (NextAuth's
 * callback-url, a PKCE verifier), preferences ("MyChartLocale", "rememberedLanguage",
 * "author_pref"), an "unauth" ID (Pinterest's _pin_unauth). */
static int auth_cookie_name(const char *p, size_t n)
{
    static const char *const negative[] = {
        "unauth",     "unauthenticated", "anon",     "anonymous", "guest",    "csrf",  "xsrf",
        "csrftoken",  "callback",        "redirect", "return",    "url",      "state", "nonce",
        "pkce",       "verifier",        "locale",   "lang",      "language", "pref",  "prefs",
        "preference", "remembered",      "consent",  NULL};
    static const char *const single[] = {
        "auth", "authn",    "authtoken",   "login",   "loggedin",     "jwt",      "sso", "saml",
        "oidc", "aspxauth", "accesstoken", "idtoken", "refreshtoken", "remember", NULL};
    static const char *const pairs[][2] = {{"access", "token"},         {"id", "token"},
                                           {"refresh", "token"},        {"logged", "in"},
                                           {"identity", "application"}, {NULL, NULL}};
    cookie_tokens t;
    cookie_tokenise(p, n, &t);
    for (size_t i = 0; negative[i]; i++)
        if (has_token(&t, negative[i]))
            return 0;
    for (size_t i = 0; single[i]; i++)
        if (has_token(&t, single[i]))
            return 1;
    for (size_t i = 0; pairs[i][0]; i++)
        if (has_pair(&t, pairs[i][0], pairs[i][1]))
            return 1;
    return 0;
}

/* Cookie names only: "a=1; AuthToken=…" → is any name a logged-in session's? */
int pw_assess_auth_cookie(const char *cookie)
{
    if (!cookie)
        return 0;
    const char *p = cookie;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *eq = strchr(p, '='), *semi = strchr(p, ';');
        size_t n = eq && (!semi || eq < semi) ? (size_t)(eq - p)
                   : semi                     ? (size_t)(semi - p)
                                              : strlen(p);
        if (n && auth_cookie_name(p, n))
            return 1;
        if (!semi)
            break;
        p = semi + 1;
    }
    return 0;
}

const char *pw_assess_general_section_why(pw_arena *a, const char *url)
{
    return url ? general_section(a, url, path_part(url)) : NULL;
}

int pw_assess_general_section(const char *url)
{
    pw_arena a;
    pw_arena_init(&a, 512);
    int general = url && general_section(&a, url, path_part(url)) != NULL;
    pw_arena_free(&a);
    return general;
}

int pw_assess_login_url(const char *url)
{
    static const char *const words[] = {"login",        "log in", "signin", "sign in",
                                        "logon",        "sso",    "saml",   "oauth",
                                        "authenticate", "auth",   NULL};
    pw_arena a;
    pw_arena_init(&a, 1024);
    pw_slice path = path_part(url);
    char *t = normalise(&a, path.p, path.n);
    int hit = t && find_cue(t, words) != NULL && !general_section(&a, url, path);
    pw_arena_free(&a);
    return hit;
}
