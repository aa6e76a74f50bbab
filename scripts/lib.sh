# Shared helpers for ./a6 (sourced, not run).

# Picks a JDK >= 21: $JAVA_HOME if it qualifies, else the newest one under /usr/lib/jvm.
a6_select_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [ "${version%%.*}" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "a6: no JDK 21 or newer found (set JAVA_HOME to one; Debian 13 has openjdk-21-jdk, Debian 12 only 17, so there use a Temurin 21+ package)" >&2
  return 1
}

# The kernel's start time of process $1 (field 22 of /proc/<pid>/stat), empty if it is gone. A pid plus its start
# time names one process; a pid alone may have been reused by something the stack never started.
a6_proc_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  # The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  stat=${stat##*) }
  echo "$stat" | awk '{print $20}'
}

# Installs the Debian packages a command needs, when missing and when we may, saying what and why first.
#   a6_ensure_packages "<purpose>" <command>:<package>:<why> ...
# Installing etcd-server makes Debian start a system etcd; only an etcd process that appeared during this install
# is stopped again (the stack runs its own on other ports); etcd processes that were already running are untouched.
a6_ensure_packages() {
  local purpose=$1; shift
  local missing=() reasons=() spec cmd rest pkg why
  for spec in "$@"; do
    cmd=${spec%%:*}; rest=${spec#*:}; pkg=${rest%%:*}; why=${rest#*:}
    # A check starting with / is a file the package installs (e.g. a Python module), otherwise a command.
    case "$cmd" in
      /*) [ -e "$cmd" ] && continue ;;
      *) command -v "$cmd" >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$pkg"); reasons+=("  $pkg: $why")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "a6: $purpose needs these Debian packages; please install them: ${missing[*]}" >&2
    printf '%s\n' "${reasons[@]}" >&2
    return 1
  fi
  echo "a6: $purpose needs ${#missing[@]} Debian package(s), installing with apt-get:" >&2
  printf '%s\n' "${reasons[@]}" >&2
  local before after pid
  before=" $(pgrep -x etcd | tr '\n' ' ') "
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  after=$(pgrep -x etcd | tr '\n' ' ')
  for pid in $after; do
    case "$before" in *" $pid "*) continue;; esac
    # Started by the package install we just ran (Debian's service start), so ours to stop.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then
      systemctl stop etcd >/dev/null 2>&1 || true
    fi
    kill -TERM "$pid" 2>/dev/null || true
    echo "a6: stopped the system etcd (pid $pid) that installing etcd-server started" >&2
  done
}
