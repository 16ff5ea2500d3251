// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "kernellog/oopsexcerpt.h"

#include <QAbstractListModel>

namespace kmr {

// The crash reports found in the log, one row each: title, implicated modules, truncation.
class OopsListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role { ModulesRole = Qt::UserRole + 1, TruncatedRole, FirstLineRole };
    explicit OopsListModel(QObject *parent = nullptr);

    void setExcerpts(const QList<kernellog::OopsExcerpt> &excerpts);
    const QList<kernellog::OopsExcerpt> &excerpts() const { return m_excerpts; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    QList<kernellog::OopsExcerpt> m_excerpts;
};

} // namespace kmr
