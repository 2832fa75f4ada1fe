package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Message;
import org.mpi4j.Mpi;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.ThreadLevel;
import org.mpi4j.junit.MpiTest;

/** {@link ThreadLevel#MULTIPLE}: many threads of one rank communicate at once. */
class P2pThreadsTest {

    private static final int THREADS = 4;

    /** Runs {@code body(thread)} on {@code n} threads of this rank at once; rethrows the first failure. */
    private static void inThreads(int n, ThreadBody body) throws Exception {
        Assumptions.assumeTrue(Mpi.init().threadLevel() == ThreadLevel.MULTIPLE, "the engine grants THREAD_MULTIPLE");
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                int thread = t;
                fs.add(pool.submit((Callable<Void>) () -> {
                    body.run(thread);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw (Exception) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ThreadBody {
        void run(int thread) throws Exception;
    }

    @MpiTest
    void eachThreadRunsItsOwnRing(Comm world) throws Exception {
        inThreads(THREADS, t -> {
            int[] in = new int[3];
            for (int i = 0; i < 40; i++) {
                Status st = world.sendrecv(Buf.of(new int[] {world.rank(), t, i}), Tck.right(world), t,
                        Buf.of(in), Tck.left(world), t);
                assertArrayEquals(new int[] {Tck.left(world), t, i}, in, "thread " + t + " step " + i);
                assertEquals(t, st.tag());
            }
        });
    }

    @MpiTest
    void threadsMixObjectsBlockingAndNonBlocking(Comm world) throws Exception {
        inThreads(THREADS, t -> {
            for (int i = 0; i < 20; i++) {
                if ((t + i) % 2 == 0) {
                    Request<String> r = world.irecv(Tck.left(world), 100 + t);
                    Request<Status> s = world.isend("t" + t + " i" + i + " from " + world.rank(), Tck.right(world), 100 + t);
                    Request.waitAll(r, s);
                    assertEquals("t" + t + " i" + i + " from " + Tck.left(world), r.waitFor());
                } else {
                    long[] in = new long[3];
                    Tck.sendThenRecv(world, Buf.of(new long[] {world.rank(), t, i}), Buf.of(in), 100 + t);
                    assertArrayEquals(new long[] {Tck.left(world), t, i}, in);
                }
            }
        });
    }

    @MpiTest
    void threadsShareAnySourceReceivesAtTheRoot(Comm world) throws Exception {
        // Every rank's threads send to rank 0; rank 0's threads receive with ANY_SOURCE and
        // between them get each message exactly once.
        int size = world.size();
        int perThread = 10;
        if (world.rank() == 0) {
            // Rank 0 runs senders to itself too, beside its receivers.
            Set<String> got = ConcurrentHashMap.newKeySet();
            int total = size * THREADS * perThread;
            inThreads(2 * THREADS, t -> {
                if (t >= THREADS) {
                    send(world, t - THREADS, perThread);
                    return;
                }
                for (int i = 0; i < total / THREADS; i++) {
                    String m = world.recv(Mpi.ANY_SOURCE, 7);
                    assertTrue(got.add(m), "received once: " + m);
                }
            });
            assertEquals(total, got.size());
        } else {
            inThreads(THREADS, t -> send(world, t, perThread));
        }
    }

    private static void send(Comm world, int thread, int count) {
        for (int i = 0; i < count; i++) {
            world.send(world.rank() + "/" + thread + "/" + i, 0, 7);
        }
    }

    @MpiTest
    void threadsShareMatchedProbes(Comm world) throws Exception {
        int perRank = 12;
        Set<Long> got = ConcurrentHashMap.newKeySet();
        List<Request<Status>> sends = new ArrayList<>();
        for (int i = 0; i < perRank; i++) {
            sends.add(world.isend(Buf.of(new long[] {world.rank() * 1000L + i}), Tck.right(world), 8));
        }
        inThreads(THREADS, t -> {
            for (int i = 0; i < perRank / THREADS; i++) {
                Message m = world.mprobe(Mpi.ANY_SOURCE, 8);
                long[] in = new long[m.status().count()];
                m.recv(Buf.of(in));
                assertTrue(got.add(in[0]), "received once: " + in[0]);
            }
        });
        Request.waitAll(sends);
        assertEquals(perRank, got.size());
        for (int i = 0; i < perRank; i++) {
            assertTrue(got.contains(Tck.left(world) * 1000L + i));
        }
    }

    @MpiTest
    void aRequestMayBeWaitedOnByAnotherThread(Comm world) throws Exception {
        int[] in = new int[1];
        Request<Status> r = world.irecv(Buf.of(in), Tck.left(world), 9);
        inThreads(2, t -> {
            if (t == 0) {
                assertEquals(Tck.left(world), r.waitFor().source());
            } else {
                world.send(Buf.of(new int[] {world.rank()}), Tck.right(world), 9);
            }
        });
        assertEquals(Tck.left(world), in[0]);
    }
}
