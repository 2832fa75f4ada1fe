package org.mpi4j.bench;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Request;

/**
 * A small latency and bandwidth harness for the local engine, in the manner of the OSU
 * micro-benchmarks: half round-trip latency of a ping-pong, and streaming bandwidth with a
 * window of non-blocking sends. Beside them, in the same run, it times single-thread memcpy
 * of the same sizes, the anchor the bandwidth target is a ratio of.
 *
 * <pre>
 * java -cp mpi4j-benchmarks/target/benchmarks.jar org.mpi4j.bench.LocalPingPong [rounds] [all|latency|bandwidth]
 * </pre>
 *
 * Each figure is the median of {@code rounds} rounds (default 7), with min and max.
 * {@code compare-local.sh} beside this module interleaves it with the C loop on Open MPI.
 */
public final class LocalPingPong {
    private LocalPingPong() {
    }

    /** Runs the benchmark and prints a table. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String mode = args.length > 1 ? args[1] : "all";
        if (!mode.equals("all") && !mode.equals("latency") && !mode.equals("bandwidth")) {
            throw new IllegalArgumentException("mode must be all, latency or bandwidth: " + mode);
        }
        int[] latencySizes = mode.equals("latency") ? new int[] {0, 8} : new int[] {0, 8, 1024, 65536, 1 << 20};
        System.out.println("# mpi4j local engine, 2 ranks; " + rounds + " rounds, median [min-max]");
        if (!mode.equals("bandwidth")) {
            latency(rounds, latencySizes);
        }
        if (!mode.equals("latency")) {
            bandwidth(rounds);
        }
    }

    private static void latency(int rounds, int[] latencySizes) {
        System.out.println("# latency (half round trip)");
        System.out.printf("%-10s %12s%n", "# Size", "Latency(us)");
        for (int size : latencySizes) {
            double[] r = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                r[i] = latencyMicros(size);
            }
            System.out.printf("%-10d %s%n", size, stats(r, "%.3f"));
        }
    }

    private static void bandwidth(int rounds) {
        System.out.println("# bandwidth (window of 64 isends)");
        System.out.printf("%-10s %12s %12s %10s%n", "# Size", "MB/s", "memcpy MB/s", "ratio");
        for (int size : new int[] {65536, 1 << 20, 4 << 20}) {
            double[] bw = new double[rounds];
            double[] mc = new double[rounds];
            double[] ratio = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                bw[i] = bandwidthMBs(size);
                mc[i] = memcpyMBs(size);
                ratio[i] = bw[i] / mc[i];
            }
            System.out.printf("%-10d %s %s %s%n", size, stats(bw, "%.0f"), stats(mc, "%.0f"), stats(ratio, "%.2f"));
        }
    }

    private static String stats(double[] v, String fmt) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(fmt + " [" + fmt + "-" + fmt + "]", s[s.length / 2], s[0], s[s.length - 1]);
    }

    static double latencyMicros(int size) {
        // Small messages: a long warm-up, so the JIT has compiled the whole path (C2) first.
        int iters = size >= (1 << 20) ? 300 : size >= 65536 ? 3000 : 100_000;
        int warmup = size >= 65536 ? iters / 3 : 200_000;
        List<Double> out = Mpi.local(2).run(w -> {
            byte[] buf = new byte[size];
            Buf b = Buf.of(buf);
            int other = 1 - w.rank();
            long start = 0;
            for (int i = 0; i < warmup + iters; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                if (w.rank() == 0) {
                    w.send(b, other, 1);
                    w.recv(b, other, 1);
                } else {
                    w.recv(b, other, 1);
                    w.send(b, other, 1);
                }
            }
            return (System.nanoTime() - start) / 1e3 / (2.0 * iters);
        });
        return out.get(0);
    }

    static double bandwidthMBs(int size) {
        int window = 64;
        int iters = size >= (4 << 20) ? 10 : size >= (1 << 20) ? 30 : 300;
        int warmup = Math.max(2, iters / 5);
        List<Double> out = Mpi.local(2).run(w -> bw(w, size, window, iters, warmup));
        return out.get(0);
    }

    private static double bw(Comm w, int size, int window, int iters, int warmup) {
        byte[][] bufs = new byte[window][size];
        Buf[] b = new Buf[window];
        for (int i = 0; i < window; i++) {
            Arrays.fill(bufs[i], (byte) i);
            b[i] = Buf.of(bufs[i]);
        }
        Buf ack = Buf.of(new byte[4]);
        List<Request<?>> reqs = new ArrayList<>(window);
        long start = 0;
        for (int it = 0; it < warmup + iters; it++) {
            if (it == warmup) {
                start = System.nanoTime();
            }
            reqs.clear();
            if (w.rank() == 0) {
                for (int i = 0; i < window; i++) {
                    reqs.add(w.isend(b[i], 1, 100));
                }
                Request.waitAll(reqs);
                w.recv(ack, 1, 101);
            } else {
                for (int i = 0; i < window; i++) {
                    reqs.add(w.irecv(b[i], 0, 100));
                }
                Request.waitAll(reqs);
                w.send(ack, 0, 101);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return (double) size * window * iters / seconds / 1e6;
    }

    static double memcpyMBs(int size) {
        int window = 64;
        byte[][] src = new byte[window][size];
        byte[][] dst = new byte[window][size];
        int iters = size >= (4 << 20) ? 10 : size >= (1 << 20) ? 30 : 300;
        long start = 0;
        for (int it = 0; it < iters + 3; it++) {
            if (it == 3) {
                start = System.nanoTime();
            }
            for (int i = 0; i < window; i++) {
                MemorySegment.copy(MemorySegment.ofArray(src[i]), 0, MemorySegment.ofArray(dst[i]), 0, size);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return (double) size * window * iters / seconds / 1e6;
    }
}
