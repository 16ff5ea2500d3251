// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "diagnosis/diagnosis.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace kmr {

class RefcountTab;

// The Refcount tab's trace as the diagnosis sees it: the call sites still holding references of
// the traced module (core/diagnosis/referencetakers.h), for the Diagnosis tab and Force Unload,
// which know this object and not the tab's widgets. A live trace changes every poll: the takers
// are worked out at once on the first change, then at most once per interval, and takersChanged()
// is emitted only when they differ (balanced gets and puts change nothing to re-diagnose).
class ReferenceTakerFeed : public QObject
{
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 1000;

    ReferenceTakerFeed(RefcountTab *tab, QObject *parent);

    // By traced module ('_' form); empty without a trace or when it holds no reference.
    const QHash<QString, QList<ReferenceTaker>> &takers() const { return m_takers; }
    // A change of the trace not yet worked out (it will be when the interval ends).
    bool isPending() const { return m_pending; }

Q_SIGNALS:
    void takersChanged();

private:
    void onTraceChanged();
    void onIntervalEnded();
    void update();

    RefcountTab *m_tab;
    QTimer m_interval;
    bool m_pending = false;
    QHash<QString, QList<ReferenceTaker>> m_takers;
};

} // namespace kmr
