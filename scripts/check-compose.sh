#!/usr/bin/env bash
# Static checks of docker-compose.yml (no container engine on CI machines):
# the file must parse, and every local path it names must exist in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f docker-compose.yml ] || { echo "check-compose: docker-compose.yml missing" >&2; exit 1; }
docker-compose -f docker-compose.yml config -q
# build contexts, dockerfiles, bind mounts and env files named relative to the repository
missing=0
while IFS= read -r path; do
  [ -e "$path" ] || { echo "check-compose: docker-compose.yml names ./$path, which does not exist" >&2; missing=1; }
done < <(grep -oE '(^|[ "'"'"':])\./[A-Za-z0-9._/-]+' docker-compose.yml | sed -E 's/^[ "'"'"':]?\.\///' | sort -u)
[ "$missing" -eq 0 ] || exit 1
echo "check-compose: docker-compose.yml OK (config parses; every ./path exists)"
