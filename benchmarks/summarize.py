#!/usr/bin/env python3
"""Turns bench.sh's raw JSON lines into a markdown table of medians across rounds, with ratios against the
official runner at WARN and against the echo floor."""
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
agg = defaultdict(lambda: defaultdict(list))
for r in rows:
    key = (r["workload"], r["connections"], r["server"])
    for m in ("calls_per_s", "p50_us", "p99_us", "errors", "load1"):
        agg[key][m].append(r.get(m, 0))
    if r.get("all_calls"):
        agg[key]["cpu_us_per_call"].append(r["server_cpu_s"] * 1e6 / r["all_calls"])
med = {k: {m: statistics.median(v) for m, v in ms.items()} for k, ms in agg.items()}

servers = ["ours", "official-warn", "official-default", "echo"]
print("| workload | conns | server | calls/s | p50 µs | p99 µs | server CPU µs/call | errors | ours÷official-warn calls/s | ours÷official-warn p99 | ours÷official-warn CPU/call | ours÷echo CPU/call |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for wl in ("noop", "vars", "body"):
    for c in sorted({k[1] for k in med if k[0] == wl}):
        for s in servers:
            m = med.get((wl, c, s))
            if not m:
                continue
            extra = ["", "", "", ""]
            cpu = m.get("cpu_us_per_call")
            if s == "ours":
                off = med.get((wl, c, "official-warn"))
                echo = med.get((wl, c, "echo"))
                if off:
                    extra[0] = f"{m['calls_per_s'] / off['calls_per_s']:.2f}x"
                    extra[1] = f"{m['p99_us'] / off['p99_us']:.2f}"
                    if cpu and off.get("cpu_us_per_call"):
                        extra[2] = f"{cpu / off['cpu_us_per_call']:.2f}"
                if echo and cpu and echo.get("cpu_us_per_call"):
                    extra[3] = f"{cpu / echo['cpu_us_per_call']:.2f}"
            cpu_s = f"{cpu:.1f}" if cpu else ""
            print(f"| {wl} | {c} | {s} | {m['calls_per_s']:.0f} | {m['p50_us']:.0f} | {m['p99_us']:.0f} | {cpu_s} | {m['errors']:.0f} | " + " | ".join(extra) + " |")
loads = [r.get("load1", 0) for r in rows]
if loads:
    print()
    print(f"1-minute load average after each point: median {statistics.median(loads):.2f}, max {max(loads):.2f}")
