// SPDX-License-Identifier: GPL-2.0-or-later
// The Kernel Log tab following the log through the helper, end to end: the real tab as
// installKernelLogTab() wires it (kernellogfollow, offscreen), run as an unprivileged test user
// whose own read of /dev/kmsg the kernel refuses (kernel.dmesg_restrict=1), the real helper on the
// private bus with the real polkitd (privatesystembus.h), and the host kernel's /dev/kmsg, into
// which the test writes a mark as root while the tab follows.
//
// kernel.dmesg_restrict is global: where it is 0, main() sets it to 1 for the test and a keeper
// process puts the old value back when the test process is gone, however it ends.
#include "kmsgmark.h"
#include "privatesystembus.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const QString DmesgRestrict = QStringLiteral("/proc/sys/kernel/dmesg_restrict");

static uid_t uidOf(const QString &user)
{
    const passwd *pw = ::getpwnam(user.toUtf8().constData());
    return pw ? pw->pw_uid : uid_t(-1);
}

class TestKernelLogFollow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void readerFollowsTheLogThroughTheHelper();
    void deniedUserSeesTheRefusalAndNoRecord();
    void followingStopsWhenPolkitCannotSayYes();
    void expiredAuthorizationStopsFollowingWithoutAsking();

private:
    // One step of a run: when the client prints a line starting with `line`, the rest of that line
    // goes into `*rest` (when given) and `action` runs.
    struct Step {
        QString line;
        std::function<void()> action;
        QString *rest = nullptr;
    };
    struct Run {
        QStringList lines; // stdout
        QString errors; // stderr (sanitizer reports, Qt warnings)
        int exitCode = -1;
        QString rest(const QString &prefix) const; // of the first line that starts with prefix
        QString all() const { return lines.join(QLatin1Char('\n')) + QStringLiteral("\n--- stderr:\n") + errors; }
    };
    Run runClient(const QString &user, const QStringList &args, const QList<Step> &steps = {});
    void checkDirectReadRefused(const Run &run);
    void checkResumed(const Run &run, qsizetype stop);
    QString helperCalls(const QString &member, const QString &busName) const;
    bool waitForPollWithoutInteraction(const QString &busName, int ticks) const;

    PrivateSystemBus m_bus;
};

QString TestKernelLogFollow::Run::rest(const QString &prefix) const
{
    for (const QString &l : lines)
        if (l.startsWith(prefix))
            return l.mid(prefix.size());
    return QString();
}

TestKernelLogFollow::Run TestKernelLogFollow::runClient(
    const QString &user, const QStringList &args, const QList<Step> &steps)
{
    Run run;
    QProcess p;
    // HOME and XDG_RUNTIME_DIR in the test's directory: what Qt and fontconfig keep there does not
    // go into the host's /tmp.
    const QString home = m_bus.path(QStringLiteral("home-") + user);
    if (!QDir().mkpath(home) || ::chown(QFile::encodeName(home).constData(), uidOf(user), gid_t(-1)) != 0
        || ::chmod(QFile::encodeName(home).constData(), 0700) != 0)
        run.lines << QStringLiteral("(the test could not make %1 for %2)").arg(home, user);
    m_bus.startAs(p, user, m_bus.client(QStringLiteral(KMR_FOLLOW_BIN)), args,
        {QStringLiteral("HOME=") + home, QStringLiteral("XDG_RUNTIME_DIR=") + home,
            QStringLiteral("LSAN_OPTIONS=suppressions=" KMR_LSAN_SUPP)});
    qsizetype next = 0;
    QByteArray pending;
    const QDeadlineTimer twoMinutes(120000);
    while (p.state() != QProcess::NotRunning && !twoMinutes.hasExpired()) {
        p.waitForReadyRead(500);
        pending += p.readAllStandardOutput();
        for (qsizetype nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
            run.lines << QString::fromUtf8(pending.left(nl));
            pending.remove(0, nl + 1);
            if (next < steps.size() && run.lines.last().startsWith(steps[next].line)) {
                const Step &step = steps[next++];
                if (step.rest)
                    *step.rest = run.lines.last().mid(step.line.size());
                step.action();
            }
        }
    }
    if (p.state() != QProcess::NotRunning && !p.waitForFinished(5000)) {
        p.kill();
        p.waitForFinished();
        run.lines << QStringLiteral("(the test killed it: no end within two minutes)");
    }
    run.lines << QString::fromUtf8(pending + p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    run.errors = QString::fromUtf8(p.readAllStandardError());
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    qDebug().noquote() << "kernellogfollow as" << user << "exit" << run.exitCode << '\n' + run.all();
    return run;
}

void TestKernelLogFollow::initTestCase()
{
    QFile f(DmesgRestrict);
    QVERIFY2(f.open(QIODevice::ReadOnly) && f.readAll().trimmed() == "1",
        "kernel.dmesg_restrict is not 1 (main() sets it for the test)");
    QVERIFY2(writeKmsg(QStringLiteral("kmr-gui-follow-test start")),
        "cannot write to /dev/kmsg: this kernel has no /dev/kmsg, or it is not writable here");
    m_bus.setUp({QStringLiteral(KMR_FOLLOW_BIN)});
}

void TestKernelLogFollow::cleanupTestCase()
{
    m_bus.tearDown();
}

// The tab's own read of /dev/kmsg was refused by the kernel, and its banner says why.
void TestKernelLogFollow::checkDirectReadRefused(const Run &run)
{
    QVERIFY2(run.rest(QStringLiteral("direct: ")) == QLatin1String("refused"),
        qPrintable(QStringLiteral("the kernel did not refuse the test user's read of /dev/kmsg:\n") + run.all()));
    QVERIFY2(run.lines.value(1).startsWith(QStringLiteral("banner: "))
            && run.lines.value(1).contains(QStringLiteral("kernel.dmesg_restrict=1")),
        qPrintable(run.all()));
}

void TestKernelLogFollow::readerFollowsTheLogThroughTheHelper()
{
    // kmr-reader holds the read grant only. The mark is written once the tab follows, so it can
    // only come through ReadKernelLogAfter.
    const QString mark = uniqueMark(QStringLiteral("kmr-gui-follow-test reader"));
    bool written = false;
    const Run run = runClient(QStringLiteral("kmr-reader"), {mark},
        {{QStringLiteral("following after="), [&] { written = writeKmsg(mark); }}});
    checkDirectReadRefused(run);
    QVERIFY2(written, "the client never said it follows, or the mark could not be written");
    QVERIFY2(run.exitCode == 0, qPrintable(run.all()));
    bool ok = false;
    const qint64 after = run.rest(QStringLiteral("following after=")).toLongLong(&ok);
    QVERIFY2(ok && after > 0, qPrintable(run.all()));
    QVERIFY2(run.rest(QStringLiteral("helper-log: ")).startsWith(QStringLiteral("records=")), qPrintable(run.all()));
    const qint64 seq = run.rest(QStringLiteral("mark: seq=")).toLongLong(&ok);
    QVERIFY2(ok && seq > after, qPrintable(run.all()));
    // The source line after the helper's read, then after following: both say it is the helper.
    QStringList sources;
    for (const QString &l : run.lines)
        if (l.startsWith(QStringLiteral("source: ")))
            sources << l;
    QCOMPARE(sources.size(), 2);
    QVERIFY2(sources[0].contains(QStringLiteral("read by the helper")), qPrintable(sources[0]));
    QVERIFY2(sources[1].contains(QStringLiteral("followed through the helper")), qPrintable(sources[1]));
    const QString log = m_bus.readFile(QStringLiteral("helper.log"));
    QVERIFY2(log.contains(QStringLiteral("ReadKernelLogAfter from"))
            && log.contains(QStringLiteral("authorized for io.github.kmodrescue.read-kernel-log")),
        qPrintable(log.right(3000)));
}

void TestKernelLogFollow::deniedUserSeesTheRefusalAndNoRecord()
{
    // No rule for kmr-denied: the policy's defaults (allow_any=no) refuse the helper's read.
    const Run run = runClient(QStringLiteral("kmr-denied"), {uniqueMark(QStringLiteral("kmr-gui-follow-test denied"))});
    checkDirectReadRefused(run);
    QVERIFY2(run.exitCode == 5 && run.lines.contains(QStringLiteral("refused")), qPrintable(run.all()));
    const QString banner = run.lines.value(run.lines.indexOf(QStringLiteral("refused")) + 1);
    QVERIFY2(banner.startsWith(QStringLiteral("banner: Not authorized: not authorized for "
                                              "io.github.kmodrescue.read-kernel-log"))
            && banner.contains(QStringLiteral("Ask an administrator to allow it (polkit)")),
        qPrintable(run.all()));
    QCOMPARE(run.rest(QStringLiteral("records: ")), QStringLiteral("0"));
    QVERIFY2(run.rest(QStringLiteral("following")).isNull(), qPrintable(run.all()));
}

void TestKernelLogFollow::followingStopsWhenPolkitCannotSayYes()
{
    // The tab follows; then polkitd goes away, so the helper refuses the next poll (it fails
    // closed): following stops, the box is unticked, the banner says why, and the log stays.
    // With polkitd back, the user ticks Follow again: the log goes on and the banner goes.
    const QString mark = uniqueMark(QStringLiteral("kmr-gui-follow-test stopped"));
    const QString again = uniqueMark(QStringLiteral("kmr-gui-follow-test again"));
    const QString resume = m_bus.path(QStringLiteral("home-kmr-reader/resume"));
    bool stopped = false;
    bool restarted = false;
    const Run run = runClient(QStringLiteral("kmr-reader"),
        {mark, QStringLiteral("--until-refused"), QStringLiteral("--resume"), resume, again},
        {{QStringLiteral("following after="), [&] { writeKmsg(mark); }},
            {QStringLiteral("mark: "), [&] { stopped = m_bus.stopPolkitd(); }},
            {QStringLiteral("stopped: "),
                [&] { restarted = m_bus.startPolkitd() && QFile(resume).open(QIODevice::WriteOnly); }},
            {QStringLiteral("following again after="), [&] { writeKmsg(again); }}});
    if (!restarted)
        m_bus.startPolkitd(); // for the tests after this one
    QVERIFY2(stopped, "polkitd did not stop");
    QVERIFY2(restarted, qPrintable(m_bus.readFile(QStringLiteral("polkitd.log"))));
    const qsizetype stop = run.lines.indexOf(QStringLiteral("stopped: follow=off"));
    QVERIFY2(stop > 0, qPrintable(run.all()));
    const QString banner = run.lines.value(stop + 1);
    QVERIFY2(banner.startsWith(QStringLiteral("banner: Not authorized: not authorized for "
                                              "io.github.kmodrescue.read-kernel-log"))
            && banner.endsWith(QStringLiteral("Following the log through the helper has stopped; tick Follow to try "
                                              "again.")),
        qPrintable(run.all()));
    checkResumed(run, stop);
    QVERIFY2(run.rest(QStringLiteral("records: ")).toLongLong() > 0, qPrintable(run.all()));
}

// After following stopped (line `stop` and the banner after it), Follow was ticked again: the
// second mark came, Follow stayed on, the refusal is no longer shown, and the client ended well.
void TestKernelLogFollow::checkResumed(const Run &run, qsizetype stop)
{
    const QStringList resumed = run.lines.mid(stop + 2);
    QVERIFY2(resumed.value(0).startsWith(QStringLiteral("following again after="))
            && resumed.value(1).startsWith(QStringLiteral("mark: seq=")),
        qPrintable(run.all()));
    QCOMPARE(resumed.value(3), QStringLiteral("follow: on"));
    QCOMPARE(resumed.value(4), QStringLiteral("banner: "));
    QVERIFY2(run.exitCode == 0, qPrintable(run.all()));
}

// What the helper did with each `member` call from `busName`, in order, one letter a call:
// I authorized, interaction allowed; N authorized, no interaction; R refused because polkit wanted
// authentication and the call did not allow interaction; ? anything else.
QString TestKernelLogFollow::helperCalls(const QString &member, const QString &busName) const
{
    QString calls;
    const QString from = member + QStringLiteral(" from ") + busName + QLatin1Char(' ');
    for (const QString &line : m_bus.readFile(QStringLiteral("helper.log")).split(QLatin1Char('\n'))) {
        if (!line.contains(from))
            continue;
        if (line.contains(QStringLiteral("authorized for io.github.kmodrescue.read-kernel-log (interaction allowed)")))
            calls += QLatin1Char('I');
        else if (line.contains(QStringLiteral("authorized for io.github.kmodrescue.read-kernel-log (no interaction)")))
            calls += QLatin1Char('N');
        else if (line.contains(QStringLiteral("-> org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"))
            && line.contains(QStringLiteral("did not allow interactive authorization")))
            calls += QLatin1Char('R');
        else if (line.contains(QStringLiteral("polkit check failed: Operation was cancelled")))
            calls += QLatin1Char('C'); // the client left while its poll was being checked (clientGone)
        else
            calls += QLatin1Char('?');
    }
    return calls;
}

// Until the helper has seen `ticks` follow calls that allowed interaction (one a tick of Follow) and
// answered a poll (no interaction) after the last of them.
bool TestKernelLogFollow::waitForPollWithoutInteraction(const QString &busName, int ticks) const
{
    const QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        const QString calls = helperCalls(QStringLiteral("ReadKernelLogAfter"), busName);
        if (calls.count(QLatin1Char('I')) >= ticks
            && calls.lastIndexOf(QLatin1Char('N')) > calls.lastIndexOf(QLatin1Char('I')))
            return true;
        QThread::msleep(100);
    }
    return false;
}

void TestKernelLogFollow::expiredAuthorizationStopsFollowingWithoutAsking()
{
    // kmr-expiring holds the read grant while polkit keeps its authorization (the grant file
    // exists); then it expires, and polkit wants a password again (AUTH_ADMIN_KEEP, as when
    // auth_admin_keep runs out). The tab's next poll does not let polkit ask, so it is refused
    // instead of popping up a dialog: following stops, and the banner says that the authorization
    // expired and to tick Follow. With the authorization back, Follow ticked again asks once,
    // interactively, and the polls after it go on without interaction.
    QVERIFY2(QFile(m_bus.grantFile()).open(QIODevice::WriteOnly), qPrintable(m_bus.grantFile()));
    const QString mark = uniqueMark(QStringLiteral("kmr-gui-follow-test expiring"));
    const QString again = uniqueMark(QStringLiteral("kmr-gui-follow-test renewed"));
    const QString resume = m_bus.path(QStringLiteral("home-kmr-expiring/resume"));
    QString busName;
    bool polled = false;
    bool expired = false;
    bool renewed = false;
    bool polledAgain = false;
    // Each mark is written once the helper has answered a poll after the tick of Follow.
    const Run run = runClient(QStringLiteral("kmr-expiring"),
        {mark, QStringLiteral("--until-refused"), QStringLiteral("--resume"), resume, again},
        {{QStringLiteral("bus: "), [] {}, &busName},
            {QStringLiteral("following after="),
                [&] { polled = waitForPollWithoutInteraction(busName, 1) && writeKmsg(mark); }},
            {QStringLiteral("mark: "), [&] { expired = QFile::remove(m_bus.grantFile()); }},
            {QStringLiteral("stopped: "),
                [&] {
                    renewed = QFile(m_bus.grantFile()).open(QIODevice::WriteOnly)
                        && QFile(resume).open(QIODevice::WriteOnly);
                }},
            {QStringLiteral("following again after="),
                [&] { polledAgain = waitForPollWithoutInteraction(busName, 2) && writeKmsg(again); }}});
    QVERIFY2(polled && expired && renewed && polledAgain, qPrintable(run.all()));
    checkDirectReadRefused(run);
    const qsizetype stop = run.lines.indexOf(QStringLiteral("stopped: follow=off"));
    QVERIFY2(stop > 0, qPrintable(run.all()));
    QCOMPARE(run.lines.value(stop + 1),
        QStringLiteral("banner: Following stopped: the authorization to read the kernel log has expired, and "
                       "kmodrescue does not ask for your password in the background. Tick Follow to authorize "
                       "again."));
    checkResumed(run, stop);
    if (QTest::currentTestFailed())
        return;

    // The helper's side: the click on "Read Through the Helper…" and each tick of Follow let polkit
    // ask; every poll in between did not, and the one refused was refused for that reason.
    QVERIFY2(busName.startsWith(QLatin1Char(':')), qPrintable(run.all()));
    QCOMPARE(helperCalls(QStringLiteral("ReadKernelLog"), busName), QStringLiteral("I"));
    const QString follow = helperCalls(QStringLiteral("ReadKernelLogAfter"), busName);
    // A poll still being checked when the client exits is cancelled and refused (C): only the last
    // call may be one, and only under load is it (the lab once saw INRIN + C at load 6.7).
    QVERIFY2(QRegularExpression(QStringLiteral("^IN+RIN+C?$")).match(follow).hasMatch(),
        qPrintable(follow + QStringLiteral("\n") + m_bus.readFile(QStringLiteral("helper.log")).right(4000)));
}

static bool writeDmesgRestrict(const QByteArray &value)
{
    const int fd = ::open("/proc/sys/kernel/dmesg_restrict", O_WRONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && ::write(fd, value.constData(), size_t(value.size())) == value.size();
    if (!ok)
        fprintf(stderr, "cannot set kernel.dmesg_restrict=%s: %s\n", value.constData(), strerror(errno));
    if (fd >= 0)
        ::close(fd);
    return ok;
}

// Waits for the end of the test process (the pipe's other end closes, however it ends), then
// writes `old` back. Forked twice, in a session of its own and deaf to the usual signals: ctest
// kills a test's children with it on a timeout, and this one is nobody's child by then.
static bool startKeeper(const QByteArray &old, int alive[2])
{
    const pid_t middle = ::fork();
    if (middle < 0)
        return false;
    if (middle > 0) {
        ::close(alive[0]); // alive[1] stays open, unseen by children (O_CLOEXEC), until this process ends
        int status = 0;
        return ::waitpid(middle, &status, 0) == middle && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    ::close(alive[1]);
    const pid_t keeper = ::fork();
    if (keeper != 0)
        ::_exit(keeper > 0 ? 0 : 1);
    ::setsid();
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
        ::signal(sig, SIG_IGN);
    char c;
    while (::read(alive[0], &c, 1) < 0 && errno == EINTR) { } // 0: the test process is gone
    ::_exit(writeDmesgRestrict(old) ? 0 : 1);
}

// kernel.dmesg_restrict=1 for the test; where it was 0, a keeper puts 0 back afterwards.
static bool restrictDmesg()
{
    QFile f(DmesgRestrict);
    if (!f.open(QIODevice::ReadOnly)) {
        fprintf(stderr, "FAIL: cannot read %s: %s\n", qPrintable(DmesgRestrict), qPrintable(f.errorString()));
        return false;
    }
    const QByteArray old = f.readAll().trimmed();
    if (old == "1")
        return true;
    int alive[2];
    if (::pipe2(alive, O_CLOEXEC) != 0) {
        fprintf(stderr, "FAIL: pipe2: %s\n", strerror(errno));
        return false;
    }
    if (!startKeeper(old, alive)) {
        fprintf(
            stderr, "FAIL: cannot start the process that would put kernel.dmesg_restrict back: %s\n", strerror(errno));
        return false;
    }
    if (!writeDmesgRestrict("1"))
        return false;
    fprintf(stderr, "kernel.dmesg_restrict was %s: 1 for the test, %s again when it ends\n", old.constData(),
        old.constData());
    return true;
}

int main(int argc, char **argv)
{
    // Before Qt starts any thread.
    if (!enterPrivateMountNamespace() || !restrictDmesg())
        return 1;
    QCoreApplication app(argc, argv);
    TestKernelLogFollow t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_kernellog_follow.moc"
