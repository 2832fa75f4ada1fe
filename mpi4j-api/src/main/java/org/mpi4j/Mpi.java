package org.mpi4j;

import java.util.Objects;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;

/**
 * The entry point: one rank's membership of an MPI job.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     try (Mpi mpi = Mpi.init(args)) {
 *         Comm world = mpi.world();
 *         System.out.println("Hello from rank " + world.rank() + " of " + world.size());
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #init(String...)} joins the job this program was started in, choosing the engine
 * from the environment: the rank of a {@code mpi4j run} job or of a {@link LocalJob};
 * otherwise a job of one rank. The {@code mpi4j.engine} setting (system property, or
 * {@code MPI4J_ENGINE}) names an engine explicitly.
 *
 * <p>{@link #local(int)} runs a body on {@code n} ranks that are threads of this JVM — in a
 * test, in jshell, or embedded in an application:
 * <pre>{@code
 * List<Integer> ranks = Mpi.local(4).run(world -> world.rank());
 * }</pre>
 *
 * <p>There is no global state: any number of jobs can run in one JVM at once, each with its
 * own engine, codec and settings.
 */
public final class Mpi implements AutoCloseable {

    /** Matches a message from any source, in receives and probes. */
    public static final int ANY_SOURCE = -1;
    /** Matches a message with any tag, in receives and probes. */
    public static final int ANY_TAG = -1;
    /** The null peer: sends to it and receives from it complete at once and move nothing. */
    public static final int PROC_NULL = -2;
    /** "No such value": returned by {@link Request#waitAny} when every request is null. */
    public static final int UNDEFINED = -32766;
    /** The largest tag; tags run from 0 to this. */
    public static final int TAG_UB = Integer.MAX_VALUE;

    /** The rank a {@link LocalJob} thread runs as, so {@link #init} inside it joins that job. */
    static final ScopedValue<Mpi> CURRENT = ScopedValue.newInstance();

    private final RankSpi spi;
    private final Comm world;
    private final Comm self;
    /** Whether a {@link LocalJob} finalizes this rank itself, after recording how its body ended. */
    private final boolean jobManaged;

    Mpi(RankSpi spi) {
        this(spi, false);
    }

    Mpi(RankSpi spi, boolean jobManaged) {
        this.spi = Objects.requireNonNull(spi, "spi");
        this.jobManaged = jobManaged;
        this.world = new Comm(spi, spi.world(), true);
        this.self = new Comm(spi, spi.self(), true);
    }

    /**
     * Joins the job this program runs in and returns this rank's handle.
     *
     * <p>Inside a {@link LocalJob} rank (including a {@code main} started by
     * {@code mpi4j run --engine local}) this returns that rank. Otherwise the engine named
     * by the {@code mpi4j.engine} setting is used, else the engine whose launcher started
     * this process, else a local job of one rank.
     *
     * @param args the program's arguments; reserved for engine options, and not modified
     * @throws MpiException of class {@link ErrorClass#UNSUPPORTED} if the named engine is not available
     */
    public static Mpi init(String... args) {
        if (CURRENT.isBound()) {
            return CURRENT.get();
        }
        Settings settings = Settings.fromEnvironment();
        return new Mpi(Engines.select(settings).attach(settings));
    }

    /**
     * Returns a job of {@code ranks} ranks that run as threads of this JVM, to configure and
     * then {@link LocalJob#run run}.
     *
     * @throws MpiException if {@code ranks < 1}
     */
    public static LocalJob local(int ranks) {
        if (ranks < 1) {
            throw new MpiException(ErrorClass.ARG, "Mpi.local: ranks < 1: " + ranks);
        }
        return new LocalJob(ranks);
    }

    /**
     * Returns a balanced grid of {@code nnodes} points, for {@link Comm#cartCreate}: MPI's
     * {@code MPI_Dims_create}, returning the result as mpi4py's {@code Compute_dims} does.
     *
     * <p>Entries of {@code dims} greater than 0 are kept; entries equal to 0 are filled so
     * that the product of all entries is {@code nnodes}, the filled ones as close to each
     * other as possible and in non-increasing order: {@code dimsCreate(6, new int[2])} is
     * {@code {3, 2}}, {@code dimsCreate(7, new int[2])} {@code {7, 1}} and
     * {@code dimsCreate(6, new int[] {0, 3, 0})} {@code {2, 3, 1}}. Where several fillings
     * are equally balanced (smallest difference between the largest and the smallest
     * filled entry), the one with the smallest largest entry wins, then the smallest second
     * largest, and so on, as in MPICH: 360 in three dimensions is {@code {9, 8, 5}}.
     *
     * <p>A local call: no communication, the same result on every rank.
     *
     * @param nnodes the number of grid points, at least 1 (usually a communicator's size)
     * @param dims the dimensions, 0 where the call is to choose; not modified
     * @return a new array: {@code dims} with its 0 entries filled
     * @throws MpiException of class {@link ErrorClass#COUNT} if {@code nnodes < 1}; of class
     *         {@link ErrorClass#ARG} if an entry is negative, if {@code nnodes} is not a
     *         multiple of the product of the positive entries, or if no entry is 0 and that
     *         product is not {@code nnodes}
     */
    public static int[] dimsCreate(int nnodes, int[] dims) {
        return CartesianMath.dimsCreate(nnodes, dims);
    }

    /**
     * Returns a balanced grid of {@code nnodes} points in {@code ndims} dimensions, in
     * non-increasing order: {@link #dimsCreate(int, int[])} with every entry free.
     * {@code dimsCreate(12, 2)} is {@code {4, 3}}.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} if {@code nnodes < 1}; of class
     *         {@link ErrorClass#ARG} if {@code ndims < 0}, or if {@code ndims} is 0 and
     *         {@code nnodes} is not 1
     */
    public static int[] dimsCreate(int nnodes, int ndims) {
        if (ndims < 0) {
            throw new MpiException(ErrorClass.ARG, "dimsCreate: ndims " + ndims + " is negative");
        }
        return CartesianMath.dimsCreate(nnodes, new int[ndims]);
    }

    /** Returns the world communicator: every rank of the job. */
    public Comm world() {
        return world;
    }

    /** Returns the communicator that holds only this rank. */
    public Comm self() {
        return self;
    }

    /** Returns the thread support the engine grants; the pure-Java engines grant {@link ThreadLevel#MULTIPLE}. */
    public ThreadLevel threadLevel() {
        return spi.threadLevel();
    }

    /** Returns the engine's name: "local", "process" or "native". */
    public String engine() {
        return spi.engineName();
    }

    /**
     * Finalizes this rank: it communicates no more, and peers' receives that only this rank
     * could satisfy fail instead of waiting forever. Idempotent.
     *
     * <p>Inside a {@link LocalJob} rank this does nothing: the job finalizes the rank when its
     * body returns, after it has recorded how the body ended. Otherwise a body that throws
     * out of {@code try (Mpi mpi = Mpi.init(args))} would finalize first, and its peers would
     * fail with "rank finalized" before the job learned of the real failure.
     */
    @Override
    public void close() {
        if (!jobManaged) {
            spi.close();
        }
    }

    @Override
    public String toString() {
        return "Mpi[" + spi.engineName() + ", rank " + spi.rank() + " of " + spi.size() + "]";
    }
}
