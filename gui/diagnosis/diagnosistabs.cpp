// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/diagnosistabs.h"

#include "diagnosis/diagnosistab.h"
#include "graph/dependencytab.h"
#include "mainwindow.h"

namespace kmr {

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
    return tabs;
}

} // namespace kmr
