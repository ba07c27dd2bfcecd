#!/usr/bin/env python3
"""gen_med_words.py — single clinical words picked from the hunspell-en-med word list by shape.

hunspell-en-med (/usr/share/hunspell/en_med_glut.dic, GPL-3+, a Debian package) is broad and
noisy, so it is used here only as a source that this script filters: a word is kept when
  * it ends in a clinical suffix (-itis, -osis, -emia, -pathy, -ectomy, -plasty, -oma, -algia,
    -uria, -plegia, -rrhea, -iasis, -penia, -megaly, -cele, -scopy ...),
  * it is lower-case letters only, at least 7 long, and
  * the everyday en_US dictionary does not know it (so no ordinary English word slips in).
Class: procedure for operation/examination suffixes, otherwise condition. Sensitivity high for
oncology (-carcinoma, -sarcoma, -blastoma, lymphoma, leuk-, melanoma, myeloma) and for
reproductive or sexual organs (hyster-, oophor-, salping-, colpo-, vagin-, vulv-, orchi-,
prostat-, penil-, metr-, gonad-, mast-, ovari-, uter-, cervic-). Register: clinical.
Nothing else is taken from the dictionary. The output is data/vocab/generated/med_words.tsv;
if hunspell-en-med is not installed the script leaves the committed file untouched.

Usage: python3 data/vocab/gen/gen_med_words.py   (from the repository root)
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "generated", "med_words.tsv")
MED_DIC = "/usr/share/hunspell/en_med_glut.dic"
US_DIC = "/usr/share/hunspell/en_US.dic"

PROCEDURE_SUFFIX = ("ectomy", "ectomies", "otomy", "otomies", "ostomy", "ostomies", "plasty",
                    "plasties", "scopy", "scopies", "graphy", "gram", "grams", "pexy", "rrhaphy",
                    "tripsy", "centesis", "desis")
CONDITION_SUFFIX = ("tropia", "tropias", "phoria", "cephaly", "dactyly", "spermia", "kinesia", "phagia", "phasia", "somnia", "schisis", "lysis", "itis", "itides", "osis", "oses", "emia", "aemia", "emias", "pathy",
                    "pathies", "oma", "omas", "omata", "algia", "algias", "uria", "plegia",
                    "paresis", "trophy", "rrhea", "rrhoea", "rrhagia", "rrhage", "cele",
                    "celes", "iasis", "iases", "penia", "cytosis", "megaly", "ptosis",
                    "stenosis", "spasm", "spasms", "plasia", "malacia", "lithiasis", "philia",
                    "phobia", "mania", "ectasia", "ectasis", "dynia", "edema", "oedema")
# Everyday English also has a few of these shapes; for words the en_US dictionary knows, only
# these suffixes count, minus the listed everyday words.
EVERYDAY_OK_SUFFIX = ("itis", "itides", "osis", "oses", "emia", "aemia", "pathy", "pathies",
                      "ectomy", "ectomies", "ostomy", "plasty", "plegia", "algia", "uria",
                      "rrhea", "rrhoea", "iasis", "megaly", "penia", "trophy", "trophies",
                      "lysis", "oma", "omas", "somnia", "schisis", "plasia", "spasm",
                      "cele", "stenosis", "otomy", "scopy")
EVERYDAY_NOT = {"diagnosis", "prognosis", "hypnosis", "osmosis", "symbiosis", "metamorphosis",
                "apotheosis", "mitosis", "meiosis", "narcosis", "kenosis", "academia",
                "bohemia", "sympathy", "empathy", "telepathy", "antipathy", "nostalgia",
                "analysis", "analyses", "catalysis", "electrolysis", "psychoanalysis",
                "diploma", "diplomas", "aroma", "aromas", "dichotomy", "sympathies",
                "empathies", "trophies", "microscopy", "spectroscopy", "stereoscopy",
                "hydrolysis", "pyrolysis", "photolysis", "homeopathy", "naturopathy",
                "insomnia", "symbioses", "paralysis"}
HIGH_MARKS = ("carcinoma", "sarcoma", "blastoma", "lymphoma", "leuk", "melanoma", "myeloma",
              "hyster", "oophor", "salping", "colpo", "vagin", "vulv", "orchi", "prostat",
              "penil", "metr", "gonad", "mast", "ovari", "uter", "cervic", "phalli", "sperm",
              "vasect", "episio", "clitor", "labia")


def words(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        next(f, None)
        for line in f:
            w = line.split("/")[0].strip()
            if w:
                yield w


def main():
    if not os.path.exists(MED_DIC) or not os.path.exists(US_DIC):
        print("hunspell-en-med or en_US not installed; %s left as is" % OUT)
        return
    everyday = {w.lower() for w in words(US_DIC)}
    rows = []
    seen = set()
    for w in words(MED_DIC):
        if not (w.isalpha() and w.isascii() and w.islower()) or len(w) < 7:
            continue
        if w in everyday and (w in EVERYDAY_NOT or not w.endswith(EVERYDAY_OK_SUFFIX)):
            continue
        if w in seen:
            continue
        if w.endswith(PROCEDURE_SUFFIX):
            cls = "procedure"
        elif w.endswith(CONDITION_SUFFIX):
            cls = "condition"
        else:
            continue
        seen.add(w)
        sens = "high" if any(m in w for m in HIGH_MARKS) else "normal"
        rows.append((w, "-", cls, "-", sens, "clinical"))
    rows.sort()
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# generated by data/vocab/gen/gen_med_words.py: clinical words filtered by "
                "shape from hunspell-en-med - do not edit\n")
        # the word list is GPL-3+, so this derived file carries that licence, not the project's
        f.write("# derived from hunspell-en-med (OpenMedSpel, (c) 2007-2008 R Robinson), licensed "
                "GPL-3+: this file is distributed under the GNU GPL version 3 or later "
                "(/usr/share/common-licenses/GPL-3); delete it to build the vocabulary without it\n")
        f.write("# term\tcanonical\tclass\tsubtype\tsensitivity\tregister\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print("%s: %d entries" % (OUT, len(rows)))


if __name__ == "__main__":
    sys.exit(main())
