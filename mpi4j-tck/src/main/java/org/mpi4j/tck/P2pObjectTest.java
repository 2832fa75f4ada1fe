package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.Mpi;
import org.mpi4j.Received;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Point-to-point with objects: records, strings, collections, null, arrays sent as objects. */
class P2pObjectTest {

    /** A record as users send them. */
    record Particle(int id, double x, double y, String name, List<Integer> neighbours) {
    }

    /** A sealed hierarchy, to check the codec keeps the concrete type. */
    sealed interface Shape permits Circle, Square {
    }

    record Circle(double r) implements Shape {
    }

    record Square(double side) implements Shape {
    }

    /** A mutable graph node, to check shared and cyclic references survive. */
    static final class Node {
        String label;
        Node next;
    }

    @MpiTest
    void ringOfRecords(Comm world) {
        int left = Tck.left(world);
        Particle mine = new Particle(world.rank(), world.rank() * 1.5, -world.rank(), "p" + world.rank(),
                List.of(left, Tck.right(world)));
        Particle got = world.sendrecv(mine, Tck.right(world), 0, left, 0);
        assertEquals(new Particle(left, left * 1.5, -left, "p" + left,
                List.of((left + world.size() - 1) % world.size(), world.rank())), got);
    }

    @MpiTest
    void ringOfValuesOfManyKinds(Comm world) {
        int left = Tck.left(world);
        List<Object> values = values(world.rank());
        for (int i = 0; i < values.size(); i++) {
            Object got = world.sendrecv(values.get(i), Tck.right(world), i, left, i);
            Object expected = values(left).get(i);
            if (expected instanceof Object[] a) {
                assertArrayEquals(a, (Object[]) got, "value " + i);
            } else {
                assertEquals(expected, got, "value " + i);
                assertEquals(expected == null ? null : expected.getClass(), got == null ? null : got.getClass(),
                        "value " + i + " keeps its class");
            }
        }
    }

    private static List<Object> values(int rank) {
        List<Object> v = new ArrayList<>();
        v.add("hello from " + rank + " \u00e9\u4e16\ud83d\ude00");
        v.add("");
        v.add(rank);
        v.add((long) rank << 40);
        v.add(rank + 0.25);
        v.add(rank % 2 == 0);
        v.add('x');
        v.add(List.of(rank, rank + 1, rank + 2));
        v.add(new ArrayList<>(List.of("a", "b", String.valueOf(rank))));
        Map<String, Integer> map = new HashMap<>();
        map.put("rank", rank);
        map.put("twice", 2 * rank);
        v.add(map);
        Map<Integer, List<String>> tree = new TreeMap<>();
        tree.put(rank, List.of("x"));
        tree.put(-1, List.of());
        v.add(tree);
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("shapes", List.of(new Circle(rank), new Square(2)));
        nested.put("nothing", null);
        v.add(nested);
        v.add(new Object[] {"mixed", rank, List.of(1)});
        v.add(new BigInteger("123456789012345678901234567890").add(BigInteger.valueOf(rank)));
        v.add(Optional.of(rank));
        v.add(new Square(rank));
        return v;
    }

    @MpiTest
    void nullIsAValue(Comm world) {
        // A bare null would pick send(Buf, ...): the cast selects the object form.
        Request<Status> s = world.isend((Object) null, Tck.right(world), 0);
        Received<Object> got = world.recvWithStatus(Tck.left(world), 0);
        s.waitFor();
        assertNull(got.value());
        assertEquals(Tck.left(world), got.status().source());
        Object viaSendrecv = world.sendrecv(null, Tck.right(world), 1, Tck.left(world), 1);
        assertNull(viaSendrecv);
    }

    @MpiTest
    void sharedAndCyclicReferencesSurvive(Comm world) {
        Node a = new Node();
        Node b = new Node();
        a.label = "a" + world.rank();
        b.label = "b";
        a.next = b;
        b.next = a;
        Node got = world.sendrecv(a, Tck.right(world), 0, Tck.left(world), 0);
        assertEquals("a" + Tck.left(world), got.label);
        assertEquals("b", got.next.label);
        assertTrue(got.next.next == got, "the cycle is preserved");
    }

    @MpiTest
    void primitiveArraysSentAsObjectsArriveAsArrays(Comm world) {
        int left = Tck.left(world);
        for (Datatype t : Tck.PRIMITIVES) {
            Object sent = Tck.array(t, 21, world.rank());
            Object sentAsObject = sent;
            Request<Status> s = world.isend(sentAsObject, Tck.right(world), t.ordinal());
            Received<Object> got = world.recvWithStatus(left, t.ordinal());
            s.waitFor();
            assertTrue(Tck.same(Tck.array(t, 21, left), got.value()), t + ": " + Tck.show(got.value()));
            assertEquals(t, got.status().datatype(), "a primitive array travels as a typed buffer");
            assertEquals(21, got.status().count());
        }
    }

    @MpiTest
    void aBufferMessageReceivedAsAnObjectIsANewArray(Comm world) {
        Request<Status> s1 = world.isend(Buf.of(new double[] {world.rank(), 1.5}, 0, 2), Tck.right(world), 0);
        double[] got = world.recv(Tck.left(world), 0);
        assertArrayEquals(new double[] {Tck.left(world), 1.5}, got);
        Request<Status> s2 = world.isend(Buf.of(new char[] {'a', 'b', 'c', 'd'}, 1, 2), Tck.right(world), 1);
        char[] chars = world.recv(Tck.left(world), 1);
        Request.waitAll(s1, s2);
        assertArrayEquals(new char[] {'b', 'c'}, chars);
    }

    @MpiTest
    void anArraySentAsAnObjectCanBeReceivedIntoABuffer(Comm world) {
        Object value = new int[] {world.rank(), 2, 3};
        Request<Status> s = world.isend(value, Tck.right(world), 0);
        int[] in = new int[5];
        Status st = world.recv(Buf.of(in), Tck.left(world), 0);
        s.waitFor();
        assertEquals(3, st.count());
        assertArrayEquals(new int[] {Tck.left(world), 2, 3, 0, 0}, in);
    }

    @MpiTest
    void objectMessagesHaveTheObjectDatatype(Comm world) {
        Request<Status> s = world.isend("x".repeat(10), Tck.right(world), 0);
        Status st = world.probe(Tck.left(world), 0);
        assertEquals(Datatype.OBJECT, st.datatype());
        assertTrue(st.bytes() > 0);
        assertEquals("x".repeat(10), world.recv(Tck.left(world), 0));
        s.waitFor();
    }

    @MpiTest
    void recvWithStatusTellsTheSourceAndTag(Comm world) {
        Request<Status> s = world.isend("from " + world.rank(), Tck.right(world), 10 + world.rank());
        Received<String> got = world.recvWithStatus(Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        s.waitFor();
        assertEquals("from " + Tck.left(world), got.value());
        assertEquals(Tck.left(world), got.status().source());
        assertEquals(10 + Tck.left(world), got.status().tag());
        assertEquals(Datatype.OBJECT, got.status().datatype());
    }

    @MpiTest
    void everyRootSendsObjectsToAllAndBack(Comm world) {
        int size = world.size();
        int rank = world.rank();
        for (int root = 0; root < size; root++) {
            if (rank == root) {
                for (int r = 0; r < size; r++) {
                    if (r != root) {
                        world.send(Map.of("root", root, "to", r), r, root);
                    }
                }
                List<Integer> replies = new ArrayList<>();
                for (int i = 0; i < size - 1; i++) {
                    Received<List<Integer>> got = world.recvWithStatus(Mpi.ANY_SOURCE, root);
                    assertEquals(List.of(got.status().source(), root), got.value());
                    replies.add(got.status().source());
                }
                replies.sort(null);
                List<Integer> others = new ArrayList<>();
                for (int r = 0; r < size; r++) {
                    if (r != root) {
                        others.add(r);
                    }
                }
                assertEquals(others, replies);
            } else {
                Map<String, Integer> got = world.recv(root, root);
                assertEquals(Map.of("root", root, "to", rank), got);
                world.send(List.of(rank, root), root, root);
            }
        }
    }

    @MpiTest
    void objectIrecvYieldsTheObject(Comm world) {
        Request<Particle> r = world.irecv(Tck.left(world), 5);
        Request<Status> s = world.isend(new Particle(world.rank(), 0, 0, "n", List.of()), Tck.right(world), 5);
        Request.waitAll(r, s);
        Particle p = r.waitFor();
        assertEquals(Tck.left(world), p.id());
        assertEquals(Tck.left(world), r.status().source());
        assertEquals(5, r.status().tag());
        assertTrue(p == r.waitFor(), "waiting again returns the same object");
    }

    @MpiTest
    void isendEncodesAtOnceSoTheValueMayChange(Comm world) {
        List<Integer> list = new ArrayList<>(List.of(world.rank()));
        Request<Status> s = world.isend(list, Tck.right(world), 0);
        list.add(99);
        list.clear();
        List<Integer> got = world.recv(Tck.left(world), 0);
        s.waitFor();
        assertEquals(List.of(Tck.left(world)), got);
    }

    @MpiTest(ranks = {1, 2, 3})
    void largeObjects(Comm world) {
        List<Integer> big = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            big.add(i ^ world.rank());
        }
        String text = "y".repeat(1 << 20) + world.rank();
        Request<Status> s1 = world.isend(big, Tck.right(world), 0);
        Request<Status> s2 = world.isend(text, Tck.right(world), 1);
        List<Integer> gotList = world.recv(Tck.left(world), 0);
        String gotText = world.recv(Tck.left(world), 1);
        Request.waitAll(s1, s2);
        assertEquals(200_000, gotList.size());
        for (int i = 0; i < gotList.size(); i++) {
            if (gotList.get(i) != (i ^ Tck.left(world))) {
                throw new AssertionError("element " + i + " is " + gotList.get(i));
            }
        }
        assertEquals("y".repeat(1 << 20) + Tck.left(world), gotText);
    }

    @MpiTest
    void ssendOfObjects(Comm world) {
        // Every rank but the root ssends to the root, which receives in rank order.
        int size = world.size();
        for (int root = 0; root < size; root++) {
            if (world.rank() == root) {
                for (int r = 0; r < size; r++) {
                    if (r != root) {
                        assertEquals("to " + root + " from " + r, world.recv(r, 3));
                    }
                }
            } else {
                world.ssend("to " + root + " from " + world.rank(), root, 3);
            }
        }
    }

    @MpiTest
    void anObjectSentToItself(Comm world) {
        Request<Status> r = world.isend(new Circle(world.rank()), world.rank(), 0);
        Shape s = world.recv(world.rank(), 0);
        r.waitFor();
        assertInstanceOf(Circle.class, s);
        assertEquals(new Circle(world.rank()), s);
    }
}
