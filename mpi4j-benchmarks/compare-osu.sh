#!/usr/bin/env bash
# mpi4j bench beside its C counterpart (c/osu.c) on Open MPI and on MPICH, and beside mpi4py
# for object messages, measured in one session, interleaved round by round (A B C D A B C D
# ...), as PERFORMANCE.md asks. Writes into docs/bench/: results.md (medians, min-max, and
# mpi4j's ratio to C on Open MPI), results.csv, and a plot per test (if matplotlib is there).
#
#   mpi4j-benchmarks/compare-osu.sh [rounds] [tests...]
#       default: 3 rounds of latency bw allreduce bcast barrier, 2 ranks
#
# Needs mpi4j built (./build), openmpi-bin libopenmpi-dev mpich libmpich-dev, and for the
# object rows and the plots python3-mpi4py and python3-matplotlib (Debian packages).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
rounds=${1:-3}
shift || true
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(latency bw allreduce bcast barrier)
ranks=${MPI4J_BENCH_RANKS:-2}
# Debian's python3 (its mpi4py and matplotlib), not a python of pyenv or a virtualenv.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
opts=(-m "${MPI4J_BENCH_SIZES:-1048576}" -i "${MPI4J_BENCH_ITERATIONS:-2000}" -x "${MPI4J_BENCH_WARMUP:-1000}")
out="$root/docs/bench"
mkdir -p "$out" "$here/target"
mpicc.openmpi -O2 -o "$here/target/osu-openmpi" "$here/c/osu.c"
mpicc.mpich -O2 -o "$here/target/osu-mpich" "$here/c/osu.c" 2>/dev/null
ompi=(mpirun.openmpi --oversubscribe -n "$ranks")
[ "$(id -u)" -eq 0 ] && ompi=(mpirun.openmpi --allow-run-as-root --oversubscribe -n "$ranks")
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
rows() { awk -v s="$1" -v t="$2" '/^[ 0-9]/ && NF >= 1 {if (NF == 1) print s, t, 0, $1; else print s, t, $1, $2}'; }
for ((r = 1; r <= rounds; r++)); do
    for t in "${tests[@]}"; do
        echo "round $r of $rounds: $t" >&2
        MPI4J_STARTUP_CACHE=${MPI4J_STARTUP_CACHE:-on} "$root/mpi4j" bench -n "$ranks" "$t" "${opts[@]}" --quiet \
            | rows mpi4j-process "$t" >> "$raw/all"
        MPI4J_MPIRUN=mpirun.openmpi MPI4J_MPIRUN_OPTS=--oversubscribe "$root/mpi4j" bench -n "$ranks" --engine native \
            "$t" "${opts[@]}" --quiet | rows mpi4j-native-openmpi "$t" >> "$raw/all"
        "${ompi[@]}" "$here/target/osu-openmpi" "$t" "${opts[@]}" | rows c-openmpi "$t" >> "$raw/all"
        mpiexec.hydra -n "$ranks" "$here/target/osu-mpich" "$t" "${opts[@]}" | rows c-mpich "$t" >> "$raw/all"
    done
    if "$py" -c "import mpi4py" 2>/dev/null; then
        echo "round $r of $rounds: objects" >&2
        for kind in record map; do
            "$root/mpi4j" bench -n 2 latency --objects "$kind" -m 1:64 -i 2000 -x 500 --quiet \
                | rows mpi4j-process "objects-$kind" >> "$raw/all"
            "${ompi[@]}" "$py" "$here/python/osu_objects.py" "$kind" 1 64 2000 500 | rows mpi4py "objects-$kind" >> "$raw/all"
        done
    fi
done
"$py" - "$raw/all" "$out" "$rounds" "$ranks" <<'PY'
import collections, statistics, sys
path, out, rounds, ranks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
data = collections.defaultdict(list)
for line in open(path):
    system, test, size, value = line.split()
    data[(test, system, int(size))].append(float(value))
tests = sorted({k[0] for k in data}, key=lambda t: (t.startswith("objects"), t))
med = statistics.median
with open(f"{out}/results.csv", "w") as c:
    c.write("test,system,size,median,min,max,rounds\n")
    for (t, s, n), v in sorted(data.items()):
        c.write(f"{t},{s},{n},{med(v):.4f},{min(v):.4f},{max(v):.4f},{len(v)}\n")
md = [f"# mpi4j bench beside C and mpi4py\n",
      f"{ranks} ranks on one host, {rounds} interleaved rounds, median (min–max). Bandwidth in MB/s"
      " (higher is better), everything else in µs (lower is better). Ratio: mpi4j's over the"
      " reference (C on Open MPI; mpi4py for objects). Made by `mpi4j-benchmarks/compare-osu.sh`.\n"]
for t in tests:
    systems = sorted({k[1] for k in data if k[0] == t})
    ref = "mpi4py" if t.startswith("objects") else "c-openmpi"
    mine = [s for s in systems if s.startswith("mpi4j")]
    md.append(f"\n## {t}\n")
    md.append("| size | " + " | ".join(systems) + " | " + " | ".join(f"{s} / {ref}" for s in mine) + " |")
    md.append("|---" * (1 + len(systems) + len(mine)) + "|")
    for n in sorted({k[2] for k in data if k[0] == t}):
        cells = []
        for s in systems:
            v = data.get((t, s, n))
            cells.append(f"{med(v):.2f} ({min(v):.2f}–{max(v):.2f})" if v else "–")
        ratios = []
        for s in mine:
            a, b = data.get((t, s, n)), data.get((t, ref, n))
            ratios.append(f"{med(a) / med(b):.2f}" if a and b and med(b) > 0 else "–")
        md.append(f"| {n} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
open(f"{out}/results.md", "w").write("\n".join(md) + "\n")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no plots (apt-get install python3-matplotlib)", file=sys.stderr)
    sys.exit(0)
for t in tests:
    if t == "barrier":
        continue
    plt.figure(figsize=(6, 4))
    for s in sorted({k[1] for k in data if k[0] == t}):
        pts = sorted((n, med(v)) for (tt, ss, n), v in data.items() if tt == t and ss == s and n > 0)
        if pts:
            plt.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=3, label=s)
    plt.xscale("log", base=2)
    plt.yscale("log")
    plt.xlabel("objects" if t.startswith("objects") else "message size (bytes)")
    plt.ylabel("MB/s" if t in ("bw", "bibw") else "µs")
    plt.title(f"{t}, {ranks} ranks")
    plt.legend()
    plt.grid(True, which="both", alpha=0.3)
    plt.tight_layout()
    plt.savefig(f"{out}/{t}.svg")
    plt.close()
PY
echo "wrote $out/results.md, results.csv and plots" >&2
