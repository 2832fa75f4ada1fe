package org.mpi4j.spi;

import org.mpi4j.Codec;
import org.mpi4j.JobAbortedException;
import org.mpi4j.ThreadLevel;

/** One rank's view of its job: what {@code Mpi} wraps. */
public interface RankSpi {

    /** Returns this rank in the world. */
    int rank();

    /** Returns the number of ranks in the world. */
    int size();

    /** Returns the engine's name. */
    String engineName();

    /** Returns the name of the processor (host) this rank runs on. */
    String processorName();

    /** Returns the thread support granted. */
    ThreadLevel threadLevel();

    /** Returns the job's codec for objects. */
    Codec codec();

    /** Returns the progress that requests of this rank wait with. */
    Progress progress();

    /** Returns the collective operations of {@code comm}, one of this rank's communicators. */
    CollectiveSpi collectives(CommSpi comm);

    /** Returns the world communicator. */
    CommSpi world();

    /** Returns the communicator holding only this rank. */
    CommSpi self();

    /**
     * Allocates a fresh context id (and the next one, for collectives) on this rank, for a
     * new communicator. Ids are local: each member of a communicator may use a different
     * one, and senders address each receiver by its own.
     */
    int allocateContext();

    /** Returns wall-clock time in seconds since an arbitrary moment fixed for this rank. */
    double wtime();

    /** Returns the resolution of {@link #wtime()} in seconds. */
    double wtick();

    /**
     * Aborts the whole job on behalf of this rank: every rank's pending and later operations
     * fail with the returned exception. The first failure wins; later calls return it.
     */
    JobAbortedException abort(int errorCode, Throwable cause);

    /**
     * Finalizes this rank: it will communicate no more. Peers' operations that can only be
     * completed by this rank fail instead of waiting forever. Idempotent.
     */
    void close();
}
