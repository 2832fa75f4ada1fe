package org.mpi4j.transport.tcp;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.mpi4j.Buf;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameCodec;
import org.mpi4j.transport.FrameHandler;

/** Jobs of TCP transports over loopback, and the tools the tests use on them. */
final class TcpTestSupport {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private TcpTestSupport() {
    }

    static byte[] secret(int seed) {
        byte[] s = new byte[32];
        new java.util.Random(seed).nextBytes(s);
        return s;
    }

    /** A frame as received: a copy of the header and of the payload. */
    record Received(int peer, Frame frame, byte[] payload) {
    }

    /** A handler that keeps everything it receives, or passes it on to a custom action. */
    static class Recorder implements FrameHandler {
        final BlockingQueue<Received> frames = new LinkedBlockingQueue<>();

        @Override
        public void onFrame(int peer, Frame frame, Buf payload, long payloadOffset) {
            byte[] data = null;
            if (frame.type == Frame.EAGER || frame.type == Frame.DATA) {
                data = new byte[(int) frame.length];
                if (frame.length > 0) {
                    payload.copyTo(payloadOffset, MemorySegment.ofArray(data), 0, frame.length);
                }
            }
            frames.add(new Received(peer, frame.copy(), data));
        }

        Received take() throws InterruptedException {
            Received r = frames.poll(30, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no frame arrived within 30 s");
            }
            return r;
        }
    }

    /** Losses and orderly ends reported by a transport. */
    static final class Losses implements PeerListener {
        final List<String> lost = new CopyOnWriteArrayList<>();
        final List<Integer> finished = new CopyOnWriteArrayList<>();
        final BlockingQueue<Integer> lostRanks = new LinkedBlockingQueue<>();

        @Override
        public void onPeerLost(int rank, String why) {
            lost.add(rank + ": " + why);
            lostRanks.add(rank);
        }

        @Override
        public void onPeerFinished(int rank) {
            finished.add(rank);
        }
    }

    /** N transports of one job, all started and told of each other. */
    static final class Job implements AutoCloseable {
        final TcpTransport[] t;
        final FrameHandler[] handlers;
        final Losses[] losses;
        final byte[] secret;

        Job(int n, TcpTransport.Options options, FrameHandler... handlers) throws IOException {
            this(n, n, options, handlers);
        }

        /** A job of {@code size} ranks of which the first {@code n} are real transports. */
        Job(int n, int size, TcpTransport.Options options, FrameHandler... handlers) throws IOException {
            secret = secret(42);
            t = new TcpTransport[n];
            this.handlers = new FrameHandler[n];
            losses = new Losses[n];
            Map<Integer, InetSocketAddress> addresses = new HashMap<>();
            for (int r = 0; r < n; r++) {
                t[r] = new TcpTransport(r, size, secret, LOOPBACK, options);
                addresses.put(r, t[r].localAddress());
            }
            for (int r = 0; r < n; r++) {
                this.handlers[r] = handlers.length > r && handlers[r] != null ? handlers[r] : new Recorder();
                losses[r] = new Losses();
                t[r].start(this.handlers[r], losses[r]);
                t[r].connectTo(addresses);
            }
        }

        Recorder recorder(int r) {
            return (Recorder) handlers[r];
        }

        @Override
        public void close() {
            for (TcpTransport x : t) {
                x.abort();
            }
        }
    }

    static Frame eager(int source, int tag, long length) {
        Frame f = new Frame();
        f.type = Frame.EAGER;
        f.source = source;
        f.tag = tag;
        f.bytes = length;
        f.length = length;
        return f;
    }

    static Frame data(long recvId, long offset, long length) {
        Frame f = new Frame();
        f.type = Frame.DATA;
        f.recvId = recvId;
        f.offset = offset;
        f.length = length;
        f.bytes = offset + length;
        return f;
    }

    static Frame control(byte type, long sendId) {
        Frame f = new Frame();
        f.type = type;
        f.sendId = sendId;
        return f;
    }

    /** Records what the transport logs, through java.util.logging (System.Logger's default backend). */
    static final class LogCapture extends Handler implements AutoCloseable {
        final List<String> messages = new CopyOnWriteArrayList<>();
        private final Logger logger = Logger.getLogger("org.mpi4j.transport.tcp");

        LogCapture() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            messages.add(record.getLevel() + " " + record.getMessage());
        }

        boolean await(String fragment, Duration within) throws InterruptedException {
            long end = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < end) {
                if (contains(fragment)) {
                    return true;
                }
                Thread.sleep(5);
            }
            return contains(fragment);
        }

        boolean contains(String fragment) {
            for (String m : messages) {
                if (m.contains(fragment)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    /**
     * A raw socket that speaks the client side of the handshake with whatever secret and
     * claims it is given, then lets the test write anything.
     */
    static final class RawClient implements AutoCloseable {
        final SocketChannel ch;
        final List<ByteBuffer> sent = new ArrayList<>();

        RawClient(InetSocketAddress to) throws IOException {
            ch = SocketChannel.open(to);
            ch.socket().setSoTimeout(10_000);
        }

        /** Runs the client handshake; returns the verdict status, or -1 if the server hung up. */
        int handshake(byte[] secret, int jobSize, int clientRank, int serverRank, TcpTransport.Options o)
                throws IOException {
            Handshake hs = new Handshake(secret);
            ByteBuffer hello = Handshake.hello(jobSize, clientRank, serverRank, o.eagerLimit(), o.maxFragment(),
                    hs.nonce());
            write(hello.duplicate());
            ByteBuffer welcome = readExactly(Handshake.WELCOME_BYTES);
            if (welcome == null) {
                return -1;
            }
            write(Handshake.proof(hs.clientProof(hello, welcome)));
            ByteBuffer verdict = readExactly(Handshake.VERDICT_BYTES);
            if (verdict == null) {
                return -1;
            }
            return Handshake.verdictStatus(verdict);
        }

        void write(ByteBuffer b) throws IOException {
            sent.add(b.duplicate());
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        void write(byte[] bytes) throws IOException {
            write(ByteBuffer.wrap(bytes));
        }

        void writeHeader(Frame f) throws IOException {
            byte[] h = new byte[FrameCodec.HEADER_BYTES];
            FrameCodec.encode(f, MemorySegment.ofArray(h), 0);
            write(h);
        }

        /** Reads n bytes, or returns null if the stream ends first. */
        ByteBuffer readExactly(int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n);
            var in = ch.socket().getInputStream();
            while (b.hasRemaining()) {
                int r;
                try {
                    r = in.read(b.array(), b.position(), b.remaining());
                } catch (IOException e) {
                    return null; // reset
                }
                if (r < 0) {
                    return null;
                }
                b.position(b.position() + r);
            }
            return b.flip();
        }

        /** Returns whether the server closed the connection (within 10 s). */
        boolean closedByServer() throws IOException {
            var in = ch.socket().getInputStream();
            try {
                while (true) {
                    int r = in.read(new byte[256]);
                    if (r < 0) {
                        return true;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
