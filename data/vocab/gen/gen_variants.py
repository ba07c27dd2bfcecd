#!/usr/bin/env python3
"""gen_variants.py — derive combinatorial variants of the hand-written vocabulary.

Reads data/vocab/*.tsv (written by hand) and writes data/vocab/generated/variants.tsv:
  * service phrases around conditions: "<condition> treatment", "<condition> specialist",
    "living with <condition>", "symptoms of <condition>" ... (class and sensitivity of the base);
  * anatomy combinations written here: "<organ> cancer", "<organ> pain", "<part> injury",
    "fracture of <bone>", "disorders of the <organ>" ...;
  * regular plurals of count nouns and British spellings (anaemia, oesophagus, paediatric),
    the latter kept only when the hunspell-en-med dictionary knows the spelling (used as a filter
    only; nothing is copied from it);
  * common misspellings: a doubled letter written once ("colonscopy" style), kept only when
    neither the en_US nor the en_med dictionary has the result as a real word.
Terms already present by hand are never re-emitted (the hand-written entry wins at build time
anyway). Deterministic: run it again after editing the hand-written files and commit the output.

Usage: python3 data/vocab/gen/gen_variants.py   (from the repository root)
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "generated", "variants.tsv")
MED_DIC = "/usr/share/hunspell/en_med_glut.dic"
US_DIC = "/usr/share/hunspell/en_US.dic"


def norm(s):
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s.lower()).split())


def load_entries():
    entries = []
    for path in sorted(glob.glob(os.path.join(ROOT, "*.tsv"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if len(cols) != 6:
                    sys.exit("%s: bad line: %r" % (path, line))
                entries.append(cols)
    return entries


def load_dic(path):
    words = set()
    if not os.path.exists(path):
        return words
    with open(path, encoding="utf-8", errors="replace") as f:
        next(f, None)
        for line in f:
            words.add(line.split("/")[0].strip().lower())
    return words


# ---- anatomy written for this vocabulary ----
ORGANS = ("heart lung lungs liver kidney kidneys pancreas stomach colon bowel intestine "
          "intestines esophagus bladder prostate uterus ovary ovaries cervix breast breasts "
          "thyroid brain spine skin bone bones blood eye eyes ear ears nose throat mouth tongue "
          "gallbladder spleen appendix rectum anus testicle testicles penis vagina vulva "
          "adrenal gland pituitary gland lymph node lymph nodes larynx trachea sinus sinuses "
          "joint joints muscle muscles nerve nerves artery arteries vein veins retina cornea "
          "hip knee shoulder ankle foot feet hand wrist elbow neck back jaw teeth tooth gum gums "
          "pelvis pelvic floor chest abdomen scalp nail nails heel toe toes finger fingers").split()
# multi-word organ names rebuilt from pairs above
MULTI = ["adrenal gland", "pituitary gland", "lymph node", "lymph nodes", "pelvic floor",
         "small intestine", "large intestine", "bile duct", "spinal cord", "bone marrow",
         "salivary gland", "soft tissue", "urinary tract", "heart valve", "blood vessel",
         "blood vessels", "rotator cuff", "achilles tendon", "ligament", "tendon", "cartilage",
         "skull", "rib", "ribs", "femur", "tibia", "fibula", "humerus", "radius", "ulna",
         "clavicle", "collarbone", "scapula", "patella", "kneecap", "vertebra", "vertebrae",
         "sternum", "metacarpal", "metatarsal", "phalanx", "coccyx", "tailbone", "sacrum",
         "pubis", "ilium", "calcaneus", "talus", "navicular", "scaphoid", "thigh", "forearm",
         "upper arm", "lower leg", "lower back", "upper back", "face", "lip", "eyelid",
         "orbit", "head", "leg", "legs", "arm", "arms", "thumb", "buttock", "groin",
         "abdominal wall", "thorax", "lumbar spine", "cervical spine", "thoracic spine"]
SINGLE = [w for w in ORGANS if w not in {"adrenal", "gland", "pituitary", "lymph", "node",
                                          "nodes", "pelvic", "floor"}]
PARTS = sorted(set(SINGLE + MULTI))
CANCER_SITES = ["lung", "liver", "kidney", "pancreas", "pancreatic", "stomach", "colon",
                "bowel", "esophagus", "bladder", "prostate", "uterus", "uterine", "ovary",
                "ovarian", "cervix", "cervical", "breast", "thyroid", "brain", "spine", "spinal",
                "skin", "bone", "blood", "eye", "throat", "mouth", "tongue", "gallbladder",
                "appendix", "rectum", "rectal", "anal", "testicle", "testicular", "penile",
                "vaginal", "vulvar", "adrenal", "pituitary", "larynx", "head and neck",
                "sinus", "nasal", "salivary gland", "bile duct", "small intestine",
                "soft tissue", "bone marrow", "lymph node", "kidney and bladder", "urinary tract",
                "oral", "lip", "gum", "thymus", "heart", "peritoneal", "fallopian tube",
                "endometrium", "renal", "hepatic", "gastric", "colorectal", "esophageal",
                "nasopharyngeal", "oropharyngeal", "pharyngeal", "laryngeal"]
BONES = ["hip", "wrist", "ankle", "arm", "leg", "rib", "ribs", "collarbone", "clavicle",
         "femur", "tibia", "fibula", "humerus", "radius", "ulna", "scapula", "patella",
         "kneecap", "vertebra", "vertebrae", "skull", "jaw", "nose", "finger", "toe", "thumb",
         "foot", "hand", "elbow", "shoulder", "pelvis", "heel", "spine", "back", "neck",
         "tailbone", "coccyx", "sacrum", "metacarpal", "metatarsal", "scaphoid", "navicular",
         "calcaneus", "talus", "sternum", "orbit", "facial bone", "cheekbone", "shin"]
PAIN_SITES = PARTS + ["stomach", "belly", "side", "rib", "flank", "tailbone", "arch", "calf",
                      "hamstring", "groin", "bone", "nerve", "ear", "tooth", "eye", "sinus"]

SYSTEMS = ["nervous system", "central nervous system", "peripheral nervous system",
           "respiratory system", "digestive system", "circulatory system",
           "cardiovascular system", "musculoskeletal system", "urinary system",
           "genitourinary system", "immune system", "endocrine system", "reproductive system",
           "skin and subcutaneous tissue", "subcutaneous tissue", "connective tissue",
           "blood forming organs", "eye and adnexa", "ear and mastoid process", "inner ear",
           "middle ear", "external ear", "vocal cords", "upper respiratory tract",
           "lower respiratory tract", "urinary tract", "female genital tract",
           "female genital organs", "male genital organs", "genital organs", "oral cavity",
           "salivary glands", "teeth and supporting structures", "jaws", "biliary tract",
           "gastrointestinal tract", "intestine", "peritoneum", "pleura", "mediastinum",
           "diaphragm", "lymphatic system", "spleen", "thymus", "bone density",
           "bone structure", "musculoskeletal", "soft tissues", "synovium", "bursa", "tendons",
           "ligaments", "muscles", "nerves", "nerve roots", "spinal cord", "meninges",
           "eyelid", "lacrimal system", "orbit", "conjunctiva", "sclera", "cornea", "iris",
           "lens", "choroid", "retina", "optic nerve", "visual pathways", "vitreous body",
           "globe", "tympanic membrane", "eustachian tube", "vestibular function",
           "newborn", "fetus", "placenta", "amniotic fluid", "umbilical cord", "puerperium"]
INJURY_KINDS = ["strain", "sprain", "dislocation", "subluxation", "fracture", "bite",
                "open bite", "superficial bite", "open wound", "superficial injury",
                "crushing injury", "traumatic amputation", "amputation", "corrosion", "burn",
                "frostbite", "laceration", "puncture wound", "contusion", "abrasion",
                "blister", "avulsion", "rupture", "tear", "injury", "unspecified injury",
                "foreign body"]
VITAMINS = ["vitamin a", "vitamin b", "vitamin b1", "vitamin b6", "vitamin b12", "vitamin c",
            "vitamin d", "vitamin e", "vitamin k", "folate", "folic acid", "iron", "zinc",
            "copper", "iodine", "selenium", "calcium", "magnesium", "potassium", "thiamine",
            "niacin", "riboflavin", "protein", "dietary"]
METABOLISM = ["amino acid", "fatty acid", "carbohydrate", "lipid", "lipoprotein", "mineral",
              "iron", "copper", "zinc", "purine", "pyrimidine", "urea cycle", "porphyrin",
              "bilirubin", "glycosaminoglycan", "glycoprotein", "plasma protein", "calcium",
              "phosphorus", "magnesium", "glucose", "galactose", "fructose", "glycogen",
              "sphingolipid", "cholesterol", "bone", "branched chain amino acid"]

CONDITION_SUFFIX = [("treatment", None), ("symptoms", "symptom"), ("diagnosis", None),
                    ("specialist", "specialty"), ("doctor", "specialty"),
                    ("clinic", "care_service"), ("care", "care_service"),
                    ("surgery", "procedure"), ("medication", "medication")]
CONDITION_PREFIX = ["living with", "symptoms of", "signs of", "treatment for", "diagnosed with"]
PROCEDURE_SUFFIX = ["recovery", "cost", "results", "near me", "appointment"]
MED_SUFFIX = ["side effects", "dosage", "prescription", "refill", "generic"]

BRITISH = [("hemorrh", "haemorrh"), ("hemato", "haemato"), ("hemo", "haemo"),
           ("anemia", "anaemia"), ("esophag", "oesophag"), ("pediatric", "paediatric"),
           ("gynecolog", "gynaecolog"), ("tumor", "tumour"), ("edema", "oedema"),
           ("diarrhea", "diarrhoea"), ("fetal", "foetal"), ("estrogen", "oestrogen"),
           ("leukemia", "leukaemia"), ("orthoped", "orthopaed"), ("cesarean", "caesarean"),
           ("ischemi", "ischaemi"), ("celiac", "coeliac"), ("dyspnea", "dyspnoea"),
           ("apnea", "apnoea"), ("anesthe", "anaesthe"), ("behavior", "behaviour"),
           ("center", "centre"), ("color", "colour"), ("ization", "isation"),
           ("counseling", "counselling"), ("counselor", "counsellor"), ("tumors", "tumours"),
           ("labor", "labour"), ("hemoglobin", "haemoglobin")]

PLURAL_HEADS = {"cyst", "ulcer", "tumor", "infection", "fracture", "polyp", "stone", "disorder",
                "disease", "defect", "allergy", "injury", "nodule", "wound", "migraine",
                "seizure", "headache", "test", "scan", "transplant", "injection", "lesion",
                "sprain", "burn", "abscess", "hernia", "aneurysm", "cancer", "syndrome",
                "biopsy", "infusion", "vaccine", "screening", "exam"}


def plural(word):
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    return word + "s"


class Out:
    def __init__(self, hand):
        self.seen = set(hand)
        self.rows = []

    def add(self, term, canonical, cls, sens, reg, subtype="-"):
        t = norm(term)
        if not t or t in self.seen:
            return
        self.seen.add(t)
        c = norm(canonical) if canonical else "-"
        self.rows.append((t, c if c != t else "-", cls, subtype, sens, reg))


def canon(e):
    return e[0] if e[1] == "-" else e[1]


def gen_condition_phrases(out, entries):
    for e in entries:
        if e[2] != "condition" or e[1] != "-" or len(e[0]) < 4 or len(e[0].split()) > 3:
            continue
        base = canon(e)
        for suffix, cls in CONDITION_SUFFIX:
            out.add("%s %s" % (e[0], suffix), base, cls or "condition", e[4], e[5])
        for prefix in CONDITION_PREFIX:
            out.add("%s %s" % (prefix, e[0]), base, "condition", e[4], e[5])


def gen_procedure_phrases(out, entries):
    for e in entries:
        if e[2] != "procedure" or len(e[0]) < 4:
            continue
        for suffix in PROCEDURE_SUFFIX:
            out.add("%s %s" % (e[0], suffix), canon(e), "procedure", e[4], e[5])


def gen_medication_phrases(out, entries):
    for e in entries:
        if e[2] != "medication" or len(e[0]) < 5 or " " in e[0]:
            continue
        for suffix in MED_SUFFIX:
            out.add("%s %s" % (e[0], suffix), canon(e), "medication", e[4], e[5])


def gen_anatomy(out):
    high = "high"
    for site in CANCER_SITES:
        for head in ("cancer", "tumor", "tumour", "carcinoma", "cancer treatment",
                     "cancer surgery", "cancer screening", "cancer symptoms"):
            cls = "procedure" if head.endswith(("treatment", "surgery", "screening")) else \
                "condition"
            out.add("%s %s" % (site, head), "%s cancer" % site, cls, high, "lay")
        out.add("cancer of the %s" % site, "%s cancer" % site, "condition", high, "lay")
        out.add("%s malignancy" % site, "%s cancer" % site, "condition", high, "clinical")
    for part in PARTS:
        sens = "high" if part in {"penis", "vagina", "vulva", "testicle", "testicles",
                                  "prostate", "cervix", "uterus", "ovary", "ovaries",
                                  "breast", "breasts", "anus", "rectum", "groin",
                                  "pelvic floor", "pelvis"} else "normal"
        for fmt, cls, reg in (("%s injury", "condition", "lay"),
                              ("%s injuries", "condition", "lay"),
                              ("injury of %s", "condition", "clinical"),
                              ("injury of the %s", "condition", "clinical"),
                              ("%s infection", "condition", "lay"),
                              ("%s disease", "condition", "lay"),
                              ("%s disorder", "condition", "clinical"),
                              ("%s disorders", "condition", "clinical"),
                              ("disorders of %s", "condition", "clinical"),
                              ("disorders of the %s", "condition", "clinical"),
                              ("diseases of %s", "condition", "clinical"),
                              ("diseases of the %s", "condition", "clinical"),
                              ("disease of the %s", "condition", "clinical"),
                              ("%s surgery", "procedure", "lay"),
                              ("%s transplant", "procedure", "lay"),
                              ("%s problems", "condition", "lay"),
                              ("%s swelling", "symptom", "lay"),
                              ("laceration of %s", "condition", "clinical"),
                              ("contusion of %s", "condition", "clinical"),
                              ("burn of %s", "condition", "clinical"),
                              ("%s specialist", "specialty", "lay")):
            out.add(fmt % part, None, cls, sens, reg)
    for site in PAIN_SITES:
        out.add("%s pain" % site, None, "symptom", "normal", "lay")
        out.add("pain in %s" % site, "%s pain" % site, "symptom", "normal", "lay")
        out.add("pain in the %s" % site, "%s pain" % site, "symptom", "normal", "lay")
        out.add("sore %s" % site, "%s pain" % site, "symptom", "normal", "lay")
        out.add("%s ache" % site, "%s pain" % site, "symptom", "normal", "lay")
    for bone in BONES:
        for fmt in ("broken %s", "fractured %s", "%s fracture", "%s fractures",
                    "fracture of %s", "fracture of the %s", "dislocated %s", "%s dislocation",
                    "sprained %s", "%s sprain"):
            out.add(fmt % bone, "fracture" if "fract" in fmt or "broken" in fmt else None,
                    "condition", "normal", "lay")


def gen_systems(out):
    for system in SYSTEMS:
        for fmt in ("disorders of %s", "disorders of the %s", "disorder of %s",
                    "disorder of the %s", "diseases of %s", "diseases of the %s",
                    "disease of %s", "disease of the %s", "%s disorder", "%s disorders",
                    "%s disease", "%s diseases", "complications of %s", "infection of %s",
                    "abnormalities of %s", "%s abnormality", "malformations of %s",
                    "congenital malformations of %s", "injury of %s", "neoplasm of %s"):
            out.add(fmt % system, None, "condition", "normal", "clinical")
    for part in PARTS + SYSTEMS:
        for kind in INJURY_KINDS:
            out.add("%s of %s" % (kind, part), None, "condition", "normal", "clinical")
            out.add("%s of the %s" % (kind, part), None, "condition", "normal", "clinical")
    for v in VITAMINS:
        out.add("%s deficiency" % v, None, "condition", "normal", "clinical")
        out.add("deficiency of %s" % v, "%s deficiency" % v, "condition", "normal", "clinical")
    for m in METABOLISM:
        for fmt in ("disorders of %s metabolism", "disorder of %s metabolism",
                    "%s metabolism disorder", "%s metabolism disorders",
                    "%s metabolism", "%s storage disorder", "%s storage disease"):
            out.add(fmt % m, None, "condition", "normal", "clinical")


def gen_plurals(out, entries):
    for e in entries:
        if e[2] not in ("condition", "procedure", "symptom"):
            continue
        words = e[0].split()
        if words[-1] in PLURAL_HEADS and " s " not in e[0] and len(words) <= 3:
            out.add(" ".join(words[:-1] + [plural(words[-1])]), canon(e), e[2], e[4], e[5],
                    e[3])


def gen_british(out, entries, med):
    for e in entries:
        for us, uk in BRITISH:
            if us not in e[0]:
                continue
            t = e[0].replace(us, uk)
            if all(w in med or w.isdigit() or w == e[0].split()[i]
                   for i, w in enumerate(t.split())) or uk in ("centre", "behaviour",
                                                               "counselling", "tumour"):
                out.add(t, canon(e), e[2], e[4], e[5], e[3])


def gen_misspellings(out, entries, med, us):
    for e in entries:
        if e[2] not in ("condition", "procedure", "medication") or " " in e[0]:
            continue
        w = e[0]
        if len(w) < 8:
            continue
        for i in range(len(w) - 1):
            if w[i] == w[i + 1] and w[i].isalpha():
                typo = w[:i] + w[i + 1:]
                if typo not in med and typo not in us:
                    out.add(typo, canon(e), e[2], e[4], "lay", e[3])


def main():
    entries = load_entries()
    hand = {e[0] for e in entries}
    med, us = load_dic(MED_DIC), load_dic(US_DIC)
    out = Out(hand)
    gen_plurals(out, entries)
    gen_british(out, entries, med)
    gen_misspellings(out, entries, med, us)
    gen_anatomy(out)
    gen_systems(out)
    gen_condition_phrases(out, entries)
    gen_procedure_phrases(out, entries)
    gen_medication_phrases(out, entries)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# generated by data/vocab/gen/gen_variants.py from data/vocab/*.tsv - do not "
                "edit; edit the hand-written files or the generator and rerun it\n")
        f.write("# term\tcanonical\tclass\tsubtype\tsensitivity\tregister\n")
        for row in out.rows:
            f.write("\t".join(row) + "\n")
    print("%s: %d entries (from %d hand-written)" % (OUT, len(out.rows), len(entries)))


if __name__ == "__main__":
    main()
