// Arrays a script generates instead of loading: numpy ranges and element-wise functions, sklearn's toy
// datasets and sample generators.
#include "eval.h"
#include "syntax.h"

#include <cmath>
#include <functional>

namespace faultline {

using namespace syntax;

namespace {

// Literal rows are kept for small generated arrays only: they are what the probe trains on.
constexpr int64_t kMaxLiteralRows = 20000;

Val array_of(std::shared_ptr<ArrayInfo> a, TSNode node) {
    Val v;
    v.kind = Val::Kind::Array;
    v.array = std::move(a);
    return derived_value(std::move(v), node);
}

void range_from_literal(ArrayInfo& a) {
    a.min.reset();
    a.max.reset();
    bool integral = true;
    for (const auto& r : a.literal)
        for (double x : r) {
            if (!a.min || x < *a.min) a.min = x;
            if (!a.max || x > *a.max) a.max = x;
            if (std::floor(x) != x) integral = false;
        }
    a.integral = integral;
}

std::shared_ptr<ArrayInfo> column(std::vector<double> values, TSNode stmt) {
    auto a = std::make_shared<ArrayInfo>();
    a->source = "literal";
    a->load = span(stmt);
    a->shape = {static_cast<int64_t>(values.size())};
    if (static_cast<int64_t>(values.size()) <= kMaxLiteralRows)
        for (double x : values)
            a->literal.push_back({x});
    range_from_literal(*a);
    if (a->literal.empty() && !values.empty()) {
        a->min = values.front();
        a->max = values.back();
    }
    return a;
}

struct Toy {
    const char* name;
    int64_t rows, features, classes; // classes 0: regression
    double max;
};

const Toy* toy_dataset(std::string_view loader) {
    static const Toy toys[] = {
        {"load_iris", 150, 4, 3, 7.9},
        {"load_digits", 1797, 64, 10, 16},
        {"load_breast_cancer", 569, 30, 2, 4254},
        {"load_wine", 178, 13, 3, 1680},
        {"load_boston", 506, 13, 0, 711},
        {"load_diabetes", 442, 10, 0, 0.2},
    };
    for (const Toy& t : toys)
        if (loader == t.name) return &t;
    return nullptr;
}

} // namespace

std::optional<Val> Evaluator::eval_generated(TSNode call, const std::string& full, int depth) const {
    std::string_view name = last_part(full);
    Args args = call_args(src_, call);
    TSNode stmt = scope_.statement_of(call);
    auto num = [&](int pos, std::initializer_list<std::string_view> names) -> std::optional<double> {
        TSNode n = arg(args, pos, names);
        if (null(n)) return std::nullopt;
        Val v = eval(n, depth + 1);
        if (!v.is_number()) return std::nullopt;
        return v.number();
    };

    if (full == "range" || full == "numpy.arange") {
        auto a = num(0, {"start"});
        auto b = num(1, {"stop"});
        auto step = num(2, {"step"}).value_or(1.0);
        if (!a) return Val::unknown("range bounds not known");
        double lo = b ? *a : 0.0, hi = b ? *b : *a;
        if (step == 0) return Val::unknown("range with step 0");
        std::vector<double> values;
        for (double x = lo; (step > 0 ? x < hi - 1e-12 : x > hi + 1e-12) && values.size() < 10'000'000;
             x += step)
            values.push_back(x);
        return array_of(column(std::move(values), stmt), call);
    }
    if (full == "numpy.linspace") {
        auto a = num(0, {"start"});
        auto b = num(1, {"stop"});
        auto n = num(2, {"num"}).value_or(50);
        if (!a || !b || n < 1 || n > 10'000'000) return Val::unknown("linspace bounds not known");
        std::vector<double> values;
        for (int64_t k = 0; k < static_cast<int64_t>(n); ++k)
            values.push_back(n == 1 ? *a : *a + (*b - *a) * static_cast<double>(k) / (n - 1));
        return array_of(column(std::move(values), stmt), call);
    }

    static const std::vector<std::pair<std::string_view, std::function<double(double)>>> elementwise = {
        {"sin", [](double x) { return std::sin(x); }},   {"cos", [](double x) { return std::cos(x); }},
        {"tanh", [](double x) { return std::tanh(x); }}, {"exp", [](double x) { return std::exp(x); }},
        {"log", [](double x) { return std::log(x); }},   {"sqrt", [](double x) { return std::sqrt(x); }},
        {"square", [](double x) { return x * x; }},      {"abs", [](double x) { return std::fabs(x); }},
    };
    if (full.rfind("numpy.", 0) == 0) {
        for (const auto& [fn_name, fn] : elementwise) {
            if (name != fn_name) continue;
            Val x = args.positional.empty() ? Val::unknown("") : eval(args.positional[0], depth + 1);
            if (x.kind != Val::Kind::Array) return std::nullopt;
            auto a = std::make_shared<ArrayInfo>(*x.array);
            for (auto& row : a->literal)
                for (double& v : row)
                    v = fn(v);
            if (!a->literal.empty()) {
                range_from_literal(*a);
            } else if (name == "sin" || name == "cos" || name == "tanh") {
                a->min = -1;
                a->max = 1;
                a->integral = false;
            } else {
                a->min.reset();
                a->max.reset();
                a->integral = false;
            }
            return array_of(std::move(a), call);
        }
        if (name == "power") {
            Val x = args.positional.empty() ? Val::unknown("") : eval(args.positional[0], depth + 1);
            auto p = num(1, {});
            if (x.kind != Val::Kind::Array || !p) return std::nullopt;
            auto a = std::make_shared<ArrayInfo>(*x.array);
            for (auto& row : a->literal)
                for (double& v : row)
                    v = std::pow(v, *p);
            if (!a->literal.empty())
                range_from_literal(*a);
            else
                a->min.reset(), a->max.reset();
            return array_of(std::move(a), call);
        }
        if (name == "eye" || name == "identity") {
            auto n = num(0, {"N", "n"});
            if (!n) return std::nullopt;
            auto a = std::make_shared<ArrayInfo>();
            a->source = "literal";
            a->load = span(stmt);
            a->shape = {static_cast<int64_t>(*n), static_cast<int64_t>(*n)};
            a->labels = LabelFormat::OneHot;
            a->labels_span = span(stmt);
            a->num_classes = static_cast<int64_t>(*n);
            a->min = 0;
            a->max = 1;
            a->integral = true;
            return array_of(std::move(a), call);
        }
    }

    // sklearn toy datasets: a bunch with .data and .target, or (X, y) with return_X_y=True.
    if (const Toy* toy = toy_dataset(name); toy && full.find("sklearn") != std::string::npos) {
        auto x = std::make_shared<ArrayInfo>();
        x->source = name == "load_boston" ? std::string("boston_housing") : std::string(name.substr(5));
        x->load = span(stmt);
        x->shape = {toy->rows, toy->features};
        x->min = 0;
        x->max = toy->max;
        auto y = std::make_shared<ArrayInfo>();
        y->source = x->source;
        y->load = y->labels_span = span(stmt);
        y->shape = {toy->rows};
        if (toy->classes > 0) {
            y->labels = toy->classes == 2 ? LabelFormat::Binary : LabelFormat::Integer;
            y->num_classes = toy->classes;
            y->min = 0;
            y->max = static_cast<double>(toy->classes - 1);
            y->integral = true;
        } else {
            y->labels = LabelFormat::Real;
        }
        Val out;
        out.kind = Val::Kind::Seq;
        out.s = "bunch";
        out.items = {array_of(x, call), array_of(y, call)};
        return derived_value(std::move(out), call);
    }

    if (full.rfind("sklearn.datasets", 0) == 0 && name.rfind("make_", 0) == 0) {
        int64_t n = static_cast<int64_t>(num(0, {"n_samples"}).value_or(100));
        int64_t features =
            static_cast<int64_t>(num(1, {"n_features"}).value_or(name == "make_regression" ? 100 : 2));
        if (name == "make_classification" || name == "make_multilabel_classification")
            features = static_cast<int64_t>(num(1, {"n_features"}).value_or(20));
        auto x = std::make_shared<ArrayInfo>();
        x->source = "random";
        x->load = span(stmt);
        x->shape = {n, features};
        x->min = -3;
        x->max = 3;
        auto y = std::make_shared<ArrayInfo>();
        y->source = "random";
        y->load = y->labels_span = span(stmt);
        y->shape = {n};
        if (name == "make_regression") {
            y->labels = LabelFormat::Real;
        } else if (name == "make_multilabel_classification") {
            int64_t classes = static_cast<int64_t>(num(-1, {"n_classes"}).value_or(5));
            x->min = 0;
            x->max = 20;
            x->integral = true;
            y->shape = {n, classes};
            y->min = 0;
            y->max = 1;
            y->integral = true;
            // One 0/1 column is a binary target; several are independent labels (not one-hot).
            y->labels = classes == 1 ? LabelFormat::Binary : LabelFormat::Unknown;
            if (classes == 1) y->num_classes = 2;
        } else {
            int64_t classes =
                name == "make_moons" || name == "make_circles"
                    ? 2
                    : static_cast<int64_t>(
                          num(-1, {"n_classes", "centers"}).value_or(name == "make_blobs" ? 3 : 2));
            y->labels = classes == 2 ? LabelFormat::Binary : LabelFormat::Integer;
            y->num_classes = classes;
            y->min = 0;
            y->max = static_cast<double>(classes - 1);
            y->integral = true;
        }
        Val out;
        out.kind = Val::Kind::Seq;
        out.items = {array_of(x, call), array_of(y, call)};
        return derived_value(std::move(out), call);
    }
    return std::nullopt;
}

} // namespace faultline
