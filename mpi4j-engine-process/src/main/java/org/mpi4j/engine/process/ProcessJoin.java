package org.mpi4j.engine.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mpi4j.ErrorClass;
import org.mpi4j.IdleStrategy;
import org.mpi4j.MpiException;
import org.mpi4j.matching.Endpoint;
import org.mpi4j.spi.Settings;
import org.mpi4j.transport.Transport;
import org.mpi4j.transport.shm.ShmTransport;
import org.mpi4j.transport.tcp.TcpTransport;

/**
 * How a process joins its job: it reads what the launcher put in its environment, proves
 * the job secret at the rendezvous, publishes how to reach it, learns how to reach everyone
 * else, and wires a transport to each peer — shared memory to the ranks of its own host, TCP
 * to the others.
 *
 * <p>Settings read here (each also an environment variable, {@code mpi4j.rank} as
 * {@code MPI4J_RANK}):
 * <ul>
 *   <li>{@code mpi4j.rank}, {@code mpi4j.size}, {@code mpi4j.rendezvous}, {@code mpi4j.job.id},
 *       {@code mpi4j.secret} — set by the launcher;</li>
 *   <li>{@code mpi4j.host.id} — what identifies this host for shared memory (default: the
 *       host name, boot id and network namespace, so that namespaces on one machine count as
 *       hosts of their own);</li>
 *   <li>{@code mpi4j.transport} — {@code auto} (default: shared memory within a host, TCP
 *       between hosts) or {@code tcp} (TCP to every other rank, also on this host);</li>
 *   <li>{@code mpi4j.codec}, {@code mpi4j.idle} — as for the local engine.</li>
 * </ul>
 *
 * <p>A task of a SLURM step has no launcher: {@link SlurmJoin} finds the rendezvous and
 * makes the control connection, then joins through {@link #join(Settings, int, int,
 * JobSecret, String, ControlClient, Options)} as here.
 */
final class ProcessJoin {
    static final Duration CONNECT = Duration.ofSeconds(30);
    static final Duration TABLE = Duration.ofSeconds(120);
    /** How long a rank that lost its launcher lives on, to let its main thread report why. */
    static final Duration ORPHAN_GRACE = Duration.ofSeconds(2);

    private ProcessJoin() {
    }

    /**
     * What differs between the ranks of a launcher's job and those of a SLURM step.
     *
     * @param table how long to wait for every rank to join
     * @param coordinator who holds the rendezvous, for the message of a rank that loses it
     * @param keepControlOpen whether a rank keeps its control connection open after it
     *     finalizes, until its process ends (under SLURM, where no launcher sees exit statuses)
     */
    record Options(Duration table, String coordinator, boolean keepControlOpen) {
        static final Options LAUNCHER = new Options(TABLE, "its launcher", false);
    }

    static ProcessRank join(Settings settings) {
        int rank = intSetting(settings, ProcessEnv.RANK);
        int size = intSetting(settings, ProcessEnv.SIZE);
        if (size < 1 || rank < 0 || rank >= size) {
            throw new MpiException(ErrorClass.ARG, ProcessEnv.RANK + "=" + rank + " and " + ProcessEnv.SIZE + "=" + size
                    + " do not describe a rank of a job");
        }
        InetSocketAddress rendezvous = address(required(settings, ProcessEnv.RENDEZVOUS));
        JobSecret secret;
        try {
            secret = JobSecret.parse("1".equals(settings.get(ProcessEnv.setting(ProcessEnv.SECRET_ON_STDIN), null))
                    ? secretFromStdin() : required(settings, JobSecret.ENV));
        } catch (IllegalArgumentException e) {
            throw new MpiException(ErrorClass.ARG, JobSecret.ENV + " is not a job secret: " + e.getMessage());
        }
        String jobId = required(settings, ProcessEnv.JOB_ID);

        ControlClient control;
        try {
            control = ControlClient.connect(rendezvous, secret, rank, CONNECT);
        } catch (IOException e) {
            throw new MpiException(ErrorClass.INTERN, "rank " + rank + " cannot join its job at " + rendezvous + ": "
                    + e.getMessage(), e);
        }
        return join(settings, rank, size, secret, jobId, control, Options.LAUNCHER);
    }

    /**
     * Joins through a control connection already made and proven: publishes this rank's card,
     * learns everyone's, wires the transports. Closes {@code control} if it fails.
     *
     * @param jobId names the job's shared-memory directory on each host
     */
    static ProcessRank join(Settings settings, int rank, int size, JobSecret secret, String jobId, ControlClient control,
            Options options) {
        boolean tcpOnly = "tcp".equals(settings.get("mpi4j.transport", "auto"));
        TcpTransport tcp = null;
        try {
            String host = hostName();
            String hostId = settings.get("mpi4j.host.id", host + "/" + bootId() + "/" + netNamespace());
            Path shmDir = ShmTransport.jobDirectory(jobId);
            // TCP listens on the address this host reaches the launcher from: reachable by
            // every rank the launcher can reach.
            tcp = new TcpTransport(rank, size, secret.bytes(), new InetSocketAddress(control.localAddress(), 0));
            RankCard mine = new RankCard(rank, host, hostId, tcp.localAddress().getAddress().getHostAddress(),
                    tcp.localAddress().getPort(), shmDir.toString(), ProcessHandle.current().pid());
            List<RankCard> table = control.exchange(mine, options.table());

            List<Integer> local = new ArrayList<>();
            for (RankCard c : table) {
                if (!tcpOnly && c.hostId().equals(hostId)) {
                    local.add(c.rank());
                }
            }
            Transport[] routes = new Transport[size];
            ShmTransport shm = null;
            if (local.size() > 1) {
                shm = new ShmTransport(rank, local.stream().mapToInt(Integer::intValue).toArray(), shmDir,
                        shmToken(secret), ShmTransport.defaultCapacity(local.size()), null);
                for (int peer : local) {
                    routes[peer] = shm;
                }
            }
            java.util.Map<Integer, InetSocketAddress> remote = new java.util.HashMap<>();
            for (int r = 0; r < size; r++) {
                if (r != rank && routes[r] == null) {
                    routes[r] = tcp;
                    remote.put(r, new InetSocketAddress(table.get(r).tcpHost(), table.get(r).tcpPort()));
                }
            }
            tcp.connectTo(remote);
            RoutedTransport routed = new RoutedTransport(rank, routes);
            int cores = Runtime.getRuntime().availableProcessors();
            IdleStrategy idle = settings.idleStrategy(IdleStrategy.forLoad(Math.max(1, local.size()), cores));
            Endpoint endpoint = new Endpoint(rank, size, routed, idle);
            routed.register(endpoint);
            if (shm != null) {
                shm.register(endpoint);
                shm.connect(CONNECT);
            }
            ShmTransport shmFinal = shm;
            TcpTransport tcpFinal = tcp;
            ProcessRank pr = new ProcessRank(rank, size, host, settings, settings.codec(), endpoint, control, () -> {
                if (shmFinal != null) {
                    shmFinal.close();
                }
                tcpFinal.close();
            }, options.keepControlOpen());
            // A peer whose connection breaks without a farewell has failed: say so, naming it first.
            tcp.start(endpoint, (peer, why) -> pr.aborted(peer, 1, "rank " + peer + " is lost to rank " + rank
                    + ": " + why));
            control.listen(new ControlClient.Handler() {
                @Override
                public void onAbort(int failedRank, int code, String reason) {
                    pr.aborted(failedRank, code, reason);
                }

                @Override
                public void onLauncherLost(String why) {
                    pr.aborted(org.mpi4j.Mpi.UNDEFINED, 1, "rank " + rank + " lost " + options.coordinator() + " (" + why + ")");
                    Thread.ofPlatform().daemon().start(() -> {
                        try {
                            Thread.sleep(ORPHAN_GRACE.toMillis());
                        } catch (InterruptedException ignored) {
                            // halting anyway
                        }
                        Runtime.getRuntime().halt(1); // no orphans
                    });
                }
            }, endpoint::describe);
            return pr;
        } catch (IOException e) {
            control.close();
            if (tcp != null) {
                tcp.abort();
            }
            throw new MpiException(ErrorClass.INTERN, "rank " + rank + " could not join its job: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            control.close();
            if (tcp != null) {
                tcp.abort();
            }
            throw e;
        }
    }

    /** The shared-memory rings' job token: derived from the secret, so only this job's rings are accepted. */
    private static long shmToken(JobSecret secret) {
        byte[] h = secret.prove("mpi4j shared memory token", new byte[0], new byte[0]);
        return java.nio.ByteBuffer.wrap(h).getLong();
    }

    /** Reads the secret's line from standard input, a byte at a time, so nothing after it is consumed. */
    private static String secretFromStdin() {
        StringBuilder sb = new StringBuilder();
        try {
            int c;
            while ((c = System.in.read()) >= 0 && c != '\n') {
                sb.append((char) c);
                if (sb.length() > 1024) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new MpiException(ErrorClass.ARG, "cannot read the job secret from standard input: " + e.getMessage());
        }
        return sb.toString();
    }

    private static String required(Settings settings, String variable) {
        String v = settings.get(ProcessEnv.setting(variable), null);
        if (v == null || v.isBlank()) {
            throw new MpiException(ErrorClass.ARG, variable + " is not set: a process-engine rank is started by"
                    + " mpi4j run --engine process, or by srun");
        }
        return v.trim();
    }

    private static int intSetting(Settings settings, String variable) {
        String v = required(settings, variable);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new MpiException(ErrorClass.ARG, variable + "=" + v + " is not a number");
        }
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new MpiException(ErrorClass.ARG, ProcessEnv.RENDEZVOUS + "=" + hostPort + " is not host:port");
        }
        try {
            return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new MpiException(ErrorClass.ARG, ProcessEnv.RENDEZVOUS + "=" + hostPort + " is not host:port");
        }
    }

    static String hostName() {
        String h = read("/proc/sys/kernel/hostname");
        if (!h.isEmpty()) {
            return h;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String bootId() {
        return read("/proc/sys/kernel/random/boot_id");
    }

    /** The network namespace: ranks in different namespaces are on different "hosts" (how tests play several). */
    private static String netNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
