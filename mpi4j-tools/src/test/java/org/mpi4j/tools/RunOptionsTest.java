package org.mpi4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

    @Test
    void parse_allOptions() throws UsageException {
        RunOptions o = RunOptions.parse(List.of("-np", "3", "-cp", "a:b", "--engine=local", "--tag-output",
                "--timeout=1.5", "app.Main", "--tag-output", "x"));

        assertEquals(new RunOptions(3, "a:b", "local", true, Duration.ofMillis(1500), "app.Main",
                List.of("--tag-output", "x"), List.of(), java.util.Map.of(), List.of(), "ssh", false), o);
    }

    @Test
    void parse_processEngineOptions() throws UsageException {
        RunOptions o = RunOptions.parse(List.of("-n", "2", "--engine", "process", "-x", "A=1", "-x", "B=x=y",
                "--jvm", "-Xmx1g", "--jvm=-Dk=v", "app.Main"));

        assertEquals("process", o.engine());
        assertEquals(java.util.Map.of("A", "1", "B", "x=y"), o.environment());
        assertEquals(List.of("-Xmx1g", "-Dk=v"), o.jvmOptions());
    }

    @Test
    void parse_processOptionsNeedTheProcessEngine() {
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> RunOptions.parse(List.of("-n", "2", "--engine", "local", "-x", "A=1", "app.Main")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("process engine"), e.getMessage());
        UsageException bad = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> RunOptions.parse(List.of("-n", "2", "-x", "=1", "app.Main")));
        org.junit.jupiter.api.Assertions.assertTrue(bad.getMessage().contains("variable name"), bad.getMessage());
    }

    @Test
    void parse_defaults() throws UsageException {
        RunOptions o = RunOptions.parse(List.of("-n", "1", "app.Main"));

        assertEquals(1, o.ranks());
        assertNull(o.classPath());
        assertEquals("process", o.engine(), "the process engine is mpi4j run's default");
        assertFalse(o.tagOutput());
        assertNull(o.timeout());
        assertEquals(List.of(), o.programArgs());
    }

    @Test
    void parse_helpWinsOverMissingOptions() throws UsageException {
        assertNull(RunOptions.parse(List.of("--help")));
        assertNull(RunOptions.parse(List.of("-n", "2", "-h")));
    }

    @Test
    void optionsHelp_listsEveryOptionAligned() {
        String help = RunOptions.optionsHelp();

        for (RunOptions.Option o : RunOptions.OPTIONS) {
            assertTrue(help.contains("  " + o.names().getFirst()), () -> o.names() + " missing from\n" + help);
        }
        for (String line : help.split("\n")) {
            assertTrue(line.length() <= 80, () -> "too long: " + line);
        }
    }
}
