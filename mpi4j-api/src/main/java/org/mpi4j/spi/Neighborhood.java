package org.mpi4j.spi;

import java.util.Arrays;

/**
 * The neighbours of one rank in a virtual topology, as neighbour collectives use them:
 * messages come from {@code sources} in order and go to {@code destinations} in order.
 * Entries may be {@code PROC_NULL} (a non-periodic Cartesian edge) and may repeat.
 *
 * <p>{@code pairing[i]} tells which of its destinations source i sent the message this rank
 * stores in slot i: for a Cartesian topology, source "minus" of dimension d sent along its
 * "plus", so the two messages of a peer that is both neighbours of a short periodic
 * dimension are told apart. For graphs, where the MPI standard orders repeated edges by
 * their order in the lists, {@code pairing} is null.
 *
 * @param sources the ranks messages come from, in slot order
 * @param destinations the ranks messages go to, in block order
 * @param pairing for each source slot, the index the message had in the source's destinations; or null
 */
public record Neighborhood(int[] sources, int[] destinations, int[] pairing) {

    /** Checks the lengths. */
    public Neighborhood {
        if (pairing != null && pairing.length != sources.length) {
            throw new IllegalArgumentException("pairing has " + pairing.length + " entries for " + sources.length + " sources");
        }
    }

    @Override
    public String toString() {
        return "Neighborhood[sources=" + Arrays.toString(sources) + ", destinations=" + Arrays.toString(destinations)
                + (pairing == null ? "" : ", pairing=" + Arrays.toString(pairing)) + "]";
    }
}
