package org.mpi4j;

import java.util.Arrays;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Neighborhood;
import org.mpi4j.spi.RankSpi;

/**
 * A communicator whose ranks are the nodes of a directed graph that each rank knows only
 * around itself: MPI's distributed graph topology (MPI 4.1 §8.5.4). Made by
 * {@link Comm#distGraphCreateAdjacent} (each rank lists its own sources and destinations)
 * or {@link Comm#distGraphCreate} (each rank lists any edges, and the call delivers them).
 *
 * <p>A rank's {@link #sources()} are where its edges come from, its {@link #destinations()}
 * where they go; the {@link TopoComm neighbour collectives} receive from the first and send
 * to the second, in order. Edges may repeat and may lead from a rank to itself. Weights are
 * kept, for the program's own use (the pure-Java engines do not place ranks by them);
 * {@link #isWeighted()} says whether they were given, as {@code MPI_UNWEIGHTED} says it in C.
 */
public final class DistGraphComm extends TopoComm {
    private final int[] sourceWeights;
    private final int[] destinationWeights;

    DistGraphComm(RankSpi rankSpi, CommSpi spi, int[] sources, int[] sourceWeights, int[] destinations,
            int[] destinationWeights) {
        super(rankSpi, spi, new Neighborhood(sources, destinations, null));
        this.sourceWeights = sourceWeights;
        this.destinationWeights = destinationWeights;
    }

    /** Returns whether the graph was created with weights ({@code MPI_Dist_graph_neighbors_count}'s {@code weighted}). */
    public boolean isWeighted() {
        return sourceWeights != null;
    }

    /**
     * Returns the weights of the edges from {@link #sources()}, in the same order, or null if
     * the graph is unweighted ({@code MPI_Dist_graph_neighbors}). A new array.
     */
    public int[] sourceWeights() {
        return sourceWeights == null ? null : sourceWeights.clone();
    }

    /**
     * Returns the weights of the edges to {@link #destinations()}, in the same order, or null
     * if the graph is unweighted ({@code MPI_Dist_graph_neighbors}). A new array.
     */
    public int[] destinationWeights() {
        return destinationWeights == null ? null : destinationWeights.clone();
    }

    /** {@inheritDoc} */
    @Override
    public DistGraphComm dup() {
        if (isFreed()) {
            throw new MpiException(ErrorClass.COMM, "dup: " + name() + " has been freed");
        }
        Neighborhood h = neighborhood();
        return new DistGraphComm(rankSpi, dupSpi(), h.sources(), sourceWeights, h.destinations(), destinationWeights);
    }

    @Override
    public String toString() {
        return "DistGraphComm[" + name() + ", rank " + rank() + " of " + size() + ", sources "
                + Arrays.toString(neighborhood().sources()) + ", destinations "
                + Arrays.toString(neighborhood().destinations()) + (isWeighted() ? ", weighted" : "") + "]";
    }
}
