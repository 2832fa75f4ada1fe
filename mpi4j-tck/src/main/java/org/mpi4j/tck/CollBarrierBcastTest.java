package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Barrier and broadcast: every root, buffers and objects, sizes from nothing up, misuse. */
class CollBarrierBcastTest {

    private static final int[] SIZES = {0, 1, 7, 1000, 70_000};

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void nobodyLeavesTheBarrierBeforeEveryoneEnters(Comm world) throws InterruptedException {
        int last = world.size() - 1;
        if (world.rank() == last) {
            Thread.sleep(200);
        }
        long t0 = System.nanoTime();
        world.barrier();
        long waited = (System.nanoTime() - t0) / 1_000_000;
        if (world.rank() != last) {
            assertTrue(waited >= 150, "left the barrier after " + waited + " ms, before the last rank entered");
        }
        world.barrier(); // and again, back to back
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void bcastOfBuffersFromEveryRoot(Comm world) {
        for (int root = 0; root < world.size(); root++) {
            for (int n : SIZES) {
                double[] data = new double[n];
                if (world.rank() == root) {
                    for (int i = 0; i < n; i++) {
                        data[i] = root * 1e6 + i;
                    }
                }
                world.bcast(Buf.of(data), root);
                for (int i = 0; i < n; i++) {
                    assertEquals(root * 1e6 + i, data[i], "root " + root + ", " + n + " elements, at " + i);
                }
            }
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 7, 9})
    void bcastOfObjectsFromEveryRoot(Comm world) {
        for (int root = 0; root < world.size(); root++) {
            Map<String, Object> config = world.rank() == root
                    ? Map.of("batch_size", 32, "learning_rate", 0.01, "root", root, "weights", new double[100])
                    : null;
            Map<String, Object> got = world.bcast(config, root);
            assertEquals(32, got.get("batch_size"));
            assertEquals(root, got.get("root"));
            assertEquals(100, ((double[]) got.get("weights")).length);
            int[] array = world.bcast(world.rank() == root ? new int[] {root, 1, 2} : null, root);
            assertArrayEquals(new int[] {root, 1, 2}, array);
            Object nothing = null; // a literal null would pick bcast(Buf, int)
            assertEquals(null, world.bcast(nothing, root));
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4})
    void collectiveTrafficNeverMatchesAUserReceive(Comm world) {
        // A wildcard receive posted before the collectives must not see any of their messages.
        Request<Status> user = world.irecv(Buf.of(new byte[1 << 20]), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        world.barrier();
        world.bcast(Buf.of(new int[1000]), 0);
        world.bcast("hello", world.size() - 1);
        world.barrier();
        assertFalse(user.test(), "a user receive matched collective traffic");
        user.cancel();
        assertTrue(user.waitFor().cancelled());
    }

    @MpiTest(ranks = {2, 3})
    void aRootOutOfRangeIsNamed(Comm world) {
        MpiException e = assertThrows(MpiException.class, () -> world.bcast(Buf.of(new int[1]), world.size()));
        assertEquals(ErrorClass.RANK, e.errorClass());
        assertTrue(e.getMessage().contains("root " + world.size()), e.getMessage());
        assertThrows(MpiException.class, () -> world.bcast("x", -1));
    }

    @Test
    void aBufferThatDoesNotMatchTheRootsFailsOnTheRankThatPassedIt() {
        // Rank 2 passes 5 elements where the root sends 10: it alone is at fault, and the job
        // fails on it instead of hanging or corrupting.
        JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(4)
                .timeout(Duration.ofSeconds(30)).execute(w -> w.bcast(Buf.of(new int[w.rank() == 2 ? 5 : 10]), 0)));
        assertEquals(2, e.failedRank(), e.getMessage());
        assertInstanceOf(MpiException.class, e.getCause());
        JobAbortedException longer = assertThrows(JobAbortedException.class, () -> Mpi.local(3)
                .timeout(Duration.ofSeconds(30)).execute(w -> w.bcast(Buf.of(new int[w.rank() == 1 ? 12 : 10]), 0)));
        assertEquals(1, longer.failedRank(), longer.getMessage());
        assertEquals(ErrorClass.COUNT, ((MpiException) longer.getCause()).errorClass());
        assertTrue(longer.getCause().getMessage().contains("40 bytes"), longer.getCause().getMessage());
    }

    @Test
    void scatterAllgatherFromEveryRootAtEverySize() {
        for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 16}) {
            Mpi.local(n).set("mpi4j.coll.bcast", "scatter-allgather").timeout(Duration.ofSeconds(60)).execute(w -> {
                for (int root = 0; root < w.size(); root++) {
                    for (int count : new int[] {0, 1, 3, w.size() + 1, 1000, 300_000}) {
                        long[] data = new long[count];
                        if (w.rank() == root) {
                            for (int i = 0; i < count; i++) {
                                data[i] = root * 1_000_000_000L + i;
                            }
                        }
                        w.bcast(Buf.of(data), root);
                        for (int i = 0; i < count; i++) {
                            assertEquals(root * 1_000_000_000L + i, data[i], "root " + root + ", " + count + " elements");
                        }
                    }
                }
            });
        }
        // By default a large buffer on four ranks or more takes this path too. A rank that
        // passes another size fails, or its neighbours in the ring fail naming it.
        JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(4)
                .timeout(Duration.ofSeconds(30)).execute(w -> w.bcast(Buf.of(new long[w.rank() == 3 ? 70_000 : 80_000]), 1)));
        String why = e.getMessage() + " / " + e.getCause().getMessage();
        assertTrue(e.failedRank() == 3 || why.contains("rank 3"), why);
    }

    @Test
    void everyAlgorithmCanBeForcedByNameAndIsCorrect() {
        // Local engine only: the settings name the pure-Java algorithms.
        for (String barrier : List.of("dissemination", "linear")) {
            for (String bcast : List.of("binomial", "linear", "scatter-allgather")) {
                for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 16}) {
                    List<Integer> sums = Mpi.local(n).set("mpi4j.coll.barrier", barrier).set("mpi4j.coll.bcast", bcast)
                            .timeout(Duration.ofSeconds(60)).run(w -> {
                                int sum = 0;
                                for (int root = 0; root < w.size(); root++) {
                                    int[] v = {w.rank() == root ? root + 1 : -1};
                                    w.bcast(Buf.of(v), root);
                                    sum += v[0];
                                    w.barrier();
                                }
                                return sum;
                            });
                    for (int s : sums) {
                        assertEquals(n * (n + 1) / 2, s, barrier + "/" + bcast + " on " + n + " ranks");
                    }
                }
            }
        }
        MpiException e = assertThrows(MpiException.class, () -> Mpi.local(2).set("mpi4j.coll.bcast", "carrier-pigeon")
                .execute(w -> w.bcast(Buf.of(new int[1]), 0)));
        assertTrue(e.getMessage().contains("carrier-pigeon") || e.getCause().getMessage().contains("carrier-pigeon"),
                e.getMessage());
    }
}
