package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Comparison;
import org.mpi4j.ErrorClass;
import org.mpi4j.Group;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Communicators: dup, split, splitType, create, compare, free — and that each has a context of its own. */
class CommManagementTest {

    @MpiTest
    void dupHasTheSameRanksAndAContextOfItsOwn(Comm world) {
        Comm dup = world.dup();
        assertEquals(world.size(), dup.size());
        assertEquals(world.rank(), dup.rank());
        assertEquals(Comparison.CONGRUENT, world.compare(dup));
        assertEquals(Comparison.IDENT, dup.compare(dup));
        // A message on the dup is invisible to a wildcard receive on the parent.
        Request<Status> s = dup.isend(Buf.of(new int[] {7}), Tck.right(world), 3);
        Request<Status> parent = world.irecv(Buf.of(new int[1]), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        int[] in = new int[1];
        dup.recv(Buf.of(in), Tck.left(world), 3);
        assertEquals(7, in[0]);
        s.waitFor();
        assertFalse(parent.test(), "a receive on the parent matched traffic of its dup");
        parent.cancel();
        assertTrue(parent.waitFor().cancelled());
        dup.free();
    }

    @MpiTest
    void manyDupsGetDistinctContexts(Comm world) {
        List<Comm> comms = new ArrayList<>();
        Comm c = world;
        for (int i = 0; i < 10; i++) {
            c = i % 2 == 0 ? c.dup() : world.dup();
            comms.add(c);
        }
        // The same tag on every communicator at once: each message stays on its own.
        List<Request<Status>> sends = new ArrayList<>();
        for (int i = 0; i < comms.size(); i++) {
            sends.add(comms.get(i).isend(Buf.of(new int[] {i}), Tck.right(world), 0));
        }
        for (int i = comms.size() - 1; i >= 0; i--) {
            int[] in = new int[1];
            comms.get(i).recv(Buf.of(in), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
            assertEquals(i, in[0]);
        }
        Request.waitAll(sends);
    }

    @MpiTest(ranks = {1, 2, 3, 4, 7})
    void splitByParityWithReversedKeys(Comm world) {
        Comm half = world.split(world.rank() % 2, -world.rank());
        int members = (world.size() + 1 - world.rank() % 2) / 2;
        assertEquals(members, half.size());
        // Keys are reversed, so the highest world rank of each color is rank 0.
        List<Integer> expected = new ArrayList<>();
        for (int r = world.size() - 1; r >= 0; r--) {
            if (r % 2 == world.rank() % 2) {
                expected.add(r);
            }
        }
        assertEquals(expected.indexOf(world.rank()), half.rank());
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), half.group().worldRanks());
        // A ring on the half communicator.
        int got = half.sendrecv(world.rank(), (half.rank() + 1) % half.size(), 0,
                (half.rank() + half.size() - 1) % half.size(), 0);
        assertEquals(expected.get((half.rank() + half.size() - 1) % half.size()), got);
    }

    @MpiTest
    void undefinedColorGetsNoCommunicator(Comm world) {
        Comm c = world.split(world.rank() == 0 ? Mpi.UNDEFINED : 1, 0);
        if (world.rank() == 0) {
            assertNull(c);
        } else {
            assertNotNull(c);
            assertEquals(world.size() - 1, c.size());
            assertEquals(world.rank() - 1, c.rank());
        }
        MpiException e = assertThrows(MpiException.class, () -> world.split(-5, 0));
        assertEquals(ErrorClass.ARG, e.errorClass());
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
    }

    @MpiTest
    void splitTypeSharedGroupsTheRanksOfOneHost(Comm world) {
        Comm shared = world.splitType(Comm.SplitType.SHARED, 0);
        // Every rank of the local engine runs on this host.
        assertEquals(world.size(), shared.size());
        assertEquals(world.rank(), shared.rank());
    }

    @MpiTest
    void createFromAGroupOfEvenRanks(Comm world) {
        Group evens = world.group().rangeIncl(new int[] {0, world.size() - 1, 2});
        Comm c = world.create(evens);
        if (world.rank() % 2 == 0) {
            assertNotNull(c);
            assertEquals(world.rank() / 2, c.rank());
            assertEquals(evens.size(), c.size());
            assertEquals(Comparison.IDENT, c.group().compare(evens));
        } else {
            assertNull(c);
        }
    }

    @MpiTest(ranks = {2, 3, 4})
    void compareTellsSimilarFromUnequal(Comm world) {
        Comm reversed = world.split(0, -world.rank());
        assertEquals(Comparison.SIMILAR, world.compare(reversed));
        Comm alone = world.split(world.rank(), 0);
        assertEquals(Comparison.UNEQUAL, world.compare(alone));
    }

    @MpiTest(ranks = {1, 3})
    void aFreedCommunicatorCannotBeUsed(Comm world) {
        Comm dup = world.dup();
        dup.free();
        assertTrue(dup.isFreed());
        MpiException e = assertThrows(MpiException.class, () -> dup.send(Buf.of(new int[1]), 0, 0));
        assertEquals(ErrorClass.COMM, e.errorClass());
        assertTrue(e.getMessage().contains("freed"), e.getMessage());
        assertThrows(MpiException.class, dup::dup);
        // The test may get a duplicate of WORLD (the process engine's test pool isolates each
        // test so); WORLD itself is what cannot be freed.
        Comm predefined = org.mpi4j.Mpi.init().world();
        MpiException w = assertThrows(MpiException.class, predefined::free);
        assertEquals(ErrorClass.COMM, w.errorClass());
    }

    @MpiTest(ranks = {1, 2, 3, 4})
    void threadsCreatingCommunicatorsAtOnceGetDistinctContexts(Comm world) throws Exception {
        // Two threads per rank create communicators from two different parents at the same
        // time; the contexts they agree on must differ, or their traffic would mix.
        Comm a = world.dup();
        Comm b = world.dup();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<List<Comm>> fa = CompletableFuture.supplyAsync(() -> dups(a, 6), pool);
            CompletableFuture<List<Comm>> fb = CompletableFuture.supplyAsync(() -> dups(b, 6), pool);
            List<Comm> all = new ArrayList<>(fa.get());
            all.addAll(fb.get());
            List<Request<Status>> sends = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                sends.add(all.get(i).isend(Buf.of(new int[] {i}), Tck.right(world), 5));
            }
            for (int i = 0; i < all.size(); i++) {
                int[] in = new int[1];
                all.get(i).recv(Buf.of(in), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
                assertEquals(i, in[0], "communicator " + i + " received another's message");
            }
            Request.waitAll(sends);
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Comm> dups(Comm parent, int n) {
        List<Comm> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(parent.dup());
        }
        return out;
    }
}
