#!/usr/bin/env python3
"""Writes numbered log lines at a steady rate, the way applications do during rotation tests.

Usage: loggen.py PATH COUNT RATE MODE
  MODE reopen: open the path with O_APPEND for each batch (an app that reopens its log, so after a
               `create` rotation the next batch goes to the new file)
  MODE hold:   keep one O_APPEND descriptor (an app that never reopens: copytruncate's case)
Lines: `<RFC3339> INFO [loadgen] seq=<n> ...`, timestamps from the wall clock.
"""
import os
import sys
import time
from datetime import datetime, timezone

path, count, rate, mode = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
batch = 50
start = time.monotonic()
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if mode == "hold" else None
for first in range(0, count, batch):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    data = "".join(f"{now} INFO [loadgen] seq={n} request served latency_ms={n % 97}\n" for n in range(first, min(count, first + batch)))
    target = fd if fd is not None else os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(target, data.encode())
    if fd is None:
        os.close(target)
    delay = start + (first + batch) / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
