package org.mpi4j.junit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.mpi4j.Mpi;
import org.mpi4j.RankAction;

/**
 * The engine variants an {@link MpiTest} can run on: the one table to extend when a new
 * engine (process, native) arrives. A variant's name is what {@code mpi4j.test.engines} and
 * {@link MpiTest#engines()} list.
 *
 * <p>A variant that takes a seed (the hostile transport) gets one per invocation, from the
 * {@code mpi4j.test.seed} setting when it is given, else a random one; the seed is shown in
 * the invocation's display name and printed, so a failure can be replayed.
 */
final class EngineVariants {

    /** The setting that lists the variants to run, comma-separated. */
    static final String ENGINES = "mpi4j.test.engines";
    /** The setting that fixes the seed of seeded variants, to replay a failure. */
    static final String SEED = "mpi4j.test.seed";
    /** The variants run when {@link #ENGINES} is not set. */
    static final String DEFAULT_ENGINES = "local";

    /** Runs a test body on every rank of a job of some size, within a time limit. */
    @FunctionalInterface
    interface Launcher {
        /**
         * Runs {@code body} on every rank of a job of {@code ranks} ranks.
         *
         * @param ranks the number of ranks
         * @param seed the invocation's seed, for variants that take one (else 0)
         * @param timeout the watchdog's limit for the whole job
         * @param body what each rank runs
         * @throws org.mpi4j.JobAbortedException if a rank failed; its cause is the rank's exception
         * @throws org.mpi4j.MpiException of class TIMEOUT if the job did not finish in time
         */
        void run(int ranks, long seed, Duration timeout, RankAction body) throws Throwable;
    }

    /**
     * How the process engine runs a test: on a {@link ProcessPool}, which needs the method
     * itself (it is called in other JVMs), not a closure.
     */
    @FunctionalInterface
    interface MethodLauncher {
        /** Runs {@code method}, which takes one {@code Comm} and nothing else, on every rank. */
        void run(int ranks, long seed, Duration timeout, java.lang.reflect.Method method) throws Throwable;
    }

    /**
     * One row of the table.
     *
     * @param name the variant's name, e.g. {@code local-hostile}
     * @param seeded whether the variant takes a seed (and so shows and prints it)
     * @param missing why the variant cannot run here (e.g. "no libmpi found"), or null if it
     *     can; a variant that cannot run disables its invocations rather than failing them
     * @param launcher how to run a job on it in this JVM, or null
     * @param methodLauncher how to run a test method in other JVMs, or null
     * @param rankCounts the rank counts the variant runs, or null for any
     */
    record Variant(String name, boolean seeded, Supplier<String> missing, Launcher launcher,
            MethodLauncher methodLauncher, Set<Integer> rankCounts) {

        Variant(String name, boolean seeded, Supplier<String> missing, Launcher launcher) {
            this(name, seeded, missing, launcher, null, null);
        }
    }

    /** The setting that lists the rank counts the native variants run. */
    static final String NATIVE_RANKS = "mpi4j.test.native.ranks";

    /** For variants that can always run. */
    private static final Supplier<String> ALWAYS = () -> null;

    /** The rows, by name, in the order the rows were added. */
    private static final Map<String, Variant> TABLE = new LinkedHashMap<>();

    static {
        add(new Variant("local", false, ALWAYS,
                (n, _, timeout, body) -> Mpi.local(n).timeout(timeout).execute(body)));
        add(new Variant("local-hostile", true, ALWAYS,
                (n, seed, timeout, body) -> Mpi.local(n).set("mpi4j.transport.hostile", seed)
                        .timeout(timeout).execute(body)));
        // One JVM per rank, over shared memory, on jobs that stay up between tests. Only at
        // the rank counts that {@code mpi4j.test.process.ranks} lists (default 2, 3, 4): a
        // JVM per rank costs memory and start-up that 16 ranks on two cores cannot pay.
        add(new Variant("process", true, ALWAYS, null, ProcessPool.launcher("auto"), processRankCounts()));
        add(new Variant("process-tcp", true, ALWAYS, null, ProcessPool.launcher("tcp"), processRankCounts()));
        // Two hosts played by network namespaces: shared memory within each, TCP between.
        add(new Variant("process-hosts", true, NetnsHosts::available, null, ProcessPool.twoHostLauncher(),
                processRankCounts()));
        // The native engine on each installed MPI family, its JVMs started by that MPI's own
        // launcher, at the rank counts {@code mpi4j.test.native.ranks} lists (default 2, 3).
        add(new Variant("native-openmpi", false, () -> missingMpi("openmpi", "openmpi-bin libopenmpi-dev"), null,
                ProcessPool.nativeLauncher("openmpi"), rankCounts(NATIVE_RANKS, "2,3")));
        add(new Variant("native-mpich", false, () -> missingMpi("mpich", "mpich libmpich-dev"), null,
                ProcessPool.nativeLauncher("mpich"), rankCounts(NATIVE_RANKS, "2,3")));
    }

    private static String missingMpi(String family, String packages) {
        return PoolJob.mpiLauncher(family, 2) == null ? "the " + family + " launcher is not installed (apt-get install "
                + packages + ")" : null;
    }

    /** The setting that lists the rank counts the process variant runs. */
    static final String PROCESS_RANKS = "mpi4j.test.process.ranks";

    private static Set<Integer> processRankCounts() {
        return rankCounts(PROCESS_RANKS, "2,3,4");
    }

    private static Set<Integer> rankCounts(String setting, String def) {
        String v = System.getProperty(setting, def);
        Set<Integer> out = new java.util.LinkedHashSet<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(Integer.parseInt(s.trim()));
            }
        }
        return Collections.unmodifiableSet(out);
    }

    private EngineVariants() {
    }

    private static void add(Variant v) {
        TABLE.put(v.name(), v);
    }

    /** Returns the variant named {@code name}, or null. */
    static Variant byName(String name) {
        return TABLE.get(name);
    }

    /** Returns the names of every known variant, in table order. */
    static Set<String> names() {
        return Collections.unmodifiableSet(TABLE.keySet());
    }
}
