package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.junit.MpiTest;

/**
 * gatherv, scatterv and allgatherv: blocks of different sizes (zero included) at scattered,
 * shuffled displacements with gaps that must stay untouched, from every root. The layout is
 * drawn from a seed every rank shares; the seed is printed.
 */
class CollVectorTest {

    private final long seed = Tck.seed();

    private static final long UNTOUCHED = -1;

    /** Counts (some zero, some large) and displacements in a shuffled order with gaps. */
    record Layout(int[] counts, int[] displs, int total) {
        static Layout draw(long seed, int n, int maxCount) {
            Random rnd = new Random(seed);
            int[] counts = new int[n];
            for (int r = 0; r < n; r++) {
                counts[r] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(maxCount + 1);
            }
            Integer[] order = new Integer[n];
            for (int r = 0; r < n; r++) {
                order[r] = r;
            }
            java.util.Collections.shuffle(Arrays.asList(order), rnd);
            int[] displs = new int[n];
            int at = 0;
            for (int r : order) {
                at += rnd.nextInt(3); // a gap
                displs[r] = at;
                at += counts[r];
            }
            return new Layout(counts, displs, at + 2);
        }
    }

    private static long value(int rank, int i) {
        return rank * 10_000_000L + i;
    }

    private static long[] block(int rank, int count) {
        long[] b = new long[count];
        for (int i = 0; i < count; i++) {
            b[i] = value(rank, i);
        }
        return b;
    }

    /** The serial reference: every rank's block at its displacement, the gaps untouched. */
    private static long[] expected(Layout l, int n) {
        long[] all = new long[l.total()];
        Arrays.fill(all, UNTOUCHED);
        for (int r = 0; r < n; r++) {
            System.arraycopy(block(r, l.counts()[r]), 0, all, l.displs()[r], l.counts()[r]);
        }
        return all;
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void gathervAndScattervFromEveryRoot(Comm world) {
        int n = world.size();
        int me = world.rank();
        for (int maxCount : new int[] {0, 3, 2000}) {
            Layout l = Layout.draw(seed ^ maxCount, n, maxCount);
            long[] ref = expected(l, n);
            for (int root = 0; root < n; root++) {
                long[] all = null;
                if (me == root) {
                    all = new long[l.total()];
                    Arrays.fill(all, UNTOUCHED);
                }
                world.gatherv(Buf.of(block(me, l.counts()[me])), all == null ? null : Buf.of(all), l.counts(), l.displs(), root);
                if (me == root) {
                    assertArrayEquals(ref, all, "gatherv root " + root + " layout " + Arrays.toString(l.counts()));
                }
                long[] mine = new long[l.counts()[me]];
                world.scatterv(me == root ? Buf.of(ref) : null, l.counts(), l.displs(), Buf.of(mine), root);
                assertArrayEquals(block(me, l.counts()[me]), mine, "scatterv root " + root);
            }
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void allgathervAndItsInPlaceForm(Comm world) {
        int n = world.size();
        int me = world.rank();
        for (int maxCount : new int[] {0, 1, 50, 40_000}) {
            Layout l = Layout.draw(seed * 31 + maxCount, n, maxCount);
            long[] all = new long[l.total()];
            Arrays.fill(all, UNTOUCHED);
            world.allgatherv(Buf.of(block(me, l.counts()[me])), Buf.of(all), l.counts(), l.displs());
            assertArrayEquals(expected(l, n), all, "allgatherv " + Arrays.toString(l.counts()));

            long[] inPlace = new long[l.total()];
            Arrays.fill(inPlace, UNTOUCHED);
            System.arraycopy(block(me, l.counts()[me]), 0, inPlace, l.displs()[me], l.counts()[me]);
            world.allgatherv(null, Buf.of(inPlace), l.counts(), l.displs());
            assertArrayEquals(expected(l, n), inPlace, "allgatherv in place");
        }
    }

    @MpiTest(ranks = {1, 3, 4})
    void inPlaceAtTheRoot(Comm world) {
        int n = world.size();
        int me = world.rank();
        Layout l = Layout.draw(seed + 7, n, 9);
        int root = n / 2;
        long[] all = expected(l, n);
        long[] gathered = new long[l.total()];
        Arrays.fill(gathered, UNTOUCHED);
        if (me == root) {
            System.arraycopy(block(me, l.counts()[me]), 0, gathered, l.displs()[me], l.counts()[me]);
            world.gatherv(null, Buf.of(gathered), l.counts(), l.displs(), root);
            assertArrayEquals(all, gathered);
            world.scatterv(Buf.of(all), l.counts(), l.displs(), null, root);
        } else {
            world.gatherv(Buf.of(block(me, l.counts()[me])), null, null, null, root);
            long[] mine = new long[l.counts()[me]];
            world.scatterv(null, null, null, Buf.of(mine), root);
            assertArrayEquals(block(me, l.counts()[me]), mine);
        }
    }

    @MpiTest(ranks = {2, 3})
    void misuseIsNamedBeforeAnythingMoves(Comm world) {
        int n = world.size();
        if (world.rank() == 0) {
            int[] ones = new int[n];
            Arrays.fill(ones, 1);
            int[] displs = new int[n];
            for (int r = 0; r < n; r++) {
                displs[r] = r;
            }
            Buf recv = Buf.of(new long[n]);
            MpiException len = assertThrows(MpiException.class,
                    () -> world.gatherv(Buf.of(new long[1]), recv, new int[n + 1], displs, 0));
            assertEquals(ErrorClass.ARG, len.errorClass());
            assertTrue(len.getMessage().contains("has " + (n + 1) + " counts"), len.getMessage());

            int[] overlapping = displs.clone();
            overlapping[1] = 0;
            MpiException overlap = assertThrows(MpiException.class,
                    () -> world.allgatherv(Buf.of(new long[1]), recv, ones, overlapping));
            assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());

            int[] negative = ones.clone();
            negative[n - 1] = -1;
            MpiException neg = assertThrows(MpiException.class,
                    () -> world.scatterv(Buf.of(new long[n]), negative, displs, Buf.of(new long[1]), 0));
            assertEquals(ErrorClass.COUNT, neg.errorClass());

            int[] beyond = displs.clone();
            beyond[n - 1] = n;
            MpiException past = assertThrows(MpiException.class,
                    () -> world.gatherv(Buf.of(new long[1]), recv, ones, beyond, 0));
            assertTrue(past.getMessage().contains("ends beyond recv"), past.getMessage());

            MpiException own = assertThrows(MpiException.class,
                    () -> world.gatherv(Buf.of(new long[2]), recv, ones, displs, 0));
            assertTrue(own.getMessage().contains("this rank's block holds 2 elements"), own.getMessage());

            MpiException type = assertThrows(MpiException.class,
                    () -> world.allgatherv(Buf.of(new int[1]), recv, ones, displs));
            assertEquals(ErrorClass.TYPE, type.errorClass());
        }
    }

    /** A rank that sends more than the root's layout gives it fails the root with the sender named. */
    @MpiTest(ranks = {2})
    void aCountTheRootDidNotExpectIsNamed(Comm world) {
        if (world.rank() == 1) {
            world.gatherv(Buf.of(new long[1]), null, null, null, 0);
        } else {
            MpiException e = assertThrows(MpiException.class,
                    () -> world.gatherv(Buf.of(new long[2]), Buf.of(new long[4]), new int[] {2, 2}, new int[] {0, 2}, 0));
            assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
        }
    }
}
