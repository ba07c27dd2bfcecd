/*
 * report_lists.c — what the trackers were recognised with, as every format states it: the
 * catalog's entries and each filter list (EasyPrivacy, EasyList) with its file, version (or,
 * when its header gives none, the file's date, said as such) and rules, or "not loaded". A
 * default list is loaded silently when the system has it, so the same HAR gives another
 * inventory on another machine; the report has to say which it had.
 */
#include "report/json_writer.h"
#include "report/report_internal.h"

void pw_report_lists_text(pw_buf *b, const pw_scan_result *r)
{
    pw_buf_printf(b, "catalog %zu entries", r->catalog_entries);
    for (size_t i = 0; i < PW_CATALOG_LISTS; i++) {
        const pw_catalog_list *l = &r->lists[i];
        if (!l->name)
            continue;
        if (!l->path) {
            pw_buf_printf(b, "; %s not loaded", l->name);
            continue;
        }
        pw_buf_printf(b, "; %s %s (%zu rules", l->name, l->path, l->rules);
        if (l->version)
            pw_buf_printf(b, ", version %s", l->version);
        else if (l->file_date) /* Debian's copies: "%timestamp%" in the header, no version */
            pw_buf_printf(b, ", no version in its header; file dated %s", l->file_date);
        pw_buf_putc(b, ')');
    }
}

void pw_report_lists_json(pw_jw *w, const pw_scan_result *r)
{
    pw_jw_key(w, "catalog");
    pw_jw_obj(w);
    pw_jw_kint(w, "entries", (long long)r->catalog_entries);
    pw_jw_end_obj(w);
    pw_jw_key(w, "filter_lists");
    pw_jw_arr(w);
    for (size_t i = 0; i < PW_CATALOG_LISTS; i++) {
        const pw_catalog_list *l = &r->lists[i];
        if (!l->name)
            continue;
        pw_jw_obj(w);
        pw_jw_kstr(w, "name", l->name);
        pw_jw_key(w, "loaded");
        pw_jw_bool(w, l->path != NULL);
        pw_jw_kstr(w, "path", l->path);
        pw_jw_kint(w, "rules", (long long)l->rules);
        pw_jw_kstr(w, "version", l->version);
        pw_jw_kstr(w, "file_date", l->file_date);
        pw_jw_end_obj(w);
    }
    pw_jw_end_arr(w);
}
