package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.mpi4j.Comm;
import org.mpi4j.DistGraphComm;
import org.mpi4j.ErrorClass;
import org.mpi4j.GraphComm;
import org.mpi4j.MpiException;
import org.mpi4j.junit.MpiTest;

/**
 * Graph and distributed graph topologies: creation, neighbour queries, weights, the order
 * of neighbours, and the errors — including graphs whose ranks disagree, which must fail
 * on every rank rather than hang.
 */
class GraphTopologyTest {

    /** One seed per invocation, shared by all ranks (they run on one test instance). */
    private final long seed = Tck.seed();

    /**
     * A symmetric graph on n nodes with every kind of edge: a ring (for n = 2 the same peer
     * twice, for n = 1 a double self-loop), a self-loop on every third node, and a second
     * edge between nodes 0 and n - 1.
     */
    static int[][] symmetricGraph(int n) {
        List<List<Integer>> adj = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            adj.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            adj.get(i).add((i + 1) % n);
            adj.get((i + 1) % n).add(i);
        }
        for (int i = 0; i < n; i += 3) {
            adj.get(i).add(i);
        }
        adj.get(0).add(n - 1);
        adj.get(n - 1).add(0);
        int[][] lists = new int[n][];
        for (int i = 0; i < n; i++) {
            lists[i] = adj.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return lists;
    }

    /** {index, edges} of adjacency lists. */
    static int[][] indexEdges(int[][] lists) {
        int[] index = new int[lists.length];
        List<Integer> edges = new ArrayList<>();
        for (int i = 0; i < lists.length; i++) {
            for (int v : lists[i]) {
                edges.add(v);
            }
            index[i] = edges.size();
        }
        return new int[][] {index, edges.stream().mapToInt(Integer::intValue).toArray()};
    }

    /** A random directed multigraph: every rank's out-list, with self-loops and repeats. */
    static int[][] randomOutLists(int n, long seed) {
        Random rnd = new Random(seed);
        int[][] out = new int[n][];
        for (int r = 0; r < n; r++) {
            out[r] = new int[rnd.nextInt(5)];
            for (int j = 0; j < out[r].length; j++) {
                out[r][j] = rnd.nextInt(n);
            }
        }
        return out;
    }

    /** In-lists in the order: by source rank, then by position in its out-list. */
    static int[][] inLists(int[][] out) {
        int n = out.length;
        List<List<Integer>> in = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            in.add(new ArrayList<>());
        }
        for (int u = 0; u < n; u++) {
            for (int v : out[u]) {
                in.get(v).add(u);
            }
        }
        int[][] lists = new int[n][];
        for (int r = 0; r < n; r++) {
            lists[r] = in.get(r).stream().mapToInt(Integer::intValue).toArray();
        }
        return lists;
    }

    // ================================================================== graphs

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void graphCreateGivesEveryNodeItsNeighbours(Comm world) {
        int n = world.size();
        int[][] lists = symmetricGraph(n);
        int[][] ie = indexEdges(lists);
        GraphComm g = world.graphCreate(ie[0], ie[1], false);
        assertEquals(n, g.size());
        assertEquals(world.rank(), g.rank());
        assertEquals(n, g.nnodes());
        assertEquals(ie[1].length, g.nedges());
        assertArrayEquals(ie[0], g.index());
        assertArrayEquals(ie[1], g.edges());
        assertTrue(g.isSymmetric());
        for (int r = 0; r < n; r++) {
            assertArrayEquals(lists[r], g.neighbors(r), "neighbors(" + r + ")");
            assertEquals(lists[r].length, g.neighborCount(r));
        }
        assertArrayEquals(lists[world.rank()], g.sources());
        assertArrayEquals(lists[world.rank()], g.destinations());
        GraphComm dup = g.dup();
        assertInstanceOf(GraphComm.class, dup);
        assertArrayEquals(lists[world.rank()], dup.neighbors(dup.rank()));
        MpiException who = assertThrows(MpiException.class, () -> g.neighbors(n));
        assertEquals(ErrorClass.RANK, who.errorClass());
    }

    @MpiTest(ranks = {1, 2, 4, 7})
    void theStandardsExampleAndRanksBeyondTheGraph(Comm world) {
        Assumptions.assumeTrue(world.size() >= 4, "the example has 4 nodes");
        GraphComm g = world.graphCreate(new int[] {2, 3, 4, 6}, new int[] {1, 3, 0, 3, 0, 2}, true);
        if (world.rank() >= 4) {
            assertNull(g);
            return;
        }
        assertNotNull(g);
        assertArrayEquals(new int[] {1, 3}, g.neighbors(0));
        assertArrayEquals(new int[] {0}, g.neighbors(1));
        assertArrayEquals(new int[] {3}, g.neighbors(2));
        assertArrayEquals(new int[] {0, 2}, g.neighbors(3));
        assertEquals(4, g.size());
    }

    @MpiTest(ranks = {1, 2, 3, 4})
    void graphErrorsAreNamedOnEveryRank(Comm world) {
        int n = world.size();
        MpiException big = assertThrows(MpiException.class, () -> world.graphCreate(new int[n + 1], new int[0], false));
        assertEquals(ErrorClass.ARG, big.errorClass());
        assertTrue(big.getMessage().contains("more than the " + n + " ranks"), big.getMessage());
        MpiException count = assertThrows(MpiException.class, () -> world.graphCreate(new int[] {1}, new int[0], false));
        assertEquals(ErrorClass.COUNT, count.errorClass());
        MpiException node = assertThrows(MpiException.class, () -> world.graphCreate(new int[] {1}, new int[] {1}, false));
        assertEquals(ErrorClass.RANK, node.errorClass());
        assertTrue(node.getMessage().contains("edges[0] = 1 is out of range"), node.getMessage());
        MpiException down = assertThrows(MpiException.class,
                () -> world.graphCreate(new int[] {1, 0}, new int[] {0}, false));
        assertEquals(ErrorClass.ARG, down.errorClass());
        if (n >= 2) {
            // Ranks passing different graphs all fail.
            int[] edges = world.rank() == 0 ? new int[] {1, 0} : new int[] {0, 1};
            MpiException differ = assertThrows(MpiException.class,
                    () -> world.graphCreate(new int[] {1, 2}, edges, false));
            assertEquals(ErrorClass.TOPOLOGY, differ.errorClass());
            assertTrue(differ.getMessage().startsWith("graphCreate: rank 1 passed a graph of 2 nodes and 2 edges"),
                    differ.getMessage());
            // A directed graph can be made, but neighbour collectives refuse it.
            GraphComm directed = world.graphCreate(new int[] {1, 1}, new int[] {1}, false);
            if (directed != null) {
                assertFalse(directed.isSymmetric());
                MpiException asym = assertThrows(MpiException.class, () -> directed.neighborAllgather(1));
                assertEquals(ErrorClass.TOPOLOGY, asym.errorClass());
                assertTrue(asym.getMessage().startsWith("neighborAllgather: the graph is not symmetric: node 0 lists"
                        + " node 1 once but node 1 lists node 0 0 times"), asym.getMessage());
            }
        }
        GraphComm empty = world.graphCreate(new int[0], new int[0], false);
        assertNull(empty, "a graph of no nodes has no members");
    }

    // ================================================================== distributed graphs

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void distGraphAdjacentKeepsTheListsAndWeights(Comm world) {
        int n = world.size();
        int me = world.rank();
        int[][] out = randomOutLists(n, seed);
        int[][] in = inLists(out);
        DistGraphComm g = world.distGraphCreateAdjacent(in[me], out[me], false);
        assertEquals(n, g.size());
        assertEquals(me, g.rank());
        assertArrayEquals(in[me], g.sources());
        assertArrayEquals(out[me], g.destinations());
        assertEquals(in[me].length, g.indegree());
        assertEquals(out[me].length, g.outdegree());
        assertFalse(g.isWeighted());
        assertNull(g.sourceWeights());
        assertNull(g.destinationWeights());

        // Weighted: the weight of edge u -> v (its q-th in u's list) is 100 u + q.
        int[] dw = new int[out[me].length];
        for (int q = 0; q < dw.length; q++) {
            dw[q] = 100 * me + q;
        }
        int[] sw = new int[in[me].length];
        int[] seen = new int[n];
        for (int i = 0; i < sw.length; i++) {
            int u = in[me][i];
            int k = seen[u]++;
            for (int q = 0, c = 0; q < out[u].length; q++) {
                if (out[u][q] == me && c++ == k) {
                    sw[i] = 100 * u + q;
                }
            }
        }
        DistGraphComm w = world.distGraphCreateAdjacent(in[me], sw, out[me], dw, true);
        assertTrue(w.isWeighted());
        assertArrayEquals(sw, w.sourceWeights());
        assertArrayEquals(dw, w.destinationWeights());
        DistGraphComm d = w.dup();
        assertArrayEquals(sw, d.sourceWeights());
        assertArrayEquals(in[me], d.sources());
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void distGraphCreateDeliversEveryEdgeToBothEnds(Comm world) {
        int n = world.size();
        int me = world.rank();
        int[][] out = randomOutLists(n, seed);
        // The edges are named by ranks other than their ends: edge q of u by rank (u + q + 1) % n.
        List<int[]> named = new ArrayList<>(); // {u, v, weight}, in the order this rank names them
        for (int u = 0; u < n; u++) {
            for (int q = 0; q < out[u].length; q++) {
                if ((u + q + 1) % n == me) {
                    named.add(new int[] {u, out[u][q], 100 * u + q});
                }
            }
        }
        // Group by source as the call wants it: {sources, degrees, destinations}; an edge list
        // may name a source several times.
        int[] sources = new int[named.size()];
        int[] degrees = new int[named.size()];
        int[] destinations = new int[named.size()];
        int[] weights = new int[named.size()];
        for (int i = 0; i < named.size(); i++) {
            sources[i] = named.get(i)[0];
            degrees[i] = 1;
            destinations[i] = named.get(i)[1];
            weights[i] = named.get(i)[2];
        }
        DistGraphComm g = world.distGraphCreate(sources, degrees, destinations, weights, false);
        // Expected order at both ends: by the naming rank, then by its list.
        List<int[]> outExpected = new ArrayList<>();
        List<int[]> inExpected = new ArrayList<>();
        for (int namer = 0; namer < n; namer++) {
            for (int u = 0; u < n; u++) {
                for (int q = 0; q < out[u].length; q++) {
                    if ((u + q + 1) % n == namer) {
                        if (u == me) {
                            outExpected.add(new int[] {out[u][q], 100 * u + q});
                        }
                        if (out[u][q] == me) {
                            inExpected.add(new int[] {u, 100 * u + q});
                        }
                    }
                }
            }
        }
        assertArrayEquals(outExpected.stream().mapToInt(e -> e[0]).toArray(), g.destinations(), "destinations");
        assertArrayEquals(outExpected.stream().mapToInt(e -> e[1]).toArray(), g.destinationWeights(), "weights out");
        assertArrayEquals(inExpected.stream().mapToInt(e -> e[0]).toArray(), g.sources(), "sources");
        assertArrayEquals(inExpected.stream().mapToInt(e -> e[1]).toArray(), g.sourceWeights(), "weights in");
        // Whatever order, the neighbour collectives pair every edge's two ends.
        int[][] ins = new int[n][];
        int[][] outs = new int[n][];
        List<int[]> allIn = g.allgather(g.sources());
        List<int[]> allOut = g.allgather(g.destinations());
        for (int r = 0; r < n; r++) {
            ins[r] = allIn.get(r);
            outs[r] = allOut.get(r);
        }
        TopoReference.exercise(g, TopoReference.graphSlots(me, ins, outs), 2, "distGraphCreate");
        // Unweighted, with degrees of 0 and a source named twice.
        DistGraphComm u = world.distGraphCreate(new int[] {me, me, 0}, new int[] {1, 0, 0}, new int[] {me}, false);
        assertFalse(u.isWeighted());
        int selfLoops = 1;
        assertEquals(selfLoops, count(u.sources(), me));
        assertEquals(selfLoops, count(u.destinations(), me));
    }

    private static int count(int[] a, int v) {
        int c = 0;
        for (int x : a) {
            c += x == v ? 1 : 0;
        }
        return c;
    }

    @MpiTest(ranks = {2, 3, 4})
    void inconsistentDistGraphsFailOnEveryRank(Comm world) {
        int n = world.size();
        int me = world.rank();
        int right = (me + 1) % n;
        int left = (me + n - 1) % n;
        // Rank 0 forgets its source: the edge left -> 0 is listed at one end only.
        int[] src = me == 0 ? new int[0] : new int[] {left};
        MpiException e = assertThrows(MpiException.class,
                () -> world.distGraphCreateAdjacent(src, new int[] {right}, false));
        assertEquals(ErrorClass.TOPOLOGY, e.errorClass());
        String expected = "rank " + (n - 1) + " lists rank 0 once in its destinations, but rank 0 lists rank "
                + (n - 1) + " 0 times in its sources; every edge must be listed at both its ends";
        assertTrue(e.getMessage().equals("distGraphCreateAdjacent: " + expected)
                || e.getMessage().equals("distGraphCreateAdjacent: on rank 0, " + expected), e.getMessage());

        // One rank names a rank that does not exist: all fail, the others naming it.
        int[] dst = me == 1 ? new int[] {n} : new int[0];
        MpiException r = assertThrows(MpiException.class, () -> world.distGraphCreateAdjacent(new int[0], dst, false));
        assertEquals(ErrorClass.RANK, r.errorClass());
        assertTrue(r.getMessage().contains(me == 1 ? "destinations[0] = " + n : "on rank 1, destinations[0] = " + n),
                r.getMessage());

        // The two ends disagree on a weight.
        int[] sw = {me == 0 ? 7 : 1};
        MpiException w = assertThrows(MpiException.class,
                () -> world.distGraphCreateAdjacent(new int[] {left}, sw, new int[] {right}, new int[] {1}, false));
        assertEquals(ErrorClass.TOPOLOGY, w.errorClass());
        assertTrue(w.getMessage().contains("from rank " + (n - 1) + " to rank 0 has weight 1 at rank " + (n - 1)
                + " but 7 at rank 0"), w.getMessage());

        // Some weighted, some not.
        MpiException mixed = assertThrows(MpiException.class, () -> world.distGraphCreateAdjacent(new int[] {left},
                me == 0 ? null : new int[] {1}, new int[] {right}, me == 0 ? null : new int[] {1}, false));
        assertEquals(ErrorClass.TOPOLOGY, mixed.errorClass());
        assertTrue(mixed.getMessage().contains("either every rank passes weights or none does"), mixed.getMessage());

        // The general form: one rank's bad degrees fail everyone.
        int[] degrees = me == n - 1 ? new int[] {2} : new int[] {1};
        MpiException deg = assertThrows(MpiException.class,
                () -> world.distGraphCreate(new int[] {me}, degrees, new int[] {right}, false));
        assertEquals(ErrorClass.COUNT, deg.errorClass());
        assertTrue(deg.getMessage().contains("the degrees add up to 2 but destinations has length 1"), deg.getMessage());

        // And afterwards the parent works and a correct graph can be made.
        DistGraphComm ring = world.distGraphCreateAdjacent(new int[] {left}, new int[] {right}, false);
        assertArrayEquals(new int[] {left}, ring.sources());
        assertEquals(Integer.valueOf(left), ring.neighborAllgather(me).get(0));
    }

    @MpiTest(ranks = {1, 3})
    void localArgumentErrors(Comm world) {
        MpiException half = assertThrows(MpiException.class,
                () -> world.distGraphCreateAdjacent(new int[0], new int[0], new int[0], null, false));
        assertEquals(ErrorClass.ARG, half.errorClass());
        MpiException len = assertThrows(MpiException.class,
                () -> world.distGraphCreateAdjacent(new int[] {0}, new int[0], new int[0], new int[0], false));
        assertEquals(ErrorClass.COUNT, len.errorClass());
        MpiException negative = assertThrows(MpiException.class,
                () -> world.distGraphCreate(new int[] {0}, new int[] {-1}, new int[0], false));
        assertEquals(ErrorClass.COUNT, negative.errorClass());
        MpiException weight = assertThrows(MpiException.class,
                () -> world.distGraphCreate(new int[] {0}, new int[] {1}, new int[] {0}, new int[] {-3}, false));
        assertEquals(ErrorClass.ARG, weight.errorClass());
        MpiException src = assertThrows(MpiException.class,
                () -> world.distGraphCreate(new int[] {-1}, new int[] {0}, new int[0], false));
        assertEquals(ErrorClass.RANK, src.errorClass());
    }
}
