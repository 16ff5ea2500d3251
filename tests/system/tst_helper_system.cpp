// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-helper against the real dbus-daemon and polkitd (privatesystembus.h: the private
// bus, polkitd, the helper and the test users with their polkit rules). The test users run
// helperprobe, a client of the helper through core's HelperClient.
#include "kmsgmark.h"
#include "privatesystembus.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTest>
#include <QThread>

#include <cerrno>
#include <cstring>

static const QString HelperName = PrivateSystemBus::HelperName;
static const QString NotAuthorized = QStringLiteral("error io.github.kmodrescue.Error.NotAuthorized");
static const QString InteractionRequired
    = QStringLiteral("error org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
static const QString InvalidName = QStringLiteral("error io.github.kmodrescue.Error.InvalidName");
static const QString NotLoaded = QStringLiteral("error io.github.kmodrescue.Error.NotLoaded");

// The marks of this run: another run of this test on the machine (another checkout) writes into
// the same /dev/kmsg, and its marks are not "earlier marks" of this one.
static const QString MarkPrefix = uniqueMark(QStringLiteral("kmr-follow-test"));

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
    QString readFile(const QString &name) const { return m_bus.readFile(name); }
    bool waitForName(const QString &name, bool present, int ms = 15000) { return m_bus.waitForName(name, present, ms); }
    qint64 followUntil(const QString &user, qint64 after, const QString &mark);

    PrivateSystemBus m_bus;
};

QString TestHelperSystem::probe(const QString &user, const QStringList &args)
{
    QProcess p;
    m_bus.startAs(p, user, m_bus.client(QStringLiteral(KMR_PROBE_BIN)), args);
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
    m_bus.setUp({QStringLiteral(KMR_PROBE_BIN)});
}

void TestHelperSystem::cleanupTestCase()
{
    m_bus.tearDown();
}

void TestHelperSystem::allowedUserReachesValidation()
{
    // Authorized, so the call gets past polkit to validation: this host has no modules at all,
    // so a valid name is "not loaded". The helper was started by D-Bus activation.
    const QString r
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(r.startsWith(NotLoaded),
        qPrintable(r + QStringLiteral("\nhelper log:\n") + readFile(QStringLiteral("helper.log"))));
    QVERIFY2(
        readFile(QStringLiteral("helper.log")).contains(QStringLiteral("authorized for io.github.kmodrescue.unload")),
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
    // Without interaction allowed the same challenge is the D-Bus specification's own error: the
    // client can tell "ask again, interactively" from "denied".
    r = probe(QStringLiteral("kmr-auth"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(
        r.startsWith(InteractionRequired) && r.contains(QStringLiteral("did not allow interactive")), qPrintable(r));
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
    const QString tracePath = m_bus.path(QStringLiteral("helper.strace"));
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
    const QString logPath = QStringLiteral("helper.log");
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
    QVERIFY(readFile(QStringLiteral("helper.log")).contains(QStringLiteral("no client left: exiting")));
}

void TestHelperSystem::polkitdStoppedMeansDenied()
{
    QVERIFY(m_bus.stopPolkitd());
    const QString r
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(r.startsWith(NotAuthorized) && r.contains(QStringLiteral("polkit")), qPrintable(r));
    const QString l = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readlog")});
    QVERIFY2(l.startsWith(NotAuthorized), qPrintable(l));
    const QString f = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readafter"), QStringLiteral("0")});
    QVERIFY2(f.startsWith(NotAuthorized) && !f.contains(QStringLiteral("\nrecord ")), qPrintable(f));
    // polkitd back: allowed again.
    QVERIFY2(m_bus.startPolkitd(), qPrintable(readFile(QStringLiteral("polkitd.log"))));
    const QString again
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("unload"), hex(QStringLiteral("kmr_absent"))});
    QVERIFY2(again.startsWith(NotLoaded), qPrintable(again));
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
        if (l.contains(MarkPrefix) && !l.contains(mark)) {
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

    const QString first = uniqueMark(MarkPrefix + QStringLiteral(" first"));
    QVERIFY2(writeKmsg(first), strerror(errno));
    const qint64 afterFirst = followUntil(QStringLiteral("kmr-allowed"), start, first);
    QVERIFY2(afterFirst > start, "the first poll did not return the new record");

    // The read grant alone is enough; the next poll has only what came after the last one.
    const QString second = uniqueMark(MarkPrefix + QStringLiteral(" second"));
    QVERIFY2(writeKmsg(second), strerror(errno));
    const qint64 afterSecond = followUntil(QStringLiteral("kmr-reader"), afterFirst, second);
    QVERIFY2(afterSecond > afterFirst, "the second poll did not return the new record");

    // Nothing new: an empty answer, not an error.
    const QString none
        = probe(QStringLiteral("kmr-allowed"), {QStringLiteral("readafter"), QString::number(1LL << 62)});
    QCOMPARE(none, QStringLiteral("ok records=0"));
    QVERIFY2(readFile(QStringLiteral("helper.log")).contains(QStringLiteral("ReadKernelLogAfter from")),
        "the helper did not log the follow calls");
}

void TestHelperSystem::followIsDeniedWithoutTheReadGrant()
{
    // Polkit first, on every call: no rule, an unload grant only, or authentication nobody can
    // give all get NotAuthorized and no record.
    QVERIFY(writeKmsg(uniqueMark(MarkPrefix + QStringLiteral(" denied"))));
    for (const char *user : {"kmr-denied", "kmr-unloader", "kmr-auth"}) {
        const QString r = probe(
            QLatin1String(user), {QStringLiteral("readafter"), QStringLiteral("0"), QStringLiteral("--interactive")});
        QVERIFY2(r.startsWith(NotAuthorized) && !r.contains(QStringLiteral("\nrecord ")),
            qPrintable(QLatin1String(user) + QStringLiteral(": ") + r));
    }
}

int main(int argc, char **argv)
{
    // Before Qt starts any thread.
    if (!enterPrivateMountNamespace())
        return 1;
    QCoreApplication app(argc, argv);
    TestHelperSystem t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_helper_system.moc"
