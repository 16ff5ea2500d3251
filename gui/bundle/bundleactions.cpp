// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundleactions.h"

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
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
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
    m_openDirectory = new QAction(QStringLiteral("Open Unpacked &sosreport…"), this);
    m_openDirectory->setObjectName(QStringLiteral("actionOpenSosDirectory"));
    m_openDirectory->setToolTip(QStringLiteral("Open the directory a sos report tarball unpacks to (read-only)"));
    connect(m_openDirectory, &QAction::triggered, this, &BundleActions::chooseDirectoryAndOpen);
    QAction *sample = window->openSampleAction();
    sample->setText(QStringLiteral("Open the &Sample Bundle"));
    sample->setToolTip(QStringLiteral("A bundle recorded in the kmodrescue lab on a real kernel with stuck test "
                                      "modules (read-only; not this machine)"));
    sample->setVisible(bundle::haveSampleBundle());
    connect(sample, &QAction::triggered, this, [this] {
        QString error;
        if (!openSample(&error))
            QMessageBox::warning(m_window, QStringLiteral("Open the Sample Bundle"), error);
    });

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
} // namespace

bool BundleActions::openBundle(const QString &file, QString *error)
{
    bundle::BundleContents c;
    bundle::BundleError kind = bundle::BundleError::None;
    if (!bundle::openBundle(file, &c, &kind, error))
        return false;
    const bool sample = bundle::isSampleBundle(file);
    if (sample) // the window title and status bar say what it is, not a resource path
        c.snapshot.source = QStringLiteral("bundle:sample from the kmodrescue lab");
    m_contents = c;
    m_open = true;
    m_file = file;
    // Read-only: nothing privileged is offered for another machine's modules.
    m_window->setReadOnly(true, kReadOnlyWhy);
    m_export->setEnabled(false);
    m_export->setToolTip(QStringLiteral("A bundle is shown: go Back to Live System to export this machine's"));
    m_bannerLabel->setText(sample ? bundle::sampleBundleBanner(c) : bannerFor(file, c));
    // The text may be elided: the tooltip has all of it, and why each missing part is missing.
    QStringList missing;
    for (auto it = c.absentWhy.constBegin(); it != c.absentWhy.constEnd(); ++it)
        missing << it.key() + QStringLiteral(": ") + it.value();
    m_bannerLabel->setToolTip(m_bannerLabel->text()
        + (missing.isEmpty() ? QString() : QStringLiteral("\n\nNot in it:\n") + missing.join(QLatin1Char('\n'))));
    m_banner->setStyleSheet(sample ? QStringLiteral("QToolBar { background: #fff4d6; }") : QString());
    m_banner->show();
    showInTabs(c, sample ? QStringLiteral("the sample bundle") : file);
    m_window->setSnapshot(c.snapshot);
    return true;
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
    if (path.isEmpty())
        return;
    QString error;
    if (!openBundle(path, &error))
        QMessageBox::warning(m_window, title, error);
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
