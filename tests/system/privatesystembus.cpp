// SPDX-License-Identifier: GPL-2.0-or-later
#include "privatesystembus.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTest>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static bool mountBind(const QString &from, const QString &to)
{
    if (::mount(QFile::encodeName(from).constData(), QFile::encodeName(to).constData(), nullptr, MS_BIND, nullptr)
        != 0) {
        qWarning("bind mount %s over %s: %s", qPrintable(from), qPrintable(to), strerror(errno));
        return false;
    }
    return true;
}

static bool writeFile(const QString &path, const QByteArray &data, int mode = 0644)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size())
        return false;
    f.close();
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

static QString run(const QString &program, const QStringList &args, int *exitCode = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, args);
    p.waitForFinished(120000);
    if (exitCode)
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return QString::fromUtf8(p.readAll());
}

bool enterPrivateMountNamespace()
{
    if (::geteuid() != 0) {
        fprintf(stderr,
            "FAIL: the system tests must run as root: they start a private dbus-daemon and polkitd "
            "in their own mount namespace (run ctest -L system as root)\n");
        return false;
    }
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        fprintf(stderr, "FAIL: cannot enter a private mount namespace: %s\n", strerror(errno));
        return false;
    }
    return true;
}

QString PrivateSystemBus::readFile(const QString &name) const
{
    QFile f(path(name));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QString PrivateSystemBus::client(const QString &program) const
{
    return path(QStringLiteral("bin/") + QFileInfo(program).fileName());
}

void PrivateSystemBus::startAs(
    QProcess &p, const QString &user, const QString &program, const QStringList &args, const QStringList &env) const
{
    p.setStandardInputFile(QProcess::nullDevice()); // no prompt can block
    // runuser sets HOME, SHELL, USER and LOGNAME itself: env(1) sets what the test wants after it.
    const QStringList command
        = env.isEmpty() ? QStringList {program} : QStringList {QStringLiteral("env")} + env + QStringList {program};
    p.start(QStringLiteral("runuser"), QStringList {QStringLiteral("-u"), user, QStringLiteral("--")} + command + args);
}

bool PrivateSystemBus::waitForName(const QString &name, bool present, int ms)
{
    QDBusConnection bus = QDBusConnection::systemBus();
    for (int waited = 0; waited < ms; waited += 100) {
        if (bus.interface()->isServiceRegistered(name).value() == present)
            return true;
        QThread::msleep(100);
    }
    return false;
}

qint64 PrivateSystemBus::helperPid()
{
    QDBusConnection bus = QDBusConnection::systemBus();
    const QDBusReply<uint> pid = bus.interface()->servicePid(HelperName);
    return pid.isValid() ? qint64(pid.value()) : -1;
}

bool PrivateSystemBus::startPolkitd()
{
    m_polkitd.setProcessChannelMode(QProcess::MergedChannels);
    m_polkitd.setStandardOutputFile(path(QStringLiteral("polkitd.log")), QIODevice::Append);
    m_polkitd.start(QStringLiteral("/usr/lib/polkit-1/polkitd"), {QStringLiteral("--no-debug")});
    return m_polkitd.waitForStarted() && waitForName(QStringLiteral("org.freedesktop.PolicyKit1"), true);
}

bool PrivateSystemBus::stopPolkitd()
{
    m_polkitd.terminate();
    return m_polkitd.waitForFinished() && waitForName(QStringLiteral("org.freedesktop.PolicyKit1"), false);
}

// The private user database with the test users.
void PrivateSystemBus::makeUsers()
{
    const QString etc = path(QStringLiteral("users/etc/"));
    QVERIFY(QDir().mkpath(etc));
    for (const char *f : {"passwd", "group", "shadow", "gshadow"})
        QVERIFY(QFile::copy(QStringLiteral("/etc/") + QLatin1String(f), etc + QLatin1String(f)));
    int uid = 64100;
    for (const char *u : {"kmr-allowed", "kmr-reader", "kmr-unloader", "kmr-auth", "kmr-expiring", "kmr-denied"}) {
        int rc = 0;
        const QString out = run(QStringLiteral("useradd"),
            {QStringLiteral("--prefix"), path(QStringLiteral("users")), QStringLiteral("-M"), QStringLiteral("-U"),
                QStringLiteral("-s"), QStringLiteral("/bin/sh"), QStringLiteral("-u"), QString::number(uid++),
                QLatin1String(u)},
            &rc);
        QVERIFY2(rc == 0, qPrintable(QStringLiteral("useradd %1: %2").arg(QLatin1String(u), out)));
    }
    for (const char *f : {"passwd", "group", "shadow", "gshadow"})
        QVERIFY(mountBind(etc + QLatin1String(f), QStringLiteral("/etc/") + QLatin1String(f)));
}

// polkit: the project's actions and the test's rules, nothing of the host's.
void PrivateSystemBus::writePolkitRules()
{
    for (const char *d : {"etc-polkit/rules.d", "share-polkit/actions", "share-polkit/rules.d"})
        QVERIFY(QDir().mkpath(path(QLatin1String(d))));
    QVERIFY(QFile::copy(QStringLiteral(KMR_RESOURCES "/io.github.kmodrescue.policy"),
        path(QStringLiteral("share-polkit/actions/io.github.kmodrescue.policy"))));
    // polkit.spawn() throws when the command fails: kmr-expiring's grant is the file's existence.
    QVERIFY(writeFile(path(QStringLiteral("etc-polkit/rules.d/50-kmodrescue-test.rules")),
        QByteArray(R"JS(
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("io.github.kmodrescue.") !== 0)
        return polkit.Result.NOT_HANDLED;
    if (subject.user === "kmr-allowed")
        return polkit.Result.YES;
    if (subject.user === "kmr-reader" && action.id === "io.github.kmodrescue.read-kernel-log")
        return polkit.Result.YES;
    if (subject.user === "kmr-unloader" && action.id === "io.github.kmodrescue.unload")
        return polkit.Result.YES;
    if (subject.user === "kmr-auth")
        return polkit.Result.AUTH_ADMIN;
    if (subject.user === "kmr-expiring" && action.id === "io.github.kmodrescue.read-kernel-log") {
        try {
            polkit.spawn(["/usr/bin/test", "-e", "@GRANT@"]);
            return polkit.Result.YES;
        } catch (e) {
            return polkit.Result.AUTH_ADMIN_KEEP;
        }
    }
    return polkit.Result.NOT_HANDLED;
});
)JS")
            .replace("@GRANT@", QFile::encodeName(grantFile()))));
    QVERIFY(mountBind(path(QStringLiteral("etc-polkit")), QStringLiteral("/etc/polkit-1")));
    QVERIFY(mountBind(path(QStringLiteral("share-polkit")), QStringLiteral("/usr/share/polkit-1")));
}

// The bus: our config over the system one, so the setuid activation helper reads it too.
void PrivateSystemBus::writeBusConfig()
{
    const QString T = m_dir.path();
    QVERIFY(QDir().mkpath(T + QStringLiteral("/run-dbus")));
    QVERIFY(QDir().mkpath(T + QStringLiteral("/services")));
    const QByteArray busConfig
        = QStringLiteral(R"XML(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <user>messagebus</user>
  <servicehelper>/usr/lib/dbus-1.0/dbus-daemon-launch-helper</servicehelper>
  <auth>EXTERNAL</auth>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <servicedir>%1/services</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>
  <include>%2/io.github.kmodrescue.Helper1.conf</include>
</busconfig>
)XML")
              .arg(T, QStringLiteral(KMR_RESOURCES))
              .toUtf8();
    QVERIFY(writeFile(T + QStringLiteral("/system.conf"), busConfig));
    QVERIFY(mountBind(T + QStringLiteral("/system.conf"), QStringLiteral("/usr/share/dbus-1/system.conf")));
    QVERIFY(mountBind(T + QStringLiteral("/run-dbus"), QStringLiteral("/run/dbus")));
    // Activation: the helper runs under strace so that the test can see which files it touches.
    QVERIFY(writeFile(T + QStringLiteral("/helper-exec.sh"),
        QStringLiteral("#!/bin/sh\nexport QT_FORCE_STDERR_LOGGING=1\n"
                       "exec /usr/bin/strace -f -qq -A -o %1/helper.strace -e trace=%file %2 "
                       "--fixer-dir %1/no-fixer --idle-timeout 60 2>>%1/helper.log\n")
            .arg(T, QStringLiteral(KMR_HELPER_BIN))
            .toUtf8(),
        0755));
    QVERIFY(writeFile(T + QStringLiteral("/services/io.github.kmodrescue.Helper1.service"),
        QStringLiteral("[D-BUS Service]\nName=io.github.kmodrescue.Helper1\nExec=%1/helper-exec.sh\nUser=root\n")
            .arg(T)
            .toUtf8()));
}

void PrivateSystemBus::startBus()
{
    m_dbus.setProcessChannelMode(QProcess::MergedChannels);
    m_dbus.setStandardOutputFile(path(QStringLiteral("dbus.log")));
    m_dbus.start(QStringLiteral("/usr/bin/dbus-daemon"),
        {QStringLiteral("--config-file=") + path(QStringLiteral("system.conf")), QStringLiteral("--nofork"),
            QStringLiteral("--nopidfile")});
    QVERIFY(m_dbus.waitForStarted());
    for (int i = 0; i < 100 && !QFileInfo::exists(QStringLiteral("/run/dbus/system_bus_socket")); ++i)
        QThread::msleep(100);
    QVERIFY2(QDBusConnection::systemBus().isConnected(), qPrintable(readFile(QStringLiteral("dbus.log"))));
}

void PrivateSystemBus::setUp(const QStringList &clients)
{
    QVERIFY2(m_dir.isValid(), "cannot create a temporary directory under /tmp");
    QVERIFY(::chmod(QFile::encodeName(m_dir.path()).constData(), 0755) == 0);

    QStringList needed {QStringLiteral("/usr/bin/dbus-daemon"), QStringLiteral("/usr/lib/polkit-1/polkitd"),
        QStringLiteral("/usr/lib/dbus-1.0/dbus-daemon-launch-helper"), QStringLiteral("/usr/sbin/runuser"),
        QStringLiteral("/usr/sbin/useradd"), QStringLiteral("/usr/bin/strace"), QStringLiteral(KMR_HELPER_BIN)};
    needed << clients;
    QStringList missing;
    for (const QString &n : needed)
        if (!QFileInfo::exists(n))
            missing << n;
    QVERIFY2(missing.isEmpty(),
        qPrintable(QStringLiteral("missing (install dbus-daemon, polkitd, util-linux, passwd, "
                                  "strace; build kmodrescue-helper and the test's clients): ")
            + missing.join(QStringLiteral(", "))));

    // The clients where the test users can run them (the build tree may not be theirs to read).
    QVERIFY(QDir().mkpath(path(QStringLiteral("bin"))));
    for (const QString &c : clients) {
        QVERIFY(QFile::copy(c, client(c)));
        QVERIFY(::chmod(QFile::encodeName(client(c)).constData(), 0755) == 0);
    }
    makeUsers();
    if (QTest::currentTestFailed())
        return;
    writePolkitRules();
    if (QTest::currentTestFailed())
        return;
    writeBusConfig();
    if (QTest::currentTestFailed())
        return;
    startBus();
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(startPolkitd(), qPrintable(readFile(QStringLiteral("polkitd.log"))));
}

void PrivateSystemBus::tearDown()
{
    const qint64 pid = helperPid();
    if (pid > 0)
        ::kill(pid_t(pid), SIGTERM);
    m_polkitd.terminate();
    m_polkitd.waitForFinished();
    m_dbus.terminate();
    m_dbus.waitForFinished();
    if (QTest::currentTestFailed() || qEnvironmentVariableIsSet("KMR_KEEP_LOGS"))
        m_dir.setAutoRemove(false);
}
