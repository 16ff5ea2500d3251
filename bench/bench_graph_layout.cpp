// SPDX-License-Identifier: GPL-2.0-or-later
// Laying out a 2,000-module dependency graph: ours (DOT text, libgvc "dot" layout in process,
// positions and splines read back) against `dot -Tsvg` on the same DOT, in the same run.
// The layout work is Graphviz's either way; bench/graph_layout_vs_dot.sh turns the two times into
// the ratio (goal: ours at most 1.2 times dot's).
#include "graph/depgraph.h"
#include "graph/graphlayout.h"
#include "synthetic_modules.h"

#include <QFile>
#include <QList>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <ctime>
#include <sys/resource.h>

using namespace kmr;

namespace {
const DepGraph &graph(int n)
{
    static QHash<int, DepGraph> cache;
    if (!cache.contains(n))
        cache.insert(n, DepGraph::fromSnapshot(bench::syntheticSnapshot(n)));
    return cache[n];
}
// Finds the `dot` program and writes G's DOT text into DIR; false (the benchmark skipped with the
// reason) when either fails.
bool prepareDot(benchmark::State &state, const DepGraph &g, const QTemporaryDir &dir, QString *dot, QString *in)
{
    *dot = QStandardPaths::findExecutable(QStringLiteral("dot"));
    if (dot->isEmpty()) {
        state.SkipWithError("no `dot` program: install the graphviz package");
        return false;
    }
    *in = dir.filePath(QStringLiteral("g.dot"));
    QFile f(*in);
    if (!f.open(QIODevice::WriteOnly) || f.write(g.toDot().toUtf8()) < 0) {
        state.SkipWithError("cannot write the DOT file");
        return false;
    }
    return true;
}

// The CPU time (user + system, ms) of the waited-for child processes.
double childCpu()
{
    rusage ru {};
    getrusage(RUSAGE_CHILDREN, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
        + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}
} // namespace

static void BM_OurLayout(benchmark::State &state)
{
    const DepGraph &g = graph(int(state.range(0)));
    for (auto _ : state) {
        const GraphLayout l = layoutGraph(g); // includes writing and parsing the DOT text
        if (!l.ok()) {
            state.SkipWithError(qPrintable(l.error));
            return;
        }
        benchmark::DoNotOptimize(l.nodes.size());
    }
    state.counters["nodes"] = double(g.nodes.size());
    state.counters["edges"] = double(g.edges.size());
}

static void BM_DotProcessSvg(benchmark::State &state)
{
    const DepGraph &g = graph(int(state.range(0)));
    QTemporaryDir dir;
    QString dot, in;
    if (!prepareDot(state, g, dir, &dot, &in))
        return;
    // The CPU the dot processes used (childCpu()), to compare with our thread's CPU time when the
    // machine is shared and wall-clock times are noisy.
    const double cpu0 = childCpu();
    for (auto _ : state) {
        QProcess p;
        p.start(dot, {QStringLiteral("-Tsvg"), in, QStringLiteral("-o"), QStringLiteral("/dev/null")});
        if (!p.waitForFinished(600000) || p.exitCode() != 0) {
            state.SkipWithError("dot -Tsvg failed");
            return;
        }
    }
    state.counters["nodes"] = double(g.nodes.size());
    state.counters["child_cpu_ms"] = (childCpu() - cpu0) / double(state.iterations());
}

// Both, interleaved in every iteration so that a shared machine's changing load hits both alike:
// the counters give each one's wall-clock and CPU time and the two ratios.
static void BM_LayoutVsDot(benchmark::State &state)
{
    const DepGraph &g = graph(int(state.range(0)));
    QTemporaryDir dir;
    QString dot, in;
    if (!prepareDot(state, g, dir, &dot, &in))
        return;
    auto now = [] {
        timespec t {};
        clock_gettime(CLOCK_MONOTONIC, &t);
        return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
    };
    auto selfCpu = [] {
        timespec t {};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
    };
    QList<double> oursWall, oursCpu, dotWall, dotCpu;
    for (auto _ : state) {
        double w = now(), c = selfCpu();
        const GraphLayout l = layoutGraph(g);
        oursWall << now() - w;
        oursCpu << selfCpu() - c;
        if (!l.ok()) {
            state.SkipWithError(qPrintable(l.error));
            return;
        }
        w = now();
        c = childCpu();
        QProcess p;
        p.start(dot, {QStringLiteral("-Tsvg"), in, QStringLiteral("-o"), QStringLiteral("/dev/null")});
        if (!p.waitForFinished(600000) || p.exitCode() != 0) {
            state.SkipWithError("dot -Tsvg failed");
            return;
        }
        dotWall << now() - w;
        dotCpu << childCpu() - c;
    }
    // Medians: one iteration caught by a burst of load on a shared machine does not decide.
    auto median = [](QList<double> v) {
        std::sort(v.begin(), v.end());
        return v.isEmpty() ? 0.0 : v.at(v.size() / 2);
    };
    state.counters["ours_ms"] = median(oursWall);
    state.counters["dot_ms"] = median(dotWall);
    state.counters["ours_cpu_ms"] = median(oursCpu);
    state.counters["dot_cpu_ms"] = median(dotCpu);
    state.counters["ratio_wall"] = median(oursWall) / median(dotWall);
    state.counters["ratio_cpu"] = median(oursCpu) / median(dotCpu);
}

BENCHMARK(BM_LayoutVsDot)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(BM_OurLayout)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_DotProcessSvg)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

BENCHMARK_MAIN();
