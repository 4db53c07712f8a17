package dev.tiered.state.layout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * User ids as directory names (DESIGN §3). A valid id is non-empty, holds no {@code /}, {@code \},
 * {@code ..} or NUL, and does not start with {@code _} or {@code .} (those names are the table's
 * own: {@code _table}, {@code _log}, {@code _hot}). {@link #encode} keeps {@code [A-Za-z0-9._@-]}
 * and percent-encodes every other UTF-8 byte, so the result is always exactly one path segment, and
 * {@link #decode} gives the id back.
 */
public final class UserIds {
    /** Longest directory name most file systems and object stores accept. */
    public static final int MAX_ENCODED_LENGTH = 255;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UserIds() {}

    /** The reason a user id is invalid, or null if it is valid. */
    public static String invalidReason(String userId) {
        if (userId == null) {
            return "is null";
        }
        if (userId.isEmpty()) {
            return "is empty";
        }
        if (userId.indexOf('/') >= 0) {
            return "contains '/'";
        }
        if (userId.indexOf('\\') >= 0) {
            return "contains '\\'";
        }
        if (userId.contains("..")) {
            return "contains '..'";
        }
        if (userId.indexOf('\0') >= 0) {
            return "contains NUL";
        }
        if (userId.charAt(0) == '_' || userId.charAt(0) == '.') {
            return "starts with '" + userId.charAt(0) + "'";
        }
        if (!isWellFormed(userId)) {
            return "is not well-formed Unicode";
        }
        if (encodedLength(userId) > MAX_ENCODED_LENGTH) {
            return "is longer than " + MAX_ENCODED_LENGTH + " bytes once encoded";
        }
        return null;
    }

    /**
     * @throws IllegalArgumentException naming the id (with control characters escaped) and why
     */
    public static String validate(String userId) {
        String reason = invalidReason(userId);
        if (reason != null) {
            throw new IllegalArgumentException(
                    "Invalid user id '" + printable(userId) + "': " + reason);
        }
        return userId;
    }

    /** The directory name of a valid user id. */
    public static String encode(String userId) {
        validate(userId);
        if (isPlain(userId)) {
            return userId;
        }
        StringBuilder out = new StringBuilder(userId.length() * 3);
        for (byte b : userId.getBytes(StandardCharsets.UTF_8)) {
            if (isSafe((char) (b & 0xFF)) && b >= 0) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    /**
     * The user id a directory name stands for.
     *
     * @throws IllegalArgumentException if the name is not an encoding {@link #encode} produces
     */
    public static String decode(String directoryName) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(directoryName.length());
        for (int i = 0; i < directoryName.length(); i++) {
            char c = directoryName.charAt(i);
            if (c == '%' && i + 2 < directoryName.length()) {
                int hi = Character.digit(directoryName.charAt(i + 1), 16);
                int lo = Character.digit(directoryName.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw notEncoded(directoryName);
                }
                bytes.write((hi << 4) | lo);
                i += 2;
            } else if (isSafe(c)) {
                bytes.write(c);
            } else {
                throw notEncoded(directoryName);
            }
        }
        String userId;
        try {
            userId = strictDecoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw notEncoded(directoryName);
        }
        if (invalidReason(userId) != null || !encode(userId).equals(directoryName)) {
            throw notEncoded(directoryName);
        }
        return userId;
    }

    /** Whether a directory name is the encoding of some valid user id. */
    public static boolean isEncodedUserId(String directoryName) {
        try {
            decode(directoryName);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isSafe(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '@'
                || c == '-';
    }

    private static boolean isPlain(String userId) {
        for (int i = 0; i < userId.length(); i++) {
            if (!isSafe(userId.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int encodedLength(String userId) {
        if (isPlain(userId)) {
            return userId.length();
        }
        int length = 0;
        for (byte b : userId.getBytes(StandardCharsets.UTF_8)) {
            length += (b >= 0 && isSafe((char) b)) ? 1 : 3;
        }
        return length;
    }

    private static boolean isWellFormed(String s) {
        CharsetEncoder encoder =
                StandardCharsets.UTF_8
                        .newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        return encoder.canEncode(CharBuffer.wrap(s));
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static IllegalArgumentException notEncoded(String directoryName) {
        return new IllegalArgumentException(
                "Cannot decode user directory '"
                        + printable(directoryName)
                        + "': not an encoded user id");
    }

    /** The id with control characters shown as backslash-u escapes, safe to put in a message. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
