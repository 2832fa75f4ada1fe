package org.mpi4j.engine.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;

/** Engine-level checks of the local engine; the full contract suites live in mpi4j-tck. */
class LocalEngineTest {

    record Point(int id, double x, String label) {
    }

    @Test
    void ranksSeeTheirRankAndSize() {
        List<Integer> out = Mpi.local(5).run(w -> w.rank() * 10 + w.size());
        assertEquals(List.of(5, 15, 25, 35, 45), out);
    }

    @Test
    void pingPongOfObjectsAndBuffers() {
        Mpi.local(2).timeout(Duration.ofSeconds(30)).execute(w -> {
            int other = 1 - w.rank();
            if (w.rank() == 0) {
                w.send(new Point(7, 1.5, "seven"), other, 3);
                Point back = w.recv(other, 4);
                assertEquals(new Point(8, 3.0, "eight"), back);
                double[] big = new double[1 << 20];
                for (int i = 0; i < big.length; i++) {
                    big[i] = i;
                }
                w.send(Buf.of(big), other, 5);
            } else {
                Point p = w.recv(other, 3);
                w.send(new Point(p.id() + 1, p.x() * 2, "eight"), other, 4);
                double[] big = new double[1 << 20];
                Status st = w.recv(Buf.of(big), other, 5);
                assertEquals(1 << 20, st.count());
                assertEquals(12345.0, big[12345]);
            }
        });
    }

    @Test
    void hostileTransportDeliversEverythingInOrder() {
        Mpi.local(3).set("mpi4j.transport.hostile", 42L).timeout(Duration.ofSeconds(60)).execute(w -> {
            int right = (w.rank() + 1) % w.size();
            int left = (w.rank() + w.size() - 1) % w.size();
            int n = 200;
            Request<?>[] sends = new Request<?>[n];
            for (int i = 0; i < n; i++) {
                int[] msg = new int[i * 37 % 3000 + 1];
                msg[0] = i;
                sends[i] = w.isend(Buf.of(msg), right, 9);
            }
            for (int i = 0; i < n; i++) {
                int[] in = new int[3001];
                Status st = w.recv(Buf.of(in), left, 9);
                assertEquals(i, in[0]);
                assertEquals(i * 37 % 3000 + 1, st.count());
            }
            Request.waitAll(sends);
            Map<String, int[]> m = w.sendrecv(Map.of("k", new int[] {w.rank()}), right, 1, left, 1);
            assertArrayEquals(new int[] {left}, m.get("k"));
        });
    }

    @Test
    void aFailingRankAbortsTheOthersPromptly() {
        long t0 = System.nanoTime();
        JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(4).execute(w -> {
            if (w.rank() == 2) {
                throw new IllegalStateException("boom");
            }
            w.recv(Mpi.ANY_SOURCE, 0); // never satisfied
        }));
        assertEquals(2, e.failedRank());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
    }

    @Test
    void theFailedRankIsBlamedEvenWhenItsMainClosesMpiOnTheWayOut() {
        // try-with-resources closes Mpi before the job sees the exception; the peers must still
        // learn of the real failure, not of a "finalized" rank.
        for (int i = 0; i < 50; i++) {
            JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(3).execute(w -> {
                try (Mpi mpi = Mpi.init()) {
                    if (mpi.world().rank() == 1) {
                        throw new IllegalStateException("boom");
                    }
                    mpi.world().recv(1, 0);
                }
            }));
            assertEquals(1, e.failedRank(), e.getMessage());
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    @Test
    void aTimeoutReportsWhatEachRankIsBlockedIn() {
        MpiException e = assertThrows(MpiException.class, () -> Mpi.local(2).timeout(Duration.ofMillis(500))
                .execute(w -> {
                    if (w.rank() == 0) {
                        w.recv(Buf.of(new int[1]), 1, 77);
                    }
                    else {
                        w.recv(Buf.of(new int[1]), 0, 78);
                    }
                }));
        assertEquals(ErrorClass.TIMEOUT, e.errorClass());
        assertTrue(e.getMessage().contains("blocked in recv(source=1, tag=77)"), e.getMessage());
    }

    @Test
    void aTimeoutReportsFramesARankBusyInItsOwnCodeNeverPolled() {
        MpiException e = assertThrows(MpiException.class, () -> Mpi.local(2).timeout(Duration.ofMillis(500))
                .execute(w -> {
                    if (w.rank() == 1) {
                        w.send(Buf.of(new int[1]), 0, 5);
                        w.recv(Buf.of(new int[1]), 0, 6);
                    } else {
                        long end = System.nanoTime() + 5_000_000_000L;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait(); // busy in user code, never calling mpi4j
                        }
                    }
                }));
        assertTrue(e.getMessage().contains("not yet polled"), e.getMessage());
    }

    @Test
    void receivingFromAFinishedRankFailsInsteadOfHanging() {
        JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(2)
                .timeout(Duration.ofSeconds(20)).execute(w -> {
                    if (w.rank() == 0) {
                        w.recv(1, 5);
                    }
                }));
        assertEquals(ErrorClass.PROC_FINALIZED, ((MpiException) e.getCause()).errorClass());
    }
}
