#!/usr/bin/env python3
"""gen_variants.py — derive combinatorial variants of the hand-written vocabulary.

Reads data/vocab/*.tsv (written by hand) and writes data/vocab/generated/variants.tsv:
  * service phrases around conditions: "<condition> treatment", "<condition> specialist",
    "living with <condition>", "symptoms of <condition>" ... (class and sensitivity of the base);
  * anatomy combinations written here: "<organ> cancer", "<organ> pain", "<part> injury",
    "fracture of <bone>", "disorders of the <organ>" ...;
  * anatomical adjective x lesion word ("corneal scar", "gingival recession"), joint patterns
    ("knee instability", "stiff shoulder", "loose body in the knee");
  * injuries named by mechanism or circumstance, as patients and pages word them: falls from,
    off and down named things ("fell off a ladder"), bites and stings by animal, burns by kind
    and body part, wounds by weapon, "<activity or vehicle> injury", "hit by a car". Bare event
    words ("fall", "accident", "crash", "assault") are never emitted: they are ordinary English;
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

# ---- injuries and their circumstances, as patients and pages word them ----
# Only phrases that name an injury or its mechanism in words a person would use ("fell off a
# ladder", "dog bite", "chemical burn", "skiing injury"); never a bare event word ("fall",
# "accident", "crash"), which is ordinary English and appears in incident reports that are not
# health information.
FALL_FROM = ["ladder", "step ladder", "stepladder", "roof", "bed", "bunk bed", "chair",
             "wheelchair", "tree", "horse", "bicycle", "bike", "scaffolding", "scaffold",
             "balcony", "window", "trampoline", "playground equipment", "monkey bars", "swing",
             "stool", "step stool", "changing table", "cliff", "height", "skateboard",
             "scooter", "motorcycle", "toilet", "bathtub", "stairs", "steps", "staircase",
             "loft", "deck", "porch", "truck", "hospital bed", "crib", "high chair"]
FALL_DOWN = ["stairs", "steps", "a flight of stairs", "the stairs", "the steps"]
FALL_ON = ["ice", "the ice", "stairs", "the stairs", "steps", "wet floor", "a wet floor",
           "the bathroom floor", "black ice", "snow and ice"]
FALL_PHRASES = ["slip and fall", "slip and fall injury", "trip and fall", "slip trip and fall",
                "slipped and fell", "tripped and fell", "fall injury", "fall injuries",
                "fall related injury", "fall related injuries", "injured in a fall",
                "injury from a fall", "injuries from a fall", "injuries from falls",
                "hurt in a fall", "falls in older adults", "falls in the elderly",
                "fall in the elderly", "elderly falls", "fall with injury",
                "fall from a height", "falls from height", "slipped on ice", "slip on ice",
                "fall from standing", "ground level fall", "mechanical fall"]
BITERS = ["dog", "cat", "snake", "spider", "rat", "horse", "monkey", "bat", "raccoon", "fox",
          "squirrel", "rodent", "animal", "human", "insect", "mosquito", "tick", "flea",
          "bed bug", "bedbug", "ant", "fire ant", "shark", "alligator", "crocodile", "lizard",
          "ferret", "hamster", "rabbit", "pig", "cow", "sheep", "goat", "parrot", "bird",
          "eel", "rattlesnake", "copperhead", "black widow", "brown recluse",
          "chigger", "mite", "lice", "horsefly", "deer fly", "sand fly", "wild animal"]
STINGERS = ["bee", "wasp", "hornet", "yellow jacket", "insect", "jellyfish", "scorpion",
            "stingray", "fire ant", "ant", "sea urchin", "portuguese man o war",
            "caterpillar", "nettle", "stinging nettle", "coral", "lionfish"]
BURN_KINDS = ["chemical", "acid", "alkali", "caustic", "electrical", "thermal", "flame",
              "fire", "contact", "friction", "steam", "scald", "hot water", "hot oil",
              "grease", "hot liquid", "radiation", "sun", "rope", "carpet", "cigarette",
              "tar", "hot coffee", "first degree", "second degree", "third degree",
              "fourth degree", "1st degree", "2nd degree", "3rd degree", "partial thickness",
              "full thickness", "superficial", "deep", "minor", "severe", "major",
              "extensive", "facial", "eye", "inhalation", "airway", "corneal"]
WOUND_KINDS = ["gunshot", "gun shot", "bullet", "stab", "knife", "shrapnel", "blast",
               "firearm", "gun", "shotgun", "pellet", "bb gun", "nail gun", "needle",
               "needlestick", "needle stick", "glass", "bite", "animal bite", "dog bite",
               "chainsaw", "machete", "arrow"]
INJURY_CONTEXTS = ["car", "car accident", "car crash", "auto", "auto accident",
                   "motor vehicle", "motor vehicle accident", "motor vehicle crash", "vehicle",
                   "truck", "truck accident", "bus", "bus accident", "motorcycle",
                   "motorcycle accident", "motorcycle crash", "motorbike", "moped", "scooter",
                   "e scooter", "electric scooter", "bicycle", "bicycle accident", "bike",
                   "bike accident", "cycling", "cycling accident", "atv", "atv accident",
                   "quad bike", "snowmobile", "snowmobile accident", "boat", "boating",
                   "boating accident", "jet ski", "personal watercraft", "train", "tractor",
                   "farm", "farming", "golf cart", "skateboard", "skateboarding", "skiing",
                   "ski", "snowboard", "snowboarding", "sledding", "ice skating",
                   "roller skating", "rollerblading", "inline skating", "hoverboard",
                   "trampoline", "playground", "horseback riding", "horse riding",
                   "equestrian", "diving", "diving board", "swimming pool", "pedestrian",
                   "workplace", "work", "work related", "occupational", "construction",
                   "industrial", "machinery", "machine", "lawn mower", "lawnmower", "chainsaw",
                   "power tool", "firework", "fireworks", "hunting", "football", "soccer",
                   "basketball", "baseball", "softball", "hockey", "ice hockey", "rugby",
                   "lacrosse", "volleyball", "tennis", "golf", "gymnastics", "cheerleading",
                   "dance", "ballet", "running", "climbing", "rock climbing", "wrestling",
                   "boxing", "martial arts", "athletic", "overuse", "blast", "explosion",
                   "crush", "crushing", "assault", "fire", "house fire", "electrical",
                   "lightning", "whiplash", "seatbelt", "seat belt", "airbag", "collision",
                   "rollover", "high speed", "traffic", "road traffic", "road",
                   "recreational", "water sports", "jumping", "falling object"]
STRUCK = ["hit by a car", "hit by car", "struck by a car", "struck by car", "hit by a vehicle",
          "struck by a vehicle", "struck by vehicle", "hit by a truck", "struck by a truck",
          "run over by a car", "run over by a vehicle", "hit by a bus", "hit by a train",
          "struck by a train", "kicked by a horse", "kicked by horse", "thrown from a horse",
          "thrown from horse", "bucked off a horse", "struck by falling object",
          "struck by a falling object", "hit by falling object", "hit by a falling object",
          "hit by a baseball", "hit by a ball", "hit in the head", "hit in the eye",
          "caught in machinery", "crushed by machinery", "crushed by a car",
          "injured in an assault", "assault victim", "assault victims", "victim of assault",
          "physical assault", "victim of violence", "violent injury", "violent injuries",
          "smoke inhalation", "smoke inhalation injury",
          "inhaled smoke", "submersion injury", "shallow water diving",
          "dived into shallow water", "swallowed a coin", "swallowed a magnet",
          "accidental poisoning", "accidental ingestion", "accidental overdose",
          "unintentional injury", "unintentional injuries", "intentional self harm",
          "self inflicted injury", "self inflicted wound", "non accidental injury",
          "nonaccidental trauma", "abusive head trauma", "shaken baby syndrome",
          "burn victim", "burn victims", "burn wound", "burn wounds", "burn scar",
          "burn scars", "burn injury", "burn injuries", "burned skin", "burnt skin",
          "scalded", "scalds", "scalding injury", "road rash", "frostbitten"]
BURN_PARTS = ["hand", "hands", "finger", "fingers", "face", "eye", "eyes", "arm", "arms", "leg",
              "legs", "foot", "feet", "mouth", "tongue", "throat", "lip", "lips", "chest",
              "neck", "scalp", "skin", "palm", "wrist", "ear", "ears", "eyelid",
              "eardrum", "ear drum", "esophagus", "airway", "lungs", "shoulder",
              "thigh", "knee", "ankle", "toe", "toes", "buttocks", "genitals", "trunk",
              "internal organs", "eyeball"]


# ---- anatomical adjectives x lesion words ("corneal scar", "retinal break", "gingival
# recession"): both words are needed, so neither an everyday adjective nor a bare lesion word
# fires alone. Adjectives of reproductive organs give high sensitivity.
ANAT_ADJ = ["corneal", "retinal", "choroidal", "chorioretinal", "conjunctival", "macular",
            "vitreous", "lacrimal", "scleral", "uveal", "ocular", "orbital", "palpebral",
            "tympanic", "cochlear", "vestibular", "ossicular", "renal", "hepatic", "biliary",
            "pancreatic", "splenic", "adrenal", "thyroid", "pituitary", "pulmonary", "pleural",
            "bronchial", "tracheal", "laryngeal", "pharyngeal", "nasal", "sinus", "oral",
            "gingival", "periodontal", "dental", "lingual", "salivary", "esophageal",
            "gastric", "duodenal", "intestinal", "colonic", "rectal", "anal", "perianal",
            "cardiac", "myocardial", "pericardial", "valvular", "aortic", "arterial", "venous",
            "coronary", "carotid", "cerebral", "cerebellar", "intracranial", "spinal",
            "vertebral", "intervertebral", "articular", "synovial", "cutaneous",
            "subcutaneous", "muscular", "tendon", "ligament", "urethral", "ureteral",
            "bladder", "peritoneal", "abdominal", "lymphatic", "placental", "umbilical",
            "fetal", "uterine", "ovarian", "vaginal", "vulvar", "cervical", "penile",
            "testicular", "scrotal", "prostatic", "mammary", "breast", "nipple",
            "endometrial", "tubal"]
ANAT_ADJ_HIGH = {"placental", "fetal", "uterine", "ovarian", "vaginal", "vulvar", "penile",
                 "testicular", "scrotal", "prostatic", "mammary", "breast", "nipple",
                 "endometrial", "tubal", "anal", "perianal"}
LESION_HEADS = ["scar", "scars", "scarring", "opacity", "opacities", "deposit", "deposits",
                "degeneration", "detachment", "hemorrhage", "haemorrhage",
                "bleeding", "occlusion", "obstruction", "perforation",
                "rupture", "tear", "tears", "ulcer", "ulcers", "ulceration", "erosion",
                "edema", "oedema", "cyst", "cysts", "lesion", "lesions", "mass", "masses",
                "nodule", "nodules", "polyp", "polyps", "stricture", "stenosis", "fistula",
                "abscess", "infarction", "infarct", "ischemia", "insufficiency", "failure",
                "dysfunction", "disease", "diseases", "disorder", "disorders", "injury",
                "injuries", "trauma", "laceration", "inflammation",
                "infection", "infections", "calcification", "atrophy", "hypertrophy",
                "dysplasia", "malformation", "malformations", "anomaly", "anomalies",
                "adhesions", "prolapse", "displacement", "dislocation", "neovascularization",
                "pigmentation", "dystrophy", "damage", "necrosis",
                "thrombosis", "embolism", "aneurysm", "varices", "hematoma", "contusion",
                "hypoplasia", "agenesis", "aplasia", "fibrosis", "effusion", "granuloma",
                "concretion", "hernia", "torsion", "compression", "hypoesthesia",
                "neuropathy", "spasm", "incompetence", "regurgitation",
                "dilation", "dilatation", "enlargement", "thickening", "thinning",
                "defect", "defects", "retraction", "recession",
                "atresia", "duplication", "hyperplasia"]
# adjective x head pairs that are everyday phrases or non-medical senses
ANAT_NEVER = {"dental damage", "dental failure", "oral failure", "spinal tap", "tendon failure",
              "ligament failure", "dental compression", "oral compression", "nipple failure",
              "breast failure", "sinus failure"}
CERVICAL_SPINE = {"injury", "injuries", "trauma", "compression", "spasm", "dislocation",
                  "displacement", "stenosis", "neuropathy", "hernia", "instability", "contusion",
                  "hematoma", "laceration", "degeneration", "disease", "disorder", "disorders",
                  "diseases", "damage", "defect", "defects", "malformation", "anomaly",
                  "anomalies", "calcification", "atrophy", "thickening"}
JOINTS = ["shoulder", "elbow", "wrist", "hand", "hip", "knee", "ankle", "foot", "finger",
          "fingers", "toe", "toes", "thumb", "jaw", "neck", "spine", "back", "joint", "joints",
          "sacroiliac joint", "tmj", "heel", "big toe"]
JOINT_FORMS = ["%s instability", "unstable %s", "instability of the %s",
               "instability of %s", "%s stiffness",
               "stiff %s", "stiffness of %s", "stiffness of the %s", "%s contracture",
               "contracture of %s", "%s effusion", "effusion of the %s", "%s deformity",
               "%s arthritis", "arthritis of the %s", "arthritis in the %s",
               "%s osteoarthritis", "osteoarthritis of the %s", "%s replacement",
               "%s arthroplasty", "artificial %s", "%s spur", "%s bone spur",
               "bone spur in the %s", "loose body in %s", "loose body in the %s",
               "%s ganglion", "ganglion of the %s", "%s bursitis", "%s tendonitis",
               "%s tendinitis", "%s numbness", "numb %s", "numbness in the %s",
               "%s tingling", "tingling in the %s", "%s cramp", "%s cramps",
               "%s twitching", "%s swelling", "swollen %s", "%s weakness",
               "%s osteophyte", "%s dysplasia", "%s subluxation", "%s hypermobility",
               "%s locking", "locked %s", "%s clicking", "%s popping", "%s inflammation"]
JOINT_NEVER = {"unstable back", "stiff back", "locked hand", "locked back", "locked joint",
               "artificial hand", "back swelling", "hand swelling", "locked neck", "numb back",
               "neck locking", "back locking", "hand locking", "spine locking",
               "unstable spine", "artificial spine", "artificial back", "artificial neck",
               "artificial joints", "back replacement", "neck replacement",
               "hand replacement", "spine replacement", "back deformity", "hand cramps",
               "back popping", "back clicking", "hand clicking", "neck popping",
               "neck clicking", "finger clicking", "swollen back"}


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
                "biopsy", "infusion", "vaccine", "screening", "exam", "stroke", "condition"}
# Heads by ending: tumours and blood conditions are named in the plural by the sections of a
# cancer centre ("Sarcomas", "Leukemias and Lymphomas", "Gliomas"), as are virus families
# ("Other human herpesviruses"). Only condition, procedure and symptom entries are pluralised,
# so a word such as "diploma" or "academia" never gets here.
PLURAL_ENDINGS = ("oma", "emia", "virus")


def plural(word):
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    return word + "s"


# Words a rule would derive but that are too often something else (a surname, a colour space).
NEVER = {"burns", "amd", "hsv", "ms", "ed", "add", "sad", "mi", "pad", "tb"}


class Out:
    def __init__(self, hand):
        self.seen = set(hand)
        self.rows = []

    def add(self, term, canonical, cls, sens, reg, subtype="-"):
        t = norm(term)
        if not t or t in self.seen or t in NEVER:
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


def gen_lumps(out):
    """A lump as a patient writes it in a form's reason field: "Lump in my left breast", "lump in
    the right testicle", "left breast lump" (the hand-written "lump in my breast" has no side)."""
    sites = {"breast": "high", "testicle": "high", "groin": "high", "armpit": "normal",
             "neck": "normal", "thyroid": "normal"}
    for site, sens in sorted(sites.items()):
        canonical = "%s lump" % site
        for side in ("", "left ", "right "):
            for fmt in ("lump in my %s%s", "lump in the %s%s", "lump in %s%s", "lump on my %s%s",
                        "%s%s lump", "%s%s lumps", "mass in my %s%s", "%s%s mass"):
                out.add(fmt % (side, site), canonical, "symptom", sens, "lay")


def gen_injuries(out):
    """Injuries named by mechanism or circumstance: falls from/off/down things, bites and
    stings, burns by kind and body part, wounds by weapon, activity and vehicle injuries."""
    def add(t, canonical=None, sens="normal", reg="lay"):
        out.add(t, canonical, "condition", sens, reg)
    for obj in FALL_FROM:
        for art in ("", "a ", "the ", "my "):
            for verb in ("fall from", "fall off", "fell from", "fell off", "falling from",
                         "falling off", "fallen from", "fall out of", "fell out of"):
                if "out of" in verb and obj not in ("bed", "bunk bed", "chair", "wheelchair",
                                                    "window", "tree", "crib", "high chair",
                                                    "hospital bed", "truck", "loft"):
                    continue
                if obj == "height" and art in ("the ", "my "):
                    continue
                add("%s %s%s" % (verb, art, obj), "fall injury")
    for obj in FALL_DOWN:
        for verb in ("fall down", "fell down", "falling down", "fallen down", "tumble down",
                     "tumbled down"):
            add("%s %s" % (verb, obj), "fall injury")
    for obj in FALL_ON:
        for verb in ("fall on", "fell on", "slip on", "slipped on", "slipping on"):
            add("%s %s" % (verb, obj), "fall injury")
    for t in FALL_PHRASES:
        add(t, "fall injury")
    for a in BITERS:
        add("%s bite" % a)
        add("%s bites" % a, "%s bite" % a)
        add("bitten by a %s" % a, "%s bite" % a)
        add("bitten by %s" % a, "%s bite" % a)
        add("%s bite wound" % a, "%s bite" % a)
    for a in ("cat", "dog", "animal", "human"):
        add("%s scratch" % a)
        add("%s scratches" % a, "%s scratch" % a)
    for a in STINGERS:
        add("%s sting" % a)
        add("%s stings" % a, "%s sting" % a)
        add("stung by a %s" % a, "%s sting" % a)
        add("stung by %s" % a, "%s sting" % a)
    for k in BURN_KINDS:
        add("%s burn" % k, "burn")
        add("%s burns" % k, "burn")
    for part in BURN_PARTS:
        for fmt in ("burns of %s", "burns of the %s", "burns to %s", "burns to the %s",
                    "burn to the %s", "burned %s", "burnt %s", "%s burn", "%s burns",
                    "scalded %s",
                    "chemical burn of %s", "chemical burn to the %s", "frostbite of %s",
                    "frostbitten %s", "frostbite on %s"):
            add(fmt % part, "burn", "high" if part == "genitals" else "normal")
    for k in WOUND_KINDS:
        add("%s wound" % k)
        add("%s wounds" % k, "%s wound" % k)
        add("%s injury" % k)
        add("%s injuries" % k, "%s injury" % k)
    for c in INJURY_CONTEXTS:
        for fmt in ("%s injury", "%s injuries", "%s related injury", "%s related injuries",
                    "injured in a %s", "injured in %s", "injuries from a %s",
                    "%s accident injury", "%s accident injuries", "%s crash injury",
                    "%s crash injuries"):
            if ("accident" in c or "crash" in c or "collision" in c) and \
                    ("accident" in fmt or "crash" in fmt):
                continue
            if c.endswith("related") and "related" in fmt:
                continue
            if fmt.startswith("injured in") and not c.endswith(("accident", "crash",
                                                                 "explosion", "fire",
                                                                 "collision", "assault")):
                continue
            add(fmt % c, "injury")
    for t in STRUCK:
        add(t, "injury")


def gen_anatomical_adjectives(out):
    for adj in ANAT_ADJ:
        for head in LESION_HEADS:
            t = "%s %s" % (adj, head)
            if t in ANAT_NEVER:
                continue
            # "cervical" is the neck or the cervix: the cervix unless the head is a spine word
            high = adj in ANAT_ADJ_HIGH or (adj == "cervical" and head not in CERVICAL_SPINE)
            out.add(t, None, "condition", "high" if high else "normal", "clinical")


def gen_joints(out):
    for joint in JOINTS:
        for fmt in JOINT_FORMS:
            t = fmt % joint
            if t in JOINT_NEVER:
                continue
            cls = "procedure" if fmt.endswith(("replacement", "arthroplasty")) or \
                fmt.startswith("artificial") else "condition"
            out.add(t, None, cls, "normal", "lay")


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
    for v in VITAMINS:
        out.add("%s deficiency" % v, None, "condition", "normal", "clinical")
        out.add("deficiency of %s" % v, "%s deficiency" % v, "condition", "normal", "clinical")
    for m in METABOLISM:
        for fmt in ("disorders of %s metabolism", "disorder of %s metabolism",
                    "%s metabolism disorder", "%s metabolism disorders",
                    "%s metabolism", "%s storage disorder", "%s storage disease"):
            out.add(fmt % m, None, "condition", "normal", "clinical")


JOB_SUFFIX = ["nurse", "nurses", "nurse practitioner", "nurse manager", "technician",
              "technologist", "tech", "jobs", "job", "careers", "positions", "residency",
              "fellowship", "staff", "department", "faculty", "research", "pharmacist",
              "social worker", "therapist", "director", "manager", "coordinator", "educator",
              "grand rounds", "conference", "society"]
JOB_PREFIX = ["registered nurse", "travel nurse", "staff nurse", "nurse manager", "director of",
              "chief of", "department of", "division of", "jobs in", "careers in",
              "residency in", "fellowship in"]


JOB_SUFFIX_SERVICE = ["nurse", "nurses", "technician", "technologist", "tech", "jobs",
                      "department", "staff", "manager", "coordinator"]
JOB_PREFIX_SERVICE = ["registered nurse", "nurse manager", "department of"]


def gen_job_titles(out, entries):
    """Staff, job and department names ("oncology nurse", "department of psychiatry") say
    nothing about a patient: generic, so they are the longest match there and a term inside
    them is dropped by the caller (pw_vocab_drop_contained)."""
    for e in entries:
        if e[2] not in ("specialty", "care_service", "sensitive_service", "procedure") or \
                len(e[0]) < 3:
            continue
        if e[2] != "specialty" and len(e[0].split()) > 3:
            continue
        specialty = e[2] == "specialty"
        for suffix in JOB_SUFFIX if specialty else JOB_SUFFIX_SERVICE:
            out.add("%s %s" % (e[0], suffix), None, "generic", "normal", "lay")
        for prefix in JOB_PREFIX if specialty else JOB_PREFIX_SERVICE:
            out.add("%s %s" % (prefix, e[0]), None, "generic", "normal", "lay")


def gen_plurals(out, entries):
    for e in entries:
        if e[2] not in ("condition", "procedure", "symptom"):
            continue
        words = e[0].split()
        head = words[-1] in PLURAL_HEADS or words[-1].endswith(PLURAL_ENDINGS)
        if head and " s " not in e[0] and len(words) <= 3:
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
    gen_job_titles(out, entries)
    gen_plurals(out, entries)
    gen_british(out, entries, med)
    gen_misspellings(out, entries, med, us)
    gen_anatomy(out)
    gen_systems(out)
    gen_injuries(out)
    gen_anatomical_adjectives(out)
    gen_joints(out)
    gen_condition_phrases(out, entries)
    gen_procedure_phrases(out, entries)
    gen_medication_phrases(out, entries)
    gen_lumps(out)  # last: a phrase another rule writes keeps that rule's class ("thyroid mass")
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
