// The int8 reference runner against exported vectors (±1), the fixed-point helpers against
// known values, and the loud model/header agreement check.
#include <gtest/gtest.h>

#include <fstream>

#include "int8_reference_runner.h"
#include "model_check.h"
#include "model_config.h"
#include "quant_math.h"
#include "sha256.h"
#include "test_util.h"

using namespace sc;

namespace {
void checkVectors(const std::string& modelDir, int* checked) {
  auto model = host::readFile(modelDir + "/model.tflite");
  Int8ReferenceRunner r;
  Status s = r.load(reinterpret_cast<const uint8_t*>(model.data()), model.size());
  ASSERT_TRUE(s.ok) << s.message;
  auto index = host::Json::parse(host::readFile(modelDir + "/vectors/index.json"));
  const auto& cases = index["cases"];
  ASSERT_GT(cases.size(), 0u);
  const int tol = static_cast<int>(index["tolerance"].number(1));
  for (size_t c = 0; c < cases.size(); ++c) {
    auto in = test::readBinary<int8_t>(modelDir + "/vectors/" + cases[c]["inputFile"].string());
    auto want = test::readBinary<int8_t>(modelDir + "/vectors/" + cases[c]["outputFile"].string());
    ASSERT_EQ(in.size(), static_cast<size_t>(r.inputInfo().elements()));
    ASSERT_EQ(want.size(), static_cast<size_t>(r.outputInfo().elements()));
    std::memcpy(r.input(), in.data(), in.size());
    ASSERT_TRUE(r.invoke().ok);
    int worst = 0;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(int(r.output()[i]) - int(want[i])));
    EXPECT_LE(worst, std::min(tol, 1)) << "case " << cases[c]["name"].string();
    ++*checked;
  }
}
}  // namespace

TEST(QuantMath, QuantizeMultiplierAndRounding) {
  int32_t q;
  int shift;
  qmath::quantizeMultiplier(0.5, &q, &shift);
  EXPECT_EQ(q, 1 << 30);
  EXPECT_EQ(shift, 0);
  qmath::quantizeMultiplier(0.25, &q, &shift);
  EXPECT_EQ(shift, -1);
  qmath::quantizeMultiplier(1e-12, &q, &shift);
  EXPECT_EQ(q, 0);  // flushed: shift < -31
  // 100 * 0.5 = 50; -3 * 0.5 = -1.5 rounds half away from zero to -2.
  qmath::quantizeMultiplier(0.5, &q, &shift);
  EXPECT_EQ(qmath::multiplyByQuantizedMultiplier(100, q, shift), 50);
  qmath::quantizeMultiplier(0.25, &q, &shift);
  EXPECT_EQ(qmath::multiplyByQuantizedMultiplier(-6, q, shift), -2);
  EXPECT_EQ(qmath::multiplyByQuantizedMultiplier(6, q, shift), 2);
  EXPECT_EQ(qmath::saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
}

TEST(Int8Runner, FixtureMatchesIndependentVectors) {
  int n = 0;
  checkVectors(SC_FIXTURE_DIR, &n);
  EXPECT_EQ(n, 4);
}

TEST(Int8Runner, DefaultModelMatchesExportVectors) {
  const std::string dir = test::repoPath("models/default");
  std::ifstream probe(dir + "/vectors/index.json");
  if (!probe) GTEST_SKIP() << "models/default/vectors not exported yet";
  int n = 0;
  checkVectors(dir, &n);
  std::printf("models/default: %d vector cases within ±1\n", n);
}

TEST(Int8Runner, RejectsCorruptAndForeignFiles) {
  auto model = host::readFile(test::fixturePath("model.tflite"));
  Int8ReferenceRunner r;
  std::string notTflite = "hello world, not a model";
  EXPECT_FALSE(r.load(reinterpret_cast<const uint8_t*>(notTflite.data()), notTflite.size()).ok);
  // Every truncation must fail cleanly (bounds-checked reader), never crash.
  for (size_t n = 0; n < model.size(); n += 97) {
    Status s = r.load(reinterpret_cast<const uint8_t*>(model.data()), n);
    EXPECT_FALSE(s.ok) << "truncated to " << n;
  }
  // Flip bytes all over: load may succeed or fail, but must not crash.
  std::string m2 = model;
  for (size_t i = 8; i < m2.size(); i += 13) m2[i] = static_cast<char>(m2[i] ^ 0x5a);
  (void)r.load(reinterpret_cast<const uint8_t*>(m2.data()), m2.size());
}

TEST(Sha256, KnownVectors) {
  char hex[65];
  Sha256::hex(reinterpret_cast<const uint8_t*>("abc"), 3, hex);
  EXPECT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256::hex(nullptr, 0, hex);
  EXPECT_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::string m(1000, 'a');
  Sha256::hex(reinterpret_cast<const uint8_t*>(m.data()), m.size(), hex);
  EXPECT_STREQ(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(ModelCheck, EmbeddedModelAgreesWithHeader) {
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  Status s = checkModelAgainstConfig(generated::kModelData, generated::kModelDataLen, r, generated::kModelConfig);
  EXPECT_TRUE(s.ok) << s.message;
}

TEST(ModelCheck, FailsLoudlyOnAnotherModel) {
  std::vector<uint8_t> other(generated::kModelData, generated::kModelData + generated::kModelDataLen);
  other[other.size() - 1] ^= 1;  // same size, different bytes
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(other.data(), other.size()).ok);
  Status s = checkModelAgainstConfig(other.data(), other.size(), r, generated::kModelConfig);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(std::string(s.message).find("sha256"), std::string::npos) << s.message;
  ModelConfig wrongShape = generated::kModelConfig;
  wrongShape.modelSha256 = "";
  wrongShape.modelBytes = generated::kModelDataLen;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  char hex[65];
  Sha256::hex(generated::kModelData, generated::kModelDataLen, hex);
  wrongShape.modelSha256 = hex;
  wrongShape.inputDim = 321;
  s = checkModelAgainstConfig(generated::kModelData, generated::kModelDataLen, r, wrongShape);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(std::string(s.message).find("321"), std::string::npos) << s.message;
}
