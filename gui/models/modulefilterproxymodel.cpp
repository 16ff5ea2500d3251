// SPDX-License-Identifier: GPL-2.0-or-later
#include "models/modulefilterproxymodel.h"

#include "models/moduletablemodel.h"

#include <algorithm>

namespace kmr {

ModuleFilterProxyModel::ModuleFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ModuleTableModel::SortRole);
    setDynamicSortFilter(true);
}

void ModuleFilterProxyModel::setSourceModel(QAbstractItemModel *sourceModel)
{
    // Only a ModuleTableModel gets the fast paths; any other model is filtered through data().
    m_modules = qobject_cast<ModuleTableModel *>(sourceModel);
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

void ModuleFilterProxyModel::setFilterWords(const QString &text)
{
    QString folded = text.toLower();
    folded.replace(QLatin1Char('-'), QLatin1Char('_'));
    QStringList words = folded.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateFilter();
}

bool ModuleFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_words.isEmpty())
        return true;
    QString slowText;
    if (!m_modules) {
        const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
        slowText = idx.data().toString().toLower().replace(QLatin1Char('-'), QLatin1Char('_'));
    }
    const QString &text = m_modules ? m_modules->filterText(sourceRow) : slowText;
    return std::all_of(m_words.cbegin(), m_words.cend(), [&text](const QString &w) { return text.contains(w); });
}

bool ModuleFilterProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_modules && left.column() == right.column())
        return m_modules->lessThan(left.row(), right.row(), left.column());
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace kmr
