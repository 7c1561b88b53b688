#!/bin/sh
# Replay throughput beside reference commands, measured interleaved in one run (see bench.py).
# Usage: Benchmarks/run.sh [--lines N] [--rounds R]
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product vigil >&2
exec python3 Benchmarks/bench.py --vigil .build/release/vigil "$@"
