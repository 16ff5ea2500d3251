// SPDX-License-Identifier: GPL-2.0-or-later
// The module table model and its sort/filter proxy, run under QAbstractItemModelTester through
// snapshots that add, remove and change modules.
#include "models/modulefilterproxymodel.h"
#include "models/moduletablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace kmr;

namespace {
ModuleInfo mod(
    const QString &name, qint64 size, int refs, const QStringList &holders = {}, ModuleState state = ModuleState::Live)
{
    ModuleInfo m;
    m.name = name;
    m.size = size;
    m.refcount = refs;
    m.holders = holders;
    m.state = state;
    m.koPath = Fact::of(QStringLiteral("/lib/modules/6.1.0/kernel/") + name + QStringLiteral(".ko"));
    m.compiler = Fact::unknown(QStringLiteral("no .comment section"));
    return m;
}

Snapshot snap(const QList<ModuleInfo> &modules)
{
    Snapshot s;
    s.source = QStringLiteral("test");
    s.kernel.release = Fact::of(QStringLiteral("6.1.0-test"));
    s.modules = modules;
    return s;
}

QStringList namesInModel(const QAbstractItemModel &m)
{
    QStringList names;
    for (int r = 0; r < m.rowCount(); ++r)
        names << m.index(r, ModuleTableModel::Name).data(ModuleTableModel::ModuleNameRole).toString();
    return names;
}

QStringList names(const QStringList &l)
{
    return l;
}
} // namespace

class TestModuleTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testerThroughSnapshotChanges();
    void selectionSurvivesRefresh();
    void changedRowsEmitDataChangedOnly();
    void vanishedSelectedModuleLeavesNoDanglingIndex();
    void sortsSizeNumerically();
    void sortsRefsNumericallyWithUnknownFirst();
    void filter_data();
    void filter();
    void filterFollowsSnapshotChanges();
    void oopsModulesMarkRows();
    void suspiciousRefsAreFlagged();
    void duplicateNamesAreShownOnce();
    void displayShowsUnknownInsteadOfNothing();
    void compilerColumnShowsVersionAndFlagsMismatch();
};

void TestModuleTableModel::testerThroughSnapshotChanges()
{
    ModuleTableModel model;
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(ModuleTableModel::Size, Qt::DescendingOrder);
    QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.setSnapshot(
        snap({mod(QStringLiteral("b"), 200, 0), mod(QStringLiteral("d"), 400, 1), mod(QStringLiteral("f"), 600, 0)}));
    QCOMPARE(namesInModel(model), names({QStringLiteral("b"), QStringLiteral("d"), QStringLiteral("f")}));
    QCOMPARE(namesInModel(proxy), names({QStringLiteral("f"), QStringLiteral("d"), QStringLiteral("b")}));

    // Added at the front, the middle and the end; d removed; f changed.
    proxy.setFilterWords(QStringLiteral("a"));
    model.setSnapshot(snap({mod(QStringLiteral("a"), 100, 0), mod(QStringLiteral("b"), 200, 0),
        mod(QStringLiteral("c"), 300, 0), mod(QStringLiteral("f"), 650, 2, {QStringLiteral("g")}),
        mod(QStringLiteral("g"), 700, 0), mod(QStringLiteral("h"), 800, 0)}));
    QCOMPARE(namesInModel(model),
        names({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("f"), QStringLiteral("g"),
            QStringLiteral("h")}));
    QCOMPARE(namesInModel(proxy), names({QStringLiteral("a")}));
    proxy.setFilterWords(QString());
    QCOMPARE(proxy.rowCount(), 6);
    QCOMPARE(
        model.index(model.rowOf(QStringLiteral("f")), ModuleTableModel::Size).data().toString(), QStringLiteral("650"));

    // Unsorted input, '-' names, everything replaced.
    model.setSnapshot(snap({mod(QStringLiteral("z-mod"), 1, 0), mod(QStringLiteral("x"), 2, 0)}));
    QCOMPARE(namesInModel(model), names({QStringLiteral("x"), QStringLiteral("z_mod")}));

    model.setSnapshot(snap({}));
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(proxy.rowCount(), 0);

    QList<ModuleInfo> many;
    for (int i = 0; i < 500; ++i)
        many << mod(QStringLiteral("m%1").arg(i, 4, 10, QLatin1Char('0')), i * 10, i % 3);
    model.setSnapshot(snap(many));
    QCOMPARE(model.rowCount(), 500);
    // Every other one removed, and a few changed.
    QList<ModuleInfo> half;
    for (int i = 0; i < 500; i += 2)
        half << mod(QStringLiteral("m%1").arg(i, 4, 10, QLatin1Char('0')), i * 10 + (i % 7 == 0), i % 3);
    model.setSnapshot(snap(half));
    QCOMPARE(model.rowCount(), 250);
    QCOMPARE(proxy.rowCount(), 250);
}

void TestModuleTableModel::selectionSurvivesRefresh()
{
    ModuleTableModel model;
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(ModuleTableModel::Name, Qt::AscendingOrder);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    model.setSnapshot(snap({mod(QStringLiteral("b"), 2, 0), mod(QStringLiteral("d"), 4, 0)}));
    QPersistentModelIndex selected = proxy.mapFromSource(model.index(model.rowOf(QStringLiteral("d")), 0));
    QVERIFY(selected.isValid());

    model.setSnapshot(snap({mod(QStringLiteral("a"), 1, 0), mod(QStringLiteral("c"), 3, 0),
        mod(QStringLiteral("d"), 5, 1), mod(QStringLiteral("e"), 6, 0)}));
    QVERIFY(selected.isValid());
    QCOMPARE(selected.data(ModuleTableModel::ModuleNameRole).toString(), QStringLiteral("d"));
    QCOMPARE(selected.row(), 2);
    QCOMPARE(resets.count(), 0); // rows were diffed, not reset
}

void TestModuleTableModel::changedRowsEmitDataChangedOnly()
{
    ModuleTableModel model;
    model.setSnapshot(
        snap({mod(QStringLiteral("a"), 1, 0), mod(QStringLiteral("b"), 2, 0), mod(QStringLiteral("c"), 3, 0)}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    model.setSnapshot(
        snap({mod(QStringLiteral("a"), 1, 0), mod(QStringLiteral("b"), 2, 5), mod(QStringLiteral("c"), 3, 0)}));
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);

    changed.clear();
    model.setSnapshot(
        snap({mod(QStringLiteral("a"), 1, 0), mod(QStringLiteral("b"), 2, 5), mod(QStringLiteral("c"), 3, 0)}));
    QCOMPARE(changed.count(), 0); // an unchanged refresh costs the views nothing
}

void TestModuleTableModel::vanishedSelectedModuleLeavesNoDanglingIndex()
{
    ModuleTableModel model;
    model.setSnapshot(snap({mod(QStringLiteral("a"), 1, 0), mod(QStringLiteral("b"), 2, 0)}));
    QPersistentModelIndex b = model.index(1, 0);
    model.setSnapshot(snap({mod(QStringLiteral("a"), 1, 0)}));
    QVERIFY(!b.isValid());
    QCOMPARE(model.rowOf(QStringLiteral("b")), -1);
}

void TestModuleTableModel::sortsSizeNumerically()
{
    ModuleTableModel model;
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // As strings, "100000" < "20480" < "9": a text sort would get this wrong.
    model.setSnapshot(snap({mod(QStringLiteral("big"), 100000, 0), mod(QStringLiteral("mid"), 20480, 0),
        mod(QStringLiteral("small"), 9, 0)}));
    proxy.sort(ModuleTableModel::Size, Qt::AscendingOrder);
    QCOMPARE(namesInModel(proxy), names({QStringLiteral("small"), QStringLiteral("mid"), QStringLiteral("big")}));
    proxy.sort(ModuleTableModel::Size, Qt::DescendingOrder);
    QCOMPARE(namesInModel(proxy), names({QStringLiteral("big"), QStringLiteral("mid"), QStringLiteral("small")}));

    // The order holds while the data changes underneath (dynamic sort).
    model.setSnapshot(snap({mod(QStringLiteral("big"), 100000, 0), mod(QStringLiteral("mid"), 20480, 0),
        mod(QStringLiteral("small"), 999999, 0)}));
    QCOMPARE(namesInModel(proxy), names({QStringLiteral("small"), QStringLiteral("big"), QStringLiteral("mid")}));
}

void TestModuleTableModel::sortsRefsNumericallyWithUnknownFirst()
{
    ModuleTableModel model;
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    model.setSnapshot(snap({mod(QStringLiteral("a"), 1, 12), mod(QStringLiteral("b"), 1, 3),
        mod(QStringLiteral("c"), 1, -1), mod(QStringLiteral("d"), 1, 3)}));
    proxy.sort(ModuleTableModel::Refs, Qt::AscendingOrder);
    // Ties break by name, so the order is the same on every run.
    QCOMPARE(namesInModel(proxy),
        names({QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("d"), QStringLiteral("a")}));
    QCOMPARE(proxy.index(0, ModuleTableModel::Refs).data().toString(), QStringLiteral("?"));
}

void TestModuleTableModel::filter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("empty shows all") << QString()
                                     << QStringList {QStringLiteral("nvidia"), QStringLiteral("nvidia_drm"),
                                            QStringLiteral("snd_hda_intel"), QStringLiteral("stuck_mod")};
    QTest::newRow("name substring") << QStringLiteral("nvid")
                                    << QStringList {QStringLiteral("nvidia"), QStringLiteral("nvidia_drm")};
    QTest::newRow("case-insensitive") << QStringLiteral("SND") << QStringList {QStringLiteral("snd_hda_intel")};
    QTest::newRow("dash equals underscore")
        << QStringLiteral("snd-hda") << QStringList {QStringLiteral("snd_hda_intel")};
    QTest::newRow("holder") << QStringLiteral("drm")
                            << QStringList {QStringLiteral("nvidia"), QStringLiteral("nvidia_drm")};
    QTest::newRow("state") << QStringLiteral("unloading") << QStringList {QStringLiteral("stuck_mod")};
    QTest::newRow("all words must match")
        << QStringLiteral("nvidia live") << QStringList {QStringLiteral("nvidia"), QStringLiteral("nvidia_drm")};
    QTest::newRow("words are ANDed") << QStringLiteral("nvidia unloading") << QStringList {};
    QTest::newRow("no match") << QStringLiteral("zzz") << QStringList {};
    QTest::newRow("surrounding spaces") << QStringLiteral("  stuck  ") << QStringList {QStringLiteral("stuck_mod")};
}

void TestModuleTableModel::filter()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, expected);
    ModuleTableModel model;
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(ModuleTableModel::Name, Qt::AscendingOrder);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(snap({mod(QStringLiteral("nvidia"), 1, 1, {QStringLiteral("nvidia_drm")}),
        mod(QStringLiteral("nvidia-drm"), 1, 0), mod(QStringLiteral("snd_hda_intel"), 1, 0),
        mod(QStringLiteral("stuck_mod"), 1, 0, {}, ModuleState::Unloading)}));
    proxy.setFilterWords(filter);
    QCOMPARE(namesInModel(proxy), expected);
}

void TestModuleTableModel::filterFollowsSnapshotChanges()
{
    ModuleTableModel model;
    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setFilterWords(QStringLiteral("loading"));
    model.setSnapshot(snap({mod(QStringLiteral("a"), 1, 0), mod(QStringLiteral("b"), 1, 0)}));
    QCOMPARE(proxy.rowCount(), 0);
    // b's init crashes: it becomes Loading and must appear under the standing filter.
    model.setSnapshot(snap({mod(QStringLiteral("a"), 1, 0), mod(QStringLiteral("b"), 1, 0, {}, ModuleState::Loading)}));
    QCOMPARE(namesInModel(proxy), names({QStringLiteral("b")}));
}

void TestModuleTableModel::oopsModulesMarkRows()
{
    ModuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(snap({mod(QStringLiteral("good"), 1, 0), mod(QStringLiteral("my_oops"), 1, 0)}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setOopsModules({QStringLiteral("my-oops")});
    QCOMPARE(changed.count(), 1);
    const int row = model.rowOf(QStringLiteral("my_oops"));
    QVERIFY(model.index(row, 0).data(ModuleTableModel::OopsRole).toBool());
    QVERIFY(!model.index(model.rowOf(QStringLiteral("good")), 0).data(ModuleTableModel::OopsRole).toBool());
    QVERIFY(!model.index(row, ModuleTableModel::Oops).data().toString().isEmpty());

    ModuleFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(ModuleTableModel::Oops, Qt::DescendingOrder);
    QCOMPARE(namesInModel(proxy).first(), QStringLiteral("my_oops"));
}

void TestModuleTableModel::suspiciousRefsAreFlagged()
{
    ModuleTableModel model;
    model.setSnapshot(snap({mod(QStringLiteral("leaky"), 1, 2),
        mod(QStringLiteral("held"), 1, 1, {QStringLiteral("leaky")}), mod(QStringLiteral("idle"), 1, 0)}));
    auto flagged = [&](const QString &n) {
        return model.index(model.rowOf(n), ModuleTableModel::Refs).data(ModuleTableModel::SuspiciousRefsRole).toBool();
    };
    QVERIFY(flagged(QStringLiteral("leaky")));
    QVERIFY(!flagged(QStringLiteral("held")));
    QVERIFY(!flagged(QStringLiteral("idle")));
    QVERIFY(
        model.index(model.rowOf(QStringLiteral("leaky")), ModuleTableModel::Refs).data(Qt::BackgroundRole).isValid());
}

void TestModuleTableModel::duplicateNamesAreShownOnce()
{
    ModuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(
        snap({mod(QStringLiteral("dup"), 1, 0), mod(QStringLiteral("dup"), 2, 0), mod(QStringLiteral("x"), 1, 0)}));
    QCOMPARE(namesInModel(model), names({QStringLiteral("dup"), QStringLiteral("x")}));
    model.setSnapshot(
        snap({mod(QStringLiteral("x"), 1, 0), mod(QStringLiteral("dup"), 3, 0), mod(QStringLiteral("dup"), 4, 0)}));
    QCOMPARE(namesInModel(model), names({QStringLiteral("dup"), QStringLiteral("x")}));
}

void TestModuleTableModel::displayShowsUnknownInsteadOfNothing()
{
    ModuleTableModel model;
    ModuleInfo m = mod(QStringLiteral("odd"), -1, -1);
    m.koPath = Fact::unknown(QStringLiteral("not in modules.dep"));
    model.setSnapshot(snap({m}));
    QCOMPARE(model.index(0, ModuleTableModel::Size).data().toString(), QStringLiteral("?"));
    QCOMPARE(model.index(0, ModuleTableModel::KoPath).data().toString(), QStringLiteral("unknown"));
    QVERIFY(model.index(0, ModuleTableModel::KoPath)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("not in modules.dep")));
    QCOMPARE(model.index(0, ModuleTableModel::Compiler).data().toString(), QStringLiteral("unknown"));

    // While Unloading the kernel itself reports -1: shown as lsmod shows it, not as unknown.
    ModuleInfo going = mod(QStringLiteral("going"), 1, -1, {}, ModuleState::Unloading);
    model.setSnapshot(snap({going}));
    QCOMPARE(model.index(0, ModuleTableModel::Refs).data().toString(), QStringLiteral("-1"));
}

void TestModuleTableModel::compilerColumnShowsVersionAndFlagsMismatch()
{
    QCOMPARE(ModuleTableModel::compactCompiler(QStringLiteral("GCC: (Debian 12.2.0-14) 12.2.0")),
        QStringLiteral("GCC 12.2.0"));
    QCOMPARE(ModuleTableModel::compactCompiler(QStringLiteral("Debian clang version 14.0.6")),
        QStringLiteral("Debian clang version 14.0.6"));

    ModuleTableModel model;
    Snapshot s = snap({mod(QStringLiteral("same"), 1, 0), mod(QStringLiteral("older"), 1, 0)});
    s.kernel.compiler = Fact::of(QStringLiteral("gcc-12 (Debian 12.2.0-14) 12.2.0"));
    s.modules[0].compiler = Fact::of(QStringLiteral("GCC: (Debian 12.2.0-14) 12.2.0"));
    s.modules[1].compiler = Fact::of(QStringLiteral("GCC: (Debian 11.3.0-12) 11.3.0"));
    model.setSnapshot(s);
    QVERIFY(!model.compilerDiffers(model.module(model.rowOf(QStringLiteral("same")))));
    QVERIFY(model.compilerDiffers(model.module(model.rowOf(QStringLiteral("older")))));
    const QModelIndex olderIdx = model.index(model.rowOf(QStringLiteral("older")), ModuleTableModel::Compiler);
    QCOMPARE(olderIdx.data().toString(), QStringLiteral("GCC 11.3.0"));
    QVERIFY(olderIdx.data(Qt::BackgroundRole).isValid());
    QVERIFY(olderIdx.data(Qt::ToolTipRole).toString().contains(QStringLiteral("gcc-12 (Debian 12.2.0-14) 12.2.0")));

    // Unknown on either side: no claim.
    s.kernel.compiler = Fact::unknown(QStringLiteral("no /proc/version"));
    model.setSnapshot(s);
    QVERIFY(!model.compilerDiffers(model.module(model.rowOf(QStringLiteral("older")))));
}

QTEST_MAIN(TestModuleTableModel)
#include "tst_moduletablemodel.moc"
