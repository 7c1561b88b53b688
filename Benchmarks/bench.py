#!/usr/bin/env python3
"""vigil's replay benchmark: ratios against reference commands run in the same session.

Generates a seeded corpus of mixed app-log and nginx lines (the two shapes of the C reference
pcre2ref.c), plain and gzip, then runs each command R times, interleaved (round-robin, so machine
noise hits all of them alike), and reports the median wall time, lines/s, MB/s, peak RSS and the
ratios the project's goals are stated in. Results are also written as JSON.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--vigil", required=True)
parser.add_argument("--lines", type=int, default=3_000_000, help="approximate corpus size in lines")
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--out", default=os.path.join(here, "out"))
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)

corpus_dir = os.path.join(args.out, "corpus")
plain = os.path.join(corpus_dir, "mixed.log")
gz = plain + ".gz"
services, seconds = 12, 3600
rate = args.lines / (services * seconds)
stamp = os.path.join(corpus_dir, "params")
params = f"{args.lines} {services} {seconds}"
if not (os.path.exists(gz) and os.path.exists(stamp) and open(stamp).read() == params):
    shutil.rmtree(corpus_dir, ignore_errors=True)
    print(f"generating corpus (~{args.lines} lines)...", file=sys.stderr)
    subprocess.run([args.vigil, "generate", "--out", corpus_dir, "--shapes", "app,nginx", "--services", str(services),
                    "--rate", f"{rate:.4f}", "--duration", f"{seconds}s", "--seed", "42", "--combined", "mixed.log",
                    "--anomaly", "error_burst:payments:20m:5m", "--anomaly", "latency:cart:40m:8m:8"], check=True)
    with open(gz, "wb") as out:
        subprocess.run(["gzip", "-c", plain], stdout=out, check=True)
    open(stamp, "w").write(params)

lines = sum(1 for _ in open(plain, "rb"))
size = os.path.getsize(plain)

pcre2ref = os.path.join(args.out, "pcre2ref")
if not os.path.exists(pcre2ref):
    subprocess.run(["cc", "-O2", "-o", pcre2ref, os.path.join(here, "reference", "pcre2ref.c"), "-lpcre2-8"], check=True)

# The app-log regex of pcre2ref.c, for grep -P.
app_regex = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z [A-Z]+ \[[\w.-]+\] .*?(?: latency_ms=\d+)?$"
commands = {
    "zcat > /dev/null (gz)": ["sh", "-c", f"zcat '{gz}' > /dev/null"],
    "grep -P -c (plain)": ["grep", "-P", "-c", app_regex, plain],
    "pcre2ref agg (plain)": [pcre2ref, "agg", plain],
    "vigil replay (plain)": [args.vigil, "replay", "--sink", "/dev/null", plain],
    "vigil replay (gz)": [args.vigil, "replay", "--sink", "/dev/null", gz],
}
if shutil.which("mtail"):
    print("mtail is installed but no equivalent program is wired yet; skipped", file=sys.stderr)

rss_file = os.path.join(args.out, "rss.txt")
stdout_file = os.path.join(args.out, "stdout.txt")

def run(cmd):
    """Wall time of cmd, and its peak RSS in KiB measured by /usr/bin/time (a fork of this Python
    process would report Python's own RSS). stdout goes to a file: GNU grep stops at the first
    match when it sees /dev/null."""
    wrapped = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd
    with open(stdout_file, "wb") as out:
        start = time.perf_counter()
        status = subprocess.run(wrapped, stdout=out, stderr=subprocess.DEVNULL).returncode
        elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{cmd} failed with status {status}")
    return elapsed, int(open(rss_file).read().split()[-1])

times = {name: [] for name in commands}
rss = {name: 0 for name in commands}
for r in range(args.rounds):
    for name, cmd in commands.items():
        elapsed, peak = run(cmd)
        times[name].append(elapsed)
        rss[name] = max(rss[name], peak)
    print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

results = {"lines": lines, "bytes": size, "gz_bytes": os.path.getsize(gz), "rounds": args.rounds, "commands": {}}
print(f"\ncorpus: {lines:,} lines, {size / 1e6:.0f} MB plain, {os.path.getsize(gz) / 1e6:.0f} MB gzip; median of {args.rounds} interleaved runs\n")
print(f"{'command':28} {'seconds':>8} {'lines/s':>12} {'MB/s':>8} {'peak RSS':>10}")
for name in commands:
    t = statistics.median(times[name])
    results["commands"][name] = {"seconds": t, "lines_per_s": lines / t, "mb_per_s": size / 1e6 / t, "peak_rss_kib": rss[name],
                                 "runs": times[name]}
    print(f"{name:28} {t:8.3f} {lines / t:12,.0f} {size / 1e6 / t:8.1f} {rss[name] / 1024:8.1f} MiB")

med = {name: statistics.median(v) for name, v in times.items()}
ratios = {
    "vigil plain / pcre2ref agg (goal <= 2)": med["vigil replay (plain)"] / med["pcre2ref agg (plain)"],
    "vigil plain / grep -P -c (goal <= 3)": med["vigil replay (plain)"] / med["grep -P -c (plain)"],
    "vigil gz / zcat (goal <= 1)": med["vigil replay (gz)"] / med["zcat > /dev/null (gz)"],
}
results["ratios"] = ratios
print()
for name, value in ratios.items():
    print(f"{name:42} {value:6.2f}")
with open(os.path.join(args.out, "results.json"), "w") as f:
    json.dump(results, f, indent=1)
print(f"\nwritten: {os.path.join(args.out, 'results.json')}")
