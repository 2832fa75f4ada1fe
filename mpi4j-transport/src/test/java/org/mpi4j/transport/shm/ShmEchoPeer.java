package org.mpi4j.transport.shm;

import java.nio.file.Path;
import java.time.Duration;
import org.mpi4j.transport.Frame;

/**
 * Rank 1 of a two-rank shared-memory job, in a process of its own, for
 * {@link ShmCrossProcessTest}: {@code ShmEchoPeer <dir> <token> <capacity> echo|idle}.
 *
 * <ul>
 *   <li>{@code echo}: sends every frame it receives straight back to rank 0 (from inside the
 *       delivery, the payload copied from ring to ring) until a {@link Frame#CLOSE}, then
 *       closes its transport and exits with status 0;</li>
 *   <li>{@code idle}: connects, then never reads (until killed).</li>
 * </ul>
 *
 * Exits with status 3 if it is still running after a minute, so a failed test leaves no
 * process behind.
 */
public final class ShmEchoPeer {
    private ShmEchoPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long token = Long.parseUnsignedLong(args[1], 16);
        long capacity = Long.parseLong(args[2]);
        String mode = args[3];
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        boolean[] done = {false};
        ShmTransport[] t = new ShmTransport[1];
        t[0] = new ShmTransport(1, new int[] {0, 1}, dir, token, capacity, (peer, f, payload, off) -> {
            if (f.type == Frame.CLOSE) {
                done[0] = true;
                return;
            }
            t[0].send(peer, f.copy(), payload, off);
        });
        t[0].connect(Duration.ofSeconds(30));
        if (mode.equals("idle")) {
            System.out.println("idle");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(1));
            System.exit(3);
        }
        while (!done[0]) {
            if (t[0].poll() == 0) {
                Thread.onSpinWait();
            }
            if (System.nanoTime() - deadline > 0) {
                System.err.println("ShmEchoPeer: no CLOSE within a minute");
                System.exit(3);
            }
        }
        t[0].close();
        System.exit(0);
    }
}
