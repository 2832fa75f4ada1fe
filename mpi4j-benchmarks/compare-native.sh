#!/usr/bin/env bash
# The native engine beside the same loops in C on the same MPI, in one session, interleaved
# round by round (A B A B ...): ping-pong latency (8 B to 1 MiB) and allreduce of doubles,
# two ranks, under Open MPI's mpirun. Prints medians with min-max and the ratios, as a
# Markdown table.
#
#   mpi4j-benchmarks/compare-native.sh [rounds]        (default 3; needs openmpi-bin libopenmpi-dev)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
. "$root/scripts/find-java.sh"
mpi4j_find_java
rounds=${1:-3}
command -v mpicc.openmpi >/dev/null || { echo "needs Open MPI: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 1; }
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build first: ./build" >&2; exit 1; }
mpicc.openmpi -O2 -o "$here/target/pingpong" "$here/c/pingpong.c"
mpicc.openmpi -O2 -o "$here/target/allreduce" "$here/c/allreduce.c"
cp="$jar"
for f in "$root"/mpi4j-tools/target/lib/*.jar; do cp=$cp:$f; done
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
    -XX:+UseSerialGC -cp "$cp")
mpirun=(mpirun.openmpi --oversubscribe -n 2)
[ "$(id -u)" -eq 0 ] && mpirun=(mpirun.openmpi --allow-run-as-root --oversubscribe -n 2)
sizes=(8 1024 65536 1048576)
elements=(1 1024 131072 1048576)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rows() { awk '/^[0-9]/ {print $1, $2}'; }
for ((r = 1; r <= rounds; r++)); do
    echo "round $r of $rounds" >&2
    "${mpirun[@]}" "${java[@]}" org.mpi4j.bench.PingPong "${sizes[@]}" | rows >> "$out/java-lat"
    "${mpirun[@]}" "$here/target/pingpong" "${sizes[@]}" | rows >> "$out/c-lat"
    "${mpirun[@]}" "${java[@]}" org.mpi4j.bench.AllreduceBench "${elements[@]}" | rows >> "$out/java-ar"
    "${mpirun[@]}" "$here/target/allreduce" "${elements[@]}" | rows >> "$out/c-ar"
done
python3 - "$out" "$rounds" <<'PY'
import statistics, sys
d, rounds = sys.argv[1], sys.argv[2]
med = statistics.median
def load(name):
    by = {}
    for line in open(f"{d}/{name}"):
        k, v = line.split()
        by.setdefault(int(k), []).append(float(v))
    return by
fmt = lambda v, n: f"{med(v):.{n}f} ({min(v):.{n}f}–{max(v):.{n}f})"
jl, cl, ja, ca = load("java-lat"), load("c-lat"), load("java-ar"), load("c-ar")
print(f"Native engine on Open MPI against C on Open MPI, 2 ranks, {rounds} interleaved rounds, median (min–max):\n")
print("| ping-pong | mpi4j native (µs) | C (µs) | ratio |")
print("|---|---|---|---|")
for s in sorted(jl):
    print(f"| {s} B | {fmt(jl[s], 3)} | {fmt(cl[s], 3)} | {med(jl[s]) / med(cl[s]):.2f} |")
print("\n| allreduce, doubles | mpi4j native (µs) | C (µs) | ratio |")
print("|---|---|---|---|")
for n in sorted(ja):
    print(f"| {n} | {fmt(ja[n], 2)} | {fmt(ca[n], 2)} | {med(ja[n]) / med(ca[n]):.2f} |")
print("\nTarget (PERFORMANCE.md): native engine over Open MPI, 8 B latency (median) ≤ 1.05× the same loop in C.")
PY
