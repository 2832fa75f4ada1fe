package org.mpi4j.junit;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;

/**
 * A rank of a {@link ProcessPool}: a JVM of the process engine that runs {@link MpiTest}
 * methods on command, one after the other, each on a fresh duplicate of the world so that no
 * message of one test can reach another.
 *
 * <p>Arguments: the test JVM's host, port and token. The rank connects, says who it is, and
 * then for each {@code RUN seed class method} line runs the method and answers {@code OK} or
 * {@code FAIL} with the serialized exception. A failed test aborts the job (the pool is
 * restarted): its other ranks may be waiting for the failed one.
 */
public final class PoolRank {
    private PoolRank() {
    }

    /** Runs the pool rank. */
    public static void main(String[] args) throws IOException {
        try (Mpi mpi = Mpi.init(args);
                Socket s = new Socket(args[0], Integer.parseInt(args[1]))) {
            Comm world = mpi.world();
            PrintStream to = new PrintStream(s.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader from = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            to.println("HELLO " + world.rank() + " " + args[2]);
            String line;
            while ((line = from.readLine()) != null) {
                String[] cmd = line.split(" ");
                if (!cmd[0].equals("RUN") || cmd.length != 4) {
                    throw new IOException("the test JVM sent: " + line);
                }
                System.setProperty(EngineVariants.SEED, cmd[1]);
                Throwable failure = run(world, cmd[2], cmd[3]);
                if (failure == null) {
                    to.println("OK");
                } else {
                    to.println("FAIL " + serialize(failure));
                    to.flush();
                    world.abort(1); // the others may wait for this rank forever
                }
            }
        }
    }

    private static Throwable run(Comm world, String className, String methodName) {
        Comm comm = world.dup();
        try {
            Class<?> c = Class.forName(className);
            Method m = c.getDeclaredMethod(methodName, Comm.class);
            m.setAccessible(true);
            Constructor<?> k = c.getDeclaredConstructor();
            k.setAccessible(true);
            Object target = java.lang.reflect.Modifier.isStatic(m.getModifiers()) ? null : k.newInstance();
            m.invoke(target, comm);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            return e;
        } finally {
            if (!comm.isFreed()) {
                comm.free();
            }
        }
    }

    private static String serialize(Throwable t) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(b)) {
            o.writeObject(t);
        } catch (IOException e) {
            return serialize(new AssertionError(t.toString()));
        }
        return Base64.getEncoder().encodeToString(b.toByteArray());
    }
}
