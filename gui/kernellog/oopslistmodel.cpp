// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopslistmodel.h"

#include <QBrush>
#include <QColor>

namespace kmr {

using kernellog::OopsExcerpt;

OopsListModel::OopsListModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

void OopsListModel::setExcerpts(const QList<OopsExcerpt> &excerpts)
{
    beginResetModel();
    m_excerpts = excerpts;
    endResetModel();
}

int OopsListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_excerpts.size());
}

QVariant OopsListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_excerpts.size())
        return {};
    const OopsExcerpt &e = m_excerpts.at(index.row());
    const QStringList modules = kernellog::implicatedModules(e);
    switch (role) {
    case Qt::DisplayRole: {
        QString text = e.title;
        if (!modules.isEmpty())
            text += QStringLiteral("  [") + modules.join(QStringLiteral(", ")) + QLatin1Char(']');
        if (e.truncated)
            text += tr("  (truncated)");
        return text;
    }
    case Qt::ToolTipRole: {
        QString tip = tr("Log lines %1–%2").arg(e.firstLine + 1).arg(e.lastLine + 1);
        if (!e.faultingFunction.isEmpty())
            tip += tr("\nFaulting function: %1").arg(e.faultingFunction)
                + (e.faultingModule.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(e.faultingModule));
        if (!e.taint.isEmpty())
            tip += tr("\nTaint: %1").arg(e.taint);
        if (e.truncated)
            tip += tr("\nTruncated: %1").arg(e.truncatedWhy);
        return tip;
    }
    case Qt::ForegroundRole:
        return e.truncated ? QVariant(QBrush(QColor(0x80, 0x60, 0x00))) : QVariant(QBrush(QColor(0xb0, 0x00, 0x20)));
    case ModulesRole:
        return modules;
    case TruncatedRole:
        return e.truncated;
    case FirstLineRole:
        return e.firstLine;
    }
    return {};
}

} // namespace kmr
