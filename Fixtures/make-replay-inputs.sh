#!/bin/sh
# Regenerates the inputs of the golden replay cases in Fixtures/replay/ (deterministic: same bytes
# every time). Expected outputs are then rewritten by `VIGIL_UPDATE=1 swift test --filter Golden`
# and must be reviewed before committing.
# Usage: Fixtures/make-replay-inputs.sh [path/to/vigil]
set -eu
cd "$(dirname "$0")/replay"
vigil=${1:-../../.build/debug/vigil}
gen() { # case shape anomaly...
    name=$1; shape=$2; shift 2
    rm -rf "$name.tmp" "$name"; mkdir -p "$name"
    set -- "$@"
    args=""
    for a in "$@"; do args="$args --anomaly $a"; done
    # shellcheck disable=SC2086
    "$vigil" generate --out "$name.tmp" --shapes "$shape" --services 1 --rate 0.3 --duration 40m --seed 7 $args
    for f in "$name.tmp"/*; do case "$f" in *truth.json) mv "$f" "$name/truth.json";; *) mv "$f" "$name/";; esac; done
    rmdir "$name.tmp"
}
for shape in app json journald syslog syslog5424 logback; do
    gen "format-$shape" "$shape" error_burst:checkout:20m:6m:0.5
    files=$(ls "format-$shape" | grep -v truth.json)
    printf -- '--year\n2026\n%s\n' "$files" > "format-$shape/args"
done
for shape in nginx logfmt; do
    gen "format-$shape" "$shape" latency:checkout:20m:8m:12
    files=$(ls "format-$shape" | grep -v truth.json)
    printf '%s\n' "$files" > "format-$shape/args"
done

# Several sources in several formats, merged by event time.
mixed() { # case anomaly...
    name=$1; shift
    rm -rf "$name"; mkdir -p "$name"
    args=""
    for a in "$@"; do args="$args --anomaly $a"; done
    # shellcheck disable=SC2086
    "$vigil" generate --out "$name" --services 4 --rate 0.3 --duration 45m --seed 11 $args
    files=$(ls "$name" | grep -v truth.json)
    printf '%s\n' "$files" > "$name/args"
}
mixed error-burst error_burst:payments:25m:5m:0.4
mixed latency-regression latency:cart:25m:10m:10
mixed quiet

# Out of order: the error burst of format-app, lines shuffled within 20 s buckets, and five lines
# moved 5 minutes later than they belong (they must be counted as late, not merged).
rm -rf out-of-order; mkdir -p out-of-order
python3 - format-app/app.log out-of-order/app.log <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines(keepends=True)
rng = random.Random(3)
out = []
for i in range(0, len(lines), 6):
    chunk = lines[i:i + 6]
    rng.shuffle(chunk)
    out.extend(chunk)
late = [out.pop(k) for k in (300, 400, 500, 600, 650)]
for j, line in enumerate(late):
    out.insert(min(len(out), 700 + 100 * j), line)
open(sys.argv[2], "w").write("".join(out))
PY
printf 'app.log\n' > out-of-order/args

# A rotated set with gzip members: the same lines as format-app, split into four generations;
# app.log.3.gz holds two gzip members. Expected output equals format-app's.
rm -rf rotated-gz; mkdir -p rotated-gz
src=format-app/app.log
total=$(wc -l < "$src")
q=$((total / 4))
sed -n "1,$((q / 2))p" "$src" | gzip -n > rotated-gz/app.log.3.gz
sed -n "$((q / 2 + 1)),${q}p" "$src" | gzip -n >> rotated-gz/app.log.3.gz
sed -n "$((q + 1)),$((2 * q))p" "$src" | gzip -n > rotated-gz/app.log.2.gz
sed -n "$((2 * q + 1)),$((3 * q))p" "$src" > rotated-gz/app.log.1
sed -n "$((3 * q + 1)),\$p" "$src" > rotated-gz/app.log
printf 'app.log.3.gz\napp.log.2.gz\napp.log.1\napp.log\n' > rotated-gz/args

# Bad lines inside an archive: binary junk, invalid UTF-8, CRLF endings and a line over the
# 64 KiB limit, between good lines; every good line must still count.
rm -rf bad-lines; mkdir -p bad-lines
python3 - format-app/app.log bad-lines/app.log <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().splitlines(keepends=True)
out = []
for i, line in enumerate(lines):
    if i == 100: out.append(b"\x00\x01\x02binary\xff\xfe junk\x00\n")
    if i == 200: out.append(line[:24] + b" INFO [checkout] caf\xe9 \xc3\x28 invalid utf-8 latency_ms=20\n")
    if i == 300: out.append(b"x" * 70000 + b"\n")
    if 400 <= i < 410: line = line.rstrip(b"\n") + b"\r\n"
    if i == 500: out.append(b"this line matches no format at all\n")
    out.append(line)
open(sys.argv[2], "wb").write(b"".join(out))
PY
gzip -n bad-lines/app.log
printf 'app.log.gz\n' > bad-lines/args

# Change linking, problem candidates and silence (issue 5).
mixed deploy-regression deploy:cart:22m:1s:3 latency:cart:25m:10m:10
mixed benign-deploy deploy:payments:20m:1s:9 deploy:cart:35m:1s:4
mixed novelty new_error:checkout:35m:8m:0.3
mixed absence silence:payments:32m:13m
# The latency regression of latency-regression, with its deploy given by a --changes feed instead.
rm -rf changes-feed; mkdir -p changes-feed
cp latency-regression/*.log latency-regression/events.jsonl changes-feed/
cat > changes-feed/changes.jsonl <<'JSONL'
{"time":"2026-11-26T10:23:30Z","service":"cart","kind":"deploy","version":"5.1.0"}
{"time":"2026-11-26T10:10:00Z","service":"payments","kind":"config_reload","summary":"feature flag checkout_v2 on"}
JSONL
printf -- '--changes\nchanges.jsonl\n%s\n' "$(ls changes-feed | grep -v changes.jsonl)" > changes-feed/args

# Volume, SLO burn rate and recurring incidents (issue 5). The SLO cases use the built-in rules
# (symlinked) plus a file that sets objectives; slo-quiet sets one that normal traffic keeps.
mixed volume-spike volume:cart:25m:6m:4
mixed volume-drop volume:payments:25m:10m:0.2
mixed recurring error_burst:payments:15m:4m:0.5 error_burst:payments:33m:4m:0.5
slo() { # case objective-file anomaly...
    name=$1; objectives=$2; shift 2
    mixed "$name" "$@"
    mkdir -p "$name/rules"
    for f in patterns formats.rules detectors.rules changes.rules sla.rules; do ln -s "../../../../Rules/$f" "$name/rules/$f"; done
    printf '%s\n' "$objectives" > "$name/rules/slo.rules"
    printf -- '--rules\nrules\n%s\n' "$(ls "$name" | grep -v -e truth.json -e rules -e "^args$")" > "$name/args"
}
slo slo-burn "$(printf '# payments promises 99 %% good requests\n[service payments]\nslo.objective = 99%%')" error_burst:payments:25m:6m:0.9
slo slo-quiet "$(printf '# objectives that normal traffic keeps\n[service checkout]\nslo.objective = 99%%\n[service payments]\nslo.objective = 95%%')"
