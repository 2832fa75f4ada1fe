package org.mpi4j.engine.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.spi.Settings;

/**
 * Where the tasks of a SLURM step find rank 0's rendezvous: a file in a directory that every
 * node of the allocation sees ({@code $HOME/.mpi4j/slurm} by default, or the
 * {@code mpi4j.slurm.dir} setting), named after the step, holding the rendezvous's address
 * and the job secret.
 *
 * <p>The secret is what keeps other users out of the job, so the file is readable by its
 * owner only: the directory is created {@code rwx------}, the file is written
 * {@code rw-------} under a temporary name and renamed into place, so a reader never sees
 * half of it, and a reader accepts only a file owned by its own user. Rank 0 deletes it as
 * soon as every rank has joined.
 */
final class SlurmRendezvousFile {
    /** The setting that names the directory ({@code MPI4J_SLURM_DIR}). */
    static final String DIR = "mpi4j.slurm.dir";
    /** The setting that bounds, in seconds, how long a rank waits for the file ({@code MPI4J_SLURM_TIMEOUT}). */
    static final String TIMEOUT = "mpi4j.slurm.timeout";
    /**
     * The default wait: generous, because an NFS client may cache a file's absence for as
     * long as its directory attribute cache lives (up to 60 s by default).
     */
    static final int DEFAULT_TIMEOUT_SECONDS = 120;

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** What the file says: where the rendezvous listens, and the job's secret. */
    record Contents(String hostPort, JobSecret secret) {
    }

    private final Path file;
    private final String step;

    private SlurmRendezvousFile(Path file, String step) {
        this.file = file;
        this.step = step;
    }

    /** The file of {@code step}, in the directory the settings name. */
    static SlurmRendezvousFile of(Settings settings, SlurmStep step) {
        return new SlurmRendezvousFile(directory(settings).resolve(step.fileName()), step.name());
    }

    /** The directory: {@code mpi4j.slurm.dir}, else {@code $HOME/.mpi4j/slurm}. */
    static Path directory(Settings settings) {
        String dir = settings.get(DIR, null);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir.trim()).toAbsolutePath();
        }
        String home = System.getenv("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home");
        }
        return Path.of(home, ".mpi4j", "slurm").toAbsolutePath();
    }

    /** How long a rank waits for the file, from the settings. */
    static Duration timeout(Settings settings) {
        return Duration.ofSeconds(settings.getInt(TIMEOUT, DEFAULT_TIMEOUT_SECONDS, 1, 24 * 3600));
    }

    Path path() {
        return file;
    }

    /**
     * Publishes the rendezvous: creates the directory (owner only) if it is missing, writes
     * the file owner-only under a temporary name and renames it into place.
     *
     * @param note who wrote it, for a human who finds the file
     */
    void publish(String hostPort, JobSecret secret, String note) throws IOException {
        Path dir = file.getParent();
        try {
            Files.createDirectories(dir, OWNER_ONLY_DIR);
        } catch (UnsupportedOperationException e) {
            throw new IOException("the file system of " + dir + " has no POSIX permissions, so the job secret could"
                    + " not be kept from other users; set " + DIR + " to a directory on one that does");
        }
        String text = "# mpi4j: the rendezvous of SLURM step " + step + ", " + note + ".\n"
                + "# It holds the job's secret: it is readable by its owner only, and deleted once every rank has joined.\n"
                + "step=" + step + "\n"
                + "rendezvous=" + hostPort + "\n"
                + "secret=" + secret.encoded() + "\n";
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    OWNER_ONLY_FILE)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " to " + file + " atomically: " + e.getMessage(), e);
            }
        } catch (UnsupportedOperationException e) {
            throw new IOException("the file system of " + dir + " has no POSIX permissions, so the job secret could"
                    + " not be kept from other users; set " + DIR + " to a directory on one that does");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes the file, if it is there; never throws. */
    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            // best effort: a later step of the same id replaces it
        }
    }

    /**
     * Waits until the file is there and reads it.
     *
     * @param deadline {@link System#nanoTime()} after which to give up
     * @throws MpiException of class {@link ErrorClass#TIMEOUT} naming the file if it does not
     *     appear in time; of class {@link ErrorClass#ARG} if it belongs to another user
     */
    Contents await(long deadline, Duration timeout) {
        String problem = null;
        for (int round = 0;; round++) {
            try {
                Contents c = read();
                if (c != null) {
                    return c;
                }
            } catch (MalformedException e) {
                problem = e.getMessage(); // perhaps another step's leftover: rank 0 replaces it
            } catch (IOException e) {
                problem = "cannot read it: " + e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new MpiException(ErrorClass.TIMEOUT, "rank 0's rendezvous file " + file + " did not appear within "
                        + timeout.toSeconds() + " s" + (problem == null ? "" : " (" + problem + ")")
                        + ": did rank 0 of SLURM step " + step + " start, and do all nodes of the allocation see "
                        + file.getParent() + "? (set " + DIR + " to a directory they share, " + TIMEOUT
                        + " to wait longer)");
            }
            // 20 ms at first, then up to half a second: many ranks polling a shared file system
            // should not flood its metadata server.
            LockSupport.parkNanos(Math.min(500_000_000L, 20_000_000L << Math.min(round, 5)));
        }
    }

    /** Reads the file: null if it is not there. */
    Contents read() throws IOException {
        byte[] bytes;
        UserPrincipal owner;
        boolean mine;
        try {
            owner = Files.getOwner(file);
            mine = ownedByMe(owner);
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!mine) {
            throw new MpiException(ErrorClass.ARG, "the rendezvous file " + file + " belongs to " + owner.getName()
                    + ", not to this user: refusing it, since whoever wrote it could make the ranks join their job");
        }
        Map<String, String> values = new HashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        String s = values.get("step");
        String hostPort = values.get("rendezvous");
        String secret = values.get("secret");
        if (!step.equals(s) || hostPort == null || secret == null) {
            throw new MalformedException(file + " is not the rendezvous file of step " + step);
        }
        try {
            return new Contents(hostPort, JobSecret.parse(secret));
        } catch (IllegalArgumentException e) {
            throw new MalformedException(file + " holds no valid job secret");
        }
    }

    /** Whether the file belongs to this process's user: by uid where there is one (Linux), else by name. */
    private boolean ownedByMe(UserPrincipal owner) throws IOException {
        Integer mine = null;
        try {
            mine = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // /proc/self is the process's user's
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not Linux: compare by name below
        }
        if (mine != null) {
            return mine.equals(Files.getAttribute(file, "unix:uid"));
        }
        UserPrincipal self = FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        return self.equals(owner);
    }

    /** The file is there but is not this step's rendezvous. */
    static final class MalformedException extends IOException {
        MalformedException(String message) {
            super(message);
        }
    }
}
