// SPDX-License-Identifier: GPL-2.0-or-later
#include "unload/forceunloadaction.h"

#include "diagnosis/diagnosis.h"
#include "diagnosis/oopscitation.h"
#include "mainwindow.h"
#include "unload/unloaddialog.h"
#include "util/jobtracker.h"

#include <QAction>
#include <QStatusBar>

namespace kmr {

namespace {

// Diagnoses the chosen module off the GUI thread (the diagnosis scans every process's open files
// and reads the kernel log: seconds on a busy machine), then opens the plan dialog.
class ForceUnloadController : public QObject
{
public:
    ForceUnloadController(MainWindow *window, QAction *action)
        : QObject(action)
        , m_window(window)
        , m_action(action)
    { }

    void start()
    {
        const QString module = m_window->currentModule();
        if (module.isEmpty())
            return;
        m_action->setEnabled(false); // one plan at a time
        m_window->statusBar()->showMessage(tr("Diagnosing %1 before planning its unload…").arg(module));
        struct Result {
            Diagnosis diagnosis;
            KernelFacts kernel;
        };
        m_jobs.startJob(
            [snapshot = m_window->snapshot(), root = m_window->root(), module](const auto &) {
                Diagnoser diagnoser(snapshot);
                QString why; // an unreadable log leaves the diagnosis without excerpts; it says so itself
                diagnoser.setOopses(readOopsCitations(root, QString(), &why));
                return Result {diagnoser.diagnose(module), snapshot.kernel};
            },
            [this](Result r) {
                m_window->statusBar()->clearMessage();
                m_action->setEnabled(!m_window->currentModule().isEmpty() && m_window->root() == QLatin1String("/"));
                auto *dialog = new UnloadDialog(r.diagnosis, r.kernel, m_window);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                QObject::connect(dialog, &UnloadDialog::unloadDone, m_window, &MainWindow::refresh);
                dialog->open();
            });
    }

private:
    MainWindow *m_window;
    QAction *m_action;
    JobTracker m_jobs {this, 1};
};

} // namespace

QAction *installForceUnload(MainWindow *window)
{
    auto *action = new QAction(QStringLiteral("Force Unload…"), window);
    action->setObjectName(QStringLiteral("forceUnloadAction"));
    action->setToolTip(QStringLiteral("Unload the selected module through kmodrescue-helper, showing the plan first"));
    action->setEnabled(!window->currentModule().isEmpty());
    QObject::connect(window, &MainWindow::moduleSelected, action, [action, window](const QString &name) {
        action->setEnabled(!name.isEmpty() && window->root() == QLatin1String("/"));
    });
    auto *controller = new ForceUnloadController(window, action);
    QObject::connect(action, &QAction::triggered, controller, &ForceUnloadController::start);
    window->addModuleAction(action);
    return action;
}

} // namespace kmr
