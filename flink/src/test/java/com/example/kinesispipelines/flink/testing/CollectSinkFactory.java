package com.example.kinesispipelines.flink.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.RuntimeConverter;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.abilities.SupportsPartitioning;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Table sink {@code 'connector' = 'test-collect'}: collects rows (as {@link Row}) in memory under {@code 'sink-id'}.
 * Insert-only, like the Kinesis sink, so that a plan producing updates fails here as it would in the service.
 */
public final class CollectSinkFactory implements DynamicTableSinkFactory {
    public static final String IDENTIFIER = "test-collect";
    static final ConfigOption<String> SINK_ID = ConfigOptions.key("sink-id").stringType().noDefaultValue();

    private static final Map<String, List<Row>> ROWS = new ConcurrentHashMap<>();

    /** Rows collected under the id so far (a copy). */
    public static List<Row> rows(String id) {
        List<Row> rows = ROWS.getOrDefault(id, Collections.emptyList());
        synchronized (rows) {
            return new ArrayList<>(rows);
        }
    }

    public static void clear(String id) {
        ROWS.remove(id);
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(SINK_ID);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        return new Sink(helper.getOptions().get(SINK_ID), context.getPhysicalRowDataType());
    }

    /** Accepts PARTITIONED BY (the Kinesis sink turns it into the partition key); rows are collected whole. */
    private static final class Sink implements DynamicTableSink, SupportsPartitioning {
        private final String id;
        private final DataType type;

        Sink(String id, DataType type) {
            this.id = id;
            this.type = type;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            // Rows are collected by an operator ahead of a discarding sink: no SinkFunction (removed in Flink 2.x),
            // and no Sink V2 writer of ours (its 1.19 interface has a method 2.x removed).
            DataStructureConverter converter = context.createDataStructureConverter(type);
            return new DataStreamSinkProvider() {
                @Override
                public DataStreamSink<?> consumeDataStream(ProviderContext provider, DataStream<RowData> rows) {
                    return rows.flatMap(new CollectFunction(id, converter), rows.getType())
                            .name(IDENTIFIER)
                            .sinkTo(new DiscardingSink<>());
                }
            };
        }

        @Override
        public void applyStaticPartition(Map<String, String> partition) {}

        @Override
        public DynamicTableSink copy() {
            return new Sink(id, type);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER;
        }
    }

    /** Collects each row (as {@link Row}) and passes nothing on. */
    private static final class CollectFunction extends RichFlatMapFunction<RowData, RowData> {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final DynamicTableSink.DataStructureConverter converter;

        CollectFunction(String id, DynamicTableSink.DataStructureConverter converter) {
            this.id = id;
            this.converter = converter;
        }

        @Override
        public void open(OpenContext openContext) {
            converter.open(RuntimeConverter.Context.create(getRuntimeContext().getUserCodeClassLoader()));
        }

        @Override
        public void flatMap(RowData value, Collector<RowData> out) {
            Row row = (Row) converter.toExternal(value);
            List<Row> rows = ROWS.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()));
            rows.add(row);
        }
    }
}
