package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Op;
import org.mpi4j.junit.MpiTest;

/**
 * Every collective with blocks of mebibytes, where the algorithms switch to their
 * bandwidth-bound forms and the point-to-point layer to rendezvous, against a serial
 * reference computed here.
 */
class CollLargeTest {

    /** 1 MiB of longs plus a few, so that nothing divides evenly. */
    private static final int COUNT = (1 << 17) + 3;

    private static long x(int rank, int i) {
        return rank * 3L + i;
    }

    @MpiTest(ranks = {1, 2, 3, 4})
    void everyCollectiveAtAMebibytePerRank(Comm w) {
        int n = w.size();
        int me = w.rank();
        int root = n - 1;
        long[] mine = new long[COUNT];
        for (int i = 0; i < COUNT; i++) {
            mine[i] = x(me, i);
        }

        long[] b = me == root ? mine.clone() : new long[COUNT];
        w.bcast(Buf.of(b), root);
        assertEquals(x(root, COUNT - 1), b[COUNT - 1]);

        long[] all = new long[n * COUNT];
        w.allgather(Buf.of(mine), Buf.of(all));
        for (int r = 0; r < n; r++) {
            assertEquals(x(r, COUNT - 1), all[r * COUNT + COUNT - 1], "allgather block " + r);
            assertEquals(x(r, 0), all[r * COUNT], "allgather block " + r);
        }
        long[] gathered = me == root ? new long[n * COUNT] : null;
        w.gather(Buf.of(mine), gathered == null ? null : Buf.of(gathered), root);
        long[] back = new long[COUNT];
        w.scatter(gathered == null ? null : Buf.of(gathered), Buf.of(back), root);
        assertEquals(x(me, COUNT - 1), back[COUNT - 1]);

        long[] sum = new long[COUNT];
        w.allreduce(Buf.of(mine), Buf.of(sum), Op.SUM);
        long ranks = (long) n * (n - 1) / 2;
        for (int i : new int[] {0, COUNT / 2, COUNT - 1}) {
            assertEquals(3 * ranks + (long) n * i, sum[i], "allreduce at " + i);
        }
        long[] reduced = new long[COUNT];
        w.reduce(Buf.of(mine), Buf.of(reduced), Op.MAX, 0);
        if (me == 0) {
            assertEquals(x(n - 1, COUNT - 1), reduced[COUNT - 1]);
        }
        long[] prefix = new long[COUNT];
        w.scan(Buf.of(mine), Buf.of(prefix), Op.SUM);
        assertEquals(3L * me * (me + 1) / 2 + (long) (me + 1) * (COUNT - 1), prefix[COUNT - 1]);

        long[] exchanged = new long[n * COUNT];
        long[] out = new long[n * COUNT];
        for (int to = 0; to < n; to++) {
            out[to * COUNT + COUNT - 1] = me * 100L + to;
        }
        w.alltoall(Buf.of(out), Buf.of(exchanged));
        for (int from = 0; from < n; from++) {
            assertEquals(from * 100L + me, exchanged[from * COUNT + COUNT - 1]);
        }

        int[] counts = new int[n];
        int[] displs = new int[n];
        for (int r = 0; r < n; r++) {
            counts[r] = COUNT - r;
            displs[r] = r * COUNT;
        }
        long[] v = new long[n * COUNT];
        w.allgatherv(Buf.of(mine, 0, counts[me]), Buf.of(v), counts, displs);
        for (int r = 0; r < n; r++) {
            assertEquals(x(r, counts[r] - 1), v[displs[r] + counts[r] - 1]);
        }
        long[] rs = new long[counts[me]];
        long[] input = new long[n * COUNT];
        java.util.Arrays.fill(input, me + 1);
        w.reduceScatter(Buf.of(input), Buf.of(rs), counts, Op.SUM);
        assertEquals((long) n * (n + 1) / 2, rs[counts[me] - 1]);
    }
}
