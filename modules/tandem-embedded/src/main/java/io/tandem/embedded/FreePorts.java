package io.tandem.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds TCP ports on 127.0.0.1 that are free right now.
 *
 * <p>A port is found by binding port 0 and releasing it again, so another process can still take it
 * before the caller binds it: use the port at once. Within this JVM a port is never handed out twice,
 * so two brokers started side by side cannot be given the same port.
 */
public final class FreePorts {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  // Ports already handed out in this JVM; the OS may offer a just-released port again.
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {
  }

  /** Returns one free port on 127.0.0.1. */
  public static int pick() {
    return pick(1)[0];
  }

  /** Returns {@code count} distinct free ports on 127.0.0.1. */
  public static synchronized int[] pick(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1: " + count);
    }
    // All sockets stay bound until every port is known, so the OS cannot offer one twice.
    ServerSocket[] sockets = new ServerSocket[count];
    int[] ports = new int[count];
    try {
      int found = 0;
      for (int attempt = 0; found < count; attempt++) {
        if (attempt > count + 100) {
          throw new IllegalStateException("No free ports found on " + LOOPBACK);
        }
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(LOOPBACK, 0));
        if (HANDED_OUT.add(socket.getLocalPort())) {
          ports[found] = socket.getLocalPort();
          sockets[found++] = socket;
        } else {
          socket.close();
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not bind a port on " + LOOPBACK, e);
    } finally {
      for (ServerSocket socket : sockets) {
        closeQuietly(socket);
      }
    }
  }

  /** Whether {@code port} on 127.0.0.1 can be bound right now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(LOOPBACK, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing to do: the port is released either way.
    }
  }
}
