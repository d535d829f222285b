// valid_utf8 and json::quote on text a client may send: every ill-formed
// sequence becomes U+FFFD (one per maximal subpart), valid text is kept
// byte for byte, control characters are escaped, and the result always
// parses back with our JSON reader.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/trace_json.hpp"
#include "common/utf8.hpp"

namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

TEST(Utf8, ValidTextIsKeptByteForByte) {
    const std::string text = "plain ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80, "
                             "\xEF\xBF\xBF, \xF4\x8F\xBF\xBF";
    EXPECT_TRUE(zcd::is_valid_utf8(text));
    EXPECT_EQ(zcd::valid_utf8(text), text);
}

TEST(Utf8, LoneContinuationAndInvalidLeadBytesAreReplacedOneEach) {
    EXPECT_EQ(zcd::valid_utf8("a\x80z"), "a" + kFFFD + "z");
    EXPECT_EQ(zcd::valid_utf8("\xFF\xFE"), kFFFD + kFFFD);
    EXPECT_EQ(zcd::valid_utf8("\xC0\xAF"), kFFFD + kFFFD); // C0, C1 never lead
    EXPECT_EQ(zcd::valid_utf8("\xF5\x80\x80\x80"), kFFFD + kFFFD + kFFFD + kFFFD);
}

TEST(Utf8, TruncatedSequenceIsOneReplacement) {
    EXPECT_EQ(zcd::valid_utf8("x\xE2\x82"), "x" + kFFFD);
    EXPECT_EQ(zcd::valid_utf8("\xF0\x9F\x98y"), kFFFD + "y");
    EXPECT_EQ(zcd::valid_utf8("\xC3"), kFFFD);
}

TEST(Utf8, OverlongSurrogateAndOutOfRangeFormsAreRejected) {
    EXPECT_FALSE(zcd::is_valid_utf8("\xE0\x80\xAF"));     // overlong '/'
    EXPECT_FALSE(zcd::is_valid_utf8("\xED\xA0\x80"));     // U+D800
    EXPECT_FALSE(zcd::is_valid_utf8("\xF4\x90\x80\x80")); // U+110000
    EXPECT_FALSE(zcd::is_valid_utf8("\xF0\x80\x80\x80")); // overlong NUL
    // The second byte is out of range: the lead byte alone is the maximal
    // subpart, and the continuation bytes after it are replaced one each.
    EXPECT_EQ(zcd::valid_utf8("\xED\xA0\x80"), kFFFD + kFFFD + kFFFD);
}

TEST(JsonQuote, EscapesControlCharactersAndQuotes) {
    EXPECT_EQ(zcd::json::quote(std::string("a\x01\x1f\"\\\n\t", 7)),
              "\"a\\u0001\\u001f\\\"\\\\\\n\\t\"");
}

TEST(JsonQuote, IllFormedUtf8BecomesReplacementCharacter) {
    EXPECT_EQ(zcd::json::quote("bad\xFF\xC3(title)"), "\"bad" + kFFFD + kFFFD + "(title)\"");
}

// Any bytes at all: the quoted text is valid UTF-8 and reads back as the
// sanitized string.
TEST(JsonQuote, RandomBytesAlwaysGiveValidJson) {
    std::mt19937 rng(16);
    std::uniform_int_distribution<int> byte(0, 255), len(0, 24);
    for (int round = 0; round < 20000; ++round) {
        std::string s(static_cast<size_t>(len(rng)), '\0');
        for (char& c : s)
            c = static_cast<char>(byte(rng));
        const std::string quoted = zcd::json::quote(s);
        ASSERT_TRUE(zcd::is_valid_utf8(quoted));
        const auto parsed = zcd::json::parse(quoted);
        ASSERT_TRUE(parsed.value.has_value()) << parsed.error;
        ASSERT_EQ(parsed.value->string, zcd::valid_utf8(s));
    }
}

} // namespace
