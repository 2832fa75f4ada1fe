package org.mpi4j;

/** The thread support an engine grants, after MPI's levels. */
public enum ThreadLevel {
    /** Only one thread exists. */
    SINGLE,
    /** Only the thread that initialized calls mpi4j. */
    FUNNELED,
    /** Any thread calls, but never two at once. */
    SERIALIZED,
    /** Any thread may call any operation concurrently. */
    MULTIPLE
}
