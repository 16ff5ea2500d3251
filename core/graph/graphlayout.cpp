// SPDX-License-Identifier: GPL-2.0-or-later
#include "graph/graphlayout.h"

#include <QLoggingCategory>
#include <QMutex>

#ifdef KMR_HAVE_GRAPHVIZ
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#endif

#include <cstdlib>

Q_LOGGING_CATEGORY(lcGraphLayout, "kmr.graph.layout", QtWarningMsg)

namespace kmr {

const LayoutNode *GraphLayout::node(const QString &name) const
{
    for (const LayoutNode &n : nodes)
        if (n.name == name)
            return &n;
    return nullptr;
}

#ifdef KMR_HAVE_GRAPHVIZ

namespace {

QMutex &gvMutex()
{
    static QMutex m;
    return m;
}

// One context for the process, created on first use under the mutex and never freed: loading
// Graphviz's plugins costs more than a small layout.
GVC_t *context()
{
    static GVC_t *gvc = gvContext();
    return gvc;
}

QString lastGraphvizError()
{
    char *e = aglasterr(); // malloc'd by cgraph: ours to free
    const QString text = e ? QString::fromUtf8(e).trimmed() : QString();
    free(e);
    return text.isEmpty() ? QStringLiteral("Graphviz could not read the graph") : text;
}

} // namespace

bool graphvizAvailable()
{
    return true;
}

GraphLayout layoutDot(const QByteArray &dot, const QString &engine)
{
    GraphLayout out;
    QMutexLocker lock(&gvMutex());
    GVC_t *gvc = context();
    agseterr(AGMAX); // keep messages for aglasterr(), do not print them
    Agraph_t *g = agmemread(dot.constData());
    if (!g) {
        out.error = QStringLiteral("the DOT text is not valid: ") + lastGraphvizError();
        return out;
    }
    const QByteArray eng = engine.toUtf8();
    if (gvLayout(gvc, g, eng.constData()) != 0) {
        out.error
            = QStringLiteral("Graphviz layout with '") + engine + QStringLiteral("' failed: ") + lastGraphvizError();
        agclose(g);
        return out;
    }
    const boxf bb = GD_bb(g);
    const qreal top = bb.UR.y;
    auto flip = [top, &bb](pointf p) { return QPointF(p.x - bb.LL.x, top - p.y); };
    out.boundingBox = QRectF(0, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
        LayoutNode ln;
        ln.name = QString::fromUtf8(agnameof(n));
        ln.center = flip(ND_coord(n));
        ln.width = ND_width(n) * 72.0;
        ln.height = ND_height(n) * 72.0;
        out.nodes << ln;
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) {
            LayoutEdge le;
            le.from = ln.name;
            le.to = QString::fromUtf8(agnameof(aghead(e)));
            const splines *spl = ED_spl(e);
            if (spl && spl->size > 0) {
                const bezier &bz = spl->list[0];
                for (int i = 0; i < bz.size; ++i)
                    le.points << flip(bz.list[i]);
                if (bz.eflag) {
                    le.hasArrowHead = true;
                    le.arrowTip = flip(bz.ep);
                }
            }
            out.edges << le;
        }
    }
    gvFreeLayout(gvc, g);
    agclose(g);
    return out;
}

QByteArray renderDotToSvg(const QByteArray &dot, QString *error)
{
    QMutexLocker lock(&gvMutex());
    GVC_t *gvc = context();
    agseterr(AGMAX);
    Agraph_t *g = agmemread(dot.constData());
    if (!g) {
        if (error)
            *error = QStringLiteral("the DOT text is not valid: ") + lastGraphvizError();
        return {};
    }
    QByteArray svg;
    if (gvLayout(gvc, g, "dot") == 0) {
        char *data = nullptr;
        unsigned int len = 0;
        if (gvRenderData(gvc, g, "svg", &data, &len) == 0 && data)
            svg = QByteArray(data, int(len));
        if (data)
            gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
    }
    agclose(g);
    if (svg.isEmpty() && error)
        *error = QStringLiteral("Graphviz could not render SVG: ") + lastGraphvizError();
    return svg;
}

#else

bool graphvizAvailable()
{
    return false;
}

GraphLayout layoutDot(const QByteArray &, const QString &)
{
    GraphLayout out;
    out.error = QStringLiteral("built without Graphviz (install libgraphviz-dev and rebuild)");
    return out;
}

QByteArray renderDotToSvg(const QByteArray &, QString *error)
{
    if (error)
        *error = QStringLiteral("built without Graphviz (install libgraphviz-dev and rebuild)");
    return {};
}

#endif

GraphLayout layoutGraph(const DepGraph &graph)
{
    return layoutDot(graph.toDot().toUtf8());
}

} // namespace kmr
