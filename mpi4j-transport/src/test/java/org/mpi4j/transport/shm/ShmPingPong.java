package org.mpi4j.transport.shm;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.mpi4j.Buf;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;

/**
 * A latency sanity check of {@link ShmTransport} between two JVMs: not a unit test, and not
 * a substitute for the benchmark suite. Run it from the module directory after
 * {@code mvn -o -q -pl mpi4j-transport test-compile}:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Xms256m -Xmx256m -XX:+AlwaysPreTouch \
 *      -cp target/classes:target/test-classes:../mpi4j-api/target/classes \
 *      org.mpi4j.transport.shm.ShmPingPong [ringCapacity]
 * </pre>
 *
 * Pre-touch the heap: otherwise the frames allocated per message land on fresh heap pages,
 * and a first-touch page fault (6 to 10 µs here) every few dozen messages makes the 99th
 * percentile ten times the median (6.5 µs instead of 0.6 µs for 8 bytes).
 *
 * (add {@code -Dmpi4j.shm.nativeCopyThreshold=-1} to compare with pure-Java copies). It
 * starts rank 1 in a second JVM (same java, flags and class path) and measures, as the
 * matching layer would drive the transport: an 8-byte message (one EAGER frame, copied into
 * the receiver's buffer), a 1 MiB message (RTS, CTS, then DATA fragments of
 * {@link ShmTransport#maxFragment} streamed from inside the CTS handler, each copied into
 * the receiver's buffer), and a stream of 4 MiB messages, 16 at a time, acknowledged by
 * 8 bytes. Both ranks busy-poll. Latencies are half round trips; medians, with min and
 * 90th percentile, and the mean as OSU prints it.
 */
public final class ShmPingPong implements FrameHandler {
    private static final int MAX = 4 << 20;

    private final byte[] src = new byte[MAX];
    private final byte[] dst = new byte[MAX];
    private final Buf srcBuf = Buf.of(src);
    private final Buf dstBuf = Buf.of(dst);
    private ShmTransport t;
    private final int peer;

    /** Rendezvous messages announced (RTS) and not yet fully received: {bytes, replyBytes, received}. */
    private final HashMap<Long, long[]> incoming = new HashMap<>();
    private long nextSendId;
    /** Messages fully received. */
    private long completed;
    /** The reply the last message asked for (-1: none). */
    private long replyOwed = -1;
    private boolean done;

    private ShmPingPong(int peer) {
        this.peer = peer;
        new Random(1).nextBytes(src);
        Arrays.fill(dst, (byte) 1);
    }

    /** Sends a message of {@code bytes}; the receiver answers with {@code replyBytes} (-1: nothing). */
    void sendMessage(int bytes, int replyBytes) {
        Frame f = new Frame();
        f.tag = replyBytes;
        f.bytes = bytes;
        if (bytes <= t.eagerLimit(peer)) {
            f.type = Frame.EAGER;
            f.length = bytes;
            t.send(peer, f, srcBuf, 0);
        } else {
            f.type = Frame.RTS;
            f.sendId = nextSendId++;
            t.send(peer, f, null, 0);
        }
    }

    @Override
    public void onFrame(int from, Frame f, Buf payload, long off) {
        switch (f.type) {
            case Frame.EAGER -> {
                Buf.copy(payload, off, dstBuf, 0, f.length);
                complete(f.tag);
            }
            case Frame.RTS -> {
                incoming.put(f.sendId, new long[] {f.bytes, f.tag, 0});
                Frame cts = new Frame();
                cts.type = Frame.CTS;
                cts.sendId = f.sendId;
                cts.recvId = f.sendId;
                cts.bytes = f.bytes;
                t.send(from, cts, null, 0);
            }
            case Frame.CTS -> { // stream the data, from inside the delivery, as the matching layer does
                long total = f.bytes;
                long frag = t.maxFragment(from);
                for (long o = 0; o < total; o += frag) {
                    Frame d = new Frame();
                    d.type = Frame.DATA;
                    d.recvId = f.recvId;
                    d.offset = o;
                    d.length = Math.min(frag, total - o);
                    t.send(from, d, srcBuf, o);
                }
            }
            case Frame.DATA -> {
                Buf.copy(payload, off, dstBuf, f.offset, f.length);
                long[] m = incoming.get(f.recvId);
                m[2] += f.length;
                if (m[2] == m[0]) {
                    incoming.remove(f.recvId);
                    complete((int) m[1]);
                }
            }
            case Frame.CLOSE -> done = true;
            default -> throw new IllegalStateException("unexpected " + f);
        }
    }

    private void complete(int replyBytes) {
        completed++;
        if (replyBytes >= 0) {
            replyOwed = replyBytes;
        }
    }

    private void awaitMessages(long n) {
        while (completed < n) {
            t.poll();
        }
    }

    // ------------------------------------------------------------------ rank 1

    private void pong() {
        while (!done) {
            if (replyOwed >= 0 && incoming.isEmpty()) { // the whole window has arrived
                int n = (int) replyOwed;
                replyOwed = -1;
                sendMessage(n, -1);
            } else {
                t.poll();
            }
        }
    }

    // ------------------------------------------------------------------ rank 0

    private double[] pingPong(int bytes, int warmup, int iters) {
        for (int i = 0; i < warmup; i++) {
            long c = completed;
            sendMessage(bytes, bytes);
            awaitMessages(c + 1);
        }
        long[] half = new long[iters];
        long start = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            long c = completed;
            long t0 = System.nanoTime();
            sendMessage(bytes, bytes);
            awaitMessages(c + 1);
            half[i] = (System.nanoTime() - t0) / 2;
        }
        long total = System.nanoTime() - start;
        Arrays.sort(half);
        return new double[] {half[iters / 2] / 1e3, half[0] / 1e3, half[iters * 9 / 10] / 1e3,
                total / 2.0 / iters / 1e3, half[iters * 99 / 100] / 1e3, half[iters - 1] / 1e3};
    }

    private double bandwidth(int bytes, int window, int rounds) {
        long best = Long.MAX_VALUE;
        List<Long> times = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            long c = completed;
            for (int i = 0; i < window; i++) {
                sendMessage(bytes, i == window - 1 ? 8 : -1);
            }
            awaitMessages(c + 1);
            long dt = System.nanoTime() - t0;
            times.add(dt);
            best = Math.min(best, dt);
        }
        times.sort(null);
        long median = times.get(times.size() / 2);
        return (double) bytes * window / median; // bytes per ns = GB/s
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pong")) {
            ShmPingPong p = new ShmPingPong(0);
            p.t = new ShmTransport(1, new int[] {0, 1}, Path.of(args[1]), Long.parseUnsignedLong(args[2], 16),
                    Long.parseLong(args[3]), p);
            p.t.connect(Duration.ofSeconds(30));
            p.pong();
            p.t.close();
            return;
        }
        long capacity = args.length > 0 ? Long.parseLong(args[0]) : ShmTransport.DEFAULT_CAPACITY;
        Path dir = ShmTransport.jobDirectory("pingpong-" + ProcessHandle.current().pid());
        long token = new Random().nextLong();
        ShmPingPong p = new ShmPingPong(1);
        p.t = new ShmTransport(0, new int[] {0, 1}, dir, token, capacity, p);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ShmPingPong.class.getName(), "pong",
                dir.toString(), Long.toHexString(token), Long.toString(capacity)));
        Process child = new ProcessBuilder(cmd).inheritIO().start();
        try {
            p.t.connect(Duration.ofSeconds(30));
            System.out.printf("ring %d KiB, eager limit %d B, fragment %d B%n", capacity >> 10,
                    p.t.eagerLimit(1), p.t.maxFragment(1));
            for (int round = 1; round <= 3; round++) {
                double[] small = p.pingPong(8, 50_000, 200_000);
                double[] large = p.pingPong(1 << 20, 300, 2_000);
                double bw = p.bandwidth(4 << 20, 16, 40);
                System.out.printf("round %d:  8 B  median %.3f us (min %.3f, p90 %.3f, p99 %.3f, max %.0f, mean %.3f)   "
                        + "1 MiB  median %.1f us (min %.1f, p90 %.1f, mean %.1f)   4 MiB x16 stream %.2f GB/s%n",
                        round, small[0], small[1], small[2], small[4], small[5], small[3], large[0], large[1], large[2],
                        large[3], bw);
            }
            Frame close = new Frame();
            close.type = Frame.CLOSE;
            p.t.send(1, close, null, 0);
            child.waitFor();
        } finally {
            child.destroyForcibly();
            p.t.close();
            ShmTransport.deleteJobDirectory(dir);
        }
    }
}
