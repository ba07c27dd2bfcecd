/*
 * bench_audit_work.c — a fixed amount of audit work, for counting instructions (the machine's
 * wall clock and CPU time swing too much to tell a few per cent; it has no hardware counters):
 *   valgrind --tool=callgrind ./build/bench/bench_audit_work DIR 0   the ingest pattern of
 *       bench_audit: 6000 batches of 69 records appended without a sync, a sync per 100 batches
 *   valgrind --tool=callgrind ./build/bench/bench_audit_work DIR 1   a forwarder's outcomes: 400
 *       synced batches of 50 "sent" records
 * "Collected" divided by the records (it prints them) is instructions per record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"

#define BATCH 69

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    int synced = argc > 2 && atoi(argv[2]) == 1;
    char path[512];
    snprintf(path, sizeof path, "%s/bench_audit_work_%d.log", dir, (int)getpid());
    unlink(path);
    pw_audit *a = NULL;
    if (pw_audit_open(path, &a, NULL) != PW_OK)
        return 1;
    static char ids[BATCH][40];
    pw_audit_record recs[BATCH];
    for (int i = 0; i < BATCH; i++) {
        snprintf(ids[i], sizeof ids[i], "0b7c6f0e-8a1d-4c1e-9a57-%012d", i / 3);
        int kind = synced ? 1 : i % 3; /* accepted, queued for meta, queued for ga4 */
        recs[i] = (pw_audit_record){
            .event_id = ids[i],
            .event_name = "Schedule",
            .destination = kind == 0   ? NULL
                           : kind == 1 ? "meta"
                                       : "ga4",
            .action = synced      ? PW_AUDIT_SENT
                      : kind == 0 ? PW_AUDIT_ACCEPTED
                                  : PW_AUDIT_QUEUED,
            .rule = kind == 0   ? "ingest: valid event"
                    : kind == 1 ? "meta.allow.Schedule"
                                : "ga4.allow.Schedule",
            .fields_json = kind == 0 ? NULL
                                     : "{\"event_name\":\"allow\",\"custom_data.page\":\"map\","
                                       "\"event_time\":\"allow\",\"action_source\":\"allow\"}",
            .http_status = synced ? 200 : 0,
            .detail = synced ? "http 200" : NULL,
            .payload_sha256 =
                synced ? "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" : NULL};
    }
    int batches = synced ? 400 : 6000, per = synced ? 50 : BATCH;
    for (int b = 0; b < batches; b++) {
        pw_status st = synced ? pw_audit_append_batch(a, recs, (size_t)per, NULL)
                              : pw_audit_append_nosync(a, recs, (size_t)per, NULL);
        if (st != PW_OK || (!synced && b % 100 == 99 && pw_audit_sync(a, NULL) != PW_OK))
            return 1;
    }
    pw_audit_close(a);
    unlink(path);
    printf("%s: %d records\n", synced ? "synced batches of 50" : "ingest: batches of 69 nosync",
           batches * per);
    return 0;
}
