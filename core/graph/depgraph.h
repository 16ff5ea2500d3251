// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

#include <QHash>
#include <QList>
#include <QString>

namespace kmr {

// The dependency graph of loaded modules. An edge user -> used means "user uses used" (used lists
// user among its holders, or user depends on used): arrows point from a module to what it needs,
// so a module's holders sit above it when laid out top to bottom.
struct DepNode {
    QString name;
    ModuleState state = ModuleState::Unknown;
    int refcount = -1;
    bool center = false; // the selected module
    bool onStuckPath = false; // a transitive holder of the selected module (or the module itself)
    int distance = 0; // edges from the center (0 for the whole-system graph)
};

struct DepEdge {
    QString from; // the user
    QString to; // the module it uses
    bool onStuckPath = false;
    bool operator==(const DepEdge &o) const { return from == o.from && to == o.to; }
};

enum class DepDirection {
    Uses = 1, // what the center uses (its dependencies, transitively)
    UsedBy = 2, // what uses the center (its holders, transitively)
    Both = 3,
};

class DepGraph
{
public:
    // Every loaded module and every use between them.
    static DepGraph fromSnapshot(const Snapshot &snapshot);

    // The center and the modules within `depth` edges of it in the chosen direction(s); the edges
    // among them. depth < 0 means unlimited. Marks the stuck path: the center's holders chain up
    // to the top.
    DepGraph neighbourhood(const QString &center, int depth, DepDirection direction = DepDirection::Both) const;

    // Marks the center and its transitive holders (and the edges between them) as the stuck path.
    void markStuckPath(const QString &center);

    QList<DepNode> nodes;
    QList<DepEdge> edges;
    QString centerName; // "" for the whole system

    int indexOf(const QString &name) const; // '-' and '_' equal; -1 when absent
    QStringList usesOf(const QString &name) const; // direct
    QStringList usedBy(const QString &name) const; // direct

    struct DotOptions {
        bool colors = true; // fill by state, red stuck path
        QString graphName = QStringLiteral("modules");
        QString rankdir = QStringLiteral("TB");
    };
    // Graphviz DOT, deterministic (nodes and edges in a stable order): exported as is and laid out.
    QString toDot(const DotOptions &options) const;
    QString toDot() const { return toDot(DotOptions {}); }

    // The label a node shows: "name\nLive · 2 refs".
    static QString nodeLabel(const DepNode &n);

private:
    void rebuildIndex();
    QHash<QString, int> m_index;
};

} // namespace kmr
