package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;
import org.mpi4j.junit.MpiTest;

/** Prefix reductions: scan and exscan, in rank order, with every algorithm. */
class CollScanTest {

    /** Associative, not commutative: a map x -> a*x + b per rank, composed in rank order. */
    private static long[] affine(int rank) {
        return new long[] {rank % 2 == 0 ? 2 : 3, rank + 1};
    }

    /** (a1, b1) then (a2, b2) composed: x -> a2*(a1*x + b1) + b2. */
    static final Op COMPOSE = Op.of("compose", (in, inout) -> {
        long[] a = (long[]) in.array();
        long[] b = (long[]) inout.array();
        int ia = in.arrayOffset();
        int ib = inout.arrayOffset();
        for (long k = 0; k < in.count(); k += 2) {
            long a1 = a[ia + (int) k];
            long b1 = a[ia + (int) k + 1];
            long a2 = b[ib + (int) k];
            long b2 = b[ib + (int) k + 1];
            b[ib + (int) k] = a2 * a1;
            b[ib + (int) k + 1] = a2 * b1 + b2;
        }
    }, false);

    private static long[] composeUpTo(int last) {
        long[] acc = null;
        for (int r = 0; r <= last; r++) {
            long[] f = affine(r);
            acc = acc == null ? f : new long[] {f[0] * acc[0], f[0] * acc[1] + f[1]};
        }
        return acc;
    }

    static void check(Comm world) {
        int me = world.rank();
        assertEquals((long) me * (me + 1) / 2, world.scan((long) me, Op.SUM));
        assertEquals((long) me * (me - 1) / 2, world.exscan((long) me, Op.SUM, 0));
        assertEquals(me == 0 ? 0.0 : me - 1.0, world.exscan((long) me, Op.MAX, 0));
        long[] sums = new long[1000];
        java.util.Arrays.fill(sums, me + 1);
        world.scan(null, Buf.of(sums), Op.SUM);
        assertEquals((long) (me + 1) * (me + 2) / 2, sums[999]);
        long[] got = new long[2];
        world.scan(Buf.of(affine(me)), Buf.of(got), COMPOSE);
        assertArrayEquals(composeUpTo(me), got, "scan in rank order at rank " + me);
        long[] ex = {-7, -7};
        world.exscan(Buf.of(affine(me)), Buf.of(ex), COMPOSE);
        assertArrayEquals(me == 0 ? new long[] {-7, -7} : composeUpTo(me - 1), ex, "exscan at rank " + me);
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void scanAndExscanInRankOrder(Comm world) {
        check(world);
    }

    @Test
    void everyAlgorithmCanBeForcedByName() {
        for (String algorithm : List.of("recursive-doubling", "linear")) {
            for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 16}) {
                Mpi.local(n).set("mpi4j.coll.scan", algorithm).timeout(Duration.ofSeconds(60)).execute(CollScanTest::check);
            }
        }
    }
}
