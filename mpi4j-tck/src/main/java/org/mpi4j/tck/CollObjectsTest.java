package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.mpi4j.Comm;
import org.mpi4j.Op;
import org.mpi4j.junit.MpiTest;

/** The object vocabulary of the reductions: in rank order, whatever the operation, on every rank. */
class CollObjectsTest {

    /** Associative, not commutative. */
    static final Op CONCAT = Op.ofObjects("concat", (String a, String b) -> a + "," + b, false);

    record Point(int x, int y) {
    }

    static final Op CORNER = Op.ofObjects("corner", (Point a, Point b) -> new Point(Math.max(a.x(), b.x()), Math.min(a.y(), b.y())), true);

    private static String upTo(int last) {
        List<String> s = new ArrayList<>();
        for (int r = 0; r <= last; r++) {
            s.add("r" + r);
        }
        return String.join(",", s);
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void reductionsOfObjectsKeepRankOrder(Comm world) {
        int n = world.size();
        int me = world.rank();
        String mine = "r" + me;
        assertEquals(upTo(me), world.scan(mine, CONCAT));
        String before = world.exscan(mine, CONCAT);
        if (me == 0) {
            assertNull(before);
        } else {
            assertEquals(upTo(me - 1), before);
        }
        assertEquals(upTo(n - 1), world.allreduce(mine, CONCAT));
        for (int root = 0; root < n; root++) {
            String r = world.reduce(mine, CONCAT, root);
            assertEquals(me == root ? upTo(n - 1) : null, r);
        }
        assertEquals(new Point(n - 1, -(n - 1)), world.allreduce(new Point(me, -me), CORNER));
        assertEquals((long) n * (n - 1) / 2, (long) world.allreduce((Object) (long) me, Op.SUM));
    }
}
