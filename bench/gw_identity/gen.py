#!/usr/bin/env python3
"""gen.py N SEED — request cases (headers + body) for compare.sh, as JSON on stdout."""
import json, random, sys
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
n = int(sys.argv[1])
import time
T = int(time.time() * 1000) - 3600000
names = ["page_view", "appointment_request", "newsletter_signup", "contact_click", "hiv_test_booked",
         "diabetes_screening", "unknown_event", "page_view", "appointment_request", "PageView"] * 5 + [""]
strings = ["follow-up for chest pain", "USD", "jane.doe@example.com", "call 555-010-1234", "MRN 00123456",
           "hello", "Jane Smith", "123-45-6789", "oncology", "HIV test", "1 Main St, Springfield", "2026-01-02",
           "ok", "x" * 150, "caf\u00e9 \u2014 \u00fcber", "tab\there", "quote\"back\\slash", "<script>", "8675309",
           "Diabetes type 2 consult", "90210", "192.168.1.20", "visit 12345678901"]
urls = ["https://www.example-hospital.org/find-a-doctor/cardiology?doctor=jane-smith&utm_source=x",
        "https://www.example-hospital.org/", "https://www.example-hospital.org/conditions/hiv?email=a@b.co",
        "https://evil.example/x", "http://www.example-hospital.org:8443/locations/north", "not a url",
        "https://WWW.Example-Hospital.org/careers", "https://www.google.com/search?q=hiv+clinic", ""]
def val():
    r = rnd.random()
    if r < 0.55: return rnd.choice(strings)
    if r < 0.8: return rnd.choice([150, 0, -3, 2.5, 1e21, 12345678, 5550101234])
    if r < 0.98: return rnd.choice([True, False])
    return rnd.choice([None, [1, 2], {"a": 1}])
def event(i):
    e = {}
    if rnd.random() < 0.97: e["event_id"] = "%08x-%04x-4%03x-8%03x-%012x" % (i, i % 65536, i % 4096, 7, i * 7919)
    if rnd.random() < 0.97: e["name"] = rnd.choice(names)
    e["time"] = T - rnd.choice([0, 1000, 3600000, 86400000])
    for k in ["page_url", "referrer"]:
        if rnd.random() < 0.7: e[k] = rnd.choice(urls)
    if rnd.random() < 0.5: e["page_title"] = rnd.choice(strings)
    if rnd.random() < 0.8: e["consent"] = {"ads": rnd.random() < 0.6, "analytics": rnd.random() < 0.8}
    if rnd.random() < 0.6:
        u = {}
        for k in rnd.sample(["email", "phone", "first_name", "last_name", "dob", "zip", "city", "em", "ph", "bogus"], rnd.randint(1, 4)):
            u[k] = rnd.choice(["Visitor.%d@Example.com" % i, "(555) 010-%04d" % (i % 10000), "Jane", "Smith",
                               "1980-02-03", "90210", "Springfield", "a" * 64, "  MiXeD  "])
        e["user"] = u
    if rnd.random() < 0.6: e["fpid"] = "c0ffee00-1111-4222-8333-%012x" % i
    if rnd.random() < 0.85:
        e["params"] = {k: val() for k in rnd.sample(["value", "currency", "note", "doctor", "condition", "mrn", "label"], rnd.randint(1, 5))}
    return e
def body(i):
    r = rnd.random()
    if r < 0.65: return json.dumps(event(i), ensure_ascii=rnd.random() < 0.5)
    if r < 0.8: return json.dumps([event(i * 100 + k) for k in range(rnd.randint(1, 4))])
    if r < 0.88: return json.dumps({"events": [event(i * 100 + k) for k in range(rnd.randint(1, 3))]})
    bad = ['{"event_id":"x","name":1}', '{', '[]', '{"a":1,"a":2}', '[' * 40 + ']' * 40, '"str"',
           '{"event_id":"11111111-2222-4333-8444-555555555555","name":"page_view","params":{"v":{"x":1}}}',
           json.dumps({"events": [event(i)] * 120}), '\xff\xfe', '{"name":"page_view","event_id":"bad-id"}']
    return rnd.choice(bad)
cases = []
for i in range(n):
    h = {}
    r = rnd.random()
    if r < 0.6: h["Origin"] = "https://www.example-hospital.org"
    elif r < 0.65: h["Origin"] = "https://evil.example"
    r = rnd.random()
    h["Content-Type"] = "text/plain;charset=UTF-8" if r < 0.5 else "application/json" if r < 0.95 else "image/png"
    if rnd.random() < 0.7: h["User-Agent"] = rnd.choice(["Mozilla/5.0 (X11; Linux x86_64)", "curl/8", "agent for Jane Smith DOB 1980-02-03"])
    if rnd.random() < 0.3: h["X-Forwarded-For"] = rnd.choice(["203.0.113.50", "198.51.100.7, 203.0.113.9", "junk", "2001:db8::1"])
    cases.append({"headers": h, "body": body(i)})
json.dump(cases, sys.stdout)
