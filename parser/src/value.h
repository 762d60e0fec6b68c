// What an expression of the script evaluates to, as far as the parser can tell without running it.
#pragma once

#include "faultline/parser/program.h"

#include <tree_sitter/api.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultline {

// A numpy-like array whose shape, value range and meaning the parser follows from its load to model.fit.
struct ArrayInfo {
    std::string source;         // mnist, csv, random, literal, unknown, ...
    std::vector<int64_t> shape; // sample dimension first; -1 for an unknown dimension; empty if unknown rank
    std::optional<double> min;  // value range of the elements
    std::optional<double> max;
    std::optional<bool> scaled; // set once known: true after a scaling operation
    Span scaled_at;             // the scaling statement
    Span load;                  // the statement that loaded or created the data
    // For data read from a file: the first statement that selects part of the table into a plain name
    // (`X = dataset[:, 0:8]`), and that name; where a standardization of the features can follow.
    Span selected_at;
    std::string selected_name;
    LabelFormat labels = LabelFormat::Unknown;
    Span labels_span;
    std::optional<int64_t> num_classes;
    std::vector<std::vector<double>> literal; // rows of a literal array
    bool is_image = false;
    bool is_sequence = false;
    bool integral = false; // elements are whole numbers (class ids, pixel bytes)
};

struct Val {
    enum class Kind { Unknown, None, Bool, Int, Float, Str, Seq, Array, Object };
    Kind kind = Kind::Unknown;
    bool b = false;
    int64_t i = 0;
    double f = 0.0;
    std::string s;
    std::vector<Val> items;           // tuples and lists
    std::shared_ptr<ArrayInfo> array; // Kind::Array
    TSNode object{};                  // Kind::Object: the expression that creates it (usually a call)

    // Provenance.
    bool derived = false;        // computed from other values rather than written as one literal
    Span origin;                 // the literal (or the computing expression)
    std::optional<Span> literal; // the literal's text, when the value is exactly one literal
    std::vector<Span> uses;      // names through which the value travelled
    std::string note;            // why it is unknown

    bool known() const { return kind != Kind::Unknown; }
    bool is_number() const { return kind == Kind::Int || kind == Kind::Float || kind == Kind::Bool; }
    double number() const {
        return kind == Kind::Int ? static_cast<double>(i) : kind == Kind::Bool ? (b ? 1 : 0) : f;
    }
    static Val unknown(std::string why) {
        Val v;
        v.note = std::move(why);
        return v;
    }
};

} // namespace faultline
