package org.mpi4j.engine.libmpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mpi4j.Codec;
import org.mpi4j.ErrorClass;
import org.mpi4j.IdleStrategy;
import org.mpi4j.JobAbortedException;
import org.mpi4j.MpiException;
import org.mpi4j.ThreadLevel;
import org.mpi4j.coll.P2pCollectives;
import org.mpi4j.matching.Endpoint;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Progress;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;

/**
 * This process's rank on the native engine: {@code MPI_Init_thread} asking for
 * {@code MPI_THREAD_MULTIPLE}, errors returned rather than fatal, the world checked against
 * the launcher's idea of it, and mpi4j's matching over the library ({@link MpiTransport}).
 */
final class NativeRank implements RankSpi {
    private static final int THREAD_MULTIPLE = 3;

    private final LibMpi mpi;
    private final Settings settings;
    private final int rank;
    private final int size;
    private final ThreadLevel threadLevel;
    private final String processorName;
    private final Codec codec;
    private final long framesComm;
    private final long worldGroup;
    private final MpiTransport transport;
    private final Endpoint endpoint;
    private final NativeComm world;
    private final NativeComm self;
    private final NativeOps ops;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NativeRank(LibMpi mpi, Settings settings) throws Throwable {
        this.mpi = mpi;
        this.settings = settings;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(ValueLayout.JAVA_INT);
            mpi.check((int) mpi.initialized.invokeExact(flag), "MPI_Initialized");
            if (flag.get(ValueLayout.JAVA_INT, 0) != 0) {
                throw new MpiException(ErrorClass.UNSUPPORTED, mpi.abi.family + " was initialized by something else in"
                        + " this process; the native engine initializes it itself");
            }
            MemorySegment provided = a.allocate(ValueLayout.JAVA_INT);
            mpi.check((int) mpi.initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, THREAD_MULTIPLE, provided),
                    "MPI_Init_thread");
            int level = provided.get(ValueLayout.JAVA_INT, 0);
            this.threadLevel = ThreadLevel.values()[Math.max(0, Math.min(level, ThreadLevel.values().length - 1))];
            mpi.check((int) mpi.commSetErrhandler.invokeExact(mpi.abi.commWorld, mpi.abi.errorsReturn),
                    "MPI_Comm_set_errhandler");
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            mpi.check((int) mpi.commRank.invokeExact(mpi.abi.commWorld, v), "MPI_Comm_rank");
            this.rank = v.get(ValueLayout.JAVA_INT, 0);
            mpi.check((int) mpi.commSize.invokeExact(mpi.abi.commWorld, v), "MPI_Comm_size");
            this.size = v.get(ValueLayout.JAVA_INT, 0);
            MemorySegment name = a.allocate(Math.max(mpi.abi.maxProcessorName, 256));
            mpi.check((int) mpi.getProcessorName.invokeExact(name, v), "MPI_Get_processor_name");
            this.processorName = name.getString(0, StandardCharsets.UTF_8);
            MemorySegment h = a.allocate(8, 8);
            mpi.check((int) mpi.commDup.invokeExact(mpi.abi.commWorld, h), "MPI_Comm_dup");
            this.framesComm = handle(h);
            mpi.check((int) mpi.commGroup.invokeExact(mpi.abi.commWorld, h), "MPI_Comm_group");
            this.worldGroup = handle(h);
        }
        checkLauncher(settings);
        if (threadLevel != ThreadLevel.MULTIPLE) {
            throw new MpiException(ErrorClass.UNSUPPORTED, mpi.library + " (" + mpi.abi.family + ") grants "
                    + threadLevel + " where mpi4j's native engine needs THREAD_MULTIPLE (its matching progresses on"
                    + " any thread that waits); build or configure the MPI library with thread support");
        }
        this.codec = settings.codec();
        this.transport = new MpiTransport(mpi, rank, size, framesComm);
        int local = settings.getInt("ompi.comm.world.local.size", settings.getInt("mpi.localnranks", 1, 1,
                1 << 20), 1, 1 << 20);
        this.endpoint = new Endpoint(rank, size, transport, settings.idleStrategy(IdleStrategy.forLoad(local,
                Runtime.getRuntime().availableProcessors())));
        transport.start(endpoint);
        this.world = new NativeComm(this, endpoint.comm(Endpoint.WORLD_CONTEXT, null, "WORLD"), mpi.abi.commWorld, true);
        this.self = new NativeComm(this, endpoint.comm(Endpoint.SELF_CONTEXT, new int[] {rank}, "SELF"),
                mpi.abi.commSelf, true);
        this.ops = new NativeOps(mpi);
    }

    /** Loads the library and initializes MPI. */
    static NativeRank attach(Settings settings) {
        LibMpi mpi = LibMpi.load(settings);
        try {
            return new NativeRank(mpi, settings);
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "the native engine could not start on " + mpi.library + ": " + e, e);
        }
    }

    /**
     * A launcher of another MPI than the one loaded starts every rank as a singleton, with no
     * error from the library: compare the world's size with the launcher's.
     */
    private void checkLauncher(Settings s) {
        String expected = s.get("ompi.comm.world.size", s.get("pmi.size", s.get("pmix.size", null)));
        if (expected == null) {
            return;
        }
        int n;
        try {
            n = Integer.parseInt(expected.trim());
        } catch (NumberFormatException e) {
            return;
        }
        if (n != size) {
            throw new MpiException(ErrorClass.UNSUPPORTED, "the launcher started " + n + " ranks but " + mpi.library + " ("
                    + mpi.abi.family + ", " + mpi.version() + ") sees a world of " + size + ": the program was started by"
                    + " another MPI's launcher. Use the launcher of the loaded library, or name the library with "
                    + LibMpi.LIBRARY + " (" + Settings.envName(LibMpi.LIBRARY) + ")");
        }
    }

    private long handle(MemorySegment h) {
        return mpi.abi.handle.byteSize() == 4 ? h.get(ValueLayout.JAVA_INT, 0) : h.get(ValueLayout.JAVA_LONG, 0);
    }

    LibMpi mpi() {
        return mpi;
    }

    NativeOps ops() {
        return ops;
    }

    /** The MPI twin of a new communicator: the world ranks {@code members}, in order. */
    long createMpiComm(int[] members, int context) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ranks = a.allocate(ValueLayout.JAVA_INT, Math.max(1, members.length));
            for (int i = 0; i < members.length; i++) {
                ranks.setAtIndex(ValueLayout.JAVA_INT, i, members[i]);
            }
            MemorySegment h = a.allocate(8, 8);
            mpi.check((int) mpi.groupIncl.invokeExact(worldGroup, members.length, ranks, h), "MPI_Group_incl");
            long group = handle(h);
            // The tag tells concurrent creations apart: every member passes the same contexts.
            mpi.check((int) mpi.commCreateGroup.invokeExact(mpi.abi.commWorld, group, context & 0x7fff, h),
                    "MPI_Comm_create_group");
            long comm = handle(h);
            if (mpi.abi.handle.byteSize() == 4) {
                h.set(ValueLayout.JAVA_INT, 0, (int) group);
            } else {
                h.set(ValueLayout.JAVA_LONG, 0, group);
            }
            mpi.check((int) mpi.groupFree.invokeExact(h), "MPI_Group_free");
            mpi.check((int) mpi.commSetErrhandler.invokeExact(comm, mpi.abi.errorsReturn), "MPI_Comm_set_errhandler");
            return comm;
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "MPI_Comm_create_group: " + e, e);
        }
    }

    void freeMpiComm(long comm) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(8, 8);
            if (mpi.abi.handle.byteSize() == 4) {
                h.set(ValueLayout.JAVA_INT, 0, (int) comm);
            } else {
                h.set(ValueLayout.JAVA_LONG, 0, comm);
            }
            mpi.check((int) mpi.commFree.invokeExact(h), "MPI_Comm_free");
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "MPI_Comm_free: " + e, e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String engineName() {
        return "native";
    }

    @Override
    public String processorName() {
        return processorName;
    }

    @Override
    public ThreadLevel threadLevel() {
        return threadLevel;
    }

    @Override
    public Codec codec() {
        return codec;
    }

    @Override
    public Progress progress() {
        return endpoint;
    }

    @Override
    public CollectiveSpi collectives(CommSpi comm) {
        CollectiveSpi fallback = new P2pCollectives(comm.collectiveView(), endpoint, settings);
        if (comm instanceof NativeComm n) {
            return new NativeCollectives(this, n.mpiComm(), n.size(), n.rank(), fallback);
        }
        return fallback;
    }

    @Override
    public CommSpi world() {
        return world;
    }

    @Override
    public CommSpi self() {
        return self;
    }

    @Override
    public int allocateContext() {
        return endpoint.allocateContext();
    }

    @Override
    public double wtime() {
        try {
            return (double) mpi.wtime.invokeExact();
        } catch (Throwable e) {
            return System.nanoTime() / 1e9;
        }
    }

    @Override
    public double wtick() {
        try {
            return (double) mpi.wtick.invokeExact();
        } catch (Throwable e) {
            return 1e-9;
        }
    }

    /** Aborts the whole job through the library ({@code MPI_Abort}), which does not return on a working MPI. */
    @Override
    public JobAbortedException abort(int errorCode, Throwable cause) {
        String message = cause == null ? "the job was aborted: rank " + rank + " called abort(" + errorCode + ")"
                : "the job was aborted: rank " + rank + " failed: " + cause;
        JobAbortedException e = new JobAbortedException(rank, errorCode, message, cause);
        endpoint.abort(e);
        System.err.println("mpi4j: " + message);
        System.err.flush();
        try {
            int unused = (int) mpi.abort.invokeExact(mpi.abi.commWorld, errorCode == 0 ? 1 : errorCode);
        } catch (Throwable ignored) {
            // the library could not abort: the exception below still ends this rank
        }
        return e;
    }

    /**
     * Finalizes: mpi4j's matching says goodbye to its peers, every rank waits for the others
     * (so no frame is still coming), the posted receives are cancelled, and MPI finalizes.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        endpoint.close();
        try {
            mpi.check((int) mpi.barrier.invokeExact(framesComm), "MPI_Barrier");
        } catch (Throwable ignored) {
            // finalizing anyway
        }
        transport.close();
        try {
            int unused = (int) mpi.finalizeMpi.invokeExact();
        } catch (Throwable ignored) {
            // nothing more to do
        }
    }

    @Override
    public String toString() {
        return "NativeRank[" + rank + " of " + size + " on " + mpi.abi.family + "]";
    }
}
