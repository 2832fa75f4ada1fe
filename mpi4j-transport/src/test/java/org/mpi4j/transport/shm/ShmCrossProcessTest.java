package org.mpi4j.transport.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;

/** Rank 0 here, rank 1 in a second JVM ({@link ShmEchoPeer}). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmCrossProcessTest {
    private Path dir;
    private long token;
    private Process child;
    private Path childLog;
    private ShmTransport t;

    @BeforeEach
    void setUp() throws IOException {
        dir = ShmTransport.jobDirectory("test-xproc-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        token = new Random().nextLong();
        childLog = Files.createTempFile("shm-echo-peer", ".log");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
        if (t != null) {
            t.close();
        }
        ShmTransport.deleteJobDirectory(dir);
        Files.deleteIfExists(childLog);
    }

    /** Starts rank 1 with the same java and class path as this JVM. */
    private Process startPeer(long capacity, String mode) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Rank 1 copies with the pure-Java path, rank 0 (in the test JVM, with native access) with
        // memcpy: both are checked against each other.
        List<String> cmd = List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dmpi4j.shm.nativeCopyThreshold=-1", "-cp",
                System.getProperty("java.class.path"), ShmEchoPeer.class.getName(), dir.toString(),
                Long.toHexString(token), Long.toString(capacity), mode);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(childLog.toFile()).start();
    }

    private String childOutput() throws IOException {
        return "\n--- rank 1's output ---\n" + Files.readString(childLog);
    }

    static byte pat(long seq, long i) {
        return (byte) (seq * 29 + i * 11 + (i >>> 10));
    }

    /** Checks that echoes come back in the order sent, with their fields and payloads intact. */
    static final class EchoChecker implements FrameHandler {
        final List<Frame> sent = new ArrayList<>();
        int next;
        boolean closed;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        @Override
        public void onFrame(int peer, Frame f, Buf payload, long off) {
            try {
                assertEquals(1, peer);
                if (f.type == Frame.CLOSE) {
                    closed = true;
                    return;
                }
                Frame expected = sent.get(next);
                assertEquals(expected.toString(), f.toString(), "echo " + next);
                if (f.length > 0) {
                    MemorySegment s = payload.segment();
                    for (long i = 0; i < f.length; i++) {
                        if (s.get(ValueLayout.JAVA_BYTE, off + i) != pat(expected.sendId, i)) {
                            throw new AssertionError("echo " + next + ": payload byte " + i + " differs");
                        }
                    }
                }
                next++;
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    @Test
    void framesComeBackFromAnotherProcessInOrderAndTheDirectoryIsGoneAfterwards() throws Exception {
        long capacity = 1 << 16;
        EchoChecker checker = new EchoChecker();
        t = new ShmTransport(0, new int[] {0, 1}, dir, token, capacity, checker);
        child = startPeer(capacity, "echo");
        t.connect(Duration.ofSeconds(30));
        long seed = Long.getLong("shm.seed", System.nanoTime());
        System.out.println("framesComeBackFromAnotherProcess seed = " + seed);
        Random rnd = new Random(seed);
        byte[] src = new byte[(int) t.maxFragment(1)];
        int count = 5000;
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            Frame f = new Frame();
            f.sendId = i;
            f.tag = rnd.nextInt();
            f.context = i % 7;
            f.source = 0;
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    f.type = Frame.EAGER;
                    f.datatype = Datatype.BYTE;
                    f.length = f.bytes = rnd.nextInt((int) t.eagerLimit(1) + 1);
                }
                case 1 -> {
                    f.type = Frame.DATA;
                    f.offset = rnd.nextInt(1 << 20);
                    f.length = rnd.nextInt((int) t.maxFragment(1) + 1);
                    f.bytes = f.offset + f.length;
                    f.recvId = i * 3L;
                }
                case 2 -> {
                    f.type = Frame.RTS;
                    f.bytes = rnd.nextLong() >>> 1;
                    f.flag = rnd.nextBoolean();
                }
                default -> {
                    f.type = Frame.CTS;
                    f.recvId = -i;
                }
            }
            for (int j = 0; j < f.length; j++) {
                src[j] = pat(i, j);
            }
            checker.sent.add(f.copy());
            bytes += f.length;
            t.send(1, f, Buf.of(src), 0); // polls for the echoes itself when the ring is full
            t.poll();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (checker.next < count && checker.failure.get() == null && System.nanoTime() < deadline
                && child.isAlive()) {
            t.poll();
        }
        assertNull(checker.failure.get(), () -> "seed " + seed);
        assertEquals(count, checker.next, this::childOutputQuietly);
        assertTrue(bytes > 10L << 20, "over 10 MiB went each way: " + bytes);

        Frame close = new Frame();
        close.type = Frame.CLOSE;
        t.send(1, close, null, 0);
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "rank 1 exits after CLOSE");
        assertEquals(0, child.exitValue(), childOutput());
        while (!checker.closed && System.nanoTime() < deadline) {
            t.poll(); // rank 1 closed its ring without a CLOSE frame: the transport reports it
        }
        assertTrue(checker.closed);
        assertTrue(t.peerClosed(1));
        t.close();
        t = null;
        assertFalse(Files.exists(dir), "the job directory is gone");
    }

    private String childOutputQuietly() {
        try {
            return childOutput();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void aSenderBlockedOnAPeerThatDiedFailsInsteadOfHanging() throws Exception {
        long capacity = 1 << 16;
        t = new ShmTransport(0, new int[] {0, 1}, dir, token, capacity, (peer, f, payload, off) -> { });
        child = startPeer(capacity, "idle");
        t.connect(Duration.ofSeconds(30));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                byte[] b = new byte[1000];
                for (int i = 0; i < 1_000_000; i++) {
                    Frame f = new Frame();
                    f.type = Frame.EAGER;
                    f.length = f.bytes = b.length;
                    t.send(1, f, Buf.of(b), 0); // rank 1 never reads: this blocks once the ring is full
                }
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        Thread.sleep(300);
        assertTrue(sender.isAlive(), "blocked on the full ring");
        child.destroyForcibly().waitFor();
        sender.join(10_000);
        assertFalse(sender.isAlive(), "the sender noticed rank 1's death");
        MpiException e = assertThrows(MpiException.class, () -> {
            throw thrown.get();
        });
        assertEquals(ErrorClass.ABORTED, e.errorClass());
        assertTrue(e.getMessage().contains("exited without closing"), e.getMessage());
        t.close();
        t = null;
        assertTrue(Files.exists(dir), "rank 1 could not clean up after itself");
        assertTrue(ShmTransport.deleteJobDirectory(dir), "the launcher's cleanup");
        assertFalse(Files.exists(dir));
    }
}
