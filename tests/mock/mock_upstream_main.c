/*
 * mock_upstream_main.c — `phiwall-mock-upstream [LOG [PORT]]`: the loopback Meta/GA4/webhook
 * stand-in as a program for demos and integration tests. Prints "http://127.0.0.1:PORT" on stdout,
 * appends every request as a JSON line to LOG (default: stderr) and answers like the real endpoints
 * do on success, until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mock_upstream.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    FILE *log = argc > 1 ? fopen(argv[1], "a") : stderr;
    if (!log) {
        perror(argv[1]);
        return 3;
    }
    mock_upstream *m = mock_upstream_start_logged(argc > 2 ? (unsigned)atoi(argv[2]) : 0, log);
    if (!m) {
        fprintf(stderr, "phiwall-mock-upstream: cannot listen on 127.0.0.1\n");
        return 3;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("%s\n", mock_upstream_base(m));
    fflush(stdout);
    while (!stop)
        pause();
    mock_upstream_stop(m);
    if (log != stderr)
        fclose(log);
    return 0;
}
