#include "dedup/near_duplicate.h"

#include <gtest/gtest.h>

#include <string>

namespace samizdat::dedup {
namespace {

// Original fixture text (not from any site).
const char kStory[] =
    "本市周二晚间突降暴雨，多条主干道出现积水，部分地铁站临时关闭。气象部门表示，此次降雨"
    "持续时间较长，局部地区雨量超过一百毫米。交通部门已调派人员疏导车辆，并提醒市民尽量减少"
    "外出。截至周三凌晨，大部分道路已恢复通行，但仍有三个路段因积水较深而封闭。";
const char kOtherStoryOnTopic[] =
    "气象部门周四发布预报称，未来一周本市将以晴热天气为主，最高气温可能达到三十八度。专家"
    "提醒老人和儿童注意防暑，户外工作者应避开午后高温时段。供电公司表示已做好用电高峰准备，"
    "并将加强对老旧小区线路的巡查。";
const char kEnglish[] =
    "Heavy rain flooded several main roads in the city on Tuesday evening, and some metro "
    "stations were closed for hours. The weather office said rainfall in some districts "
    "exceeded one hundred millimetres, while traffic police directed cars away from the "
    "worst-hit junctions and urged residents to stay at home until the water receded.";

TEST(NearDuplicate, FormattingAndCaseChangeNothing) {
  std::string reformatted =
      "Heavy RAIN flooded several main roads in the city, on Tuesday "
      "evening; and some metro\n\nstations were closed for hours. The "
      "weather office said rainfall in some districts exceeded one "
      "hundred millimetres — while traffic police directed cars away "
      "from the worst-hit junctions and urged residents to stay at "
      "home until the water receded!";
  Fingerprint a = FingerprintOf(kEnglish), b = FingerprintOf(reformatted);
  EXPECT_EQ(a.shingles, b.shingles);
  EXPECT_EQ(a.bands, b.bands);
  EXPECT_TRUE(IsNearDuplicate(a, b));
}

TEST(NearDuplicate, SyndicatedCopyWithBoilerplateIsADuplicate) {
  std::string copy = std::string("【本报讯】记者王明报道：") + kStory +
                     "（本文转载自合作媒体，版权归原作者所有。）";
  Fingerprint a = FingerprintOf(kStory), b = FingerprintOf(copy);
  EXPECT_TRUE(IsNearDuplicate(a, b));
  EXPECT_GE(Containment(a.shingles, b.shingles), 0.99);
  int shared = 0;
  for (size_t i = 0; i < a.bands.size(); ++i) shared += a.bands[i] == b.bands[i];
  EXPECT_GT(shared, 0) << "a candidate lookup by band key would miss the copy";
}

TEST(NearDuplicate, EditedSentenceKeepsItADuplicate) {
  std::string edited = kStory;
  edited.replace(edited.find("三个"), std::string("三个").size(), "五个");
  EXPECT_TRUE(IsNearDuplicate(FingerprintOf(kStory), FingerprintOf(edited)));
}

TEST(NearDuplicate, DifferentStoriesOnOneTopicAreNot) {
  Fingerprint a = FingerprintOf(kStory), b = FingerprintOf(kOtherStoryOnTopic);
  EXPECT_FALSE(IsNearDuplicate(a, b));
  EXPECT_LT(Resemblance(a.shingles, b.shingles), 0.05);
}

TEST(NearDuplicate, ShortTextsAreNeverDuplicates) {
  Fingerprint a = FingerprintOf("暴雨导致道路积水"), b = FingerprintOf("暴雨导致道路积水");
  EXPECT_TRUE(a.bands.empty());
  EXPECT_FALSE(IsNearDuplicate(a, b));
}

TEST(NearDuplicate, ResemblanceAndContainmentAreExactSetMeasures) {
  std::vector<uint64_t> a = {1, 2, 3, 4}, b = {3, 4, 5, 6, 7, 8};
  EXPECT_DOUBLE_EQ(Resemblance(a, b), 2.0 / 8.0);
  EXPECT_DOUBLE_EQ(Containment(a, b), 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(Resemblance({}, {}), 0.0);
}

}  // namespace
}  // namespace samizdat::dedup
