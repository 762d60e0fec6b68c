// The Data of a program, from the arrays passed to training.
#include "extract.h"

#include <cmath>

namespace faultline {

using namespace syntax;

namespace {

template <class T> Value<T> at_load(T v, const ArrayInfo& a, std::string note) {
    Value<T> out;
    out.value = std::move(v);
    out.kind = OriginKind::Derived;
    out.origin = a.load;
    out.note = std::move(note);
    return out;
}

LabelFormat literal_labels(const ArrayInfo& a) {
    if (a.literal.empty()) return LabelFormat::Unknown;
    bool zero_one = true, integral = true, one_hot = a.shape.size() == 2 && a.shape[1] > 1;
    for (const auto& row : a.literal) {
        double sum = 0;
        for (double x : row) {
            if (x != 0 && x != 1) zero_one = false;
            if (std::floor(x) != x) integral = false;
            sum += x;
        }
        if (sum != 1) one_hot = false;
    }
    bool single = a.shape.size() == 1 || (a.shape.size() == 2 && a.shape[1] == 1);
    if (single && zero_one) return LabelFormat::Binary;
    if (one_hot && zero_one) return LabelFormat::OneHot;
    if (single && integral) return LabelFormat::Integer;
    return LabelFormat::Real;
}

void fill_x(Context& cx, const ArrayInfo& a) {
    Data& d = cx.prog.data;
    d.source = at_load(a.source, a, "where the training inputs are loaded");
    d.source.kind = OriginKind::Literal;
    if (!a.shape.empty()) {
        d.input_shape.assign(a.shape.begin() + 1, a.shape.end());
        if (a.shape[0] >= 0)
            d.num_samples = at_load<int64_t>(a.shape[0], a, "rows of the training inputs");
        else
            d.num_samples = unknown_value<int64_t>(a.load, "number of rows not known from the script");
    } else {
        d.num_samples = unknown_value<int64_t>(a.load, "shape of the training inputs not known");
    }
    Span range_at = a.scaled.value_or(false) ? a.scaled_at : a.load;
    if (a.min && a.max) {
        d.input_min = at_load(*a.min, a, "value range fed to the network");
        d.input_max = at_load(*a.max, a, "value range fed to the network");
        d.input_min.origin = d.input_max.origin = range_at;
    } else {
        d.input_min = unknown_value<double>(range_at, "value range of the " + a.source + " data not known");
        d.input_max = d.input_min;
    }
    if (a.scaled.value_or(false)) {
        d.scaled.value = true;
        d.scaled.kind = OriginKind::Literal;
        d.scaled.origin = a.scaled_at;
    } else {
        d.scaled.value = false;
        d.scaled.kind = OriginKind::Derived;
        d.scaled.origin = a.load;
        d.scaled.note = "no scaling between the load and training";
    }
    d.is_image = a.is_image || a.shape.size() >= 3;
    d.is_sequence = a.is_sequence;
    if (a.source == "literal") d.literal_x = a.literal;
}

void fill_y(Context& cx, const ArrayInfo& a) {
    Data& d = cx.prog.data;
    d.labels = a.labels;
    d.labels_span = a.labels_span.empty() ? a.load : a.labels_span;
    if (d.labels == LabelFormat::Unknown) d.labels = literal_labels(a);
    // Generated class ids (np.random.randint(0, k, n)): 0/1 is binary, more is integer classes.
    bool single = a.shape.size() == 1 || (a.shape.size() == 2 && a.shape[1] == 1);
    if (d.labels == LabelFormat::Unknown && a.source == "random" && a.integral && single && a.min && a.max &&
        *a.min == 0)
        d.labels = *a.max == 1 ? LabelFormat::Binary : LabelFormat::Integer;
    // Generated real-valued targets (np.sin(x), torch.randn) are a regression.
    if (d.labels == LabelFormat::Unknown && (a.source == "random" || a.source == "literal") && !a.integral &&
        (a.shape.size() == 1 || (a.shape.size() == 2 && a.shape[1] == 1)))
        d.labels = LabelFormat::Real;
    if (a.source == "literal" || !a.literal.empty()) d.literal_y = a.literal;
    if (a.scaled.value_or(false)) {
        d.labels_scaled.value = true;
        d.labels_scaled.kind = OriginKind::Literal;
        d.labels_scaled.origin = a.scaled_at;
    } else {
        d.labels_scaled =
            default_value(false, a.load, "no scaling of the labels between the load and training");
        d.labels_scaled.kind = OriginKind::Derived;
    }
    std::optional<int64_t> classes = a.num_classes;
    if (!classes && d.labels == LabelFormat::OneHot && a.shape.size() == 2 && a.shape[1] > 0)
        classes = a.shape[1];
    if (!classes && d.labels == LabelFormat::Binary) classes = 2;
    if (!classes && d.labels == LabelFormat::Integer && a.max) classes = static_cast<int64_t>(*a.max) + 1;
    if (classes) {
        d.num_classes.value = *classes;
        d.num_classes.kind = OriginKind::Derived;
        d.num_classes.origin = d.labels_span;
    } else if (d.labels != LabelFormat::Real) {
        d.num_classes = unknown_value<int64_t>(d.labels_span, "number of classes not known from the script");
    }
}

} // namespace

namespace {

// The statement `name = <name> / c`, `name = <name>.astype(...) * c` or `name /= c`: it rescales the name it
// assigns and nothing else, so removing it leaves the script valid.
bool rescales_only(const Context& cx, const Binding& b, std::string_view name) {
    TSNode stmt = cx.scope.statement_of(b.stmt);
    TSNode parent = ts_node_parent(stmt);
    if (is(parent, "expression_statement")) parent = ts_node_parent(parent);
    if (!(is(parent, "module") || is(parent, "block")) || ts_node_named_child_count(parent) < 2) return false;
    if (b.kind == Binding::Kind::AugAssign) return b.op == "/=" || b.op == "*=";
    if (b.kind != Binding::Kind::Assign || !b.path.empty()) return false;
    TSNode v = unwrap(b.value);
    if (!is(v, "binary_operator")) return false;
    std::string_view op = text(cx.src, field(v, "operator"));
    if (op != "/" && op != "*") return false;
    for (TSNode side : {field(v, "left"), field(v, "right")}) {
        TSNode n = unwrap(side);
        // Through method chains (`y.astype('float32')`) to the name they start from.
        while (is(n, "call") && !null(receiver(n)))
            n = unwrap(receiver(n));
        if (is(n, "identifier") && text(cx.src, n) == name) return true;
    }
    return false;
}

// Where the inputs' name is last bound before training, and whether the labels' scaling can be removed.
void note_names(Context& cx, TSNode x, TSNode y) {
    Data& d = cx.prog.data;
    Val xv = cx.ev.eval(x);
    if (xv.kind == Val::Kind::Array && !xv.array->selected_at.empty()) {
        d.inputs_bound = xv.array->selected_at;
        d.inputs_name = xv.array->selected_name;
    } else if (is(unwrap(x), "identifier")) {
        const Binding* b = cx.scope.lookup(unwrap(x));
        // A plain or an unpacking assignment (`(x_train, y_train), _ = mnist.load_data()`): either way a
        // statement after it can rebind the name.
        if (b && b->kind == Binding::Kind::Assign) {
            d.inputs_bound = span(cx.scope.statement_of(b->stmt));
            d.inputs_name = std::string(text(cx.src, unwrap(x)));
        }
    }
    if (!d.labels_scaled.value_or(false) || !is(unwrap(y), "identifier")) return;
    std::string_view name = text(cx.src, unwrap(y));
    if (const auto* list = cx.scope.bindings(name))
        for (const Binding& b : *list)
            if (span(cx.scope.statement_of(b.stmt)) == d.labels_scaled.origin && rescales_only(cx, b, name))
                d.labels_scaling_removable = true;
}

} // namespace

void fill_data(Context& cx, TSNode x, TSNode y) {
    Val xv = cx.ev.eval(x);
    if (xv.kind == Val::Kind::Array) {
        fill_x(cx, *xv.array);
    } else {
        cx.prog.data.source = unknown_value<std::string>(
            span(x), xv.note.empty() ? cat({"training inputs ", quoted(cx.src, x), " are not followed"})
                                     : cat({"training inputs: ", xv.note}));
        fill_data_fallback(cx);
    }
    if (!null(y)) {
        Val yv = cx.ev.eval(y);
        if (yv.kind == Val::Kind::Array)
            fill_y(cx, *yv.array);
        else if (yv.note.empty())
            cx.note(y, cat({"training labels ", quoted(cx.src, y), " are not followed"}));
        else
            cx.note(y, cat({"training labels cannot be followed: ", yv.note}));
    }
    note_names(cx, x, y);
}

void fill_data_fallback(Context& cx) {
    if (cx.prog.data.source.known()) return;
    for (const CallSite& c : cx.scope.calls()) {
        if (last_part(c.callee) != "load_data") continue;
        Val v = cx.ev.eval(c.call);
        if (v.kind != Val::Kind::Seq || v.items.empty() || v.items[0].kind != Val::Kind::Seq ||
            v.items[0].items.size() < 2 || v.items[0].items[0].kind != Val::Kind::Array)
            continue;
        fill_x(cx, *v.items[0].items[0].array);
        fill_y(cx, *v.items[0].items[1].array);
        cx.note(c.call, "the data passed to training is not followed; assuming the dataset loaded here");
        // The labels may be filtered or encoded on the way to training: their format stays unknown, so
        // the loss decides it and nothing is checked against it.
        cx.prog.data.labels = LabelFormat::Unknown;
        cx.prog.data.num_classes =
            unknown_value<int64_t>(span(c.call), "the labels passed to training are not followed");
        return;
    }
}

BatchSlice batch_slice(const Context& cx, TSNode expr) {
    BatchSlice out;
    TSNode n = unwrap(expr);
    if (is(n, "identifier")) {
        const Binding* b = cx.scope.lookup(n);
        if (b && b->kind == Binding::Kind::Assign && b->path.empty()) n = unwrap(b->value);
    }
    if (!is(n, "subscript") || ts_node_named_child_count(n) != 2) return out;
    TSNode slice = ts_node_named_child(n, 1);
    if (!is(slice, "slice")) return out;
    auto parts = named_children(slice);
    if (parts.size() != 2) return out;
    out.array = field(n, "value");
    auto txt = [&](TSNode t) { return text(cx.src, unwrap(t)); };
    auto op = [&](TSNode t) { return text(cx.src, field(unwrap(t), "operator")); };
    TSNode start = unwrap(parts[0]), stop = unwrap(parts[1]);
    // x[s:s + B]
    if (is(stop, "binary_operator") && op(stop) == "+" && txt(field(stop, "left")) == txt(start)) {
        out.batch = cx.integer(field(stop, "right"));
        return out;
    }
    // x[k * B:(k + 1) * B]
    if (is(start, "binary_operator") && is(stop, "binary_operator") && op(start) == "*" && op(stop) == "*" &&
        txt(field(start, "right")) == txt(field(stop, "right"))) {
        TSNode next = unwrap(field(stop, "left"));
        if (is(next, "binary_operator") && op(next) == "+" &&
            txt(field(next, "left")) == txt(field(start, "left")) && txt(field(next, "right")) == "1") {
            out.batch = cx.integer(field(start, "right"));
            return out;
        }
    }
    out.batch = unknown_value<int64_t>(span(slice), "the width of the batch slice is not known");
    return out;
}

} // namespace faultline
