#!/usr/bin/env python3
"""markup_eval.py — compare phiwall's HAR analysis with The Markup's Blacklight inspections.

For each site under ../shared/data/markup-nonprofit-health (see its README), run
`phiwall scan --har requests.har --format json` and compare, per site:
  * tracker domains: registrable domains of Blacklight's third_party_trackers (EasyPrivacy
    matches) vs the hosts of phiwall's tracker inventory. Inventory rows whose category phiwall
    documents as "not a tracker" (consent-manager, embed: docs/rules.md "Which third parties
    count") are listed apart, not counted as phiwall trackers. A Blacklight domain that no request
    in the HAR goes to (Blacklight's inspection and the HAR are separate visits) cannot be compared
    and is counted apart;
  * Meta pixel IDs and Meta events: Blacklight's fb_pixel_events vs phiwall's Meta Pixel entries;
  * session recorders, by vendor: a host in Blacklight's session_recorders agrees when a phiwall
    session-replay tracker lists that host; a phiwall session-replay vendor none of whose hosts
    Blacklight named is "only phiwall".
Blacklight's tracker domains are EasyPrivacy matches, and phiwall reads EasyPrivacy and EasyList
too when they are installed: with them the domain figure partly measures EasyPrivacy against
EasyPrivacy. So every HAR is scanned twice and both figures are printed: the default scan (the
catalog, then the lists) and the catalog alone (`--no-easyprivacy --no-easylist`), whose misses
are listed per site as "CATALOG ALONE misses".
Every disagreement is printed. Exit status: 0, or 2 when phiwall misses a pixel ID or a Meta
event Blacklight saw (the comparisons phiwall must win); domain differences are reported only.
Usage: bench/markup_eval.py PHIWALL [DATA_DIR]
"""
import gzip, json, os, shutil, subprocess, sys, tempfile, urllib.parse

def reg_domain(host):
    """eTLD+1 approximation good enough for these sites (no multi-label public suffixes among
    the tracker hosts); phiwall itself uses libpsl."""
    parts = host.lower().strip(".").split(".")
    if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net") and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])

def load(path):
    if os.path.exists(path):
        return open(path, "rb").read()
    if os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz").read()
    return None

def blacklight(site_dir):
    ins = json.loads(load(os.path.join(site_dir, "inspection.json")))
    rep = ins.get("reports", {})
    domains = set()
    for t in rep.get("third_party_trackers", []):
        host = urllib.parse.urlsplit(t.get("url", "")).hostname
        if host:
            domains.add(reg_domain(host))
    pixels, events = set(), set()
    for e in rep.get("fb_pixel_events", []):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(e.get("raw", "")).query)
        pixels.update(q.get("id", []))
        if e.get("eventName"):
            events.add(e["eventName"])
    recorders = set()
    for k in (rep.get("session_recorders") or {}):
        recorders.add((urllib.parse.urlsplit(k).hostname or k).lower())
    return domains, pixels, events, recorders

NOT_TRACKERS = ("consent-manager", "embed")  # phiwall's own "not a tracker" categories

def har_domains(har_bytes):
    """Registrable domains of every request in the HAR."""
    out = set()
    for e in json.loads(har_bytes).get("log", {}).get("entries", []):
        host = urllib.parse.urlsplit(e.get("request", {}).get("url", "")).hostname
        if host:
            out.add(reg_domain(host))
    return out

CATALOG_ALONE = ["--no-easyprivacy", "--no-easylist"]

def phiwall(exe, har_bytes, tmp, extra=()):
    path = os.path.join(tmp, "requests.har")
    with open(path, "wb") as f:
        f.write(har_bytes)
    out = subprocess.run([exe, "scan", "--har", path, "--format", "json", *extra],
                         capture_output=True)
    if out.returncode not in (0, 1, 4):  # 4: incomplete (tracker scripts failed in the HAR)
        raise RuntimeError(out.stderr.decode())
    rep = json.loads(out.stdout)
    domains, pixels, events, recorders, others = set(), set(), set(), {}, set()
    for t in rep["trackers"]:
        v = t["vendor"]
        if v.get("category") in NOT_TRACKERS:
            others.update(reg_domain(h) for h in t["hosts"])
            continue
        for h in t["hosts"]:
            domains.add(reg_domain(h))
        if v.get("category") == "session-replay":
            recorders.setdefault(v.get("id"), set()).update(h.lower() for h in t["hosts"])
        if v.get("id") == "meta-pixel" or v.get("product") == "Meta Pixel":
            if t["account_id"]:
                pixels.add(t["account_id"])
            events.update(t["events"])
    return domains, pixels, events, recorders, others, rep

def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print("usage: bench/markup_eval.py PHIWALL_BINARY [DATA_DIR]  (e.g. build/phiwall)",
              file=sys.stderr)
        return 2
    exe = sys.argv[1]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates = [os.path.join(repo, up, "shared", "data", "markup-nonprofit-health")
                  for up in ("..", os.path.join("..", ".."))]
    data = sys.argv[2] if len(sys.argv) > 2 else next(
        (c for c in candidates if os.path.isdir(c)), candidates[0])
    if not os.path.isdir(data):
        print("skipped: ../shared/data not present")
        return 77
    tmp = tempfile.mkdtemp()
    must_fail = 0
    totals = {"sites": 0, "bl_pixels": 0, "pw_pixels_found": 0, "bl_events": 0,
              "pw_events_found": 0, "bl_domains": 0, "pw_domains_matched": 0, "pw_extra": 0,
              "bl_not_in_har": 0, "pw_not_trackers": 0, "catalog_matched": 0}
    try:
        for site in sorted(os.listdir(data)):
            d = os.path.join(data, site)
            har = load(os.path.join(d, "requests.har")) if os.path.isdir(d) else None
            if har is None:
                continue
            bd, bp, be, br = blacklight(d)
            pd, pp, pe, pr, po, rep = phiwall(exe, har, tmp)
            in_har = har_domains(har)
            totals["sites"] += 1
            s = rep["summary"]
            print(f"== {site}: {s['requests']} requests, {s['beacons']} beacons, "
                  f"{s['findings']} findings (max {s['max_severity']})")
            print(f"   Meta pixels: blacklight {sorted(bp)}  phiwall {sorted(pp)}")
            print(f"   Meta events: blacklight {sorted(be)}  phiwall {sorted(pe)}")
            for p in sorted(bp - pp):
                print(f"   DISAGREE pixel {p}: Blacklight saw it, phiwall did not"); must_fail = 1
            for p in sorted(pp - bp):
                print(f"   DISAGREE pixel {p}: phiwall saw it, Blacklight did not")
            for e in sorted(be - pe):
                print(f"   DISAGREE Meta event {e}: Blacklight saw it, phiwall did not"); must_fail = 1
            for e in sorted(pe - be):
                print(f"   DISAGREE Meta event {e}: phiwall saw it, Blacklight did not")
            not_in_har = bd - in_har
            for dom in sorted(not_in_har):
                print(f"   NOT COMPARED domain {dom}: Blacklight saw it, the HAR has no request to it")
            bd &= in_har
            for dom in sorted(bd - pd):
                print(f"   DISAGREE domain {dom}: EasyPrivacy tracker for Blacklight, no tracker in phiwall")
            for dom in sorted(pd - bd):
                print(f"   DISAGREE domain {dom}: tracker for phiwall, not in Blacklight's list")
            cd = phiwall(exe, har, tmp, CATALOG_ALONE)[0]
            for dom in sorted(bd - cd):
                print(f"   CATALOG ALONE misses domain {dom}: EasyPrivacy tracker for Blacklight")
            totals["catalog_matched"] += len(bd & cd)
            for dom in sorted(po - pd - bd):
                print(f"   listed by phiwall as no tracker (consent manager or embed): {dom}")
            pr_hosts = set().union(*pr.values()) if pr else set()
            for r in sorted(br - pr_hosts):
                print(f"   DISAGREE session recorder {r}: only Blacklight")
            for vendor, hosts in sorted(pr.items()):
                if not hosts & br:
                    print(f"   DISAGREE session recorder {vendor} ({', '.join(sorted(hosts))}): only phiwall")
            totals["bl_pixels"] += len(bp); totals["pw_pixels_found"] += len(bp & pp)
            totals["bl_events"] += len(be); totals["pw_events_found"] += len(be & pe)
            totals["bl_domains"] += len(bd); totals["pw_domains_matched"] += len(bd & pd)
            totals["bl_not_in_har"] += len(not_in_har)
            totals["pw_not_trackers"] += len(po - pd)
            totals["pw_extra"] += len(pd - bd)
    finally:
        shutil.rmtree(tmp)
    t = totals
    print(f"\n{t['sites']} sites: Meta pixel IDs {t['pw_pixels_found']}/{t['bl_pixels']}, "
          f"Meta events {t['pw_events_found']}/{t['bl_events']}, Blacklight tracker domains "
          f"{t['pw_domains_matched']}/{t['bl_domains']} also phiwall trackers, "
          f"{t['pw_extra']} domains only phiwall calls trackers; {t['bl_not_in_har']} Blacklight "
          f"domains not compared (no request to them in the HAR), {t['pw_not_trackers']} domains "
          f"phiwall lists as consent managers or embeds, not trackers")
    print(f"catalog alone (--no-easyprivacy --no-easylist): {t['catalog_matched']}/"
          f"{t['bl_domains']} of the compared Blacklight domains are phiwall trackers")
    print(f"reproduce: bench/markup_eval.py build/phiwall")
    return 2 if must_fail else 0

if __name__ == "__main__":
    sys.exit(main())
