// SPDX-License-Identifier: GPL-2.0-or-later
// The Refcount tab (offscreen GUI test) and its call-site model under QAbstractItemModelTester, fed with the helper's
// resolved lines from the lab (6.12.117, kmr_refleak: 3 leaked, 2 balanced), and the tab itself
// offscreen: the leaking call site tops the table and the chart gets its markers.
#include "refcount/callsitemodel.h"
#include "refcount/refcounttab.h"

#include "../labtrace.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QScatterSeries>
#include <QTest>

using namespace kmr;

class TestRefcountTab : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void modelPassesTheTester()
    {
        CallSiteModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TraceEventParser p;
        LeakTable t;
        for (const QString &l : testdata::kLabTrace612) {
            TraceEvent e;
            QVERIFY(p.parseLine(l.toUtf8(), &e));
            t.add(e);
            model.setRows(t.rows());
        }
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(CallSiteModel::ColumnCount));
        QCOMPARE(model.index(0, CallSiteModel::CallSite).data().toString(),
            QStringLiteral("kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]"));
        QCOMPARE(model.index(0, CallSiteModel::Held).data().toInt(), 3);
        QCOMPARE(model.index(1, CallSiteModel::Held).data().toInt(), 0);
        QCOMPARE(model.index(2, CallSiteModel::Held).data().toInt(), 0);
        QCOMPARE(model.headerData(CallSiteModel::Held, Qt::Horizontal).toString(), QStringLiteral("Still held"));
        model.setRows({});
        QCOMPARE(model.rowCount(), 0);
    }

    void tabShowsTheTraceAndTheSampledHistory()
    {
        RefcountTab tab(QStringLiteral(KMR_FIXTURES "/roots/lab-6.12"));
        tab.resize(900, 600);
        tab.show();
        tab.setModule(QStringLiteral("kmr_refleak"));
        tab.addTraceLines(testdata::kLabTrace612);
        QCOMPARE(tab.callSiteModel()->rowCount(), 3);
        QCOMPARE(tab.callSiteModel()->rows().first().held, 3);
        tab.refreshChart();
        // Markers: 5 gets and 2 puts ("Everything" shows old events too).
        auto series = tab.chart()->series();
        QCOMPARE(series.size(), 3);
        auto *gets = qobject_cast<QScatterSeries *>(series.at(1));
        auto *puts = qobject_cast<QScatterSeries *>(series.at(2));
        QVERIFY(gets && puts);
        QCOMPARE(gets->count(), 0); // "Last minute": the lab's events are older than that here
        tab.setWindowSeconds(0); // everything
        QCOMPARE(gets->count(), 5);
        QCOMPARE(puts->count(), 2);
        // The markers sit at what lsmod showed after each event (raw refcnt - 1).
        QCOMPARE(gets->at(0).y(), 4.0); // the last get, raw 5: 3 leaked + the balanced one in flight
        // The sampled history of the fixture root's kmr_refleak (its refcnt file).
        auto *line = qobject_cast<QLineSeries *>(series.at(0));
        QVERIFY(line && line->count() >= 2);
        QVERIFY(!tab.tracing());
    }
};

QTEST_MAIN(TestRefcountTab)
#include "tst_refcounttab.moc"
