#!/usr/bin/env python3
"""make_review_cases.py — writes the HARs under tests/data/assess/ that test_assess_review.c reads:
one per defect a review of the scanner found (a finding that misled or was missing), each with
the true finding beside it that must stay. Built with make_cases.py's helpers; the HARs are
committed, rerun this only to change a case."""
import json, os, sys

sys.dont_write_bytecode = True  # no __pycache__ beside the test data
from make_cases import SITE, PIXEL, q, meta, ga4, req, har

here = os.path.dirname(os.path.abspath(__file__))


def coveo(query):
    return req("https://platform.cloud.coveo.com/rest/search/v2?organizationId=hosp1",
               method="POST", text=json.dumps({"q": query, "locale": "en-US"}))


def uet(page, extra):
    p = {"ti": "5566778", "Ver": "2", "mid": "m-1", "sid": "s-1", "vid": "v-1", "p": page,
         "tl": "Home", "r": ""}
    p.update(extra)
    return req("https://bat.bing.com/action/0?" + q(p))


cases = {
    # 1: a search with no health term on a general page is low, with one it is high; the
    # engine's "this is a search" marker is no health term
    "search_severity": [(SITE + "/", [coveo("parking garage hours")]),
                        (SITE + "/about", [coveo("mammogram")])],
    # 2: UET's kw is the page's <meta name="keywords">: page metadata, no event data; a custom
    # event named for a care step still is
    "uet_keywords": [(SITE + "/", [lambda u: uet(u, {"evt": "pageLoad",
                                                     "kw": "cancer, HIV, diabetes, hospital"})]),
                     (SITE + "/news/gala", [lambda u: uet(u, {
                         "evt": "custom", "ea": "schedule_oncology_consult", "ec": "form"})])],
}

if __name__ == "__main__":
    for name, pages in cases.items():
        with open(os.path.join(here, name + ".har"), "w") as f:
            json.dump(har(pages), f, indent=1)
            f.write("\n")
    print(f"wrote {len(cases)} HARs to {here}")
