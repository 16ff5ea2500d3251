// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundle/bundleactions.h"
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
    const QCommandLineOption sampleOption(QStringLiteral("sample"),
        QStringLiteral("Open the sample bundle recorded in the kmodrescue lab on a real kernel (not this machine)."));
    const QCommandLineOption bundleOption(QStringLiteral("bundle"),
        QStringLiteral("Open the diagnostic bundle FILE (read-only)."), QStringLiteral("FILE"));
    parser.addOption(rootOption);
    parser.addOption(autoOption);
    parser.addOption(sampleOption);
    parser.addOption(bundleOption);
    parser.process(app);
    const bool openRecorded = parser.isSet(sampleOption) || parser.isSet(bundleOption);

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

    options.scanOnStart = !openRecorded; // a first scan would replace the bundle with this machine
    kmr::MainWindow window(options);
    QSettings settings;
    window.restoreSettings(settings);
    if (openRecorded) {
        auto *bundles = window.findChild<kmr::BundleActions *>();
        QString error;
        const bool ok = parser.isSet(sampleOption) ? bundles->openSample(&error)
                                                   : bundles->openBundle(parser.value(bundleOption), &error);
        if (!ok) {
            std::fprintf(stderr, "kmodrescue: %s\n", qPrintable(error));
            return 6; // bad input, as kmodrescue-cli says it
        }
    } else if (parser.isSet(autoOption)) {
        window.setAutoRefresh(true);
    }
    window.show();
    const int rc = QApplication::exec();
    window.saveSettings(settings);
    return rc;
}
