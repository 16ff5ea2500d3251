// SPDX-License-Identifier: GPL-2.0-or-later
// The sample bundle (resources/samples, recorded in the lab on 6.12) in the GUI, offscreen: the
// no-module-support page offers it, and opening it shows what the lab recorded in every tab,
// read-only, with a banner saying it is a sample; Back to Live System restores everything.
#include "bundle/bundleactions.h"
#include "bundle/samplebundle.h"
#include "diagnosis/diagnosistab.h"
#include "kernellog/kernellogmodel.h"
#include "kernellog/kernellogtab.h"
#include "kernellog/oopslistmodel.h"
#include "mainwindow.h"
#include "models/moduletablemodel.h"
#include "refcount/callsitemodel.h"
#include "refcount/refcounttab.h"
#include "widgets/nomodulesupportpage.h"

#include <QAction>
#include <QChart>
#include <QDir>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>

using namespace kmr;

class TestSampleBundle : public QObject
{
    Q_OBJECT

    static MainWindow::Options on(const QString &root)
    {
        MainWindow::Options o;
        o.root = root;
        o.scanOnStart = false;
        return o;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(bundle::haveSampleBundle(),
            "this build embeds no sample bundle: resources/samples/sample.kmrbundle.tar.gz is missing "
            "(tools/record-sample records it); re-run cmake after adding it");
    }

    void noModuleSupportPageOffersTheSample()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/nomodules")));
        w.show();
        QSignalSpy scanned(&w, &MainWindow::scanFinished);
        w.refresh();
        QVERIFY(scanned.wait(20000));
        QVERIFY(w.showsNoModuleSupportPage());
        QToolButton *sampleButton = nullptr;
        for (auto *b : w.findChild<NoModuleSupportPage *>()->findChildren<QToolButton *>())
            if (b->defaultAction() == w.openSampleAction())
                sampleButton = b;
        QVERIFY(sampleButton && sampleButton->isVisible());
        QCOMPARE(sampleButton->text(), QStringLiteral("Open the Sample Bundle"));
        auto *actions = w.findChild<BundleActions *>();
        QSignalSpy opened(actions, &BundleActions::bundleOpened);
        QTest::mouseClick(sampleButton, Qt::LeftButton);
        // Read on a worker: the status bar says what is being opened, and the button waits.
        QVERIFY(actions->isOpening());
        QCOMPARE(w.statusBar()->currentMessage(), QStringLiteral("Opening the sample bundle\u2026"));
        QVERIFY(!sampleButton->isEnabled());
        QVERIFY(opened.wait(20000));
        QCOMPARE(opened.at(0).at(0).toString(), bundle::sampleBundlePath());
        QVERIFY(actions->bundleOpen() && actions->showsSample());
        QVERIFY(sampleButton->isEnabled());
        QVERIFY(w.statusBar()->currentMessage().isEmpty());
        QVERIFY(!w.showsNoModuleSupportPage());
        QVERIFY(w.moduleView()->isVisible());
        // Back to the live (here: fixture) system: the plain-words page again.
        actions->closeBundle();
        QVERIFY(scanned.wait(20000));
        QVERIFY(w.showsNoModuleSupportPage());
    }

    void sampleShowsWhatTheLabRecorded()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/basic")));
        w.show();
        auto *actions = w.findChild<BundleActions *>();
        QString error;
        QVERIFY2(actions->openSample(&error), qPrintable(error));
        const bundle::BundleContents &c = actions->contents();

        // The modules the lab had stuck, and a banner that says whose they are.
        for (const char *m : {"kmr_noexit", "kmr_selfref", "kmr_victim", "kmr_provider", "kmr_consumer", "kmr_refleak",
                 "kmr_busychar", "kmr_exithang", "kmr_exitoops", "kmr_initoops"})
            QVERIFY2(w.moduleModel()->rowOf(QString::fromLatin1(m)) >= 0, m);
        QVERIFY(actions->banner()->isVisible());
        QVERIFY2(actions->bannerText().startsWith("Sample recorded in the kmodrescue lab on Linux 6.12"),
            qPrintable(actions->bannerText()));
        QVERIFY(actions->bannerText().contains("not this machine"));
        QVERIFY(w.windowTitle().contains("sample"));

        // Nothing privileged, and each says why.
        QVERIFY(w.selectModule("kmr_busychar"));
        auto *force = w.findChild<QAction *>("forceUnloadAction");
        QVERIFY(!force->isEnabled());
        QVERIFY2(force->toolTip().contains("nothing on this machine is changed"), qPrintable(force->toolTip()));
        auto *refcount = w.findChild<RefcountTab *>();
        auto *startTrace = refcount->findChild<QPushButton *>("startTracing");
        QVERIFY(startTrace && !startTrace->isEnabled());
        QVERIFY(startTrace->toolTip().contains("bundle is shown"));

        // The diagnosis recorded on the lab's machine: only it saw the process holding the device.
        auto *summary = w.findChild<QLabel *>("diagnosisSummary");
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains("kmr_busychar is stuck"), 20000);
        QVERIFY2(summary->text().startsWith("Recorded with the bundle"), qPrintable(summary->text()));
        QVERIFY2(summary->text().contains("(sleep 3600)"), qPrintable(summary->text()));
        QVERIFY(c.diagnosis("kmr_busychar"));
        // The README's picture of the sample (docs/screenshots/sample-bundle.png comes from here).
        w.resize(1280, 720);
        QCoreApplication::processEvents();
        QWidget *back = actions->banner()->widgetForAction(w.findChild<QAction *>("actionCloseBundle"));
        QVERIFY(back && back->isVisible()); // neither is hidden in the overflow by the other
        QVERIFY(actions->banner()->findChild<QLabel *>("bundleBannerText")->isVisible());
        w.moduleTabs()->setCurrentWidget(w.findChild<DiagnosisTab *>());
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
        QDir().mkpath(QStringLiteral(KMR_BUILD_DIR "/screenshots"));
        QVERIFY(w.grab().save(QStringLiteral(KMR_BUILD_DIR "/screenshots/sample-bundle.png")));

        // The Kernel Log tab: the bundle's log and its crash reports, not this machine's.
        auto *log = w.findChild<KernelLogTab *>();
        QVERIFY(log->showsRecorded());
        QCOMPARE(log->logModel()->records().size(), c.kernelLog.size());
        QCOMPARE(log->oopsModel()->excerpts().size(), c.oopses.size());
        QVERIFY(c.oopses.size() >= 2);
        QVERIFY(w.selectModule("kmr_exitoops"));
        QVERIFY2(log->excerptView()->toPlainText().contains("kmr_exitoops_exit"),
            qPrintable(log->excerptView()->toPlainText().left(400)));
        QCOMPARE(log->highlightedModule(), QStringLiteral("kmr_exitoops"));
        QVERIFY(w.moduleModel()->oopsModules().contains("kmr_exitoops"));

        // The Refcount tab: the history sampled while kmr_refleak leaked, and the trace's call sites.
        QVERIFY(w.selectModule("kmr_refleak"));
        refcount->setWindowSeconds(0);
        const auto *line = qobject_cast<QLineSeries *>(refcount->chart()->series().at(0));
        QVERIFY(line->count() > 2);
        double top = 0;
        for (const QPointF &p : line->points())
            top = qMax(top, p.y());
        QCOMPARE(top, 3.0); // three references leaked
        QCOMPARE(refcount->callSiteModel()->rows().first().held, 3);
        QVERIFY(refcount->callSiteModel()->rows().first().callSite.startsWith("kmr_refleak_set_leak+0x"));
        QVERIFY2(refcount->statusText().contains("Trace of kmr_refleak"), qPrintable(refcount->statusText()));

        // Back to the live system: every view is this machine's again.
        actions->closeBundle();
        QVERIFY(!actions->banner()->isVisible());
        QVERIFY(!log->showsRecorded());
        QVERIFY(!refcount->showsRecorded());
        QCOMPARE(refcount->callSiteModel()->rowCount(), 0);
        QVERIFY(!w.isReadOnly());
        QVERIFY(force->toolTip().startsWith("Unload the selected module"));
    }
};

QTEST_MAIN(TestSampleBundle)
#include "tst_samplebundle.moc"
