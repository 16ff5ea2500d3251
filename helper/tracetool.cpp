// SPDX-License-Identifier: GPL-2.0-or-later
// kmr-tracetool: the helper's TraceSession without D-Bus, for the lab (root in a guest) and the
// benchmarks. Not installed.
//
//   kmr-tracetool [--buffer-kb N] [--quiet] [--via-helper] MODULE COMMAND
//
// --via-helper: as any user, through the system bus: StartTrace, ReadTraceEvents while the
// command runs, StopTrace (the helper's polkit action trace decides); no CPU/overrun figures.
//
// starts a trace of MODULE, runs `sh -c COMMAND` while draining trace_pipe every millisecond,
// drains once more after it ends, stops the trace and prints:
//   EVENT <line with the resolved call site>      (each event, unless --quiet)
//   LEAK <held> <net> <gets> <puts> <call site>   (the leak table, unbalanced first)
//   TOTAL events=N gets=N puts=N lsmod_refcnt=N overrun=N malformed=N mode=eprobe|fields|plain
//   CPU reader_ms=N wall_ms=N
// Exit status 0 when tracing worked (whatever the table says), 2 with a message otherwise.
#include "refcount/leaktable.h"
#include "tracesession.h"

#include "helper1_interface.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace kmr;

namespace {
double cpuMs()
{
    rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}
pid_t spawnShell(const QByteArray &cmd)
{
    const char *childArgv[] = {"sh", "-c", cmd.constData(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char **>(childArgv), environ) != 0)
        return -1;
    return pid;
}

int viaHelperMain(const QString &module, const QByteArray &cmd, bool quiet)
{
    IoGithubKmodrescueHelper1Interface helper(QStringLiteral("io.github.kmodrescue.Helper1"),
        QStringLiteral("/io/github/kmodrescue/Helper1"), QDBusConnection::systemBus());
    helper.setTimeout(120 * 1000);
    QDBusPendingReply<> started = helper.StartTrace(module);
    started.waitForFinished();
    if (started.isError()) {
        fprintf(stderr, "kmr-tracetool: the helper refused to trace %s: %s: %s\n", qPrintable(module),
            qPrintable(started.error().name()), qPrintable(started.error().message()));
        return 2;
    }
    printf("STARTED\n");
    fflush(stdout);
    TraceEventParser parser;
    LeakTable table;
    qint64 events = 0;
    auto drain = [&]() -> bool {
        QDBusPendingReply<QStringList> r = helper.ReadTraceEvents();
        r.waitForFinished();
        if (r.isError()) {
            fprintf(stderr, "kmr-tracetool: ReadTraceEvents: %s\n", qPrintable(r.error().message()));
            return false;
        }
        for (const QString &l : r.value()) {
            TraceEvent e;
            if (!parser.parseLine(l.toUtf8(), &e))
                continue;
            ++events;
            table.add(e);
            if (!quiet)
                printf("EVENT %s\n", qPrintable(l));
        }
        return true;
    };
    const pid_t pid = spawnShell(cmd);
    if (pid < 0)
        return 2;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (!drain())
            return 2;
        usleep(100 * 1000);
    }
    usleep(200 * 1000);
    if (!drain())
        return 2;
    QDBusPendingReply<> stopped = helper.StopTrace();
    stopped.waitForFinished();
    if (stopped.isError()) {
        fprintf(stderr, "kmr-tracetool: StopTrace: %s\n", qPrintable(stopped.error().message()));
        return 2;
    }
    for (const LeakRow &r : table.rows())
        printf("LEAK %d %d %d %d %s\n", r.held, r.net(), r.gets, r.puts, qPrintable(r.callSite));
    printf("TOTAL events=%lld gets=%d puts=%d lsmod_refcnt=%d malformed=%d via=helper command_status=%d\n", events,
        table.totalGets(), table.totalPuts(), table.lastLsmodRefcnt(), parser.malformed(),
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    TraceSession::Options opts;
    bool quiet = false;
    bool viaHelper = false;
    while (!args.isEmpty() && args.first().startsWith(QStringLiteral("--"))) {
        const QString a = args.takeFirst();
        if (a == QStringLiteral("--quiet")) {
            quiet = true;
        } else if (a == QStringLiteral("--via-helper")) {
            viaHelper = true;
        } else if (a == QStringLiteral("--buffer-kb") && !args.isEmpty()) {
            opts.bufferSizeKb = args.takeFirst().toInt();
        } else {
            fprintf(stderr, "kmr-tracetool: unknown option %s\n", qPrintable(a));
            return 2;
        }
    }
    if (args.size() != 2) {
        fprintf(stderr, "usage: kmr-tracetool [--buffer-kb N] [--quiet] MODULE COMMAND\n");
        return 2;
    }
    if (viaHelper)
        return viaHelperMain(args.at(0), args.at(1).toLocal8Bit(), quiet);
    TraceSession session(opts);
    QString why;
    if (!session.start(args.at(0), &why)) {
        fprintf(stderr, "kmr-tracetool: cannot trace %s: %s\n", qPrintable(args.at(0)), qPrintable(why));
        return 2;
    }
    LeakTable table;
    qint64 events = 0;
    auto drain = [&] {
        const QList<TraceEvent> evs = session.read(&why);
        events += evs.size();
        table.add(evs);
        if (!quiet) {
            for (const TraceEvent &e : evs)
                printf("EVENT %s\n", formatTraceEvent(e).constData());
        }
    };

    QElapsedTimer wall;
    wall.start();
    const double cpu0 = cpuMs();
    const QByteArray cmd = args.at(1).toLocal8Bit();
    const char *childArgv[] = {"sh", "-c", cmd.constData(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char **>(childArgv), environ) != 0) {
        fprintf(stderr, "kmr-tracetool: cannot run /bin/sh\n");
        return 2;
    }
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        drain();
        usleep(1000);
    }
    usleep(200 * 1000); // events of the last moment reach the buffer
    drain();
    const double readerMs = cpuMs() - cpu0;
    const qint64 overrun = session.overruns();
    const char *mode = session.mode() == TraceSession::Mode::Eprobe ? "eprobe"
        : session.mode() == TraceSession::Mode::Fields              ? "fields"
                                                                    : "plain";
    const int malformed = session.malformedLines();
    session.stop();

    for (const LeakRow &r : table.rows())
        printf("LEAK %d %d %d %d %s\n", r.held, r.net(), r.gets, r.puts, qPrintable(r.callSite));
    printf("TOTAL events=%lld gets=%d puts=%d lsmod_refcnt=%d overrun=%lld malformed=%d mode=%s command_status=%d\n",
        events, table.totalGets(), table.totalPuts(), table.lastLsmodRefcnt(), overrun, malformed, mode,
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    printf("CPU reader_ms=%.1f wall_ms=%lld\n", readerMs, wall.elapsed());
    return 0;
}
