// SPDX-License-Identifier: GPL-2.0-or-later
// The main window, offscreen: scanning a fixture tree, filtering, selecting, the details pane,
// the no-module-support page, and a late result from an older scan being dropped.
#include "labsnapshot.h"
#include "mainwindow.h"
#include "models/moduletablemodel.h"
#include "widgets/kernelstatusbar.h"
#include "widgets/moduledetailsview.h"
#include "widgets/nomodulesupportpage.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

#include <atomic>

using namespace kmr;
using kmr::testdata::labSnapshot;

namespace {
const QString basicRoot = QStringLiteral(KMR_FIXTURES "/roots/basic");
const QString labRoot = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1"); // captured in the qemu lab

QString saveScreenshot(QWidget *w, const QString &name)
{
    const QString dir = QStringLiteral(KMR_BUILD_DIR "/screenshots");
    QDir().mkpath(dir);
    const QString path = dir + QLatin1Char('/') + name;
    // Let pending layout requests (status bar texts, column sizes) run before grabbing.
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents();
    w->grab().save(path);
    return path;
}

QStringList shownNames(QTreeView *view)
{
    QStringList names;
    for (int r = 0; r < view->model()->rowCount(); ++r)
        names << view->model()->index(r, 0).data(ModuleTableModel::ModuleNameRole).toString();
    return names;
}

// A window that shows what `scanner` returns, at a fixed size; waits for the first scan.
void openOn(MainWindow &w, MainWindow::Scanner scanner)
{
    w.setScanner(std::move(scanner));
    w.resize(1280, 720);
    w.show();
    QSignalSpy done(&w, &MainWindow::scanFinished);
    w.refresh();
    QVERIFY(done.wait(10000));
}

MainWindow::Options noAutoScan()
{
    MainWindow::Options o;
    o.scanOnStart = false;
    return o;
}
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void scansFixtureTreeGivenAsRoot();
    void labCaptureScreenshot();
    void filterSelectDetailsAndScreenshot();
    void holderLinkSelectsThatModule();
    void selectionSurvivesRefresh();
    void statusBarShowsKernelFacts();
    void oopsModulesShowInTableAndDetails();
    void noModuleSupportShowsPlainWords();
    void rootWithoutProcModulesShowsPlainWords();
    void olderScanArrivingLateIsDropped();
    void autoRefreshRescans();
    void openedSnapshotIsNotReplacedByRunningScan();
    void moduleTabsAndActionsPlugIn();
    void windowHasTheAppIcon();
};

void TestMainWindow::initTestCase()
{
    QVERIFY2(QGuiApplication::platformName() == QLatin1String("offscreen"),
        "run with QT_QPA_PLATFORM=offscreen (ctest sets it)");
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSize(9);
    QApplication::setFont(f);
}

void TestMainWindow::scansFixtureTreeGivenAsRoot()
{
    QVERIFY2(QFileInfo(basicRoot + QStringLiteral("/proc/modules")).isFile(),
        qPrintable(QStringLiteral("fixture tree missing: ") + basicRoot));
    MainWindow::Options o;
    o.root = basicRoot;
    MainWindow w(o); // scans on start, with the real SnapshotReader
    w.resize(1280, 720);
    w.show();
    QSignalSpy done(&w, &MainWindow::scanFinished);
    QVERIFY(done.wait(10000));
    QVERIFY(!w.showsNoModuleSupportPage());
    QCOMPARE(w.snapshot().kernel.release.value, QStringLiteral("6.12.117+deb12-amd64"));
    const QStringList names = shownNames(w.moduleView());
    QVERIFY2(names.contains(QStringLiteral("crc8")), qPrintable(names.join(QLatin1Char(','))));
    QVERIFY(names.contains(QStringLiteral("kmr_initoops")));
    QVERIFY(!names.contains(QStringLiteral("this"))); // the malformed line is not a module
    QVERIFY(w.selectModule(QStringLiteral("kmr_initoops")));
    QVERIFY(w.snapshot().find(QStringLiteral("kmr_initoops"))->state == ModuleState::Loading);
    saveScreenshot(&w, QStringLiteral("mainwindow-basic-fixture.png"));
}

void TestMainWindow::labCaptureScreenshot()
{
    // The README's screenshot: the real reader on the tree captured from Linux 6.1 in the lab,
    // with every stuck scenario of kmod/testmods loaded.
    QVERIFY2(QFileInfo(labRoot + QStringLiteral("/proc/modules")).isFile(),
        qPrintable(QStringLiteral("fixture tree missing: ") + labRoot));
    MainWindow::Options o;
    o.root = labRoot;
    MainWindow w(o);
    w.resize(1280, 720);
    w.show();
    QSignalSpy done(&w, &MainWindow::scanFinished);
    QVERIFY(done.wait(20000));
    QVERIFY(!w.showsNoModuleSupportPage());
    const QStringList names = shownNames(w.moduleView());
    for (const char *stuck : {"kmr_initoops", "kmr_exitoops", "kmr_refleak", "kmr_provider", "kmr_oldcc"})
        QVERIFY2(names.contains(QString::fromLatin1(stuck)), stuck);
    // What the kernel log of that capture implicates (the oops extractor sets this in the app).
    w.moduleModel()->setOopsModules({QStringLiteral("kmr_initoops"), QStringLiteral("kmr_exitoops")});
    QVERIFY(w.selectModule(QStringLiteral("kmr_refleak")));
    auto *details = w.findChild<ModuleDetailsView *>(QStringLiteral("moduleDetails"));
    QVERIFY2(details->toPlainText().contains(QStringLiteral("no module holds it")), qPrintable(details->toPlainText()));
    const QString path = saveScreenshot(&w, QStringLiteral("mainwindow.png"));
    QVERIFY2(QImage(path).width() == 1280, qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

void TestMainWindow::filterSelectDetailsAndScreenshot()
{
    MainWindow w(noAutoScan());
    openOn(w, [] { return labSnapshot(); });
    QTreeView *view = w.moduleView();
    QCOMPARE(view->model()->rowCount(), 16);

    auto *filter = w.findChild<QLineEdit *>(QStringLiteral("moduleFilter"));
    QVERIFY(filter);
    QTest::keyClicks(filter, QStringLiteral("kmr"));
    QCOMPARE(shownNames(view),
        QStringList({QStringLiteral("kmr_exitoops"), QStringLiteral("kmr_held"), QStringLiteral("kmr_holder"),
            QStringLiteral("kmr_initoops"), QStringLiteral("kmr_leak"), QStringLiteral("kmr_noexit"),
            QStringLiteral("kmr_vanished")}));
    QTest::keyClicks(filter, QStringLiteral(" loading")); // a state word; "loading" is part of "unloading" too
    QCOMPARE(shownNames(view), QStringList({QStringLiteral("kmr_exitoops"), QStringLiteral("kmr_initoops")}));
    QTest::keyClick(filter, Qt::Key_Escape); // Esc clears the filter
    QVERIFY(filter->text().isEmpty());
    QCOMPARE(view->model()->rowCount(), 16);
    QTest::keyClicks(filter, QStringLiteral("kmr_"));

    // Click the row as a user would.
    const int row = shownNames(view).indexOf(QStringLiteral("kmr_leak"));
    QVERIFY(row >= 0);
    QSignalSpy selected(&w, &MainWindow::moduleSelected);
    const QRect rect = view->visualRect(view->model()->index(row, ModuleTableModel::Name));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(w.currentModule(), QStringLiteral("kmr_leak"));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.at(0).at(0).toString(), QStringLiteral("kmr_leak"));

    auto *details = w.findChild<ModuleDetailsView *>(QStringLiteral("moduleDetails"));
    QVERIFY(details);
    QCOMPARE(details->shownModule(), QStringLiteral("kmr_leak"));
    const QString text = details->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("/lib/modules/6.1.0-56-amd64/updates/kmr_leak.ko")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("GCC: (Debian 11.3.0-12) 11.3.0")));
    QVERIFY(text.contains(QStringLiteral("no module holds it"))); // refcount 3 with no holders
    QVERIFY(text.contains(QStringLiteral("unsigned")));
    QVERIFY(text.contains(QStringLiteral("externally-built")));

    // An unknown field says why.
    QVERIFY(w.selectModule(QStringLiteral("kmr_vanished")));
    QVERIFY(details->toPlainText().contains(QStringLiteral("unknown: not in modules.dep")));

    QVERIFY(w.selectModule(QStringLiteral("kmr_leak")));
    QCOMPARE(filter->text(), QStringLiteral("kmr_")); // selecting a shown module keeps the filter
    w.moduleModel()->setOopsModules({QStringLiteral("kmr_initoops"), QStringLiteral("kmr_exitoops")});
    const QString path = saveScreenshot(&w, QStringLiteral("mainwindow-filtered.png"));
    QVERIFY2(QImage(path).width() == 1280, qPrintable(path));
}

void TestMainWindow::holderLinkSelectsThatModule()
{
    MainWindow w(noAutoScan());
    openOn(w, [] { return labSnapshot(); });
    QVERIFY(w.selectModule(QStringLiteral("kmr_held")));
    auto *details = w.findChild<ModuleDetailsView *>(QStringLiteral("moduleDetails"));
    QVERIFY(details->toHtml().contains(QStringLiteral("module:kmr_holder")));
    // The link is in the Used by row; what a click on it emits:
    Q_EMIT details->anchorClicked(QUrl(QStringLiteral("module:kmr_holder")));
    QCOMPARE(w.currentModule(), QStringLiteral("kmr_holder"));
    QCOMPARE(details->shownModule(), QStringLiteral("kmr_holder"));
    // A filter hiding the target is cleared rather than selecting nothing.
    w.setFilterText(QStringLiteral("drm"));
    Q_EMIT details->anchorClicked(QUrl(QStringLiteral("module:kmr_held")));
    QCOMPARE(w.currentModule(), QStringLiteral("kmr_held"));
    QVERIFY(w.filterText().isEmpty());
    QVERIFY(!w.selectModule(QStringLiteral("not_loaded")));
}

void TestMainWindow::selectionSurvivesRefresh()
{
    MainWindow w(noAutoScan());
    std::atomic<int> calls {0};
    openOn(w, [&calls] {
        Snapshot s = labSnapshot();
        if (++calls > 1) { // second scan: modules before the selected one come and go
            s.modules.removeAt(0); // crc32_pclmul unloaded
            s.modules.insert(0, labSnapshot().modules.at(0));
            s.modules[0].name = QStringLiteral("aaa_new");
            s.modules[8].refcount = 4; // kmr_leak leaked one more
        }
        return s;
    });
    QVERIFY(w.selectModule(QStringLiteral("kmr_leak")));
    QSignalSpy selected(&w, &MainWindow::moduleSelected);
    QSignalSpy done(&w, &MainWindow::scanFinished);
    QSignalSpy changed(&w, &MainWindow::snapshotChanged);
    w.refresh();
    QVERIFY(done.wait(10000));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(w.currentModule(), QStringLiteral("kmr_leak"));
    QCOMPARE(selected.count(), 0); // same module, no re-selection noise
    QCOMPARE(w.currentModuleInfo()->refcount, 4);
    auto *details = w.findChild<ModuleDetailsView *>(QStringLiteral("moduleDetails"));
    QVERIFY2(details->toPlainText().contains(QStringLiteral("4 (referenced, but no module holds it")),
        qPrintable(details->toPlainText()));

    // A third scan that finds the same modules: listeners are not told again.
    w.refresh();
    QVERIFY(done.wait(10000));
    QCOMPARE(changed.count(), 1);
}

void TestMainWindow::statusBarShowsKernelFacts()
{
    MainWindow w(noAutoScan());
    openOn(w, [] { return labSnapshot(); });
    auto label = [&](const char *name) { return w.findChild<QLabel *>(QString::fromLatin1(name)); };
    QCOMPARE(label("statusRelease")->text(), QStringLiteral("Linux 6.1.0-56-amd64"));
    QCOMPARE(label("statusTaint")->text(), QStringLiteral("taint DOE"));
    QVERIFY(label("statusTaint")->toolTip().contains(QStringLiteral("unsigned module was loaded")));
    QVERIFY(label("statusTaint")->toolTip().contains(QStringLiteral("kernel died recently")));
    QCOMPARE(label("statusLockdown")->text(), QStringLiteral("lockdown none"));
    QCOMPARE(label("statusForceUnload")->text(), QStringLiteral("forced unload unknown"));
    QVERIFY(label("statusForceUnload")->toolTip().contains(QStringLiteral("/proc/config.gz")));
    QCOMPARE(label("statusCounts")->text(), QStringLiteral("16 modules"));
    w.setFilterText(QStringLiteral("snd"));
    QCOMPARE(label("statusCounts")->text(), QStringLiteral("2 of 16 modules shown"));
}

void TestMainWindow::oopsModulesShowInTableAndDetails()
{
    MainWindow w(noAutoScan());
    openOn(w, [] { return labSnapshot(); });
    QVERIFY(w.selectModule(QStringLiteral("kmr_initoops")));
    w.moduleModel()->setOopsModules({QStringLiteral("kmr_initoops")});
    auto *details = w.findChild<ModuleDetailsView *>(QStringLiteral("moduleDetails"));
    QVERIFY(details->toPlainText().contains(QStringLiteral("Implicated by an oops")));
    const QModelIndex idx = w.moduleView()->currentIndex();
    QVERIFY(idx.data(ModuleTableModel::OopsRole).toBool());
}

void TestMainWindow::noModuleSupportShowsPlainWords()
{
    MainWindow w(noAutoScan());
    openOn(w, [] {
        Snapshot s;
        s.source = QStringLiteral("live");
        s.kernel.release = Fact::of(QStringLiteral("6.8.0-container"));
        s.kernel.moduleSupport = false;
        return s;
    });
    QVERIFY(w.showsNoModuleSupportPage());
    auto *page = w.findChild<NoModuleSupportPage *>();
    QVERIFY(page && page->isVisible());
    QVERIFY(!w.moduleView()->isVisible()); // no empty table
    QVERIFY(page->message().contains(QStringLiteral("no loadable module support")));
    QVERIFY(page->message().contains(QStringLiteral("/proc/modules")));
    QVERIFY(page->message().contains(QStringLiteral("nothing can be stuck here")));
    auto *message = page->findChild<QLabel *>(QStringLiteral("noModuleSupportMessage"));
    QCoreApplication::processEvents(); // pending layout requests
    QVERIFY2(message->height() >= message->heightForWidth(message->width()), // all of it shows
        qPrintable(QStringLiteral("%1 < %2").arg(message->height()).arg(message->heightForWidth(message->width()))));
    QCOMPARE(w.findChild<QLabel *>(QStringLiteral("statusLockdown"))->text(), QStringLiteral("lockdown unknown"));
    // The bundle part makes its actions visible; the page's buttons follow them.
    w.openBundleAction()->setVisible(true);
    w.openSampleAction()->setVisible(true);
    QStringList buttons;
    for (auto *b : page->findChildren<QToolButton *>())
        if (b->isVisible())
            buttons << b->text();
    QCOMPARE(buttons, QStringList({QStringLiteral("Open Bundle…"), QStringLiteral("Open the Sample Bundle")}));
    saveScreenshot(&w, QStringLiteral("mainwindow-no-module-support.png"));

    // When a later scan finds modules (or a bundle is opened), the table comes back.
    w.setSnapshot(labSnapshot(QStringLiteral("bundle:/tmp/x.tar.gz")));
    QVERIFY(!w.showsNoModuleSupportPage());
    QVERIFY(w.moduleView()->isVisible());
}

void TestMainWindow::rootWithoutProcModulesShowsPlainWords()
{
    // A container-like tree: /proc exists, /proc/modules does not. Scanned by the real reader.
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("proc/sys/kernel")));
    QFile release(root.filePath(QStringLiteral("proc/sys/kernel/osrelease")));
    QVERIFY(release.open(QIODevice::WriteOnly));
    release.write("6.8.0-container\n");
    release.close();
    MainWindow::Options o;
    o.root = root.path();
    MainWindow w(o);
    w.show();
    QSignalSpy done(&w, &MainWindow::scanFinished);
    QVERIFY(done.wait(10000));
    QVERIFY(!w.snapshot().kernel.moduleSupport);
    QVERIFY(w.showsNoModuleSupportPage());
    auto *page = w.findChild<NoModuleSupportPage *>();
    QVERIFY(page->message().contains(root.path() + QStringLiteral("/proc/modules")));
}

void TestMainWindow::olderScanArrivingLateIsDropped()
{
    MainWindow w(noAutoScan());
    w.show();
    QSemaphore firstStarted;
    QSemaphore releaseFirst;
    std::atomic<int> calls {0};
    w.setScanner([&] {
        Snapshot s = labSnapshot();
        if (++calls == 1) { // the slow, older scan: sees a module that is gone by the newer one
            firstStarted.release();
            releaseFirst.acquire();
            s.modules.append(labSnapshot().modules.first());
            s.modules.last().name = QStringLiteral("zz_stale");
        }
        return s;
    });
    QSignalSpy done(&w, &MainWindow::scanFinished);
    w.refresh();
    firstStarted.acquire();
    w.refresh(); // the newer scan finishes first
    QVERIFY(done.wait(10000));
    QCOMPARE(w.snapshot().modules.size(), 16);
    releaseFirst.release();
    w.waitForScans();
    QCoreApplication::processEvents(); // a wrongly delivered old result would land here
    QCoreApplication::processEvents();
    QCOMPARE(done.count(), 1);
    QVERIFY(!w.snapshot().find(QStringLiteral("zz_stale")));
    QVERIFY(!shownNames(w.moduleView()).contains(QStringLiteral("zz_stale")));
    QVERIFY(!w.isScanning());
}

void TestMainWindow::autoRefreshRescans()
{
    MainWindow::Options o = noAutoScan();
    o.autoRefreshMsecs = 20;
    MainWindow w(o);
    std::atomic<int> calls {0};
    w.setScanner([&calls] {
        ++calls;
        return labSnapshot();
    });
    auto *toggle = w.findChild<QAction *>(QStringLiteral("actionAutoRefresh"));
    QVERIFY(toggle && toggle->isCheckable());
    toggle->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(calls >= 3, 10000);
    toggle->setChecked(false);
    w.waitForScans();
    QCoreApplication::processEvents();
    const int stopped = calls;
    QTest::qWait(100); // the timer is off: nothing more may be scanned
    QCOMPARE(int(calls), stopped);
}

void TestMainWindow::openedSnapshotIsNotReplacedByRunningScan()
{
    MainWindow w(noAutoScan());
    w.show();
    QSemaphore release;
    w.setScanner([&release] {
        release.acquire();
        return labSnapshot();
    });
    w.refresh();
    Snapshot bundle = labSnapshot(QStringLiteral("bundle:/tmp/other-machine.tar.gz"));
    bundle.modules.resize(3);
    w.setSnapshot(bundle);
    release.release();
    w.waitForScans();
    QCoreApplication::processEvents();
    QCOMPARE(w.snapshot().source, QStringLiteral("bundle:/tmp/other-machine.tar.gz"));
    QCOMPARE(w.moduleView()->model()->rowCount(), 3);
    QVERIFY(w.windowTitle().contains(QStringLiteral("other-machine")));
}

void TestMainWindow::moduleTabsAndActionsPlugIn()
{
    MainWindow w(noAutoScan());
    openOn(w, [] { return labSnapshot(); });
    auto *tab = new QLabel(QStringLiteral("diagnosis goes here"));
    const int index = w.addModuleTab(tab, QStringLiteral("Diagnosis"));
    QCOMPARE(index, w.moduleTabs()->count() - 1); // after Details and the tabs other parts added
    QCOMPARE(w.moduleTabs()->widget(index), tab);
    QCOMPARE(w.moduleTabs()->tabText(0), QStringLiteral("Details"));
    auto *action = new QAction(QStringLiteral("Force Unload…"), &w);
    w.addModuleAction(action);
    QVERIFY(w.moduleMenu()->actions().contains(action));
    QVERIFY(w.moduleMenu()->isEnabled());
}

void TestMainWindow::windowHasTheAppIcon()
{
    MainWindow w(noAutoScan());
    QVERIFY2(!w.windowIcon().isNull(), "the SVG icon resource (resources/icons) is missing from kmrgui");
    QVERIFY(!w.windowIcon().pixmap(64, 64).isNull());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
