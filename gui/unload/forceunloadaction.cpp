// SPDX-License-Identifier: GPL-2.0-or-later
#include "unload/forceunloadaction.h"

#include "diagnosis/diagnosis.h"
#include "diagnosis/oopscitation.h"
#include "mainwindow.h"
#include "unload/unloaddialog.h"

#include <QAction>

namespace kmr {

QAction *installForceUnload(MainWindow *window)
{
    auto *action = new QAction(QStringLiteral("Force Unload…"), window);
    action->setObjectName(QStringLiteral("forceUnloadAction"));
    action->setToolTip(QStringLiteral("Unload the selected module through kmodrescue-helper, showing the plan first"));
    action->setEnabled(!window->currentModule().isEmpty());
    QObject::connect(window, &MainWindow::moduleSelected, action, [action, window](const QString &name) {
        action->setEnabled(!name.isEmpty() && window->root() == QLatin1String("/"));
    });
    QObject::connect(action, &QAction::triggered, window, [window] {
        const QString module = window->currentModule();
        if (module.isEmpty())
            return;
        Diagnoser diagnoser(window->snapshot());
        QString why;
        diagnoser.setOopses(readOopsCitations(window->root(), QString(), &why));
        auto *dialog = new UnloadDialog(diagnoser.diagnose(module), window->snapshot().kernel, window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(dialog, &UnloadDialog::unloadDone, window, &MainWindow::refresh);
        dialog->open();
    });
    window->addModuleAction(action);
    return action;
}

} // namespace kmr
