package org.mpi4j.engine.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * The scale test: 1024 ranks of the local engine in one JVM run barrier, bcast, allreduce,
 * allgather and alltoall, each checked against what it must produce, and report what that
 * took in time and heap (printed, for the record; the machine is shared, so nothing is
 * asserted about speed).
 */
class CollectivesAt1024RanksTest {

    private static final int N = 1024;

    @Test
    void everyCollectiveIsCorrectOn1024Ranks() {
        resetPeaks();
        long start = System.nanoTime();
        List<double[]> times = Mpi.local(N).timeout(Duration.ofSeconds(300)).run(CollectivesAt1024RanksTest::exercise);
        double wall = (System.nanoTime() - start) / 1e9;
        double[] slowest = new double[times.get(0).length];
        for (double[] t : times) {
            for (int i = 0; i < t.length; i++) {
                slowest[i] = Math.max(slowest[i], t[i]);
            }
        }
        System.out.printf(Locale.ROOT, "1024 ranks: job %.2f s; slowest rank per collective (ms): barrier %.1f, "
                + "bcast 1 KiB %.1f, allreduce 8 B %.1f, allreduce 8 KiB %.1f, allgather 4 B/rank %.1f, "
                + "alltoall 4 B/pair %.1f, alltoall 256 B/pair %.1f; peak heap %d MiB%n", wall, slowest[0], slowest[1],
                slowest[2], slowest[3], slowest[4], slowest[5], slowest[6], peakHeapMiB());
    }

    private static double[] exercise(Comm w) {
        int me = w.rank();
        int n = w.size();
        assertEquals(N, n);
        double[] t = new double[7];
        long s = System.nanoTime();
        w.barrier();
        t[0] = lap(s);

        s = System.nanoTime();
        byte[] config = new byte[1024];
        if (me == 517) {
            java.util.Arrays.fill(config, (byte) 42);
        }
        w.bcast(Buf.of(config), 517);
        t[1] = lap(s);
        assertEquals(42, config[1023]);

        s = System.nanoTime();
        long total = w.allreduce((long) me, Op.SUM);
        t[2] = lap(s);
        assertEquals((long) N * (N - 1) / 2, total);

        double[] v = new double[1024];
        java.util.Arrays.fill(v, me);
        s = System.nanoTime();
        w.allreduce(null, Buf.of(v), Op.MAX);
        t[3] = lap(s);
        assertEquals(N - 1, v[1023]);

        int[] all = new int[N];
        s = System.nanoTime();
        w.allgather(Buf.of(new int[] {me * 3}), Buf.of(all));
        t[4] = lap(s);
        for (int r = 0; r < N; r++) {
            assertEquals(r * 3, all[r]);
        }

        int[] out = new int[N];
        for (int r = 0; r < N; r++) {
            out[r] = me * N + r;
        }
        int[] in = new int[N];
        s = System.nanoTime();
        w.alltoall(Buf.of(out), Buf.of(in));
        t[5] = lap(s);
        for (int r = 0; r < N; r++) {
            assertEquals(r * N + me, in[r]);
        }

        long[] wide = new long[N * 32];
        for (int r = 0; r < N; r++) {
            wide[r * 32 + 31] = me * 10_000L + r;
        }
        long[] wideIn = new long[N * 32];
        s = System.nanoTime();
        w.alltoall(Buf.of(wide), Buf.of(wideIn));
        t[6] = lap(s);
        for (int r = 0; r < N; r++) {
            assertEquals(r * 10_000L + me, wideIn[r * 32 + 31]);
        }
        w.barrier();
        return t;
    }

    private static double lap(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    private static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
