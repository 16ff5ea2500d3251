// SPDX-License-Identifier: GPL-2.0-or-later
// The dependency graph: construction from a snapshot, the neighbourhood of a module in both
// directions to a depth, the stuck path, DOT export (golden files) and the Graphviz layout.
#include "graph/depgraph.h"
#include "graph/graphlayout.h"
#include "snapshot/snapshotreader.h"

#include <QFile>
#include <QTest>

using namespace kmr;

namespace {

// A chain and a fan: top -> mid -> base <- side, base -> lib, lib -> crc. ("a -> b": a uses b.)
Snapshot chainSnapshot()
{
    Snapshot s;
    auto add = [&s](const char *name, QStringList holders, int refcount, ModuleState st = ModuleState::Live) {
        ModuleInfo m;
        m.name = QLatin1String(name);
        m.holders = holders;
        m.refcount = refcount;
        m.state = st;
        s.modules << m;
    };
    add("base", {QStringLiteral("mid"), QStringLiteral("side")}, 2);
    add("crc", {QStringLiteral("lib")}, 1);
    add("lib", {QStringLiteral("base")}, 1);
    add("mid", {QStringLiteral("top")}, 1);
    add("side", {}, 0, ModuleState::Unloading);
    add("top", {}, 0);
    add("alone", {}, 0);
    return s;
}

QString golden(const QString &name)
{
    return QStringLiteral(KMR_FIXTURES "/diagnosis/golden/") + name;
}

void compareGolden(const QString &actual, const QString &name)
{
    const QString path = golden(name);
    if (qEnvironmentVariableIsSet("KMR_UPDATE_GOLDEN")) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(actual.toUtf8());
    }
    QFile f(path);
    QVERIFY2(
        f.open(QIODevice::ReadOnly), qPrintable(path + QStringLiteral(" is missing: run with KMR_UPDATE_GOLDEN=1")));
    QCOMPARE(actual, QString::fromUtf8(f.readAll()));
}

} // namespace

class TestDepGraph : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromSnapshot()
    {
        const DepGraph g = DepGraph::fromSnapshot(chainSnapshot());
        QCOMPARE(g.nodes.size(), 7);
        QCOMPARE(g.edges.size(), 5);
        for (const auto &e : {DepEdge {QStringLiteral("mid"), QStringLiteral("base")},
                 DepEdge {QStringLiteral("side"), QStringLiteral("base")},
                 DepEdge {QStringLiteral("base"), QStringLiteral("lib")},
                 DepEdge {QStringLiteral("lib"), QStringLiteral("crc")},
                 DepEdge {QStringLiteral("top"), QStringLiteral("mid")}})
            QVERIFY2(g.edges.contains(e), qPrintable(e.from + QStringLiteral(" -> ") + e.to));
        QCOMPARE(g.usedBy(QStringLiteral("base")), (QStringList {QStringLiteral("mid"), QStringLiteral("side")}));
        QCOMPARE(g.usesOf(QStringLiteral("base")), QStringList {QStringLiteral("lib")});
    }

    void neighbourhood_data()
    {
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("direction");
        QTest::addColumn<QStringList>("nodes");
        QTest::addColumn<int>("edges");
        QTest::newRow("depth 1 both") << 1 << int(DepDirection::Both)
                                      << QStringList {QStringLiteral("base"), QStringLiteral("lib"),
                                             QStringLiteral("mid"), QStringLiteral("side")}
                                      << 3;
        QTest::newRow("depth 2 both") << 2 << int(DepDirection::Both)
                                      << QStringList {QStringLiteral("base"), QStringLiteral("crc"),
                                             QStringLiteral("lib"), QStringLiteral("mid"), QStringLiteral("side"),
                                             QStringLiteral("top")}
                                      << 5;
        QTest::newRow("uses only") << -1 << int(DepDirection::Uses)
                                   << QStringList {QStringLiteral("base"), QStringLiteral("crc"), QStringLiteral("lib")}
                                   << 2;
        QTest::newRow("used by only, depth 1")
            << 1 << int(DepDirection::UsedBy)
            << QStringList {QStringLiteral("base"), QStringLiteral("mid"), QStringLiteral("side")} << 2;
        QTest::newRow("depth 0") << 0 << int(DepDirection::Both) << QStringList {QStringLiteral("base")} << 0;
    }

    void neighbourhood()
    {
        QFETCH(int, depth);
        QFETCH(int, direction);
        QFETCH(QStringList, nodes);
        QFETCH(int, edges);
        const DepGraph g = DepGraph::fromSnapshot(chainSnapshot())
                               .neighbourhood(QStringLiteral("base"), depth, DepDirection(direction));
        QStringList names;
        for (const DepNode &n : g.nodes) {
            names << n.name;
            if (depth >= 0)
                QVERIFY2(n.distance <= depth, qPrintable(n.name));
        }
        QCOMPARE(names, nodes);
        QCOMPARE(g.edges.size(), edges);
        QCOMPARE(g.centerName, QStringLiteral("base"));
        QVERIFY(g.nodes.at(g.indexOf(QStringLiteral("base"))).center);
    }

    void stuckPath()
    {
        // base is held by mid and side, mid by top: the stuck path is base, mid, side, top.
        DepGraph g = DepGraph::fromSnapshot(chainSnapshot());
        g.markStuckPath(QStringLiteral("base"));
        QStringList onPath;
        for (const DepNode &n : g.nodes)
            if (n.onStuckPath)
                onPath << n.name;
        QCOMPARE(onPath,
            (QStringList {
                QStringLiteral("base"), QStringLiteral("mid"), QStringLiteral("side"), QStringLiteral("top")}));
        int pathEdges = 0;
        for (const DepEdge &e : g.edges)
            pathEdges += e.onStuckPath ? 1 : 0;
        QCOMPARE(pathEdges, 3);
        // A module nothing holds has no stuck path.
        g.markStuckPath(QStringLiteral("top"));
        for (const DepNode &n : g.nodes)
            QVERIFY(!n.onStuckPath);
    }

    void dotGolden()
    {
        DepGraph whole = DepGraph::fromSnapshot(chainSnapshot());
        compareGolden(whole.toDot(), QStringLiteral("chain-whole.dot"));
        compareGolden(whole.neighbourhood(QStringLiteral("base"), 1).toDot(), QStringLiteral("chain-base-1.dot"));
        SnapshotReader::Options o;
        o.root = QStringLiteral(KMR_FIXTURES "/diagnosis/lab61");
        o.readKoFiles = false;
        const DepGraph lab
            = DepGraph::fromSnapshot(SnapshotReader(o).read()).neighbourhood(QStringLiteral("kmr_provider"), 2);
        compareGolden(lab.toDot(), QStringLiteral("lab61-provider.dot"));
    }

    void dotQuotesNames()
    {
        Snapshot s;
        ModuleInfo m;
        m.name = QStringLiteral("we\"ird\\name");
        s.modules << m;
        const QString dot = DepGraph::fromSnapshot(s).toDot();
        QVERIFY2(dot.contains(QStringLiteral("\"we\\\"ird\\\\name\"")), qPrintable(dot));
        QVERIFY2(layoutDot(dot.toUtf8()).ok(), "Graphviz reads the quoted name");
    }

    void layout()
    {
        QVERIFY2(graphvizAvailable(), "this build has no Graphviz: install libgraphviz-dev and reconfigure");
        const DepGraph g = DepGraph::fromSnapshot(chainSnapshot());
        const GraphLayout l = layoutGraph(g);
        QVERIFY2(l.ok(), qPrintable(l.error));
        QCOMPARE(l.nodes.size(), g.nodes.size());
        QCOMPARE(l.edges.size(), g.edges.size());
        QVERIFY(l.boundingBox.width() > 0 && l.boundingBox.height() > 0);
        for (const LayoutNode &n : l.nodes) {
            QVERIFY2(g.indexOf(n.name) >= 0, qPrintable(n.name));
            QVERIFY(n.width > 0 && n.height > 0);
            QVERIFY2(l.boundingBox.adjusted(-1, -1, 1, 1).contains(n.center), qPrintable(n.name));
        }
        for (const DepEdge &e : g.edges) {
            const auto it = std::find_if(l.edges.begin(), l.edges.end(),
                [&e](const LayoutEdge &le) { return le.from == e.from && le.to == e.to; });
            QVERIFY2(it != l.edges.end(), qPrintable(e.from + QStringLiteral(" -> ") + e.to));
            QVERIFY(it->points.size() >= 4 && (it->points.size() - 1) % 3 == 0);
            QVERIFY(it->hasArrowHead);
        }
        // Top to bottom: a user sits above what it uses (y grows downwards).
        QVERIFY(l.node(QStringLiteral("top"))->center.y() < l.node(QStringLiteral("mid"))->center.y());
        QVERIFY(l.node(QStringLiteral("mid"))->center.y() < l.node(QStringLiteral("base"))->center.y());
    }

    void layoutRejectsBadDot()
    {
        const GraphLayout l = layoutDot("digraph { a -> ");
        QVERIFY(!l.ok());
        QVERIFY2(l.error.contains(QStringLiteral("not valid")), qPrintable(l.error));
    }

    void svgRender()
    {
        QString error;
        const QByteArray svg = renderDotToSvg(DepGraph::fromSnapshot(chainSnapshot()).toDot().toUtf8(), &error);
        QVERIFY2(!svg.isEmpty(), qPrintable(error));
        QVERIFY(svg.contains("<svg"));
        QVERIFY(svg.contains("base"));
    }
};

QTEST_GUILESS_MAIN(TestDepGraph)
#include "tst_depgraph.moc"
