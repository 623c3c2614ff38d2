#!/usr/bin/python3
"""Batch information extraction over de-identified clinical notes (PHIGuard example workload).

Reads every `*.txt` note under $PHIGUARD_INPUT_DIR and writes to $PHIGUARD_OUTPUT_DIR:

  notes.jsonl   one line per note: sections, age, smoking status, alcohol use, immunizations,
                conditions, allergies, medications, and how many de-identification tags it holds
  summary.json  counts over the batch and timings

Rule- and dictionary-based (Python standard library only, no model download): section headings
(`# Heading`, `## Heading` or `Heading:` lines), smoking status with negation and past-tense cues,
and a vaccine vocabulary matched longest-first so that names containing commas stay whole.
stdout holds counts and timings only, never note text.
"""

import json
import os
import re
import sys
import time
from collections import Counter

HEADING = re.compile(r"^\s*(#{1,3})\s*(.+?)\s*$|^\s*([A-Z][A-Za-z /&]{2,40}):\s*$")
AGE = re.compile(r"\bis an? (\d{1,3})[ -](year|month)s?[ -]old\b|\bis a newborn\b", re.I)
TAG = re.compile(r"\[[A-Z][A-Z-]{1,20}\]")
PRESENTING = re.compile(r"presenting with ([^.\n]+)\.", re.I)
IMMUNIZED = re.compile(r"given the following immunizations: ([^\n]+?)\.\s*$", re.I | re.M)
SMOKING = (
    ("never", re.compile(r"\b(never smoked|non-?smoker|denies (tobacco|smoking)|does not smoke)\b", re.I)),
    ("former", re.compile(r"\b(quit|quite|stopped|former|ex-)\s*(smoking|smoker)\b|\bquit\b.*\bsmok", re.I)),
    ("current", re.compile(r"\b(active|current|daily) smoker\b|\bsmokes\b|\bpacks? per day\b", re.I)),
)
ALCOHOL = (
    ("alcohol-use-disorder", re.compile(r"\b(is an alcoholic|alcohol (use disorder|dependence|abuse))\b", re.I)),
    ("none", re.compile(r"\b(denies|no) (alcohol|etoh|drinking)\b", re.I)),
)
# CVX short descriptions as Synthea writes them; longest first so that "hep b, adult" wins over "hep b".
VACCINES = sorted(
    {
        "influenza, seasonal, injectable, preservative free", "influenza, seasonal, injectable", "hep b, adolescent or pediatric", "hep b, adult",
        "hep a, ped/adol, 2 dose", "hep a, adult", "hib (prp-omp)", "ipv", "varicella", "mmr", "dtap", "tdap", "td (adult) preservative free",
        "td (adult), 5 lf tetanus toxoid, preservative free, adsorbed", "pneumococcal conjugate pcv 13", "pneumococcal polysaccharide vaccine, 23 valent",
        "meningococcal mcv4p", "hpv, quadrivalent", "zoster vaccine, live", "rotavirus, monovalent",
        "sars-cov-2 (covid-19) vaccine, mrna, spike protein, lnp, preservative free, 30 mcg/0.3ml dose",
        "sars-cov-2 (covid-19) vaccine, mrna, spike protein, lnp, preservative free, 100 mcg/0.5ml dose",
    },
    key=len,
    reverse=True,
)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def sections(text):
    """Heading -> its body text, in order; text before the first heading goes under 'preamble'."""
    out, name, body = {}, "preamble", []
    for line in text.splitlines():
        m = HEADING.match(line)
        if m:
            out[name] = out.get(name, "") + "\n".join(body)
            name, body = slug(m.group(2) or m.group(3)), []
        else:
            body.append(line)
    out[name] = out.get(name, "") + "\n".join(body)
    return {k: v.strip() for k, v in out.items() if k != "preamble" or v.strip()}


def first_match(rules, text):
    for label, pattern in rules:
        if pattern.search(text):
            return label
    return "unknown"


def immunizations(text):
    """Vaccine names from "given the following immunizations: a, b." (vocabulary first, then commas)."""
    found = []
    for m in IMMUNIZED.finditer(text):
        rest = m.group(1).strip().lower()
        while rest:
            name = next((v for v in VACCINES if rest == v or rest.startswith(v + ",")), None)
            if name is None:
                name = rest.split(",")[0].strip()
            found.append(name)
            rest = rest[len(name):].lstrip(", ").strip()
    return found


def listing(body, none_pattern):
    """Items of an Allergies or Medications section; [] when it says there are none."""
    lines = [re.sub(r"^[-*]\s*", "", l).strip() for l in body.splitlines() if l.strip()]
    return [] if not lines or re.match(none_pattern, lines[0], re.I) else lines


def extract(rel, text):
    parts = sections(text)
    age = AGE.search(text)
    age_years = None
    if age:
        age_years = 0 if age.group(1) is None else (int(age.group(1)) if age.group(2).lower() == "year" else int(age.group(1)) // 12)
    social = parts.get("social-history", text)
    return {
        "file": rel,
        "sections": sorted(parts),
        "ageYears": age_years,
        "smoking": first_match(SMOKING, social),
        "alcohol": first_match(ALCOHOL, social),
        "immunizations": immunizations(text),
        "conditions": [c.strip().lower() for c in PRESENTING.findall(parts.get("assessment-and-plan", "") or text)],
        "allergies": listing(parts.get("allergies", ""), r"no known allergies"),
        "medications": listing(parts.get("medications", ""), r"no active medications"),
        "deidTags": dict(Counter(t.strip("[]").lower() for t in TAG.findall(text))),
    }


def main():
    input_dir = os.environ.get("PHIGUARD_INPUT_DIR")
    output_dir = os.environ.get("PHIGUARD_OUTPUT_DIR")
    if not input_dir or not output_dir or not os.path.isdir(input_dir):
        print("batch.py: set PHIGUARD_INPUT_DIR (a folder) and PHIGUARD_OUTPUT_DIR", file=sys.stderr)
        return 2
    os.makedirs(output_dir, exist_ok=True)
    started = time.perf_counter()
    results, other = [], 0
    for root, dirs, files in os.walk(input_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if not name.endswith(".txt"):
                other += 1
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                results.append(extract(os.path.relpath(path, input_dir), f.read()))
    with open(os.path.join(output_dir, "notes.jsonl"), "w", encoding="utf-8") as out:
        for r in results:
            out.write(json.dumps(r, sort_keys=True) + "\n")
    summary = {
        "jobId": os.environ.get("PHIGUARD_JOB_ID"),
        "notes": len(results),
        "otherFiles": other,
        "smoking": dict(Counter(r["smoking"] for r in results)),
        "alcohol": dict(Counter(r["alcohol"] for r in results)),
        "immunizations": dict(Counter(v for r in results for v in r["immunizations"]).most_common()),
        "conditions": dict(Counter(c for r in results for c in r["conditions"]).most_common()),
        "seconds": round(time.perf_counter() - started, 4),
    }
    with open(os.path.join(output_dir, "summary.json"), "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2, sort_keys=True)
    print(f"processed {len(results)} notes ({other} other files) in {summary['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
