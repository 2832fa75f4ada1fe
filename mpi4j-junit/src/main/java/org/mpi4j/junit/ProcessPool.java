package org.mpi4j.junit;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.MpiException;
import org.mpi4j.engine.process.ProcessJob;

/**
 * Jobs of the process engine that stay up between tests: starting JVMs for every test
 * invocation would cost more than the tests, so one job per rank count runs
 * {@link PoolRank}s, and each test invocation is a command to them. A job that fails (a
 * test failed, a rank died) or hangs is killed and replaced for the next test.
 *
 * <p>The ranks' output is passed through to this JVM's, tagged with the rank.
 */
final class ProcessPool {
    /** The running pools, by transport setting and rank count. */
    private static final Map<String, ProcessPool> POOLS = new HashMap<>();
    /** The prefix of a transport that names an MPI family: the pool runs on the native engine. */
    static final String NATIVE = "native-";
    /** How long a new pool's ranks get to start and report. */
    private static final Duration START = Duration.ofSeconds(120);

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(ProcessPool::closeAll));
    }

    private final int size;
    private final PoolJob job;
    private final ServerSocket server;
    private final Socket[] sockets;
    private final BufferedReader[] in;
    private final PrintStream[] out;

    private ProcessPool(int size, String transport, List<String> hosts) throws IOException {
        this.size = size;
        // Ranks on other hosts (namespaces) reach this JVM over the network.
        this.server = new ServerSocket(0, size, hosts.isEmpty() ? InetAddress.getLoopbackAddress()
                : InetAddress.getByName("0.0.0.0"));
        String reach = hosts.isEmpty() ? InetAddress.getLoopbackAddress().getHostAddress()
                : ProcessJob.reachableAddress(hosts.get(0));
        String token = UUID.randomUUID().toString();
        PoolJob j = null;
        this.sockets = new Socket[size];
        this.in = new BufferedReader[size];
        this.out = new PrintStream[size];
        try {
            List<String> args = List.of(reach, Integer.toString(server.getLocalPort()), token);
            List<String> jvm = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-Xss512k");
            if (transport.startsWith(NATIVE)) {
                j = PoolJob.startNative(transport.substring(NATIVE.length()), size, PoolRank.class.getName(), args, jvm);
            } else {
                j = PoolJob.of(ProcessJob.start(new ProcessJob.Spec(size, PoolRank.class.getName())
                        .args(args)
                        .hosts(hosts, NetnsHosts.AGENT)
                        .jvmOptions(jvm)
                        .environment(Map.of("MPI4J_TRANSPORT", transport))
                        .output((rank, err, line) -> (err ? System.err : System.out).println("[" + rank + "] " + line))));
            }
            server.setSoTimeout((int) START.toMillis());
            for (int i = 0; i < size; i++) {
                Socket s = server.accept();
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String[] hello = r.readLine().split(" ");
                if (hello.length != 3 || !hello[0].equals("HELLO") || !hello[2].equals(token)) {
                    s.close();
                    i--;
                    continue;
                }
                int rank = Integer.parseInt(hello[1]);
                sockets[rank] = s;
                in[rank] = r;
                out[rank] = new PrintStream(s.getOutputStream(), true, StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            if (j != null) {
                j.close();
            }
            server.close();
            throw e;
        }
        this.job = j;
    }

    /**
     * Returns how a variant runs a test method (which takes one {@code Comm}) on every rank
     * of a pool: ranks joined with {@code mpi4j.transport=transport} ("auto": shared memory on
     * this host; "tcp": TCP between all ranks). A rank's failure is thrown as a
     * {@link JobAbortedException} with its own exception as cause; a hang as an
     * {@link MpiException} of class TIMEOUT with what each rank was blocked in.
     */
    static EngineVariants.MethodLauncher launcher(String transport) {
        return (ranks, seed, timeout, method) -> run(transport, false, ranks, seed, timeout, method);
    }

    /**
     * How the native engine's variants run a test: on a pool of JVMs started by the launcher
     * of an installed MPI ({@code openmpi}: {@code mpirun.openmpi}; {@code mpich}:
     * {@code mpiexec.hydra}), whose {@code Mpi.init} finds the native engine by the
     * launcher's variables.
     */
    static EngineVariants.MethodLauncher nativeLauncher(String family) {
        return (ranks, seed, timeout, method) -> run(NATIVE + family, false, ranks, seed, timeout, method);
    }

    /**
     * As {@link #launcher(String)}, with the ranks on two hosts played by network namespaces
     * ({@link NetnsHosts}): the first half on one, the rest on the other, so that ranks talk
     * shared memory within a host and TCP between hosts.
     */
    static EngineVariants.MethodLauncher twoHostLauncher() {
        return (ranks, seed, timeout, method) -> run("auto", true, ranks, seed, timeout, method);
    }

    private static NetnsHosts net;

    private static synchronized List<String> twoHosts(int ranks) throws IOException {
        if (net == null) {
            net = NetnsHosts.create(2);
        }
        List<String> perRank = new java.util.ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            perRank.add(net.hosts().get(r < (ranks + 1) / 2 ? 0 : 1));
        }
        return perRank;
    }

    private static synchronized void run(String transport, boolean twoHosts, int ranks, long seed, Duration timeout,
            Method method) throws Throwable {
        String key = transport + "/" + twoHosts + "/" + ranks;
        ProcessPool pool = POOLS.get(key);
        if (pool == null || !pool.healthy()) {
            if (pool != null) {
                pool.close();
            }
            pool = new ProcessPool(ranks, transport, twoHosts ? twoHosts(ranks) : List.of());
            POOLS.put(key, pool);
        }
        boolean ok = false;
        try {
            pool.runOnce(seed, timeout, method);
            ok = true;
        } finally {
            if (!ok) {
                POOLS.remove(key);
                pool.close();
            }
        }
    }

    private boolean healthy() {
        return job.failure() == null && job.running();
    }

    private void runOnce(long seed, Duration timeout, Method method) throws Throwable {
        String cmd = "RUN " + seed + " " + method.getDeclaringClass().getName() + " " + method.getName();
        for (PrintStream o : out) {
            o.println(cmd);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable failure = null;
        int failedRank = -1;
        int gone = -1;
        for (int r = 0; r < size; r++) {
            String reply;
            try {
                int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                sockets[r].setSoTimeout(left);
                reply = in[r].readLine();
            } catch (SocketTimeoutException e) {
                throw timedOut(timeout);
            } catch (IOException e) {
                reply = null;
            }
            if (reply == null) {
                // The rank is gone: a failed test aborted the job, or the rank died. Read
                // what the other ranks said first: one of them may say why (a rank that
                // fails reports before it aborts, but the abort may kill the others first).
                if (gone < 0) {
                    gone = r;
                }
                continue;
            }
            if (reply.startsWith("FAIL ")) {
                Throwable t = deserialize(reply.substring(5));
                // Prefer a rank's own failure to the aborts it caused on the others.
                if (failure == null || failure instanceof JobAbortedException && !(t instanceof JobAbortedException)) {
                    failure = t;
                    failedRank = r;
                }
            }
        }
        if (failure != null) {
            throw new JobAbortedException(failedRank, 1, "the job was aborted: rank " + failedRank + " failed: "
                    + failure, failure);
        }
        if (gone >= 0) {
            job.awaitExit(Duration.ofSeconds(10));
            ProcessJob.Failure f = job.failure();
            int who = f != null && f.rank() >= 0 ? f.rank() : gone;
            throw new JobAbortedException(who, f != null ? f.code() : 1, "the job was aborted: "
                    + (f != null ? "rank " + who + " " + f.why() : "rank " + gone + " closed its connection"), null);
        }
    }

    private MpiException timedOut(Duration timeout) throws InterruptedException {
        Map<Integer, String> dumps = job.dump(Duration.ofSeconds(2));
        StringBuilder sb = new StringBuilder("the test did not finish within " + timeout.toSeconds()
                + " s; what each rank was doing:\n");
        for (int r = 0; r < size; r++) {
            sb.append(dumps.getOrDefault(r, "rank " + r + ": did not answer\n"));
        }
        return new MpiException(ErrorClass.TIMEOUT, sb.toString());
    }

    private static Throwable deserialize(String base64) {
        try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return (Throwable) o.readObject();
        } catch (IOException | ClassNotFoundException e) {
            return new AssertionError("a rank failed, and its exception could not be read: " + e);
        }
    }

    private void close() {
        for (Socket s : sockets) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
        job.close();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private static synchronized void closeAll() {
        for (ProcessPool p : POOLS.values()) {
            p.close();
        }
        POOLS.clear();
        if (net != null) {
            net.close();
            net = null;
        }
    }
}
