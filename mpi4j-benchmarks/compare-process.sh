#!/usr/bin/env bash
# The process engine beside Open MPI, measured in one session and interleaved round by round
# (A B A B ...), as PERFORMANCE.md asks: start-up of an empty two-rank job (mpi4j run against
# mpirun), then ping-pong latency and streaming bandwidth between two ranks over shared memory
# and over TCP (PingPong against c/pingpong.c; Open MPI's shared memory both with its default
# single-copy path, CMA, and without it). Prints medians with min-max, the ratios, and the
# targets of PERFORMANCE.md as a Markdown table.
#
#   mpi4j-benchmarks/compare-process.sh [rounds] [startup-runs]   (default 3 and 10)
#
# Needs openmpi-bin and libopenmpi-dev, and mpi4j built (./build). Takes about a minute per round.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
rounds=${1:-3}
starts=${2:-10}
command -v mpicc >/dev/null || { echo "needs Open MPI: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 1; }
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build first: ./build" >&2; exit 1; }
mpicc -O2 -o "$here/target/pingpong" "$here/c/pingpong.c"
mpicc -O2 -o "$here/target/empty" "$here/c/empty.c"
sizes=(0 8 1024 65536 1048576 4194304)
mpirun=(mpirun --oversubscribe -n 2)
[ "$(id -u)" -eq 0 ] && mpirun=(mpirun --allow-run-as-root --oversubscribe -n 2)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$root/mpi4j" run -n 2 -cp "$jar" org.mpi4j.bench.EmptyJob # trains the start-up caches if needed
now() { date +%s%N; }
for ((r = 1; r <= starts; r++)); do
    t=$(now); "$root/mpi4j" run -n 2 -cp "$jar" org.mpi4j.bench.EmptyJob; echo "$(( ($(now) - t) / 1000 ))" >> "$out/start-mpi4j"
    t=$(now); "${mpirun[@]}" "$here/target/empty"; echo "$(( ($(now) - t) / 1000 ))" >> "$out/start-ompi"
done

table() { awk '/^[0-9]/ {print $1, $2, $3}'; }
for ((r = 1; r <= rounds; r++)); do
    echo "round $r of $rounds" >&2
    "$root/mpi4j" run -n 2 -cp "$jar" org.mpi4j.bench.PingPong "${sizes[@]}" | table >> "$out/mpi4j-shm"
    "${mpirun[@]}" "$here/target/pingpong" "${sizes[@]}" | table >> "$out/ompi-default"
    "${mpirun[@]}" --mca btl_vader_single_copy_mechanism none "$here/target/pingpong" "${sizes[@]}" | table >> "$out/ompi-nocma"
    "$root/mpi4j" run -n 2 -x MPI4J_TRANSPORT=tcp -cp "$jar" org.mpi4j.bench.PingPong "${sizes[@]}" | table >> "$out/mpi4j-tcp"
    "${mpirun[@]}" --mca btl tcp,self "$here/target/pingpong" "${sizes[@]}" | table >> "$out/ompi-tcp"
done

python3 - "$out" "$rounds" "$starts" <<'PY'
import statistics, sys
d, rounds, starts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
med = statistics.median
def load(name):
    lat, bw = {}, {}
    for line in open(f"{d}/{name}"):
        size, l, b = line.split()
        lat.setdefault(int(size), []).append(float(l))
        bw.setdefault(int(size), []).append(float(b))
    return lat, bw
def fmt(v, digits):
    return f"{med(v):.{digits}f} ({min(v):.{digits}f}–{max(v):.{digits}f})"
def human(n):
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB" if n >= 1024 else f"{n} B"
ms = lambda name: [int(x) / 1000 for x in open(f"{d}/{name}")]
sj, so = ms("start-mpi4j"), ms("start-ompi")
print(f"Start-up of an empty two-rank job, {starts} interleaved runs, ms, median (min–max):\n")
print("| | mpi4j run | Open MPI mpirun | ratio | target |")
print("|---|---|---|---|---|")
print(f"| start-up | {fmt(sj, 0)} | {fmt(so, 0)} | {med(sj) / med(so):.2f} | ≤ 1.0 |")
shm, dflt, nocma, tcp, otcp = (load(n) for n in ("mpi4j-shm", "ompi-default", "ompi-nocma", "mpi4j-tcp", "ompi-tcp"))
print(f"\nLatency, half round trip, µs, {rounds} interleaved rounds, median (min–max):\n")
print("| size | mpi4j shm | Open MPI shm (CMA) | Open MPI shm (no CMA) | ratio | mpi4j TCP | Open MPI TCP | ratio |")
print("|---|---|---|---|---|---|---|---|")
for s in sorted(shm[0]):
    print(f"| {human(s)} | {fmt(shm[0][s], 3)} | {fmt(dflt[0][s], 3)} | {fmt(nocma[0][s], 3)} | "
          f"{med(shm[0][s]) / med(dflt[0][s]):.2f} | {fmt(tcp[0][s], 2)} | {fmt(otcp[0][s], 2)} | "
          f"{med(tcp[0][s]) / med(otcp[0][s]):.2f} |")
print(f"\nStreaming bandwidth (a window of non-blocking sends, as osu_bw), MB/s, median (min–max):\n")
print("| size | mpi4j shm | Open MPI shm (CMA) | Open MPI shm (no CMA) | ratio (CMA / no CMA) | mpi4j TCP | Open MPI TCP | ratio |")
print("|---|---|---|---|---|---|---|---|")
for s in sorted(shm[1]):
    if s == 0:
        continue
    print(f"| {human(s)} | {fmt(shm[1][s], 0)} | {fmt(dflt[1][s], 0)} | {fmt(nocma[1][s], 0)} | "
          f"{med(shm[1][s]) / med(dflt[1][s]):.2f} / {med(shm[1][s]) / med(nocma[1][s]):.2f} | "
          f"{fmt(tcp[1][s], 0)} | {fmt(otcp[1][s], 0)} | {med(tcp[1][s]) / med(otcp[1][s]):.2f} |")
print("\nTargets (PERFORMANCE.md): shared memory 0–8 B latency ≤ 1.2× Open MPI; 4 MiB bandwidth ≥ 1.0× Open MPI"
      " default, aim for no-CMA; TCP latency ≤ 1.0×, bandwidth ≥ 1.0× Open MPI over TCP.")
PY
