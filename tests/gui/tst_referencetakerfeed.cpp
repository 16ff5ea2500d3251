// SPDX-License-Identifier: GPL-2.0-or-later
// The Refcount tab's trace feeds the Diagnosis tab (offscreen): once a trace of kmr_refleak is in
// the Refcount tab (the lab's 6.12 trace, tests/labtrace.h), the Diagnosis tab's text for that
// module names the call site still holding its references; balanced gets and puts do not make it
// diagnose again; a bundle's trace does the same for a module the bundle recorded no diagnosis of.
#include "bundle/bundleactions.h"
#include "bundle/bundlerecordings.h"
#include "diagnosis/diagnosistab.h"
#include "mainwindow.h"
#include "refcount/referencetakerfeed.h"
#include "refcount/refcounttab.h"

#include "../labtrace.h"

#include <QApplication>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace kmr;

namespace {

const QString kLab612 = QStringLiteral(KMR_FIXTURES "/roots/lab-6.12");
const QString kCited = QStringLiteral("3 taken at kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]");

QString diagnosisText(const MainWindow &w)
{
    const auto *label = w.findChild<QLabel *>(QStringLiteral("diagnosisSummary"));
    return label ? label->text() : QStringLiteral("(no Diagnosis tab)");
}

} // namespace

class TestReferenceTakerFeed : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void liveTraceIsCitedByTheDiagnosis()
    {
        MainWindow::Options o;
        o.root = kLab612;
        MainWindow w(o); // scans the lab's 6.12 tree, where kmr_refleak holds 3 references
        w.show();
        QSignalSpy scanned(&w, &MainWindow::scanFinished);
        QVERIFY(scanned.wait(20000));
        QVERIFY(w.selectModule(QStringLiteral("kmr_refleak")));
        QTRY_VERIFY2_WITH_TIMEOUT(
            diagnosisText(w).contains("held by 3 references that no module"), qPrintable(diagnosisText(w)), 20000);
        QVERIFY2(!diagnosisText(w).contains("kmr_refleak_set_leak"), qPrintable(diagnosisText(w)));

        auto *refcount = w.findChild<RefcountTab *>();
        auto *feed = w.findChild<ReferenceTakerFeed *>();
        auto *diag = w.findChild<DiagnosisTab *>();
        QVERIFY(refcount && feed && diag);
        QVERIFY(feed->takers().isEmpty());
        refcount->addTraceLines(testdata::kLabTrace612.mid(0, 3)); // the three leaking gets
        QTRY_VERIFY2_WITH_TIMEOUT(diagnosisText(w).contains(kCited), qPrintable(diagnosisText(w)), 20000);
        QVERIFY2(diagnosisText(w).contains("kmr_refleak is held by 3 references that kmr_refleak took and never "
                                           "gave back"),
            qPrintable(diagnosisText(w)));
        QTRY_VERIFY_WITH_TIMEOUT(!diag->isBusy(), 20000);

        // Balanced gets and puts leave the takers as they were: no new diagnosis (each one scans /proc).
        QSignalSpy takersChanged(feed, &ReferenceTakerFeed::takersChanged);
        QSignalSpy diagnosed(diag, &DiagnosisTab::diagnosisReady);
        for (const QString &line : testdata::kLabTrace612.mid(3))
            refcount->addTraceLines({line});
        QTRY_VERIFY_WITH_TIMEOUT(!feed->isPending(), 10000);
        QCOMPARE(takersChanged.count(), 0);
        QVERIFY(!diag->isBusy());
        QCOMPARE(diagnosed.count(), 0);
        QCOMPARE(feed->takers().value(QStringLiteral("kmr_refleak")).value(0).imbalance, 3);
    }

    void bundleTraceIsCitedWhereNoDiagnosisWasRecorded()
    {
        // A bundle of kmr_victim that carries kmr_refleak's trace: kmr_refleak's diagnosis is worked
        // out from the bundle's snapshot, with the bundle's trace.
        bundle::CollectOptions co;
        co.root = kLab612;
        co.modules = {QStringLiteral("kmr_victim")};
        bundle::BundleContents c = bundle::collectBundleContents(co);
        TraceEventParser parser;
        RecordedTrace trace {QStringLiteral("kmr_refleak"), {}};
        for (const QString &line : testdata::kLabTrace612) {
            TraceEvent e;
            QVERIFY(parser.parseLine(line.toUtf8(), &e));
            trace.events << e;
        }
        QVERIFY(bundle::attachTrace(&c, trace));
        QVERIFY(!c.diagnosis(QStringLiteral("kmr_refleak")));
        QJsonObject parts;
        const QString file = m_tmp.filePath(QStringLiteral("victim.tar.gz"));
        QString message;
        QVERIFY2(bundle::writeBundleArchive(
                     file, bundle::bundleMembers(c, &parts), bundle::manifestExtra(c, parts, false), &message),
            qPrintable(message));

        MainWindow::Options o;
        o.root = QStringLiteral(KMR_FIXTURES "/roots/basic");
        o.scanOnStart = false;
        MainWindow w(o);
        w.show();
        auto *actions = w.findChild<BundleActions *>();
        auto *feed = w.findChild<ReferenceTakerFeed *>();
        QVERIFY(actions && feed);
        QVERIFY2(actions->openBundle(file, &message), qPrintable(message));
        QVERIFY(w.selectModule(QStringLiteral("kmr_refleak")));
        QTRY_VERIFY2_WITH_TIMEOUT(diagnosisText(w).contains(kCited), qPrintable(diagnosisText(w)), 20000);
        QVERIFY2(diagnosisText(w).contains("Not recorded with the bundle"), qPrintable(diagnosisText(w)));

        // Back to the live system: the bundle's trace is no longer cited.
        actions->closeBundle();
        QTRY_VERIFY_WITH_TIMEOUT(feed->takers().isEmpty(), 10000);
    }
};

QTEST_MAIN(TestReferenceTakerFeed)
#include "tst_referencetakerfeed.moc"
