// Where a fault type lives in the script: the statement that sets the value, and the places that use it.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/parser/program.h"

#include <optional>

namespace faultline {

struct Location {
    Span range;
    std::vector<Span> related;
    std::vector<std::string> related_messages;
};

// The statement that sets the value behind `fault` (lr -> the literal or the optimizer call taking the
// default; act -> the last layer's activation, or the last layer; loss -> the loss argument; ...).
// nullopt when the program has nothing to point at for this type.
std::optional<Location> locate(Fault fault, const TrainingProgram& program);

} // namespace faultline
