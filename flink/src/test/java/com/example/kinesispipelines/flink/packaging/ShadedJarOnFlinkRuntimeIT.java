package com.example.kinesispipelines.flink.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar on what the Managed Flink runtime provides, and nothing else: Flink's distribution (the jars the
 * pom declares {@code provided}: flink-dist's modules and lib/) plus the logging jars of lib/, loaded the way a
 * TaskManager loads a job (Flink's child-first user-code class loader over the job jar). The jar's Kinesis source
 * proxy then lists the shards of a stream served by a local endpoint, which is the first signed call the source makes
 * in EFO mode as in polling mode. Run by failsafe after the jar is built ({@code mvn verify}); the classpath files
 * come from the dependency plugin (pom.xml), and {@code AWS_CBOR_DISABLE=true} makes the SDK speak JSON.
 */
class ShadedJarOnFlinkRuntimeIT {
    private static final String LIST_SHARDS_RESPONSE = "{\"Shards\":[{\"ShardId\":\"shardId-000000000000\","
            + "\"HashKeyRange\":{\"StartingHashKey\":\"0\",\"EndingHashKey\":\"340282366920938463463374607431768211455\"},"
            + "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\"}}]}";
    private static final String DESCRIBE_STREAM_RESPONSE = "{\"StreamDescription\":{\"StreamName\":\"clicks\","
            + "\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/clicks\",\"StreamStatus\":\"ACTIVE\","
            + "\"Shards\":[],\"HasMoreShards\":false,\"RetentionPeriodHours\":24,\"EnhancedMonitoring\":[]}}";

    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> targets = new CopyOnWriteArrayList<>();
    private HttpServer kinesis;

    @BeforeEach
    void startKinesis() throws IOException {
        kinesis = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        kinesis.createContext("/", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            targets.add(target);
            byte[] response = (target.endsWith(".ListShards") ? LIST_SHARDS_RESPONSE
                    : target.endsWith(".DescribeStream") ? DESCRIBE_STREAM_RESPONSE : "{}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(200, response.length);
            exchange.getResponseBody().write(response);
            exchange.close();
        });
        kinesis.start();
    }

    @AfterEach
    void stopKinesis() {
        kinesis.stop(0);
    }

    @Test
    void kinesisSourceListsShardsWithSignedCallsOnTheRuntimeClasspath() throws Throwable {
        assertThat(System.getenv("AWS_CBOR_DISABLE")).as("set by failsafe in pom.xml").isEqualTo("true");
        try (URLClassLoader runtime = new URLClassLoader(runtimeClasspath(), ClassLoader.getPlatformClassLoader());
                URLClassLoader job = userCodeClassLoader(runtime)) {
            Class<?> proxyClass = job.loadClass("org.apache.flink.streaming.connectors.kinesis.proxy.KinesisProxy");
            assertThat(proxyClass.getClassLoader()).as("the connector comes from the job jar").isSameAs(job);
            assertThatNoFlinkProvidedClassComesFromTheJar(job);

            Properties config = new Properties();
            config.setProperty("aws.region", "us-east-1");
            config.setProperty("aws.endpoint", "http://127.0.0.1:" + kinesis.getAddress().getPort());
            config.setProperty("aws.credentials.provider", "BASIC");
            config.setProperty("aws.credentials.provider.basic.accesskeyid", "AKIDEXAMPLE");
            config.setProperty("aws.credentials.provider.basic.secretkey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

            Object result = call(() -> {
                Object proxy = proxyClass.getMethod("create", Properties.class).invoke(null, config);
                return proxy.getClass().getMethod("getShardList", Map.class)
                        .invoke(proxy, Collections.singletonMap("clicks", null));
            });
            Object shards = result.getClass().getMethod("getRetrievedShardListOfStream", String.class)
                    .invoke(result, "clicks");
            assertThat((List<?>) shards).hasSize(1);
            assertThat(shards.toString()).contains("shardId-000000000000");
        }
        assertThat(targets).contains("Kinesis_20131202.ListShards");
        assertThat(authorizations).allSatisfy(header -> assertThat(header).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    }

    /** Flink's own classes resolve to the runtime's jars, never to a copy in the job jar. */
    private static void assertThatNoFlinkProvidedClassComesFromTheJar(ClassLoader job) throws Exception {
        for (String name : List.of("org.apache.flink.table.api.TableEnvironment",
                "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
                "org.apache.flink.connector.base.sink.AsyncSinkBase")) {
            assertThat(job.getResource(name.replace('.', '/') + ".class").toString())
                    .as(name).doesNotContain("kinesis-sql-job.jar");
        }
    }

    /** Flink's child-first user-code class loader with its default parent-first patterns, built in the runtime. */
    private static URLClassLoader userCodeClassLoader(ClassLoader runtime) throws Exception {
        Class<?> configuration = runtime.loadClass("org.apache.flink.configuration.Configuration");
        Class<?> readable = runtime.loadClass("org.apache.flink.configuration.ReadableConfig");
        String[] parentFirst = (String[]) runtime.loadClass("org.apache.flink.configuration.CoreOptions")
                .getMethod("getParentFirstLoaderPatterns", readable)
                .invoke(null, configuration.getConstructor().newInstance());
        URL jar = Paths.get(System.getProperty("shaded.jar")).toUri().toURL();
        Consumer<Throwable> onError = error -> { };
        return (URLClassLoader) runtime.loadClass("org.apache.flink.util.ChildFirstClassLoader")
                .getConstructor(URL[].class, ClassLoader.class, String[].class, Consumer.class)
                .newInstance(new URL[] {jar}, runtime, parentFirst, onError);
    }

    private static URL[] runtimeClasspath() throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String file : List.of("flink.runtime.classpath", "flink.runtime.logging.classpath")) {
            String classpath = Files.readString(Path.of(System.getProperty(file))).trim();
            for (String entry : classpath.split(java.io.File.pathSeparator)) {
                urls.add(Paths.get(entry).toUri().toURL());
            }
        }
        assertThat(urls).noneMatch(url -> url.getPath().contains("joda-time") || url.getPath().contains("kinesis"));
        return urls.toArray(new URL[0]);
    }

    private interface Reflective {
        Object run() throws Exception;
    }

    /** Unwraps reflection so that a NoClassDefFoundError from the jar fails the test as itself. */
    private static Object call(Reflective call) throws Throwable {
        try {
            return call.run();
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
