// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "graph/depgraph.h"
#include "graph/graphlayout.h"

#include <QGraphicsView>

namespace kmr {

// Draws a laid-out dependency graph: nodes with state and refcount, edges as Graphviz's splines,
// the stuck path in red. Drag to pan, wheel to zoom, Ctrl+0 to fit; clicking a node emits
// moduleActivated(name).
class GraphView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit GraphView(QWidget *parent = nullptr);

    void setGraph(const DepGraph &graph, const GraphLayout &layout);
    void clearGraph(const QString &message);
    const DepGraph &graph() const { return m_graph; }
    const GraphLayout &graphLayout() const { return m_layout; }

    // Where a node is drawn, in view (viewport) coordinates; invalid point when absent. For tests.
    QPoint nodeViewPosition(const QString &name) const;

    // Writes the scene as SVG (what is drawn, not only what is visible). False with *error set.
    bool exportSvg(const QString &path, QString *error) const;

public Q_SLOTS:
    void fitAll();
    void zoomBy(qreal factor);

Q_SIGNALS:
    void moduleActivated(const QString &name);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    QString nodeAt(const QPoint &viewPos) const;

    DepGraph m_graph;
    GraphLayout m_layout;
    QPoint m_pressPos;
    QString m_pressNode;
};

} // namespace kmr
