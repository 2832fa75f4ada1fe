/*
 * The C counterpart of org.mpi4j.bench.LocalPingPong's latency loop: half round-trip time of
 * a blocking ping-pong between ranks 0 and 1, for the message sizes given on the command line,
 * printed in the same format so the two can be put side by side.
 *
 *   mpicc -O2 -o pingpong pingpong.c
 *   mpirun --allow-run-as-root -n 2 ./pingpong 0 8
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char *buf = calloc(1, 4 << 20);
    for (int a = 1; a < argc; a++) {
        int size = atoi(argv[a]);
        int iters = size >= (1 << 20) ? 300 : size >= 65536 ? 3000 : 30000;
        int warmup = iters / 3;
        double start = 0;
        for (int i = 0; i < warmup + iters; i++) {
            if (i == warmup) {
                start = MPI_Wtime();
            }
            if (rank == 0) {
                MPI_Send(buf, size, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
                MPI_Recv(buf, size, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                MPI_Recv(buf, size, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(buf, size, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
            }
        }
        if (rank == 0) {
            printf("%-10d %.3f\n", size, (MPI_Wtime() - start) * 1e6 / (2.0 * iters));
        }
    }
    free(buf);
    MPI_Finalize();
    return 0;
}
