"""mpi4py's counterpart of `mpi4j bench latency --objects KIND`: half a round trip of a
pickled object between ranks 0 and 1, in the same table format.

    mpirun -n 2 python3 osu_objects.py record|map|records MIN MAX ITERATIONS WARMUP
"""
import sys
from dataclasses import dataclass
from mpi4py import MPI


@dataclass
class Point:
    id: int
    x: float
    y: float
    label: str


def message(kind, n):
    if kind == "record":
        return Point(n, 1.5, -2.5, "p%d" % n)
    if kind == "map":
        return {"key%d" % i: i for i in range(n)}
    return [Point(i, i * 0.5, -i, "p%d" % i) for i in range(n)]


def main():
    kind, lo, hi, iters, warm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    if rank == 0:
        print("# OSU-style MPI latency Test, mpi4py %s objects: %s, %d ranks" % (MPI.Get_library_version().split("\n")[0].split(",")[0], kind, comm.Get_size()))
        print("# %-12s %18s" % ("Count", "Latency (us)"))
    n = lo
    sizes = []
    while n <= hi:
        sizes.append(n)
        n *= 2
    for n in sizes:
        m = message(kind, n)
        it = max(1, iters // 4)
        comm.Barrier()
        start = 0.0
        for i in range(warm + it):
            if i == warm:
                start = MPI.Wtime()
            if rank == 0:
                comm.send(m, dest=1, tag=1)
                comm.recv(source=1, tag=1)
            elif rank == 1:
                got = comm.recv(source=0, tag=1)
                comm.send(got, dest=0, tag=1)
        if rank == 0:
            print("%-14d %18.2f" % (n, (MPI.Wtime() - start) * 1e6 / it / 2))
            sys.stdout.flush()


main()
