package org.mpi4j.bench;

import java.util.Arrays;
import java.util.Locale;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Request;

/**
 * Ping-pong latency and streaming bandwidth between ranks 0 and 1 of whatever job this
 * program joins — the process engine under {@code mpi4j run --engine process -n 2}, or any
 * other — in the OSU micro-benchmarks' manner and output format.
 *
 * <pre>
 * ./mpi4j run -n 2 --engine process -cp mpi4j-benchmarks/target/benchmarks.jar org.mpi4j.bench.PingPong [sizes...]
 * </pre>
 */
public final class PingPong {
    private PingPong() {
    }

    /** Runs the benchmark; rank 0 prints the table. */
    public static void main(String[] args) {
        int[] sizes = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
                : new int[] {0, 8, 1024, 65536, 1 << 20, 4 << 20};
        try (Mpi mpi = Mpi.init(args)) {
            Comm w = mpi.world();
            if (w.size() < 2) {
                System.out.println("PingPong needs 2 ranks");
                return;
            }
            if (w.rank() == 0) {
                System.out.println("# mpi4j " + mpi.engine() + " engine, ranks 0 and 1");
                System.out.printf(Locale.ROOT, "%-10s %14s %14s%n", "# Size", "Latency(us)", "Bandwidth(MB/s)");
            }
            for (int size : sizes) {
                double lat = latency(w, size);
                double bw = bandwidth(w, size);
                if (w.rank() == 0) {
                    System.out.printf(Locale.ROOT, "%-10d %14.3f %14.1f%n", size, lat, bw);
                }
            }
        }
    }

    private static double latency(Comm w, int size) {
        byte[] b = new byte[size];
        Buf buf = Buf.of(b);
        int iters = size <= 65536 ? 20_000 : 400;
        int warm = iters / 5;
        long start = 0;
        for (int i = 0; i < warm + iters; i++) {
            if (i == warm) {
                w.barrier();
                start = System.nanoTime();
            }
            if (w.rank() == 0) {
                w.send(buf, 1, 1);
                w.recv(buf, 1, 1);
            } else if (w.rank() == 1) {
                w.recv(buf, 0, 1);
                w.send(buf, 0, 1);
            }
        }
        return (System.nanoTime() - start) / 1e3 / iters / 2;
    }

    private static double bandwidth(Comm w, int size) {
        if (size == 0) {
            return 0;
        }
        int window = 64;
        int loops = size >= (1 << 20) ? 20 : 200;
        byte[][] bufs = new byte[window][size];
        long start = 0;
        for (int l = 0; l < loops + 5; l++) {
            if (l == 5) {
                w.barrier();
                start = System.nanoTime();
            }
            Request<?>[] reqs = new Request<?>[window];
            for (int k = 0; k < window; k++) {
                reqs[k] = w.rank() == 0 ? w.isend(Buf.of(bufs[k]), 1, 2) : w.rank() == 1 ? w.irecv(Buf.of(bufs[k]), 0, 2) : null;
            }
            Request.waitAll(reqs);
            if (w.rank() == 0) {
                w.recv(Buf.of(new byte[0]), 1, 3);
            } else if (w.rank() == 1) {
                w.send(Buf.of(new byte[0]), 0, 3);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return (double) size * window * loops / secs / 1e6;
    }
}
