#include "common/trace_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/utf8.hpp"

namespace zcd::json {

const Value* Value::get(std::string_view key) const {
    if (type != Type::Object || !object)
        return nullptr;
    for (const auto& [k, v] : *object)
        if (k == key)
            return &v;
    return nullptr;
}

namespace {

class Parser {
  public:
    explicit Parser(std::string_view text) : s_(text) {}

    ParseResult run() {
        ParseResult r;
        Value v;
        skip_ws();
        if (!parse_value(v, 0)) {
            r.error = error_;
            return r;
        }
        skip_ws();
        if (pos_ != s_.size()) {
            fail("trailing data after the value");
            r.error = error_;
            return r;
        }
        r.value = std::move(v);
        return r;
    }

  private:
    bool fail(const char* what) {
        if (!error_.empty())
            return false;
        size_t line = 1, col = 1;
        for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
            if (s_[i] == '\n')
                ++line, col = 1;
            else
                ++col;
        }
        char buf[96];
        std::snprintf(buf, sizeof buf, "line %zu, column %zu (byte %zu): ", line, col, pos_);
        error_ = std::string(buf) + what;
        return false;
    }

    void skip_ws() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }

    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word)
            return fail("invalid literal");
        pos_ += word.size();
        return true;
    }

    bool parse_value(Value& v, int depth) {
        if (depth > kMaxDepth)
            return fail("nesting too deep");
        if (pos_ >= s_.size())
            return fail("unexpected end of input, expected a value");
        char c = s_[pos_];
        switch (c) {
        case '{':
            return parse_object(v, depth);
        case '[':
            return parse_array(v, depth);
        case '"':
            v.type = Value::Type::String;
            return parse_string(v.string);
        case 't':
            v.type = Value::Type::Bool;
            v.boolean = true;
            return literal("true");
        case 'f':
            v.type = Value::Type::Bool;
            v.boolean = false;
            return literal("false");
        case 'n':
            v.type = Value::Type::Null;
            return literal("null");
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return parse_number(v);
            return fail("unexpected character, expected a value");
        }
    }

    bool parse_number(Value& v) {
        size_t start = pos_;
        if (s_[pos_] == '-')
            ++pos_;
        auto digits = [&] {
            size_t b = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
                ++pos_;
            return pos_ - b;
        };
        if (digits() == 0)
            return fail("invalid number");
        bool integral = true;
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            integral = false;
            if (digits() == 0)
                return fail("invalid number: no digits after '.'");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            integral = false;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-'))
                ++pos_;
            if (digits() == 0)
                return fail("invalid number: no digits in exponent");
        }
        std::string_view lit = s_.substr(start, pos_ - start);
        v.type = Value::Type::Number;
        auto r = std::from_chars(lit.data(), lit.data() + lit.size(), v.number);
        if (r.ec != std::errc() && r.ec != std::errc::result_out_of_range)
            return fail("invalid number");
        if (integral) {
            int64_t i = 0;
            auto ri = std::from_chars(lit.data(), lit.data() + lit.size(), i);
            if (ri.ec == std::errc() && ri.ptr == lit.data() + lit.size())
                v.integer = i;
        }
        return true;
    }

    static void put_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool hex4(uint32_t& out) {
        if (pos_ + 4 > s_.size())
            return fail("truncated \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            char h = s_[pos_++];
            out <<= 4;
            if (h >= '0' && h <= '9')
                out |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
                out |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                out |= static_cast<uint32_t>(h - 'A' + 10);
            else
                return fail("invalid hex digit in \\u escape");
        }
        return true;
    }

    bool parse_string(std::string& out) {
        ++pos_; // opening quote
        while (true) {
            if (pos_ >= s_.size())
                return fail("unterminated string");
            char c = s_[pos_++];
            if (c == '"')
                return true;
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("control character in string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size())
                return fail("unterminated escape");
            char e = s_[pos_++];
            switch (e) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                uint32_t cp = 0;
                if (!hex4(cp))
                    return false;
                if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
                    pos_ += 2;
                    uint32_t lo = 0;
                    if (!hex4(lo))
                        return false;
                    if (lo >= 0xDC00 && lo < 0xE000)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                put_utf8(out, cp);
                break;
            }
            default:
                --pos_;
                return fail("invalid escape in string");
            }
        }
    }

    bool parse_array(Value& v, int depth) {
        ++pos_;
        v.type = Value::Type::Array;
        v.array = std::make_shared<Array>();
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            return true;
        }
        while (true) {
            skip_ws();
            Value item;
            if (!parse_value(item, depth + 1))
                return false;
            v.array->push_back(std::move(item));
            skip_ws();
            if (pos_ >= s_.size())
                return fail("unexpected end of input in array");
            if (s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (s_[pos_] == ']') {
                ++pos_;
                return true;
            }
            return fail("expected ',' or ']' in array");
        }
    }

    bool parse_object(Value& v, int depth) {
        ++pos_;
        v.type = Value::Type::Object;
        v.object = std::make_shared<Object>();
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            return true;
        }
        while (true) {
            skip_ws();
            if (pos_ >= s_.size())
                return fail("unexpected end of input in object");
            if (s_[pos_] != '"')
                return fail("expected a string key in object");
            std::string key;
            if (!parse_string(key))
                return false;
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != ':')
                return fail("expected ':' after object key");
            ++pos_;
            skip_ws();
            Value item;
            if (!parse_value(item, depth + 1))
                return false;
            v.object->emplace_back(std::move(key), std::move(item));
            skip_ws();
            if (pos_ >= s_.size())
                return fail("unexpected end of input in object");
            if (s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (s_[pos_] == '}') {
                ++pos_;
                return true;
            }
            return fail("expected ',' or '}' in object");
        }
    }

    std::string_view s_;
    size_t pos_ = 0;
    std::string error_;
};

} // namespace

ParseResult parse(std::string_view text) {
    return Parser(text).run();
}

// Every JSON string the project writes goes through here, and many carry
// text a client chose (title, app_id): ill-formed UTF-8 becomes U+FFFD so
// the document stays valid JSON (RFC 8259 requires UTF-8), and control
// characters are escaped.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : valid_utf8(s)) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

std::string number(double v) {
    if (!std::isfinite(v))
        return "null";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string number(int64_t v) {
    return std::to_string(v);
}
std::string number(uint64_t v) {
    return std::to_string(v);
}

void Builder::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back())
            out_ += ',';
        first_.back() = false;
    }
}

Builder& Builder::begin_object() {
    separate();
    out_ += '{';
    first_.push_back(true);
    return *this;
}

Builder& Builder::end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
}

Builder& Builder::begin_array() {
    separate();
    out_ += '[';
    first_.push_back(true);
    return *this;
}

Builder& Builder::end_array() {
    out_ += ']';
    first_.pop_back();
    return *this;
}

Builder& Builder::key(std::string_view k) {
    separate();
    out_ += quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
}

Builder& Builder::raw(std::string_view json_text) {
    separate();
    out_ += json_text;
    return *this;
}

} // namespace zcd::json
