package org.mpi4j.spi;

import java.util.Arrays;

/**
 * The neighbours of one rank in a virtual topology, as neighbour collectives use them:
 * messages come from {@code sources} in order and go to {@code destinations} in order.
 * Entries may be {@code PROC_NULL} (a non-periodic Cartesian edge: nothing is sent, the
 * slot is left as it was), may be this rank itself, and may repeat.
 *
 * <p>When a source appears several times, {@code pairing} says which of its messages fills
 * which slot: {@code pairing[i]} is the index, in the <em>source's</em> destinations, of the
 * message that lands in slot i. For a Cartesian topology slot 2d (the neighbour one step
 * back along dimension d) gets what that neighbour sent ahead, its block 2d + 1, and slot
 * 2d + 1 its block 2d: {@code pairing = {1, 0, 3, 2, ...}}. That is how MPI 4 tells apart
 * the two messages of a peer that is both neighbours of a periodic dimension of size 2
 * (or this rank itself, for size 1). An engine that matches messages in order gets this
 * right by sending in destination order and posting the receives from one source in
 * increasing {@code pairing} order.
 *
 * <p>For graphs {@code pairing} is null: MPI pairs repeated edges by their order in the
 * lists, so the k-th message a source sends to this rank fills the k-th slot of that
 * source, and receives are posted in slot order. Messages to this rank itself pair up the
 * same way: the k-th self-destination's block fills the k-th self-source's slot.
 *
 * <p>The arrays are shared, not copied: neither the API nor an engine modifies them.
 *
 * @param sources the ranks messages come from, in slot order
 * @param destinations the ranks messages go to, in block order
 * @param pairing for each source slot, the index the message had in the source's destinations; or null
 */
public record Neighborhood(int[] sources, int[] destinations, int[] pairing) {

    /** Checks the lengths. */
    public Neighborhood {
        java.util.Objects.requireNonNull(sources, "sources");
        java.util.Objects.requireNonNull(destinations, "destinations");
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
