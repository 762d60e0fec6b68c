// The probe loop: plan, check, build, generate data, train under instruments, record.
#include "faultline/engine/probe.h"

#include "probe/data.h"
#include "probe/losses.h"
#include "probe/monitor.h"
#include "probe/network.h"
#include "probe/optimizers.h"
#include "probe/shapes.h"
#include "probe/task.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cstdio>
#include <mutex>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <tuple>

namespace faultline {
namespace {

// Guards torch's global generator while a probe seeds it and initializes its network.
std::mutex& global_generator_mutex() {
    static std::mutex m;
    return m;
}

using Clock = std::chrono::steady_clock;

// Validation passes run in chunks so a large validation set never needs one huge activation.
constexpr int64_t kEvalChunk = 512;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string first_line(const std::string& s) {
    auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

Finding probe_finding(const char* code, Fault fault, const Span& span, const std::string& message,
                      const std::string& explanation) {
    Finding f;
    f.code = code;
    f.fault = fault;
    f.severity = Severity::Error;
    f.confidence = 1.0;
    f.message = message;
    f.explanation = explanation;
    f.range = span;
    f.sources = {EvidenceSource::Probe};
    return f;
}

// Whether the parser assumed part of the network (its notes "assumed ... (line N)", from Context::assume). A
// model that fails to build, to fit in memory or to train past such an assumption shows a limit of the
// rebuild, not a fault the text proves: the probe stops without a finding.
bool rests_on_assumptions(const TrainingProgram& program) {
    return std::any_of(program.notes.begin(), program.notes.end(),
                       [](const Note& n) { return n.message.rfind("assumed ", 0) == 0; });
}

void fail_with(ProbeResult& r, const probe::PlanProblem& problem) {
    if (!problem.is_fault) {
        r.trace.status = ProbeStatus::Skipped;
        r.trace.reason = problem.message;
        return;
    }
    r.trace.status = ProbeStatus::Failed;
    r.trace.reason = problem.message;
    r.build_findings.push_back(probe_finding(problem.code.c_str(), problem.fault, problem.span,
                                             problem.message,
                                             "The probe rebuilt the model layer by layer before training and "
                                             "found that this layer cannot work with what it receives: " +
                                                 problem.message + "."));
}

struct Evaluation {
    double loss = 0.0;
    double acc = 0.0;
    torch::Tensor output;
};

Evaluation evaluate(probe::Network& net, const probe::LossSpec& spec, const probe::TaskSpec& task,
                    const probe::Dataset& data) {
    torch::NoGradGuard no_grad;
    net.eval();
    net.observer().enabled = true;
    std::vector<torch::Tensor> outs;
    for (int64_t start = 0; start < data.x_val.size(0); start += kEvalChunk) {
        int64_t len = std::min(kEvalChunk, data.x_val.size(0) - start);
        outs.push_back(net.forward(data.x_val.narrow(0, start, len)));
    }
    net.observer().enabled = false;
    net.train();
    Evaluation e;
    e.output = torch::cat(outs, 0);
    e.loss = probe::compute_loss(spec, e.output, data.y_val).item<double>();
    e.acc = task.classification ? probe::accuracy(spec, e.output, data.y_val, task.labels) : 0.0;
    return e;
}

void train(const TrainingProgram& program, const ProbeOptions& options, const std::atomic<bool>* cancel,
           const std::function<void(const ProbeProgress&)>& progress, ProbeResult& result,
           Clock::time_point start) {
    Trace& trace = result.trace;
    for (const Note& note : program.notes)
        if (note.blocks_probe) {
            trace.status = ProbeStatus::Skipped;
            trace.reason = note.message;
            return;
        }
    probe::NetworkPlan plan = probe::plan_network(program);
    if (plan.problem) return fail_with(result, *plan.problem);
    probe::TaskResult task_result = probe::resolve_task(program, plan, options);
    if (task_result.problem) return fail_with(result, *task_result.problem);
    const probe::TaskSpec& task = task_result.spec;

    probe::LossSpec loss_spec{program.loss.name.value_or(""), program.loss.from_logits,
                              program.loss.reduction == "sum", program.framework};
    if (!program.loss.name.known()) {
        trace.status = ProbeStatus::Skipped;
        trace.reason = "the loss is unknown";
        return;
    }
    if (!probe::known_loss(loss_spec.name)) {
        trace.status = ProbeStatus::Skipped;
        trace.reason = "loss '" + loss_spec.name + "' is not rebuilt by the probe";
        return;
    }

    probe::Schedule schedule = probe::plan_schedule(program, task, plan, options);
    trace.user_epochs = schedule.user_epochs;
    trace.user_updates = schedule.user_updates;
    trace.epoch_scale = schedule.epoch_scale;
    trace.batch_size = schedule.batch_size;
    trace.train_samples = task.train_samples;
    trace.synthetic_data = !task.literal;
    trace.data_description = task.description;
    trace.parameters = plan.parameters;
    trace.planned_seconds =
        static_cast<double>(schedule.total_steps) * probe::estimate_step_seconds(plan, schedule.batch_size);
    if (!schedule.note.empty()) trace.notes.push_back(schedule.note);
    if (plan.assumed_input)
        trace.notes.push_back("the input width is unknown; assumed " + probe::shape_text(plan.input));

    uint64_t need = probe::estimate_bytes(plan, schedule.batch_size, task.train_samples + task.val_samples);
    if (need > options.memory_limit_bytes) {
        std::ostringstream msg;
        msg << "the model needs about " << need / (1u << 20) << " MB to train (" << plan.parameters
            << " parameters), over the probe's limit of " << options.memory_limit_bytes / (1u << 20) << " MB";
        probe::PlanProblem too_large{!rests_on_assumptions(program), Fault::layer, probe::kCodeTooLarge,
                                     program.model_span, msg.str()};
        return fail_with(result, too_large);
    }

    if (options.threads > 0) torch::set_num_threads(options.threads);
    // Initialization draws from torch's global generator (modules' own reset, the initializers): seeding it
    // and building under one lock keeps a probe's weights the same whether or not another probe runs at the
    // same time. Training-time randomness then has generators of its own (shuffling, dropout).
    std::unique_lock init_lock(global_generator_mutex());
    torch::manual_seed(options.seed);
    probe::Network net(program, plan);
    init_lock.unlock();
    net.seed_training(options.seed + 2);
    for (const auto& n : net.notes())
        trace.notes.push_back(n);
    probe::Dataset data = probe::make_dataset(program, task, options.seed);
    // Validation is forward-only (a third of a step per batch of rows); keeping it under half an epoch's rows
    // keeps it under a sixth of the epoch's cost, so short epochs of expensive models are not dominated by
    // it.
    constexpr int64_t kMinValidationRows = 64;
    const int64_t val_cap = std::max(kMinValidationRows, schedule.steps_per_epoch * schedule.batch_size / 2);
    if (!task.literal && data.x_val.size(0) > val_cap) {
        data.x_val = data.x_val.narrow(0, 0, val_cap);
        data.y_val = data.y_val.narrow(0, 0, val_cap);
    }
    std::vector<torch::Tensor> params = net.parameters();
    probe::BuiltOptimizer built = probe::make_optimizer(program, params);
    if (!built.optimizer) {
        trace.status = ProbeStatus::Skipped;
        trace.reason = built.error;
        return;
    }
    torch::optim::Optimizer& opt = *built.optimizer;

    // A hand-written loop that never zeroes gradients or never steps trains that way in the probe too.
    const bool zero_grads = !program.loop.present || program.loop.zero_grad.has_value();
    const bool steps_taken = !program.loop.present || program.loop.step.has_value();
    if (!zero_grads) trace.notes.push_back("gradients accumulate across steps: the loop never zeroes them");
    if (!steps_taken) trace.notes.push_back("the optimizer never steps: the loop never calls step()");

    const double threshold =
        loss_spec.from_logits || loss_spec.name == "hinge" || loss_spec.name == "squared_hinge" ? 0.0 : 0.5;
    probe::Monitor monitor(net, task.classification, threshold, schedule.epochs);
    at::Generator shuffle = at::detail::createCPUGenerator(options.seed + 1);
    const int64_t rows = data.x_train.size(0);
    const int64_t batch = std::min(schedule.batch_size, rows);
    // Keras adds kernel_regularizer penalties (l1 * sum|w| + l2 * sum w^2) to the loss it reports and trains.
    std::vector<std::tuple<torch::Tensor, double, double>> penalties;
    for (const auto& [index, kernel] : net.kernels()) {
        const auto& params = program.layers[index].params;
        auto get = [&params](const char* name) {
            auto it = params.find(name);
            return it == params.end() ? 0.0 : it->second.value_or(0.0);
        };
        if (get("l1") > 0 || get("l2") > 0) penalties.emplace_back(kernel, get("l1"), get("l2"));
    }
    const bool instruments = options.instruments;
    net.train();
    trace.status = ProbeStatus::Ok;

    for (int64_t epoch = 0; epoch < schedule.epochs; ++epoch) {
        if (instruments) monitor.begin_epoch();
        // Keras shuffles every epoch; a shortened epoch takes the first batches of the shuffle.
        torch::Tensor order = torch::randperm(rows, shuffle);
        int64_t epoch_steps = std::min(schedule.steps_per_epoch, schedule.total_steps - trace.steps);
        for (int64_t step = 0; step < epoch_steps; ++step) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                trace.status = ProbeStatus::Skipped;
                trace.reason = "cancelled";
                monitor.finish(trace);
                return;
            }
            // The schedule was planned from the cost model, not the clock, so that the same script gives the
            // same trace on a loaded machine; the clock only stops a probe that runs far past its plan.
            if (seconds_since(start) > kWallCapFactor * options.budget_seconds) {
                char cap[160];
                std::snprintf(cap, sizeof cap,
                              "cut short by the time budget (%d x %.3g s of wall time) at step %lld of %lld, "
                              "after %lld of %lld epochs",
                              kWallCapFactor, options.budget_seconds, static_cast<long long>(trace.steps),
                              static_cast<long long>(schedule.total_steps),
                              static_cast<long long>(trace.simulated_epochs),
                              static_cast<long long>(schedule.epochs));
                trace.notes.push_back(cap);
                monitor.finish(trace);
                return;
            }
            int64_t begin = (step * batch) % rows;
            int64_t len = std::min(batch, rows - begin);
            torch::Tensor idx = order.narrow(0, begin, len);
            torch::Tensor xb = data.x_train.index_select(0, idx);
            torch::Tensor yb = data.y_train.index_select(0, idx);
            if (zero_grads) opt.zero_grad();
            torch::Tensor out = net.forward(xb);
            torch::Tensor loss = probe::compute_loss(loss_spec, out, yb);
            for (const auto& [kernel, l1, l2] : penalties)
                loss = loss + l1 * kernel.abs().sum() + l2 * kernel.pow(2).sum();
            loss.backward();
            if (instruments) {
                double acc =
                    task.classification ? probe::accuracy(loss_spec, out.detach(), yb, task.labels) : 0.0;
                if (step == epoch_steps - 1) monitor.capture_gradients();
                if (steps_taken) opt.step();
                monitor.record_batch(loss.item<double>(), acc);
            } else if (steps_taken) {
                opt.step();
            }
            ++trace.steps;
        }
        ++trace.simulated_epochs;
        if (!instruments) continue;
        Evaluation eval = evaluate(net, loss_spec, task, data);
        monitor.end_epoch(eval.loss, eval.acc, eval.output, probe::effective_lr(opt));
        if (progress)
            progress(ProbeProgress{epoch + 1, schedule.epochs, monitor.last("train_loss"),
                                   monitor.last("train_acc")});
        if (monitor.diverged()) {
            // Once the loss is NaN every further epoch records the same; stop and say so.
            trace.notes.push_back("diverged (NaN/Inf) in epoch " + std::to_string(epoch + 1) +
                                  "; later epochs skipped");
            break;
        }
    }
    monitor.finish(trace);
}

} // namespace

namespace {

// The program the probe trains: sizes the parser could only assume (and named in a note) take their
// assumed values.
TrainingProgram with_assumptions(const TrainingProgram& program) {
    TrainingProgram p = program;
    auto fill = [](auto& v) {
        if (!v.known() && v.assumed) v.value = v.assumed;
    };
    std::vector<Layer*> layers;
    for (Layer& l : p.layers) {
        layers.push_back(&l);
        for (Layer& inner : l.inner)
            layers.push_back(&inner);
    }
    for (Layer* l : layers) {
        fill(l->units);
        for (auto& [key, v] : l->params)
            fill(v);
    }
    return p;
}

} // namespace

ProbeResult run_probe(const TrainingProgram& program, const ProbeOptions& options,
                      const std::atomic<bool>* cancel,
                      const std::function<void(const ProbeProgress&)>& progress) {
    ProbeResult result;
    result.trace.seed = options.seed;
    const auto start = Clock::now();
    auto runtime_error = [&](const std::string& what) {
        if (rests_on_assumptions(program)) {
            result.trace.status = ProbeStatus::Skipped;
            result.trace.reason =
                "the rebuilt model fails after the parser's assumptions: " + first_line(what);
            return;
        }
        result.trace.status = ProbeStatus::Failed;
        result.trace.reason = first_line(what);
        result.build_findings.push_back(
            probe_finding(probe::kCodeRuntimeError, Fault::tensor_shape, program.model_span,
                          "the rebuilt model fails: " + result.trace.reason,
                          "LibTorch rejected the rebuilt model while the probe trained it: `" +
                              result.trace.reason + "`."));
    };
    try {
        train(with_assumptions(program), options, cancel, progress, result, start);
    } catch (const c10::Error& e) {
        runtime_error(e.what_without_backtrace());
    } catch (const std::invalid_argument& e) {
        // Something the probe does not rebuild (an unknown activation name, malformed literal data).
        result.trace.status = ProbeStatus::Skipped;
        result.trace.reason = first_line(e.what());
    } catch (const std::exception& e) {
        runtime_error(e.what());
    }
    result.trace.seconds = seconds_since(start);
    return result;
}

} // namespace faultline
