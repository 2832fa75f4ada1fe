package org.mpi4j.engine.process;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mpi4j.spi.Settings;

/**
 * Rank 0's second part in a SLURM step: the launcher's. There is no {@code mpi4j run} under
 * {@code srun}, so rank 0 opens the job's {@link Rendezvous} with a fresh {@link JobSecret},
 * publishes it in the step's {@link SlurmRendezvousFile}, and watches the ranks through
 * their control connections, as a launcher would:
 * <ul>
 *   <li>a rank that aborts, or whose main method fails, reports it: the job is aborted and
 *       every other rank told, naming it;</li>
 *   <li>a rank whose control connection closes before it has finalized has died (killed,
 *       crashed, or ended without finalizing): the same;</li>
 *   <li>rank 0's process does not end before the others: they need its rendezvous to learn
 *       of each other's failures, and a rank that loses it ends itself. After a failure it
 *       waits {@link ProcessJob#GRACE} for them, then ends, and what is left ends itself.</li>
 * </ul>
 * The first failure is printed on rank 0's standard error, once, as {@code mpi4j run} does.
 */
final class SlurmCoordinator implements Rendezvous.Listener {
    /** The setting that names the address rank 0's rendezvous listens on ({@code MPI4J_SLURM_ADDRESS}). */
    static final String ADDRESS = "mpi4j.slurm.address";

    private final SlurmStep step;
    private final JobSecret secret;
    private final Rendezvous rendezvous;
    private final SlurmRendezvousFile file;
    private final PrintStream err;
    private final boolean[] finalized;
    private final boolean[] gone;
    private final Object lock = new Object();
    private String failure;
    private long failedAt;
    private boolean closed;

    private SlurmCoordinator(SlurmStep step, JobSecret secret, Rendezvous rendezvous, SlurmRendezvousFile file,
            PrintStream err) {
        this.step = step;
        this.secret = secret;
        this.rendezvous = rendezvous;
        this.file = file;
        this.err = err;
        this.finalized = new boolean[step.size()];
        this.gone = new boolean[step.size()];
    }

    /**
     * Opens the rendezvous on an address every node of the step can reach and publishes it.
     *
     * @throws IOException if it cannot listen or the file cannot be written
     */
    static SlurmCoordinator start(SlurmStep step, Settings settings, SlurmRendezvousFile file) throws IOException {
        InetAddress address = address(step, settings);
        JobSecret secret = JobSecret.generate();
        Rendezvous rendezvous = Rendezvous.open(step.size(), secret, address);
        SlurmCoordinator c = new SlurmCoordinator(step, secret, rendezvous, file, System.err);
        rendezvous.listener(c);
        try {
            file.publish(hostPort(rendezvous.address()), secret,
                    "written by rank 0 on " + ProcessJoin.hostName() + " (pid " + ProcessHandle.current().pid() + ")");
        } catch (IOException | RuntimeException e) {
            rendezvous.close();
            throw e;
        }
        return c;
    }

    /** Where the ranks connect, rank 0 included. */
    InetSocketAddress address() {
        return rendezvous.address();
    }

    JobSecret secret() {
        return secret;
    }

    Rendezvous rendezvous() {
        return rendezvous;
    }

    /** Every rank has joined: the secret need not lie on disk any longer. */
    void joined() {
        file.delete();
    }

    /**
     * The address the rendezvous listens on: {@code mpi4j.slurm.address} if set; loopback
     * for a step on one node; else the address of this node's interface towards the node
     * {@code srun} runs on (on the allocation's network), else the address the node's name
     * resolves to, else the first address of an interface that is up.
     */
    static InetAddress address(SlurmStep step, Settings settings) throws IOException {
        String configured = settings.get(ADDRESS, null);
        if (configured != null && !configured.isBlank()) {
            return InetAddress.getByName(configured.trim());
        }
        if (step.oneNode()) {
            return InetAddress.getLoopbackAddress();
        }
        if (step.launchNodeAddress() != null) {
            try {
                InetAddress a = InetAddress.getByName(ProcessJob.reachableAddress(step.launchNodeAddress()));
                if (!a.isLoopbackAddress()) {
                    return a;
                }
            } catch (IOException e) {
                // try the next way
            }
        }
        try {
            InetAddress a = InetAddress.getByName(ProcessJoin.hostName());
            if (!a.isLoopbackAddress() && !a.isAnyLocalAddress()) {
                return a;
            }
        } catch (IOException e) {
            // try the next way
        }
        List<InetAddress> candidates = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp() && !nic.isLoopback()) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
                            candidates.add(a);
                        }
                    }
                }
            }
        } catch (SocketException e) {
            // none found
        }
        candidates.sort((a, b) -> Boolean.compare(!(a instanceof Inet4Address), !(b instanceof Inet4Address)));
        return candidates.isEmpty() ? InetAddress.getLoopbackAddress() : candidates.get(0);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public void onAbort(int rank, int code, String reason) {
        fail(rank, code, reason);
    }

    @Override
    public void onFinalized(int rank) {
        synchronized (lock) {
            finalized[rank] = true;
        }
    }

    @Override
    public void onDump(int rank, String state) {
        // there is no --timeout under srun
    }

    @Override
    public void onDisconnected(int rank) {
        boolean lost;
        synchronized (lock) {
            gone[rank] = true;
            lost = !finalized[rank];
            lock.notifyAll();
        }
        if (lost) {
            RankCard c = rendezvous.card(rank);
            fail(rank, 1, "was lost before it finalized: its process ended or was killed"
                    + (c == null ? "" : " (pid " + c.pid() + " on " + c.host() + ")"));
        }
    }

    /** Records the first failure, says it, and tells every other rank. */
    void fail(int rank, int code, String why) {
        synchronized (lock) {
            if (failure != null || closed) {
                return;
            }
            failure = "rank " + rank + " " + why;
            failedAt = System.nanoTime();
            lock.notifyAll();
        }
        err.println("mpi4j: SLURM step " + step.name() + " is aborted: rank " + rank + " of " + step.size() + " " + why);
        err.flush();
        rendezvous.abortAll(rank, code, "rank " + rank + " " + why);
    }

    /** Whether a rank has failed. */
    boolean failed() {
        synchronized (lock) {
            return failure != null;
        }
    }

    /**
     * For the end of rank 0's process: waits until every other rank that joined has ended
     * (its control connection closed) — for as long as it takes while the job is well, and
     * at most {@link ProcessJob#GRACE} after a failure — then closes the rendezvous and
     * deletes the file if it is still there.
     */
    void awaitOthersAndClose() {
        try {
            synchronized (lock) {
                while (!othersGone()) {
                    long wait = TimeUnit.SECONDS.toMillis(1);
                    if (failure != null) {
                        long left = ProcessJob.GRACE.toMillis() - Duration.ofNanos(System.nanoTime() - failedAt).toMillis();
                        if (left <= 0) {
                            break;
                        }
                        wait = Math.min(wait, left);
                    }
                    lock.wait(wait);
                }
                closed = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            rendezvous.close();
            file.delete();
        }
    }

    /** Whether every rank but 0 has ended, or never joined. Holds the lock. */
    private boolean othersGone() {
        List<Integer> missing = rendezvous.missing();
        for (int r = 1; r < gone.length; r++) {
            if (!gone[r] && !missing.contains(r)) {
                return false;
            }
        }
        return true;
    }
}
