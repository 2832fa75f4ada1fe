#!/usr/bin/env bash
# The local engine beside its anchors, measured in one session: ping-pong latency of 0 and 8
# bytes against the same loop in C on Open MPI's shared memory, interleaved round by round
# (A B A B ...), and 4 MiB streaming bandwidth against single-thread memcpy in the same JVM.
# Prints medians with min-max and the ratios the targets in PERFORMANCE.md are written in.
#
#   mpi4j-benchmarks/compare-local.sh [rounds]      (needs openmpi-bin and libopenmpi-dev)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
. "$root/scripts/find-java.sh"
mpi4j_find_java
rounds=${1:-7}
command -v mpicc >/dev/null || { echo "needs Open MPI: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 1; }
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build first: ./build" >&2; exit 1; }
mkdir -p "$here/target"
mpicc -O2 -o "$here/target/pingpong" "$here/c/pingpong.c"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
    java --add-opens=java.base/java.lang.invoke=ALL-UNNAMED -cp "$jar" org.mpi4j.bench.LocalPingPong 1 latency \
        | awk '/^[0-9]/ {print $1, $2}' >> "$out/java"
    mpirun --allow-run-as-root --oversubscribe -n 2 "$here/target/pingpong" 0 8 | awk '/^[0-9]/ {print $1, $2}' >> "$out/c"
done
java --add-opens=java.base/java.lang.invoke=ALL-UNNAMED -cp "$jar" org.mpi4j.bench.LocalPingPong "$rounds" bandwidth \
    | awk '$1 == 4194304 {print}' > "$out/bw"
python3 - "$out" "$rounds" <<'PY'
import statistics, sys
d, rounds = sys.argv[1], sys.argv[2]
def load(name):
    by = {}
    for line in open(f"{d}/{name}"):
        size, v = line.split()
        by.setdefault(int(size), []).append(float(v))
    return by
j, c = load("java"), load("c")
fmt = lambda v: f"{statistics.median(v):.3f} [{min(v):.3f}-{max(v):.3f}]"
print(f"# local engine vs Open MPI shared memory, 2 ranks, {rounds} interleaved rounds: median [min-max]")
print(f"{'# size':<8} {'mpi4j local (us)':>26} {'Open MPI C (us)':>26} {'ratio':>8}   target")
for size in sorted(j):
    ratio = statistics.median(j[size]) / statistics.median(c[size])
    print(f"{size:<8} {fmt(j[size]):>26} {fmt(c[size]):>26} {ratio:>8.2f}   <= 0.5 (0 B)")
bw = open(f"{d}/bw").read().split()
print("# 4 MiB streaming bandwidth, MB/s median [min-max]: mpi4j local, memcpy, ratio (target >= 0.8)")
print(" ".join(bw))
PY
