/* inventory.h — (internal to assess) the tracker inventory kept by the assessor. */
#ifndef PHIWALL_ASSESS_INVENTORY_H
#define PHIWALL_ASSESS_INVENTORY_H

#include "phiwall/assess.h"

typedef struct pw_inventory pw_inventory;

pw_inventory *pw_inventory_new(pw_arena *a); /* items live in the arena */
void pw_inventory_free(pw_inventory *inv);
/* list_domain: for a filter-list beacon (EasyPrivacy, EasyList) the registrable domain of its
 * request host, which gives it a row of its own; NULL for any other beacon. page_url is kept
 * (not copied): it must live as long as the inventory (the assessor's page URL). */
pw_status pw_inventory_add(pw_inventory *inv, const pw_beacon *b, const char *list_domain,
                           const char *page_url, pw_err *err);
/* The one account seen for catalogued tracker t, or NULL (none, several, or a filter-list entry,
 * whose rows are companies). */
const char *pw_inventory_sole_account(const pw_inventory *inv, const pw_tracker *t);
/* Fold each tracker's account-less row (a script load, a replay request naming no site) into
 * its sole account's row: one vendor with one known account is one row. */
void pw_inventory_fold_accountless(pw_inventory *inv);
/* For a loader's row (gtag.js with id=AW-…): the collector's catalog id and its account for that
 * ID, else NULL (pw_rules_gtag_collector). */
typedef const char *(*pw_inventory_collector_fn)(const pw_tracker *t, const char *id,
                                                 const char **account);
/* Fold each loader's row into its collector's row for the same ID, where the scan saw that row
 * (the collector named the ID in its own requests): one tag, one row. A loader whose collector
 * never reported its ID keeps its row, its ID in the account column. */
void pw_inventory_fold_loaders(pw_inventory *inv, pw_inventory_collector_fn collector);
/* Sorted copy, valid until the next call or free. */
const pw_tracker_use *pw_inventory_result(pw_inventory *inv, size_t *n);

#endif
