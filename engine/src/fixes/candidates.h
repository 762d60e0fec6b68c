// Candidate fixes with the program each one produces: the edited text re-parsed, so that validation probes
// exactly what the user would get and never has to parse twice.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/trace.h"
#include "faultline/parser/program.h"

#include <string_view>
#include <vector>

namespace faultline::fixes {

struct Candidate {
    Fix fix;
    TrainingProgram program; // the edited script, re-parsed
};

// At most this many candidates per fault type: each costs a probe.
inline constexpr size_t kMaxCandidatesPerFault = 4;

std::vector<Candidate> build_candidates(Fault fault, const TrainingProgram& program, std::string_view text,
                                        const Trace* baseline);

// Applies `fix` to `text` and re-parses; nullopt-like (has_syntax_errors) results are the caller's to judge.
TrainingProgram reparse_with(std::string_view text, const std::vector<Replacement>& edits);

} // namespace faultline::fixes
