// SPDX-License-Identifier: GPL-2.0-or-later
// The diagnosis of every module of a 2,000-module snapshot: the system scan (done once per
// Diagnoser) plus 2,000 diagnoses. Scans either the diagnosis fixture root (deterministic) or this
// machine's /proc (real process count).
#include "diagnosis/diagnosis.h"
#include "synthetic_modules.h"

#include <benchmark/benchmark.h>

using namespace kmr;

static void diagnoseAll(benchmark::State &state, const QString &root, bool scan)
{
    const Snapshot s = bench::syntheticSnapshot(int(state.range(0)));
    qsizetype findings = 0;
    for (auto _ : state) {
        Diagnoser d(s, Diagnoser::Options {root, scan});
        const QList<Diagnosis> all = d.diagnoseAll();
        findings = 0;
        for (const Diagnosis &x : all)
            findings += x.findings.size();
        benchmark::DoNotOptimize(findings);
    }
    state.counters["modules"] = double(s.modules.size());
    state.counters["findings"] = double(findings);
    state.counters["s_per_module"] = benchmark::Counter(double(state.iterations()) * double(s.modules.size()),
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

static void BM_DiagnoseAll_NoScan(benchmark::State &state)
{
    diagnoseAll(state, QStringLiteral("/"), false);
}
static void BM_DiagnoseAll_FixtureScan(benchmark::State &state)
{
    diagnoseAll(state, QStringLiteral(KMR_FIXTURES "/diagnosis/lab61"), true);
}
static void BM_DiagnoseAll_LiveProcScan(benchmark::State &state)
{
    diagnoseAll(state, QStringLiteral("/"), true);
}

BENCHMARK(BM_DiagnoseAll_NoScan)->Arg(2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiagnoseAll_FixtureScan)->Arg(2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiagnoseAll_LiveProcScan)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
