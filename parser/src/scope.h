// Names of the script: every binding (assignment, augmented assignment, import, def, parameter, loop
// variable) in text order, and the lookup "which binding of this name is in effect here".
//
// One flat table for the module and all function bodies: a name used inside a function prefers bindings of
// that function, then module-level ones. Control flow is ignored (the last binding in text order wins), which
// is what a reader of a straight-line training script assumes too.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace faultline {

struct Binding {
    enum class Kind { Assign, AugAssign, Import, Def, Param, Loop, With, Other };
    Kind kind = Kind::Other;
    uint32_t pos = 0;      // byte from which the binding is in effect
    TSNode stmt{};         // the assignment / import / def / for statement
    TSNode target{};       // the name node
    TSNode value{};        // right-hand side, parameter default, loop iterable, def node
    std::vector<int> path; // index path into `value` for tuple unpacking: (a, b), c = ...
    std::string op;        // augmented assignment operator: "/=", "+=", ...
    std::string import;    // Import: the full dotted name bound ("numpy", "keras.layers.Dense")
    TSNode func{};         // the enclosing function_definition, or null at module level
    TSNode only_in{};      // a comprehension variable is visible inside its comprehension only
};

struct CallSite {
    TSNode call;
    std::string callee; // dotted name as written ("model.fit", "Dense"), "" for computed callees
    std::string method; // the called name: "fit" for `model.fit(...)` and `get_model().fit(...)`
};

class Scope {
public:
    Scope(std::string_view src, TSNode root);

    // The binding of `name` in effect at byte `at` for code inside `func` (null: module level), or nullptr.
    const Binding* lookup(std::string_view name, uint32_t at, TSNode func) const;
    // Like lookup, for the name node `use` (its position and enclosing function).
    const Binding* lookup(TSNode use) const;
    const std::vector<Binding>* bindings(std::string_view name) const;
    // Every call in text order.
    const std::vector<CallSite>& calls() const { return calls_; }
    // A dotted name with its first part replaced by what it was imported as: with `from keras.layers import
    // Dense`, "Dense" -> "keras.layers.Dense"; with `import numpy as np`, "np.array" -> "numpy.array".
    std::string qualify(std::string_view dotted_name) const;
    // All full import paths (modules and names), in text order.
    const std::vector<std::string>& imports() const { return imports_; }
    // Function and class definitions by name (last one wins).
    TSNode definition(std::string_view name) const;
    std::string_view source() const { return src_; }

    // Structure queries answered from ranges recorded during the walk: tree-sitter's ts_node_parent searches
    // from the root, which is quadratic on long scripts.
    // The statement (child of a block or the module) that contains `n`.
    TSNode statement_of(TSNode n) const;
    // The innermost function_definition / class_definition / with_statement containing `n`, or null.
    TSNode enclosing(TSNode n, std::string_view type) const;
    // The for/while loops containing `n`, innermost first.
    std::vector<TSNode> loops_around(TSNode n) const;

private:
    void walk(TSNode n, TSNode func);
    void bind_target(TSNode target, TSNode stmt, TSNode value, std::vector<int> path, Binding::Kind kind,
                     TSNode func);
    void bind_import(TSNode stmt, TSNode func);
    void bind_params(TSNode def);
    void add(std::string name, Binding b);

    std::string_view src_;
    std::unordered_map<std::string, std::vector<Binding>> bindings_;
    std::unordered_map<std::string, std::string> import_alias_;
    std::unordered_map<std::string, TSNode> definitions_;
    std::vector<std::string> imports_;
    std::vector<CallSite> calls_;
    // Nodes of one kind in pre-order, each with the index of the innermost node of the same kind around it
    // (-1).
    struct Nested {
        std::vector<TSNode> nodes;
        std::vector<int> parent;
        TSNode innermost(TSNode n) const;
        std::vector<TSNode> around(TSNode n) const; // innermost first
    };
    enum Kind { kStatement, kFunction, kClass, kLoop, kWith, kKinds };
    Nested nested_[kKinds];
};

} // namespace faultline
