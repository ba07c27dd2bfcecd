#!/usr/bin/env python3
"""gen_detect_corpus.py — seeded, reproducible labelled corpus for the PHI engine.

Writes TSV rows: group<TAB>type<TAB>key<TAB>text<TAB>labels
  group   health (healthcare site, carries PHI), general (general hospital page: careers, parking,
          news, visiting hours — must give no hit), other (non-healthcare sites, hard negatives)
  type    text | url | form | json
  key     field name ("-" for none)
  labels  category=exact substring, joined by " | " ("-" for none); categories are the names
          pw_phi_category_name prints (email, phone, ssn, date, zip, address, ip, record-id, npi,
          dea, mbi, card, name, health, care-intent)
Usage: gen_detect_corpus.py [--seed N] [--rows N] > corpus.tsv
All values are synthetic and written by this script (555 numbers, example.* domains).
"""
import argparse
import random
import urllib.parse

FIRST = ["Maria", "James", "Aisha", "Wei", "Olivia", "Carlos", "Priya", "Noah", "Fatima", "Liam",
         "Sofia", "Mateo", "Hannah", "Kwame", "Elena", "Yusuf", "Grace", "Diego", "Mei", "Samuel"]
LAST = ["Lopez", "Nguyen", "Okafor", "Schmidt", "Patel", "Johnson", "Kowalski", "Haddad",
        "Fischer", "Tanaka", "Rivera", "O'Brien", "Andersen", "Moreau", "Ibrahim", "Walsh"]
STREETS = ["Elm", "Maple", "Washington", "Lake View", "Harbor", "Cedar Ridge", "Mill", "Oak"]
SUFFIX = ["Street", "St", "Avenue", "Ave", "Road", "Drive", "Lane", "Blvd", "Court"]
CITIES = [("Boston", "MA"), ("Austin", "TX"), ("Denver", "CO"), ("Columbus", "OH"),
          ("Portland", "OR"), ("Tampa", "FL"), ("Madison", "WI"), ("Raleigh", "NC")]
DOMAINS = ["example.com", "mail.example.org", "example.net", "inbox.example.co"]
# lay and clinical health phrases (written for this generator, not taken from data/vocab)
HEALTH = ["breast cancer", "diabetes", "depression", "heart attack", "HIV", "knee replacement",
          "chest pain", "migraine", "prostate cancer", "opioid addiction", "pregnancy test",
          "IVF", "anxiety", "asthma", "hip replacement", "colonoscopy", "chemotherapy",
          "kidney stones", "dementia", "eating disorder", "abortion", "STD testing", "insomnia",
          "high blood pressure", "Crohn's disease", "bipolar disorder", "ADHD", "lung cancer",
          "sleep apnea", "hepatitis C", "mammogram", "physical therapy", "dialysis", "psoriasis"]
CARE = [("Book an appointment", "care-intent"), ("Schedule a visit", "care-intent"),
        ("Find a doctor", "care-intent"), ("Pay my bill", "care-intent"),
        ("Request a prescription refill", "care-intent"), ("Patient portal login", "care-intent"),
        ("Start a virtual visit", "care-intent")]
GENERAL_TITLES = ["Careers | Nursing Jobs", "Parking and Directions", "Visiting Hours",
                  "Hospital News: New Garage Opens", "Volunteer Opportunities", "Gift Shop Hours",
                  "Cafeteria Menu This Week", "Meet Our Board of Trustees", "Contact Us",
                  "Donate to the Foundation", "Press Releases 2024", "Maps and Campus Tours",
                  "Employee Benefits Overview", "Join Our Team: Security Officer",
                  "Hospital Wins Award for Sustainability", "Public Wi-Fi Access"]
GENERAL_PATHS = ["/careers/nursing", "/visitors/parking", "/visitors/visiting-hours",
                 "/news/2024/05/01/new-garage-opens", "/about/board", "/giving/donate",
                 "/careers/search-jobs", "/about/awards", "/maps/main-campus", "/contact"]
OTHER_TEXT = ["Order #{o} shipped on {d}", "Tracking number {t}", "Release v{v} is out",
              "Build {v} deployed at {ts}", "SKU {sku} in stock", "Invoice {o} paid",
              "Chrome/{v} Safari/537.36", "Served in {ms} ms at {ts}"]


def luhn_digit(partial):
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, xs):
        return self.r.choice(xs)

    def digits(self, n):
        return "".join(str(self.r.randrange(10)) for _ in range(n))

    def name(self):
        return self.pick(FIRST), self.pick(LAST)

    def email(self):
        f, l = self.name()
        sep = self.pick([".", "_", ""])
        return f"{f.lower()}{sep}{l.lower().replace(chr(39), '')}{self.r.randrange(100)}@{self.pick(DOMAINS)}"

    def phone(self):
        area = f"{self.r.randrange(2, 10)}{self.digits(2)}"
        while area in ("800", "888", "877", "866", "855", "844", "833"):
            area = f"{self.r.randrange(2, 10)}{self.digits(2)}"
        ex = f"{self.r.randrange(2, 10)}{self.digits(2)}"
        line = self.digits(4)
        fmt = self.pick(["({a}) {e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "+1 {a} {e} {l}",
                         "+1{a}{e}{l}", "1-{a}-{e}-{l}"])
        return fmt.format(a=area, e=ex, l=line)

    def ssn(self):
        area = self.r.randrange(1, 900)
        while area == 666:
            area = self.r.randrange(1, 900)
        return f"{area:03d}-{self.r.randrange(1, 100):02d}-{self.r.randrange(1, 10000):04d}"

    def date(self, birth=True):
        y = self.r.randrange(1930, 2010) if birth else self.r.randrange(2024, 2027)
        m, d = self.r.randrange(1, 13), self.r.randrange(1, 29)
        months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
        fmt = self.r.randrange(5)
        if fmt == 0:
            return f"{m:02d}/{d:02d}/{y}"
        if fmt == 1:
            return f"{y}-{m:02d}-{d:02d}"
        if fmt == 2:
            return f"{m}/{d}/{y}"
        if fmt == 3:
            return f"{months[m - 1]} {d}, {y}"
        return f"{d} {months[m - 1][:3]} {y}"

    def zip5(self):
        return f"{self.r.randrange(1000, 99999):05d}"

    def address(self):
        city, st = self.pick(CITIES)
        street = f"{self.r.randrange(1, 9999)} {self.pick(STREETS)} {self.pick(SUFFIX)}"
        if self.r.random() < 0.3:
            street += f" Apt {self.r.randrange(1, 40)}"
        return street, city, st

    def ip(self):
        if self.r.random() < 0.2:
            return f"2001:db8:{self.r.randrange(65536):x}::{self.r.randrange(65536):x}"
        return ".".join(str(x) for x in [self.r.randrange(1, 224), self.r.randrange(256),
                                         self.r.randrange(256), self.r.randrange(1, 255)])

    def mrn(self):
        return self.pick(["", "A", "MR"]) + self.digits(self.r.randrange(6, 10))

    def npi(self):
        base = self.pick(["1", "2"]) + self.digits(8)
        return base + luhn_digit("80840" + base)

    def dea(self):
        d = [self.r.randrange(10) for _ in range(6)]
        check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        return self.pick("ABFGM") + self.pick("BCKLMRS") + "".join(map(str, d)) + str(check)

    def mbi(self):
        letters = "ACDEFGHJKMNPQRTUVWXY"
        an = letters + "0123456789"
        c = [str(self.r.randrange(1, 10)), self.pick(letters), self.pick(an),
             str(self.r.randrange(10)), self.pick(letters), self.pick(an),
             str(self.r.randrange(10)), self.pick(letters), self.pick(letters),
             str(self.r.randrange(10)), str(self.r.randrange(10))]
        s = "".join(c)
        return s if self.r.random() < 0.6 else f"{s[:4]}-{s[4:7]}-{s[7:]}"

    def card(self):
        prefix, length = self.pick([("4", 16), ("51", 16), ("55", 16), ("37", 15), ("6011", 16)])
        body = prefix + self.digits(length - len(prefix) - 1)
        num = body + luhn_digit(body)
        if self.r.random() < 0.5 and length == 16:
            sep = self.pick([" ", "-"])
            num = sep.join(num[i:i + 4] for i in range(0, 16, 4))
        return num


def row(group, typ, key, text, labels):
    for cat, sub in labels:
        assert sub in text, (text, sub)
    lab = " | ".join(f"{c}={s}" for c, s in labels) or "-"
    return f"{group}\t{typ}\t{key or '-'}\t{text}\t{lab}"


def enc(s):
    return urllib.parse.quote(s, safe="")


def health_rows(g):
    """Rows from healthcare sites that carry PHI."""
    f, l = g.name()
    em, ph, term = g.email(), g.phone(), g.pick(HEALTH)
    slug = term.lower().replace(" ", "-").replace("'", "")
    k = g.r.randrange(16)
    if k == 0:
        return row("health", "text", "-", f"Patient name: {f} {l}, DOB: {(d := g.date())}",
                   [("name", f"{f} {l}"), ("date", d)])
    if k == 1:
        return row("health", "form", g.pick(["email", "ud[em]", "contact_email"]), em,
                   [("email", em)])
    if k == 2:
        return row("health", "form", g.pick(["phone", "ud[ph]", "mobile"]), ph, [("phone", ph)])
    if k == 3:
        return row("health", "text", "-", f"Please call me at {ph} about my {term}",
                   [("phone", ph), ("health", term)])
    if k == 4:
        q = f"https://www.example-hospital.org/appointments/confirm?first_name={f}&email={enc(em)}&phone={enc(ph)}"
        return row("health", "url", "-", q, [("care-intent", "appointments"), ("name", f),
                                             ("email", enc(em)), ("phone", enc(ph))])
    if k == 5:
        inner = f"https://www.example-hospital.org/conditions/{slug}?email={enc(em)}"
        u = f"https://www.facebook.com/tr/?id=1234567890123456&ev=PageView&dl={enc(inner)}&ts=1700000000123"
        return row("health", "url", "-", u, [("health", enc(slug)), ("email", enc(enc(em)))])
    if k == 6:
        ssn = g.ssn()
        return row("health", "text", "-", f"SSN {ssn} on file", [("ssn", ssn)])
    if k == 7:
        d = g.date(birth=g.r.random() < 0.5)
        key = g.pick(["dob", "db", "birth_date", "appointment_date"])
        return row("health", "form", key, d, [("date", d)])
    if k == 8:
        street, city, st = g.address()
        z = g.zip5()
        return row("health", "text", "-", f"Mail to {street}, {city}, {st} {z}",
                   [("address", f"{street}, {city}, {st} {z}")])
    if k == 9:
        ip = g.ip()
        return row("health", "json", "client_ip", ip, [("ip", ip)])
    if k == 10:
        m = g.mrn()
        ctx = g.pick(["MRN", "Medical record number", "MRN #"])
        if g.r.random() < 0.5:
            u = f"https://portal.example-hospital.org/patients/{m}/results"
            return row("health", "url", "-", u, [("record-id", m)])
        return row("health", "text", "-", f"{ctx}: {m}", [("record-id", m)])
    if k == 11:
        n = g.npi()
        return row("health", "text", "-", f"Provider NPI {n}", [("npi", n)])
    if k == 12:
        d, mb = g.dea(), g.mbi()
        return row("health", "text", "-", f"DEA {d}; Medicare ID {mb}", [("dea", d), ("mbi", mb)])
    if k == 13:
        c = g.card()
        return row("health", "form", g.pick(["cc", "card_number", "payment"]), c, [("card", c)])
    if k == 14:
        btn, cat = g.pick(CARE)
        return row("health", "json", "cd[buttonText]", f"{btn}", [(cat, btn)])
    q = term
    u = f"https://www.example-hospital.org/search?q={q.replace(' ', '+')}&type=all"
    return row("health", "url", "-", u, [("care-intent", q.replace(" ", "+")), ("health", q.replace(" ", "+"))])


def general_rows(g):
    """General hospital pages: must give no hit."""
    k = g.r.randrange(4)
    if k == 0:
        return row("general", "text", "-", g.pick(GENERAL_TITLES), [])
    if k == 1:
        u = (f"https://www.example-hospital.org{g.pick(GENERAL_PATHS)}?utm_source=newsletter"
             f"&utm_campaign=spring{g.r.randrange(2020, 2026)}")
        return row("general", "url", "-", u, [])
    if k == 2:
        u = (f"https://www.google-analytics.com/g/collect?v=2&tid=G-{g.digits(8)}&cid={g.digits(10)}."
             f"{g.digits(10)}&en=page_view&dl={enc('https://www.example-hospital.org' + g.pick(GENERAL_PATHS))}"
             f"&dt={enc(g.pick(GENERAL_TITLES))}&_s={g.r.randrange(1, 9)}&sr=1920x1080")
        return row("general", "url", "-", u, [])
    return row("general", "json", "cd[buttonText]",
               g.pick(["Apply Now", "Get Directions", "Donate", "Read More", "Sign Up for News",
                       "View Menu", "See All Jobs", "Contact Us"]), [])


def other_rows(g):
    """Non-healthcare sites: hard negatives (timestamps, orders, versions, pixel IDs)."""
    t = g.pick(OTHER_TEXT).format(o=f"{g.digits(3)}-{g.digits(2)}-{g.digits(4)}",
                                  d="2024-03-05", t="1Z" + g.digits(16), v=f"{g.r.randrange(1, 20)}.{g.r.randrange(10)}.{g.r.randrange(10)}.{g.r.randrange(10)}",
                                  ts=str(1700000000 + g.r.randrange(10**7)), sku=g.digits(9),
                                  ms=g.r.randrange(1000))
    if g.r.random() < 0.5:
        return row("other", "text", "-", t, [])
    u = (f"https://shop.example.com/cart?order_id={g.digits(9)}&ts={1700000000000 + g.r.randrange(10**9)}"
         f"&fbp=fb.1.{g.digits(13)}.{g.digits(10)}&v={g.r.randrange(1, 9)}.{g.r.randrange(10)}.{g.r.randrange(10)}.{g.r.randrange(99)}")
    return row("other", "url", "-", u, [])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--rows", type=int, default=3000)
    a = ap.parse_args()
    g = Gen(a.seed)
    print("# generated by data/eval/gen_detect_corpus.py --seed %d --rows %d" % (a.seed, a.rows))
    for i in range(a.rows):
        k = i % 10
        print(health_rows(g) if k < 6 else general_rows(g) if k < 8 else other_rows(g))


if __name__ == "__main__":
    main()
