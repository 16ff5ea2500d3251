// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "refcount/traceevent.h"

#include <QHash>
#include <QList>
#include <QString>

#include <climits>

namespace kmr {

// One call site's account over the traced window.
struct LeakRow {
    QString callSite;
    int gets = 0; // module_get events from here
    int puts = 0; // module_put events from here
    // References taken here and not given back by the end of the window. A put gives back the
    // most recent reference still held by the same task (references are usually put by the code
    // that took them, in reverse order); a put from a task holding none gives back one of the
    // site holding the most. This is what "gets minus puts" means when the put happens in another
    // function than the get (a tail call: try_module_get/module_put as a function's last call
    // report its caller), which plain per-site subtraction would show as +N and -N.
    int held = 0;
    int net() const { return gets - puts; }
};

// Gets minus puts per call site over a traced window, unbalanced call sites first.
class LeakTable
{
public:
    void add(const TraceEvent &e);
    void add(const QList<TraceEvent> &events);
    void clear();

    // Rows sorted: most references still held first, then the largest |net|, then by name.
    QList<LeakRow> rows() const;
    int totalGets() const { return m_gets; }
    int totalPuts() const { return m_puts; }
    // Puts that gave back a reference taken before the window began.
    int putsOfOlderReferences() const { return m_older; }
    // The refcount lsmod showed after the last event (INT_MIN before any).
    int lastLsmodRefcnt() const { return m_lastLsmod; }

private:
    int rowFor(const QString &site);
    QList<LeakRow> m_rows;
    QHash<QString, int> m_index;
    QHash<int, QList<int>> m_heldByPid; // pid -> stack of row indexes
    int m_gets = 0;
    int m_puts = 0;
    int m_older = 0;
    int m_lastLsmod = INT_MIN;
};

} // namespace kmr
