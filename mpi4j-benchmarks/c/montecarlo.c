/*
 * The C counterpart of org.mpi4j.bench.MonteCarloScaling: the same strong and weak scaling
 * table for the Monte Carlo estimate of pi, with xoshiro256+ (one stream per rank, seeded by
 * splitmix64) where the Java side uses L64X128MixRandom.
 *
 *   mpicc -O2 -o montecarlo montecarlo.c && mpirun -n 4 ./montecarlo strong 100000000
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s[4];

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline double next_double(void) {
    uint64_t r = s[0] + s[3], t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return (r >> 11) * 0x1.0p-53;
}

static long long count_inside(int rank, long long n) {
    uint64_t x = 42 + 7919ULL * (rank + 1);
    for (int i = 0; i < 4; i++) s[i] = splitmix(&x);
    long long c = 0;
    for (long long i = 0; i < n; i++) {
        double a = next_double(), b = next_double();
        if (a * a + b * b <= 1.0) c++;
    }
    return c;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int weak = argc > 1 && !strcmp(argv[1], "weak");
    long long samples = argc > 2 ? atoll(argv[2]) : 100000000LL;
    if (rank == 0) {
        printf("# Monte Carlo pi, %s scaling, %lld %s, C\n", weak ? "weak" : "strong", samples,
               weak ? "samples per rank" : "samples in all");
        printf("%-8s %12s %12s\n", "# ranks", "time (s)", "efficiency");
    }
    double t1 = 0;
    for (int k = 1; k <= size; k *= 2) {
        MPI_Comm part;
        MPI_Comm_split(MPI_COMM_WORLD, rank < k ? 0 : MPI_UNDEFINED, rank, &part);
        double best = 1e300;
        if (part != MPI_COMM_NULL) {
            int pr;
            MPI_Comm_rank(part, &pr);
            long long mine = weak ? samples : samples / k + (pr < samples % k ? 1 : 0);
            for (int round = 0; round < 3; round++) {
                MPI_Barrier(part);
                double start = MPI_Wtime();
                long long in = count_inside(pr, mine), total;
                MPI_Allreduce(&in, &total, 1, MPI_LONG_LONG, MPI_SUM, part);
                double secs = MPI_Wtime() - start, max;
                MPI_Allreduce(&secs, &max, 1, MPI_DOUBLE, MPI_MAX, part);
                if (max < best) best = max;
            }
            MPI_Comm_free(&part);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0) {
            if (k == 1) t1 = best;
            printf("%-8d %12.4f %12.3f\n", k, best, weak ? t1 / best : t1 / (k * best));
        }
    }
    MPI_Finalize();
    return 0;
}
