// A compact JSON reader and writer for traces, summaries and the stats
// socket.  The reader never throws and never crashes on bad input: it returns
// one error line with the byte offset, line and column of the problem.
// Nesting is limited (kMaxDepth) so hostile input cannot exhaust the stack.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zcd::json {

struct Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>; // keeps document order

struct Value {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::optional<int64_t> integer; // set when the literal is an exact int64
    std::string string;
    std::shared_ptr<Array> array;   // set iff type == Array
    std::shared_ptr<Object> object; // set iff type == Object

    bool is_null() const { return type == Type::Null; }
    bool is_number() const { return type == Type::Number; }
    bool is_string() const { return type == Type::String; }
    bool is_array() const { return type == Type::Array; }
    bool is_object() const { return type == Type::Object; }
    bool is_bool() const { return type == Type::Bool; }

    // Member lookup; null when not an object or no such key.
    const Value* get(std::string_view key) const; // may be null
};

inline constexpr int kMaxDepth = 128;

struct ParseResult {
    std::optional<Value> value;
    std::string error; // "line L, column C (byte B): what", empty on success
};

ParseResult parse(std::string_view text);

// Writer helpers: the caller builds the text; these get quoting and number
// formatting right (no NaN/Inf in JSON: they become null).
// A JSON string literal of s: ill-formed UTF-8 replaced by U+FFFD
// (common/utf8.hpp), quotes, backslashes and control characters escaped.
std::string quote(std::string_view s);
std::string number(double v); // shortest round-tripping, "null" for NaN/Inf
std::string number(int64_t v);
std::string number(uint64_t v);

// Builds one object or array with the commas in the right places.
class Builder {
  public:
    Builder& begin_object();
    Builder& end_object();
    Builder& begin_array();
    Builder& end_array();
    Builder& key(std::string_view k);
    Builder& raw(std::string_view json_text); // an already formatted value
    Builder& value(std::string_view s) { return raw(quote(s)); }
    Builder& value(const char* s) { return raw(quote(s)); }
    Builder& value(double v) { return raw(number(v)); }
    Builder& value(int64_t v) { return raw(number(v)); }
    Builder& value(uint64_t v) { return raw(number(v)); }
    Builder& value(uint32_t v) { return raw(number(static_cast<uint64_t>(v))); }
    Builder& value(int v) { return raw(number(static_cast<int64_t>(v))); }
    Builder& value(bool v) { return raw(v ? "true" : "false"); }
    Builder& null() { return raw("null"); }
    const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    void separate();
    std::string out_;
    std::vector<bool> first_; // per open container: nothing written yet
    bool after_key_ = false;
};

} // namespace zcd::json
