package org.mpi4j;

import java.util.HashMap;
import java.util.Map;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Neighborhood;
import org.mpi4j.spi.RankSpi;

/**
 * A communicator whose ranks are the nodes of a graph every rank knows in full: MPI's
 * graph topology ({@code MPI_Graph_create}, MPI 4.1 §8.5.3). Made by
 * {@link Comm#graphCreate}.
 *
 * <p>The graph is given as {@code (index, edges)}: node i's neighbours are
 * {@code edges[index[i-1] .. index[i]-1]} (from 0 for node 0). The standard's example, four
 * nodes with the edges 0–1, 0–3 and 2–3:
 * <pre>{@code
 * GraphComm g = world.graphCreate(new int[] {2, 3, 4, 6}, new int[] {1, 3, 0, 3, 0, 2}, false);
 * g.neighbors(3);   // {0, 2}
 * }</pre>
 *
 * <p>Self-loops and repeated edges are allowed. For the {@link TopoComm neighbour
 * collectives} a node's neighbours are both its sources and its destinations, in the order
 * given, so MPI allows them only on a symmetric graph (node j lists i as often as i lists j);
 * on any other graph they throw {@link ErrorClass#TOPOLOGY}. For directed graphs, and for
 * graphs too large for every rank to hold, use {@link Comm#distGraphCreateAdjacent}.
 */
public final class GraphComm extends TopoComm {
    private final int[] index;
    private final int[] edges;
    /** Why the neighbour collectives cannot run, or null if the graph is symmetric. */
    private final String asymmetry;

    GraphComm(RankSpi rankSpi, CommSpi spi, int[] index, int[] edges) {
        super(rankSpi, spi, neighborhood(spi.rank(), index, edges));
        this.index = index;
        this.edges = edges;
        this.asymmetry = asymmetry(index, edges);
    }

    private static Neighborhood neighborhood(int rank, int[] index, int[] edges) {
        int[] near = GraphMath.neighbors(rank, index, edges);
        return new Neighborhood(near, near.clone(), null);
    }

    /** Returns the first pair of nodes that list each other a different number of times, described; or null. */
    private static String asymmetry(int[] index, int[] edges) {
        Map<Long, Integer> count = new HashMap<>();
        for (int i = 0, e = 0; i < index.length; i++) {
            for (; e < index[i]; e++) {
                count.merge((long) i << 32 | edges[e], 1, Integer::sum);
            }
        }
        for (int i = 0, e = 0; i < index.length; i++) {
            for (; e < index[i]; e++) {
                int j = edges[e];
                int there = count.getOrDefault((long) j << 32 | i, 0);
                int here = count.get((long) i << 32 | j);
                if (here != there) {
                    return "the graph is not symmetric: node " + i + " lists node " + j + " " + times(here)
                            + " but node " + j + " lists node " + i + " " + times(there) + "; neighbour collectives"
                            + " on a graph topology need every edge at both its ends (distGraphCreateAdjacent"
                            + " makes directed graphs)";
                }
            }
        }
        return null;
    }

    private static String times(int k) {
        return k == 1 ? "once" : k + " times";
    }

    @Override
    void checkNeighborCollectives(String op) {
        if (asymmetry != null) {
            throw new MpiException(ErrorClass.TOPOLOGY, op + ": " + asymmetry);
        }
    }

    /** Returns the number of nodes: the communicator's size ({@code MPI_Graphdims_get}). */
    public int nnodes() {
        return index.length;
    }

    /** Returns the number of entries of {@link #edges()}: each undirected edge counts twice ({@code MPI_Graphdims_get}). */
    public int nedges() {
        return edges.length;
    }

    /** Returns the graph's index array as given ({@code MPI_Graph_get}); a new array. */
    public int[] index() {
        return index.clone();
    }

    /** Returns the graph's edges array as given ({@code MPI_Graph_get}); a new array. */
    public int[] edges() {
        return edges.clone();
    }

    /**
     * Returns the neighbours of {@code rank}, in the order given ({@code MPI_Graph_neighbors}).
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code rank} is not a node
     */
    public int[] neighbors(int rank) {
        return GraphMath.neighbors(rank, index, edges);
    }

    /**
     * Returns the number of neighbours of {@code rank} ({@code MPI_Graph_neighbors_count}).
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code rank} is not a node
     */
    public int neighborCount(int rank) {
        return GraphMath.neighborCount(rank, index);
    }

    /** Returns whether every node lists each neighbour as often as that neighbour lists it, as the neighbour collectives need. */
    public boolean isSymmetric() {
        return asymmetry == null;
    }

    /** {@inheritDoc} */
    @Override
    public GraphComm dup() {
        if (isFreed()) {
            throw new MpiException(ErrorClass.COMM, "dup: " + name() + " has been freed");
        }
        return new GraphComm(rankSpi, dupSpi(), index, edges);
    }

    @Override
    public String toString() {
        return "GraphComm[" + name() + ", rank " + rank() + " of " + size() + ", neighbors "
                + java.util.Arrays.toString(GraphMath.neighbors(rank(), index, edges)) + "]";
    }
}
