package org.mpi4j.engine.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher's rendezvous: ranks that hold the secret meet and learn each other; strangers,
 * wrong proofs, replayed handshakes and garbage are dropped without disturbing the job.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RendezvousTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static RankCard card(int rank) {
        return new RankCard(rank, "host", "host-id", "127.0.0.1", 1000 + rank, "/dev/shm/x", 100 + rank);
    }

    /** Connects {@code n} ranks concurrently and returns the tables they received. */
    private static List<List<RankCard>> joinAll(Rendezvous r, JobSecret secret, int n) throws Exception {
        List<CompletableFuture<List<RankCard>>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int rank = i;
            CompletableFuture<List<RankCard>> f = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> { // each rank on a thread of its own: they wait for one another
                try {
                    ControlClient c = ControlClient.connect(r.address(), secret, rank, WAIT);
                    f.complete(c.exchange(card(rank), WAIT));
                } catch (IOException | RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            fs.add(f);
        }
        List<List<RankCard>> out = new ArrayList<>();
        for (CompletableFuture<List<RankCard>> f : fs) {
            out.add(f.get(30, TimeUnit.SECONDS));
        }
        return out;
    }

    @Test
    void ranksThatHoldTheSecretLearnEveryCard() throws Exception {
        JobSecret secret = JobSecret.generate();
        try (Rendezvous r = Rendezvous.open(3, secret, InetAddress.getLoopbackAddress())) {
            List<List<RankCard>> tables = joinAll(r, secret, 3);
            for (List<RankCard> t : tables) {
                assertEquals(List.of(card(0), card(1), card(2)), t);
            }
            assertTrue(r.awaitAll(WAIT));
        }
    }

    @Test
    void aRankWithTheWrongSecretIsRefused() throws Exception {
        JobSecret secret = JobSecret.generate();
        try (Rendezvous r = Rendezvous.open(1, secret, InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class,
                    () -> ControlClient.connect(r.address(), JobSecret.generate(), 0, WAIT).exchange(card(0), WAIT));
            assertTrue(e.getMessage() != null);
            assertEquals(List.of(0), r.missing(), "the impostor must not take rank 0's place");
            assertEquals(List.of(card(0)), joinAll(r, secret, 1).get(0), "the real rank 0 still joins");
        }
    }

    @Test
    void aLauncherWithoutTheSecretIsRefusedByTheRank() throws Exception {
        try (Rendezvous fake = Rendezvous.open(1, JobSecret.generate(), InetAddress.getLoopbackAddress())) {
            // The rank's proof fails at the fake launcher, which drops the connection; either
            // way the rank gets no table from a launcher that cannot prove the secret.
            assertThrows(IOException.class,
                    () -> ControlClient.connect(fake.address(), JobSecret.generate(), 0, WAIT).exchange(card(0), WAIT));
        }
    }

    /** A recorded handshake, replayed, fails: the launcher's challenge is fresh each time. */
    @Test
    void aReplayedHandshakeIsRefused() throws Exception {
        JobSecret secret = JobSecret.generate();
        try (Rendezvous r = Rendezvous.open(2, secret, InetAddress.getLoopbackAddress())) {
            // Record what a genuine rank 1 sends after the launcher's greeting.
            byte[] recorded;
            try (Socket s = new Socket(r.address().getAddress(), r.address().getPort())) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertEquals(Control.MAGIC, in.readInt());
                assertEquals(Control.VERSION, in.readInt());
                byte[] challenge = in.readNBytes(JobSecret.NONCE_BYTES);
                byte[] mine = JobSecret.nonce();
                java.io.ByteArrayOutputStream rec = new java.io.ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(rec);
                d.writeInt(Control.MAGIC);
                d.writeInt(Control.VERSION);
                d.writeInt(1);
                d.write(mine);
                d.write(secret.prove(Control.RANK_PROVES, challenge, mine, 1));
                recorded = rec.toByteArray();
                s.getOutputStream().write(recorded);
                s.getOutputStream().flush();
                assertEquals(JobSecret.PROOF_BYTES, in.readNBytes(JobSecret.PROOF_BYTES).length);
            } // the genuine connection closes before publishing its card: rank 1 is free again
            waitUntil(() -> r.missing().contains(1));
            try (Socket s = new Socket(r.address().getAddress(), r.address().getPort())) {
                s.getInputStream().readNBytes(8 + JobSecret.NONCE_BYTES); // a new, different challenge
                s.getOutputStream().write(recorded);
                s.getOutputStream().flush();
                assertEquals(-1, s.getInputStream().read(), "the replay must be dropped");
            }
            List<List<RankCard>> tables = joinAll(r, secret, 2);
            assertEquals(2, tables.get(1).size(), "the job is undisturbed");
        }
    }

    @Test
    void garbageAndHugeLengthsAreDroppedAndTheJobGoesOn() throws Exception {
        long seed = new Random().nextLong();
        System.out.println("seed=" + seed);
        Random rnd = new Random(seed);
        JobSecret secret = JobSecret.generate();
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (Rendezvous r = Rendezvous.open(2, secret, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket(r.address().getAddress(), r.address().getPort())) {
                    s.setSoTimeout(10_000);
                    byte[] junk = new byte[rnd.nextInt(4096)];
                    rnd.nextBytes(junk);
                    OutputStream o = s.getOutputStream();
                    try {
                        o.write(junk);
                        o.flush();
                    } catch (IOException dropped) {
                        // already dropped: fine
                    }
                    drain(s.getInputStream());
                } catch (IOException dropped) {
                    warnings.add(dropped.toString());
                }
            }
            // A stranger that never speaks holds no slot and blocks no one.
            try (Socket silent = new Socket(r.address().getAddress(), r.address().getPort())) {
                List<List<RankCard>> tables = joinAll(r, secret, 2);
                assertEquals(List.of(card(0), card(1)), tables.get(0), "seed " + seed);
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] b = new byte[256];
        while (in.read(b) >= 0) {
            // until the rendezvous closes the connection
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(10);
        }
    }
}
