package org.mpi4j;

/**
 * The body each rank of a {@link LocalJob} runs, returning a result.
 *
 * @param <T> the rank's result
 */
@FunctionalInterface
public interface RankFunction<T> {
    /** Runs on one rank, given its world communicator. */
    T apply(Comm world) throws Exception;
}
