#include "events/smtp_data.h"

#include <gtest/gtest.h>

#include <string>

namespace campaignd::events {
namespace {

// Feeds `stream` one byte at a time (every state boundary is crossed
// between two reads) and returns the message; `consumed` gets the count.
std::string ReadBytewise(std::string_view stream, std::size_t max, std::size_t* consumed,
                         bool* too_big = nullptr) {
  DataReader reader(max);
  std::size_t n = 0;
  while (n < stream.size() && !reader.done()) n += reader.Consume(stream.substr(n, 1));
  *consumed = n;
  EXPECT_TRUE(reader.done());
  if (too_big != nullptr) *too_big = reader.too_big();
  return reader.too_big() ? std::string() : reader.Take();
}

TEST(DataReaderTest, EndsAtDotLineAndUnstuffs) {
  const std::string stream =
      "Subject: x\r\n\r\n..leading dot\r\n.x\r\nmid.dle\r\n...\r\n.\r\nQUIT\r\n";
  DataReader reader(1000);
  const std::size_t n = reader.Consume(stream);
  ASSERT_TRUE(reader.done());
  EXPECT_EQ(stream.substr(n), "QUIT\r\n");  // pipelined bytes after the end stay unread
  EXPECT_EQ(reader.Take(), "Subject: x\r\n\r\n.leading dot\r\nx\r\nmid.dle\r\n..\r\n");
  std::size_t consumed = 0;
  EXPECT_EQ(ReadBytewise(stream, 1000, &consumed),
            "Subject: x\r\n\r\n.leading dot\r\nx\r\nmid.dle\r\n..\r\n");
  EXPECT_EQ(consumed, n);
}

TEST(DataReaderTest, EmptyMessage) {
  DataReader reader(10);
  EXPECT_EQ(reader.Consume(".\r\n"), 3u);
  ASSERT_TRUE(reader.done());
  EXPECT_EQ(reader.Take(), "");
}

TEST(DataReaderTest, BareLfAndBareCrAreDataNotLineEnds) {
  // "\n.\n" and "\r.\r" do not end the message (SMTP smuggling); only CRLF.CRLF does.
  const std::string stream = "a\n.\nb\r.\rc\r\r\n.\r\n";
  std::size_t consumed = 0;
  EXPECT_EQ(ReadBytewise(stream, 1000, &consumed), "a\n.\nb\r.\rc\r\r\n");
  EXPECT_EQ(consumed, stream.size());
}

TEST(DataReaderTest, DotCrThenTextIsData) {
  std::size_t consumed = 0;
  EXPECT_EQ(ReadBytewise("x\r\n.\rz\r\n.\r\n", 1000, &consumed), "x\r\n\rz\r\n");
}

TEST(DataReaderTest, OverTheLimitIsCountedNotHeld) {
  DataReader reader(100);
  const std::string line(998, 'a');
  for (int i = 0; i < 1000; ++i) reader.Consume(line + "\r\n");
  EXPECT_FALSE(reader.done());
  EXPECT_TRUE(reader.too_big());
  EXPECT_EQ(reader.size(), 1000u * 1000u);
  reader.Consume("\r\n.\r\n");
  EXPECT_TRUE(reader.done());
  EXPECT_LE(reader.Take().capacity(), 100u + 32u);  // never grew past the limit
}

TEST(DataReaderTest, ExactlyAtTheLimitIsAccepted) {
  DataReader reader(5);
  reader.Consume("abc\r\n.\r\n");
  ASSERT_TRUE(reader.done());
  EXPECT_FALSE(reader.too_big());
  EXPECT_EQ(reader.Take(), "abc\r\n");
}

}  // namespace
}  // namespace campaignd::events
