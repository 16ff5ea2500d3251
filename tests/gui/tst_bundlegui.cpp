// SPDX-License-Identifier: GPL-2.0-or-later
// The GUI on a bundle: File > Open Bundle shows another machine's modules read-only, with a
// banner, the module actions hidden, and a module's diagnosis from the bundle's own evidence;
// the export dialog lists the redactions before anything is written.
#include "bundle/bundleactions.h"
#include "bundle/bundlerecordings.h"
#include "bundle/exportbundledialog.h"
#include "diagnosis/unloadjson.h"
#include "mainwindow.h"
#include "refcount/refcountsampler.h"
#include "refcount/refcounttab.h"

#include "../labtrace.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QMenu>
#include <QJsonDocument>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>

using namespace kmr;

class TestBundleGui : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_bundle;

    static MainWindow::Options on(const QString &root)
    {
        MainWindow::Options o;
        o.root = root;
        o.scanOnStart = false;
        return o;
    }

    static bundle::BundleContents labContents(const QStringList &modules)
    {
        bundle::CollectOptions o;
        o.root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
        o.kernelLogFile = QStringLiteral(KMR_FIXTURES "/kmsg/all-6.1.kmsg");
        o.modules = modules;
        return bundle::collectBundleContents(o);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const bundle::BundleContents c = labContents({});
        QJsonObject parts;
        m_bundle = m_tmp.filePath("lab.tar.gz");
        QString message;
        QVERIFY2(bundle::writeBundleArchive(
                     m_bundle, bundle::bundleMembers(c, &parts), bundle::manifestExtra(c, parts, false), &message),
            qPrintable(message));
    }

    void openBundleShowsItReadOnly()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/basic")));
        w.show();
        auto *actions = w.findChild<BundleActions *>();
        QVERIFY(actions);
        QVERIFY(w.openBundleAction()->isVisible());
        QVERIFY(w.fileMenu()->actions().contains(actions->exportAction()));

        QString error;
        QVERIFY(!actions->openBundle(m_tmp.filePath("missing.tar.gz"), &error));
        QVERIFY2(
            error == m_tmp.filePath("missing.tar.gz") + ": no such file or directory. Check the path and the name.",
            qPrintable(error));
        QVERIFY(!actions->bundleOpen());

        QVERIFY2(actions->openBundle(m_bundle, &error), qPrintable(error));
        QCOMPARE(w.snapshot().source, "bundle:" + m_bundle);
        QVERIFY(w.snapshot().find("kmr_exitoops"));
        QVERIFY(actions->banner()->isVisible());
        QVERIFY2(actions->bannerText().contains("Read-only bundle"), qPrintable(actions->bannerText()));
        QVERIFY(actions->bannerText().contains("6.1.0-56-amd64"));
        QVERIFY(w.isReadOnly());
        for (QAction *a : w.moduleMenu()->actions()) { // nothing privileged on a bundle, and it says why
            QVERIFY2(!a->isEnabled(), qPrintable(a->text()));
            QVERIFY2(a->toolTip().contains("recorded bundle is shown"), qPrintable(a->toolTip()));
        }
        QVERIFY(!actions->exportAction()->isEnabled());

        // A module's diagnosis, from the bundle's own kernel log: the exit crashed.
        QVERIFY(w.selectModule("kmr_exitoops"));
        auto *summary = w.findChild<QLabel *>("diagnosisSummary");
        QVERIFY(summary);
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains("kmr_exitoops is stuck"), 20000);
        QVERIFY2(summary->text().contains("Unloading"), qPrintable(summary->text()));

        w.selectModule("kmr_victim"); // the selection must not enable Force Unload on a bundle
        QVERIFY(!w.findChild<QAction *>("forceUnloadAction")->isEnabled());

        actions->closeBundle();
        QVERIFY(!actions->bundleOpen());
        QVERIFY(!actions->banner()->isVisible());
        QVERIFY(actions->exportAction()->isEnabled());
        QVERIFY(!w.isReadOnly());
        QCOMPARE(w.findChild<QAction *>("forceUnloadAction")->toolTip(),
            QStringLiteral("Unload the selected module through kmodrescue-helper, showing the plan first"));
    }

    void exportCarriesTheSessionsRecordings()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/lab-6.1")));
        w.show();
        QSignalSpy scanned(&w, &MainWindow::scanFinished);
        w.refresh();
        QVERIFY(scanned.wait(20000));
        QVERIFY(w.selectModule("kmr_refleak"));
        auto *refcount = w.findChild<RefcountTab *>();
        QVERIFY(refcount);
        refcount->sampler()->sampleOnce();
        refcount->addTraceLines(testdata::kLabTrace612);
        QCOMPARE(refcount->liveTrace().events.size(), 7);
        auto *actions = w.findChild<BundleActions *>();
        UnloadPlan plan;
        plan.module = "kmr_refleak";
        const QJsonObject record = unloadRecordJson(plan, nullptr, "polkit said no");
        actions->addUnloadRecord(record);
        plan.module = "kmr_noexit"; // another module's unload stays out of this module's bundle
        actions->addUnloadRecord(unloadRecordJson(plan, nullptr, "polkit said no"));

        const QString file = m_tmp.filePath("session.tar.gz");
        QString error;
        QTimer poll;
        connect(&poll, &QTimer::timeout, this, [&] {
            if (auto *d = qobject_cast<ExportBundleDialog *>(QApplication::activeModalWidget())) {
                if (!d->writeTo(file, &error))
                    error = "write failed: " + error;
                d->reject();
            }
        });
        poll.start(20);
        actions->exportAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(file) || !error.isEmpty(), 30000);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        bundle::BundleContents back;
        bundle::BundleError kind = bundle::BundleError::None;
        QVERIFY2(bundle::openBundle(file, &back, &kind, &error), qPrintable(error));
        QCOMPARE(back.chosenModules, QStringList {"kmr_refleak"});
        RecordedRefcountHistory history;
        QVERIFY2(bundle::recordedHistory(back, &history, &error), qPrintable(error));
        QCOMPARE(history.history->modules(), QStringList {"kmr_refleak"});
        QCOMPARE(history.history->points("kmr_refleak"), refcount->history()->points("kmr_refleak"));
        QCOMPARE(history.history->points("kmr_refleak").constLast().value, 3); // the fixture's refcnt
        RecordedTrace trace;
        QVERIFY2(bundle::recordedTrace(back, &trace, &error), qPrintable(error));
        QCOMPARE(trace.module, QStringLiteral("kmr_refleak"));
        QVERIFY(trace.events == refcount->liveTrace().events);
        QList<QJsonObject> records;
        QVERIFY(unloadRecordsFromJson(QJsonDocument::fromJson(back.unloadPlanJson).object(), &records, &error));
        QCOMPARE(records, QList<QJsonObject> {record});

        // Opened again, the module's diagnosis says what was tried on that machine.
        QVERIFY2(actions->openBundle(file, &error), qPrintable(error));
        QVERIFY(w.selectModule("kmr_refleak"));
        auto *summary = w.findChild<QLabel *>("diagnosisSummary");
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains("An unload was tried on that machine"), 20000);
        QVERIFY2(summary->text().contains("Not carried out: polkit said no"), qPrintable(summary->text()));
    }

    void exportActionCollectsThenAsks()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/lab-6.1")));
        w.show();
        auto *actions = w.findChild<BundleActions *>();
        QVERIFY(actions);
        QString shown;
        QTimer poll;
        connect(&poll, &QTimer::timeout, this, [&] {
            if (auto *d = qobject_cast<ExportBundleDialog *>(QApplication::activeModalWidget())) {
                shown = d->findChild<QPlainTextEdit *>("redactionList")->toPlainText();
                d->reject(); // nothing is written without the user's Save
            }
        });
        poll.start(20);
        actions->exportAction()->trigger();
        QVERIFY(!actions->exportAction()->isEnabled()); // collecting, off the GUI thread
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 30000);
        QVERIFY2(shown.contains("nothing to redact") || shown.contains(" -> ["), qPrintable(shown));
        QTRY_VERIFY(actions->exportAction()->isEnabled());
    }

    void exportDialogShowsRedactionsFirst()
    {
        bundle::BundleContents c = labContents({"kmr_exitoops"});
        bundle::RedactionContext ctx;
        ctx.hostNames = {"kmrlab"};
        c.snapshot.warnings << "read on kmrlab from 10.1.2.3";
        ExportBundleDialog dialog(c, ctx);
        auto *list = dialog.findChild<QPlainTextEdit *>("redactionList");
        QVERIFY(list);
        QVERIFY2(list->toPlainText().contains("host-name: kmrlab -> [host-1]"), qPrintable(list->toPlainText()));
        QVERIFY(list->toPlainText().contains("ipv4-address: 10.1.2.3 -> [ipv4-1]"));
        QVERIFY(dialog.redact());
        const QString file = m_tmp.filePath("exported.tar.gz");
        QString error;
        QVERIFY2(dialog.writeTo(file, &error), qPrintable(error));
        bundle::BundleContents back;
        bundle::BundleError kind = bundle::BundleError::None;
        QVERIFY2(bundle::openBundle(file, &back, &kind, &error), qPrintable(error));
        QVERIFY(back.snapshot.warnings.contains("read on [host-1] from [ipv4-1]"));
        dialog.findChild<QCheckBox *>("redactCheck")->setChecked(false);
        QVERIFY(dialog.writeTo(file, &error));
        QVERIFY(bundle::openBundle(file, &back, &kind, &error));
        QVERIFY(back.snapshot.warnings.contains("read on kmrlab from 10.1.2.3"));
        QVERIFY(!back.manifest.value("redacted").toBool());
    }
};

QTEST_MAIN(TestBundleGui)
#include "tst_bundlegui.moc"
