// SPDX-License-Identifier: GPL-2.0-or-later
#include "unload/forceunloadaction.h"

#include "bundle/bundleactions.h"
#include "diagnosis/diagnosis.h"
#include "diagnosis/oopscitation.h"
#include "kernellog/kernellogtab.h"
#include "kernellog/oopslistmodel.h"
#include "mainwindow.h"
#include "refcount/referencetakerfeed.h"
#include "unload/unloaddialog.h"
#include "util/jobtracker.h"

#include <QAction>
#include <QStatusBar>

#include <optional>

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
            [snapshot = m_window->snapshot(), root = m_window->root(), module, viaHelper = helperReadOopses(),
                takers = feed ? feed->takers() : QHash<QString, QList<ReferenceTaker>>()](const auto &) {
                Diagnoser diagnoser(snapshot);
                // The log as it is now; where the kernel refuses a direct read
                // (kernel.dmesg_restrict=1, Debian's default), the reports of the log the Kernel
                // Log tab read through the helper. Without either, the diagnosis says why it
                // cites no crash.
                QString why;
                bool refused = false;
                QList<OopsCitation> oopses = readOopsCitations(root, QString(), &why, &refused);
                if (refused && viaHelper) {
                    oopses = *viaHelper;
                    why.clear();
                } else if (refused) {
                    why = KernelLogTab::refusedLogAdvice();
                }
                diagnoser.setOopses(oopses);
                diagnoser.setReferenceTakers(takers);
                Diagnosis d = diagnoser.diagnose(module);
                if (!why.isEmpty())
                    d.warnings << why;
                return Result {d, snapshot.kernel};
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
    // The crash reports of the live log the Kernel Log tab read through the helper, if it did.
    std::optional<QList<OopsCitation>> helperReadOopses() const
    {
        const auto *log = m_window->findChild<KernelLogTab *>();
        if (!log || !log->readsThroughHelper() || log->showsRecorded())
            return std::nullopt;
        return citationsFromExcerpts(log->oopsModel()->excerpts());
    }

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
