package org.mpi4j.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mpi4j.transport.tcp.TcpTestSupport.LOOPBACK;
import static org.mpi4j.transport.tcp.TcpTestSupport.data;
import static org.mpi4j.transport.tcp.TcpTestSupport.eager;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.tcp.TcpTestSupport.Job;
import org.mpi4j.transport.tcp.TcpTestSupport.LogCapture;
import org.mpi4j.transport.tcp.TcpTestSupport.RawClient;

/**
 * Attacks on a job of three ranks where ranks 0 and 1 are connected and rank 2's place is
 * free. After each, the attacker's connection has been dropped and logged, and ranks 0 and 1
 * still talk over the very connection they had.
 */
class TcpSecurityTest {
    private static final TcpTransport.Options OPTS = TcpTransport.Options.defaults()
            .withHandshakeTimeout(Duration.ofMillis(500));

    private Job job;
    private LogCapture log;
    private SocketAddress[] ends;

    @BeforeEach
    void connectZeroAndOne() throws Exception {
        log = new LogCapture();
        job = new Job(2, 3, OPTS);
        job.t[1].send(0, eager(1, 1, 0), null, 0); // rank 1 connects to rank 0
        job.recorder(0).take();
        ends = job.t[0].connectionEnds(1);
    }

    @AfterEach
    void close() {
        job.close();
        log.close();
    }

    private InetSocketAddress rank0() {
        return job.t[0].localAddress();
    }

    /** Ranks 0 and 1 still exchange frames, over the same connection, and lost no one but whom the test expects. */
    private void assertJobStillWorks() throws Exception {
        byte[] p = {1, 2, 3, 4, 5, 6, 7, 8};
        job.t[0].send(1, eager(0, 42, 8), Buf.of(p), 0);
        job.t[1].send(0, eager(1, 43, 8), Buf.of(p), 0);
        assertArrayEquals(p, job.recorder(1).take().payload());
        assertArrayEquals(p, job.recorder(0).take().payload());
        SocketAddress[] now = job.t[0].connectionEnds(1);
        assertEquals(ends[0], now[0], "the 0-1 connection was not replaced");
        assertEquals(ends[1], now[1]);
        assertTrue(job.losses[0].lost.stream().noneMatch(s -> s.startsWith("1:")), job.losses[0].lost.toString());
        assertTrue(job.losses[1].lost.isEmpty(), job.losses[1].lost.toString());
    }

    private static long directMemoryUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return 0;
    }

    @Test
    @Timeout(30)
    void wrongSecretIsDroppedAndLogged() throws Exception {
        try (RawClient c = new RawClient(rank0())) {
            int verdict = c.handshake(TcpTestSupport.secret(7), 3, 2, 0, OPTS);
            assertEquals(-1, verdict, "no verdict for a client that cannot prove the secret");
        }
        assertTrue(log.await("did not prove the job secret", Duration.ofSeconds(5)), log.messages.toString());
        assertEquals(1, job.t[0].rejectedCount());
        assertTrue(job.losses[0].lost.isEmpty(), "a stranger is not a lost peer");
        assertJobStillWorks();
    }

    /** A passive eavesdropper records rank 1's handshake with rank 0 and plays it back: fresh nonces defeat it. */
    @Test
    @Timeout(30)
    void replayedHandshakeIsDroppedAndLogged() throws Exception {
        byte[] secret = TcpTestSupport.secret(42);
        TcpTransport a = new TcpTransport(0, 2, secret, LOOPBACK, OPTS);
        TcpTransport b = new TcpTransport(1, 2, secret, LOOPBACK, OPTS);
        try (RecordingProxy proxy = new RecordingProxy(a.localAddress())) {
            TcpTestSupport.Recorder ra = new TcpTestSupport.Recorder();
            a.start(ra, null);
            b.start(new TcpTestSupport.Recorder(), null);
            a.connectTo(Map.of(1, b.localAddress()));
            b.connectTo(Map.of(0, proxy.address()));
            b.send(0, eager(1, 5, 0), null, 0); // rank 1 connects to rank 0, through the recorder
            assertEquals(5, ra.take().frame().tag);
            byte[] recorded = proxy.clientBytes();
            assertTrue(recorded.length >= Handshake.HELLO_BYTES + Handshake.PROOF_BYTES);

            try (RawClient c = new RawClient(a.localAddress())) {
                c.write(ByteBuffer.wrap(recorded, 0, Handshake.HELLO_BYTES + Handshake.PROOF_BYTES));
                assertTrue(c.closedByServer(), "the replayed handshake is refused");
            }
            assertTrue(log.await("did not prove the job secret (a wrong secret, or a replayed handshake)",
                    Duration.ofSeconds(5)), log.messages.toString());
            assertEquals(1, a.rejectedCount());
            // the genuine connection is untouched
            b.send(0, eager(1, 6, 0), null, 0);
            assertEquals(6, ra.take().frame().tag);
        } finally {
            a.abort();
            b.abort();
        }
        assertJobStillWorks();
    }

    @Test
    @Timeout(60)
    void randomBytesAreDroppedAndLogged() throws Exception {
        long seed = System.nanoTime();
        System.out.println("TcpSecurityTest.randomBytesAreDroppedAndLogged seed=" + seed);
        Random rnd = new Random(seed);
        long before = job.t[0].allocatedBytes();
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(i < 10 ? 100 : 100_000)];
            rnd.nextBytes(junk);
            try (RawClient c = new RawClient(rank0())) {
                try {
                    c.write(junk);
                } catch (IOException e) {
                    // the server may hang up before it has read everything
                }
                assertTrue(c.closedByServer(), "seed " + seed + ": junk connection " + i + " dropped");
            }
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (job.t[0].rejectedCount() < 20 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(20, job.t[0].rejectedCount(), "seed " + seed);
        assertTrue(log.contains("dropped the connection from"), log.messages.toString());
        assertEquals(before, job.t[0].allocatedBytes(), "seed " + seed + ": strangers cost no buffers");
        assertJobStillWorks();
    }

    /** A rank of the job (it knows the secret) that sends garbage is a broken peer: lost, and reported. */
    @Test
    @Timeout(30)
    void randomBytesFromAnAuthenticatedPeerLoseThatPeerOnly() throws Exception {
        long seed = System.nanoTime();
        System.out.println("TcpSecurityTest.randomBytesFromAnAuthenticatedPeerLoseThatPeerOnly seed=" + seed);
        byte[] junk = new byte[4096];
        new Random(seed).nextBytes(junk);
        try (RawClient c = new RawClient(rank0())) {
            assertEquals(Handshake.ACCEPT, c.handshake(job.secret, 3, 2, 0, OPTS));
            c.write(junk);
            assertEquals(2, job.losses[0].lostRanks.poll(10, TimeUnit.SECONDS), "seed " + seed);
            assertTrue(c.closedByServer());
        }
        assertTrue(job.losses[0].lost.get(0).contains("rank 2 broke the wire protocol"), job.losses[0].lost.toString());
        assertTrue(log.await("lost rank 2", Duration.ofSeconds(5)), log.messages.toString());
        assertEquals(1, job.t[0].violationCount());
        assertJobStillWorks();
    }

    @Test
    @Timeout(30)
    void terabyteHeaderFromAStrangerIsDroppedWithoutAllocating() throws Exception {
        long before = job.t[0].allocatedBytes();
        long direct = directMemoryUsed();
        try (RawClient c = new RawClient(rank0())) {
            c.writeHeader(data(1, 0, 1L << 40));
            c.write(new byte[64]);
            assertTrue(c.closedByServer());
        }
        assertTrue(log.await("not an mpi4j TCP connection", Duration.ofSeconds(5)), log.messages.toString());
        assertEquals(before, job.t[0].allocatedBytes());
        assertTrue(directMemoryUsed() - direct < (4 << 20), "no large direct allocation");
        assertJobStillWorks();
    }

    @Test
    @Timeout(30)
    void terabyteHeaderFromAnAuthenticatedPeerIsAViolationWithoutAllocating() throws Exception {
        long before = job.t[0].allocatedBytes();
        long direct = directMemoryUsed();
        Runtime rt = Runtime.getRuntime();
        try (RawClient c = new RawClient(rank0())) {
            assertEquals(Handshake.ACCEPT, c.handshake(job.secret, 3, 2, 0, OPTS));
            c.writeHeader(data(7, 0, 1L << 40));
            assertEquals(2, job.losses[0].lostRanks.poll(10, TimeUnit.SECONDS));
            assertTrue(c.closedByServer());
        }
        String why = job.losses[0].lost.get(0);
        assertTrue(why.contains("1099511627776") && why.contains("exceeds"), why);
        long allocated = job.t[0].allocatedBytes() - before;
        // rank 2's connection got its two small buffers when it was accepted; nothing for the frame
        assertTrue(allocated <= 2 * (64 * 1024 + 56), "allocated " + allocated + " bytes");
        assertTrue(directMemoryUsed() - direct < (4 << 20), "no large direct allocation");
        assertTrue(rt.totalMemory() - rt.freeMemory() < rt.maxMemory() / 2, "the heap is not filling up");
        assertJobStillWorks();
    }

    @Test
    @Timeout(30)
    void outOfRangeRankIsRefused() throws Exception {
        for (int claimed : new int[] {3, -1, 1_000_000, 0}) {
            try (RawClient c = new RawClient(rank0())) {
                assertEquals(-1, c.handshake(job.secret, 3, claimed, 0, OPTS), "claimed rank " + claimed);
            }
        }
        assertTrue(log.await("which is out of range or this rank", Duration.ofSeconds(5)), log.messages.toString());
        try (RawClient c = new RawClient(rank0())) {
            assertEquals(-1, c.handshake(job.secret, 5, 2, 0, OPTS), "another job size");
        }
        try (RawClient c = new RawClient(rank0())) {
            assertEquals(-1, c.handshake(job.secret, 3, 2, 1, OPTS), "meant for another rank");
        }
        try (RawClient c = new RawClient(rank0())) {
            assertEquals(-1, c.handshake(job.secret, 3, 2, 0, OPTS.withMaxFragment(1 << 20)), "other limits");
        }
        assertTrue(log.await("claims a job of 5 ranks", Duration.ofSeconds(5)));
        assertTrue(log.await("wants rank 1", Duration.ofSeconds(5)));
        assertTrue(log.await("uses an eager limit", Duration.ofSeconds(5)));
        assertJobStillWorks();
    }

    /** Someone with the secret claims rank 1, which is connected: refused, and the real rank 1 keeps its connection. */
    @Test
    @Timeout(30)
    void alreadyConnectedRankIsRefused() throws Exception {
        try (RawClient c = new RawClient(rank0())) {
            assertEquals(Handshake.DUPLICATE, c.handshake(job.secret, 3, 1, 0, OPTS));
            assertTrue(c.closedByServer());
        }
        assertTrue(log.await("rank 1 is already connected", Duration.ofSeconds(5)), log.messages.toString());
        assertJobStillWorks();
    }

    @Test
    @Timeout(30)
    void silentConnectionsTimeOut() throws Exception {
        long start = System.nanoTime();
        try (RawClient c = new RawClient(rank0())) {
            c.write(new byte[10]); // a partial HELLO, then nothing
            assertTrue(c.closedByServer());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 400 && ms < 5000, "dropped after " + ms + " ms");
        assertTrue(log.await("did not complete the handshake within 500 ms", Duration.ofSeconds(5)));
        assertJobStillWorks();
    }

    /** More silent connections than handshakes allowed at once: the extra ones are dropped at once, the job goes on. */
    @Test
    @Timeout(30)
    void connectionFloodIsBounded() throws Exception {
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 150; i++) {
                flood.add(new Socket(rank0().getAddress(), rank0().getPort()));
            }
            assertJobStillWorks();
            assertTrue(log.await("handshakes already in progress", Duration.ofSeconds(5)), log.messages.toString());
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        assertJobStillWorks();
    }

    /** Forwards one connection and records what the client sent. */
    static final class RecordingProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
        private final List<Socket> sockets = new ArrayList<>();
        private final InetSocketAddress target;

        RecordingProxy(InetSocketAddress target) throws IOException {
            this.target = target;
            Thread.ofPlatform().daemon(true).start(this::serve);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
        }

        byte[] clientBytes() {
            synchronized (fromClient) {
                return fromClient.toByteArray();
            }
        }

        private void serve() {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                Thread.ofPlatform().daemon(true).start(() -> pump(client, server, true));
                Thread.ofPlatform().daemon(true).start(() -> pump(server, client, false));
            } catch (IOException e) {
                // closed
            }
        }

        private void pump(Socket from, Socket to, boolean record) {
            byte[] buf = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (record) {
                        synchronized (fromClient) {
                            fromClient.write(buf, 0, n);
                        }
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
