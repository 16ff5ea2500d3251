// SPDX-License-Identifier: GPL-2.0-or-later
#include "unloadexecutor.h"

#include "helperlog.h"
#include "kmsgtail.h"
#include "livemodules.h"
#include "snapshot/snapshotreader.h"

#include <libkmod.h>

#include <QDir>
#include <QFile>
#include <QHash>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4 // linux/module.h, since 5.17
#endif

namespace kmr {

QHash<QString, QString> parseFixerResult(const QString &line)
{
    QHash<QString, QString> fields;
    const int at = line.indexOf(QLatin1String("kmodrescue_fixer: result "));
    if (at < 0)
        return fields;
    const QStringList words = line.mid(at + 25).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &w : words) {
        const int eq = w.indexOf(QLatin1Char('='));
        if (eq > 0)
            fields.insert(w.left(eq), w.mid(eq + 1));
    }
    return fields;
}

static QString errnoText(int e)
{
    return QStringLiteral("%1 (%2)").arg(
        QString::fromUtf8(strerrorname_np(e) ? strerrorname_np(e) : "?"), QString::fromUtf8(strerror(e)));
}

UnloadStepResult UnloadExecutor::rmmod(const QString &module, bool force, const QString &stepName) const
{
    UnloadStepResult s;
    s.step = stepName;
    s.module = module;
    KmsgTail tail;
    const QByteArray name = module.toUtf8();
    const int flags = O_NONBLOCK | (force ? O_TRUNC : 0);
    const long rc = ::syscall(SYS_delete_module, name.constData(), flags);
    const int err = errno;
    s.kernelLog = tail.readNew();
    if (rc == 0) {
        s.outcome = QStringLiteral("done");
        s.detail = QStringLiteral("%1 unloaded").arg(module);
    } else {
        s.outcome = QStringLiteral("failed");
        s.detail = QStringLiteral("delete_module(%1%2): %3")
                       .arg(module, force ? QStringLiteral(", O_TRUNC") : QString(), errnoText(err));
    }
    qCInfo(lcHelper) << stepName << module << s.outcome << s.detail;
    return s;
}

// finit_module(2); for a compressed .ko on a kernel that cannot decompress, libkmod's insert
// (which decompresses and calls init_module).
static long loadModuleFile(const QString &path, const QByteArray &params, int *err)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    const bool compressed = !path.endsWith(QLatin1String(".ko"));
    long rc = ::syscall(SYS_finit_module, fd, params.constData(), compressed ? MODULE_INIT_COMPRESSED_FILE : 0);
    *err = errno;
    ::close(fd);
    if (rc != 0 && compressed && (*err == EINVAL || *err == EOPNOTSUPP)) {
        struct kmod_ctx *ctx = kmod_new(nullptr, nullptr);
        struct kmod_module *mod = nullptr;
        if (ctx && kmod_module_new_from_path(ctx, QFile::encodeName(path).constData(), &mod) == 0) {
            const int r = kmod_module_insert_module(mod, 0, params.constData());
            rc = r == 0 ? 0 : -1;
            *err = -r;
            kmod_module_unref(mod);
        }
        kmod_unref(ctx);
    }
    return rc;
}

// Tasks whose kernel stack has a frame inside `module` ("... [module]" in /proc/PID/task/TID/stack),
// or, when `syscalls` is given, that are inside one of those system calls at all.
static QStringList tasksInside(const QString &module, const QList<int> &syscalls)
{
    QStringList found;
    const QString tag = QStringLiteral("[") + module + QLatin1Char(']');
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList({QStringLiteral("[0-9]*")}, QDir::Dirs);
    for (const QString &pid : pids) {
        const QString taskDir = QStringLiteral("/proc/%1/task").arg(pid);
        for (const QString &tid : QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile stack(taskDir + QLatin1Char('/') + tid + QStringLiteral("/stack"));
            QFile sys(taskDir + QLatin1Char('/') + tid + QStringLiteral("/syscall"));
            QString why;
            if (stack.open(QIODevice::ReadOnly) && QString::fromUtf8(stack.readAll()).contains(tag))
                why = QStringLiteral("has a frame inside %1").arg(module);
            if (why.isEmpty() && !syscalls.isEmpty() && sys.open(QIODevice::ReadOnly)) {
                const int nr = QString::fromUtf8(sys.readAll()).section(QLatin1Char(' '), 0, 0).toInt();
                if (syscalls.contains(nr))
                    why = QStringLiteral("is in system call %1").arg(nr);
            }
            if (!why.isEmpty()) {
                QFile comm(taskDir + QLatin1Char('/') + tid + QStringLiteral("/comm"));
                comm.open(QIODevice::ReadOnly);
                found << QStringLiteral("task %1 (%2) %3").arg(tid, QString::fromUtf8(comm.readAll().trimmed()), why);
            }
        }
    }
    return found;
}

UnloadStepResult UnloadExecutor::runFixer(const PlannedStep &step) const
{
    UnloadStepResult s;
    s.step = QStringLiteral("fixer");
    s.module = step.module;
    QString error;
    const QString ko = FixerLocator(m_fixer).locate(&error);
    if (ko.isEmpty()) {
        s.outcome = QStringLiteral("failed");
        s.detail = error;
        return s;
    }
    // A Loading (Unloading) module: the fixer needs our word that no task is still in its init
    // (exit), and only the tasks can tell a crashed init from a running one. We look at every
    // task's kernel stack and system call, as root, and vouch only when none is inside.
    QString params = QStringLiteral("target=%1 repairs=%2").arg(step.module, step.fixerRepairs.join(QLatin1Char(',')));
    const QString state = LiveModules::state(step.module);
    if (state == QLatin1String("coming") || state == QLatin1String("going")) {
        const bool coming = state == QLatin1String("coming");
        const QStringList busy = tasksInside(
            step.module, coming ? QList<int> {SYS_init_module, SYS_finit_module} : QList<int> {SYS_delete_module});
        if (!busy.isEmpty()) {
            s.outcome = QStringLiteral("refused");
            s.detail
                = QStringLiteral("%1 is %2 and its %3 may still be running: %4")
                      .arg(step.module, coming ? QStringLiteral("Loading") : QStringLiteral("Unloading"),
                          coming ? QStringLiteral("init") : QStringLiteral("exit"), busy.join(QStringLiteral("; ")));
            return s;
        }
        params += coming ? QStringLiteral(" coming_init_crashed=1") : QStringLiteral(" going_exit_crashed=1");
    }
    KmsgTail tail;
    int err = 0;
    const long rc = loadModuleFile(ko, params.toUtf8(), &err);
    s.kernelLog = tail.readNew();
    QHash<QString, QString> result;
    QString resultLine;
    for (const QString &l : std::as_const(s.kernelLog)) {
        result = parseFixerResult(l);
        if (!result.isEmpty()) {
            resultLine = l.mid(l.indexOf(QLatin1String("kmodrescue_fixer: result")));
            break;
        }
    }
    if (result.isEmpty()) {
        s.outcome = QStringLiteral("failed");
        s.detail = rc == 0 ? QStringLiteral("the fixer (%1) wrote no result line").arg(ko)
                           : QStringLiteral("loading the fixer (%1) failed: %2").arg(ko, errnoText(err));
        if (rc == 0)
            ::syscall(SYS_delete_module, FixerModuleName, O_NONBLOCK);
        return s;
    }
    s.detail = resultLine;
    if (result.value(QStringLiteral("ok")) != QLatin1String("1")) {
        s.outcome = QStringLiteral("failed");
        return s;
    }
    // The repair is done: now the ordinary unload, then the fixer itself if it stayed resident
    // (the target's exit stub points into it).
    const UnloadStepResult target = rmmod(step.module, false, QStringLiteral("rmmod"));
    s.kernelLog << target.kernelLog;
    s.detail += QStringLiteral("; then ") + target.detail;
    s.outcome = target.outcome;
    if (LiveModules::read().loaded.contains(QLatin1String(FixerModuleName))) {
        const UnloadStepResult fixer = rmmod(QLatin1String(FixerModuleName), false, QStringLiteral("rmmod"));
        s.kernelLog << fixer.kernelLog;
        s.detail += QStringLiteral("; then ") + fixer.detail;
    }
    return s;
}

UnloadExecutor::Outcome UnloadExecutor::run(const UnloadRequest &request) const
{
    Outcome out;
    // No .ko files: the plan needs none of their facts (compiler, signer), and whether the module
    // has an exit the kernel itself says ("[permanent]" in /proc/modules). Reading every loaded
    // module's file would dominate the time from click to module gone.
    SnapshotReader::Options options;
    options.readKoFiles = false;
    const Snapshot snapshot = SnapshotReader(options).read();
    Diagnoser diagnoser(snapshot);
    const Diagnosis diagnosis = diagnoser.diagnose(request.module);
    const UnloadPlan plan = planUnload(diagnosis, snapshot.kernel, request);
    if (plan.refused) {
        out.errorName = HelperError::Refused;
        out.errorMessage = plan.refusal + QStringLiteral(". How to go on: ") + plan.howToGoOn;
        return out;
    }
    qCInfo(lcHelper).noquote() << "plan for" << request.module << ":" << plan.describe().join(QStringLiteral(" | "));

    UnloadResult &r = out.result;
    for (const PlannedStep &step : plan.steps) {
        if (!LiveModules::read().loaded.contains(request.module))
            break;
        UnloadStepResult s;
        switch (step.kind) {
        case StepHoldersFirst:
            s = rmmod(step.module, false, QStringLiteral("rmmod-holder"));
            break;
        case StepPlainRmmod:
            s = rmmod(step.module, false, QStringLiteral("rmmod"));
            break;
        case StepKernelForce:
            s = rmmod(step.module, true, QStringLiteral("kernel-force"));
            break;
        default:
            s = runFixer(step);
            break;
        }
        r.kernelLog << s.kernelLog;
        r.steps << s;
    }
    r.gone = !LiveModules::read().loaded.contains(request.module);
    r.finalState = r.gone ? QStringLiteral("gone") : LiveModules::state(request.module);
    return out;
}

} // namespace kmr
