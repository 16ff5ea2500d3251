// SPDX-License-Identifier: GPL-2.0-or-later
// The Dependencies tab and the Diagnosis tab, offscreen, on the lab61 fixture root: Graphviz
// layout off the GUI thread, the stuck pair with its red path, click-a-node-to-select (also in
// the main window), zoom and fit, SVG and DOT export, depth and direction, and the diagnosis
// tree under QAbstractItemModelTester. Saves screenshots under KMR_BUILD_DIR/screenshots/.
#include "diagnosis/diagnosismodel.h"
#include "diagnosis/diagnosistab.h"
#include "graph/dependencytab.h"
#include "graph/graphview.h"
#include "mainwindow.h"
#include "snapshot/snapshotreader.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace kmr;

namespace {

const QString labRoot = QStringLiteral(KMR_FIXTURES "/diagnosis/lab61");

Snapshot labSnapshot()
{
    SnapshotReader::Options o;
    o.root = labRoot;
    return SnapshotReader(o).read();
}

void saveScreenshot(QWidget *w, const QString &name)
{
    const QString dir = QStringLiteral(KMR_BUILD_DIR "/screenshots");
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + QLatin1Char('/') + name;
    QVERIFY2(w->grab().save(path), qPrintable(QStringLiteral("cannot save ") + path));
    qInfo("screenshot: %s", qPrintable(path));
}

bool waitForLayout(DependencyTab &tab)
{
    QSignalSpy spy(&tab, &DependencyTab::layoutFinished);
    return spy.wait(20000);
}

// Shows TAB at SIZE on the lab snapshot with MODULE chosen; true once its layout is done.
bool showLaidOut(DependencyTab &tab, QSize size, const QString &module)
{
    tab.resize(size);
    tab.show();
    if (!QTest::qWaitForWindowExposed(&tab))
        return false;
    tab.setSnapshot(labSnapshot());
    tab.setModule(module);
    return waitForLayout(tab);
}

} // namespace

class TestGraphView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(labRoot + QStringLiteral("/proc/modules")),
            "missing fixture root tests/fixtures/diagnosis/lab61: run tests/fixtures/diagnosis/make-fixtures.sh");
        QVERIFY2(graphvizAvailable(), "built without Graphviz: install libgraphviz-dev and reconfigure");
    }

    void stuckPairGraph()
    {
        DependencyTab tab;
        QVERIFY(showLaidOut(tab, {720, 480}, QStringLiteral("kmr_provider")));
        GraphView *view = tab.graphView();
        QCOMPARE(view->graph().nodes.size(), 2);
        QCOMPARE(view->graph().edges.size(), 1);
        QVERIFY(view->graph().edges.first().onStuckPath);
        const DepNode &consumer = view->graph().nodes.at(view->graph().indexOf(QStringLiteral("kmr_consumer")));
        QVERIFY2(consumer.onStuckPath, "the holder that keeps kmr_provider loaded is highlighted");
        QCOMPARE(view->graphLayout().nodes.size(), 2);
        saveScreenshot(&tab, QStringLiteral("graph-stuck-pair.png"));

        // Click a node: that module is selected everywhere.
        QSignalSpy activated(&tab, &DependencyTab::moduleActivated);
        const QPoint p = view->nodeViewPosition(QStringLiteral("kmr_consumer"));
        QVERIFY(view->viewport()->rect().contains(p));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, p);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.first().first().toString(), QStringLiteral("kmr_consumer"));
        // A click on empty space selects nothing.
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(activated.count(), 1);
    }

    void zoomAndFit()
    {
        DependencyTab tab;
        QVERIFY(showLaidOut(tab, {640, 480}, QStringLiteral("kmr_provider")));
        GraphView *view = tab.graphView();
        const qreal fitted = view->transform().m11();
        view->zoomBy(2.0);
        QVERIFY(view->transform().m11() > fitted * 1.9);
        QWheelEvent wheel(QPointF(100, 100), view->viewport()->mapToGlobal(QPointF(100, 100)), QPoint(),
            QPoint(0, -240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view->viewport(), &wheel);
        QVERIFY(view->transform().m11() < fitted * 2.0);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(view->transform().m11(), fitted);
    }

    void depthAndWholeSystem()
    {
        DependencyTab tab;
        QVERIFY(showLaidOut(tab, {800, 600}, QStringLiteral("kmr_fresh")));
        QCOMPARE(tab.graphView()->graph().nodes.size(), 1);
        tab.setWholeSystem(true);
        QVERIFY(waitForLayout(tab));
        QCOMPARE(tab.graphView()->graph().nodes.size(), labSnapshot().modules.size());
        QVERIFY(!tab.depthBox()->isEnabled());
        saveScreenshot(&tab, QStringLiteral("graph-whole-system.png"));
        tab.setWholeSystem(false);
        QVERIFY(waitForLayout(tab));
        tab.setModule(QStringLiteral("kmr_consumer"));
        QVERIFY(waitForLayout(tab));
        QCOMPARE(tab.graphView()->graph().nodes.size(), 2);
        tab.setDirection(DepDirection::UsedBy);
        QVERIFY(waitForLayout(tab));
        QCOMPARE(tab.graphView()->graph().nodes.size(), 1); // nothing uses kmr_consumer
    }

    void exports()
    {
        DependencyTab tab;
        QVERIFY(showLaidOut(tab, {640, 480}, QStringLiteral("kmr_provider")));
        QTemporaryDir dir;
        QString error;
        const QString svg = dir.filePath(QStringLiteral("g.svg"));
        QVERIFY2(tab.exportSvg(svg, &error), qPrintable(error));
        QFile s(svg);
        QVERIFY(s.open(QIODevice::ReadOnly));
        const QByteArray svgText = s.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("kmr_consumer"));
        const QString dot = dir.filePath(QStringLiteral("g.dot"));
        QVERIFY2(tab.exportDot(dot, &error), qPrintable(error));
        QFile d(dot);
        QVERIFY(d.open(QIODevice::ReadOnly));
        const QByteArray dotText = d.readAll();
        QVERIFY(dotText.startsWith("digraph \"kmr_provider\""));
        QVERIFY(dotText.contains("\"kmr_consumer\" -> \"kmr_provider\" [color=\"#c62828\""));
        QVERIFY(!tab.exportDot(QStringLiteral("/nonexistent-dir/x.dot"), &error));
        QVERIFY2(error.contains(QStringLiteral("/nonexistent-dir/x.dot")), qPrintable(error));
    }

    void diagnosisTab()
    {
        DiagnosisTab tab;
        tab.setRoot(labRoot);
        tab.resize(800, 500);
        tab.show();
        QAbstractItemModelTester tester(tab.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy ready(&tab, &DiagnosisTab::diagnosisReady);
        tab.setSnapshot(labSnapshot());
        tab.setModule(QStringLiteral("kmr_busychar"));
        QVERIFY(ready.wait(20000));
        DiagnosisModel *m = tab.model();
        QVERIFY(m->rowCount() >= 1);
        const QModelIndex first = m->index(0, 0);
        QCOMPARE(m->data(first, DiagnosisModel::KindRole).toString(), QStringLiteral("real-use"));
        QVERIFY(m->data(first).toString().contains(QStringLiteral("/dev/kmr_busychar")));
        QVERIFY2(tab.view()->isExpanded(first), "what to do is visible without a click");
        const QModelIndex remedy = m->index(0, 0, first);
        QVERIFY(m->data(remedy).toString().startsWith(QStringLiteral("What to do: ")));
        const QModelIndex evidence = m->index(1, 0, first);
        QVERIFY(m->data(evidence).toString().startsWith(QStringLiteral("Evidence (")));
        QVERIFY2(!tab.view()->isExpanded(evidence), "evidence is one click away");
        QVERIFY(m->rowCount(evidence) >= 2);
        QTest::qWait(50); // let the layout settle (wrapped rows, the summary's height)
        saveScreenshot(&tab, QStringLiteral("diagnosis-busychar.png"));

        // An exit that still runs: the unreadable stack is marked, its detail lines expand.
        tab.setModule(QStringLiteral("kmr_exithang"));
        QVERIFY(ready.wait(20000));
        bool needsHelper = false;
        const QModelIndex f0 = m->index(0, 0);
        const QModelIndex ev = m->index(1, 0, f0);
        for (int r = 0; r < m->rowCount(ev); ++r)
            needsHelper = needsHelper || m->data(m->index(r, 0, ev), DiagnosisModel::NeedsHelperRole).toBool();
        QVERIFY(needsHelper);
    }

    void mainWindowWiring()
    {
        MainWindow::Options o;
        o.root = labRoot;
        MainWindow w(o);
        w.resize(1200, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(!w.snapshot().modules.isEmpty(), 20000);
        auto *graphTab = w.findChild<DependencyTab *>();
        auto *diagTab = w.findChild<DiagnosisTab *>();
        QVERIFY2(graphTab && diagTab, "the main window has the Diagnosis and Dependencies tabs");
        QVERIFY(w.selectModule(QStringLiteral("kmr_provider")));
        w.moduleTabs()->setCurrentWidget(graphTab);
        QVERIFY(waitForLayout(*graphTab));
        const QPoint p = graphTab->graphView()->nodeViewPosition(QStringLiteral("kmr_consumer"));
        QTest::mouseClick(graphTab->graphView()->viewport(), Qt::LeftButton, {}, p);
        QCOMPARE(w.currentModule(), QStringLiteral("kmr_consumer"));
        QVERIFY(waitForLayout(*graphTab));
        saveScreenshot(&w, QStringLiteral("mainwindow-dependencies.png"));
        w.moduleTabs()->setCurrentWidget(diagTab);
        QTRY_VERIFY_WITH_TIMEOUT(diagTab->model()->diagnosis().module == QLatin1String("kmr_consumer"), 20000);
        QTest::qWait(50);
        saveScreenshot(&w, QStringLiteral("mainwindow-diagnosis.png"));
    }
};

QTEST_MAIN(TestGraphView)
#include "tst_graphview.moc"
