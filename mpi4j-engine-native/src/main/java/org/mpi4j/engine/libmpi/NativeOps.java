package org.mpi4j.engine.libmpi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.Op;

/**
 * The MPI operation a reduction passes for an mpi4j {@link Op} on a datatype: the library's
 * own where MPI defines it with the same meaning, else one made with {@code MPI_Op_create}
 * whose function is a Java upcall into {@link Op#reduce(Buf, Buf)} — so user operations,
 * {@code MINLOC}/{@code MAXLOC} and the rest reduce exactly as on every other engine.
 *
 * <p>An upcall must not throw (the JVM would exit), so a failure inside the operation is
 * kept and rethrown by the collective once the library returns ({@link Handle#rethrow}).
 * {@code MINLOC} and {@code MAXLOC} reduce (value, index) pairs held in one array; they are
 * given to MPI as pairs (a contiguous type of two elements), so the library never splits one.
 * Operations made here live until the rank finalizes.
 */
final class NativeOps {
    /** An MPI operation and datatype for one reduction, and the failure of its upcall, if any. */
    record Handle(long op, long datatype, int countDivisor, AtomicReference<Throwable> failure) {
        /** Rethrows what the upcall failed with during the reduction, and forgets it. */
        void rethrow() {
            if (failure != null) {
                Throwable t = failure.getAndSet(null);
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                if (t != null) {
                    throw new MpiException(ErrorClass.INTERN, "a reduction failed: " + t, t);
                }
            }
        }
    }

    private static final MethodHandle APPLY;

    static {
        try {
            APPLY = MethodHandles.lookup().findVirtual(Upcall.class, "apply", MethodType.methodType(void.class,
                    MemorySegment.class, MemorySegment.class, MemorySegment.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LibMpi mpi;
    private final Arena arena = Arena.ofShared();
    private final Map<Op, Map<Datatype, Handle>> made = new ConcurrentHashMap<>();

    NativeOps(LibMpi mpi) {
        this.mpi = mpi;
    }

    Handle handle(Op op, Datatype type) {
        Long builtin = builtin(op, type);
        if (builtin != null) {
            return new Handle(builtin, mpi.abi.datatype(type), 1, null);
        }
        return made.computeIfAbsent(op, o -> new ConcurrentHashMap<>()).computeIfAbsent(type, t -> create(op, t));
    }

    /** The library's operation for {@code op} on {@code type}, where MPI means what mpi4j means, else null. */
    private Long builtin(Op op, Datatype type) {
        boolean integer = type == Datatype.BYTE || type == Datatype.SHORT || type == Datatype.INT
                || type == Datatype.LONG || type == Datatype.CHAR;
        boolean floating = type == Datatype.FLOAT || type == Datatype.DOUBLE;
        if (op == Op.SUM || op == Op.PROD) {
            return integer || floating ? mpi.abi.op(op.name()) : null;
        }
        if (op == Op.MIN || op == Op.MAX) {
            return integer ? mpi.abi.op(op.name()) : null; // floating: Java's NaN rules, by upcall
        }
        if (op == Op.BAND || op == Op.BOR || op == Op.BXOR) {
            return integer ? mpi.abi.op(op.name()) : null;
        }
        if (op == Op.LAND || op == Op.LOR || op == Op.LXOR) {
            return type == Datatype.BOOLEAN ? mpi.abi.op(op.name()) : null;
        }
        return null;
    }

    private Handle create(Op op, Datatype type) {
        boolean pairs = op == Op.MINLOC || op == Op.MAXLOC;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            long datatype = mpi.abi.datatype(type);
            if (pairs) {
                MemorySegment t = arena.allocate(8, 8);
                mpi.check((int) mpi.typeContiguous.invokeExact(2, datatype, t), "MPI_Type_contiguous");
                mpi.check((int) mpi.typeCommit.invokeExact(t), "MPI_Type_commit");
                datatype = mpi.abi.handle.byteSize() == 4 ? t.get(ValueLayout.JAVA_INT, 0) : t.get(ValueLayout.JAVA_LONG, 0);
            }
            Upcall target = new Upcall(op, type, pairs ? 2 : 1, failure);
            MemorySegment fn = Linker.nativeLinker().upcallStub(APPLY.bindTo(target), FunctionDescriptor.ofVoid(
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS), arena);
            MemorySegment h = arena.allocate(8, 8);
            mpi.check((int) mpi.opCreate.invokeExact(fn, op.isCommutative() ? 1 : 0, h), "MPI_Op_create");
            long handle = mpi.abi.handle.byteSize() == 4 ? h.get(ValueLayout.JAVA_INT, 0) : h.get(ValueLayout.JAVA_LONG, 0);
            return new Handle(handle, datatype, pairs ? 2 : 1, failure);
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "cannot make an MPI operation for " + op + " on " + type + ": " + e, e);
        }
    }

    /** The Java side of an MPI user function: {@code inout[i] = in[i] op inout[i]}. */
    private record Upcall(Op op, Datatype type, int perElement, AtomicReference<Throwable> failure) {
        @SuppressWarnings("unused") // called by MPI through the upcall stub
        void apply(MemorySegment in, MemorySegment inout, MemorySegment len, MemorySegment datatype) {
            try {
                int n = len.reinterpret(4).get(ValueLayout.JAVA_INT, 0) * perElement;
                long bytes = (long) n * type.extent();
                Buf a = Buf.allocate(type, n);
                a.copyFrom(in.reinterpret(bytes), 0, 0, bytes);
                Buf b = Buf.allocate(type, n);
                MemorySegment io = inout.reinterpret(bytes);
                b.copyFrom(io, 0, 0, bytes);
                op.reduce(a, b);
                b.copyTo(0, io, 0, bytes);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }
}
