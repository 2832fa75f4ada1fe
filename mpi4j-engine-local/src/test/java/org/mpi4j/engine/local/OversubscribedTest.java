package org.mpi4j.engine.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Mpi;
import org.mpi4j.Request;

/** Far more ranks than cores must still make progress: 64, and 1024, ranks on a 2-core machine. */
class OversubscribedTest {

    @Test
    void pingPongOn64Ranks() {
        Mpi.local(64).timeout(Duration.ofSeconds(60)).execute(w -> {
            int partner = w.rank() ^ 1;
            int[] v = new int[1];
            for (int i = 0; i < 200; i++) {
                if (w.rank() % 2 == 0) {
                    v[0] = i;
                    w.send(Buf.of(v), partner, 0);
                    w.recv(Buf.of(v), partner, 0);
                    assertEquals(i + 1, v[0]);
                } else {
                    w.recv(Buf.of(v), partner, 0);
                    v[0]++;
                    w.send(Buf.of(v), partner, 0);
                }
            }
        });
    }

    @Test
    void allPairsExchangeOn64Ranks() {
        List<Long> sums = Mpi.local(64).timeout(Duration.ofSeconds(60)).run(w -> {
            int n = w.size();
            long[][] in = new long[n][1024];
            List<Request<?>> reqs = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                reqs.add(w.irecv(Buf.of(in[p]), p, 7));
            }
            long[] out = new long[1024];
            java.util.Arrays.fill(out, w.rank());
            for (int p = 0; p < n; p++) {
                reqs.add(w.isend(Buf.of(out), p, 7));
            }
            Request.waitAll(reqs);
            long sum = 0;
            for (int p = 0; p < n; p++) {
                assertEquals(p, in[p][1023]);
                sum += in[p][0];
            }
            return sum;
        });
        for (long s : sums) {
            assertEquals(64L * 63 / 2, s);
        }
    }

    @Test
    void ringOn1024Ranks() {
        // Each rank's thread, endpoint and inbox, 1024 of them in one JVM: a ring of objects
        // and of buffers, then finalization (every rank tells every other it is done).
        List<Integer> got = Mpi.local(1024).timeout(Duration.ofSeconds(120)).run(w -> {
            int right = (w.rank() + 1) % w.size();
            int left = (w.rank() + w.size() - 1) % w.size();
            int fromLeft = w.sendrecv(w.rank(), right, 0, left, 0);
            long[] in = new long[64];
            w.sendrecv(Buf.of(new long[] {w.rank(), 1, 2, 3}), right, 1, Buf.of(in), left, 1);
            assertEquals(left, in[0]);
            return fromLeft;
        });
        for (int r = 0; r < 1024; r++) {
            assertEquals((r + 1023) % 1024, got.get(r));
        }
    }
}
