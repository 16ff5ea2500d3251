// SPDX-License-Identifier: GPL-2.0-or-later
#include "graph/depgraph.h"

#include <QQueue>
#include <QSet>

#include <algorithm>

namespace kmr {

namespace {

QString dotId(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    out.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    out.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

const char *stateFill(ModuleState s)
{
    switch (s) {
    case ModuleState::Live:
        return "#e8f1fb";
    case ModuleState::Loading:
        return "#fff3cd";
    case ModuleState::Unloading:
        return "#fde2e1";
    case ModuleState::Unknown:
        break;
    }
    return "#eeeeee";
}

} // namespace

DepGraph DepGraph::fromSnapshot(const Snapshot &snapshot)
{
    DepGraph g;
    for (const ModuleInfo &m : snapshot.modules) {
        DepNode n;
        n.name = m.name;
        n.state = m.state;
        n.refcount = m.refcount;
        g.nodes << n;
    }
    g.rebuildIndex();
    QSet<QPair<QString, QString>> seen;
    auto addEdge = [&](const QString &from0, const QString &to0) {
        const QString from = canonicalModuleName(from0);
        const QString to = canonicalModuleName(to0);
        if (from == to || g.indexOf(from) < 0 || g.indexOf(to) < 0 || seen.contains({from, to}))
            return;
        seen.insert({from, to});
        g.edges << DepEdge {from, to, false};
    };
    for (const ModuleInfo &m : snapshot.modules) {
        for (const QString &h : m.holders)
            addEdge(h, m.name);
        for (const QString &d : m.dependencies)
            addEdge(m.name, d);
    }
    std::sort(g.edges.begin(), g.edges.end(),
        [](const DepEdge &a, const DepEdge &b) { return a.from != b.from ? a.from < b.from : a.to < b.to; });
    return g;
}

void DepGraph::rebuildIndex()
{
    m_index.clear();
    for (int i = 0; i < nodes.size(); ++i)
        m_index.insert(nodes.at(i).name, i);
}

int DepGraph::indexOf(const QString &name) const
{
    return m_index.value(canonicalModuleName(name), -1);
}

QStringList DepGraph::usesOf(const QString &name) const
{
    const QString n = canonicalModuleName(name);
    QStringList out;
    for (const DepEdge &e : edges)
        if (e.from == n)
            out << e.to;
    return out;
}

QStringList DepGraph::usedBy(const QString &name) const
{
    const QString n = canonicalModuleName(name);
    QStringList out;
    for (const DepEdge &e : edges)
        if (e.to == n)
            out << e.from;
    return out;
}

DepGraph DepGraph::neighbourhood(const QString &center, int depth, DepDirection direction) const
{
    DepGraph g;
    const QString c = canonicalModuleName(center);
    if (indexOf(c) < 0)
        return g;
    QHash<QString, QStringList> out;
    QHash<QString, QStringList> in;
    for (const DepEdge &e : edges) {
        out[e.from] << e.to;
        in[e.to] << e.from;
    }
    QHash<QString, int> dist {{c, 0}};
    auto walk = [&](const QHash<QString, QStringList> &adj) {
        QQueue<QString> queue;
        queue.enqueue(c);
        QHash<QString, int> d {{c, 0}};
        while (!queue.isEmpty()) {
            const QString cur = queue.dequeue();
            const int dc = d.value(cur);
            if (depth >= 0 && dc >= depth)
                continue;
            for (const QString &next : adj.value(cur)) {
                if (d.contains(next))
                    continue;
                d.insert(next, dc + 1);
                queue.enqueue(next);
            }
        }
        for (auto it = d.cbegin(); it != d.cend(); ++it)
            if (!dist.contains(it.key()) || dist.value(it.key()) > it.value())
                dist.insert(it.key(), it.value());
    };
    if (int(direction) & int(DepDirection::Uses))
        walk(out);
    if (int(direction) & int(DepDirection::UsedBy))
        walk(in);
    for (const DepNode &n : nodes) {
        if (!dist.contains(n.name))
            continue;
        DepNode copy = n;
        copy.distance = dist.value(n.name);
        copy.center = n.name == c;
        g.nodes << copy;
    }
    g.rebuildIndex();
    for (const DepEdge &e : edges)
        if (g.indexOf(e.from) >= 0 && g.indexOf(e.to) >= 0)
            g.edges << e;
    g.centerName = c;
    g.markStuckPath(c);
    return g;
}

void DepGraph::markStuckPath(const QString &center)
{
    const QString c = canonicalModuleName(center);
    for (DepNode &n : nodes) {
        n.onStuckPath = false;
        n.center = n.name == c;
    }
    for (DepEdge &e : edges)
        e.onStuckPath = false;
    if (indexOf(c) < 0)
        return;
    centerName = c;
    // Walk "is used by" edges up from the center: every holder, and their holders.
    QSet<QString> onPath {c};
    QQueue<QString> queue;
    queue.enqueue(c);
    while (!queue.isEmpty()) {
        const QString cur = queue.dequeue();
        for (DepEdge &e : edges) {
            if (e.to != cur)
                continue;
            e.onStuckPath = true;
            if (!onPath.contains(e.from)) {
                onPath.insert(e.from);
                queue.enqueue(e.from);
            }
        }
    }
    if (onPath.size() == 1)
        return; // nothing holds it: no path to show
    for (DepNode &n : nodes)
        n.onStuckPath = onPath.contains(n.name);
}

QString DepGraph::nodeLabel(const DepNode &n)
{
    QString refs = n.refcount < 0
        ? QStringLiteral("refs ?")
        : QString::number(n.refcount) + (n.refcount == 1 ? QStringLiteral(" ref") : QStringLiteral(" refs"));
    return n.name + QLatin1Char('\n') + toString(n.state) + QString::fromUtf8(" \xc2\xb7 ") + refs;
}

QString DepGraph::toDot(const DotOptions &options) const
{
    QString s;
    s += QStringLiteral("digraph ") + dotId(options.graphName) + QStringLiteral(" {\n");
    s += QStringLiteral("  graph [rankdir=") + options.rankdir + QStringLiteral(", nodesep=0.25, ranksep=0.5];\n");
    s += QStringLiteral(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Sans\", fontsize=10, fillcolor=\"#eeeeee\"];\n");
    s += QStringLiteral("  edge [arrowsize=0.7];\n");
    for (const DepNode &n : nodes) {
        s += QStringLiteral("  ") + dotId(n.name) + QStringLiteral(" [label=") + dotId(nodeLabel(n));
        if (options.colors) {
            s += QStringLiteral(", fillcolor=\"") + QLatin1String(stateFill(n.state)) + QLatin1Char('"');
            if (n.center)
                s += QStringLiteral(", penwidth=2.5");
            if (n.onStuckPath)
                s += QStringLiteral(", color=\"#c62828\"");
        }
        s += QStringLiteral("];\n");
    }
    for (const DepEdge &e : edges) {
        s += QStringLiteral("  ") + dotId(e.from) + QStringLiteral(" -> ") + dotId(e.to);
        if (options.colors && e.onStuckPath)
            s += QStringLiteral(" [color=\"#c62828\", penwidth=2]");
        s += QStringLiteral(";\n");
    }
    s += QStringLiteral("}\n");
    return s;
}

} // namespace kmr
