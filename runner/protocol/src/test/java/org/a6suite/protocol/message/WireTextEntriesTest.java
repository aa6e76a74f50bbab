package org.a6suite.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lookups over the wire bytes must give exactly what String.equals/equalsIgnoreCase on the decoded names give. */
class WireTextEntriesTest {

    /** Lays out name/value byte arrays back to back; a null value is absent. */
    private static WireTextEntries entries(byte[]... namesAndValues) {
        var data = new ByteArrayOutputStream();
        data.write(0x7F); // something before the first entry, so starts are not all 0
        int[] spans = new int[namesAndValues.length * 2];
        for (int i = 0; i < namesAndValues.length; i++) {
            byte[] bytes = namesAndValues[i];
            spans[2 * i] = bytes == null ? 0 : data.size();
            spans[2 * i + 1] = bytes == null ? -1 : bytes.length;
            if (bytes != null) {
                data.writeBytes(bytes);
            }
        }
        return new WireTextEntries(data.toByteArray(), spans);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldFindNamesIgnoringAsciiCase() {
        WireTextEntries e =
                entries(utf8("host"), utf8("a"), utf8("x-request-id"), utf8("1"), utf8("x-request-id"), utf8("2"));

        assertThat(e.indexOfIgnoreCase("X-Request-ID", 0)).isEqualTo(1);
        assertThat(e.indexOfIgnoreCase("x-request-id", 2)).isEqualTo(2);
        assertThat(e.indexOfIgnoreCase("x-request", 0))
                .as("a prefix is not a match")
                .isEqualTo(-1);
        assertThat(e.indexOfIgnoreCase("x-request-id-2", 0))
                .as("nor a longer name")
                .isEqualTo(-1);
        assertThat(e.indexOf("HOST", 0)).as("exact lookups are case-sensitive").isEqualTo(-1);
        assertThat(e.indexOf("host", 0)).isZero();
    }

    @Test
    void shouldMatchLikeEqualsIgnoreCaseWhenTheWireNameIsNotAscii() {
        // U+212A KELVIN SIGN and U+017F LONG S fold to ASCII letters under equalsIgnoreCase.
        WireTextEntries e =
                entries(utf8("\u212Aey"), utf8("1"), utf8("\u017Fid"), utf8("2"), utf8("caf\u00e9"), utf8("3"));

        assertThat(e.indexOfIgnoreCase("key", 0)).isEqualTo("\u212Aey".equalsIgnoreCase("key") ? 0 : -1);
        assertThat(e.indexOfIgnoreCase("SID", 0)).isEqualTo("\u017Fid".equalsIgnoreCase("SID") ? 1 : -1);
        assertThat(e.indexOf("key", 0)).isEqualTo(-1);
        assertThat(e.indexOfIgnoreCase("CAF\u00c9", 0))
                .as("a non-ASCII asked name")
                .isEqualTo(2);
        assertThat(e.indexOf("caf\u00e9", 0)).isEqualTo(2);
    }

    @Test
    void shouldDecodeMalformedBytesAsReplacementCharsAndMatchThem() {
        WireTextEntries e = entries(new byte[] {'x', (byte) 0xFF}, new byte[] {(byte) 0xC3});

        assertThat(e.name(0)).isEqualTo("x\uFFFD");
        assertThat(e.value(0)).isEqualTo("\uFFFD");
        assertThat(e.indexOf("x\uFFFD", 0)).isZero();
        assertThat(e.indexOfIgnoreCase("x", 0)).isEqualTo(-1);
    }

    @Test
    void shouldDecodeEachNameAndValueOnceAndKeepAbsentValuesAbsent() {
        WireTextEntries e = entries(utf8("debug"), null, utf8("page"), utf8("2"));

        assertThat(e.value(0)).isNull();
        assertThat(e.get(0)).isEqualTo(TextEntry.absent("debug"));
        assertThat(e.value(1)).isSameAs(e.value(1));
        assertThat(e.name(1)).isSameAs(e.name(1));
        assertThat(e).isEqualTo(List.of(TextEntry.absent("debug"), TextEntry.of("page", "2")));
    }

    @Test
    void shouldKeepItselfButCopyOtherListsWhenMadeImmutable() {
        WireTextEntries e = entries(utf8("a"), utf8("1"));
        List<TextEntry> built = new ArrayList<>(List.of(TextEntry.of("a", "1")));

        assertThat(WireTextEntries.immutable(e)).isSameAs(e);
        assertThat(WireTextEntries.immutable(built)).isNotSameAs(built).isEqualTo(built);
        assertThatThrownBy(() -> e.add(TextEntry.of("b", "2"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldRejectSpansOutsideTheData() {
        assertThatThrownBy(() -> new WireTextEntries(new byte[4], new int[] {2, 3, 0, -1}))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new WireTextEntries(new byte[4], new int[] {0, 1, 0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
