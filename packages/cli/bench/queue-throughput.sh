#!/usr/bin/env bash
# Throughput of `edm generate --queue` with 1 and 2 `edm worker`s on this machine, against single-process
# `edm generate` (the figures of docs/scale.md). Starts its own redis-server (Debian's) on a loopback port,
# without persistence; needs the built CLI (npm run build).
#
#   packages/cli/bench/queue-throughput.sh [SEEDS=0-127] [STEPS=18]
#
# Prints one line per configuration: wall seconds for the whole request and images/s. Every worker runs one
# wasm thread (EDM_WASM_THREADS=1), so N workers use N cores, as N one-core machines would; the single
# process is shown with one thread and with its default (one per core).
set -euo pipefail
SEEDS=${1:-0-127}
STEPS=${2:-18}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CLI="$ROOT/packages/cli/bin/edm.js"
WORK=$(mktemp -d)
PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
URL="redis://127.0.0.1:$PORT"
N=$(node -e "const [a,b]=process.argv[1].split('-').map(Number);console.log(b-a+1)" "$SEEDS")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
for _ in $(seq 100); do grep -q 'Ready to accept' "$WORK/redis.log" && break; sleep 0.1; done

# seconds of one command, and its images/s
timed() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log"; exit 1; }
  t1=$(date +%s.%N)
  LABEL=$label node -e "const s=$t1-$t0;console.log(process.env.LABEL.padEnd(34)+s.toFixed(1).padStart(7)+' s  '+($N/s).toFixed(2).padStart(6)+' images/s')"
}

echo "$N seeds ($SEEDS), $STEPS steps, shipped model with its defaults; $(nproc) cores; load $(cut -d' ' -f1 /proc/loadavg)"
timed "edm generate, 1 thread" env EDM_WASM_THREADS=1 node "$CLI" generate --seeds "$SEEDS" --steps "$STEPS" --outdir "$WORK/single1"
timed "edm generate, 1 thread per core" node "$CLI" generate --seeds "$SEEDS" --steps "$STEPS" --outdir "$WORK/single"
for W in 1 2; do
  pids=()
  for i in $(seq "$W"); do
    EDM_WASM_THREADS=1 node "$CLI" worker --queue "$URL" >"$WORK/worker$W-$i.log" 2>&1 &
    pids+=($!)
  done
  sleep 3 # the workers load the engine; the request's clock starts after
  timed "--queue, $W worker(s) x 1 thread" node "$CLI" generate --queue "$URL" --seeds "$SEEDS" --steps "$STEPS" --job-seeds 16 --outdir "$WORK/q$W"
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  cmp <(cd "$WORK/q$W" && cat $(ls *.png | sort)) <(cd "$WORK/single" && cat $(ls *.png | sort)) \
    && echo "  PNG bytes equal the single process's" || { echo "  PNG bytes DIFFER"; exit 1; }
done
