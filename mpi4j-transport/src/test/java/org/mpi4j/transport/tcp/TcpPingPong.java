package org.mpi4j.transport.tcp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.mpi4j.Buf;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;

/**
 * Ping-pong latency of {@link TcpTransport} over loopback, OSU style: half the round trip,
 * averaged over many iterations after a warm-up, for 8 B (one EAGER frame) and 1 MiB (DATA
 * fragments, copied out by the receiver as the matching layer would).
 *
 * <pre>
 * java -cp ... org.mpi4j.transport.tcp.TcpPingPong [--threads] [--runs N] [--wait spin|park|handler] [--heap]
 *     [--fragment BYTES] [--sockbuf BYTES] [--large-only]
 * </pre>
 *
 * By default rank 0 runs here and rank 1 in a second JVM that this program starts; with
 * {@code --threads} both run in this JVM. Threads wait as mpi4j's request waits do, polling
 * the transport: {@code --wait spin} (default) spins 20,000 polls before parking, as the
 * default idle strategy does when every rank has a core; {@code park} parks at once;
 * {@code handler} has rank 1 answer from the frame handler itself, on whichever thread
 * delivers (rank 0 spins). {@code --heap} sends from a {@code byte[]} instead of
 * native memory.
 * Not a unit test: a benchmark, to run by hand.
 */
public final class TcpPingPong {
    private static final int SMALL = 8;
    private static final int LARGE = 1 << 20;

    /**
     * Receives messages (copying their bytes out, as the matching layer would), counts them,
     * and wakes the waiting thread; or, in echo mode, answers each one from the handler.
     */
    static final class Mailbox implements FrameHandler {
        final MemorySegment dest;
        long partial;
        volatile long messages;
        volatile long lastBytes;
        volatile Thread waiter;
        volatile TcpTransport echoVia;
        volatile Buf echoBuf;

        Mailbox(MemorySegment dest) {
            this.dest = dest;
        }

        @Override
        public void onFrame(int peer, Frame f, Buf payload, long off) {
            if (f.type != Frame.EAGER && f.type != Frame.DATA) {
                return;
            }
            if (f.length > 0) {
                MemorySegment.copy(payload.segment(), off, dest, f.type == Frame.DATA ? f.offset : 0, f.length);
            }
            partial += f.length;
            if (partial < f.bytes) {
                return;
            }
            partial = 0;
            TcpTransport via = echoVia;
            if (via != null) {
                sendMessage(via, peer, echoBuf, f.bytes);
                return;
            }
            lastBytes = f.bytes;
            messages++;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /**
         * Waits until more than {@code seen} messages have arrived, as mpi4j's request waits do:
         * poll the transport in a loop; with {@code spin}, spin up to 20,000 times (the default
         * idle strategy when each rank has a core), then park, telling the transport first and
         * polling once more.
         */
        void await(long seen, TcpTransport t, String wait) {
            int idle = 0;
            int spins = wait.equals("spin") ? 20_000 : 0;
            while (messages <= seen) {
                if (t.poll() > 0 || messages > seen) {
                    idle = 0;
                    continue;
                }
                if (idle < spins) {
                    idle++;
                    Thread.onSpinWait();
                    continue;
                }
                t.parking(true);
                waiter = Thread.currentThread();
                try {
                    if (t.poll() == 0 && messages <= seen) {
                        LockSupport.parkNanos(this, 1_000_000L);
                    }
                } finally {
                    waiter = null;
                    t.parking(false);
                }
            }
        }
    }

    /** Sends one message of {@code bytes}: EAGER if small, else DATA fragments. */
    static void sendMessage(TcpTransport t, int to, Buf buf, long bytes) {
        if (bytes <= t.eagerLimit(to)) {
            Frame f = new Frame();
            f.type = Frame.EAGER;
            f.bytes = bytes;
            f.length = bytes;
            t.send(to, f, buf, 0);
            return;
        }
        long frag = t.maxFragment(to);
        for (long off = 0; off < bytes; off += frag) {
            Frame f = new Frame();
            f.type = Frame.DATA;
            f.bytes = bytes;
            f.offset = off;
            f.length = Math.min(frag, bytes - off);
            t.send(to, f, buf, off);
        }
    }

    /** Rank 0: the average half round trip in microseconds. */
    static double pingPong(TcpTransport t, Mailbox box, long bytes, Buf buf, int warmup, int iters, String wait) {
        double result = 0;
        for (int phase = 0; phase < 2; phase++) {
            int n = phase == 0 ? warmup : iters;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long seen = box.messages;
                sendMessage(t, 1, buf, bytes);
                box.await(seen, t, wait);
            }
            result = (System.nanoTime() - start) / 1e3 / n / 2;
        }
        return result;
    }

    /** Rank 1: answers every message with one of the same size, until the process ends. */
    static void echo(TcpTransport t, Mailbox box, Buf buf, String wait) {
        if (wait.equals("handler")) {
            box.echoBuf = buf;
            box.echoVia = t;
            return;
        }
        Thread.ofPlatform().daemon(true).name("rank-1").start(() -> {
            long seen = 0;
            while (true) {
                box.await(seen, t, wait);
                seen++;
                sendMessage(t, 0, buf, box.lastBytes);
            }
        });
    }

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        boolean threads = a.remove("--threads");
        int runs = intArg(a, "--runs", 5);
        String wait = stringArg(a, "--wait", "spin");
        boolean heap = a.remove("--heap");
        boolean largeOnly = a.remove("--large-only");
        int parentPort = intArg(a, "--child", -1);
        int fragment = intArg(a, "--fragment", (int) TcpTransport.Options.defaults().maxFragment());
        int sockbuf = intArg(a, "--sockbuf", 0);
        TcpTransport.Options opts = TcpTransport.Options.defaults().withMaxFragment(fragment).withSocketBufferBytes(sockbuf);
        byte[] secret = HexFormat.of().parseHex(System.getenv().getOrDefault("TCP_PINGPONG_SECRET",
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Arena arena = Arena.ofShared();
        if (parentPort >= 0) {
            TcpTransport t1 = new TcpTransport(1, 2, secret, lo, opts);
            Mailbox box1 = new Mailbox(arena.allocate(LARGE));
            t1.start(box1, null);
            t1.connectTo(Map.of(0, new InetSocketAddress(InetAddress.getLoopbackAddress(), parentPort)));
            echo(t1, box1, message(arena, heap), wait);
            System.out.println("PORT " + t1.localAddress().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our stdin
            }
            t1.abort();
            return;
        }
        TcpTransport t0 = new TcpTransport(0, 2, secret, lo, opts);
        Mailbox box0 = new Mailbox(arena.allocate(LARGE));
        t0.start(box0, null);
        Process child = null;
        TcpTransport t1 = null;
        InetSocketAddress peerAddress;
        if (threads) {
            t1 = new TcpTransport(1, 2, secret, lo, opts);
            Mailbox box1 = new Mailbox(arena.allocate(LARGE));
            t1.start(box1, null);
            t1.connectTo(Map.of(0, t0.localAddress()));
            echo(t1, box1, message(arena, heap), wait);
            peerAddress = t1.localAddress();
        } else {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    TcpPingPong.class.getName(), "--child", String.valueOf(t0.localAddress().getPort()), "--wait", wait,
                    "--fragment", String.valueOf(fragment), "--sockbuf", String.valueOf(sockbuf)));
            if (heap) {
                cmd.add("--heap");
            }
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("TCP_PINGPONG_SECRET", HexFormat.of().formatHex(secret));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            child = pb.start();
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || !line.startsWith("PORT ")) {
                throw new IllegalStateException("the peer JVM said " + line);
            }
            peerAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(line.substring(5)));
        }
        t0.connectTo(Map.of(1, peerAddress));
        Buf buf = message(arena, heap);
        double[] small = new double[runs];
        double[] large = new double[runs];
        for (int i = 0; i < runs; i++) {
            small[i] = largeOnly ? Double.NaN : pingPong(t0, box0, SMALL, buf, 20_000, 20_000, wait.equals("park") ? "park" : "spin");
            large[i] = pingPong(t0, box0, LARGE, buf, 200, 500, wait.equals("park") ? "park" : "spin");
            System.out.printf(Locale.ROOT, "run %d: %8.2f us (8 B)   %9.2f us (1 MiB)%n", i + 1, small[i], large[i]);
        }
        System.out.printf(Locale.ROOT, "TcpTransport ping-pong, %s, rank 1 waits by %s, %s payload, %d KiB fragments, "
                + "socket buffers %s, half round trip, %d runs:%n", threads ? "two threads of one JVM" : "two JVMs", wait,
                heap ? "heap byte[]" : "native", fragment / 1024, sockbuf == 0 ? "auto" : sockbuf / 1024 + " KiB", runs);
        System.out.printf(Locale.ROOT, "  8 B:   median %.2f us (min %.2f, max %.2f)%n", median(small), min(small), max(small));
        System.out.printf(Locale.ROOT, "  1 MiB: median %.2f us (min %.2f, max %.2f) = %.2f GB/s%n", median(large),
                min(large), max(large), LARGE / median(large) / 1e3);
        if (child != null) {
            child.getOutputStream().close();
            child.waitFor();
        }
        if (t1 != null) {
            t1.abort();
        }
        t0.abort();
    }

    private static Buf message(Arena arena, boolean heap) {
        return heap ? Buf.of(new byte[LARGE]) : Buf.of(arena.allocate(LARGE));
    }

    private static int intArg(List<String> a, String name, int dflt) {
        int i = a.indexOf(name);
        if (i < 0) {
            return dflt;
        }
        int v = Integer.parseInt(a.get(i + 1));
        a.remove(i + 1);
        a.remove(i);
        return v;
    }

    private static String stringArg(List<String> a, String name, String dflt) {
        int i = a.indexOf(name);
        if (i < 0) {
            return dflt;
        }
        String v = a.get(i + 1);
        a.remove(i + 1);
        a.remove(i);
        return v;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
