// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kernellogmodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace kmr {

using kernellog::KernelLog;
using kernellog::KernelLogRecord;

KernelLogModel::KernelLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void KernelLogModel::setRecords(const KernelLog &records)
{
    beginResetModel();
    m_records = records;
    endResetModel();
}

void KernelLogModel::appendRecords(const KernelLog &records)
{
    if (records.isEmpty())
        return;
    beginInsertRows({}, int(m_records.size()), int(m_records.size() + records.size() - 1));
    m_records += records;
    endInsertRows();
}

int KernelLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int KernelLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {

QColor severityColour(int priority)
{
    switch (priority) {
    case 0:
    case 1:
    case 2:
        return QColor(0xb0, 0x00, 0x20); // emerg, alert, crit
    case 3:
        return QColor(0xd0, 0x30, 0x00); // err
    case 4:
        return QColor(0xa0, 0x60, 0x00); // warning
    case 5:
        return QColor(0x00, 0x50, 0xa0); // notice
    case 7:
        return QColor(0x70, 0x70, 0x70); // debug
    default:
        return {};
    }
}

} // namespace

QVariant KernelLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_records.size())
        return {};
    const KernelLogRecord &r = m_records.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (r.isGap()) {
            if (index.column() == MessageColumn)
                return r.gapSize >= 0
                    ? tr("%n record(s) lost: the kernel overwrote them before they were read", nullptr, int(r.gapSize))
                    : tr("records lost: the kernel overwrote them before they were read");
            return {};
        }
        switch (index.column()) {
        case TimeColumn:
            return r.timestampUsec < 0 ? QString()
                                       : QStringLiteral("%1.%2")
                                             .arg(r.timestampUsec / 1000000)
                                             .arg(r.timestampUsec % 1000000, 6, 10, QLatin1Char('0'));
        case LevelColumn:
            return kernellog::priorityName(r.priority);
        case CallerColumn:
            return r.callerId;
        case MessageColumn:
            return r.message;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == MessageColumn && !r.properties.isEmpty()) {
            QStringList props;
            for (const auto &p : r.properties)
                props << p.first + QLatin1Char('=') + p.second;
            return props.join(QLatin1Char('\n'));
        }
        return {};
    case Qt::ForegroundRole: {
        const QColor c = r.isGap() ? QColor(0x80, 0x00, 0x80) : severityColour(r.priority);
        return c.isValid() ? QVariant(QBrush(c)) : QVariant();
    }
    case Qt::BackgroundRole:
        return r.isGap() ? QVariant(QBrush(QColor(0xf4, 0xe8, 0xf8))) : QVariant();
    case Qt::FontRole:
        if (r.isGap() || (r.priority >= 0 && r.priority <= 3)) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case PriorityRole:
        return r.priority;
    case IsGapRole:
        return r.isGap();
    case RecordIndexRole:
        return index.row();
    }
    return {};
}

QVariant KernelLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case LevelColumn:
        return tr("Level");
    case CallerColumn:
        return tr("Caller");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}

KernelLogFilterProxyModel::KernelLogFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void KernelLogFilterProxyModel::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

void KernelLogFilterProxyModel::setMaxPriority(int priority)
{
    if (priority == m_maxPriority)
        return;
    m_maxPriority = priority;
    invalidateFilter();
}

bool KernelLogFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const auto *model = qobject_cast<const KernelLogModel *>(sourceModel());
    if (!model || sourceParent.isValid() || sourceRow >= model->records().size())
        return false;
    const KernelLogRecord &r = model->records().at(sourceRow);
    if (r.isGap())
        return true;
    if (r.priority > m_maxPriority)
        return false;
    if (m_text.isEmpty())
        return true;
    return r.message.contains(m_text, Qt::CaseInsensitive) || r.callerId.contains(m_text, Qt::CaseInsensitive);
}

} // namespace kmr
