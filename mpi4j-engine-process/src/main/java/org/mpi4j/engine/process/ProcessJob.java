package org.mpi4j.engine.process;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mpi4j.transport.shm.ShmTransport;

/**
 * A job of the process engine on this host: one JVM per rank, joined through a
 * {@link Rendezvous} with a fresh {@link JobSecret}. What {@code mpi4j run --engine process}
 * and the test harness both start.
 *
 * <p>The job watches its ranks. The first failure — a rank that exits with a non-zero
 * status, dies (kill -9) or aborts — is recorded, every other rank is told (its pending and
 * later calls fail naming the failed rank), and whatever is still running after
 * {@link #GRACE} is killed. {@link #close()} kills every rank and removes the job's
 * shared-memory directory: nothing outlives the job.
 */
public final class ProcessJob implements AutoCloseable {
    /** How long the other ranks get to end on their own once one has failed. */
    public static final Duration GRACE = Duration.ofSeconds(3);

    /** Where the ranks' output goes, a whole line at a time. */
    @FunctionalInterface
    public interface Output {
        /** Rank {@code rank} printed {@code line} on its standard error ({@code err}) or output. */
        void line(int rank, boolean err, String line);
    }

    /** The first failure of a job: which rank, the status it gives the job, and why. */
    public record Failure(int rank, int code, String why) {
    }

    /** What to start. */
    public static final class Spec {
        private final int ranks;
        private final String mainClass;
        private String classPath = "";
        private List<String> args = List.of();
        private Map<String, String> environment = Map.of();
        private List<String> jvmOptions = List.of();
        private Output output = (r, e, l) -> { };
        private java.util.function.Consumer<Failure> onFailure = f -> { };
        private InputStream stdin;
        private List<String> hosts = List.of();
        private String launchAgent = "ssh";
        private boolean bindToCore;
        private Path startupCache;
        private Path trainStartupCache;

        /** A job of {@code ranks} ranks running {@code mainClass}'s main method. */
        public Spec(int ranks, String mainClass) {
            if (ranks < 1) {
                throw new IllegalArgumentException("ranks < 1: " + ranks);
            }
            this.ranks = ranks;
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        }

        /**
         * The program's class path. mpi4j's own (this JVM's) comes first: the ranks run the
         * launcher's mpi4j, whose control protocol it speaks, and a start-up cache made for
         * mpi4j's class path stays valid whatever the program's is.
         */
        public Spec classPath(String cp) {
            this.classPath = Objects.requireNonNull(cp, "cp");
            return this;
        }

        /** The program's arguments. */
        public Spec args(List<String> a) {
            this.args = List.copyOf(a);
            return this;
        }

        /** Variables added to every rank's environment. */
        public Spec environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** Options for every rank's JVM. */
        public Spec jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** Where the ranks' output lines go (default: nowhere). */
        public Spec output(Output o) {
            this.output = Objects.requireNonNull(o, "o");
            return this;
        }

        /** Called once, with the job's first failure, as soon as it is known. */
        public Spec onFailure(java.util.function.Consumer<Failure> f) {
            this.onFailure = Objects.requireNonNull(f, "f");
            return this;
        }

        /**
         * Where each rank runs: {@code hosts.get(r)} for rank r (this host when the list is
         * shorter, or names this host), started on other hosts through {@code launchAgent}
         * — a command such as {@code ssh}, followed by the host, or a template in which
         * {@code {host}} is replaced, such as {@code ip netns exec {host}}.
         */
        public Spec hosts(List<String> perRank, String agent) {
            this.hosts = List.copyOf(perRank);
            this.launchAgent = Objects.requireNonNull(agent, "agent");
            return this;
        }

        /**
         * Binds each rank, with all its threads, to one core: the ranks of a host take its
         * cores in turn ({@code taskset}, from before the JVM starts).
         */
        public Spec bindToCore(boolean on) {
            this.bindToCore = on;
            return this;
        }

        /**
         * A JVM ahead-of-time cache (JDK 25's {@code -XX:AOTCache}) for the ranks on this
         * host, made by a job with {@link #trainStartupCache} on the same class path: classes
         * come loaded and linked from it, and a rank starts in about half the time. A file
         * that does not exist is ignored, and so is one the JVM finds stale (it checks the
         * JDK and the class path itself, and runs without it).
         */
        public Spec startupCache(Path cache) {
            this.startupCache = cache;
            return this;
        }

        /**
         * Makes rank 0 write a start-up cache for {@link #startupCache} to {@code output} when
         * it exits ({@code -XX:AOTCacheOutput}; its exit takes a few seconds longer). Rank 0
         * then runs on mpi4j's class path alone, so its main class must be there.
         */
        public Spec trainStartupCache(Path output) {
            this.trainStartupCache = output;
            return this;
        }

        /** Forwards {@code in} to rank 0's standard input (others, and by default all, read an empty input). */
        public Spec stdinToRankZero(InputStream in) {
            this.stdin = Objects.requireNonNull(in, "in");
            return this;
        }

        String host(int rank) {
            return rank < hosts.size() ? hosts.get(rank) : null;
        }
    }

    private final Spec spec;
    private final String jobId = UUID.randomUUID().toString().substring(0, 12);
    private final Rendezvous rendezvous;
    private final Process[] ranks;
    private final CountDownLatch exited;
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final Map<Integer, String> dumps = new ConcurrentHashMap<>();
    private final List<Thread> pumps = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean ending;

    private ProcessJob(Spec spec, Rendezvous rendezvous) {
        this.spec = spec;
        this.rendezvous = rendezvous;
        this.ranks = new Process[spec.ranks];
        this.exited = new CountDownLatch(spec.ranks);
    }

    /**
     * Starts a job.
     *
     * @throws IOException if the rendezvous cannot listen or a rank cannot be started (the
     *     ranks already started are killed)
     */
    public static ProcessJob start(Spec spec) throws IOException {
        JobSecret secret = JobSecret.generate();
        boolean remote = false;
        for (int r = 0; r < spec.ranks; r++) {
            remote |= !isLocal(spec.host(r));
        }
        // Ranks on other hosts reach the rendezvous over the network; local ones over loopback.
        Rendezvous rendezvous = Rendezvous.open(spec.ranks, secret,
                remote ? InetAddress.getByName("0.0.0.0") : InetAddress.getLoopbackAddress());
        ProcessJob job = new ProcessJob(spec, rendezvous);
        rendezvous.listener(new Rendezvous.Listener() {
            @Override
            public void onAbort(int rank, int code, String reason) {
                job.fail(rank, code, reason);
            }

            @Override
            public void onFinalized(int rank) {
                // the rank's exit status says whether it ended well
            }

            @Override
            public void onDump(int rank, String state) {
                job.dumps.put(rank, state);
            }

            @Override
            public void onDisconnected(int rank) {
                // its exit is reported by its process watcher
            }
        });
        try {
            for (int r = 0; r < spec.ranks; r++) {
                job.startRank(r, secret);
            }
        } catch (IOException | RuntimeException e) {
            job.close();
            throw e;
        }
        if (spec.stdin != null) {
            job.forwardStdin();
        }
        return job;
    }

    /** Returns the job's id, which names its shared-memory directory. */
    public String id() {
        return jobId;
    }

    /** Returns the number of ranks. */
    public int size() {
        return ranks.length;
    }

    private void startRank(int rank, JobSecret secret) throws IOException {
        String host = spec.host(rank);
        boolean local = isLocal(host);
        List<String> java = new ArrayList<>();
        java.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        java.add("--enable-native-access=ALL-UNNAMED");
        java.add("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");
        java.add("-XX:+UseSerialGC");
        if (local && rank == 0 && spec.trainStartupCache != null) {
            java.add("-XX:AOTCacheOutput=" + spec.trainStartupCache);
            java.add("-Xlog:aot=error"); // the JVM's notes on classes it leaves out are not the job's output
        } else if (local && spec.startupCache != null && Files.isRegularFile(spec.startupCache)) {
            java.add("-XX:AOTCache=" + spec.startupCache);
        }
        java.addAll(spec.jvmOptions);
        java.add("-cp");
        String own = System.getProperty("java.class.path");
        // A cache is made for mpi4j's class path alone: the JVM accepts it under any class path
        // that begins with that one, and cannot make one where a directory follows.
        boolean training = local && rank == 0 && spec.trainStartupCache != null;
        java.add(spec.classPath.isEmpty() || training ? own : own + File.pathSeparator + spec.classPath);
        java.add(spec.mainClass);
        java.addAll(spec.args);

        Map<String, String> vars = new LinkedHashMap<>(spec.environment);
        vars.put(ProcessEnv.RANK, Integer.toString(rank));
        vars.put(ProcessEnv.SIZE, Integer.toString(ranks.length));
        String rendezvousHost = local ? InetAddress.getLoopbackAddress().getHostAddress() : reachableAddress(host);
        vars.put(ProcessEnv.RENDEZVOUS, rendezvousHost + ":" + rendezvous.address().getPort());
        vars.put(ProcessEnv.JOB_ID, jobId);

        if (spec.bindToCore) {
            // The ranks of a host take its cores in turn; a remote host's core count is
            // read there, by the shell, when the rank starts.
            int index = 0;
            for (int r = 0; r < rank; r++) {
                index += Objects.equals(spec.host(r), host) ? 1 : 0;
            }
            List<String> bound = new ArrayList<>();
            if (local) {
                bound.addAll(List.of("taskset", "--cpu-list",
                        Integer.toString(index % Runtime.getRuntime().availableProcessors())));
            } else {
                bound.addAll(List.of("sh", "-c", "exec taskset --cpu-list $((" + index + " % $(nproc))) \"$@\"", "sh"));
            }
            bound.addAll(java);
            java = bound;
        }
        ProcessBuilder pb;
        if (local) {
            pb = new ProcessBuilder(java);
            pb.environment().putAll(vars);
            pb.environment().put(JobSecret.ENV, secret.encoded());
            if (rank != 0 || spec.stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
        } else {
            // Another host: through the launch agent, with the variables on the command line
            // and the secret on the rank's standard input, where no other user can read it.
            vars.put(ProcessEnv.SECRET_ON_STDIN, "1");
            List<String> remoteCmd = new ArrayList<>();
            remoteCmd.add("env");
            vars.forEach((k, v) -> remoteCmd.add(k + "=" + v));
            remoteCmd.addAll(java);
            pb = new ProcessBuilder(agentCommand(spec.launchAgent, host, remoteCmd));
        }
        pb.directory(new File(System.getProperty("user.dir")));
        Process p = pb.start();
        ranks[rank] = p;
        if (!local) {
            OutputStream in = p.getOutputStream();
            in.write((secret.encoded() + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            if (rank != 0 || spec.stdin == null) {
                in.close();
            }
        }
        pump(p.getInputStream(), rank, false);
        pump(p.getErrorStream(), rank, true);
        p.onExit().thenRun(() -> {
            int status = p.exitValue();
            if (status != 0 && !ending) {
                String why = status > 128 && status < 160
                        ? "was killed by signal " + (status - 128) + " (exit status " + status + ")"
                        : "exited with status " + status;
                fail(rank, status > 128 ? 1 : status, why + (local ? "" : " on " + host));
            }
            exited.countDown();
        });
    }

    /**
     * The command that starts {@code remote} on {@code host}: the agent's words with
     * {@code {host}} replaced, or followed by the host. ssh runs its command through a shell,
     * so for ssh the command is one string with every word quoted.
     */
    static List<String> agentCommand(String agent, String host, List<String> remote) {
        List<String> cmd = new ArrayList<>();
        boolean templated = agent.contains("{host}");
        for (String w : agent.trim().split("\\s+")) {
            cmd.add(w.replace("{host}", host));
        }
        if (!templated) {
            cmd.add(host);
        }
        if (Path.of(cmd.get(0)).getFileName().toString().equals("ssh")) {
            StringBuilder sb = new StringBuilder();
            for (String w : remote) {
                sb.append(sb.isEmpty() ? "" : " ").append("'").append(w.replace("'", "'\\''")).append("'");
            }
            cmd.add(sb.toString());
        } else {
            cmd.addAll(remote);
        }
        return cmd;
    }

    /** Whether {@code host} is this machine (null means this machine). */
    static boolean isLocal(String host) {
        if (host == null || host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")) {
            return true;
        }
        try {
            return host.equals(InetAddress.getLocalHost().getHostName())
                    || host.equals(java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
        } catch (IOException e) {
            return false;
        }
    }

    /** Returns the address of this machine that {@code host} reaches it by: the source address of a route to it. */
    public static String reachableAddress(String host) throws IOException {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            probe.connect(InetAddress.getByName(host), 9);
            InetAddress a = probe.getLocalAddress();
            if (a == null || a.isAnyLocalAddress()) {
                throw new IOException("no route from this host to " + host);
            }
            return a.getHostAddress();
        }
    }

    private void pump(InputStream in, int rank, boolean err) {
        Thread t = Thread.ofVirtual().name("mpi4j-output-" + rank).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    spec.output.line(rank, err, line);
                }
            } catch (IOException ignored) {
                // the rank is gone
            }
        });
        pumps.add(t);
    }

    private void forwardStdin() {
        Process p0 = ranks[0];
        if (!isLocal(spec.host(0)) && !p0.isAlive()) {
            return;
        }
        Thread.ofPlatform().daemon().name("mpi4j-stdin").start(() -> {
            try {
                StdinPump.copy(spec.stdin, p0.getOutputStream(), () -> ending || !p0.isAlive());
            } catch (IOException ignored) {
                // rank 0 stopped reading
            }
        });
    }

    /** Records the first failure, tells every other rank, and kills what is left after the grace. */
    private void fail(int rank, int code, String why) {
        Failure f = new Failure(rank, code, why);
        if (!failure.compareAndSet(null, f)) {
            return;
        }
        spec.onFailure.accept(f);
        rendezvous.abortAll(rank, code, "rank " + rank + " " + why);
        Thread.ofPlatform().daemon().name("mpi4j-reaper").start(() -> {
            try {
                Thread.sleep(GRACE.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            kill();
        });
    }

    /**
     * Waits for every rank to exit, and for their output to be passed on.
     *
     * @param timeout how long to wait, or null for as long as it takes
     * @return whether every rank exited in time
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean done;
        if (timeout == null) {
            exited.await();
            done = true;
        } else {
            done = exited.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (done) {
            for (Thread t : List.copyOf(pumps)) {
                t.join(2_000);
            }
        }
        return done;
    }

    /** Returns the job's first failure, or null if no rank has failed. */
    public Failure failure() {
        return failure.get();
    }

    /**
     * Asks every running rank what it is blocked in and returns the answers that came within
     * {@code wait}, by rank; a rank that did not answer is absent.
     */
    public Map<Integer, String> dump(Duration wait) throws InterruptedException {
        dumps.clear();
        rendezvous.requestDumps();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && dumps.size() < alive()) {
            Thread.sleep(20);
        }
        return new TreeMap<>(dumps);
    }

    /** Returns the exit status of each rank, or null for one still running. */
    public Map<Integer, Integer> exitStatuses() {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        for (int r = 0; r < ranks.length; r++) {
            Process p = ranks[r];
            m.put(r, p == null || p.isAlive() ? null : p.exitValue());
        }
        return m;
    }

    private int alive() {
        int n = 0;
        for (Process p : ranks) {
            if (p != null && p.isAlive()) {
                n++;
            }
        }
        return n;
    }

    /** Kills every rank still running, and its children; their deaths are not reported as failures. */
    public void kill() {
        ending = true;
        for (Process p : ranks) {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    /** Kills what is left, waits briefly for it to go, and removes the job's shared-memory files. */
    @Override
    public void close() {
        kill();
        for (Process p : ranks) {
            if (p != null) {
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        rendezvous.close();
        try {
            ShmTransport.deleteJobDirectory(ShmTransport.jobDirectory(jobId));
        } catch (IOException ignored) {
            // best effort: nothing else can be done about a directory that will not go
        }
    }
}
