#!/usr/bin/env python3
"""Drain3 (defaults) over a file of messages, one per line: the peer `vigil templates` is compared with."""
import sys

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

config = TemplateMinerConfig()
config.profiling_enabled = False
miner = TemplateMiner(config=config)
clusters = set()
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        clusters.add(miner.add_log_message(line.rstrip("\n"))["cluster_id"])
print(f"{len(clusters)} clusters")
