#!/usr/bin/env bash
# The same files and options give byte-identical JSON (apart from timing fields) across runs, machine load and
# --jobs: `faultline check --format json` on a few fixtures on a quiet machine, again with every core kept busy
# by other processes, and again with two files checked at a time.
# usage: same_output.sh FAULTLINE_BINARY FIXTURE...
set -euo pipefail
binary=$1
shift
work=$(mktemp -d)
busy=()
cleanup() {
  ((${#busy[@]})) && kill "${busy[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Wall-clock fields are the only ones allowed to differ.
strip_timing() { sed -E 's/"(seconds|seconds_median|seconds_max)": [0-9.e+-]+/"\1": 0/g' "$1"; }

run() { # name, extra options...
  local name=$1
  shift
  local rc=0
  "$binary" check --format json --jobs 1 "$@" "${fixtures[@]}" >"$work/$name.raw" || rc=$?
  if ((rc > 1)); then
    echo "same_output: faultline check exited $rc ($name)" >&2
    exit 1
  fi
  strip_timing "$work/$name.raw" >"$work/$name.json"
}

fixtures=("$@")
run quiet
run quiet_again
for _ in $(seq $((2 * $(nproc)))); do
  (while :; do :; done) &
  busy+=($!)
done
run loaded
kill "${busy[@]}" 2>/dev/null || true
busy=()
run parallel --jobs 2

status=0
for name in quiet_again loaded parallel; do
  if ! cmp -s "$work/quiet.json" "$work/$name.json"; then
    echo "same_output: the $name run differs from the first:" >&2
    diff "$work/quiet.json" "$work/$name.json" | head -40 >&2 || true
    status=1
  fi
done
findings=$(grep -c '"code"' "$work/quiet.json" || true)
if ((findings < 3)); then
  echo "same_output: only $findings findings; the fixtures should exercise the probe's findings" >&2
  status=1
fi
((status == 0)) && echo "same_output: 4 runs of ${#fixtures[@]} files identical ($findings findings)"
exit $status
