package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Op;
import org.mpi4j.Request;
import org.mpi4j.junit.MpiTest;

/**
 * Non-blocking collectives: many in flight at once, mixed with blocking ones and with
 * point-to-point traffic, completed in any order; arguments checked when started, failures
 * delivered by the request.
 */
class CollNonBlockingTest {

    private final long seed = Tck.seed();

    @MpiTest(ranks = {1, 2, 3, 4, 5, 7, 8, 9, 16})
    void manyInFlightCompleteInAnyOrder(Comm world) {
        int n = world.size();
        int me = world.rank();
        List<Request<?>> started = new ArrayList<>();
        started.add(world.ibarrier());
        long[] config = me == 0 ? new long[] {7, 8, 9} : new long[3];
        started.add(world.ibcast(Buf.of(config), 0));
        long[] sum = new long[1000];
        long[] mine = new long[1000];
        java.util.Arrays.fill(mine, me + 1);
        started.add(world.iallreduce(Buf.of(mine), Buf.of(sum), Op.SUM));
        int[] out = new int[n];
        for (int r = 0; r < n; r++) {
            out[r] = me * 100 + r;
        }
        int[] in = new int[n];
        started.add(world.ialltoall(Buf.of(out), Buf.of(in)));
        Request<List<String>> names = world.igather("r" + me, n - 1);
        started.add(names);
        long blocking = world.allreduce((long) me, Op.MAX); // a blocking one between non-blocking ones
        Request<String> prefix = world.iscan(Integer.toString(me), Op.ofObjects("concat", (String a, String b) -> a + b, false));
        started.add(prefix);
        int[] counts = new int[n];
        int[] displs = new int[n];
        for (int r = 0; r < n; r++) {
            counts[r] = r % 3;
            displs[r] = r * 2;
        }
        int[] gathered = new int[2 * n];
        started.add(world.iallgatherv(Buf.of(new int[] {me, me}, 0, me % 3), Buf.of(gathered), counts, displs));
        double[] blockIn = new double[2 * n];
        java.util.Arrays.fill(blockIn, me);
        double[] blockOut = new double[2];
        started.add(world.ireduceScatterBlock(Buf.of(blockIn), Buf.of(blockOut), Op.SUM));

        Collections.shuffle(started, new Random(seed + me)); // every rank waits in its own order
        for (Request<?> r : started) {
            r.waitFor();
        }
        assertEquals(n - 1, blocking);
        assertArrayEquals(new long[] {7, 8, 9}, config);
        assertEquals((long) n * (n + 1) / 2, sum[999]);
        for (int r = 0; r < n; r++) {
            assertEquals(r * 100 + me, in[r]);
            for (int k = 0; k < r % 3; k++) {
                assertEquals(r, gathered[r * 2 + k]);
            }
        }
        if (me == n - 1) {
            List<String> expected = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                expected.add("r" + r);
            }
            assertEquals(expected, names.waitFor());
        } else {
            assertNull(names.waitFor());
        }
        StringBuilder want = new StringBuilder();
        for (int r = 0; r <= me; r++) {
            want.append(r);
        }
        assertEquals(want.toString(), prefix.waitFor());
        assertEquals((double) n * (n - 1) / 2, blockOut[1]);
    }

    @MpiTest(ranks = {2, 3, 6})
    void collectiveTrafficNeverMatchesAWildcardReceive(Comm world) {
        int n = world.size();
        Request<Object> wildcard = world.irecv(Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        List<Request<?>> colls = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            colls.add(world.iallreduce((long) k, Op.SUM));
            colls.add(world.ibcast(List.of(k), k % n));
        }
        Request.waitAll(colls);
        world.barrier(); // every rank's collectives are done...
        assertFalse(wildcard.test(), "a collective's message matched a user receive");
        world.barrier(); // ...and every rank has checked before anyone sends
        world.send("mine", Tck.right(world), 5);
        assertEquals("mine", wildcard.waitFor());
    }

    @MpiTest(ranks = {1, 2, 4, 5})
    void hundredsOutstandingThenWaitAll(Comm world) {
        int n = world.size();
        List<Request<Long>> sums = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            sums.add(world.iallreduce((long) (k * world.rank()), Op.SUM));
        }
        Request.waitAll(sums);
        for (int k = 0; k < 200; k++) {
            assertEquals((long) k * n * (n - 1) / 2, sums.get(k).waitFor());
        }
        assertEquals(List.of(1, 2), world.iallreduce(List.of(1, 2), Op.ofObjects("left", (List<Integer> a, List<Integer> b) -> a, false))
                .toFuture().join());
    }

    @MpiTest(ranks = {2, 3})
    void argumentsAreCheckedWhenStarted(Comm world) {
        MpiException e = assertThrows(MpiException.class,
                () -> world.iallreduce(Buf.of(new int[2]), Buf.of(new int[3]), Op.SUM));
        assertTrue(e.getMessage().startsWith("allreduce: "), e.getMessage());
        assertThrows(MpiException.class, () -> world.ibcast(Buf.of(new int[1]), world.size()));
        assertThrows(MpiException.class, () -> world.ialltoall(List.of()));
    }

    /** What goes wrong while a started collective runs is thrown by its request, on the rank it concerns. */
    @MpiTest(ranks = {2})
    void aFailureIsDeliveredByTheRequest(Comm world) {
        Request<Void> r = world.ibcast(Buf.of(new int[world.rank() == 0 ? 4 : 2]), 0);
        if (world.rank() == 1) {
            MpiException e = assertThrows(MpiException.class, r::waitFor);
            assertTrue(e.getMessage().contains("bytes") || e.getMessage().contains("16"), e.getMessage());
        } else {
            r.waitFor();
        }
    }
}
