// SPDX-License-Identifier: GPL-2.0-or-later
// The Kernel Log tab: its models under QAbstractItemModelTester, the crash reports of a real lab
// log with the selected module's frames highlighted, follow mode, a refused read, the main window.
#include "kernellog/dmesgparser.h"
#include "kernellog/kernellogmodel.h"
#include "kernellog/kernellogtab.h"
#include "kernellog/kmsgreader.h"
#include "kernellog/oopsextractor.h"
#include "kernellog/oopslistmodel.h"
#include "mainwindow.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace kmr;
using namespace kmr::kernellog;

namespace {

QByteArray fixture(const QString &name)
{
    QFile f(QStringLiteral(KMR_FIXTURES "/kmsg/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("fixture %s is missing", qPrintable(name));
    return f.readAll();
}

} // namespace

class TestKernelLogTab : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void logModelUnderTester();
    void filterByTextAndLevel();
    void oopsListModelUnderTester();
    void showsReportsOfLabLogAndHighlightsModule();
    void followModeAppendsNewRecords();
    void followThroughTheHelper();
    void savedLogDoesNotFollowTheLiveOne();
    void logShownWhileAFileIsReadWins();
    void recordedLogReplacesTheHelpersAndGivesItBack();
    void unreadableLogShowsBanner();
    void mainWindowHasKernelLogTab();
};

void TestKernelLogTab::logModelUnderTester()
{
    KernelLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The /dev/kmsg capture carries the priorities (a dmesg text does not).
    const KernelLog log = readKmsg(QStringLiteral(KMR_FIXTURES "/kmsg/exitoops-6.1.kmsg"));
    model.setRecords(log);
    QCOMPARE(model.rowCount(), int(log.size()));
    QCOMPARE(model.columnCount(), int(KernelLogModel::ColumnCount));
    KernelLogRecord gap;
    gap.kind = KernelLogRecord::Kind::Gap;
    gap.gapSize = 4;
    model.appendRecords({gap});
    const QModelIndex last = model.index(model.rowCount() - 1, KernelLogModel::MessageColumn);
    QVERIFY(last.data().toString().contains(QLatin1String("4 record")));
    QVERIFY(last.data(KernelLogModel::IsGapRole).toBool());
    // Severity: the oops header is alert (1), shown in colour and bold.
    int bugRow = -1;
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.index(r, KernelLogModel::MessageColumn).data().toString().startsWith(QLatin1String("BUG:")))
            bugRow = r;
    }
    QVERIFY(bugRow >= 0);
    QVERIFY(model.index(bugRow, 0).data(Qt::ForegroundRole).isValid());
    model.setRecords({});
    QCOMPARE(model.rowCount(), 0);
}

void TestKernelLogTab::filterByTextAndLevel()
{
    KernelLogModel model;
    KernelLogFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    KernelLog log;
    for (int i = 0; i < 8; ++i) {
        KernelLogRecord r;
        r.priority = i;
        r.message = QStringLiteral("message %1").arg(i);
        log << r;
    }
    KernelLogRecord gap;
    gap.kind = KernelLogRecord::Kind::Gap;
    log << gap;
    model.setRecords(log);
    QCOMPARE(proxy.rowCount(), 9);
    proxy.setMaxPriority(3); // errors and worse
    QCOMPARE(proxy.rowCount(), 5); // 0..3 and the gap
    proxy.setText(QStringLiteral("MESSAGE 2"));
    QCOMPARE(proxy.rowCount(), 2); // message 2 and the gap, which always shows
    proxy.setMaxPriority(7);
    proxy.setText(QString());
    QCOMPARE(proxy.rowCount(), 9);
}

void TestKernelLogTab::oopsListModelUnderTester()
{
    OopsListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    OopsExcerpt e;
    e.title = QStringLiteral("WARNING in kmr_victim_put");
    e.faultingModule = QStringLiteral("kmr_victim");
    e.truncated = true;
    e.truncatedWhy = QStringLiteral("cut");
    model.setExcerpts({e, e});
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(model.index(0).data().toString().contains(QLatin1String("kmr_victim")));
    QVERIFY(model.index(0).data().toString().contains(QLatin1String("truncated")));
    QCOMPARE(
        model.index(1).data(OopsListModel::ModulesRole).toStringList(), QStringList {QStringLiteral("kmr_victim")});
    model.setExcerpts({});
    QCOMPARE(model.rowCount(), 0);
}

void TestKernelLogTab::showsReportsOfLabLogAndHighlightsModule()
{
    KernelLogTab tab;
    QSignalSpy modules(&tab, &KernelLogTab::oopsModulesChanged);
    tab.setLog(parseDmesgText(fixture(QStringLiteral("all-6.1.txt"))), QStringLiteral("all-6.1.txt"));
    QCOMPARE(tab.oopsModel()->rowCount(), 3);
    QCOMPARE(modules.size(), 1);
    const QSet<QString> expected {
        QStringLiteral("kmr_exithang"), QStringLiteral("kmr_exitoops"), QStringLiteral("kmr_initoops")};
    QCOMPARE(modules.first().first().value<QSet<QString>>(), expected);

    tab.setModule(QStringLiteral("kmr_exitoops"));
    QCOMPARE(tab.oopsView()->currentIndex().row(), 1);
    QCOMPARE(tab.highlightedModule(), QStringLiteral("kmr_exitoops"));
    const QString text = tab.excerptView()->toPlainText();
    QVERIFY(text.contains(QLatin1String("BUG: unable to handle kernel NULL pointer dereference in kmr_exitoops_exit")));
    QVERIFY(text.contains(QLatin1String("RIP: 0010:kmr_exitoops_exit")));
    // The module's frame lines are the highlighted ones (bold on a coloured background).
    const QString html = tab.excerptView()->toHtml();
    QVERIFY(html.contains(QLatin1String("background-color:#ffe08a")));

    // A module no report names leaves the selection alone and highlights the report's own suspect.
    tab.setModule(QStringLiteral("kmr_victim"));
    QCOMPARE(tab.oopsView()->currentIndex().row(), 1);
    QCOMPARE(tab.highlightedModule(), QStringLiteral("kmr_exitoops"));
    tab.selectExcerpt(2);
    QCOMPARE(tab.highlightedModule(), QStringLiteral("kmr_initoops"));

    // The filter narrows the log, not the reports.
    tab.filterEdit()->setText(QStringLiteral("kmr_initoops"));
    QVERIFY(tab.filterModel()->rowCount() < tab.logModel()->rowCount());
    QVERIFY(tab.filterModel()->rowCount() > 0);
    QCOMPARE(tab.oopsModel()->rowCount(), 3);
}

// A stand-in for /dev/kmsg that the test can append to: one record, read live by TAB.
static bool readGrowingLog(KernelLogTab &tab, QFile &f)
{
    if (!f.open(QIODevice::WriteOnly) || f.write("6,1,1000,-;first\n") < 0 || !f.flush())
        return false;
    return tab.readLive(f.fileName());
}

void TestKernelLogTab::followModeAppendsNewRecords()
{
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("kmsg")));
    KernelLogTab tab;
    QVERIFY(readGrowingLog(tab, f));
    QCOMPARE(tab.logModel()->rowCount(), 1);
    tab.setFollow(true);
    f.write(fixture(QStringLiteral("exitoops-6.1.kmsg")));
    f.flush();
    QTRY_VERIFY_WITH_TIMEOUT(tab.logModel()->rowCount() > 30, 5000);
    // The sequence jumps from 1 to the capture's numbers: the lost records show as a gap.
    QVERIFY(tab.logModel()->index(1, 0).data(KernelLogModel::IsGapRole).toBool());
    QTRY_COMPARE_WITH_TIMEOUT(tab.oopsModel()->rowCount(), 1, 5000);
    tab.setFollow(false);
}

// A saved log from another machine replaces the live one: Follow must not append this machine's
// new records to it.
void TestKernelLogTab::savedLogDoesNotFollowTheLiveOne()
{
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("kmsg")));
    KernelLogTab tab;
    QVERIFY(readGrowingLog(tab, f));
    const QString saved = QStringLiteral(KMR_FIXTURES "/kmsg/exitoops-6.1.kmsg");
    QSignalSpy opened(&tab, &KernelLogTab::logFileOpened);
    QVERIFY(tab.openLogFile(saved));
    QVERIFY(opened.wait(20000)); // read on a worker thread
    const int rows = tab.logModel()->rowCount();
    QVERIFY(rows > 30);
    tab.setFollow(true);
    f.write("6,2,2000,-;written on this machine after the saved log was opened\n");
    f.flush();
    QTest::qWait(1500); // longer than the follow poll's interval
    QCOMPARE(tab.logModel()->rowCount(), rows);
    // A file that cannot be read leaves the shown log as it was.
    QVERIFY(!tab.openLogFile(dir.filePath(QStringLiteral("missing.log"))));
    QCOMPARE(tab.logModel()->rowCount(), rows);
}

// A saved log is read on a worker thread. A log shown before it is read (here the live one, or a
// bundle's) stays: the file's late result is dropped, not shown over it.
void TestKernelLogTab::logShownWhileAFileIsReadWins()
{
    KernelLogTab tab;
    QSignalSpy opened(&tab, &KernelLogTab::logFileOpened);
    QVERIFY(tab.openLogFile(QStringLiteral(KMR_FIXTURES "/kmsg/all-6.12.txt")));
    const KernelLog live = readKmsg(QStringLiteral(KMR_FIXTURES "/kmsg/exitoops-6.1.kmsg"));
    tab.setLog(live, QStringLiteral("the live log"));
    QVERIFY(!opened.wait(3000));
    QCOMPARE(tab.logModel()->rowCount(), int(live.size()));
    QCOMPARE(tab.oopsModel()->rowCount(), 1);

    // Nothing shown meanwhile: the file is shown, with its reports.
    QVERIFY(tab.openLogFile(QStringLiteral(KMR_FIXTURES "/kmsg/all-6.12.txt")));
    QVERIFY(opened.wait(20000));
    QCOMPARE(opened.last().first().toString(), QStringLiteral(KMR_FIXTURES "/kmsg/all-6.12.txt"));
    QVERIFY(tab.logModel()->rowCount() > int(live.size()));
    QVERIFY(tab.oopsModel()->rowCount() >= 3);
}

// kernel.dmesg_restrict=1: the log came from the helper, so follow mode asks it for the records
// after the newest one shown, one request at a time, about once a second (the installer wires
// these signals to HelperClient; tests/system covers the helper's side).
void TestKernelLogTab::followThroughTheHelper()
{
    KernelLogTab tab;
    QSignalSpy asked(&tab, &KernelLogTab::helperFollowRequested);
    tab.setHelperLog({QStringLiteral("6,10,1000,-;first"), QStringLiteral("6,11,2000,-;second")});
    QVERIFY(tab.readsThroughHelper());
    QCOMPARE(tab.logModel()->rowCount(), 2);
    QCOMPARE(tab.lastSequence(), 11);

    tab.setFollow(true);
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.at(0).at(0).toLongLong(), 11);
    QTest::qWait(1500); // the answer has not come: no second request
    QCOMPARE(asked.size(), 1);

    // Records 12 to 14 were overwritten before the helper read them: a gap of 3, then the new ones.
    tab.appendHelperRecords(11, {QStringLiteral("6,15,3000,-;after the gap"), QStringLiteral("6,16,4000,-;next")});
    QCOMPARE(tab.logModel()->rowCount(), 5);
    QVERIFY(tab.logModel()->index(2, 0).data(KernelLogModel::IsGapRole).toBool());
    QCOMPARE(tab.logModel()->records().at(2).gapSize, 3);
    QCOMPARE(tab.logModel()->records().at(4).message, QStringLiteral("next"));
    QCOMPARE(tab.lastSequence(), 16);
    QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 2, 3000);
    QCOMPARE(asked.at(1).at(0).toLongLong(), 16);

    // A late answer to an older request changes nothing; nor do records already shown.
    tab.appendHelperRecords(11, {QStringLiteral("6,12,2500,-;stale")});
    tab.appendHelperRecords(16, {QStringLiteral("6,16,4000,-;next")});
    QCOMPARE(tab.logModel()->rowCount(), 5);

    // Refused (polkit said no): following stops and the banner says why.
    tab.helperFollowFailed(QStringLiteral("Not authorized."));
    QVERIFY(tab.helperBannerVisible());
    QTest::qWait(1500);
    QCOMPARE(asked.size(), 2);

    // Follow ticked again once the helper may answer: the refusal stays until it does, then goes.
    tab.setFollow(true);
    QCOMPARE(asked.size(), 3);
    QCOMPARE(asked.at(2).at(0).toLongLong(), 16);
    QVERIFY(tab.helperBannerVisible());
    tab.appendHelperRecords(16, {QStringLiteral("6,17,5000,-;back")});
    QVERIFY(!tab.helperBannerVisible());
    QCOMPARE(tab.logModel()->rowCount(), 6);
    // Another message (a log file that cannot be read) stays while following goes on.
    QVERIFY(!tab.openLogFile(QStringLiteral("/nonexistent/kernel.log")));
    QVERIFY(tab.helperBannerVisible());
    QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 4, 3000);
    tab.appendHelperRecords(17, {QStringLiteral("6,18,6000,-;more")});
    QCOMPARE(tab.logModel()->rowCount(), 7);
    QVERIFY(tab.helperBannerVisible());

    // A log read directly again is not followed through the helper.
    tab.setLog(parseDmesgText(fixture(QStringLiteral("exitoops-6.1.txt"))), QStringLiteral("file"));
    QVERIFY(!tab.readsThroughHelper());
}

void TestKernelLogTab::recordedLogReplacesTheHelpersAndGivesItBack()
{
    KernelLogTab tab;
    QSignalSpy asked(&tab, &KernelLogTab::helperFollowRequested);
    tab.setHelperLog({QStringLiteral("6,10,1000,-;first"), QStringLiteral("6,11,2000,-;second")});
    tab.setFollow(true);
    QCOMPARE(asked.size(), 1); // pending when the bundle opens

    // A bundle's log with its recorded reports (here: the lab's exitoops capture).
    const KernelLog recorded = readKmsg(QStringLiteral(KMR_FIXTURES "/kmsg/exitoops-6.1.kmsg"));
    const QList<OopsExcerpt> excerpts = OopsExtractor::extract(recorded);
    QVERIFY(!excerpts.isEmpty());
    tab.showRecorded(recorded, excerpts, QStringLiteral("Kernel log recorded in the bundle"));
    QVERIFY(tab.showsRecorded());
    QCOMPARE(tab.logModel()->rowCount(), int(recorded.size()));
    QCOMPARE(tab.oopsModel()->excerpts().size(), excerpts.size());
    QVERIFY(!tab.findChild<QCheckBox *>()->isEnabled()); // a recording does not grow
    tab.appendHelperRecords(11, {QStringLiteral("6,12,3000,-;late live record")}); // the late answer
    QCOMPARE(tab.logModel()->rowCount(), int(recorded.size()));
    QTest::qWait(1200);
    QCOMPARE(asked.size(), 1); // nothing asked while the recording is shown

    tab.leaveRecorded();
    QVERIFY(!tab.showsRecorded());
    QCOMPARE(tab.logModel()->rowCount(), 2);
    QVERIFY(tab.readsThroughHelper());
    QCOMPARE(tab.lastSequence(), 11);
    QVERIFY(tab.findChild<QCheckBox *>()->isEnabled());
}

void TestKernelLogTab::unreadableLogShowsBanner()
{
    KernelLogTab tab;
    QVERIFY(!tab.helperBannerVisible());
    QVERIFY(!tab.readLive(QStringLiteral("/nonexistent/kmsg")));
    QVERIFY(tab.helperBannerVisible());
    tab.setLog(parseDmesgText(fixture(QStringLiteral("exitoops-6.1.txt"))), QStringLiteral("file"));
    QVERIFY(!tab.helperBannerVisible());
}

void TestKernelLogTab::mainWindowHasKernelLogTab()
{
    MainWindow::Options o;
    o.root = QStringLiteral(KMR_FIXTURES "/roots/nonexistent-root");
    o.scanOnStart = false;
    MainWindow w(o);
    bool found = false;
    for (int i = 0; i < w.moduleTabs()->count(); ++i)
        found = found || w.moduleTabs()->tabText(i) == QLatin1String("Kernel Log");
    QVERIFY(found);
    QVERIFY(w.findChild<KernelLogTab *>());
}

QTEST_MAIN(TestKernelLogTab)
#include "tst_kernellogtab.moc"
