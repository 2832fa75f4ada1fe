package org.mpi4j.examples;

import java.io.PrintStream;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;

/**
 * The seed's first MPI program ({@code hello_mpi.py}, chapter 5): every rank says hello,
 * then rank 0 sends a string to rank 1.
 *
 * <pre>
 * $ ./mpi4j run -n 4 org.mpi4j.examples.HelloMpi
 * Hello from process 0 of 4
 * Hello from process 2 of 4
 * Process 0 sent: Hello from process 0!
 * Hello from process 1 of 4
 * Process 1 received: Hello from process 0!
 * Hello from process 3 of 4
 * </pre>
 *
 * <p>The ranks run at once, so the order of their lines differs from run to run; only the
 * order of one rank's own lines is fixed.
 *
 * <p>What differs from the seed: the seed has no size check, so with one process its
 * {@code comm.send(data, dest=1)} fails with an invalid-rank error. Here a job of one rank
 * says hello, explains that the message needs a second rank, and ends normally.
 */
public final class HelloMpi {
    /** The tag of the greeting, as in the seed. */
    static final int TAG = 11;

    private HelloMpi() {
    }

    /** Runs the example on the ranks of the job this program was started in. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            run(mpi.world(), System.out);
        }
    }

    /**
     * Runs the example on one rank of {@code world}, printing to {@code out}. Every rank of
     * {@code world} must call it.
     */
    public static void run(Comm world, PrintStream out) {
        int rank = world.rank();
        int size = world.size();

        // Every rank runs this same code (SPMD: single program, multiple data); only the
        // rank it is given tells one copy from another.
        out.println("Hello from process " + rank + " of " + size);

        if (size < 2) {
            out.println("Process 0 has no process 1 to send to: run with -n 2 or more to see a message passed.");
            return;
        }
        if (rank == 0) {
            String data = "Hello from process 0!";
            // A short message is buffered, so send returns before rank 1 has received it.
            world.send(data, 1, TAG);
            out.println("Process " + rank + " sent: " + data);
        } else if (rank == 1) {
            String data = world.recv(0, TAG);
            out.println("Process " + rank + " received: " + data);
        }
    }
}
