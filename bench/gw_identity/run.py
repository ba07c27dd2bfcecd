#!/usr/bin/env python3
"""run.py BIN POLICY CASES OUT — one binary through the gateway identity check (see compare.sh):
POST every case to a fresh gateway, then write its replies, spool rows, ingest audit records
(without seq, time and hashes; sorted) and --explain output for the first 200 cases to OUT."""
import http.client, json, os, re, signal, socket, sqlite3, subprocess, sys, time
binp, policy, casesf, out = sys.argv[1:5]
os.makedirs(out, exist_ok=True)
cases = json.load(open(casesf))
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
for f in ["spool.db", "spool.db-wal", "spool.db-shm", "audit.log"]:
    try: os.unlink(os.path.join(out, f))
    except FileNotFoundError: pass
env = dict(os.environ, BENCH_SITE_KEY="0123456789abcdef-bench-key", BENCH_TOKEN="t",
           PHIWALL_SITE_KEY="0123456789abcdef-bench-key", PHIWALL_META_TOKEN="t", PHIWALL_GA4_SECRET="t")
gw = subprocess.Popen([binp, "gateway", "--config", policy, "--listen", "127.0.0.1:%d" % port,
                       "--spool", out + "/spool.db", "--audit", out + "/audit.log"],
                      env=env, stderr=open(out + "/gw.log", "w"))
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", port)).close(); break
    except OSError: time.sleep(0.05)
conn = None
rep = open(out + "/replies.txt", "w")
for i, c in enumerate(cases):
    body = c["body"].encode("utf-8", "surrogateescape")
    for attempt in range(3):
        try:
            if conn is None: conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/e", body=body, headers=c["headers"])
            r = conn.getresponse(); data = r.read()
            hdrs = {k: v for k, v in r.getheaders() if k.lower() in ("access-control-allow-origin", "retry-after", "content-type", "vary")}
            rep.write("%d %d %s %s\n" % (i, r.status, json.dumps(hdrs, sort_keys=True), data.decode("utf-8", "replace")))
            if r.getheader("Connection", "").lower() == "close": conn.close(); conn = None
            break
        except (http.client.HTTPException, OSError) as e:
            conn = None
    else:
        rep.write("%d ERROR\n" % i)
rep.close()
gw.send_signal(signal.SIGTERM); gw.wait()
db = sqlite3.connect(out + "/spool.db")

def spool_rows(db):
    """(event_id, destination, payload) of every spooled item, for either spool layout."""
    if db.execute("select 1 from sqlite_master where name = 'spool'").fetchone():  # layout 1
        yield from db.execute("select s.event_id, s.destination, coalesce(s.payload, (select d.payload from dead d where d.spool_id = s.id)) from spool s")
        return
    names = dict(db.execute("select id, name from dest"))  # layouts 2 and 3: a row per event
    cols = [c[1] for c in db.execute("pragma table_info(ev)")]
    group = "coalesce(grp, ev.id), coalesce(off, 0)" if "grp" in cols else "ev.id, 0"  # 3: a body per commit
    bodies = dict(db.execute("select id, payloads from body"))
    for rid, dests, eid, gid, goff in db.execute(f"select ev.id, dests, event_id, {group} from ev order by ev.id"):
        payloads = bodies[gid][goff:] if gid in bodies else None
        off = 0
        for pos in range(len(dests) // 6):
            dest = int.from_bytes(dests[6 * pos:6 * pos + 2], "little")
            n = int.from_bytes(dests[6 * pos + 2:6 * pos + 6], "little")
            payload = payloads[off:off + n] if payloads is not None else None
            if payload is None:
                d = db.execute("select payload from dead where spool_id = ?", (rid * 64 + pos,)).fetchone()
                payload = d[0] if d else None
            off += n
            yield eid, names.get(dest, "?"), payload

with open(out + "/spool.txt", "w") as f:
    for row in sorted(spool_rows(db), key=lambda r: (r[0], r[1])):
        f.write("%s\t%s\t%s\n" % (row[0], row[1], row[2] if isinstance(row[2], str) else (row[2] or b"").decode()))
recs = []
for line in open(out + "/audit.log"):
    r = json.loads(line)
    if r.get("action") not in ("accepted", "queued", "dropped"): continue
    for k in ("seq", "time", "prev_hash", "hash"): r.pop(k, None)
    recs.append(json.dumps(r, sort_keys=True))
with open(out + "/audit.txt", "w") as f:
    f.write("\n".join(sorted(recs)) + "\n")  # sorted: requests answered before their audit append race
# --explain for the valid bodies among the first 400 cases
with open(out + "/explain.txt", "w") as f:
    for i, c in enumerate(cases[:200]):
        p = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pw-identity-ev.json"); open(p, "wb").write(c["body"].encode("utf-8", "surrogateescape"))
        r = subprocess.run([binp, "gateway", "--explain", p, "--config", policy, "--ip", "203.0.113.7", "--ua", "Mozilla/5.0"],
                           env=env, capture_output=True)
        f.write("== %d rc=%d\n" % (i, r.returncode)); f.write(r.stdout.decode("utf-8", "replace")); f.write(r.stderr.decode("utf-8", "replace"))
print(out, sum(1 for _ in open(out + "/replies.txt")), "replies,", sum(1 for _ in open(out + "/spool.txt")), "rows,",
      sum(1 for _ in open(out + "/audit.txt")), "audit records")
