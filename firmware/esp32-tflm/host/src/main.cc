// signalcraft-device: the Signalcraft ESP32 firmware's decision path running on Linux.
// WAV/stdin PCM -> log-mel -> int8 model -> verdicts -> outbox file -> protocol messages
// (stdout JSON lines, or POSTed to the cloud). Also speaks Improv on a pty/serial/stdio.
// See firmware/esp32-tflm/README.md ("Host device") for the CLI.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "device_pipeline.h"
#include "improv_host.h"
#include "int8_reference_runner.h"
#include "json.h"
#include "model_check.h"
#include "model_config.h"
#include "outbox.h"
#include "sha256.h"
#include "settings.h"
#include "uplink.h"
#include "wav.h"

using namespace sc;

namespace {
const char* kUsage = R"(usage:
  signalcraft-device (--wav FILE | --stdin) --outbox DIR [options]
  signalcraft-device (--improv PORT | --improv-stdio) --settings FILE [--exit-after-provision]
  signalcraft-device --info

audio mode:
  --wav FILE               16 kHz WAV (PCM 8/16/24/32-bit or float32; channels are averaged)
  --stdin                  raw int16 little-endian mono 16 kHz PCM on stdin
  --outbox DIR             outbox directory (created; outbox.log + baseline.bin survive restarts)
  --device-id ID           protocol deviceId (default: settings deviceId, else "host-device")
  --boot-id HEX            8-32 hex (default: random per run, like a reboot)
  --url http://H:P         POST messages to the cloud (contract E routes); default: JSON lines on stdout
  --token T                device token (Authorization: Bearer)
  --settings FILE          provisioning settings (cloudUrl/token/deviceId used when flags are absent)
  --model DIR | --card DIR load DIR/model.tflite instead of the compiled-in model (must match the
                           generated header: same sha256, else exit 3)
  --realtime               pace the audio at real time (for the fleet simulator)
  --start-ms MS            epoch ms of the first sample (default: now)
  --batch-windows N        reported windows per verdict batch, 1..120 (default 60)
  --report-every N         report one window (max score, worst state) per N scored windows
                           (default 1; the ESP32 uses the card's reportingCadenceS)
  --learning-windows N     baseline-learning windows after install (default 3600; 0 = card thresholds)
  --clip-interval-s S      minimum seconds between borderline clips (default 900)
  --clip-pre-s S, --clip-post-s S   seconds kept before/after the trigger (default 4 / 2)
  --no-clips               never upload clips
  --clip-band LOW,HIGH     capture clips for window scores in [LOW, HIGH) instead of the
                           borderline band (field tuning, tests)
  --events                 print each window's score/state to stderr
)";

struct Args {
  std::string wav, outbox, deviceId, bootId, url, token, settings, modelDir, improvPort;
  bool useStdin = false, realtime = false, events = false, noClips = false, improv = false, improvStdio = false,
       exitAfterProvision = false, info = false;
  long long startMs = -1;
  int batchWindows = 60, learningWindows = 3600, reportEvery = 1;
  double clipIntervalS = 900, clipPre = 4, clipPost = 2, clipLow = 0, clipHigh = 0;
};

[[noreturn]] void usageError(const std::string& msg) {
  std::fprintf(stderr, "signalcraft-device: %s\n\n%s", msg.c_str(), kUsage);
  std::exit(2);
}

double numberArg(const std::string& flag, const char* v, double lo, double hi) {
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (!*v || *end || !(d >= lo && d <= hi)) usageError(flag + " must be a number in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" + v + "'");
  return d;
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) usageError(f + " needs a value");
      return argv[++i];
    };
    if (f == "--wav") a.wav = val();
    else if (f == "--stdin") a.useStdin = true;
    else if (f == "--outbox") a.outbox = val();
    else if (f == "--device-id") a.deviceId = val();
    else if (f == "--boot-id") a.bootId = val();
    else if (f == "--url") a.url = val();
    else if (f == "--token") a.token = val();
    else if (f == "--settings") a.settings = val();
    else if (f == "--model" || f == "--card") a.modelDir = val();
    else if (f == "--realtime") a.realtime = true;
    else if (f == "--events") a.events = true;
    else if (f == "--no-clips") a.noClips = true;
    else if (f == "--start-ms") a.startMs = static_cast<long long>(numberArg(f, val(), 0, 8.64e15));
    else if (f == "--batch-windows") a.batchWindows = static_cast<int>(numberArg(f, val(), 1, 120));
    else if (f == "--report-every") a.reportEvery = static_cast<int>(numberArg(f, val(), 1, 3600));
    else if (f == "--learning-windows") a.learningWindows = static_cast<int>(numberArg(f, val(), 0, 1e7));
    else if (f == "--clip-interval-s") a.clipIntervalS = numberArg(f, val(), 0, 1e7);
    else if (f == "--clip-pre-s") a.clipPre = numberArg(f, val(), 0, 10);
    else if (f == "--clip-post-s") a.clipPost = numberArg(f, val(), 0, 10);
    else if (f == "--clip-band") {
      const std::string v = val();
      const size_t comma = v.find(',');
      if (comma == std::string::npos) usageError("--clip-band needs LOW,HIGH");
      a.clipLow = numberArg(f, v.substr(0, comma).c_str(), 0, 1e6);
      a.clipHigh = numberArg(f, v.substr(comma + 1).c_str(), 0, 1e6);
      if (!(a.clipLow < a.clipHigh)) usageError("--clip-band needs LOW < HIGH");
    }
    else if (f == "--improv") { a.improv = true; a.improvPort = val(); }
    else if (f == "--improv-stdio") a.improvStdio = true;
    else if (f == "--exit-after-provision") a.exitAfterProvision = true;
    else if (f == "--info") a.info = true;
    else if (f == "--help" || f == "-h") { std::fputs(kUsage, stdout); std::exit(0); }
    else usageError("unknown flag " + f);
  }
  return a;
}

uint64_t nowEpochMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

uint64_t random64() {
  uint64_t r = 0;
  int fd = ::open("/dev/urandom", O_RDONLY);
  if (fd >= 0) {
    if (::read(fd, &r, sizeof r) != sizeof r) r = 0;
    ::close(fd);
  }
  return r ? r : nowEpochMs() * 2654435761u;
}

void loadBaseline(const std::string& path, VerdictFsm& fsm, uint32_t tag) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return;
  BaselineRecord r;
  if (std::fread(&r, sizeof r, 1, f) == 1 && fsm.restore(r, tag)) std::fprintf(stderr, "baseline restored: alert %.4g\n", r.alert);
  std::fclose(f);
}

void saveBaseline(const std::string& path, const VerdictFsm& fsm) {
  if (!fsm.learned()) return;
  const BaselineRecord r = fsm.baseline();
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return;
  const bool ok = std::fwrite(&r, sizeof r, 1, f) == 1;
  std::fclose(f);
  if (ok) std::rename(tmp.c_str(), path.c_str());
}
}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  const ModelConfig& cfg = generated::kModelConfig;
  if (a.info) {
    std::printf(
        "{\"model\":\"%s\",\"sha256\":\"%s\",\"modelBytes\":%u,\"inputDim\":%d,\"windowFrames\":%d,\"poolFrames\":%d,"
        "\"stdFrame\":%s,\"inputSpanFrames\":%d,\"alert\":%g,\"borderlineLow\":%g,\"learnMin\":%g,\"learnMax\":%g}\n",
        cfg.modelName, cfg.modelSha256, cfg.modelBytes, cfg.inputDim, cfg.windowFrames, cfg.poolFrames,
        cfg.stdFrame ? "true" : "false", cfg.inputSpanFrames(), cfg.thresholds.alert, cfg.thresholds.borderlineLow,
        cfg.thresholds.learnMinAlert, cfg.thresholds.learnMaxAlert);
    return 0;
  }
  if (a.improv || a.improvStdio) {
    if (a.settings.empty()) usageError("Improv mode needs --settings FILE to persist what it is told");
    return host::runImprov(a.improvStdio ? "" : a.improvPort, a.settings, a.exitAfterProvision);
  }
  if (a.wav.empty() == !a.useStdin) usageError("give exactly one of --wav FILE or --stdin");
  if (a.outbox.empty()) usageError("--outbox DIR is required");

  try {
    host::Settings st;
    if (!a.settings.empty()) st = host::loadSettings(a.settings);
    if (a.url.empty()) a.url = st.cloudUrl.rfind("http://", 0) == 0 ? st.cloudUrl : a.url;
    if (a.token.empty()) a.token = st.token;
    if (a.deviceId.empty()) a.deviceId = st.deviceId.empty() ? "host-device" : st.deviceId;
    if (a.bootId.empty()) a.bootId = protocol::bootIdFromRandom(random64());
    if (!a.url.empty() && a.token.empty()) usageError("--url needs --token (or a provisioned --settings file)");

    // The model: compiled in, or loaded from --model DIR; either way it must match the header.
    std::string modelBytes;
    const uint8_t* model = generated::kModelData;
    size_t modelLen = generated::kModelDataLen;
    if (!a.modelDir.empty()) {
      // The card next to the model must be the one the header was generated from.
      const host::Json card = host::Json::parse(host::readFile(a.modelDir + "/card.json"));
      if (card["sha256"].string() != cfg.modelSha256) {
        std::fprintf(stderr, "signalcraft-device: %s/card.json is for model %.12s…, this build's header for %.12s… (rebuild with -DSC_MODEL_OVERRIDE=%s)\n",
                     a.modelDir.c_str(), card["sha256"].string().c_str(), cfg.modelSha256, a.modelDir.c_str());
        return 3;
      }
      modelBytes = host::readFile(a.modelDir + "/model.tflite");
      model = reinterpret_cast<const uint8_t*>(modelBytes.data());
      modelLen = modelBytes.size();
    }
    Int8ReferenceRunner runner;
    Status s = runner.load(model, modelLen);
    if (s.ok) s = checkModelAgainstConfig(model, modelLen, runner, cfg);
    if (!s.ok) {
      std::fprintf(stderr, "signalcraft-device: model rejected: %s\n", s.message);
      return 3;
    }
    std::fprintf(stderr, "model %s (%u bytes, sha256 %.12s), runner %s, activations %zu bytes\n", cfg.modelName, cfg.modelBytes,
                 cfg.modelSha256, runner.name(), runner.arenaUsedBytes());

    if (::mkdir(a.outbox.c_str(), 0755) != 0 && errno != EEXIST) throw std::runtime_error("cannot create outbox dir " + a.outbox);
    PosixFileStorage storage;
    s = storage.open(a.outbox + "/outbox.log", true);
    Outbox outbox;
    if (s.ok) s = outbox.open(&storage, OutboxLimits{});
    if (!s.ok) throw std::runtime_error(s.message);
    const OutboxStats before = outbox.stats();
    if (before.pending) std::fprintf(stderr, "outbox: %zu messages pending from earlier runs\n", before.pending);

    DeviceOptions opt;
    opt.identity = {a.deviceId, a.bootId};
    opt.batchWindows = a.batchWindows;
    opt.reportEvery = a.reportEvery;
    opt.verdict.learningWindows = a.learningWindows;
    opt.clip.preSeconds = static_cast<float>(a.clipPre);
    opt.clip.postSeconds = static_cast<float>(a.clipPost);
    opt.clip.minIntervalMs = static_cast<uint32_t>(a.clipIntervalS * 1000);
    opt.clipsEnabled = !a.noClips;
    opt.keepEvents = a.events;
    opt.clipBandLow = static_cast<float>(a.clipLow);
    opt.clipBandHigh = static_cast<float>(a.clipHigh);
    const uint64_t startMs = a.startMs >= 0 ? static_cast<uint64_t>(a.startMs) : nowEpochMs();
    DevicePipeline dev;
    s = dev.init(cfg, &runner, &outbox, opt, startMs);
    if (!s.ok) usageError(s.message);
    const std::string baselinePath = a.outbox + "/baseline.bin";
    loadBaseline(baselinePath, dev.fsm(), modelTag(cfg.modelSha256));

    host::Uplink up;
    up.init(a.url, a.token, stdout);

    std::vector<int16_t> audio;
    if (!a.wav.empty()) {
      host::WavAudio w = host::readWav(a.wav);
      if (w.sampleRate != cfg.frontend.sampleRate)
        throw std::runtime_error(a.wav + ": sample rate " + std::to_string(w.sampleRate) + " Hz, the device runs at " +
                                 std::to_string(cfg.frontend.sampleRate) + " Hz (resample it first)");
      audio = std::move(w.mono);
    }
    const size_t chunk = static_cast<size_t>(cfg.frontend.sampleRate / 10);  // 100 ms, like an I2S read
    std::vector<int16_t> buf(chunk);
    size_t pos = 0;
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t fed = 0;
    bool wasLearned = dev.fsm().learned();
    auto heartbeatNow = [&](uint64_t fedSamples) {
      protocol::HeartbeatInfo hb{static_cast<uint32_t>(fedSamples / cfg.frontend.sampleRate), "signalcraft-host/0.1.0", cfg.modelSha256, 1, -1,
                                 static_cast<int64_t>(outbox.stats().pending), dev.lastSeq()};
      hb.alert = dev.fsm().alert();
      hb.borderlineLow = dev.fsm().borderlineLow();
      hb.learned = dev.fsm().learned();
      up.heartbeat(protocol::heartbeat(opt.identity, hb));
    };
    auto lastHeartbeat = std::chrono::steady_clock::now();
    while (true) {
      size_t n;
      if (a.useStdin) {
        uint8_t raw[2 * 1600];
        ssize_t got = ::read(0, raw, chunk * 2);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        n = static_cast<size_t>(got) / 2;
        std::memcpy(buf.data(), raw, n * 2);
      } else {
        if (pos >= audio.size()) break;
        n = std::min(chunk, audio.size() - pos);
        std::memcpy(buf.data(), audio.data() + pos, n * 2);
        pos += n;
      }
      s = dev.pushPcm(buf.data(), n);
      if (!s.ok) std::fprintf(stderr, "outbox: %s\n", s.message);
      fed += n;
      if (a.events)
        for (const auto& e : dev.recentEvents())
          std::fprintf(stderr, "window t=%llu score=%.4f smoothed=%.4f state=%s level=%.1f%s\n", static_cast<unsigned long long>(e.t),
                       e.score, e.verdict.smoothed, stateName(e.verdict.state), e.levelDb, e.clipArmed ? " clip" : "");
      dev.clearEvents();
      if (!wasLearned && dev.fsm().learned()) {
        saveBaseline(baselinePath, dev.fsm());
        std::fprintf(stderr, "baseline learned: alert %.4g, borderline %.4g\n", dev.fsm().alert(), dev.fsm().borderlineLow());
        wasLearned = true;
        // Tell the cloud at once: from now on this machine is judged by its own thresholds.
        if (!a.url.empty()) heartbeatNow(fed);
      }
      const uint64_t audioMs = startMs + fed * 1000 / cfg.frontend.sampleRate;
      if (outbox.stats().pending) up.drain(outbox, a.realtime ? nowEpochMs() : audioMs);
      if (a.realtime) {
        std::this_thread::sleep_until(t0 + std::chrono::milliseconds(fed * 1000 / cfg.frontend.sampleRate));
        // A long-running simulated device also reports liveness, like the ESP32 (every 60 s).
        if (!a.url.empty() && std::chrono::steady_clock::now() - lastHeartbeat > std::chrono::seconds(60)) {
          heartbeatNow(fed);
          lastHeartbeat = std::chrono::steady_clock::now();
        }
      }
    }
    s = dev.flush();
    if (!s.ok) std::fprintf(stderr, "outbox: %s\n", s.message);
    const uint64_t endMs = a.realtime ? nowEpochMs() : startMs + fed * 1000 / cfg.frontend.sampleRate;
    bool drained = up.drain(outbox, endMs);
    for (int attempt = 0; !drained && !up.unauthorized() && !a.url.empty() && attempt < 3; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300 << attempt));
      drained = up.drain(outbox, endMs);
    }
    heartbeatNow(fed);
    saveBaseline(baselinePath, dev.fsm());
    const OutboxStats os = outbox.stats();
    std::fprintf(stderr,
                 "summary: %.1f s audio, %u windows (%u reported), state %s, last seq %u, sent %u (dup %u, rejected %u), pending %zu, dropped "
                 "clips %u batches %u%s%s\n",
                 fed / static_cast<double>(cfg.frontend.sampleRate), dev.windowsSeen(), dev.windowsReported(), stateName(dev.fsm().state()), dev.lastSeq(),
                 up.stats().sent, up.stats().duplicates, up.stats().rejected, os.pending, os.droppedClips, os.droppedBatches,
                 up.stats().lastError.empty() ? "" : ", last error: ", up.stats().lastError.c_str());
    if (up.unauthorized()) {
      std::fprintf(stderr, "signalcraft-device: the cloud refused the device token (401/403); messages stay in the outbox\n");
      return 4;
    }
    return 0;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "signalcraft-device: %s\n", ex.what());
    return 1;
  }
}
