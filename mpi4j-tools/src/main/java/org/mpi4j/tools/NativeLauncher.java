package org.mpi4j.tools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code mpi4j run --engine native}: the installed MPI's own launcher starts the JVMs, and
 * {@code Mpi.init} in each finds the native engine by the launcher's variables.
 *
 * <p>The launcher is {@code MPI4J_MPIRUN} if set, else {@code mpirun}; options for it go in
 * {@code MPI4J_MPIRUN_OPTS}. {@code -x} variables are set in its environment, and named to
 * Open MPI's {@code mpirun} with its own {@code -x} (MPICH's Hydra passes the whole
 * environment); {@code --jvm} options go to every rank's JVM. As root, Open MPI's refusal to
 * run is lifted through its documented variables. The exit status is the launcher's;
 * {@code --timeout} ends it with status 124.
 */
final class NativeLauncher {
    private final RunOptions options;
    private final String classPath;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    NativeLauncher(RunOptions options, String classPath, Map<String, String> env, PrintStream out, PrintStream err) {
        this.options = options;
        this.classPath = classPath;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    int run() {
        String mpirun = env.getOrDefault("MPI4J_MPIRUN", "mpirun");
        boolean openMpi = isOpenMpi(mpirun);
        List<String> cmd = new ArrayList<>();
        cmd.add(mpirun);
        String extra = env.get("MPI4J_MPIRUN_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-n");
        cmd.add(Integer.toString(options.ranks()));
        if (openMpi) {
            for (String var : options.environment().keySet()) {
                cmd.add("-x");
                cmd.add(var);
            }
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(options.jvmOptions());
        cmd.add("-cp");
        String own = System.getProperty("java.class.path");
        cmd.add(classPath.isEmpty() ? own : own + File.pathSeparator + classPath);
        cmd.add(options.mainClass());
        cmd.addAll(options.programArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(options.environment());
        pb.environment().put("MPI4J_ENGINE", "native");
        if ("root".equals(System.getProperty("user.name"))) {
            pb.environment().putIfAbsent("OMPI_ALLOW_RUN_AS_ROOT", "1");
            pb.environment().putIfAbsent("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            err.println("mpi4j run: cannot start " + mpirun + " (" + e.getMessage() + "); install Open MPI or MPICH,"
                    + " or name the launcher in MPI4J_MPIRUN");
            return Mpi4j.EXIT_FAILED;
        }
        List<Thread> pumps = List.of(pump(p.getInputStream(), out), pump(p.getErrorStream(), err));
        Thread killer = Thread.ofPlatform().unstarted(() -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        });
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            if (options.timeout() != null) {
                if (!p.waitFor(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    err.println("mpi4j run: timed out after " + options.timeout().toMillis() / 1000.0 + " s; stopping "
                            + mpirun);
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    return Mpi4j.EXIT_TIMEOUT;
                }
            }
            int status = p.waitFor();
            for (Thread t : pumps) {
                t.join(2_000);
            }
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Mpi4j.EXIT_FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** Copies the launcher's output, a line at a time, to {@code to}. */
    private static Thread pump(java.io.InputStream from, PrintStream to) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(from,
                    java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    to.println(line);
                }
            } catch (IOException ignored) {
                // the launcher is gone
            }
        });
    }

    /** Whether {@code mpirun} is Open MPI's: it or a link it resolves through is named for Open MPI or orterun. */
    static boolean isOpenMpi(String mpirun) {
        Path p = Path.of(mpirun);
        if (!p.isAbsolute()) {
            String path = System.getenv("PATH");
            for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
                Path c = Path.of(dir, mpirun);
                if (Files.isExecutable(c)) {
                    p = c;
                    break;
                }
            }
        }
        try {
            String real = p.toRealPath().toString();
            return real.contains("openmpi") || real.contains("orterun") || real.contains("prterun");
        } catch (IOException e) {
            return mpirun.contains("openmpi");
        }
    }
}
