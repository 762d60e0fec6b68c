#!/usr/bin/env python3
"""Seeded-corpus check of faultline's alarms, by evidence source.

Samples correct programs (bases) and labelled mutants from a corpus written by `faultline train --corpus DIR`
(DIR/programs.jsonl), runs `faultline check --format json` on each, and reports per fault type how often an
alarm (Error/Warning) of each source fires: on bases (false alarms, lower is better) and on mutants whose
labelled types include it (recall) or not (extra alarms).

usage: bench/corpus_alarms.py FAULTLINE CORPUS_DIR [--bases N] [--mutants N] [--seed S] [--jobs J]
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

VERBOSE = False
SOURCES = {"FL1": "static", "FL2": "classifier", "FL3": "what-if"}


def source_of(code):
    return SOURCES.get(code[:3], "other")


def alarms(binary, source_text):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(source_text)
        path = f.name
    try:
        out = subprocess.run([binary, "check", "--format", "json", path], capture_output=True, text=True,
                             timeout=600)
        doc = json.loads(out.stdout)
        found = []
        for d in doc["files"][0]["diagnostics"]:
            if d.get("severity", 4) <= 2:
                found.append((source_of(d.get("code", "")), d.get("data", {}).get("fault", "")))
                if VERBOSE and found[-1][0] == "what-if":
                    print("   ", d.get("message", ""), file=sys.stderr)
        return found
    finally:
        os.unlink(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("corpus")
    ap.add_argument("--bases", type=int, default=60)
    ap.add_argument("--mutants", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", action="store_true", help="print each program's alarms")
    args = ap.parse_args()
    global VERBOSE
    VERBOSE = args.verbose

    programs = [json.loads(line) for line in open(os.path.join(args.corpus, "programs.jsonl"))]
    programs = [p for p in programs if p.get("status") == "ok"]
    rng = random.Random(args.seed)
    bases = [p for p in programs if not p["mutations"]]
    mutants = [p for p in programs if p["mutations"] and p["seeded"]]
    sample = rng.sample(bases, min(args.bases, len(bases))) + rng.sample(mutants, min(args.mutants, len(mutants)))

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda p: alarms(args.binary, p["source"]), sample))

    base_alarm = collections.Counter()  # (source) -> bases with any alarm of that source
    base_by_type = collections.Counter()  # (source, type)
    hit = collections.Counter()  # (source, type) -> mutants labelled type with an alarm of that type
    labelled = collections.Counter()  # type -> mutants labelled with it
    extra = collections.Counter()  # (source, type) -> alarms of a type the mutant is not labelled with
    n_bases = n_mutants = 0
    for p, found in zip(sample, results):
        if args.verbose and found:
            print(p["id"], p["mutations"], "labelled", p["seeded"], "alarms", sorted(set(found)))
        if not p["mutations"]:
            n_bases += 1
            for src in {s for s, _ in found}:
                base_alarm[src] += 1
            for key in set(found):
                base_by_type[key] += 1
            continue
        n_mutants += 1
        for t in p["seeded"]:
            labelled[t] += 1
        for src, t in set(found):
            if t in p["seeded"]:
                hit[(src, t)] += 1
            else:
                extra[(src, t)] += 1

    print(f"bases {n_bases}, mutants {n_mutants} (corpus {args.corpus}, sample seed {args.seed})")
    print("bases with an alarm, by source: " +
          ", ".join(f"{s} {base_alarm[s]}/{n_bases}" for s in ["static", "classifier", "what-if"]))
    print(f"{'type':20} {'labelled':>8}  " + "  ".join(f"{s + ' recall':>18} {'extra':>5} {'on bases':>8}"
                                                     for s in ["static", "classifier", "what-if"]))
    for t in sorted(labelled):
        cells = []
        for s in ["static", "classifier", "what-if"]:
            cells.append(f"{hit[(s, t)]:>10}/{labelled[t]:<3} ({100.0 * hit[(s, t)] / labelled[t]:3.0f}%) "
                         f"{extra[(s, t)]:>5} {base_by_type[(s, t)]:>8}")
        print(f"{t:20} {labelled[t]:>8}  " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
