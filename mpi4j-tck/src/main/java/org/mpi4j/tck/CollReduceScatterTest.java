package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Op;
import org.mpi4j.junit.MpiTest;

/** reduceScatter and reduceScatterBlock against a serial reduction, in rank order, with every algorithm. */
class CollReduceScatterTest {

    private final long seed = Tck.seed();

    private static long input(int rank, int i) {
        return (rank + 1) * 1_000L + i * 7L;
    }

    /** The serial reference: element i summed over ranks. */
    private static long sum(int n, int i) {
        long s = 0;
        for (int r = 0; r < n; r++) {
            s += input(r, i);
        }
        return s;
    }

    static void check(Comm world, long seed) {
        int n = world.size();
        int me = world.rank();
        for (int max : new int[] {0, 1, 9, 5000}) {
            Random rnd = new Random(seed ^ max);
            int[] counts = new int[n];
            for (int r = 0; r < n; r++) {
                counts[r] = rnd.nextInt(max + 1);
            }
            int total = Arrays.stream(counts).sum();
            int start = Arrays.stream(counts, 0, me).sum();
            long[] send = new long[total];
            for (int i = 0; i < total; i++) {
                send[i] = input(me, i);
            }
            long[] expected = new long[counts[me]];
            for (int i = 0; i < counts[me]; i++) {
                expected[i] = sum(n, start + i);
            }
            long[] recv = new long[counts[me]];
            world.reduceScatter(Buf.of(send), Buf.of(recv), counts, Op.SUM);
            assertArrayEquals(expected, recv, "reduceScatter " + Arrays.toString(counts));

            long[] inPlace = send.clone();
            world.reduceScatter(null, Buf.of(inPlace), counts, Op.SUM);
            assertArrayEquals(expected, Arrays.copyOf(inPlace, counts[me]), "reduceScatter in place");

            // Not commutative: each element keeps the first non-zero contribution in rank order.
            long[] sparse = new long[total];
            for (int i = 0; i < total; i++) {
                sparse[i] = (i + me) % 3 == 0 ? me + 1 : 0;
            }
            long[] first = new long[counts[me]];
            world.reduceScatter(Buf.of(sparse), Buf.of(first), counts, CollReduceTest.FIRST_NON_ZERO);
            for (int i = 0; i < counts[me]; i++) {
                long want = 0;
                for (int r = 0; r < n && want == 0; r++) {
                    want = (start + i + r) % 3 == 0 ? r + 1 : 0;
                }
                assertEquals(want, first[i], "first non-zero at " + (start + i));
            }
        }
        int block = 3;
        double[] all = new double[n * block];
        for (int i = 0; i < all.length; i++) {
            all[i] = me + i / 8.0;
        }
        double[] mine = new double[block];
        world.reduceScatterBlock(Buf.of(all), Buf.of(mine), Op.MAX);
        for (int i = 0; i < block; i++) {
            assertEquals(n - 1 + (me * block + i) / 8.0, mine[i]);
        }
        world.reduceScatterBlock(null, Buf.of(all), Op.MAX);
        assertArrayEquals(mine, Arrays.copyOf(all, block));
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void reduceScatterMatchesTheSerialReduction(Comm world) {
        check(world, seed);
    }

    @MpiTest(ranks = {2, 3})
    void misuseIsNamed(Comm world) {
        int n = world.size();
        MpiException len = assertThrows(MpiException.class,
                () -> world.reduceScatter(Buf.of(new int[4]), Buf.of(new int[4]), new int[n + 1], Op.SUM));
        assertEquals(ErrorClass.ARG, len.errorClass());
        int[] counts = new int[n];
        Arrays.fill(counts, 2);
        MpiException small = assertThrows(MpiException.class,
                () -> world.reduceScatter(Buf.of(new int[2 * n - 1]), Buf.of(new int[2]), counts, Op.SUM));
        assertTrue(small.getMessage().contains("add up to " + 2 * n), small.getMessage());
        MpiException op = assertThrows(MpiException.class,
                () -> world.reduceScatter(Buf.of(new double[2 * n]), Buf.of(new double[2]), counts, Op.BAND));
        assertTrue(op.getMessage().startsWith("reduceScatter: "), op.getMessage());
        MpiException block = assertThrows(MpiException.class,
                () -> world.reduceScatterBlock(Buf.of(new int[n + 1]), Buf.of(new int[1]), Op.SUM));
        assertEquals(ErrorClass.COUNT, block.errorClass());
    }

    @Test
    void everyAlgorithmCanBeForcedByName() {
        long s = seed;
        for (String algorithm : List.of("ring", "reduce-scatterv")) {
            for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 16}) {
                Mpi.local(n).set("mpi4j.coll.reduce_scatter", algorithm).timeout(Duration.ofSeconds(60))
                        .execute(w -> check(w, s));
            }
        }
    }
}
