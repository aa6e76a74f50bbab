#!/usr/bin/env python3
"""Turns bench.sh's raw JSON lines into a markdown table of medians across rounds, with ratios against the
official runner at WARN and against the echo floor."""
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
agg = defaultdict(lambda: defaultdict(list))
for r in rows:
    key = (r["workload"], r["connections"], r["server"])
    for m in ("calls_per_s", "p50_us", "p99_us", "errors"):
        agg[key][m].append(r[m])
med = {k: {m: statistics.median(v) for m, v in ms.items()} for k, ms in agg.items()}

servers = ["ours", "official-warn", "official-default", "echo"]
print("| workload | conns | server | calls/s | p50 µs | p99 µs | errors | ours÷official-warn calls/s | ours p99 ÷ official-warn p99 | ours cost ÷ echo cost |")
print("|---|---|---|---|---|---|---|---|---|---|")
for wl in ("noop", "vars", "body"):
    for c in sorted({k[1] for k in med if k[0] == wl}):
        for s in servers:
            m = med.get((wl, c, s))
            if not m:
                continue
            extra = ["", "", ""]
            if s == "ours":
                off = med.get((wl, c, "official-warn"))
                echo = med.get((wl, c, "echo"))
                if off:
                    extra[0] = f"{m['calls_per_s'] / off['calls_per_s']:.2f}x"
                    extra[1] = f"{m['p99_us'] / off['p99_us']:.2f}"
                if echo:
                    # per-call cost at equal concurrency = 1 / throughput
                    extra[2] = f"{echo['calls_per_s'] / m['calls_per_s']:.2f}x"
            print(f"| {wl} | {c} | {s} | {m['calls_per_s']:.0f} | {m['p50_us']:.0f} | {m['p99_us']:.0f} | {m['errors']:.0f} | " + " | ".join(extra) + " |")
