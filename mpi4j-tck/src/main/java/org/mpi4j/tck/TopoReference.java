package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.Mpi;
import org.mpi4j.Request;
import org.mpi4j.TopoComm;

/**
 * A serial model of the neighbour collectives, written from the MPI 4.1 text and not from
 * the implementation: which rank's which block each receive slot must get, and a routine
 * that runs every neighbour collective on a topology communicator and checks every slot
 * against that model.
 *
 * <p>A slot is described as {@code {source, block}}: the rank it receives from and the index,
 * in that rank's destinations, of the block that lands there; {@code {PROC_NULL, -1}} for a
 * slot that must be left untouched.
 */
final class TopoReference {
    /** What an untouched slot holds. */
    static final long SENTINEL = -7;

    private TopoReference() {
    }

    /** The value at element k of block j that rank r sends. */
    static long value(int r, int j, int k) {
        return r * 1_000_000L + j * 1_000L + k;
    }

    // ================================================================== models

    /** Row-major rank of {@code coords}, or PROC_NULL if a non-periodic coordinate is off the grid. */
    static int rankAt(int[] coords, int[] dims, boolean[] periods) {
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            int c = coords[i];
            if (c < 0 || c >= dims[i]) {
                if (!periods[i]) {
                    return Mpi.PROC_NULL;
                }
                c = Math.floorMod(c, dims[i]);
            }
            r = r * dims[i] + c;
        }
        return r;
    }

    /** Row-major coordinates of {@code rank}. */
    static int[] coordsOf(int rank, int[] dims) {
        int[] c = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            c[i] = rank % dims[i];
            rank /= dims[i];
        }
        return c;
    }

    /**
     * The rank {@code step} steps along dimension {@code d} from {@code rank}.
     */
    static int step(int rank, int[] dims, boolean[] periods, int d, int step) {
        int[] c = coordsOf(rank, dims);
        c[d] += step;
        return rankAt(c, dims, periods);
    }

    /**
     * Cartesian slots (MPI 4.1 §8.6): for dimension d, slot 2d receives from the rank one step
     * back, which sent it as its block 2d + 1 ("ahead"); slot 2d + 1 from the rank one step
     * ahead, its block 2d ("back"). Destinations are the same ranks in the same order.
     */
    static int[][] cartSlots(int rank, int[] dims, boolean[] periods) {
        int[][] slots = new int[2 * dims.length][];
        for (int d = 0; d < dims.length; d++) {
            int back = step(rank, dims, periods, d, -1);
            int ahead = step(rank, dims, periods, d, +1);
            slots[2 * d] = back == Mpi.PROC_NULL ? new int[] {Mpi.PROC_NULL, -1} : new int[] {back, 2 * d + 1};
            slots[2 * d + 1] = ahead == Mpi.PROC_NULL ? new int[] {Mpi.PROC_NULL, -1} : new int[] {ahead, 2 * d};
        }
        return slots;
    }

    /** The destinations of a Cartesian rank: back and ahead for each dimension. */
    static int[] cartNeighbors(int rank, int[] dims, boolean[] periods) {
        int[] out = new int[2 * dims.length];
        for (int d = 0; d < dims.length; d++) {
            out[2 * d] = step(rank, dims, periods, d, -1);
            out[2 * d + 1] = step(rank, dims, periods, d, +1);
        }
        return out;
    }

    /**
     * Graph slots: the k-th appearance of source s in {@code me}'s in-list receives the block
     * s sends to the k-th appearance of {@code me} in its out-list.
     *
     * @param in every rank's sources
     * @param out every rank's destinations
     */
    static int[][] graphSlots(int me, int[][] in, int[][] out) {
        int[] src = in[me];
        int[][] slots = new int[src.length][];
        for (int i = 0; i < src.length; i++) {
            int s = src[i];
            int k = 0;
            for (int p = 0; p < i; p++) {
                k += src[p] == s ? 1 : 0;
            }
            int j = -1;
            for (int q = 0, seen = 0; q < out[s].length; q++) {
                if (out[s][q] == me && seen++ == k) {
                    j = q;
                    break;
                }
            }
            if (j < 0) {
                throw new AssertionError("the model graph is inconsistent at " + me + " slot " + i);
            }
            slots[i] = new int[] {s, j};
        }
        return slots;
    }

    // ================================================================== exercise

    /** How many elements rank r sends in a neighbour allgatherv: 1 to 3. */
    static int gathervCount(int r) {
        return r % 3 + 1;
    }

    /** How many elements rank r sends in its block j of a neighbour alltoallv: 0 to 3. */
    static int alltoallvCount(int r, int j) {
        return (r + 2 * j) % 4;
    }

    /**
     * Runs every neighbour collective on {@code comm} — allgather(v), alltoall(v), blocking and
     * non-blocking, buffers and objects — and checks each slot against {@code slots}.
     *
     * @param block the block size for the fixed-size forms
     */
    static void exercise(TopoComm comm, int[][] slots, int block, String label) {
        int me = comm.rank();
        int in = comm.indegree();
        int out = comm.outdegree();
        assertEquals(slots.length, in, label + ": indegree");
        for (int i = 0; i < in; i++) {
            assertEquals(slots[i][0], comm.sources()[i], label + ": source " + i);
        }

        // allgather
        long[] mine = new long[block];
        for (int k = 0; k < block; k++) {
            mine[k] = value(me, 0, k);
        }
        long[] got = filled(in * block);
        comm.neighborAllgather(Buf.of(mine), Buf.of(got));
        checkAllgather(slots, got, block, label + " neighborAllgather");

        // allgatherv: blocks in reverse slot order with a gap of one element after each
        int[] counts = new int[in];
        int[] displs = new int[in];
        int at = 0;
        for (int i = in - 1; i >= 0; i--) {
            counts[i] = slots[i][0] == Mpi.PROC_NULL ? 2 : gathervCount(slots[i][0]);
            displs[i] = at;
            at += counts[i] + 1;
        }
        long[] mineV = new long[gathervCount(me)];
        for (int k = 0; k < mineV.length; k++) {
            mineV[k] = value(me, 0, k);
        }
        long[] gotV = filled(at);
        comm.neighborAllgatherv(Buf.of(mineV), Buf.of(gotV), counts, displs);
        checkV(slots, gotV, counts, displs, true, label + " neighborAllgatherv");

        // alltoall
        long[] blocks = new long[out * block];
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < block; k++) {
                blocks[j * block + k] = value(me, j, k);
            }
        }
        long[] gotA = filled(in * block);
        comm.neighborAlltoall(Buf.of(blocks), Buf.of(gotA));
        checkAlltoall(slots, gotA, block, label + " neighborAlltoall");

        // alltoallv: send blocks in reverse order, receive blocks with gaps
        int[] sc = new int[out];
        int[] sd = new int[out];
        int sat = 0;
        for (int j = out - 1; j >= 0; j--) {
            sc[j] = alltoallvCount(me, j);
            sd[j] = sat;
            sat += sc[j];
        }
        long[] sendV = new long[sat];
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < sc[j]; k++) {
                sendV[sd[j] + k] = value(me, j, k);
            }
        }
        int[] rc = new int[in];
        int[] rd = new int[in];
        int rat = 1;
        for (int i = 0; i < in; i++) {
            rc[i] = slots[i][0] == Mpi.PROC_NULL ? 1 : alltoallvCount(slots[i][0], slots[i][1]);
            rd[i] = rat;
            rat += rc[i] + 2;
        }
        long[] gotAV = filled(rat);
        comm.neighborAlltoallv(Buf.of(sendV), sc, sd, Buf.of(gotAV), rc, rd);
        checkV(slots, gotAV, rc, rd, false, label + " neighborAlltoallv");

        // objects
        List<String> names = comm.neighborAllgather("rank " + me);
        assertEquals(in, names.size(), label + " object allgather size");
        for (int i = 0; i < in; i++) {
            if (slots[i][0] == Mpi.PROC_NULL) {
                assertNull(names.get(i), label + " object allgather slot " + i + " is PROC_NULL");
            } else {
                assertEquals("rank " + slots[i][0], names.get(i), label + " object allgather slot " + i);
            }
        }
        List<List<Integer>> parcels = new ArrayList<>();
        for (int j = 0; j < out; j++) {
            parcels.add(List.of(me, j));
        }
        List<List<Integer>> received = comm.neighborAlltoall(parcels);
        checkObjects(slots, received, label + " object alltoall");

        // non-blocking forms, all in flight at once, then a blocking one in between
        long[] iGot = filled(in * block);
        long[] iGotV = filled(at);
        long[] iGotA = filled(in * block);
        long[] iGotAV = filled(rat);
        Request<Void> r1 = comm.ineighborAllgather(Buf.of(mine), Buf.of(iGot));
        Request<Void> r2 = comm.ineighborAllgatherv(Buf.of(mineV), Buf.of(iGotV), counts, displs);
        Request<List<List<Integer>>> r3 = comm.ineighborAlltoall(parcels);
        Request<Void> r4 = comm.ineighborAlltoall(Buf.of(blocks), Buf.of(iGotA));
        List<String> blockingBetween = comm.neighborAllgather("again " + me);
        Request<Void> r5 = comm.ineighborAlltoallv(Buf.of(sendV), sc, sd, Buf.of(iGotAV), rc, rd);
        Request<List<String>> r6 = comm.ineighborAllgather("i " + me);
        Request.waitAll(r1, r2, r3, r4, r5, r6);
        checkAllgather(slots, iGot, block, label + " ineighborAllgather");
        checkV(slots, iGotV, counts, displs, true, label + " ineighborAllgatherv");
        checkObjects(slots, r3.waitFor(), label + " ineighborAlltoall(objects)");
        checkAlltoall(slots, iGotA, block, label + " ineighborAlltoall");
        checkV(slots, iGotAV, rc, rd, false, label + " ineighborAlltoallv");
        for (int i = 0; i < in; i++) {
            String from = slots[i][0] == Mpi.PROC_NULL ? null : String.valueOf(slots[i][0]);
            assertEquals(from == null ? null : "again " + from, blockingBetween.get(i), label + " blocking between");
            assertEquals(from == null ? null : "i " + from, r6.waitFor().get(i), label + " ineighborAllgather(object)");
        }
    }

    static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    private static void checkAllgather(int[][] slots, long[] got, int block, String what) {
        for (int i = 0; i < slots.length; i++) {
            for (int k = 0; k < block; k++) {
                long expected = slots[i][0] == Mpi.PROC_NULL ? SENTINEL : value(slots[i][0], 0, k);
                assertEquals(expected, got[i * block + k], what + ": slot " + i + " element " + k);
            }
        }
    }

    private static void checkAlltoall(int[][] slots, long[] got, int block, String what) {
        for (int i = 0; i < slots.length; i++) {
            for (int k = 0; k < block; k++) {
                long expected = slots[i][0] == Mpi.PROC_NULL ? SENTINEL : value(slots[i][0], slots[i][1], k);
                assertEquals(expected, got[i * block + k], what + ": slot " + i + " element " + k
                        + " (from " + slots[i][0] + ", its block " + slots[i][1] + ")");
            }
        }
    }

    /** Checks a v-form result: every slot's block, and that nothing outside the blocks changed. */
    private static void checkV(int[][] slots, long[] got, int[] counts, int[] displs, boolean gather, String what) {
        long[] expected = filled(got.length);
        for (int i = 0; i < slots.length; i++) {
            if (slots[i][0] == Mpi.PROC_NULL) {
                continue;
            }
            for (int k = 0; k < counts[i]; k++) {
                expected[displs[i] + k] = value(slots[i][0], gather ? 0 : slots[i][1], k);
            }
        }
        assertArrayEquals(expected, got, what);
    }

    private static void checkObjects(int[][] slots, List<List<Integer>> got, String what) {
        assertEquals(slots.length, got.size(), what + " size");
        for (int i = 0; i < slots.length; i++) {
            if (slots[i][0] == Mpi.PROC_NULL) {
                assertNull(got.get(i), what + ": slot " + i + " is PROC_NULL");
            } else {
                assertEquals(List.of(slots[i][0], slots[i][1]), got.get(i), what + ": slot " + i);
            }
        }
    }
}
