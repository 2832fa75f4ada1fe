package org.mpi4j.tools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.tools.apps.Chatty;

class Mpi4jTest {
    private static final String APPS = "org.mpi4j.tools.apps.";

    /** What a run of the command line printed, and its exit status. */
    record Result(int status, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "status " + status + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    static Result mpi4j(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, UTF_8); PrintStream e = new PrintStream(err, true, UTF_8)) {
            // Not this JVM's standard input: the test runner talks to it there.
            status = new Mpi4j(java.io.InputStream.nullInputStream(), o, e, Map.of()).execute(args);
        }
        return new Result(status, out.toString(UTF_8), err.toString(UTF_8));
    }

    // ------------------------------------------------------------------ running

    @ParameterizedTest(name = "-n {0}")
    @ValueSource(ints = {1, 2, 4, 5})
    void run_helloMpi(int ranks) {
        Result r = mpi4j("run", "--engine", "local", "-n", String.valueOf(ranks), "org.mpi4j.examples.HelloMpi");

        assertEquals(0, r.status(), r::toString);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < ranks; i++) {
            expected.add("Hello from process " + i + " of " + ranks);
        }
        if (ranks > 1) {
            expected.add("Process 0 sent: Hello from process 0!");
            expected.add("Process 1 received: Hello from process 0!");
        } else {
            expected.add("Process 0 has no process 1 to send to: run with -n 2 or more to see a message passed.");
        }
        assertEquals(expected.size(), r.outLines().size(), r::toString);
        assertEquals(expected, new HashSet<>(r.outLines()), r::toString);
        assertEquals("", r.err());
    }

    @Test
    void run_tagOutput_prefixesEachLineWithItsRank() {
        Result r = mpi4j("run", "--engine", "local", "-np", "3", "--tag-output", "org.mpi4j.examples.HelloMpi");

        assertEquals(0, r.status(), r::toString);
        Pattern tagged = Pattern.compile("\\[(\\d+)\\] (.*)");
        Pattern hello = Pattern.compile("Hello from process (\\d+) of 3|Process (\\d+) (sent|received): .*");
        assertEquals(5, r.outLines().size(), r::toString);
        for (String line : r.outLines()) {
            Matcher t = tagged.matcher(line);
            assertTrue(t.matches(), () -> "untagged line: " + line);
            Matcher h = hello.matcher(t.group(2));
            assertTrue(h.matches(), () -> "unexpected line: " + line);
            String printedRank = h.group(1) != null ? h.group(1) : h.group(2);
            assertEquals(t.group(1), printedRank, line);
        }
    }

    /** Lines printed in pieces by many threads at once arrive whole, each with its rank. */
    @Test
    void run_tagOutput_linesNeverMix() {
        Result r = mpi4j("run", "--engine", "local", "-n", "4", "--tag-output", APPS + "Chatty");

        assertEquals(0, r.status(), r::toString);
        Pattern line = Pattern.compile("\\[(\\d)\\] rank (\\d) (main|helper) line (\\d+)");
        Map<String, Integer> next = new HashMap<>();
        List<String> unfinished = new ArrayList<>();
        for (String l : r.outLines()) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                assertEquals(m.group(1), m.group(2), l);
                String key = m.group(2) + " " + m.group(3);
                int i = Integer.parseInt(m.group(4));
                assertEquals(next.getOrDefault(key, 0), i, () -> "out of order: " + l);
                next.put(key, i + 1);
            } else {
                unfinished.add(l);
            }
        }
        assertEquals(8, next.size());
        next.values().forEach(n -> assertEquals(Chatty.LINES, n));
        assertEquals(Set.of("[0] rank 0 unfinished", "[1] rank 1 unfinished", "[2] rank 2 unfinished",
                "[3] rank 3 unfinished"), new HashSet<>(unfinished));
        assertEquals(Set.of("[0] rank 0 to stderr", "[1] rank 1 to stderr", "[2] rank 2 to stderr",
                "[3] rank 3 to stderr"), new HashSet<>(r.errLines()));
    }

    @Test
    void run_passesTheProgramItsOwnArguments() {
        Result r = mpi4j("run", "--engine", "local", "--np=2", "--", APPS + "EchoArgs", "-n", "b c");

        assertEquals(0, r.status(), r::toString);
        assertEquals(Set.of("rank 0 of 2 args [-n, b c] engine local", "rank 1 of 2 args [-n, b c] engine local"),
                new HashSet<>(r.outLines()));
    }

    @Test
    void run_instanceMainMethod() {
        Result r = mpi4j("run", "--engine", "local", "-n", "2", APPS + "InstanceMain");

        assertEquals(0, r.status(), r::toString);
        assertEquals(Set.of("instance main on rank 0, call 1", "instance main on rank 1, call 1"), new HashSet<>(r.outLines()));
    }

    @Test
    void run_restoresSystemOutAndErr() {
        PrintStream out = System.out;
        PrintStream err = System.err;

        mpi4j("run", "--engine", "local", "-n", "2", APPS + "Failing");
        mpi4j("run", "--engine", "local", "-n", "2", "org.mpi4j.examples.HelloMpi");

        assertSame(out, System.out);
        assertSame(err, System.err);
    }

    // ------------------------------------------------------------------ failures

    @Test
    void run_failingRank_isNamedWithItsStackTrace() {
        Result r = mpi4j("run", "--engine", "local", "-n", "3", APPS + "Failing");

        assertEquals(Mpi4j.EXIT_FAILED, r.status(), r::toString);
        List<String> err = r.errLines();
        assertEquals("mpi4j run: rank 1 of 3 failed; the job was aborted.", err.getFirst(), r::toString);
        assertTrue(err.contains("java.lang.IllegalStateException: rank 1 gives up"), r::toString);
        assertFalse(r.err().contains("MpiException"), () -> "only the failed rank's exception is shown:\n" + r);
        assertTrue(r.err().contains("at org.mpi4j.tools.apps.Failing.giveUp(Failing.java"), r::toString);
        assertTrue(err.getLast().contains("at org.mpi4j.tools.apps.Failing.main(Failing.java"),
                () -> "the trace should end at main:\n" + r);
    }

    @Test
    void run_abort_exitsWithItsErrorCode() {
        Result r = mpi4j("run", "--engine", "local", "-n", "2", APPS + "Aborting");

        assertEquals(3, r.status(), r::toString);
        assertEquals("mpi4j run: rank 0 of 2 failed; the job was aborted.", r.errLines().getFirst(), r::toString);
    }

    @Test
    void run_timeout_reportsWhatEachRankWasDoing() {
        Result r = mpi4j("run", "--engine", "local", "-n", "2", "--timeout", "0.5", APPS + "Hanging");

        assertEquals(Mpi4j.EXIT_TIMEOUT, r.status(), r::toString);
        assertTrue(r.err().startsWith("mpi4j run: timed out: "), r::toString);
        assertTrue(r.err().contains("mpi4j-rank-0") && r.err().contains("mpi4j-rank-1"), r::toString);
    }

    // ------------------------------------------------------------------ usage

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of("run"), "missing -n N: the number of ranks to run"),
                Arguments.of(List.of("run", "org.mpi4j.examples.HelloMpi"), "missing -n N: the number of ranks to run"),
                Arguments.of(List.of("run", "-n", "2"), "missing the main class to run"),
                Arguments.of(List.of("run", "-n"), "option -n needs a value: -n N"),
                Arguments.of(List.of("run", "-n", "0", "X"), "-n must be at least 1: 0"),
                Arguments.of(List.of("run", "-n", "two", "X"), "-n needs a whole number of ranks: two"),
                Arguments.of(List.of("run", "-n", "2", "--bogus", "X"), "unknown option: --bogus"),
                Arguments.of(List.of("run", "-n", "2", "--tag-output=yes", "X"),
                        "option --tag-output takes no value: --tag-output=yes"),
                Arguments.of(List.of("run", "-n", "2", "--timeout", "0", "X"), "--timeout must be positive: 0"),
                Arguments.of(List.of("run", "-n", "2", "--timeout", "soon", "X"), "--timeout needs a number of seconds: soon"),
                Arguments.of(List.of("run", "-n", "2", "--engine", "warp", "X"), "unknown engine: warp (available: process, local, native)"),
                Arguments.of(List.of("run", "-n", "2", "-cp", "/nonexistent", "no.such.Main"),
                        "class not found: no.such.Main (class path: /nonexistent)"),
                Arguments.of(List.of("run", "-n", "2", APPS + "NoMain"), "class " + APPS
                        + "NoMain has no main method: expected static void main(String[] args), or void main()"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void run_badUsage_exits2WithTheProblemAndUsage(List<String> args, String problem) {
        Result r = mpi4j(args.toArray(String[]::new));

        assertAll(
                () -> assertEquals(Mpi4j.EXIT_USAGE, r.status(), r::toString),
                () -> assertEquals("mpi4j run: " + problem, r.errLines().getFirst()),
                () -> assertEquals("Usage: mpi4j run -n N [OPTIONS] MAIN_CLASS [ARGS...]", r.errLines().get(1)),
                () -> assertEquals("", r.out()));
    }

    @Test
    void noArguments_orUnknownCommand_exit2() {
        Result none = mpi4j();
        assertEquals(Mpi4j.EXIT_USAGE, none.status());
        assertTrue(none.err().startsWith("Usage: mpi4j COMMAND"), none::toString);

        Result unknown = mpi4j("walk");
        assertEquals(Mpi4j.EXIT_USAGE, unknown.status());
        assertEquals("mpi4j: unknown command: walk", unknown.errLines().getFirst());
    }

    @Test
    void help() {
        Result top = mpi4j("--help");
        assertEquals(0, top.status());
        assertTrue(top.out().startsWith("Usage: mpi4j COMMAND"), top::toString);

        Result run = mpi4j("run", "--help");
        assertEquals(0, run.status());
        assertTrue(run.out().startsWith("Usage: mpi4j run -n N [OPTIONS] MAIN_CLASS [ARGS...]"), run::toString);
        assertTrue(run.out().contains("\n  -n, -np N "), run::toString);
        assertTrue(run.out().contains("\n  --tag-output "), run::toString);
        assertEquals("", run.err());

        Result version = mpi4j("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("mpi4j "), version::toString);
    }

    // ------------------------------------------------------------------ class path

    /** A program outside the tool's class path, found through -cp: a directory, then a jar by wildcard. */
    @Test
    void run_classPath_directoryAndJarWildcard(@TempDir Path tmp) throws IOException {
        Path src = tmp.resolve("src/demo/Ping.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package demo;

                import org.mpi4j.Comm;
                import org.mpi4j.Mpi;

                public class Ping {
                    public record Ball(int hits, String by) {}

                    public static void main(String[] args) {
                        try (Mpi mpi = Mpi.init(args)) {
                            Comm world = mpi.world();
                            if (world.rank() == 0) {
                                world.send(new Ball(1, "rank 0"), 1, 0);
                                Ball back = world.recv(1, 0);
                                System.out.println("rank 0 got " + back);
                            } else if (world.rank() == 1) {
                                Ball b = world.recv(0, 0);
                                world.send(new Ball(b.hits() + 1, "rank 1"), 0, 0);
                            }
                        }
                    }
                }
                """);
        Path classes = tmp.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "javac");

        Result fromDir = mpi4j("run", "--engine", "local", "-n", "2", "-cp", classes.toString(), "demo.Ping");
        assertEquals(0, fromDir.status(), fromDir::toString);
        assertEquals(List.of("rank 0 got Ball[hits=2, by=rank 1]"), fromDir.outLines());

        Path lib = tmp.resolve("lib");
        Files.createDirectories(lib);
        try (OutputStream file = Files.newOutputStream(lib.resolve("ping.jar"));
                JarOutputStream jar = new JarOutputStream(file);
                Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(p));
                jar.closeEntry();
            }
        }
        Result fromJar = mpi4j("run", "--engine", "local", "-n", "2", "-cp", lib + "/*", "demo.Ping");
        assertEquals(0, fromJar.status(), fromJar::toString);
        assertEquals(List.of("rank 0 got Ball[hits=2, by=rank 1]"), fromJar.outLines());
    }

    @Test
    void classPath_wildcardTakesOnlyJars(@TempDir Path tmp) throws IOException {
        Files.createFile(tmp.resolve("b.jar"));
        Files.createFile(tmp.resolve("a.JAR"));
        Files.createFile(tmp.resolve("notes.txt"));
        Files.createDirectories(tmp.resolve("dir.jar"));

        List<String> urls = Stream.of(Program.urls(tmp + "/*")).map(u -> Path.of(u.getPath()).getFileName().toString()).toList();

        assertEquals(List.of("a.JAR", "b.jar"), urls);
        assertFalse(Program.urls("").length == 0, "an empty class path means the current directory");
    }
}
