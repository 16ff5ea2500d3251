// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kernellogtabinstaller.h"

#include "helperclient/helperclient.h"
#include "kernellog/kernellogtab.h"
#include "mainwindow.h"
#include "models/moduletablemodel.h"

namespace kmr {

KernelLogTab *installKernelLogTab(MainWindow *window)
{
    auto *tab = new KernelLogTab(window);
    window->addModuleTab(tab, QObject::tr("Kernel Log"));
    QObject::connect(window, &MainWindow::moduleSelected, tab, &KernelLogTab::setModule);
    QObject::connect(tab, &KernelLogTab::oopsModulesChanged, window,
        [window](const QSet<QString> &modules) { window->moduleModel()->setOopsModules(modules); });
    QObject::connect(tab, &KernelLogTab::helperReadRequested, tab, [tab] {
        auto *client = new HelperClient(tab);
        QObject::connect(client, &HelperClient::kernelLogRead, tab, [tab, client](const QStringList &records) {
            tab->setHelperLog(records);
            client->deleteLater();
        });
        QObject::connect(client, &HelperClient::failed, tab, [tab, client](const HelperFailure &failure) {
            tab->showHelperFailure(failure.text());
            client->deleteLater();
        });
        client->readKernelLog();
    });
    // Follow mode through the helper: one client for all the polls, made on the first one;
    // asynchronous calls (the GUI thread never waits for the helper or polkit). Only the call made
    // when Follow is ticked may let polkit ask for a password; a poll that would need one is
    // refused, and the tab says that the authorization expired.
    QObject::connect(tab, &KernelLogTab::helperFollowRequested, tab, [tab](qint64 after, bool interactive) {
        static const QString name = QStringLiteral("kmr-helper-follower");
        auto *follower = tab->findChild<HelperClient *>(name, Qt::FindDirectChildrenOnly);
        if (!follower) {
            follower = new HelperClient(tab);
            follower->setObjectName(name);
            QObject::connect(follower, &HelperClient::kernelLogReadAfter, tab, &KernelLogTab::appendHelperRecords);
            QObject::connect(follower, &HelperClient::failed, tab, &KernelLogTab::helperFollowFailed);
        }
        follower->setInteractive(interactive);
        follower->readKernelLogAfter(after);
    });
    if (window->root() == QLatin1String("/"))
        tab->readLive();
    return tab;
}

} // namespace kmr
