#!/usr/bin/env python3
"""Held-out seeded evaluation of everything that raises alarms: static checks, classifiers, what-if probes.

Runs `faultline check --format json` (the whole pipeline) on programs of a corpus written by
`faultline train --corpus DIR` (DIR/programs.jsonl), scored against the labels the classifiers learn from:
`faultline train --corpus DIR --labels FILE` writes them (a mutant's seeded types when it trained measurably
worse than its base; none for bases and for mutants that did not), with the train/validation/test split by
base program. Only the test split is scored by default: the classifiers never saw those bases.

Per fault type, over (program, type) pairs, an alarm is a diagnostic of severity Error or Warning:
precision, recall and F1 for each evidence source (FL1xx static, FL2xx classifier, FL3xx what-if) and for all
of them together (what `faultline check` reports). Also: the share of correct programs (bases) with any alarm.

usage: bench/corpus_alarms.py FAULTLINE CORPUS_DIR LABELS [--split test] [--limit N] [--seed S] [--jobs J]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import random
import subprocess
import sys
import tempfile

SOURCES = {"FL1": "static", "FL2": "classifier", "FL3": "what-if"}
TYPES = ["opt", "lr", "act", "loss", "epoch", "batch_size", "data_preprocessing", "weight_init", "hidden_activation"]


def alarms(binary, source_text):
    """(source, fault) pairs of the alarms `faultline check` reports for one program."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(source_text)
        path = f.name
    try:
        out = subprocess.run([binary, "check", "--format", "json", path], capture_output=True, text=True,
                             timeout=600)
        doc = json.loads(out.stdout)
        found = set()
        for d in doc["files"][0]["diagnostics"]:
            if d.get("severity", 4) <= 2:
                found.add((SOURCES.get(d.get("code", "")[:3], "other"), d.get("data", {}).get("fault", "")))
        return found
    finally:
        os.unlink(path)


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("corpus")
    ap.add_argument("labels")
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=0, help="score a random sample of this many programs")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    labels = {}
    for line in open(args.labels):
        d = json.loads(line)
        if d["split"] == args.split:
            labels[d["id"]] = set(d["labels"])
    # The last line of an id is the one training read: a program the generator changed is appended again.
    by_id = {}
    for line in open(os.path.join(args.corpus, "programs.jsonl")):
        try:
            p = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by an interrupted run
        if p.get("id") in labels:
            by_id[p["id"]] = p
    programs = sorted(by_id.values(), key=lambda p: p["id"])
    if args.limit:
        programs = random.Random(args.seed).sample(programs, min(args.limit, len(programs)))

    done = [0]

    def run(p):
        found = alarms(args.binary, p["source"])
        done[0] += 1
        if done[0] % 50 == 0 or done[0] == len(programs):
            print(f"{done[0]}/{len(programs)} programs checked", file=sys.stderr, flush=True)
        return found

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run, programs))

    sources = ["static", "classifier", "what-if", "all"]
    counts = {s: collections.Counter() for s in sources}  # (type, tp|fp|fn)
    bases = bases_alarmed = 0
    bases_by_source = collections.Counter()
    for p, found in zip(programs, results):
        truth = labels[p["id"]]
        if p["id"] == p["base"]:
            bases += 1
            bases_alarmed += bool(found)
            for s in {s for s, _ in found}:
                bases_by_source[s] += 1
        for s in sources:
            said = {t for src, t in found if s == "all" or src == s}
            for t in TYPES:
                if t in said and t in truth:
                    counts[s][(t, "tp")] += 1
                elif t in said:
                    counts[s][(t, "fp")] += 1
                elif t in truth:
                    counts[s][(t, "fn")] += 1

    print(f"{len(programs)} programs of the {args.split} split ({bases} correct bases), corpus {args.corpus}")
    print(f"correct programs with an alarm: {bases_alarmed}/{bases} (" +
          ", ".join(f"{s} {bases_by_source[s]}" for s in ["static", "classifier", "what-if"]) + ")")
    print(f"{'type':20}{'labelled':>9}  " + "".join(f"{s + ' P/R/F1':>24}" for s in sources))
    for t in TYPES:
        n = counts["all"][(t, "tp")] + counts["all"][(t, "fn")]
        cells = []
        for s in sources:
            p, r, f = prf(counts[s][(t, "tp")], counts[s][(t, "fp")], counts[s][(t, "fn")])
            cells.append(f"{p:.2f}/{r:.2f}/{f:.2f}".rjust(24))
        print(f"{t:20}{n:>9}  " + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
