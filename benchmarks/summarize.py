#!/usr/bin/env python3
"""Turns bench.sh's raw JSON lines into markdown tables of medians across rounds: the users' comparison (the same
official-SDK filter jar in our runner and in the official runner at WARN), then the a6-native plugins against the
official runner and the echo floors (echo: blocking I/O; echo-netty: Netty epoll, the runner's own transport), then
where each server's CPU per call went: user and system time, and the threads that spent it."""
import json, re, statistics, sys
from collections import defaultdict

THREAD_GROUPS = ("io", "jit", "gc", "other")


def thread_group(name):
    """The event loops (ours a6-io, the official runner's epollEventLoopGroup, the floors' echo-io), the JIT compiler,
    the garbage collector (and the VM thread, which runs its safepoint operations), and the rest."""
    if re.match(r"(a6-io|a#-io|echo-io|epollEventLoop|ioUringEventLoop)", name):
        return "io"
    if "CompilerThre" in name:
        return "jit"
    if re.match(r"(GC Thread|G1 |G# |VM Thread|VM Periodic)", name):
        return "gc"
    return "other"


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
    # The same window split (drivers since 2026-12-06): user and system time, and the threads that spent it.
    if "server_user_measured_s" in r and r.get("calls"):
        agg[key]["user_us_per_call"].append(r["server_user_measured_s"] * 1e6 / r["calls"])
        agg[key]["system_us_per_call"].append(r["server_system_measured_s"] * 1e6 / r["calls"])
        if "server_minor_faults_measured" in r:
            agg[key]["faults_per_kcall"].append(r["server_minor_faults_measured"] * 1e3 / r["calls"])
        groups = defaultdict(float)
        for name, seconds in r.get("server_threads_measured_s", {}).items():
            groups[thread_group(name)] += seconds
        for g in THREAD_GROUPS:
            agg[key][g + "_us_per_call"].append(groups[g] * 1e6 / r["calls"])
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


SDK = ["ours-sdk", "ours-sdk-shipped", "ours-sdk-uring", "base-sdk"]
NATIVE = ["ours", "ours-shipped", "ours-uring", "base", "echo-netty", "echo-netty-uring"]
table("Official-SDK filters (the same jar in both runners)", SDK + ["official-warn"], SDK)
table("a6-native plugins", NATIVE[:4] + ["official-warn", "echo"] + NATIVE[4:], NATIVE)


def split_table():
    keys = sorted((k for k in med if "user_us_per_call" in med[k]),
                  key=lambda k: (WORKLOADS.index(k[0]) if k[0] in WORKLOADS else 9, k[1], k[2]))
    if not keys:
        return
    print("**Where the CPU per call went** (the same window: user and system time; and by thread: the event loops, "
          "the JIT compiler, the garbage collector, the rest)")
    print()
    print("| workload | conns | server | CPU µs/call | user | system | system share | event loops | JIT | GC | other "
          "| ÷ official user | ÷ official system | page faults per 1000 calls |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in keys:
        m = med[k]
        off = med.get((k[0], k[1], "official-warn"), {})
        cpu = m.get("cpu_us_per_call", 0)
        share = m["system_us_per_call"] / cpu if cpu else 0
        print(f"| {k[0]} | {k[1]} | {k[2]} | {cpu:.1f} | {m['user_us_per_call']:.1f} | {m['system_us_per_call']:.1f} "
              f"| {share:.0%} | " + " | ".join(f"{m[g + '_us_per_call']:.1f}" for g in THREAD_GROUPS)
              + f" | {ratio(m['user_us_per_call'], off.get('user_us_per_call'))}"
              + f" | {ratio(m['system_us_per_call'], off.get('system_us_per_call'))}"
              + (f" | {m['faults_per_kcall']:.1f} |" if "faults_per_kcall" in m else " | |"))
    print()


split_table()
loads = [r.get("load1", 0) for r in rows]
if loads:
    print(f"1-minute load average after each point: median {statistics.median(loads):.2f}, max {max(loads):.2f}")
