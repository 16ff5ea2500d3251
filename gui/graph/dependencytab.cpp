// SPDX-License-Identifier: GPL-2.0-or-later
#include "graph/dependencytab.h"

#include "graph/graphview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace kmr {

DependencyTab::DependencyTab(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("dependencyTab"));
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_whole = new QCheckBox(QStringLiteral("Whole system"), this);
    m_whole->setObjectName(QStringLiteral("wholeSystem"));
    m_direction = new QComboBox(this);
    m_direction->setObjectName(QStringLiteral("direction"));
    m_direction->addItem(QStringLiteral("Both directions"), int(DepDirection::Both));
    m_direction->addItem(QStringLiteral("What it uses"), int(DepDirection::Uses));
    m_direction->addItem(QStringLiteral("What uses it"), int(DepDirection::UsedBy));
    m_depth = new QSpinBox(this);
    m_depth->setObjectName(QStringLiteral("depth"));
    m_depth->setRange(0, 20);
    m_depth->setValue(2);
    m_depth->setSpecialValueText(QStringLiteral("only it"));
    m_depth->setPrefix(QStringLiteral("depth "));
    auto *svg = new QPushButton(QStringLiteral("Export SVG\u2026"), this);
    auto *dot = new QPushButton(QStringLiteral("Export DOT\u2026"), this);
    auto *fit = new QPushButton(QStringLiteral("Fit"), this);
    fit->setToolTip(QStringLiteral("Fit the graph in the view (Ctrl+0). Drag to pan, wheel to zoom."));
    bar->addWidget(m_direction);
    bar->addWidget(m_depth);
    bar->addWidget(m_whole);
    bar->addStretch(1);
    bar->addWidget(fit);
    bar->addWidget(svg);
    bar->addWidget(dot);
    m_view = new GraphView(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("graphStatus"));
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    m_view->clearGraph(QStringLiteral("Select a module to see what it uses and what uses it."));

    connect(m_depth, &QSpinBox::valueChanged, this, [this] { relayout(); });
    connect(m_direction, &QComboBox::currentIndexChanged, this, [this] { relayout(); });
    connect(m_whole, &QCheckBox::toggled, this, [this] {
        m_depth->setEnabled(!m_whole->isChecked());
        m_direction->setEnabled(!m_whole->isChecked());
        relayout();
    });
    connect(fit, &QPushButton::clicked, m_view, &GraphView::fitAll);
    connect(svg, &QPushButton::clicked, this, [this] { exportWithDialog(true); });
    connect(dot, &QPushButton::clicked, this, [this] { exportWithDialog(false); });
    connect(m_view, &GraphView::moduleActivated, this, &DependencyTab::moduleActivated);
}

DependencyTab::~DependencyTab() = default;

void DependencyTab::setSnapshot(const Snapshot &snapshot)
{
    m_all = DepGraph::fromSnapshot(snapshot);
    relayout();
}

void DependencyTab::setModule(const QString &name)
{
    const QString n = canonicalModuleName(name);
    if (n == m_module)
        return;
    m_module = n;
    relayout();
}

void DependencyTab::setDepth(int depth)
{
    m_depth->setValue(depth);
}

void DependencyTab::setDirection(DepDirection direction)
{
    m_direction->setCurrentIndex(m_direction->findData(int(direction)));
}

void DependencyTab::setWholeSystem(bool whole)
{
    m_whole->setChecked(whole);
}

void DependencyTab::relayout()
{
    DepGraph g;
    if (m_whole->isChecked()) {
        g = m_all;
        if (!m_module.isEmpty())
            g.markStuckPath(m_module);
    } else if (!m_module.isEmpty()) {
        g = m_all.neighbourhood(m_module, m_depth->value(), DepDirection(m_direction->currentData().toInt()));
    }
    if (g.nodes.isEmpty()) {
        m_jobs.cancel();
        m_shown = {};
        m_view->clearGraph(m_module.isEmpty() ? QStringLiteral("Select a module to see what it uses and what uses it.")
                                              : m_module + QStringLiteral(" is not loaded."));
        m_status->clear();
        return;
    }
    m_status->setText(QStringLiteral("Laying out %1 modules\u2026").arg(g.nodes.size()));
    m_jobs.startJob(
        [g](const std::function<bool()> &) {
            QElapsedTimer t;
            t.start();
            GraphLayout l = layoutGraph(g);
            return std::make_tuple(g, l, t.elapsed());
        },
        [this](std::tuple<DepGraph, GraphLayout, qint64> r) {
            m_shown = std::get<0>(r);
            m_view->setGraph(m_shown, std::get<1>(r));
            int stuck = 0;
            for (const DepNode &n : m_shown.nodes)
                stuck += n.onStuckPath && !n.center ? 1 : 0;
            m_status->setText(QStringLiteral("%1 modules, %2 uses; laid out by Graphviz in %3 ms.%4")
                                  .arg(m_shown.nodes.size())
                                  .arg(m_shown.edges.size())
                                  .arg(std::get<2>(r))
                                  .arg(stuck ? QStringLiteral(" In red: the %1 holder(s) that keep %2 loaded.")
                                                   .arg(stuck)
                                                   .arg(m_shown.centerName)
                                             : QString()));
            Q_EMIT layoutFinished();
        });
}

QString DependencyTab::currentDot() const
{
    DepGraph::DotOptions o;
    o.graphName = m_shown.centerName.isEmpty() ? QStringLiteral("modules") : m_shown.centerName;
    return m_shown.toDot(o);
}

bool DependencyTab::exportDot(const QString &path, QString *error) const
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(currentDot().toUtf8()) < 0) {
        if (error)
            *error = path + QStringLiteral(": ") + f.errorString();
        return false;
    }
    return true;
}

bool DependencyTab::exportSvg(const QString &path, QString *error) const
{
    return m_view->exportSvg(path, error);
}

void DependencyTab::exportWithDialog(bool svg)
{
    if (m_shown.nodes.isEmpty())
        return;
    const QString base = m_shown.centerName.isEmpty() ? QStringLiteral("modules") : m_shown.centerName;
    const QString path
        = QFileDialog::getSaveFileName(this, svg ? QStringLiteral("Export SVG") : QStringLiteral("Export DOT"),
            base + (svg ? QStringLiteral(".svg") : QStringLiteral(".dot")),
            svg ? QStringLiteral("SVG (*.svg)") : QStringLiteral("Graphviz DOT (*.dot *.gv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!(svg ? exportSvg(path, &error) : exportDot(path, &error)))
        QMessageBox::warning(this, QStringLiteral("Export failed"), error);
}

} // namespace kmr
