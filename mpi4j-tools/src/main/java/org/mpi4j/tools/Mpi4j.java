package org.mpi4j.tools;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.LocalJob;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;

/**
 * The {@code mpi4j} command line.
 *
 * <pre>
 * mpi4j run -n N [-cp CLASSPATH] [--tag-output] [--timeout SECONDS] [--engine process|local]
 *           [-x VAR[=VALUE]] [--jvm OPTION] MainClass [args...]
 * </pre>
 *
 * <p>{@code run} starts {@code MainClass}'s main method on {@code N} ranks. With the process
 * engine, the default, each rank is a JVM of its own ({@link ProcessLauncher}). With the local
 * engine, the ranks are threads of this JVM: {@link Mpi#init} inside each returns that rank,
 * so a program written for any engine runs unchanged. Options follow {@code mpirun}'s
 * conventions ({@code -n} or {@code -np}; options before the program, the program's own
 * arguments after it).
 *
 * <p>If a rank fails, the job is aborted (no rank is left waiting for it) and the report
 * names the rank and shows its exception. Exit status:
 * <ul>
 *   <li>{@value #EXIT_OK} — every rank finished;</li>
 *   <li>the error code given to {@code Comm.abort(code)} if a rank called it (when it is
 *       between 1 and 255), else {@value #EXIT_FAILED} — a rank failed;</li>
 *   <li>{@value #EXIT_USAGE} — the command line is wrong: an unknown option, no {@code -n},
 *       a class that is not there or has no main method;</li>
 *   <li>{@value #EXIT_TIMEOUT} — the job ran past {@code --timeout} (as {@code timeout(1)}).</li>
 * </ul>
 *
 * <p>While a job runs, {@code System.out} and {@code System.err} are replaced (see
 * {@link RankOutput}), so this runs one job at a time per JVM.
 */
public final class Mpi4j {
    /** Every rank finished. */
    public static final int EXIT_OK = 0;
    /** A rank failed. */
    public static final int EXIT_FAILED = 1;
    /** The command line is wrong. */
    public static final int EXIT_USAGE = 2;
    /** The job ran past its time limit. */
    public static final int EXIT_TIMEOUT = 124;

    static final String USAGE = """
            Usage: mpi4j COMMAND [ARGS...]

            Commands:
              run       run a Java program on N ranks (see: mpi4j run --help)
              bench     run an OSU-style benchmark (see: mpi4j bench --help)

            Options:
              -h, --help  print this help
              --version   print mpi4j's version
            """;

    static final String RUN_USAGE_HEAD = """
            Usage: mpi4j run -n N [OPTIONS] MAIN_CLASS [ARGS...]

            Runs MAIN_CLASS's main method on N ranks; Mpi.init(args) in it joins the job.
            Each rank is a JVM of its own (the process engine); with --engine local the ranks are
            threads of this JVM instead (they share static fields).

            Options:
            """;

    static final String RUN_USAGE_TAIL = """

            Exit status: 0 if every rank finished; 1 if a rank failed (or the code it passed to
            Comm.abort); 2 for a bad command line; 124 if the job timed out.
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final java.io.InputStream in;

    /** Creates a command line that prints to {@code out} and {@code err}, and gives rank 0 this process's input. */
    public Mpi4j(PrintStream out, PrintStream err) {
        this(System.in, out, err, System.getenv());
    }

    Mpi4j(java.io.InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int status = new Mpi4j(System.out, System.err).execute(args);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Runs the command line and returns its exit status. */
    public int execute(String... args) {
        List<String> list = Arrays.asList(args);
        if (list.isEmpty()) {
            err.print(USAGE);
            return EXIT_USAGE;
        }
        String command = list.getFirst();
        switch (command) {
            case "-h", "--help", "help" -> {
                out.print(USAGE);
                return EXIT_OK;
            }
            case "--version", "-V", "version" -> {
                out.println("mpi4j " + version());
                return EXIT_OK;
            }
            case "run" -> {
                return run(list.subList(1, list.size()));
            }
            case "bench" -> {
                return bench(list.subList(1, list.size()));
            }
            default -> {
                err.println("mpi4j: unknown command: " + command);
                err.print(USAGE);
                return EXIT_USAGE;
            }
        }
    }

    static final String BENCH_USAGE = """
            Usage: mpi4j bench [RUN OPTIONS] TEST [BENCH OPTIONS]

            Runs an OSU-style benchmark on N ranks (default -n 2) of any engine, printing
            OSU's table. RUN OPTIONS are mpi4j run's (-n, --engine, --jvm, -x, ...).

            Tests: latency bw bibw multi_lat bcast reduce allreduce allgather alltoall gather
                   scatter reduce_scatter barrier

            Bench options:
              -m MAX | MIN:MAX        message sizes in bytes (powers of two; default up to 1 MiB)
              -i N                    timed iterations per size
              -x N                    warm-up iterations per size, as OSU's
              --warmup-seconds S      first run every size for S seconds (default 5): the JIT
                                      and the heap's first collection, which C does not need
              --objects record|map|records
                                      latency of objects instead of bytes (sizes are counts)
              --algorithm NAME        force a collective algorithm (as mpi4j.coll.TEST=NAME)
              --csv FILE, --json FILE also write the results to FILE
              --quiet                 no progress lines on standard error

            Example: mpi4j bench -n 4 allreduce -m 8:65536 --csv allreduce.csv
            """;

    /** {@code mpi4j bench}: {@code mpi4j run} of {@link org.mpi4j.tools.bench.Osu} with the test and its options. */
    private int bench(List<String> args) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            (args.isEmpty() ? err : out).print(BENCH_USAGE);
            return args.isEmpty() ? EXIT_USAGE : EXIT_OK;
        }
        int test = -1;
        for (int i = 0; i < args.size(); i++) {
            if (org.mpi4j.tools.bench.Osu.TESTS.contains(args.get(i))) {
                test = i;
                break;
            }
        }
        if (test < 0) {
            err.println("mpi4j bench: name a test: " + String.join(", ", org.mpi4j.tools.bench.Osu.TESTS));
            err.print(BENCH_USAGE);
            return EXIT_USAGE;
        }
        List<String> runArgs = new java.util.ArrayList<>(args.subList(0, test));
        if (!runArgs.contains("-n") && !runArgs.contains("-np") && runArgs.stream().noneMatch(a -> a.startsWith("--np="))) {
            runArgs.addAll(0, List.of("-n", "2"));
        }
        runArgs.add(org.mpi4j.tools.bench.Osu.class.getName());
        runArgs.addAll(args.subList(test, args.size()));
        return run(runArgs);
    }

    static String runUsage() {
        return RUN_USAGE_HEAD + RunOptions.optionsHelp() + RUN_USAGE_TAIL;
    }

    private int run(List<String> args) {
        RunOptions options;
        Program program;
        try {
            options = RunOptions.parse(args);
            if (options == null) {
                out.print(runUsage());
                return EXIT_OK;
            }
            program = Program.load(classPath(options), options.mainClass());
        } catch (UsageException e) {
            err.println("mpi4j run: " + e.getMessage());
            err.print(runUsage());
            return EXIT_USAGE;
        }
        if (options.engine().equals("process")) {
            program.close();
            return new ProcessLauncher(options, classPath(options), in, out, err).run();
        }
        if (options.engine().equals("native")) {
            program.close();
            return new NativeLauncher(options, classPath(options), env, out, err).run();
        }
        try (program) {
            return runLocal(options, program);
        }
    }

    private String classPath(RunOptions options) {
        if (options.classPath() != null) {
            return options.classPath();
        }
        String cp = env.get("CLASSPATH");
        return cp != null && !cp.isEmpty() ? cp : ".";
    }

    /** Runs the program on a local job: each rank a thread of this JVM. */
    private int runLocal(RunOptions options, Program program) {
        LocalJob job = Mpi.local(options.ranks());
        if (options.timeout() != null) {
            job.timeout(options.timeout());
        }
        String[] args = options.programArgs().toArray(String[]::new);
        AtomicReferenceArray<Throwable> failures = new AtomicReferenceArray<>(options.ranks());
        RankOutput output = RankOutput.install(out, err, options.tagOutput());
        try {
            job.execute(world -> {
                int rank = world.rank();
                Thread thread = Thread.currentThread();
                ClassLoader saved = thread.getContextClassLoader();
                thread.setContextClassLoader(program.loader());
                output.enterRank(rank);
                try {
                    program.run(args);
                } catch (Throwable t) {
                    failures.set(rank, t);
                    throw t;
                } finally {
                    output.exitRank();
                    thread.setContextClassLoader(saved);
                }
            });
            return EXIT_OK;
        } catch (JobAbortedException e) {
            output.close();
            reportFailure(e, failures, options, program);
            int code = e.errorCode();
            return code >= 1 && code <= 255 ? code : EXIT_FAILED;
        } catch (MpiException e) {
            output.close();
            if (e.errorClass() == ErrorClass.TIMEOUT) {
                err.println("mpi4j run: timed out: " + e.getMessage());
                return EXIT_TIMEOUT;
            }
            err.println("mpi4j run: the job could not run: " + e.getMessage());
            e.printStackTrace(err);
            return EXIT_FAILED;
        } finally {
            output.close();
        }
    }

    /**
     * Says which rank failed and why: the abort's message, then the rank's exception.
     *
     * <p>The rank the job names is the first whose failure reached the engine, which is not
     * always the rank that failed first: a program that fails inside
     * {@code try (Mpi mpi = Mpi.init(args))} finalizes its rank on the way out, and a peer
     * waiting for it may fail with "rank R has finalized" (or the abort) before the real
     * exception arrives. So the report names the rank whose exception is a cause, not a
     * consequence, when there is one.
     */
    private void reportFailure(JobAbortedException e, AtomicReferenceArray<Throwable> failures, RunOptions options,
            Program program) {
        int rank = e.failedRank();
        Throwable cause = e.getCause();
        int root = rootCause(failures);
        String who = rank >= 0 && rank < options.ranks() ? "rank " + rank + " of " + options.ranks() : "a rank";
        if (root >= 0 && root != rank) {
            rank = root;
            cause = failures.get(root);
            err.println("mpi4j run: rank " + rank + " of " + options.ranks() + " failed; the job was aborted.");
        } else {
            err.println("mpi4j run: " + who + " failed; the job was aborted.");
            err.println("  " + e.getMessage());
        }
        if (cause != null) {
            program.trimStackTrace(cause);
            cause.printStackTrace(err);
        }
        for (int r = 0; r < failures.length(); r++) {
            Throwable t = failures.get(r);
            if (r != rank && t != null && !isConsequence(t)) {
                program.trimStackTrace(t);
                err.print("rank " + r + " failed too: ");
                t.printStackTrace(err);
            }
        }
    }

    /** The lowest rank whose failure is not a consequence of another's, or -1. */
    private static int rootCause(AtomicReferenceArray<Throwable> failures) {
        for (int r = 0; r < failures.length(); r++) {
            Throwable t = failures.get(r);
            if (t != null && !isConsequence(t)) {
                return r;
            }
        }
        return -1;
    }

    /** Whether a rank's exception only reports that another rank failed, aborted or finalized. */
    private static boolean isConsequence(Throwable t) {
        return t instanceof MpiException m
                && (m.errorClass() == ErrorClass.ABORTED || m.errorClass() == ErrorClass.PROC_FINALIZED);
    }

    private static String version() {
        String v = Mpi4j.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build)";
    }
}
