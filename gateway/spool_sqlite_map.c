/*
 * spool_sqlite_map.c — the SQLite spool's in-memory indexes: an open-addressing hash map from
 * 64-bit keys to (val, aux) with duplicate keys allowed (event_id hash → rows; item → lease),
 * and the keyed hash of event_ids (pw_siphash, keyed with random bytes per open so that crafted
 * event_ids cannot pile up in one probe run).
 */
#include <stdlib.h>
#include <string.h>

#include "spool_sqlite_internal.h"
#include "phiwall/text.h"

uint64_t pw_spool_key_hash(const uint64_t key[2], const char *s, size_t n)
{
    uint64_t h = pw_siphash(key, s, n);
    return h ? h : 1; /* 0 marks a free slot */
}

/* ---- the map ------------------------------------------------------------------------------ */

static size_t home(const pw_spool_map *m, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (m->cap - 1);
}

static void place(pw_spool_map *m, pw_spool_slot s)
{
    size_t i = home(m, s.key);
    while (m->slots[i].key)
        i = (i + 1) & (m->cap - 1);
    m->slots[i] = s;
    m->n++;
}

static int grow(pw_spool_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    pw_spool_slot *old = m->slots;
    size_t old_cap = m->cap;
    pw_spool_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return 0;
    m->slots = slots;
    m->cap = cap;
    m->n = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key)
            place(m, old[i]);
    free(old);
    return 1;
}

int pw_spool_map_add(pw_spool_map *m, uint64_t key, int64_t val, int64_t aux)
{
    if ((m->n + 1) * 2 > m->cap && !grow(m))
        return 0;
    place(m, (pw_spool_slot){key, val, aux});
    return 1;
}

static pw_spool_slot *probe(pw_spool_map *m, size_t i, uint64_t key, int64_t val)
{
    for (; m->slots[i].key; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].key == key && (val < 0 || m->slots[i].val == val))
            return &m->slots[i];
    return NULL;
}

pw_spool_slot *pw_spool_map_find(pw_spool_map *m, uint64_t key, int64_t val)
{
    return m->cap ? probe(m, home(m, key), key, val) : NULL;
}

pw_spool_slot *pw_spool_map_next(pw_spool_map *m, pw_spool_slot *from)
{
    size_t i = ((size_t)(from - m->slots) + 1) & (m->cap - 1);
    return probe(m, i, from->key, -1);
}

/* Backward-shift deletion: later members of the probe run move up, no tombstones. */
void pw_spool_map_del(pw_spool_map *m, pw_spool_slot *slot)
{
    size_t mask = m->cap - 1, hole = (size_t)(slot - m->slots);
    for (size_t j = (hole + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t h = home(m, m->slots[j].key);
        /* The entry at j may fill the hole if its home is not cyclically in (hole, j]. */
        int stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
        if (stays)
            continue;
        m->slots[hole] = m->slots[j];
        hole = j;
    }
    memset(&m->slots[hole], 0, sizeof m->slots[hole]);
    m->n--;
}

void pw_spool_map_free(pw_spool_map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

int pw_spool_keyrows_push(pw_spool_keyrows *l, uint64_t hash, int64_t row)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *grown = realloc(l->pairs, cap * 2 * sizeof *grown);
        if (!grown)
            return 0;
        l->pairs = grown;
        l->cap = cap;
    }
    l->pairs[2 * l->n] = (int64_t)hash;
    l->pairs[2 * l->n + 1] = row;
    l->n++;
    return 1;
}

void pw_spool_keyrows_forget(pw_spool_map *keys, pw_spool_keyrows *l)
{
    for (size_t i = 0; i < l->n; i++) {
        pw_spool_slot *k = pw_spool_map_find(keys, (uint64_t)l->pairs[2 * i], l->pairs[2 * i + 1]);
        if (k)
            pw_spool_map_del(keys, k);
    }
    l->n = 0;
}
