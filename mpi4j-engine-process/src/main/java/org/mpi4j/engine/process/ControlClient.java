package org.mpi4j.engine.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** A rank's side of the control protocol ({@link Control}): its connection to the launcher. */
final class ControlClient implements Closeable {

    /** What a rank hears from its launcher. */
    interface Handler {
        /** The job is aborted because rank {@code failedRank} failed. */
        void onAbort(int failedRank, int code, String reason);

        /** The launcher is gone: the rank must end. */
        void onLauncherLost(String why);
    }

    private final int rank;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private volatile boolean closing;

    private ControlClient(int rank, Socket socket, DataInputStream in, DataOutputStream out) {
        this.rank = rank;
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    /**
     * Connects to the launcher and proves this rank holds the job secret; the launcher proves
     * it too.
     *
     * @throws IOException if the launcher cannot be reached in time or fails its proof
     */
    static ControlClient connect(InetSocketAddress launcher, JobSecret secret, int rank, Duration timeout)
            throws IOException {
        Socket s = new Socket();
        try {
            s.connect(launcher, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            if (in.readInt() != Control.MAGIC) {
                throw new ProtocolException(launcher + " is not an mpi4j launcher");
            }
            int version = in.readInt();
            if (version != Control.VERSION) {
                throw new ProtocolException("the launcher speaks control protocol " + version + ", this rank "
                        + Control.VERSION + ": mpi4j versions differ");
            }
            byte[] theirs = Control.readExactly(in, JobSecret.NONCE_BYTES);
            byte[] mine = JobSecret.nonce();
            out.writeInt(Control.MAGIC);
            out.writeInt(Control.VERSION);
            out.writeInt(rank);
            out.write(mine);
            out.write(secret.prove(Control.RANK_PROVES, theirs, mine, rank));
            out.flush();
            byte[] proof = Control.readExactly(in, JobSecret.PROOF_BYTES);
            if (!secret.verify(proof, Control.LAUNCHER_PROVES, theirs, mine, rank)) {
                throw new ProtocolException(launcher + " does not hold this job's secret");
            }
            return new ControlClient(rank, s, in, out);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Returns the local address of the connection to the launcher: an address the launcher's host can reach. */
    java.net.InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    /** Publishes this rank's card and waits for everyone's, which the launcher sends once all have come. */
    List<RankCard> exchange(RankCard mine, Duration timeout) throws IOException {
        Control.send(out, Control.CARD, mine::write);
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Control.Message m = Control.receive(in);
        if (m.type() == Control.ABORT) {
            int failed = m.body().readInt();
            m.body().readInt();
            String reason = Control.readString(m.body());
            throw new java.io.IOException("the job was aborted before every rank had joined: "
                    + (reason.isEmpty() ? "rank " + failed + " failed" : reason));
        }
        if (m.type() != Control.TABLE) {
            throw new ProtocolException("expected the table of ranks, got message type " + m.type());
        }
        int n = m.body().readInt();
        if (n < 1 || n > 1 << 24) {
            throw new ProtocolException("a table of " + n + " ranks");
        }
        List<RankCard> all = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            RankCard c = RankCard.read(m.body());
            if (c.rank() != r) {
                throw new ProtocolException("entry " + r + " of the table is rank " + c.rank());
            }
            all.add(c);
        }
        socket.setSoTimeout(0);
        return all;
    }

    /**
     * Listens to the launcher on a daemon thread from now on: aborts go to {@code handler},
     * dump requests are answered with {@code state}'s description.
     */
    void listen(Handler handler, Supplier<String> state) {
        Thread.ofPlatform().daemon().name("mpi4j-control-" + rank).start(() -> {
            try {
                while (true) {
                    Control.Message m = Control.receive(in);
                    switch (m.type()) {
                        case Control.ABORT -> {
                            int failed = m.body().readInt();
                            int code = m.body().readInt();
                            handler.onAbort(failed, code, Control.readString(m.body()));
                        }
                        case Control.DUMP -> {
                            String s = state.get();
                            Control.send(out, Control.DUMP_REPLY, o -> Control.writeString(o, s));
                        }
                        default -> throw new ProtocolException("the launcher sent message type " + m.type());
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    handler.onLauncherLost(e instanceof java.io.EOFException ? "the connection closed" : e.toString());
                }
            }
        });
    }

    /** Tells the launcher this rank aborts, with {@code code}, for {@code reason}. */
    void sendAbort(int code, String reason) {
        try {
            Control.send(out, Control.ABORT, o -> {
                o.writeInt(code);
                Control.writeString(o, reason);
            });
        } catch (IOException ignored) {
            // the launcher is gone; the process is ending anyway
        }
    }

    /** Tells the launcher this rank has finalized. */
    void sendFinalized() {
        try {
            Control.send(out, Control.FINALIZED, _ -> { });
        } catch (IOException ignored) {
            // the launcher is gone
        }
    }

    /**
     * Stops listening for the launcher's loss, but keeps the connection open until the
     * process ends: a rank that has finalized can still report a failure that comes later
     * (its main method throwing after {@code close}), and its launcher learns that it has
     * ended when the connection closes with the process.
     */
    void detach() {
        closing = true;
    }

    @Override
    public void close() {
        closing = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
