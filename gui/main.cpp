// SPDX-License-Identifier: GPL-2.0-or-later
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("kmodrescue"));
    QApplication::setApplicationDisplayName(QStringLiteral("kmodrescue"));
    QApplication::setApplicationVersion(QStringLiteral(KMR_VERSION));
    QApplication::setOrganizationDomain(QStringLiteral("kmodrescue.github.io"));
    QApplication::setDesktopFileName(QStringLiteral("io.github.kmodrescue"));
    QApplication::setWindowIcon(QIcon::fromTheme(
        QStringLiteral("io.github.kmodrescue"), QIcon(QStringLiteral(":/icons/io.github.kmodrescue.svg"))));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Find out why a Linux kernel module will not unload, and fix it."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption rootOption(QStringLiteral("root"),
        QStringLiteral("Read proc/, sys/ and lib/modules/ under DIR instead of / (fixture trees)."),
        QStringLiteral("DIR"));
    const QCommandLineOption autoOption(QStringLiteral("auto-refresh"), QStringLiteral("Start with auto-refresh on."));
    parser.addOption(rootOption);
    parser.addOption(autoOption);
    parser.process(app);

    kmr::MainWindow::Options options;
    if (parser.isSet(rootOption)) {
        const QFileInfo root(parser.value(rootOption));
        if (!root.isDir()) {
            std::fprintf(stderr, "kmodrescue: --root %s: not a directory. Give a tree that holds proc/ and sys/.\n",
                qPrintable(parser.value(rootOption)));
            return 2;
        }
        options.root = root.absoluteFilePath();
    }

    kmr::MainWindow window(options);
    QSettings settings;
    window.restoreSettings(settings);
    if (parser.isSet(autoOption))
        window.setAutoRefresh(true);
    window.show();
    const int rc = QApplication::exec();
    window.saveSettings(settings);
    return rc;
}
