// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli bundle [NAME...] -o FILE [--log FILE] [--watch SECONDS [--rate HZ]] [--trace-file FILE]
//                       [--unload-log FILE] [--no-redact] [--show-redactions] [--json]
// Writes a diagnostic bundle (core/bundle) of the chosen modules, redacted unless told not to, with
// the refcount history sampled during --watch, a saved get/put trace and an unload's result.
#include "command.h"
#include "tracesource.h"

#include "bundle/bundlecontents.h"
#include "bundle/bundlerecordings.h"
#include "bundle/redaction.h"
#include "diagnosis/unloadjson.h"
#include "refcount/refcountsampler.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

namespace kmr::cli {
namespace {

const char *const Usage
    = "usage: kmodrescue-cli [--root DIR] bundle [NAME...] -o FILE [--log FILE] [--watch SECONDS [--rate HZ]]\n"
      "         [--trace-file FILE] [--unload-log FILE] [--no-redact] [--show-redactions] [--json]\n";

QJsonArray redactionsJson(const QList<bundle::Redaction> &plan)
{
    QJsonArray a;
    for (const bundle::Redaction &r : plan)
        a.append(QJsonObject {{QStringLiteral("kind"), toString(r.kind)}, {QStringLiteral("original"), r.original},
            {QStringLiteral("replacement"), r.replacement}, {QStringLiteral("count"), r.count},
            {QStringLiteral("where"), QJsonArray::fromStringList(r.where)}});
    return a;
}

struct Options {
    QStringList names;
    QString output, logFile, traceFile, unloadLog;
    bool redact = true, show = false;
    double watchSeconds = 0;
    double rateHz = 10;
};

// Returns -1 when the command line is good, else the exit code (after saying why).
int parseOptions(Context &ctx, Options *o)
{
    const QStringList valued {QStringLiteral("-o"), QStringLiteral("--output"), QStringLiteral("--log"),
        QStringLiteral("--trace-file"), QStringLiteral("--unload-log"), QStringLiteral("--watch"),
        QStringLiteral("--rate")};
    for (int i = 0; i < ctx.args.size(); ++i) {
        const QString &a = ctx.args.at(i);
        if (valued.contains(a)) {
            if (i + 1 >= ctx.args.size()) {
                ctx.err << "kmodrescue-cli bundle: " << a << " needs a value\n" << Usage;
                return ExitUsage;
            }
            const QString v = ctx.args.at(++i);
            bool ok = true;
            if (a == QLatin1String("--log"))
                o->logFile = v;
            else if (a == QLatin1String("--trace-file"))
                o->traceFile = v;
            else if (a == QLatin1String("--unload-log"))
                o->unloadLog = v;
            else if (a == QLatin1String("--watch"))
                o->watchSeconds = v.toDouble(&ok);
            else if (a == QLatin1String("--rate"))
                o->rateHz = v.toDouble(&ok);
            else
                o->output = v;
            if (!ok || o->watchSeconds < 0 || o->watchSeconds > 86400 || o->rateHz <= 0
                || o->rateHz > RefcountSampler::kMaxHz) {
                ctx.err << "kmodrescue-cli bundle: " << a << ' ' << v
                        << ": give seconds (0 to 86400) for --watch, hertz (above 0, at most 100) for --rate\n";
                return ExitUsage;
            }
        } else if (a == QLatin1String("--no-redact")) {
            o->redact = false;
        } else if (a == QLatin1String("--show-redactions")) {
            o->show = true;
        } else if (a.startsWith(QLatin1Char('-'))) {
            ctx.err << "kmodrescue-cli bundle: unknown option " << a << '\n' << Usage;
            return ExitUsage;
        } else {
            o->names << a;
        }
    }
    if (!ctx.bundle.isEmpty()) {
        ctx.err << "kmodrescue-cli bundle: --bundle opens a bundle; to write one, leave it out (use --root for a "
                   "fixture tree)\n";
        return ExitUsage;
    }
    if (o->output.isEmpty() && !o->show) {
        ctx.err << "kmodrescue-cli bundle: say where to write it with -o FILE (e.g. -o stuck.tar.gz), or list the "
                   "redactions with --show-redactions\n"
                << Usage;
        return ExitUsage;
    }
    // The trace and the unload log are read after --watch: they may be written during it.
    if (!o->logFile.isEmpty() && !QFileInfo(o->logFile).isReadable()) {
        ctx.err << "kmodrescue-cli bundle: cannot read the kernel log " << o->logFile << '\n';
        return ExitBadInput;
    }
    return -1;
}

// --unload-log: what `kmodrescue-cli unload NAME --json` printed.
int readUnloadLog(Context &ctx, const QString &file, QList<QJsonObject> *records)
{
    QFile f(file);
    QString why;
    QJsonParseError pe;
    const QJsonDocument d = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll(), &pe) : QJsonDocument();
    if (!f.isOpen())
        why = f.errorString();
    else if (pe.error != QJsonParseError::NoError)
        why = pe.errorString() + QStringLiteral(" at byte ") + QString::number(pe.offset);
    if (why.isEmpty())
        unloadRecordsFromJson(d.object(), records, &why);
    if (!why.isEmpty()) {
        ctx.err << "kmodrescue-cli bundle: " << file << " is not an unload log: " << why
                << ". Save it with `kmodrescue-cli unload NAME --json > FILE`.\n";
        return ExitBadInput;
    }
    return -1;
}

// --watch: samples /sys/module/NAME/refcnt of the named modules (every module when none is named).
void watchRefcounts(Context &ctx, const Options &o, RefcountSampler *sampler)
{
    sampler->setModules(o.names);
    sampler->setRateHz(o.rateHz);
    ctx.err << "kmodrescue-cli bundle: sampling refcounts at " << o.rateHz << " Hz for " << o.watchSeconds
            << " s: reproduce the problem now\n";
    ctx.err.flush();
    QElapsedTimer t;
    t.start();
    const auto periodMs = qint64(1000 / o.rateHz);
    while (true) {
        sampler->sampleOnce();
        if (t.elapsed() >= qint64(o.watchSeconds * 1000))
            break;
        QThread::msleep(quint64(qMax<qint64>(1, qMin(periodMs, qint64(o.watchSeconds * 1000) - t.elapsed()))));
    }
}

int writeBundle(Context &ctx, const Options &o, const bundle::BundleContents &contents)
{
    QJsonObject parts;
    QList<bundle::BundleMember> members = bundle::bundleMembers(contents, &parts);
    QList<bundle::Redaction> plan;
    if (o.redact) {
        plan = bundle::planRedactions(members, bundle::RedactionContext::fromRoot(ctx.root));
        members = bundle::applyRedactions(members, plan);
    }
    if (o.show) {
        if (ctx.json)
            printJson(ctx.out, QJsonObject {{QStringLiteral("redactions"), redactionsJson(plan)}});
        else
            ctx.out << (o.redact ? bundle::describeRedactions(plan)
                                 : QStringLiteral("redaction is off (--no-redact)\n"));
        if (o.output.isEmpty())
            return ExitOk;
    }
    QString message;
    if (!bundle::writeBundleArchive(o.output, members, bundle::manifestExtra(contents, parts, o.redact), &message)) {
        ctx.err << "kmodrescue-cli bundle: " << message << '\n';
        return ExitFailure;
    }
    if (ctx.json) {
        QJsonArray list;
        for (const bundle::BundleMember &m : members)
            list.append(m.path);
        printJson(ctx.out,
            QJsonObject {{QStringLiteral("file"), o.output}, {QStringLiteral("members"), list},
                {QStringLiteral("modules"), QJsonArray::fromStringList(contents.chosenModules)},
                {QStringLiteral("redactions"), redactionsJson(plan)}});
        return ExitOk;
    }
    ctx.out << "wrote " << o.output << " (" << members.size() + 1 << " members; modules: "
            << (contents.chosenModules.isEmpty() ? QStringLiteral("none stuck")
                                                 : contents.chosenModules.join(QStringLiteral(", ")))
            << ")\n";
    for (auto it = contents.absentWhy.constBegin(); it != contents.absentWhy.constEnd(); ++it)
        ctx.out << "  absent: " << it.key() << " (" << it.value() << ")\n";
    if (o.redact)
        ctx.out << "  redacted " << plan.size() << " distinct values"
                << (plan.isEmpty() || o.show ? QString() : QStringLiteral(" (list them with --show-redactions)"))
                << '\n';
    else
        ctx.out << "  not redacted (--no-redact): host names, user names and addresses are left in\n";
    return ExitOk;
}

int run(Context &ctx)
{
    Options o;
    if (const int rc = parseOptions(ctx, &o); rc >= 0)
        return rc;
    RefcountSampler sampler(std::make_shared<RefcountHistory>(), ctx.root);
    if (o.watchSeconds > 0)
        watchRefcounts(ctx, o, &sampler);
    // Read after the watch: a trace or an unload may have been saved during it.
    RecordedTrace trace;
    QList<QJsonObject> unloads;
    if (!o.traceFile.isEmpty())
        if (const int rc = readTraceFileArg(ctx, QStringLiteral("bundle"), o.traceFile, &trace))
            return rc;
    if (!o.unloadLog.isEmpty())
        if (const int rc = readUnloadLog(ctx, o.unloadLog, &unloads); rc >= 0)
            return rc;

    bundle::CollectOptions co;
    co.root = ctx.root;
    co.modules = o.names;
    co.kernelLogFile = o.logFile;
    co.trace = trace; // the recorded diagnosis of the traced module names its call sites
    QStringList unknown;
    bundle::BundleContents contents = bundle::collectBundleContents(co, &unknown);
    if (!contents.snapshot.kernel.moduleSupport) {
        ctx.err << "kmodrescue-cli bundle: this kernel has no loadable module support (no /proc/modules): "
                   "there is nothing to bundle.\n";
        return ExitNoModuleSupport;
    }
    if (!unknown.isEmpty()) {
        ctx.err << "kmodrescue-cli bundle: no module named " << unknown.join(QStringLiteral(", "))
                << " is loaded. 'kmodrescue-cli list' shows the loaded modules.\n";
        return ExitNotFound;
    }
    if (o.watchSeconds > 0)
        bundle::attachRefcountHistory(&contents, *sampler.history(), sampler.nowMs(), o.rateHz);
    if (!o.traceFile.isEmpty())
        bundle::attachTrace(&contents, trace);
    bundle::attachUnloadRecords(&contents, unloads);
    return writeBundle(ctx, o, contents);
}

const Registrar reg {"bundle",
    "bundle [NAME...] -o FILE [--log FILE] [--watch SECONDS [--rate HZ]] [--trace-file FILE] [--unload-log FILE] "
    "[--no-redact] [--show-redactions]",
    "write a diagnostic bundle (redacted) to study elsewhere", &run};

} // namespace
} // namespace kmr::cli
