// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "refcount/leaktable.h"
#include "refcount/refcounthistory.h"
#include "refcount/refcountjson.h"
#include "refcount/traceevent.h"

#include <QWidget>

#include <memory>
#include <optional>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QTableView;
class QTimer;
class QValueAxis;
class IoGithubKmodrescueHelper1Interface;

namespace kmr {

class CallSiteModel;
class MainWindow;
class RefcountSampler;

// The Refcount tab: the selected module's refcount over time (sampled for every module while
// the app runs) with the traced get/put events as markers, a time window and rubber-band zoom,
// and the call-site (leak) table of the current trace. Tracing goes through the helper
// (polkit action trace); sampling needs no privilege.
class RefcountTab : public QWidget
{
    Q_OBJECT
public:
    explicit RefcountTab(const QString &root = QStringLiteral("/"), QWidget *parent = nullptr);
    ~RefcountTab() override;

    QString module() const { return m_module; }
    std::shared_ptr<RefcountHistory> history() const { return m_history; }
    RefcountSampler *sampler() const { return m_sampler; }
    CallSiteModel *callSiteModel() const { return m_model; }
    QChart *chart() const { return m_chart; }
    bool tracing() const { return m_tracing; }
    QString statusText() const;
    // The live trace (the last one started here), for a bundle export.
    RecordedTrace liveTrace() const
    {
        return {
            m_tracedModule.isEmpty() && !m_events.isEmpty() ? m_events.constFirst().module : m_tracedModule, m_events};
    }

    // The trace shown (a bundle's, or the live one): its module ("" before any event) and its
    // leak table. traceChanged() says when either changes.
    QString shownTraceModule() const;
    const LeakTable &shownLeakTable() const { return m_recorded ? m_recorded->table : m_table; }

    // A bundle's recorded history and trace instead of this machine's: sampling goes on in the
    // background, tracing is off until leaveRecorded() shows the live data again.
    void showRecorded(const RecordedRefcountHistory &history, const RecordedTrace &trace);
    void leaveRecorded();
    bool showsRecorded() const { return m_recorded.has_value(); }

public Q_SLOTS:
    void setModule(const QString &name);
    void setRateHz(double hz);
    // The time range shown: the last `seconds`, or everything for 0.
    void setWindowSeconds(int seconds);
    // Trace lines as the helper's ReadTraceEvents returns them (also for tests).
    void addTraceLines(const QStringList &lines);
    void startTracing();
    void stopTracing();
    void refreshChart();

Q_SIGNALS:
    // The shown trace changed: new events, a new trace started, a bundle's shown or left.
    void traceChanged();

private:
    struct Recorded {
        RecordedRefcountHistory history;
        RecordedTrace trace;
        LeakTable table;
    };
    const RefcountHistory &shownHistory() const;
    const QList<TraceEvent> &shownEvents() const;
    qint64 shownNowMs() const;
    // Start tracing: a module selected, not tracing already, and the live data shown.
    void updateStartEnabled();
    // Called once m_recorded is set (false) or reset (true).
    void setLiveControlsEnabled(bool enabled);
    void pollTrace();
    void showStatus(const QString &text);
    IoGithubKmodrescueHelper1Interface *helper();

    QString m_module;
    std::shared_ptr<RefcountHistory> m_history;
    RefcountSampler *m_sampler;
    CallSiteModel *m_model;
    LeakTable m_table;
    QList<TraceEvent> m_events;
    TraceEventParser m_parser;
    bool m_tracing = false;
    QString m_tracedModule;
    std::optional<Recorded> m_recorded;
    QString m_liveStatus;
    bool m_pollPending = false;

    QLabel *m_title;
    QLabel *m_status;
    QComboBox *m_rate;
    QComboBox *m_window;
    QPushButton *m_start;
    QPushButton *m_stop;
    QChart *m_chart;
    QChartView *m_chartView;
    QLineSeries *m_line;
    QScatterSeries *m_gets;
    QScatterSeries *m_puts;
    QValueAxis *m_x;
    QValueAxis *m_y;
    QTableView *m_table_view;
    QTimer *m_refresh;
    IoGithubKmodrescueHelper1Interface *m_helper = nullptr;
};

// Adds the Refcount tab to the main window; it follows the selected module.
RefcountTab *installRefcountTab(MainWindow *window);

} // namespace kmr
