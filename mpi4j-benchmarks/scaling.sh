#!/usr/bin/env bash
# The scaling study: Monte Carlo pi, strong and weak scaling on 1, 2 and (oversubscribed) 4
# ranks, mpi4j's process engine beside C on Open MPI, interleaved round by round; and the
# local engine's collectives from 2 to 1024 ranks. Writes docs/bench/scaling.md and, with
# matplotlib, docs/bench/scaling-montecarlo.svg and scaling-local-collectives.svg.
#
#   mpi4j-benchmarks/scaling.sh [rounds] [samples]      (default 3 rounds, 100000000 samples)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
. "$root/scripts/find-java.sh"
mpi4j_find_java
rounds=${1:-3}
samples=${2:-100000000}
out="$root/docs/bench"
mkdir -p "$out" "$here/target"
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build first: ./build" >&2; exit 1; }
mpicc.openmpi -O2 -o "$here/target/montecarlo" "$here/c/montecarlo.c"
ompi=(mpirun.openmpi --oversubscribe -n 4)
[ "$(id -u)" -eq 0 ] && ompi=(mpirun.openmpi --allow-run-as-root --oversubscribe -n 4)
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
rows() { awk -v s="$1" -v m="$2" '/^[0-9]/ {print s, m, $1, $2, $3}'; }
for ((r = 1; r <= rounds; r++)); do
    for mode in strong weak; do
        echo "round $r of $rounds: Monte Carlo, $mode" >&2
        "$root/mpi4j" run -n 4 -cp "$jar" org.mpi4j.bench.MonteCarloScaling "$mode" "$samples" \
            | rows mpi4j "$mode" >> "$raw/mc"
        "${ompi[@]}" "$here/target/montecarlo" "$mode" "$samples" | rows c-openmpi "$mode" >> "$raw/mc"
    done
done
echo "local engine collectives, 2 to 1024 ranks" >&2
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
    -cp "$jar" org.mpi4j.bench.LocalCollectiveScaling 1024 > "$raw/local"
"$py" - "$raw" "$out" "$rounds" "$samples" <<'PY'
import collections, statistics, sys
raw, out, rounds, samples = sys.argv[1:5]
med = statistics.median
mc = collections.defaultdict(list)
for line in open(f"{raw}/mc"):
    system, mode, k, t, eff = line.split()
    mc[(mode, system, int(k))].append((float(t), float(eff)))
md = ["# Scaling study\n", f"Made by `mpi4j-benchmarks/scaling.sh` on a 2-core host; {rounds} interleaved rounds,"
      " median (min–max). Beyond 2 ranks the ranks share cores: 4 ranks cannot be faster than 2.\n"]
for mode in ("strong", "weak"):
    md.append(f"\n## Monte Carlo π, {mode} scaling ({int(samples):,} samples {'per rank' if mode == 'weak' else 'in all'})\n")
    md.append("| ranks | mpi4j time (s) | C time (s) | mpi4j / C | mpi4j efficiency | C efficiency |")
    md.append("|---|---|---|---|---|---|")
    for k in sorted({key[2] for key in mc if key[0] == mode}):
        j = mc[(mode, "mpi4j", k)]
        c = mc[(mode, "c-openmpi", k)]
        jt, ct = [x[0] for x in j], [x[0] for x in c]
        md.append(f"| {k} | {med(jt):.3f} ({min(jt):.3f}–{max(jt):.3f}) | {med(ct):.3f} ({min(ct):.3f}–{max(ct):.3f})"
                  f" | {med(jt) / med(ct):.2f} | {med([x[1] for x in j]):.2f} | {med([x[1] for x in c]):.2f} |")
lines = [l.rstrip("\n") for l in open(f"{raw}/local")]
header = lines[1].lstrip("# ").split()
md.append("\n## Local engine collectives, 2 to 1024 ranks in one JVM (µs per call, slowest rank)\n")
md.append("| " + " | ".join(header) + " |")
md.append("|---" * len(header) + "|")
table = []
for l in lines[2:]:
    if l and l[0].isdigit():
        cells = l.split()
        table.append([int(cells[0])] + [float(x) for x in cells[1:]])
        md.append("| " + " | ".join(cells) + " |")
open(f"{out}/scaling.md", "w").write("\n".join(md) + "\n")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, mode in zip(axes, ("strong", "weak")):
    for system in ("mpi4j", "c-openmpi"):
        ks = sorted({key[2] for key in mc if key[0] == mode and key[1] == system})
        ax.plot(ks, [med([x[0] for x in mc[(mode, system, k)]]) for k in ks], marker="o", label=system)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("ranks")
    ax.set_ylabel("seconds")
    ax.set_title(f"Monte Carlo π, {mode} scaling")
    ax.legend()
    ax.grid(True, alpha=0.3)
fig.tight_layout()
fig.savefig(f"{out}/scaling-montecarlo.svg")
plt.figure(figsize=(6, 4))
for i, name in enumerate(header[1:], start=1):
    plt.plot([r[0] for r in table], [r[i] for r in table], marker="o", markersize=3, label=name)
plt.xscale("log", base=2)
plt.yscale("log")
plt.xlabel("ranks (threads of one JVM)")
plt.ylabel("µs per call")
plt.title("local engine collectives")
plt.legend(fontsize=7)
plt.grid(True, which="both", alpha=0.3)
plt.tight_layout()
plt.savefig(f"{out}/scaling-local-collectives.svg")
PY
echo "wrote $out/scaling.md" >&2
