package org.mpi4j.transport.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;

/** Several ShmTransports in one JVM, one per rank, each driven by threads of its own. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmTransportTest {
    private static final long TOKEN = 0x5EED_0000_0000_0001L;

    private Path dir;
    private final List<ShmTransport> transports = new ArrayList<>();

    @BeforeEach
    void makeDirectory() {
        dir = ShmTransport.jobDirectory("test-transport-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (ShmTransport t : transports) {
            t.close();
        }
        ShmTransport.deleteJobDirectory(dir);
    }

    private ShmTransport[] job(int n, long capacity, FrameHandler... handlers) throws IOException {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        ShmTransport[] t = new ShmTransport[n];
        for (int i = 0; i < n; i++) {
            t[i] = new ShmTransport(i, all, dir, TOKEN, capacity, handlers.length > i ? handlers[i] : null);
            transports.add(t[i]);
        }
        for (ShmTransport x : t) {
            x.connect(Duration.ofSeconds(10));
        }
        return t;
    }

    static byte pat(int from, long seq, long i) {
        return (byte) (from * 17 + seq * 31 + i * 7 + (i >>> 9));
    }

    static Frame eager(int from, long seq, int bytes) {
        Frame f = new Frame();
        f.type = Frame.EAGER;
        f.source = from;
        f.tag = (int) seq;
        f.bytes = bytes;
        f.length = bytes;
        return f;
    }

    static Buf payloadFor(int from, long seq, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = pat(from, seq, i);
        }
        return Buf.of(b);
    }

    static void checkPayload(int from, long seq, Buf payload, long off, long bytes) {
        MemorySegment s = payload.segment();
        for (long i = 0; i < bytes; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, off + i) != pat(from, seq, i)) {
                throw new AssertionError("frame " + seq + " from rank " + from + ": byte " + i + " differs");
            }
        }
    }

    // ------------------------------------------------------------------ basic exchange

    /** Checks that frames from each (peer, tag-stream) arrive in order, with intact payloads. */
    static final class OrderChecker implements FrameHandler {
        final ConcurrentHashMap<Long, AtomicLong> next = new ConcurrentHashMap<>();
        final AtomicLong frames = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final int self;

        OrderChecker(int self) {
            this.self = self;
        }

        @Override
        public void onFrame(int peer, Frame f, Buf payload, long off) {
            try {
                assertEquals(peer, f.source, "source");
                long stream = (long) peer << 32 | f.context;
                long expected = next.computeIfAbsent(stream, k -> new AtomicLong()).getAndIncrement();
                assertEquals(expected, f.tag, "order of stream " + f.context + " from " + peer + " at " + self);
                checkPayload(peer, f.tag + f.context * 1_000_000L, payload, off, f.length);
                frames.incrementAndGet();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    @Test
    void framesFromManyThreadsArriveInOrderPerSender() throws Exception {
        int ranks = 4;
        int threadsPerRank = 3;
        int perThreadPerPeer = 3000;
        long seed = Long.getLong("shm.seed", System.nanoTime());
        System.out.println("framesFromManyThreadsArriveInOrderPerSender seed = " + seed);
        OrderChecker[] checkers = new OrderChecker[ranks];
        for (int r = 0; r < ranks; r++) {
            checkers[r] = new OrderChecker(r);
        }
        ShmTransport[] t = job(ranks, 1 << 16, checkers);
        long expectedPerRank = (long) (ranks - 1) * threadsPerRank * perThreadPerPeer;
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int r = 0; r < ranks; r++) {
            int rank = r;
            for (int k = 0; k < threadsPerRank; k++) {
                int context = k;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        Random rnd = new Random(seed + rank * 100 + context);
                        for (int seq = 0; seq < perThreadPerPeer; seq++) {
                            for (int peer = 0; peer < ranks; peer++) {
                                if (peer == rank) {
                                    continue;
                                }
                                int bytes = rnd.nextInt(8) == 0 ? rnd.nextInt((int) t[rank].eagerLimit(peer) + 1) : rnd.nextInt(64);
                                Frame f = eager(rank, seq, bytes);
                                f.context = context;
                                t[rank].send(peer, f, payloadFor(rank, seq + context * 1_000_000L, bytes), 0);
                            }
                            if (seq % 16 == 0) {
                                t[rank].poll(); // several threads of a rank poll: one at a time gets in
                            }
                        }
                        while (checkers[rank].frames.get() < expectedPerRank && failure.get() == null) {
                            if (t[rank].poll() == 0) {
                                Thread.onSpinWait();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
        }
        for (Thread th : threads) {
            th.join();
        }
        assertNull(failure.get());
        for (OrderChecker c : checkers) {
            assertNull(c.failure.get());
            assertEquals(expectedPerRank, c.frames.get());
        }
    }

    // ------------------------------------------------------------------ streaming both ways

    /** Receives DATA fragments of one stream: checks offsets are contiguous and content intact. */
    static final class StreamSink implements FrameHandler {
        long received;
        final AtomicLong done = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Frame> controls = new ArrayList<>();

        @Override
        public void onFrame(int peer, Frame f, Buf payload, long off) {
            try {
                if (f.type != Frame.DATA) {
                    controls.add(f.copy());
                    return;
                }
                assertEquals(received, f.offset, "fragments in order");
                MemorySegment s = payload.segment();
                for (long i = 0; i < f.length; i += 4093) { // sample: every copy is checked at this stride
                    byte b = s.get(ValueLayout.JAVA_BYTE, off + i);
                    if (b != (byte) ((f.offset + i) * 13 + peer)) {
                        throw new AssertionError("stream from " + peer + ": byte " + (f.offset + i) + " differs");
                    }
                }
                received += f.length;
                done.set(received);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    static byte[] streamSource(int from, int size) {
        byte[] src = new byte[size];
        for (int i = 0; i < size; i++) {
            src[i] = (byte) (i * 13 + from);
        }
        return src;
    }

    private static void stream(ShmTransport t, int peer, byte[] src, long total) {
        long frag = t.maxFragment(peer);
        Buf buf = Buf.of(src);
        for (long off = 0; off < total; off += frag) {
            long len = Math.min(frag, total - off);
            Frame f = new Frame();
            f.type = Frame.DATA;
            f.offset = off;
            f.length = len;
            f.bytes = total;
            // the source repeats with the period of src; offsets into it keep the pattern aligned
            t.send(peer, f, buf, off % (src.length - frag));
        }
    }

    @Test
    void largeStreamsBothWaysAtOnceDoNotDeadlock() throws Exception {
        for (long capacity : new long[] {1 << 16, 1 << 20}) {
            StreamSink[] sinks = {new StreamSink(), new StreamSink()};
            ShmTransport[] t = job(2, capacity, sinks);
            long total = 96L << 20;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] th = new Thread[2];
            for (int r = 0; r < 2; r++) {
                int rank = r;
                th[r] = Thread.ofPlatform().start(() -> {
                    try {
                        // 13 has period 256 in bytes, so a source of 256 + fragment bytes serves every offset
                        byte[] src = streamSource(rank, (int) (t[rank].maxFragment(1 - rank) + 256 * 64));
                        stream(t[rank], 1 - rank, src, total); // never polls but from inside send, when full
                        while (sinks[rank].done.get() < total && failure.get() == null) {
                            t[rank].poll();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            th[0].join();
            th[1].join();
            assertNull(failure.get());
            for (StreamSink s : sinks) {
                assertNull(s.failure.get());
                assertEquals(total, s.done.get());
            }
            for (ShmTransport x : t) {
                x.close();
            }
            transports.clear();
            assertFalse(Files.exists(dir), "the job directory is gone once every rank has closed");
        }
    }

    /**
     * What the matching layer does: a CTS arrives and its handler streams the message's DATA
     * fragments back, from inside the delivery. Both ranks do it at once, with small rings,
     * so both block on a full ring inside a handler and must make progress by nested polls.
     */
    @Test
    void streamingFromInsideHandlersBothWaysDoesNotDeadlock() throws Exception {
        long total = 32L << 20;
        ShmTransport[] t = new ShmTransport[2];
        StreamSink[] sinks = {new StreamSink(), new StreamSink()};
        FrameHandler[] handlers = new FrameHandler[2];
        for (int r = 0; r < 2; r++) {
            int rank = r;
            handlers[r] = (peer, f, payload, off) -> {
                if (f.type == Frame.CTS) {
                    byte[] src = streamSource(rank, (int) (t[rank].maxFragment(peer) + 256 * 64));
                    stream(t[rank], peer, src, total);
                } else {
                    sinks[rank].onFrame(peer, f, payload, off);
                }
            };
        }
        ShmTransport[] made = job(2, 1 << 16, handlers);
        t[0] = made[0];
        t[1] = made[1];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] th = new Thread[2];
        for (int r = 0; r < 2; r++) {
            int rank = r;
            th[r] = Thread.ofPlatform().start(() -> {
                try {
                    Frame cts = new Frame();
                    cts.type = Frame.CTS;
                    t[rank].send(1 - rank, cts, null, 0);
                    while (sinks[rank].done.get() < total && failure.get() == null) {
                        t[rank].poll();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        th[0].join();
        th[1].join();
        assertNull(failure.get());
        assertNull(sinks[0].failure.get());
        assertNull(sinks[1].failure.get());
        assertEquals(total, sinks[0].done.get());
        assertEquals(total, sinks[1].done.get());
    }

    /**
     * Rank 1 echoes every frame from inside its delivery. When its ring to rank 0 is full,
     * the echo waits and polls, and the nested delivery echoes the next frame: that one
     * must not overtake the one still waiting.
     */
    @Test
    void sendsFromNestedHandlersDoNotOvertakeAWaitingSend() throws Exception {
        ShmTransport[] t = new ShmTransport[2];
        List<Long> echoed = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        FrameHandler echo = (peer, f, payload, off) -> t[1].send(peer, f.copy(), payload, off);
        FrameHandler check = (peer, f, payload, off) -> {
            try {
                assertEquals(echoed.size(), f.sendId, "echo order");
                checkPayload(0, f.sendId, payload, off, f.length);
                echoed.add(f.sendId);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
        ShmTransport[] made = job(2, 1 << 14, check, echo);
        t[0] = made[0];
        t[1] = made[1];
        int count = 20_000;
        Thread peer = Thread.ofPlatform().start(() -> {
            while (echoed.size() < count && failure.get() == null) {
                t[1].poll();
            }
        });
        Random rnd = new Random(42);
        for (int i = 0; i < count && failure.get() == null; i++) {
            int bytes = rnd.nextInt((int) t[0].eagerLimit(1) + 1);
            Frame f = eager(0, i, bytes);
            f.sendId = i;
            t[0].send(1, f, payloadFor(0, i, bytes), 0);
            if (i % 4 == 0) {
                t[0].poll(); // not often enough: rank 1's ring back fills up
            }
        }
        while (echoed.size() < count && failure.get() == null) {
            t[0].poll();
        }
        peer.join();
        assertNull(failure.get());
        assertEquals(count, echoed.size());
    }

    // ------------------------------------------------------------------ closing

    static final class Closes implements FrameHandler {
        final ConcurrentHashMap<Integer, AtomicInteger> closes = new ConcurrentHashMap<>();
        final AtomicInteger others = new AtomicInteger();

        @Override
        public void onFrame(int peer, Frame f, Buf payload, long off) {
            if (f.type == Frame.CLOSE) {
                closes.computeIfAbsent(peer, k -> new AtomicInteger()).incrementAndGet();
            } else {
                others.incrementAndGet();
            }
        }

        int from(int peer) {
            AtomicInteger n = closes.get(peer);
            return n == null ? 0 : n.get();
        }
    }

    private static void pollFor(ShmTransport t, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            t.poll();
            Thread.onSpinWait();
        }
    }

    @Test
    void aClosedPeerIsReportedOnceAndEverythingIsCleanedUp() throws Exception {
        Closes[] h = {new Closes(), new Closes(), new Closes()};
        ShmTransport[] t = job(3, 1 << 16, h);
        // Rank 2 finalizes as the matching layer does: a CLOSE frame to every peer, then closes.
        for (int peer : new int[] {0, 1}) {
            Frame f = eager(2, 0, 8);
            t[2].send(peer, f, payloadFor(2, 0, 8), 0);
            Frame c = new Frame();
            c.type = Frame.CLOSE;
            t[2].send(peer, c, null, 0);
        }
        t[2].close();
        assertTrue(t[0].peerClosed(2));
        // Rank 1 closes without a CLOSE frame (say, its engine failed): its peers still learn of it.
        t[1].close();
        pollFor(t[0], Duration.ofMillis(50));
        assertEquals(1, h[0].from(2), "rank 2's own CLOSE, and no second one");
        assertEquals(1, h[0].from(1), "a CLOSE on rank 1's behalf");
        assertEquals(1, h[0].others.get(), "the frame sent before the CLOSE");
        // Sending to a rank that has closed is dropped, however much is sent: it never blocks.
        for (int i = 0; i < 10_000; i++) {
            t[0].send(1, eager(0, i, 1000), payloadFor(0, i, 1000), 0);
        }
        MpiException e = assertThrows(MpiException.class, () -> t[1].send(0, eager(1, 0, 0), null, 0));
        assertEquals(ErrorClass.PROC_FINALIZED, e.errorClass());
        assertEquals(0, t[1].poll());
        t[0].close();
        transports.clear();
        assertFalse(Files.exists(dir), "the last rank out deletes the job directory");
    }

    @Test
    void aRankThatAttachesAfterItsPeerClosedCleansUpTheRing() throws Exception {
        ShmTransport a = new ShmTransport(0, new int[] {0, 1}, dir, TOKEN, 1 << 16, new Closes());
        transports.add(a);
        ShmTransport b = new ShmTransport(1, new int[] {0, 1}, dir, TOKEN, 1 << 16, new Closes());
        transports.add(b);
        b.connect(Duration.ofSeconds(5)); // b attaches to a's ring; a has not attached to b's yet
        b.close();
        assertTrue(Files.exists(ShmTransport.ringFile(dir, 0, 1)), "left for its producer, which has not attached");
        a.send(1, eager(0, 0, 8), payloadFor(0, 0, 8), 0); // attaches, finds b closed, drops and deletes
        assertFalse(Files.exists(ShmTransport.ringFile(dir, 0, 1)));
        a.close();
        transports.clear();
        assertFalse(Files.exists(dir));
    }

    @Test
    void connectNamesThePeersThatNeverAppeared() throws Exception {
        ShmTransport a = new ShmTransport(0, new int[] {0, 1, 2}, dir, TOKEN, 1 << 16, new Closes());
        transports.add(a);
        MpiException e = assertThrows(MpiException.class, () -> a.connect(Duration.ofMillis(200)));
        assertEquals(ErrorClass.TIMEOUT, e.errorClass());
        assertTrue(e.getMessage().contains("[1, 2]"), e.getMessage());
        a.close();
        assertTrue(Files.exists(dir), "rings no producer attached to are left for the launcher");
        assertTrue(ShmTransport.deleteJobDirectory(dir));
        assertFalse(Files.exists(dir));
    }

    @Test
    void aRingOfAnotherJobIsRefused() throws Exception {
        ShmTransport a = new ShmTransport(0, new int[] {0, 1}, dir, TOKEN, 1 << 16, new Closes());
        transports.add(a);
        ShmTransport b = new ShmTransport(1, new int[] {0, 1}, dir, TOKEN + 1, 1 << 16, new Closes());
        transports.add(b);
        MpiException e = assertThrows(MpiException.class, () -> a.connect(Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("not of this job"), e.getMessage());
    }

    @Test
    void capabilities() throws Exception {
        ShmTransport[] t = job(2, 1 << 20);
        assertEquals(32 << 10, t[0].eagerLimit(1));
        assertEquals((1 << 18) - 64, t[0].maxFragment(1));
        assertFalse(t[0].supportsGet(1));
        assertThrows(UnsupportedOperationException.class, () -> t[0].get(1, null, 0, Buf.of(new byte[1]), 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t[0].send(5, eager(0, 0, 0), null, 0));
        assertTrue(e.getMessage().contains("not a shared-memory peer"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t[0].send(1, eager(0, 0, 1 << 19), Buf.of(new byte[1 << 19]), 0));
        assertEquals(0, t[0].poll(), "nothing to do, and no handler");
        ShmTransport small = new ShmTransport(7, new int[] {8}, dir, TOKEN, 1 << 16, null);
        transports.add(small);
        assertEquals(8 << 10, small.eagerLimit(8));
        assertEquals(1 << 20, ShmTransport.defaultCapacity(2));
        assertEquals(1 << 20, ShmTransport.defaultCapacity(16));
        assertEquals(256 << 10, ShmTransport.defaultCapacity(24));
        assertEquals(64 << 10, ShmTransport.defaultCapacity(64));
        assertEquals(64 << 10, ShmTransport.defaultCapacity(1024));
    }
}
