#!/usr/bin/env bash
# Side-by-side timings of the shipped corpus's builds: this checkout against another (optional).
#
#   benchmarks/rebuilds.sh [OTHER_CHECKOUT] [ROUNDS]
#
# Each round, for each checkout in turn (the other first): a cold build (no out/, an empty cache folder,
# as a first `make decks`), a no-op build, then with that cache a whole build and a Markdown-only build
# after appending " Also a sentence." to line 6 of content/gnn.yaml (the file is restored and rebuilt
# after each). Prints "checkout step seconds", then the median and range of each. A checkout runs with
# its own .venv when it has one, else with this one's and its own src/. Its ledger is restored at the end.
# (`make decks` runs the same build, after Make's check of the venv.)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
checkouts=(${1:+"$(cd "$1" && pwd)"} "$here")
rounds=${2:-3}
log=$(mktemp)

dlexport() {  # dlexport CHECKOUT ARGS...: its build, run from its folder (its config, content/ and out/)
  local d=$1; shift
  if [ -x "$d/.venv/bin/dlexport" ]; then (cd "$d" && .venv/bin/dlexport "$@")
  else (cd "$d" && PYTHONPATH="$d/src" "$here/.venv/bin/python" -m dlexport "$@"); fi >/dev/null 2>&1
}

timed() {  # timed CHECKOUT STEP ARGS...: one line of the log
  local d=$1 step=$2; shift 2
  local start end; start=$(date +%s.%N); dlexport "$d" "$@"; end=$(date +%s.%N)
  echo "$d $step $(echo "$end - $start" | bc)" | tee -a "$log"
}

for ((round = 0; round < rounds; round++)); do
  for d in "${checkouts[@]}"; do
    cache=$(mktemp -d)
    export XDG_CACHE_HOME=$cache
    rm -rf "$d/out"
    timed "$d" cold build
    timed "$d" no-op build
    for step in "edit, whole build" "edit, Markdown only"; do
      sed -i '6s/$/ Also a sentence./' "$d/content/gnn.yaml"
      if [ "$step" = "edit, whole build" ]; then timed "$d" "$step" build
      else timed "$d" "$step" build --format md; fi
      git -C "$d" checkout -q content/gnn.yaml
      dlexport "$d" build
    done
    git -C "$d" checkout -q content/anki-ledger.json
    rm -rf "$cache"
  done
done
echo
"$here/.venv/bin/python" - "$log" <<'PY'
import statistics, sys
times: dict[str, list[float]] = {}
for line in open(sys.argv[1]):
    name, seconds = line.rsplit(" ", 1)
    times.setdefault(name, []).append(float(seconds))
for name, runs in sorted(times.items()):
    print(f"{name}: {statistics.median(runs):.2f} s ({min(runs):.2f}-{max(runs):.2f})")
PY
rm -f "$log"
