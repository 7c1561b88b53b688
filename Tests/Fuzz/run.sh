#!/bin/sh
# Builds the libFuzzer targets and runs each for SECONDS (default 10), seeded from
# Fixtures/fuzz/<target>/. A crash leaves its input in Tests/Fuzz/artifacts/ and fails the run:
# add it to the target's seeds and as a regression test.
# Usage: Tests/Fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")"
seconds=${1:-10}
[ $# -gt 0 ] && shift
targets=${*:-"FuzzLineFramer FuzzGzip FuzzJSONLine FuzzTimestamp FuzzRuleFile FuzzGrok"}
# SwiftPM does not notice files added to a path dependency: build from clean (about a minute).
rm -rf .build
swift build -c debug -Xswiftc -sanitize=fuzzer,address >&2
mkdir -p artifacts
export SWIFT_BACKTRACE=enable=no   # leave crash reports to AddressSanitizer
status=0
for t in $targets; do
    corpus=$(mktemp -d)
    seeds=../../Fixtures/fuzz/$t
    echo "fuzzing $t for ${seconds}s" >&2
    if ! .build/debug/$t -max_total_time="$seconds" -max_len=65536 -artifact_prefix=artifacts/$t- "$corpus" ${seeds:+$( [ -d "$seeds" ] && echo "$seeds")} > artifacts/$t.log 2>&1; then
        echo "CRASH in $t: see Tests/Fuzz/artifacts/$t.log" >&2
        tail -30 artifacts/$t.log >&2
        status=1
    else
        grep -E "^Done|#[0-9]+.*DONE" artifacts/$t.log | tail -1 >&2 || true
    fi
    rm -rf "$corpus"
done
exit $status
