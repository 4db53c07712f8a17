package dev.tiered.bench.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a benchmark JVM reports of itself beside its job's figures: its peak resident set and the
 * CPU time it used. Each benchmark run is a fresh JVM with an embedded cluster, so these cover the
 * TaskManager too. Linux only ({@code /proc/self/status}).
 */
public final class ProcessStats {
    private ProcessStats() {}

    /** The process's peak resident set (VmHWM) in MiB, or -1 if the system does not say. */
    public static long peakRssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * CPU time of every thread of the process so far (user and system), in seconds: subtract two
     * readings to get what a job took, its JIT compilation and garbage collection included.
     */
    public static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean)
                                ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }
}
