// SPDX-License-Identifier: GPL-2.0-or-later
// The GUI on a sosreport: the lab's real sos report (tests/fixtures/sosreport/lab-6.1) opens
// through File > Open Bundle (its .tar.xz, packed here) and File > Open Unpacked sosreport (its
// directory), read-only, with a banner naming what the report lacks, and a stuck module's
// diagnosis from the report's own evidence.
#include "../unit/rawtar.h"
#include "bundle/bundleactions.h"
#include "mainwindow.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace kmr;
using namespace kmr::test;

namespace {

const QString Fixture = QStringLiteral(KMR_FIXTURES "/sosreport/lab-6.1");

// The fixture directory packed as sos packs it: one top directory, links as links.
bool packFixture(const QString &file)
{
    return writeRawTar(file, entriesOfDirectory(Fixture, QStringLiteral("sosreport-none-2026-11-22-ysmvnno")), "xz");
}

} // namespace

class TestSosReportGui : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;

    struct Window {
        MainWindow::Options options;
        std::unique_ptr<MainWindow> w;
        BundleActions *actions = nullptr;
    };
    static Window window()
    {
        Window win;
        win.options.root = QStringLiteral(KMR_FIXTURES "/roots/basic");
        win.options.scanOnStart = false;
        win.w = std::make_unique<MainWindow>(win.options);
        win.w->show();
        win.actions = win.w->findChild<BundleActions *>();
        return win;
    }

    // Opened read-only with a banner that names what the report lacks; module actions hidden;
    // the diagnosis of kmr_exitoops (its exit oopsed: the report's own dmesg shows it).
    static void checkOpened(Window &win, const QString &path)
    {
        QString error;
        QVERIFY2(win.actions->openBundle(path, &error), qPrintable(error));
        QCOMPARE(win.w->snapshot().source, "sosreport:" + path);
        QCOMPARE(win.w->snapshot().modules.size(), 24);
        QVERIFY(win.actions->banner()->isVisible());
        const QString banner = win.actions->bannerText();
        QVERIFY2(banner.contains("Read-only sosreport " + path), qPrintable(banner));
        QVERIFY2(banner.contains("kernel 6.1.0-56-amd64"), qPrintable(banner));
        QVERIFY2(banner.contains("by sos 4.0"), qPrintable(banner));
        QVERIFY2(banner.contains("Not in it:") && banner.contains("kernel-config") && banner.contains("sysfs-holders"),
            qPrintable(banner));
        auto *label = win.actions->banner()->findChild<QLabel *>("bundleBannerText");
        QVERIFY(label && label->toolTip().contains("derived from /proc/modules"));
        for (QAction *a : win.w->moduleMenu()->actions())
            QVERIFY2(!a->isEnabled(), qPrintable(a->text())); // nothing privileged on another machine's report
        QVERIFY(win.w->selectModule("kmr_exitoops"));
        auto *summary = win.w->findChild<QLabel *>("diagnosisSummary");
        QVERIFY(summary);
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains("kmr_exitoops is stuck"), 20000);
        QVERIFY2(summary->text().contains("Unloading"), qPrintable(summary->text()));
        // A Refresh-free switch to another module keeps the report open.
        QVERIFY(win.w->selectModule("kmr_victim"));
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains("kmr_victim is stuck"), 20000);
        QVERIFY(win.actions->bundleOpen());
        win.actions->closeBundle();
        QVERIFY(!win.actions->banner()->isVisible());
    }

private Q_SLOTS:
    void fileMenuOffersTheDirectory()
    {
        Window win = window();
        QVERIFY(win.actions);
        QAction *dir = win.actions->openDirectoryAction();
        QVERIFY(dir && dir->isVisible());
        const QList<QAction *> file = win.w->fileMenu()->actions();
        QCOMPARE(file.indexOf(dir), file.indexOf(win.w->openBundleAction()) + 1); // right under Open Bundle
        QVERIFY(win.w->openBundleAction()->toolTip().contains("sosreport"));
    }

    void opensTheUnpackedDirectory()
    {
        QVERIFY2(QFileInfo(Fixture).isDir(), qPrintable("fixture missing: " + Fixture));
        Window win = window();
        checkOpened(win, Fixture);
    }

    void opensTheTarball()
    {
        const QString file = m_tmp.filePath("sosreport-none-2026-11-22-ysmvnno.tar.xz");
        QVERIFY(packFixture(file));
        Window win = window();
        checkOpened(win, file);
    }

    void aDirectoryThatIsNoSosReportIsRefused()
    {
        Window win = window();
        QString error;
        QVERIFY(!win.actions->openBundle(QStringLiteral(KMR_FIXTURES "/roots/lab-6.1"), &error));
        QVERIFY2(error.contains("not a sosreport") && error.contains("--root DIR"), qPrintable(error));
        QVERIFY(!win.actions->bundleOpen());
        QVERIFY(!win.actions->banner()->isVisible());
    }
};

QTEST_MAIN(TestSosReportGui)
#include "tst_sosreportgui.moc"
