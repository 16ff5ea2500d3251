// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "diagnosis/diagnosis.h"

#include <QAbstractItemModel>

namespace kmr {

// A diagnosis as a tree: one top-level row per finding (its plain sentence), under it
// "What to do" (the remedy and the plan steps) and "Evidence (N)", whose children are the
// evidence items, each with its longer text (an oops excerpt, a kernel stack) below it.
// Column 0 is the text, column 1 where it was read from.
class DiagnosisModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Roles {
        SeverityRole = Qt::UserRole + 1, // int(Severity) on finding rows
        KindRole, // toString(FindingKind) on finding rows
        NeedsHelperRole, // bool on evidence rows
        OopsIdRole, // on oops evidence rows
        PidRole, // on process evidence rows
    };

    explicit DiagnosisModel(QObject *parent = nullptr);

    void setDiagnosis(const Diagnosis &diagnosis);
    const Diagnosis &diagnosis() const { return m_diagnosis; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // Internal id: level (2 bits) | finding (15 bits) | group (1 bit) | evidence (14 bits).
    struct Node {
        int level = -1; // 0 finding, 1 group (0 = what to do, 1 = evidence), 2 evidence, 3 detail line
        int finding = -1;
        int group = -1;
        int evidence = -1;
    };
    static quintptr pack(const Node &n);
    static Node unpack(quintptr id);
    int childCount(const Node &n) const;

    Diagnosis m_diagnosis;
};

} // namespace kmr
