package io.tandem.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class AvroColumnTest {
  private static AvroColumn column(String type) {
    Schema record = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"f\",\"type\":" + type + "}]}");
    return AvroColumn.of(record.getField("f"));
  }

  @Test
  void rendersValuesAsPostgresInputText() {
    assertThat(column("\"boolean\"").toText(true)).isEqualTo("t");
    assertThat(column("\"long\"").toText(-5L)).isEqualTo("-5");
    assertThat(column("\"double\"").toText(Double.NaN)).isEqualTo("NaN");
    assertThat(column("\"float\"").toText(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    assertThat(column("\"string\"").toText(new Utf8("é"))).isEqualTo("é");
    assertThat(column("\"bytes\"").toText(ByteBuffer.wrap(new byte[] {0, 15, -1}))).isEqualTo("\\x000fff");
    assertThat(column("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":5,\"scale\":2}")
        .toText(ByteBuffer.wrap(new byte[] {(byte) 0xfb, 0x2e}))).isEqualTo("-12.34");
    assertThat(column("{\"type\":\"int\",\"logicalType\":\"date\"}").toText(-1)).isEqualTo("1969-12-31");
    assertThat(column("{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}").toText(-1L))
        .isEqualTo("1969-12-31T23:59:59.999999Z");
    assertThat(column("{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}").toText(86_400_000L))
        .isEqualTo("1970-01-02T00:00");
    assertThat(column("{\"type\":\"long\",\"logicalType\":\"timestamp-nanos\"}").toText(1L))
        .isEqualTo("1970-01-01T00:00:00.000000001Z");
  }

  @Test
  void nullableUnionsAreNullableColumnsOfTheirOtherBranch() {
    AvroColumn column = column("[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}]");
    assertThat(column.nullable()).isTrue();
    assertThat(column.kind()).isEqualTo(AvroColumn.Kind.DATE);
    assertThat(column.toText(null)).isNull();
    assertThat(column("[\"string\",\"null\"]").nullable()).isTrue();
  }
}
