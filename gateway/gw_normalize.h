/*
 * gw_normalize.h — gw_normalize.c's tables: place names as Meta's normalisation writes them
 * (lower case, letters only) and the code sent for each (generated: gw_normalize_places.c).
 */
#ifndef PHIWALL_GW_NORMALIZE_H
#define PHIWALL_GW_NORMALIZE_H

#include <stddef.h>

typedef struct pw_gw_place {
    const char *name; /* "unitedkingdom", "newyork" */
    const char *code; /* "gb", "ny" */
} pw_gw_place;

/* Sorted by name (bytes). */
extern const pw_gw_place pw_gw_countries[];
extern const size_t pw_gw_countries_n;
extern const pw_gw_place pw_gw_us_states[];
extern const size_t pw_gw_us_states_n;

/* The calling code and trunk prefix handling of a default_country (ISO 3166-1 alpha-2, either
 * case), or 0 when this gateway does not know it. */
int pw_gw_country_known(const char *iso2);

#endif
