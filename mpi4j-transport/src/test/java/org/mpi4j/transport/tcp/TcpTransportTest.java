package org.mpi4j.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mpi4j.transport.tcp.TcpTestSupport.control;
import static org.mpi4j.transport.tcp.TcpTestSupport.data;
import static org.mpi4j.transport.tcp.TcpTestSupport.eager;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.tcp.TcpTestSupport.Job;
import org.mpi4j.transport.tcp.TcpTestSupport.Received;
import org.mpi4j.transport.tcp.TcpTestSupport.Recorder;

class TcpTransportTest {
    private static final TcpTransport.Options OPTS = TcpTransport.Options.defaults();

    /** The byte at {@code offset} of stream {@code stream}: every position of every stream differs. */
    static byte pattern(long stream, long offset) {
        long x = offset * 0x9E3779B97F4A7C15L + stream * 0xC2B2AE3D27D4EB4FL;
        return (byte) (x >>> 56);
    }

    static byte[] patterned(long stream, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = pattern(stream, i);
        }
        return b;
    }

    @Test
    @Timeout(30)
    void smallFramesBothWaysArriveInOrder() throws Exception {
        try (Job job = new Job(2, OPTS)) {
            int n = 2000;
            Thread[] senders = new Thread[2];
            for (int r = 0; r < 2; r++) {
                int me = r;
                senders[r] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < n; i++) {
                        byte[] p = patterned(me * 100_000L + i, i % 50);
                        job.t[me].send(1 - me, eager(me, i, p.length), Buf.of(p), 0);
                    }
                });
            }
            for (int r = 0; r < 2; r++) {
                Recorder rec = job.recorder(r);
                for (int i = 0; i < n; i++) {
                    Received got = rec.take();
                    assertEquals(1 - r, got.peer());
                    assertEquals(Frame.EAGER, got.frame().type);
                    assertEquals(i, got.frame().tag, "frames from one peer arrive in the order sent");
                    assertArrayEquals(patterned((1 - r) * 100_000L + i, i % 50), got.payload());
                }
            }
            for (Thread s : senders) {
                s.join();
            }
            assertPairsConnectedOnce(job);
        }
    }

    @Test
    @Timeout(30)
    void everyFrameTypeCrossesWithItsFields() throws Exception {
        try (Job job = new Job(3, OPTS)) {
            List<Frame> sent = new ArrayList<>();
            for (byte type = Frame.EAGER; type <= Frame.CLOSE; type++) {
                Frame f = new Frame();
                f.type = type;
                f.context = 6;
                f.source = 1; // a communicator rank, not necessarily the world rank
                f.tag = 77;
                f.datatype = Datatype.DOUBLE;
                f.sendId = 1234567890123L;
                f.recvId = -5;
                f.flag = true;
                if (type == Frame.EAGER || type == Frame.DATA) {
                    f.length = 16;
                    f.bytes = type == Frame.EAGER ? 16 : 1 << 20;
                    f.offset = type == Frame.DATA ? 4096 : 0;
                } else {
                    f.bytes = 1 << 20;
                }
                sent.add(f.copy());
                job.t[2].send(0, f, Buf.of(patterned(type, 16)), 0);
            }
            for (Frame f : sent) {
                Received got = job.recorder(0).take();
                assertEquals(2, got.peer(), "the handler is told the sender's world rank");
                assertEquals(f.toString(), got.frame().toString());
                if (got.payload() != null) {
                    assertArrayEquals(patterned(f.type, 16), got.payload());
                }
            }
        }
    }

    /** Many threads send to one peer at once: frames are never interleaved, and each thread's stay in order. */
    @Test
    @Timeout(60)
    void manyThreadsSendToOnePeer() throws Exception {
        int threads = 8;
        int perThread = 1500;
        try (Arena arena = Arena.ofShared(); Job job = new Job(2, OPTS)) {
            MemorySegment nativeBig = arena.allocate(200_000);
            for (int i = 0; i < 200_000; i++) {
                nativeBig.set(ValueLayout.JAVA_BYTE, i, pattern(9, i));
            }
            byte[] heapBig = patterned(9, 200_000);
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    for (int i = 0; i < perThread; i++) {
                        if (i % 100 == 50) {
                            Frame f = data(me, i, 200_000);
                            job.t[0].send(1, f, me % 2 == 0 ? Buf.of(nativeBig) : Buf.of(heapBig), 0);
                        } else {
                            int len = i % 10 == 0 ? 30_000 : i % 64;
                            byte[] p = patterned(me * 1_000_000L + i, len);
                            Frame f = eager(0, me, len);
                            f.sendId = i;
                            job.t[0].send(1, f, Buf.of(p), 0);
                        }
                    }
                }));
            }
            int[] next = new int[threads];
            Recorder rec = job.recorder(1);
            byte[] bigExpected = patterned(9, 200_000);
            for (int k = 0; k < threads * perThread; k++) {
                Received got = rec.take();
                Frame f = got.frame();
                int thread;
                long seq;
                if (f.type == Frame.DATA) {
                    thread = (int) f.recvId;
                    seq = f.offset;
                    assertArrayEquals(bigExpected, got.payload());
                } else {
                    thread = f.tag;
                    seq = f.sendId;
                    assertArrayEquals(patterned(thread * 1_000_000L + seq, (int) f.length), got.payload());
                }
                assertEquals(next[thread], seq, "thread " + thread + "'s frames in order");
                next[thread]++;
            }
            for (Thread t : ts) {
                t.join();
            }
        }
    }

    /**
     * Receives DATA streams (checking every byte), and answers a CTS by streaming, from the
     * handler, that is on the I/O thread, as the matching layer does.
     */
    static final class Streamer implements FrameHandler {
        volatile TcpTransport transport;
        final int me;
        final long streamBytes;
        final long fragment;
        final ConcurrentHashMap<Integer, AtomicLong> received = new ConcurrentHashMap<>();
        final CountDownLatch done;
        final AtomicReference<String> error = new AtomicReference<>();
        final MemorySegment source;

        Streamer(int me, long streamBytes, long fragment, int expectedStreams, MemorySegment source) {
            this.me = me;
            this.streamBytes = streamBytes;
            this.fragment = fragment;
            this.done = new CountDownLatch(expectedStreams);
            this.source = source;
        }

        @Override
        public void onFrame(int peer, Frame f, Buf payload, long off) {
            if (f.type == Frame.CTS) {
                stream(peer, f.recvId);
            } else if (f.type == Frame.DATA) {
                long stream = f.recvId;
                MemorySegment seg = payload.segment();
                for (long i = 0; i < f.length; i++) {
                    if (seg.get(ValueLayout.JAVA_BYTE, off + i) != pattern(stream, f.offset + i)) {
                        error.compareAndSet(null, "stream " + stream + " from " + peer + ": wrong byte at "
                                + (f.offset + i));
                        break;
                    }
                }
                long total = received.computeIfAbsent(peer, k -> new AtomicLong()).addAndGet(f.length);
                if (total == streamBytes) {
                    done.countDown();
                }
            }
        }

        /** Streams {@link #streamBytes} bytes of stream {@code id} to {@code peer}. */
        void stream(int peer, long id) {
            for (long off = 0; off < streamBytes; off += fragment) {
                long len = Math.min(fragment, streamBytes - off);
                transport.send(peer, data(id, off, len), Buf.of(source.asSlice(off, len)), 0);
            }
        }
    }

    static MemorySegment patternedSegment(Arena arena, long stream, long bytes, boolean heap) {
        MemorySegment s = heap ? MemorySegment.ofArray(new byte[(int) bytes]) : arena.allocate(bytes);
        for (long i = 0; i < bytes; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, pattern(stream, i));
        }
        return s;
    }

    /** Both ranks stream 48 MiB to each other at once from their own threads (native and heap memory). */
    @Test
    @Timeout(120)
    void largeStreamsBothWaysFromSendersThreads() throws Exception {
        long bytes = 48L << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] src = {patternedSegment(arena, 0, bytes, false), patternedSegment(arena, 1, bytes, true)};
            Streamer[] s = {new Streamer(0, bytes, OPTS.maxFragment(), 1, src[0]),
                new Streamer(1, bytes, OPTS.maxFragment(), 1, src[1])};
            try (Job job = new Job(2, OPTS, s)) {
                s[0].transport = job.t[0];
                s[1].transport = job.t[1];
                Thread a = Thread.ofPlatform().start(() -> s[0].stream(1, 0));
                Thread b = Thread.ofPlatform().start(() -> s[1].stream(0, 1));
                assertTrue(s[0].done.await(100, TimeUnit.SECONDS) && s[1].done.await(100, TimeUnit.SECONDS),
                        "both streams arrive");
                a.join();
                b.join();
                assertEquals(null, s[0].error.get());
                assertEquals(null, s[1].error.get());
            }
        }
    }

    /**
     * The matching layer's pattern: a CTS arrives and the handler streams the whole message back
     * on the I/O thread. Two ranks doing it to each other at once must not deadlock, though
     * each I/O thread is stuck in a write to the other.
     */
    @Test
    @Timeout(120)
    void largeStreamsBothWaysFromHandlersOnTheIoThread() throws Exception {
        long bytes = 32L << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] src = {patternedSegment(arena, 10, bytes, true), patternedSegment(arena, 11, bytes, false)};
            Streamer[] s = {new Streamer(0, bytes, OPTS.maxFragment(), 1, src[0]),
                new Streamer(1, bytes, OPTS.maxFragment(), 1, src[1])};
            try (Job job = new Job(2, OPTS, s)) {
                s[0].transport = job.t[0];
                s[1].transport = job.t[1];
                job.t[0].send(1, ctsFor(11), null, 0);
                job.t[1].send(0, ctsFor(10), null, 0);
                assertTrue(s[0].done.await(100, TimeUnit.SECONDS), "rank 0 receives rank 1's stream");
                assertTrue(s[1].done.await(100, TimeUnit.SECONDS), "rank 1 receives rank 0's stream");
                assertEquals(null, s[0].error.get());
                assertEquals(null, s[1].error.get());
                // The scenario happened: each I/O thread waited in a write, and kept what the other sent meanwhile.
                for (int r = 0; r < 2; r++) {
                    assertTrue(job.t[r].ioWriteWaits() > 0, "rank " + r + "'s I/O thread waited to write");
                    assertTrue(job.t[r].keptBytes() > 0, "rank " + r + " kept bytes while busy");
                }
                System.out.printf("both-ways handler streams: I/O write waits %d/%d, kept %d/%d bytes%n",
                        job.t[0].ioWriteWaits(), job.t[1].ioWriteWaits(), job.t[0].keptBytes(), job.t[1].keptBytes());
                // and the connection still works both ways
                job.t[0].send(1, control(Frame.FIN, 5), null, 0);
                job.t[1].send(0, control(Frame.FIN, 6), null, 0);
            }
        }
    }

    /** A ring of three, each I/O thread streaming to its right while receiving from its left (ring allreduce). */
    @Test
    @Timeout(120)
    void ringOfHandlerStreams() throws Exception {
        int n = 3;
        long bytes = 24L << 20;
        try (Arena arena = Arena.ofShared()) {
            Streamer[] s = new Streamer[n];
            for (int r = 0; r < n; r++) {
                s[r] = new Streamer(r, bytes, OPTS.maxFragment(), 1, patternedSegment(arena, 20 + r, bytes, r == 1));
            }
            try (Job job = new Job(n, OPTS, s)) {
                for (int r = 0; r < n; r++) {
                    s[r].transport = job.t[r];
                }
                // rank r asks its left neighbour to stream to it
                for (int r = 0; r < n; r++) {
                    int left = (r + n - 1) % n;
                    job.t[r].send(left, ctsFor(20 + left), null, 0);
                }
                for (int r = 0; r < n; r++) {
                    assertTrue(s[r].done.await(100, TimeUnit.SECONDS), "rank " + r + " receives its stream");
                    assertEquals(null, s[r].error.get());
                    System.out.printf("ring: rank %d I/O write waits %d, kept %d bytes%n", r, job.t[r].ioWriteWaits(),
                            job.t[r].keptBytes());
                }
            }
        }
    }

    static Frame ctsFor(long stream) {
        Frame f = control(Frame.CTS, 1);
        f.recvId = stream;
        return f;
    }

    /** Four ranks, every one sending to every other at once, with lazy connections. */
    @Test
    @Timeout(60)
    void fourRanksAllPairs() throws Exception {
        int n = 4;
        int perPair = 300;
        try (Job job = new Job(n, OPTS)) {
            CyclicBarrier start = new CyclicBarrier(n);
            List<Thread> ts = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int me = r;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    for (int i = 0; i < perPair; i++) {
                        for (int to = 0; to < n; to++) {
                            if (to != me) {
                                int len = (i * 7919 + to) % 3 == 0 ? 40_000 : i % 100;
                                byte[] p = patterned(me * 10_000L + i, len);
                                job.t[me].send(to, eager(me, i, len), Buf.of(p), 0);
                            }
                        }
                    }
                }));
            }
            for (int r = 0; r < n; r++) {
                int[] next = new int[n];
                for (int k = 0; k < perPair * (n - 1); k++) {
                    Received got = job.recorder(r).take();
                    int from = got.peer();
                    assertEquals(next[from], got.frame().tag);
                    assertArrayEquals(patterned(from * 10_000L + next[from], got.payload().length), got.payload());
                    next[from]++;
                }
            }
            for (Thread t : ts) {
                t.join();
            }
            assertPairsConnectedOnce(job);
        }
    }

    /** Every rank connects to every other at the same instant: each pair ends with exactly one connection. */
    @Test
    @Timeout(120)
    void simultaneousConnectsResolveToOneConnectionPerPair() throws Exception {
        for (int round = 0; round < 25; round++) {
            int n = 2 + round % 3;
            try (Job job = new Job(n, OPTS)) {
                CyclicBarrier start = new CyclicBarrier(n * (n - 1));
                List<Thread> ts = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    for (int to = 0; to < n; to++) {
                        if (to == r) {
                            continue;
                        }
                        int me = r;
                        int dest = to;
                        ts.add(Thread.ofPlatform().start(() -> {
                            try {
                                start.await();
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                            job.t[me].send(dest, eager(me, 1, 0), null, 0);
                        }));
                    }
                }
                for (Thread t : ts) {
                    t.join();
                }
                for (int r = 0; r < n; r++) {
                    for (int k = 0; k < n - 1; k++) {
                        assertEquals(1, job.recorder(r).take().frame().tag);
                    }
                }
                assertPairsConnectedOnce(job);
            }
        }
    }

    static void assertPairsConnectedOnce(Job job) {
        int n = job.t.length;
        for (int r = 0; r < n; r++) {
            assertEquals(n - 1, job.t[r].establishedCount(), "rank " + r + " established one connection per peer");
            for (int q = 0; q < n; q++) {
                if (q == r) {
                    continue;
                }
                SocketAddress[] mine = job.t[r].connectionEnds(q);
                SocketAddress[] theirs = job.t[q].connectionEnds(r);
                assertNotNull(mine);
                assertNotNull(theirs);
                assertEquals(mine[0], theirs[1], "ranks " + r + " and " + q + " use the same connection");
                assertEquals(mine[1], theirs[0]);
            }
        }
    }

    @Test
    @Timeout(30)
    void connectAllConnectsEveryPairOnce() throws Exception {
        int n = 4;
        try (Job job = new Job(n, OPTS)) {
            List<Thread> ts = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int me = r;
                ts.add(Thread.ofPlatform().start(() -> job.t[me].connectAll(Duration.ofSeconds(20))));
            }
            for (Thread t : ts) {
                t.join();
            }
            for (int r = 0; r < n; r++) {
                for (int q = 0; q < n; q++) {
                    assertEquals(q != r, job.t[r].isConnected(q));
                }
            }
            assertPairsConnectedOnce(job);
        }
    }

    /** An orderly end: CLOSE, then close(); the peer is told it finished, not that it was lost. */
    @Test
    @Timeout(30)
    void orderlyCloseIsNotALoss() throws Exception {
        try (Job job = new Job(2, OPTS)) {
            job.t[1].send(0, eager(1, 3, 0), null, 0);
            job.recorder(0).take();
            job.t[0].send(1, control(Frame.CLOSE, 0), null, 0);
            job.t[1].send(0, control(Frame.CLOSE, 0), null, 0);
            Thread a = Thread.ofPlatform().start(job.t[0]::close);
            job.t[1].close();
            a.join();
            assertEquals(Frame.CLOSE, job.recorder(0).take().frame().type);
            assertEquals(Frame.CLOSE, job.recorder(1).take().frame().type);
            assertTrue(job.losses[0].lost.isEmpty() && job.losses[1].lost.isEmpty(), "no loss reported: "
                    + job.losses[0].lost + job.losses[1].lost);
        }
    }

    /** One rank finalizes and closes while the other lives on: it learns the peer finished. */
    @Test
    @Timeout(30)
    void peerThatFinishesIsReportedFinished() throws Exception {
        try (Job job = new Job(2, OPTS)) {
            job.t[1].send(0, eager(1, 3, 0), null, 0);
            job.recorder(0).take();
            job.t[1].send(0, control(Frame.CLOSE, 0), null, 0);
            job.t[1].close();
            assertEquals(Frame.CLOSE, job.recorder(0).take().frame().type);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (job.losses[0].finished.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(List.of(1), job.losses[0].finished);
            assertTrue(job.losses[0].lost.isEmpty(), job.losses[0].lost.toString());
            PeerUnreachableException e = org.junit.jupiter.api.Assertions.assertThrows(PeerUnreachableException.class,
                    () -> job.t[0].send(1, eager(0, 1, 0), null, 0));
            assertEquals(1, e.rank());
            assertEquals(org.mpi4j.ErrorClass.PROC_FINALIZED, e.errorClass());
        }
    }
}
