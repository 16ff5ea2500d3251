// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundleactions.h"

#include "bundle/bundlelog.h"
#include "bundle/bundlerecordings.h"
#include "bundle/samplebundle.h"
#include "diagnosis/diagnosistab.h"
#include "diagnosis/oopscitation.h"
#include "diagnosis/unloadjson.h"
#include "exportbundledialog.h"
#include "kernellog/kernellogtab.h"
#include "mainwindow.h"
#include "refcount/refcountsampler.h"
#include "refcount/refcounttab.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QToolBar>

namespace kmr {

BundleActions::BundleActions(MainWindow *window)
    : QObject(window)
    , m_window(window)
{
    setObjectName(QStringLiteral("bundleActions"));
    QAction *open = window->openBundleAction();
    open->setVisible(true);
    open->setToolTip(
        QStringLiteral("Open a diagnostic bundle exported on another machine, or a sosreport tarball (read-only)"));
    connect(open, &QAction::triggered, this, &BundleActions::chooseAndOpen);
    buildCancelButton();
    m_openDirectory = new QAction(QStringLiteral("Open Unpacked &sosreport…"), this);
    m_openDirectory->setObjectName(QStringLiteral("actionOpenSosDirectory"));
    m_openDirectory->setToolTip(QStringLiteral("Open the directory a sos report tarball unpacks to (read-only)"));
    connect(m_openDirectory, &QAction::triggered, this, &BundleActions::chooseDirectoryAndOpen);
    QAction *sample = window->openSampleAction();
    sample->setText(QStringLiteral("Open the &Sample Bundle"));
    sample->setToolTip(QStringLiteral("A bundle recorded in the kmodrescue lab on a real kernel with stuck test "
                                      "modules (read-only; not this machine)"));
    sample->setVisible(bundle::haveSampleBundle());
    connect(sample, &QAction::triggered, this,
        [this] { startOpen(bundle::sampleBundlePath(), QStringLiteral("Open the Sample Bundle")); });

    m_export = new QAction(QStringLiteral("&Export Diagnostic Bundle…"), this);
    m_export->setObjectName(QStringLiteral("actionExportBundle"));
    m_export->setToolTip(
        QStringLiteral("Write everything about the selected (or every stuck) module to a .tar.gz, redacted"));
    m_exportTip = m_export->toolTip();
    connect(m_export, &QAction::triggered, this, &BundleActions::exportBundle);
    QMenu *file = window->fileMenu();
    const QList<QAction *> actions = file->actions();
    file->insertAction(actions.size() > 2 ? actions.at(2) : nullptr, m_export);
    const QList<QAction *> now = file->actions();
    const qsizetype afterOpen = now.indexOf(open) + 1;
    file->insertAction(afterOpen > 0 && afterOpen < now.size() ? now.at(afterOpen) : nullptr, m_openDirectory);

    m_banner = new QToolBar(QStringLiteral("Bundle"), window);
    m_banner->setObjectName(QStringLiteral("bundleBanner"));
    m_banner->setMovable(false);
    m_banner->setFloatable(false);
    // The way back first: a long banner text must not push it into the toolbar's overflow menu.
    QAction *back = m_banner->addAction(QStringLiteral("Back to Live System"));
    back->setObjectName(QStringLiteral("actionCloseBundle"));
    connect(back, &QAction::triggered, this, &BundleActions::closeBundle);
    m_banner->addSeparator();
    m_bannerLabel = new QLabel(m_banner);
    m_bannerLabel->setObjectName(QStringLiteral("bundleBannerText"));
    m_bannerLabel->setMinimumWidth(120); // shrinks (its tooltip has it all) rather than hide in the overflow
    m_banner->addWidget(m_bannerLabel);
    window->addToolBarBreak(Qt::TopToolBarArea);
    window->addToolBar(Qt::TopToolBarArea, m_banner);
    m_banner->hide();

    connect(window, &MainWindow::snapshotChanged, this, &BundleActions::onSnapshotChanged);
}

QString BundleActions::bannerText() const
{
    return m_bannerLabel->text();
}

namespace {
const QString kReadOnlyWhy = QStringLiteral(
    "A recorded bundle is shown: nothing on this machine is changed from it. Go Back to Live System first.");

// What the texts call FILE: the sample by its name, not its resource path.
QString nameOf(const QString &file)
{
    return bundle::isSampleBundle(file) ? QStringLiteral("the sample bundle") : file;
}
} // namespace

// What a worker hands the GUI thread: the parsed bundle, or why it could not be opened.
struct BundleActions::ReadResult {
    bool ok = false;
    bundle::BundleContents contents;
    QString error;
    qint64 msecs = 0; // reading and parsing it took
};

// Reads, decompresses and parses FILE. Touches no widget and no model: it runs on a worker.
// `cancelled` (the worker's) stops the reading early once the open was dropped.
BundleActions::ReadResult BundleActions::readBundle(const QString &file, const std::function<bool()> &cancelled)
{
    ReadResult r;
    QElapsedTimer t;
    t.start();
    bundle::BundleError kind = bundle::BundleError::None;
    try {
        bundle::ReadLimits limits;
        limits.cancelled = cancelled;
        r.ok = bundle::openBundle(file, &r.contents, &kind, &r.error, limits);
    } catch (const std::exception &e) { // never let a reader bug end the app in a worker
        r.ok = false;
        r.error = file + QStringLiteral(": cannot be opened: ") + QString::fromLocal8Bit(e.what())
            + QStringLiteral(". Please report this with the file.");
    }
    if (r.ok && bundle::isSampleBundle(file)) // the window title and status bar say what it is, not a resource path
        r.contents.snapshot.source = QStringLiteral("bundle:sample from the kmodrescue lab");
    r.msecs = t.elapsed();
    return r;
}

bool BundleActions::openBundle(const QString &file, QString *error)
{
    cancelOpen(); // an open started earlier must not replace this one when it finishes
    ReadResult r = readBundle(file);
    if (!r.ok) {
        if (error)
            *error = r.error;
        return false;
    }
    show(file, std::move(r.contents));
    return true;
}

bool BundleActions::startOpen(const QString &file, const QString &errorTitle)
{
    if (isOpening())
        return false; // the open actions are disabled meanwhile; a caller that did not check is refused
    setOpening(file);
    m_errorTitle = errorTitle;
    m_opening.startJob([file](const std::function<bool()> &cancelled) { return readBundle(file, cancelled); },
        [this, file](ReadResult r) { finishOpen(file, std::move(r)); });
    return true;
}

void BundleActions::finishOpen(const QString &file, ReadResult r)
{
    setOpening(QString());
    if (!r.ok) { // what was shown stays as it was
        Q_EMIT openFailed(file, r.error);
        if (!m_errorTitle.isEmpty())
            QMessageBox::warning(m_window, m_errorTitle, r.error);
        return;
    }
    QElapsedTimer t;
    t.start();
    show(file, std::move(r.contents));
    qCDebug(lcBundle) << "opened" << file << "- read and parsed on a worker in" << r.msecs
                      << "ms, shown on the GUI thread in" << t.elapsed() << "ms";
    Q_EMIT bundleOpened(file);
}

void BundleActions::cancelOpen()
{
    if (!isOpening())
        return;
    m_opening.cancel(); // the worker stops reading soon; whatever it returns is dropped
    const QString file = m_openingFile;
    setOpening(QString());
    m_window->statusBar()->showMessage(QStringLiteral("Opening %1 cancelled").arg(nameOf(file)), 5000);
    Q_EMIT openCancelled(file);
}

// While FILE is being opened (empty: no longer) the status bar says so and offers Cancel, and
// the open actions are disabled.
void BundleActions::setOpening(const QString &file)
{
    const bool busy = !file.isEmpty();
    m_openingFile = file;
    for (QAction *a : {m_window->openBundleAction(), m_window->openSampleAction(), m_openDirectory})
        a->setEnabled(!busy);
    m_cancelOpen->setVisible(busy);
    QStatusBar *status = m_window->statusBar();
    if (busy) {
        const QString name = nameOf(file);
        m_openingMessage = QStringLiteral("Opening %1\u2026").arg(name);
        status->showMessage(m_openingMessage);
        m_cancelOpen->setToolTip(QStringLiteral("Stop opening %1: what is shown now stays").arg(name));
    } else if (status->currentMessage() == m_openingMessage) {
        status->clearMessage();
    }
}

void BundleActions::buildCancelButton()
{
    m_cancelOpen = new QPushButton(QStringLiteral("Cancel"), m_window);
    m_cancelOpen->setObjectName(QStringLiteral("cancelOpenBundle"));
    connect(m_cancelOpen, &QPushButton::clicked, this, &BundleActions::cancelOpen);
    m_window->statusBar()->addPermanentWidget(m_cancelOpen);
    m_cancelOpen->hide();
}

// Shows a parsed bundle in every view (GUI thread).
void BundleActions::show(const QString &file, bundle::BundleContents c)
{
    const bool sample = bundle::isSampleBundle(file);
    m_contents = std::move(c);
    m_open = true;
    m_file = file;
    // Read-only: nothing privileged is offered for another machine's modules.
    m_window->setReadOnly(true, kReadOnlyWhy);
    m_export->setEnabled(false);
    m_export->setToolTip(QStringLiteral("A bundle is shown: go Back to Live System to export this machine's"));
    m_bannerLabel->setText(sample ? bundle::sampleBundleBanner(m_contents) : bannerFor(file, m_contents));
    // The text may be elided: the tooltip has all of it, and why each missing part is missing.
    QStringList missing;
    for (auto it = m_contents.absentWhy.constBegin(); it != m_contents.absentWhy.constEnd(); ++it)
        missing << it.key() + QStringLiteral(": ") + it.value();
    m_bannerLabel->setToolTip(m_bannerLabel->text()
        + (missing.isEmpty() ? QString() : QStringLiteral("\n\nNot in it:\n") + missing.join(QLatin1Char('\n'))));
    m_banner->setStyleSheet(sample ? QStringLiteral("QToolBar { background: #fff4d6; }") : QString());
    m_banner->show();
    showInTabs(m_contents, nameOf(file));
    m_window->setSnapshot(m_contents.snapshot);
}

QString BundleActions::bannerFor(const QString &file, const bundle::BundleContents &c)
{
    if (!c.snapshot.source.startsWith(QLatin1String("sosreport:")))
        return QStringLiteral("Read-only bundle %1 · kernel %2 · exported %3%4. Nothing on this machine is changed.")
            .arg(file, c.snapshot.kernel.release.display(), c.manifest.value(QStringLiteral("created")).toString(),
                c.manifest.value(QStringLiteral("redacted")).toBool() ? QStringLiteral(", redacted") : QString());
    // What a sosreport does not hold is named here (and explained in the tooltip), not hidden.
    return QStringLiteral("Read-only sosreport %1 · kernel %2 · collected %3 by sos %4. Not in it: %5. Nothing on "
                          "this machine is changed.")
        .arg(file, c.snapshot.kernel.release.display(), c.manifest.value(QStringLiteral("created")).toString(),
            c.manifest.value(QStringLiteral("sos_version")).toString(), c.absentWhy.keys().join(QStringLiteral(", ")));
}

bool BundleActions::openSample(QString *error)
{
    return openBundle(bundle::sampleBundlePath(), error);
}

// Every tab shows what the bundle recorded instead of this machine's data.
void BundleActions::showInTabs(const bundle::BundleContents &c, const QString &file)
{
    if (auto *tab = m_window->findChild<DiagnosisTab *>()) {
        tab->setRoot(QString()); // no scan of this machine: the evidence is the bundle's
        tab->setOopses(citationsFromExcerpts(c.oopses));
        tab->setRecorded(c.diagnoses, bundle::recordedUnloads(c));
    }
    if (auto *log = m_window->findChild<KernelLogTab *>()) {
        const QString why = c.absentWhy.value(QStringLiteral("kernel-log"));
        log->showRecorded(c.kernelLog, c.oopses,
            c.hasKernelLog ? QStringLiteral("Kernel log recorded in ") + file
                           : QStringLiteral("The bundle holds no kernel log (%1)").arg(why));
    }
    if (auto *refcount = m_window->findChild<RefcountTab *>()) {
        RecordedRefcountHistory history;
        RecordedTrace trace;
        QString why; // openBundle() checked both already
        bundle::recordedHistory(c, &history, &why);
        bundle::recordedTrace(c, &trace, &why);
        refcount->showRecorded(history, trace);
    }
}

void BundleActions::closeBundle()
{
    if (!m_open)
        return;
    cancelOpen(); // the user's last choice wins: a bundle still being opened is not shown over the live system
    m_open = false;
    m_banner->hide();
    m_window->setReadOnly(false);
    m_export->setEnabled(true);
    m_export->setToolTip(m_exportTip);
    if (auto *tab = m_window->findChild<DiagnosisTab *>()) {
        tab->setRoot(m_window->root());
        tab->clearRecorded();
    }
    if (auto *log = m_window->findChild<KernelLogTab *>())
        log->leaveRecorded();
    if (auto *refcount = m_window->findChild<RefcountTab *>())
        refcount->leaveRecorded();
    m_window->refresh();
}

void BundleActions::addUnloadRecord(const QJsonObject &record)
{
    m_unloadRecords.append(record);
}

void BundleActions::onSnapshotChanged(const Snapshot &s)
{
    if (m_open && !s.source.startsWith(QLatin1String("bundle:")) && !s.source.startsWith(QLatin1String("sosreport:")))
        closeBundle(); // a Refresh scanned the live system again
}

void BundleActions::chooseAndOpen()
{
    openChosen(QFileDialog::getOpenFileName(m_window, QStringLiteral("Open Diagnostic Bundle or sosreport"), QString(),
                   QStringLiteral("Bundles and sosreports (*.tar.gz *.tgz *.tar.xz *.txz *.tar.bz2 *.tar.zst *.tar);;"
                                  "All files (*)")),
        QStringLiteral("Open Diagnostic Bundle"));
}

void BundleActions::chooseDirectoryAndOpen()
{
    openChosen(QFileDialog::getExistingDirectory(m_window, QStringLiteral("Open Unpacked sosreport")),
        QStringLiteral("Open Unpacked sosreport"));
}

void BundleActions::openChosen(const QString &path, const QString &title)
{
    if (!path.isEmpty())
        startOpen(path, title);
}

void BundleActions::exportBundle()
{
    bundle::CollectOptions o;
    o.root = m_window->root();
    if (!m_window->currentModule().isEmpty())
        o.modules = QStringList {m_window->currentModule()};
    if (const auto *refcount = m_window->findChild<RefcountTab *>())
        o.trace = refcount->liveTrace(); // the recorded diagnosis names who took the references
    m_export->setEnabled(false);
    m_window->statusBar()->showMessage(QStringLiteral("Collecting the evidence for the bundle\u2026"));
    m_collect.startJob([o](const std::function<bool()> &) { return bundle::collectBundleContents(o); },
        [this, root = o.root, trace = o.trace](bundle::BundleContents c) {
            m_window->statusBar()->clearMessage();
            m_export->setEnabled(!m_open);
            attachRecordings(&c, trace);
            ExportBundleDialog dialog(c, bundle::RedactionContext::fromRoot(root), m_window);
            dialog.exec();
        });
}

// What this session recorded: the Refcount tab's sampled history, the trace the diagnoses were
// made with (taken when the export started: events that came in since are not in either), and
// the unloads that ran.
void BundleActions::attachRecordings(bundle::BundleContents *c, const RecordedTrace &trace) const
{
    if (const auto *refcount = m_window->findChild<RefcountTab *>())
        bundle::attachRefcountHistory(
            c, *refcount->history(), refcount->sampler()->nowMs(), refcount->sampler()->rateHz());
    if (!trace.events.isEmpty() && bundle::recordedModules(*c).contains(trace.module))
        bundle::attachTrace(c, trace);
    const QStringList modules = bundle::recordedModules(*c);
    QList<QJsonObject> records;
    for (const QJsonObject &r : m_unloadRecords) {
        if (modules.contains(unloadRecordModule(r)))
            records << r;
    }
    bundle::attachUnloadRecords(c, records);
}

BundleActions *installBundleActions(MainWindow *window)
{
    return new BundleActions(window);
}

} // namespace kmr
