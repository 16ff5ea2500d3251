// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "refcount/leaktable.h"

#include <QAbstractTableModel>

namespace kmr {

// The leak table as a model: one row per call site, unbalanced first (LeakTable's order).
class CallSiteModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { CallSite, Held, Gets, Puts, Net, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setRows(const QList<LeakRow> &rows);
    const QList<LeakRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<LeakRow> m_rows;
};

} // namespace kmr
