#!/usr/bin/env bash
# make test-stress: run CI (`bash .ci/run`) on a clean clone of HEAD while CPU hogs keep every
# core busy, as on a shared CI machine. The hogs are stopped however the run ends.
#
#   HOGS=2 (default: one per core)   KEEP=1 keeps the clone for a look afterwards
set -euo pipefail
cd "$(dirname "$0")/.."

hogs=${HOGS:-$(nproc)}
clone=$(mktemp -d "${TMPDIR:-/tmp}/stress-ci-XXXXXX")
hog_pids=()

cleanup() {
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${hog_pids[@]}" 2>/dev/null || true
  echo "stress: stopped ${#hog_pids[@]} CPU hogs"
  if [[ "${KEEP:-0}" == 1 ]]; then echo "stress: clone kept in $clone"; else rm -rf "$clone"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "stress: cloning HEAD ($(git rev-parse --short HEAD)) into $clone (uncommitted changes are not in it)"
git clone --quiet "$PWD" "$clone"

for _ in $(seq "$hogs"); do
  python3 -c 'while True: pass' &
  hog_pids+=("$!")
done
echo "stress: started $hogs CPU hogs (pids ${hog_pids[*]}) on $(nproc) cores"

start=$(date +%s)
rc=0
(cd "$clone" && bash .ci/run) || rc=$?
read -r load1 load5 load15 _ < /proc/loadavg
echo "stress: bash .ci/run exited $rc after $(( $(date +%s) - start ))s under $hogs hogs" \
     "(load average now $load1 / $load5 / $load15)"
exit "$rc"
