/*
 * bench_vocab.c — throughput of pw_vocab_scan with the full built-in vocabulary, Hyperscan and
 * Aho-Corasick back ends side by side on the same generated corpus (bench/vocab_corpus.h):
 * one call per field (URL, title, button text) and one call per 64 KiB batch of fields (how
 * detect scans one event). Also the time to create each back end (startup). Single thread.
 *
 * Run: build/bench/bench_vocab [MiB]   (default 32)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../src/detect/vocab.h"
#include "vocab_corpus.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct result {
    double new_ms, field_mbs, batch_mbs;
    size_t matches;
    int ok;
} result;

static double scan_all(const pw_vocab *v, pw_vocab_scratch *s, const char *text, size_t len,
                       const size_t *offs, size_t nf, int per_field, size_t *matches)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t total = 0;
    double t0 = now();
    if (per_field) {
        for (size_t i = 0; i < nf; i++) {
            pw_vocab_match *m;
            size_t k;
            pw_vocab_scan(v, s, &a, text + offs[i], offs[i + 1] - offs[i] - 1, &m, &k, NULL);
            total += k;
            pw_arena_reset(&a);
        }
    } else {
        for (size_t off = 0; off < len;) {
            size_t n = len - off < 65536 ? len - off : 65536;
            pw_vocab_match *m;
            size_t k;
            pw_vocab_scan(v, s, &a, text + off, n, &m, &k, NULL);
            total += k;
            off += n;
            pw_arena_reset(&a);
        }
    }
    double dt = now() - t0;
    pw_arena_free(&a);
    *matches = total;
    return (double)len / dt / 1e6;
}

static result run(pw_vocab_backend b, const char *text, size_t len, const size_t *offs, size_t nf)
{
    result r = {0};
    pw_vocab_opts o = {.backend = b};
    pw_vocab *v = NULL;
    pw_vocab_scratch *s = NULL;
    double t0 = now();
    if (pw_vocab_new_opts(&o, &v, NULL) != PW_OK)
        return r;
    r.new_ms = (now() - t0) * 1e3;
    pw_vocab_scratch_new(v, &s, NULL);
    size_t m1, m2;
    r.field_mbs = scan_all(v, s, text, len, offs, nf, 1, &m1);
    r.batch_mbs = scan_all(v, s, text, len, offs, nf, 0, &m2);
    r.matches = m1;
    r.ok = 1;
    pw_vocab_scratch_free(s);
    pw_vocab_free(v);
    return r;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 32;
    char *text;
    size_t *offs, nf;
    size_t len = corpus_make(mib << 20, &text, &offs, &nf);
    result hs = run(PW_VOCAB_BACKEND_HYPERSCAN, text, len, offs, nf);
    result ac = run(PW_VOCAB_BACKEND_AC, text, len, offs, nf);
    pw_vocab *v = NULL;
    pw_vocab_new_opts(&(pw_vocab_opts){.backend = PW_VOCAB_BACKEND_AC}, &v, NULL);
    printf("bench_vocab: %zu vocabulary entries, corpus %.1f MB, %zu fields (avg %.0f bytes)\n",
           v ? pw_vocab_size(v) : 0, (double)len / 1e6, nf, (double)len / (double)nf);
    pw_vocab_free(v);
    printf("%-10s %10s %14s %14s %10s\n", "back end", "new (ms)", "per field MB/s", "batched MB/s",
           "matches");
    if (hs.ok)
        printf("%-10s %10.2f %14.0f %14.0f %10zu\n", "hyperscan", hs.new_ms, hs.field_mbs,
               hs.batch_mbs, hs.matches);
    else
        printf("%-10s not in this build\n", "hyperscan");
    printf("%-10s %10.2f %14.0f %14.0f %10zu\n", "ac", ac.new_ms, ac.field_mbs, ac.batch_mbs,
           ac.matches);
    if (hs.ok)
        printf("ratio hyperscan/ac: per field %.2fx, batched %.2fx (baseline: ac, same run)\n",
               hs.field_mbs / ac.field_mbs, hs.batch_mbs / ac.batch_mbs);
    printf("reproduce: ./scripts/build.sh build && build/bench/bench_vocab %zu\n", mib);
    free(text);
    free(offs);
    return 0;
}
