package org.mpi4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;

/**
 * MPI's graph topology checks: the standard's example, random graphs built from adjacency
 * lists, and every error path. Randomized tests print their seed;
 * {@code -Dmpi4j.test.seed=...} replays one.
 */
class GraphMathTest {

    private static long seed(TestInfo info) {
        String set = System.getProperty("mpi4j.test.seed");
        long seed = set != null ? Long.parseLong(set) : System.nanoTime();
        System.out.println(info.getDisplayName() + ": seed " + seed + " (replay with -Dmpi4j.test.seed=" + seed + ")");
        return seed;
    }

    private static MpiException assertMpi(ErrorClass errorClass, String message, Executable call) {
        MpiException e = assertThrows(MpiException.class, call);
        assertEquals(message, e.getMessage());
        assertEquals(errorClass, e.errorClass(), message);
        return e;
    }

    /** The example of MPI 4.1 §8.5.3: four nodes, edges 0-1, 0-3 and 2-3. */
    private static final int[] INDEX = {2, 3, 4, 6};
    private static final int[] EDGES = {1, 3, 0, 3, 0, 2};

    @Test
    void theStandardsExample() {
        GraphMath.validate(4, INDEX, EDGES);
        assertArrayEquals(new int[] {1, 3}, GraphMath.neighbors(0, INDEX, EDGES));
        assertArrayEquals(new int[] {0}, GraphMath.neighbors(1, INDEX, EDGES));
        assertArrayEquals(new int[] {3}, GraphMath.neighbors(2, INDEX, EDGES));
        assertArrayEquals(new int[] {0, 2}, GraphMath.neighbors(3, INDEX, EDGES));
        assertEquals(2, GraphMath.neighborCount(0, INDEX));
        assertEquals(1, GraphMath.neighborCount(2, INDEX));
        GraphMath.checkFits(4, 4);
        GraphMath.checkFits(4, 9);
    }

    @Test
    void emptyGraphsSelfLoopsAndRepeatedEdgesAreValid() {
        GraphMath.validate(0, new int[0], new int[0]);
        GraphMath.validate(3, new int[] {0, 0, 0}, new int[0]);
        GraphMath.validate(2, new int[] {3, 3}, new int[] {0, 1, 1}); // node 0: itself, and 1 twice
        assertArrayEquals(new int[] {0, 1, 1}, GraphMath.neighbors(0, new int[] {3, 3}, new int[] {0, 1, 1}));
        assertArrayEquals(new int[0], GraphMath.neighbors(1, new int[] {3, 3}, new int[] {0, 1, 1}));
    }

    @Test
    void randomGraphsRoundTripThroughIndexAndEdges(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int nnodes = rnd.nextInt(12);
            List<int[]> adjacency = new ArrayList<>();
            int[] index = new int[nnodes];
            List<Integer> edges = new ArrayList<>();
            for (int i = 0; i < nnodes; i++) {
                int[] nbrs = new int[rnd.nextInt(5)];
                for (int j = 0; j < nbrs.length; j++) {
                    nbrs[j] = rnd.nextInt(nnodes);
                    edges.add(nbrs[j]);
                }
                adjacency.add(nbrs);
                index[i] = edges.size();
            }
            int[] e = edges.stream().mapToInt(Integer::intValue).toArray();
            String ctx = "seed " + seed + ", round " + round;
            GraphMath.validate(nnodes, index, e);
            for (int i = 0; i < nnodes; i++) {
                assertArrayEquals(adjacency.get(i), GraphMath.neighbors(i, index, e), ctx + ", node " + i);
                assertEquals(adjacency.get(i).length, GraphMath.neighborCount(i, index), ctx + ", node " + i);
            }
            if (e.length > 0) { // any edge moved out of range is caught
                int j = rnd.nextInt(e.length);
                e[j] = rnd.nextBoolean() ? nnodes + rnd.nextInt(3) : -1 - rnd.nextInt(3);
                int bad = e[j];
                assertMpi(ErrorClass.RANK, "graphCreate: edges[" + j + "] = " + bad + " is out of range for a graph of "
                        + nnodes + " nodes (valid: 0.." + (nnodes - 1) + ")", () -> GraphMath.validate(nnodes, index, e));
            }
        }
    }

    @Test
    void validateRejectsMalformedGraphs() {
        assertMpi(ErrorClass.ARG, "graphCreate: nnodes < 0: -1", () -> GraphMath.validate(-1, new int[0], new int[0]));
        assertMpi(ErrorClass.COUNT, "graphCreate: index has length 4 but nnodes is 3",
                () -> GraphMath.validate(3, INDEX, EDGES));
        assertMpi(ErrorClass.ARG, "graphCreate: index[0] = -1 is negative",
                () -> GraphMath.validate(2, new int[] {-1, 0}, new int[0]));
        assertMpi(ErrorClass.ARG, "graphCreate: index decreases: index[2] = 2 < index[1] = 3",
                () -> GraphMath.validate(4, new int[] {2, 3, 2, 6}, EDGES));
        assertMpi(ErrorClass.COUNT, "graphCreate: edges has length 6 but index[3] = 5",
                () -> GraphMath.validate(4, new int[] {2, 3, 4, 5}, EDGES));
        assertMpi(ErrorClass.COUNT, "graphCreate: edges has length 1 but a graph of no nodes has no edges",
                () -> GraphMath.validate(0, new int[0], new int[] {0}));
        assertMpi(ErrorClass.RANK, "graphCreate: edges[3] = 4 is out of range for a graph of 4 nodes (valid: 0..3)",
                () -> GraphMath.validate(4, INDEX, new int[] {1, 3, 0, 4, 0, 2}));
        assertThrows(NullPointerException.class, () -> GraphMath.validate(0, null, new int[0]));
        assertThrows(NullPointerException.class, () -> GraphMath.validate(0, new int[0], null));
    }

    @Test
    void neighborsAndFitRejectBadArguments() {
        assertMpi(ErrorClass.RANK, "graphNeighbors: rank 4 is out of range for a graph of 4 nodes (valid: 0..3)",
                () -> GraphMath.neighbors(4, INDEX, EDGES));
        assertMpi(ErrorClass.RANK, "graphNeighbors: rank -2 is out of range for a graph of 4 nodes (valid: 0..3)",
                () -> GraphMath.neighbors(Mpi.PROC_NULL, INDEX, EDGES));
        assertMpi(ErrorClass.RANK, "graphNeighborsCount: rank 0 is out of range for a graph of 0 nodes",
                () -> GraphMath.neighborCount(0, new int[0]));
        assertMpi(ErrorClass.ARG, "graphCreate: the graph has 5 nodes, more than the 4 ranks of the communicator",
                () -> GraphMath.checkFits(5, 4));
    }

    // ================================================================== distributed graphs

    @Test
    void validAdjacencies() {
        GraphMath.validateAdjacency(4, new int[] {0, 3, 3}, null, new int[] {1}, null);
        GraphMath.validateAdjacency(4, new int[] {0, 3}, new int[] {0, 7}, new int[] {1, 1}, new int[] {2, 2});
        GraphMath.validateAdjacency(1, new int[0], new int[0], new int[] {0}, new int[] {5}); // a self-loop
        GraphMath.validateAdjacency(0, new int[0], null, new int[0], null);
    }

    @Test
    void validateAdjacencyRejectsBadArguments() {
        assertMpi(ErrorClass.RANK, "distGraphCreateAdjacent: sources[1] = 4 is out of range for a communicator of size 4 "
                + "(valid: 0..3)", () -> GraphMath.validateAdjacency(4, new int[] {0, 4}, null, new int[0], null));
        assertMpi(ErrorClass.RANK, "distGraphCreateAdjacent: destinations[0] = -2 is out of range for a communicator of "
                + "size 4 (valid: 0..3)", () -> GraphMath.validateAdjacency(4, new int[0], null, new int[] {Mpi.PROC_NULL}, null));
        assertMpi(ErrorClass.COUNT, "distGraphCreateAdjacent: sourceWeights has length 1 but sources has length 2",
                () -> GraphMath.validateAdjacency(4, new int[] {0, 1}, new int[] {1}, new int[0], null));
        assertMpi(ErrorClass.COUNT, "distGraphCreateAdjacent: destWeights has length 0 but destinations has length 1",
                () -> GraphMath.validateAdjacency(4, new int[0], null, new int[] {2}, new int[0]));
        assertMpi(ErrorClass.ARG, "distGraphCreateAdjacent: sourceWeights[1] = -1 is negative",
                () -> GraphMath.validateAdjacency(4, new int[] {0, 1}, new int[] {1, -1}, new int[0], null));
        assertMpi(ErrorClass.ARG, "distGraphCreateAdjacent: destWeights[0] = -5 is negative",
                () -> GraphMath.validateAdjacency(4, new int[0], null, new int[] {3}, new int[] {-5}));
        assertMpi(ErrorClass.RANK, "distGraphCreateAdjacent: sources[0] = 0 is out of range for a communicator of size 0",
                () -> GraphMath.validateAdjacency(0, new int[] {0}, null, new int[0], null));
        assertThrows(NullPointerException.class, () -> GraphMath.validateAdjacency(4, null, null, new int[0], null));
        assertThrows(NullPointerException.class, () -> GraphMath.validateAdjacency(4, new int[0], null, null, null));
    }
}
