package dev.tiered.state.io;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.util.Locale;
import java.util.Set;

/**
 * Which URIs name object stores, for the few operations whose semantics differ there: an object
 * store has no rename and no hard link (a create-if-absent needs a conditional put), and no {@code
 * sync} (an object becomes durable, and visible whole, when the stream that uploads it is closed).
 */
public final class ObjectStores {

    /** Every scheme Flink serves from an object-store plugin. */
    private static final Set<String> OBJECT_STORE_SCHEMES =
            Set.of("s3", "s3a", "s3n", "s3p", "gs", "oss", "abfs", "abfss", "wasb", "wasbs");

    /**
     * The schemes whose create-if-absent is a conditional PutObject through the AWS SDK: the ones
     * {@code flink-s3-fs-hadoop} serves, so data files and commit files land in the same bucket.
     */
    private static final Set<String> S3_SCHEMES = Set.of("s3", "s3a");

    private ObjectStores() {}

    /** Whether {@code path} (or, without a scheme, the default file system) is an object store. */
    public static boolean isObjectStore(Path path) {
        return OBJECT_STORE_SCHEMES.contains(scheme(path));
    }

    /** Whether {@code path} is on S3 through the schemes of {@code flink-s3-fs-hadoop}. */
    static boolean isS3(Path path) {
        return S3_SCHEMES.contains(scheme(path));
    }

    /** The lower-case scheme of {@code path}, or of the default file system if it has none. */
    static String scheme(Path path) {
        String scheme = path.toUri().getScheme();
        if (scheme == null) {
            scheme = FileSystem.getDefaultFsUri().getScheme();
        }
        return scheme == null ? "file" : scheme.toLowerCase(Locale.ROOT);
    }
}
