#include "faultline/server/worker_protocol.h"

#include "faultline/engine/options_json.h"
#include "faultline/engine/report.h"
#include "faultline/parser/parse.h"

#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

namespace faultline::server {

json encode_finding(const Finding& f) {
    return f;
}

Finding decode_finding(const json& j) {
    return j.get<Finding>();
}

json encode_options(const AnalysisOptions& o) {
    return o;
}

AnalysisOptions decode_options(const json& j) {
    return j.get<AnalysisOptions>();
}

json encode_progress(const ProbeProgress& p) {
    // NaN losses (a diverging probe) are exactly the interesting ones; JSON has no NaN, so they travel as
    // null.
    auto num = [](double v) { return std::isfinite(v) ? json(v) : json(); };
    return {{"epoch", p.epoch},
            {"total_epochs", p.total_epochs},
            {"train_loss", num(p.train_loss)},
            {"train_acc", num(p.train_acc)}};
}

ProbeProgress decode_progress(const json& j) {
    auto num = [&](const char* key) {
        const json& v = j.at(key);
        return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
    };
    ProbeProgress p;
    p.epoch = j.at("epoch").get<int64_t>();
    p.total_epochs = j.at("total_epochs").get<int64_t>();
    p.train_loss = num("train_loss");
    p.train_acc = num("train_acc");
    return p;
}

json encode_result(const Analysis& a) {
    json findings = json::array();
    for (const Finding& f : a.findings)
        findings.push_back(encode_finding(f));
    return {{"findings", findings}, {"trace", a.trace}, {"skipped_reasons", a.skipped_reasons}};
}

WorkerResult decode_result(const json& j) {
    WorkerResult r;
    for (const json& f : j.at("findings"))
        r.findings.push_back(decode_finding(f));
    r.trace = j.at("trace").get<Trace>();
    r.skipped_reasons = j.at("skipped_reasons").get<std::vector<std::string>>();
    return r;
}

int serve_worker(std::istream& in, std::ostream& out, const AnalyzeFn& analyze) {
    std::mutex out_mutex;
    auto emit = [&](const json& line) {
        std::lock_guard lock(out_mutex);
        out << dump_json(line) << '\n';
        out.flush();
    };
    std::atomic<bool> cancel{false};
    std::thread job;
    int64_t current = -1;
    auto stop_job = [&] {
        if (!job.joinable()) return;
        cancel = true;
        job.join();
    };

    std::string line;
    while (std::getline(in, line)) {
        json request;
        try {
            request = json::parse(line);
        } catch (const json::exception& e) {
            emit({{"id", nullptr}, {"error", std::string("worker: malformed request: ") + e.what()}});
            continue;
        }
        if (!request.is_object()) continue;
        if (request.contains("cancel")) {
            if (request["cancel"].is_number_integer() && request["cancel"].get<int64_t>() == current)
                cancel = true;
            continue;
        }
        if (!request.contains("id") || !request["id"].is_number_integer() || !request.contains("text") ||
            !request["text"].is_string()) {
            emit({{"id", request.value("id", json())},
                  {"error", "worker: a request needs an integer id and a text"}});
            continue;
        }
        stop_job(); // one analysis at a time: the newer request wins
        cancel = false;
        current = request["id"].get<int64_t>();
        job = std::thread([&, id = current, text = request["text"].get<std::string>(),
                           options_json = request.value("options", json::object())] {
            try {
                AnalysisOptions options = decode_options(options_json);
                auto progress = [&](const ProbeProgress& p) {
                    emit({{"id", id}, {"progress", encode_progress(p)}});
                };
                Analysis analysis = analyze(text, options, &cancel, progress);
                if (cancel)
                    emit({{"id", id}, {"error", "cancelled"}});
                else
                    emit({{"id", id}, {"result", encode_result(analysis)}});
            } catch (const std::exception& e) {
                emit({{"id", id}, {"error", std::string("analysis failed: ") + e.what()}});
            }
        });
    }
    // End of input: the running analysis still finishes and reports (the server kills us outright when it
    // wants us gone, so waiting here cannot keep a dead server's worker alive).
    if (job.joinable()) job.join();
    return 0;
}

} // namespace faultline::server
