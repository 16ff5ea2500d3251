// SPDX-License-Identifier: GPL-2.0-or-later
#include "mainwindow.h"
#include "bundle/bundleactions.h"
#include "diagnosis/diagnosistabs.h"
#include "kernellog/kernellogtabinstaller.h"
#include "refcount/refcounttab.h"
#include "unload/forceunloadaction.h"

#include "models/modulefilterproxymodel.h"
#include "models/moduletablemodel.h"
#include "snapshot/snapshotreader.h"
#include "widgets/kernelstatusbar.h"
#include "widgets/moduledetailsview.h"
#include "widgets/nomodulesupportpage.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QKeySequence>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>

#include <exception>

Q_LOGGING_CATEGORY(lcMainWindow, "kmr.gui.mainwindow", QtInfoMsg)

namespace kmr {

namespace {
enum Page { TablePage = 0, NoModulesPage = 1 };
}

MainWindow::MainWindow(QWidget *parent)
    : MainWindow(Options {}, parent)
{ }

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(options)
    , m_scans(this)
    , m_model(new ModuleTableModel(this))
    , m_proxy(new ModuleFilterProxyModel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("kmodrescue"));
    setWindowIcon(QIcon::fromTheme(
        QStringLiteral("io.github.kmodrescue"), QIcon(QStringLiteral(":/icons/io.github.kmodrescue.svg"))));

    const QString root = m_options.root;
    m_scanner = [root] {
        SnapshotReader::Options o;
        o.root = root;
        return SnapshotReader(o).read();
    };

    m_proxy->setSourceModel(m_model);
    buildActions();
    buildToolBar();
    buildCentralWidget();
    m_status = new KernelStatusBar(this);
    setStatusBar(m_status);
    installDiagnosisTabs(this); // the Diagnosis and Dependencies tabs (gui/diagnosis, gui/graph)
    installRefcountTab(this); // the Refcount tab (gui/refcount, issue 7)
    installForceUnload(this); // Force Unload… for the selected module (gui/unload)
    installKernelLogTab(this); // the Kernel Log tab and the oops badges (gui/kernellog)
    installBundleActions(this); // File > Open Bundle…, Export Diagnostic Bundle…, the read-only banner (gui/bundle)

    m_autoTimer = new QTimer(this);
    m_autoTimer->setInterval(m_options.autoRefreshMsecs);
    connect(m_autoTimer, &QTimer::timeout, this, [this] {
        if (!m_scans.isJobRunning()) // never pile up scans behind a slow one
            refresh();
    });

    resize(1280, 800);
    if (m_options.scanOnStart)
        QTimer::singleShot(0, this, &MainWindow::refresh);
}

MainWindow::~MainWindow()
{
    m_scans.cancel();
    m_scans.waitForDone();
}

void MainWindow::buildActions()
{
    m_refresh = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), QStringLiteral("&Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("actionRefresh"));
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_refresh->setToolTip(QStringLiteral("Read the loaded modules again (F5)"));
    connect(m_refresh, &QAction::triggered, this, &MainWindow::refresh);

    m_autoRefresh = new QAction(QStringLiteral("&Auto-refresh"), this);
    m_autoRefresh->setObjectName(QStringLiteral("actionAutoRefresh"));
    m_autoRefresh->setCheckable(true);
    m_autoRefresh->setToolTip(
        QStringLiteral("Read the loaded modules every %1 s").arg(m_options.autoRefreshMsecs / 1000.0));
    connect(m_autoRefresh, &QAction::toggled, this, &MainWindow::setAutoRefresh);

    m_openBundle = new QAction(QStringLiteral("Open &Bundle…"), this);
    m_openBundle->setObjectName(QStringLiteral("actionOpenBundle"));
    m_openBundle->setShortcut(QKeySequence::Open);
    m_openBundle->setVisible(false);
    m_openSample = new QAction(QStringLiteral("Open &Sample"), this);
    m_openSample->setObjectName(QStringLiteral("actionOpenSample"));
    m_openSample->setVisible(false);

    m_quit = new QAction(QStringLiteral("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    m_fileMenu = menuBar()->addMenu(QStringLiteral("&File"));
    m_fileMenu->setObjectName(QStringLiteral("menuFile"));
    m_fileMenu->addAction(m_openBundle);
    m_fileMenu->addAction(m_openSample);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quit);

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    view->addAction(m_refresh);
    view->addAction(m_autoRefresh);

    m_moduleMenu = menuBar()->addMenu(QStringLiteral("&Module"));
    m_moduleMenu->setObjectName(QStringLiteral("menuModule"));
    m_moduleMenu->setEnabled(false);

    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("&About kmodrescue"), this, [this] {
        QMessageBox::about(this, QStringLiteral("About kmodrescue"),
            QStringLiteral("<h3>kmodrescue %1</h3><p>Find out why a Linux kernel module will not unload, "
                           "and fix it.</p><p>GPL-2.0-or-later</p>")
                .arg(QStringLiteral(KMR_VERSION)));
    });
}

void MainWindow::buildToolBar()
{
    m_toolBar = addToolBar(QStringLiteral("Main"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setMovable(false);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_refresh);
    m_toolBar->addAction(m_autoRefresh);
    m_toolBar->addSeparator();
    m_moduleActionsEnd = m_toolBar->addSeparator(); // module actions go before this one

    auto *spacer = new QWidget(m_toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_toolBar->addWidget(spacer);

    m_filter = new QLineEdit(m_toolBar);
    m_filter->setObjectName(QStringLiteral("moduleFilter"));
    m_filter->setPlaceholderText(QStringLiteral("Filter: name, used by, state (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setFixedWidth(300);
    m_filter->setToolTip(QStringLiteral("Shows the modules whose name, holders or state contain every word typed"));
    m_toolBar->addWidget(m_filter);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterWords(text);
        updateCounts();
    });
    auto *clearFilter = new QShortcut(QKeySequence(Qt::Key_Escape), m_filter, nullptr, nullptr, Qt::WidgetShortcut);
    connect(clearFilter, &QShortcut::activated, m_filter, &QLineEdit::clear);
    auto *focusFilter = new QShortcut(QKeySequence::Find, this);
    connect(focusFilter, &QShortcut::activated, this, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
}

void MainWindow::buildCentralWidget()
{
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("moduleView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->setAllColumnsShowFocus(true);
    m_view->sortByColumn(ModuleTableModel::Name, Qt::AscendingOrder);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(true);
    header->setSectionsMovable(true);
    const int widths[ModuleTableModel::ColumnCount] = {160, 70, 45, 80, 140, 45, 60, 95, 300};
    for (int c = 0; c < ModuleTableModel::ColumnCount; ++c)
        header->resizeSection(c, widths[c]);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::onCurrentRowChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onCurrentRowChanged);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateCounts);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateCounts);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateCounts);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] { updateDetails(); });

    m_details = new ModuleDetailsView(this);
    m_details->setObjectName(QStringLiteral("moduleDetails"));
    connect(m_details, &ModuleDetailsView::moduleLinkActivated, this, &MainWindow::selectModule);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("moduleTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_details, QStringLiteral("Details"));
    // An explicit minimum, so a wide tab added later cannot squeeze the table on the first show.
    m_tabs->setMinimumWidth(320);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    m_noModules = new NoModuleSupportPage(m_openBundle, m_openSample, this);
    m_noModules->setRoot(m_options.root);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_splitter);
    m_stack->addWidget(m_noModules);
    setCentralWidget(m_stack);
}

int MainWindow::addModuleTab(QWidget *tab, const QString &title)
{
    return m_tabs->addTab(tab, title);
}

void MainWindow::addModuleAction(QAction *action)
{
    m_toolBar->insertAction(m_moduleActionsEnd, action);
    m_moduleMenu->addAction(action);
    m_moduleMenu->setEnabled(true);
}

const Snapshot &MainWindow::snapshot() const
{
    return m_model->snapshot();
}

QString MainWindow::currentModule() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid() || !m_view->selectionModel()->isRowSelected(current.row(), current.parent()))
        return {};
    return current.data(ModuleTableModel::ModuleNameRole).toString();
}

const ModuleInfo *MainWindow::currentModuleInfo() const
{
    const int row = m_model->rowOf(currentModule());
    return row < 0 ? nullptr : &m_model->module(row);
}

bool MainWindow::selectModule(const QString &name)
{
    const int sourceRow = m_model->rowOf(name);
    if (sourceRow < 0)
        return false;
    QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (!proxyIndex.isValid()) { // hidden by the filter: clear it rather than select nothing
        m_filter->clear();
        proxyIndex = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    }
    m_view->selectionModel()->setCurrentIndex(
        proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(proxyIndex);
    return true;
}

void MainWindow::saveSettings(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("MainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("header"), m_view->header()->saveState());
    settings.setValue(QStringLiteral("autoRefresh"), m_autoRefresh->isChecked());
    settings.endGroup();
}

void MainWindow::restoreSettings(const QSettings &settings)
{
    const QString g = QStringLiteral("MainWindow/");
    restoreGeometry(settings.value(g + QStringLiteral("geometry")).toByteArray());
    m_splitterPlaced = m_splitter->restoreState(settings.value(g + QStringLiteral("splitter")).toByteArray());
    m_view->header()->restoreState(settings.value(g + QStringLiteral("header")).toByteArray());
    setAutoRefresh(settings.value(g + QStringLiteral("autoRefresh"), false).toBool());
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_splitterPlaced) { // the table gets three fifths, whatever the tabs others added ask for
        m_splitterPlaced = true;
        const int total = m_splitter->width();
        m_splitter->setSizes({total * 3 / 5, total - total * 3 / 5});
    }
}

void MainWindow::setScanner(Scanner scanner)
{
    m_scanner = std::move(scanner);
}

void MainWindow::setSnapshot(const Snapshot &snapshot)
{
    m_scans.cancel(); // a scan still running must not replace what the user opened
    setAutoRefresh(false);
    applySnapshot(snapshot, -1);
}

void MainWindow::setReadOnly(bool readOnly, const QString &why)
{
    const char *liveTip = "kmrLiveToolTip";
    for (QAction *a : m_moduleMenu->actions()) {
        if (readOnly) {
            if (!m_readOnly)
                a->setProperty(liveTip, a->toolTip());
            a->setEnabled(false);
            a->setToolTip(why);
        } else if (m_readOnly) {
            a->setToolTip(a->property(liveTip).toString());
        }
    }
    const bool changed = m_readOnly != readOnly;
    m_readOnly = readOnly;
    if (changed)
        Q_EMIT readOnlyChanged(readOnly);
}

bool MainWindow::showsNoModuleSupportPage() const
{
    return m_stack->currentIndex() == NoModulesPage;
}

QString MainWindow::filterText() const
{
    return m_filter->text();
}

void MainWindow::setFilterText(const QString &text)
{
    m_filter->setText(text);
}

void MainWindow::refresh()
{
    m_status->setScanning(true);
    Scanner scanner = m_scanner;
    const auto id = m_scans.startJob(
        [scanner](const std::function<bool()> &) {
            ScanResult r;
            QElapsedTimer t;
            t.start();
            try {
                r.snapshot = scanner();
            } catch (const std::exception &e) { // never let a reader bug end the app in a worker
                r.error = QString::fromLocal8Bit(e.what());
            }
            r.msecs = t.elapsed();
            return r;
        },
        [this](const ScanResult &r) {
            m_status->setScanning(false);
            if (!r.error.isEmpty()) {
                qCWarning(lcMainWindow) << "scan failed:" << r.error;
                m_status->setScanError(r.error);
                return;
            }
            applySnapshot(r.snapshot, r.msecs);
            Q_EMIT scanFinished(m_scans.currentJobId());
        });
    qCDebug(lcMainWindow) << "scan" << id << "started on" << m_options.root;
}

void MainWindow::setAutoRefresh(bool enabled)
{
    if (m_autoRefresh->isChecked() != enabled)
        m_autoRefresh->setChecked(enabled); // re-enters through toggled()
    if (enabled)
        m_autoTimer->start();
    else
        m_autoTimer->stop();
}

void MainWindow::applySnapshot(const Snapshot &snapshot, qint64 scanMsecs)
{
    // Listeners (diagnosis, graph layout) are told only when the content changed, not on every
    // identical auto-refresh.
    const Snapshot &old = m_model->snapshot();
    const bool changed = !m_hasSnapshot || old.source != snapshot.source || !(old.kernel == snapshot.kernel)
        || old.modules != snapshot.modules || old.warnings != snapshot.warnings;
    m_hasSnapshot = true;
    m_model->setSnapshot(snapshot);
    const KernelFacts &k = snapshot.kernel;
    m_stack->setCurrentIndex(k.moduleSupport ? TablePage : NoModulesPage);
    m_filter->setEnabled(k.moduleSupport); // nothing to filter on the plain-words page
    m_status->setKernelFacts(k);
    m_status->setSource(snapshot, scanMsecs);
    updateCounts();
    const QString release = k.release.known() ? k.release.value : QStringLiteral("unknown kernel");
    const bool live = snapshot.source.isEmpty() || snapshot.source == QLatin1String("live");
    setWindowTitle(QStringLiteral("kmodrescue — ") + release
        + (live ? QString() : QStringLiteral(" (") + snapshot.source + QLatin1Char(')')));
    // The diff kept the selection if the module is still loaded; if it vanished, the current row
    // moved and onCurrentRowChanged() already told everyone.
    updateDetails();
    if (changed)
        Q_EMIT snapshotChanged(snapshot);
}

void MainWindow::onCurrentRowChanged()
{
    updateDetails();
    const QString name = currentModule();
    if (name != m_lastEmitted) {
        m_lastEmitted = name;
        Q_EMIT moduleSelected(name);
    }
}

void MainWindow::updateDetails()
{
    const ModuleInfo *m = currentModuleInfo();
    m_details->showModule(m, m && m_model->oopsModules().contains(m->name));
}

void MainWindow::updateCounts()
{
    m_status->setCounts(m_model->rowCount(), m_proxy->rowCount());
}

} // namespace kmr
