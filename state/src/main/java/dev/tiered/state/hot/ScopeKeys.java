package dev.tiered.state.hot;

import dev.tiered.state.ScopeId;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The scope part of a hot-store key: every key is {@code prefix(scope) + encoded primary key}. The
 * shared scope is {@code 0x00}; a user scope is {@code 0x01}, the UTF-8 bytes of the user id and
 * {@code 0x00} (valid user ids hold no NUL, so no escaping is needed). No prefix is a prefix of
 * another, so one scope's keys are one contiguous range, and every prefix ends in {@code 0x00}: the
 * range ends before the prefix with its last byte set to {@code 0x01}. Scopes sort shared first,
 * then users by UTF-8 bytes.
 */
final class ScopeKeys {
    static final byte SHARED_TAG = 0;
    static final byte USER_TAG = 1;

    private static final byte[] SHARED_PREFIX = {SHARED_TAG};

    private ScopeKeys() {}

    /** The key prefix of a scope; callers must not modify it. */
    static byte[] prefix(ScopeId scope) {
        if (scope.isShared()) {
            return SHARED_PREFIX;
        }
        byte[] id = scope.userId().getBytes(StandardCharsets.UTF_8);
        byte[] prefix = new byte[id.length + 2];
        prefix[0] = USER_TAG;
        System.arraycopy(id, 0, prefix, 1, id.length);
        prefix[prefix.length - 1] = 0;
        return prefix;
    }

    /** The first key after every key of the scope with this prefix (exclusive upper bound). */
    static byte[] upperBound(byte[] prefix) {
        byte[] bound = Arrays.copyOf(prefix, prefix.length);
        bound[bound.length - 1] = 1;
        return bound;
    }

    /** The length of the scope prefix at the start of {@code key[offset..offset+length)}. */
    static int prefixLength(byte[] key, int offset, int length) {
        if (length > 0 && key[offset] == SHARED_TAG) {
            return 1;
        }
        for (int i = offset + 1; i < offset + length; i++) {
            if (key[i] == 0) {
                return i - offset + 1;
            }
        }
        throw new IllegalArgumentException("Cannot decode hot-store key: no scope prefix");
    }

    /** The scope whose prefix starts at {@code key[offset]}, {@code prefixLength} bytes long. */
    static ScopeId decode(byte[] key, int offset, int prefixLength) {
        if (key[offset] == SHARED_TAG) {
            return ScopeId.SHARED;
        }
        return ScopeId.user(new String(key, offset + 1, prefixLength - 2, StandardCharsets.UTF_8));
    }
}
