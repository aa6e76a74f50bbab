#!/usr/bin/env bash
# Stops everything ./a6 up started (./a6 stop), newest first, and leaves no process behind.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
STATE="$PWD/.local-stack"
[ -f "$STATE/pids" ] || { echo "a6 stop: nothing to stop" >&2; exit 0; }
mapfile -t entries < <(tac "$STATE/pids")
for entry in "${entries[@]}"; do
  read -r pid start name <<<"$entry"
  # Only a process that is still the one ./a6 up started: same pid and same kernel start time.
  if [ -n "$start" ] && [ "$(a6_proc_start "$pid")" != "$start" ]; then
    continue
  fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "a6 stop: $name ($pid) ignored SIGTERM for 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
    echo "stopped $name" >&2
  fi
done
: > "$STATE/pids"
rm -f "$STATE/runner.sock"
