/*
 * decoder_registry.c — the one list of wire-protocol decoders. Catalog entries name a decoder
 * by its `name`; adding a protocol is a decoder_<name>.c file plus a line here.
 */
#include <string.h>

#include "decode_internal.h"

static const pw_decoder *const registry[] = {
    &dk_decoder_meta,     &dk_decoder_ga4,        &dk_decoder_gads,     &dk_decoder_tiktok,
    &dk_decoder_linkedin, &dk_decoder_twitter,    &dk_decoder_uet,      &dk_decoder_pinterest,
    &dk_decoder_snap,     &dk_decoder_replay,     &dk_decoder_script,   &dk_decoder_sitesearch,
    &dk_decoder_generic,  &dk_decoder_floodlight, &dk_decoder_id_graph, &dk_decoder_sizmek,
};

size_t dk_decoder_count(void)
{
    return sizeof registry / sizeof registry[0];
}

const pw_decoder *dk_decoder_at(size_t i)
{
    return i < dk_decoder_count() ? registry[i] : NULL;
}

const pw_decoder *dk_decoder_find(const char *name)
{
    for (size_t i = 0; name && i < dk_decoder_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}
