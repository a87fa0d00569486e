package com.example.kinesispipelines.flink;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@link JobProperties#LOCAL_OVERRIDES_GROUP} group: connector options that replace or add the options of every
 * {@code kinesis} table, so that the job runs against a local emulator (endpoint, static credentials, a polling source)
 * with its SQL text unchanged. {@link #NONE} when the group is absent, which leaves every table as its DDL says.
 */
public final class LocalOverrides {
    /** No overrides: every table keeps the options of its DDL. */
    public static final LocalOverrides NONE = new LocalOverrides(Collections.emptyMap());

    private final Map<String, String> options;

    private LocalOverrides(Map<String, String> options) {
        this.options = Collections.unmodifiableMap(new TreeMap<>(options));
    }

    /**
     * The group of {@code groups}, checked: every key must be one of {@link JobProperties#LOCAL_OVERRIDE_KEYS} and
     * every value non-empty and within {@link JobProperties#MAX_VALUE_LENGTH}.
     *
     * @throws JobConfigurationException naming the first key that is not allowed
     */
    public static LocalOverrides from(Map<String, Properties> groups) {
        Properties group = groups.get(JobProperties.LOCAL_OVERRIDES_GROUP);
        if (group == null) {
            return NONE;
        }
        Map<String, String> options = new TreeMap<>();
        for (String key : new TreeSet<>(group.stringPropertyNames())) {
            String value = group.getProperty(key);
            if (!JobProperties.LOCAL_OVERRIDE_KEYS.contains(key)) {
                throw new JobConfigurationException("property group " + JobProperties.LOCAL_OVERRIDES_GROUP
                        + ": unknown key '" + key + "'; allowed: " + String.join(", ", JobProperties.LOCAL_OVERRIDE_KEYS));
            }
            if (value.isBlank() || value.length() > JobProperties.MAX_VALUE_LENGTH) {
                throw new JobConfigurationException("property group " + JobProperties.LOCAL_OVERRIDES_GROUP + ": key '"
                        + key + "' must hold 1 to " + JobProperties.MAX_VALUE_LENGTH + " characters, got "
                        + value.length());
            }
            options.put(key, value);
        }
        return new LocalOverrides(options);
    }

    public boolean isEmpty() {
        return options.isEmpty();
    }

    /** The override options, by key. */
    public Map<String, String> options() {
        return options;
    }

    /**
     * The options a table ends up with: {@code tableOptions} unchanged unless its connector is {@code kinesis}; then
     * with every override put over them, and without the {@code scan.stream.efo.*} options when the record publisher
     * ends up {@code POLLING}.
     */
    public Map<String, String> apply(Map<String, String> tableOptions) {
        if (options.isEmpty() || !JobProperties.KINESIS_CONNECTOR.equals(tableOptions.get("connector"))) {
            return tableOptions;
        }
        Map<String, String> out = new LinkedHashMap<>(tableOptions);
        out.putAll(options);
        if ("POLLING".equals(out.get(JobProperties.RECORD_PUBLISHER))) {
            out.keySet().removeIf(k -> k.startsWith(JobProperties.EFO_OPTION_PREFIX));
        }
        return out;
    }

    /** The override keys, for logging (values may hold credentials). */
    public Set<String> keys() {
        return options.keySet();
    }
}
