#!/usr/bin/env python3
"""har_real_gen.py — a big HAR of a real site's shape, for bench/har_real.sh.

Repeats the entries of a real capture (The Markup's requests.har in ../shared/data when present,
else demo/demo.har) until the output reaches --mb megabytes. Copy i belongs to page i % --pages:
its pageref, its title and every first-party URL (plain and percent-encoded, as beacons carry the
page URL in dl=/ev= parameters) get a /p<page>/ path prefix, so --pages N gives N distinct pages
and --pages 1 repeats the same page (same URLs, same beacons) as a long session would. When more pages are
asked for than whole copies fit in --mb, each page gets only the capture's first entries.
The output is written entry by entry: the generator's memory does not grow with --mb.
Usage: har_real_gen.py SOURCE.har OUT.har --mb 240 --pages 480
"""
import argparse
import json
import sys
from urllib.parse import urlsplit


def site_host(log):
    """The first document's host without www.: the part of URLs made distinct per page."""
    for e in log["entries"]:
        host = urlsplit(e["request"]["url"]).hostname or ""
        if host:
            return host[4:] if host.startswith("www.") else host
    return ""


def page_text(text, host, page, ref_map):
    if page == 0:
        return text
    for a, b in (("/", "/"), ("%2F", "%2F"), ("%252F", "%252F")):
        text = text.replace(host + a, "%s%sp%d%s" % (host, a, page, b))
    for old, new in ref_map.items():
        text = text.replace('"pageref": "%s"' % old, '"pageref": "%s_%d"' % (new, page))
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--pages", type=int, default=1)
    a = ap.parse_args()
    with open(a.source, encoding="utf-8") as f:
        log = json.load(f)["log"]
    host = site_host(log)
    pages = log.get("pages") or []
    entries = [json.dumps(e) for e in log["entries"]]
    one = sum(len(e) + 1 for e in entries)
    copies = max(1, int(a.mb * 1e6 / one))
    if a.pages > copies:  # more pages than whole copies fit: each page gets the capture's first
        copies = a.pages  # entries (its document and first beacons), as many as fit
        size, keep = 0, 0
        while keep < len(entries) and (size + len(entries[keep]) + 1) * copies < a.mb * 1e6:
            size += len(entries[keep]) + 1
            keep += 1
        entries = entries[:max(1, keep)]
    npages = max(1, min(a.pages, copies))
    ref_map = {p["id"]: p["id"] for p in pages}
    with open(a.out, "w", encoding="utf-8") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "har_real_gen", "version": "1"},')
        out.write('"pages": [')
        first = True
        for k in range(npages):
            for p in pages:
                q = dict(p)
                if k:
                    q["id"] = "%s_%d" % (p["id"], k)
                    q["title"] = page_text(p.get("title", ""), host, k, {})
                out.write(("" if first else ",") + json.dumps(q))
                first = False
        out.write('], "entries": [')
        first = True
        for i in range(copies):
            k = i % npages
            for e in entries:
                out.write(("" if first else ",\n") + page_text(e, host, k, ref_map))
                first = False
        out.write("]}}\n")
    print("%s: %d copies of %d entries, %d pages, host %s" %
          (a.out, copies, len(entries), npages * max(1, len(pages)), host), file=sys.stderr)


if __name__ == "__main__":
    main()
