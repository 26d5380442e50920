#!/usr/bin/env bash
# Whole-process timings of the VM against Guile 3 on the same programs, in the same run.
#
#   server/vm/benches/compare.sh [RUNS]
#
# For each program in server/vm/benches/programs: yin (the `run` example, which evaluates a file
# as `yin eval FILE` does), Guile's interpreter (`primitive-load`, which reads and evaluates with
# Guile's evaluator and never uses compiled files; `guile --no-auto-compile -s` would load a cached
# compiled file if one exists) and compiled Guile (`guile -s` after a warm-up run has
# auto-compiled the file). Prints the
# median wall-clock time of each (hyperfine), the ratios, yin's steps per second and the peak
# resident memory of one run of each (GNU time). Needs: cargo, hyperfine, guile-3.0, python3.
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/../../.." && pwd)
dir="$root/server/vm/benches/programs"
cd "$root"
cargo build --quiet --release -p yin-vm --example run
yin="$root/target/release/examples/run"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GUILE_AUTO_COMPILE=1
printf '%-8s %10s %12s %12s %9s %11s %14s %9s %9s\n' program yin_ms guile_int_ms guile_comp_ms yin/int yin/compiled yin_Msteps/s yin_KB guile_KB
for p in fib tak ctak loop stream; do
  y="$dir/$p.yin"; s="$dir/$p.scm"
  guile -s "$s" > /dev/null 2>&1 || true   # auto-compile once, so the compiled runs only load
  hyperfine --style none --runs "$runs" --warmup 1 --export-json "$tmp/$p.json" \
    -n yin "$yin $y" \
    -n guile-int "guile --no-auto-compile -c '(primitive-load \"$s\")'" \
    -n guile-comp "guile -s $s" > /dev/null
  steps=$("$yin" "$y" --stats 2>&1 >/dev/null | sed -n 's/.*: \([0-9.]*\)M steps\/s/\1/p')
  ykb=$( { /usr/bin/time -f %M "$yin" "$y" > /dev/null; } 2>&1 | tail -1)
  gkb=$( { /usr/bin/time -f %M guile --no-auto-compile -c "(primitive-load \"$s\")" > /dev/null; } 2>&1 | tail -1)
  python3 - "$tmp/$p.json" "$p" "$steps" "$ykb" "$gkb" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in res.items()}
y, gi, gc = med["yin"], med["guile-int"], med["guile-comp"]
print(f"{sys.argv[2]:<8} {y:10.1f} {gi:12.1f} {gc:12.1f} {y/gi:9.2f} {y/gc:11.2f} {sys.argv[3]:>14} {sys.argv[4]:>9} {sys.argv[5]:>9}")
PY
done
