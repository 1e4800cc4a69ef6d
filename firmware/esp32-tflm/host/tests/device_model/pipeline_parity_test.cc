// The compiled-in device model (models/default when exported) against the export's own vectors:
// single inputs through the runner (±1 LSB), and the whole pipeline — int16 PCM through the C++
// front end, pre-processing, quantisation, runner and score — against the TypeScript path's
// quantised inputs and window scores (vectors/index.json "pipeline").
#include <gtest/gtest.h>

#include <fstream>

#include "anomaly_scorer.h"
#include "int8_reference_runner.h"
#include "logmel.h"
#include "model_check.h"
#include "model_config.h"
#include "test_util.h"

using namespace sc;

namespace {
const std::string kDir = SC_MODEL_DIR;
bool havePipeline() {
  std::ifstream f(kDir + "/vectors/index.json");
  if (!f) return false;
  return host::Json::parse(host::readFile(kDir + "/vectors/index.json")).has("pipeline");
}
}  // namespace

TEST(DeviceModel, EmbeddedModelMatchesHeaderAndFile) {
  Int8ReferenceRunner r;
  Status s = r.load(generated::kModelData, generated::kModelDataLen);
  ASSERT_TRUE(s.ok) << s.message;
  s = checkModelAgainstConfig(generated::kModelData, generated::kModelDataLen, r, generated::kModelConfig);
  EXPECT_TRUE(s.ok) << s.message;
  std::string file = host::readFile(kDir + "/model.tflite");
  EXPECT_EQ(file.size(), generated::kModelDataLen);
  EXPECT_EQ(std::memcmp(file.data(), generated::kModelData, file.size()), 0);
  std::printf("device model %s: %u bytes, activations %zu bytes, %zu FC ops\n", generated::kModelConfig.modelName,
              generated::kModelDataLen, r.arenaUsedBytes(), r.ops().size());
}

TEST(DeviceModel, VectorsWithinOneLsb) {
  auto index = host::Json::parse(host::readFile(kDir + "/vectors/index.json"));
  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  const auto& cases = index["cases"];
  ASSERT_GT(cases.size(), 0u);
  int worstAll = 0;
  for (size_t c = 0; c < cases.size(); ++c) {
    auto in = test::readBinary<int8_t>(kDir + "/vectors/" + cases[c]["inputFile"].string());
    auto want = test::readBinary<int8_t>(kDir + "/vectors/" + cases[c]["outputFile"].string());
    ASSERT_EQ(in.size(), static_cast<size_t>(r.inputInfo().elements()));
    ASSERT_EQ(want.size(), static_cast<size_t>(r.outputInfo().elements()));
    std::memcpy(r.input(), in.data(), in.size());
    ASSERT_TRUE(r.invoke().ok);
    for (size_t i = 0; i < want.size(); ++i) worstAll = std::max(worstAll, std::abs(int(r.output()[i]) - int(want[i])));
  }
  EXPECT_LE(worstAll, 1);
  std::printf("%zu vector cases, max |diff| %d LSB\n", cases.size(), worstAll);
}

TEST(DeviceModel, PipelineParityWithTypeScript) {
  if (!havePipeline()) GTEST_SKIP() << kDir << "/vectors/index.json has no pipeline case (fixture model)";
  auto index = host::Json::parse(host::readFile(kDir + "/vectors/index.json"));
  const auto& p = index["pipeline"];
  const ModelConfig& cfg = generated::kModelConfig;
  ASSERT_EQ(static_cast<int>(p["windowFrames"].number()), cfg.windowFrames);
  auto pcm16 = test::readBinary<int16_t>(kDir + "/vectors/" + p["pcmFile"].string());
  auto wantInputs = test::readBinary<int8_t>(kDir + "/vectors/" + p["inputsFile"].string());
  const size_t D = static_cast<size_t>(cfg.inputDim);
  const size_t nInputs = static_cast<size_t>(p["inputs"].number());
  ASSERT_EQ(wantInputs.size(), nInputs * D);

  Int8ReferenceRunner r;
  ASSERT_TRUE(r.load(generated::kModelData, generated::kModelDataLen).ok);
  AnomalyScorer scorer;
  ASSERT_TRUE(scorer.init(cfg, &r).ok);
  LogMelStream stream;
  ASSERT_TRUE(stream.init(cfg.frontend).ok);
  std::vector<float> errors, windows;
  int worstLsb = 0;
  size_t inputIdx = 0, frames = 0, lsbDiffs = 0;
  for (int16_t s : pcm16) {
    const float x = s / 32768.f;
    stream.push(&x, 1, [&](const float* mel) {
      ++frames;
      float w;
      const bool done = scorer.pushFrame(mel, &w);
      if (scorer.inputReady()) {
        if (inputIdx < nInputs) {
          for (size_t i = 0; i < D; ++i) {
            const int diff = std::abs(int(r.input()[i]) - int(wantInputs[inputIdx * D + i]));
            worstLsb = std::max(worstLsb, diff);
            lsbDiffs += diff != 0;
          }
        }
        ++inputIdx;
        errors.push_back(scorer.lastInputError());
      }
      if (done) windows.push_back(w);
    });
  }
  EXPECT_EQ(frames, static_cast<size_t>(p["frames"].number()));
  EXPECT_EQ(inputIdx, nInputs);
  EXPECT_LE(worstLsb, static_cast<int>(p["tolerance"]["inputLsb"].number(1)));
  const double rel = p["tolerance"]["scoreRelative"].number(0.01);
  // Per input error (int8 path), as the TS export computed it.
  const auto& wantE = p["errors"];
  ASSERT_EQ(wantE.size(), errors.size());
  double worstErrRel = 0;
  for (size_t i = 0; i < errors.size(); ++i) {
    const double want = wantE[i].number();
    worstErrRel = std::max(worstErrRel, std::fabs(errors[i] - want) / std::max(1e-9, std::fabs(want)));
  }
  EXPECT_LE(worstErrRel, rel);
  // Window scores. The device scores whole windows only; the TS reference makes one partial
  // window of a clip shorter than windowFrames inputs. For "input-mse" that is the mean of the
  // input errors compared above; exports since score kinds carry at least two whole windows.
  const auto& wantW = p["windowScores"];
  if (nInputs < static_cast<size_t>(cfg.windowFrames)) {
    ASSERT_EQ(cfg.scoreKind, ScoreKind::kInputMse) << "the pipeline case needs whole windows for this score kind";
    ASSERT_EQ(windows.size(), 0u);
    ASSERT_EQ(wantW.size(), 1u);
    double sum = 0;
    for (float e : errors) sum += e;
    windows.push_back(static_cast<float>(sum / errors.size()));
  }
  ASSERT_EQ(windows.size(), wantW.size());
  double worstRel = 0;
  for (size_t i = 0; i < windows.size(); ++i) {
    const double want = wantW[i].number();
    worstRel = std::max(worstRel, std::fabs(windows[i] - want) / std::max(1e-9, std::fabs(want)));
  }
  EXPECT_LE(worstRel, rel);
  std::printf(
      "pipeline parity (%s, poolFrames %d%s): %zu frames, %zu inputs (max %d LSB, %zu of %zu values differ), input errors max rel diff %.2e, "
      "%zu windows (max rel diff %.2e, tolerance %.0e)\n",
      cfg.modelName, cfg.poolFrames, cfg.stdFrame ? " + std frame" : "", frames, inputIdx, worstLsb, lsbDiffs, nInputs * D, worstErrRel,
      windows.size(), worstRel, rel);
}
