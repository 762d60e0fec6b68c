#include "probe/task.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace faultline::probe {
namespace {

bool in(const std::string& s, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

std::optional<int64_t> dataset_classes(const std::string& source) {
    if (in(source, {"mnist", "fashion_mnist", "cifar10"})) return 10;
    if (source == "cifar100") return 100;
    if (source == "imdb") return 2;
    if (source == "reuters") return 46;
    return std::nullopt;
}

std::optional<int64_t> dataset_rows(const std::string& source) {
    if (in(source, {"mnist", "fashion_mnist"})) return 60000;
    if (in(source, {"cifar10", "cifar100"})) return 50000;
    if (source == "imdb") return 25000;
    if (source == "reuters") return 8982;
    if (source == "boston_housing") return 404;
    return std::nullopt;
}

// The layer whose width the labels must match: the last one that sets a width.
const Layer* output_layer(const TrainingProgram& p) {
    for (auto it = p.layers.rbegin(); it != p.layers.rend(); ++it)
        if (it->units.known()) return &*it;
    return p.layers.empty() ? nullptr : &p.layers.back();
}

PlanProblem target_fault(const TrainingProgram& p, Fault fault, std::string message) {
    const Layer* out = output_layer(p);
    PlanProblem problem{true, fault, kCodeTargetMismatch, out ? out->span : p.model_span, std::move(message)};
    return problem;
}

std::string format_range(double lo, double hi) {
    std::ostringstream out;
    out << lo << ".." << hi;
    return out.str();
}

} // namespace

std::optional<double> default_learning_rate(Framework fw, const std::string& opt) {
    bool tfkeras = fw == Framework::TfKeras;
    bool torch = fw == Framework::PyTorch;
    if (opt == "sgd") return 0.01;
    if (opt == "adam" || opt == "adamw") return 0.001;
    if (opt == "rmsprop") return torch ? 0.01 : 0.001;
    if (opt == "adagrad") return tfkeras ? 0.001 : 0.01;
    if (opt == "adadelta") return tfkeras ? 0.001 : 1.0;
    if (opt == "adamax" || opt == "nadam") return tfkeras ? 0.001 : 0.002;
    return std::nullopt;
}

TaskResult resolve_task(const TrainingProgram& p, const NetworkPlan& plan, const ProbeOptions& options) {
    TaskResult result;
    TaskSpec& t = result.spec;
    const Data& d = p.data;
    const std::string loss = p.loss.name.value_or("");
    const std::string source = d.source.value_or("unknown");
    const Shape& out = plan.output();
    const int64_t width = out.empty() ? 1 : out.back();
    const bool labels_known = d.labels != LabelFormat::Unknown;
    const bool keras = p.framework != Framework::PyTorch;

    t.input = plan.input;
    t.tokens = plan.token_input;
    if (t.tokens) {
        auto it = p.layers.front().params.find("input_dim");
        t.vocabulary =
            it != p.layers.front().params.end() ? static_cast<int64_t>(it->second.value_or(1000)) : 1000;
    }

    // Problem type and label format: the script's labels when the parser saw them, else what the loss
    // expects.
    LabelFormat labels = d.labels;
    std::optional<int64_t> classes =
        d.num_classes.known() ? std::optional<int64_t>(*d.num_classes) : dataset_classes(source);
    if (!labels_known) {
        if (loss == "categorical_crossentropy" || loss == "categorical_hinge")
            labels = LabelFormat::OneHot;
        else if (loss == "sparse_categorical_crossentropy" || loss == "nll")
            labels = LabelFormat::Integer;
        else if (loss == "binary_crossentropy" || loss == "hinge" || loss == "squared_hinge")
            labels = width > 1 ? LabelFormat::OneHot : LabelFormat::Binary;
        else if (classes)
            labels = *classes > 2 || width > 1 ? LabelFormat::OneHot : LabelFormat::Binary;
        else
            labels = LabelFormat::Real;
    }
    t.labels = labels;
    t.classification = labels != LabelFormat::Real;
    if (t.classification) {
        if (labels == LabelFormat::Binary)
            t.classes = 2;
        else if (labels_known && classes && (labels != LabelFormat::OneHot || d.num_classes.known()))
            t.classes = *classes;
        else
            t.classes = width > 1 ? width : classes.value_or(2);
        t.classes = std::max<int64_t>(t.classes, 2);
    }
    t.target_width = labels == LabelFormat::OneHot ? t.classes : labels == LabelFormat::Real ? width : 1;

    // Targets that cannot meet the output layer: Keras checks these in fit() and raises.
    if (labels_known && keras) {
        bool sparse = loss == "sparse_categorical_crossentropy";
        if (labels == LabelFormat::Integer && loss == "categorical_crossentropy")
            result.problem =
                target_fault(p, Fault::loss,
                             "categorical_crossentropy expects one-hot targets but the labels are "
                             "integer class ids (use sparse_categorical_crossentropy or "
                             "to_categorical)");
        else if (labels == LabelFormat::OneHot && !sparse && t.classes != width && d.num_classes.known())
            result.problem = target_fault(p, Fault::tensor_shape,
                                          "the output layer has " + std::to_string(width) +
                                              " units but the one-hot labels have " +
                                              std::to_string(t.classes) + " columns");
        else if ((labels == LabelFormat::Binary || (labels == LabelFormat::Integer && !sparse)) &&
                 width != 1 && loss != "")
            result.problem = target_fault(p, Fault::tensor_shape,
                                          "the output layer has " + std::to_string(width) +
                                              " units but each label is a single value");
    }
    if (labels_known && labels == LabelFormat::Integer &&
        (loss == "sparse_categorical_crossentropy" || loss == "nll" || !keras) && t.classes > width)
        result.problem =
            target_fault(p, Fault::tensor_shape,
                         "the labels run up to class " + std::to_string(t.classes - 1) +
                             " but the output layer has only " + std::to_string(width) + " units");
    if (result.problem) return result;

    // Value range fed to the network.
    t.image = d.is_image || (t.input.size() == 3 && !t.tokens);
    t.channels_first = p.framework == Framework::PyTorch;
    bool scaled_known = d.scaled.known();
    bool scaled = d.scaled.value_or(true);
    if (d.input_min.known() && d.input_max.known() && *d.input_max > *d.input_min) {
        t.input_min = *d.input_min;
        t.input_max = *d.input_max;
    } else if (t.image) {
        t.input_min = 0.0;
        t.input_max = scaled ? 1.0 : 255.0;
    } else if (scaled_known && !scaled) {
        // Raw table columns: positive, on scales from 1 to 100 (the data generator varies them per feature).
        t.input_min = 0.0;
        t.input_max = 100.0;
        t.raw_columns = true;
    } else {
        t.standardized = true;
    }
    if (source == "boston_housing") {
        t.target_mean = 22.5;
        t.target_std = 9.2;
    }

    // Samples.
    t.literal = !d.literal_x.empty() && d.literal_x.size() == d.literal_y.size();
    if (t.literal) {
        t.user_samples = static_cast<int64_t>(d.literal_x.size());
        t.train_samples = t.user_samples;
        t.user_train_rows = t.user_samples;
        t.val_samples = t.user_samples;
    } else {
        t.user_samples = d.num_samples.known() ? *d.num_samples : dataset_rows(source).value_or(1000);
        double kept = d.validation_split > 0.0 && d.validation_split < 1.0 ? 1.0 - d.validation_split : 1.0;
        int64_t rows = std::max<int64_t>(
            1, static_cast<int64_t>(std::floor(static_cast<double>(t.user_samples) * kept)));
        t.user_train_rows = rows;
        t.train_samples = std::min(rows, std::max<int64_t>(options.max_train_samples, 1));
        // Enough rows to read accuracy to a few percent; more would make validation dominate short epochs.
        t.val_samples = std::clamp<int64_t>(t.train_samples / 8, 64, 256);
    }

    std::ostringstream desc;
    desc << (t.literal ? "literal " : "synthetic ");
    if (t.classification)
        desc << t.classes << "-class ";
    else
        desc << "regression ";
    desc << (t.tokens ? "token sequences " : t.image ? "images " : "features ");
    for (size_t i = 0; i < t.input.size(); ++i)
        desc << (i ? "x" : "") << t.input[i];
    if (!t.literal) {
        if (t.tokens)
            desc << ", vocabulary " << t.vocabulary;
        else if (t.standardized)
            desc << ", standardized values";
        else
            desc << ", values " << format_range(t.input_min, t.input_max);
        desc << ", labels " << to_string(t.labels);
    }
    t.description = desc.str();
    return result;
}

namespace {
// Share of the time budget planned for training steps; the rest is building, data and validation.
constexpr double kTrainShare = 0.6;
} // namespace

Schedule plan_schedule(const TrainingProgram& p, const TaskSpec& task, const NetworkPlan& plan,
                       const ProbeOptions& options) {
    Schedule s;
    const int64_t max_epochs = std::max<int64_t>(options.max_epochs, 1);
    // Fewer batches than this and a simulated "epoch" says little about an epoch.
    constexpr int64_t kMinStepsPerEpoch = 8;
    s.train_samples = std::max<int64_t>(task.train_samples, 1);
    int64_t default_batch = p.framework == Framework::PyTorch && !p.batch_size.known() ? 1 : 32;
    const int64_t user_batch = std::max<int64_t>(p.batch_size.value_or(default_batch), 1);
    std::string batch_note;
    const int64_t user_rows = std::max(task.user_train_rows, s.train_samples);
    int64_t script_batches = 0; // per epoch, in the script
    if (user_rows > s.train_samples) {
        // The probe trains on fewer rows than the script: the script's batch, kept as is, would leave the
        // probe one or two batches per epoch, which is what a whole-dataset batch looks like. Scaling it with
        // the rows keeps the script's batches per epoch, and a batch as large as the data stays one batch per
        // epoch. The count is capped at the steps one epoch gets when max_epochs fill max_steps: a full-size
        // epoch would use the whole step budget, and a script's one epoch would train as long as its twenty.
        const int64_t capped_batch = std::min(user_batch, user_rows);
        const int64_t user_batches = (user_rows + capped_batch - 1) / capped_batch;
        script_batches = user_batches;
        const int64_t per_epoch =
            std::max(kMinStepsPerEpoch, std::max<int64_t>(options.max_steps, 1) / max_epochs);
        const int64_t probe_batches = std::min({user_batches, per_epoch, s.train_samples});
        // Never larger than the script's: a smaller batch only shows more of the script's batches per epoch.
        s.batch_size = std::min(capped_batch, (s.train_samples + probe_batches - 1) / probe_batches);
        if (s.batch_size != user_batch)
            batch_note = "batch size " + std::to_string(user_batch) + " scaled to " +
                         std::to_string(s.batch_size) + " for " + std::to_string(s.train_samples) +
                         " of the script's " + std::to_string(user_rows) + " rows (" +
                         std::to_string(user_batches) + (user_batches == 1 ? " batch" : " batches") +
                         " per epoch in the script)";
    } else {
        s.batch_size = std::min(user_batch, s.train_samples);
    }
    const int64_t full = (s.train_samples + s.batch_size - 1) / s.batch_size;
    if (script_batches == 0) script_batches = full;

    // Steps the budget affords by the cost model (deterministic; the hard stop in the loop catches the rest).
    const double step_seconds = std::max(estimate_step_seconds(plan, s.batch_size), 1e-6);
    const auto affordable =
        static_cast<int64_t>(std::max(1.0, kTrainShare * options.budget_seconds / step_seconds));
    const int64_t max_steps = std::max<int64_t>(std::min(options.max_steps, affordable), 1);
    if (affordable < options.max_steps)
        s.note = "the time budget affords about " + std::to_string(affordable) + " steps of this model";
    auto add_note = [&s](const std::string& n) { s.note += (s.note.empty() ? "" : "; ") + n; };
    if (!batch_note.empty()) add_note(batch_note);

    const bool by_steps = p.steps.known() && !p.epochs.known();
    if (by_steps) {
        int64_t user_steps = std::max<int64_t>(*p.steps, 1);
        s.user_updates = user_steps;
        s.total_steps = std::min(user_steps, max_steps);
        s.user_epochs = (user_steps + full - 1) / full;
        s.epochs = std::clamp<int64_t>((s.total_steps + full - 1) / full, 1, max_epochs);
        s.steps_per_epoch = (s.total_steps + s.epochs - 1) / s.epochs;
        s.epoch_scale = static_cast<double>(user_steps) / static_cast<double>(s.total_steps);
        if (user_steps > s.total_steps)
            add_note("the script's " + std::to_string(user_steps) + " steps are compressed to " +
                     std::to_string(s.total_steps));
        return s;
    }

    s.user_epochs = std::max<int64_t>(p.epochs.value_or(p.framework == Framework::PyTorch ? 10 : 1), 1);
    s.user_updates = s.user_epochs * script_batches;
    s.epochs = std::min(s.user_epochs, max_epochs);
    s.steps_per_epoch = full;
    if (s.epochs * full > max_steps) {
        // Shorten epochs first (each becomes a window over the data), so the number of epochs, and with it a
        // too-few-epochs fault, survives; only then fold epochs together.
        s.steps_per_epoch = std::max<int64_t>(std::min<int64_t>(full, max_steps / s.epochs), 1);
        if (s.steps_per_epoch < std::min(kMinStepsPerEpoch, full)) {
            s.steps_per_epoch = std::min(kMinStepsPerEpoch, full);
            s.epochs = std::max<int64_t>(max_steps / s.steps_per_epoch, 1);
            s.steps_per_epoch = std::min(s.steps_per_epoch, max_steps);
        }
        // One-batch epochs cannot shrink further: fold them.
        s.epochs = std::min(s.epochs, std::max<int64_t>(max_steps / s.steps_per_epoch, 1));
        add_note("each simulated epoch runs " + std::to_string(s.steps_per_epoch) + " of " +
                 std::to_string(full) + " batches");
    }
    s.total_steps = s.epochs * s.steps_per_epoch;
    s.epoch_scale = static_cast<double>(s.user_epochs) / static_cast<double>(s.epochs);
    if (s.epochs < s.user_epochs)
        add_note(std::to_string(s.user_epochs) + " epochs simulated as " + std::to_string(s.epochs));
    return s;
}

} // namespace faultline::probe

namespace faultline {

double planned_probe_seconds(const Trace& trace) {
    return trace.planned_seconds / probe::kTrainShare;
}

} // namespace faultline
