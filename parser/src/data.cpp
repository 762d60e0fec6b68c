// Arrays from their load to model.fit: which dataset, what shape, what value range, what label format.
#include "eval.h"
#include "syntax.h"

#include <algorithm>
#include <cmath>

namespace faultline {

using namespace syntax;

namespace {

struct DatasetSpec {
    const char* name;
    std::vector<int64_t> x_shape; // training split
    int64_t test_rows;
    double max;
    int64_t classes; // 0: regression
    LabelFormat labels;
    bool image;
    bool sequence;
    bool column_labels; // labels shaped (n, 1)
};

// Shapes and ranges as the Keras datasets module documents them.
const std::vector<DatasetSpec>& datasets() {
    static const std::vector<DatasetSpec> specs = {
        {"mnist", {60000, 28, 28}, 10000, 255, 10, LabelFormat::Integer, true, false, false},
        {"fashion_mnist", {60000, 28, 28}, 10000, 255, 10, LabelFormat::Integer, true, false, false},
        {"cifar10", {50000, 32, 32, 3}, 10000, 255, 10, LabelFormat::Integer, true, false, true},
        {"cifar100", {50000, 32, 32, 3}, 10000, 255, 100, LabelFormat::Integer, true, false, true},
        {"imdb", {25000}, 25000, 0, 2, LabelFormat::Binary, false, true, false},
        {"reuters", {8982}, 2246, 0, 46, LabelFormat::Integer, false, true, false},
        {"boston_housing", {404, 13}, 102, 711, 0, LabelFormat::Real, false, false, false},
    };
    return specs;
}

const DatasetSpec* dataset_named(std::string_view name) {
    for (const auto& d : datasets())
        if (name == d.name) return &d;
    return nullptr;
}

Val array_val(std::shared_ptr<ArrayInfo> a, TSNode node) {
    Val v;
    v.kind = Val::Kind::Array;
    v.array = std::move(a);
    return derived_value(std::move(v), node);
}

Val seq_val(std::vector<Val> items, TSNode node) {
    Val v;
    v.kind = Val::Kind::Seq;
    v.items = std::move(items);
    return derived_value(std::move(v), node);
}

Val number_val(double x, TSNode node) {
    Val v;
    if (std::floor(x) == x && std::fabs(x) < 9e18) {
        v.kind = Val::Kind::Int;
        v.i = static_cast<int64_t>(x);
    } else {
        v.kind = Val::Kind::Float;
        v.f = x;
    }
    return derived_value(std::move(v), node);
}

int64_t product(const std::vector<int64_t>& shape, size_t from) {
    int64_t n = 1;
    for (size_t k = from; k < shape.size(); ++k) {
        if (shape[k] < 0) return -1;
        n *= shape[k];
    }
    return n;
}

// Flattens a literal of numbers (nested lists) into rows; false if it is not a rectangular numeric table.
bool literal_rows(const Val& v, std::vector<std::vector<double>>& rows, std::vector<int64_t>& shape) {
    if (v.kind != Val::Kind::Seq) return false;
    bool nested = !v.items.empty() && v.items[0].kind == Val::Kind::Seq;
    if (!nested) {
        std::vector<double> row;
        for (const Val& x : v.items) {
            if (!x.is_number()) return false;
            row.push_back(x.number());
        }
        for (double x : row)
            rows.push_back({x});
        shape = {static_cast<int64_t>(row.size())};
        return true;
    }
    size_t width = v.items[0].items.size();
    for (const Val& r : v.items) {
        if (r.kind != Val::Kind::Seq || r.items.size() != width) return false;
        std::vector<double> row;
        for (const Val& x : r.items) {
            if (!x.is_number()) return false;
            row.push_back(x.number());
        }
        rows.push_back(std::move(row));
    }
    shape = {static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)};
    return true;
}

void set_range_from_literal(ArrayInfo& a) {
    bool first = true;
    bool integral = true;
    for (const auto& r : a.literal)
        for (double x : r) {
            if (first || x < *a.min) a.min = x;
            if (first || x > *a.max) a.max = x;
            first = false;
            if (std::floor(x) != x) integral = false;
        }
    a.integral = integral && !first;
}

std::shared_ptr<ArrayInfo> copy_of(const Val& v) {
    return std::make_shared<ArrayInfo>(*v.array);
}

} // namespace

Val Evaluator::eval_call(TSNode call, int depth) const {
    std::string full = callee(call);
    std::string_view name = last_part(full);
    Args args = call_args(src_, call);
    TSNode stmt = scope_.statement_of(call);
    auto argv = [&](int pos, std::initializer_list<std::string_view> names) {
        TSNode n = arg(args, pos, names);
        return null(n) ? Val::unknown("argument not given") : eval(n, depth + 1);
    };

    // Builtins on known values.
    if (full == "len") {
        Val x = argv(0, {});
        if (x.kind == Val::Kind::Array && !x.array->shape.empty() && x.array->shape[0] >= 0)
            return number_val(static_cast<double>(x.array->shape[0]), call);
        if (x.kind == Val::Kind::Seq) return number_val(static_cast<double>(x.items.size()), call);
        if (x.kind == Val::Kind::Str) return number_val(static_cast<double>(x.s.size()), call);
        return Val::unknown("length not known");
    }
    if (full == "int" || full == "float" || full == "round" || full == "abs") {
        Val x = argv(0, {});
        if (!x.is_number()) return x.known() ? Val::unknown("not a number") : x;
        double d = x.number();
        if (full == "int") d = std::trunc(d);
        if (full == "round") d = std::round(d);
        if (full == "abs") d = std::fabs(d);
        Val out = number_val(d, call);
        if (full == "float" && out.kind == Val::Kind::Int) {
            out.kind = Val::Kind::Float;
            out.f = d;
        }
        out.uses = x.uses;
        return out;
    }
    if (full == "tuple" || full == "list") {
        Val x = argv(0, {});
        if (x.kind == Val::Kind::Seq) return x;
        return Val::unknown("sequence not known");
    }

    // Datasets: keras.datasets.<name>.load_data(), also through `from keras.datasets import mnist`.
    if (name == "load_data") {
        std::string module =
            full.substr(0, full.size() - std::min(full.size(), std::string("load_data").size() + 1));
        const DatasetSpec* spec = dataset_named(last_part(module));
        if (!spec) return Val::unknown(cat({quoted(src_, call), " loads an unknown dataset"}));
        auto make = [&](bool train, bool labels) {
            auto a = std::make_shared<ArrayInfo>();
            a->source = spec->name;
            a->load = span(stmt);
            int64_t rows = train ? spec->x_shape[0] : spec->test_rows;
            if (labels) {
                a->shape = spec->column_labels ? std::vector<int64_t>{rows, 1} : std::vector<int64_t>{rows};
                a->labels = spec->labels;
                a->labels_span = span(stmt);
                if (spec->classes > 0) {
                    a->num_classes = spec->classes;
                    a->min = 0;
                    a->max = static_cast<double>(spec->classes - 1);
                    a->integral = true;
                } else {
                    a->min = 5;
                    a->max = 50;
                }
            } else {
                a->shape = spec->x_shape;
                a->shape[0] = rows;
                a->is_image = spec->image;
                a->is_sequence = spec->sequence;
                a->min = 0;
                a->integral = true;
                if (spec->sequence) {
                    TSNode words = arg(args, -1, {"num_words", "nb_words"});
                    Val nw = null(words) ? Val::unknown("") : eval(words, depth + 1);
                    a->max = nw.is_number() ? nw.number() - 1 : 88586;
                } else {
                    a->max = spec->max;
                }
            }
            return array_val(std::move(a), call);
        };
        return seq_val({seq_val({make(true, false), make(true, true)}, call),
                        seq_val({make(false, false), make(false, true)}, call)},
                       call);
    }

    // keras.utils.to_categorical(y, num_classes) and tf.one_hot(indices, depth) make the same one-hot rows.
    if (name == "to_categorical" || full == "tensorflow.one_hot") {
        Val y = argv(0, {"y", "indices"});
        Val n = argv(1, {"num_classes", "nb_classes", "depth"});
        auto a = y.kind == Val::Kind::Array ? copy_of(y) : std::make_shared<ArrayInfo>();
        if (y.kind != Val::Kind::Array) a->source = "unknown";
        if (n.is_number())
            a->num_classes = static_cast<int64_t>(n.number());
        else if (a->max && a->integral)
            a->num_classes = static_cast<int64_t>(*a->max) + 1;
        int64_t rows = a->shape.empty() ? -1 : a->shape[0];
        a->shape = {rows, a->num_classes ? *a->num_classes : -1};
        if (!a->literal.empty() && a->num_classes) {
            std::vector<std::vector<double>> hot;
            for (const auto& r : a->literal) {
                std::vector<double> row(static_cast<size_t>(*a->num_classes), 0.0);
                if (!r.empty() && r[0] >= 0 && r[0] < static_cast<double>(row.size()))
                    row[static_cast<size_t>(r[0])] = 1;
                hot.push_back(std::move(row));
            }
            a->literal = std::move(hot);
        }
        a->labels = LabelFormat::OneHot;
        a->labels_span = span(stmt);
        a->min = 0;
        a->max = 1;
        Val out = array_val(std::move(a), call);
        out.uses = y.uses;
        return out;
    }

    if (full == "numpy.array" || full == "numpy.asarray" || full == "numpy.float32" ||
        full == "numpy.matrix" || full == "torch.tensor" || full == "torch.Tensor" ||
        full == "torch.FloatTensor" || full == "torch.LongTensor" || full == "torch.from_numpy" ||
        full == "torch.as_tensor" || full == "tensorflow.convert_to_tensor" ||
        full == "tensorflow.constant") {
        Val x = argv(0, {"object"});
        if (x.kind == Val::Kind::Array) return x;
        auto a = std::make_shared<ArrayInfo>();
        if (literal_rows(x, a->literal, a->shape)) {
            a->source = "literal";
            a->load = span(stmt);
            set_range_from_literal(*a);
            return array_val(std::move(a), call);
        }
        return Val::unknown("array contents not known");
    }

    if (full == "torch.randn" || full == "torch.rand" || full == "torch.randint") {
        auto a = std::make_shared<ArrayInfo>();
        a->source = "random";
        a->load = span(stmt);
        std::vector<TSNode> dims = args.positional;
        if (full == "torch.randint") {
            Val lo = argv(0, {"low"});
            Val hi = argv(1, {"high"});
            a->min = hi.is_number() ? lo.number() : 0.0;
            a->max = (hi.is_number() ? hi.number() : lo.number()) - 1;
            a->integral = true;
            dims = {arg(args, hi.is_number() ? 2 : 1, {"size"})};
        } else {
            a->min = full == "torch.rand" ? 0.0 : -3.0;
            a->max = full == "torch.rand" ? 1.0 : 3.0;
        }
        for (TSNode d : dims) {
            Val dv = null(d) ? Val{} : eval(d, depth + 1);
            if (dv.kind == Val::Kind::Seq)
                for (const Val& e : dv.items)
                    a->shape.push_back(e.kind == Val::Kind::Int ? e.i : -1);
            else
                a->shape.push_back(dv.kind == Val::Kind::Int ? dv.i : -1);
        }
        return array_val(std::move(a), call);
    }

    if (full.rfind("numpy.random.", 0) == 0) {
        auto a = std::make_shared<ArrayInfo>();
        a->source = "random";
        a->load = span(stmt);
        auto dims_from = [&](const Val& v) {
            std::vector<int64_t> shape;
            if (v.kind == Val::Kind::Seq) {
                for (const Val& d : v.items)
                    shape.push_back(d.kind == Val::Kind::Int ? d.i : -1);
            } else if (v.kind == Val::Kind::Int) {
                shape.push_back(v.i);
            }
            return shape;
        };
        if (name == "rand" || name == "randn") {
            for (TSNode d : args.positional) {
                Val dv = eval(d, depth + 1);
                a->shape.push_back(dv.kind == Val::Kind::Int ? dv.i : -1);
            }
            if (name == "rand")
                a->min = 0, a->max = 1;
            else
                a->min = -3, a->max = 3;
        } else if (name == "random" || name == "random_sample" || name == "sample") {
            a->shape = dims_from(argv(0, {"size"}));
            a->min = 0;
            a->max = 1;
        } else if (name == "uniform" || name == "normal" || name == "randint" || name == "binomial") {
            Val lo = argv(0, {name == "normal" ? "loc" : name == "binomial" ? "n" : "low"});
            Val hi = argv(1, {name == "normal" ? "scale" : name == "binomial" ? "p" : "high"});
            a->shape = dims_from(argv(2, {"size"}));
            if (name == "uniform") {
                a->min = lo.is_number() ? lo.number() : 0.0;
                a->max = hi.is_number() ? hi.number() : 1.0;
            } else if (name == "normal") {
                double mu = lo.is_number() ? lo.number() : 0.0;
                double sd = hi.is_number() ? hi.number() : 1.0;
                a->min = mu - 3 * sd;
                a->max = mu + 3 * sd;
            } else if (name == "randint") {
                if (hi.is_number()) {
                    a->min = lo.is_number() ? lo.number() : 0.0;
                    a->max = hi.number() - 1;
                } else if (lo.is_number()) {
                    a->min = 0;
                    a->max = lo.number() - 1;
                }
                a->integral = true;
            } else {
                a->min = 0;
                a->max = lo.is_number() ? lo.number() : 1.0;
                a->integral = true;
            }
        } else {
            return Val::unknown("numpy.random." + std::string(name) + " is not followed");
        }
        return array_val(std::move(a), call);
    }

    if (full == "numpy.zeros" || full == "numpy.ones" || full == "numpy.empty") {
        Val shape = argv(0, {"shape"});
        auto a = std::make_shared<ArrayInfo>();
        a->source = "unknown";
        a->load = span(stmt);
        if (shape.kind == Val::Kind::Seq)
            for (const Val& d : shape.items)
                a->shape.push_back(d.kind == Val::Kind::Int ? d.i : -1);
        else if (shape.kind == Val::Kind::Int)
            a->shape = {shape.i};
        return array_val(std::move(a), call);
    }

    if (full == "pandas.read_csv" || full == "pandas.read_table" || full == "pandas.read_excel" ||
        full == "numpy.loadtxt" || full == "numpy.genfromtxt" || full == "pandas.DataFrame") {
        auto a = std::make_shared<ArrayInfo>();
        a->source = "csv";
        a->load = span(stmt);
        a->shape = {-1, -1};
        return array_val(std::move(a), call);
    }

    if (full == "numpy.reshape") {
        Val x = argv(0, {"a"});
        if (x.kind != Val::Kind::Array) return x.known() ? Val::unknown("not an array") : x;
        TSNode shape_node = arg(args, 1, {"newshape"});
        Val shape = eval(shape_node, depth + 1);
        auto a = copy_of(x);
        std::vector<Val> dims = shape.kind == Val::Kind::Seq ? shape.items : std::vector<Val>{shape};
        std::vector<int64_t> out;
        for (const Val& d : dims)
            out.push_back(d.kind == Val::Kind::Int ? d.i : -2);
        int64_t total = product(a->shape, 0);
        for (auto& d : out) {
            if (d == -1 && total > 0) {
                int64_t rest = 1;
                for (int64_t e : out)
                    if (e != -1) rest = e > 0 ? rest * e : -1;
                d = rest > 0 ? total / rest : -1;
            }
            if (d < -1) d = -1;
        }
        a->shape = out;
        return array_val(std::move(a), call);
    }

    if (full == "numpy.expand_dims") {
        Val x = argv(0, {"a"});
        Val axis = argv(1, {"axis"});
        if (x.kind != Val::Kind::Array) return x.known() ? Val::unknown("not an array") : x;
        auto a = copy_of(x);
        if (axis.kind == Val::Kind::Int && !a->shape.empty()) {
            int64_t rank = static_cast<int64_t>(a->shape.size()) + 1;
            int64_t k = axis.i < 0 ? rank + axis.i : axis.i;
            if (k >= 0 && k < rank) a->shape.insert(a->shape.begin() + k, 1);
        }
        return array_val(std::move(a), call);
    }

    if (name == "pad_sequences") {
        Val x = argv(0, {"sequences"});
        Val maxlen = argv(-1, {"maxlen"});
        auto a = x.kind == Val::Kind::Array ? copy_of(x) : std::make_shared<ArrayInfo>();
        int64_t rows = a->shape.empty() ? -1 : a->shape[0];
        a->shape = {rows, maxlen.kind == Val::Kind::Int ? maxlen.i : -1};
        a->is_sequence = true;
        return array_val(std::move(a), call);
    }

    if (name == "train_test_split") {
        TSNode test_size = arg(args, -1, {"test_size"});
        Val ts = null(test_size) ? Val::unknown("") : eval(test_size, depth + 1);
        double test_share = ts.is_number() && ts.number() < 1 ? ts.number() : 0.25;
        std::vector<Val> out;
        for (TSNode x : args.positional) {
            Val v = eval(x, depth + 1);
            if (v.kind != Val::Kind::Array) {
                out.push_back(v);
                out.push_back(v);
                continue;
            }
            auto train = copy_of(v);
            auto test = copy_of(v);
            if (!train->shape.empty() && train->shape[0] > 0) {
                int64_t n = train->shape[0];
                int64_t n_test = static_cast<int64_t>(std::ceil(static_cast<double>(n) * test_share));
                if (ts.kind == Val::Kind::Int && ts.i >= 1) n_test = ts.i;
                train->shape[0] = n - n_test;
                test->shape[0] = n_test;
            }
            out.push_back(array_val(train, call));
            out.push_back(array_val(test, call));
        }
        return seq_val(std::move(out), call);
    }

    if (name == "scale" && full.find("preprocessing") != std::string::npos) {
        Val x = argv(0, {"X"});
        if (x.kind != Val::Kind::Array) return x;
        auto a = copy_of(x);
        a->scaled = true;
        a->scaled_at = span(stmt);
        a->min = -3;
        a->max = 3;
        return array_val(std::move(a), call);
    }
    if (name == "normalize") {
        Val x = argv(0, {"X", "x"});
        if (x.kind != Val::Kind::Array) return x;
        auto a = copy_of(x);
        a->scaled = true;
        a->scaled_at = span(stmt);
        a->min = a->min && *a->min >= 0 ? 0.0 : -1.0;
        a->max = 1;
        return array_val(std::move(a), call);
    }

    if (auto generated = eval_generated(call, full, depth)) return std::move(*generated);
    if (!null(receiver(call))) return eval_method(call, depth);
    if (TSNode def = scope_.definition(full); is(def, "function_definition")) {
        Val inlined = inline_call(call, def, depth + 1);
        if (inlined.kind != Val::Kind::Object && inlined.kind != Val::Kind::Unknown) return inlined;
    }
    Val obj;
    obj.kind = Val::Kind::Object;
    obj.object = call;
    obj.origin = span(call);
    return obj;
}

Val Evaluator::eval_method(TSNode call, int depth) const {
    std::string method = callee_name(src_, call);
    TSNode recv = receiver(call);
    Args args = call_args(src_, call);
    TSNode stmt = scope_.statement_of(call);
    Val base = eval(recv, depth + 1);
    auto object_result = [&] {
        Val obj;
        obj.kind = Val::Kind::Object;
        obj.object = call;
        obj.origin = span(call);
        return obj;
    };

    if (base.kind == Val::Kind::Object && (method == "fit_transform" || method == "transform")) {
        std::string encoder(last_part(callee(base.object)));
        Val y = args.positional.empty() ? Val::unknown("") : eval(args.positional[0], depth + 1);
        if (y.kind == Val::Kind::Array &&
            (encoder == "LabelEncoder" || encoder == "OneHotEncoder" || encoder == "LabelBinarizer")) {
            auto a = copy_of(y);
            a->labels = encoder == "LabelEncoder" ? LabelFormat::Integer : LabelFormat::OneHot;
            a->labels_span = span(stmt);
            a->integral = true;
            a->literal.clear();
            if (!a->shape.empty()) a->shape.resize(encoder == "LabelEncoder" ? 1 : 2, -1);
            if (encoder == "LabelEncoder") a->min = 0;
            return array_val(std::move(a), call);
        }
    }
    if (base.kind == Val::Kind::Object && (method == "fit_transform" || method == "transform")) {
        std::string scaler(last_part(callee(base.object)));
        Val x = args.positional.empty() ? Val::unknown("") : eval(args.positional[0], depth + 1);
        if (x.kind != Val::Kind::Array) return x.known() ? object_result() : x;
        auto a = copy_of(x);
        if (scaler == "StandardScaler" || scaler == "RobustScaler") {
            a->min = -3;
            a->max = 3;
        } else if (scaler == "MinMaxScaler") {
            a->min = 0;
            a->max = 1;
        } else if (scaler == "Normalizer" || scaler == "MaxAbsScaler") {
            a->min = -1;
            a->max = 1;
        } else {
            return object_result();
        }
        a->scaled = true;
        a->scaled_at = span(stmt);
        return array_val(std::move(a), call);
    }
    if (base.kind != Val::Kind::Array) {
        // A module function (`np.something(...)`) or a method of an object we do not model.
        if (base.known() || is(unwrap(recv), "identifier") || is(unwrap(recv), "attribute"))
            return object_result();
        return base;
    }

    const ArrayInfo& in = *base.array;
    if (method == "reshape") {
        std::vector<Val> dims;
        if (args.positional.size() == 1) {
            Val s = eval(args.positional[0], depth + 1);
            dims = s.kind == Val::Kind::Seq ? s.items : std::vector<Val>{s};
        } else {
            for (TSNode d : args.positional)
                dims.push_back(eval(d, depth + 1));
        }
        std::vector<int64_t> out;
        for (const Val& d : dims)
            out.push_back(d.kind == Val::Kind::Int ? d.i : -2);
        int64_t total = product(in.shape, 0);
        int64_t rows = in.shape.empty() ? -1 : in.shape[0];
        for (auto& d : out) {
            if (d == -1) {
                int64_t rest = 1;
                for (int64_t e : out)
                    if (e != -1) rest = e > 0 ? rest * e : -1;
                if (total > 0 && rest > 0)
                    d = total / rest;
                else if (&d == &out[0])
                    d = rows;
            }
            if (d < -1) d = -1;
        }
        auto a = copy_of(base);
        a->shape = out;
        a->is_image = out.size() >= 3;
        return array_val(std::move(a), call);
    }
    if (method == "float" || method == "long" || method == "double" || method == "to" || method == "cuda" ||
        method == "cpu" || method == "detach" || method == "numpy" || method == "type") {
        Val out = base;
        if (method == "float" || method == "double") {
            auto a = copy_of(base);
            a->integral = false;
            out.array = a;
        }
        return out;
    }
    if (method == "astype" || method == "copy" || method == "to_numpy" || method == "fillna" ||
        method == "dropna" || method == "as_matrix" || method == "squeeze" || method == "tolist" ||
        method == "reset_index" || method == "sort_values" || method == "sort_index" || method == "replace") {
        Val out = base;
        if (method == "astype") {
            auto a = copy_of(base);
            auto dtype = text(src_, args.positional.empty() ? TSNode{} : args.positional[0]);
            if (dtype.find("float") != std::string_view::npos) a->integral = false;
            out.array = a;
        }
        return out;
    }
    if (method == "flatten" || method == "ravel") {
        auto a = copy_of(base);
        int64_t n = product(in.shape, 0);
        a->shape = {n};
        return array_val(std::move(a), call);
    }
    if (method == "sample" || method == "drop_duplicates" || method == "head" || method == "tail") {
        // DataFrame rows reordered or subset: same columns, row count not followed.
        auto a = copy_of(base);
        if (!a->shape.empty()) a->shape[0] = -1;
        a->literal.clear();
        return array_val(std::move(a), call);
    }
    if (method == "drop") {
        auto a = copy_of(base);
        if (a->shape.size() == 2) a->shape[1] = -1;
        return array_val(std::move(a), call);
    }
    if ((method == "max" || method == "min") && args.positional.empty() && args.keywords.empty()) {
        auto bound = method == "max" ? in.max : in.min;
        if (bound) return number_val(*bound, call);
        return Val::unknown("data range not known");
    }
    if (method == "mean" || method == "std" || method == "max" || method == "min" || method == "sum" ||
        method == "var") {
        TSNode axis_node = arg(args, 0, {"axis"});
        Val axis = null(axis_node) ? Val{} : eval(axis_node, depth + 1);
        if (axis.kind != Val::Kind::Int)
            return Val::unknown(cat({"the ", method, " of the data is not computed"}));
        // A reduction along one axis: that dimension goes, the values are not followed.
        auto a = copy_of(base);
        int64_t rank = static_cast<int64_t>(a->shape.size());
        int64_t k = axis.i < 0 ? rank + axis.i : axis.i;
        if (k >= 0 && k < rank) a->shape.erase(a->shape.begin() + k);
        a->min.reset();
        a->max.reset();
        a->literal.clear();
        a->labels = LabelFormat::Unknown;
        return array_val(std::move(a), call);
    }
    return object_result();
}

Val Evaluator::array_subscript(Val base, TSNode expr, int depth) const {
    const ArrayInfo& in = *base.array;
    std::vector<TSNode> index;
    uint32_t count = ts_node_named_child_count(expr);
    for (uint32_t k = 1; k < count; ++k) {
        TSNode c = ts_node_named_child(expr, k);
        if (!is(c, "comment")) index.push_back(c);
    }
    if (index.size() == 1 && is(index[0], "tuple")) index = named_children(index[0]);
    auto a = copy_of(base);
    if (in.source == "csv" && in.selected_at.empty()) {
        TSNode stmt = scope_.statement_of(expr);
        TSNode assign = is(stmt, "expression_statement") ? ts_node_named_child(stmt, 0) : stmt;
        if (is(assign, "assignment") && is(field(assign, "left"), "identifier")) {
            a->selected_at = span(stmt);
            a->selected_name = std::string(text(src_, field(assign, "left")));
        }
    }
    if (index.size() == 1 && !is(index[0], "slice")) {
        // Fancy indexing with an array of row numbers (`np.eye(10)[labels]` one-hot encodes).
        Val rows = eval(index[0], depth + 1);
        if (rows.kind == Val::Kind::Array) {
            if (a->shape.empty()) a->shape = {-1};
            a->shape[0] = rows.array->shape.empty() ? -1 : rows.array->shape[0];
            a->literal.clear();
            a->load = rows.array->load;
            if (a->labels == LabelFormat::OneHot) a->labels_span = span(scope_.statement_of(expr));
            Val out = array_val(std::move(a), expr);
            out.uses = base.uses;
            return out;
        }
    }
    std::vector<int64_t> shape;
    std::vector<std::pair<int64_t, int64_t>> ranges; // per indexed dimension, for literal rows
    size_t dim = 0;
    bool literal_ok = !in.literal.empty();
    for (TSNode ix : index) {
        int64_t d = dim < in.shape.size() ? in.shape[dim] : -1;
        if (is(ix, "slice")) {
            std::vector<TSNode> parts;
            // A slice's children: [start] ':' [stop] [':' step]; find start/stop by the colon positions.
            TSNode start{}, stop{};
            bool after_colon = false;
            uint32_t n = ts_node_child_count(ix);
            for (uint32_t k = 0; k < n; ++k) {
                TSNode c = ts_node_child(ix, k);
                if (!ts_node_is_named(c)) {
                    if (after_colon) break;
                    after_colon = true;
                } else if (!after_colon) {
                    start = c;
                } else {
                    stop = c;
                }
            }
            Val sv = null(start) ? Val{} : eval(start, depth + 1);
            Val ev = null(stop) ? Val{} : eval(stop, depth + 1);
            int64_t lo = null(start) ? 0 : sv.kind == Val::Kind::Int ? sv.i : INT64_MIN;
            int64_t hi = null(stop) ? d : ev.kind == Val::Kind::Int ? ev.i : INT64_MIN;
            if (lo != INT64_MIN && lo < 0 && d >= 0) lo += d;
            if (hi != INT64_MIN && hi < 0 && d >= 0) hi += d;
            if (hi != INT64_MIN && d >= 0) hi = std::min(hi, d);
            int64_t len = (lo == INT64_MIN || hi == INT64_MIN || hi < 0) ? -1 : std::max<int64_t>(0, hi - lo);
            shape.push_back(len);
            if (len < 0) literal_ok = false;
            ranges.emplace_back(lo, hi);
            ++dim;
            continue;
        }
        Val iv = eval(ix, depth + 1);
        if (iv.kind == Val::Kind::Int) {
            int64_t k = iv.i < 0 && d >= 0 ? d + iv.i : iv.i;
            ranges.emplace_back(k, -2);
            ++dim;
            continue;
        }
        if (iv.kind == Val::Kind::Str) { // a DataFrame column by name: one value per row
            shape = {in.shape.empty() ? -1 : in.shape[0]};
            literal_ok = false;
            dim = in.shape.size();
            break;
        }
        if (iv.kind == Val::Kind::Seq) { // a list of column names or indices
            shape = {in.shape.empty() ? -1 : in.shape[0], static_cast<int64_t>(iv.items.size())};
            literal_ok = false;
            dim = in.shape.size();
            break;
        }
        literal_ok = false;
        shape.push_back(-1);
        ++dim;
    }
    for (size_t k = dim; k < in.shape.size(); ++k)
        shape.push_back(in.shape[k]);
    if (literal_ok && in.shape.size() <= 2 && !ranges.empty()) {
        std::vector<std::vector<double>> rows;
        auto [r0, r1] = ranges[0];
        bool row_index = r1 == -2;
        if (row_index) r1 = r0 + 1;
        for (int64_t r = std::max<int64_t>(r0, 0); r < r1 && r < static_cast<int64_t>(in.literal.size());
             ++r) {
            const auto& src_row = in.literal[static_cast<size_t>(r)];
            if (ranges.size() < 2) {
                rows.push_back(src_row);
                continue;
            }
            auto [c0, c1] = ranges[1];
            bool col_index = c1 == -2;
            if (col_index) c1 = c0 + 1;
            std::vector<double> row;
            for (int64_t c = std::max<int64_t>(c0, 0); c < c1 && c < static_cast<int64_t>(src_row.size());
                 ++c)
                row.push_back(src_row[static_cast<size_t>(c)]);
            if (col_index && ranges.size() >= 2 && !row.empty())
                rows.push_back({row[0]});
            else
                rows.push_back(std::move(row));
        }
        a->literal = std::move(rows);
        set_range_from_literal(*a);
    } else {
        a->literal.clear();
    }
    a->shape = std::move(shape);
    Val out = array_val(std::move(a), expr);
    out.uses = base.uses;
    return out;
}

Val Evaluator::array_op(Val left, std::string_view op, Val right, TSNode expr) const {
    TSNode stmt = scope_.statement_of(expr);
    bool left_array = left.kind == Val::Kind::Array;
    const Val& arr = left_array ? left : right;
    const Val& other = left_array ? right : left;
    auto a = copy_of(arr);
    if (!other.is_number()) {
        // `x - mean`, `(x - mean) / std`: standardization with statistics of the data.
        if (left_array && (op == "/" || op == "-")) {
            if (op == "/") {
                a->scaled = true;
                a->scaled_at = span(stmt);
                a->min = -3;
                a->max = 3;
            } else {
                a->min.reset();
                a->max.reset();
            }
            a->integral = false;
            return array_val(std::move(a), expr);
        }
        a->min.reset();
        a->max.reset();
        a->literal.clear();
        return array_val(std::move(a), expr);
    }
    double c = other.number();
    auto map = [&](double x) {
        if (op == "/") return left_array ? x / c : c / x;
        if (op == "*") return x * c;
        if (op == "+") return x + c;
        if (op == "-") return left_array ? x - c : c - x;
        if (op == "**") return left_array ? std::pow(x, c) : std::pow(c, x);
        return x;
    };
    if (op == "/" && left_array && c == 0) return Val::unknown("division by zero");
    if (a->min && a->max) {
        double lo = map(*a->min), hi = map(*a->max);
        a->min = std::min(lo, hi);
        a->max = std::max(lo, hi);
    }
    for (auto& row : a->literal)
        for (double& x : row)
            x = map(x);
    bool shrinks = (op == "/" && left_array && std::fabs(c) > 1) || (op == "*" && std::fabs(c) < 1);
    if (shrinks) {
        a->scaled = true;
        a->scaled_at = span(stmt);
        a->integral = false;
    }
    return array_val(std::move(a), expr);
}

} // namespace faultline
