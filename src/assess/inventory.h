/* inventory.h — (internal to assess) the tracker inventory kept by the assessor. */
#ifndef PHIWALL_ASSESS_INVENTORY_H
#define PHIWALL_ASSESS_INVENTORY_H

#include "phiwall/assess.h"

typedef struct pw_inventory pw_inventory;

pw_inventory *pw_inventory_new(pw_arena *a); /* items live in the arena */
void pw_inventory_free(pw_inventory *inv);
/* list_domain: for a filter-list beacon (EasyPrivacy, EasyList) the registrable domain of its
 * request host, which gives it a row of its own; NULL for any other beacon. */
pw_status pw_inventory_add(pw_inventory *inv, const pw_beacon *b, const char *list_domain,
                           const char *page_url, pw_err *err);
/* Sorted copy, valid until the next call or free. */
const pw_tracker_use *pw_inventory_result(pw_inventory *inv, size_t *n);

#endif
