package com.example.kinesispipelines.flink.bench;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.RuntimeContextInitializationContextAdapters;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.types.DataType;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.functions.source.RichParallelSourceFunction;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceFunctionProvider;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Table source {@code 'connector' = 'bench-gen'}: generates JSON payloads like the pipelines' producers (the events of
 * schemas/), in the role of the Kinesis source: with a {@code 'format'}, each payload's UTF-8 bytes go through it, as
 * the Kinesis source hands a record's bytes to the job's format. {@code 'kind' = 'iot' | 'clickstream'}, {@code 'records'} in total across the subtasks.
 * Global record g has event time 2024-01-01T00:00:00Z + g ms (1,000 records per event-second); subtask k emits
 * g = k, k + p, k + 2p, ... so each subtask is in time order. One record in 1,000 is malformed (dead letter).
 */
public final class GeneratedSourceFactory implements DynamicTableSourceFactory {
    static final ConfigOption<String> KIND = ConfigOptions.key("kind").stringType().noDefaultValue();
    static final ConfigOption<Long> RECORDS = ConfigOptions.key("records").longType().noDefaultValue();
    static final long BASE = 1704067200000L;

    @Override
    public String factoryIdentifier() {
        return "bench-gen";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(KIND, RECORDS);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(FactoryUtil.FORMAT);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        DecodingFormat<DeserializationSchema<RowData>> format = helper
                .discoverOptionalDecodingFormat(DeserializationFormatFactory.class, FactoryUtil.FORMAT).orElse(null);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        return new Source(options.get(KIND), options.get(RECORDS), format,
                context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType());
    }

    /** The payload of global record g. */
    static String payload(String kind, long g) {
        if (g % 1000 == 999) {
            return "{\"truncated\": ";
        }
        long ts = BASE + g;
        if ("iot".equals(kind)) {
            long device = g % 1000;
            double wave = Math.sin(g / 5000.0);
            double spike = g % 9973 == 0 ? 15.0 : 0.0;
            return "{\"deviceId\":\"sensor-" + device + "\",\"machineId\":\"press-" + (device % 50) + "\",\"ts\":" + ts
                    + ",\"temperature\":" + (70.0 + wave + (g % 7) * 0.1 + spike)
                    + ",\"vibration\":" + (0.01 + (g % 5) * 0.001)
                    + ",\"pressure\":" + (101.3 + (g % 3) * 0.05) + "}";
        }
        long r = (g * 2654435761L) % 100;
        String type = r < 60 ? "product_view" : r < 85 ? "page_view" : r < 95 ? "add_to_cart" : "purchase";
        long product = (g * 31 + (g % 97) * (g % 89)) % 500;
        String visitor = g % 4 == 0 ? "\"anonymousId\":\"a-" + (g % 2000) : "\"userId\":\"u-" + (g % 3000);
        return "{\"eventId\":\"e-" + g + "\",\"sessionId\":\"s-" + (g % 5000) + "\"," + visitor
                + "\",\"eventType\":\"" + type + "\",\"productId\":\"sku-" + product + "\",\"timestamp\":" + ts + "}";
    }

    private static final class Source implements ScanTableSource {
        private final String kind;
        private final long records;
        private final DecodingFormat<DeserializationSchema<RowData>> format;
        private final DataType physical;

        Source(String kind, long records, DecodingFormat<DeserializationSchema<RowData>> format, DataType physical) {
            this.kind = kind;
            this.records = records;
            this.format = format;
            this.physical = physical;
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return ChangelogMode.insertOnly();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
            return SourceFunctionProvider.of(new Generator(kind, records,
                    format == null ? null : format.createRuntimeDecoder(context, physical)), true);
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(kind, records, format, physical);
        }

        @Override
        public String asSummaryString() {
            return "bench-gen";
        }
    }

    private static final class Generator extends RichParallelSourceFunction<RowData> {
        private static final long serialVersionUID = 1L;
        private final String kind;
        private final long records;
        private final DeserializationSchema<RowData> decoder;
        private volatile boolean running = true;

        Generator(String kind, long records, DeserializationSchema<RowData> decoder) {
            this.kind = kind;
            this.records = records;
            this.decoder = decoder;
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            if (decoder != null) {
                decoder.open(RuntimeContextInitializationContextAdapters.deserializationAdapter(getRuntimeContext()));
            }
        }

        @Override
        public void run(SourceContext<RowData> ctx) throws Exception {
            int k = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            int p = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
            for (long g = k; g < records && running; g += p) {
                String payload = payload(kind, g);
                RowData row = decoder == null ? GenericRowData.of(StringData.fromString(payload))
                        : decoder.deserialize(payload.getBytes(StandardCharsets.UTF_8));
                synchronized (ctx.getCheckpointLock()) {
                    ctx.collect(row);
                }
            }
        }

        @Override
        public void cancel() {
            running = false;
        }
    }
}
