/*
 * The C counterpart of mpi4j bench (org.mpi4j.tools.bench.Osu): the same OSU-style tests,
 * the same loops and the same table, so a row of one lines up with a row of the other.
 *
 *   mpicc -O2 -o osu osu.c
 *   mpirun -n 2 ./osu latency -m 1024 -i 10000 -x 2000
 *
 * Tests: latency bw bibw multi_lat bcast reduce allreduce allgather alltoall gather scatter
 * reduce_scatter barrier. Options: -m MAX | MIN:MAX, -i ITERATIONS, -x WARMUP.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 64

static int rank, size;

static double latency(char *buf, int n, int iters, int warm) {
    double start = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    for (int i = 0; i < warm + iters; i++) {
        if (i == warm) start = MPI_Wtime();
        if (rank == 0) {
            MPI_Send(buf, n, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
            MPI_Recv(buf, n, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (rank == 1) {
            MPI_Recv(buf, n, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, n, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
        }
    }
    return (MPI_Wtime() - start) * 1e6 / iters / 2;
}

static double bandwidth(char **bufs, char **back, int n, int iters, int warm, int both) {
    if (n == 0) return 0;
    iters = iters / 20 > 0 ? iters / 20 : 1;
    warm = warm / 20 > 0 ? warm / 20 : 1;
    MPI_Request reqs[2 * WINDOW];
    double start = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    for (int l = 0; l < warm + iters; l++) {
        if (l == warm) start = MPI_Wtime();
        if (rank > 1) continue;
        int peer = 1 - rank, k2 = 0;
        for (int k = 0; k < WINDOW; k++) {
            if (rank == 0 || both) MPI_Isend(bufs[k], n, MPI_BYTE, peer, 2, MPI_COMM_WORLD, &reqs[k2++]);
            if (rank == 1 || both) MPI_Irecv(both ? back[k] : bufs[k], n, MPI_BYTE, peer, 2, MPI_COMM_WORLD, &reqs[k2++]);
        }
        MPI_Waitall(k2, reqs, MPI_STATUSES_IGNORE);
        if (rank == 0) MPI_Recv(NULL, 0, MPI_BYTE, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        else MPI_Send(NULL, 0, MPI_BYTE, 0, 3, MPI_COMM_WORLD);
    }
    double secs = MPI_Wtime() - start;
    return (both ? 2.0 : 1.0) * n * WINDOW * iters / secs / 1e6;
}

static double multi_latency(char *buf, int n, int iters, int warm) {
    int partner = rank < size / 2 ? rank + size / 2 : rank - size / 2;
    MPI_Barrier(MPI_COMM_WORLD);
    double start = 0;
    for (int i = 0; i < warm + iters; i++) {
        if (i == warm) start = MPI_Wtime();
        if (rank < size / 2) {
            MPI_Send(buf, n, MPI_BYTE, partner, 1, MPI_COMM_WORLD);
            MPI_Recv(buf, n, MPI_BYTE, partner, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(buf, n, MPI_BYTE, partner, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, n, MPI_BYTE, partner, 1, MPI_COMM_WORLD);
        }
    }
    double mine = (MPI_Wtime() - start) * 1e6 / iters / 2, sum;
    MPI_Allreduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return sum / size;
}

static void call(const char *test, int n, char *block, char *all, char *all2, float *f, float *g, float *rs) {
    int floats = n / 4 > 0 ? n / 4 : 1;
    if (!strcmp(test, "barrier")) MPI_Barrier(MPI_COMM_WORLD);
    else if (!strcmp(test, "bcast")) MPI_Bcast(block, n, MPI_BYTE, 0, MPI_COMM_WORLD);
    else if (!strcmp(test, "reduce")) MPI_Reduce(f, g, floats, MPI_FLOAT, MPI_SUM, 0, MPI_COMM_WORLD);
    else if (!strcmp(test, "allreduce")) MPI_Allreduce(f, g, floats, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    else if (!strcmp(test, "allgather")) MPI_Allgather(block, n, MPI_BYTE, all, n, MPI_BYTE, MPI_COMM_WORLD);
    else if (!strcmp(test, "alltoall")) MPI_Alltoall(all, n, MPI_BYTE, all2, n, MPI_BYTE, MPI_COMM_WORLD);
    else if (!strcmp(test, "gather")) MPI_Gather(block, n, MPI_BYTE, all, n, MPI_BYTE, 0, MPI_COMM_WORLD);
    else if (!strcmp(test, "scatter")) MPI_Scatter(all, n, MPI_BYTE, block, n, MPI_BYTE, 0, MPI_COMM_WORLD);
    else if (!strcmp(test, "reduce_scatter")) MPI_Reduce_scatter_block(rs, g, floats, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

static double collective(const char *test, int n, int iters, int warm) {
    int floats = n / 4 > 0 ? n / 4 : 1;
    char *block = calloc(1, n + 1), *all = calloc(size, n + 1), *all2 = calloc(size, n + 1);
    float *f = calloc(floats, sizeof(float)), *g = calloc(floats, sizeof(float));
    float *rs = calloc((size_t) floats * size, sizeof(float));
    for (int i = 0; i < warm; i++) call(test, n, block, all, all2, f, g, rs);
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    for (int i = 0; i < iters; i++) call(test, n, block, all, all2, f, g, rs);
    double mine = (MPI_Wtime() - start) * 1e6 / iters, max;
    MPI_Allreduce(&mine, &max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    free(block); free(all); free(all2); free(f); free(g); free(rs);
    return max;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc < 2) {
        if (rank == 0) fprintf(stderr, "usage: osu TEST [-m MAX|MIN:MAX] [-i N] [-x N]\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    const char *test = argv[1];
    int p2p = !strcmp(test, "latency") || !strcmp(test, "bw") || !strcmp(test, "bibw") || !strcmp(test, "multi_lat");
    long min = p2p ? 0 : 1, max = 1 << 20;
    int iters = -1, warm = -1;
    for (int a = 2; a + 1 < argc; a += 2) {
        if (!strcmp(argv[a], "-m")) {
            char *colon = strchr(argv[a + 1], ':');
            if (!colon) max = atol(argv[a + 1]);
            else {
                if (colon != argv[a + 1]) min = atol(argv[a + 1]);
                if (colon[1]) max = atol(colon + 1);
            }
        } else if (!strcmp(argv[a], "-i")) iters = atoi(argv[a + 1]);
        else if (!strcmp(argv[a], "-x")) warm = atoi(argv[a + 1]);
    }
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int vlen;
    MPI_Get_library_version(version, &vlen);
    char *nl = strchr(version, '\n');
    if (nl) *nl = 0;
    for (char *t = version; *t; t++) if (*t == '\t') *t = ' ';
    char *comma = strchr(version, ',');
    if (comma) *comma = 0;
    const char *unit = !strcmp(test, "bw") || !strcmp(test, "bibw") ? "Bandwidth (MB/s)"
        : p2p ? "Latency (us)" : "Avg Latency(us)";
    if (rank == 0) {
        printf("# OSU-style MPI %s Test, C on %s, %d ranks\n", test, version, size);
        if (!strcmp(test, "barrier")) printf("# Avg Latency(us)\n");
        else printf("# %-12s %18s\n", "Size", unit);
    }
    char *buf = calloc(1, max + 1);
    char *bufs[WINDOW], *back[WINDOW];
    for (int k = 0; k < WINDOW; k++) {
        bufs[k] = calloc(1, max + 1);
        back[k] = calloc(1, max + 1);
    }
    long sizes[40];
    int count = 0;
    if (!strcmp(test, "barrier")) sizes[count++] = 0;
    else {
        if (min == 0) sizes[count++] = 0;
        for (long v = 1; v <= max; v *= 2) if (v >= min) sizes[count++] = v;
    }
    for (int s = 0; s < count; s++) {
        int n = (int) sizes[s];
        int it = iters >= 0 ? (iters > 0 ? iters : 1) : (n > 8192 ? 1000 : 10000);
        int wu = warm >= 0 ? warm : (n > 8192 ? 200 : 2000);
        double v;
        if (!strcmp(test, "latency")) v = latency(buf, n, it, wu);
        else if (!strcmp(test, "bw")) v = bandwidth(bufs, back, n, it, wu, 0);
        else if (!strcmp(test, "bibw")) v = bandwidth(bufs, back, n, it, wu, 1);
        else if (!strcmp(test, "multi_lat")) v = multi_latency(buf, n, it, wu);
        else v = collective(test, n, it, wu);
        if (rank == 0) {
            if (!strcmp(test, "barrier")) printf("%18.2f\n", v);
            else printf("%-14d %18.2f\n", n, v);
            fflush(stdout);
        }
    }
    MPI_Finalize();
    return 0;
}
