#include "admin/cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace campaignd::admin::cli {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A clock the test moves by hand.
struct ManualTime {
  Clock::time_point now{};
  ImportProgress::Now Fn() {
    return [this] { return now; };
  }
};

TEST(ProgressFormatTest, BarBytesAndCounts) {
  EXPECT_EQ(FormatBar(0, 100, 10), "[----------]");
  EXPECT_EQ(FormatBar(50, 100, 10), "[#####-----]");
  EXPECT_EQ(FormatBar(150, 100, 10), "[##########]");
  EXPECT_EQ(FormatBar(5, 0, 4), "[----]");
  EXPECT_EQ(FormatBytes(999), "999 B");
  EXPECT_EQ(FormatBytes(1500), "1.5 KB");
  EXPECT_EQ(FormatBytes(2'400'000), "2.4 MB");
  EXPECT_EQ(FormatBytes(3'000'000'000), "3.0 GB");
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
}

TEST(ImportProgressTest, RowsAreLinesAfterTheHeaderAndCountAnUnendedLastLine) {
  std::ostringstream out;
  ImportProgress p(out, false, 0);
  p.Advance("email,firstname\nan");
  EXPECT_EQ(p.rows(), 1u);
  p.Advance("n@example.com,Ann\n");
  EXPECT_EQ(p.rows(), 1u);
  p.Advance("bob@example.com,Bob");
  EXPECT_EQ(p.rows(), 2u);
  EXPECT_EQ(p.bytes(), 55u);
}

TEST(ImportProgressTest, PlainLinesAtMostEveryIntervalAndOnceAtTheEnd) {
  std::ostringstream out;
  ManualTime t;
  const std::string header = "email\n";
  const std::string row = "a@example.com\n";  // 14 bytes
  ImportProgress p(out, false, header.size() + 4 * row.size(), t.Fn());
  p.Advance(header);  // first report at once
  p.Advance(row);     // too soon: nothing
  t.now += kProgressLineInterval;
  p.Advance(row);  // due
  p.Advance(row);
  p.Advance(row);
  p.Finish();
  EXPECT_EQ(out.str(),
            "import:   9%  6 B / 62 B  0 rows\n"
            "import:  54%  34 B / 62 B  2 rows\n"
            "import: 100%  62 B / 62 B  4 rows\n");
}

TEST(ImportProgressTest, FinishDoesNotRepeatALineJustWritten) {
  std::ostringstream out;
  ManualTime t;
  ImportProgress p(out, false, 6, t.Fn());
  p.Advance("email\n");
  p.Finish();
  EXPECT_EQ(out.str(), "import: 100%  6 B / 6 B  0 rows\n");
}

TEST(ImportProgressTest, ATerminalLineIsRedrawnInPlaceAndEndedAtFinish) {
  std::ostringstream out;
  ManualTime t;
  ImportProgress p(out, true, 20, t.Fn());
  p.Advance("email\nx@example.c");  // 17 bytes: drawn
  t.now += milliseconds(10);
  p.Advance("om\n");  // within the redraw interval: not drawn
  p.Finish();
  p.Finish();  // a reader asked again after the end: drawn once
  const std::string bar17 = FormatBar(17, 20, kProgressBarWidth);
  const std::string bar20 = FormatBar(20, 20, kProgressBarWidth);
  EXPECT_EQ(out.str(), "\r" + bar17 + "  85%  17 B / 20 B  1 rows\x1b[K" +  //
                           "\r" + bar20 + " 100%  20 B / 20 B  1 rows\x1b[K\n");
}

TEST(ImportProgressTest, UnknownTotalShowsBytesOnly) {
  std::ostringstream out;
  ImportProgress p(out, false, 0);
  p.Advance("email\n");
  EXPECT_EQ(out.str(), "import: 100%  6 B  0 rows\n");
}

}  // namespace
}  // namespace campaignd::admin::cli
