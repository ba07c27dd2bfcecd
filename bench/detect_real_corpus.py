#!/usr/bin/env python3
"""detect_real_corpus.py — bench_detect corpora made of real data, read in place from ../shared/data.

The generated corpus (data/eval/gen_detect_corpus.py) is dense with labelled PHI and repeats URL
shapes; what a scan or the gateway meets is real tracker traffic. This writes, for bench_detect,
one TSV (group, type, key, text, labels — labels unused here) per real source:

  blacklight-urls  every request URL of The Markup's six Blacklight captures (requests.har, gzip'd
                   or not): tracker beacons with many parameters and percent-encoded page URLs
  blacklight-text  the same sites' rendered pages: <title>, link and button texts (what a click
                   event's button text carries)
  presidio         presidio-research's 1,500 synthetic sentences (identifiers in running text)
  maison           the Maison DLP benchmark's 1,200 messages (health positives and hard negatives)

Nothing is copied into the repository: the files go to the directory given, from the data set in
place. A source whose folder is missing is skipped with a line on stderr.

  python3 bench/detect_real_corpus.py ../shared/data /tmp/detect-real
"""
import csv
import glob
import gzip
import html
import json
import os
import re
import sys


def clean(s):
    """One TSV cell: no tabs or newlines, surrounding space trimmed."""
    return re.sub(r"[\t\r\n]+", " ", s).strip()


def read_maybe_gz(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            return f.read()
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def blacklight_urls(root):
    rows = []
    for har in sorted(glob.glob(os.path.join(root, "markup-nonprofit-health", "*", "requests.har*"))):
        try:
            log = json.loads(read_maybe_gz(har))
        except (OSError, ValueError) as e:
            print(f"detect_real_corpus: {har}: {e}", file=sys.stderr)
            continue
        for entry in log.get("log", {}).get("entries", []):
            url = clean(entry.get("request", {}).get("url", ""))
            if url:
                rows.append(("other", "url", "-", url))
    return rows


TAG_TEXT = re.compile(r"<(title|a|button)\b[^>]*>(.*?)</\1\s*>", re.I | re.S)
TAGS = re.compile(r"<[^>]+>")


def blacklight_text(root):
    rows = []
    pages = glob.glob(os.path.join(root, "markup-nonprofit-health", "*", "[0-9].html*"))
    for page in sorted(pages):
        try:
            doc = read_maybe_gz(page)
        except OSError as e:
            print(f"detect_real_corpus: {page}: {e}", file=sys.stderr)
            continue
        for _, inner in TAG_TEXT.findall(doc):
            text = clean(html.unescape(TAGS.sub(" ", inner)))
            text = re.sub(r" {2,}", " ", text)
            if text:
                rows.append(("other", "text", "-", text))
    return rows


def presidio(root):
    path = os.path.join(root, "presidio-synth", "synth_dataset_v2.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return [("other", "text", "-", clean(r["full_text"])) for r in data if clean(r["full_text"])]


def maison(root):
    path = os.path.join(root, "maison-dlp", "general-sensitive-data-benchmark.csv")
    with open(path, encoding="utf-8", newline="") as f:
        return [("other", "text", "-", clean(r["Example"])) for r in csv.DictReader(f) if clean(r["Example"])]


SOURCES = {
    "blacklight-urls": (blacklight_urls, "markup-nonprofit-health"),
    "blacklight-text": (blacklight_text, "markup-nonprofit-health"),
    "presidio": (presidio, "presidio-synth"),
    "maison": (maison, "maison-dlp"),
}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: detect_real_corpus.py SHARED_DATA_DIR OUT_DIR")
    root, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name, (read, folder) in SOURCES.items():
        if not os.path.isdir(os.path.join(root, folder)):
            print(f"detect_real_corpus: {name}: skipped: {root}/{folder} not present", file=sys.stderr)
            continue
        rows = read(root)
        with open(os.path.join(out, name + ".tsv"), "w", encoding="utf-8") as f:
            f.write(f"# {name} from {root}/{folder} by bench/detect_real_corpus.py (read in place)\n")
            for r in rows:
                f.write("\t".join(r) + "\t-\n")
        print(f"{name}: {len(rows)} fields", file=sys.stderr)


if __name__ == "__main__":
    main()
