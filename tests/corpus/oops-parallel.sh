#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kmodrescue-cli oops reads a large log in chunks on several threads. On a log made of every raw
# log of syzkaller's crash corpus (../shared/oops-corpus/syzkaller, never copied into the project)
# the JSON of every report must be byte for byte what one thread gives.
# usage: oops-parallel.sh CLI CORPUS_DIR
set -u
cli=$1
corpus=$2
if [ ! -d "$corpus" ]; then
    echo "FAIL: the crash corpus is missing: $corpus does not exist (see ../shared/oops-corpus/README)." >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The raw log of each case: after the header's empty line, before an optional REPORT: section.
for f in "$corpus"/[0-9]*; do
    awk 'started && /^REPORT:$/ {exit} started {print} !started && /^$/ {started=1}' "$f" | tr -d '\r'
done > "$tmp/corpus.log"
size=$(stat -c %s "$tmp/corpus.log")
if [ "$size" -lt 1000000 ]; then
    echo "FAIL: the corpus log is $size bytes: too small to be cut into chunks; is the corpus complete?" >&2
    exit 1
fi
"$cli" oops --json --jobs 1 "$tmp/corpus.log" > "$tmp/one.json" || { echo "FAIL: --jobs 1 exited with $?" >&2; exit 1; }
status=0
for jobs in 2 4 7; do
    "$cli" oops --json --jobs $jobs "$tmp/corpus.log" > "$tmp/many.json" || { echo "FAIL: --jobs $jobs exited with $?" >&2; exit 1; }
    if cmp -s "$tmp/one.json" "$tmp/many.json"; then
        echo "--jobs $jobs: the same $(grep -c '"title"' "$tmp/one.json") reports as --jobs 1 ($size bytes)"
    else
        echo "FAIL: --jobs $jobs gives other reports than --jobs 1:" >&2
        diff "$tmp/one.json" "$tmp/many.json" | head -n 20 >&2
        status=1
    fi
done
exit $status
