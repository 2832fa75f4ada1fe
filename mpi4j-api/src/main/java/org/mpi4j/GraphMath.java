package org.mpi4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * The checks and arithmetic of MPI's graph topologies (MPI 4.1 §8.5.3, §8.5.4), free of any
 * communicator.
 *
 * <p>A graph of {@code MPI_Graph_create} is given as {@code (index, edges)}: node {@code i}'s
 * neighbours are {@code edges[index[i-1] .. index[i]-1]} (from 0 for node 0), so
 * {@code index[i]} is the total degree of nodes 0 to {@code i}. The example of the standard,
 * four nodes with 0–1, 0–3 and 2–3:
 * <pre>
 * index = {2, 3, 4, 6}
 * edges = {1, 3, 0, 3, 0, 2}
 * </pre>
 * Self-loops and repeated edges are allowed, as MPI allows them.
 *
 * <p>A distributed graph ({@code MPI_Dist_graph_create_adjacent}) is given by each rank as
 * its sources and destinations, with optional weights; here {@code null} weights stand for
 * {@code MPI_UNWEIGHTED}.
 *
 * <p>Every method throws an {@link MpiException} naming the MPI operation and the violated
 * condition: {@link ErrorClass#RANK} for a node or rank out of range,
 * {@link ErrorClass#COUNT} for arrays of the wrong length and {@link ErrorClass#ARG} for
 * anything else.
 */
final class GraphMath {

    private GraphMath() {
    }

    /**
     * Checks a graph in {@code MPI_Graph_create}'s form.
     *
     * @param nnodes the number of nodes, at least 0
     * @param index for each node, the total degree of it and the nodes before it
     * @param edges the neighbours of node 0, then of node 1, ...
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code nnodes < 0}, or
     *         {@code index} has a negative first entry or decreases; of class
     *         {@link ErrorClass#COUNT} if {@code index} does not have {@code nnodes} entries
     *         or its last entry is not {@code edges.length}; of class {@link ErrorClass#RANK}
     *         if an edge names no node
     */
    static void validate(int nnodes, int[] index, int[] edges) {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(edges, "edges");
        if (nnodes < 0) {
            throw new MpiException(ErrorClass.ARG, "graphCreate: nnodes < 0: " + nnodes);
        }
        if (index.length != nnodes) {
            throw new MpiException(ErrorClass.COUNT, "graphCreate: index has length " + index.length
                    + " but nnodes is " + nnodes);
        }
        if (nnodes > 0 && index[0] < 0) {
            throw new MpiException(ErrorClass.ARG, "graphCreate: index[0] = " + index[0] + " is negative");
        }
        for (int i = 1; i < nnodes; i++) {
            if (index[i] < index[i - 1]) {
                throw new MpiException(ErrorClass.ARG, "graphCreate: index decreases: index[" + i + "] = "
                        + index[i] + " < index[" + (i - 1) + "] = " + index[i - 1]);
            }
        }
        int degrees = nnodes == 0 ? 0 : index[nnodes - 1];
        if (degrees != edges.length) {
            throw new MpiException(ErrorClass.COUNT, "graphCreate: edges has length " + edges.length + " but "
                    + (nnodes == 0 ? "a graph of no nodes has no edges" : "index[" + (nnodes - 1) + "] = " + degrees));
        }
        for (int j = 0; j < edges.length; j++) {
            if (edges[j] < 0 || edges[j] >= nnodes) {
                throw new MpiException(ErrorClass.RANK, "graphCreate: edges[" + j + "] = " + edges[j]
                        + " is out of range for a graph of " + nnodes + " nodes (valid: 0.." + (nnodes - 1) + ")");
            }
        }
    }

    /**
     * Checks that a graph of {@code nnodes} nodes fits in a communicator of {@code size}
     * ranks, as {@code MPI_Graph_create} requires; ranks beyond the graph get no communicator.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code nnodes > size}
     */
    static void checkFits(int nnodes, int size) {
        if (nnodes > size) {
            throw new MpiException(ErrorClass.ARG, "graphCreate: the graph has " + nnodes
                    + " nodes, more than the " + size + " ranks of the communicator");
        }
    }

    /**
     * Returns the number of neighbours of {@code rank} in a {@link #validate valid} graph
     * ({@code MPI_Graph_neighbors_count}).
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code rank} is not a node
     */
    static int neighborCount(int rank, int[] index) {
        Objects.requireNonNull(index, "index");
        checkNode("graphNeighborsCount", rank, index.length);
        return index[rank] - (rank == 0 ? 0 : index[rank - 1]);
    }

    /**
     * Returns the neighbours of {@code rank} in a {@link #validate valid} graph, in the order
     * given ({@code MPI_Graph_neighbors}), as a new array.
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code rank} is not a node
     */
    static int[] neighbors(int rank, int[] index, int[] edges) {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(edges, "edges");
        checkNode("graphNeighbors", rank, index.length);
        return Arrays.copyOfRange(edges, rank == 0 ? 0 : index[rank - 1], index[rank]);
    }

    /**
     * Checks one rank's part of a distributed graph ({@code MPI_Dist_graph_create_adjacent}):
     * the ranks whose edges lead here and where this rank's edges lead. Repeats are allowed
     * (multiple edges), and so is this rank itself.
     *
     * <p>Only the local arguments are checked. That every edge appears at both its ends with
     * the same weight, and that all ranks agree on being weighted, is the program's duty.
     *
     * @param size the number of ranks in the communicator
     * @param sources ranks of the communicator, with edges to this rank
     * @param sourceWeights the weights of those edges, or null for unweighted
     * @param destinations ranks of the communicator, with edges from this rank
     * @param destWeights the weights of those edges, or null for unweighted
     * @throws MpiException of class {@link ErrorClass#RANK} if a source or destination is not
     *         a rank; of class {@link ErrorClass#COUNT} if a weights array's length differs
     *         from its ranks'; of class {@link ErrorClass#ARG} if a weight is negative
     */
    static void validateAdjacency(int size, int[] sources, int[] sourceWeights, int[] destinations, int[] destWeights) {
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(destinations, "destinations");
        checkSide(size, "sources", sources, "sourceWeights", sourceWeights);
        checkSide(size, "destinations", destinations, "destWeights", destWeights);
    }

    private static void checkSide(int size, String ranksName, int[] ranks, String weightsName, int[] weights) {
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] < 0 || ranks[i] >= size) {
                throw new MpiException(ErrorClass.RANK, "distGraphCreateAdjacent: " + ranksName + "[" + i + "] = "
                        + ranks[i] + " is out of range for a communicator of size " + size
                        + (size == 0 ? "" : " (valid: 0.." + (size - 1) + ")"));
            }
        }
        if (weights == null) {
            return;
        }
        if (weights.length != ranks.length) {
            throw new MpiException(ErrorClass.COUNT, "distGraphCreateAdjacent: " + weightsName + " has length "
                    + weights.length + " but " + ranksName + " has length " + ranks.length);
        }
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0) {
                throw new MpiException(ErrorClass.ARG, "distGraphCreateAdjacent: " + weightsName + "[" + i + "] = "
                        + weights[i] + " is negative");
            }
        }
    }

    private static void checkNode(String op, int rank, int nnodes) {
        if (rank < 0 || rank >= nnodes) {
            throw new MpiException(ErrorClass.RANK, op + ": rank " + rank + " is out of range for a graph of "
                    + nnodes + " nodes" + (nnodes == 0 ? "" : " (valid: 0.." + (nnodes - 1) + ")"));
        }
    }
}
