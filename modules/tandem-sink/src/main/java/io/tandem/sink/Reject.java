package io.tandem.sink;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record the sink cannot apply, bound for the dead-letter topic.
 *
 * @param position the record's source position, or null when its header was missing or unreadable
 */
record Reject(
    String entity,
    ConsumerRecord<byte[], byte[]> record,
    String reason,
    String exceptionClass,
    Long position) {}
