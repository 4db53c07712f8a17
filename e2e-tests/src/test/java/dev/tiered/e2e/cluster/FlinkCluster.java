package dev.tiered.e2e.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A standalone Flink session cluster as users run it, assembled from Maven artifacts (there is no
 * distribution tarball on Maven Central): one JobManager and N TaskManagers, each a JVM of its own
 * started with {@link ProcessBuilder} from the entrypoint classes the distribution's scripts use,
 * over a generated {@code config.yaml}. The classpath is what {@code flink/lib} would hold: the
 * jars the build copied into {@code target/flink-lib} (Flink, flink-statebackend-rocksdb with
 * frocksdbjni, log4j) and our shaded {@code flink-sql-connector-tiered-*.jar}.
 *
 * <p>Every JVM gets the environment the distribution's {@code config.sh} exports: {@code
 * FLINK_CONF_DIR} (the generated configuration) and {@code FLINK_PLUGINS_DIR} ({@code
 * target/flink-plugins}, holding {@code s3-fs-hadoop/}), so file systems such as {@code s3://} are
 * loaded from plugins in class loaders of their own, as on a real cluster.
 *
 * <p>Ports are chosen free; every JVM logs into the cluster's directory, which is kept (under
 * {@code target/e2e}) for the failsafe report; {@link #logTails(int)} gives their last lines.
 * TaskManagers can be killed with SIGKILL ({@link #killTaskManager(int)}) and new ones started.
 */
public final class FlinkCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private final String name;
    private final Path dir;
    private final Path confDir;
    private final int slotsPerTaskManager;
    private final Map<String, String> extraConfig;
    private final List<Node> taskManagers = new ArrayList<>();
    private final List<Node> others = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::destroyAll, "flink-cluster-reaper");
    private Node jobManager;
    private int restPort;
    private FlinkRestClient rest;
    private List<String> taskManagerResourceArgs;

    /** One JVM of the cluster and the files it logs to. */
    private record Node(String name, Process process, Path log, Path out) {}

    private FlinkCluster(String name, int slotsPerTaskManager, Map<String, String> extraConfig) {
        this.name = name;
        this.dir = E2eFiles.workDir().resolve(name);
        this.confDir = dir.resolve("conf");
        this.slotsPerTaskManager = slotsPerTaskManager;
        this.extraConfig = Map.copyOf(extraConfig);
    }

    /**
     * A cluster named {@code name} (its directory under {@code target/e2e}) with {@code
     * slotsPerTaskManager} slots per TaskManager and {@code extraConfig} on top of the defaults.
     */
    public static FlinkCluster create(
            String name, int slotsPerTaskManager, Map<String, String> extraConfig) {
        return new FlinkCluster(name, slotsPerTaskManager, extraConfig);
    }

    /** Starts the JobManager and {@code taskManagers} TaskManagers and waits for them. */
    public void start(int taskManagers) throws Exception {
        E2eFiles.deleteRecursively(dir);
        Files.createDirectories(confDir);
        restPort = freePort();
        writeConfig(freePort());
        writeLog4jConfig();
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        List<String> jmArgs = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
        jobManager =
                launch(
                        "jobmanager",
                        jmArgs,
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                        List.of("--configDir", confDir.toString()));
        rest = new FlinkRestClient("http://localhost:" + restPort);
        taskManagerResourceArgs = computeTaskManagerResources();
        for (int i = 0; i < taskManagers; i++) {
            startTaskManager();
        }
        awaitTaskManagers(taskManagers);
    }

    /** The REST API of the JobManager (also the web submission endpoint). */
    public FlinkRestClient rest() {
        return rest;
    }

    public Path directory() {
        return dir;
    }

    /** Starts one more TaskManager JVM; returns its index for {@link #killTaskManager(int)}. */
    public int startTaskManager() throws IOException {
        int index = taskManagers.size();
        List<String> program = new ArrayList<>(List.of("--configDir", confDir.toString()));
        program.addAll(taskManagerResourceArgs.subList(1, taskManagerResourceArgs.size()));
        List<String> jvm = Arrays.asList(taskManagerResourceArgs.get(0).trim().split("\\s+"));
        taskManagers.add(
                launch(
                        "taskmanager-" + index,
                        jvm,
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        program));
        return index;
    }

    /**
     * Starts a SQL gateway JVM (REST endpoint, {@code execution.target: remote} to this cluster) on
     * the cluster's classpath plus {@code flink-sql-gateway} from {@code target/flink-opt}, as the
     * distribution's {@code sql-gateway.sh} does, and waits until it answers.
     */
    public SqlGatewayClient startSqlGateway() throws Exception {
        Path gatewayConf = dir.resolve("gateway-conf");
        Files.createDirectories(gatewayConf);
        int port = freePort();
        String config =
                Files.readString(confDir.resolve("config.yaml"))
                        + "execution.target: 'remote'\n"
                        + "sql-gateway.endpoint.rest.address: 'localhost'\n"
                        + "sql-gateway.endpoint.rest.bind-address: 'localhost'\n"
                        + "sql-gateway.endpoint.rest.port: '"
                        + port
                        + "'\n";
        Files.writeString(gatewayConf.resolve("config.yaml"), config);
        Files.copy(confDir.resolve("log4j.properties"), gatewayConf.resolve("log4j.properties"));
        List<Path> opt;
        try (Stream<Path> jars = Files.list(E2eFiles.flinkOpt())) {
            opt =
                    jars.filter(p -> p.getFileName().toString().startsWith("flink-sql-gateway"))
                            .toList();
        }
        others.add(
                launch(
                        "sql-gateway",
                        List.of("-Xmx512m"),
                        "org.apache.flink.table.gateway.SqlGateway",
                        List.of(),
                        opt,
                        Map.of("FLINK_CONF_DIR", gatewayConf.toString())));
        SqlGatewayClient gateway = new SqlGatewayClient("http://localhost:" + port);
        Waits.until(
                "SQL gateway up",
                START_TIMEOUT,
                () -> {
                    assertAlive();
                    return gateway.isUp();
                });
        return gateway;
    }

    /** Kills TaskManager {@code index} with SIGKILL (no shutdown of any kind) and waits for it. */
    public void killTaskManager(int index) throws InterruptedException {
        Process process = taskManagers.get(index).process();
        process.destroyForcibly();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("Cannot kill taskmanager-" + index + ": still alive");
        }
    }

    /** Waits until exactly {@code count} TaskManagers are registered at the ResourceManager. */
    public void awaitTaskManagers(int count) throws Exception {
        Waits.until(
                "taskmanagers registered: " + count,
                START_TIMEOUT,
                () -> {
                    assertAlive();
                    return rest.registeredTaskManagers() == count;
                });
    }

    /** Fails if the JobManager or a TaskManager that was not killed has exited. */
    public void assertAlive() {
        List<Node> nodes = new ArrayList<>(taskManagers);
        nodes.add(jobManager);
        nodes.addAll(others);
        for (Node node : nodes) {
            Process process = node.process();
            if (!process.isAlive() && process.exitValue() != 137) {
                throw new IllegalStateException(
                        "Cannot use the cluster: "
                                + node.name()
                                + " exited with "
                                + process.exitValue()
                                + "\n"
                                + E2eFiles.tail(node.out(), 40)
                                + E2eFiles.tail(node.log(), 80));
            }
        }
    }

    /** The last {@code lines} lines of every JVM's log and stdout, for a failure report. */
    public String logTails(int lines) {
        StringBuilder tails = new StringBuilder();
        List<Node> nodes = new ArrayList<>();
        if (jobManager != null) {
            nodes.add(jobManager);
        }
        nodes.addAll(taskManagers);
        nodes.addAll(others);
        for (Node node : nodes) {
            tails.append(E2eFiles.tail(node.log(), lines)).append(E2eFiles.tail(node.out(), 20));
        }
        return tails.toString();
    }

    /** Stops every JVM (SIGTERM, then SIGKILL after 30 s). Logs stay in the directory. */
    @Override
    public void close() {
        List<Node> nodes = new ArrayList<>(others);
        nodes.addAll(taskManagers);
        if (jobManager != null) {
            nodes.add(jobManager);
        }
        nodes.forEach(node -> node.process().destroy());
        for (Node node : nodes) {
            try {
                if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
                    node.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                node.process().destroyForcibly();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
    }

    private void destroyAll() {
        others.forEach(node -> node.process().destroyForcibly());
        taskManagers.forEach(node -> node.process().destroyForcibly());
        if (jobManager != null) {
            jobManager.process().destroyForcibly();
        }
    }

    private Node launch(String nodeName, List<String> jvmArgs, String mainClass, List<String> args)
            throws IOException {
        return launch(nodeName, jvmArgs, mainClass, args, List.of(), Map.of());
    }

    private Node launch(
            String nodeName,
            List<String> jvmArgs,
            String mainClass,
            List<String> args,
            List<Path> extraClasspath,
            Map<String, String> env)
            throws IOException {
        Path log = dir.resolve(nodeName + ".log");
        Path out = dir.resolve(nodeName + ".out");
        List<String> command = new ArrayList<>();
        command.add(E2eFiles.javaExecutable());
        command.addAll(jvmArgs);
        command.addAll(E2eFiles.jvmFlags());
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-classpath");
        command.add(classpath(extraClasspath));
        command.add(mainClass);
        command.addAll(args);
        Files.writeString(dir.resolve(nodeName + ".cmd"), String.join(" ", command));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile());
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        builder.environment().put("FLINK_PLUGINS_DIR", E2eFiles.flinkPlugins().toString());
        builder.environment().putAll(env);
        return new Node(nodeName, builder.start(), log, out);
    }

    /**
     * The TaskManager's memory and CPU settings, computed as the distribution's scripts do: line 1
     * the JVM flags (heap, direct, metaspace), then the {@code -D key=value} pairs the TaskManager
     * refuses to start without.
     */
    private List<String> computeTaskManagerResources() throws Exception {
        Path out = dir.resolve("bash-java-utils.out");
        List<String> command = new ArrayList<>();
        command.add(E2eFiles.javaExecutable());
        command.add("-Xmx128m");
        command.addAll(E2eFiles.jvmFlags());
        command.addAll(
                List.of(
                        "-classpath",
                        classpath(List.of()),
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        "GET_TM_RESOURCE_PARAMS",
                        "--configDir",
                        confDir.toString()));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "Cannot compute the TaskManager resources:\n" + E2eFiles.tail(out, 40));
        }
        String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
        List<String> results =
                Files.readAllLines(out).stream()
                        .filter(line -> line.startsWith(prefix))
                        .map(line -> line.substring(prefix.length()))
                        .toList();
        if (results.size() < 2) {
            throw new IllegalStateException(
                    "Cannot compute the TaskManager resources:\n" + E2eFiles.tail(out, 40));
        }
        List<String> resources = new ArrayList<>();
        resources.add(results.get(0));
        resources.addAll(Arrays.asList(results.get(1).trim().split("\\s+")));
        return resources;
    }

    private String classpath(List<Path> extra) {
        Path lib = E2eFiles.flinkLib();
        try (Stream<Path> jars = Files.list(lib)) {
            List<String> entries =
                    jars.filter(p -> p.toString().endsWith(".jar"))
                            .map(Path::toString)
                            .sorted()
                            .collect(Collectors.toCollection(ArrayList::new));
            entries.add(0, E2eFiles.connectorJar().toString());
            extra.forEach(path -> entries.add(path.toString()));
            return String.join(File.pathSeparator, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeConfig(int rpcPort) throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("jobmanager.rpc.address", "localhost");
        config.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        config.put("jobmanager.bind-host", "localhost");
        config.put("jobmanager.memory.process.size", "1024m");
        config.put("taskmanager.host", "localhost");
        config.put("taskmanager.bind-host", "localhost");
        config.put("taskmanager.numberOfTaskSlots", Integer.toString(slotsPerTaskManager));
        config.put("taskmanager.memory.process.size", "1024m");
        config.put("taskmanager.memory.managed.size", "64m");
        config.put("rest.address", "localhost");
        config.put("rest.bind-address", "localhost");
        config.put("rest.port", Integer.toString(restPort));
        config.put("blob.server.port", "0");
        config.put("io.tmp.dirs", dir.resolve("tmp").toString());
        config.put("web.upload.dir", dir.resolve("web-upload").toString());
        config.put("web.tmpdir", dir.resolve("web-tmp").toString());
        config.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        config.put(
                "execution.checkpointing.savepoint-dir",
                dir.resolve("savepoints").toUri().toString());
        config.put("restart-strategy.type", "fixed-delay");
        config.put("restart-strategy.fixed-delay.attempts", "20");
        config.put("restart-strategy.fixed-delay.delay", "1 s");
        // A killed TaskManager is noticed within seconds, not after the 50 s default; generous
        // enough for a loaded CI machine.
        config.put("heartbeat.interval", "2000");
        config.put("heartbeat.timeout", "20000");
        config.put("parallelism.default", "1");
        config.putAll(extraConfig);
        StringBuilder yaml = new StringBuilder();
        config.forEach(
                (key, value) -> yaml.append(key).append(": ").append(quote(value)).append('\n'));
        Files.writeString(confDir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
    }

    private void writeLog4jConfig() throws IOException {
        String log4j =
                String.join(
                        "\n",
                        "monitorInterval = 0",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = MainAppender",
                        "logger.akka.name = org.apache.pekko",
                        "logger.akka.level = WARN",
                        "logger.netty.name = org.apache.flink.shaded.netty4",
                        "logger.netty.level = WARN",
                        "logger.zookeeper.name = org.apache.zookeeper",
                        "logger.zookeeper.level = WARN",
                        "appender.main.name = MainAppender",
                        "appender.main.type = File",
                        "appender.main.fileName = ${sys:log.file}",
                        "appender.main.append = true",
                        "appender.main.layout.type = PatternLayout",
                        "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-50c{1.} [%t] - %m%n",
                        "");
        Files.writeString(confDir.resolve("log4j.properties"), log4j, StandardCharsets.UTF_8);
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return "FlinkCluster[" + name + ", rest port " + restPort + ", " + dir + "]";
    }
}
