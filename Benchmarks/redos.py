#!/usr/bin/env python3
"""RELIABILITY B3 as a measurement: a catastrophic pattern (`^(a+)+$`, `^(\\w+\\s?)*$`) among the
rules, and half the lines crafted against it. Times `vigil replay --jobs 1` on the same mixed input
with the built-in rules and with the hostile rule added: the ratio is what the hostile pattern costs
the pipeline (the issue's bar: within 2x). The time of the normal lines alone is printed too.
Usage: Benchmarks/redos.py [--lines N] [--vigil PATH]"""
import argparse, os, shutil, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--lines", type=int, default=500_000)
ap.add_argument("--vigil", default=".build/release/vigil")
args = ap.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
vigil = os.path.join(root, args.vigil) if not os.path.isabs(args.vigil) else args.vigil
tmp = tempfile.mkdtemp()
try:
    normal = os.path.join(tmp, "normal.log")
    mixed = os.path.join(tmp, "mixed.log")
    with open(normal, "w") as n, open(mixed, "w") as m:
        for i in range(args.lines):
            line = "2026-11-26T10:%02d:%02d.%03dZ INFO [api] request %d served latency_ms=%d\n" % (i // 60000 % 60, i // 1000 % 60, i % 1000, i, i % 97)
            n.write(line)
            m.write(line)
            # Hostile lines for each pattern below: a's ended by "!c" (the unanchored (a+)+c needs its
            # c somewhere after the a's to backtrack), and words ended by "!".
            m.write("a" * 30 + "!c\n" if i % 2 else "word " * 12 + "!\n")
    def best(rules, path):
        result = None
        for _ in range(3):
            t = time.monotonic()
            r = subprocess.run([vigil, "replay"] + (["--rules", rules] if rules else []) + ["--jobs", "1", "--sink", "/dev/null", path],
                               capture_output=True, text=True)
            elapsed = time.monotonic() - t
            if r.returncode != 0:
                sys.exit("vigil failed: " + r.stderr)
            result = elapsed if result is None else min(result, elapsed)
        return result, r.stderr.strip().splitlines()[-1]
    plain_normal, _ = best(None, normal)
    plain_mixed, _ = best(None, mixed)
    print("built-in rules: %d normal lines %.2fs; with %d hostile lines interleaved %.2fs" % (args.lines, plain_normal, args.lines, plain_mixed))
    for pattern in [r"^(a+)+$", r"^(\w+\s?)*$", r"(a+)+c"]:
        rules = os.path.join(tmp, "rules")
        shutil.rmtree(rules, ignore_errors=True)
        shutil.copytree(os.path.join(root, "Rules"), rules)
        # Loaded first (file order is by name), so its format is tried before the built-in ones.
        with open(os.path.join(rules, "0-evil.rules"), "w") as f:
            f.write("[format evil]\npattern = %s\n" % pattern)
        evil_mixed, summary = best(rules, mixed)
        print("%-14s mixed input with the hostile rule %.2fs: %.2fx the same input without it; %s"
              % (pattern, evil_mixed, evil_mixed / plain_mixed, summary[:200]))
finally:
    shutil.rmtree(tmp)
