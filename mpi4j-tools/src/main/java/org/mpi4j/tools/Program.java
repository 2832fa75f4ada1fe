package org.mpi4j.tools;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The program {@code mpi4j run} starts: a class loaded from the program's class path, and
 * the main method the {@code java} launcher would choose in it.
 *
 * <p>The class path is read as {@code java -cp} reads it: directories and jars separated by
 * {@link File#pathSeparator}, an empty entry meaning the current directory, and
 * {@code dir/*} meaning every {@code .jar} in {@code dir}. Entries that do not exist are
 * ignored, as {@code java} ignores them. The loader's parent is the tool's own loader, so
 * the mpi4j API (and the bundled examples) are shared with the program and never loaded
 * twice.
 *
 * <p>The main method is chosen as Java 25's launcher chooses it (JEP 512): a non-private
 * {@code main(String[])}, else a {@code main()}, static or not; for an instance main, each
 * rank makes its own instance with the class's constructor without parameters.
 */
final class Program implements AutoCloseable {
    private final URLClassLoader loader;
    private final Class<?> mainClass;
    private final Method main;
    private final Constructor<?> constructor;

    private Program(URLClassLoader loader, Class<?> mainClass, Method main, Constructor<?> constructor) {
        this.loader = loader;
        this.mainClass = mainClass;
        this.main = main;
        this.constructor = constructor;
    }

    /**
     * Loads {@code className} from {@code classPath} and finds its main method.
     *
     * @throws UsageException if the class cannot be found or loaded, or has no main method
     */
    static Program load(String classPath, String className) throws UsageException {
        URLClassLoader loader = new URLClassLoader(urls(classPath), Program.class.getClassLoader());
        try {
            Class<?> c;
            try {
                c = Class.forName(className, false, loader);
            } catch (ClassNotFoundException e) {
                throw new UsageException("class not found: " + className + " (class path: " + classPath + ")");
            } catch (LinkageError e) {
                throw new UsageException("cannot load class " + className + ": " + e);
            }
            Method m = findMain(c, true);
            if (m == null) {
                m = findMain(c, false);
            }
            if (m == null) {
                throw new UsageException("class " + className
                        + " has no main method: expected static void main(String[] args), or void main()");
            }
            Constructor<?> ctor = null;
            if (!Modifier.isStatic(m.getModifiers())) {
                ctor = noArgConstructor(c);
            }
            try {
                m.setAccessible(true);
                if (ctor != null) {
                    ctor.setAccessible(true);
                }
            } catch (RuntimeException e) {
                throw new UsageException("cannot call " + className + ".main: " + e.getMessage());
            }
            return new Program(loader, c, m, ctor);
        } catch (UsageException | RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    /** Returns the class loader of the program's classes. */
    ClassLoader loader() {
        return loader;
    }

    /** Returns the class whose main method runs. */
    Class<?> mainClass() {
        return mainClass;
    }

    /**
     * Runs the main method with a copy of {@code args}; throws what it throws.
     */
    void run(String[] args) throws Exception {
        try {
            Object target = constructor == null ? null : constructor.newInstance();
            if (main.getParameterCount() == 1) {
                main.invoke(target, (Object) args.clone());
            } else {
                main.invoke(target);
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            switch (cause) {
                case Exception x -> throw x;
                case Error x -> throw x;
                default -> throw e;
            }
        }
    }

    /**
     * Cuts the frames below the program's main method (reflection, the job's threads) from
     * {@code t}'s stack trace, so a failure report starts and ends in the program's code.
     * Exceptions thrown outside main's call stack are left as they are.
     */
    void trimStackTrace(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        for (int i = st.length - 1; i >= 0; i--) {
            if (st[i].getClassName().equals(mainClass.getName()) && st[i].getMethodName().equals("main")) {
                if (i + 1 < st.length) {
                    t.setStackTrace(Arrays.copyOf(st, i + 1));
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(loader);
    }

    /** Returns the URLs of a class path, as {@code java -cp} reads it. */
    static URL[] urls(String classPath) {
        List<URL> out = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator, -1)) {
            if (entry.isEmpty()) {
                entry = ".";
            }
            if (entry.equals("*") || entry.endsWith(File.separator + "*") || entry.endsWith("/*")) {
                String dirName = entry.substring(0, entry.length() - 1);
                Path dir = Path.of(dirName.isEmpty() ? "." : dirName);
                if (Files.isDirectory(dir)) {
                    try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir)) {
                        List<Path> sorted = new ArrayList<>();
                        for (Path p : jars) {
                            String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                            if (name.endsWith(".jar") && Files.isRegularFile(p)) {
                                sorted.add(p);
                            }
                        }
                        sorted.sort(null);
                        for (Path p : sorted) {
                            out.add(url(p));
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot list " + dir, e);
                    }
                }
            } else {
                out.add(url(Path.of(entry)));
            }
        }
        return out.toArray(URL[]::new);
    }

    private static URL url(Path p) {
        try {
            return p.toAbsolutePath().normalize().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a usable class path entry: " + p, e);
        }
    }

    /** The most specific non-private main method with or without a String[] parameter, up the class hierarchy. */
    private static Method findMain(Class<?> c, boolean withArgs) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (!m.getName().equals("main") || Modifier.isPrivate(m.getModifiers())) {
                    continue;
                }
                Class<?>[] p = m.getParameterTypes();
                if (withArgs ? p.length == 1 && p[0] == String[].class : p.length == 0) {
                    return m;
                }
            }
        }
        return null;
    }

    private static Constructor<?> noArgConstructor(Class<?> c) throws UsageException {
        if (Modifier.isAbstract(c.getModifiers()) || c.isInterface()) {
            throw new UsageException("class " + c.getName() + "'s main method is not static, and the class is abstract");
        }
        try {
            Constructor<?> ctor = c.getDeclaredConstructor();
            if (Modifier.isPrivate(ctor.getModifiers())) {
                throw new NoSuchMethodException();
            }
            return ctor;
        } catch (NoSuchMethodException e) {
            throw new UsageException("class " + c.getName()
                    + "'s main method is not static, and the class has no non-private constructor without parameters");
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // Nothing to do: the loader's jars are closed on exit anyway.
        }
    }
}
