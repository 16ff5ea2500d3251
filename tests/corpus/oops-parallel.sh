#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kmodrescue-cli oops reads a large log in chunks on several threads. On a log made of every raw
# log of syzkaller's crash corpus (../shared/oops-corpus/syzkaller, never copied into the project)
# the JSON of every report, and the text listing (made on the workers), must be byte for byte
# what one thread gives.
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
status=0
for form in --json --text; do
    json=; [ $form = --json ] && json=--json
    "$cli" oops $json --jobs 1 "$tmp/corpus.log" > "$tmp/one" || { echo "FAIL: $form --jobs 1 exited with $?" >&2; exit 1; }
    for jobs in 2 4 7; do
        "$cli" oops $json --jobs $jobs "$tmp/corpus.log" > "$tmp/many" || { echo "FAIL: $form --jobs $jobs exited with $?" >&2; exit 1; }
        if cmp -s "$tmp/one" "$tmp/many"; then
            echo "$form --jobs $jobs: the same $(grep -c -e '"title"' -e '^#' "$tmp/one") reports as --jobs 1 ($size bytes)"
        else
            echo "FAIL: $form --jobs $jobs gives other reports than --jobs 1:" >&2
            diff "$tmp/one" "$tmp/many" | head -n 20 >&2
            status=1
        fi
    done
done
exit $status
