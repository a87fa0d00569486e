package com.example.kinesispipelines.flink.formats;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * A format that reads one JSON event per record straight from the record's bytes, in one pass: the fields the event's
 * schema (schemas/*.schema.json) declares, as typed columns, the event time, and a parse error that is NULL for an
 * event the schema accepts. A record the schema rejects is never dropped and never fails the job: it comes out with
 * its reason in {@code parse_error}, the whole record in {@code payload} (NULL for accepted events) and NULL in every
 * other column but the event time (the epoch, which never advances the watermark, unless the format says otherwise),
 * for the script to route to its dead letters. The table must declare exactly the format's columns, in order ({@link RecordParser#columns()}).
 */
public abstract class JsonEventFormatFactory implements DeserializationFormatFactory {
    /** Events more than this far ahead of the clock are rejected: one would push the watermark past every later one. */
    public static final ConfigOption<Duration> MAX_FUTURE_SKEW = ConfigOptions.key("max-future-skew")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("How far ahead of the clock an event time may lie before the event is dead-lettered.");

    /** The parser of one record, for the given clock tolerance. */
    protected abstract RecordParser parser(long maxFutureSkewMillis);

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        FactoryUtil.validateFactoryOptions(this, formatOptions);
        RecordParser parser = parser(formatOptions.get(MAX_FUTURE_SKEW).toMillis());
        String format = factoryIdentifier();
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context ctx, DataType physical) {
                checkColumns(format, parser.columns(), (RowType) physical.getLogicalType());
                return new JsonEventDeserializer(parser, ctx.createTypeInformation(physical));
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    private static void checkColumns(String format, List<RecordParser.Column> expected, RowType actual) {
        boolean same = actual.getFieldCount() == expected.size();
        for (int i = 0; same && i < expected.size(); i++) {
            LogicalType type = actual.getTypeAt(i);
            same = actual.getFieldNames().get(i).equals(expected.get(i).name)
                    && type.getTypeRoot() == expected.get(i).type.getTypeRoot();
        }
        if (!same) {
            throw new ValidationException("format '" + format + "' produces the columns ("
                    + expected.stream().map(c -> c.name + " " + c.type.asSummaryString()).collect(Collectors.joining(", "))
                    + "), in this order; the table declares " + actual.asSummaryString());
        }
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(MAX_FUTURE_SKEW);
    }
}
