#!/usr/bin/env bash
# Per measured phase, from the BFF's own timers read at its start and end (bench/run.sh): requests the
# BFF served and their mean time inside it (http_server_requests, from the request's arrival at the
# HTTP layer until its answer is written), and each Solaris endpoint it called with calls per request
# and mean time per call (pinbff_solaris_requests, the whole guarded call: token, fault tolerance,
# HTTP round trip). What is left of the server time is the BFF's own work and waiting (PostgreSQL,
# hand-offs between threads), the card lookup excepted where it ran alongside the bookkeeping.
# With PHASE.{begin,end}.cpu (the BFF's CPU ticks), also its CPU time per request; likewise the
# sandbox's (.sandbox-cpu) and PostgreSQL's (.postgres-cpu, all its processes, both databases).
# usage: bench/phase-costs.sh DIR  (DIR holds PHASE.begin.metrics and PHASE.end.metrics)
set -euo pipefail
dir=$1
for begin in "$dir"/*.begin.metrics; do
  phase=$(basename "$begin" .begin.metrics)
  end="$dir/$phase.end.metrics"
  [ -f "$end" ] || continue
  delta() { # the ticks a CPU file (cpu, sandbox-cpu, postgres-cpu) gained over the phase, or nothing
    [ -s "$dir/$phase.begin.$1" ] && [ -s "$dir/$phase.end.$1" ] && echo $(( $(cat "$dir/$phase.end.$1") - $(cat "$dir/$phase.begin.$1") ))
  }
  ticks=$(delta cpu || true); sandbox=$(delta sandbox-cpu || true); postgres=$(delta postgres-cpu || true)
  awk -v phase="$phase" -v ticks="$ticks" -v sandbox="$sandbox" -v postgres="$postgres" -v hz="$(getconf CLK_TCK)" '
    function key(line,   name, labels) {
      name = line; sub(/\{.*/, "", name)
      if (name ~ /^http_server_requests_seconds_(count|sum)$/) {
        if (line ~ /uri="\/q\// || line !~ /uri="\/v1/) return ""
        match(line, /method="[^"]*"/); m = substr(line, RSTART + 8, RLENGTH - 9)
        match(line, /uri="[^"]*"/); u = substr(line, RSTART + 5, RLENGTH - 6)
        return "server " m " " u SUBSEP (name ~ /count$/ ? "count" : "sum")
      }
      if (name ~ /^pinbff_solaris_requests_seconds_(count|sum)$/) {
        match(line, /endpoint="[^"]*"/); e = substr(line, RSTART + 10, RLENGTH - 11)
        return "solaris " e SUBSEP (name ~ /count$/ ? "count" : "sum")
      }
      return ""
    }
    /^#/ { next }
    { k = key($0); if (k == "") next; v = $NF + 0; if (FILENAME ~ /begin.metrics$/) v = -v; d[k] += v }
    END {
      routes = 0; served = 0; serverSum = 0; line = ""
      for (k in d) { split(k, p, SUBSEP); if (p[1] ~ /^server / && p[2] == "count" && d[k] > 0) {
          n = d[k]; s = d[p[1] SUBSEP "sum"]; routes++; served += n; serverSum += s
          line = line sprintf("%s%s %d requests, %.2f ms each inside the BFF", line == "" ? "" : "; ", substr(p[1], 8), n, 1000 * s / n) } }
      if (routes == 0) { printf "- %s: no requests\n", phase; exit }
      solaris = 0
      for (k in d) { split(k, p, SUBSEP); if (p[1] ~ /^solaris / && p[2] == "count" && d[k] > 0) {
          n = d[k]; s = d[p[1] SUBSEP "sum"]; solaris += s
          line = line sprintf("; Solaris %s %d calls, %.2f ms each", substr(p[1], 9), n, 1000 * s / n) } }
      rest = routes == 1 ? sprintf("; the rest (own work, PostgreSQL, hand-offs) %.2f ms per request", 1000 * (serverSum - solaris) / served) : ""
      cpu = ticks == "" ? "" : sprintf("; BFF CPU %.2f ms per request", 1000 * ticks / hz / served)
      if (sandbox != "") cpu = cpu sprintf(", sandbox %.2f", 1000 * sandbox / hz / served)
      if (postgres != "") cpu = cpu sprintf(", PostgreSQL %.2f", 1000 * postgres / hz / served)
      printf "- %s: %s%s%s\n", phase, line, rest, cpu
    }' "$begin" "$end"
done
