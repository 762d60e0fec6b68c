#include "faultline/engine/report.h"

#include "faultline/engine/docs_link.h"
#include "faultline/engine/rules.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace faultline {
namespace {

const char* severity_word(Severity s) {
    switch (s) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Information:
        return "info";
    case Severity::Hint:
        return "hint";
    }
    return "warning";
}

const char* source_word(EvidenceSource s) {
    switch (s) {
    case EvidenceSource::Static:
        return "static";
    case EvidenceSource::Probe:
        return "probe";
    case EvidenceSource::Diagnosis:
        return "diagnosis";
    }
    return "static";
}

EvidenceSource source_from_word(const std::string& s) {
    if (s == "probe") return EvidenceSource::Probe;
    if (s == "diagnosis") return EvidenceSource::Diagnosis;
    return EvidenceSource::Static;
}

} // namespace

nlohmann::json lsp_text_edits(const Fix& fix, const LineIndex& index, PositionEncoding enc) {
    nlohmann::json edits = nlohmann::json::array();
    for (const auto& e : fix.edits)
        edits.push_back({{"range", lsp_range(e.range, index, enc)}, {"newText", e.new_text}});
    return edits;
}

nlohmann::json lsp_range(const Span& span, const LineIndex& index, PositionEncoding enc) {
    auto start = index.to_position(span.start_byte, enc);
    auto end = index.to_position(span.end_byte, enc);
    return {{"start", {{"line", start.line}, {"character", start.character}}},
            {"end", {{"line", end.line}, {"character", end.character}}}};
}

nlohmann::json lsp_diagnostic(const Finding& finding, const LineIndex& index, PositionEncoding enc,
                              const std::string& uri) {
    nlohmann::json d = {{"range", lsp_range(finding.range, index, enc)},
                        {"severity", static_cast<int>(finding.severity)},
                        {"source", "faultline"},
                        {"code", finding.code},
                        {"message", finding.message}};
    // No link rather than one that does not resolve (docs_link.h).
    if (std::string url = rule_docs_url(finding.code); !url.empty()) d["codeDescription"] = {{"href", url}};
    if (!finding.related.empty()) {
        nlohmann::json related = nlohmann::json::array();
        for (size_t i = 0; i < finding.related.size(); ++i) {
            std::string msg = i < finding.related_messages.size() ? finding.related_messages[i] : "used here";
            related.push_back(
                {{"location", {{"uri", uri}, {"range", lsp_range(finding.related[i], index, enc)}}},
                 {"message", msg}});
        }
        d["relatedInformation"] = related;
    }
    nlohmann::json fixes = nlohmann::json::array();
    for (const auto& f : finding.fixes)
        fixes.push_back({{"title", f.title},
                         {"validated", f.validated},
                         {"effect", f.effect},
                         {"preferred", f.preferred},
                         {"edits", lsp_text_edits(f, index, enc)}});
    nlohmann::json sources = nlohmann::json::array();
    for (auto s : finding.sources)
        sources.push_back(source_word(s));
    d["data"] = {{"fault", to_string(finding.fault)},
                 {"confidence", std::clamp(finding.confidence, 0.0, 1.0)},
                 {"sources", sources},
                 {"explanation", finding.explanation},
                 {"fixes", fixes}};
    return d;
}

void to_json(nlohmann::json& j, const Span& s) {
    j = {s.start_byte, s.end_byte, s.start.row, s.start.column, s.end.row, s.end.column};
}

void from_json(const nlohmann::json& j, Span& s) {
    s.start_byte = j.at(0).get<uint32_t>();
    s.end_byte = j.at(1).get<uint32_t>();
    s.start = {j.at(2).get<uint32_t>(), j.at(3).get<uint32_t>()};
    s.end = {j.at(4).get<uint32_t>(), j.at(5).get<uint32_t>()};
}

void to_json(nlohmann::json& j, const Finding& f) {
    nlohmann::json fixes = nlohmann::json::array();
    for (const auto& fix : f.fixes) {
        nlohmann::json edits = nlohmann::json::array();
        for (const auto& e : fix.edits)
            edits.push_back({{"range", e.range}, {"new_text", e.new_text}});
        fixes.push_back({{"title", fix.title},
                         {"edits", edits},
                         {"validated", fix.validated},
                         {"effect", fix.effect},
                         {"improvement", fix.improvement},
                         {"preferred", fix.preferred}});
    }
    std::vector<std::string> sources;
    for (auto s : f.sources)
        sources.push_back(source_word(s));
    j = {{"code", f.code},
         {"fault", to_string(f.fault)},
         {"severity", static_cast<int>(f.severity)},
         {"confidence", f.confidence},
         {"message", f.message},
         {"explanation", f.explanation},
         {"range", f.range},
         {"related", f.related},
         {"related_messages", f.related_messages},
         {"fixes", fixes},
         {"sources", sources}};
}

void from_json(const nlohmann::json& j, Finding& f) {
    f.code = j.at("code").get<std::string>();
    f.fault = fault_from_string(j.at("fault").get<std::string>()).value_or(Fault::api);
    f.severity = static_cast<Severity>(std::clamp(j.at("severity").get<int>(), 1, 4));
    f.confidence = j.at("confidence").get<double>();
    f.message = j.at("message").get<std::string>();
    f.explanation = j.value("explanation", "");
    f.range = j.at("range").get<Span>();
    f.related = j.value("related", std::vector<Span>{});
    f.related_messages = j.value("related_messages", std::vector<std::string>{});
    f.fixes.clear();
    for (const auto& fj : j.value("fixes", nlohmann::json::array())) {
        Fix fix;
        fix.title = fj.at("title").get<std::string>();
        for (const auto& e : fj.at("edits"))
            fix.edits.push_back({e.at("range").get<Span>(), e.at("new_text").get<std::string>()});
        fix.validated = fj.value("validated", false);
        fix.effect = fj.value("effect", "");
        fix.improvement = fj.value("improvement", 0.0);
        fix.preferred = fj.value("preferred", false);
        f.fixes.push_back(std::move(fix));
    }
    f.sources.clear();
    for (const auto& s : j.value("sources", std::vector<std::string>{}))
        f.sources.push_back(source_from_word(s));
}

std::string format_text(const std::vector<FileReport>& files) {
    std::ostringstream out;
    for (const auto& file : files) {
        if (!file.error.empty()) {
            out << file.path << ": error: " << file.error << "\n";
            continue;
        }
        LineIndex index(file.text);
        for (const auto& f : file.findings) {
            auto pos = index.to_position(f.range.start_byte, PositionEncoding::Utf32);
            out << file.path << ":" << pos.line + 1 << ":" << pos.character + 1 << ": "
                << severity_word(f.severity) << ": " << f.message << " [" << f.code << " "
                << to_string(f.fault) << " " << static_cast<int>(f.confidence * 100 + 0.5) << "%]\n";
            for (const auto& fix : f.fixes) {
                if (!fix.preferred && !fix.validated) continue;
                out << "    fix: " << fix.title;
                if (fix.validated && !fix.effect.empty()) out << " (" << fix.effect << ")";
                out << "\n";
            }
        }
        const auto& t = file.trace;
        out << file.path << ": probe " << to_string(t.status);
        if (t.status == ProbeStatus::Ok) {
            char buf[64];
            std::snprintf(buf, sizeof buf, " in %.2f s", t.seconds);
            out << buf << " (" << t.simulated_epochs << " epochs";
            if (t.epoch_scale != 1.0) out << ", scaled from " << t.user_epochs;
            out << ")";
        }
        if (!t.reason.empty()) out << ": " << t.reason;
        out << "\n";
    }
    return out.str();
}

nlohmann::json format_json(const std::vector<FileReport>& files) {
    nlohmann::json out_files = nlohmann::json::array();
    for (const auto& file : files) {
        nlohmann::json diags = nlohmann::json::array();
        LineIndex index(file.text);
        for (const auto& f : file.findings)
            diags.push_back(lsp_diagnostic(f, index, PositionEncoding::Utf16, file_uri(file.path)));
        nlohmann::json entry = {{"path", file.path},
                                {"diagnostics", diags},
                                {"probe",
                                 {{"status", to_string(file.trace.status)},
                                  {"reason", file.trace.reason},
                                  {"seconds", file.trace.seconds}}}};
        if (!file.error.empty()) entry["error"] = file.error;
        out_files.push_back(entry);
    }
    return {{"version", 1}, {"files", out_files}};
}

nlohmann::json format_sarif(const std::vector<FileReport>& files) {
    nlohmann::json rules = nlohmann::json::array();
    std::map<std::string, size_t> rule_index;
    auto rule_for = [&](const Finding& f) {
        auto it = rule_index.find(f.code);
        if (it != rule_index.end()) return it->second;
        std::string name = f.code, summary = f.message;
        for (const auto& r : all_rules())
            if (r.code == f.code) {
                name = r.name;
                summary = r.summary;
            }
        nlohmann::json rule = {{"id", f.code},
                               {"name", name},
                               {"shortDescription", {{"text", summary}}},
                               {"properties", {{"fault", to_string(f.fault)}}}};
        if (std::string url = rule_docs_url(f.code); !url.empty()) rule["helpUri"] = url;
        rules.push_back(std::move(rule));
        rule_index[f.code] = rules.size() - 1;
        return rules.size() - 1;
    };
    nlohmann::json results = nlohmann::json::array();
    nlohmann::json artifacts = nlohmann::json::array();
    for (const auto& file : files) {
        artifacts.push_back({{"location", {{"uri", file.path}}}});
        LineIndex index(file.text);
        for (const auto& f : file.findings) {
            // SARIF columns are 1-based and, by default, count UTF-16 code units.
            auto s = index.to_position(f.range.start_byte, PositionEncoding::Utf16);
            auto e = index.to_position(f.range.end_byte, PositionEncoding::Utf16);
            const char* level = f.severity == Severity::Error     ? "error"
                                : f.severity == Severity::Warning ? "warning"
                                                                  : "note";
            results.push_back({{"ruleId", f.code},
                               {"ruleIndex", rule_for(f)},
                               {"level", level},
                               {"message", {{"text", f.message}}},
                               {"properties", {{"fault", to_string(f.fault)}, {"confidence", f.confidence}}},
                               {"locations",
                                {{{"physicalLocation",
                                   {{"artifactLocation", {{"uri", file.path}}},
                                    {"region",
                                     {{"startLine", s.line + 1},
                                      {"startColumn", s.character + 1},
                                      {"endLine", e.line + 1},
                                      {"endColumn", e.character + 1}}}}}}}}});
        }
    }
    return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs",
             {{{"tool",
                {{"driver",
                  {{"name", "faultline"},
                   {"rules", rules}}}}},
               {"artifacts", artifacts},
               {"columnKind", "utf16CodeUnits"},
               {"results", results}}}}};
}

} // namespace faultline
