#!/usr/bin/env node
// Interop check between Tandem (Confluent wire format Avro serde + embedded Confluent-compatible
// schema registry) and a third-party stack: kafkajs + @kafkajs/confluent-schema-registry (avsc).
// Driven by modules/tandem-registry/src/test/java/io/tandem/registry/serde/NodeInteropIT.java.
//
//   node interop.mjs produce --brokers HOST:PORT --registry URL --topic T --count N [--timeout-ms MS]
//   node interop.mjs consume --brokers HOST:PORT --registry URL --topic T --count N [--timeout-ms MS]
//
// stdout carries JSON lines only; every log line goes to stderr.
// Avro longs are read and written as BigInt (full 64-bit range) and printed as plain JSON integers.
// Avro bytes are printed as lowercase hex strings.

import kafkajs from 'kafkajs';
import registryPackage from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';

const { Kafka, logLevel, Partitioners } = kafkajs;
const { SchemaRegistry, SchemaType } = registryPackage;

const USAGE = 'usage: node interop.mjs produce|consume --brokers HOST:PORT --registry URL --topic T --count N [--timeout-ms MS]';

// ---- Customer records (produce) ----

const CUSTOMER_SCHEMA = {
  type: 'record',
  name: 'Customer',
  namespace: 'interop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'balanceCents', type: 'long' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
};

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

// Deterministic records with edge cases early on: 64-bit extremes, beyond 2^53, null union branch,
// empty array, non-ASCII and non-BMP text.
function customer(i) {
  const balances = [LONG_MAX, LONG_MIN, 0n, -1n, 9007199254740993n /* 2^53 + 1 */];
  const names = ['Zoë Ñandú 😀', 'Ada Lovelace', '', 'Grace "Hopper" \\ \n tab\t', 'Łukasz Żółć 日本語'];
  const tags = [];
  for (let t = 0; t < i % 4; t++) {
    tags.push(`tag-${i}-${t}`);
  }
  return {
    id: 9000000000000000000n + BigInt(i), // beyond 2^53: no safe JS number
    name: `${names[i % names.length]} #${i}`,
    email: i % 2 === 0 ? null : `customer${i}@example.com`,
    balanceCents: i < balances.length ? balances[i] : BigInt(i) * -123456789n,
    tags,
  };
}

// ---- helpers ----

// Avro long <-> BigInt, as in avsc's README; avsc's default long type refuses values beyond 2^53.
const longType = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: BigInt,
  toJSON: Number,
  isValid: (n) => typeof n === 'bigint' && n >= LONG_MIN && n <= LONG_MAX,
  compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
});

const isLong = (schema) => schema === 'long' || (schema && schema.type === 'long' && !schema.logicalType);

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const args = { command, timeoutMs: 60000 };
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i];
    const value = rest[i + 1];
    if (!name.startsWith('--') || value === undefined) {
      fail(`bad argument near '${name}'\n${USAGE}`);
    }
    args[name.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = value;
  }
  for (const required of ['brokers', 'registry', 'topic', 'count']) {
    if (!args[required]) {
      fail(`missing --${required}\n${USAGE}`);
    }
  }
  args.count = Number.parseInt(args.count, 10);
  args.timeoutMs = Number.parseInt(args.timeoutMs, 10);
  if (!(args.count >= 0) || !(args.timeoutMs > 0)) {
    fail(`--count and --timeout-ms must be numbers\n${USAGE}`);
  }
  return args;
}

function fail(message) {
  process.stderr.write(`interop: ${message}\n`);
  process.exit(2);
}

// JSON with BigInt as plain integers and Buffers as hex (JSON.stringify knows neither).
function toJson(value) {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (Buffer.isBuffer(value)) {
    return JSON.stringify(value.toString('hex'));
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      return JSON.stringify(String(value)); // NaN / Infinity have no JSON form
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(toJson).join(',')}]`;
  }
  if (value instanceof Map) {
    return toJson(Object.fromEntries(value));
  }
  if (typeof value === 'object') {
    return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}:${toJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function kafkaLogger() {
  return ({ namespace, level, label, log }) => {
    const { message, ...extra } = log;
    process.stderr.write(`kafkajs ${label} [${namespace}] ${message} ${JSON.stringify(extra)}\n`);
  };
}

function clients(args) {
  const kafka = new Kafka({
    clientId: `tandem-interop-${args.command}-${process.pid}`,
    brokers: args.brokers.split(','),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogger,
    retry: { retries: 10 },
  });
  const registry = new SchemaRegistry(
    { host: args.registry, clientId: 'tandem-interop' },
    { [SchemaType.AVRO]: { typeHook: (schema) => (isLong(schema) ? longType : undefined) } },
  );
  return { kafka, registry };
}

// ---- commands ----

async function produce(args) {
  const { kafka, registry } = clients(args);
  const subject = `${args.topic}-value`;
  progress = () => `registering the schema under ${subject}`;
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(CUSTOMER_SCHEMA) },
    { subject },
  );
  const records = [];
  const messages = [];
  for (let i = 0; i < args.count; i++) {
    const record = customer(i);
    records.push(record);
    messages.push({ key: record.id.toString(), value: await registry.encode(id, record) });
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  progress = () => `producing ${messages.length} messages to topic ${args.topic}`;
  await producer.connect();
  try {
    await producer.send({ topic: args.topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  process.stdout.write(`${toJson({ schemaId: id, subject, produced: messages.length, records })}\n`);
}

async function consume(args) {
  const { kafka, registry } = clients(args);
  const groupId = `tandem-interop-${args.topic}-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const seen = [];
  const schemaIds = new Set();
  let failure = null;
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  progress = () => `consumed ${seen.length} of ${args.count} messages from topic ${args.topic} (group ${groupId})`;
  if (args.count === 0) {
    finish();
  }
  await consumer.connect();
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      if (seen.length >= args.count || failure) {
        return;
      }
      try {
        const value = await registry.decode(message.value);
        const schemaId = message.value.readInt32BE(1);
        schemaIds.add(schemaId);
        seen.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString('utf8'),
          magicByte: message.value[0],
          schemaId,
          value,
        });
      } catch (error) {
        failure = error;
        failure.message = `cannot decode ${args.topic}/${partition}@${message.offset} `
          + `(${message.value === null ? 'null' : message.value.length + ' bytes'}): ${failure.message}`;
        finish();
        return;
      }
      if (seen.length >= args.count) {
        finish();
      }
    },
  });
  await done;
  progress = () => `disconnecting after ${seen.length} messages`;
  await consumer.disconnect();
  if (failure) {
    throw failure;
  }
  for (const record of seen) {
    process.stdout.write(`${toJson(record)}\n`);
  }
  // The writer's schema as the node client sees it through the registry.
  const subject = `${args.topic}-value`;
  progress = () => `fetching the latest schema of ${subject}`;
  const latestSchemaId = await registry.getLatestSchemaId(subject);
  const latestSchema = await registry.getSchema(latestSchemaId);
  process.stdout.write(`${toJson({
    consumed: seen.length,
    schemaIds: [...schemaIds],
    subject,
    latestSchemaId,
    latestSchemaName: latestSchema.name,
  })}\n`);
}

// What the command is doing, for the timeout message.
let progress = () => 'starting';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // A watchdog over the whole command: connecting, registering and consuming may all hang.
  setTimeout(() => {
    process.stderr.write(`interop: ${args.command} timed out after ${args.timeoutMs} ms: ${progress()}\n`);
    process.exit(3);
  }, args.timeoutMs).unref();
  switch (args.command) {
    case 'produce':
      await produce(args);
      break;
    case 'consume':
      await consume(args);
      break;
    default:
      fail(`unknown command '${args.command}'\n${USAGE}`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`interop: ${error && error.stack ? error.stack : error}\n`);
    if (error && error.paths) {
      process.stderr.write(`interop: invalid paths: ${JSON.stringify(error.paths)}\n`);
    }
    process.exit(1);
  },
);
