package org.mpi4j;

/** The body each rank of a {@link LocalJob} runs, returning nothing. */
@FunctionalInterface
public interface RankAction {
    /** Runs on one rank, given its world communicator. */
    void accept(Comm world) throws Exception;
}
