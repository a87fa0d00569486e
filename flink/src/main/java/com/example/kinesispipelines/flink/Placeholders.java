package com.example.kinesispipelines.flink;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code ${name}} and {@code ${name:-default}} in statements from the {@code SqlParameters} group, after adding
 * the parameters derived from ARNs (see {@link #withDerived(Map)}). {@code $${} is a literal {@code ${}.
 */
public final class Placeholders {
    private static final Pattern STREAM_ARN =
            Pattern.compile("arn:[a-z-]+:kinesis:([a-z0-9-]+):(\\d{12}):stream/([A-Za-z0-9_.-]{1,128})");
    private static final Pattern CONSUMER_ARN = Pattern.compile(
            "arn:[a-z-]+:kinesis:([a-z0-9-]+):(\\d{12}):stream/([A-Za-z0-9_.-]{1,128})/consumer/([A-Za-z0-9_.-]{1,128}):\\d+");

    private final Map<String, String> values;
    private final Set<String> used = new LinkedHashSet<>();

    public Placeholders(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * The parameters plus, for those not given explicitly: {@code X.stream.name} from each {@code X.stream.arn},
     * {@code aws.region} from {@code source.stream.arn}, {@code source.efo.consumer.name} from
     * {@code source.efo.consumer.arn}.
     *
     * @throws JobConfigurationException when a {@code *.stream.arn} or the consumer ARN is not a Kinesis ARN
     */
    public static Map<String, String> withDerived(Map<String, String> parameters) {
        Map<String, String> all = new HashMap<>(parameters);
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            String key = e.getKey();
            if (!key.endsWith(JobProperties.STREAM_ARN_SUFFIX)) {
                continue;
            }
            Matcher m = STREAM_ARN.matcher(e.getValue());
            if (!m.matches()) {
                throw new JobConfigurationException("parameter " + key + " must be a Kinesis stream ARN "
                        + "(arn:aws:kinesis:<region>:<account>:stream/<name>), got '" + e.getValue() + "'");
            }
            String prefix = key.substring(0, key.length() - JobProperties.STREAM_ARN_SUFFIX.length());
            all.putIfAbsent(prefix + JobProperties.STREAM_NAME_SUFFIX, m.group(3));
            if (key.equals(JobProperties.SOURCE_STREAM_ARN)) {
                all.putIfAbsent(JobProperties.AWS_REGION, m.group(1));
            }
        }
        String consumerArn = parameters.get(JobProperties.SOURCE_EFO_CONSUMER_ARN);
        if (consumerArn != null) {
            Matcher m = CONSUMER_ARN.matcher(consumerArn);
            if (!m.matches()) {
                throw new JobConfigurationException("parameter " + JobProperties.SOURCE_EFO_CONSUMER_ARN
                        + " must be a Kinesis stream consumer ARN "
                        + "(arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<timestamp>), got '"
                        + consumerArn + "'");
            }
            all.putIfAbsent(JobProperties.SOURCE_EFO_CONSUMER_NAME, m.group(4));
        }
        return all;
    }

    /** The statement with every placeholder filled. */
    public SqlStatement resolve(SqlStatement statement) {
        try {
            return statement.withText(resolve(statement.text(), 0));
        } catch (IllegalArgumentException e) {
            throw new SqlStatementException(statement, e.getMessage());
        }
    }

    /** Names that some resolved statement used (explicit values or defaults). */
    public Set<String> used() {
        return used;
    }

    private String resolve(String text, int depth) {
        if (depth > 10) {
            throw new IllegalArgumentException("placeholder defaults nest more than 10 deep");
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf('$', i);
            if (start < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, start);
            if (text.startsWith("$${", start)) {
                out.append("${");
                i = start + 3;
                continue;
            }
            if (!text.startsWith("${", start)) {
                out.append('$');
                i = start + 1;
                continue;
            }
            int end = matchingBrace(text, start + 2);
            if (end < 0) {
                throw new IllegalArgumentException("placeholder at character " + start + " has no closing }");
            }
            String body = text.substring(start + 2, end);
            int sep = body.indexOf(":-");
            String name = sep < 0 ? body : body.substring(0, sep);
            if (!JobProperties.PLACEHOLDER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("placeholder ${" + body + "} has an invalid name '" + name
                        + "' (allowed: letters, digits, _ . -)");
            }
            used.add(name);
            String value = values.get(name);
            if (value == null) {
                if (sep < 0) {
                    throw new IllegalArgumentException("placeholder ${" + name + "} has no value: set key '" + name
                            + "' in property group " + JobProperties.SQL_PARAMETERS_GROUP);
                }
                value = resolve(body.substring(sep + 2), depth + 1);
            }
            out.append(value);
            i = end + 1;
        }
        return out.toString();
    }

    /** Index of the } closing a placeholder whose body starts at {@code from}, counting nested ${...}. */
    private static int matchingBrace(String text, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' && i > 0 && text.charAt(i - 1) == '$') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }
}
