package org.a6suite.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.spi.EntrySource;
import org.junit.jupiter.api.Test;

/** Headers and QueryArgs over an {@link EntrySource}: same answers as the list-built ones, Strings only on demand. */
class LazyViewsTest {

    /** Entries from arrays, recording which names and values were asked for. */
    private static final class CountingSource implements EntrySource {
        final String[] names;
        final String[] values;
        final List<String> made = new ArrayList<>();

        CountingSource(String... namesAndValues) {
            names = new String[namesAndValues.length / 2];
            values = new String[namesAndValues.length / 2];
            for (int i = 0; i < names.length; i++) {
                names[i] = namesAndValues[2 * i];
                values[i] = namesAndValues[2 * i + 1];
            }
        }

        @Override
        public int size() {
            return names.length;
        }

        @Override
        public String name(int index) {
            made.add("name:" + index);
            return names[index];
        }

        @Override
        public String value(int index) {
            made.add("value:" + index);
            return values[index];
        }

        @Override
        public int indexOf(String name, int from, boolean ignoreCase) {
            for (int i = from; i < names.length; i++) {
                if (ignoreCase ? names[i].equalsIgnoreCase(name) : names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
    }

    @Test
    void shouldMakeOnlyTheAskedValueWhenLookingUpAHeader() {
        var source = new CountingSource("host", "a.example", "x-dup", "one", "X-Dup", "two", "flag", null);
        Headers headers = Headers.lazy(source);

        assertThat(headers.first("X-DUP")).contains("one");
        assertThat(headers.contains("missing")).isFalse();
        assertThat(headers.size()).isEqualTo(4);

        assertThat(source.made).containsExactly("value:1");
    }

    @Test
    void shouldAnswerLikeListBuiltHeadersWhenLazy() {
        var lazy = Headers.lazy(new CountingSource("x-dup", "one", "X-Dup", "two", "flag", null));
        var eager = Headers.of("x-dup", "one", "X-Dup", "two", "flag", "");

        assertThat(lazy.all("x-dup")).containsExactly("one", "two");
        assertThat(lazy.first("flag")).as("an entry without a value reads \"\"").contains("");
        assertThat(lazy.entries()).isEqualTo(eager.entries());
        assertThat(lazy).isEqualTo(eager).hasSameHashCodeAs(eager);
        assertThat(lazy.with("x-dup", "three").all("X-DUP")).containsExactly("three");
        assertThat(lazy.without("flag").size()).isEqualTo(2);
        assertThat(lazy.toString()).isEqualTo("Headers[x-dup, x-dup, flag]").doesNotContain("one");
    }

    @Test
    void shouldMakeEveryEntryOnceWhenListingLazyHeaders() {
        var source = new CountingSource("a", "1", "b", "2");
        Headers headers = Headers.lazy(source);

        List<Headers.Header> first = headers.entries();
        List<Headers.Header> second = headers.entries();

        assertThat(second).isSameAs(first);
        assertThat(source.made).containsExactly("name:0", "value:0", "name:1", "value:1");
    }

    @Test
    void shouldBeTheEmptyConstantWhenTheSourceHasNoEntries() {
        assertThat(Headers.lazy(new CountingSource())).isSameAs(Headers.EMPTY);
        assertThat(QueryArgs.lazy(new CountingSource())).isSameAs(QueryArgs.EMPTY);
    }

    @Test
    void shouldAnswerLikeListBuiltArgsWhenLazy() {
        var source = new CountingSource("page", "2", "debug", null, "tag", "a", "Tag", "b", "tag", "c");
        QueryArgs lazy = QueryArgs.lazy(source);
        QueryArgs eager = QueryArgs.of(List.of(
                QueryArgs.Arg.of("page", "2"),
                QueryArgs.Arg.flag("debug"),
                QueryArgs.Arg.of("tag", "a"),
                QueryArgs.Arg.of("Tag", "b"),
                QueryArgs.Arg.of("tag", "c")));

        assertThat(lazy.first("page")).contains("2");
        assertThat(lazy.first("debug")).as("a flag has no value").isEmpty();
        assertThat(lazy.contains("debug")).isTrue();
        assertThat(lazy.contains("PAGE")).as("names are case-sensitive").isFalse();
        assertThat(lazy.all("tag")).containsExactly("a", "c");
        assertThat(source.made)
                .as("no names made, and not the value of Tag")
                .doesNotContain("value:3")
                .allMatch(s -> s.startsWith("value:"));

        assertThat(lazy.entries()).isEqualTo(eager.entries());
        assertThat(lazy).isEqualTo(eager).hasSameHashCodeAs(eager);
        assertThat(lazy.isEmpty()).isFalse();
        assertThat(lazy.entries().get(1).value()).isEqualTo(Optional.empty());
    }
}
