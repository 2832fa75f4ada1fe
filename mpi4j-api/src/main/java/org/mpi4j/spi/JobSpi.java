package org.mpi4j.spi;

import org.mpi4j.JobAbortedException;

/** A job whose ranks all live in this JVM, as created by {@link EngineProvider#createJob}. */
public interface JobSpi {

    /** Returns the number of ranks. */
    int size();

    /** Returns rank {@code rank}'s handle. */
    RankSpi rank(int rank);

    /** Returns the failure that aborted the job, or null while it has not failed. */
    JobAbortedException failure();

    /**
     * Describes, rank by rank, what each one is blocked in and what it has pending: what a
     * watchdog prints when a job hangs.
     */
    String describeState();

    /**
     * Aborts the job from outside any rank (a watchdog's timeout): every rank's pending and
     * later operations fail with {@code failure}. The first failure wins.
     */
    void abort(JobAbortedException failure);
}
