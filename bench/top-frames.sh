#!/usr/bin/env bash
# Summarises an async-profiler "collapsed" profile (one stack per line: frame;frame;… count): where the
# samples went by component (each sample counted once, for the frame nearest the leaf that belongs to a
# known component), the top frames by own samples, and the project's own frames by inclusive samples.
# usage: bench/top-frames.sh FILE [N]
set -euo pipefail
file=$1; n=${2:-12}
awk -v n="$n" '
function component(fr) {
  if (fr ~ /_\[k\]$/) return "kernel (syscalls, scheduling, network)"
  if (fr ~ /^java\/math\/|^sun\/security\/|^java\/security\/|^com\/sun\/crypto\//) return "JDK crypto and BigInteger (RS256 of the user token)"
  if (fr ~ /^org\/postgresql\//) return "PostgreSQL driver"
  if (fr ~ /^io\/agroal\//) return "Agroal pool"
  if (fr ~ /^org\/hibernate\/validator\/|^jakarta\/validation\//) return "Bean Validation"
  if (fr ~ /^org\/hibernate\/|^jakarta\/persistence\//) return "Hibernate ORM"
  if (fr ~ /^com\/arjuna\/|^io\/quarkus\/narayana\/|^jakarta\/transaction\//) return "Narayana JTA"
  if (fr ~ /^com\/fasterxml\//) return "Jackson"
  if (fr ~ /^io\/netty\//) return "Netty"
  if (fr ~ /^io\/vertx\//) return "Vert.x"
  if (fr ~ /^org\/jboss\/resteasy\/|^io\/quarkus\/resteasy\//) return "Quarkus REST (server and client)"
  if (fr ~ /^io\/smallrye\/faulttolerance\//) return "SmallRye Fault Tolerance"
  if (fr ~ /^io\/smallrye\/jwt\/|^org\/jose4j\//) return "JWT parsing"
  if (fr ~ /^io\/micrometer\//) return "Micrometer"
  if (fr ~ /^io\/quarkus\/arc\/|^io\/quarkus\/cache\/|^io\/quarkus\/security\/|^io\/smallrye\/context\//) return "Quarkus ArC, cache, security, context"
  if (fr ~ /^io\/pinbff\//) return "io.pinbff (own code)"
  if (fr ~ /^java\/util\/concurrent\/|^java\/lang\/VirtualThread|^jdk\/internal\/vm\/Continuation/) return "JDK threads, queues, virtual threads"
  return ""
}
{ count = $NF; $NF = ""; sub(/ $/, ""); total += count
  k = split($0, f, ";"); self[f[k]] += count
  c = ""; for (i = k; i >= 1 && c == ""; i--) c = component(f[i]); if (c == "") c = "other (JDK, JIT, GC, stubs)"; comp[c] += count
  delete seen
  for (i = 1; i <= k; i++) if (f[i] ~ /^io\/pinbff/ && !(f[i] in seen)) { seen[f[i]] = 1; incl[f[i]] += count } }
END {
  printf "samples: %d\n", total
  PROCINFO["sorted_in"] = "@val_num_desc"
  printf "by component:\n"
  for (fr in comp) printf "  %5.1f%%  %s\n", 100 * comp[fr] / total, fr
  printf "top own frames:\n"; i = 0
  for (fr in self) { if (i++ >= n) break; printf "  %5.1f%%  %s\n", 100 * self[fr] / total, fr }
  printf "io.pinbff frames, inclusive:\n"; i = 0
  for (fr in incl) { if (i++ >= n) break; printf "  %5.1f%%  %s\n", 100 * incl[fr] / total, fr }
}' "$file"
