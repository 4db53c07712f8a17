package dev.tiered.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL gateway's REST API (v1), as the SQL client in gateway mode speaks it: open a session,
 * submit a statement, page through its result until {@code EOS}.
 */
public final class SqlGatewayClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATEMENT_TIMEOUT = Duration.ofMinutes(3);

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    SqlGatewayClient(String base) {
        this.base = base;
    }

    /** Whether the gateway answers {@code GET /v1/info}. */
    public boolean isUp() throws InterruptedException {
        try {
            return send("GET", "/v1/info", null).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** {@code POST /v1/sessions}: returns the session handle. */
    public String openSession() throws IOException, InterruptedException {
        return ok(send("POST", "/v1/sessions", "{}")).path("sessionHandle").asText();
    }

    /**
     * Runs {@code statement} in {@code session} and returns every row of its result (each row's
     * fields), or throws {@link StatementFailedException} with the gateway's errors.
     */
    public List<List<String>> execute(String session, String statement)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("statement", statement);
        String operation =
                ok(send("POST", "/v1/sessions/" + session + "/statements", body.toString()))
                        .path("operationHandle")
                        .asText();
        List<List<String>> rows = new ArrayList<>();
        String next = "/v1/sessions/" + session + "/operations/" + operation + "/result/0";
        long deadline = System.nanoTime() + STATEMENT_TIMEOUT.toNanos();
        while (next != null) {
            HttpResponse<String> response = send("GET", next, null);
            if (response.statusCode() != 200) {
                throw new StatementFailedException(statement, response.body());
            }
            JsonNode page = JSON.readTree(response.body());
            String type = page.path("resultType").asText();
            for (JsonNode row : page.path("results").path("data")) {
                List<String> fields = new ArrayList<>();
                row.path("fields").forEach(field -> fields.add(field.asText()));
                rows.add(fields);
            }
            if (type.equals("EOS")) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Cannot fetch the result of '" + statement + "': timed out");
            }
            if (type.equals("NOT_READY")) {
                Thread.sleep(200);
            }
            next =
                    page.path("nextResultUri").isTextual()
                            ? page.path("nextResultUri").asText()
                            : null;
        }
        return rows;
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException(
                    "Cannot call the SQL gateway: HTTP "
                            + response.statusCode()
                            + " "
                            + response.body());
        }
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> send(String method, String path, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(1));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A statement the gateway reported as failed; the message holds the gateway's errors. */
    public static final class StatementFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        StatementFailedException(String statement, String errors) {
            super("Statement failed: " + statement + "\n" + errors);
        }
    }
}
