// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace kmr {

class ModuleTableModel;

// Sorts the module table by any column (numbers as numbers) and filters it as the user types.
//
// The filter is a list of words; a row is shown when each word occurs in its name, its holders
// or its state (case-insensitive, '-' and '_' equal). Each row's text is lower-cased once by the
// model, so a keystroke costs one substring search per row: no regular expression, no QVariant.
class ModuleFilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ModuleFilterProxyModel(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *sourceModel) override;

    void setFilterWords(const QString &text);
    QStringList filterWords() const { return m_words; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    ModuleTableModel *m_modules = nullptr;
    QStringList m_words;
};

} // namespace kmr
