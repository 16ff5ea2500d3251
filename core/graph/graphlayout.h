// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "graph/depgraph.h"

#include <QList>
#include <QPointF>
#include <QRectF>
#include <QString>

namespace kmr {

// A laid-out graph as plain values: Graphviz's "dot" placed it, nothing here draws. Coordinates
// are in points (1/72 inch) with y growing downwards (Graphviz's y is flipped), the origin at the
// bounding box's top left.
struct LayoutNode {
    QString name;
    QPointF center;
    qreal width = 0; // points
    qreal height = 0;
};

struct LayoutEdge {
    QString from;
    QString to;
    // A cubic B-spline as Graphviz gives it: p0, then (c1, c2, p) triples; points.size() = 1 + 3k.
    QList<QPointF> points;
    bool hasArrowHead = false;
    QPointF arrowTip; // where the arrow head points, when hasArrowHead
};

struct GraphLayout {
    QList<LayoutNode> nodes;
    QList<LayoutEdge> edges;
    QRectF boundingBox;
    QString error; // empty on success: why Graphviz failed otherwise

    bool ok() const { return error.isEmpty(); }
    const LayoutNode *node(const QString &name) const;
};

// Lays out a DOT text with Graphviz (libgvc, cgraph) and reads node positions and edge splines
// back. Graphviz is not thread-safe: calls are serialized with a mutex, so this may be called from
// any thread (the GUI calls it from a worker). Without Graphviz at build time it returns an error.
GraphLayout layoutDot(const QByteArray &dot, const QString &engine = QStringLiteral("dot"));
GraphLayout layoutGraph(const DepGraph &graph);

// Renders a DOT text to SVG with Graphviz (same mutex). Empty on failure with *error set.
QByteArray renderDotToSvg(const QByteArray &dot, QString *error);

bool graphvizAvailable();

} // namespace kmr
