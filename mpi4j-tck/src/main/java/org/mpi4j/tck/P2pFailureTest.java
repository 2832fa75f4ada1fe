package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;

/**
 * What happens when a rank fails: the job is aborted, every other rank's blocked and later
 * operations throw a {@link JobAbortedException} naming the failed rank and carrying its
 * cause, and {@link org.mpi4j.LocalJob#run} rethrows it. Never a hang.
 *
 * <p>These run jobs directly with {@link Mpi#local(int)}, in plain tests, to look at what
 * each rank and the caller see.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class P2pFailureTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void runReturnsEachRanksResultInRankOrder() {
        assertEquals(List.of(0, 2, 4, 6), Mpi.local(4).timeout(LIMIT).run(w -> w.rank() * 2));
        assertEquals(List.of("4", "4", "4", "4"), Mpi.local(4).run(w -> String.valueOf(w.size())));
    }

    @Test
    void aThrowingRankAbortsTheOthersBlockedInReceives() {
        int n = 4;
        AtomicReferenceArray<Throwable> seen = new AtomicReferenceArray<>(n);
        IllegalStateException boom = new IllegalStateException("rank 1 broke");
        JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(n).timeout(LIMIT).execute(w -> {
            if (w.rank() == 1) {
                throw boom;
            }
            try {
                w.recv(Buf.of(new int[1]), 1, 0); // never sent
            } catch (RuntimeException t) {
                seen.set(w.rank(), t);
                throw t;
            }
        }));
        assertEquals(1, e.failedRank());
        assertEquals(ErrorClass.ABORTED, e.errorClass());
        assertSame(boom, e.getCause(), "run() carries the failed rank's own exception");
        assertTrue(e.getMessage().contains("1"), e.getMessage());
        for (int r : new int[] {0, 2, 3}) {
            JobAbortedException j = assertInstanceOf(JobAbortedException.class, seen.get(r), "rank " + r);
            assertEquals(1, j.failedRank(), "rank " + r + " is told who failed");
            assertSame(boom, j.getCause(), "rank " + r + " is told why");
        }
    }

    @Test
    void pendingRequestsAndLaterOperationsFailToo() {
        AtomicReferenceArray<Object> seen = new AtomicReferenceArray<>(6);
        assertThrows(JobAbortedException.class, () -> Mpi.local(2).timeout(LIMIT).execute(w -> {
            if (w.rank() == 1) {
                w.recv(0, 1); // wait until rank 0 has posted its requests
                throw new IllegalArgumentException("late failure");
            }
            Request<Status> r = w.irecv(Buf.of(new int[1]), 1, 0);
            Request<Object> o = w.irecv(1, 2);
            CompletableFuture<Object> f = o.toFuture();
            w.send("ready", 1, 1);
            seen.set(0, assertThrows(JobAbortedException.class, r::waitFor));
            seen.set(1, assertThrows(JobAbortedException.class, () -> Request.waitAll(o)));
            seen.set(2, f.handle((v, t) -> t).get(30, TimeUnit.SECONDS));
            seen.set(3, assertThrows(JobAbortedException.class, () -> w.send("after", 1, 0)));
            seen.set(4, assertThrows(JobAbortedException.class, () -> w.isend(Buf.of(new int[1]), 1, 0).waitFor()));
            seen.set(5, assertThrows(JobAbortedException.class, () -> w.probe(1, 0)));
        }));
        for (int i = 0; i < 6; i++) {
            Object t = seen.get(i);
            if (t instanceof java.util.concurrent.CompletionException c) {
                t = c.getCause();
            }
            JobAbortedException j = assertInstanceOf(JobAbortedException.class, t, "check " + i);
            assertEquals(1, j.failedRank());
            assertInstanceOf(IllegalArgumentException.class, j.getCause());
        }
    }

    @Test
    void abortEndsTheJobWithItsErrorCode() {
        int n = 3;
        AtomicReferenceArray<Throwable> seen = new AtomicReferenceArray<>(n);
        JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(n).timeout(LIMIT).execute(w -> {
            try {
                if (w.rank() == 2) {
                    w.abort(3);
                }
                w.recv(2, 0);
            } catch (RuntimeException t) {
                seen.set(w.rank(), t);
                throw t;
            }
        }));
        assertEquals(2, e.failedRank());
        assertEquals(3, e.errorCode());
        for (int r = 0; r < n; r++) {
            JobAbortedException j = assertInstanceOf(JobAbortedException.class, seen.get(r),
                    r == 2 ? "abort throws on the calling rank too" : "rank " + r);
            assertEquals(2, j.failedRank());
            assertEquals(3, j.errorCode());
        }
    }

    @Test
    void theFirstFailureWins() {
        JobAbortedException e = assertThrows(JobAbortedException.class, () -> Mpi.local(3).timeout(LIMIT).execute(w -> {
            if (w.rank() == 0) {
                throw new IllegalStateException("first");
            }
            w.recv(0, 0);
            throw new IllegalStateException("never reached: rank " + w.rank());
        }));
        assertEquals(0, e.failedRank());
        assertEquals("first", e.getCause().getMessage());
    }

    @Test
    void aHungJobTimesOutWithAReportOfEachRank() {
        long start = System.nanoTime();
        MpiException e = assertThrows(MpiException.class,
                () -> Mpi.local(2).timeout(Duration.ofSeconds(1)).execute(w -> w.recv(1 - w.rank(), 0)));
        assertEquals(ErrorClass.TIMEOUT, e.errorClass());
        assertTrue(e.getMessage().contains("recv"), e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
    }

    @Test
    void aReceiveFromAFinishedRankFailsInsteadOfHanging() {
        List<ErrorClass> got = Mpi.local(2).timeout(LIMIT).run(w -> {
            if (w.rank() == 1) {
                return null; // finishes without sending
            }
            try {
                w.recv(1, 0);
                return null;
            } catch (MpiException e) {
                return e.errorClass();
            }
        });
        assertEquals(ErrorClass.PROC_FINALIZED, got.get(0));
        assertNull(got.get(1));
    }

    @Test
    void manyJobsRunAtOnceInOneJvm() throws Exception {
        List<CompletableFuture<List<Integer>>> jobs = new java.util.ArrayList<>();
        for (int j = 0; j < 4; j++) {
            int salt = j;
            jobs.add(CompletableFuture.supplyAsync(() -> Mpi.local(3).timeout(LIMIT).run(w -> {
                int sum = salt;
                for (int i = 0; i < 50; i++) {
                    sum += w.<Integer>sendrecv(w.rank() + salt, Tck.right(w), 0, Tck.left(w), 0);
                }
                return sum;
            })));
        }
        for (int j = 0; j < 4; j++) {
            List<Integer> sums = jobs.get(j).get(60, TimeUnit.SECONDS);
            for (int r = 0; r < 3; r++) {
                assertEquals(j + 50 * ((r + 2) % 3 + j), sums.get(r), "job " + j + " rank " + r);
            }
        }
    }

    @Test
    void mpiInitInsideARankJoinsThatRank() {
        List<String> got = Mpi.local(3).timeout(LIMIT).run(w -> {
            Mpi mpi = Mpi.init();
            Comm world = mpi.world();
            return world.rank() + "/" + world.size() + "/" + mpi.engine();
        });
        assertEquals(List.of("0/3/local", "1/3/local", "2/3/local"), got);
    }
}
