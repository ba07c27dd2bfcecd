/*
 * gw_test_phi.h — TEST-ONLY stand-in for the PHI engine in the gateway's policy/ingest unit
 * tests, so that the policy's handling of hits (refuse, redact, drop) is tested on its own.
 * It knows a handful of fixed words and shapes; it is not a detector and is never built into
 * the product (the product binds src/detect through gateway/gw_phi_detect.c).
 */
#ifndef GW_TEST_PHI_H
#define GW_TEST_PHI_H

#include <ctype.h>
#include <string.h>

#include "gw_policy.h"

static int gw_test_word_at(const char *s, size_t n, size_t i, const char *w)
{
    size_t wl = strlen(w);
    if (i + wl > n || strncasecmp(s + i, w, wl) != 0)
        return 0;
    return (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
           (i + wl == n || !isalnum((unsigned char)s[i + wl]));
}

/* Hits: the words below (health), runs of 7+ digits (record id), tokens with '@' (email). */
static pw_status gw_test_phi_scan(void *ctx, pw_arena *a, const char *key, pw_detect_object object,
                                  const char *s, size_t n, pw_field_type type, pw_hit **hits,
                                  size_t *n_hits, pw_err *err)
{
    static const char *const words[] = {"cancer",   "hiv",       "diabetes",
                                        "oncology", "pregnancy", "appointment"};
    pw_hit *h = pw_arena_calloc(a, n + 1, sizeof *h);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t adv = 1;
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
            if (gw_test_word_at(s, n, i, words[w])) {
                int intent = strcmp(words[w], "appointment") == 0;
                h[k++] = (pw_hit){.category = intent ? PW_PHI_CARE_INTENT : PW_PHI_HEALTH,
                                  .subtype = intent ? "scheduling" : "condition",
                                  .start = i,
                                  .end = i + strlen(words[w])};
                adv = strlen(words[w]);
                break;
            }
        if (adv == 1 && isdigit((unsigned char)s[i]) &&
            (i == 0 || !isdigit((unsigned char)s[i - 1]))) {
            size_t j = i;
            while (j < n && isdigit((unsigned char)s[j]))
                j++;
            if (j - i >= 7) {
                h[k++] = (pw_hit){.category = PW_PHI_RECORD_ID, .start = i, .end = j};
                adv = j - i;
            }
        }
        if (adv == 1 && s[i] == '@' && i > 0) {
            size_t b = i, e = i;
            while (b > 0 && !isspace((unsigned char)s[b - 1]))
                b--;
            while (e < n && !isspace((unsigned char)s[e]))
                e++;
            if (k && h[k - 1].end > b)
                k--;
            h[k++] = (pw_hit){.category = PW_PHI_EMAIL, .start = b, .end = e};
            adv = e - i;
        }
        i += adv;
    }
    *hits = h;
    *n_hits = k;
    return PW_OK;
}

static const pw_gw_phi gw_test_phi = {gw_test_phi_scan, NULL};

#endif
