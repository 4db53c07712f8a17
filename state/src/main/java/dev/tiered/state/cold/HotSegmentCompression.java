package dev.tiered.state.cold;

import org.apache.avro.file.CodecFactory;

/**
 * The block compression of hot segments (Avro container files). Hot segments are written on the
 * ingest path and read back only on restore, so the default favours write speed: see
 * docs/benchmarks.md "Parquet files (JMH)" for the figures behind it.
 */
public enum HotSegmentCompression {
    /** The fastest write (about twice Snappy's rate), at about 1.07x the raw row size. */
    NONE,
    /** The default: still faster than any Parquet codec, at under half the raw row size. */
    SNAPPY,
    ZSTD,
    DEFLATE;

    /** What hot segments use unless the caller says otherwise. */
    public static final HotSegmentCompression DEFAULT = SNAPPY;

    CodecFactory codec() {
        return switch (this) {
            case NONE -> CodecFactory.nullCodec();
            case SNAPPY -> CodecFactory.snappyCodec();
            case ZSTD -> CodecFactory.zstandardCodec(CodecFactory.DEFAULT_ZSTANDARD_LEVEL);
            case DEFLATE -> CodecFactory.deflateCodec(CodecFactory.DEFAULT_DEFLATE_LEVEL);
        };
    }
}
