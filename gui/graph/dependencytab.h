// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "graph/depgraph.h"
#include "graph/graphlayout.h"
#include "util/jobtracker.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace kmr {

class GraphView;

// The Dependencies tab: the selected module's graph in both directions (what it uses, what uses
// it) to a chosen depth, or the whole system's; the path that keeps it stuck in red. Graphviz lays
// it out on a worker thread (one layout at a time: Graphviz is not thread-safe); the newest
// request wins. Exports SVG and DOT.
class DependencyTab : public QWidget
{
    Q_OBJECT
public:
    explicit DependencyTab(QWidget *parent = nullptr);
    ~DependencyTab() override;

    GraphView *graphView() const { return m_view; }
    QSpinBox *depthBox() const { return m_depth; }
    QCheckBox *wholeSystemBox() const { return m_whole; }
    bool isBusy() const { return m_jobs.isJobRunning(); }
    void waitForDone() { m_jobs.waitForDone(); }

    // The graph as shown now, as DOT.
    QString currentDot() const;
    bool exportDot(const QString &path, QString *error) const;
    bool exportSvg(const QString &path, QString *error) const;

public Q_SLOTS:
    void setSnapshot(const kmr::Snapshot &snapshot);
    void setModule(const QString &name);
    void setDepth(int depth);
    void setDirection(kmr::DepDirection direction);
    void setWholeSystem(bool whole);

Q_SIGNALS:
    void moduleActivated(const QString &name); // a node was clicked
    void layoutFinished();

private:
    void relayout();
    void exportWithDialog(bool svg);

    DepGraph m_all;
    DepGraph m_shown;
    QString m_module;
    GraphView *m_view = nullptr;
    QSpinBox *m_depth = nullptr;
    QComboBox *m_direction = nullptr;
    QCheckBox *m_whole = nullptr;
    QLabel *m_status = nullptr;
    JobTracker m_jobs {this, 1};
};

} // namespace kmr
