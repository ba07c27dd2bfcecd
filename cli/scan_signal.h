/*
 * scan_signal.h — Ctrl-C and SIGTERM during a browser or static scan (the library installs no
 * handlers). The first signal asks the crawl to stop (pw_browser_stop.requested, which a static
 * scan reads through pw_static_opts.stop): the page being read is finished, Chromium (if any) is
 * stopped, its profile removed, and what was captured is reported as INCOMPLETE ("interrupted")
 * and written to --har-out; the scan then exits 128 + the signal (130 for SIGINT, 143 for
 * SIGTERM). A second signal exits at once, by the signal, after it killed Chromium and removed
 * its profile (the path the library publishes in the stop; none in a static scan).
 */
#ifndef PHIWALL_CLI_SCAN_SIGNAL_H
#define PHIWALL_CLI_SCAN_SIGNAL_H

#include "phiwall/browser.h"

/* Route SIGINT and SIGTERM to `stop` until pw_scan_signals_release. */
void pw_scan_signals_catch(pw_browser_stop *stop);
/* Restore the handlers there were; the signal caught meanwhile, or 0. */
int pw_scan_signals_release(void);

#endif
