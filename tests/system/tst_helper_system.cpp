// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-helper against the real dbus-daemon and polkitd.
//
// Runs as root. main() enters a private mount namespace first; inside it the test bind-mounts its
// own files over /run/dbus, /usr/share/dbus-1/system.conf, /etc/polkit-1, /usr/share/polkit-1 and
// the user database, so the host's configuration stays untouched. It then starts a system-bus
// dbus-daemon (as messagebus, with the real setuid activation helper) and polkitd on it. The
// helper is started by D-Bus activation only. Test users, created with useradd into the private
// user database, run helperprobe through runuser with stdin on /dev/null, so no prompt can block.
//
// polkit rules of the test (rules.d/50-kmodrescue-test.rules):
//   kmr-allowed   every kmodrescue action
//   kmr-reader    read-kernel-log only
//   kmr-unloader  unload only (not force-unload)
//   kmr-auth      AUTH_ADMIN: authentication required, and there is no agent
//   kmr-denied    no rule: the .policy defaults (allow_any=no) apply
#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const QString HelperName = QStringLiteral("io.github.kmodrescue.Helper1");
static const QString NotAuthorized = QStringLiteral("error io.github.kmodrescue.Error.NotAuthorized");
static const QString InvalidName = QStringLiteral("error io.github.kmodrescue.Error.InvalidName");
static const QString NotLoaded = QStringLiteral("error io.github.kmodrescue.Error.NotLoaded");

static QString hex(const QString &s)
{
    return QString::fromLatin1(s.toUtf8().toHex());
}

class TestHelperSystem : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void allowedUserReachesValidation();
    void deniedUserIsDenied();
    void authenticationRequiredWithoutAgentIsDenied();
    void readGrantDoesNotCoverUnload();
    void unloadGrantDoesNotCoverForce();
    void badNamesRejectedWithoutTouchingFiles_data();
    void badNamesRejectedWithoutTouchingFiles();
    void builtInAndAbsentNames();
    void nonRootCannotOwnTheName();
    void clientsLeavingRightAfterTheirCall();
    void helperExitsWhenNoClientIsLeft();
    void polkitdStoppedMeansDenied();
    void allowedUserFollowsTheLog();
    void followIsDeniedWithoutTheReadGrant();

private:
    QString probe(const QString &user, const QStringList &args);
    bool mountBind(const QString &from, const QString &to);
    bool startPolkitd();
    bool waitForName(const QString &name, bool present, int ms = 15000);
    qint64 helperPid();
    QString readFile(const QString &path) const;
    qint64 followUntil(const QString &user, qint64 after, const QString &mark);

    QTemporaryDir m_dir {QStringLiteral("/tmp/kmr-system-XXXXXX")};
    QString T;
    QString m_probe;
    QProcess m_dbus;
    QProcess m_polkitd;
};

QString TestHelperSystem::readFile(const QString &path) const
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

bool TestHelperSystem::mountBind(const QString &from, const QString &to)
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

bool TestHelperSystem::waitForName(const QString &name, bool present, int ms)
{
    QDBusConnection bus = QDBusConnection::systemBus();
    for (int waited = 0; waited < ms; waited += 100) {
        if (bus.interface()->isServiceRegistered(name).value() == present)
            return true;
        QThread::msleep(100);
    }
    return false;
}

qint64 TestHelperSystem::helperPid()
{
    QDBusConnection bus = QDBusConnection::systemBus();
    const QDBusReply<uint> pid = bus.interface()->servicePid(HelperName);
    return pid.isValid() ? qint64(pid.value()) : -1;
}

bool TestHelperSystem::startPolkitd()
{
    m_polkitd.setProcessChannelMode(QProcess::MergedChannels);
    m_polkitd.setStandardOutputFile(T + QStringLiteral("/polkitd.log"), QIODevice::Append);
    m_polkitd.start(QStringLiteral("/usr/lib/polkit-1/polkitd"), {QStringLiteral("--no-debug")});
    return m_polkitd.waitForStarted() && waitForName(QStringLiteral("org.freedesktop.PolicyKit1"), true);
}

QString TestHelperSystem::probe(const QString &user, const QStringList &args)
{
    QProcess p;
    p.setStandardInputFile(QProcess::nullDevice()); // no prompt can block
    p.start(QStringLiteral("runuser"), QStringList {QStringLiteral("-u"), user, QStringLiteral("--"), m_probe} + args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return QStringLiteral("timeout");
    }
    const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
    const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    if (out.isEmpty())
        return QStringLiteral("no output (exit %1): %2").arg(p.exitCode()).arg(err);
    return out;
}

void TestHelperSystem::initTestCase()
{
    QVERIFY2(m_dir.isValid(), "cannot create a temporary directory under /tmp");
    T = m_dir.path();
    QVERIFY(::chmod(QFile::encodeName(T).constData(), 0755) == 0);

    const QStringList needed {QStringLiteral("/usr/bin/dbus-daemon"), QStringLiteral("/usr/lib/polkit-1/polkitd"),
        QStringLiteral("/usr/lib/dbus-1.0/dbus-daemon-launch-helper"), QStringLiteral("/usr/sbin/runuser"),
        QStringLiteral("/usr/sbin/useradd"), QStringLiteral("/usr/bin/strace"), QStringLiteral(KMR_HELPER_BIN),
        QStringLiteral(KMR_PROBE_BIN)};
    QStringList missing;
    for (const QString &n : needed)
        if (!QFileInfo::exists(n))
            missing << n;
    QVERIFY2(missing.isEmpty(),
        qPrintable(QStringLiteral("missing (install dbus-daemon, polkitd, util-linux, passwd, "
                                  "strace; build kmodrescue-helper): ")
            + missing.join(QStringLiteral(", "))));

    // The private user database with the test users.
    QVERIFY(QDir().mkpath(T + QStringLiteral("/users/etc")));
    for (const char *f : {"passwd", "group", "shadow", "gshadow"})
        QVERIFY(QFile::copy(
            QStringLiteral("/etc/") + QLatin1String(f), T + QStringLiteral("/users/etc/") + QLatin1String(f)));
    int uid = 64100;
    for (const char *u : {"kmr-allowed", "kmr-reader", "kmr-unloader", "kmr-auth", "kmr-denied"}) {
        int rc = 0;
        const QString out = run(QStringLiteral("useradd"),
            {QStringLiteral("--prefix"), T + QStringLiteral("/users"), QStringLiteral("-M"), QStringLiteral("-U"),
                QStringLiteral("-s"), QStringLiteral("/bin/sh"), QStringLiteral("-u"), QString::number(uid++),
                QLatin1String(u)},
            &rc);
        QVERIFY2(rc == 0, qPrintable(QStringLiteral("useradd %1: %2").arg(QLatin1String(u), out)));
    }
    for (const char *f : {"passwd", "group", "shadow", "gshadow"})
        QVERIFY(mountBind(
            T + QStringLiteral("/users/etc/") + QLatin1String(f), QStringLiteral("/etc/") + QLatin1String(f)));

    // polkit: the project's actions and the test's rules, nothing of the host's.
    for (const char *d : {"etc-polkit/rules.d", "share-polkit/actions", "share-polkit/rules.d"})
        QVERIFY(QDir().mkpath(T + QLatin1Char('/') + QLatin1String(d)));
    QVERIFY(QFile::copy(QStringLiteral(KMR_RESOURCES "/io.github.kmodrescue.policy"),
        T + QStringLiteral("/share-polkit/actions/io.github.kmodrescue.policy")));
    QVERIFY(writeFile(T + QStringLiteral("/etc-polkit/rules.d/50-kmodrescue-test.rules"), R"JS(
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
    return polkit.Result.NOT_HANDLED;
});
)JS"));
    QVERIFY(mountBind(T + QStringLiteral("/etc-polkit"), QStringLiteral("/etc/polkit-1")));
    QVERIFY(mountBind(T + QStringLiteral("/share-polkit"), QStringLiteral("/usr/share/polkit-1")));

    // The bus: our config over the system one, so the setuid activation helper reads it too.
    QVERIFY(QDir().mkpath(T + QStringLiteral("/run-dbus")));
    QVERIFY(QDir().mkpath(T + QStringLiteral("/services")));
    QVERIFY(QDir().mkpath(T + QStringLiteral("/bin")));
    m_probe = T + QStringLiteral("/bin/helperprobe");
    QVERIFY(QFile::copy(QStringLiteral(KMR_PROBE_BIN), m_probe));
    QVERIFY(::chmod(QFile::encodeName(m_probe).constData(), 0755) == 0);
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

    m_dbus.setProcessChannelMode(QProcess::MergedChannels);
    m_dbus.setStandardOutputFile(T + QStringLiteral("/dbus.log"));
    m_dbus.start(QStringLiteral("/usr/bin/dbus-daemon"),
        {QStringLiteral("--config-file=") + T + QStringLiteral("/system.conf"), QStringLiteral("--nofork"),
            QStringLiteral("--nopidfile")});
    QVERIFY(m_dbus.waitForStarted());
    for (int i = 0; i < 100 && !QFileInfo::exists(QStringLiteral("/run/dbus/system_bus_socket")); ++i)
        QThread::msleep(100);
    QVERIFY2(QDBusConnection::systemBus().isConnected(), qPrintable(readFile(T + QStringLiteral("/dbus.log"))));
    QVERIFY2(startPolkitd(), qPrintable(readFile(T + QStringLiteral("/polkitd.log"))));
}

void TestHelperSystem::cleanupTestCase()
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

void TestHelperSystem::allowedUserReachesValidation()
{
    // Authorized, so the call gets past polkit to validation: this host has no modules at all,
    // so a valid name is "not loaded". The helper was started by D-Bus activation.
    const QString r
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(r.startsWith(NotLoaded),
        qPrintable(r + QStringLiteral("\nhelper log:\n") + readFile(T + QStringLiteral("/helper.log"))));
    QVERIFY2(readFile(T + QStringLiteral("/helper.log"))
                 .contains(QStringLiteral("authorized for io.github.kmodrescue.unload")),
        "the helper did not log the authorization");
    const QString f = probe(QStringLiteral("kmr-allowed"),
        {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent")), QStringLiteral("8")});
    QVERIFY2(f.startsWith(NotLoaded), qPrintable(f));
    const QString log = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readlog")});
    QVERIFY2(log.startsWith(QStringLiteral("ok records=")), qPrintable(log));
}

void TestHelperSystem::deniedUserIsDenied()
{
    for (const QStringList &args : {QStringList {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))},
             QStringList {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent")), QStringLiteral("32")},
             QStringList {QStringLiteral("unload"), hex(QStringLiteral("a/b"))},
             QStringList {QStringLiteral("readlog")}}) {
        const QString r = probe(QStringLiteral("kmr-denied"), args + QStringList {QStringLiteral("--interactive")});
        // Denied before validation: even a bad name gets NotAuthorized, not InvalidName.
        QVERIFY2(r.startsWith(NotAuthorized), qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r));
    }
}

void TestHelperSystem::authenticationRequiredWithoutAgentIsDenied()
{
    QString r = probe(QStringLiteral("kmr-auth"),
        {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent")), QStringLiteral("--interactive")});
    QVERIFY2(r.startsWith(NotAuthorized) && r.contains(QStringLiteral("authentication is required")), qPrintable(r));
    r = probe(QStringLiteral("kmr-auth"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(r.startsWith(NotAuthorized) && r.contains(QStringLiteral("did not allow interactive")), qPrintable(r));
}

void TestHelperSystem::readGrantDoesNotCoverUnload()
{
    const QString log = probe(QStringLiteral("kmr-reader"), {QStringLiteral("readlog")});
    QVERIFY2(log.startsWith(QStringLiteral("ok records=")), qPrintable(log));
    const QString u
        = probe(QStringLiteral("kmr-reader"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(u.startsWith(NotAuthorized) && u.contains(QStringLiteral("io.github.kmodrescue.unload")), qPrintable(u));
    const QString f = probe(QStringLiteral("kmr-reader"),
        {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent")), QStringLiteral("4")});
    QVERIFY2(
        f.startsWith(NotAuthorized) && f.contains(QStringLiteral("io.github.kmodrescue.force-unload")), qPrintable(f));
}

void TestHelperSystem::unloadGrantDoesNotCoverForce()
{
    const QString u = probe(QStringLiteral("kmr-unloader"),
        {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent")), QStringLiteral("3")});
    QVERIFY2(u.startsWith(NotLoaded), qPrintable(u));
    for (const char *steps : {"4", "8", "16", "32", "13"}) {
        const QString f = probe(QStringLiteral("kmr-unloader"),
            {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent")), QLatin1String(steps)});
        QVERIFY2(f.startsWith(NotAuthorized) && f.contains(QStringLiteral("force-unload")), qPrintable(f));
    }
    const QString t = probe(QStringLiteral("kmr-unloader"), {QStringLiteral("readlog")});
    QVERIFY2(t.startsWith(NotAuthorized), qPrintable(t));
}

void TestHelperSystem::badNamesRejectedWithoutTouchingFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("holder");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("rule");
    const QString chars = QStringLiteral("module name may only contain A-Z a-z 0-9 _ -");
    QTest::newRow("empty") << QString() << QString() << InvalidName << QStringLiteral("must not be empty");
    QTest::newRow("dotdot") << QStringLiteral("..") << QString() << InvalidName << chars;
    QTest::newRow("a/b") << QStringLiteral("a/b") << QString() << InvalidName << chars;
    QTest::newRow("4 KiB") << QString(4096, QLatin1Char('a')) << QString() << InvalidName
                           << QStringLiteral("at most 55 bytes");
    QTest::newRow("newline") << QStringLiteral("kmr_a\nkmr_b") << QString() << InvalidName << chars;
    // D-Bus strings cannot carry NUL: Qt's marshaller ends the string there, so the helper sees
    // "kmr_victim../etc" and the dots are rejected.
    QTest::newRow("embedded NUL") << QStringLiteral("kmr_victim..") + QChar(0) + QStringLiteral("/etc") << QString()
                                  << InvalidName << chars;
    QTest::newRow("non-ASCII") << QStringLiteral("kmr_\u00e9t\u00e9") << QString() << InvalidName << chars;
    QTest::newRow("fixer") << QStringLiteral("kmodrescue_fixer") << QString() << InvalidName
                           << QStringLiteral("fixer's own name");
    QTest::newRow("fixer dashed") << QStringLiteral("kmodrescue-fixer") << QString() << InvalidName
                                  << QStringLiteral("fixer's own name");
    QTest::newRow("bad holder") << QStringLiteral("kmr_absent") << QStringLiteral("../x") << InvalidName
                                << QStringLiteral("holder: ") + chars;
}

void TestHelperSystem::badNamesRejectedWithoutTouchingFiles()
{
    QFETCH(QString, name);
    QFETCH(QString, holder);
    QFETCH(QString, expected);
    QFETCH(QString, rule);
    const QString tracePath = T + QStringLiteral("/helper.strace");
    const qint64 before = QFileInfo(tracePath).size();
    QStringList args {QStringLiteral("unload"), hex(name), QStringLiteral("1")};
    if (!holder.isEmpty())
        args << QStringLiteral("--holders") << hex(holder);
    const QString r = probe(QStringLiteral("kmr-allowed"), args);
    QVERIFY2(r.startsWith(expected) && r.contains(rule), qPrintable(r));
    // What the helper opened or looked at while answering: nothing about modules.
    QFile trace(tracePath);
    QVERIFY2(trace.open(QIODevice::ReadOnly), "the helper ran without strace");
    trace.seek(before);
    const QString touched = QString::fromUtf8(trace.readAll());
    for (const QString &p : {QStringLiteral("/proc/modules"), QStringLiteral("/sys/module"),
             QStringLiteral("/lib/modules"), QStringLiteral("/dev/kmsg")})
        QVERIFY2(
            !touched.contains(p), qPrintable(QStringLiteral("the helper touched %1:\n%2").arg(p, touched.right(3000))));
}

void TestHelperSystem::builtInAndAbsentNames()
{
    // A built-in module with parameters: in /sys/module, without initstate.
    QString builtIn;
    const QStringList entries = QDir(QStringLiteral("/sys/module")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries)
        if (!QFileInfo::exists(QStringLiteral("/sys/module/%1/initstate").arg(e)) && e.size() < 40) {
            builtIn = e;
            break;
        }
    QVERIFY2(!builtIn.isEmpty(), "no built-in module found in /sys/module");
    const QString b
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(builtIn), QStringLiteral("8")});
    QVERIFY2(b.startsWith(QStringLiteral("error io.github.kmodrescue.Error.BuiltIn"))
            && b.contains(QStringLiteral("built into the kernel")),
        qPrintable(builtIn + QStringLiteral(": ") + b));
    const QString a
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr-absent"))});
    QVERIFY2(a.startsWith(NotLoaded) && a.contains(QStringLiteral("kmr_absent is not loaded")), qPrintable(a));
    const QString u = probe(QStringLiteral("kmr-allowed"),
        {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent")), QStringLiteral("64")});
    QVERIFY2(u.startsWith(QStringLiteral("error io.github.kmodrescue.Error.InvalidArgument")), qPrintable(u));
}

void TestHelperSystem::nonRootCannotOwnTheName()
{
    for (const char *user : {"kmr-allowed", "kmr-denied"}) {
        const QString r = probe(QLatin1String(user), {QStringLiteral("own")});
        QVERIFY2(r.startsWith(QStringLiteral("error org.freedesktop.DBus.Error.AccessDenied")), qPrintable(r));
    }
}

void TestHelperSystem::clientsLeavingRightAfterTheirCall()
{
    // Each client sends a forced unload and leaves at once. The helper must answer every request
    // by doing nothing (polkit cannot vouch for a name that is gone: denied; or authorized and
    // the caller is gone: nothing done), never run the executor, and stay healthy.
    const QString logPath = T + QStringLiteral("/helper.log");
    const int before = readFile(logPath).count(QStringLiteral("Unload from "));
    constexpr int Rounds = 20;
    for (int i = 0; i < Rounds; ++i) {
        const QString r = probe(i % 2 ? QStringLiteral("kmr-allowed") : QStringLiteral("kmr-denied"),
            {QStringLiteral("fire"), hex(QStringLiteral("kmr_absent")), QStringLiteral("8")});
        QVERIFY2(r == QLatin1String("ok fired"), qPrintable(r));
    }
    // Every request ends in one log line ("Unload from :1.N -> ..." or "... nothing done").
    int handled = 0;
    for (int i = 0; i < 300; ++i) {
        handled = readFile(logPath).count(QStringLiteral("Unload from ")) - before;
        if (handled >= Rounds)
            break;
        QThread::msleep(100);
    }
    const QString log = readFile(logPath);
    QVERIFY2(handled >= Rounds,
        qPrintable(
            QStringLiteral("%1 of %2 requests were answered:\n%3").arg(handled).arg(Rounds).arg(log.right(4000))));
    QVERIFY2(!log.contains(QStringLiteral("plan for")), "the executor ran for a client that had left");
    // Still healthy.
    const QString r
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(r.startsWith(NotLoaded), qPrintable(r));
}

void TestHelperSystem::helperExitsWhenNoClientIsLeft()
{
    const QString r
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(r.startsWith(NotLoaded), qPrintable(r));
    QVERIFY2(waitForName(HelperName, false, 20000), "the helper is still on the bus with no client left");
    QVERIFY(readFile(T + QStringLiteral("/helper.log")).contains(QStringLiteral("no client left: exiting")));
}

void TestHelperSystem::polkitdStoppedMeansDenied()
{
    m_polkitd.terminate();
    QVERIFY(m_polkitd.waitForFinished());
    QVERIFY(waitForName(QStringLiteral("org.freedesktop.PolicyKit1"), false));
    const QString r
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(r.startsWith(NotAuthorized) && r.contains(QStringLiteral("polkit")), qPrintable(r));
    const QString l = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readlog")});
    QVERIFY2(l.startsWith(NotAuthorized), qPrintable(l));
    const QString f = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readafter"), QStringLiteral("0")});
    QVERIFY2(f.startsWith(NotAuthorized) && !f.contains(QStringLiteral("\nrecord ")), qPrintable(f));
    // polkitd back: allowed again.
    QVERIFY2(startPolkitd(), qPrintable(readFile(T + QStringLiteral("/polkitd.log"))));
    const QString again
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(again.startsWith(NotLoaded), qPrintable(again));
}

// A message of our own in the kernel log (root may write to /dev/kmsg).
static bool writeKmsg(const QString &text)
{
    const int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const QByteArray line = "<6>" + text.toUtf8() + '\n';
    const bool ok = ::write(fd, line.constData(), size_t(line.size())) == line.size();
    ::close(fd);
    return ok;
}

static QString uniqueMark(const char *what)
{
    return QStringLiteral("kmr-follow-test %1 %2")
        .arg(QLatin1String(what))
        .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

// One ReadKernelLogAfter(after) as `user`: every record is numbered above `after`, `mark` is
// among them and no earlier mark is. Returns the number of the last record (-1 on failure).
qint64 TestHelperSystem::followUntil(const QString &user, qint64 after, const QString &mark)
{
    const QString r = probe(user, {QStringLiteral("readafter"), QString::number(after)});
    const QStringList lines = r.split(QLatin1Char('\n'));
    if (!lines.first().startsWith(QStringLiteral("ok records="))) {
        qWarning("readafter %lld as %s: %s", after, qPrintable(user), qPrintable(r));
        return -1;
    }
    qint64 last = after;
    bool sawMark = false;
    for (const QString &l : lines.mid(1)) {
        bool ok = false;
        const qint64 seq = l.section(QLatin1Char(' '), 1, 1).toLongLong(&ok);
        if (!l.startsWith(QStringLiteral("record ")) || !ok || seq <= last) {
            qWarning("readafter %lld: a record not after it, or out of order: %s", after, qPrintable(l));
            return -1;
        }
        if (l.contains(QStringLiteral("kmr-follow-test")) && !l.contains(mark)) {
            qWarning("readafter %lld: an earlier mark came back: %s", after, qPrintable(l));
            return -1;
        }
        sawMark = sawMark || l.endsWith(mark);
        last = seq;
    }
    if (!sawMark) {
        qWarning("readafter %lld: %s is missing from\n%s", after, qPrintable(mark), qPrintable(r));
        return -1;
    }
    return last;
}

void TestHelperSystem::allowedUserFollowsTheLog()
{
    // The host kernel's own /dev/kmsg, read by the helper as root: the test writes a mark into
    // it between the calls, and each call returns what came after the client's last record.
    QVERIFY2(QFileInfo(QStringLiteral("/dev/kmsg")).isReadable(),
        "this kernel has no readable /dev/kmsg: run the system tests where it has one");
    const QString whole = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readlog")});
    bool ok = false;
    const qint64 start = whole.section(QStringLiteral("last="), 1).toLongLong(&ok);
    QVERIFY2(whole.startsWith(QStringLiteral("ok records=")) && ok, qPrintable(whole));

    const QString first = uniqueMark("first");
    QVERIFY2(writeKmsg(first), strerror(errno));
    const qint64 afterFirst = followUntil(QStringLiteral("kmr-allowed"), start, first);
    QVERIFY2(afterFirst > start, "the first poll did not return the new record");

    // The read grant alone is enough; the next poll has only what came after the last one.
    const QString second = uniqueMark("second");
    QVERIFY2(writeKmsg(second), strerror(errno));
    const qint64 afterSecond = followUntil(QStringLiteral("kmr-reader"), afterFirst, second);
    QVERIFY2(afterSecond > afterFirst, "the second poll did not return the new record");

    // Nothing new: an empty answer, not an error.
    const QString none
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readafter"), QString::number(1LL << 62)});
    QCOMPARE(none, QStringLiteral("ok records=0"));
    QVERIFY2(readFile(T + QStringLiteral("/helper.log")).contains(QStringLiteral("ReadKernelLogAfter from")),
        "the helper did not log the follow calls");
}

void TestHelperSystem::followIsDeniedWithoutTheReadGrant()
{
    // Polkit first, on every call: no rule, an unload grant only, or authentication nobody can
    // give all get NotAuthorized and no record.
    QVERIFY(writeKmsg(uniqueMark("denied")));
    for (const char *user : {"kmr-denied", "kmr-unloader", "kmr-auth"}) {
        const QString r = probe(
            QLatin1String(user), {QStringLiteral("readafter"), QStringLiteral("0"), QStringLiteral("--interactive")});
        QVERIFY2(r.startsWith(NotAuthorized) && !r.contains(QStringLiteral("\nrecord ")),
            qPrintable(QLatin1String(user) + QStringLiteral(": ") + r));
    }
}

int main(int argc, char **argv)
{
    if (::geteuid() != 0) {
        fprintf(stderr,
            "FAIL: the system tests must run as root: they start a private dbus-daemon and polkitd "
            "in their own mount namespace (run ctest -L system as root)\n");
        return 1;
    }
    // Before Qt starts any thread: a private mount namespace, so every bind mount below is ours.
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        fprintf(stderr, "FAIL: cannot enter a private mount namespace: %s\n", strerror(errno));
        return 1;
    }
    QCoreApplication app(argc, argv);
    TestHelperSystem t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_helper_system.moc"
