#!/usr/bin/env python3
"""Checks that generated traffic is what truth.json says: per service, lines per minute against the
mean rate times the wave factor, and error share and median latency inside and outside each anomaly.

    vigil generate --out DIR ... && python3 check_generated.py DIR [--service NAME]

Reads the lines through `vigil parse` (so every shape counts the same way). Standard library only.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))


def ms(ts):
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000 + 0.5)


def load_factor(truth, t):
    """The generator's wave factor: max(0.05, 1 + sum A sin(2 pi (t - start)/P + phase))."""
    x = (t - ms(truth["start"])) / 1000
    return max(0.05, 1 + sum(w["amplitude"] * math.sin(2 * math.pi * x / w["period_s"] + w["phase"]) for w in truth.get("waves", [])))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--service", action="append", help="services to detail (default: those with anomalies)")
    parser.add_argument("--vigil", default=os.environ.get("VIGIL", os.path.join(HERE, "../../.build/release/vigil")))
    parser.add_argument("--bucket", type=int, default=10, help="minutes per volume bucket")
    args = parser.parse_args()
    truth = json.load(open(os.path.join(args.dir, "truth.json")))
    logs = sorted(os.path.join(args.dir, n) for n in os.listdir(args.dir) if n not in ("truth.json", "records.jsonl"))
    start, end = ms(truth["start"]), ms(truth["end"])
    services = args.service or sorted({a["service"] for a in truth["anomalies"]}) or truth["services"][:1]
    events = {s: [] for s in services}   # service -> [(ts, error, latency)]
    proc = subprocess.Popen([args.vigil, "parse"] + logs, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        r = json.loads(line)
        s = r.get("service")
        if s in events and "ts" in r:
            events[s].append((ms(r["ts"]), bool(r.get("error")), r.get("latency_ms")))
    proc.wait()
    rates = truth.get("service_rates", {})
    base_errors = truth.get("base_errors", {})
    for s in services:
        ev = sorted(events[s])
        print(f"== {s}: {len(ev)} lines, mean rate {rates.get(s, '?')}/s, base error {base_errors.get(s, '?')}")
        # Volume: observed lines per minute against mean rate x average wave factor over the bucket.
        step = args.bucket * 60_000
        print(f"  {'bucket':>6} {'lines/min':>9} {'expected':>9}")
        for b0 in range(start, end, step):
            n = sum(1 for t, _, _ in ev if b0 <= t < b0 + step)
            factor = statistics.mean(load_factor(truth, b0 + k * 10_000) for k in range(step // 10_000))
            expected = rates.get(s, 0) * 60 * factor
            print(f"  {(b0 - start) // 60_000:>5}m {n / args.bucket:>9.1f} {expected:>9.1f}")
        # Error share and latency inside each anomaly of this service, and outside all of them.
        spans = [(a["kind"], ms(a["start"]), ms(a["end"]), a["intensity"]) for a in truth["anomalies"] if a["service"] == s and a["kind"] != "deploy"]
        inside = lambda t: any(a <= t < b for _, a, b, _ in spans)
        outside = [e for e in ev if not inside(e[0])]
        def describe(label, sample):
            if not sample:
                print(f"  {label}: no lines"); return
            errors = sum(1 for _, e, _ in sample if e)
            lat = [l for _, _, l in sample if l is not None]
            print(f"  {label}: {len(sample)} lines, error share {errors / len(sample):.4f}, median latency {statistics.median(lat) if lat else '-'} ms")
        describe("outside anomalies", outside)
        for kind, a, b, intensity in spans:
            describe(f"{kind} x{intensity} {(a - start) // 60_000}m-{(b - start) // 60_000}m", [e for e in ev if a <= e[0] < b])
    return 0


if __name__ == "__main__":
    sys.exit(main())
