// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSet>
#include <QString>

namespace kmr {

// The loaded modules of one snapshot, one row each, sorted by name.
//
// setSnapshot() diffs the new module list against the current rows: vanished modules are
// removed, new ones inserted and changed ones reported with dataChanged(), so views keep their
// selection and scroll position across refreshes.
class ModuleTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Size, Refs, State, Holders, Taint, Oops, Compiler, KoPath, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers for numeric columns, strings otherwise
        ModuleNameRole, // the canonical module name, on every column
        OopsRole, // bool: implicated by an oops excerpt
        SuspiciousRefsRole, // bool: refcount > 0 with no holders
    };

    explicit ModuleTableModel(QObject *parent = nullptr);

    void setSnapshot(const Snapshot &snapshot);
    const Snapshot &snapshot() const { return m_snapshot; }

    // Modules named by oops excerpts (issue 6 sets these); '-' and '_' are equal.
    void setOopsModules(const QSet<QString> &names);
    QSet<QString> oopsModules() const { return m_oops; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Direct access for the proxy: no QVariant per row when filtering or sorting.
    const ModuleInfo &module(int row) const { return m_rows.at(row).info; }
    // Lower-case "name holders state" with '-' folded into '_', built once per row.
    const QString &filterText(int row) const { return m_rows.at(row).filterText; }
    bool lessThan(int leftRow, int rightRow, int column) const;
    int rowOf(const QString &name) const; // -1 when absent

    static bool hasSuspiciousRefs(const ModuleInfo &m) { return m.refcount > 0 && m.holders.isEmpty(); }
    // -1 is "unknown", except while Unloading, where the kernel itself reports -1.
    static bool refcountKnown(const ModuleInfo &m)
    {
        return m.refcount >= 0 || (m.refcount == -1 && m.state == ModuleState::Unloading);
    }
    // "GCC: (Debian 12.2.0-14) 12.2.0" -> "GCC 12.2.0": the part that tells compilers apart.
    static QString compactCompiler(const QString &comment);
    // The .ko's compiler version differs from the one in /proc/version (a hint; the diagnosis decides).
    bool compilerDiffers(const ModuleInfo &m) const;

private:
    struct Row {
        ModuleInfo info;
        QString filterText;
    };
    static Row makeRow(const ModuleInfo &m);
    bool isOops(const ModuleInfo &m) const { return m_oops.contains(m.name); }
    QVariant displayData(const ModuleInfo &m, int column) const;
    QVariant toolTipData(const ModuleInfo &m, int column) const;

    Snapshot m_snapshot; // kernel facts and warnings; modules live in m_rows
    QList<Row> m_rows;
    QSet<QString> m_oops;
};

} // namespace kmr
