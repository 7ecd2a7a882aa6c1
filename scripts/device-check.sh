#!/usr/bin/env bash
# Device check, for a machine with an NVIDIA GPU and no internet (it also runs on a CPU-only
# machine, where it says what it skipped): which ONNX Runtime execution providers load
# (scripts/probe-providers.ts), then with each that does, bench:engine and a short DxMI training
# (bench:train with 40 images and 40 DxMI iterations, with its plain-steps floor). CUDA needs
# provider binaries that onnxruntime-node downloads at install time; where they are missing this
# says so and goes on. Everything lands in one JSON file.
#
#   scripts/device-check.sh [OUT.json]      (default: $OUT/device-check.json, or ./device-check.json)
set -uo pipefail
cd "$(dirname "$0")/.."

out=${1:-${OUT:-.}/device-check.json}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log() { echo "device-check: $*" >&2; }

# The last line of a command's stdout when it is JSON (the benchmarks' --json line), else null.
json_line() {
  local line
  line=$(tail -n 1 "$1")
  if node -e 'JSON.parse(process.argv[1])' "$line" 2>/dev/null; then echo "$line"; else echo null; fi
}

gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)
if [ -n "$gpu" ]; then log "GPU: $gpu"; else log "no NVIDIA GPU (nvidia-smi found none)"; fi

npx tsx scripts/probe-providers.ts > "$work/providers.json" 2> "$work/providers.err"
providers=$(json_line "$work/providers.json")
if [ "$providers" = null ]; then
  log "probing the providers failed:"; cat "$work/providers.err" >&2
  exit 1
fi

results="{}"
for device in cpu cuda webgpu; do
  loads=$(node -e 'const p = JSON.parse(process.argv[1])[process.argv[2]]; console.log(p.loads ? "yes" : p.reason)' "$providers" "$device")
  if [ "$loads" != yes ]; then
    log "$device: skipped, the provider does not load: $loads"
    continue
  fi
  log "$device: bench:engine"
  timeout 900 npx tsx scripts/bench-engine.ts --device "$device" --steps 10 --json > "$work/engine.out" 2> "$work/engine.err" || log "$device: bench:engine failed: $(tail -n 3 "$work/engine.err")"
  log "$device: short DxMI training (bench:train --images 40 --iterations 40)"
  timeout 1800 npx tsx scripts/bench-train.ts --device "$device" --images 40 --iterations 40 --json > "$work/train.out" 2> "$work/train.err" || log "$device: bench:train failed: $(tail -n 3 "$work/train.err")"
  results=$(node -e 'const r = JSON.parse(process.argv[1]); r[process.argv[2]] = { engine: JSON.parse(process.argv[3]), train: JSON.parse(process.argv[4]) }; console.log(JSON.stringify(r))' \
    "$results" "$device" "$(json_line "$work/engine.out")" "$(json_line "$work/train.out")")
done

mkdir -p "$(dirname "$out")"
node -e '
  const [gpu, providers, results] = process.argv.slice(1);
  const probed = JSON.parse(providers);
  const skipped = Object.fromEntries(Object.entries(probed).filter(([, p]) => !p.loads).map(([d, p]) => [d, p.reason]));
  const report = { at: new Date().toISOString(), gpu: gpu || null, providers: probed, skipped, results: JSON.parse(results) };
  console.log(JSON.stringify(report, null, 2));
' "$gpu" "$providers" "$results" > "$out"
log "wrote $out"
