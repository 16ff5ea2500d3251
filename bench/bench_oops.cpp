// SPDX-License-Identifier: GPL-2.0-or-later
// Throughput of the kernel log code on real crash logs: the oops extractor over the whole
// syzkaller corpus (../shared/oops-corpus, concatenated in memory), the dmesg text parser, and
// the cheap per-line filter alone. bench/oops_throughput.sh compares with grep and dmesg.
#include "kernellog/dmesgparser.h"
#include "kernellog/oopscorpus.h"
#include "kernellog/oopsextractor.h"
#include "kernellog/oopsline.h"

#include <QDir>
#include <QFile>

#include <benchmark/benchmark.h>

using namespace kmr::kernellog;

namespace {

const QByteArray &corpusLogs()
{
    static const QByteArray all = [] {
        QByteArray out;
        const QDir dir(QStringLiteral(KMR_SHARED "/oops-corpus/syzkaller"));
        for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
            QFile f(dir.filePath(name));
            CorpusCase c;
            if (f.open(QIODevice::ReadOnly) && parseCorpusCase(f.readAll(), &c))
                out += c.log;
        }
        if (out.isEmpty())
            qFatal("the crash corpus is missing: %s/oops-corpus/syzkaller", KMR_SHARED);
        return out;
    }();
    return all;
}

void extractAll(benchmark::State &state)
{
    const QByteArray &log = corpusLogs();
    qsizetype reports = 0;
    for (auto _ : state) {
        const QList<OopsExcerpt> found = OopsExtractor::extractFromText(log);
        reports = found.size();
        benchmark::DoNotOptimize(found.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * log.size());
    state.counters["reports"] = double(reports);
}
BENCHMARK(extractAll)->Unit(benchmark::kMillisecond);

void parseDmesgText(benchmark::State &state)
{
    const QByteArray &log = corpusLogs();
    for (auto _ : state) {
        const KernelLog records = kmr::kernellog::parseDmesgText(log);
        benchmark::DoNotOptimize(records.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * log.size());
}
BENCHMARK(parseDmesgText)->Unit(benchmark::kMillisecond);

void headerFilterOnly(benchmark::State &state)
{
    const QByteArray &log = corpusLogs();
    for (auto _ : state) {
        qsizetype hits = 0, pos = 0;
        while (pos < log.size()) {
            qsizetype end = log.indexOf('\n', pos);
            if (end < 0)
                end = log.size();
            hits += kmr::kernellog::detail::mayHoldHeader(QByteArrayView(log.constData() + pos, end - pos)) ? 1 : 0;
            pos = end + 1;
        }
        benchmark::DoNotOptimize(hits);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * log.size());
}
BENCHMARK(headerFilterOnly)->Unit(benchmark::kMillisecond);

// How the extractor reads every line (detail::LineScan): with no vector pass (memchr and
// LiteralSet::find() per line, arg 0) and with the AVX2 one (1). The label says which one ran
// (a machine without AVX2 runs the first twice).
void lineScan(benchmark::State &state)
{
    using kmr::kernellog::detail::LineScan;
    const QByteArray &log = corpusLogs();
    const auto vector = LineScan::Vector(state.range(0));
    for (auto _ : state) {
        LineScan scan(kmr::kernellog::detail::lineLiterals(), log, vector);
        QByteArrayView line;
        quint64 hits = 0, any = 0;
        while (scan.next(&line, &hits))
            any |= hits;
        benchmark::DoNotOptimize(any);
    }
    const char *const names[] = {"memchr + find()", "AVX2"};
    state.SetLabel(names[int(LineScan(kmr::kernellog::detail::lineLiterals(), log, vector).vector())]);
    state.SetBytesProcessed(int64_t(state.iterations()) * log.size());
}
BENCHMARK(lineScan)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
