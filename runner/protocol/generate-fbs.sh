#!/usr/bin/env bash
# Regenerates the committed FlatBuffers Java sources from src/main/fbs/a6.fbs.
# Needs flatc (Debian: apt-get install flatbuffers-compiler). Only run after changing the schema.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf src/main/generated-java
flatc --java -o src/main/generated-java src/main/fbs/a6.fbs
echo "generated: $(find src/main/generated-java -name '*.java' | wc -l) files"
