// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/referencetakerfeed.h"

#include "diagnosis/referencetakers.h"
#include "refcount/refcounttab.h"

namespace kmr {

ReferenceTakerFeed::ReferenceTakerFeed(RefcountTab *tab, QObject *parent)
    : QObject(parent)
    , m_tab(tab)
{
    setObjectName(QStringLiteral("referenceTakerFeed"));
    m_interval.setSingleShot(true);
    m_interval.setInterval(kIntervalMs);
    connect(&m_interval, &QTimer::timeout, this, &ReferenceTakerFeed::onIntervalEnded);
    connect(tab, &RefcountTab::traceChanged, this, &ReferenceTakerFeed::onTraceChanged);
    connect(tab, &QObject::destroyed, this, [this] {
        m_tab = nullptr;
        m_interval.stop();
    });
    update();
}

void ReferenceTakerFeed::onTraceChanged()
{
    if (m_interval.isActive()) {
        m_pending = true; // worked out when the interval ends
        return;
    }
    update();
    m_interval.start();
}

void ReferenceTakerFeed::onIntervalEnded()
{
    if (!m_pending)
        return;
    m_pending = false;
    update();
    m_interval.start();
}

void ReferenceTakerFeed::update()
{
    QHash<QString, QList<ReferenceTaker>> now;
    const QString module = m_tab ? canonicalModuleName(m_tab->shownTraceModule()) : QString();
    if (!module.isEmpty()) {
        const QList<ReferenceTaker> takers = referenceTakers(m_tab->shownLeakTable().rows());
        if (!takers.isEmpty())
            now.insert(module, takers);
    }
    if (now == m_takers)
        return;
    m_takers = now;
    Q_EMIT takersChanged();
}

} // namespace kmr
