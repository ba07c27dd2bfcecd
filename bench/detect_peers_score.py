#!/usr/bin/env python3
"""detect_peers_score.py CORPUS.tsv REDACTED.txt — quality of a line-by-line redaction.

Identifier recall: share of labelled identifier values (email, phone, ssn, date, zip, address,
ip, record-id, npi, dea, mbi, card, name) that no longer appear in the redacted line.
False-redaction rate: share of rows without any label (general hospital pages and non-health
sites) that the tool changed at all.
"""
import sys

IDS = {"email", "phone", "ssn", "date", "zip", "address", "ip", "record-id", "npi", "dea", "mbi",
       "card", "name"}


def main():
    if len(sys.argv) < 3:
        print("usage: bench/detect_peers_score.py CORPUS.tsv REDACTED.txt", file=sys.stderr)
        return 2
    rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
            if l.strip() and not l.startswith("#")]
    out = open(sys.argv[2], encoding="utf-8").read().split("\n")
    gold = removed = clean = changed = 0
    for r, o in zip(rows, out):
        text, labels = r[3], r[4]
        if labels == "-":
            clean += 1
            changed += o != text
            continue
        for lab in labels.split(" | "):
            cat, _, val = lab.partition("=")
            if cat in IDS:
                gold += 1
                removed += val not in o
    print(f"identifier recall {removed / max(gold, 1):.3f} ({removed}/{gold}); "
          f"false-redaction rate on clean rows {changed / max(clean, 1):.3f} ({changed}/{clean})")


if __name__ == "__main__":
    sys.exit(main())
