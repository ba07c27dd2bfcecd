/* test_report_lists.c — every report format says what the trackers were recognised with: the
 * catalog's entries and each filter list, loaded (file, rules, the version its header gives) or
 * "not loaded" (rev-real 5: Debian's lists are loaded silently when installed, so the same HAR
 * gives another inventory elsewhere). Also the catalog's side: which file it loaded, and the
 * version read from "! Version:" (a template's "%timestamp%" is none); a list without one is
 * dated by its file's modification date, said as such ("no version in its header; file dated
 * 2025-10-31"), where reports said nothing (JSON "version": null) before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>

#include "phiwall/report.h"
#include "pw_test.h"

static const pw_scan_result result = {
    .target = "t.har",
    .source = PW_SOURCE_HAR,
    .catalog_entries = 126,
    .lists = {{"EasyPrivacy", "/lists/easyprivacy.txt", "202611301200", 54054, "2026-11-30"},
              {"EasyList", NULL, NULL, 0, NULL}}};

/* Debian's copies: no version in their headers, dated by their files */
static const pw_scan_result debian = {
    .target = "t.har",
    .source = PW_SOURCE_HAR,
    .catalog_entries = 163,
    .lists = {{"EasyPrivacy", "/deb/easyprivacy.txt", NULL, 54054, "2025-10-31"},
              {"EasyList", "/deb/easylist.txt", NULL, 44475, "2025-10-30"}}};

static char *render_of(const pw_scan_result *r, pw_report_format fmt)
{
    static pw_buf b;
    pw_buf_free(&b);
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "9.9.9"};
    pw_err err;
    CHECK_INT(pw_report_render(r, fmt, &o, &b, &err), PW_OK);
    return b.data ? b.data : "";
}

static char *render(pw_report_format fmt)
{
    return render_of(&result, fmt);
}

static void text_and_html(void)
{
    static const char want[] = "catalog 126 entries; EasyPrivacy /lists/easyprivacy.txt (54054 "
                               "rules, version 202611301200); EasyList not loaded";
    char *t = render(PW_REPORT_TEXT);
    CHECK(strstr(t, "Trackers recognised with: ") && strstr(t, want));
    char *h = render(PW_REPORT_HTML);
    CHECK(strstr(h, "Trackers recognised with: ") && strstr(h, want));
    static const char deb[] = "catalog 163 entries; EasyPrivacy /deb/easyprivacy.txt (54054 rules, "
                              "no version in its header; file dated 2025-10-31); EasyList "
                              "/deb/easylist.txt (44475 rules, no version in its header; file "
                              "dated 2025-10-30)";
    t = render_of(&debian, PW_REPORT_TEXT);
    CHECK(strstr(t, deb) != NULL);
    h = render_of(&debian, PW_REPORT_HTML);
    CHECK(strstr(h, deb) != NULL);
}

/* s without its layout (pretty-printing): newlines, the indentation after them and the space
 * after a key's colon, in place. Test strings hold no such sequence inside a value. */
static char *squeeze(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\n') {
            while (r[1] == ' ')
                r++;
            continue;
        }
        if (*r == ' ' && r > s && r[-1] == ':')
            continue;
        *w++ = *r;
    }
    *w = '\0';
    return s;
}

static void json_and_sarif(void)
{
    static const char lists[] =
        "\"catalog\":{\"entries\":126},\"filter_lists\":[{\"name\":\"EasyPrivacy\",\"loaded\":"
        "true,\"path\":\"/lists/easyprivacy.txt\",\"rules\":54054,\"version\":\"202611301200\","
        "\"file_date\":\"2026-11-30\"},{\"name\":\"EasyList\",\"loaded\":false,\"path\":null,"
        "\"rules\":0,\"version\":null,\"file_date\":null}]";
    char *j = squeeze(render(PW_REPORT_JSON));
    char *tool = strstr(j, "\"tool\"");
    CHECK(tool && strstr(tool, lists) && strstr(tool, lists) < strstr(j, "\"target\""));
    char *s = squeeze(render(PW_REPORT_SARIF));
    char *props = strstr(s, "\"properties\":{\"catalog\"");
    CHECK(props && strstr(props, lists));
    char *d = squeeze(render_of(&debian, PW_REPORT_JSON));
    CHECK(strstr(d, "\"rules\":54054,\"version\":null,\"file_date\":\"2025-10-31\"}") != NULL);
}

/* Load a list with this header through the catalog; its row of pw_catalog_lists into out. The
 * file is dated 2025-10-31 13:21:24 UTC (Debian's copies of webext-ublock-origin 1.67.0). */
static int catalog_list(const char *header, pw_catalog_list *out)
{
    char path[] = "/tmp/pw-test-lists-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "%s||tracker.example^\n||pixel.example^$third-party\n", header);
    fclose(f);
    struct utimbuf when = {1761916884, 1761916884};
    if (utime(path, &when) != 0)
        return 0;
    pw_catalog_options o = {.easyprivacy_file = path, .easylist_file = ""};
    pw_catalog *c = NULL;
    pw_err err;
    int ok = pw_catalog_open(&o, &c, &err) == PW_OK;
    pw_catalog_list rows[PW_CATALOG_LISTS];
    pw_catalog_lists(c, rows);
    ok = ok && rows[0].path && strcmp(rows[0].path, path) == 0 && !rows[1].path;
    static char version[64], date[16];
    *out = rows[0];
    out->version = rows[0].version ? strcpy(version, rows[0].version) : NULL;
    out->file_date = rows[0].file_date && strlen(rows[0].file_date) < sizeof date
                         ? strcpy(date, rows[0].file_date)
                         : NULL;
    out->path = NULL;
    pw_catalog_free(c);
    unlink(path);
    return ok;
}

static void catalog_names_its_lists(void)
{
    pw_catalog_list l;
    CHECK(catalog_list("[Adblock Plus 2.0]\n! Version: 202611301200\n! Title: EasyPrivacy\n", &l));
    CHECK(l.rules == 2 && l.version && strcmp(l.version, "202611301200") == 0);
    CHECK(catalog_list("! Title: EasyPrivacy\n! Last modified: 30 Nov 2026 12:00 UTC\n", &l));
    CHECK(l.version && strcmp(l.version, "30 Nov 2026 12:00 UTC") == 0);
    /* Debian's copy: the template's placeholder, no date */
    CHECK(catalog_list("! Title: EasyPrivacy\n! Last modified: %timestamp%\n", &l));
    CHECK(!l.version);
    CHECK(l.file_date && strcmp(l.file_date, "2025-10-31") == 0); /* dated by its file */
    /* none asked for: none loaded, and said so */
    pw_catalog_options none = {.easyprivacy_file = "", .easylist_file = ""};
    pw_catalog *c = NULL;
    pw_err err;
    CHECK_INT(pw_catalog_open(&none, &c, &err), PW_OK);
    pw_catalog_list rows[PW_CATALOG_LISTS];
    pw_catalog_lists(c, rows);
    CHECK(!rows[0].path && !rows[1].path && rows[0].rules == 0);
    CHECK(!rows[0].file_date && !rows[1].file_date);
    CHECK_STR(rows[0].name, "EasyPrivacy");
    CHECK_STR(rows[1].name, "EasyList");
    pw_catalog_free(c);
}

PW_TEST_MAIN(PW_TEST(text_and_html), PW_TEST(json_and_sarif), PW_TEST(catalog_names_its_lists))
