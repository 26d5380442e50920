#!/usr/bin/env bash
# Whole-process timings of `yin eval FILE` against Guile 3 on the same programs, in the same run.
#
#   server/vm/benches/compare.sh [RUNS]
#
# For each program in server/vm/benches/programs: yin (the release `yin eval FILE`, as a user runs
# it), Guile's interpreter (`primitive-load`, which reads and evaluates with Guile's evaluator and
# never uses compiled files; `guile --no-auto-compile -s` would load a cached compiled file if one
# exists) and compiled Guile (`guile -s` after a warm-up run has auto-compiled the file).
#
# Prints, from hyperfine: the median wall-clock time of each and the ratios of the medians, and
# the mean user CPU time of yin and of Guile's interpreter (hyperfine 1.15 exports only the mean;
# on a loaded machine CPU time is less disturbed than wall time, but Guile's collector runs on
# other threads, so its user time can exceed its wall time). Then yin's steps per second (the
# step count from the `run` example's `--stats`, over yin's median time) and the peak resident
# memory of one run of each (GNU time). Needs: cargo, hyperfine, guile-3.0, python3.
#
# With YIN_BEFORE=/path/to/an/older/yin, that binary runs in the same hyperfine run too, and its
# median and its ratio to Guile's interpreter are printed last (before/after a change, one run).
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/../../.." && pwd)
dir="$root/server/vm/benches/programs"
cd "$root"
cargo build --quiet --release -p yin
cargo build --quiet --release -p yin-vm --example run
yin="${YIN:-$root/target/release/yin}"   # YIN=PATH measures another build
run="$root/target/release/examples/run"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GUILE_AUTO_COMPILE=1
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
before=${YIN_BEFORE:-}
printf '%-7s %8s %9s %10s %8s %9s %9s %10s %8s %9s %8s %9s' program yin_ms g_int_ms g_comp_ms yin/int yin/comp yin_usr_ms g_int_usr yin/int_usr Msteps/s yin_KB g_int_KB
if [ -n "$before" ]; then printf ' %9s %10s' before_ms before/int; fi
printf '\n'
for p in fib tak ctak loop stream nqueens walk conses maps; do
  y="$dir/$p.yin"; s="$dir/$p.scm"
  guile -s "$s" > /dev/null 2>&1 || true   # auto-compile once, so the compiled runs only load
  extra=()
  if [ -n "$before" ]; then extra=(-n before "$before eval $y"); fi
  hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$tmp/$p.json" \
    -n yin "$yin eval $y" "${extra[@]}" \
    -n guile-int "guile --no-auto-compile -c '(primitive-load \"$s\")'" \
    -n guile-comp "guile -s $s" > /dev/null 2> "$tmp/hyperfine.err"
  steps=$("$run" "$y" --stats 2>&1 >/dev/null | sed -n 's/^steps \([0-9]*\) .*/\1/p')
  ykb=$( { /usr/bin/time -f %M "$yin" eval "$y" > /dev/null; } 2>&1 | tail -1)
  gkb=$( { /usr/bin/time -f %M guile --no-auto-compile -c "(primitive-load \"$s\")" > /dev/null; } 2>&1 | tail -1)
  python3 - "$tmp/$p.json" "$p" "$steps" "$ykb" "$gkb" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in res.items()}
usr = {k: v["user"] * 1000 for k, v in res.items()}
y, gi, gc = med["yin"], med["guile-int"], med["guile-comp"]
yu, giu = usr["yin"], usr["guile-int"]
msteps = int(sys.argv[3]) / (y / 1000) / 1e6
line = f"{sys.argv[2]:<7} {y:8.1f} {gi:9.1f} {gc:10.1f} {y/gi:8.2f} {y/gc:9.2f} {yu:10.1f} {giu:9.1f} {yu/giu:10.2f} {msteps:9.1f} {sys.argv[4]:>8} {sys.argv[5]:>9}"
if "before" in med:
    line += f" {med['before']:9.1f} {med['before']/gi:10.2f}"
print(line)
PY
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
