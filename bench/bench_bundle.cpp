// SPDX-License-Identifier: GPL-2.0-or-later
// Bundle export with a 100 MB kernel log against `tar czf` of the very same members, in the same
// run. Target: BM_BundleWrite / BM_TarCzf <= 1.3. BM_BundleExportRedacted adds the redaction pass
// (planned then applied) and BM_BundleMembers the JSON-lines conversion, to show where time goes.
#include "bundle/bundlearchive.h"
#include "bundle/bundlecontents.h"
#include "bundle/redaction.h"

#include <benchmark/benchmark.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

using namespace kmr;
using namespace kmr::bundle;

namespace {

struct Setup {
    QTemporaryDir dir;
    BundleContents contents;
    QList<BundleMember> members;
    QJsonObject parts;
    QString membersDir;

    Setup()
    {
        CollectOptions o;
        o.root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
        o.kernelLogFile = QStringLiteral(KMR_FIXTURES "/kmsg/all-6.1.kmsg");
        contents = collectBundleContents(o);
        // Repeat the lab's real log (with its oopses) until the text form passes 100 MB.
        const kernellog::KernelLog base = contents.kernelLog;
        qint64 bytes = 0, seq = 0;
        kernellog::KernelLog big;
        while (bytes < 100LL * 1000 * 1000) {
            for (kernellog::KernelLogRecord r : base) {
                r.sequence = seq++;
                r.timestampUsec += seq * 10;
                bytes += r.message.size() + 16;
                big.append(r);
            }
        }
        contents.kernelLog = big;
        members = bundleMembers(contents, &parts);
        membersDir = dir.filePath(QStringLiteral("members"));
        for (const BundleMember &m : std::as_const(members)) {
            const QString path = membersDir + QLatin1Char('/') + m.path;
            QDir().mkpath(QFileInfo(path).absolutePath());
            QFile f(path);
            if (f.open(QIODevice::WriteOnly))
                f.write(m.data);
        }
    }
};

Setup &setup()
{
    static Setup s;
    return s;
}

qint64 totalBytes(const QList<BundleMember> &members)
{
    qint64 n = 0;
    for (const BundleMember &m : members)
        n += m.data.size();
    return n;
}

void BM_BundleWrite(benchmark::State &state)
{
    Setup &s = setup();
    const QString file = s.dir.filePath(QStringLiteral("bundle.tar.gz"));
    for (auto _ : state) {
        QString message;
        if (!writeBundleArchive(file, s.members, manifestExtra(s.contents, s.parts, false), &message))
            state.SkipWithError(message.toUtf8().constData());
    }
    state.counters["MB"] = double(totalBytes(s.members)) / 1e6;
    state.counters["out_MB"] = double(QFileInfo(file).size()) / 1e6;
}

void BM_TarCzf(benchmark::State &state)
{
    Setup &s = setup();
    const QString file = s.dir.filePath(QStringLiteral("tar.tar.gz"));
    for (auto _ : state) {
        QProcess p;
        p.start(QStringLiteral("tar"),
            {QStringLiteral("czf"), file, QStringLiteral("-C"), s.membersDir, QStringLiteral(".")});
        if (!p.waitForFinished(600000) || p.exitCode() != 0)
            state.SkipWithError("tar czf failed");
        // tar writes without fsync; the bundle writer fsyncs: give tar the same.
        QProcess sync;
        sync.start(QStringLiteral("sync"), {QStringLiteral("-f"), file});
        sync.waitForFinished();
    }
    state.counters["out_MB"] = double(QFileInfo(file).size()) / 1e6;
}

void BM_BundleMembers(benchmark::State &state)
{
    Setup &s = setup();
    for (auto _ : state) {
        QJsonObject parts;
        benchmark::DoNotOptimize(bundleMembers(s.contents, &parts));
    }
}

void BM_BundleExportRedacted(benchmark::State &state)
{
    Setup &s = setup();
    const QString file = s.dir.filePath(QStringLiteral("redacted.tar.gz"));
    RedactionContext ctx;
    ctx.hostNames = {QStringLiteral("kmrlab")};
    for (auto _ : state) {
        const QList<Redaction> plan = planRedactions(s.members, ctx);
        const QList<BundleMember> out = applyRedactions(s.members, plan);
        QString message;
        if (!writeBundleArchive(file, out, manifestExtra(s.contents, s.parts, true), &message))
            state.SkipWithError(message.toUtf8().constData());
    }
}

} // namespace

BENCHMARK(BM_BundleWrite)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_TarCzf)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_BundleMembers)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();
BENCHMARK(BM_BundleExportRedacted)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();
BENCHMARK_MAIN();
