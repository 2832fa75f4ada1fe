package org.mpi4j.engine.libmpi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.spi.Settings;

/**
 * The MPI library of this process, loaded through the FFM API: which library, which ABI,
 * and a method handle per MPI function used, built once.
 *
 * <p>Loading guards the known traps: the library is opened {@code RTLD_NOW | RTLD_GLOBAL}
 * (Open MPI's plugins use libmpi's symbols without linking to it), and UCX's and PSM's
 * signal handlers are turned off first (UCX installs a SIGSEGV handler that crashes the JVM
 * at its first implicit null check): {@code UCX_ERROR_SIGNALS}, {@code IPATH_NO_BACKTRACE}
 * and {@code HFI_NO_BACKTRACE} are set unless the user set them.
 *
 * <p>Every handle is a Java {@code long} in the handles' types below, whatever its C type:
 * where the ABI's handles are {@code int}s, the downcall is adapted once
 * ({@link MethodHandles#explicitCastArguments}), so call sites stay monomorphic.
 */
final class LibMpi {
    /** Settings: the library to load, a file name or path ({@code MPI4J_NATIVE_LIBRARY}). */
    static final String LIBRARY = "mpi4j.native.library";
    private static final int RTLD_NOW = 2;
    private static final int RTLD_GLOBAL = 0x100;

    final String library;
    final Abi abi;
    final SymbolLookup lookup;
    private final Linker linker = Linker.nativeLinker();

    // environment and errors
    final MethodHandle initThread;
    final MethodHandle initialized;
    final MethodHandle finalized;
    final MethodHandle finalizeMpi;
    final MethodHandle abort;
    final MethodHandle errorString;
    final MethodHandle errorClass;
    final MethodHandle getLibraryVersion;
    final MethodHandle getProcessorName;
    final MethodHandle wtime;
    final MethodHandle wtick;
    final MethodHandle commSetErrhandler;
    // communicators and groups
    final MethodHandle commRank;
    final MethodHandle commSize;
    final MethodHandle commDup;
    final MethodHandle commFree;
    final MethodHandle commGroup;
    final MethodHandle groupIncl;
    final MethodHandle groupFree;
    final MethodHandle commCreateGroup;
    // point-to-point
    final MethodHandle send;
    final MethodHandle ssend;
    final MethodHandle recv;
    final MethodHandle isend;
    final MethodHandle issend;
    final MethodHandle irecv;
    final MethodHandle test;
    final MethodHandle cancel;
    final MethodHandle testCancelled;
    final MethodHandle requestFree;
    final MethodHandle probe;
    final MethodHandle iprobe;
    final MethodHandle mprobe;
    final MethodHandle improbe;
    final MethodHandle mrecv;
    final MethodHandle imrecv;
    final MethodHandle getElementsX;
    // collectives
    final MethodHandle barrier;
    final MethodHandle bcast;
    final MethodHandle gather;
    final MethodHandle scatter;
    final MethodHandle allgather;
    final MethodHandle gatherv;
    final MethodHandle scatterv;
    final MethodHandle allgatherv;
    final MethodHandle alltoall;
    final MethodHandle alltoallv;
    final MethodHandle reduce;
    final MethodHandle allreduce;
    final MethodHandle scan;
    final MethodHandle exscan;
    final MethodHandle reduceScatter;
    final MethodHandle opCreate;
    final MethodHandle opFree;
    final MethodHandle typeContiguous;
    final MethodHandle typeCommit;

    private LibMpi(String library, SymbolLookup lookup, Abi abi) {
        this.library = library;
        this.lookup = lookup;
        this.abi = abi;
        // Signatures: i int, l long (MPI_Count), d double, p pointer, H handle; "r:args".
        initThread = fn("MPI_Init_thread", "i:p,p,i,p");
        initialized = fn("MPI_Initialized", "i:p");
        finalized = fn("MPI_Finalized", "i:p");
        finalizeMpi = fn("MPI_Finalize", "i:");
        abort = fn("MPI_Abort", "i:H,i");
        errorString = fn("MPI_Error_string", "i:i,p,p");
        errorClass = fn("MPI_Error_class", "i:i,p");
        getLibraryVersion = fn("MPI_Get_library_version", "i:p,p");
        getProcessorName = fn("MPI_Get_processor_name", "i:p,p");
        wtime = fn("MPI_Wtime", "d:", true);
        wtick = fn("MPI_Wtick", "d:");
        commSetErrhandler = fn("MPI_Comm_set_errhandler", "i:H,H");
        commRank = fn("MPI_Comm_rank", "i:H,p");
        commSize = fn("MPI_Comm_size", "i:H,p");
        commDup = fn("MPI_Comm_dup", "i:H,p");
        commFree = fn("MPI_Comm_free", "i:p");
        commGroup = fn("MPI_Comm_group", "i:H,p");
        groupIncl = fn("MPI_Group_incl", "i:H,i,p,p");
        groupFree = fn("MPI_Group_free", "i:p");
        commCreateGroup = fn("MPI_Comm_create_group", "i:H,H,i,p");
        send = fn("MPI_Send", "i:p,i,H,i,i,H");
        ssend = fn("MPI_Ssend", "i:p,i,H,i,i,H");
        recv = fn("MPI_Recv", "i:p,i,H,i,i,H,p");
        isend = fn("MPI_Isend", "i:p,i,H,i,i,H,p", true);
        issend = fn("MPI_Issend", "i:p,i,H,i,i,H,p");
        irecv = fn("MPI_Irecv", "i:p,i,H,i,i,H,p", true);
        test = fn("MPI_Test", "i:p,p,p", true);
        cancel = fn("MPI_Cancel", "i:p");
        testCancelled = fn("MPI_Test_cancelled", "i:p,p");
        requestFree = fn("MPI_Request_free", "i:p");
        probe = fn("MPI_Probe", "i:i,i,H,p");
        iprobe = fn("MPI_Iprobe", "i:i,i,H,p,p", true);
        mprobe = fn("MPI_Mprobe", "i:i,i,H,p,p");
        improbe = fn("MPI_Improbe", "i:i,i,H,p,p,p", true);
        mrecv = fn("MPI_Mrecv", "i:p,i,H,p,p");
        imrecv = fn("MPI_Imrecv", "i:p,i,H,p,p");
        getElementsX = fn("MPI_Get_elements_x", "i:p,H,p");
        barrier = fn("MPI_Barrier", "i:H");
        bcast = fn("MPI_Bcast", "i:p,i,H,i,H");
        gather = fn("MPI_Gather", "i:p,i,H,p,i,H,i,H");
        scatter = fn("MPI_Scatter", "i:p,i,H,p,i,H,i,H");
        allgather = fn("MPI_Allgather", "i:p,i,H,p,i,H,H");
        gatherv = fn("MPI_Gatherv", "i:p,i,H,p,p,p,H,i,H");
        scatterv = fn("MPI_Scatterv", "i:p,p,p,H,p,i,H,i,H");
        allgatherv = fn("MPI_Allgatherv", "i:p,i,H,p,p,p,H,H");
        alltoall = fn("MPI_Alltoall", "i:p,i,H,p,i,H,H");
        alltoallv = fn("MPI_Alltoallv", "i:p,p,p,H,p,p,p,H,H");
        reduce = fn("MPI_Reduce", "i:p,p,i,H,H,i,H");
        allreduce = fn("MPI_Allreduce", "i:p,p,i,H,H,H");
        scan = fn("MPI_Scan", "i:p,p,i,H,H,H");
        exscan = fn("MPI_Exscan", "i:p,p,i,H,H,H");
        reduceScatter = fn("MPI_Reduce_scatter", "i:p,p,p,H,H,H");
        opCreate = fn("MPI_Op_create", "i:p,i,p");
        opFree = fn("MPI_Op_free", "i:p");
        typeContiguous = fn("MPI_Type_contiguous", "i:i,H,p");
        typeCommit = fn("MPI_Type_commit", "i:p");
    }

    /**
     * Loads this process's MPI library: the one named in the settings, else the one its
     * launcher belongs to (Open MPI's {@code mpirun} sets {@code OMPI_COMM_WORLD_SIZE}; Hydra,
     * MPICH's and Intel MPI's, sets {@code PMI_RANK}), else the first of the usual sonames
     * that loads.
     *
     * @throws MpiException of class {@link ErrorClass#UNSUPPORTED} naming every library
     *     tried and why each failed
     */
    static LibMpi load(Settings settings) {
        neutraliseSignalHandlers();
        List<String> candidates = new ArrayList<>();
        String named = settings.get(LIBRARY, null);
        if (named != null && !named.isBlank()) {
            candidates.add(named.trim());
        } else {
            if (settings.get("ompi.comm.world.size", null) != null) {
                candidates.add("libmpi.so.40");
            }
            if (settings.get("pmi.rank", null) != null || settings.get("pmi.fd", null) != null) {
                candidates.add("libmpich.so.12");
                candidates.add("libmpi.so.12");
            }
            for (String s : List.of("libmpi.so.40", "libmpich.so.12", "libmpi.so.12", "libmpi_abi.so", "libmpi.so")) {
                if (!candidates.contains(s)) {
                    candidates.add(s);
                }
            }
        }
        StringBuilder why = new StringBuilder();
        for (String name : candidates) {
            String error = dlopenGlobal(name);
            if (error != null) {
                why.append("\n  ").append(name).append(": ").append(error);
                continue;
            }
            SymbolLookup lookup = SymbolLookup.libraryLookup(name.contains("/") ? java.nio.file.Path.of(name).toString()
                    : name, Arena.global());
            if (lookup.find("ompi_mpi_comm_world").isPresent()) {
                return new LibMpi(name, lookup, new Abi.OpenMpi(lookup));
            }
            if (lookup.find("MPI_Abi_get_version").isPresent() || name.contains("libmpi_abi")) {
                why.append("\n  ").append(name).append(": the MPI-5 standard ABI, which mpi4j does not map yet");
                continue;
            }
            if (lookup.find("MPIR_Err_create_code").isPresent() || lookup.find("MPIX_Query_cuda_support").isPresent()
                    || lookup.find("PMPI_Init").isPresent() && name.contains("mpich")) {
                return new LibMpi(name, lookup, new Abi.Mpich());
            }
            if (lookup.find("MPI_Init").isPresent()) {
                // Not Open MPI: the MPICH family (MPICH, Intel MPI, MVAPICH, Cray MPICH) shares its ABI.
                return new LibMpi(name, lookup, new Abi.Mpich());
            }
            why.append("\n  ").append(name).append(": loaded, but it has no MPI_Init");
        }
        throw new MpiException(ErrorClass.UNSUPPORTED, "the native engine found no MPI library it can use;"
                + " install Open MPI or MPICH, or name the library with " + LIBRARY + " (" + Settings.envName(LIBRARY)
                + "). Tried:" + why);
    }

    /**
     * Sets the variables that keep UCX and PSM from installing signal handlers, unless the
     * user set them: the JVM handles SIGSEGV itself (implicit null checks, safepoints).
     */
    private static void neutraliseSignalHandlers() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT));
            try (Arena a = Arena.ofConfined()) {
                String[][] vars = {{"UCX_ERROR_SIGNALS", ""}, {"IPATH_NO_BACKTRACE", "1"}, {"HFI_NO_BACKTRACE", "1"}};
                for (String[] v : vars) {
                    int unused = (int) setenv.invokeExact(a.allocateFrom(v[0]), a.allocateFrom(v[1]), 0);
                }
            }
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "cannot prepare the environment for libmpi: " + e, e);
        }
    }

    /** dlopen(name, RTLD_NOW | RTLD_GLOBAL); returns null, or dlerror()'s words. */
    private static String dlopenGlobal(String name) {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(4096,
                            ValueLayout.JAVA_BYTE))));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment h = (MemorySegment) dlopen.invokeExact(a.allocateFrom(name), RTLD_NOW | RTLD_GLOBAL);
                if (!MemorySegment.NULL.equals(h)) {
                    return null;
                }
                MemorySegment e = (MemorySegment) dlerror.invokeExact();
                return MemorySegment.NULL.equals(e) ? "dlopen failed" : e.getString(0);
            }
        } catch (Throwable e) {
            return e.toString();
        }
    }

    private MethodHandle fn(String name, String spec) {
        return fn(name, spec, false);
    }

    /**
     * A downcall for {@code name} with signature {@code spec}, its handle parameters as long;
     * {@code quick} for calls that never block (tests, non-blocking starts, the clock), made
     * as critical downcalls: no thread-state transition around them, a few nanoseconds each
     * on the hot path. Blocking calls must not be: a critical call holds up safepoints.
     */
    private MethodHandle fn(String name, String spec, boolean quick) {
        MemorySegment address = lookup.find(name).orElseThrow(() -> new MpiException(ErrorClass.UNSUPPORTED,
                library + " (" + abi.family + ") has no " + name + ": mpi4j needs an MPI 3.0 library or newer"));
        String[] parts = spec.split(":", -1);
        String[] args = parts[1].isEmpty() ? new String[0] : parts[1].split(",");
        MemoryLayout[] layouts = new MemoryLayout[args.length];
        Class<?>[] javaTypes = new Class<?>[args.length];
        for (int i = 0; i < args.length; i++) {
            layouts[i] = layout(args[i]);
            javaTypes[i] = args[i].equals("H") ? long.class : ((ValueLayout) layouts[i]).carrier();
        }
        FunctionDescriptor fd = parts[0].isEmpty() ? FunctionDescriptor.ofVoid(layouts)
                : FunctionDescriptor.of(layout(parts[0]), layouts);
        MethodHandle mh = quick ? linker.downcallHandle(address, fd, Linker.Option.critical(false))
                : linker.downcallHandle(address, fd);
        Class<?> ret = parts[0].isEmpty() ? void.class : ((ValueLayout) layout(parts[0])).carrier();
        return MethodHandles.explicitCastArguments(mh, MethodType.methodType(ret, javaTypes));
    }

    private MemoryLayout layout(String code) {
        return switch (code) {
            case "i" -> ValueLayout.JAVA_INT;
            case "l" -> ValueLayout.JAVA_LONG;
            case "d" -> ValueLayout.JAVA_DOUBLE;
            case "p" -> ValueLayout.ADDRESS;
            case "H" -> abi.handle;
            default -> throw new IllegalArgumentException("signature code " + code);
        };
    }

    /** Throws the mpi4j form of an MPI error code, with the library's own words, unless it is MPI_SUCCESS. */
    void check(int rc, String call) {
        if (rc != 0) {
            throw error(rc, call);
        }
    }

    MpiException error(int rc, String call) {
        String text;
        int mpiClass = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(abi.maxErrorString, 512));
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            int r = (int) errorString.invokeExact(rc, buf, len);
            text = r == 0 ? buf.getString(0, StandardCharsets.UTF_8) : "MPI error " + rc;
            MemorySegment cls = a.allocate(ValueLayout.JAVA_INT);
            if ((int) errorClass.invokeExact(rc, cls) == 0) {
                mpiClass = cls.get(ValueLayout.JAVA_INT, 0);
            }
        } catch (Throwable e) {
            text = "MPI error " + rc;
        }
        return new MpiException(abi.errorClass(mpiClass), call + " failed in " + abi.family + ": " + text
                + " (error " + rc + ")");
    }

    /** The library's own description of itself ({@code MPI_Get_library_version}), first line. */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(abi.maxLibraryVersion, 8192));
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            check((int) getLibraryVersion.invokeExact(buf, len), "MPI_Get_library_version");
            String s = buf.getString(0, StandardCharsets.UTF_8).strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "MPI_Get_library_version: " + e, e);
        }
    }
}
