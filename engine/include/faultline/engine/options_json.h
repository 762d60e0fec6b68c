// The analysis options on the wire: one to_json/from_json per options struct, used by the probe worker's pipe
// (server/worker_protocol) and anything else that stores or sends options. Every field is listed here and
// only here; a missing key keeps the struct's default, so the defaults live in the structs alone.
#pragma once

#include "faultline/engine/pipeline.h"

#include <nlohmann/json.hpp>

namespace faultline {

void to_json(nlohmann::json& j, const ProbeOptions& o);
void from_json(const nlohmann::json& j, ProbeOptions& o); // throws nlohmann::json::exception on a bad type
void to_json(nlohmann::json& j, const CheckOptions& o);
void from_json(const nlohmann::json& j, CheckOptions& o);
void to_json(nlohmann::json& j, const AnalysisOptions& o);
void from_json(const nlohmann::json& j, AnalysisOptions& o);

} // namespace faultline
