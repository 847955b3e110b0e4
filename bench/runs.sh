#!/usr/bin/env bash
# Runs bench/run.sh N times (default 3; the first builds, the others reuse its jars) and writes
# bench/results/latest.md: every run's own results, then the spread (min–max over the runs) of each
# figure the README's table shows. Everything else as bench/run.sh (its environment variables apply).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
mkdir -p target/bench bench/results
for i in $(seq 1 "$runs"); do
  echo "=== run $i of $runs"
  skip=1; [ "$i" = 1 ] && skip=${BENCH_SKIP_BUILD:-0}
  BENCH_SKIP_BUILD=$skip BENCH_OUT="target/bench/run-$i.md" bash bench/run.sh
done
{
  echo "# PIN BFF benchmark, $runs runs"
  echo
  echo "Spread over the $runs runs (min–max; each run's own table below):"
  echo
  echo "| scenario | errors (all runs) | req/s | p50 ms | p99 ms |"
  echo "|---|---:|---:|---:|---:|"
  awk -F'|' '
    FNR == 1 { run++ }
    /^\| (direct|status|change-request)/ {
      name = $2; gsub(/^ +| +$/, "", name)
      if (!(name in seen)) { seen[name] = 1; order[++n] = name }
      err[name] += $4; rps[name, run] = $5; p50[name, run] = $6; p99[name, run] = $8
    }
    /^- wrk, / { w = $0; sub(/: [0-9.]+ req\/s.*/, "", w); sub(/^- /, "", w)
      match($0, /: [0-9.]+ req\/s/); wr[w, run] = substr($0, RSTART + 2, RLENGTH - 8) + 0
      match($0, /p99 [0-9.]+ms/); wp[w, run] = substr($0, RSTART + 4, RLENGTH - 6) + 0; if (!(w in wseen)) { wseen[w] = 1; worder[++wn] = w } }
    /^- start to ready/ { match($0, /: [0-9]+ ms/); ready[run] = substr($0, RSTART + 2, RLENGTH - 5) + 0 }
    /^- resident memory/ { match($0, /[0-9]+ MiB after/); rss[run] = substr($0, RSTART, RLENGTH - 10) + 0 }
    function span(arr, key,   lo, hi, r, v) { lo = ""; hi = ""
      for (r = 1; r <= run; r++) { v = arr[key, r] + 0; if (lo == "" || v < lo) lo = v; if (hi == "" || v > hi) hi = v }
      return lo == hi ? sprintf("%g", lo) : sprintf("%g–%g", lo, hi) }
    function spread1(arr,   lo, hi, r) { lo = ""; hi = ""
      for (r = 1; r <= run; r++) { if (lo == "" || arr[r] < lo) lo = arr[r]; if (hi == "" || arr[r] > hi) hi = arr[r] }
      return lo == hi ? sprintf("%g", lo) : sprintf("%g–%g", lo, hi) }
    END {
      for (i = 1; i <= n; i++) { k = order[i]; printf "| %s | %d | %s | %s | %s |\n", k, err[k], span(rps, k), span(p50, k), span(p99, k) }
      print ""
      for (c = 1; c <= 32; c *= 32) {
        d = "direct PIN change, sandbox only, c=" c; b = "direct PIN change, through the BFF, c=" c; x = "direct PIN change, through nginx (plain proxy), c=" c
        for (r = 1; r <= run; r++) {
          o50[r] = sprintf("%.2f", p50[b, r] - p50[d, r]) + 0; o99[r] = sprintf("%.2f", p99[b, r] / p99[d, r]) + 0
          x50[r] = sprintf("%.2f", p50[x, r] - p50[d, r]) + 0; x99[r] = sprintf("%.2f", p99[x, r] / p99[d, r]) + 0 }
        printf "- c=%d, BFF overhead: p50 +%s ms, p99 ×%s; nginx (plain proxy) overhead: p50 +%s ms, p99 ×%s\n", c,
          spread1(o50), spread1(o99), spread1(x50), spread1(x99)
      }
      for (i = 1; i <= wn; i++) { w = worder[i]; printf "- %s: %s req/s, p99 %s ms\n", w, span(wr, w), span(wp, w) }
      printf "- start to ready: %s ms\n", spread1(ready)
      printf "- resident memory after the load: %s MiB\n", spread1(rss)
    }
  ' $(for i in $(seq 1 "$runs"); do echo "target/bench/run-$i.md"; done)
  for i in $(seq 1 "$runs"); do
    echo
    echo "## Run $i"
    echo
    tail -n +3 "target/bench/run-$i.md"
  done
} > bench/results/latest.md.new
mv bench/results/latest.md.new bench/results/latest.md
echo
head -30 bench/results/latest.md
