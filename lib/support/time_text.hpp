// Times as the journal, events and provenance records write them: UTC ISO-8601 with
// milliseconds (2026-12-03T14:05:09.123Z), written once.
#pragma once

#include <chrono>
#include <string>

namespace tfstage {

std::string iso8601(std::chrono::system_clock::time_point at);

std::string now_iso8601();

long long millis_between(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to);

}  // namespace tfstage
