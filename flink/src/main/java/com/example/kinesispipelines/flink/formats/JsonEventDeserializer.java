package com.example.kinesispipelines.flink.formats;

import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;

/** Bytes of one record to one row through an {@link RecordParser}; never throws on a bad record. */
final class JsonEventDeserializer implements DeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;
    private final RecordParser parser;
    private final TypeInformation<RowData> producedType;

    JsonEventDeserializer(RecordParser parser, TypeInformation<RowData> producedType) {
        this.parser = parser;
        this.producedType = producedType;
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        return parser.parse(message);
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
