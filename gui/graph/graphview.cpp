// SPDX-License-Identifier: GPL-2.0-or-later
#include "graph/graphview.h"

#include <QFile>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>
#include <QPainter>
#include <QShortcut>
#include <QSvgGenerator>
#include <QWheelEvent>

#include <cmath>

namespace kmr {

namespace {

constexpr int NameKey = 0; // QGraphicsItem::data key holding the module name of a node item
const QColor stuckColor(0xc6, 0x28, 0x28);

QColor stateFill(ModuleState s)
{
    switch (s) {
    case ModuleState::Live:
        return QColor(0xe8, 0xf1, 0xfb);
    case ModuleState::Loading:
        return QColor(0xff, 0xf3, 0xcd);
    case ModuleState::Unloading:
        return QColor(0xfd, 0xe2, 0xe1);
    case ModuleState::Unknown:
        break;
    }
    return QColor(0xee, 0xee, 0xee);
}

QPolygonF arrowHead(const QPointF &from, const QPointF &tip)
{
    const QLineF line(from, tip);
    if (line.length() < 0.01)
        return {};
    const QPointF dir = (tip - from) / line.length();
    const QPointF normal(-dir.y(), dir.x());
    const qreal len = 7, half = 3.5;
    return QPolygonF({tip, tip - dir * len + normal * half, tip - dir * len - normal * half});
}

} // namespace

GraphView::GraphView(QWidget *parent)
    : QGraphicsView(parent)
{
    setObjectName(QStringLiteral("graphView"));
    setScene(new QGraphicsScene(this));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setBackgroundBrush(Qt::white);
    auto *fit = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_0), this);
    fit->setContext(Qt::WidgetWithChildrenShortcut);
    connect(fit, &QShortcut::activated, this, &GraphView::fitAll);
    auto *in = new QShortcut(QKeySequence::ZoomIn, this);
    in->setContext(Qt::WidgetWithChildrenShortcut);
    connect(in, &QShortcut::activated, this, [this] { zoomBy(1.25); });
    auto *out = new QShortcut(QKeySequence::ZoomOut, this);
    out->setContext(Qt::WidgetWithChildrenShortcut);
    connect(out, &QShortcut::activated, this, [this] { zoomBy(0.8); });
}

void GraphView::clearGraph(const QString &message)
{
    m_graph = {};
    m_layout = {};
    scene()->clear();
    auto *text = scene()->addSimpleText(message);
    text->setBrush(Qt::darkGray);
    scene()->setSceneRect(text->boundingRect());
}

void GraphView::setGraph(const DepGraph &graph, const GraphLayout &layout)
{
    m_graph = graph;
    m_layout = layout;
    QGraphicsScene *s = scene();
    s->clear();
    if (!layout.ok()) {
        clearGraph(QStringLiteral("The graph could not be laid out: ") + layout.error);
        return;
    }
    for (const LayoutEdge &e : layout.edges) {
        const int fi = graph.indexOf(e.from);
        const int ti = graph.indexOf(e.to);
        bool stuck = false;
        for (const DepEdge &de : graph.edges)
            if (de.from == e.from && de.to == e.to)
                stuck = de.onStuckPath;
        if (fi < 0 || ti < 0 || e.points.isEmpty())
            continue;
        QPainterPath path(e.points.first());
        for (int i = 1; i + 2 < e.points.size(); i += 3)
            path.cubicTo(e.points.at(i), e.points.at(i + 1), e.points.at(i + 2));
        QPointF last = e.points.last();
        if (e.hasArrowHead)
            path.lineTo(e.arrowTip);
        const QPen pen(stuck ? stuckColor : QColor(0x55, 0x55, 0x55), stuck ? 2.0 : 1.0);
        auto *item = s->addPath(path, pen);
        item->setZValue(0);
        if (e.hasArrowHead) {
            auto *head = s->addPolygon(arrowHead(last, e.arrowTip), pen, pen.color());
            head->setZValue(0);
        }
    }
    QFont nameFont = font();
    nameFont.setBold(true);
    for (const LayoutNode &ln : layout.nodes) {
        const int idx = graph.indexOf(ln.name);
        if (idx < 0)
            continue;
        const DepNode &n = graph.nodes.at(idx);
        const QRectF r(ln.center.x() - ln.width / 2, ln.center.y() - ln.height / 2, ln.width, ln.height);
        QPainterPath box;
        box.addRoundedRect(r, 6, 6);
        QPen pen(n.onStuckPath ? stuckColor : QColor(0x44, 0x44, 0x44), n.center ? 2.5 : (n.onStuckPath ? 1.8 : 1.0));
        auto *item = s->addPath(box, pen, stateFill(n.state));
        item->setZValue(1);
        item->setData(NameKey, n.name);
        item->setToolTip(DepGraph::nodeLabel(n));
        item->setCursor(Qt::PointingHandCursor);
        const QStringList lines = DepGraph::nodeLabel(n).split(QLatin1Char('\n'));
        auto *name = new QGraphicsSimpleTextItem(lines.value(0), item);
        name->setFont(nameFont);
        auto *info = new QGraphicsSimpleTextItem(lines.value(1), item);
        info->setFont(font());
        const qreal total = name->boundingRect().height() + info->boundingRect().height();
        name->setPos(ln.center.x() - name->boundingRect().width() / 2, ln.center.y() - total / 2);
        info->setPos(ln.center.x() - info->boundingRect().width() / 2,
            ln.center.y() - total / 2 + name->boundingRect().height());
    }
    s->setSceneRect(s->itemsBoundingRect().adjusted(-20, -20, 20, 20));
    fitAll();
}

void GraphView::fitAll()
{
    if (scene()->items().isEmpty())
        return;
    resetTransform();
    fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    // Never blow a small graph up beyond its natural size.
    if (transform().m11() > 1.0)
        resetTransform();
}

void GraphView::zoomBy(qreal factor)
{
    const qreal current = transform().m11();
    const qreal next = std::clamp(current * factor, 0.05, 8.0);
    scale(next / current, next / current);
}

void GraphView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoomBy(std::pow(1.0015, delta));
    event->accept();
}

QString GraphView::nodeAt(const QPoint &viewPos) const
{
    for (QGraphicsItem *item : items(viewPos)) {
        for (QGraphicsItem *i = item; i; i = i->parentItem()) {
            const QString name = i->data(NameKey).toString();
            if (!name.isEmpty())
                return name;
        }
    }
    return {};
}

void GraphView::mousePressEvent(QMouseEvent *event)
{
    m_pressPos = event->position().toPoint();
    m_pressNode = event->button() == Qt::LeftButton ? nodeAt(m_pressPos) : QString();
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent *event)
{
    QGraphicsView::mouseReleaseEvent(event);
    // A click, not the end of a drag: select that module everywhere.
    if (event->button() == Qt::LeftButton && !m_pressNode.isEmpty()
        && (event->position().toPoint() - m_pressPos).manhattanLength() < 5 && nodeAt(m_pressPos) == m_pressNode)
        Q_EMIT moduleActivated(m_pressNode);
    m_pressNode.clear();
}

QPoint GraphView::nodeViewPosition(const QString &name) const
{
    const LayoutNode *n = m_layout.node(canonicalModuleName(name));
    return n ? mapFromScene(n->center) : QPoint(-1, -1);
}

bool GraphView::exportSvg(const QString &path, QString *error) const
{
    QSvgGenerator svg;
    svg.setFileName(path);
    const QRectF rect = scene()->sceneRect();
    svg.setSize(rect.size().toSize());
    svg.setViewBox(QRectF(QPointF(0, 0), rect.size()));
    svg.setTitle(m_graph.centerName.isEmpty() ? QStringLiteral("Loaded modules")
                                              : QStringLiteral("Dependencies of ") + m_graph.centerName);
    svg.setDescription(QStringLiteral("kmodrescue dependency graph"));
    QPainter painter;
    if (!painter.begin(&svg)) {
        if (error)
            *error = QStringLiteral("cannot write ") + path;
        return false;
    }
    scene()->render(&painter, QRectF(QPointF(0, 0), rect.size()), rect);
    painter.end();
    if (!QFile::exists(path)) {
        if (error)
            *error = QStringLiteral("cannot write ") + path;
        return false;
    }
    return true;
}

} // namespace kmr
