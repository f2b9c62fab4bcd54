// Notifier: how an operation that enqueued mail wakes the delivery workers
// without depending on queue/ (injected by main.cc). Threads: Notify() is
// safe from any thread and never blocks.
#ifndef CAMPAIGND_CORE_NOTIFIER_H_
#define CAMPAIGND_CORE_NOTIFIER_H_

namespace campaignd {

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void Notify() = 0;
};

// Does nothing (tools that enqueue nothing, tests that poll).
class NullNotifier final : public Notifier {
 public:
  void Notify() override {}
};

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_NOTIFIER_H_
