// SPDX-License-Identifier: GPL-2.0-or-later
// Refcount history and trace reading costs (issue 7): the per-event work of the trace reader
// (parse an eprobe line, resolve its ip through a full-size kallsyms table, add it to the leak
// table) and the history store's recording cost and memory (reported as counters).
#include "refcount/kallsymsresolver.h"
#include "refcount/leaktable.h"
#include "refcount/refcounthistory.h"
#include "refcount/traceevent.h"

#include <benchmark/benchmark.h>

using namespace kmr;

namespace {
// A kallsyms table of the size of Debian's 6.12 (166,687 symbols in the lab).
QByteArray syntheticKallsyms()
{
    QByteArray text;
    for (int i = 0; i < 166000; ++i)
        text += QByteArray::number(0xffffffff81000000ULL + quint64(i) * 0x40, 16) + " t sym_" + QByteArray::number(i)
            + '\n';
    text += "ffffffffc0529000 t kmr_refloop_pair\t[kmr_refloop]\n"
            "ffffffffc0529030 t kmr_refloop_run\t[kmr_refloop]\n"
            "ffffffffc0529100 t kmr_refloop_exit\t[kmr_refloop]\n";
    return text;
}
const QByteArray kLine
    = "       sh-119     [000] ...2.    63.902199: kmr_get: (module.module_get) ip=0xffffffffc0529011 "
      "refcnt=2 name=\"kmr_refloop\"";
} // namespace

static void BM_TraceEventPerLine(benchmark::State &state)
{
    KallsymsResolver r;
    QString why;
    r.loadText(syntheticKallsyms(), &why);
    TraceEventParser p;
    LeakTable table;
    for (auto _ : state) {
        TraceEvent e;
        p.parseLine(kLine, &e);
        e.callSite = r.resolve(e.ip);
        table.add(e);
        benchmark::DoNotOptimize(e);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TraceEventPerLine);

static void BM_KallsymsLoad(benchmark::State &state)
{
    const QByteArray text = syntheticKallsyms();
    for (auto _ : state) {
        KallsymsResolver r;
        QString why;
        benchmark::DoNotOptimize(r.loadText(text, &why));
    }
}
BENCHMARK(BM_KallsymsLoad)->Unit(benchmark::kMillisecond);

// 300 modules, every sample a change, one simulated hour per iteration at 1 Hz.
static void BM_HistoryWorstCaseHour(benchmark::State &state)
{
    QStringList names;
    for (int m = 0; m < 300; ++m)
        names << QStringLiteral("module_%1").arg(m);
    qint64 bytes = 0;
    for (auto _ : state) {
        RefcountHistory h;
        for (qint64 s = 0; s < 3600; ++s)
            for (int m = 0; m < 300; ++m)
                h.record(names.at(m), s * 1000, 1000, (s + m) % 2 ? 1 : 2);
        bytes = h.bytesUsed();
    }
    state.counters["bytes_per_hour"] = double(bytes);
    state.counters["bytes_24h_extrapolated"] = double(bytes) * 24;
    state.SetItemsProcessed(state.iterations() * 3600 * 300);
}
BENCHMARK(BM_HistoryWorstCaseHour)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
