#!/usr/bin/env python3
"""Turns bench.sh's raw JSON lines into markdown tables of medians across rounds: the users' comparison (the same
official-SDK filter jar in our runner and in the official runner at WARN), then the a6-native plugins against the
official runner and the echo floors (echo: blocking I/O; echo-netty: Netty epoll, the runner's own transport)."""
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
agg = defaultdict(lambda: defaultdict(list))
for r in rows:
    key = (r["workload"], r["connections"], r["server"])
    for m in ("calls_per_s", "p50_us", "p99_us", "errors", "load1"):
        agg[key][m].append(r.get(m, 0))
    # The measured window's server CPU over its calls (steady state) when the driver read it; else warm-up and
    # measurement together over all calls (older raw files).
    if "server_cpu_measured_s" in r and r.get("calls"):
        agg[key]["cpu_us_per_call"].append(r["server_cpu_measured_s"] * 1e6 / r["calls"])
    elif r.get("all_calls"):
        agg[key]["cpu_us_per_call"].append(r["server_cpu_s"] * 1e6 / r["all_calls"])
med = {k: {m: statistics.median(v) for m, v in ms.items()} for k, ms in agg.items()}
WORKLOADS = ("noop", "vars", "body", "postresp")


def ratio(a, b, fmt="{:.2f}"):
    return fmt.format(a / b) if a and b else ""


def table(title, servers, subjects):
    present = [s for s in servers if any(k[2] == s for k in med)]
    if not any(s in present for s in subjects):
        return
    print(f"**{title}**")
    print()
    print("| workload | conns | server | calls/s | p50 µs | p99 µs | server CPU µs/call | errors "
          "| ÷ official calls/s | ÷ official p99 | ÷ official CPU/call | ÷ echo CPU/call | ÷ echo-netty CPU/call |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for wl in WORKLOADS:
        if not any(k[0] == wl and k[2] in subjects for k in med):
            continue
        for c in sorted({k[1] for k in med if k[0] == wl}):
            for s in present:
                m = med.get((wl, c, s))
                if not m:
                    continue
                cpu = m.get("cpu_us_per_call")
                extra = ["", "", "", "", ""]
                if s in subjects:
                    off = med.get((wl, c, "official-warn"))
                    echo = med.get((wl, c, "echo"))
                    if off:
                        extra[0] = ratio(m["calls_per_s"], off["calls_per_s"])
                        extra[1] = ratio(m["p99_us"], off["p99_us"])
                        extra[2] = ratio(cpu, off.get("cpu_us_per_call"))
                    if echo:
                        extra[3] = ratio(cpu, echo.get("cpu_us_per_call"))
                    netty = med.get((wl, c, "echo-netty"))
                    if netty:
                        extra[4] = ratio(cpu, netty.get("cpu_us_per_call"))
                cpu_s = f"{cpu:.1f}" if cpu else ""
                print(f"| {wl} | {c} | {s} | {m['calls_per_s']:.0f} | {m['p50_us']:.0f} | {m['p99_us']:.0f} "
                      f"| {cpu_s} | {m['errors']:.0f} | " + " | ".join(extra) + " |")
    print()


table("Official-SDK filters (the same jar in both runners)",
      ["ours-sdk", "ours-sdk-uring", "base-sdk", "official-warn"], ["ours-sdk", "ours-sdk-uring", "base-sdk"])
table("a6-native plugins", ["ours", "ours-uring", "base", "official-warn", "echo", "echo-netty"],
      ["ours", "ours-uring", "base", "echo-netty"])
loads = [r.get("load1", 0) for r in rows]
if loads:
    print(f"1-minute load average after each point: median {statistics.median(loads):.2f}, max {max(loads):.2f}")
