// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli unload NAME [--force] [--with-holders] [--override-real-use] [--yes] [--json]
// Shows the unload plan, asks, and has kmodrescue-helper carry it out (polkit decides).
#include "command.h"
#include "diagnosis/diagnosis.h"
#include "diagnosis/oopscitation.h"
#include "diagnosis/unloadjson.h"
#include "diagnosis/unloadplan.h"
#include "helperclient/helperclient.h"
#include "snapshotsource.h"

#include <QCoreApplication>
#include <QJsonObject>

#include <cstdio>

namespace kmr::cli {

static const char Usage[] = "usage: kmodrescue-cli unload NAME [--force] [--with-holders] [--override-real-use] "
                            "[--yes] [--json]\n";

static int exitFor(const HelperFailure &f)
{
    switch (f.kind) {
    case HelperFailure::Kind::Denied:
    case HelperFailure::Kind::AuthorizationRequired:
    case HelperFailure::Kind::Unavailable:
        return ExitDenied;
    case HelperFailure::Kind::InvalidInput:
        return ExitUsage;
    case HelperFailure::Kind::NotLoaded:
        return ExitNotFound;
    case HelperFailure::Kind::Refused:
        return ExitRefused;
    case HelperFailure::Kind::Failed:
        break;
    }
    return ExitFailure;
}

static int runUnload(Context &ctx)
{
    QString name;
    bool force = false, yes = false, withHolders = false, overrideUse = false;
    for (const QString &a : std::as_const(ctx.args)) {
        if (a == QLatin1String("--force"))
            force = true;
        else if (a == QLatin1String("--yes") || a == QLatin1String("-y"))
            yes = true;
        else if (a == QLatin1String("--with-holders"))
            withHolders = true;
        else if (a == QLatin1String("--override-real-use"))
            overrideUse = true;
        else if (a.startsWith(QLatin1Char('-')) || !name.isEmpty()) {
            ctx.err << Usage;
            return ExitUsage;
        } else
            name = a;
    }
    if (name.isEmpty()) {
        ctx.err << Usage;
        return ExitUsage;
    }
    if (ctx.root != QLatin1String("/") || !ctx.bundle.isEmpty()) {
        ctx.err << "kmodrescue-cli: unload works on the running system only, not with --root or --bundle\n";
        return ExitUsage;
    }
    Snapshot s;
    if (const int rc = loadModuleSnapshot(ctx, &s))
        return rc;
    Diagnoser diagnoser(s);
    QString logWhy;
    diagnoser.setOopses(readOopsCitations(ctx.root, QString(), &logWhy));
    const Diagnosis d = diagnoser.diagnose(name);
    if (!d.loaded) {
        ctx.err << "kmodrescue-cli: no module named '" << name
                << "' is loaded. 'kmodrescue-cli list' shows the loaded modules.\n";
        return ExitNotFound;
    }
    UnloadRequest request = defaultUnloadRequest(d, s.kernel);
    if (!force)
        request.steps &= StepPlainRmmod | StepHoldersFirst;
    if (withHolders)
        if (const Finding *held = d.find(FindingKind::HeldByModules))
            request.holders = held->unloadOrder;
    request.overrideRealUse = overrideUse;
    const UnloadPlan plan = planUnload(d, s.kernel, request);

    if (!ctx.json) {
        ctx.out << "Plan to unload " << plan.module << ":\n";
        for (const QString &l : plan.describe())
            ctx.out << "  " << l << '\n';
        if (!force && (defaultUnloadRequest(d, s.kernel).steps & ForcedUnloadSteps))
            ctx.out << "  (the diagnosis suggests forced steps: add --force to include them)\n";
        ctx.out.flush();
    }
    if (plan.refused) {
        if (ctx.json)
            printJson(ctx.out, unloadRecordJson(plan, nullptr));
        return ExitRefused;
    }
    if (!yes) {
        ctx.out << (plan.taintsKernel() ? "This taints the kernel. " : "") << "Go ahead? [y/N] ";
        ctx.out.flush();
        char line[16] = {};
        if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
            ctx.err << "kmodrescue-cli: nothing done (answer y, or pass --yes)\n";
            return ExitFailure;
        }
    }

    HelperClient client;
    int rc = ExitFailure;
    QObject::connect(&client, &HelperClient::failed, [&](const HelperFailure &f) {
        if (ctx.json)
            printJson(ctx.out,
                QJsonObject {{QStringLiteral("plan"), toJson(plan)},
                    {QStringLiteral("error"),
                        QJsonObject {{QStringLiteral("name"), f.dbusName}, {QStringLiteral("message"), f.message}}}});
        else
            ctx.err << "kmodrescue-cli: " << f.text() << '\n';
        rc = exitFor(f);
        QCoreApplication::quit();
    });
    QObject::connect(&client, &HelperClient::unloadFinished, [&](const UnloadResult &r) {
        if (ctx.json) {
            printJson(ctx.out, unloadRecordJson(plan, &r));
        } else {
            for (const UnloadStepResult &st : r.steps) {
                ctx.out << st.step << ' ' << st.module << ": " << st.outcome << " - " << st.detail << '\n';
            }
            if (!r.kernelLog.isEmpty()) {
                ctx.out << "kernel log:\n";
                for (const QString &l : r.kernelLog)
                    ctx.out << "  " << l << '\n';
            }
            ctx.out << (r.gone ? QStringLiteral("%1 is gone.\n").arg(plan.module)
                               : QStringLiteral("%1 is still loaded (state %2).\n").arg(plan.module, r.finalState));
        }
        rc = r.gone ? ExitOk : ExitFailure;
        QCoreApplication::quit();
    });
    client.unload(request);
    QCoreApplication::exec();
    return rc;
}

static Registrar reg {"unload", "unload NAME [--force] [--yes] [--json]",
    "unload a module through kmodrescue-helper, showing the plan first", &runUnload};

} // namespace kmr::cli
