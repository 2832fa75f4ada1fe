package org.mpi4j.engine.libmpi;

import java.util.Arrays;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.Mpi;
import org.mpi4j.Op;
import org.mpi4j.Request;
import org.mpi4j.Status;

/**
 * An MPI program that exercises the native engine on every rank — point-to-point with
 * buffers, objects and probes, small and large; every kind of collective, with built-in,
 * upcalled and user operations; new communicators; a non-blocking collective — and checks
 * every result against what it must be. {@link NativeEngineTest} runs it under Open MPI's
 * {@code mpirun} and MPICH's {@code mpiexec}. Prints one line per rank when all is well;
 * throws (and so fails the job) on the first wrong result.
 */
public final class NativeCheck {
    private NativeCheck() {
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** Runs the checks. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            Comm w = mpi.world();
            int r = w.rank();
            int n = w.size();
            check(mpi.engine().equals("native"), "engine " + mpi.engine());
            int right = (r + 1) % n;
            int left = (r + n - 1) % n;

            // point-to-point: typed buffers, objects, probes, non-blocking, a large message
            int[] in = new int[3];
            w.sendrecv(Buf.of(new int[] {r, r * 10, r * 100}), right, 1, Buf.of(in), left, 1);
            check(Arrays.equals(in, new int[] {left, left * 10, left * 100}), "sendrecv " + Arrays.toString(in));
            Request<Status> s = w.isend(Buf.of(new double[] {r + 0.5, -r}), right, 2);
            Status st = w.probe(left, 2);
            check(st.datatype() == Datatype.DOUBLE && st.count() == 2 && st.source() == left, "probe " + st);
            double[] d = new double[2];
            w.recv(Buf.of(d), left, 2);
            s.waitFor();
            check(d[0] == left + 0.5 && d[1] == -left, "doubles " + Arrays.toString(d));
            String greeting = w.sendrecv("hello from " + r, right, 3, left, 3);
            check(("hello from " + left).equals(greeting), "object " + greeting);
            long[] arr = w.sendrecv(new long[] {r, 7}, right, 4, left, 4);
            check(arr[0] == left && arr[1] == 7, "array as object " + Arrays.toString(arr));
            byte[] big = new byte[3 << 20];
            Arrays.fill(big, (byte) r);
            byte[] bigIn = new byte[big.length];
            w.sendrecv(Buf.of(big), right, 5, Buf.of(bigIn), left, 5);
            check(bigIn[0] == (byte) left && bigIn[bigIn.length - 1] == (byte) left, "3 MiB message");

            // collectives on libmpi
            w.barrier();
            int[] b = r == 0 ? new int[] {4, 5, 6} : new int[3];
            w.bcast(Buf.of(b), 0);
            check(Arrays.equals(b, new int[] {4, 5, 6}), "bcast " + Arrays.toString(b));
            check(List.of("x", 1).equals(w.bcast(r == 0 ? List.of("x", 1) : null, 0)), "object bcast");
            long sum = w.allreduce((long) r, Op.SUM);
            check(sum == (long) n * (n - 1) / 2, "allreduce sum " + sum);
            double[] mins = new double[1];
            w.allreduce(Buf.of(new double[] {r == 1 ? -1.5 : r}), Buf.of(mins), Op.MIN);
            check(mins[0] == (n > 1 ? -1.5 : 0), "allreduce min (upcall) " + mins[0]);
            int[] pair = new int[2];
            w.allreduce(Buf.of(new int[] {10 - r, r}), Buf.of(pair), Op.MINLOC);
            check(pair[0] == 10 - (n - 1) && pair[1] == n - 1, "minloc " + Arrays.toString(pair));
            Op concatLike = Op.ofLongs("a*10+b", (x, y) -> x * 10 + y, false);
            long folded = w.allreduce((long) (r + 1), concatLike);
            long expected = 0;
            for (int i = 0; i < n; i++) {
                expected = i == 0 ? 1 : expected * 10 + (i + 1);
            }
            check(folded == expected, "non-commutative user op " + folded + " != " + expected);
            int[] gathered = new int[n];
            w.gather(Buf.of(new int[] {r * r}), r == 0 ? Buf.of(gathered) : null, 0);
            if (r == 0) {
                for (int i = 0; i < n; i++) {
                    check(gathered[i] == i * i, "gather " + Arrays.toString(gathered));
                }
            }
            int[] all = new int[n];
            w.allgather(Buf.of(new int[] {r + 1}), Buf.of(all));
            check(all[n - 1] == n, "allgather " + Arrays.toString(all));
            int[] mine = new int[1];
            int[] parts = new int[n];
            for (int i = 0; i < n; i++) {
                parts[i] = 100 + i;
            }
            w.scatter(r == 0 ? Buf.of(parts) : null, Buf.of(mine), 0);
            check(mine[0] == 100 + r, "scatter " + mine[0]);
            int[] sendAll = new int[n];
            Arrays.fill(sendAll, r);
            int[] recvAll = new int[n];
            w.alltoall(Buf.of(sendAll), Buf.of(recvAll));
            for (int i = 0; i < n; i++) {
                check(recvAll[i] == i, "alltoall " + Arrays.toString(recvAll));
            }
            long[] scan = new long[1];
            w.scan(Buf.of(new long[] {r + 1}), Buf.of(scan), Op.SUM);
            check(scan[0] == (long) (r + 1) * (r + 2) / 2, "scan " + scan[0]);
            int[] block = new int[1];
            int[] contributions = new int[n];
            Arrays.fill(contributions, 1);
            w.reduceScatterBlock(Buf.of(contributions), Buf.of(block), Op.SUM);
            check(block[0] == n, "reduce_scatter_block " + block[0]);
            List<String> names = w.allgather("r" + r);
            check(names.size() == n && names.get(n - 1).equals("r" + (n - 1)), "object allgather " + names);

            // communicators: split, dup, and collectives on them
            Comm half = w.split(r % 2, -r);
            long sameParity = 0;
            long count = 0;
            for (int i = r % 2; i < n; i += 2) {
                sameParity += i;
                count++;
            }
            check(half.size() == count && half.allreduce((long) r, Op.SUM) == sameParity, "split sizes and sums");
            check(half.allgather(r).getFirst() == (n - 1) - ((n - 1 - r % 2) % 2), "split order by key");
            Comm dup = w.dup();
            check(dup.allreduce((long) r, Op.MAX) == n - 1, "dup allreduce");
            dup.free();
            half.free();

            // a non-blocking collective beside point-to-point
            double[] isum = new double[1];
            Request<Void> q = w.iallreduce(Buf.of(new double[] {1.0}), Buf.of(isum), Op.SUM);
            q.waitFor();
            check(isum[0] == n, "iallreduce " + isum[0]);
            w.barrier();
            System.out.println("native check passed on rank " + r + " of " + n);
        }
    }
}
