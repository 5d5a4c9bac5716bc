#!/usr/bin/env bash
# `make bench`: every benchmark in bench/, each running flaskscope and its peers in one run.
set -u
cd "$(dirname "$0")/.."
status=0
for script in bench/bench_*.py; do
  [ -e "$script" ] || continue
  echo "== $script"
  python "$script" || status=1
done
exit $status
