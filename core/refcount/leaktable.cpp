// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/leaktable.h"

#include <algorithm>

namespace kmr {

int LeakTable::rowFor(const QString &site)
{
    auto it = m_index.constFind(site);
    if (it != m_index.cend())
        return *it;
    m_rows.append(LeakRow {site});
    m_index.insert(site, int(m_rows.size() - 1));
    return int(m_rows.size() - 1);
}

void LeakTable::add(const TraceEvent &e)
{
    const int row = rowFor(e.callSite);
    m_lastLsmod = e.lsmodRefcnt();
    if (e.kind == TraceEvent::Kind::Get) {
        ++m_gets;
        ++m_rows[row].gets;
        ++m_rows[row].held;
        m_heldByPid[e.pid].append(row);
        return;
    }
    ++m_puts;
    ++m_rows[row].puts;
    auto own = m_heldByPid.find(e.pid);
    if (own != m_heldByPid.end() && !own->isEmpty()) {
        --m_rows[own->takeLast()].held;
        return;
    }
    // Another task gives it back: take one from the site holding the most (and from any task's
    // stack that holds that site, so that the stacks stay consistent).
    int best = -1;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].held > 0 && (best < 0 || m_rows[i].held > m_rows[best].held))
            best = i;
    }
    if (best < 0) {
        ++m_older;
        return;
    }
    --m_rows[best].held;
    for (auto &stack : m_heldByPid) {
        const qsizetype at = stack.lastIndexOf(best);
        if (at >= 0) {
            stack.removeAt(at);
            break;
        }
    }
}

void LeakTable::add(const QList<TraceEvent> &events)
{
    for (const TraceEvent &e : events)
        add(e);
}

void LeakTable::clear()
{
    *this = LeakTable();
}

QList<LeakRow> LeakTable::rows() const
{
    QList<LeakRow> out = m_rows;
    std::stable_sort(out.begin(), out.end(), [](const LeakRow &a, const LeakRow &b) {
        if (a.held != b.held)
            return a.held > b.held;
        if (std::abs(a.net()) != std::abs(b.net()))
            return std::abs(a.net()) > std::abs(b.net());
        return a.callSite < b.callSite;
    });
    return out;
}

} // namespace kmr
