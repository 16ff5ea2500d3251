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

namespace {

// The bundle (or sample) named on the command line, opened on a worker while the window shows.
// If it cannot be opened the program ends as before, the reader's message on stderr and exit code 6
// (bad input, as kmodrescue-cli says it); a Cancel shows the live system instead.
void openAtStart(kmr::MainWindow &window, const QString &file)
{
    auto *bundles = window.findChild<kmr::BundleActions *>();
    auto *once = new QObject(bundles); // the connections below end with the first answer
    QObject::connect(bundles, &kmr::BundleActions::openFailed, once, [once](const QString &, const QString &error) {
        std::fprintf(stderr, "kmodrescue: %s\n", qPrintable(error));
        once->deleteLater();
        QApplication::exit(6);
    });
    QObject::connect(bundles, &kmr::BundleActions::bundleOpened, once, &QObject::deleteLater);
    QObject::connect(bundles, &kmr::BundleActions::openCancelled, once, [&window, once] {
        once->deleteLater();
        window.refresh();
    });
    bundles->startOpen(file);
}

} // namespace

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
    window.show(); // first: a status bar message shown before would sit over the kernel facts' separators
    if (openRecorded) {
        openAtStart(window, parser.isSet(sampleOption) ? kmr::bundle::sampleBundlePath() : parser.value(bundleOption));
    } else if (parser.isSet(autoOption)) {
        window.setAutoRefresh(true);
    }
    const int rc = QApplication::exec();
    window.saveSettings(settings);
    return rc;
}
