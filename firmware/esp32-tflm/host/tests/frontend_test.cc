// Front end: FFT and log-mel against a double-precision DFT reference written from contract A,
// streaming == batch framing, and parity with the TypeScript golden vectors (models/frontend-golden).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "logmel.h"
#include "model_config.h"
#include "test_util.h"

using namespace sc;

namespace {
const FrontendParams kFe = generated::kModelConfig.frontend;

// Contract A, literally, in double precision with an O(N^2) DFT.
std::vector<double> referenceLogMel(const float* frame, const FrontendParams& p) {
  const int nBins = p.fftSize / 2 + 1;
  std::vector<double> power(nBins);
  for (int k = 0; k < nBins; ++k) {
    double re = 0, im = 0;
    for (int n = 0; n < p.frameLength; ++n) {
      const double w = 0.5 - 0.5 * std::cos(2 * M_PI * n / p.frameLength);
      const double a = -2 * M_PI * k * n / p.fftSize;
      re += frame[n] * w * std::cos(a);
      im += frame[n] * w * std::sin(a);
    }
    power[k] = re * re + im * im;
  }
  auto mel = [](double f) { return 2595 * std::log10(1 + f / 700); };
  auto hz = [](double m) { return 700 * (std::pow(10, m / 2595) - 1); };
  std::vector<double> out(p.nMels);
  for (int m = 0; m < p.nMels; ++m) {
    const double lo = hz(mel(p.fmin) + (mel(p.fmax) - mel(p.fmin)) * m / (p.nMels + 1));
    const double c = hz(mel(p.fmin) + (mel(p.fmax) - mel(p.fmin)) * (m + 1) / (p.nMels + 1));
    const double hi = hz(mel(p.fmin) + (mel(p.fmax) - mel(p.fmin)) * (m + 2) / (p.nMels + 1));
    double acc = 0;
    for (int k = 0; k < nBins; ++k) {
      const double f = double(k) * p.sampleRate / p.fftSize;
      acc += std::max(0.0, std::min((f - lo) / (c - lo), (hi - f) / (hi - c))) * power[k];
    }
    out[m] = 10 * std::log10(std::max(acc, double(p.logFloor)));
  }
  return out;
}
}  // namespace

TEST(RealFft, MatchesDirectDft) {
  RealFft fft;
  ASSERT_TRUE(fft.init(256).ok);
  auto x = test::noise(256, 7);
  std::vector<float> p(129);
  fft.power(x.data(), p.data());
  double maxP = 0, maxErr = 0;
  for (int k = 0; k <= 128; ++k) {
    double re = 0, im = 0;
    for (int n = 0; n < 256; ++n) {
      re += x[n] * std::cos(-2 * M_PI * k * n / 256);
      im += x[n] * std::sin(-2 * M_PI * k * n / 256);
    }
    const double ref = re * re + im * im;
    maxP = std::max(maxP, ref);
    maxErr = std::max(maxErr, std::fabs(ref - p[k]));
  }
  EXPECT_LT(maxErr / maxP, 1e-5);
}

TEST(RealFft, RejectsNonPowerOfTwo) {
  RealFft fft;
  Status s = fft.init(1000);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(std::string(s.message).find("1000"), std::string::npos);
}

TEST(LogMel, FilterbankHasUnitPeakTrianglesCoveringEveryBand) {
  LogMel lm;
  ASSERT_TRUE(lm.init(kFe).ok);
  auto fb = lm.denseFilterbank();
  const int nBins = kFe.fftSize / 2 + 1;
  for (int m = 0; m < kFe.nMels; ++m) {
    float peak = 0;
    for (int k = 0; k < nBins; ++k) peak = std::max(peak, fb[m * nBins + k]);
    EXPECT_GT(peak, 0.3f) << "band " << m << " is (nearly) empty";
    EXPECT_LE(peak, 1.0f + 1e-6f);
  }
}

TEST(LogMel, MatchesDoublePrecisionReferenceWithin0p01dB) {
  LogMel lm;
  ASSERT_TRUE(lm.init(kFe).ok);
  auto x = test::noise(kFe.frameLength, 3, 0.2f);
  // Add a tone and a quiet band so the check covers a wide dynamic range.
  for (int n = 0; n < kFe.frameLength; ++n) x[n] = 0.01f * x[n] + 0.5f * std::sin(2 * M_PI * 440 * n / kFe.sampleRate);
  std::vector<float> out(kFe.nMels);
  lm.compute(x.data(), out.data());
  auto ref = referenceLogMel(x.data(), kFe);
  double worst = 0;
  for (int m = 0; m < kFe.nMels; ++m) worst = std::max(worst, std::fabs(out[m] - ref[m]));
  EXPECT_LT(worst, 0.01) << "max |C++ float - double reference| in dB";
}

TEST(LogMel, SilenceHitsTheLogFloor) {
  LogMel lm;
  ASSERT_TRUE(lm.init(kFe).ok);
  std::vector<float> z(kFe.frameLength, 0.f), out(kFe.nMels);
  lm.compute(z.data(), out.data());
  for (float v : out) EXPECT_FLOAT_EQ(v, 10.f * std::log10(kFe.logFloor));
}

TEST(LogMelStream, GivesTheBatchFramesForAnyChunking) {
  const size_t N = kFe.frameLength * 3 + 700;  // -> 1 + floor((N - L) / hop) frames
  const int expected = 1 + static_cast<int>((N - kFe.frameLength) / kFe.hop);
  auto x = test::noise(N, 11);
  LogMel lm;
  ASSERT_TRUE(lm.init(kFe).ok);
  std::vector<float> batch;
  std::vector<float> out(kFe.nMels);
  for (int f = 0; f < expected; ++f) {
    lm.compute(x.data() + static_cast<size_t>(f) * kFe.hop, out.data());
    batch.insert(batch.end(), out.begin(), out.end());
  }
  for (size_t chunk : {size_t(1), size_t(160), size_t(513), N}) {
    LogMelStream s;
    ASSERT_TRUE(s.init(kFe).ok);
    std::vector<float> got;
    for (size_t i = 0; i < N; i += chunk)
      s.push(x.data() + i, std::min(chunk, N - i), [&](const float* mel) { got.insert(got.end(), mel, mel + kFe.nMels); });
    ASSERT_EQ(got.size(), batch.size()) << "chunk " << chunk;
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], batch[i]) << "chunk " << chunk << " value " << i;
  }
}

TEST(LogMelStream, ShortInputGivesNoFrames) {
  LogMelStream s;
  ASSERT_TRUE(s.init(kFe).ok);
  auto x = test::noise(kFe.frameLength - 1, 1);
  int n = 0;
  s.push(x.data(), x.size(), [&](const float*) { ++n; });
  EXPECT_EQ(n, 0);
}

// Parity with the TypeScript reference: the frontend engineer's golden vectors (contract A).
TEST(FrontendGolden, MatchesTypeScriptReference) {
  const std::string dir = test::repoPath("models/frontend-golden");
  std::ifstream probe(dir + "/index.json");
  if (!probe) GTEST_SKIP() << "models/frontend-golden/index.json not present yet";
  auto index = host::Json::parse(host::readFile(dir + "/index.json"));
  const auto& cases = index["cases"];
  ASSERT_GT(cases.size(), 0u);
  LogMelStream s;
  ASSERT_TRUE(s.init(kFe).ok);
  for (size_t c = 0; c < cases.size(); ++c) {
    const auto& cs = cases[c];
    auto pcm16 = test::readBinary<int16_t>(dir + "/" + cs["pcmFile"].string());
    auto want = test::readBinary<float>(dir + "/" + cs["featuresFile"].string());
    const int frames = static_cast<int>(cs["frames"].number());
    const int nMels = static_cast<int>(cs["nMels"].number());
    const double tol = cs["tolerance"].number(0.01);
    ASSERT_EQ(nMels, kFe.nMels) << cs["name"].string();
    ASSERT_EQ(want.size(), static_cast<size_t>(frames) * nMels) << cs["name"].string();
    std::vector<float> pcm(pcm16.size());
    for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = pcm16[i] / 32768.f;
    s.reset();
    std::vector<float> got;
    s.push(pcm.data(), pcm.size(), [&](const float* mel) { got.insert(got.end(), mel, mel + nMels); });
    ASSERT_EQ(got.size(), want.size()) << cs["name"].string() << ": frame count";
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(double(got[i]) - want[i]));
    EXPECT_LE(worst, tol) << cs["name"].string() << ": max abs diff " << worst << " dB";
    RecordProperty(cs["name"].string() + "_maxAbsDiffDb", std::to_string(worst));
    std::printf("golden %s: %d frames, max |diff| %.6f dB (tolerance %g)\n", cs["name"].string().c_str(), frames, worst, tol);
  }
}
