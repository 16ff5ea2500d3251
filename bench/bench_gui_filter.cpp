// SPDX-License-Identifier: GPL-2.0-or-later
// Type-to-filter on a 10,000-module table: the cost of one keystroke, which must fit in one
// 16 ms frame. Compared with Qt's own setFilterFixedString (a QRegularExpression over data()),
// and with a visible view repainting after each keystroke. Also the refresh diff (setSnapshot).
#include "models/modulefilterproxymodel.h"
#include "models/moduletablemodel.h"

#include <QApplication>
#include <QRandomGenerator>
#include <QSortFilterProxyModel>
#include <QTreeView>

#include <benchmark/benchmark.h>

#include <algorithm>

using namespace kmr;

namespace {
Snapshot syntheticSnapshot(int n, quint32 seed = 1)
{
    static const char *const stems[] = {"snd_hda_codec", "nvidia", "i915", "drm_kms_helper", "usb_storage", "xhci_pci",
        "e1000e", "iwlwifi", "btusb", "kvm_intel", "ext4", "nf_conntrack", "virtio_net", "crc32c", "kmr_stuck"};
    QRandomGenerator rng(seed);
    Snapshot s;
    s.kernel.release = Fact::of(QStringLiteral("6.1.0-bench"));
    s.modules.reserve(n);
    for (int i = 0; i < n; ++i) {
        ModuleInfo m;
        m.name = QString::fromLatin1(stems[i % std::size(stems)]) + QStringLiteral("_%1").arg(i);
        m.size = 4096 + qint64(rng.bounded(2000000));
        m.refcount = int(rng.bounded(4));
        m.state = rng.bounded(50) == 0 ? ModuleState::Loading : ModuleState::Live;
        if (i > 0 && rng.bounded(3) == 0)
            m.holders << s.modules.at(int(rng.bounded(i))).name;
        m.koPath = Fact::of(QStringLiteral("/lib/modules/6.1.0-bench/kernel/") + m.name + QStringLiteral(".ko.xz"));
        m.compiler = Fact::of(QStringLiteral("GCC: (Debian 12.2.0-14) 12.2.0"));
        s.modules << m;
    }
    // As SnapshotReader delivers them.
    std::sort(
        s.modules.begin(), s.modules.end(), [](const ModuleInfo &a, const ModuleInfo &b) { return a.name < b.name; });
    return s;
}

// What a user types and then deletes again, one keystroke per step.
QStringList keystrokes()
{
    QStringList steps;
    const QString word = QStringLiteral("snd_hda_codec_12");
    for (int i = 1; i <= word.size(); ++i)
        steps << word.left(i);
    for (int i = word.size() - 1; i >= 0; --i)
        steps << word.left(i);
    return steps;
}

void BM_FilterKeystroke(benchmark::State &state)
{
    ModuleTableModel model;
    model.setSnapshot(syntheticSnapshot(int(state.range(0))));
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(int(state.range(1)), Qt::AscendingOrder);
    const QStringList steps = keystrokes();
    qsizetype i = 0;
    for (auto _ : state) {
        proxy.setFilterWords(steps.at(i++ % steps.size()));
        benchmark::DoNotOptimize(proxy.rowCount());
    }
    state.SetLabel(state.range(1) == ModuleTableModel::Size ? "sorted by size" : "sorted by name");
}
BENCHMARK(BM_FilterKeystroke)
    ->Args({10000, ModuleTableModel::Name})
    ->Args({10000, ModuleTableModel::Size})
    ->Unit(benchmark::kMillisecond);

// Qt's stock path for comparison: setFilterFixedString builds a case-insensitive
// QRegularExpression and matches it against data() of every row.
void BM_QtFixedStringKeystroke(benchmark::State &state)
{
    ModuleTableModel model;
    model.setSnapshot(syntheticSnapshot(int(state.range(0))));
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy.setSortRole(ModuleTableModel::SortRole);
    proxy.sort(ModuleTableModel::Name, Qt::AscendingOrder);
    const QStringList steps = keystrokes();
    qsizetype i = 0;
    for (auto _ : state) {
        proxy.setFilterFixedString(steps.at(i++ % steps.size()));
        benchmark::DoNotOptimize(proxy.rowCount());
    }
}
BENCHMARK(BM_QtFixedStringKeystroke)->Arg(10000)->Unit(benchmark::kMillisecond);

// One keystroke as the user sees it: filter, then the visible view lays out and repaints.
void BM_FilterKeystrokeWithView(benchmark::State &state)
{
    ModuleTableModel model;
    model.setSnapshot(syntheticSnapshot(int(state.range(0))));
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QTreeView view;
    view.setModel(&proxy);
    view.setRootIsDecorated(false);
    view.setUniformRowHeights(true);
    view.setSortingEnabled(true);
    view.sortByColumn(ModuleTableModel::Name, Qt::AscendingOrder);
    view.resize(1000, 700);
    view.show();
    QCoreApplication::processEvents();
    const QStringList steps = keystrokes();
    qsizetype i = 0;
    for (auto _ : state) {
        proxy.setFilterWords(steps.at(i++ % steps.size()));
        QCoreApplication::processEvents();
        view.viewport()->repaint();
    }
}
BENCHMARK(BM_FilterKeystrokeWithView)->Arg(10000)->Unit(benchmark::kMillisecond);

// Refreshes a sorted model back and forth between A and B, as auto-refresh does.
void benchRefresh(benchmark::State &state, const Snapshot &a, const Snapshot &b)
{
    ModuleTableModel model;
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(ModuleTableModel::Name, Qt::AscendingOrder);
    model.setSnapshot(a);
    bool flip = false;
    for (auto _ : state) {
        model.setSnapshot((flip = !flip) ? b : a);
        benchmark::DoNotOptimize(proxy.rowCount());
    }
}

// A refresh of 10,000 modules in which 1% changed: the diff that keeps the selection.
void BM_RefreshDiff(benchmark::State &state)
{
    const int n = int(state.range(0));
    const Snapshot a = syntheticSnapshot(n);
    Snapshot b = a;
    for (int k = 0; k < n; k += 100)
        b.modules[k].refcount += 1;
    benchRefresh(state, a, b);
}
BENCHMARK(BM_RefreshDiff)->Arg(10000)->Unit(benchmark::kMillisecond);

// The common auto-refresh: nothing changed.
void BM_RefreshUnchanged(benchmark::State &state)
{
    const Snapshot a = syntheticSnapshot(int(state.range(0)));
    const Snapshot b = syntheticSnapshot(int(state.range(0))); // equal, not shared
    benchRefresh(state, a, b);
}
BENCHMARK(BM_RefreshUnchanged)->Arg(10000)->Unit(benchmark::kMillisecond);
} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
