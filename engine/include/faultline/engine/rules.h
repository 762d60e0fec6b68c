// Static checks: findings from the TrainingProgram alone, in well under a millisecond.
#pragma once

#include "faultline/engine/docs_link.h"
#include "faultline/engine/finding.h"
#include "faultline/parser/program.h"

#include <set>
#include <string>
#include <vector>

namespace faultline {

struct CheckOptions {
    std::set<std::string> disabled; // rule codes switched off by the user
};

struct RuleInfo {
    std::string code;  // FL1xx
    std::string name;  // kebab-case, e.g. "softmax-single-unit"
    Fault fault;
    Severity severity;
    std::string summary;
    // Whether the text alone proves the fault (softmax over one unit, a loop that never steps) rather than
    // suggesting it (a learning rate outside the usual range). The severity policy (severity_policy.h) lets
    // only proving rules alarm on the text alone.
    bool proves = false;
};

const std::vector<RuleInfo>& all_rules();

std::vector<Finding> run_static_checks(const TrainingProgram& program, const CheckOptions& options = {});

} // namespace faultline
