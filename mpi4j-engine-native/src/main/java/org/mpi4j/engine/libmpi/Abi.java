package org.mpi4j.engine.libmpi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;

/**
 * What differs between the binary interfaces of MPI libraries: the size of a handle, the
 * values of predefined handles and constants, the layout of {@code MPI_Status}, the lengths
 * of strings, the numbers of error classes. Every handle is carried as a Java {@code long}
 * whatever its C type (a pointer in Open MPI, an {@code int} in MPICH); {@link LibMpi} adapts
 * the calls.
 *
 * <p>The values are those of the installed headers, Open MPI 4.1's
 * ({@code openmpi/include/mpi.h}) and MPICH 4.0's ({@code mpich/mpi.h}), and a test checks them
 * against a C program compiled with each ({@code AbiTest}).
 */
abstract sealed class Abi permits Abi.OpenMpi, Abi.Mpich {
    /** The library family's name, for messages. */
    final String family;
    /** The C type of a handle: a pointer ({@code JAVA_LONG} here) or an {@code int}. */
    final ValueLayout handle;

    final long commWorld;
    final long commSelf;
    final long commNull;
    final long groupNull;
    final long requestNull;
    final long messageNull;
    final long messageNoProc;
    final long opNull;
    final long errorsReturn;

    final int anySource;
    final int anyTag;
    final int procNull;
    final int undefined;
    /** {@code MPI_STATUS_IGNORE}, {@code MPI_IN_PLACE}: addresses with meanings. */
    final MemorySegment statusIgnore;
    final MemorySegment inPlace;
    final int statusBytes;
    final long statusSourceOffset;
    final long statusTagOffset;
    final long statusErrorOffset;
    final int maxLibraryVersion;
    final int maxErrorString;
    final int maxProcessorName;

    private final long[] types; // by Datatype ordinal: looked up on every reduction
    private final Map<String, Long> ops;
    private final Map<Integer, ErrorClass> errorClasses;
    final long byteType;
    final long intType;

    private Abi(String family, ValueLayout handle, Map<String, Long> h, int anySource, int procNull,
            MemorySegment statusIgnore, MemorySegment inPlace, int statusBytes, long source, long tag, long error,
            int maxLibraryVersion, int maxErrorString, int maxProcessorName, Map<Integer, ErrorClass> errorClasses) {
        this.family = family;
        this.handle = handle;
        this.commWorld = h.get("comm_world");
        this.commSelf = h.get("comm_self");
        this.commNull = h.get("comm_null");
        this.groupNull = h.get("group_null");
        this.requestNull = h.get("request_null");
        this.messageNull = h.get("message_null");
        this.messageNoProc = h.get("message_no_proc");
        this.opNull = h.get("op_null");
        this.errorsReturn = h.get("errors_return");
        this.anySource = anySource;
        this.anyTag = -1;
        this.procNull = procNull;
        this.undefined = -32766;
        this.statusIgnore = statusIgnore;
        this.inPlace = inPlace;
        this.statusBytes = statusBytes;
        this.statusSourceOffset = source;
        this.statusTagOffset = tag;
        this.statusErrorOffset = error;
        this.maxLibraryVersion = maxLibraryVersion;
        this.maxErrorString = maxErrorString;
        this.maxProcessorName = maxProcessorName;
        this.types = new long[Datatype.values().length];
        types[Datatype.BYTE.ordinal()] = h.get("int8_t");
        types[Datatype.BOOLEAN.ordinal()] = h.get("c_bool");
        types[Datatype.CHAR.ordinal()] = h.get("uint16_t");
        types[Datatype.SHORT.ordinal()] = h.get("int16_t");
        types[Datatype.INT.ordinal()] = h.get("int32_t");
        types[Datatype.FLOAT.ordinal()] = h.get("float");
        types[Datatype.LONG.ordinal()] = h.get("int64_t");
        types[Datatype.DOUBLE.ordinal()] = h.get("double");
        types[Datatype.OBJECT.ordinal()] = h.get("byte");
        this.ops = Map.of("SUM", h.get("op_sum"), "PROD", h.get("op_prod"), "MIN", h.get("op_min"),
                "MAX", h.get("op_max"), "LAND", h.get("op_land"), "LOR", h.get("op_lor"), "LXOR", h.get("op_lxor"),
                "BAND", h.get("op_band"), "BOR", h.get("op_bor"), "BXOR", h.get("op_bxor"));
        this.byteType = h.get("byte");
        this.intType = h.get("int");
        this.errorClasses = errorClasses;
    }

    /** The MPI datatype of a Java element type (bytes for objects). */
    final long datatype(Datatype t) {
        return types[t.ordinal()];
    }

    /** The predefined MPI operation of this name (SUM, PROD, MIN, MAX, LAND, …), or null. */
    final Long op(String name) {
        return ops.get(name);
    }

    /** The mpi4j error class of an MPI error class, {@link ErrorClass#INTERN} for those without one. */
    final ErrorClass errorClass(int mpiClass) {
        return errorClasses.getOrDefault(mpiClass, ErrorClass.INTERN);
    }

    /** Open MPI ({@code libmpi.so.40}): handles are pointers to the library's predefined objects. */
    static final class OpenMpi extends Abi {
        OpenMpi(SymbolLookup lib) {
            super("Open MPI", ValueLayout.JAVA_LONG, openMpiHandles(lib), -1, -2, MemorySegment.NULL,
                    MemorySegment.ofAddress(1), 24, 0, 4, 8, 256, 256, 256, Map.ofEntries(
                            Map.entry(1, ErrorClass.BUFFER), Map.entry(2, ErrorClass.COUNT),
                            Map.entry(3, ErrorClass.TYPE), Map.entry(4, ErrorClass.TAG),
                            Map.entry(5, ErrorClass.COMM), Map.entry(6, ErrorClass.RANK),
                            Map.entry(7, ErrorClass.REQUEST), Map.entry(8, ErrorClass.RANK),
                            Map.entry(9, ErrorClass.COMM), Map.entry(10, ErrorClass.ARG),
                            Map.entry(11, ErrorClass.TOPOLOGY), Map.entry(12, ErrorClass.TOPOLOGY),
                            Map.entry(13, ErrorClass.ARG), Map.entry(15, ErrorClass.TRUNCATE),
                            Map.entry(39, ErrorClass.BUFFER), Map.entry(52, ErrorClass.UNSUPPORTED)));
        }

        private static Map<String, Long> openMpiHandles(SymbolLookup lib) {
            String[][] names = {
                {"comm_world", "ompi_mpi_comm_world"}, {"comm_self", "ompi_mpi_comm_self"},
                {"comm_null", "ompi_mpi_comm_null"}, {"group_null", "ompi_mpi_group_null"},
                {"request_null", "ompi_request_null"}, {"message_null", "ompi_message_null"},
                {"message_no_proc", "ompi_message_no_proc"}, {"op_null", "ompi_mpi_op_null"},
                {"errors_return", "ompi_mpi_errors_return"},
                {"byte", "ompi_mpi_byte"}, {"int", "ompi_mpi_int"}, {"int8_t", "ompi_mpi_int8_t"},
                {"c_bool", "ompi_mpi_c_bool"}, {"uint16_t", "ompi_mpi_uint16_t"}, {"int16_t", "ompi_mpi_int16_t"},
                {"int32_t", "ompi_mpi_int32_t"}, {"int64_t", "ompi_mpi_int64_t"}, {"float", "ompi_mpi_float"},
                {"double", "ompi_mpi_double"},
                {"op_sum", "ompi_mpi_op_sum"}, {"op_prod", "ompi_mpi_op_prod"}, {"op_min", "ompi_mpi_op_min"},
                {"op_max", "ompi_mpi_op_max"}, {"op_land", "ompi_mpi_op_land"}, {"op_lor", "ompi_mpi_op_lor"},
                {"op_lxor", "ompi_mpi_op_lxor"}, {"op_band", "ompi_mpi_op_band"}, {"op_bor", "ompi_mpi_op_bor"},
                {"op_bxor", "ompi_mpi_op_bxor"},
            };
            java.util.HashMap<String, Long> m = new java.util.HashMap<>();
            for (String[] n : names) {
                MemorySegment s = lib.find(n[1]).orElseThrow(() -> new IllegalStateException(
                        "Open MPI's library has no symbol " + n[1] + ": not the Open MPI ABI"));
                m.put(n[0], s.address());
            }
            return m;
        }
    }

    /** The MPICH family ({@code libmpich.so.12}, {@code libmpi.so.12}): handles are {@code int}s. */
    static final class Mpich extends Abi {
        Mpich() {
            super("MPICH", ValueLayout.JAVA_INT, mpichHandles(), -2, -1, MemorySegment.ofAddress(1),
                    MemorySegment.ofAddress(-1L), 20, 8, 12, 16, 8192, 512, 128, Map.ofEntries(
                            Map.entry(1, ErrorClass.BUFFER), Map.entry(2, ErrorClass.COUNT),
                            Map.entry(3, ErrorClass.TYPE), Map.entry(4, ErrorClass.TAG),
                            Map.entry(5, ErrorClass.COMM), Map.entry(6, ErrorClass.RANK),
                            Map.entry(7, ErrorClass.RANK), Map.entry(8, ErrorClass.COMM),
                            Map.entry(9, ErrorClass.ARG), Map.entry(10, ErrorClass.TOPOLOGY),
                            Map.entry(11, ErrorClass.TOPOLOGY), Map.entry(12, ErrorClass.ARG),
                            Map.entry(14, ErrorClass.TRUNCATE), Map.entry(19, ErrorClass.REQUEST),
                            Map.entry(34, ErrorClass.BUFFER), Map.entry(44, ErrorClass.UNSUPPORTED)));
        }

        private static Map<String, Long> mpichHandles() {
            return Map.ofEntries(
                    Map.entry("comm_world", 0x44000000L), Map.entry("comm_self", 0x44000001L),
                    Map.entry("comm_null", 0x04000000L), Map.entry("group_null", 0x08000000L),
                    Map.entry("request_null", 0x2c000000L), Map.entry("message_null", 0x2c000000L),
                    Map.entry("message_no_proc", 0x6c000000L), Map.entry("op_null", 0x18000000L),
                    Map.entry("errors_return", 0x54000001L),
                    Map.entry("byte", 0x4c00010dL), Map.entry("int", 0x4c000405L), Map.entry("int8_t", 0x4c000137L),
                    Map.entry("c_bool", 0x4c00013fL), Map.entry("uint16_t", 0x4c00023cL),
                    Map.entry("int16_t", 0x4c000238L), Map.entry("int32_t", 0x4c000439L),
                    Map.entry("int64_t", 0x4c00083aL), Map.entry("float", 0x4c00040aL),
                    Map.entry("double", 0x4c00080bL),
                    Map.entry("op_max", 0x58000001L), Map.entry("op_min", 0x58000002L),
                    Map.entry("op_sum", 0x58000003L), Map.entry("op_prod", 0x58000004L),
                    Map.entry("op_land", 0x58000005L), Map.entry("op_band", 0x58000006L),
                    Map.entry("op_lor", 0x58000007L), Map.entry("op_bor", 0x58000008L),
                    Map.entry("op_lxor", 0x58000009L), Map.entry("op_bxor", 0x5800000aL));
        }
    }
}
