package dev.tiered.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The JobManager's REST API, spoken over plain HTTP as any user's tooling would: job jar upload and
 * run (the web submission handlers), job and checkpoint status, TaskManagers, cancel.
 */
public final class FlinkRestClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    FlinkRestClient(String base) {
        this.base = base;
    }

    public String baseUrl() {
        return base;
    }

    /**
     * Number of TaskManagers registered at the ResourceManager; 0 while REST is not up yet or
     * answers 503 (leader election still running).
     */
    public int registeredTaskManagers() throws IOException, InterruptedException {
        HttpResponse<String> response;
        try {
            response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + "/taskmanagers"))
                                    .timeout(Duration.ofSeconds(30))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException notListeningYet) {
            return 0;
        }
        if (response.statusCode() == 503) {
            return 0;
        }
        if (response.statusCode() != 200) {
            throw new IOException(
                    "Cannot GET /taskmanagers: HTTP "
                            + response.statusCode()
                            + " "
                            + response.body());
        }
        return JSON.readTree(response.body()).path("taskmanagers").size();
    }

    /** {@code POST /jars/upload}: returns the jar id the run call takes. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----tiered-e2e-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .timeout(Duration.ofMinutes(2))
                        .build();
        JsonNode response = send(request);
        String file = response.path("filename").asText();
        if (!"success".equals(response.path("status").asText()) || file.isEmpty()) {
            throw new IOException("Cannot upload " + jar + ": " + response);
        }
        return Path.of(file).getFileName().toString();
    }

    /** {@code POST /jars/:id/run}: runs {@code entryClass}'s main; returns the job id. */
    public String runJar(String jarId, String entryClass, List<String> args, int parallelism)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.put("entryClass", entryClass);
        ArrayNode programArgs = request.putArray("programArgsList");
        args.forEach(programArgs::add);
        request.put("parallelism", parallelism);
        JsonNode response =
                send(
                        HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                                .timeout(Duration.ofMinutes(3))
                                .build());
        String jobId = response.path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IOException("Cannot run " + entryClass + ": " + response);
        }
        return jobId;
    }

    /** The job's state: {@code RUNNING}, {@code FINISHED}, {@code FAILED}, ... */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Whether the job is RUNNING with every task of every vertex RUNNING (or already done). */
    public boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            JsonNode tasks = vertex.path("tasks");
            int running = tasks.path("RUNNING").asInt() + tasks.path("FINISHED").asInt();
            if (running != vertex.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** Checkpoint counts: {@code completed}, {@code restored}, {@code failed}, ... */
    public JsonNode checkpointCounts(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts");
    }

    /**
     * The failures the JobManager recorded for the job, newest first (at most 3): the exception,
     * the task and where it ran, the first lines of the trace and every "Caused by".
     */
    public List<String> exceptions(String jobId) throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        JsonNode entries =
                get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        for (JsonNode entry : entries) {
            if (failures.size() == 3) {
                break;
            }
            StringBuilder failure =
                    new StringBuilder(entry.path("exceptionName").asText())
                            .append(" in ")
                            .append(entry.path("taskName").asText("?"))
                            .append(" @ ")
                            .append(entry.path("endpoint").asText("?"));
            String[] trace = entry.path("stacktrace").asText().split("\n");
            for (int i = 0; i < trace.length; i++) {
                if (i < 3 || trace[i].startsWith("Caused by")) {
                    failure.append("\n    ").append(trace[i].strip());
                }
            }
            failures.add(failure.toString());
        }
        return failures;
    }

    /** Every job the cluster knows with its state. */
    public List<String[]> jobs() throws IOException, InterruptedException {
        List<String[]> jobs = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            jobs.add(new String[] {job.path("jid").asText(), job.path("state").asText()});
        }
        return jobs;
    }

    /** {@code PATCH /jobs/:id?mode=cancel}. */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(30))
                        .build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    "Cannot "
                            + request.method()
                            + " "
                            + request.uri()
                            + ": HTTP "
                            + response.statusCode()
                            + " "
                            + response.body());
        }
        return JSON.readTree(response.body());
    }
}
