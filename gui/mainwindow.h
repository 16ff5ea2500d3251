// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"
#include "util/jobtracker.h"

#include <QMainWindow>

#include <functional>

class QAction;
class QLineEdit;
class QMenu;
class QSettings;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QToolBar;
class QTreeView;

namespace kmr {

class KernelStatusBar;
class ModuleDetailsView;
class ModuleFilterProxyModel;
class ModuleTableModel;
class NoModuleSupportPage;

// The main window: the module table on the left, the selected module's tabs on the right,
// the kernel-wide facts in the status bar.
//
// Other parts plug in through addModuleTab(), addModuleAction(), fileMenu(), the
// openBundleAction()/openSampleAction() pair, moduleModel()->setOopsModules(), and the
// moduleSelected()/snapshotChanged() signals. Scans run on a JobTracker: only the newest
// scan's result is ever shown.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    struct Options {
        QString root = QStringLiteral("/"); // scanned directory: "/" or a fixture tree
        bool scanOnStart = true;
        int autoRefreshMsecs = 2000;
    };
    using Scanner = std::function<Snapshot()>;

    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // --- for other parts ---
    // Adds a tab next to Details that shows the selected module; returns its index.
    int addModuleTab(QWidget *tab, const QString &title);
    // Adds an action about the selected module (Force Unload…) to the toolbar and Module menu.
    void addModuleAction(QAction *action);
    QMenu *fileMenu() const { return m_fileMenu; }
    QMenu *moduleMenu() const { return m_moduleMenu; }
    QTabWidget *moduleTabs() const { return m_tabs; }
    // Hidden until the bundle part makes them visible and connects triggered().
    QAction *openBundleAction() const { return m_openBundle; }
    QAction *openSampleAction() const { return m_openSample; }
    ModuleTableModel *moduleModel() const { return m_model; }

    const Snapshot &snapshot() const;
    QString currentModule() const; // canonical name, empty when none selected
    const ModuleInfo *currentModuleInfo() const;
    // Selects and shows `name` (clearing a filter that hides it); false when it is not loaded.
    bool selectModule(const QString &name);

    // Shows a snapshot that was not scanned here (a bundle, the sample). Auto-refresh stops;
    // Refresh scans the live root again.
    void setSnapshot(const Snapshot &snapshot);
    // While a recording (a bundle, the sample) is shown, every module action (Force Unload…) is
    // disabled with `why` as its tooltip; false gives them back their own tooltips, and the parts
    // that enable them re-check on readOnlyChanged().
    void setReadOnly(bool readOnly, const QString &why = {});
    bool isReadOnly() const { return m_readOnly; }
    // Replaces what a scan does (tests; default: SnapshotReader on the root).
    void setScanner(Scanner scanner);
    QString root() const { return m_options.root; }

    bool isScanning() const { return m_scans.isJobRunning(); }
    // Blocks until started scans have returned; their results are then queued (tests, shutdown).
    void waitForScans() { m_scans.waitForDone(); }
    bool showsNoModuleSupportPage() const;
    QString filterText() const;
    QTreeView *moduleView() const { return m_view; }

    // Window geometry, splitter, column widths and order, auto-refresh (main.cpp; not in tests).
    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

public Q_SLOTS:
    void refresh();
    void setAutoRefresh(bool enabled);
    void setFilterText(const QString &text);

Q_SIGNALS:
    void moduleSelected(const QString &name); // empty when the selection was cleared
    // The shown snapshot's content changed (a scan found a difference, or a bundle was opened).
    void snapshotChanged(const kmr::Snapshot &snapshot);
    void scanFinished(kmr::JobTracker::JobId id); // after its snapshot was applied
    void readOnlyChanged(bool readOnly);

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct ScanResult {
        Snapshot snapshot;
        QString error;
        qint64 msecs = -1;
    };

    void buildActions();
    void buildToolBar();
    void buildCentralWidget();
    void applySnapshot(const Snapshot &snapshot, qint64 scanMsecs);
    void onCurrentRowChanged();
    void updateCounts();
    void updateDetails();

    Options m_options;
    Scanner m_scanner;
    JobTracker m_scans;
    QString m_lastEmitted;
    bool m_hasSnapshot = false;
    bool m_splitterPlaced = false; // by restoreSettings() or the first show
    bool m_readOnly = false;

    ModuleTableModel *m_model = nullptr;
    ModuleFilterProxyModel *m_proxy = nullptr;
    QTreeView *m_view = nullptr;
    QTabWidget *m_tabs = nullptr;
    ModuleDetailsView *m_details = nullptr;
    QStackedWidget *m_stack = nullptr;
    QSplitter *m_splitter = nullptr;
    NoModuleSupportPage *m_noModules = nullptr;
    KernelStatusBar *m_status = nullptr;
    QToolBar *m_toolBar = nullptr;
    QAction *m_moduleActionsEnd = nullptr;
    QLineEdit *m_filter = nullptr;
    QTimer *m_autoTimer = nullptr;

    QMenu *m_fileMenu = nullptr;
    QMenu *m_moduleMenu = nullptr;
    QAction *m_refresh = nullptr;
    QAction *m_autoRefresh = nullptr;
    QAction *m_openBundle = nullptr;
    QAction *m_openSample = nullptr;
    QAction *m_quit = nullptr;
};

} // namespace kmr
