package org.mpi4j.bench;

import java.util.Arrays;
import java.util.Locale;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;
import org.mpi4j.Request;

/**
 * Ping-pong latency and streaming bandwidth between ranks 0 and 1 of whatever job this
 * program joins — the process engine under {@code mpi4j run -n 2}, or any other — in the
 * OSU micro-benchmarks' manner and output format, beside {@code c/pingpong.c}.
 *
 * <pre>
 * ./mpi4j run -n 2 -cp mpi4j-benchmarks/target/benchmarks.jar org.mpi4j.bench.PingPong [--warmup SECONDS] [sizes...]
 * </pre>
 *
 * <p>A JVM reaches its steady state only once the JIT has compiled the send, receive and
 * progress paths with the profiles of this traffic, and its heap has been collected once
 * (see {@link #warmUp}), which takes a few seconds of ping-pong here (the first 20,000
 * round trips of 8 bytes average 10–20 µs, the steady state 0.5 µs). So before timing
 * anything, both ranks run every size's latency and bandwidth loops, briefly, for
 * {@code --warmup} seconds (default 8), as JMH warms up before it measures.
 */
public final class PingPong {
    private PingPong() {
    }

    /** Runs the benchmark; rank 0 prints the table. */
    public static void main(String[] args) {
        double warmup = 8;
        java.util.List<Integer> sizeList = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--warmup") && i + 1 < args.length) {
                warmup = Double.parseDouble(args[++i]);
            } else {
                sizeList.add(Integer.parseInt(args[i]));
            }
        }
        int[] sizes = sizeList.isEmpty() ? new int[] {0, 8, 1024, 65536, 1 << 20, 4 << 20}
                : sizeList.stream().mapToInt(Integer::intValue).toArray();
        try (Mpi mpi = Mpi.init(args)) {
            Comm w = mpi.world();
            if (w.size() < 2) {
                System.out.println("PingPong needs 2 ranks");
                return;
            }
            warmUp(w, sizes, warmup);
            if (w.rank() == 0) {
                System.out.println("# mpi4j " + mpi.engine() + " engine, ranks 0 and 1");
                System.out.printf(Locale.ROOT, "%-10s %14s %14s%n", "# Size", "Latency(us)", "Bandwidth(MB/s)");
            }
            for (int size : sizes) {
                double lat = latency(w, size, size <= 65536 ? 20_000 : 400);
                double bw = bandwidth(w, size, size >= (1 << 20) ? 20 : 200);
                if (w.rank() == 0) {
                    System.out.printf(Locale.ROOT, "%-10d %14.3f %14.1f%n", size, lat, bw);
                }
            }
        }
    }

    /**
     * Runs short latency and bandwidth loops of every size until rank 0 has seen
     * {@code seconds} pass and both ranks' heaps have been collected once (or three times
     * {@code seconds} have passed). Until its first collection a JVM allocates from memory
     * it has never touched, and pays a page fault (10 µs here) per 4 KiB of it: about a
     * microsecond per round trip of small messages, gone for good after the first
     * collection, which is the state a long-running program is in.
     */
    private static void warmUp(Comm w, int[] sizes, double seconds) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long limit = start + (long) (3 * seconds * 1e9);
        boolean more = seconds > 0;
        while (more) {
            for (int size : sizes) {
                latency(w, size, size <= 1024 ? 5_000 : size <= 65536 ? 1_000 : 20);
                bandwidth(w, size, size <= 1024 ? 50 : size <= 65536 ? 10 : 2);
            }
            long collected = w.allreduce(collections(), Op.MIN);
            long now = System.nanoTime();
            more = w.bcast(now < limit && (now < end || collected == 0), 0); // rank 0's clock decides
        }
    }

    /** How many times this JVM's heap has been collected. */
    private static long collections() {
        long n = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory
                .getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static double latency(Comm w, int size, int iters) {
        byte[] b = new byte[size];
        Buf buf = Buf.of(b);
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

    /** The buffers of each size's window, made once: fresh ones per loop would time page faults. */
    private static final java.util.Map<Integer, byte[][]> WINDOWS = new java.util.HashMap<>();

    /** Messages in flight per loop, as OSU's 64, but at most 64 MiB of them (c/pingpong.c agrees). */
    static int window(int size) {
        return (int) Math.max(4, Math.min(64, (64L << 20) / Math.max(1, size)));
    }

    private static double bandwidth(Comm w, int size, int loops) {
        if (size == 0) {
            return 0;
        }
        int window = window(size);
        byte[][] bufs = WINDOWS.computeIfAbsent(size, n -> new byte[window][n]);
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
