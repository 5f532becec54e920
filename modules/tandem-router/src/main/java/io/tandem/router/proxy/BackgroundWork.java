package io.tandem.router.proxy;

import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Work the caller does not wait for (shadow comparisons), so that closing can wait for it instead. */
final class BackgroundWork {
  private final Set<Future<?>> pending = ConcurrentHashMap.newKeySet();

  void track(Future<?> work) {
    pending.add(work);
    work.onComplete(done -> pending.remove(work));
  }

  /** Completes once everything tracked so far has completed, however it ended. */
  Future<Void> drained() {
    return Future.join(List.copyOf(pending)).transform(done -> Future.succeededFuture());
  }
}
