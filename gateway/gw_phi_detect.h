/*
 * gw_phi_detect.h — binds the policy to libphiwall's PHI engine (src/detect): a pool of
 * per-thread scratches over one shared, read-only pw_detector, lent to each request.
 */
#ifndef PHIWALL_GW_PHI_DETECT_H
#define PHIWALL_GW_PHI_DETECT_H

#include "gw_http.h"
#include "phiwall/detect.h"

typedef struct pw_gw_phi_pool pw_gw_phi_pool;

pw_status pw_gw_phi_pool_new(const pw_detector *d, pw_gw_phi_pool **out, pw_err *err);
void pw_gw_phi_pool_free(pw_gw_phi_pool *p);
pw_gw_phi_source pw_gw_phi_pool_source(pw_gw_phi_pool *p);

#endif
