/*
 * forward_plan.h — packing triaged items into requests within a destination's limits (events
 * per request, bytes per request, same group), building each request's URL and body, and the
 * list of fields an item discloses (for its SENT audit record). Internal to gateway/.
 */
#ifndef PHIWALL_GW_FORWARD_PLAN_H
#define PHIWALL_GW_FORWARD_PLAN_H

#include "forward_internal.h"

typedef struct fw_plan {
    fw_request **reqs;
    size_t n_reqs;
    fw_item **dead; /* larger than one request may be */
    size_t n_dead;
    fw_item **items; /* the items planned (their group keys are freed with the plan) */
    size_t n_items;
    char *url; /* the destination's URL, built once: every request points to it */
} fw_plan;

pw_status pw_fw_plan(const fw_driver *drv, const pw_destination *d, fw_item **items, size_t n,
                     fw_plan *out);
void pw_fw_plan_free(fw_plan *p);

/* {"user_data.em[]":"sha256","event_name":"value",…}: each leaf path once, and whether its value
 * is a SHA-256 hash; never the values themselves. */
void pw_fw_fields_disclosed(yajl_val payload, pw_buf *out);
/* 1 when pw_fw_fields_disclosed writes the same list for a and b because they have the same
 * shape: the same keys in the same order, arrays of the same lengths, and leaves that are
 * SHA-256 hashes in the same places. A cycle's payloads mostly share a few shapes, and this
 * comparison costs far less than building the list. */
int pw_fw_same_fields(yajl_val a, yajl_val b);

#endif
