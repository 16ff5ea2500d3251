// SPDX-License-Identifier: GPL-2.0-or-later
#include "unload/forceunloadaction.h"

#include "bundle/bundleactions.h"
#include "diagnosis/diagnosis.h"
#include "diagnosis/oopscitation.h"
#include "mainwindow.h"
#include "refcount/referencetakerfeed.h"
#include "unload/unloaddialog.h"
#include "util/jobtracker.h"

#include <QAction>
#include <QStatusBar>

namespace kmr {

namespace {

bool forceUnloadApplies(const MainWindow *window)
{
    return !window->isReadOnly() && !window->currentModule().isEmpty() && window->root() == QLatin1String("/");
}

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
        // The Refcount tab's trace, when one was taken: the plan's diagnosis names who leaked.
        const auto *feed = m_window->findChild<ReferenceTakerFeed *>();
        m_jobs.startJob(
            [snapshot = m_window->snapshot(), root = m_window->root(), module,
                takers = feed ? feed->takers() : QHash<QString, QList<ReferenceTaker>>()](const auto &) {
                Diagnoser diagnoser(snapshot);
                QString why; // an unreadable log leaves the diagnosis without excerpts; it says so itself
                diagnoser.setOopses(readOopsCitations(root, QString(), &why));
                diagnoser.setReferenceTakers(takers);
                return Result {diagnoser.diagnose(module), snapshot.kernel};
            },
            [this](Result r) {
                m_window->statusBar()->clearMessage();
                m_action->setEnabled(forceUnloadApplies(m_window));
                auto *dialog = new UnloadDialog(r.diagnosis, r.kernel, m_window);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                QObject::connect(dialog, &UnloadDialog::unloadDone, m_window, &MainWindow::refresh);
                if (auto *bundles = m_window->findChild<BundleActions *>()) // the next export carries it
                    QObject::connect(dialog, &UnloadDialog::recorded, bundles, &BundleActions::addUnloadRecord);
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
    // Only for the live system's modules: never a fixture tree's, never a bundle's.
    auto update = [action, window] { action->setEnabled(forceUnloadApplies(window)); };
    update();
    QObject::connect(window, &MainWindow::moduleSelected, action, update);
    QObject::connect(window, &MainWindow::readOnlyChanged, action, update);
    auto *controller = new ForceUnloadController(window, action);
    QObject::connect(action, &QAction::triggered, controller, &ForceUnloadController::start);
    window->addModuleAction(action);
    return action;
}

} // namespace kmr
