package dev.tiered.state.io;

import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Create-if-absent on S3: one {@code PutObject} with {@code If-None-Match: *}, which S3 applies
 * atomically (412 Precondition Failed when the key exists). Flink's {@code flink-s3-fs-hadoop}
 * cannot do it (its Hadoop 3.3.4 S3A has no conditional create; that came with 3.4.2, HADOOP-19256)
 * and lives in a plugin class loader, so this goes to the bucket with the AWS SDK v2 directly, over
 * the JDK's HTTP client.
 *
 * <p>Outcomes: created → true; 412 → false, unless an earlier attempt of this call may have landed
 * (then the object is read back and compared); 409 (a concurrent conditional write in flight) and
 * 5xx other than 501 → retried; 501 (a store without conditional writes) and anything else →
 * IOException naming it. The SDK's own retries are off: a retry after a lost response would turn
 * this call's own success into a 412, so this class keeps track of it.
 */
final class S3ConditionalPut {
    private static final Logger LOG = LoggerFactory.getLogger(S3ConditionalPut.class);

    private static final int MAX_ATTEMPTS = 5;
    private static final Map<S3Settings, S3Client> CLIENTS = new ConcurrentHashMap<>();

    private S3ConditionalPut() {}

    /**
     * Creates the object of {@code path} ({@code s3://bucket/key}) with {@code content} if no
     * object has that key.
     *
     * @return true if this call created it; false if it existed (and is left unchanged)
     * @throws IOException if the outcome is unknown or the request was refused
     */
    static boolean putIfAbsent(S3Settings settings, Path path, byte[] content) throws IOException {
        String bucket = path.toUri().getAuthority();
        String key = key(path);
        if (bucket == null || key.isEmpty()) {
            throw new IOException("Cannot create " + path + " if absent: not an s3://bucket/key");
        }
        S3Client client = CLIENTS.computeIfAbsent(settings, S3ConditionalPut::newClient);
        PutObjectRequest request =
                PutObjectRequest.builder()
                        .bucket(bucket)
                        .key(key)
                        .ifNoneMatch("*")
                        .contentLength((long) content.length)
                        .build();
        boolean mayHaveLanded = false;
        Exception last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                client.putObject(request, RequestBody.fromBytes(content));
                return true;
            } catch (S3Exception e) {
                int status = e.statusCode();
                if (status == 412) {
                    return mayHaveLanded && sameContent(client, bucket, key, content, path);
                }
                if (status == 501) {
                    throw new IOException(
                            "Cannot create "
                                    + path
                                    + " if absent: the S3 endpoint does not implement conditional"
                                    + " writes (If-None-Match: *), which commits need ("
                                    + settings
                                    + "): "
                                    + e.getMessage(),
                            e);
                }
                if (status != 409 && status < 500) {
                    throw new IOException(
                            "Cannot create " + path + " if absent: " + e.getMessage(), e);
                }
                // 409: another conditional write of the key was in flight, ours was refused;
                // 5xx: the server may have stored the object before failing.
                mayHaveLanded |= status >= 500;
                last = e;
            } catch (AbortedException e) {
                InterruptedIOException interrupted =
                        new InterruptedIOException(
                                "Cannot create " + path + " if absent: interrupted");
                interrupted.initCause(e);
                throw interrupted;
            } catch (SdkClientException e) {
                // No answer: the request may or may not have been applied.
                mayHaveLanded = true;
                last = e;
            }
            LOG.debug("Conditional put of {} failed (attempt {}), retrying", path, attempt, last);
            backoff(attempt, path);
        }
        throw new IOException(
                "Cannot create "
                        + path
                        + " if absent: no answer after "
                        + MAX_ATTEMPTS
                        + " attempts ("
                        + settings
                        + "): "
                        + last.getMessage(),
                last);
    }

    /** S3A's key of a path: the URI path without its leading slash. */
    static String key(Path path) {
        String key = path.toUri().getPath();
        return key.startsWith("/") ? key.substring(1) : key;
    }

    private static boolean sameContent(
            S3Client client, String bucket, String key, byte[] content, Path path)
            throws IOException {
        try {
            byte[] existing =
                    client.getObjectAsBytes(
                                    GetObjectRequest.builder().bucket(bucket).key(key).build())
                            .asByteArray();
            return Arrays.equals(existing, content);
        } catch (RuntimeException e) {
            throw new IOException(
                    "Cannot create " + path + " if absent: cannot read back the existing object",
                    e);
        }
    }

    private static void backoff(int attempt, Path path) throws InterruptedIOException {
        try {
            Thread.sleep(Math.min(50L << attempt, 1_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(
                    "Cannot create " + path + " if absent: interrupted while retrying");
        }
    }

    private static S3Client newClient(S3Settings settings) {
        S3ClientBuilder builder =
                S3Client.builder()
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                        // Checksum headers only where S3 requires them: S3-compatible stores
                        // (MinIO, Ceph, S3Mock) differ in what they accept beyond that.
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                        .forcePathStyle(settings.pathStyleAccess())
                        .credentialsProvider(credentials(settings));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        if (settings.region() != null) {
            builder.region(Region.of(settings.region()));
        } else if (settings.endpoint() != null) {
            // An S3-compatible store: the region only enters the signature.
            builder.region(Region.US_EAST_1);
        } else {
            builder.region(defaultRegion()).crossRegionAccessEnabled(true);
        }
        LOG.info("S3 client for conditional commits: {}", settings);
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.accessKey() == null || settings.secretKey() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        AwsCredentials credentials =
                settings.sessionToken() == null
                        ? AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())
                        : AwsSessionCredentials.create(
                                settings.accessKey(),
                                settings.secretKey(),
                                settings.sessionToken());
        return StaticCredentialsProvider.create(credentials);
    }

    private static Region defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            // As S3A without a region: start at us-east-1, follow the bucket's region.
            return Region.US_EAST_1;
        }
    }
}
