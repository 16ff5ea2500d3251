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
#include <QTimer>

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

// Records as the helper's ReadKernelLogAfter returns them ("PRI,SEQ,USEC,-;MESSAGE"), numbered
// from `first`: `fillers` plain messages, then the crash report of the lab's exitoops capture.
QStringList helperRecords(qint64 first, int fillers)
{
    static const QList<QByteArray> crash = fixture(QStringLiteral("exitoops-6.1.kmsg")).split('\n');
    QStringList records;
    qint64 seq = first;
    for (int i = 0; i < fillers; ++i, ++seq)
        records << QStringLiteral("6,%1,%2,-;usb 1-1: filler message %3").arg(seq).arg(seq * 1000).arg(i);
    for (const QByteArray &line : crash) {
        const qsizetype semicolon = line.indexOf(';');
        if (line.isEmpty() || line.startsWith(' ') || semicolon < 0)
            continue; // a KEY=value line of the record before
        records << QStringLiteral("%1,%2,%3,-;%4")
                       .arg(QString::fromUtf8(line.left(line.indexOf(','))))
                       .arg(seq)
                       .arg(seq * 1000)
                       .arg(QString::fromUtf8(line.mid(semicolon + 1)));
        ++seq;
    }
    return records;
}

QStringList titlesAndLines(const QList<OopsExcerpt> &excerpts)
{
    QStringList out;
    for (const OopsExcerpt &e : excerpts)
        out << QStringLiteral("%1 @%2-%3").arg(e.title).arg(e.firstLine).arg(e.lastLine);
    return out;
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
    void expiredAuthorizationStopsFollowing();
    void followedReportsAreSearchedOffTheGuiThread();
    void searchOfALogNoLongerShownIsDropped();
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
    QVERIFY(asked.at(0).at(1).toBool()); // ticked by the user: polkit may ask for a password
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
    QVERIFY(!asked.at(1).at(1).toBool()); // a poll: never a password dialog

    // A late answer to an older request changes nothing; nor do records already shown.
    tab.appendHelperRecords(11, {QStringLiteral("6,12,2500,-;stale")});
    tab.appendHelperRecords(16, {QStringLiteral("6,16,4000,-;next")});
    QCOMPARE(tab.logModel()->rowCount(), 5);

    // Refused (polkit said no): following stops and the banner says why.
    HelperFailure denied;
    denied.kind = HelperFailure::Kind::Denied;
    denied.message = QStringLiteral("not authorized for io.github.kmodrescue.read-kernel-log: polkit denied it");
    tab.helperFollowFailed(denied);
    QVERIFY(tab.helperBannerVisible());
    QTest::qWait(1500);
    QCOMPARE(asked.size(), 2);

    // Follow ticked again once the helper may answer: the refusal stays until it does, then goes.
    tab.setFollow(true);
    QCOMPARE(asked.size(), 3);
    QCOMPARE(asked.at(2).at(0).toLongLong(), 16);
    QVERIFY(asked.at(2).at(1).toBool());
    QVERIFY(tab.helperBannerVisible());
    tab.appendHelperRecords(16, {QStringLiteral("6,17,5000,-;back")});
    QVERIFY(!tab.helperBannerVisible());
    QCOMPARE(tab.logModel()->rowCount(), 6);
    // Another message (a log file that cannot be read) stays while following goes on.
    QVERIFY(!tab.openLogFile(QStringLiteral("/nonexistent/kernel.log")));
    QVERIFY(tab.helperBannerVisible());
    QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 4, 3000);
    QVERIFY(!asked.at(3).at(1).toBool());
    tab.appendHelperRecords(17, {QStringLiteral("6,18,6000,-;more")});
    QCOMPARE(tab.logModel()->rowCount(), 7);
    QVERIFY(tab.helperBannerVisible());

    // A log read directly again is not followed through the helper.
    tab.setLog(parseDmesgText(fixture(QStringLiteral("exitoops-6.1.txt"))), QStringLiteral("file"));
    QVERIFY(!tab.readsThroughHelper());
}

// A poll refused because polkit wants a password (its kept authorization expired): following
// stops, the banner says so in plain words and how to go on, and ticking Follow asks once with
// a dialog allowed. tests/system/tst_kernellog_follow produces the refusal with the real polkitd.
void TestKernelLogTab::expiredAuthorizationStopsFollowing()
{
    KernelLogTab tab;
    QSignalSpy asked(&tab, &KernelLogTab::helperFollowRequested);
    tab.setHelperLog({QStringLiteral("6,10,1000,-;first")});
    tab.setFollow(true);
    tab.appendHelperRecords(10, {});
    QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 2, 3000);
    HelperFailure expired;
    expired.kind = HelperFailure::Kind::AuthorizationRequired;
    expired.message = QStringLiteral("not authorized for io.github.kmodrescue.read-kernel-log: authentication is "
                                     "required, and the caller did not allow interactive authorization");
    tab.helperFollowFailed(expired);
    QVERIFY(!tab.findChild<QCheckBox *>()->isChecked());
    QVERIFY(tab.helperBannerVisible());
    QCOMPARE(tab.bannerText(),
        QStringLiteral("Following stopped: the authorization to read the kernel log has expired, and kmodrescue does "
                       "not ask for your password in the background. Tick Follow to authorize again."));
    tab.findChild<QCheckBox *>()->click();
    QCOMPARE(asked.size(), 3);
    QVERIFY(asked.at(2).at(1).toBool());
}

// While following, the new records' crash reports are searched for on a worker thread: a timer of
// the GUI thread fires while the whole (large) log is searched, the search does not hold the
// model's list (the model's next append would copy it whole), and after several quick polls,
// each bringing a report, the list holds every report of the log, as a search of it finds them.
void TestKernelLogTab::followedReportsAreSearchedOffTheGuiThread()
{
    KernelLogTab tab;
    tab.setHelperLog(helperRecords(1, 200000));
    QCOMPARE(tab.oopsModel()->rowCount(), 1);
    constexpr int Polls = 4;
    int answered = 0;
    connect(&tab, &KernelLogTab::helperFollowRequested, &tab, [&](qint64 after, bool) {
        if (answered++ < Polls) // answered as the helper would, a little later
            QTimer::singleShot(
                0, &tab, [&tab, after] { tab.appendHelperRecords(after, helperRecords(after + 1, 500)); });
    });
    int ticksWhileSearching = 0;
    bool modelSharedWithSearch = false; // then its next append would copy the whole log
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, &tab, [&] {
        if (!tab.extractingReports())
            return;
        ++ticksWhileSearching;
        modelSharedWithSearch = modelSharedWithSearch || !tab.logModel()->records().isDetached();
    });
    ticker.start();
    tab.setFollow(true);
    QTRY_VERIFY_WITH_TIMEOUT(
        answered > Polls && tab.oopsModel()->rowCount() == 1 + Polls && !tab.extractingReports(), 60000);
    QVERIFY2(ticksWhileSearching > 0, "no timer fired on the GUI thread while the reports were searched for");
    QVERIFY(!modelSharedWithSearch);
    QCOMPARE(
        titlesAndLines(tab.oopsModel()->excerpts()), titlesAndLines(OopsExtractor::extract(tab.logModel()->records())));
    QCOMPARE(tab.oopsView()->currentIndex().row(), 0); // the report selected before stays selected
}

// Another log shown while a search of the followed one runs: that search's result never shows.
void TestKernelLogTab::searchOfALogNoLongerShownIsDropped()
{
    KernelLogTab tab;
    tab.setHelperLog(helperRecords(1, 200000));
    qint64 last = tab.lastSequence();
    tab.appendHelperRecords(last, helperRecords(last + 1, 10)); // a second report: searched for
    // The other log comes while the search runs (or its result waits for the event loop).
    bool replaced = false;
    QTimer watcher;
    watcher.setInterval(1);
    connect(&watcher, &QTimer::timeout, &tab, [&] {
        if (!replaced && tab.extractingReports()) {
            replaced = true;
            tab.setHelperLog({QStringLiteral("6,1,1000,-;a log without a crash report")});
        }
    });
    watcher.start();
    QTRY_VERIFY_WITH_TIMEOUT(replaced, 10000);
    watcher.stop();
    QCOMPARE(tab.oopsModel()->rowCount(), 0);
    QList<int> shown;
    connect(tab.oopsModel(), &QAbstractItemModel::modelReset, &tab, [&] { shown << tab.oopsModel()->rowCount(); });
    // One report in the new log: searched for after the old search (one worker), then shown.
    tab.appendHelperRecords(1, helperRecords(2, 3));
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && !tab.extractingReports(), 60000);
    QCOMPARE(shown, QList<int> {1});
    QCOMPARE(
        titlesAndLines(tab.oopsModel()->excerpts()), titlesAndLines(OopsExtractor::extract(tab.logModel()->records())));
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
