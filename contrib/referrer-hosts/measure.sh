#!/usr/bin/env bash
# measure.sh [BUILD_DIR] — the referrer host check (gateway/gw_policy_host.c) over real host
# names: every host requested in the Markup's nonprofit-health HARs and every host in Debian's
# EasyList and EasyPrivacy (webext-ublock-origin-chromium). Prints, per list, the hosts and how
# many are refused, and writes the refused ones to /tmp/referrer-hosts-*.tsv for reading by hand.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
hars=${PW_HARS:-/work/shared/data/markup-nonprofit-health}
lists=/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2046
cc -O1 -I gateway -I include contrib/referrer-hosts/host_check.c "$build/gateway/libphiwall_gateway.a" \
    "$build/src/libphiwall.a" $(pkg-config --libs sqlite3 libcurl libmicrohttpd yaml-0.1 yajl \
    libcrypto libpsl) -lz -lpthread -lm -o "$out/host_check"
python3 - "$hars" "$lists" "$out" <<'PY'
import glob, json, re, sys
hars, lists, out = sys.argv[1:4]
hosts = set()
for f in glob.glob(hars + "/**/*.har", recursive=True):
    for e in json.load(open(f)).get("log", {}).get("entries", []):
        m = re.match(r"https?://([^/:?#]+)", e.get("request", {}).get("url", ""))
        if m:
            hosts.add(m.group(1).lower())
open(out + "/har.txt", "w").write("\n".join(sorted(hosts)) + "\n")
hosts = set()
dom = r"[a-z0-9.-]+\.[a-z]{2,}"
for name in ("easylist.txt", "easyprivacy.txt"):
    for line in open(lists + "/" + name, errors="replace"):
        hosts.update(re.findall(r"\|\|(" + dom + r")[\^/]", line))
        m = re.search(r"domain=([^,$]+)", line)
        for d in (m.group(1).split("|") if m else []):
            if re.fullmatch(dom, d.lstrip("~")):
                hosts.add(d.lstrip("~"))
        m = re.match(r"([a-z0-9.,-]+)##", line)
        for d in (m.group(1).split(",") if m else []):
            if re.fullmatch(dom, d):
                hosts.add(d)
open(out + "/easylist.txt", "w").write("\n".join(sorted(hosts)) + "\n")
PY
for l in har easylist; do
    echo "$l:"
    "$out/host_check" <"$out/$l.txt" >"/tmp/referrer-hosts-$l.tsv"
done
