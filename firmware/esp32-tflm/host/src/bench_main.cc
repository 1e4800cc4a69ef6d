// sc-bench: timings and memory of the device pipeline on this host, for bench/firmware.bench.ts.
// Prints one JSON object; every timing is a list with one value per run (the caller takes medians).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "device_pipeline.h"
#include "int8_reference_runner.h"
#include "model_config.h"

using namespace sc;
using Clock = std::chrono::steady_clock;

namespace {
double usSince(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

std::string list(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}
}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  if (runs < 1 || runs > 100) {
    std::fprintf(stderr, "usage: sc-bench [runs 1..100]\n");
    return 2;
  }
  const ModelConfig& cfg = generated::kModelConfig;
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.f, 0.1f);
  const int seconds = 10;
  std::vector<int16_t> pcm(static_cast<size_t>(cfg.frontend.sampleRate) * seconds);
  for (size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<int16_t>(std::lround(32767 * std::tanh(0.3 * std::sin(2 * M_PI * 120 * i / 16000.0) + nd(rng))));
  std::vector<float> frame(cfg.frontend.frameLength), mel(cfg.frontend.nMels);
  for (int i = 0; i < cfg.frontend.frameLength; ++i) frame[i] = pcm[i] / 32768.f;

  LogMel lm;
  if (!lm.init(cfg.frontend).ok) return 1;
  Int8ReferenceRunner runner;
  if (!runner.load(generated::kModelData, generated::kModelDataLen).ok) return 1;
  size_t macs = 0;
  for (const auto& op : runner.ops()) macs += static_cast<size_t>(op.inDepth) * op.outDepth;

  std::vector<double> frameUs, inferUs, realtime, adpcmUs;
  for (int r = 0; r < runs; ++r) {
    const int reps = 2000;
    auto t0 = Clock::now();
    for (int k = 0; k < reps; ++k) lm.compute(frame.data(), mel.data());
    frameUs.push_back(usSince(t0) / reps);

    t0 = Clock::now();
    for (int k = 0; k < reps; ++k) runner.invoke();
    inferUs.push_back(usSince(t0) / reps);

    char dir[] = "/tmp/sc-bench-XXXXXX";
    const std::string d = mkdtemp(dir);
    PosixFileStorage st;
    Outbox ob;
    st.open(d + "/outbox.log", false);
    ob.open(&st, OutboxLimits{});
    DeviceOptions o;
    o.identity = {"bench", "0123456789abcdef"};
    o.verdict.learningWindows = 0;
    o.clip.minIntervalMs = 0;
    o.clipBandLow = 0;
    o.clipBandHigh = 1e9;  // a clip every time the rate limit allows: worst case
    DevicePipeline dev;
    if (!dev.init(cfg, &runner, &ob, o, 0).ok) return 1;
    t0 = Clock::now();
    for (size_t i = 0; i < pcm.size(); i += 320) dev.pushPcm(&pcm[i], std::min<size_t>(320, pcm.size() - i));
    realtime.push_back(seconds * 1e6 / usSince(t0));
    if (r == 0) {
      const auto m = dev.memory();
      std::printf("{\"model\":\"%s\",\"modelBytes\":%u,\"cardArenaBytes\":%u,\"activationBytes\":%zu,\"macsPerInference\":%zu,", cfg.modelName,
                  cfg.modelBytes, cfg.arenaBytes, runner.arenaUsedBytes(), macs);
      std::printf("\"melMacsPerFrame\":%zu,\"fftSize\":%d,\"framesPerSecond\":%.4f,", lm.melMacs(), cfg.frontend.fftSize,
                  cfg.frontend.sampleRate / static_cast<double>(cfg.frontend.hop));
      std::printf("\"memory\":{\"frontend\":%zu,\"scorer\":%zu,\"clipRing\":%zu,\"fsm\":%zu,\"batch\":%zu,\"pcm\":%zu,\"total\":%zu},",
                  m.frontend, m.scorer, m.clipRing, m.fsm, m.batch, m.pcm, m.total());
    }
    std::vector<uint8_t> enc(adpcm::encodedBytes(pcm.size()));
    t0 = Clock::now();
    adpcm::encode(pcm.data(), pcm.size(), enc.data());
    adpcmUs.push_back(usSince(t0) / seconds);
    unlink((d + "/outbox.log").c_str());
    rmdir(d.c_str());
  }
  std::printf("\"frameUs\":%s,\"inferenceUs\":%s,\"realtimeFactor\":%s,\"adpcmUsPerSecond\":%s}\n", list(frameUs).c_str(),
              list(inferUs).c_str(), list(realtime).c_str(), list(adpcmUs).c_str());
  return 0;
}
