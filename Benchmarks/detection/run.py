#!/usr/bin/env python3
"""Detection benchmark: generated scenarios with known anomalies, replayed through vigil, scored.

Each scenario family is generated with `vigil generate` for several seeds (a "tune" set and a
"holdout" set), replayed with `vigil replay`, and its records are scored against truth.json.
The scoring rules are in README.md next to this file; this script is their only implementation.

    python3 Benchmarks/detection/run.py [--split tune|holdout|all] [--jobs 2] [--json out.json]

Standard library only (jsonschema is used when importable, to validate every record line).
"""
import argparse
import concurrent.futures
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "schema", "vigil-record.v1.schema.json")

TUNE_SEEDS = (1, 2)
HOLDOUT_SEEDS = (3, 4)
HOURS = 4
# Truth matching tolerance around an anomaly, and the window after a deploy in which an anomaly
# makes the expected verdict "degraded".
MATCH_SLACK_MIN = 5
DEGRADED_AFTER_DEPLOY_MIN = 10

# The estate shared by every scenario: 12 services (the generator's order), three high-volume
# (500-1000 lines/min), two mid-volume (200-250/min), seven low-volume (0.5-1 lines/s).
SERVICE_RATES = {
    "checkout": 12.0, "payments": 8.5, "cart": 16.7,          # 720, 510, 1000 lines/min
    "catalog": 4.0, "search": 3.5,                              # 240, 210 lines/min
    "auth": 1.0, "inventory": 0.8, "shipping": 0.6, "notifications": 0.5,
    "recommendations": 1.0, "pricing": 0.7, "reviews": 0.5,
}

# Which detectors count as finding each kind of injected anomaly.
DETECTORS_FOR = {
    "error_burst": {"error_ratio", "burn_rate"},
    "latency": {"latency"},
    "new_error": {"novelty"},
    "silence": {"absence"},
    "volume": {"volume"},
}


def family(name, waves, anomalies=(), base_errors=None, what=""):
    """A scenario family. `anomalies` are (kind, service, offset_min, duration_min, intensity|None);
    offsets are shifted by a per-seed amount (see anomaly_shift) so that seeds differ in time too."""
    return {"name": name, "waves": waves, "anomalies": list(anomalies), "base_errors": base_errors or {}, "what": what}


FAMILIES = [
    family("quiet_w60", [(0.6, "40m")], what="no anomaly, waves +-60 %/40 m"),
    family("quiet_w70_daily", [(0.7, "30m"), (0.2, "4h")], what="no anomaly, +-70 %/30 m plus a +-20 % 4 h 'daily' wave (deepest trough: 10 % of the mean)"),
    family("burst_2x", [(0.5, "45m")], [("error_burst", "checkout", 75, 8, 0.04)], {"checkout": 0.02},
           what="error share 2 % -> 4 %, 8 min, checkout (720/min)"),
    family("burst_3x", [(0.4, "25m")], [("error_burst", "payments", 80, 8, 0.03)], {"payments": 0.01},
           what="1 % -> 3 %, 8 min, payments (510/min)"),
    family("burst_5x", [(0.3, "60m"), (0.3, "20m")], [("error_burst", "cart", 70, 8, 0.05)], {"cart": 0.01},
           what="1 % -> 5 %, 8 min, cart (1000/min)"),
    family("burst_10x", [(0.5, "50m")], [("error_burst", "search", 85, 10, 0.03)], {"search": 0.003},
           what="0.3 % -> 3 %, 10 min, search (210/min)"),
    family("latency_1.3x", [(0.4, "35m")], [("latency", "catalog", 75, 15, 1.3)],
           what="latency x1.3, 15 min, catalog (240/min)"),
    family("latency_1.5x_deploy", [(0.5, "30m")], [("deploy", "checkout", 80, 0, 31), ("latency", "checkout", 80, 20, 1.5)],
           what="deploy, then latency x1.5 from the deploy for 20 min, checkout"),
    family("latency_2x", [(0.6, "55m")], [("latency", "search", 90, 15, 2.0)],
           what="latency x2, 15 min, no deploy, search (210/min)"),
    family("latency_3x_deploy", [(0.3, "90m")], [("deploy", "payments", 70, 0, 32), ("latency", "payments", 70, 20, 3.0)],
           what="deploy, then latency x3 from the deploy for 20 min, payments"),
    family("benign_deploys", [(0.5, "40m")], [("deploy", "cart", 60, 0, 33), ("deploy", "auth", 110, 0, 34), ("deploy", "catalog", 160, 0, 35)],
           what="three deploys, no anomaly"),
    family("new_error", [(0.4, "30m")], [("new_error", "catalog", 80, 30, 0.005)],
           what="new error template on 0.5 % of catalog's lines, 30 min"),
    family("silence", [(0.5, "20m")], [("silence", "shipping", 90, 12, None)],
           what="shipping (0.6/s) writes nothing for 12 min"),
    family("burst_slow", [(0.4, "45m")], [("error_burst", "payments", 85, 10, 0.05), ("latency", "payments", 85, 10, 2.5)],
           {"payments": 0.01}, what="1 % -> 5 % errors and latency x2.5 together, 10 min, payments: one truth item"),
]


def anomaly_shift(seed):
    """Minutes added to every anomaly offset of a run: 0..45 by seed, so the anomaly meets the
    waves at a different phase (every offset stays >= 60 min, within 4 h)."""
    return (seed * 17) % 46


def wave_phase(family_index, seed, wave_index):
    """A phase in radians per run, so that seeds see the waves at different points."""
    return round((family_index * 1.3 + seed * 2.1 + wave_index * 0.7) % (2 * math.pi), 3)


def generate_args(fam_index, fam, seed, out):
    args = ["generate", "--out", out, "--seed", str(1000 * (fam_index + 1) + seed), "--duration", f"{HOURS}h",
            "--services", str(len(SERVICE_RATES)), "--rate", "1"]
    for service, rate in SERVICE_RATES.items():
        args += ["--service-rate", f"{service}={rate}"]
    for service, share in fam["base_errors"].items():
        args += ["--base-error", f"{service}={share}"]
    for k, (amplitude, period) in enumerate(fam["waves"]):
        args += ["--wave", f"{amplitude}:{period}:{wave_phase(fam_index, seed, k)}"]
    shift = anomaly_shift(seed)
    for kind, service, offset, duration, intensity in fam["anomalies"]:
        spec = f"{kind}:{service}:{offset + shift}m:{max(duration, 0)}m" if duration else f"{kind}:{service}:{offset + shift}m:1s"
        if intensity is not None:
            spec += f":{intensity}"
        args += ["--anomaly", spec]
    return args


# ---------------------------------------------------------------- running vigil

class VigilFailed(Exception):
    pass


def run_vigil(vigil, args):
    proc = subprocess.run([vigil] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise VigilFailed(f"vigil {' '.join(args[:3])} ... exited {proc.returncode}:\n{proc.stderr.decode(errors='replace')}")
    return proc.stdout, proc.stderr.decode(errors="replace")


def run_one(vigil, fam_index, fam, seed, split, work, keep):
    out = os.path.join(work, f"{fam['name']}-{seed}")
    run_vigil(vigil, generate_args(fam_index, fam, seed, out))
    with open(os.path.join(out, "truth.json")) as f:
        truth = json.load(f)
    logs = sorted(os.path.join(out, n) for n in os.listdir(out) if n != "truth.json")
    stdout, stderr = run_vigil(vigil, ["replay"] + logs)
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    else:
        with open(os.path.join(out, "records.jsonl"), "wb") as f:
            f.write(stdout)
    lines = stdout.decode("utf-8", errors="replace").splitlines()
    result = score(truth, lines)
    result.update({"family": fam["name"], "seed": seed, "split": split, "replay_stderr": stderr.strip().splitlines()[-1:] })
    return result


# ---------------------------------------------------------------- scoring

def ms(ts):
    """RFC 3339 UTC -> epoch milliseconds."""
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000 + 0.5) \
        if "." in ts else int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)


def truth_items(truth):
    """Anomalies to detect. An error_burst and a latency anomaly of the same service overlapping in
    time are one cause, so one item (either detector finds it). Deploys are changes, not items."""
    items = []
    for a in truth["anomalies"]:
        if a["kind"] not in DETECTORS_FOR:
            continue
        start, end = ms(a["start"]), ms(a["end"])
        merged = False
        for item in items:
            pair = {a["kind"], *item["kinds"]} <= {"error_burst", "latency"}
            if pair and item["service"] == a["service"] and start < item["end"] and item["start"] < end:
                item["kinds"].append(a["kind"])
                item["detectors"] |= DETECTORS_FOR[a["kind"]]
                item["start"], item["end"] = min(item["start"], start), max(item["end"], end)
                merged = True
                break
        if not merged:
            items.append({"kinds": [a["kind"]], "service": a["service"], "start": start, "end": end,
                          "detectors": set(DETECTORS_FOR[a["kind"]])})
    return items


def incidents_of(records):
    """Incident records grouped by incident_id: the opening record's fields, plus every detector
    named by the opener or by any record's signals."""
    groups = {}
    for r in records:
        if r.get("kind") == "incident" and r.get("incident_id"):
            groups.setdefault(r["incident_id"], []).append(r)
    incidents = []
    for iid, recs in groups.items():
        opened = next((r for r in recs if r.get("event") == "opened"), recs[0])
        kinds = {opened.get("rule", {}).get("detector")}
        for r in recs:
            kinds |= {s.get("detector") for s in r.get("signals", [])}
        kinds.discard(None)
        incidents.append({
            "id": iid, "service": opened.get("labels", {}).get("service"), "severity": opened.get("severity"),
            "detector": opened.get("rule", {}).get("detector"), "kinds": kinds,
            "started_at": ms(opened["started_at"]),
            "detected_at": ms(opened.get("detected_at") or opened["started_at"]),
        })
    return incidents


def matches(incident, item):
    slack = MATCH_SLACK_MIN * 60_000
    return incident["service"] == item["service"] and item["start"] - slack <= incident["started_at"] <= item["end"] + slack


def change_verdicts(truth, records):
    """For each deploy: its `detected` change record (same service, started_at = deploy time), a
    `verified` record with the same change_id, and whether its verdict is the expected one."""
    detected = {}
    verified = {}
    for r in records:
        if r.get("kind") != "change":
            continue
        if r.get("event") == "detected":
            detected.setdefault((r.get("labels", {}).get("service"), ms(r["started_at"])), r.get("change_id"))
        elif r.get("event") == "verified":
            verified[r.get("change_id")] = r.get("verdict")
    expected = found = verified_n = right = 0
    anomalies = [a for a in truth["anomalies"] if a["kind"] in ("error_burst", "latency")]
    for d in (a for a in truth["anomalies"] if a["kind"] == "deploy"):
        expected += 1
        t = ms(d["start"])
        degraded = any(a["service"] == d["service"] and 0 <= ms(a["start"]) - t <= DEGRADED_AFTER_DEPLOY_MIN * 60_000 for a in anomalies)
        change_id = detected.get((d["service"], t))
        if change_id is None:
            continue
        found += 1
        if change_id in verified:
            verified_n += 1
            right += verified[change_id] == ("degraded" if degraded else "healthy")
    return {"changes_expected": expected, "changes_detected": found, "changes_verified": verified_n, "verdicts_right": right}


_validator = None


def schema_validator():
    global _validator
    if _validator is None:
        try:
            import jsonschema
            with open(SCHEMA) as f:
                schema = json.load(f)
            _validator = jsonschema.Draft202012Validator(schema)
        except (ImportError, OSError):
            _validator = False
    return _validator


def score(truth, lines):
    records, invalid = [], 0
    validator = schema_validator()
    for line in lines:
        try:
            r = json.loads(line)
        except ValueError:
            invalid += 1
            continue
        if validator and not validator.is_valid(r):
            invalid += 1
        records.append(r)
    items = truth_items(truth)
    incidents = incidents_of(records)
    paging = [i for i in incidents if i["severity"] != "info"]
    info = [i for i in incidents if i["severity"] == "info"]
    detected, delays, flaps = 0, [], 0
    per_item = []
    for item in items:
        near = [i for i in paging if matches(i, item)]
        right = [i for i in near if i["kinds"] & item["detectors"]]
        if right:
            detected += 1
            delays.append((min(i["detected_at"] for i in right) - item["start"]) / 60_000)
        if len(near) > 1:
            flaps += 1
        per_item.append({"kinds": item["kinds"], "service": item["service"], "detected": bool(right),
                         "incidents": len(near), "found_by": sorted(set().union(*(i["kinds"] for i in right))) if right else []})
    true_paging = sum(1 for i in paging if any(matches(i, item) for item in items))
    novel_services = {a["service"] for a in truth["anomalies"] if a["kind"] == "new_error"}
    spurious = sum(1 for r in records if r.get("kind") == "problem_candidate" and r.get("event") == "detected"
                   and r.get("labels", {}).get("service") not in novel_services)
    hours = (ms(truth["end"]) - ms(truth["start"])) / 3_600_000
    result = {
        "items": len(items), "detected": detected, "delays_min": delays, "flaps": flaps,
        "paging": len(paging), "true_paging": true_paging, "info": len(info),
        "spurious_problems": spurious, "hours": hours, "records": len(lines), "invalid_lines": invalid,
        "truth": per_item,
        "false_paging": [f"{i['service']}/{i['detector']}@{i['started_at']}" for i in paging if not any(matches(i, it) for it in items)],
    }
    result.update(change_verdicts(truth, records))
    return result


# ---------------------------------------------------------------- reporting

SUMMED = ("items", "detected", "flaps", "paging", "true_paging", "info", "spurious_problems", "hours", "records",
          "invalid_lines", "changes_expected", "changes_detected", "changes_verified", "verdicts_right")


def aggregate(results):
    total = {k: sum(r[k] for r in results) for k in SUMMED}
    total["runs"] = len(results)
    total["delays_min"] = [d for r in results for d in r["delays_min"]]
    total["recall"] = total["detected"] / total["items"] if total["items"] else None
    total["precision"] = total["true_paging"] / total["paging"] if total["paging"] else None
    total["median_delay_min"] = statistics.median(total["delays_min"]) if total["delays_min"] else None
    total["spurious_problems_per_24h"] = total["spurious_problems"] / total["hours"] * 24 if total["hours"] else 0
    return total


def fmt_ratio(num, den, value):
    return f"{num}/{den}" + (f" {value:.0%}" if value is not None else "") if den else "-"


def row(label, a):
    delay = f"{a['median_delay_min']:.1f}" if a["median_delay_min"] is not None else "-"
    verdicts = f"{a['verdicts_right']}/{a['changes_expected']}" if a["changes_expected"] else "-"
    return [label, str(a["runs"]), fmt_ratio(a["detected"], a["items"], a["recall"]),
            fmt_ratio(a["true_paging"], a["paging"], a["precision"]), str(a["flaps"]), delay, str(a["paging"]),
            str(a["info"]), f"{a['spurious_problems']} ({a['spurious_problems_per_24h']:.1f}/24h)",
            verdicts + (f" ({a['changes_verified']} verified)" if a["changes_expected"] else ""), str(a["invalid_lines"])]


HEADER = ["scenario", "runs", "recall", "precision", "flaps", "delay p50 min", "paging", "info", "spurious PC",
          "verdicts right/exp", "invalid"]


def print_table(rows):
    widths = [max(len(r[c]) for r in [HEADER] + rows) for c in range(len(HEADER))]
    for r in [HEADER] + rows:
        print("  ".join(v.ljust(w) if c == 0 else v.rjust(w) for c, (v, w) in enumerate(zip(r, widths))))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.environ.get("VIGIL", os.path.join(HERE, "../../.build/release/vigil")))
    parser.add_argument("--split", choices=["tune", "holdout", "all"], default="all")
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (default 2)")
    parser.add_argument("--only", help="comma-separated family names")
    parser.add_argument("--json", help="write every figure (per run, per family, totals) to this file")
    parser.add_argument("--keep", help="keep the generated data and records under this directory")
    parser.add_argument("--list", action="store_true", help="print the families and their generate options, and exit")
    args = parser.parse_args()

    families = [(k, f) for k, f in enumerate(FAMILIES) if not args.only or f["name"] in args.only.split(",")]
    if args.list:
        for k, f in families:
            print(f"{f['name']}: {f['what']}\n  vigil " + " ".join(generate_args(k, f, 1, "OUT")))
        return 0
    seeds = [(s, "tune") for s in TUNE_SEEDS if args.split in ("tune", "all")] + \
            [(s, "holdout") for s in HOLDOUT_SEEDS if args.split in ("holdout", "all")]
    if not os.access(args.vigil, os.X_OK):
        print(f"run.py: no vigil binary at {args.vigil} (build with `swift build -c release`, or set VIGIL)", file=sys.stderr)
        return 66
    if schema_validator() is False:
        print("run.py: jsonschema not importable: records are not validated", file=sys.stderr)

    work = args.keep or tempfile.mkdtemp(prefix="vigil-detection-")
    os.makedirs(work, exist_ok=True)
    results = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_one, args.vigil, k, f, s, split, work, bool(args.keep)) for k, f in families for s, split in seeds]
            for fut in concurrent.futures.as_completed(futures):
                results.append(fut.result())
    except VigilFailed as e:
        print(str(e), file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    order = {f["name"]: k for k, f in enumerate(FAMILIES)}
    results.sort(key=lambda r: (order[r["family"]], r["seed"]))
    rows, per_family = [], {}
    for k, f in families:
        a = aggregate([r for r in results if r["family"] == f["name"]])
        per_family[f["name"]] = a
        rows.append(row(f["name"], a))
    totals = {}
    for split in ("tune", "holdout", "all"):
        subset = [r for r in results if split == "all" or r["split"] == split]
        if subset:
            totals[split] = aggregate(subset)
            rows.append(row(f"TOTAL {split}", totals[split]))
    print(f"vigil detection benchmark: {len(families)} families x seeds {[s for s, _ in seeds]}, {HOURS} h each, vigil={args.vigil}")
    print_table(rows)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"families": {f["name"]: f["what"] for _, f in families}, "runs": results,
                       "per_family": per_family, "totals": totals}, fh, indent=1, default=sorted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
