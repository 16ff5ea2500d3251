// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli graph [NAME] [--depth N] [--uses|--used-by] [--svg]: the dependency graph of a
// module (both directions, to a depth) or of the whole system, as Graphviz DOT (default) or SVG.
#include "command.h"
#include "graph/depgraph.h"
#include "graph/graphlayout.h"
#include "snapshotsource.h"

namespace kmr::cli {

static int runGraph(Context &ctx)
{
    const char *usage = "usage: kmodrescue-cli graph [NAME] [--depth N] [--uses|--used-by] [--dot|--svg]\n";
    QString name;
    int depth = 2;
    bool svg = false;
    DepDirection direction = DepDirection::Both;
    for (int i = 0; i < ctx.args.size(); ++i) {
        const QString &a = ctx.args.at(i);
        if (a == QLatin1String("--depth") && i + 1 < ctx.args.size()) {
            bool ok = false;
            depth = ctx.args.at(++i).toInt(&ok);
            if (!ok || depth < 0) {
                ctx.err << "kmodrescue-cli graph: --depth needs a number of 0 or more\n" << usage;
                return ExitUsage;
            }
        } else if (a == QLatin1String("--svg")) {
            svg = true;
        } else if (a == QLatin1String("--dot")) {
            svg = false;
        } else if (a == QLatin1String("--uses")) {
            direction = DepDirection::Uses;
        } else if (a == QLatin1String("--used-by")) {
            direction = DepDirection::UsedBy;
        } else if (a.startsWith(QLatin1Char('-')) || !name.isEmpty()) {
            ctx.err << usage;
            return ExitUsage;
        } else {
            name = a;
        }
    }
    Snapshot s;
    if (const int rc = loadModuleSnapshot(ctx, &s))
        return rc;
    DepGraph g = DepGraph::fromSnapshot(s);
    if (!name.isEmpty()) {
        if (!findOrReport(ctx, s, name))
            return ExitNotFound;
        g = g.neighbourhood(name, depth, direction);
    }
    DepGraph::DotOptions o;
    o.graphName = name.isEmpty() ? QStringLiteral("modules") : canonicalModuleName(name);
    const QString dot = g.toDot(o);
    if (!svg) {
        ctx.out << dot;
        return ExitOk;
    }
    QString error;
    const QByteArray out = renderDotToSvg(dot.toUtf8(), &error);
    if (out.isEmpty()) {
        ctx.err << "kmodrescue-cli graph: " << error << '\n';
        return ExitFailure;
    }
    ctx.out << QString::fromUtf8(out);
    return ExitOk;
}

static Registrar reg {"graph", "graph [NAME] [--depth N] [--svg]", "the dependency graph, as DOT or SVG", &runGraph};

} // namespace kmr::cli
