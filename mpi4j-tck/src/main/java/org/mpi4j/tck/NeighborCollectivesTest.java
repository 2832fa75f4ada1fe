package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.mpi4j.Buf;
import org.mpi4j.CartComm;
import org.mpi4j.Comm;
import org.mpi4j.DistGraphComm;
import org.mpi4j.ErrorClass;
import org.mpi4j.GraphComm;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.TopoComm;
import org.mpi4j.TruncationException;
import org.mpi4j.junit.MpiTest;

/**
 * Neighbour collectives on every kind of topology, checked slot by slot against a serial
 * model ({@link TopoReference}): periodic dimensions of size 1 and 2 (a rank that is both
 * neighbours, or its own), PROC_NULL edges, self-loops and repeated graph edges, v forms,
 * objects and non-blocking forms; their isolation from point-to-point traffic; and misuse.
 */
class NeighborCollectivesTest {

    private final long seed = Tck.seed();

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void cartesianNeighborhoodsMatchTheModel(Comm world) {
        for (Object[] g : CartTopologyTest.grids(world.size())) {
            int[] dims = (int[]) g[0];
            boolean[] periods = (boolean[]) g[1];
            CartComm cart = world.cartCreate(dims, periods, false);
            if (cart == null) {
                continue;
            }
            String label = "dims " + Arrays.toString(dims) + " periods " + Arrays.toString(periods);
            TopoReference.exercise(cart, TopoReference.cartSlots(cart.rank(), dims, periods), 3, label);
            cart.free();
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void graphNeighborhoodsMatchTheModel(Comm world) {
        int[][] lists = GraphTopologyTest.symmetricGraph(world.size());
        int[][] ie = GraphTopologyTest.indexEdges(lists);
        GraphComm g = world.graphCreate(ie[0], ie[1], false);
        TopoReference.exercise(g, TopoReference.graphSlots(g.rank(), lists, lists), 2, "graph");
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void distributedGraphNeighborhoodsMatchTheModel(Comm world) {
        int me = world.rank();
        for (int round = 0; round < 3; round++) {
            int[][] out = GraphTopologyTest.randomOutLists(world.size(), seed + round);
            int[][] in = GraphTopologyTest.inLists(out);
            // Shuffle the order of each in-list deterministically: the order is the program's choice.
            int[] mine = in[me].clone();
            java.util.Random rnd = new java.util.Random(seed * 31 + me + round);
            for (int i = mine.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = mine[i];
                mine[i] = mine[j];
                mine[j] = t;
            }
            DistGraphComm g = world.distGraphCreateAdjacent(mine, out[me], false);
            List<int[]> allIn = g.allgather(mine);
            int[][] ins = allIn.toArray(new int[0][]);
            TopoReference.exercise(g, TopoReference.graphSlots(me, ins, out), 1 + round, "distGraph round " + round);
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 6})
    void largeBlocksGoByRendezvous(Comm world) {
        int n = world.size();
        CartComm ring = world.cartCreate(new int[] {n}, new boolean[] {true}, false);
        TopoReference.exercise(ring, TopoReference.cartSlots(ring.rank(), new int[] {n}, new boolean[] {true}),
                6000, "ring, 6000 longs per block");
        int[] dims = Mpi.dimsCreate(n, 2);
        CartComm mesh = world.cartCreate(dims, new boolean[] {false, true}, false);
        TopoReference.exercise(mesh, TopoReference.cartSlots(mesh.rank(), dims, new boolean[] {false, true}),
                5000, "mesh, 5000 longs per block");
    }

    @MpiTest(ranks = {2, 3, 4})
    void periodicDimensionOfTwoSeparatesTheTwoDirections(Comm world) {
        // The sharpest case of MPI 4's rule, spelled out: on a periodic ring of 2, the other
        // rank is both neighbours, and what it sends ahead must land in my "back" slot.
        CartComm pair = world.cartCreate(new int[] {2}, new boolean[] {true}, false);
        if (pair == null) {
            return;
        }
        int other = 1 - pair.rank();
        assertArrayEquals(new int[] {other, other}, pair.sources());
        String[] got = new String[2];
        List<String> r = pair.neighborAlltoall(List.of("back from " + pair.rank(), "ahead from " + pair.rank()));
        got[0] = r.get(0);
        got[1] = r.get(1);
        assertArrayEquals(new String[] {"ahead from " + other, "back from " + other}, got);
        int[] ints = new int[2];
        pair.neighborAlltoall(Buf.of(new int[] {-1, +1}), Buf.of(ints));
        assertArrayEquals(new int[] {+1, -1}, ints);
        // And on a periodic ring of 1 a rank is its own neighbour, with the same rule.
        CartComm alone = pair.cartCreate(new int[] {1}, new boolean[] {true}, false);
        if (alone != null) {
            int[] self = new int[2];
            alone.neighborAlltoall(Buf.of(new int[] {10, 20}), Buf.of(self));
            assertArrayEquals(new int[] {20, 10}, self);
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4})
    void neighborTrafficNeverMatchesAUserReceive(Comm world) {
        int n = world.size();
        CartComm cart = world.cartCreate(new int[] {n}, new boolean[] {true}, false);
        // Wildcard receives on the topology communicator and on its parent, posted first.
        Request<Status> onCart = cart.irecv(Buf.of(new byte[1 << 16]), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        Request<Status> onWorld = world.irecv(Buf.of(new byte[1 << 16]), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        int[] got = new int[2];
        cart.neighborAllgather(Buf.of(new int[] {cart.rank()}), Buf.of(got));
        cart.neighborAlltoall(Buf.of(new int[] {1, 2}), Buf.of(got));
        cart.neighborAllgather("object");
        cart.neighborAlltoall(List.of("a", "b"));
        Request.waitAll(cart.ineighborAllgather(Buf.of(new int[] {0}), Buf.of(got)), cart.ineighborAllgather(7));
        cart.barrier();
        assertFalse(onCart.test(), "a user receive on the topology communicator matched neighbour traffic");
        assertFalse(onWorld.test(), "a user receive on the parent matched neighbour traffic");
        cart.barrier(); // everyone has looked before anyone sends its own message
        // The user's own message still arrives, on the channel it was sent on.
        cart.send(Buf.of(new byte[] {5}), (cart.rank() + 1) % n, 9);
        Status st = onCart.waitFor();
        assertEquals(9, st.tag());
        assertEquals((cart.rank() + n - 1) % n, st.source());
        onWorld.cancel();
        assertTrue(onWorld.waitFor().cancelled());
    }

    @MpiTest(ranks = {1, 2, 3})
    void misuseIsNamedBeforeAnythingMoves(Comm world) {
        int n = world.size();
        CartComm cart = world.cartCreate(new int[] {n, 1}, new boolean[] {true, false}, false);
        // indegree = outdegree = 4 (two of them PROC_NULL)
        MpiException size = assertThrows(MpiException.class,
                () -> cart.neighborAllgather(Buf.of(new int[2]), Buf.of(new int[7])));
        assertEquals(ErrorClass.COUNT, size.errorClass());
        assertEquals("neighborAllgather: recv holds 7 elements, but 4 sources of 2 (send's count) need 8",
                size.getMessage());
        MpiException type = assertThrows(MpiException.class,
                () -> cart.neighborAllgather(Buf.of(new int[2]), Buf.of(new long[8])));
        assertEquals(ErrorClass.TYPE, type.errorClass());
        MpiException blocks = assertThrows(MpiException.class,
                () -> cart.neighborAlltoall(Buf.of(new int[6]), Buf.of(new int[8])));
        assertEquals(ErrorClass.COUNT, blocks.errorClass());
        assertTrue(blocks.getMessage().contains("with 4 destinations and 4 sources"), blocks.getMessage());
        MpiException values = assertThrows(MpiException.class, () -> cart.neighborAlltoall(List.of(1, 2, 3)));
        assertEquals(ErrorClass.COUNT, values.errorClass());
        assertTrue(values.getMessage().startsWith("neighborAlltoall: 3 values for 4 destinations"), values.getMessage());
        MpiException layout = assertThrows(MpiException.class, () -> cart.neighborAllgatherv(Buf.of(new int[1]),
                Buf.of(new int[4]), new int[] {1, 1, 1}, new int[] {0, 1, 2}));
        assertEquals(ErrorClass.ARG, layout.errorClass());
        assertEquals("neighborAllgatherv: counts has 3 entries and displs 3, but this rank has 4 sources",
                layout.getMessage());
        MpiException overlap = assertThrows(MpiException.class, () -> cart.neighborAllgatherv(Buf.of(new int[1]),
                Buf.of(new int[4]), new int[] {1, 1, 1, 1}, new int[] {0, 1, 1, 3}));
        assertEquals(ErrorClass.ARG, overlap.errorClass());
        assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
        MpiException beyond = assertThrows(MpiException.class, () -> cart.neighborAlltoallv(Buf.of(new int[4]),
                new int[] {1, 1, 1, 1}, new int[] {0, 1, 2, 3}, Buf.of(new int[4]), new int[] {1, 1, 1, 2},
                new int[] {0, 1, 2, 3}));
        assertEquals(ErrorClass.COUNT, beyond.errorClass());
        assertEquals("neighborAlltoallv: block 3 (2 elements at 3) ends beyond recv, which holds 4",
                beyond.getMessage());
        MpiException readOnly = assertThrows(MpiException.class, () -> cart.neighborAllgather(Buf.of(new int[1]),
                Buf.of(java.nio.ByteBuffer.allocate(16).asReadOnlyBuffer())));
        assertEquals(ErrorClass.BUFFER, readOnly.errorClass());
        // None of that reached the engine: the next neighbour collective works.
        assertEquals(4, cart.neighborAllgather(1).size());
    }

    @MpiTest(ranks = {2, 3, 4})
    void aNeighbourSendingTheWrongCountFailsTheReceiver(Comm world) {
        int n = world.size();
        CartComm ring = world.cartCreate(new int[] {n}, new boolean[] {false}, false);
        // Every rank sends 2 elements; rank 1 expects 3 from its left and 1 from its right.
        boolean odd = ring.rank() == 1;
        int[] counts = odd ? new int[] {3, 1} : new int[] {2, 2};
        int[] displs = {0, 4};
        int[] recv = new int[6];
        if (!odd) {
            ring.neighborAllgatherv(Buf.of(new int[] {7, 8}), Buf.of(recv), counts, displs);
            return;
        }
        Exception e = assertThrows(Exception.class,
                () -> ring.neighborAllgatherv(Buf.of(new int[] {7, 8}), Buf.of(recv), counts, displs));
        if (e instanceof MpiException m && !(e instanceof TruncationException)) {
            assertEquals(ErrorClass.COUNT, m.errorClass());
            assertTrue(m.getMessage().contains("rank 0 sent 2 elements where 3 were expected"), m.getMessage());
        } else {
            assertTrue(e instanceof TruncationException, "expected a count error or a truncation, got " + e);
        }
    }

    @MpiTest(ranks = {1, 2, 5})
    void zeroDegreeRanksTakePartWithEmptyBuffers(Comm world) {
        // A star: rank 0 sends to everyone, nobody sends back; rank 0 has no sources.
        int n = world.size();
        int me = world.rank();
        int[] dst = new int[me == 0 ? n - 1 : 0];
        for (int i = 0; i < dst.length; i++) {
            dst[i] = i + 1;
        }
        int[] src = me == 0 ? new int[0] : new int[] {0};
        TopoComm star = world.distGraphCreateAdjacent(src, dst, false);
        double[] in = new double[star.indegree() * 2];
        double[] out = new double[star.outdegree() * 2];
        for (int j = 0; j < star.outdegree(); j++) {
            out[2 * j] = j + 1;
            out[2 * j + 1] = -(j + 1);
        }
        star.neighborAlltoall(Buf.of(out), Buf.of(in));
        if (me > 0) {
            assertArrayEquals(new double[] {me, -me}, in);
        }
        List<String> hello = star.neighborAllgather("from " + me);
        assertEquals(me == 0 ? List.of() : List.of("from 0"), hello);
        star.neighborAllgather(Buf.of(new double[0]), Buf.of(new double[0]));
    }
}
