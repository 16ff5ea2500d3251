// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli bundle [NAME...] -o FILE [--log FILE] [--no-redact] [--show-redactions] [--json]
// Writes a diagnostic bundle (core/bundle) of the chosen modules, redacted unless told not to.
#include "command.h"

#include "bundle/bundlecontents.h"
#include "bundle/redaction.h"

#include <QFileInfo>
#include <QJsonArray>

namespace kmr::cli {
namespace {

const char *const Usage = "usage: kmodrescue-cli [--root DIR] bundle [NAME...] -o FILE [--log FILE] [--no-redact] "
                          "[--show-redactions] [--json]\n";

QJsonArray redactionsJson(const QList<bundle::Redaction> &plan)
{
    QJsonArray a;
    for (const bundle::Redaction &r : plan)
        a.append(QJsonObject {{QStringLiteral("kind"), toString(r.kind)}, {QStringLiteral("original"), r.original},
            {QStringLiteral("replacement"), r.replacement}, {QStringLiteral("count"), r.count},
            {QStringLiteral("where"), QJsonArray::fromStringList(r.where)}});
    return a;
}

int run(Context &ctx)
{
    QStringList names;
    QString output, logFile;
    bool redact = true, show = false;
    for (int i = 0; i < ctx.args.size(); ++i) {
        const QString &a = ctx.args.at(i);
        if ((a == QLatin1String("-o") || a == QLatin1String("--output") || a == QLatin1String("--log"))) {
            if (i + 1 >= ctx.args.size()) {
                ctx.err << "kmodrescue-cli bundle: " << a << " needs a file\n" << Usage;
                return ExitUsage;
            }
            (a == QLatin1String("--log") ? logFile : output) = ctx.args.at(++i);
        } else if (a == QLatin1String("--no-redact")) {
            redact = false;
        } else if (a == QLatin1String("--show-redactions")) {
            show = true;
        } else if (a.startsWith(QLatin1Char('-'))) {
            ctx.err << "kmodrescue-cli bundle: unknown option " << a << '\n' << Usage;
            return ExitUsage;
        } else {
            names << a;
        }
    }
    if (!ctx.bundle.isEmpty()) {
        ctx.err << "kmodrescue-cli bundle: --bundle opens a bundle; to write one, leave it out (use --root for a "
                   "fixture tree)\n";
        return ExitUsage;
    }
    if (output.isEmpty() && !show) {
        ctx.err << "kmodrescue-cli bundle: say where to write it with -o FILE (e.g. -o stuck.tar.gz), or list the "
                   "redactions with --show-redactions\n"
                << Usage;
        return ExitUsage;
    }
    if (!logFile.isEmpty() && !QFileInfo(logFile).isReadable()) {
        ctx.err << "kmodrescue-cli bundle: cannot read the kernel log " << logFile << '\n';
        return ExitBadInput;
    }
    bundle::CollectOptions o;
    o.root = ctx.root;
    o.modules = names;
    o.kernelLogFile = logFile;
    QStringList unknown;
    const bundle::BundleContents contents = bundle::collectBundleContents(o, &unknown);
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
    QJsonObject parts;
    QList<bundle::BundleMember> members = bundle::bundleMembers(contents, &parts);
    QList<bundle::Redaction> plan;
    if (redact) {
        plan = bundle::planRedactions(members, bundle::RedactionContext::fromRoot(ctx.root));
        members = bundle::applyRedactions(members, plan);
    }
    if (show) {
        if (ctx.json)
            printJson(ctx.out, QJsonObject {{QStringLiteral("redactions"), redactionsJson(plan)}});
        else
            ctx.out << (redact ? bundle::describeRedactions(plan) : QStringLiteral("redaction is off (--no-redact)\n"));
        if (output.isEmpty())
            return ExitOk;
    }
    QString message;
    if (!bundle::writeBundleArchive(output, members, bundle::manifestExtra(contents, parts, redact), &message)) {
        ctx.err << "kmodrescue-cli bundle: " << message << '\n';
        return ExitFailure;
    }
    if (ctx.json) {
        QJsonArray list;
        for (const bundle::BundleMember &m : members)
            list.append(m.path);
        printJson(ctx.out,
            QJsonObject {{QStringLiteral("file"), output}, {QStringLiteral("members"), list},
                {QStringLiteral("modules"), QJsonArray::fromStringList(contents.chosenModules)},
                {QStringLiteral("redactions"), redactionsJson(plan)}});
        return ExitOk;
    }
    ctx.out << "wrote " << output << " (" << members.size() + 1 << " members; modules: "
            << (contents.chosenModules.isEmpty() ? QStringLiteral("none stuck")
                                                 : contents.chosenModules.join(QStringLiteral(", ")))
            << ")\n";
    for (auto it = contents.absentWhy.constBegin(); it != contents.absentWhy.constEnd(); ++it)
        ctx.out << "  absent: " << it.key() << " (" << it.value() << ")\n";
    if (redact)
        ctx.out << "  redacted " << plan.size() << " distinct values"
                << (plan.isEmpty() || show ? QString() : QStringLiteral(" (list them with --show-redactions)")) << '\n';
    else
        ctx.out << "  not redacted (--no-redact): host names, user names and addresses are left in\n";
    return ExitOk;
}

const Registrar reg {"bundle", "bundle [NAME...] -o FILE [--log FILE] [--no-redact] [--show-redactions]",
    "write a diagnostic bundle (redacted) to study elsewhere", &run};

} // namespace
} // namespace kmr::cli
