// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-helper: the privileged half of kmodrescue, on the system bus as
// io.github.kmodrescue.Helper1. Started by D-Bus activation (through systemd where it runs); see
// resources/io.github.kmodrescue.Helper1.service and resources/kmodrescue-helper.service.
#include "helper1_adaptor.h"
#include "helperlog.h"
#include "helperservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusError>

#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    // polkit answers through GLib callbacks in GLib's default main context. Qt's GLib event
    // dispatcher (the default on Linux) iterates that context; QT_NO_GLIB would switch it off.
    qunsetenv("QT_NO_GLIB");
    ::umask(077);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kmodrescue-helper"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KMR_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("kmodrescue's privileged helper (D-Bus service io.github.kmodrescue.Helper1)"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption fixerDir(QStringLiteral("fixer-dir"),
        QStringLiteral("Take kmodrescue_fixer.ko from DIR (or DIR/RELEASE) instead of DKMS's "
                       "build (for the test lab; root-owned files only)."),
        QStringLiteral("DIR"));
    const QCommandLineOption idle(QStringLiteral("idle-timeout"),
        QStringLiteral("Exit after SECONDS without a request (default 120)."), QStringLiteral("SECONDS"),
        QStringLiteral("120"));
    parser.addOptions({fixerDir, idle});
    parser.process(app);

    if (!QCoreApplication::eventDispatcher()
        || !QCoreApplication::eventDispatcher()->inherits("QEventDispatcherGlib")) {
        qCCritical(lcHelper) << "Qt is not using its GLib event dispatcher: polkit's answers could never arrive. "
                                "Refusing to start.";
        return 1;
    }
    if (::geteuid() != 0)
        qCWarning(lcHelper) << "not running as root: every privileged operation will fail";

    kmr::registerHelperTypes();
    kmr::HelperService::Options options;
    options.fixer.fixerDir = parser.value(fixerDir);
    bool ok = false;
    const int seconds = parser.value(idle).toInt(&ok);
    if (!ok || seconds < 1) {
        qCCritical(lcHelper) << "--idle-timeout needs a positive number of seconds";
        return 2;
    }
    options.idleTimeoutMs = seconds * 1000;

    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected()) {
        qCCritical(lcHelper).noquote() << "cannot connect to the system bus:" << bus.lastError().message();
        return 1;
    }
    kmr::HelperService service(options);
    new Helper1Adaptor(&service);
    if (!bus.registerObject(QStringLiteral("/io/github/kmodrescue/Helper1"), &service)) {
        qCCritical(lcHelper).noquote() << "cannot register the object:" << bus.lastError().message();
        return 1;
    }
    if (!bus.registerService(QStringLiteral("io.github.kmodrescue.Helper1"))) {
        qCCritical(lcHelper).noquote() << "cannot own io.github.kmodrescue.Helper1:" << bus.lastError().message();
        return 1;
    }
    qCInfo(lcHelper) << "kmodrescue-helper" << KMR_VERSION << "ready, pid" << ::getpid();
    return app.exec();
}
