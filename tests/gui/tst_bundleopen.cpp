// SPDX-License-Identifier: GPL-2.0-or-later
// Opening a bundle from the GUI runs on a worker thread: the event loop keeps running meanwhile,
// the status bar says what is being opened, the open actions are disabled (a second open is
// refused until the first is shown, fails or is cancelled), Cancel drops the open, and a bundle
// that cannot be read is reported while what was shown stays as it was. The bundles are real:
// built here from the lab fixture with bundle::writeBundleArchive, one with a kernel log large
// enough that reading it takes a while.
#include "../unit/rawtar.h"
#include "bundle/bundleactions.h"
#include "kernellog/kernellogmodel.h"
#include "kernellog/kernellogtab.h"
#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QJsonDocument>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>

using namespace kmr;
using namespace kmr::test;

namespace {

// Copies of the lab's log: 83,400 records, a 4.3 MB bundle of 16 MB of members, which takes
// 0.3 to 0.6 s to inflate and parse in the dev build (more under ASan).
constexpr int kLogCopies = 150;

MainWindow::Options on(const QString &root)
{
    MainWindow::Options o;
    o.root = root;
    o.scanOnStart = false;
    return o;
}

bundle::BundleContents labContents()
{
    bundle::CollectOptions o;
    o.root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
    o.kernelLogFile = QStringLiteral(KMR_FIXTURES "/kmsg/all-6.1.kmsg");
    return bundle::collectBundleContents(o);
}

// The lab's log repeated `copies` times, numbered on as the kernel would.
void repeatLog(bundle::BundleContents *c, int copies)
{
    const kernellog::KernelLog one = c->kernelLog;
    qint64 sequence = 0;
    c->kernelLog.clear();
    for (int i = 0; i < copies; ++i) {
        for (kernellog::KernelLogRecord r : one) {
            r.sequence = sequence++;
            c->kernelLog << r;
        }
    }
}

bool writeBundle(const QString &file, const bundle::BundleContents &c, QString *message)
{
    QJsonObject parts;
    bundle::WriteOptions fast;
    fast.compressionLevel = 1;
    return bundle::writeBundleArchive(
        file, bundle::bundleMembers(c, &parts), bundle::manifestExtra(c, parts, false), message, fast);
}

// What a shown bundle looks like, to check that a failed or cancelled open left it alone.
struct View {
    QString source;
    QString banner;
    int logRows = -1;
    qsizetype recordedLog = -1;

    static View of(const MainWindow &w)
    {
        View v;
        const auto *actions = w.findChild<BundleActions *>();
        v.source = w.snapshot().source;
        v.banner = actions->bannerText();
        v.logRows = w.findChild<KernelLogTab *>()->logModel()->rowCount();
        v.recordedLog = actions->contents().kernelLog.size();
        return v;
    }
    bool operator==(const View &o) const
    {
        return source == o.source && banner == o.banner && logRows == o.logRows && recordedLog == o.recordedLog;
    }
};

// Accepts the message boxes a test provokes, keeping their title and text.
class MessageBoxCatcher : public QObject
{
public:
    QString title;
    QString text;

    MessageBoxCatcher()
    {
        connect(&m_poll, &QTimer::timeout, this, [this] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                title = box->windowTitle();
                text = box->text();
                box->accept();
            }
        });
        m_poll.start(20);
    }

private:
    QTimer m_poll;
};

} // namespace

class TestBundleOpen : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_small; // the lab fixture as a bundle
    QString m_large; // the same with kLogCopies copies of its kernel log
    int m_largeLogRows = 0;

    static bool openActionsEnabled(const MainWindow &w, const BundleActions *actions)
    {
        return w.openBundleAction()->isEnabled() && w.openSampleAction()->isEnabled()
            && actions->openDirectoryAction()->isEnabled();
    }
    static bool openActionsDisabled(const MainWindow &w, const BundleActions *actions)
    {
        return !w.openBundleAction()->isEnabled() && !w.openSampleAction()->isEnabled()
            && !actions->openDirectoryAction()->isEnabled();
    }

    // Shows W with the small bundle, opened the synchronous way; returns W's bundle actions.
    BundleActions *showSmall(MainWindow &w)
    {
        w.show();
        auto *actions = w.findChild<BundleActions *>();
        QString error;
        if (!actions->openBundle(m_small, &error))
            qWarning("cannot open %s: %s", qPrintable(m_small), qPrintable(error));
        return actions->bundleOpen() ? actions : nullptr;
    }

    // Lets every started open's worker end and delivers what it queued: a dropped result would
    // show up now.
    static void settle(BundleActions *actions)
    {
        actions->waitForOpenWorkers();
        QCoreApplication::processEvents();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        bundle::BundleContents c = labContents();
        QVERIFY2(c.kernelLog.size() > 100, "the lab fixture's kernel log was not read");
        QString message;
        m_small = m_tmp.filePath("lab.tar.gz");
        QVERIFY2(writeBundle(m_small, c, &message), qPrintable(message));
        repeatLog(&c, kLogCopies);
        m_largeLogRows = int(c.kernelLog.size());
        m_large = m_tmp.filePath("lab-large-log.tar.gz");
        QVERIFY2(writeBundle(m_large, c, &message), qPrintable(message));
    }

    // (a) The event loop runs while the bundle is read: a timer fires meanwhile. The status bar
    // says what is being opened and offers Cancel; the open actions wait.
    void openingDoesNotBlockTheEventLoop()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/basic")));
        w.show();
        auto *actions = w.findChild<BundleActions *>();
        QSignalSpy opened(actions, &BundleActions::bundleOpened);
        int ticksWhileOpening = 0;
        QTimer tick;
        tick.setInterval(0);
        connect(&tick, &QTimer::timeout, this, [&] { ticksWhileOpening += actions->isOpening() ? 1 : 0; });
        tick.start();

        QVERIFY(actions->startOpen(m_large));
        QVERIFY(actions->isOpening());
        QCOMPARE(actions->openingFile(), m_large);
        QCOMPARE(w.statusBar()->currentMessage(), "Opening " + m_large + QStringLiteral("\u2026"));
        QVERIFY(actions->cancelOpenButton()->isVisible());
        QVERIFY(openActionsDisabled(w, actions));
        QVERIFY(!actions->bundleOpen()); // nothing is shown before it is fully parsed

        QVERIFY(opened.wait(120000));
        tick.stop();
        QVERIFY2(ticksWhileOpening > 0, "the timer never fired while the bundle was being opened");
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), m_large);
        QVERIFY(actions->bundleOpen());
        QCOMPARE(w.snapshot().source, "bundle:" + m_large);
        QCOMPARE(w.findChild<KernelLogTab *>()->logModel()->rowCount(), m_largeLogRows);
        QVERIFY(actions->bannerText().contains("Read-only bundle " + m_large));
        QVERIFY(w.isReadOnly());
        QVERIFY(!actions->cancelOpenButton()->isVisible());
        QVERIFY(openActionsEnabled(w, actions));
        QVERIFY(w.statusBar()->currentMessage().isEmpty());
    }

    // (b) A bundle that cannot be read: the message box says what is wrong and what to do, and
    // the bundle shown before stays, whole.
    void badBundleKeepsTheView_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("messagePart");
        QTest::addColumn<QString>("whatToDo");
        QTest::newRow("truncated") << "truncated"
                                   << "cut short"
                                   << "Copy it again; if that does not help, export it again with `kmodrescue-cli "
                                      "bundle -o FILE` (or File > Export Diagnostic Bundle).";
        QTest::newRow("not an archive")
            << "garbage"
            << "not a gzip-compressed tar"
            << "Open the .tar.gz that `kmodrescue-cli bundle` or File > Export Diagnostic Bundle wrote.";
        QTest::newRow("wrong schema version") << "version2"
                                              << "schema version 2"
                                              << "Update kmodrescue to 9.1.0 or newer to open it.";
        QTest::newRow("missing") << "missing"
                                 << "no such file or directory"
                                 << "Check the path and the name.";
    }
    void badBundleKeepsTheView()
    {
        QFETCH(QString, kind);
        QFETCH(QString, messagePart);
        QFETCH(QString, whatToDo);
        const QString bad = m_tmp.filePath(kind + ".tar.gz");
        if (kind == "truncated") {
            QByteArray bytes = readAll(m_large);
            bytes.truncate(bytes.size() / 2);
            writeFile(bad, bytes);
        } else if (kind == "garbage") {
            writeFile(bad, QByteArray("this is not a bundle at all\n").repeated(100));
        } else if (kind == "version2") {
            const bundle::BundleContents c = labContents();
            QJsonObject parts;
            const QList<bundle::BundleMember> members = bundle::bundleMembers(c, &parts);
            QJsonObject manifest = bundle::makeManifest(members, bundle::manifestExtra(c, parts, false));
            manifest.insert("schema_version", 2);
            manifest.insert("tool_version", "9.1.0"); // a newer kmodrescue wrote it
            QList<RawEntry> raw {entry("manifest.json", QJsonDocument(manifest).toJson())};
            for (const bundle::BundleMember &m : members)
                raw.append(entry(m.path, m.data));
            QVERIFY(writeRawTar(bad, raw));
        }

        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/basic")));
        BundleActions *actions = showSmall(w);
        QVERIFY(actions);
        const View before = View::of(w);
        QCOMPARE(before.source, "bundle:" + m_small);

        QSignalSpy failed(actions, &BundleActions::openFailed);
        QSignalSpy opened(actions, &BundleActions::bundleOpened);
        MessageBoxCatcher box;
        QVERIFY(actions->startOpen(bad, QStringLiteral("Open Diagnostic Bundle")));
        QVERIFY(View::of(w) == before); // unchanged while it is read
        QTRY_VERIFY_WITH_TIMEOUT(!box.text.isEmpty(), 60000);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), bad);
        const QString message = failed.at(0).at(1).toString();
        QCOMPARE(box.text, message);
        QCOMPARE(box.title, QStringLiteral("Open Diagnostic Bundle"));
        QVERIFY2(message.startsWith(bad + ": ") && message.contains(messagePart), qPrintable(message));
        QVERIFY2(message.endsWith(whatToDo), qPrintable(message)); // the last sentence says what to do
        QCOMPARE(opened.size(), 0);

        QVERIFY(View::of(w) == before);
        QVERIFY(actions->bundleOpen());
        QVERIFY(actions->banner()->isVisible());
        QVERIFY(w.isReadOnly());
        QVERIFY(!actions->isOpening());
        QVERIFY(openActionsEnabled(w, actions));
    }

    // (c) A second open while one is in progress is refused (the actions that would start it are
    // disabled); the first is shown when it is ready, and the next open is accepted again.
    void secondOpenIsRefusedWhileOneIsInProgress()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/basic")));
        w.show();
        auto *actions = w.findChild<BundleActions *>();
        QSignalSpy opened(actions, &BundleActions::bundleOpened);
        QVERIFY(actions->startOpen(m_large));
        QVERIFY(openActionsDisabled(w, actions));
        QVERIFY(!actions->startOpen(m_small));
        w.openSampleAction()->trigger(); // disabled: does nothing
        QCOMPARE(actions->openingFile(), m_large);

        QVERIFY(opened.wait(120000));
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), m_large);
        QCOMPARE(w.snapshot().source, "bundle:" + m_large);
        // Only the first one was started: nothing else arrives later.
        settle(actions);
        QCOMPARE(opened.size(), 1);
        QCOMPARE(w.snapshot().source, "bundle:" + m_large);

        QVERIFY(actions->startOpen(m_small));
        QVERIFY(opened.wait(60000));
        QCOMPARE(w.snapshot().source, "bundle:" + m_small);
    }

    // Cancel (the status bar's button) drops the open: the bundle shown before stays, the
    // actions are back at once, and the dropped result never shows up.
    void cancelKeepsTheView()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/basic")));
        BundleActions *actions = showSmall(w);
        QVERIFY(actions);
        const View before = View::of(w);

        QSignalSpy opened(actions, &BundleActions::bundleOpened);
        QSignalSpy cancelled(actions, &BundleActions::openCancelled);
        QVERIFY(actions->startOpen(m_large));
        QVERIFY(actions->cancelOpenButton()->isVisible());
        QTest::mouseClick(actions->cancelOpenButton(), Qt::LeftButton);
        QCOMPARE(cancelled.size(), 1);
        QCOMPARE(cancelled.at(0).at(0).toString(), m_large);
        QVERIFY(!actions->isOpening());
        QVERIFY(!actions->cancelOpenButton()->isVisible());
        QVERIFY(openActionsEnabled(w, actions));
        QCOMPARE(w.statusBar()->currentMessage(), "Opening " + m_large + " cancelled");

        settle(actions);
        QCOMPARE(opened.size(), 0);
        QVERIFY(View::of(w) == before);
        QVERIFY(actions->bundleOpen());
    }

    // Back to Live System while another bundle is being opened: the user's last choice wins.
    void backToLiveDropsTheOpen()
    {
        MainWindow w(on(QStringLiteral(KMR_FIXTURES "/roots/lab-6.1")));
        BundleActions *actions = showSmall(w);
        QVERIFY(actions);
        QSignalSpy opened(actions, &BundleActions::bundleOpened);
        QSignalSpy scanned(&w, &MainWindow::scanFinished);
        QVERIFY(actions->startOpen(m_large));
        actions->closeBundle();
        QVERIFY(!actions->isOpening());
        QVERIFY(scanned.wait(20000));
        settle(actions);
        QCOMPARE(opened.size(), 0);
        QVERIFY(!actions->bundleOpen());
        QVERIFY2(!w.snapshot().source.startsWith("bundle:"), qPrintable(w.snapshot().source));
        QVERIFY(w.snapshot().find("kmr_exitoops")); // the lab fixture, scanned
    }

    // Closing the window while a bundle is being opened: the read is cancelled and its worker
    // waited for; nothing is delivered to the window that is gone (ASan would see it).
    void closingTheWindowDuringAnOpen()
    {
        auto w = std::make_unique<MainWindow>(on(QStringLiteral(KMR_FIXTURES "/roots/basic")));
        w->show();
        auto *actions = w->findChild<BundleActions *>();
        QVERIFY(actions->startOpen(m_large));
        QVERIFY(actions->isOpening());
        w.reset();
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents();
    }

    // kmodrescue --bundle FILE that cannot be read ends as before: the reader's message on
    // stderr, exit code 6.
    void startUpBundleThatCannotBeReadExits6()
    {
        const QString bad = m_tmp.filePath("startup-garbage.tar.gz");
        writeFile(bad, QByteArray("this is not a bundle at all\n").repeated(100));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", m_tmp.filePath("config")); // its window settings go here
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(KMR_GUI), {"--bundle", bad});
        QVERIFY2(p.waitForFinished(60000), "kmodrescue --bundle did not end");
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 6);
        QVERIFY2(err.contains("kmodrescue: " + bad) && err.contains("not a gzip-compressed tar"), qPrintable(err));
    }
};

QTEST_MAIN(TestBundleOpen)
#include "tst_bundleopen.moc"
