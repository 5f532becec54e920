package io.tandem.router.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for requests a well-behaved client will not send: raw paths with encoded
 * slashes and dot segments, a Content-Length with no body behind it, a body that never ends.
 */
public final class RawHttp {
  /** A response as read off the socket. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp() {}

  /** Sends {@code head} (request line and headers, without the blank line) and an optional body; reads the answer. */
  public static Answer exchange(int port, String head, String body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /**
   * Sends {@code head} with {@code Transfer-Encoding: chunked}, then chunks of 64 KiB until {@code total} bytes
   * went out or the server stopped taking them; meanwhile reads the answer.
   *
   * @param written how many body bytes the socket accepted
   */
  public static Answer chunked(int port, String head, long total, AtomicLong written) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      Thread writer = new Thread(() -> {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try {
          while (written.get() < total) {
            out.write(size);
            out.write(chunk);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            written.addAndGet(chunk.length);
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } catch (IOException e) {
          // the server closed the connection: what the test wants to see
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      Answer answer = read(socket.getInputStream());
      writer.join(20_000);
      return answer;
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the end of the response headers: " + head);
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
            (a, b) -> a + ", " + b);
      }
    }
    String length = headers.get("content-length");
    byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
  }
}
