// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli diagnose NAME... [--log FILE] [--trace-file FILE] [--json]: why a module will not
// unload, and what to do.
#include "bundle/bundlerecordings.h"
#include "bundlesource.h"
#include "command.h"
#include "diagnosis/diagnosis.h"
#include "diagnosis/diagnosisjson.h"
#include "diagnosis/oopscitation.h"
#include "diagnosis/referencetakers.h"
#include "snapshotsource.h"
#include "tracesource.h"

#include <QJsonArray>
#include <QJsonObject>

namespace kmr::cli {

namespace {

const char *marker(Severity s)
{
    switch (s) {
    case Severity::Blocker:
        return "[blocker]";
    case Severity::Warning:
        return "[warning]";
    case Severity::Info:
        break;
    }
    return "[info]   ";
}

void printFinding(QTextStream &out, const Finding &f)
{
    out << marker(f.severity) << ' ' << f.sentence << '\n';
    out << "    evidence:\n";
    for (const Evidence &e : f.evidence) {
        out << "      " << e.label << ": " << e.value;
        if (!e.source.isEmpty())
            out << "  (" << e.source << ')';
        if (e.needsHelper)
            out << "  [needs the helper]";
        out << '\n';
        for (const QString &d : e.detail.mid(0, 12))
            out << "        | " << d << '\n';
        if (e.detail.size() > 12)
            out << "        | ... " << (e.detail.size() - 12) << " more lines\n";
    }
    if (!f.remedy.isEmpty())
        out << "    what to do: " << f.remedy << '\n';
    if (!f.steps.isEmpty()) {
        QStringList steps;
        for (RemedyStep s : f.steps)
            steps << toString(s);
        out << "    unload-plan steps: " << steps.join(QStringLiteral(", ")) << '\n';
    }
}

const char *const Usage = "usage: kmodrescue-cli diagnose NAME... [--log FILE] [--trace-file FILE] [--json]\n";

struct Options {
    QStringList names;
    QString logFile, traceFile;
};

// Returns ExitOk when the command line is good, else ExitUsage (after saying so).
int parseOptions(Context &ctx, Options *o)
{
    bool bad = false;
    for (int i = 0; i < ctx.args.size() && !bad; ++i) {
        const QString &a = ctx.args.at(i);
        if (a == QLatin1String("--log") && i + 1 < ctx.args.size())
            o->logFile = ctx.args.at(++i);
        else if (a == QLatin1String("--trace-file") && i + 1 < ctx.args.size())
            o->traceFile = ctx.args.at(++i);
        else if (a.startsWith(QLatin1Char('-')))
            bad = true;
        else
            o->names << a;
    }
    if (bad || o->names.isEmpty()) {
        ctx.err << Usage;
        return ExitUsage;
    }
    return ExitOk;
}

// The get/put trace whose call sites the diagnosis names: --trace-file, else the bundle's
// refcount/trace.json. A --trace-file replaces the diagnosis the bundle recorded for its module
// (which was made without it); the other modules keep theirs.
int chooseTrace(Context &ctx, const Options &o, bundle::BundleContents *fromBundle, RecordedTrace *trace)
{
    if (o.traceFile.isEmpty()) {
        QString why; // openBundle() checked it already: an unreadable trace is left out
        bundle::recordedTrace(*fromBundle, trace, &why);
        return ExitOk;
    }
    if (const int rc = readTraceFileArg(ctx, QStringLiteral("diagnose"), o.traceFile, trace))
        return rc;
    const QString traced = canonicalModuleName(trace->module);
    fromBundle->diagnoses.removeIf([&traced](const Diagnosis &d) { return d.module == traced; });
    return ExitOk;
}

} // namespace

static int runDiagnose(Context &ctx)
{
    Options opts;
    if (const int rc = parseOptions(ctx, &opts))
        return rc;
    const QStringList &names = opts.names;
    const QString &logFile = opts.logFile;
    Snapshot s;
    // A bundle brings its own kernel log's excerpts and the diagnosis recorded on its machine.
    bundle::BundleContents fromBundle;
    if (const int rc = loadModuleSnapshot(ctx, &s, &fromBundle))
        return rc;
    if (!logFile.isEmpty())
        fromBundle.diagnoses.clear(); // --log asks for a diagnosis against that log, not the recorded one
    RecordedTrace trace;
    if (const int rc = chooseTrace(ctx, opts, &fromBundle, &trace))
        return rc;

    Diagnoser::Options o;
    o.root = ctx.root;
    o.scanSystem = ctx.bundle.isEmpty();
    Diagnoser diagnoser(s, o);
    QString logWhy;
    const QList<OopsCitation> oopses = !ctx.bundle.isEmpty() && logFile.isEmpty()
        ? citationsFromExcerpts(fromBundle.oopses)
        : readOopsCitations(ctx.root, logFile, &logWhy);
    if (!logWhy.isEmpty() && !logFile.isEmpty()) {
        ctx.err << "kmodrescue-cli: " << logWhy << '\n';
        return ExitBadInput;
    }
    diagnoser.setOopses(oopses);
    diagnoser.setReferenceTakers(trace.module, referenceTakers(trace));

    // One system scan serves every name; several names give one JSON document.
    QJsonArray all;
    int rc = ExitOk;
    for (const QString &name : names) {
        Diagnosis d = diagnoser.diagnose(name);
        if (const Diagnosis *recorded = fromBundle.diagnosis(name))
            d = *recorded; // it carries what only that machine could see (open files, rmmod processes)
        if (!logWhy.isEmpty())
            d.warnings << logWhy;
        if (!opts.traceFile.isEmpty() && d.module != canonicalModuleName(trace.module))
            d.warnings << opts.traceFile + QStringLiteral(" traces ") + trace.module + QStringLiteral(", not ")
                    + d.module + QStringLiteral(": it names no call site of ") + d.module;
        if (!d.loaded)
            rc = ExitNotFound;
        if (ctx.json) {
            QJsonObject o = toJson(d);
            QJsonArray cited;
            for (const OopsCitation &c : oopses) {
                bool used = false;
                for (const Finding &f : d.findings)
                    for (const Evidence &e : f.evidence)
                        used = used || e.oopsId == c.id;
                if (used)
                    cited.append(QJsonObject {{QStringLiteral("id"), c.id}, {QStringLiteral("title"), c.title},
                        {QStringLiteral("lines"), QJsonArray::fromStringList(c.lines)}});
            }
            o.insert(QStringLiteral("oopses"), cited);
            all.append(o);
            continue;
        }
        if (!d.loaded) {
            ctx.err << "kmodrescue-cli: no module named '" << name
                    << "' is loaded. 'kmodrescue-cli list' shows the loaded modules.\n";
            continue;
        }
        if (names.size() > 1 && name != names.first())
            ctx.out << "\n";
        ctx.out << d.module << ": " << (d.stuck() ? "stuck" : "not stuck") << " (" << toString(d.state) << ", refcount "
                << (d.refcount < 0 ? QStringLiteral("unknown") : QString::number(d.refcount)) << ")\n\n";
        for (const Finding &f : d.findings) {
            printFinding(ctx.out, f);
            ctx.out << '\n';
        }
        for (const QString &w : d.warnings)
            ctx.out << "note: " << w << '\n';
    }
    if (ctx.json) {
        if (all.size() == 1)
            printJson(ctx.out, all.first().toObject());
        else
            printJson(ctx.out,
                QJsonObject {{QStringLiteral("schema"), QStringLiteral("kmodrescue-diagnoses")},
                    {QStringLiteral("version"), DiagnosisSchemaVersion}, {QStringLiteral("diagnoses"), all}});
    }
    return rc;
}

static Registrar reg {"diagnose", "diagnose NAME... [--log FILE] [--trace-file FILE] [--json]",
    "why a module will not unload, and what to do", &runDiagnose};

} // namespace kmr::cli
