package com.example.kinesispipelines.flink.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sensor-reading format reads a reading's text as TRY_CAST(text AS DOUBLE) does (Double.parseDouble), through a
 * faster parser where the text is a JSON number: the same double, bit for bit, on every kind of number text.
 */
class SensorReadingNumberTest {
    private static void sameAsTryCast(String text) {
        Double expected;
        try {
            expected = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            expected = null;
        }
        Double actual = SensorReadingFormatFactory.Parser.number(text);
        if (expected == null) {
            assertThat(actual).as(text).isNull();
        } else {
            assertThat(actual).as(text).isNotNull();
            assertThat(Double.doubleToRawLongBits(actual)).as(text).isEqualTo(Double.doubleToRawLongBits(expected));
        }
    }

    @Test
    void readsEveryNumberTextAsDoubleParseDoubleDoes() {
        Random random = new Random(20261207L);
        List<String> texts = new ArrayList<>(List.of("0", "-0", "0.0", "-0.0", "1", "101", "101.25", "2e1", "1E+2",
                "1e-2", "1e400", "-1e400", "1e-400", "4.9e-324", "2.4703282292062327e-324", "2.2250738585072012e-308",
                "2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623158e308", "9007199254740993",
                "0.1", "0.30000000000000004", "123456789012345678901234567890", "0." + "0".repeat(40) + "1",
                "01", "+1", ".5", "1.", "1e", "-", "", " 1", "1 ", "NaN", "Infinity", "-Infinity", "0x1p3", "1d", "1f",
                "hot", "1_000", "١٢"));
        for (int i = 0; i < 20_000; i++) {
            double x = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(x)) {
                continue;
            }
            texts.add(Double.toString(x));
            texts.add(new BigDecimal(x).toPlainString().length() < 64 ? new BigDecimal(x).toPlainString() : "1");
            texts.add(String.format(Locale.ROOT, "%." + random.nextInt(20) + "f", 100 * random.nextGaussian()));
            texts.add(String.format(Locale.ROOT, "%." + random.nextInt(20) + "e", x));
            texts.add(Double.toString(70.0 + Math.sin(i / 5000.0) + (i % 7) * 0.1));
        }
        for (String text : texts) {
            sameAsTryCast(text);
        }
        assertThat(SensorReadingFormatFactory.Parser.isJsonNumber("-12.5e-3")).isTrue();
        for (String notJson : List.of("01", "+1", ".5", "1.", "1e", "-", "", " 1", "NaN", "1d", "0x1p3")) {
            assertThat(SensorReadingFormatFactory.Parser.isJsonNumber(notJson)).as(notJson).isFalse();
        }
    }
}
