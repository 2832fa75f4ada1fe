package org.mpi4j.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mpi4j.transport.tcp.TcpTestSupport.LOOPBACK;
import static org.mpi4j.transport.tcp.TcpTestSupport.data;
import static org.mpi4j.transport.tcp.TcpTestSupport.eager;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.tcp.TcpTestSupport.Job;
import org.mpi4j.transport.tcp.TcpTestSupport.Losses;
import org.mpi4j.transport.tcp.TcpTestSupport.RawClient;
import org.mpi4j.transport.tcp.TcpTestSupport.Recorder;

class TcpFailureTest {
    private static final TcpTransport.Options OPTS = TcpTransport.Options.defaults();

    /** A peer whose process dies (its sockets reset, no CLOSE): it is reported lost by name, and sends to it throw. */
    @Test
    @Timeout(30)
    void peerThatDiesIsReportedLost() throws Exception {
        try (Job job = new Job(3, OPTS)) {
            job.t[1].send(0, eager(1, 1, 0), null, 0);
            job.t[2].send(0, eager(2, 1, 0), null, 0);
            job.recorder(0).take();
            job.recorder(0).take();
            job.t[1].abort();
            assertEquals(1, job.losses[0].lostRanks.poll(10, TimeUnit.SECONDS));
            String why = job.losses[0].lost.get(0);
            assertTrue(why.startsWith("1: rank 1"), why);
            PeerUnreachableException e = assertThrows(PeerUnreachableException.class,
                    () -> job.t[0].send(1, eager(0, 1, 0), null, 0));
            assertEquals(1, e.rank());
            assertEquals(ErrorClass.ABORTED, e.errorClass());
            assertTrue(e.getMessage().contains("cannot reach rank 1"), e.getMessage());
            // rank 2 is unaffected
            job.t[0].send(2, eager(0, 9, 0), null, 0);
            assertEquals(9, job.recorder(2).take().frame().tag);
            assertEquals(1, job.losses[0].lost.size());
        }
    }

    /** An authenticated peer that hangs up in the middle of a frame. */
    @Test
    @Timeout(30)
    void peerThatHangsUpMidFrameIsLost() throws Exception {
        try (Job job = new Job(2, 3, OPTS)) {
            try (RawClient c = new RawClient(job.t[0].localAddress())) {
                assertEquals(Handshake.ACCEPT, c.handshake(job.secret, 3, 2, 0, OPTS));
                c.writeHeader(data(1, 0, 1000));
                c.write(new byte[10]);
            }
            assertEquals(2, job.losses[0].lostRanks.poll(10, TimeUnit.SECONDS));
            assertTrue(job.losses[0].lost.get(0).contains("in the middle of a frame"), job.losses[0].lost.toString());
        }
    }

    /** A sender blocked on a full socket is released, with the peer's name, when the peer dies. */
    @Test
    @Timeout(30)
    void blockedSenderFailsWhenThePeerDies() throws Exception {
        CountDownLatch firstFrame = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FrameHandler stuck = (peer, f, p, off) -> {
            firstFrame.countDown();
            try {
                release.await(); // rank 1 stops reading
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Arena arena = Arena.ofShared(); Job job = new Job(2, OPTS, null, stuck)) {
            MemorySegment big = arena.allocate(OPTS.maxFragment());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 10_000; i++) {
                        job.t[0].send(1, data(1, (long) i * big.byteSize(), big.byteSize()), Buf.of(big), 0);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            assertTrue(firstFrame.await(10, TimeUnit.SECONDS));
            Thread.sleep(300); // let the socket buffers fill
            assertTrue(sender.isAlive(), "the sender waits for the socket");
            Thread aborter = Thread.ofPlatform().start(job.t[1]::abort); // its I/O thread is stuck in our handler
            sender.join(10_000);
            release.countDown();
            aborter.join();
            assertTrue(failure.get() instanceof PeerUnreachableException, String.valueOf(failure.get()));
            assertEquals(1, ((PeerUnreachableException) failure.get()).rank());
            assertEquals(1, job.losses[0].lostRanks.poll(10, TimeUnit.SECONDS));
        }
    }

    /** Nobody listens where rank 1 should: sends fail after the connect timeout, naming rank 1. */
    @Test
    @Timeout(30)
    void unreachableAddressFailsThePeer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // now closed: connections are refused
        }
        TcpTransport t = new TcpTransport(0, 2, TcpTestSupport.secret(1), LOOPBACK,
                OPTS.withConnectTimeout(Duration.ofMillis(700)));
        Losses losses = new Losses();
        try {
            t.start(new Recorder(), losses);
            t.connectTo(Map.of(1, new InetSocketAddress(LOOPBACK.getAddress(), port)));
            long start = System.nanoTime();
            PeerUnreachableException e = assertThrows(PeerUnreachableException.class,
                    () -> t.send(1, eager(0, 1, 0), null, 0));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 600, "retried until the deadline: " + ms + " ms");
            assertEquals(1, e.rank());
            assertTrue(e.getMessage().contains("could not connect to rank 1"), e.getMessage());
            assertEquals(1, losses.lostRanks.poll(5, TimeUnit.SECONDS));
        } finally {
            t.abort();
        }
    }

    /** A peer that starts listening late is reached by retrying. */
    @Test
    @Timeout(30)
    void connectRetriesUntilThePeerListens() throws Exception {
        byte[] secret = TcpTestSupport.secret(3);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        InetSocketAddress later = new InetSocketAddress(LOOPBACK.getAddress(), port);
        TcpTransport a = new TcpTransport(0, 2, secret, LOOPBACK, OPTS);
        Recorder rb = new Recorder();
        TcpTransport[] b = new TcpTransport[1];
        try {
            a.start(new Recorder(), null);
            a.connectTo(Map.of(1, later));
            Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                    b[0] = new TcpTransport(1, 2, secret, later, OPTS);
                    b[0].start(rb, null);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            a.send(1, eager(0, 77, 0), null, 0);
            assertEquals(77, rb.take().frame().tag);
        } finally {
            a.abort();
            if (b[0] != null) {
                b[0].abort();
            }
        }
    }

    /** A peer that listens with another secret is not taken for rank 1. */
    @Test
    @Timeout(30)
    void peerWithAnotherSecretIsNotTrusted() throws Exception {
        TcpTransport a = new TcpTransport(0, 2, TcpTestSupport.secret(1), LOOPBACK, OPTS);
        TcpTransport impostor = new TcpTransport(1, 2, TcpTestSupport.secret(2), LOOPBACK, OPTS);
        Losses losses = new Losses();
        try {
            a.start(new Recorder(), losses);
            impostor.start(new Recorder(), null);
            a.connectTo(Map.of(1, impostor.localAddress()));
            PeerUnreachableException e = assertThrows(PeerUnreachableException.class,
                    () -> a.send(1, eager(0, 1, 0), null, 0));
            assertEquals(1, e.rank());
            assertEquals(1, losses.lostRanks.poll(5, TimeUnit.SECONDS));
            assertTrue(losses.lost.get(0).contains("1: the process listening at"), losses.lost.toString());
        } finally {
            a.abort();
            impostor.abort();
        }
    }

    @Test
    @Timeout(30)
    void sendsAfterCloseAndBadArgumentsAreRefused() throws Exception {
        try (Job job = new Job(2, OPTS)) {
            assertThrows(IllegalArgumentException.class, () -> job.t[0].send(0, eager(0, 1, 0), null, 0));
            assertThrows(IllegalArgumentException.class, () -> job.t[0].send(2, eager(0, 1, 0), null, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> job.t[0].send(1, eager(0, 1, OPTS.eagerLimit() + 1), Buf.of(new byte[100_000]), 0));
            assertThrows(IllegalArgumentException.class,
                    () -> job.t[0].send(1, data(1, 0, 10), Buf.of(new byte[5]), 0));
            Frame cts = new Frame();
            cts.type = Frame.CTS;
            cts.length = 3;
            assertThrows(IllegalArgumentException.class, () -> job.t[0].send(1, cts, null, 0));
            job.t[0].close();
            assertThrows(org.mpi4j.MpiException.class, () -> job.t[0].send(1, eager(0, 1, 0), null, 0));
        }
    }
}
