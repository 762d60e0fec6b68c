#include "faultline/server/hover_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace faultline::server {

std::string sparkline(const std::vector<double>& values) {
    static const char* const kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    std::string out;
    for (double v : values) {
        if (!std::isfinite(v)) {
            out += "×";
            continue;
        }
        int level = hi > lo ? static_cast<int>(std::lround((v - lo) / (hi - lo) * 7.0)) : 3;
        out += kBlocks[std::clamp(level, 0, 7)];
    }
    return out;
}

namespace {

std::string number(double v) {
    if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

std::string series_line(const Trace& trace, const std::string& name, const std::string& label) {
    auto it = trace.series.find(name);
    if (it == trace.series.end() || it->second.empty()) return {};
    const std::vector<double>& v = it->second;
    return "`" + label + "` " + sparkline(v) + " " + number(v.front()) + " → " + number(v.back()) + "  \n";
}

const char* source_name(EvidenceSource s) {
    switch (s) {
    case EvidenceSource::Static:
        return "static check";
    case EvidenceSource::Probe:
        return "probe";
    case EvidenceSource::Diagnosis:
        return "diagnosis model";
    }
    return "";
}

} // namespace

std::string hover_markdown(const Finding& f, const Trace* trace) {
    std::string md = "**faultline";
    if (!f.code.empty()) md += " " + f.code + " · " + to_string(f.fault);
    md += "** — confidence " + std::to_string(static_cast<int>(std::lround(f.confidence * 100))) + "%";
    if (!f.sources.empty()) {
        md += " (";
        for (std::size_t i = 0; i < f.sources.size(); ++i)
            md += (i ? ", " : "") + std::string(source_name(f.sources[i]));
        md += ")";
    }
    md += "\n\n" + f.message + "\n";
    if (!f.explanation.empty()) md += "\n" + f.explanation + "\n";
    if (trace && trace->status == ProbeStatus::Ok) {
        std::string curves =
            series_line(*trace, "train_loss", "loss") + series_line(*trace, "train_acc", "acc ");
        if (!curves.empty()) {
            md += "\n**Probe** (" + std::to_string(trace->simulated_epochs) + " epochs";
            if (!trace->data_description.empty()) md += ", " + trace->data_description;
            md += ")  \n" + curves;
        }
    } else if (trace && trace->status == ProbeStatus::Failed && !trace->reason.empty()) {
        md += "\n**Probe failed:** " + trace->reason + "\n";
    }
    if (!f.fixes.empty()) {
        md += "\n**Quick fix:** ";
        const Fix* best = &f.fixes.front();
        for (const Fix& fix : f.fixes)
            if (fix.preferred) best = &fix;
        md += best->title;
        if (best->validated && !best->effect.empty()) md += " — measured: " + best->effect;
        md += "\n";
    }
    return md;
}

} // namespace faultline::server
