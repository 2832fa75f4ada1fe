package org.mpi4j.examples;

import java.io.PrintStream;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;
import org.mpi4j.Request;
import org.mpi4j.Status;

/**
 * The seed's ring topology ({@code network_patterns.py}, chapter 9): the ranks form a ring,
 * each with a left and a right neighbour, and a token goes once around it from rank 0, each
 * rank adding itself before passing it on.
 *
 * <pre>
 * $ ./mpi4j run -n 4 org.mpi4j.examples.RingToken
 * Process 2: neighbors 1 ← → 3
 * Process 0: neighbors 3 ← → 1
 * Process 1: neighbors 0 ← → 2
 * Process 3: neighbors 2 ← → 0
 * Process 0: Sent token to 1
 * Process 1: Received token: Token from 0 (sum 1)
 * Process 2: Received token: Token from 0 → 1 (sum 3)
 * Process 1: Sent modified token to 2
 * Process 2: Sent modified token to 3
 * Process 3: Received token: Token from 0 → 1 → 2 (sum 6)
 * Process 3: Sent modified token to 0
 * Process 0: Received final token: Token from 0 → 1 → 2 → 3 (sum 10)
 * Process 0: allreduce of the same contributions: 10
 * </pre>
 *
 * <p>The ranks print their neighbours at once, in any order; the token's lines then follow
 * the ring, except that a rank may say it sent the token after the next rank has said it
 * received it.
 *
 * <p>The token carries the route it took and a running sum to which every rank adds
 * {@code rank + 1}, so when it is back at rank 0 its sum is 1 + 2 + … + size. Rank 0 prints,
 * for comparison, an {@code allreduce} of the same contributions: a ring does in
 * {@code size} steps, one after another, what a reduction does in about log₂ size. (The sum a rank
 * receives is the sum over the ranks before it — a prefix sum, which {@code Comm.scan}
 * computes in log steps too.)
 *
 * <p>A ring of one rank works as well: rank 0 is its own left and right neighbour, and the
 * token comes straight back.
 *
 * <p>What differs from the seed:
 * <ul>
 *   <li>The seed's rank 0 sends with a blocking {@code send} before it receives; that works
 *       only because MPI buffers small messages. Rank 0 here starts the send with
 *       {@code isend}, receives the token back, and only then waits for the send, so the
 *       ring never depends on buffering — not even with one rank, sending to itself.</li>
 *   <li>The token is a record with a route and a sum, rather than a string, and its sum
 *       is compared with a collective's.</li>
 * </ul>
 */
public final class RingToken {
    /** The tag of the token. */
    static final int TAG = 0;

    private RingToken() {
    }

    /** The token: the ranks it has passed, and the sum of their contributions. */
    public record Token(String route, long sum) {
    }

    /** Runs the example on the ranks of the job this program was started in. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            run(mpi.world(), System.out);
        }
    }

    /** Passes the token once around the ring of {@code world}'s ranks, printing to {@code out}. Every rank must call it. */
    public static void run(Comm world, PrintStream out) {
        int rank = world.rank();
        int size = world.size();
        int left = (rank - 1 + size) % size;
        int right = (rank + 1) % size;
        out.println("Process " + rank + ": neighbors " + left + " ← → " + right);

        if (rank == 0) {
            // Start the send without waiting for it: with one rank, right is rank 0 itself,
            // and the receive below is what completes it.
            Token token = new Token("Token from " + rank, contribution(rank));
            Request<Status> send = world.isend(token, right, TAG);
            out.println("Process " + rank + ": Sent token to " + right);

            // Receive the token back after a full circle.
            Token finalToken = world.recv(left, TAG);
            send.waitFor();
            out.println("Process " + rank + ": Received final token: " + finalToken.route() + " (sum "
                    + finalToken.sum() + ")");
        } else {
            Token token = world.recv(left, TAG);
            out.println("Process " + rank + ": Received token: " + token.route() + " (sum " + token.sum() + ")");

            // Add this rank, and pass the token on.
            Token modified = new Token(token.route() + " → " + rank, token.sum() + contribution(rank));
            world.send(modified, right, TAG);
            out.println("Process " + rank + ": Sent modified token to " + right);
        }

        // The same sum, by a collective: every rank gets it.
        long sum = world.allreduce(contribution(rank), Op.SUM);
        if (rank == 0) {
            out.println("Process " + rank + ": allreduce of the same contributions: " + sum);
        }
    }

    /** What rank {@code rank} adds to the token's sum. */
    static long contribution(int rank) {
        return rank + 1;
    }
}
