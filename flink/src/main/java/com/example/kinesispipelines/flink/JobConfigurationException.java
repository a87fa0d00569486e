package com.example.kinesispipelines.flink;

/** Runtime properties the job cannot use (missing group, bad key, unreadable script). */
public final class JobConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobConfigurationException(String message) {
        super(message);
    }

    public JobConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
