// SPDX-License-Identifier: GPL-2.0-or-later
#include "models/moduletablemodel.h"

#include "snapshot/taint.h"

#include <QBrush>
#include <QColor>
#include <QFontDatabase>
#include <QLocale>
#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcModuleModel, "kmr.gui.moduletable", QtWarningMsg)

namespace kmr {

namespace {
// Warning colours readable on light and dark palettes alike.
const QColor transitionBackground(255, 170, 0, 90); // Loading / Unloading
const QColor leakBackground(255, 210, 0, 70); // refcount > 0, no holders
const QColor oopsForeground(200, 30, 30);
const QColor unknownForeground(128, 128, 128);

bool nameLess(const ModuleInfo &a, const ModuleInfo &b)
{
    return a.name < b.name;
}

// The version at the end of a .comment or /proc/version compiler text:
// "GCC: (Debian 12.2.0-14) 12.2.0" and "gcc-12 (Debian 12.2.0-14) 12.2.0" both give "12.2.0".
QString compilerVersion(const QString &text)
{
    const qsizetype close = text.lastIndexOf(QLatin1Char(')'));
    QString tail = text.mid(close + 1).trimmed();
    if (const qsizetype comma = tail.indexOf(QLatin1Char(',')); comma >= 0)
        tail.truncate(comma);
    return tail.section(QLatin1Char(' '), -1);
}

template<typename T> int compare3(const T &a, const T &b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}
} // namespace

ModuleTableModel::ModuleTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

ModuleTableModel::Row ModuleTableModel::makeRow(const ModuleInfo &m)
{
    Row r {m, {}};
    r.info.name = canonicalModuleName(m.name);
    QString text = r.info.name;
    for (const QString &h : m.holders)
        text += QLatin1Char(' ') + h;
    text += QLatin1Char(' ') + toString(m.state);
    text = text.toLower();
    text.replace(QLatin1Char('-'), QLatin1Char('_'));
    r.filterText = text;
    return r;
}

void ModuleTableModel::setSnapshot(const Snapshot &snapshot)
{
    m_snapshot = snapshot;

    // The rows are kept sorted by canonical name and unique, so the diff below is one merge walk.
    QList<ModuleInfo> incoming = snapshot.modules;
    for (ModuleInfo &m : incoming) {
        if (m.name.contains(QLatin1Char('-'))) // rare; avoids detaching every name
            m.name = canonicalModuleName(m.name);
    }
    if (!std::is_sorted(incoming.cbegin(), incoming.cend(), nameLess)) // the reader sorts already
        std::stable_sort(incoming.begin(), incoming.end(), nameLess);
    const auto dup = std::unique(
        incoming.begin(), incoming.end(), [](const ModuleInfo &a, const ModuleInfo &b) { return a.name == b.name; });
    if (dup != incoming.end()) {
        qCWarning(lcModuleModel) << "snapshot lists" << std::distance(dup, incoming.end())
                                 << "module(s) twice; showing the first of each";
        incoming.erase(dup, incoming.end());
    }

    // 1. Remove vanished modules: a merge walk over both sorted lists marks them, then they go
    //    in contiguous runs from the end so indexes stay valid.
    QList<bool> vanished(m_rows.size(), false);
    for (qsizetype r = 0, k = 0; r < m_rows.size(); ++r) {
        const QString &name = m_rows.at(r).info.name;
        while (k < incoming.size() && incoming.at(k).name < name)
            ++k;
        vanished[r] = k == incoming.size() || incoming.at(k).name != name;
    }
    for (int row = int(m_rows.size()) - 1; row >= 0;) {
        if (!vanished.at(row)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && vanished.at(first - 1))
            --first;
        beginRemoveRows({}, first, row);
        m_rows.remove(first, row - first + 1);
        endRemoveRows();
        row = first - 1;
    }

    // 2. What remains is an ordered subsequence of `incoming`: insert the gaps, update the rest.
    int changedFirst = -1;
    int changedLast = -1;
    auto flushChanged = [&] {
        if (changedFirst >= 0)
            Q_EMIT dataChanged(index(changedFirst, 0), index(changedLast, ColumnCount - 1));
        changedFirst = changedLast = -1;
    };
    for (int i = 0; i < incoming.size();) {
        if (i < m_rows.size() && m_rows.at(i).info.name == incoming.at(i).name) {
            if (!(m_rows.at(i).info == incoming.at(i))) {
                m_rows[i] = makeRow(incoming.at(i));
                if (changedFirst >= 0 && changedLast != i - 1)
                    flushChanged();
                if (changedFirst < 0)
                    changedFirst = i;
                changedLast = i;
            }
            ++i;
            continue;
        }
        // incoming[i] is new; so may be the ones after it, up to the next existing row.
        int last = i;
        if (i < m_rows.size()) {
            const QString &nextExisting = m_rows.at(i).info.name;
            while (last + 1 < incoming.size() && incoming.at(last + 1).name != nextExisting)
                ++last;
        } else {
            last = int(incoming.size()) - 1;
        }
        beginInsertRows({}, i, last);
        QList<Row> fresh;
        fresh.reserve(last - i + 1);
        for (int k = i; k <= last; ++k)
            fresh.append(makeRow(incoming.at(k)));
        m_rows.insert(i, fresh.size(), Row {});
        std::move(fresh.begin(), fresh.end(), m_rows.begin() + i);
        endInsertRows();
        i = last + 1;
    }
    flushChanged();
    Q_ASSERT(m_rows.size() == incoming.size());
}

void ModuleTableModel::setOopsModules(const QSet<QString> &names)
{
    QSet<QString> canonical;
    for (const QString &n : names)
        canonical.insert(canonicalModuleName(n));
    if (canonical == m_oops)
        return;
    m_oops = canonical;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

int ModuleTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ModuleTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int ModuleTableModel::rowOf(const QString &name) const
{
    const QString want = canonicalModuleName(name);
    const auto it = std::lower_bound(
        m_rows.cbegin(), m_rows.cend(), want, [](const Row &r, const QString &n) { return r.info.name < n; });
    if (it == m_rows.cend() || it->info.name != want)
        return -1;
    return int(it - m_rows.cbegin());
}

QVariant ModuleTableModel::displayData(const ModuleInfo &m, int column) const
{
    switch (column) {
    case Name:
        return m.name;
    case Size:
        return m.size < 0 ? QStringLiteral("?") : QString::number(m.size);
    case Refs:
        return refcountKnown(m) ? QString::number(m.refcount) : QStringLiteral("?");
    case State:
        return toString(m.state);
    case Holders:
        return m.holders.join(QLatin1String(", "));
    case Taint:
        return m.taint;
    case Oops:
        return isOops(m) ? QStringLiteral("\u26A0 oops") : QString();
    case Compiler:
        return m.compiler.known() ? compactCompiler(m.compiler.value) : QStringLiteral("unknown");
    case KoPath:
        return m.koPath.known() ? m.koPath.value : QStringLiteral("unknown");
    }
    return {};
}

QVariant ModuleTableModel::toolTipData(const ModuleInfo &m, int column) const
{
    switch (column) {
    case Size:
        return m.size < 0 ? QStringLiteral("size unknown") : QLocale().formattedDataSize(m.size);
    case Refs:
        if (hasSuspiciousRefs(m))
            return QStringLiteral("Referenced %1 time(s) but no module holds it: a leaked reference, "
                                  "or real use by open files, mounts or interfaces.")
                .arg(m.refcount);
        if (m.refcount < 0 && refcountKnown(m))
            return QStringLiteral("-1, as lsmod shows it while the module's exit runs (or after it crashed)");
        return refcountKnown(m) ? QVariant() : QStringLiteral("refcount unknown");
    case State:
        if (m.state == ModuleState::Loading)
            return QStringLiteral("Still loading: its init has not returned (or crashed).");
        if (m.state == ModuleState::Unloading)
            return QStringLiteral("Unloading: its exit has not returned (or crashed).");
        return {};
    case Taint:
        if (m.taint.isEmpty())
            return {};
        return describeTaint(taintMaskFromLetters(m.taint)).join(QLatin1Char('\n'));
    case Oops:
        return isOops(m) ? QStringLiteral("Implicated by an oops in the kernel log") : QVariant();
    case Compiler:
        if (compilerDiffers(m))
            return QString(m.compiler.display() + QStringLiteral("\nThe running kernel was built with ")
                + m_snapshot.kernel.compiler.value
                + QStringLiteral(
                    ".\nA module built by another compiler is a known cause of busy rmmod and absurd refcounts."));
        return m.compiler.display();
    case KoPath:
        return m.koPath.display();
    }
    return {};
}

QVariant ModuleTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ModuleInfo &m = m_rows.at(index.row()).info;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(m, column);
    case Qt::ToolTipRole:
        return toolTipData(m, column);
    case SortRole:
        switch (column) {
        case Size:
            return m.size;
        case Refs:
            return m.refcount;
        case Oops:
            return isOops(m);
        default:
            return displayData(m, column);
        }
    case ModuleNameRole:
        return m.name;
    case OopsRole:
        return isOops(m);
    case SuspiciousRefsRole:
        return hasSuspiciousRefs(m);
    case Qt::TextAlignmentRole:
        if (column == Size || column == Refs)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (column == Oops)
            return int(Qt::AlignCenter);
        return {};
    case Qt::FontRole:
        if (column == KoPath)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case Qt::BackgroundRole:
        if (column == State && (m.state == ModuleState::Loading || m.state == ModuleState::Unloading))
            return QBrush(transitionBackground);
        if (column == Refs && hasSuspiciousRefs(m))
            return QBrush(leakBackground);
        if (column == Compiler && compilerDiffers(m))
            return QBrush(leakBackground);
        return {};
    case Qt::ForegroundRole:
        if (column == Oops && isOops(m))
            return QBrush(oopsForeground);
        if ((column == Compiler && !m.compiler.known()) || (column == KoPath && !m.koPath.known())
            || (column == State && m.state == ModuleState::Unknown))
            return QBrush(unknownForeground);
        return {};
    }
    return {};
}

QVariant ModuleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const char *const titles[ColumnCount]
            = {"Module", "Size", "Refs", "State", "Used by", "Taint", "Oops", "Compiler", ".ko file"};
        return QString::fromLatin1(titles[section]);
    }
    if (role == Qt::ToolTipRole) {
        static const char *const tips[ColumnCount] = {
            "Module name ('-' and '_' are the same)",
            "Size of the module's memory in bytes",
            "Reference count, as lsmod shows it",
            "Live, Loading (init running or crashed) or Unloading (exit running or crashed)",
            "Modules that use this one and must be unloaded first",
            "The module's own taint letters",
            "Named by an oops, BUG or WARNING in the kernel log",
            "Compiler recorded in the .ko's .comment section",
            "The .ko file that was loaded",
        };
        return QString::fromLatin1(tips[section]);
    }
    if (role == Qt::TextAlignmentRole && (section == Size || section == Refs))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QString ModuleTableModel::compactCompiler(const QString &comment)
{
    if (!comment.startsWith(QLatin1String("GCC: ")))
        return comment; // clang's "Debian clang version 14.0.6" is short enough
    const QString version = compilerVersion(comment.section(QLatin1String("GCC: "), 1, 1));
    return version.isEmpty() ? comment : QStringLiteral("GCC ") + version;
}

bool ModuleTableModel::compilerDiffers(const ModuleInfo &m) const
{
    const Fact &kernel = m_snapshot.kernel.compiler;
    if (!m.compiler.known() || !kernel.known())
        return false;
    const QString first = m.compiler.value.startsWith(QLatin1String("GCC: "))
        ? m.compiler.value.section(QLatin1String("GCC: "), 1, 1)
        : m.compiler.value;
    const QString mine = compilerVersion(first);
    const QString theirs = compilerVersion(kernel.value);
    return !mine.isEmpty() && !theirs.isEmpty() && mine != theirs;
}

bool ModuleTableModel::lessThan(int leftRow, int rightRow, int column) const
{
    const ModuleInfo &a = m_rows.at(leftRow).info;
    const ModuleInfo &b = m_rows.at(rightRow).info;
    int c = 0;
    switch (column) {
    case Size:
        c = compare3(a.size, b.size);
        break;
    case Refs:
        c = compare3(a.refcount, b.refcount);
        break;
    case State:
        c = compare3(int(a.state), int(b.state));
        break;
    case Holders:
        c = compare3(a.holders.size(), b.holders.size());
        if (c == 0)
            c = compare3(a.holders.join(QLatin1Char(',')), b.holders.join(QLatin1Char(',')));
        break;
    case Taint:
        c = compare3(a.taint, b.taint);
        break;
    case Oops:
        c = compare3(isOops(a), isOops(b));
        break;
    case Compiler:
        c = compare3(a.compiler.value, b.compiler.value);
        break;
    case KoPath:
        c = compare3(a.koPath.value, b.koPath.value);
        break;
    default:
        break;
    }
    // Ties (and the Name column) fall back to the name, so every order is total and stable.
    return c != 0 ? c < 0 : a.name < b.name;
}

} // namespace kmr
