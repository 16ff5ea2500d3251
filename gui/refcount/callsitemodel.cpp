// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/callsitemodel.h"

#include <QBrush>
#include <QColor>

namespace kmr {

void CallSiteModel::setRows(const QList<LeakRow> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int CallSiteModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CallSiteModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CallSiteModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LeakRow &r = m_rows.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case CallSite:
            return r.callSite;
        case Held:
            return r.held;
        case Gets:
            return r.gets;
        case Puts:
            return r.puts;
        case Net:
            return r.net();
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != CallSite)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && r.held > 0)
        return QBrush(QColor(0xb0, 0x1c, 0x1c));
    if (role == Qt::ToolTipRole && index.column() == Held)
        return tr("References taken here and not given back during the trace");
    return {};
}

QVariant CallSiteModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case CallSite:
        return tr("Call site");
    case Held:
        return tr("Still held");
    case Gets:
        return tr("Gets");
    case Puts:
        return tr("Puts");
    case Net:
        return tr("Gets − puts");
    default:
        return {};
    }
}

} // namespace kmr
