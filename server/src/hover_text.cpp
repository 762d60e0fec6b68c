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

namespace {

// A finding's explanation, paragraph by paragraph, sorted into what the card shows in turn. A finding merged
// from several sources (a static check, the diagnosis, a what-if probe; the language server merges its own
// static findings again with the probe worker's merged ones) carries the same paragraph more than once: each
// is kept once.
struct ExplanationParts {
    std::vector<std::string> reasons; // why the statement is faulty, and what the probes measured
    std::vector<std::string> fixes;   // "**Fix:** ..." advice
    std::vector<std::string> links;   // "[FL111: softmax-single-unit](...)"
};

bool starts_with(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}

ExplanationParts split_explanation(const std::string& explanation) {
    ExplanationParts parts;
    std::vector<std::string> seen;
    size_t pos = 0;
    while (pos <= explanation.size()) {
        size_t end = explanation.find("\n\n", pos);
        if (end == std::string::npos) end = explanation.size();
        std::string paragraph = explanation.substr(pos, end - pos);
        pos = end + 2;
        while (!paragraph.empty() && (paragraph.back() == '\n' || paragraph.back() == ' '))
            paragraph.pop_back();
        while (!paragraph.empty() && paragraph.front() == '\n')
            paragraph.erase(0, 1);
        if (paragraph.empty() || std::find(seen.begin(), seen.end(), paragraph) != seen.end()) continue;
        seen.push_back(paragraph);
        if (starts_with(paragraph, "**Fix:**"))
            parts.fixes.push_back(paragraph);
        else if (starts_with(paragraph, "[FL") && paragraph.back() == ')' &&
                 paragraph.find("](") != std::string::npos)
            parts.links.push_back(paragraph);
        else
            parts.reasons.push_back(paragraph);
    }
    return parts;
}

std::string probe_section(const Trace* trace) {
    if (trace && trace->status == ProbeStatus::Ok) {
        std::string curves =
            series_line(*trace, "train_loss", "loss") + series_line(*trace, "train_acc", "acc ");
        if (curves.empty()) return {};
        std::string md = "\n**Probe** (" + std::to_string(trace->simulated_epochs) + " epochs";
        if (!trace->data_description.empty()) md += ", " + trace->data_description;
        return md + ")  \n" + curves;
    }
    if (trace && trace->status == ProbeStatus::Failed && !trace->reason.empty())
        return "\n**Probe failed:** " + trace->reason + "\n";
    return {};
}

} // namespace

// The card reads top to bottom: what is wrong and why (each explanation once), the evidence (the probe's
// curves), then the fix: the advice, and the quick fix with its measured effect; the rule's link last.
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
    const ExplanationParts parts = split_explanation(f.explanation);
    for (const auto& reason : parts.reasons)
        md += "\n" + reason + "\n";
    md += probe_section(trace);
    for (const auto& fix : parts.fixes)
        md += "\n" + fix + "\n";
    if (!f.fixes.empty()) {
        md += "\n**Quick fix:** ";
        const Fix* best = &f.fixes.front();
        for (const Fix& fix : f.fixes)
            if (fix.preferred) best = &fix;
        md += best->title;
        if (best->validated && !best->effect.empty()) md += " — measured: " + best->effect;
        md += "\n";
    }
    for (const auto& link : parts.links)
        md += "\n" + link + "\n";
    return md;
}

} // namespace faultline::server
