// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kernellogtabinstaller.h"

#include "helperclient/helperclient.h"
#include "kernellog/kernellogtab.h"
#include "kernellog/kmsgreader.h"
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
            tab->setLog(kernellog::parseKmsgRecords(records), QObject::tr("/dev/kmsg, read by the helper"));
            client->deleteLater();
        });
        QObject::connect(client, &HelperClient::failed, tab, [tab, client](const HelperFailure &failure) {
            tab->showHelperFailure(failure.text());
            client->deleteLater();
        });
        client->readKernelLog();
    });
    if (window->root() == QLatin1String("/"))
        tab->readLive();
    return tab;
}

} // namespace kmr
