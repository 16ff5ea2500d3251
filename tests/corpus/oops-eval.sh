#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scores the OopsExtractor on syzkaller's crash corpus (../shared/oops-corpus/syzkaller, never
# copied into the project) and fails when any figure drops below what the extractor reached.
# usage: oops-eval.sh CLI CORPUS_DIR
set -u
cli=$1
corpus=$2
# The figures reached when this test was written (detection of all files; kind and exact title
# of the files that name a crash). Raise them when the extractor improves; never lower them.
want_files=374 want_detection=373
want_crashes=356 want_kind=355 want_title=354

if [ ! -d "$corpus" ]; then
    echo "FAIL: the crash corpus is missing: $corpus does not exist." >&2
    echo "It lives outside the project (../shared/oops-corpus, see its README); put it there to run this test." >&2
    exit 1
fi
out=$("$cli" oops --eval "$corpus" --verbose) || { echo "FAIL: $cli oops --eval exited with $?" >&2; exit 1; }
echo "$out" | tail -n 4
# The last three lines are the contract: detection N/M, kind N/M, title N/M.
read -r _ det_n det_m < <(echo "$out" | tail -n 3 | sed -n 1p | tr '/' ' ')
read -r _ kind_n kind_m < <(echo "$out" | tail -n 3 | sed -n 2p | tr '/' ' ')
read -r _ title_n title_m < <(echo "$out" | tail -n 3 | sed -n 3p | tr '/' ' ')
status=0
check() { # name got total want want_total
    if [ "$3" != "$5" ]; then
        echo "FAIL: $1 counted over $3 files, expected $5: the corpus changed; rescore and update this test" >&2
        status=1
    elif [ "$2" -lt "$4" ]; then
        echo "FAIL: $1 $2/$3 is below the $4/$5 reached before" >&2
        echo "$out" | head -n -4 | sed 's/^/  miss: /' >&2
        status=1
    fi
}
check detection "$det_n" "$det_m" $want_detection $want_files
check kind "$kind_n" "$kind_m" $want_kind $want_crashes
check title "$title_n" "$title_m" $want_title $want_crashes
exit $status
