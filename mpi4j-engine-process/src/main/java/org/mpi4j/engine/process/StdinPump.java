package org.mpi4j.engine.process;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.BooleanSupplier;

/**
 * Copies the launcher's standard input to rank 0 without ever blocking in a read.
 *
 * <p>A thread blocked in {@code read(0, …)} sits in native code, and a JVM that exits waits
 * up to 300 ms for such threads (HotSpot's {@code VM_Exit}) — a third of a second added to
 * every {@code mpi4j run} whose standard input is a terminal or an open pipe. So the pump
 * waits for input with {@code poll(2)} in short slices (through the FFM API), reads only what
 * is ready, and stops within a slice once the job ends. Where native access is not enabled,
 * or the input is not this process's file descriptor 0, it falls back to a blocking copy.
 */
final class StdinPump {
    /** How long one wait for input lasts, and so the longest an exit waits for this thread. */
    static final int SLICE_MILLIS = 20;
    private static final short POLLIN = 0x1;
    private static final MethodHandle POLL = poll();

    private StdinPump() {
    }

    private static MethodHandle poll() {
        if (!StdinPump.class.getModule().isNativeAccessEnabled()) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("poll").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT));
        } catch (RuntimeException | LinkageError e) {
            return null; // no poll here: the blocking copy is correct, only slower to exit
        }
    }

    /**
     * Copies {@code in} to {@code to} until {@code in} ends or {@code stop} says so, then
     * closes {@code to} (so rank 0 sees the end of its input).
     */
    static void copy(InputStream in, OutputStream to, BooleanSupplier stop) throws IOException {
        try (to) {
            if (POLL == null || in != System.in) {
                in.transferTo(to);
                return;
            }
            // What System.in has buffered already, then the descriptor itself.
            byte[] buf = new byte[8192];
            int buffered = in.available();
            while (buffered > 0) {
                int n = in.read(buf, 0, Math.min(buf.length, buffered));
                if (n < 0) {
                    return;
                }
                to.write(buf, 0, n);
                buffered -= n;
            }
            to.flush();
            @SuppressWarnings("resource") // descriptor 0 stays open: it is System.in's too
            FileInputStream fd0 = new FileInputStream(FileDescriptor.in);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment pollfd = arena.allocate(8, 4); // struct pollfd { int fd; short events, revents; }
                pollfd.set(ValueLayout.JAVA_INT, 0, 0);
                pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
                while (!stop.getAsBoolean()) {
                    pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                    int ready = (int) POLL.invokeExact(pollfd, 1L, SLICE_MILLIS);
                    if (ready <= 0) {
                        continue; // nothing yet, or interrupted by a signal
                    }
                    // Readable, hung up, in error or closed: a read now returns at once, and
                    // says which (data, end of input, or an exception).
                    int n = fd0.read(buf);
                    if (n < 0) {
                        return;
                    }
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
