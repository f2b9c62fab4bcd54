// ISO 8601 times in UTC with milliseconds, "2024-05-01T10:00:00.123Z": the
// mail history (`campaignd mail`) and webhook payloads. Threads: pure.
#ifndef CAMPAIGND_CORE_ISO_TIME_H_
#define CAMPAIGND_CORE_ISO_TIME_H_

#include <string>

#include "core/clock.h"

namespace campaignd {

std::string FormatIsoTime(TimePoint t);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_ISO_TIME_H_
