package org.mpi4j.engine.libmpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;

/**
 * Checks every value of {@link Abi.Mpich} and {@link Abi.OpenMpi} against the installed MPI
 * headers: it writes a small C program, compiles it with that MPI's compiler wrapper
 * ({@code mpicc.mpich}, {@code mpicc.openmpi}) into a temporary directory, runs it (without
 * {@code mpirun}: it never calls {@code MPI_Init}, it only prints compile-time constants) and
 * compares what it prints with the {@code Abi}.
 *
 * <p>Checked: the predefined handles (communicators, null handles, {@code MPI_ERRORS_RETURN}, the
 * datatype of each Java element type, the ten reduction operations, {@code MPI_BYTE} and
 * {@code MPI_INT}) and the size of each handle type; {@code MPI_ANY_SOURCE},
 * {@code MPI_PROC_NULL}, {@code MPI_ANY_TAG}, {@code MPI_UNDEFINED}; the addresses
 * {@code MPI_STATUS_IGNORE} and {@code MPI_IN_PLACE}; the size of {@code MPI_Status} and the
 * offsets of its {@code MPI_SOURCE}, {@code MPI_TAG} and {@code MPI_ERROR}; the three maximum
 * string lengths; and the error-class mapping, whose keys must be the header's
 * {@code MPI_ERR_*} numbers of the classes they stand for.
 *
 * <p>MPICH's handles are integer constants and are compared as values. Open MPI's are addresses
 * of the library's {@code ompi_*} objects, which differ between processes: the C program prints
 * whether each macro equals the address of the symbol this test expects (e.g.
 * {@code MPI_COMM_WORLD == (MPI_Comm)&ompi_mpi_comm_world}), and the test checks that the
 * {@code Abi} holds that symbol's address in this process ({@code libmpi.so.40}).
 *
 * <p>An MPI whose compiler wrapper is not installed is skipped, with the Debian packages to
 * install in the message.
 */
class AbiTest {
    @TempDir
    Path dir;

    /**
     * A predefined handle: its name in messages, how to read it from an {@link Abi}, its C macro
     * and type, and the Open MPI object whose address it is.
     */
    private record Handle(String name, Function<Abi, Long> value, String macro, String type, String ompiSymbol) {}

    private static final List<Handle> HANDLES = List.of(
            new Handle("commWorld", a -> a.commWorld, "MPI_COMM_WORLD", "MPI_Comm", "ompi_mpi_comm_world"),
            new Handle("commSelf", a -> a.commSelf, "MPI_COMM_SELF", "MPI_Comm", "ompi_mpi_comm_self"),
            new Handle("commNull", a -> a.commNull, "MPI_COMM_NULL", "MPI_Comm", "ompi_mpi_comm_null"),
            new Handle("groupNull", a -> a.groupNull, "MPI_GROUP_NULL", "MPI_Group", "ompi_mpi_group_null"),
            new Handle("requestNull", a -> a.requestNull, "MPI_REQUEST_NULL", "MPI_Request", "ompi_request_null"),
            new Handle("messageNull", a -> a.messageNull, "MPI_MESSAGE_NULL", "MPI_Message", "ompi_message_null"),
            new Handle("messageNoProc", a -> a.messageNoProc, "MPI_MESSAGE_NO_PROC", "MPI_Message",
                    "ompi_message_no_proc"),
            new Handle("opNull", a -> a.opNull, "MPI_OP_NULL", "MPI_Op", "ompi_mpi_op_null"),
            new Handle("errorsReturn", a -> a.errorsReturn, "MPI_ERRORS_RETURN", "MPI_Errhandler",
                    "ompi_mpi_errors_return"),
            type(Datatype.BYTE, "MPI_INT8_T", "ompi_mpi_int8_t"),
            type(Datatype.BOOLEAN, "MPI_C_BOOL", "ompi_mpi_c_bool"),
            type(Datatype.CHAR, "MPI_UINT16_T", "ompi_mpi_uint16_t"),
            type(Datatype.SHORT, "MPI_INT16_T", "ompi_mpi_int16_t"),
            type(Datatype.INT, "MPI_INT32_T", "ompi_mpi_int32_t"),
            type(Datatype.FLOAT, "MPI_FLOAT", "ompi_mpi_float"),
            type(Datatype.LONG, "MPI_INT64_T", "ompi_mpi_int64_t"),
            type(Datatype.DOUBLE, "MPI_DOUBLE", "ompi_mpi_double"),
            type(Datatype.OBJECT, "MPI_BYTE", "ompi_mpi_byte"),
            op("SUM"), op("PROD"), op("MIN"), op("MAX"), op("LAND"), op("LOR"), op("LXOR"),
            op("BAND"), op("BOR"), op("BXOR"),
            new Handle("byteType", a -> a.byteType, "MPI_BYTE", "MPI_Datatype", "ompi_mpi_byte"),
            new Handle("intType", a -> a.intType, "MPI_INT", "MPI_Datatype", "ompi_mpi_int"));

    private static Handle type(Datatype t, String macro, String symbol) {
        return new Handle("datatype(" + t + ")", a -> a.datatype(t), macro, "MPI_Datatype", symbol);
    }

    private static Handle op(String name) {
        return new Handle("op(" + name + ")", a -> a.op(name), "MPI_" + name, "MPI_Op",
                "ompi_mpi_op_" + name.toLowerCase());
    }

    /** A number: its name in messages, how to read it from an {@link Abi}, and a C expression. */
    private record Constant(String name, Function<Abi, Long> value, String c) {}

    private static final List<Constant> CONSTANTS = List.of(
            new Constant("anySource", a -> (long) a.anySource, "MPI_ANY_SOURCE"),
            new Constant("procNull", a -> (long) a.procNull, "MPI_PROC_NULL"),
            new Constant("anyTag", a -> (long) a.anyTag, "MPI_ANY_TAG"),
            new Constant("undefined", a -> (long) a.undefined, "MPI_UNDEFINED"),
            new Constant("statusIgnore", a -> a.statusIgnore.address(), "(intptr_t) MPI_STATUS_IGNORE"),
            new Constant("inPlace", a -> a.inPlace.address(), "(intptr_t) MPI_IN_PLACE"),
            new Constant("statusBytes", a -> (long) a.statusBytes, "sizeof(MPI_Status)"),
            new Constant("statusSourceOffset", a -> a.statusSourceOffset, "offsetof(MPI_Status, MPI_SOURCE)"),
            new Constant("statusTagOffset", a -> a.statusTagOffset, "offsetof(MPI_Status, MPI_TAG)"),
            new Constant("statusErrorOffset", a -> a.statusErrorOffset, "offsetof(MPI_Status, MPI_ERROR)"),
            new Constant("maxLibraryVersion", a -> (long) a.maxLibraryVersion, "MPI_MAX_LIBRARY_VERSION_STRING"),
            new Constant("maxErrorString", a -> (long) a.maxErrorString, "MPI_MAX_ERROR_STRING"),
            new Constant("maxProcessorName", a -> (long) a.maxProcessorName, "MPI_MAX_PROCESSOR_NAME"));

    /** The MPI error classes the {@code Abi}s map, by name without {@code MPI_ERR_}, and what to. */
    private static final Map<String, ErrorClass> ERROR_CLASSES = new LinkedHashMap<>();

    static {
        ERROR_CLASSES.put("BUFFER", ErrorClass.BUFFER);
        ERROR_CLASSES.put("COUNT", ErrorClass.COUNT);
        ERROR_CLASSES.put("TYPE", ErrorClass.TYPE);
        ERROR_CLASSES.put("TAG", ErrorClass.TAG);
        ERROR_CLASSES.put("COMM", ErrorClass.COMM);
        ERROR_CLASSES.put("RANK", ErrorClass.RANK);
        ERROR_CLASSES.put("REQUEST", ErrorClass.REQUEST);
        ERROR_CLASSES.put("ROOT", ErrorClass.RANK);
        ERROR_CLASSES.put("GROUP", ErrorClass.COMM);
        ERROR_CLASSES.put("OP", ErrorClass.ARG);
        ERROR_CLASSES.put("TOPOLOGY", ErrorClass.TOPOLOGY);
        ERROR_CLASSES.put("DIMS", ErrorClass.TOPOLOGY);
        ERROR_CLASSES.put("ARG", ErrorClass.ARG);
        ERROR_CLASSES.put("TRUNCATE", ErrorClass.TRUNCATE);
        ERROR_CLASSES.put("NO_MEM", ErrorClass.BUFFER);
        ERROR_CLASSES.put("UNSUPPORTED_OPERATION", ErrorClass.UNSUPPORTED);
    }

    /**
     * Error class numbers scanned for entries the mapping should not have: every number below
     * this (MPI's classes are small numbers; MPICH's {@code MPI_ERR_LASTCODE} is a bound on codes,
     * not a class).
     */
    private static final int ERROR_CLASS_SCAN = 1024;

    @Test
    void mpich() throws Exception {
        String mpicc = requireCompiler("mpicc.mpich", "mpich libmpich-dev");
        Abi abi = new Abi.Mpich();
        Map<String, String> c = compileAndRun(mpicc, false);
        List<String> problems = new ArrayList<>();
        for (Handle h : HANDLES) {
            compare(problems, h.name() + " = " + h.macro(), number(c, "handle " + h.name()), read(h, abi));
        }
        checkCommon(problems, abi, c);
        report(abi, c, problems);
    }

    @Test
    void openMpi() throws Exception {
        String mpicc = requireCompiler("mpicc.openmpi", "openmpi-bin libopenmpi-dev");
        SymbolLookup lib = SymbolLookup.libraryLookup("libmpi.so.40", Arena.global());
        Abi abi = new Abi.OpenMpi(lib);
        Map<String, String> c = compileAndRun(mpicc, true);
        List<String> problems = new ArrayList<>();
        for (Handle h : HANDLES) {
            // In C: the macro is the address of this symbol. Here: the Abi holds that address.
            long same = number(c, "handle " + h.name());
            if (same != 1) {
                problems.add(h.name() + ": " + h.macro() + " != (" + h.type() + ")&" + h.ompiSymbol()
                        + " in the header: the test's (and likely Abi.OpenMpi's) symbol is wrong");
            }
            MemorySegment symbol = lib.find(h.ompiSymbol()).orElse(null);
            if (symbol == null) {
                problems.add(h.name() + ": libmpi.so.40 has no symbol " + h.ompiSymbol());
                continue;
            }
            compare(problems, h.name() + " = " + h.macro() + " = &" + h.ompiSymbol(), symbol.address(), read(h, abi));
        }
        checkCommon(problems, abi, c);
        report(abi, c, problems);
    }

    /** The handle sizes, constants and error classes, the same way for every ABI. */
    private static void checkCommon(List<String> problems, Abi abi, Map<String, String> c) {
        Set<String> types = new LinkedHashSet<>();
        HANDLES.forEach(h -> types.add(h.type()));
        for (String t : types) {
            compare(problems, "handle.byteSize() = sizeof(" + t + ")", number(c, "sizeof " + t),
                    abi.handle.byteSize());
        }
        for (Constant k : CONSTANTS) {
            Long actual;
            try {
                actual = k.value().apply(abi);
            } catch (RuntimeException e) {
                actual = null;
            }
            compare(problems, k.name() + " = " + k.c(), number(c, "constant " + k.name()), actual);
        }
        // The header's number of each class, then every number's expected mpi4j class.
        Map<Integer, String> names = new HashMap<>();
        for (String name : ERROR_CLASSES.keySet()) {
            int n = (int) number(c, "error MPI_ERR_" + name);
            String clash = names.put(n, name);
            assertTrue(clash == null || ERROR_CLASSES.get(clash) == ERROR_CLASSES.get(name),
                    "the header gives MPI_ERR_" + clash + " and MPI_ERR_" + name + " the same number " + n);
        }
        for (int n = 0; n < Math.max(ERROR_CLASS_SCAN, names.keySet().stream().mapToInt(i -> i + 1).max().orElse(0));
                n++) {
            String name = names.get(n);
            ErrorClass expected = name == null ? ErrorClass.INTERN : ERROR_CLASSES.get(name);
            ErrorClass actual = abi.errorClass(n);
            if (actual != expected) {
                problems.add("errorClass(" + n + "): expected " + expected
                        + (name == null ? " (the default: no mapped MPI_ERR_* class has number " + n + " in the header)"
                                : " (MPI_ERR_" + name + " is " + n + " in the header)")
                        + ", Abi has " + actual);
            }
        }
    }

    private static Long read(Handle h, Abi abi) {
        try {
            return h.value().apply(abi);
        } catch (RuntimeException e) { // a missing map entry unboxed
            return null;
        }
    }

    private static void compare(List<String> problems, String what, long expected, Long actual) {
        if (actual == null || actual != expected) {
            problems.add(what + ": expected " + show(expected) + " (header), Abi has "
                    + (actual == null ? "nothing" : show(actual)));
        }
    }

    private static String show(long v) {
        return v + " (0x" + Long.toHexString(v) + ")";
    }

    private static void report(Abi abi, Map<String, String> c, List<String> problems) {
        if (!problems.isEmpty()) {
            String message = "Abi." + abi.getClass().getSimpleName() + " disagrees with the installed header ("
                    + c.getOrDefault("version", "?") + ") in " + problems.size() + " place(s):\n  "
                    + String.join("\n  ", problems);
            fail(message);
        }
    }

    private static long number(Map<String, String> c, String key) {
        String v = c.get(key);
        assertTrue(v != null, "the C program printed no " + key + "; it printed " + c);
        return Long.parseLong(v);
    }

    /** The compiler wrapper's path, or skips the test and says which packages would provide it. */
    private static String requireCompiler(String name, String packages) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        assumeTrue(false, name + " is not on the PATH: install the Debian packages " + packages
                + " (apt-get install " + packages + ") to check this ABI against its header");
        return null;
    }

    /** Writes, compiles and runs the C program; returns what it printed, "key value" per line. */
    private Map<String, String> compileAndRun(String mpicc, boolean openMpi) throws IOException, InterruptedException {
        Path source = dir.resolve("abi.c");
        Path exe = dir.resolve("abi");
        Files.writeString(source, program(openMpi));
        run(List.of(mpicc, "-o", exe.toString(), source.toString()), "compiling " + source + " with " + mpicc);
        String out = run(List.of(exe.toString()), "running the compiled program");
        Map<String, String> values = new HashMap<>();
        for (String line : out.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space > 0) {
                values.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        return values;
    }

    private static String program(boolean openMpi) {
        StringBuilder s = new StringBuilder("""
                #include <mpi.h>
                #include <stddef.h>
                #include <stdint.h>
                #include <stdio.h>

                int main(void) {
                #if defined(OMPI_MAJOR_VERSION)
                    printf("version Open_MPI_%d.%d.%d\\n", OMPI_MAJOR_VERSION, OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION);
                #elif defined(MPICH_VERSION)
                    printf("version MPICH_%s\\n", MPICH_VERSION);
                #endif
                """);
        for (Handle h : HANDLES) {
            if (openMpi) {
                s.append("    printf(\"handle %s %d\\n\", \"").append(h.name()).append("\", ")
                        .append(h.macro()).append(" == (").append(h.type()).append(")&").append(h.ompiSymbol())
                        .append(");\n");
            } else {
                s.append("    printf(\"handle %s %lld\\n\", \"").append(h.name()).append("\", (long long) ")
                        .append(h.macro()).append(");\n");
            }
        }
        new LinkedHashSet<>(HANDLES.stream().map(Handle::type).toList()).forEach(t -> s.append(
                "    printf(\"sizeof %s %lld\\n\", \"").append(t).append("\", (long long) sizeof(").append(t)
                .append("));\n"));
        for (Constant k : CONSTANTS) {
            s.append("    printf(\"constant %s %lld\\n\", \"").append(k.name()).append("\", (long long) (")
                    .append(k.c()).append("));\n");
        }
        for (String name : ERROR_CLASSES.keySet()) {
            s.append("    printf(\"error %s %lld\\n\", \"MPI_ERR_").append(name).append("\", (long long) MPI_ERR_")
                    .append(name).append(");\n");
        }
        return s.append("    return 0;\n}\n").toString();
    }

    private String run(List<String> command, String what) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish in 60 s: " + String.join(" ", command));
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> what + " failed: " + String.join(" ", command) + "\n" + text);
        return text;
    }
}
