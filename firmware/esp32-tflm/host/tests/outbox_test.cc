// Outbox: ordering, ack, reopen, drop policy, compaction, torn tails, and durability when the
// writing process is SIGKILLed mid-write (fork + kill, several crash/restart cycles).
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include "outbox.h"

using namespace sc;

namespace {
std::string tempDir() {
  char tmpl[] = "/tmp/sc-outbox-XXXXXX";
  return mkdtemp(tmpl);
}

struct Opened {
  PosixFileStorage st;
  Outbox ob;
};

std::unique_ptr<Opened> openAt(const std::string& path, OutboxLimits lim = {}, bool sync = false) {
  auto o = std::make_unique<Opened>();
  Status s = o->st.open(path, sync);
  EXPECT_TRUE(s.ok) << s.message;
  s = o->ob.open(&o->st, lim);
  EXPECT_TRUE(s.ok) << s.message;
  return o;
}

std::string payloadOf(Outbox& ob, const OutboxEntry& e) {
  std::string p;
  EXPECT_TRUE(ob.readPayload(e, &p).ok);
  return p;
}
}  // namespace

TEST(Outbox, KeepsOrderAndSurvivesReopen) {
  const std::string path = tempDir() + "/outbox.log";
  {
    auto o = openAt(path);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "batch-" + std::to_string(i)).ok);
    OutboxEntry e;
    ASSERT_TRUE(o->ob.front(&e));
    EXPECT_EQ(payloadOf(o->ob, e), "batch-0");
    ASSERT_TRUE(o->ob.ack(e.id).ok);
    EXPECT_FALSE(o->ob.ack(e.id).ok) << "second ack of the same id must fail";
    ASSERT_TRUE(o->ob.ack(o->ob.pending()[1].id).ok);  // out-of-order ack (batch-2)
  }
  auto o = openAt(path);
  ASSERT_EQ(o->ob.pending().size(), 3u);
  EXPECT_EQ(payloadOf(o->ob, o->ob.pending()[0]), "batch-1");
  EXPECT_EQ(payloadOf(o->ob, o->ob.pending()[1]), "batch-3");
  EXPECT_EQ(payloadOf(o->ob, o->ob.pending()[2]), "batch-4");
  uint64_t id;
  ASSERT_TRUE(o->ob.push(OutboxKind::Clip, "clip", &id).ok);
  EXPECT_GT(id, o->ob.pending()[2].id) << "ids never repeat while older ones are pending";
}

TEST(Outbox, DropsOldestClipsFirstThenOldestBatches) {
  const std::string path = tempDir() + "/outbox.log";
  OutboxLimits lim;
  lim.maxPendingBytes = 100;
  auto o = openAt(path, lim);
  ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, std::string(20, 'a')).ok);
  ASSERT_TRUE(o->ob.push(OutboxKind::Clip, std::string(30, 'c')).ok);
  ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, std::string(20, 'b')).ok);
  ASSERT_TRUE(o->ob.push(OutboxKind::Clip, std::string(30, 'd')).ok);  // 100 bytes: full
  ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, std::string(20, 'e')).ok);  // drops clip 'c'
  EXPECT_EQ(o->ob.stats().droppedClips, 1u);
  ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, std::string(50, 'f')).ok);  // drops clip d, then batch a
  auto st = o->ob.stats();
  EXPECT_EQ(st.droppedClips, 2u);
  EXPECT_EQ(st.droppedBatches, 1u);
  EXPECT_LE(st.pendingBytes, 100u);
  std::string first = payloadOf(o->ob, o->ob.pending()[0]);
  EXPECT_EQ(first[0], 'b');
  EXPECT_FALSE(o->ob.push(OutboxKind::Clip, std::string(101, 'x')).ok) << "a message larger than the outbox is refused";
  o.reset();
  auto again = openAt(path, lim);
  EXPECT_EQ(again->ob.stats().droppedClips, 2u);
  EXPECT_EQ(again->ob.pending().size(), 3u);
}

TEST(Outbox, CompactsWithoutLosingPending) {
  const std::string path = tempDir() + "/outbox.log";
  OutboxLimits lim;
  lim.compactAtBytes = 2000;
  auto o = openAt(path, lim);
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "m" + std::to_string(i)).ok);
    if (i % 3 != 2) ASSERT_TRUE(o->ob.ack(o->ob.pending().front().id).ok);
  }
  EXPECT_LT(o->ob.stats().logBytes, 4000u);
  std::vector<std::string> before;
  for (auto& e : o->ob.pending()) before.push_back(payloadOf(o->ob, e));
  EXPECT_EQ(before.size(), 100u);
  o.reset();
  auto again = openAt(path, lim);
  std::vector<std::string> after;
  for (auto& e : again->ob.pending()) after.push_back(payloadOf(again->ob, e));
  EXPECT_EQ(before, after);
}

TEST(Outbox, TornTailAtEveryByteIsCutAndEarlierRecordsKept) {
  const std::string dir = tempDir();
  const std::string path = dir + "/outbox.log";
  size_t goodSize;
  {
    auto o = openAt(path);
    ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "one").ok);
    ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "two").ok);
    goodSize = o->ob.stats().logBytes;
    ASSERT_TRUE(o->ob.push(OutboxKind::Clip, std::string(64, 'z')).ok);
  }
  std::string full;
  {
    FILE* f = std::fopen(path.c_str(), "rb");
    char buf[4096];
    size_t n = std::fread(buf, 1, sizeof buf, f);
    full.assign(buf, n);
    std::fclose(f);
  }
  for (size_t cut = goodSize; cut < full.size(); ++cut) {
    const std::string p = dir + "/cut.log";
    FILE* f = std::fopen(p.c_str(), "wb");
    std::fwrite(full.data(), 1, cut, f);
    std::fclose(f);
    auto o = openAt(p);
    ASSERT_EQ(o->ob.pending().size(), 2u) << "cut at " << cut;
    EXPECT_EQ(o->ob.stats().logBytes, goodSize) << "torn tail truncated";
    ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "three").ok);
    o.reset();
    auto o2 = openAt(p);
    ASSERT_EQ(o2->ob.pending().size(), 3u);
    EXPECT_EQ(payloadOf(o2->ob, o2->ob.pending()[2]), "three");
  }
}

TEST(Outbox, CorruptRecordInTheMiddleIsSkippedNotFatal) {
  const std::string path = tempDir() + "/outbox.log";
  {
    auto o = openAt(path);
    ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "aaaa").ok);
    ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "bbbb").ok);
    ASSERT_TRUE(o->ob.push(OutboxKind::Verdicts, "cccc").ok);
  }
  // Flip a payload byte of the second record.
  const size_t rec = Outbox::kHeaderBytes + 4 + Outbox::kTrailerBytes;
  int fd = ::open(path.c_str(), O_RDWR);
  char c = 'X';
  ASSERT_EQ(::pwrite(fd, &c, 1, rec + Outbox::kHeaderBytes + 1), 1);
  ::close(fd);
  auto o = openAt(path);
  ASSERT_EQ(o->ob.pending().size(), 2u);
  EXPECT_EQ(payloadOf(o->ob, o->ob.pending()[0]), "aaaa");
  EXPECT_EQ(payloadOf(o->ob, o->ob.pending()[1]), "cccc");
  EXPECT_EQ(o->ob.stats().corruptSkippedBytes, rec);
}

// A child appends and acks in a tight loop, reporting over a pipe each operation that RETURNED
// (i.e. was durable), and announcing each ack before making it; the parent SIGKILLs it at a random moment. After every crash the log must
// open, hold every reported push that was not acked, hold no reported ack, and hold no duplicate.
TEST(Outbox, SurvivesSigkillMidWriteAcrossRestarts) {
  const std::string path = tempDir() + "/outbox.log";
  OutboxLimits lim;
  lim.compactAtBytes = 16 * 1024;  // compaction happens during the run too
  lim.maxPendingBytes = 1 << 20;   // no drops: every loss would be a bug
  std::set<uint64_t> pushed, acked, acking;
  std::map<uint64_t, std::string> content;
  for (int cycle = 0; cycle < 6; ++cycle) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      PosixFileStorage st;
      Outbox ob;
      if (!st.open(path, false).ok || !ob.open(&st, lim).ok) _exit(3);
      for (uint32_t i = 0;; ++i) {
        uint64_t id;
        std::string body = "cycle" + std::to_string(cycle) + "-msg" + std::to_string(i) + std::string(i % 50, '.');
        if (!ob.push(i % 7 == 0 ? OutboxKind::Clip : OutboxKind::Verdicts, body, &id).ok) _exit(4);
        char line[128];
        int n = std::snprintf(line, sizeof line, "P %llu %s\n", static_cast<unsigned long long>(id), body.c_str());
        if (write(fds[1], line, n) != n) _exit(5);
        if (i % 3 == 1) {
          OutboxEntry e;
          ob.front(&e);
          // Announce the ack first: if the kill lands inside ack(), the message may or may not be gone.
          n = std::snprintf(line, sizeof line, "a %llu\n", static_cast<unsigned long long>(e.id));
          if (write(fds[1], line, n) != n) _exit(5);
          if (!ob.ack(e.id).ok) _exit(6);
          n = std::snprintf(line, sizeof line, "A %llu\n", static_cast<unsigned long long>(e.id));
          if (write(fds[1], line, n) != n) _exit(5);
        }
      }
    }
    ::close(fds[1]);
    usleep(20000 + cycle * 7000);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    FILE* f = fdopen(fds[0], "r");
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      unsigned long long id;
      char body[200];
      if (std::sscanf(line, "P %llu %199s", &id, body) == 2) {
        EXPECT_TRUE(pushed.insert(id).second) << "id " << id << " reused";
        content[id] = body;
      } else if (std::sscanf(line, "A %llu", &id) == 1) {
        acked.insert(id);
      } else if (std::sscanf(line, "a %llu", &id) == 1) {
        acking.insert(id);
      }
    }
    std::fclose(f);

    auto o = openAt(path, lim);
    std::set<uint64_t> seen;
    for (const auto& e : o->ob.pending()) {
      EXPECT_TRUE(seen.insert(e.id).second) << "duplicate id " << e.id;
      EXPECT_EQ(acked.count(e.id), 0u) << "acknowledged message " << e.id << " came back";
      if (content.count(e.id)) EXPECT_EQ(payloadOf(o->ob, e), content[e.id]);
    }
    for (uint64_t id : pushed)
      if (!acked.count(id) && !acking.count(id)) EXPECT_EQ(seen.count(id), 1u) << "durable message " << id << " lost in cycle " << cycle;
  }
  EXPECT_GT(pushed.size(), 100u) << "the child should have written a fair amount";
  EXPECT_GT(acked.size(), 30u);
}
