package org.mpi4j.engine.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.MpiException;
import org.mpi4j.spi.Settings;
import org.mpi4j.transport.shm.ShmTransport;

/**
 * How a task of a SLURM step joins the job without {@code mpi4j run}: rank 0 plays the
 * launcher's part ({@link SlurmCoordinator}) and joins its own rendezvous as a rank; every
 * other rank waits for the step's {@link SlurmRendezvousFile}, then joins as under the
 * launcher.
 *
 * <p>A launcher sees its ranks' exit statuses; rank 0 does not, so each rank reports its own
 * end through its control connection, which it keeps open until its process ends:
 * <ul>
 *   <li>if the main thread dies of an exception — also after {@code close}, as when it is
 *       thrown out of {@code try (Mpi mpi = Mpi.init(args))} — the rank reports the
 *       exception, and the job is aborted naming it. A rank whose exception only says that a
 *       peer has finalized first gives that peer {@link #BLAME_WAIT} to report its own
 *       failure, so the job names the rank that failed first, not the one that noticed;</li>
 *   <li>if the process ends without finalizing, the rank says so on its way out;</li>
 *   <li>a rank killed outright says nothing, but its connection closes before it has
 *       finalized, which is failure enough.</li>
 * </ul>
 * After a failure each rank removes the step's shared-memory directory on its node as it
 * ends, since no launcher is there to do it.
 *
 * <p>Settings read here, besides those of {@link ProcessJoin} (each also an environment
 * variable, {@code mpi4j.slurm.dir} as {@code MPI4J_SLURM_DIR}):
 * <ul>
 *   <li>{@code mpi4j.slurm.dir} — the directory of the rendezvous file, shared by the
 *       allocation's nodes (default {@code $HOME/.mpi4j/slurm});</li>
 *   <li>{@code mpi4j.slurm.timeout} — seconds a rank waits for the file (default 120);</li>
 *   <li>{@code mpi4j.slurm.address} — the address rank 0's rendezvous listens on (default:
 *       see {@link SlurmCoordinator#address});</li>
 *   <li>{@code mpi4j.slurm} — {@code off} ignores SLURM's variables ({@link SlurmStep}).</li>
 * </ul>
 */
final class SlurmJoin {
    /** How long a rank whose failure was that a peer had finalized waits for the peer's own report. */
    static final Duration BLAME_WAIT = Duration.ofSeconds(2);

    private SlurmJoin() {
    }

    static ProcessRank join(Settings settings, SlurmStep step) {
        SlurmRendezvousFile file = SlurmRendezvousFile.of(settings, step);
        Duration wait = SlurmRendezvousFile.timeout(settings);
        Duration table = ProcessJoin.TABLE.compareTo(wait.plusSeconds(30)) >= 0 ? ProcessJoin.TABLE : wait.plusSeconds(30);
        ProcessJoin.Options options = new ProcessJoin.Options(table,
                "rank 0, which holds the rendezvous of SLURM step " + step.name(), true);
        return step.rank() == 0 ? joinAsRankZero(settings, step, file, options) : joinAsRank(settings, step, file, wait,
                options);
    }

    private static ProcessRank joinAsRankZero(Settings settings, SlurmStep step, SlurmRendezvousFile file,
            ProcessJoin.Options options) {
        SlurmCoordinator coordinator;
        try {
            coordinator = SlurmCoordinator.start(step, settings, file);
        } catch (IOException e) {
            throw new MpiException(ErrorClass.INTERN, "rank 0 of SLURM step " + step.name()
                    + " cannot publish the job's rendezvous in " + file.path() + ": " + e.getMessage(), e);
        }
        Watch watch = new Watch(step, coordinator);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("mpi4j-slurm-exit").unstarted(watch::atExit));
        ControlClient control;
        try {
            control = ControlClient.connect(coordinator.address(), coordinator.secret(), 0, ProcessJoin.CONNECT);
        } catch (IOException e) {
            coordinator.fail(0, 1, "cannot reach its own rendezvous at " + coordinator.address() + ": " + e.getMessage());
            throw new MpiException(ErrorClass.INTERN, "rank 0 of SLURM step " + step.name()
                    + " cannot reach its own rendezvous at " + coordinator.address() + ": " + e.getMessage(), e);
        }
        ProcessRank pr;
        try {
            pr = ProcessJoin.join(settings, 0, step.size(), coordinator.secret(), step.shmJobId(), control, options);
        } catch (RuntimeException e) {
            List<Integer> missing = coordinator.rendezvous().missing();
            missing.remove(Integer.valueOf(0));
            String why = missing.isEmpty() ? "could not join: " + e.getMessage()
                    : "gave up waiting for rank(s) " + missing + " to join within " + options.table().toSeconds()
                    + " s: did their tasks start, and do they see " + file.path() + "?";
            coordinator.fail(0, 1, why);
            throw new MpiException(ErrorClass.INTERN, "rank 0 of SLURM step " + step.name() + " " + why, e);
        }
        coordinator.joined();
        watch.joined(pr);
        return pr;
    }

    private static ProcessRank joinAsRank(Settings settings, SlurmStep step, SlurmRendezvousFile file, Duration wait,
            ProcessJoin.Options options) {
        String me = "rank " + step.rank() + " of SLURM step " + step.name();
        long deadline = System.nanoTime() + wait.toNanos();
        ControlClient control;
        JobSecret secret;
        while (true) {
            SlurmRendezvousFile.Contents c = file.await(deadline, wait);
            InetSocketAddress at;
            try {
                at = ProcessJoin.address(c.hostPort());
            } catch (MpiException e) {
                throw new MpiException(ErrorClass.ARG, file.path() + " names no rendezvous: " + c.hostPort());
            }
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                control = ControlClient.connect(at, c.secret(), step.rank(),
                        Duration.ofNanos(Math.clamp(left, 1_000_000_000L, ProcessJoin.CONNECT.toNanos())));
                secret = c.secret();
                break;
            } catch (IOException e) {
                // A file another run of this step left behind (a requeued job, a rank 0 that
                // was killed), or one that rank 0 is about to replace: try again until the
                // deadline, re-reading the file.
                if (System.nanoTime() - deadline > 0) {
                    throw new MpiException(ErrorClass.INTERN, me + " cannot join rank 0's rendezvous at " + c.hostPort()
                            + " (from " + file.path() + "): " + e.getMessage(), e);
                }
                LockSupport.parkNanos(200_000_000L);
            }
        }
        ProcessRank pr = ProcessJoin.join(settings, step.rank(), step.size(), secret, step.shmJobId(), control, options);
        Watch watch = new Watch(step, null);
        watch.joined(pr);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("mpi4j-slurm-exit").unstarted(watch::atExit));
        return pr;
    }

    /** Reports how this rank's process ends, and cleans up after a failed step. */
    private static final class Watch {
        private final SlurmStep step;
        private final SlurmCoordinator coordinator;
        private volatile ProcessRank rank;
        private volatile boolean reported;

        Watch(SlurmStep step, SlurmCoordinator coordinator) {
            this.step = step;
            this.coordinator = coordinator;
        }

        /** The rank has joined: from now on, its main thread's death is reported. */
        void joined(ProcessRank pr) {
            this.rank = pr;
            Thread main = Thread.currentThread();
            if (!main.isVirtual()) {
                Thread.UncaughtExceptionHandler previous = main.getUncaughtExceptionHandler();
                main.setUncaughtExceptionHandler((t, e) -> {
                    try {
                        previous.uncaughtException(t, e); // the stack trace, as without mpi4j
                    } finally {
                        mainFailed(e);
                    }
                });
            }
        }

        /** The main thread died of {@code e}: report it, unless the job already knows why it failed. */
        void mainFailed(Throwable e) {
            ProcessRank pr = rank;
            if (pr == null || reported) {
                return;
            }
            if (pr.endpoint().failure() == null && becausePeerFinalized(e)) {
                long deadline = System.nanoTime() + BLAME_WAIT.toNanos();
                while (pr.endpoint().failure() == null && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(10_000_000L);
                }
            }
            JobAbortedException f = pr.endpoint().failure();
            if (f != null) {
                // Rank 0 knows: it told this rank, or this rank told it (abort), or it will
                // learn it from the lost peer's connection.
                if (f.failedRank() != pr.rank() && !has(e, JobAbortedException.class)) {
                    System.err.println("mpi4j: rank " + pr.rank() + ": " + f.getMessage());
                    System.err.flush();
                }
                return;
            }
            reported = true;
            pr.control().sendAbort(1, "failed: " + e);
        }

        /** At the end of the process (a shutdown hook). */
        void atExit() {
            ProcessRank pr = rank;
            if (pr != null && !pr.finalized() && !reported && pr.endpoint().failure() == null) {
                reported = true;
                pr.control().sendAbort(1, "exited before finalizing");
            }
            if (coordinator != null) {
                coordinator.awaitOthersAndClose();
            }
            boolean failed = reported || (pr != null && pr.endpoint().failure() != null)
                    || (coordinator != null && coordinator.failed());
            if (failed) {
                // No launcher cleans up after a failed step: whoever ends last on a node does.
                try {
                    ShmTransport.deleteJobDirectory(ShmTransport.jobDirectory(step.shmJobId()));
                } catch (IOException | RuntimeException ignored) {
                    // best effort
                }
            }
        }

        private static boolean becausePeerFinalized(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MpiException m && m.errorClass() == ErrorClass.PROC_FINALIZED) {
                    return true;
                }
            }
            return false;
        }

        private static boolean has(Throwable e, Class<? extends Throwable> type) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }
    }
}
