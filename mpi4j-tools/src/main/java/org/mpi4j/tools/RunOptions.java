package org.mpi4j.tools;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The options of {@code mpi4j run}, parsed the way {@code mpirun} parses its own: options
 * come first, the first argument that is not an option names the program, and everything
 * after it belongs to the program. {@code --name=value} and {@code --name value} are both
 * accepted, and {@code --} ends the options.
 *
 * <p>Each option is a row of {@link #OPTIONS}, which also makes the help text; an engine
 * that needs more options (hosts, binding, environment variables) adds rows.
 *
 * @param ranks the number of ranks ({@code -n})
 * @param classPath the program's class path ({@code -cp}), or null for the default
 * @param engine the engine's name
 * @param tagOutput whether each output line is prefixed with its rank
 * @param timeout the job's time limit, or null for none
 * @param mainClass the binary name of the class whose main method to run
 * @param programArgs the arguments for the program's main method
 * @param jvmOptions options for the JVMs of the process engine's ranks ({@code --jvm})
 * @param environment variables for the ranks' environment ({@code -x})
 * @param hosts where ranks run, in order, with their slots ({@code --host}, {@code --hostfile}); empty for this host
 * @param launchAgent how a rank is started on another host ({@code --launch-agent})
 * @param bindToCore whether each rank is bound to a core of its host ({@code --bind-to core})
 */
record RunOptions(int ranks, String classPath, String engine, boolean tagOutput, Duration timeout,
        String mainClass, List<String> programArgs, List<String> jvmOptions, Map<String, String> environment,
        List<HostSlots> hosts, String launchAgent, boolean bindToCore) {

    /** A host and how many ranks it takes. */
    record HostSlots(String host, int slots) {
    }

    /** The default launch agent: ssh, as mpirun's. */
    static final String DEFAULT_AGENT = "ssh";

    /** The engines {@code mpi4j run} can start. */
    static final List<String> ENGINES = List.of("process", "local", "native");

    /** One option: its names, the name of its value (null for a flag), and its help. */
    record Option(List<String> names, String valueName, String help, Setter setter) {
    }

    /** Applies an option's value to the options being built. */
    @FunctionalInterface
    interface Setter {
        void set(Builder b, String value) throws UsageException;
    }

    static final List<Option> OPTIONS = List.of(
            new Option(List.of("-n", "-np", "--n", "--np"), "N",
                    "run N ranks (required)", (b, v) -> b.ranks = parseRanks(v)),
            new Option(List.of("-cp", "-classpath", "--class-path"), "PATH",
                    "where the program's classes are: directories, jars and dir/* for every jar in dir,"
                            + " separated by '" + java.io.File.pathSeparator + "' (default: $CLASSPATH, else .)",
                    (b, v) -> b.classPath = v),
            new Option(List.of("--engine"), "NAME",
                    "the engine to run on: process (default: one JVM per rank), local (ranks are"
                            + " threads of this JVM) or native (the installed MPI's mpirun starts the JVMs)",
                    (b, v) -> b.engine = parseEngine(v)),
            new Option(List.of("-x"), "VAR[=VALUE]",
                    "process engine: set VAR in every rank's environment, to VALUE or to this"
                            + " environment's value of VAR; repeatable",
                    (b, v) -> b.environment(v)),
            new Option(List.of("--host", "-H"), "HOST[:SLOTS],...",
                    "process engine: run ranks on these hosts, filling each host's slots (default 1) in order",
                    (b, v) -> b.hosts.addAll(parseHosts(v, "--host"))),
            new Option(List.of("--hostfile", "--machinefile"), "FILE",
                    "process engine: hosts from FILE, one per line as HOST [slots=N]; # starts a comment",
                    (b, v) -> b.hosts.addAll(parseHostfile(v))),
            new Option(List.of("--launch-agent"), "COMMAND",
                    "process engine: how to start a rank on another host (default ssh); {host} in COMMAND is"
                            + " replaced by the host, else the host follows COMMAND, as for ssh",
                    (b, v) -> b.launchAgent = v),
            new Option(List.of("--bind-to"), "none|core",
                    "process engine: bind each rank to one core of its host, in turn (core), or let the"
                            + " system place it (none, the default)",
                    (b, v) -> b.bindToCore = parseBinding(v)),
            new Option(List.of("--jvm"), "OPTION",
                    "process engine: an option for every rank's JVM, e.g. --jvm -Xmx2g; repeatable",
                    (b, v) -> b.jvmOptions.add(v)),
            new Option(List.of("--tag-output"), null,
                    "prefix each line of output with the rank that printed it, as \"[R] \"",
                    (b, v) -> b.tagOutput = true),
            new Option(List.of("--timeout"), "SECONDS",
                    "abort the job if it runs longer, and report what each rank was doing",
                    (b, v) -> b.timeout = parseTimeout(v)),
            new Option(List.of("-h", "--help"), null, "print this help", (b, v) -> b.help = true));

    /** The options being parsed. */
    static final class Builder {
        int ranks = -1;
        String classPath;
        String engine = ENGINES.getFirst();
        boolean tagOutput;
        Duration timeout;
        boolean help;
        final List<String> jvmOptions = new ArrayList<>();
        final Map<String, String> environment = new LinkedHashMap<>();
        final List<HostSlots> hosts = new ArrayList<>();
        String launchAgent = DEFAULT_AGENT;
        boolean bindToCore;

        void environment(String v) throws UsageException {
            int eq = v.indexOf('=');
            String name = eq < 0 ? v : v.substring(0, eq);
            if (name.isEmpty() || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new UsageException("-x needs a variable name, as VAR or VAR=VALUE: " + v);
            }
            String value = eq < 0 ? System.getenv(name) : v.substring(eq + 1);
            if (value == null) {
                throw new UsageException("-x " + name + ": the variable is not set here; give it a value as "
                        + name + "=VALUE");
            }
            environment.put(name, value);
        }
    }

    /**
     * Parses the arguments that follow {@code run}; returns null if help was asked for.
     *
     * @throws UsageException naming the first problem found
     */
    static RunOptions parse(List<String> args) throws UsageException {
        Builder b = new Builder();
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                break;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Option option = find(name);
            if (option == null) {
                throw new UsageException("unknown option: " + name);
            }
            if (option.valueName() == null) {
                if (value != null) {
                    throw new UsageException("option " + name + " takes no value: " + arg);
                }
            } else if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option " + name + " needs a value: " + name + " " + option.valueName());
                }
                value = args.get(++i);
            }
            option.setter().set(b, value);
            i++;
        }
        if (b.help) {
            return null;
        }
        if (b.ranks < 0) {
            throw new UsageException("missing -n N: the number of ranks to run");
        }
        if (i >= args.size()) {
            throw new UsageException("missing the main class to run");
        }
        String mainClass = args.get(i);
        List<String> programArgs = new ArrayList<>(args.subList(i + 1, args.size()));
        if (b.engine.equals("native") && (!b.hosts.isEmpty() || b.bindToCore || b.tagOutput)) {
            throw new UsageException("--host, --hostfile, --bind-to and --tag-output are the process engine's; with"
                    + " --engine native, the MPI library's mpirun places, binds and tags the ranks (set its options in"
                    + " MPI4J_MPIRUN_OPTS)");
        }
        if (b.engine.equals("local") && (!b.jvmOptions.isEmpty() || !b.environment.isEmpty() || !b.hosts.isEmpty()
                || b.bindToCore)) {
            throw new UsageException("-x, --jvm, --host, --hostfile and --bind-to apply to the process engine (--engine process);"
                    + " the local engine's ranks share this JVM and its environment");
        }
        if (!b.hosts.isEmpty()) {
            int slots = b.hosts.stream().mapToInt(HostSlots::slots).sum();
            if (slots < b.ranks) {
                throw new UsageException("-n " + b.ranks + " needs " + b.ranks + " slots, but the hosts give " + slots
                        + " (" + b.hosts.stream().map(h -> h.host() + ":" + h.slots()).toList() + ")");
            }
        }
        return new RunOptions(b.ranks, b.classPath, b.engine, b.tagOutput, b.timeout, mainClass,
                List.copyOf(programArgs), List.copyOf(b.jvmOptions), java.util.Collections.unmodifiableMap(
                        new LinkedHashMap<>(b.environment)), List.copyOf(b.hosts), b.launchAgent, b.bindToCore);
    }

    private static Option find(String name) {
        for (Option o : OPTIONS) {
            if (o.names().contains(name)) {
                return o;
            }
        }
        return null;
    }

    static List<HostSlots> parseHosts(String v, String option) throws UsageException {
        List<HostSlots> out = new ArrayList<>();
        for (String item : v.split(",")) {
            String h = item.trim();
            if (h.isEmpty()) {
                continue;
            }
            int slots = 1;
            int colon = h.lastIndexOf(':');
            if (colon > 0 && h.indexOf(':') == colon) { // not an IPv6 address
                slots = parseSlots(h.substring(colon + 1), option + " " + v);
                h = h.substring(0, colon);
            }
            out.add(new HostSlots(h, slots));
        }
        if (out.isEmpty()) {
            throw new UsageException(option + " names no host: " + v);
        }
        return out;
    }

    static List<HostSlots> parseHostfile(String file) throws UsageException {
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(file));
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new UsageException("cannot read the hostfile " + file + ": " + e.getMessage());
        }
        List<HostSlots> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String[] words = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                continue;
            }
            int slots = 1;
            for (int w = 1; w < words.length; w++) {
                if (words[w].startsWith("slots=")) {
                    slots = parseSlots(words[w].substring(6), file + " line " + (i + 1));
                } else if (!words[w].startsWith("max_slots=")) {
                    throw new UsageException(file + " line " + (i + 1) + ": unknown word " + words[w]
                            + " (expected HOST [slots=N])");
                }
            }
            out.add(new HostSlots(words[0], slots));
        }
        if (out.isEmpty()) {
            throw new UsageException("the hostfile " + file + " names no host");
        }
        return out;
    }

    private static int parseSlots(String v, String where) throws UsageException {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("slots must be a whole number of at least 1 in " + where + ": " + v);
    }

    static boolean parseBinding(String v) throws UsageException {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> false;
            case "core" -> true;
            default -> throw new UsageException("--bind-to takes none or core: " + v);
        };
    }

    static int parseRanks(String v) throws UsageException {
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("-n needs a whole number of ranks: " + v);
        }
        if (n < 1) {
            throw new UsageException("-n must be at least 1: " + n);
        }
        return n;
    }

    static String parseEngine(String v) throws UsageException {
        String name = v.trim().toLowerCase(Locale.ROOT);
        if (!ENGINES.contains(name)) {
            throw new UsageException("unknown engine: " + v + " (available: " + String.join(", ", ENGINES) + ")");
        }
        return name;
    }

    static Duration parseTimeout(String v) throws UsageException {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--timeout needs a number of seconds: " + v);
        }
        if (seconds.signum() <= 0) {
            throw new UsageException("--timeout must be positive: " + v);
        }
        if (seconds.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000_000L)) > 0) {
            throw new UsageException("--timeout is too large: " + v);
        }
        long nanos = seconds.movePointRight(9).longValue();
        return Duration.ofNanos(Math.max(nanos, 1));
    }

    /** Returns the help text of the options, one aligned line (or more) each. */
    static String optionsHelp() {
        StringBuilder sb = new StringBuilder();
        for (Option o : OPTIONS) {
            String left = "  " + String.join(", ", o.names().stream()
                    .filter(n -> !n.equals("--n") && !n.equals("--np") && !n.equals("-classpath")).toList())
                    + (o.valueName() == null ? "" : " " + o.valueName());
            sb.append(left);
            if (left.length() < 24) {
                sb.append(" ".repeat(24 - left.length()));
            } else {
                sb.append('\n').append(" ".repeat(24));
            }
            sb.append(wrap(o.help(), 52, " ".repeat(24))).append('\n');
        }
        return sb.toString();
    }

    /** Breaks {@code text} into lines of at most {@code width} characters, indenting all but the first. */
    static String wrap(String text, int width, String indent) {
        StringBuilder sb = new StringBuilder();
        int lineLength = 0;
        for (String word : text.split(" ")) {
            if (lineLength > 0 && lineLength + 1 + word.length() > width) {
                sb.append('\n').append(indent);
                lineLength = 0;
            } else if (lineLength > 0) {
                sb.append(' ');
                lineLength++;
            }
            sb.append(word);
            lineLength += word.length();
        }
        return sb.toString();
    }
}
