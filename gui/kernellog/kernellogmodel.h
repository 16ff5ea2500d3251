// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "kernellog/kernellogrecord.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace kmr {

// The kernel log records as a table: time, level, caller, message. Severity shows as colour;
// a gap (records the kernel overwrote) as its own highlighted row.
class KernelLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, LevelColumn, CallerColumn, MessageColumn, ColumnCount };
    enum Role {
        PriorityRole = Qt::UserRole + 1, // int, -1 unknown
        IsGapRole, // bool
        RecordIndexRole, // int: the row in the log (the excerpts' line numbers)
    };

    explicit KernelLogModel(QObject *parent = nullptr);

    void setRecords(const kernellog::KernelLog &records);
    void appendRecords(const kernellog::KernelLog &records); // follow mode
    const kernellog::KernelLog &records() const { return m_records; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    kernellog::KernelLog m_records;
};

// Filters the log: a case-insensitive text (message or caller), and a lowest severity shown
// (priority <= maxPriority; records without a priority always pass). Gaps always show.
class KernelLogFilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit KernelLogFilterProxyModel(QObject *parent = nullptr);
    void setText(const QString &text);
    void setMaxPriority(int priority); // 7 shows everything
    QString text() const { return m_text; }
    int maxPriority() const { return m_maxPriority; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    int m_maxPriority = 7;
};

} // namespace kmr
