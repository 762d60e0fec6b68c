#include "faultline/engine/finding.h"

#include <array>
#include <utility>

namespace faultline {
namespace {
constexpr std::array<std::pair<Fault, const char*>, 14> kFaultNames{{
    {Fault::opt, "opt"},
    {Fault::lr, "lr"},
    {Fault::act, "act"},
    {Fault::loss, "loss"},
    {Fault::epoch, "epoch"},
    {Fault::batch_size, "batch_size"},
    {Fault::data_preprocessing, "data_preprocessing"},
    {Fault::weight_init, "weight_init"},
    {Fault::hidden_activation, "hidden_activation"},
    {Fault::layer, "layer"},
    {Fault::regularization, "regularization"},
    {Fault::tensor_shape, "tensor_shape"},
    {Fault::training_data, "training_data"},
    {Fault::api, "api"},
}};
} // namespace

const char* to_string(Fault f) {
    for (const auto& [fault, name] : kFaultNames)
        if (fault == f) return name;
    return "api";
}

std::optional<Fault> fault_from_string(std::string_view s) {
    for (const auto& [fault, name] : kFaultNames)
        if (s == name) return fault;
    return std::nullopt;
}

bool has_probe_evidence(const Finding& f) {
    for (EvidenceSource s : f.sources)
        if (s != EvidenceSource::Static) return true;
    return false;
}

} // namespace faultline
