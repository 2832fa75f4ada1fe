package org.mpi4j.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Request;
import org.mpi4j.Status;

/**
 * The seed's point-to-point program ({@code point_to_point.py}, chapter 6): a blocking
 * request and response between ranks 0 and 1, then a non-blocking send and receive that
 * overlap communication with other work.
 *
 * <pre>
 * $ ./mpi4j run -n 2 org.mpi4j.examples.PointToPoint
 * Process 0 sending: Payload[message=Hello World, array=[1, 2, 3, 4, 5], number=42]
 * Process 1 received: Payload[message=Hello World, array=[1, 2, 3, 4, 5], number=42]
 * Process 0 received response: Reply[processed=[2, 4, 6, 8, 10], status=success]
 *
 * --- Non-blocking Communication ---
 * Process 0: Doing other work while sending...
 * Process 1: Doing other work while receiving...
 * Process 0: Send completed, other work result: 502.218
 * Process 1: Received 1000 elements, other work: 0.000214
 * </pre>
 *
 * <p>Ranks other than 0 and 1 take no part. The lines of different ranks may come in any
 * order.
 *
 * <p>What differs from the seed:
 * <ul>
 *   <li>The seed's dictionaries become records, so the receiver gets typed fields rather
 *       than a map of strings to anything. The object vocabulary of {@link Comm} sends any
 *       value its codec can encode; a map would work too.</li>
 *   <li>The seed checks the size only in the first demo, so with one process the
 *       non-blocking demo fails. Here both demos are skipped with a clear message.</li>
 *   <li>mpi4py 3 receives an object {@code irecv} into a fixed 32 KiB buffer and fails or
 *       corrupts larger messages; an mpi4j object receive takes a message of any size.</li>
 *   <li>The random numbers come from a seeded generator per rank, so runs are repeatable.</li>
 * </ul>
 */
public final class PointToPoint {
    /** Tags: one per kind of message, so no message can be mistaken for another. */
    static final int TAG_REQUEST = 0;
    static final int TAG_REPLY = 1;
    static final int TAG_SAMPLES = 2;
    /** The number of doubles rank 0 sends without blocking. */
    static final int SAMPLES = 1000;
    /** The base of each rank's random seed; rank r uses {@code SEED + r}. */
    static final long SEED = 2024;

    private PointToPoint() {
    }

    /** What rank 0 sends in the blocking demo: the seed's {@code data} dictionary. */
    public record Payload(String message, int[] array, int number) {
        @Override
        public String toString() {
            return "Payload[message=" + message + ", array=" + Arrays.toString(array) + ", number=" + number + "]";
        }
    }

    /** What rank 1 answers: the seed's {@code response} dictionary. */
    public record Reply(int[] processed, String status) {
        @Override
        public String toString() {
            return "Reply[processed=" + Arrays.toString(processed) + ", status=" + status + "]";
        }
    }

    /** Runs the example on the ranks of the job this program was started in. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            run(mpi.world(), System.out);
        }
    }

    /** Runs both demos on one rank of {@code world}, printing to {@code out}. Every rank must call it. */
    public static void run(Comm world, PrintStream out) {
        if (world.size() < 2) {
            out.println("Need at least 2 processes: this job has " + world.size() + ". Run with -n 2 or more.");
            return;
        }
        demonstrateSendRecv(world, out);
        if (world.rank() == 0) {
            out.println();
            out.println("--- Non-blocking Communication ---");
        }
        demonstrateNonBlocking(world, out);
    }

    /** Blocking send and receive: rank 0 sends a request, rank 1 answers with the array doubled. */
    static void demonstrateSendRecv(Comm world, PrintStream out) {
        int rank = world.rank();
        if (rank == 0) {
            Payload data = new Payload("Hello World", new int[] {1, 2, 3, 4, 5}, 42);
            out.println("Process " + rank + " sending: " + data);
            world.send(data, 1, TAG_REQUEST);

            Reply response = world.recv(1, TAG_REPLY);
            out.println("Process " + rank + " received response: " + response);
        } else if (rank == 1) {
            Payload data = world.recv(0, TAG_REQUEST);
            out.println("Process " + rank + " received: " + data);

            int[] doubled = Arrays.stream(data.array()).map(x -> x * 2).toArray();
            world.send(new Reply(doubled, "success"), 0, TAG_REPLY);
        }
    }

    /**
     * Non-blocking send and receive: each side starts its operation, does other work while
     * the message moves, then waits for the operation to finish.
     */
    static void demonstrateNonBlocking(Comm world, PrintStream out) {
        int rank = world.rank();
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(SEED + rank);
        if (rank == 0) {
            double[] data = random.doubles(SAMPLES).toArray();

            // A primitive array sent as an object travels as a typed buffer, without
            // serialization. Until the request completes, data must not be modified.
            Request<Status> req = world.isend(data, 1, TAG_SAMPLES);

            out.println("Process 0: Doing other work while sending...");
            double otherWork = random.doubles(SAMPLES).sum();

            req.waitFor();
            out.println("Process 0: Send completed, other work result: " + format(otherWork));
        } else if (rank == 1) {
            // An object receive of a message sent as a double[] yields a new double[] of
            // exactly the message's length; there is no size limit to configure.
            Request<double[]> req = world.irecv(0, TAG_SAMPLES);

            out.println("Process 1: Doing other work while receiving...");
            double otherWork = random.doubles(10).reduce(1.0, (a, b) -> a * b);

            double[] data = req.waitFor();
            out.println("Process 1: Received " + data.length + " elements, other work: " + format(otherWork));
        }
    }

    private static String format(double x) {
        return String.format(Locale.ROOT, "%.6g", x);
    }
}
