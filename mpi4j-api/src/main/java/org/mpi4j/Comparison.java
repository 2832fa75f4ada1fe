package org.mpi4j;

/**
 * How two groups or two communicators relate, as {@code MPI_Group_compare} and
 * {@code MPI_Comm_compare} report it ({@code MPI_IDENT}, {@code MPI_CONGRUENT},
 * {@code MPI_SIMILAR}, {@code MPI_UNEQUAL}).
 *
 * <p>For {@link Group}s only {@link #IDENT}, {@link #SIMILAR} and {@link #UNEQUAL} occur: a
 * group has no context, so two groups with the same members in the same order are identical.
 */
public enum Comparison {
    /**
     * The same members in the same order; for communicators, moreover the same communicator
     * (the same object, with the same context).
     */
    IDENT,
    /**
     * For communicators only: the same group (the same members in the same order) but a
     * different context, as for a communicator and its duplicate. Never returned for groups.
     */
    CONGRUENT,
    /** The same members, in a different order. */
    SIMILAR,
    /** Different members (or different sizes). */
    UNEQUAL
}
