// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/diagnosistabs.h"

#include "diagnosis/diagnosistab.h"
#include "diagnosis/oopscitation.h"
#include "graph/dependencytab.h"
#include "kernellog/kernellogtab.h"
#include "kernellog/oopslistmodel.h"
#include "mainwindow.h"
#include "refcount/referencetakerfeed.h"

#include <QTimer>

namespace kmr {

namespace {

void citeKernelLog(MainWindow *window, DiagnosisTab *diag)
{
    auto *log = window->findChild<KernelLogTab *>();
    if (!log)
        return;
    auto sync = [log, diag] { diag->setOopses(citationsFromExcerpts(log->oopsModel()->excerpts())); };
    QObject::connect(log, &KernelLogTab::oopsModulesChanged, diag, sync);
    if (!log->oopsModel()->excerpts().isEmpty())
        sync();
}

// The Refcount tab's trace (gui/refcount) names who took the references a leaking module holds.
void citeReferenceTakers(MainWindow *window, DiagnosisTab *diag)
{
    auto *feed = window->findChild<ReferenceTakerFeed *>();
    if (!feed)
        return;
    auto sync = [feed, diag] { diag->setReferenceTakers(feed->takers()); };
    QObject::connect(feed, &ReferenceTakerFeed::takersChanged, diag, sync);
    sync();
}

} // namespace

DiagnosisTabs installDiagnosisTabs(MainWindow *window)
{
    DiagnosisTabs tabs;
    tabs.diagnosis = new DiagnosisTab(window);
    tabs.diagnosis->setRoot(window->root());
    tabs.dependencies = new DependencyTab(window);
    window->addModuleTab(tabs.diagnosis, QStringLiteral("Diagnosis"));
    window->addModuleTab(tabs.dependencies, QStringLiteral("Dependencies"));
    QObject::connect(window, &MainWindow::snapshotChanged, tabs.diagnosis, &DiagnosisTab::setSnapshot);
    QObject::connect(window, &MainWindow::moduleSelected, tabs.diagnosis, &DiagnosisTab::setModule);
    QObject::connect(window, &MainWindow::snapshotChanged, tabs.dependencies, &DependencyTab::setSnapshot);
    QObject::connect(window, &MainWindow::moduleSelected, tabs.dependencies, &DependencyTab::setModule);
    QObject::connect(tabs.dependencies, &DependencyTab::moduleActivated, window,
        [window](const QString &name) { window->selectModule(name); });
    tabs.diagnosis->setSnapshot(window->snapshot());
    tabs.dependencies->setSnapshot(window->snapshot());
    if (!window->currentModule().isEmpty()) {
        tabs.diagnosis->setModule(window->currentModule());
        tabs.dependencies->setModule(window->currentModule());
    }
    // The Kernel Log tab (gui/kernellog) reads the log, through the helper where it must: once it
    // is there, the diagnosis cites its excerpts instead of reading the log itself. The Refcount
    // tab's trace names the call sites that took the references. Both are looked up after the
    // window is built, whichever part was installed first.
    DiagnosisTab *diag = tabs.diagnosis;
    QTimer::singleShot(0, window, [window, diag] {
        citeKernelLog(window, diag);
        citeReferenceTakers(window, diag);
    });
    return tabs;
}

} // namespace kmr
