package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.Loc;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Op;
import org.mpi4j.junit.MpiTest;

/** Reduce and allreduce: every root, buffers, objects and scalars, rank order, every algorithm. */
class CollReduceTest {

    /** Associative but not commutative: the first non-zero operand, in rank order. */
    static final Op FIRST_NON_ZERO = Op.ofLongs("firstNonZero", (a, b) -> a != 0 ? a : b, false);

    private static long x(int rank, int i) {
        return rank % 3 == 0 ? 0 : rank * 1000L + i;
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void reduceAndAllreduceOfBuffersFromEveryRoot(Comm world) {
        int n = world.size();
        for (int count : new int[] {0, 1, 17, 40_000}) {
            long[] mine = new long[count];
            double[] mineD = new double[count];
            for (int i = 0; i < count; i++) {
                mine[i] = world.rank() + i;
                mineD[i] = 0.5 * world.rank();
            }
            for (int root = 0; root < n; root++) {
                long[] sum = new long[count];
                world.reduce(Buf.of(mine), world.rank() == root ? Buf.of(sum) : null, Op.SUM, root);
                if (world.rank() == root) {
                    for (int i = 0; i < count; i++) {
                        assertEquals((long) n * (n - 1) / 2 + (long) n * i, sum[i], "root " + root + " element " + i);
                    }
                }
            }
            double[] max = new double[count];
            world.allreduce(Buf.of(mineD), Buf.of(max), Op.MAX);
            for (double v : max) {
                assertEquals(0.5 * (n - 1), v);
            }
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 7, 9, 16})
    void aNonCommutativeOperationReducesInRankOrder(Comm world) {
        int n = world.size();
        long[] mine = new long[5];
        for (int i = 0; i < mine.length; i++) {
            mine[i] = x(world.rank(), i);
        }
        long[] expected = new long[5];
        for (int i = 0; i < 5; i++) {
            for (int r = 0; r < n && expected[i] == 0; r++) {
                expected[i] = x(r, i);
            }
        }
        for (int root = 0; root < n; root++) {
            long[] got = new long[5];
            world.reduce(Buf.of(mine), Buf.of(got), FIRST_NON_ZERO, root);
            if (world.rank() == root) {
                assertArrayEquals(expected, got, "root " + root);
            }
        }
        long[] all = mine.clone();
        world.allreduce(null, Buf.of(all), FIRST_NON_ZERO);
        assertArrayEquals(expected, all);
    }

    @MpiTest(ranks = {1, 2, 3, 4, 7})
    void objectsAndScalars(Comm world) {
        int n = world.size();
        assertEquals((long) n * (n - 1) / 2, world.allreduce((long) world.rank(), Op.SUM));
        assertEquals(n - 1, world.allreduce(world.rank(), Op.MAX));
        assertEquals(0.0, world.allreduce(world.rank() * 1.0, Op.MIN));
        long total = world.reduce((long) world.rank() + 1, Op.PROD, 0);
        if (world.rank() == 0) {
            long fact = 1;
            for (int r = 1; r <= n; r++) {
                fact *= r;
            }
            assertEquals(fact, total);
        }
        Loc<Double> best = world.allreduce(new Loc<>(Math.abs(world.rank() - n / 2.0), world.rank()), Op.MINLOC);
        assertEquals(n / 2, best.index());
        Op concat = Op.ofObjects("concat", (String a, String b) -> a + "," + b, false);
        String joined = world.reduce(String.valueOf(world.rank()), concat, n - 1);
        if (world.rank() == n - 1) {
            StringBuilder sb = new StringBuilder("0");
            for (int r = 1; r < n; r++) {
                sb.append(',').append(r);
            }
            assertEquals(sb.toString(), joined);
        } else {
            assertNull(joined);
        }
        int[] summed = world.allreduce(new int[] {world.rank(), 1}, Op.SUM);
        assertArrayEquals(new int[] {n * (n - 1) / 2, n}, summed);
    }

    @MpiTest(ranks = {2, 3})
    void misuseIsNamed(Comm world) {
        MpiException undefined = assertThrows(MpiException.class,
                () -> world.allreduce(Buf.of(new double[2]), Buf.of(new double[2]), Op.BAND));
        assertEquals(ErrorClass.TYPE, undefined.errorClass());
        MpiException odd = assertThrows(MpiException.class,
                () -> world.allreduce(Buf.of(new long[3]), Buf.of(new long[3]), Op.MINLOC));
        assertEquals(ErrorClass.COUNT, odd.errorClass());
        MpiException count = assertThrows(MpiException.class,
                () -> world.allreduce(Buf.of(new long[2]), Buf.of(new long[3]), Op.SUM));
        assertEquals(ErrorClass.COUNT, count.errorClass());
        MpiException type = assertThrows(MpiException.class,
                () -> world.allreduce(Buf.of(new long[2]), Buf.of(new int[2]), Op.SUM));
        assertEquals(ErrorClass.TYPE, type.errorClass());
        assertThrows(MpiException.class, () -> world.reduce(1L, Op.SUM, world.size()));
    }

    @Test
    void everyAlgorithmCanBeForcedByName() {
        for (String reduce : List.of("binomial", "linear")) {
            for (String allreduce : List.of("recursive-doubling", "ring", "reduce-bcast")) {
                for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 16}) {
                    Mpi.local(n).set("mpi4j.coll.reduce", reduce).set("mpi4j.coll.allreduce", allreduce)
                            .timeout(Duration.ofSeconds(60)).execute(w -> {
                                for (int count : new int[] {1, 3, 50}) {
                                    long[] v = new long[count];
                                    java.util.Arrays.fill(v, w.rank() + 1);
                                    long[] out = new long[count];
                                    for (int root = 0; root < w.size(); root++) {
                                        w.reduce(Buf.of(v), Buf.of(out), Op.SUM, root);
                                        if (w.rank() == root) {
                                            assertEquals((long) w.size() * (w.size() + 1) / 2, out[count - 1], reduce);
                                        }
                                    }
                                    long[] all = new long[count];
                                    w.allreduce(Buf.of(v), Buf.of(all), Op.SUM);
                                    for (long a : all) {
                                        assertEquals((long) w.size() * (w.size() + 1) / 2, a, allreduce + " on " + w.size());
                                    }
                                }
                            });
                }
            }
        }
    }
}
