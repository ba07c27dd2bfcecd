/*
 * search_param.c — which query parameters of a page URL carry what the visitor searched for: a
 * search box's own parameter (q, query, keyword…) on any page, and on a find-a-doctor, directory
 * or search page the filters the visitor chose (condition, specialty, treatment…), which name a
 * condition as plainly as a typed query. Shared by decode (search terms read out of page URLs)
 * and assess (the same out of fragments).
 */
#include <string.h>
#include <strings.h>

#include "phiwall/decode.h"

static int in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(k, *list) == 0)
            return 1;
    return 0;
}

/* One path segment, lower-cased with '-', '_', '+' and '.' dropped, is a directory's name. */
static int directory_segment(const char *p, size_t n)
{
    static const char *const names[] = {
        "findadoctor",  "findaprovider", "findaphysician",    "findaspecialist", "finddoctor",
        "finddoctors",  "findprovider",  "findproviders",     "findaclinician",  "findcare",
        "doctors",      "providers",     "physicians",        "specialists",     "clinicians",
        "ourdoctors",   "ourproviders",  "providerdirectory", "providersearch",  "physiciansearch",
        "doctorsearch", "search",        "directory",         "searchresults",   NULL};
    char seg[32];
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '-' || c == '_' || c == '+' || c == '.')
            continue;
        if (w + 1 >= sizeof seg)
            return 0;
        seg[w++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    seg[w] = '\0';
    if (w > 4 && strcmp(seg + w - 4, "aspx") == 0) /* "/FindADoctor.aspx" */
        seg[w - 4] = '\0';
    return w && in_list(seg, names);
}

/* 1 if a segment of the path names a find-a-doctor, directory or search page. */
static int directory_path(const char *path, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && path[i] == '/')
            i++;
        size_t j = i;
        while (j < n && path[j] != '/')
            j++;
        if (j > i && directory_segment(path + i, j - i))
            return 1;
        i = j;
    }
    return 0;
}

int pw_search_param(const char *key, const char *path, size_t path_len)
{
    static const char *const search[] = {"q",    "query",        "search",      "s",
                                         "term", "terms",        "keyword",     "keywords",
                                         "kw",   "searchterm",   "search_term", "searchtext",
                                         "k",    "search_query", NULL};
    static const char *const filters[] = {
        "condition",         "conditions",       "specialty", "specialties", "speciality",
        "treatment",         "treatments",       "symptom",   "symptoms",    "diagnosis",
        "procedure",         "procedures",       "service",   "services",    "expertise",
        "clinical_interest", "clinicalinterest", NULL};
    if (!key)
        return 0;
    if (in_list(key, search))
        return 1;
    /* "condition[]" / "specialty[0]" as PHP and Rails forms send them */
    char base[32];
    size_t n = strcspn(key, "[");
    if (n == 0 || n >= sizeof base)
        return 0;
    memcpy(base, key, n);
    base[n] = '\0';
    return in_list(base, filters) && path && directory_path(path, path_len);
}
