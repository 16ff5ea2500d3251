// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/refcounttab.h"

#include "mainwindow.h"
#include "refcount/callsitemodel.h"
#include "refcount/referencetakerfeed.h"
#include "refcount/refcountsampler.h"

#include "helper1_interface.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace kmr {

namespace {
constexpr qsizetype kMaxEvents = 200000; // events kept for the chart (the table counts all)
constexpr qsizetype kMaxMarkers = 4000; // markers drawn in the visible window

// The live controls' tool tips (a bundle's view replaces them with why they are off).
QString rateToolTip()
{
    return RefcountTab::tr("Sampling rate of /sys/module/NAME/refcnt (above 1 Hz only the selected module is sampled)");
}

QString startToolTip()
{
    return RefcountTab::tr(
        "Record who takes and puts references (module_get/module_put tracepoints, needs the helper)");
}
} // namespace

RefcountTab::RefcountTab(const QString &root, QWidget *parent)
    : QWidget(parent)
    , m_history(std::make_shared<RefcountHistory>())
    , m_sampler(new RefcountSampler(m_history, root, this))
    , m_model(new CallSiteModel(this))
{
    m_title = new QLabel(tr("No module selected"), this);
    m_rate = new QComboBox(this);
    for (double hz : {1.0, 10.0, 100.0})
        m_rate->addItem(tr("%1 Hz").arg(hz), hz);
    m_rate->setToolTip(rateToolTip());
    m_window = new QComboBox(this);
    m_window->addItem(tr("Last minute"), 60);
    m_window->addItem(tr("Last 10 minutes"), 600);
    m_window->addItem(tr("Last hour"), 3600);
    m_window->addItem(tr("Everything"), 0);
    m_window->setToolTip(tr("Time range shown; drag on the chart to zoom into part of it"));
    auto *resetZoom = new QPushButton(tr("Reset zoom"), this);
    m_start = new QPushButton(tr("Start tracing"), this);
    m_start->setObjectName(QStringLiteral("startTracing"));
    m_start->setToolTip(startToolTip());
    m_stop = new QPushButton(tr("Stop tracing"), this);
    m_stop->setEnabled(false);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_chart = new QChart();
    m_chart->legend()->setVisible(true);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_line = new QLineSeries(m_chart);
    m_line->setName(tr("refcount (lsmod)"));
    m_gets = new QScatterSeries(m_chart);
    m_gets->setName(tr("get"));
    m_gets->setMarkerSize(7);
    m_gets->setColor(QColor(0x2e, 0x7d, 0x32));
    m_puts = new QScatterSeries(m_chart);
    m_puts->setName(tr("put"));
    m_puts->setMarkerSize(7);
    m_puts->setColor(QColor(0xc6, 0x28, 0x28));
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *> {m_line, m_gets, m_puts})
        m_chart->addSeries(s);
    m_x = new QValueAxis(m_chart);
    m_x->setTitleText(tr("seconds since boot"));
    m_y = new QValueAxis(m_chart);
    m_y->setTitleText(tr("references"));
    m_y->setLabelFormat(QStringLiteral("%d"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QAbstractSeries *s : m_chart->series()) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setRubberBand(QChartView::HorizontalRubberBand);
    m_chartView->setMinimumHeight(180);

    m_table_view = new QTableView(this);
    m_table_view->setModel(m_model);
    m_table_view->horizontalHeader()->setSectionResizeMode(CallSiteModel::CallSite, QHeaderView::Stretch);
    m_table_view->verticalHeader()->hide();
    m_table_view->setSelectionBehavior(QAbstractItemView::SelectRows);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    bar->addWidget(m_rate);
    bar->addWidget(m_window);
    bar->addWidget(resetZoom);
    bar->addWidget(m_start);
    bar->addWidget(m_stop);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_chartView);
    split->addWidget(m_table_view);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);

    connect(m_rate, &QComboBox::currentIndexChanged, this, [this] { setRateHz(m_rate->currentData().toDouble()); });
    connect(m_window, &QComboBox::currentIndexChanged, this, &RefcountTab::refreshChart);
    connect(resetZoom, &QPushButton::clicked, this, [this] {
        m_chart->zoomReset();
        refreshChart();
    });
    connect(m_start, &QPushButton::clicked, this, &RefcountTab::startTracing);
    connect(m_stop, &QPushButton::clicked, this, &RefcountTab::stopTracing);

    m_refresh = new QTimer(this);
    m_refresh->setInterval(500);
    connect(m_refresh, &QTimer::timeout, this, [this] {
        if (m_tracing)
            pollTrace();
        if (isVisible() && !m_chart->isZoomed())
            refreshChart();
    });
    m_refresh->start();
    m_sampler->start();
}

RefcountTab::~RefcountTab()
{
    if (m_tracing && m_helper)
        m_helper->StopTrace(); // the helper also stops when we leave the bus
}

QString RefcountTab::statusText() const
{
    return m_status->text();
}

void RefcountTab::showStatus(const QString &text)
{
    if (m_recorded)
        m_liveStatus = text; // shown again when the live data is
    else
        m_status->setText(text);
}

void RefcountTab::setModule(const QString &name)
{
    if (name == m_module)
        return;
    m_module = name;
    m_title->setText(name.isEmpty() ? tr("No module selected") : tr("Refcount of %1").arg(name));
    updateStartEnabled();
    if (m_sampler->rateHz() > 1.0)
        m_sampler->setModules(name.isEmpty() ? QStringList() : QStringList {name});
    m_sampler->sampleOnce();
    refreshChart();
}

void RefcountTab::setRateHz(double hz)
{
    m_sampler->setRateHz(hz);
    // Every module at 1 Hz; above that only the one being looked at.
    m_sampler->setModules(hz > 1.0 && !m_module.isEmpty() ? QStringList {m_module} : QStringList());
}

void RefcountTab::setWindowSeconds(int seconds)
{
    const int i = m_window->findData(seconds);
    if (i >= 0)
        m_window->setCurrentIndex(i);
    refreshChart();
}

const RefcountHistory &RefcountTab::shownHistory() const
{
    return m_recorded ? *m_recorded->history.history : *m_history;
}

const QList<TraceEvent> &RefcountTab::shownEvents() const
{
    return m_recorded ? m_recorded->trace.events : m_events;
}

qint64 RefcountTab::shownNowMs() const
{
    return m_recorded ? m_recorded->history.endMs : m_sampler->nowMs();
}

void RefcountTab::updateStartEnabled()
{
    m_start->setEnabled(!m_recorded && !m_module.isEmpty() && !m_tracing);
}

void RefcountTab::setLiveControlsEnabled(bool enabled)
{
    const QString why = tr("A bundle is shown: its recorded refcounts cannot be sampled or traced again");
    m_rate->setEnabled(enabled);
    m_rate->setToolTip(enabled ? rateToolTip() : why);
    updateStartEnabled();
    m_start->setToolTip(enabled ? startToolTip() : why);
    m_stop->setEnabled(enabled && m_tracing);
}

QString RefcountTab::shownTraceModule() const
{
    return m_recorded ? m_recorded->trace.module : liveTrace().module;
}

void RefcountTab::showRecorded(const RecordedRefcountHistory &history, const RecordedTrace &trace)
{
    if (!m_recorded)
        m_liveStatus = m_status->text();
    Recorded r {history, trace, {}};
    r.table.add(trace.events);
    m_recorded = std::move(r);
    setLiveControlsEnabled(false);
    m_model->setRows(m_recorded->table.rows());
    QString text = history.history->modules().isEmpty()
        ? tr("The bundle holds no refcount history (nothing was sampled where it was made).")
        : tr("Recorded with the bundle: the refcounts up to %1 s after that machine's boot%2.")
              .arg(history.endMs / 1000.0, 0, 'f', 1)
              .arg(history.rateHz > 0 ? tr(", sampled at %1 Hz").arg(history.rateHz) : QString());
    text += trace.events.isEmpty() ? tr(" No get/put trace was recorded.")
                                   : tr(" Trace of %1: %2 gets, %3 puts, by call site below.")
                                         .arg(trace.module)
                                         .arg(m_recorded->table.totalGets())
                                         .arg(m_recorded->table.totalPuts());
    m_status->setText(text);
    m_chart->zoomReset();
    refreshChart();
    Q_EMIT traceChanged();
}

void RefcountTab::leaveRecorded()
{
    if (!m_recorded)
        return;
    m_recorded.reset();
    setLiveControlsEnabled(true);
    m_model->setRows(m_table.rows());
    showStatus(m_liveStatus);
    m_chart->zoomReset();
    refreshChart();
    Q_EMIT traceChanged();
}

void RefcountTab::refreshChart()
{
    const double windowS = m_window->currentData().toDouble();
    const qint64 now = shownNowMs();
    const RefcountHistory &history = shownHistory();
    const QList<TraceEvent> &events = shownEvents();
    const qint64 from = windowS > 0 ? now - qint64(windowS * 1000) : INT64_MIN;
    QList<QPointF> line;
    double yMax = 1;
    const QList<RefcountPoint> pts = m_module.isEmpty() ? QList<RefcountPoint>() : history.points(m_module, from, now);
    for (const RefcountPoint &p : pts) {
        const double x = qMax(p.timeMs, from) / 1000.0;
        if (!line.isEmpty())
            line.append(QPointF(x, line.constLast().y())); // a step, not a slope
        const double y = p.absent() ? 0 : double(p.value);
        line.append(QPointF(x, y));
        yMax = qMax(yMax, y);
    }
    if (!line.isEmpty())
        line.append(QPointF(now / 1000.0, line.constLast().y()));
    m_line->replace(line);

    QList<QPointF> gets, puts;
    const double fromS = from == INT64_MIN ? -1e300 : from / 1000.0;
    for (qsizetype i = events.size() - 1; i >= 0 && gets.size() + puts.size() < kMaxMarkers; --i) {
        const TraceEvent &e = events.at(i);
        const double x = e.timestampNs / 1e9;
        if (x < fromS)
            break;
        if (m_recorded && e.module != m_module)
            continue; // a bundle's trace is of one module: no markers on the others' charts
        (e.kind == TraceEvent::Kind::Get ? gets : puts).append(QPointF(x, e.lsmodRefcnt()));
        yMax = qMax(yMax, double(e.lsmodRefcnt()));
    }
    m_gets->replace(gets);
    m_puts->replace(puts);

    double xMin = line.isEmpty() ? now / 1000.0 - 1 : line.constFirst().x();
    if (!gets.isEmpty() || !puts.isEmpty()) {
        for (const auto *l : {&gets, &puts})
            if (!l->isEmpty())
                xMin = qMin(xMin, l->constLast().x());
    }
    m_x->setRange(xMin, qMax(xMin + 1, now / 1000.0));
    m_y->setRange(0, yMax + 1);
}

IoGithubKmodrescueHelper1Interface *RefcountTab::helper()
{
    if (!m_helper) {
        m_helper = new IoGithubKmodrescueHelper1Interface(QStringLiteral("io.github.kmodrescue.Helper1"),
            QStringLiteral("/io/github/kmodrescue/Helper1"), QDBusConnection::systemBus(), this);
        m_helper->setTimeout(10 * 60 * 1000); // an authentication dialog can take minutes
    }
    return m_helper;
}

void RefcountTab::startTracing()
{
    if (m_module.isEmpty() || m_tracing)
        return;
    m_start->setEnabled(false);
    showStatus(tr("Asking the helper to trace %1…").arg(m_module));
    auto *w = new QDBusPendingCallWatcher(helper()->StartTrace(m_module), this);
    const QString module = m_module;
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w, module] {
        w->deleteLater();
        const QDBusPendingReply<> r = *w;
        if (r.isError()) {
            updateStartEnabled();
            showStatus(tr("Tracing is not available: %1 (the refcount is still sampled)").arg(r.error().message()));
            return;
        }
        m_tracing = true;
        m_tracedModule = module;
        m_table.clear();
        m_events.clear();
        if (!m_recorded)
            m_model->setRows({});
        m_stop->setEnabled(!m_recorded);
        showStatus(tr("Tracing %1: every reference taken and put is recorded").arg(module));
        if (!m_recorded)
            Q_EMIT traceChanged();
    });
}

void RefcountTab::stopTracing()
{
    if (!m_tracing)
        return;
    pollTrace();
    m_tracing = false;
    m_stop->setEnabled(false);
    updateStartEnabled();
    auto *w = new QDBusPendingCallWatcher(helper()->StopTrace(), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w] {
        w->deleteLater();
        const QDBusPendingReply<> r = *w;
        showStatus(r.isError()
                ? tr("Stopping the trace failed: %1").arg(r.error().message())
                : tr("Trace stopped: %1 gets, %2 puts").arg(m_table.totalGets()).arg(m_table.totalPuts()));
    });
}

void RefcountTab::pollTrace()
{
    if (m_pollPending)
        return;
    m_pollPending = true;
    auto *w = new QDBusPendingCallWatcher(helper()->ReadTraceEvents(), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w] {
        w->deleteLater();
        m_pollPending = false;
        const QDBusPendingReply<QStringList> r = *w;
        if (r.isError()) {
            m_tracing = false;
            m_stop->setEnabled(false);
            updateStartEnabled();
            showStatus(tr("The trace ended: %1").arg(r.error().message()));
            return;
        }
        addTraceLines(r.value());
    });
}

void RefcountTab::addTraceLines(const QStringList &lines)
{
    const int before = m_table.totalGets() + m_table.totalPuts();
    for (const QString &l : lines) {
        TraceEvent e;
        if (!m_parser.parseLine(l.toUtf8(), &e))
            continue;
        m_table.add(e);
        m_events.append(std::move(e));
    }
    if (m_events.size() > kMaxEvents)
        m_events.remove(0, m_events.size() - kMaxEvents);
    if (m_table.totalGets() + m_table.totalPuts() == before || m_recorded)
        return;
    m_model->setRows(m_table.rows());
    Q_EMIT traceChanged();
}

RefcountTab *installRefcountTab(MainWindow *window)
{
    auto *tab = new RefcountTab(window->root(), window);
    window->addModuleTab(tab, RefcountTab::tr("Refcount"));
    QObject::connect(window, &MainWindow::moduleSelected, tab, &RefcountTab::setModule);
    new ReferenceTakerFeed(tab, window); // what the Diagnosis tab and Force Unload cite from the trace
    return tab;
}

} // namespace kmr
