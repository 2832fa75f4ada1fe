package org.mpi4j.transport.shm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Large copies into a ring through libc's {@code memcpy}. On this machine it writes a ring
 * (whose lines the reading core holds) at more than twice the speed of
 * {@link MemorySegment#copy}, because it claims whole destination cache lines without first
 * reading them ({@code rep movsb}); small copies gain nothing and keep the pure-Java path.
 *
 * <p>Used only where native access is enabled for this module (mpi4j's processes run with
 * {@code --enable-native-access=ALL-UNNAMED}; elsewhere nothing changes and no warning is
 * printed), and only for copies of at least {@code mpi4j.shm.nativeCopyThreshold} bytes
 * (default 16384; a negative value turns it off). The call is a critical downcall: heap
 * arrays are passed in place, and the garbage collector waits for the copy (microseconds).
 */
final class NativeCopy {
    /** The smallest copy that goes through memcpy; negative: never. */
    static final long THRESHOLD = Long.getLong("mpi4j.shm.nativeCopyThreshold", 16 << 10);
    private static final MethodHandle MEMCPY = memcpy();

    private NativeCopy() {
    }

    private static MethodHandle memcpy() {
        if (THRESHOLD < 0 || !NativeCopy.class.getModule().isNativeAccessEnabled()) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("memcpy").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_LONG),
                    Linker.Option.critical(true));
        } catch (RuntimeException | LinkageError e) {
            return null; // no libc memcpy here: the Java copy is correct, only slower
        }
    }

    /** Returns whether large copies go through memcpy in this process. */
    static boolean enabled() {
        return MEMCPY != null;
    }

    /** Copies {@code bytes} bytes from {@code src} at {@code srcOffset} to {@code dst} at {@code dstOffset}. */
    static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long bytes) {
        if (MEMCPY != null && bytes >= THRESHOLD && !dst.isReadOnly()) {
            MemorySegment from = src.asSlice(srcOffset, bytes);
            MemorySegment to = dst.asSlice(dstOffset, bytes);
            try {
                MemorySegment unused = (MemorySegment) MEMCPY.invokeExact(to, from, bytes);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        MemorySegment.copy(src, srcOffset, dst, dstOffset, bytes);
    }
}
