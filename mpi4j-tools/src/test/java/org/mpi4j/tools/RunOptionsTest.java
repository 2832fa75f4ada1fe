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
                List.of("--tag-output", "x")), o);
    }

    @Test
    void parse_defaults() throws UsageException {
        RunOptions o = RunOptions.parse(List.of("-n", "1", "app.Main"));

        assertEquals(1, o.ranks());
        assertNull(o.classPath());
        assertEquals("local", o.engine());
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
