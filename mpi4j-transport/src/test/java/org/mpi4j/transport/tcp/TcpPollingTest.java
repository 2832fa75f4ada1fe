package org.mpi4j.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mpi4j.transport.tcp.TcpTestSupport.eager;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.tcp.TcpTestSupport.Job;
import org.mpi4j.transport.tcp.TcpTransportTest.Streamer;

/**
 * Waiting threads that poll, as mpi4j's request waits do: they read and deliver themselves
 * (the I/O thread stands aside), and when they park the I/O thread takes over at once.
 */
class TcpPollingTest {
    private static final TcpTransport.Options OPTS = TcpTransport.Options.defaults();

    /** Waits like {@code RequestWaits}: poll; spin {@code spins} times; then tell, poll once more, park. */
    static void await(TcpTransport t, BooleanSupplier done, int spins, long parkNanos) {
        int idle = 0;
        while (!done.getAsBoolean()) {
            if (t.poll() > 0 || done.getAsBoolean()) {
                idle = 0;
                continue;
            }
            if (idle++ < spins) {
                Thread.onSpinWait();
                continue;
            }
            t.parking(true);
            try {
                if (t.poll() == 0 && !done.getAsBoolean()) {
                    LockSupport.parkNanos(parkNanos);
                }
            } finally {
                t.parking(false);
            }
        }
    }

    /** Counts frames, notes which threads delivered them, and unparks a waiter. */
    static final class Counter implements FrameHandler {
        final AtomicLong frames = new AtomicLong();
        final AtomicLong onIoThread = new AtomicLong();
        volatile Thread waiter;

        @Override
        public void onFrame(int peer, Frame f, Buf payload, long off) {
            if (Thread.currentThread().getName().startsWith("mpi4j-tcp-io")) {
                onIoThread.incrementAndGet();
            }
            frames.incrementAndGet();
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    private static void pingPong(Job job, Counter[] c, int rounds, int spins, long parkNanos) throws Exception {
        Thread echo = Thread.ofPlatform().start(() -> {
            c[1].waiter = Thread.currentThread();
            for (int i = 0; i < rounds; i++) {
                long want = i + 1;
                await(job.t[1], () -> c[1].frames.get() >= want, spins, parkNanos);
                job.t[1].send(0, eager(1, i, 8), Buf.of(new byte[8]), 0);
            }
        });
        c[0].waiter = Thread.currentThread();
        for (int i = 0; i < rounds; i++) {
            job.t[0].send(1, eager(0, i, 8), Buf.of(new byte[8]), 0);
            long want = i + 1;
            await(job.t[0], () -> c[0].frames.get() >= want, spins, parkNanos);
        }
        echo.join();
    }

    @Test
    @Timeout(60)
    void spinningWaitersDeliverThemselves() throws Exception {
        Counter[] c = {new Counter(), new Counter()};
        try (Job job = new Job(2, OPTS, c)) {
            pingPong(job, c, 5000, 1_000_000, 1_000_000);
            long io = c[0].onIoThread.get() + c[1].onIoThread.get();
            System.out.println("spinning waiters: " + io + " of 10000 frames delivered by the I/O threads");
            assertTrue(io < 5000, io + " of 10000 frames delivered by the I/O threads: the waiters should read");
        }
    }

    /** Waiters that park at once, with a long park: each answer must come from the I/O thread's delivery. */
    @Test
    @Timeout(60)
    void parkedWaitersAreServedAtOnce() throws Exception {
        Counter[] c = {new Counter(), new Counter()};
        try (Job job = new Job(2, OPTS, c)) {
            long start = System.nanoTime();
            pingPong(job, c, 1000, 0, TimeUnit.SECONDS.toNanos(5));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 20_000, "1000 round trips took " + ms + " ms: a parked waiter waited for its timeout");
            assertTrue(c[0].onIoThread.get() > 0 && c[1].onIoThread.get() > 0);
        }
    }

    /** Waiters that spin a little, then park: the reader role goes back and forth without loss. */
    @Test
    @Timeout(60)
    void mixedWaitersNeverMissAFrame() throws Exception {
        Counter[] c = {new Counter(), new Counter()};
        try (Job job = new Job(2, OPTS, c)) {
            pingPong(job, c, 3000, 50, TimeUnit.SECONDS.toNanos(5));
        }
    }

    /**
     * The matching layer's pattern with polling waiters: CTS is delivered on a polling thread,
     * whose handler then streams a whole message while the other rank does the same to it.
     */
    @Test
    @Timeout(120)
    void handlerStreamsOnPollingThreadsBothWays() throws Exception {
        long bytes = 32L << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] src = {TcpTransportTest.patternedSegment(arena, 30, bytes, false),
                TcpTransportTest.patternedSegment(arena, 31, bytes, true)};
            Streamer[] s = {new Streamer(0, bytes, OPTS.maxFragment(), 1, src[0]),
                new Streamer(1, bytes, OPTS.maxFragment(), 1, src[1])};
            try (Job job = new Job(2, OPTS, s)) {
                s[0].transport = job.t[0];
                s[1].transport = job.t[1];
                Thread other = Thread.ofPlatform().start(() -> {
                    job.t[1].send(0, TcpTransportTest.ctsFor(30), null, 0); // rank 0 streams its stream 30
                    await(job.t[1], () -> s[1].done.getCount() == 0, Integer.MAX_VALUE, 1_000_000);
                });
                job.t[0].send(1, TcpTransportTest.ctsFor(31), null, 0);
                await(job.t[0], () -> s[0].done.getCount() == 0, Integer.MAX_VALUE, 1_000_000);
                other.join();
                assertEquals(null, s[0].error.get());
                assertEquals(null, s[1].error.get());
            }
        }
    }

    /** A sender blocked on a full socket while every other thread only polls: it reads for itself. */
    @Test
    @Timeout(60)
    void blockedSendersReadForThemselves() throws Exception {
        long bytes = 24L << 20;
        try (Arena arena = Arena.ofShared()) {
            Streamer[] s = {new Streamer(0, bytes, OPTS.maxFragment(), 1,
                    TcpTransportTest.patternedSegment(arena, 0, bytes, true)),
                new Streamer(1, bytes, OPTS.maxFragment(), 1, TcpTransportTest.patternedSegment(arena, 1, bytes, false))};
            try (Job job = new Job(2, OPTS, s)) {
                s[0].transport = job.t[0];
                s[1].transport = job.t[1];
                // keep both I/O threads aside: a poller on each rank, while the streams go both ways
                Thread[] pollers = new Thread[2];
                for (int r = 0; r < 2; r++) {
                    int me = r;
                    pollers[r] = Thread.ofPlatform().start(
                            () -> await(job.t[me], () -> s[me].done.getCount() == 0, Integer.MAX_VALUE, 1_000_000));
                }
                Thread a = Thread.ofPlatform().start(() -> s[0].stream(1, 0));
                s[1].stream(0, 1);
                a.join();
                for (Thread p : pollers) {
                    p.join();
                }
                assertEquals(null, s[0].error.get());
                assertEquals(null, s[1].error.get());
            }
        }
    }
}
