#!/usr/bin/env python3
"""Deterministic load for crash tests: line n has event time START + n*SPACING ms, so two runs over
the same load see the same events whatever the wall clock does. Lines in [ERR_FROM, ERR_TO) are
errors (an error spike and a new error template). Written in batches of 50 by reopening the path
(an app that reopens its log after rotation), at RATE lines/s.
Usage: crashload.py PATH COUNT RATE [ERR_FROM ERR_TO]"""
import os, sys, time
path, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
err_from, err_to = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (count, count)
START = 1772323200000  # 2026-03-01T00:00:00Z
SPACING = 100
def ts(n):
    ms = START + n * SPACING
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)
def line(n):
    if err_from <= n < err_to:
        return f"{ts(n)} ERROR [checkout] seq={n} payment gateway timeout order={n * 7919 % 100000} latency_ms={200 + n % 50}\n"
    svc = "checkout" if n % 3 else "search"
    return f"{ts(n)} INFO [{svc}] seq={n} request served latency_ms={n % 97}\n"
batch = 50
start = time.monotonic()
for first in range(0, count, batch):
    data = "".join(line(n) for n in range(first, min(count, first + batch)))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, data.encode())
    os.close(fd)
    delay = start + (first + batch) / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
