// SPDX-License-Identifier: GPL-2.0-or-later
// Snapshot of N modules from a fixture tree (N = 100, 1,000, 10,000): the cost must grow
// linearly with N (Google Benchmark fits the complexity). The side-by-side with lsmod on the
// same modules runs in the lab on a real kernel: bench/lsmod_vs_snapshot.sh.
#include "snapshot/snapshotreader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

#include <map>
#include <memory>

using namespace kmr;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(data);
}

// A tree shaped like a real system: every fifth module holds the one before it.
QString makeTree(int n)
{
    static std::map<int, std::unique_ptr<QTemporaryDir>> trees;
    auto &dir = trees[n];
    if (dir)
        return dir->path();
    dir = std::make_unique<QTemporaryDir>();
    const QString root = dir->path();
    QDir(root).mkpath(QStringLiteral("proc/sys/kernel"));
    writeFile(root + QStringLiteral("/proc/sys/kernel/osrelease"), "6.12.117+deb12-amd64\n");
    writeFile(root + QStringLiteral("/proc/sys/kernel/tainted"), "12288\n");
    writeFile(root + QStringLiteral("/proc/version"),
        "Linux version 6.12.117+deb12-amd64 (x@y) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld 2.40) #1 SMP\n");
    QByteArray procModules;
    for (int i = 0; i < n; ++i) {
        const QByteArray name = "mod" + QByteArray::number(i);
        const bool held = i % 5 == 0 && i + 1 < n;
        const QByteArray holder = "mod" + QByteArray::number(i + 1);
        procModules
            += name + " 16384 " + (held ? "1 " + holder + "," : QByteArray("0 -")) + " Live 0xffffffffc0000000 (OE)\n";
        const QString d = root + QStringLiteral("/sys/module/") + QString::fromLatin1(name);
        QDir(root).mkpath(d + QStringLiteral("/holders"));
        writeFile(d + QStringLiteral("/refcnt"), held ? "1\n" : "0\n");
        writeFile(d + QStringLiteral("/initstate"), "live\n");
        writeFile(d + QStringLiteral("/taint"), "OE\n");
        writeFile(d + QStringLiteral("/coresize"), "16384\n");
        if (held)
            writeFile(d + QStringLiteral("/holders/") + QString::fromLatin1(holder), "");
    }
    writeFile(root + QStringLiteral("/proc/modules"), procModules);
    return root;
}

void BM_SnapshotFromFixtureTree(benchmark::State &state)
{
    SnapshotReader::Options o;
    o.root = makeTree(int(state.range(0)));
    o.readKoFiles = false; // lsmod does not open .ko files either
    const SnapshotReader reader(o);
    for (auto _ : state) {
        Snapshot s = reader.read();
        benchmark::DoNotOptimize(s);
        if (s.modules.size() != state.range(0))
            state.SkipWithError("snapshot lost modules");
    }
    state.SetComplexityN(state.range(0));
    state.counters["us_per_module"] = benchmark::Counter(
        double(state.range(0)), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The live system through libkmod, as the GUI's auto-refresh does it (.ko facts cached after
// the first read). Only meaningful on a kernel with modules: run it in the lab
// (bench/lsmod_vs_snapshot.sh), beside lsmod on the same modules.
void BM_LiveSnapshot(benchmark::State &state)
{
    if (!QFile::exists(QStringLiteral("/proc/modules"))) {
        state.SkipWithError("no /proc/modules: run this in the lab (bench/lsmod_vs_snapshot.sh)");
        return;
    }
    SnapshotReader::Options o;
    o.readKoFiles = state.range(0) != 0;
    const SnapshotReader reader(o);
    benchmark::DoNotOptimize(reader.read()); // warm the .ko cache
    for (auto _ : state) {
        Snapshot s = reader.read();
        benchmark::DoNotOptimize(s);
        state.counters["modules"] = double(s.modules.size());
    }
}

} // namespace

BENCHMARK(BM_LiveSnapshot)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SnapshotFromFixtureTree)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);
BENCHMARK_MAIN();
