/*
 * The C counterpart of org.mpi4j.bench.AllreduceBench: the average time of MPI_Allreduce of
 * doubles (sum), slowest rank's, after a warm-up, for the element counts given.
 *
 *   mpicc -O2 -o allreduce allreduce.c && mpirun -n 2 ./allreduce 1 1024 131072 1048576
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) {
        printf("# Open MPI C, allreduce of doubles (sum), %d ranks\n", size);
        printf("%-10s %14s\n", "# Elements", "Avg(us)");
    }
    for (int a = 1; a < argc; a++) {
        int n = atoi(argv[a]);
        double *in = malloc(sizeof(double) * n), *out = malloc(sizeof(double) * n);
        for (int i = 0; i < n; i++) {
            in[i] = rank + 1;
        }
        int iters = n <= 1024 ? 20000 : n <= (128 << 10) ? 400 : 60;
        for (int i = 0; i < iters / 2; i++) {
            MPI_Allreduce(in, out, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        double t = MPI_Wtime();
        for (int i = 0; i < iters; i++) {
            MPI_Allreduce(in, out, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        }
        double us = (MPI_Wtime() - t) * 1e6 / iters, max;
        MPI_Reduce(&us, &max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        if (rank == 0) {
            printf("%-10d %14.2f\n", n, max);
        }
        free(in);
        free(out);
    }
    MPI_Finalize();
    return 0;
}
