/*
 * The C counterpart of org.mpi4j.bench.PingPong: half round-trip latency of a blocking
 * ping-pong between ranks 0 and 1, and streaming bandwidth (a window of non-blocking sends,
 * then a zero-byte acknowledgement, as OSU's osu_bw), for the message sizes given on the
 * command line, printed in the same format so the two can be put side by side.
 *
 *   mpicc -O2 -o pingpong pingpong.c
 *   mpirun --allow-run-as-root -n 2 ./pingpong 0 8 1048576
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* Messages in flight per loop: OSU's 64, but at most 64 MiB of them (PingPong.window agrees). */
static int window_of(long size) {
    long w = (64L << 20) / (size > 0 ? size : 1);
    return (int) (w > 64 ? 64 : w < 4 ? 4 : w);
}

static double latency(char *buf, int size, int iters, int rank) {
    int warmup = iters / 5;
    double start = 0;
    for (int i = 0; i < warmup + iters; i++) {
        if (i == warmup) {
            MPI_Barrier(MPI_COMM_WORLD);
            start = MPI_Wtime();
        }
        if (rank == 0) {
            MPI_Send(buf, size, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
            MPI_Recv(buf, size, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (rank == 1) {
            MPI_Recv(buf, size, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, size, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
        }
    }
    return (MPI_Wtime() - start) * 1e6 / (2.0 * iters);
}

static double bandwidth(char **bufs, int size, int loops, int rank) {
    if (size == 0) {
        return 0;
    }
    int window = window_of(size);
    MPI_Request reqs[64];
    double start = 0;
    for (int l = 0; l < loops + 5; l++) {
        if (l == 5) {
            MPI_Barrier(MPI_COMM_WORLD);
            start = MPI_Wtime();
        }
        for (int k = 0; k < window; k++) {
            if (rank == 0) {
                MPI_Isend(bufs[k], size, MPI_BYTE, 1, 2, MPI_COMM_WORLD, &reqs[k]);
            } else {
                MPI_Irecv(bufs[k], size, MPI_BYTE, 0, 2, MPI_COMM_WORLD, &reqs[k]);
            }
        }
        MPI_Waitall(window, reqs, MPI_STATUSES_IGNORE);
        if (rank == 0) {
            MPI_Recv(NULL, 0, MPI_BYTE, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Send(NULL, 0, MPI_BYTE, 0, 3, MPI_COMM_WORLD);
        }
    }
    double secs = MPI_Wtime() - start;
    return (double) size * window * loops / secs / 1e6;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    long max = 0;
    for (int a = 1; a < argc; a++) {
        long s = atol(argv[a]);
        max = s > max ? s : max;
    }
    char *buf = calloc(1, max > 0 ? max : 1);
    char *bufs[64];
    /* Every window buffer touched once before timing, as the Java side's are reused. */
    int nbufs = 64;
    for (int k = 0; k < nbufs; k++) {
        long n = 1;
        for (int a = 1; a < argc; a++) {
            long s = atol(argv[a]);
            if (window_of(s) > k && s > n) {
                n = s;
            }
        }
        bufs[k] = calloc(1, n);
    }
    if (rank == 0) {
        printf("# Open MPI C, ranks 0 and 1\n");
        printf("%-10s %14s %14s\n", "# Size", "Latency(us)", "Bandwidth(MB/s)");
    }
    for (int a = 1; a < argc; a++) {
        int size = atoi(argv[a]);
        double lat = latency(buf, size, size <= 65536 ? 20000 : 400, rank);
        double bw = bandwidth(bufs, size, size >= (1 << 20) ? 20 : 200, rank);
        if (rank == 0) {
            printf("%-10d %14.3f %14.1f\n", size, lat, bw);
        }
    }
    for (int k = 0; k < nbufs; k++) {
        free(bufs[k]);
    }
    free(buf);
    MPI_Finalize();
    return 0;
}
